// The audit trail of private reads: entries survive a reopen with their
// sequence numbers, queries filter by reader, record and position, the
// file rotates at its size limit, and a torn line is skipped.
#include "node/audit_trail.h"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/temp_dir.h"

namespace frontera::node {
namespace {

constexpr int64_t kNow = 1'796'000'000'000;  // 2026-11-30T00:53:20Z

TEST_CASE("the audit trail records reads and answers queries by reader, record and seq") {
  testing::TempDir dir;
  {
    auto trail = AuditTrail::Open(dir.path() + "/audit", AuditOptions{});
    REQUIRE(trail.ok());
    CHECK((*trail)->Record("did:key:zAgency", "certificate", "urn:uuid:1", kNow).value() == 1);
    CHECK((*trail)->Record("did:key:zImporter", "certificate", "urn:uuid:2", kNow + 1000).value() ==
          2);
    CHECK((*trail)->Record("did:key:zAgency", "block", "7", kNow + 2000).value() == 3);
  }
  // Reopened: the numbering goes on.
  auto trail = AuditTrail::Open(dir.path() + "/audit", AuditOptions{});
  REQUIRE(trail.ok());
  CHECK((*trail)->Record("did:key:zAgency", "label", "urn:uuid:2", kNow + 3000).value() == 4);

  auto all = (*trail)->Find({});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  CHECK((*all)[0].seq == 1);
  CHECK((*all)[0].time == "2026-11-30T00:53:20Z");
  CHECK((*all)[0].reader == "did:key:zAgency");
  CHECK((*all)[0].what == "certificate");
  CHECK((*all)[0].record == "urn:uuid:1");

  auto by_reader = (*trail)->Find({.reader = "did:key:zAgency"});
  REQUIRE(by_reader.ok());
  CHECK(by_reader->size() == 3);
  auto by_record = (*trail)->Find({.record = "urn:uuid:2"});
  REQUIRE(by_record.ok());
  REQUIRE(by_record->size() == 2);
  CHECK((*by_record)[0].reader == "did:key:zImporter");
  auto page = (*trail)->Find({.after = 1, .limit = 2});
  REQUIRE(page.ok());
  REQUIRE(page->size() == 2);
  CHECK((*page)[0].seq == 2);
  CHECK((*page)[1].seq == 3);
}

TEST_CASE("the audit trail rotates at file_bytes_max and keeps the newest two files") {
  testing::TempDir dir;
  AuditOptions options;
  options.file_bytes_max = 64 << 10;
  auto trail = AuditTrail::Open(dir.path(), options);
  REQUIRE(trail.ok());
  const std::string record(400, 'r');
  for (int i = 0; i < 600; ++i) {
    REQUIRE((*trail)->Record("did:key:zAgency", "certificate", record, kNow + i).ok());
  }
  CHECK(std::filesystem::file_size(dir.path() + "/reads.jsonl") <= options.file_bytes_max);
  CHECK(std::filesystem::exists(dir.path() + "/reads.1.jsonl"));
  auto all = (*trail)->Find({.limit = 1000});
  REQUIRE(all.ok());
  // The oldest entries are gone, the newest kept, in order.
  CHECK(all->size() < 600);
  CHECK(all->size() > 64 * 1024 / 500);
  CHECK(all->back().seq == 600);
  for (size_t i = 1; i < all->size(); ++i) CHECK((*all)[i].seq == (*all)[i - 1].seq + 1);
  // Limits: a query returns at most query_limit_max entries.
  AuditOptions small;
  small.query_limit_max = 5;
  auto reopened = AuditTrail::Open(dir.path(), small);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->Find({.limit = 100}).value().size() == 5);
}

TEST_CASE("a torn last line is skipped, and the next entry still numbers on") {
  testing::TempDir dir;
  {
    auto trail = AuditTrail::Open(dir.path(), AuditOptions{});
    REQUIRE(trail.ok());
    REQUIRE((*trail)->Record("did:key:zAgency", "certificate", "urn:uuid:1", kNow).ok());
  }
  {
    std::ofstream out(dir.path() + "/reads.jsonl", std::ios::app | std::ios::binary);
    out << "{\"seq\":2,\"time\":\"2026-";
  }
  auto trail = AuditTrail::Open(dir.path(), AuditOptions{});
  REQUIRE(trail.ok());
  CHECK((*trail)->Record("did:key:zAgency", "certificate", "urn:uuid:3", kNow).value() == 2);
  auto all = (*trail)->Find({});
  REQUIRE(all.ok());
  CHECK(all->size() == 2);
}

TEST_CASE("AuditOptions::Validate names the setting and its range") {
  AuditOptions options;
  CHECK(options.Validate().ok());
  options.file_bytes_max = 10;
  CHECK(options.Validate().message().find("audit.file_bytes_max") != std::string::npos);
  options = {};
  options.query_limit_max = 0;
  CHECK(options.Validate().message().find("audit.query_limit_max") != std::string::npos);
}

}  // namespace
}  // namespace frontera::node
