#include "api/metrics.h"

#include <doctest/doctest.h>

namespace frontera::api {
namespace {

constexpr MetricSpec kLinks = {"x_links", MetricType::kGauge, "Links up."};
constexpr MetricSpec kSync = {"x_sync_seconds", MetricType::kHistogram, "Sync time."};
constexpr MetricSpec kWrites = {"x_writes_total", MetricType::kCounter, "Writes."};

TEST_CASE("a metric set writes each family once, with HELP and TYPE before its samples") {
  MetricSet set;
  set.Add(kWrites, 3);
  set.Add(kLinks, 1, {{"peer", "us-cbp"}});
  set.Add(kLinks, 0, {{"peer", "mx-anam"}});
  std::string text;
  set.AppendText(text);
  CHECK(text ==
        "# HELP x_links Links up.\n"
        "# TYPE x_links gauge\n"
        "x_links{peer=\"us-cbp\"} 1\n"
        "x_links{peer=\"mx-anam\"} 0\n"
        "# HELP x_writes_total Writes.\n"
        "# TYPE x_writes_total counter\n"
        "x_writes_total 3\n");
  CHECK(set.Value("x_links", {{"peer", "mx-anam"}}) == 0.0);
  CHECK(set.Value("x_writes_total") == 3.0);
  CHECK_FALSE(set.Value("x_links").has_value());
  CHECK_FALSE(set.Value("x_missing").has_value());
}

TEST_CASE("a latency histogram is written as cumulative buckets, sum and count") {
  LatencyHistogram h;
  h.Observe(0.000244140625);  // 2^-12: in 0.00025 and every bucket above
  h.Observe(0.00390625);      // 2^-8: in 0.005 and above
  h.Observe(32);              // above every bound: only +Inf
  MetricSet set;
  set.AddHistogram(kSync, h);
  std::string text;
  set.AppendText(text);
  CHECK(text.starts_with("# HELP x_sync_seconds Sync time.\n# TYPE x_sync_seconds histogram\n"));
  CHECK(text.find("x_sync_seconds_bucket{le=\"0.0001\"} 0\n") != std::string::npos);
  CHECK(text.find("x_sync_seconds_bucket{le=\"0.00025\"} 1\n") != std::string::npos);
  CHECK(text.find("x_sync_seconds_bucket{le=\"0.0025\"} 1\n") != std::string::npos);
  CHECK(text.find("x_sync_seconds_bucket{le=\"0.005\"} 2\n") != std::string::npos);
  CHECK(text.find("x_sync_seconds_bucket{le=\"10\"} 2\n") != std::string::npos);
  CHECK(text.find("x_sync_seconds_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("x_sync_seconds_sum 32.004150390625\n") != std::string::npos);
  CHECK(text.ends_with("x_sync_seconds_count 3\n"));
}

}  // namespace
}  // namespace frontera::api
