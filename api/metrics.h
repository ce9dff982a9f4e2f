// Prometheus text exposition (format 0.0.4) of GET /metrics (docs/api.md §6):
// the request counters and latency histogram the HTTP server keeps about
// itself, and the Backend's values.
//
// Thread-safety: HttpMetrics is thread-safe; the functions are pure.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

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

// Appends the Backend's values: one TYPE line per metric family, "_total"
// families as counters and the rest as gauges. A name may carry labels
// ("name{peer=\"x\"}"), already escaped by the Backend.
void AppendBackendMetrics(const std::map<std::string, double>& values, std::string& out);

class HttpMetrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets.
  static constexpr std::array<double, 14> kBucketsSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  // Counts one answered request; `seconds` is its latency when known.
  void Observe(std::string_view route, std::string_view method, int http_status,
               std::optional<double> seconds);
  // Appends frontera_http_requests_total and
  // frontera_http_request_duration_seconds.
  void AppendText(std::string& out) const;

 private:
  mutable Mutex mu_;
  // Keys are (route pattern, method, status class): a bounded set, since
  // routes come from the route table and methods from MethodLabel.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> requests_ GUARDED_BY(mu_);
  // Cumulative: bucket i counts latencies <= kBucketsSeconds[i].
  std::array<uint64_t, kBucketsSeconds.size()> bucket_counts_ GUARDED_BY(mu_){};
  uint64_t latency_count_ GUARDED_BY(mu_) = 0;
  double latency_sum_seconds_ GUARDED_BY(mu_) = 0;
};

}  // namespace frontera::api
