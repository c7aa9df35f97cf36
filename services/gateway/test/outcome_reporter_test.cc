#include "pool/outcome_reporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"

namespace gempool::gateway {
namespace {

v1::ReportOutcomeRequest Report(int64_t id) {
  v1::ReportOutcomeRequest report;
  report.set_key_id(id);
  report.set_kind(v1::OUTCOME_KIND_SUCCESS);
  return report;
}

// Records batches; fails while `failing` is set. Send runs on the reporter's
// thread, the rest on the test's.
struct Recorder {
  Mutex mu;
  CondVar changed;  // Signalled on every Send (batches or failures grew).
  std::vector<std::vector<int64_t>> batches ABSL_GUARDED_BY(mu);
  // Every batch offered (taken or not): its sender and its reports' sequences.
  std::vector<std::string> senders ABSL_GUARDED_BY(mu);
  std::vector<std::vector<uint64_t>> sequences ABSL_GUARDED_BY(mu);
  bool failing ABSL_GUARDED_BY(mu) = false;
  int failures ABSL_GUARDED_BY(mu) = 0;

  absl::Status Send(const v1::ReportOutcomesRequest& batch) ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    senders.push_back(batch.sender());
    sequences.emplace_back();
    for (const auto& r : batch.reports()) sequences.back().push_back(r.delivery_sequence());
    if (failing) {
      ++failures;
      changed.SignalAll();
      return absl::UnavailableError("broker down");
    }
    std::vector<int64_t> ids;
    for (const auto& r : batch.reports()) ids.push_back(r.key_id());
    batches.push_back(ids);
    changed.SignalAll();
    return absl::OkStatus();
  }
  void SetFailing(bool value) ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    failing = value;
  }
  std::vector<int64_t> All() ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    std::vector<int64_t> all;
    for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
    return all;
  }
  // Reports in the batches taken so far.
  size_t TakenLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    size_t n = 0;
    for (const auto& b : batches) n += b.size();
    return n;
  }
  // Wait (up to 10 s) until `n` offers failed / `n` reports were taken.
  bool WaitForFailures(int n) ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (failures < n && !changed.WaitWithDeadline(&mu, deadline)) {
    }
    return failures >= n;
  }
  bool WaitForTaken(size_t n) ABSL_LOCKS_EXCLUDED(mu) {
    MutexLock lock(&mu);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (TakenLocked() < n && !changed.WaitWithDeadline(&mu, deadline)) {
    }
    return TakenLocked() >= n;
  }
};

