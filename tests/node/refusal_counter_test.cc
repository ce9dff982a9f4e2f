// Refusals are counted by (who, why) and logged once per pair per interval.
#include "node/refusal_counter.h"

#include <doctest/doctest.h>

namespace frontera::node {
namespace {

TEST_CASE("the first refusal of a pair is logged, then one line per interval with the count") {
  RefusalCounter counter(std::chrono::seconds(10));
  const auto t0 = RefusalCounter::Clock::time_point{} + std::chrono::hours(1);
  CHECK(counter.Count({"mx-anam", "raft"}, t0) == 1);
  CHECK(counter.Count({"mx-anam", "raft"}, t0 + std::chrono::seconds(1)) == 0);
  CHECK(counter.Count({"mx-anam", "raft"}, t0 + std::chrono::seconds(9)) == 0);
  // Another pair is logged at once.
  CHECK(counter.Count({"mx-anam", "forward"}, t0 + std::chrono::seconds(9)) == 1);
  CHECK(counter.Count({"ca-cbsa", "raft"}, t0 + std::chrono::seconds(9)) == 1);
  // Ten seconds after the last line: the count so far.
  CHECK(counter.Count({"mx-anam", "raft"}, t0 + std::chrono::seconds(10)) == 4);
  CHECK(counter.Count({"mx-anam", "raft"}, t0 + std::chrono::seconds(11)) == 0);
  const auto counts = counter.Counts();
  CHECK(counts.size() == 3);
  CHECK(counts.at({"mx-anam", "raft"}) == 5);
  CHECK(counts.at({"mx-anam", "forward"}) == 1);
}

}  // namespace
}  // namespace frontera::node
