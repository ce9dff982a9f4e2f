#include "api/metrics.h"

#include <charconv>
#include <cmath>

#include "common/check.h"

namespace frontera::api {
namespace {

// Label values escape backslash, double quote and line feed (exposition
// format 0.0.4).
std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string LabelSet(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    FRONTERA_CHECK(!name.empty() && SanitizeMetricName(name) == name &&
                   name.find(':') == std::string::npos)
        << "label name " << name;
    if (out.size() > 1) out += ",";
    out += name + "=\"" + EscapeLabelValue(value) + "\"";
  }
  return out + "}";
}

// A bucket bound as an `le` label value, in fixed notation ("0.0001", not
// "1e-04"), so that the label reads as the docs write it.
std::string FormatBound(double bound) {
  std::array<char, 64> buf{};
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), bound, std::chars_format::fixed);
  FRONTERA_CHECK(ec == std::errc()) << "to_chars of a bucket bound";
  return std::string(buf.data(), end);
}

std::string_view TypeName(MetricType type) {
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

}  // namespace

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

void LatencyHistogram::Observe(double seconds) {
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) ++bucket_counts[i];
  }
  ++count;
  sum_seconds += seconds;
}

MetricSet::Family& MetricSet::FamilyOf(const MetricSpec& spec) {
  FRONTERA_CHECK(SanitizeMetricName(spec.name) == spec.name) << "metric name " << spec.name;
  FRONTERA_CHECK(!spec.help.empty() && spec.help.find('\n') == std::string_view::npos)
      << "HELP of " << spec.name;
  auto it = families_.find(spec.name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(spec.name), Family{spec.type, std::string(spec.help), {}})
             .first;
  }
  FRONTERA_CHECK(it->second.type == spec.type && it->second.help == spec.help)
      << "metric family " << spec.name << " declared twice, differently";
  return it->second;
}

void MetricSet::Add(const MetricSpec& spec, double value, const MetricLabels& labels) {
  FRONTERA_CHECK(spec.type != MetricType::kHistogram) << spec.name << " is a histogram";
  FamilyOf(spec).samples.emplace_back(std::string(spec.name) + LabelSet(labels), value);
}

void MetricSet::AddHistogram(const MetricSpec& spec, const LatencyHistogram& histogram,
                             const MetricLabels& labels) {
  FRONTERA_CHECK(spec.type == MetricType::kHistogram) << spec.name << " is not a histogram";
  Family& family = FamilyOf(spec);
  const std::string name(spec.name);
  for (size_t i = 0; i <= LatencyHistogram::kBucketsSeconds.size(); ++i) {
    const bool last = i == LatencyHistogram::kBucketsSeconds.size();
    MetricLabels with_le = labels;
    with_le.emplace_back("le", last ? "+Inf" : FormatBound(LatencyHistogram::kBucketsSeconds[i]));
    family.samples.emplace_back(
        name + "_bucket" + LabelSet(with_le),
        static_cast<double>(last ? histogram.count : histogram.bucket_counts[i]));
  }
  family.samples.emplace_back(name + "_sum" + LabelSet(labels), histogram.sum_seconds);
  family.samples.emplace_back(name + "_count" + LabelSet(labels),
                              static_cast<double>(histogram.count));
}

std::optional<double> MetricSet::Value(std::string_view family, const MetricLabels& labels) const {
  auto it = families_.find(family);
  if (it == families_.end()) return std::nullopt;
  const std::string sample = std::string(family) + LabelSet(labels);
  for (const auto& [name, value] : it->second.samples) {
    if (name == sample) return value;
  }
  return std::nullopt;
}

void MetricSet::AppendText(std::string& out) const {
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + family.help + "\n";
    out += "# TYPE " + name + " " + std::string(TypeName(family.type)) + "\n";
    for (const auto& [sample, value] : family.samples) {
      out += sample + " " + FormatMetricValue(value) + "\n";
    }
  }
}

void HttpMetrics::Observe(std::string_view route, std::string_view method, int http_status,
                          std::optional<double> seconds) {
  std::string status_class =
      http_status >= 100 && http_status <= 599 ? std::to_string(http_status / 100) + "xx" : "other";
  MutexLock lock(mu_);
  ++requests_[{std::string(route), std::string(method), status_class}];
  if (seconds) latency_.Observe(*seconds);
}

void HttpMetrics::AppendTo(MetricSet& set) const {
  static constexpr MetricSpec kRequests = {
      "frontera_http_requests_total", MetricType::kCounter,
      "HTTP requests answered, by route, method and status class."};
  static constexpr MetricSpec kDuration = {
      "frontera_http_request_duration_seconds", MetricType::kHistogram,
      "Time from a request's headers being read to its answer being written."};
  MutexLock lock(mu_);
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status_class] = key;
    set.Add(kRequests, static_cast<double>(count),
            {{"route", route}, {"method", method}, {"code", status_class}});
  }
  set.AddHistogram(kDuration, latency_);
}

}  // namespace frontera::api