TEST(OutcomeReporterTest, SendsWhatQueuedInBatchesInOrder) {
  Recorder recorder;
  OutcomeReporter::Options options;
  options.max_batch = 4;
  OutcomeReporter reporter([&](const auto& batch) { return recorder.Send(batch); }, options);
  for (int i = 1; i <= 10; ++i) reporter.Report(Report(i));  // Queued before the thread runs.
  reporter.Start();
  reporter.Stop();
  EXPECT_THAT(recorder.All(), ::testing::ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  MutexLock lock(&recorder.mu);
  for (const auto& batch : recorder.batches) EXPECT_LE(batch.size(), 4u);
  EXPECT_EQ(recorder.batches.size(), 3u);
}

TEST(OutcomeReporterTest, ABatchTheBrokerDidNotTakeIsSentAgain) {
  Recorder recorder;
  recorder.SetFailing(true);
  OutcomeReporter::Options options;
  options.retry_initial_ms = 10;
  options.retry_max_ms = 20;
  OutcomeReporter reporter([&](const auto& batch) { return recorder.Send(batch); }, options);
  reporter.Start();
  reporter.Report(Report(1));
  reporter.Report(Report(2));
  ASSERT_TRUE(recorder.WaitForFailures(2));
  recorder.SetFailing(false);
  reporter.Report(Report(3));
  ASSERT_TRUE(recorder.WaitForTaken(3));
  reporter.Stop();
  EXPECT_THAT(recorder.All(), ::testing::ElementsAre(1, 2, 3)) << "nothing lost, oldest first";
  EXPECT_GE(reporter.failed(), 2u);
  // Every offer named this reporter, and the batch sent again carried the
  // same numbers (the broker skips what it already applied by them).
  MutexLock lock(&recorder.mu);
  ASSERT_GE(recorder.sequences.size(), 3u);
  const size_t failed_offers = recorder.sequences.size() - recorder.batches.size();
  for (size_t i = 0; i < recorder.sequences.size(); ++i) {
    const std::vector<uint64_t>& offer = recorder.sequences[i];
    ASSERT_FALSE(offer.empty());
    if (i < failed_offers) {
      EXPECT_EQ(offer.front(), 1u) << "offer " << i << " was sent again from its start";
    }
    for (size_t j = 1; j < offer.size(); ++j) EXPECT_EQ(offer[j], offer[j - 1] + 1);
  }
  EXPECT_EQ(recorder.sequences.back().back(), 3u);
  for (const std::string& sender : recorder.senders) EXPECT_EQ(sender, reporter.sender());
  EXPECT_EQ(reporter.sender().rfind("gateway-", 0), 0u);
}

TEST(OutcomeReporterTest, DropsTheOldestBeyondTheBoundAndCountsThem) {
  Recorder recorder;
  OutcomeReporter::Options options;
  options.max_queued = 3;
  OutcomeReporter reporter([&](const auto& batch) { return recorder.Send(batch); }, options);
  for (int i = 1; i <= 5; ++i) reporter.Report(Report(i));
  reporter.Start();
  reporter.Stop();
  EXPECT_THAT(recorder.All(), ::testing::ElementsAre(3, 4, 5));
  EXPECT_EQ(reporter.dropped(), 2u);
}

TEST(OutcomeReporterTest, StopDoesNotWaitForABrokerThatIsDown) {
  Recorder recorder;
  recorder.SetFailing(true);
  OutcomeReporter::Options options;
  options.retry_initial_ms = 60'000;
  OutcomeReporter reporter([&](const auto& batch) { return recorder.Send(batch); }, options);
  reporter.Start();
  reporter.Report(Report(1));
  ASSERT_TRUE(recorder.WaitForFailures(1));
  const auto started = std::chrono::steady_clock::now();
  reporter.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  EXPECT_TRUE(recorder.All().empty());
}


TEST(OutcomeReporterTest, AFailureIsSentAtOnceWithTheSuccessesBeforeIt) {
  Recorder recorder;
  OutcomeReporter::Options options;
  options.linger_ms = 600'000;  // Successes alone would wait ten minutes.
  OutcomeReporter reporter([&](const auto& batch) { return recorder.Send(batch); }, options);
  reporter.Start();
  reporter.Report(Report(1));
  reporter.Report(Report(2));
  v1::ReportOutcomeRequest failure = Report(3);
  failure.set_kind(v1::OUTCOME_KIND_KEY_INVALID);
  reporter.Report(failure);
  EXPECT_TRUE(recorder.WaitForTaken(3)) << "the failure did not end the linger";
  EXPECT_THAT(recorder.All(), ::testing::ElementsAre(1, 2, 3));
  reporter.Stop();
}

// Request threads report while the sender thread drains: every report is
// sent once, each thread's in its order (ThreadSanitizer checks the
// hand-over; test-sanitize.sh).
TEST(OutcomeReporterTest, ReportsFromManyThreadsWhileItSendsAllArriveOnceInOrder) {
  Recorder recorder;
  OutcomeReporter::Options options;
  options.max_batch = 8;
  options.linger_ms = 1;
  OutcomeReporter reporter([&](const auto& batch) { return recorder.Send(batch); }, options);
  reporter.Start();
  constexpr int kThreads = 4;
  constexpr int kReportsEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&reporter, t] {
      for (int i = 0; i < kReportsEach; ++i) reporter.Report(Report(t * 100000 + i));
    });
  }
  for (std::thread& thread : threads) thread.join();
  reporter.Stop();
  const std::vector<int64_t> all = recorder.All();
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kReportsEach));
  std::vector<int> next(kThreads, 0);
  for (int64_t id : all) {
    const int t = static_cast<int>(id / 100000);
    ASSERT_EQ(id % 100000, next[t]) << "thread " << t << "'s reports out of order or doubled";
    ++next[t];
  }
  EXPECT_EQ(reporter.dropped(), 0u);
}

}  // namespace
}  // namespace gempool::gateway
