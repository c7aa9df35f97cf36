// What the metrics cost on the request path: a counter increment through a
// kept reference, a look-up by dynamic labels (route, status, model), a
// histogram observation, and one scrape of a gateway-sized registry.
//   build/libs/metrics/metrics_bench

#include <benchmark/benchmark.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/metrics/registry.h"

namespace gempool::metrics {
namespace {

void BM_CounterIncrement(benchmark::State& state) {
  Registry registry;
  Counter& counter = registry.AddCounter("x_total", "X.", {"outcome"}).With({"success"});
  for (auto _ : state) counter.Increment();
  benchmark::DoNotOptimize(counter.value());
}
BENCHMARK(BM_CounterIncrement)->Threads(1)->Threads(2);

void BM_DynamicLabelsLookupAndIncrement(benchmark::State& state) {
  Registry registry;
  Family<Counter>& family =
      registry.AddCounter("x_total", "X.", {"route", "status", "model"}, FamilyOptions{2, 100});
  const std::string model = "gemini-2.5-flash";
  for (auto _ : state) family.With({"generateContent", "200", model}).Increment();
}
BENCHMARK(BM_DynamicLabelsLookupAndIncrement)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
  Registry registry;
  Histogram& histogram = registry.AddHistogram("x_seconds", "X.", {}, LatencyBuckets()).Get();
  double value = 0.0005;
  for (auto _ : state) {
    histogram.Observe(value);
    value = value > 30 ? 0.0005 : value * 1.7;
  }
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2);

void BM_Render(benchmark::State& state) {
  Registry registry;
  Family<Counter>& requests = registry.AddCounter("x_total", "X.", {"route", "status", "model"}, FamilyOptions{2, 100});
  for (int m = 0; m < 100; ++m) {
    for (const char* status : {"200", "429", "500"}) requests.With({"generateContent", status, absl::StrCat("m", m)});
  }
  Family<Histogram>& latency = registry.AddHistogram("x_seconds", "X.", {"stream"}, LatencyBuckets());
  latency.With({"false"}).Observe(0.1);
  latency.With({"true"}).Observe(1);
  for (auto _ : state) benchmark::DoNotOptimize(registry.Render());
}
BENCHMARK(BM_Render);

}  // namespace
}  // namespace gempool::metrics

BENCHMARK_MAIN();
