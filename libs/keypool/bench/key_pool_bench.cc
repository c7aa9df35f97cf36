// Acquire + Report on pools of 10, 1,000 and 100,000 keys: the cost per
// hand-out should stay flat as the pool grows.
//
//   build/libs/keypool/keypool_bench

#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/common/clock.h"
#include "gempool/keypool/key_pool.h"

namespace gempool::keypool {
namespace {

std::unique_ptr<KeyPool> MakePool(int64_t keys) {
  auto pool = std::make_unique<KeyPool>(KeyPoolOptions{}, SystemClock::Get());
  std::vector<KeyInfo> infos;
  infos.reserve(keys);
  for (int64_t id = 1; id <= keys; ++id) {
    KeyInfo info;
    info.id = id;
    info.secret = absl::StrCat("AIzaSyBench", id, "abcdefghijklmnopqrstuvwxyz");
    infos.push_back(std::move(info));
  }
  if (!pool->Add(infos).ok()) std::abort();
  return pool;
}

Outcome Success() {
  Outcome outcome;
  outcome.kind = OutcomeKind::kSuccess;
  return outcome;
}

// The common case: every key healthy.
void BM_AcquireReport(benchmark::State& state) {
  auto pool = MakePool(state.range(0));
  const Outcome success = Success();
  for (auto _ : state) {
    AcquireResult key = pool->Acquire("gemini-2.5-flash");
    benchmark::DoNotOptimize(pool->Report(key.key_id, "gemini-2.5-flash", success));
    if (pool->dirty_count() > 4096) pool->TakeDirty();  // As the writer would.
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AcquireReport)->Arg(10)->Arg(1000)->Arg(100'000);

// Half the keys cooling for the requested model, a retry excluding two keys.
void BM_AcquireHalfCoolingWithExclusions(benchmark::State& state) {
  auto pool = MakePool(state.range(0));
  Outcome limited;
  limited.kind = OutcomeKind::kRateLimited;
  limited.retry_delay_ms = 3'600'000;
  for (int64_t id = 1; id <= state.range(0); id += 2) {
    if (!pool->Report(id, "gemini-2.5-pro", limited).ok()) std::abort();
  }
  const Outcome success = Success();
  const std::vector<int64_t> exclude = {2, 4};
  for (auto _ : state) {
    AcquireResult key = pool->Acquire("gemini-2.5-pro", exclude);
    benchmark::DoNotOptimize(pool->Report(key.key_id, "gemini-2.5-pro", success));
    if (pool->dirty_count() > 4096) pool->TakeDirty();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AcquireHalfCoolingWithExclusions)->Arg(10)->Arg(1000)->Arg(100'000);

// A 429 cooling the key for one model, then a hand-out: the per-model
// cooldown path (heap push, bitset update, lazy expiry).
void BM_AcquireRateLimited(benchmark::State& state) {
  auto pool = MakePool(state.range(0));
  Outcome limited;
  limited.kind = OutcomeKind::kRateLimited;
  limited.retry_delay_ms = 1;  // Expires almost at once, so keys keep coming back.
  for (auto _ : state) {
    AcquireResult key = pool->Acquire("gemini-2.5-pro");
    if (key.available) benchmark::DoNotOptimize(pool->Report(key.key_id, "gemini-2.5-pro", limited));
    if (pool->dirty_count() > 4096) pool->TakeDirty();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AcquireRateLimited)->Arg(10)->Arg(1000)->Arg(100'000);

// Concurrent gateways: several threads sharing one pool.
void BM_AcquireReportThreads(benchmark::State& state) {
  static std::unique_ptr<KeyPool> pool;
  if (state.thread_index() == 0) pool = MakePool(state.range(0));
  const Outcome success = Success();
  for (auto _ : state) {
    AcquireResult key = pool->Acquire("gemini-2.5-flash");
    benchmark::DoNotOptimize(pool->Report(key.key_id, "gemini-2.5-flash", success));
    if (state.thread_index() == 0 && pool->dirty_count() > 4096) pool->TakeDirty();
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) pool.reset();
}
BENCHMARK(BM_AcquireReportThreads)->Arg(100'000)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace gempool::keypool

BENCHMARK_MAIN();
