// Which of a validator's snapshots may be deleted: never the one the core
// advertises, the one a compaction is about to advertise, or the newest
// (issue 9, defect 4).
#include "node/snapshot_catalog.h"

#include <doctest/doctest.h>

#include <vector>

namespace frontera::node {
namespace {

using consensus::SnapshotMeta;

std::vector<uint64_t> Indexes(const std::vector<SnapshotMeta>& metas) {
  std::vector<uint64_t> out;
  for (const SnapshotMeta& m : metas) out.push_back(m.index);
  return out;
}

std::vector<uint64_t> Held(const SnapshotCatalog& c) {
  return Indexes({c.all().begin(), c.all().end()});
}

TEST_CASE("start-up sorts what is on disk; the newest is the compaction candidate") {
  SnapshotCatalog c({{300, 2}, {100, 1}, {200, 2}}, 100);
  CHECK(Held(c) == std::vector<uint64_t>{100, 200, 300});
  REQUIRE(c.newest());
  CHECK(c.newest()->index == 300);
  CHECK_FALSE(SnapshotCatalog().newest());
}

TEST_CASE("snapshots taken while a compaction runs never delete its target") {
  // The raft thread picked snapshot 200 and is compacting the log to it; the
  // apply thread takes two more meanwhile. Deleting "the second oldest"
  // removed 200, and the core then advertised a snapshot that was gone.
  SnapshotCatalog c({{100, 1}}, 100);
  CHECK(c.Add({200, 1}).empty());
  REQUIRE(c.PinTarget(250));
  CHECK(c.Add({300, 1}).empty());
  CHECK(Indexes(c.Add({400, 1})) == std::vector<uint64_t>{300});
  CHECK(Indexes(c.Add({500, 1})) == std::vector<uint64_t>{400});
  CHECK(Held(c) == std::vector<uint64_t>{100, 200, 500});
  // Compacted to 200: the core advertises it; 100 is of no use any more.
  CHECK(Indexes(c.Compacted(200)) == std::vector<uint64_t>{100});
  CHECK(Held(c) == std::vector<uint64_t>{200, 500});
}

TEST_CASE("without a compaction in progress, at most kKept are held") {
  SnapshotCatalog c({}, 0);
  for (uint64_t i = 1; i <= 6; ++i) c.Add({i * 100, 1});
  CHECK(c.all().size() == SnapshotCatalog::kKept);
  CHECK(c.all().back().index == 600);
}

TEST_CASE("the advertised snapshot stays until the core advertises a newer one") {
  SnapshotCatalog c({{100, 1}}, 100);
  for (uint64_t i = 2; i <= 5; ++i) c.Add({i * 100, 1});
  CHECK(Held(c).front() == 100);
  // A compaction that was not due leaves the advertised one in place.
  REQUIRE(c.PinTarget(500));
  CHECK(c.Compacted(100).empty());
  CHECK(Held(c).front() == 100);
}

TEST_CASE("the compaction target is the newest snapshot far enough behind the applied index") {
  // Found by the simulator's log-size bound: a follower that applied a burst
  // of entries holds snapshots up to its applied index; the newest is too
  // recent to compact to (log_retain_entries), and with it as the only
  // candidate the log grew until a later snapshot happened to fall behind.
  SnapshotCatalog c({}, 0);
  for (uint64_t i = 1; i <= 9; ++i) c.Add({i * 5, 1});
  CHECK(Held(c) == std::vector<uint64_t>{35, 40, 45});
  const auto target = c.PinTarget(46 - 3);
  REQUIRE(target);
  CHECK(target->index == 40);
  CHECK_FALSE(SnapshotCatalog({{50, 1}}, 0).PinTarget(49));
}

TEST_CASE("an installed leader snapshot replaces every local one") {
  SnapshotCatalog c({{100, 1}, {200, 1}}, 100);
  CHECK(Indexes(c.Installed({900, 3})) == std::vector<uint64_t>{100, 200});
  CHECK(Held(c) == std::vector<uint64_t>{900});
  // It is advertised: newer local snapshots never delete it.
  for (uint64_t i = 10; i <= 13; ++i) c.Add({i * 100, 3});
  CHECK(Held(c).front() == 900);
}

}  // namespace
}  // namespace frontera::node
