#include "gempool/metrics/registry.h"

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace gempool::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RegistryTest, RendersCounterWithHelpTypeAndLabels) {
  Registry registry;
  Family<Counter>& requests = registry.AddCounter("x_requests_total", "Requests.", {"route", "status"});
  requests.With({"generateContent", "200"}).Increment(3);
  requests.With({"chat", "429"}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP x_requests_total Requests.\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{route=\"chat\",status=\"429\"} 1\n"
            "x_requests_total{route=\"generateContent\",status=\"200\"} 3\n");
}

TEST(RegistryTest, FamiliesComeOutSortedByName) {
  Registry registry;
  registry.AddGauge("b_gauge", "B.").Get().Set(2);
  registry.AddGauge("a_gauge", "A.").Get().Set(1.5);
  EXPECT_EQ(registry.Render(),
            "# HELP a_gauge A.\n# TYPE a_gauge gauge\na_gauge 1.5\n"
            "# HELP b_gauge B.\n# TYPE b_gauge gauge\nb_gauge 2\n");
}

TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.AddCounter("x_total", "Line one\nback\\slash.", {"model"}).With({"a\"b\\c\nd"}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP x_total Line one\\nback\\\\slash.\n"
            "# TYPE x_total counter\n"
            "x_total{model=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(RegistryTest, HistogramHasCumulativeBucketsInfSumAndCount) {
  Registry registry;
  Family<Histogram>& latency = registry.AddHistogram("x_seconds", "Latency.", {"stream"}, {0.1, 1});
  Histogram& h = latency.With({"false"});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive.
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(registry.Render(),
            "# HELP x_seconds Latency.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{stream=\"false\",le=\"0.1\"} 2\n"
            "x_seconds_bucket{stream=\"false\",le=\"1\"} 3\n"
            "x_seconds_bucket{stream=\"false\",le=\"+Inf\"} 4\n"
            "x_seconds_sum{stream=\"false\"} 7.65\n"
            "x_seconds_count{stream=\"false\"} 4\n");
}

TEST(RegistryTest, HistogramWithoutLabels) {
  Registry registry;
  registry.AddHistogram("y_seconds", "Y.", {}, {1}).Get().Observe(2);
  EXPECT_THAT(registry.Render(), HasSubstr("y_seconds_bucket{le=\"1\"} 0\ny_seconds_bucket{le=\"+Inf\"} 1\n"
                                           "y_seconds_sum 2\ny_seconds_count 1\n"));
}

TEST(RegistryTest, TheSameLabelsGiveTheSameChild) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("x_total", "X.", {"a"});
  Counter& first = family.With({"v"});
  EXPECT_EQ(&first, &family.With({"v"}));
  EXPECT_NE(&first, &family.With({"w"}));
}

TEST(RegistryTest, BoundedLabelPutsValuesPastTheLimitUnderOther) {
  Registry registry;
  Family<Counter>& family =
      registry.AddCounter("x_total", "X.", {"status", "model"}, FamilyOptions{/*bounded_label=*/1, /*max_values=*/2});
  family.With({"200", "m1"}).Increment();
  family.With({"200", "m2"}).Increment();
  family.With({"200", "m3"}).Increment();
  family.With({"500", "m4"}).Increment();
  family.With({"500", "m1"}).Increment();  // Known: keeps its name with any other label.
  family.With({"200", "m3"}).Increment();
  const std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("x_total{status=\"200\",model=\"m1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("x_total{status=\"200\",model=\"m2\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("x_total{status=\"200\",model=\"other\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("x_total{status=\"500\",model=\"other\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("x_total{status=\"500\",model=\"m1\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("m3")));
  EXPECT_THAT(text, Not(HasSubstr("m4")));
}

TEST(RegistryTest, ManyDistinctValuesStayBounded) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("x_total", "X.", {"model"}, FamilyOptions{0, 100});
  for (int i = 0; i < 5000; ++i) family.With({absl::StrCat("model-", i)}).Increment();
  const std::string text = registry.Render();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2 + 101);
  EXPECT_THAT(text, HasSubstr("x_total{model=\"other\"} 4900\n"));
}

TEST(RegistryTest, CallbackMetricsAreReadAtEachScrapeAndSorted) {
  Registry registry;
  int calls = 0;
  registry.AddCallback(MetricType::kGauge, "x_keys", "Keys.", {"state"}, [&calls] {
    ++calls;
    return std::vector<Sample>{{{"cooling"}, 2}, {{"active"}, static_cast<double>(calls)}};
  });
  EXPECT_EQ(registry.Render(),
            "# HELP x_keys Keys.\n# TYPE x_keys gauge\nx_keys{state=\"active\"} 1\nx_keys{state=\"cooling\"} 2\n");
  EXPECT_THAT(registry.Render(), HasSubstr("x_keys{state=\"active\"} 2\n"));
}

TEST(RegistryTest, RefusesBadRegistrations) {
  Registry registry;
  registry.AddCounter("x_total", "X.");
  EXPECT_THROW(registry.AddCounter("x_total", "again"), std::invalid_argument);
  EXPECT_THROW(registry.AddCounter("x_count", "no _total suffix"), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("9bad", "X."), std::invalid_argument);
  EXPECT_THROW(registry.AddGauge("g", "X.", {"bad-label"}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h_seconds", "X.", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.AddHistogram("h2_seconds", "X.", {}, {2, 1}), std::invalid_argument);
  Family<Counter>& two = registry.AddCounter("y_total", "Y.", {"a", "b"});
  EXPECT_THROW(two.With({"only one"}), std::invalid_argument);
}

TEST(RegistryTest, ConcurrentIncrementsAndNewChildrenAreAllCounted) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("x_total", "X.", {"model"}, FamilyOptions{0, 100});
  Family<Histogram>& latency = registry.AddHistogram("x_seconds", "X.", {}, {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&family, &latency, t] {
      for (int i = 0; i < 10000; ++i) {
        family.With({absl::StrCat("m", (i + t) % 10)}).Increment();
        latency.Get().Observe(1);
      }
    });
  }
  std::thread scraper([&registry] {
    for (int i = 0; i < 50; ++i) registry.Render();
  });
  for (std::thread& thread : threads) thread.join();
  scraper.join();
  uint64_t total = 0;
  for (int m = 0; m < 10; ++m) total += family.With({absl::StrCat("m", m)}).value();
  EXPECT_EQ(total, 40000u);
  const Histogram::Snapshot snapshot = latency.Get().Take();
  EXPECT_EQ(snapshot.count, 40000u);
  EXPECT_DOUBLE_EQ(snapshot.sum, 40000);
}

TEST(GaugeTest, SetAndAdd) {
  Gauge gauge;
  gauge.Set(3);
  gauge.Add(-1.5);
  EXPECT_DOUBLE_EQ(gauge.value(), 1.5);
}

}  // namespace
}  // namespace gempool::metrics
