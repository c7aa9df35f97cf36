#include "gempool/metrics/registry.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/metrics/text_format.h"

namespace gempool::metrics {
namespace {

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void AppendSample(const std::string& name, absl::string_view suffix, const std::string& labels, double value,
                  std::string& out) {
  out += name;
  out.append(suffix.data(), suffix.size());
  if (!labels.empty()) absl::StrAppend(&out, "{", labels, "}");
  absl::StrAppend(&out, " ", FormatValue(value), "\n");
}

// A family whose samples a callback gives at each scrape.
class CallbackFamily final : public FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
                 SampleFn fn)
      : name_(std::move(name)),
        help_(std::move(help)),
        type_(type),
        label_names_(std::move(label_names)),
        fn_(std::move(fn)) {}

  void Render(std::string& out) const override {
    RenderHeader(name_, help_, type_, out);
    std::vector<Sample> samples = fn_();
    std::sort(samples.begin(), samples.end(),
              [](const Sample& a, const Sample& b) { return a.label_values < b.label_values; });
    for (const Sample& sample : samples) {
      if (sample.label_values.size() != label_names_.size()) continue;  // A callback's bug: left out.
      AppendSample(name_, "", RenderLabelPairs(label_names_, sample.label_values), sample.value, out);
    }
  }

 private:
  const std::string name_;
  const std::string help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const SampleFn fn_;
};

}  // namespace

std::string RenderLabelPairs(absl::Span<const std::string> names, absl::Span<const std::string> values) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0) out += ',';
    absl::StrAppend(&out, names[i], "=\"", EscapeLabelValue(values[i]), "\"");
  }
  return out;
}

void RenderHeader(const std::string& name, const std::string& help, MetricType type, std::string& out) {
  absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(help), "\n# TYPE ", name, " ", TypeName(type), "\n");
}

void RenderSamples(const std::string& name, const std::string& labels, const Counter& counter, std::string& out) {
  AppendSample(name, "", labels, static_cast<double>(counter.value()), out);
}

void RenderSamples(const std::string& name, const std::string& labels, const Gauge& gauge, std::string& out) {
  AppendSample(name, "", labels, gauge.value(), out);
}

void RenderSamples(const std::string& name, const std::string& labels, const Histogram& histogram,
                   std::string& out) {
  const Histogram::Snapshot snapshot = histogram.Take();
  const std::string prefix = labels.empty() ? std::string() : absl::StrCat(labels, ",");
  const std::vector<double>& bounds = histogram.bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
    AppendSample(name, "_bucket", absl::StrCat(prefix, "le=\"", le, "\""),
                 static_cast<double>(snapshot.cumulative[i]), out);
  }
  AppendSample(name, "_sum", labels, snapshot.sum, out);
  AppendSample(name, "_count", labels, static_cast<double>(snapshot.count), out);
}

void Registry::Check(const std::string& name, MetricType type, const std::vector<std::string>& label_names) const {
  if (!IsValidMetricName(name)) throw std::invalid_argument(absl::StrCat("invalid metric name: ", name));
  if (families_.count(name) > 0) throw std::invalid_argument(absl::StrCat("metric registered twice: ", name));
  if (type == MetricType::kCounter && !absl::EndsWith(name, "_total")) {
    throw std::invalid_argument(absl::StrCat("a counter's name ends in _total: ", name));
  }
  for (const std::string& label : label_names) {
    if (!IsValidLabelName(label) || (type == MetricType::kHistogram && label == "le")) {
      throw std::invalid_argument(absl::StrCat("invalid label name for ", name, ": ", label));
    }
  }
}

template <typename Metric>
Family<Metric>& Registry::Add(std::string name, std::string help, MetricType type,
                              std::vector<std::string> label_names, FamilyOptions options,
                              typename Family<Metric>::Factory factory) {
  WriterMutexLock lock(&mu_);
  Check(name, type, label_names);
  auto family = std::make_unique<Family<Metric>>(name, std::move(help), type, std::move(label_names), options,
                                                 std::move(factory));
  Family<Metric>& added = *family;
  families_.emplace(std::move(name), std::move(family));
  return added;
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help, std::vector<std::string> label_names,
                                      FamilyOptions options) {
  return Add<Counter>(std::move(name), std::move(help), MetricType::kCounter, std::move(label_names), options,
                      [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help, std::vector<std::string> label_names,
                                  FamilyOptions options) {
  return Add<Gauge>(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names), options,
                    [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help, std::vector<std::string> label_names,
                                          std::vector<double> bounds, FamilyOptions options) {
  Histogram check(bounds);  // Throws on bad bounds now, not at the first observation.
  return Add<Histogram>(std::move(name), std::move(help), MetricType::kHistogram, std::move(label_names), options,
                        [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
}

void Registry::AddCallback(MetricType type, std::string name, std::string help, std::vector<std::string> label_names,
                           SampleFn fn) {
  if (type == MetricType::kHistogram) throw std::invalid_argument("callback metrics are counters or gauges");
  WriterMutexLock lock(&mu_);
  Check(name, type, label_names);
  auto family =
      std::make_unique<CallbackFamily>(name, std::move(help), type, std::move(label_names), std::move(fn));
  families_.emplace(std::move(name), std::move(family));
}

std::string Registry::Render() const {
  std::string out;
  ReaderMutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Render(out);
  return out;
}

}  // namespace gempool::metrics
