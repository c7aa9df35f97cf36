#pragma once
// The metrics of one process and their rendering in the Prometheus text
// format (0.0.4): families of counters, gauges and histograms, each with
// fixed label names, plus metrics read at scrape time through a callback
// (queue depths, key states, /proc). Families and their samples are
// rendered in a stable order (by name, then by label values), with HELP and
// TYPE lines.
//
// Hot path: a family's With() finds or creates the child for a set of label
// values (a hash look-up under a reader lock); callers with a fixed label
// set look it up once and keep the reference, so an increment is one atomic
// add. A label whose values clients choose (the model) is bounded
// (FamilyOptions::bounded_label): past `max_values` distinct values the rest
// count under "other", so a client cannot grow the scrape without limit.
//
// Thread-safe. Register families at start-up (names are checked: an invalid
// or duplicate name throws std::invalid_argument, a programming error);
// callbacks run during Render() on the scraping thread, must be quick and
// must not register metrics.

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gempool/common/mutex.h"
#include "absl/types/span.h"
#include "gempool/metrics/metric.h"

namespace gempool::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

struct FamilyOptions {
  // Index into the label names of the label clients choose values of; -1:
  // none. Its first `max_values` distinct values are kept, later ones are
  // replaced by "other".
  int bounded_label = -1;
  size_t max_values = 100;
};

// One sample of a callback metric: label values (in the order of the
// family's label names) and the value.
struct Sample {
  std::vector<std::string> label_values;
  double value = 0;
};
using SampleFn = std::function<std::vector<Sample>()>;

// A family as Render() sees it.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  // Appends the HELP and TYPE lines and every sample.
  virtual void Render(std::string& out) const = 0;
};

// The label pairs of one child, rendered once: `a="x",b="y"`.
std::string RenderLabelPairs(absl::Span<const std::string> names, absl::Span<const std::string> values);
// The HELP and TYPE lines of a family.
void RenderHeader(const std::string& name, const std::string& help, MetricType type, std::string& out);
// The samples of one child: `name{labels} value` lines (three kinds for a
// histogram: _bucket with le, _sum, _count).
void RenderSamples(const std::string& name, const std::string& labels, const Counter& counter, std::string& out);
void RenderSamples(const std::string& name, const std::string& labels, const Gauge& gauge, std::string& out);
void RenderSamples(const std::string& name, const std::string& labels, const Histogram& histogram, std::string& out);

template <typename Metric>
class Family final : public FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<Metric>()>;

  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         FamilyOptions options, Factory factory)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)),
        options_(options),
        factory_(std::move(factory)) {}

  // The child for `values` (one per label name, in order), created at first
  // use and never removed: the reference stays valid as long as the family.
  Metric& With(absl::Span<const absl::string_view> values);
  // The child of a family without labels.
  Metric& Get() { return With({}); }

  void Render(std::string& out) const override;

 private:
  struct Child {
    std::vector<std::string> values;
    std::string labels;  // Rendered label pairs.
    std::unique_ptr<Metric> metric;
  };
  static constexpr absl::string_view kOther = "other";
  // The children_ key of `values`, written into `key` (reused per thread).
  static void KeyOf(absl::Span<const absl::string_view> values, std::string& key);

  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const FamilyOptions options_;
  const Factory factory_;
  mutable SharedMutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Child>> children_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> bounded_values_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Counter names end in _total (Prometheus' convention; promtool checks it).
  Family<Counter>& AddCounter(std::string name, std::string help, std::vector<std::string> label_names = {},
                              FamilyOptions options = {});
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> label_names = {},
                          FamilyOptions options = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                                  std::vector<double> bounds, FamilyOptions options = {});
  // A counter or gauge whose samples `fn` gives at each scrape.
  void AddCallback(MetricType type, std::string name, std::string help, std::vector<std::string> label_names,
                   SampleFn fn);

  // Every family, in the text format.
  std::string Render() const;

 private:
  void Check(const std::string& name, MetricType type, const std::vector<std::string>& label_names) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  template <typename Metric>
  Family<Metric>& Add(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
                      FamilyOptions options, typename Family<Metric>::Factory factory);

  mutable SharedMutex mu_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_ ABSL_GUARDED_BY(mu_);
};

// --- Family, templated on the metric type ---

template <typename Metric>
void Family<Metric>::KeyOf(absl::Span<const absl::string_view> values, std::string& key) {
  key.clear();
  for (absl::string_view value : values) {
    absl::StrAppend(&key, value.size(), ":", value);
  }
}

template <typename Metric>
Metric& Family<Metric>::With(absl::Span<const absl::string_view> values) {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument(name_ + ": wrong number of label values");
  }
  // No allocation once a thread's key buffer has grown (once per request).
  absl::InlinedVector<absl::string_view, 4> kept(values.begin(), values.end());
  const int bounded = options_.bounded_label;
  const bool has_bounded = bounded >= 0 && static_cast<size_t>(bounded) < kept.size();
  thread_local std::string key;
  KeyOf(kept, key);
  {
    ReaderMutexLock lock(&mu_);
    auto it = children_.find(key);
    if (it != children_.end()) return *it->second->metric;
    // A value past the bound: its calls count under "other" (found here
    // without the writer lock; nothing is remembered per such value).
    if (has_bounded && bounded_values_.size() >= options_.max_values &&
        !bounded_values_.contains(kept[bounded])) {
      kept[bounded] = kOther;
      KeyOf(kept, key);
      it = children_.find(key);
      if (it != children_.end()) return *it->second->metric;
    }
  }
  WriterMutexLock lock(&mu_);
  if (has_bounded && kept[bounded] != kOther && !bounded_values_.contains(kept[bounded])) {
    if (bounded_values_.size() < options_.max_values) {
      bounded_values_.insert(std::string(kept[bounded]));
    } else {
      kept[bounded] = kOther;
      KeyOf(kept, key);
    }
  }
  auto it = children_.find(key);
  if (it == children_.end()) {
    auto child = std::make_unique<Child>();
    for (absl::string_view value : kept) child->values.emplace_back(value);
    child->labels = RenderLabelPairs(label_names_, child->values);
    child->metric = factory_();
    it = children_.emplace(key, std::move(child)).first;
  }
  return *it->second->metric;
}

template <typename Metric>
void Family<Metric>::Render(std::string& out) const {
  RenderHeader(name_, help_, type_, out);
  std::vector<const Child*> sorted;
  {
    ReaderMutexLock lock(&mu_);
    sorted.reserve(children_.size());
    for (const auto& [key, child] : children_) {
      if (child != nullptr) sorted.push_back(child.get());
    }
  }
  std::sort(sorted.begin(), sorted.end(), [](const Child* a, const Child* b) { return a->values < b->values; });
  // Children are never removed, so they outlive the lock.
  for (const Child* child : sorted) RenderSamples(name_, child->labels, *child->metric, out);
}

}  // namespace gempool::metrics
