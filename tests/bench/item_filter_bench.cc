// item_filter_bench: the size and speed of the certified-item filter
// (ledger/item_filter.h) for a large set, by hand:
//   build/tests/item_filter_bench [items, default 10000000] [query runs, default 5]
// Built with the tests, not run by ctest. Prints one JSON object.
//
// Items are product URIs "https://id.gs1.org/01/{gtin}/10/{lot}/21/{serial}"
// keyed as the ledger keys them (ItemKey); non-members are URIs of serials no
// member has. Peak memory is the process's high-water mark (VmHWM) during
// the build, reset just before it (/proc/self/clear_refs), minus the
// resident size before it: what building adds to holding the keys.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/item_filter.h"

namespace frontera::ledger {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); 0 when unreadable.
uint64_t StatusKib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return 0;
}

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return static_cast<bool>(out);
}

std::string ProductUri(uint64_t i) {
  // 20 products of 50 lots each; serials unique across the set.
  static const char* const kGtins[] = {"07501234000017", "07501234000024", "07501234000031",
                                       "07501234000048", "07501234000055"};
  return gs1::ProductSubjectId(kGtins[i % 5], "LOT" + std::to_string(i / 200000),
                               "SN" + std::to_string(i));
}

int Run(uint64_t items, int runs) {
  auto start = Clock::now();
  std::vector<uint64_t> keys(items);
  for (uint64_t i = 0; i < items; ++i) keys[i] = ItemKey(ProductUri(i));
  const double key_seconds = SecondsSince(start);

  const uint64_t rss_before_kib = StatusKib("VmRSS");
  const bool peak_reset = ResetPeakRss();
  start = Clock::now();
  auto built = ItemFilter::Build(keys);
  const double build_seconds = SecondsSince(start);
  const uint64_t peak_kib = StatusKib("VmHWM");
  if (!built.ok()) {
    std::fprintf(stderr, "build failed: %s\n", built.status().ToString().c_str());
    return 1;
  }
  const ItemFilter& filter = *built;
  start = Clock::now();
  const std::string encoded = filter.Encode();
  const double encode_seconds = SecondsSince(start);
  start = Clock::now();
  auto decoded = ItemFilter::Decode(encoded, ItemFilterLimits{ItemFilterLimits::kBytesMax});
  const double decode_seconds = SecondsSince(start);
  if (!decoded.ok() || !(*decoded == filter)) {
    std::fprintf(stderr, "decode failed\n");
    return 1;
  }

  // Lookups of members and non-members alternately, in an order unrelated
  // to the array's (keys are SHA-256 outputs).
  std::vector<uint64_t> probes(items);
  for (uint64_t i = 0; i < items; ++i) {
    probes[i] = i % 2 == 0 ? keys[i] : ItemKey(ProductUri(items + i));
  }
  std::vector<double> ns_per_lookup;
  uint64_t found = 0;
  for (int run = 0; run < runs; ++run) {
    start = Clock::now();
    for (uint64_t k : probes) found += filter.Contains(k) ? 1 : 0;
    ns_per_lookup.push_back(SecondsSince(start) * 1e9 / static_cast<double>(items));
  }
  std::sort(ns_per_lookup.begin(), ns_per_lookup.end());

  uint64_t missing = 0;
  for (uint64_t k : keys) missing += filter.Contains(k) ? 0 : 1;
  uint64_t false_positives = 0;
  for (uint64_t i = 0; i < items; ++i) {
    false_positives += filter.Contains(ItemKey(ProductUri(2 * items + i))) ? 1 : 0;
  }

  std::printf(
      "{\"items\": %llu, \"key_derivation_s\": %.3f, \"build_s\": %.3f, \"encoded_bytes\": %zu, "
      "\"bits_per_item\": %.3f, \"encode_s\": %.3f, \"decode_s\": %.3f, "
      "\"lookup_ns_median\": %.1f, \"lookup_ns_min\": %.1f, \"lookup_ns_max\": %.1f, "
      "\"query_runs\": %d, \"build_peak_extra_mib\": %.1f, \"peak_rss_mib\": %.1f, "
      "\"peak_measured\": %s, \"members_missing\": %llu, \"false_positive_rate\": %.6f, "
      "\"non_members\": %llu, \"found\": %llu}\n",
      static_cast<unsigned long long>(items), key_seconds, build_seconds, encoded.size(),
      8.0 * static_cast<double>(encoded.size()) / static_cast<double>(items), encode_seconds,
      decode_seconds, ns_per_lookup[ns_per_lookup.size() / 2], ns_per_lookup.front(),
      ns_per_lookup.back(), runs,
      (static_cast<double>(peak_kib) - static_cast<double>(rss_before_kib)) / 1024.0,
      static_cast<double>(peak_kib) / 1024.0, peak_reset ? "true" : "false",
      static_cast<unsigned long long>(missing),
      static_cast<double>(false_positives) / static_cast<double>(items),
      static_cast<unsigned long long>(items), static_cast<unsigned long long>(found));
  return missing == 0 ? 0 : 1;
}

}  // namespace
}  // namespace frontera::ledger

int main(int argc, char** argv) {
  uint64_t items = 10'000'000;
  int runs = 5;
  if (argc > 1) items = std::strtoull(argv[1], nullptr, 10);
  if (argc > 2) runs = std::atoi(argv[2]);
  if (items == 0 || items > frontera::ledger::kItemFilterItemsMax || runs < 1 || runs > 100) {
    std::fprintf(stderr, "usage: item_filter_bench [items in 1..%zu] [query runs in 1..100]\n",
                 frontera::ledger::kItemFilterItemsMax);
    return 2;
  }
  return frontera::ledger::Run(items, runs);
}
