// The event reads of the EPCIS query (ledger/state_machine_events.cc): the
// "evt/" time index Apply writes with each event, its cursor and bound, the
// events of an item through its certificate, and that the index is state
// like any other (in the state root a received store is checked against).
#include <doctest/doctest.h>

#include "ledger/state_root.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

const std::string kCert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
const std::string kEpc = "https://id.gs1.org/01/07501234000017/21/SN000123";

Json Inspection(int n, const std::string& time) {
  Json e = Fixture("shipping-event.json");
  for (const char* member : {"proof", "sourceList", "destinationList", "disposition"}) {
    e.erase(member);
  }
  e["eventID"] = "urn:uuid:00000000-0000-4000-d000-00000000000" + std::to_string(n);
  e["bizStep"] = "inspecting";
  e["eventTime"] = time;
  return SignedBy(e, KeyOf("us-cbp"));
}

struct Ledger : PostingLedger {
  Ledger() {
    REQUIRE(Post(Fixture("pharma-credential.json"), DocumentKind::kCredential).ok());
    // Leaves 1, 2, 3; by time 3 (1969, before the epoch), 1 (00:00Z on the
    // 5th), 2 (23:00-02:00 on the 4th: 01:00Z on the 5th).
    REQUIRE(Post(Inspection(1, "2026-11-05T00:00:00Z"), DocumentKind::kEvent, kCert).ok());
    REQUIRE(Post(Inspection(2, "2026-11-04T23:00:00-02:00"), DocumentKind::kEvent, kCert).ok());
    REQUIRE(Post(Inspection(3, "1969-12-31T23:59:59Z"), DocumentKind::kEvent, kCert).ok());
  }
};

std::vector<uint64_t> Leaves(const StateMachine::EventScan& scan) {
  std::vector<uint64_t> leaves;
  for (const StateMachine::EventEntry& e : scan.entries) leaves.push_back(e.leaf_index);
  return leaves;
}

using L = std::vector<uint64_t>;
constexpr int64_t kMin = INT64_MIN;
constexpr int64_t kMax = INT64_MAX;

TEST_CASE("the time index orders events by eventTime as instants, negative times first") {
  Ledger l;
  auto all = l.sm->EventsByTime(kMin, kMax, std::nullopt, 10);
  REQUIRE(all.ok());
  CHECK(Leaves(*all) == L{3, 1, 2});
  CHECK_FALSE(all->more);
  CHECK(all->entries[0].event_time_ms == -1000);
  CHECK(all->entries[0].certificate_id == kCert);
  CHECK(all->entries[2].document["eventID"] == "urn:uuid:00000000-0000-4000-d000-000000000002");

  // [GE, LT): 2026-11-05T00:00:00Z is leaf 1's instant and 23:00-02:00 the
  // day before is 01:00Z on the 5th.
  const int64_t nov5 = 1793836800000;
  auto from_nov5 = l.sm->EventsByTime(nov5, kMax, std::nullopt, 10);
  REQUIRE(from_nov5.ok());
  CHECK(Leaves(*from_nov5) == L{1, 2});
  auto before_nov5 = l.sm->EventsByTime(kMin, nov5, std::nullopt, 10);
  REQUIRE(before_nov5.ok());
  CHECK(Leaves(*before_nov5) == L{3});
  auto empty = l.sm->EventsByTime(nov5, nov5, std::nullopt, 10);
  REQUIRE(empty.ok());
  CHECK(empty->entries.empty());
}

TEST_CASE("a bounded scan says whether more follow, and a cursor resumes after its event") {
  Ledger l;
  auto first = l.sm->EventsByTime(kMin, kMax, std::nullopt, 2);
  REQUIRE(first.ok());
  CHECK(Leaves(*first) == L{3, 1});
  CHECK(first->more);
  const StateMachine::EventEntry& last = first->entries.back();
  auto rest = l.sm->EventsByTime(
      kMin, kMax, StateMachine::EventTimeCursor{last.event_time_ms, last.leaf_index}, 2);
  REQUIRE(rest.ok());
  CHECK(Leaves(*rest) == L{2});
  CHECK_FALSE(rest->more);
  auto exact = l.sm->EventsByTime(kMin, kMax, std::nullopt, 3);
  REQUIRE(exact.ok());
  CHECK_FALSE(exact->more);
}

TEST_CASE("an item's events come through its certificate; a leaf that is no event is not found") {
  Ledger l;
  auto leaves = l.sm->EventLeavesOfItem(kEpc);
  REQUIRE(leaves.ok());
  CHECK(*leaves == L{1, 2, 3});
  for (const std::string other :
       {"https://id.gs1.org/01/07501234000017/21/SN000124", "https://id.gs1.org/01/0750123400001",
        "https://id.gs1.org/01/07501234000018/21/SN000123",
        "https://id.gs1.org/00/375012345000000013", "urn:epc:id:sgtin:7501234.000001.SN000123",
        ""}) {
    CAPTURE(other);
    auto none = l.sm->EventLeavesOfItem(other);
    REQUIRE(none.ok());
    CHECK(none->empty());
  }
  CHECK(l.sm->EventAt(0).status().IsNotFound());   // the credential
  CHECK(l.sm->EventAt(99).status().IsNotFound());  // beyond the log
  auto event = l.sm->EventAt(2);
  REQUIRE(event.ok());
  CHECK(event->event_time_ms == 1793840400000);
}

TEST_CASE("the time index is state: in the state root, the same after a restart") {
  Ledger l;
  auto roots = l.sm->Roots();
  REQUIRE(roots.ok());
  auto recomputed = RecomputeRoots(*l.store.get());
  REQUIRE_MESSAGE(recomputed.ok(), recomputed.status().ToString());
  CHECK(recomputed->state_root == roots->state_root);
  // Every event is indexed once.
  size_t entries = 0;
  REQUIRE(l.store.get()
              ->Scan(storage::Column::kIndex, "evt/", "evt0", storage::KvStore::kNoLimit,
                     [&](std::string_view, std::string_view value) {
                       CHECK(value == kCert);
                       ++entries;
                       return true;
                     })
              .ok());
  CHECK(entries == 3);
  l.Reopen();
  auto again = l.sm->EventsByTime(kMin, kMax, std::nullopt, 10);
  REQUIRE(again.ok());
  CHECK(Leaves(*again) == L{3, 1, 2});
}

}  // namespace
}  // namespace frontera::ledger
