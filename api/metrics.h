// Prometheus text exposition (format 0.0.4) of GET /metrics (docs/api.md §6,
// docs/operations.md#watch): metric families with their HELP and TYPE lines,
// the request counters and latency histogram the HTTP server keeps about
// itself, and the Backend's families.
//
// Thread-safety: HttpMetrics is thread-safe; MetricSet and LatencyHistogram
// are values (one thread at a time); the functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/mutex.h"

namespace frontera::api {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// A sample value as Prometheus writes it: shortest round-trip decimal, NaN,
// +Inf, -Inf.
std::string FormatMetricValue(double v);

// Prometheus metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; anything else would
// make the whole exposition unparseable, so it is mapped to "_".
std::string SanitizeMetricName(std::string_view name);

// A request method as a bounded label value: the nine RFC 9110 methods as
// they are, anything else "other".
std::string_view MethodLabel(std::string_view method);

enum class MetricType { kCounter, kGauge, kHistogram };

// A metric family's declaration: its name, its type and its HELP text. Each
// exporter keeps its families in one table (node/validator_status.cc).
struct MetricSpec {
  std::string_view name;
  MetricType type;
  std::string_view help;
};

// Label (name, value) pairs of one sample. Values are escaped when written;
// names must be valid label names. Keep the set of values bounded.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Durations counted into fixed buckets, as a Prometheus histogram.
struct LatencyHistogram {
  // Upper bounds (seconds) of the buckets.
  static constexpr std::array<double, 16> kBucketsSeconds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

  void Observe(double seconds);

  // Cumulative: bucket_counts[i] counts durations <= kBucketsSeconds[i].
  std::array<uint64_t, kBucketsSeconds.size()> bucket_counts{};
  uint64_t count = 0;
  double sum_seconds = 0;
};

// Metric families and their samples, written as one exposition: families in
// name order, each with its HELP and TYPE lines before its samples.
class MetricSet {
 public:
  // Adds a sample of a counter or a gauge family.
  // REQUIRES: spec is not a histogram; a family already added has the same
  // spec (FRONTERA_CHECK).
  void Add(const MetricSpec& spec, double value, const MetricLabels& labels = {});
  // Adds a histogram family's samples (_bucket per bound and +Inf, _sum,
  // _count). REQUIRES: spec is a histogram.
  void AddHistogram(const MetricSpec& spec, const LatencyHistogram& histogram,
                    const MetricLabels& labels = {});
  // The value of the sample of `family` with exactly `labels`, if added.
  std::optional<double> Value(std::string_view family, const MetricLabels& labels = {}) const;
  // Appends the text exposition.
  void AppendText(std::string& out) const;

 private:
  struct Family {
    MetricType type;
    std::string help;
    // Sample name with its label set ("x_bucket{le=\"1\"}"), and value, in
    // the order added.
    std::vector<std::pair<std::string, double>> samples;
  };
  Family& FamilyOf(const MetricSpec& spec);

  std::map<std::string, Family, std::less<>> families_;
};

class HttpMetrics {
 public:
  // Counts one answered request; `seconds` is its latency when known.
  void Observe(std::string_view route, std::string_view method, int http_status,
               std::optional<double> seconds);
  // Adds frontera_http_requests_total and
  // frontera_http_request_duration_seconds.
  void AppendTo(MetricSet& set) const;

 private:
  mutable Mutex mu_;
  // Keys are (route pattern, method, status class): a bounded set, since
  // routes come from the route table and methods from MethodLabel.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> requests_ GUARDED_BY(mu_);
  LatencyHistogram latency_ GUARDED_BY(mu_);
};

}  // namespace frontera::api
