#include "api/metrics.h"

#include <charconv>
#include <cmath>

#include "common/check.h"

namespace frontera::api {

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  FRONTERA_CHECK(ec == std::errc()) << "to_chars of a double";
  return std::string(buf.data(), end);
}

std::string SanitizeMetricName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    out.push_back(letter || (digit && i > 0) ? c : '_');
  }
  if (out.empty()) out = "_";
  return out;
}

std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

void AppendBackendMetrics(const std::map<std::string, double>& values, std::string& out) {
  std::string family_typed;
  for (const auto& [name, value] : values) {
    const size_t brace = name.find('{');
    std::string metric = SanitizeMetricName(std::string_view(name).substr(0, brace));
    // The Backend reports bare values; by Prometheus naming convention a
    // "_total" suffix is a counter and anything else a gauge.
    bool counter = metric.size() > 6 && metric.ends_with("_total");
    if (metric != family_typed) {
      out += "# TYPE " + metric + (counter ? " counter\n" : " gauge\n");
      family_typed = metric;
    }
    const std::string labels = brace == std::string::npos ? "" : name.substr(brace);
    out += metric + labels + " " + FormatMetricValue(value) + "\n";
  }
}

void HttpMetrics::Observe(std::string_view route, std::string_view method, int http_status,
                          std::optional<double> seconds) {
  std::string status_class =
      http_status >= 100 && http_status <= 599 ? std::to_string(http_status / 100) + "xx" : "other";
  MutexLock lock(mu_);
  ++requests_[{std::string(route), std::string(method), status_class}];
  if (seconds) {
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      if (*seconds <= kBucketsSeconds[i]) ++bucket_counts_[i];
    }
    ++latency_count_;
    latency_sum_seconds_ += *seconds;
  }
}

void HttpMetrics::AppendText(std::string& out) const {
  MutexLock lock(mu_);
  out +=
      "# HELP frontera_http_requests_total HTTP requests answered, by route, method and "
      "status class.\n"
      "# TYPE frontera_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status_class] = key;
    out += "frontera_http_requests_total{route=\"" + route + "\",method=\"" + method +
           "\",code=\"" + status_class + "\"} " + std::to_string(count) + "\n";
  }
  out +=
      "# HELP frontera_http_request_duration_seconds Time from a request's headers being "
      "read to its answer being written.\n"
      "# TYPE frontera_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    out += "frontera_http_request_duration_seconds_bucket{le=\"" +
           FormatMetricValue(kBucketsSeconds[i]) + "\"} " + std::to_string(bucket_counts_[i]) +
           "\n";
  }
  out += "frontera_http_request_duration_seconds_bucket{le=\"+Inf\"} " +
         std::to_string(latency_count_) + "\n";
  out += "frontera_http_request_duration_seconds_sum " + FormatMetricValue(latency_sum_seconds_) +
         "\n";
  out += "frontera_http_request_duration_seconds_count " + std::to_string(latency_count_) + "\n";
}

}  // namespace frontera::api
