// Membership changes in the Raft core (Ongaro's thesis §4, single-server
// changes): learners, promotion after catching up, removal of the leader,
// the refusals that keep one change at a time, and membership across
// restarts and truncations. Driven by hand through the test network.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "consensus/codec.h"
#include "consensus/raft.h"
#include "tests/consensus/test_network.h"

namespace frontera::consensus {
namespace {

using test::Network;

const Membership kThree{{1, 2, 3}, {}};
const Membership kThreeAndLearner{{1, 2, 3}, {4}};

void ProposeValues(Network& net, NodeId leader, int n) {
  for (int i = 0; i < n; ++i) REQUIRE(net.node(leader).Propose("v" + std::to_string(i)).ok());
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Node 4 joins as a learner of a three-voter cluster led by node 1.
void JoinLearner(Network& net) {
  REQUIRE(net.node(1).ProposeMembership(kThreeAndLearner, "add 4").ok());
  net.AddNode(4, kThree);
  net.Settle();
  net.TickAll(3);
}

TEST_CASE("a new node joins as a learner, catches up by snapshot, and counts once promoted") {
  Network net(3);
  net.Start();
  net.Elect(1);
  ProposeValues(net, 1, 6);
  net.Settle();
  net.Compact(1, 6);  // node 4 needs entries that are gone: a snapshot

  JoinLearner(net);
  REQUIRE(net.installed(4).size() == 1);
  CHECK(net.installed(4)[0].index == 6);
  CHECK(net.installed(4)[0].membership == kThree);
  CHECK(net.node(4).membership() == kThreeAndLearner);
  CHECK(net.node(4).commit_index() == net.node(1).commit_index());
  for (NodeId id : {1, 2, 3}) CHECK(net.node(id).membership() == kThreeAndLearner);

  // A learner never campaigns, however long it hears nothing.
  for (int i = 0; i < 100; ++i) net.node(4).Tick();
  CHECK(net.node(4).role() == Role::kFollower);
  for (const Message& m : net.Collect()) {
    CHECK(m.type != MessageType::kPreVote);
    CHECK(m.type != MessageType::kVote);
  }

  // Its acknowledgement does not count: with 2 and 3 cut off, nothing commits.
  net.Isolate(2);
  net.Isolate(3);
  const uint64_t commit = net.node(1).commit_index();
  REQUIRE(net.node(1).Propose("unseen by voters").ok());
  net.Settle();
  CHECK(net.node(4).last_index() == net.node(1).last_index());
  CHECK(net.node(1).commit_index() == commit);
  net.Heal();
  net.TickAll(2);

  // Promoted, it counts: of four voters, 1, 2 and 4 are a majority.
  REQUIRE(net.node(1).ProposeMembership(Membership{{1, 2, 3, 4}, {}}, "promote 4").ok());
  net.Settle();
  for (NodeId id : {1, 2, 3, 4}) CHECK(net.node(id).membership().voters.size() == 4);
  net.Isolate(3);
  REQUIRE(net.node(1).Propose("needs node 4").ok());
  net.Settle();
  CHECK(net.node(1).commit_index() == net.node(1).last_index());
  net.Isolate(2);  // 1 and 4 of four voters: no majority
  REQUIRE(net.node(1).Propose("no majority").ok());
  net.Settle();
  CHECK(net.node(1).commit_index() < net.node(1).last_index());
}

TEST_CASE("a membership change is refused, with its reason, unless it is one safe step") {
  Network net(3);
  net.config(1).promote_lag_max = 2;
  net.Start();

  // A new leader whose no-op is not committed yet: its followers' answers
  // are held back.
  net.TickUntilCampaign(1);
  for (int round = 0; round < 20 && net.node(1).role() != Role::kLeader; ++round) {
    std::vector<Message> messages = net.Collect();
    std::erase_if(messages, [](const Message& m) {
      return m.type == MessageType::kAppendResponse || m.type == MessageType::kAppend;
    });
    net.Deliver(messages);
  }
  REQUIRE(net.node(1).role() == Role::kLeader);
  Status s = net.node(1).ProposeMembership(kThreeAndLearner, "");
  CHECK(s.IsUnavailable());
  CHECK(Contains(s.message(), "has not yet committed an entry of its term"));
  net.Settle();
  REQUIRE(net.node(1).commit_index() == net.node(1).last_index());

  s = net.node(2).ProposeMembership(kThreeAndLearner, "");
  CHECK(s.IsUnavailable());
  CHECK(Contains(s.message(), "not the leader"));

  s = net.node(1).ProposeMembership(Membership{{1}, {}}, "");
  CHECK(s.IsInvalidArgument());
  CHECK(Contains(s.message(), "removes 2 voters; one voter at a time"));
  s = net.node(1).ProposeMembership(kThree, "");
  CHECK(s.IsInvalidArgument());
  CHECK(Contains(s.message(), "is the current one"));
  s = net.node(1).ProposeMembership(Membership{{1, 2, 3}, {3}}, "");
  CHECK(s.IsInvalidArgument());
  CHECK(Contains(s.message(), "both a voter and a learner"));
  s = net.node(1).ProposeMembership(Membership{{3, 2, 1}, {}}, "");
  CHECK(Contains(s.message(), "distinct and sorted"));
  s = net.node(1).ProposeMembership(Membership{{}, {1, 2, 3}}, "");
  CHECK(Contains(s.message(), "at least one voter"));
  // A voter that never was a learner would stall commits while it catches up.
  s = net.node(1).ProposeMembership(Membership{{1, 2, 3, 4}, {}}, "");
  CHECK(s.IsFailedPrecondition());
  CHECK(Contains(s.message(), "node 4 becomes a voter only as a learner"));
  CHECK(Contains(s.message(), "(it is not a learner)"));

  // One change at a time: the next waits for the previous one to commit.
  net.Isolate(2);
  net.Isolate(3);
  REQUIRE(net.node(1).ProposeMembership(kThreeAndLearner, "add 4").ok());
  net.AddNode(4, kThree);
  s = net.node(1).ProposeMembership(Membership{{1, 2, 3}, {4, 5}}, "add 5");
  CHECK(s.IsFailedPrecondition());
  CHECK(Contains(s.message(), "is not committed yet"));

  // A learner too far behind is not promoted.
  net.Heal();
  net.Isolate(4);
  net.Settle();
  REQUIRE(net.node(1).membership_index() <= net.node(1).commit_index());
  ProposeValues(net, 1, 5);
  net.Settle();
  s = net.node(1).ProposeMembership(Membership{{1, 2, 3, 4}, {}}, "promote 4");
  CHECK(s.IsFailedPrecondition());
  CHECK(Contains(s.message(), "within 2 entries"));
  net.Heal();
  net.TickAll(3);
  CHECK(net.node(1).ProposeMembership(Membership{{1, 2, 3, 4}, {}}, "promote 4").ok());
}

TEST_CASE("a removed leader leads until its removal commits, then hands over at once") {
  Network net(3);
  net.Start();
  net.Elect(1);
  const uint64_t term = net.node(1).current_term();
  // Node 2 is cut off: the new membership {2, 3} needs both, and node 1
  // does not count itself, so the removal cannot commit yet.
  net.Isolate(2);
  REQUIRE(net.node(1).ProposeMembership(Membership{{2, 3}, {}}, "remove 1").ok());
  net.Settle();
  CHECK(net.node(1).role() == Role::kLeader);
  CHECK(net.node(1).commit_index() < net.node(1).membership_index());
  REQUIRE(net.node(1).Propose("while leaving").ok());
  net.Settle();
  CHECK(net.node(1).commit_index() < net.node(1).last_index());

  // Once 2 acknowledges, the removal commits; node 1 steps down and tells
  // the most up-to-date voter to campaign now (no election timeout).
  net.Heal();
  bool timeout_now = false;
  for (int round = 0; round < 50; ++round) {
    net.Tick(1);
    std::vector<Message> messages = net.Collect();
    for (const Message& m : messages) {
      if (m.type == MessageType::kTimeoutNow && m.from == 1) timeout_now = true;
    }
    net.Deliver(messages);
    if (timeout_now) break;
  }
  CHECK(timeout_now);
  net.Settle();
  CHECK(net.node(1).role() == Role::kFollower);
  NodeId leader = kNoNode;
  for (NodeId id : {2, 3}) {
    if (net.node(id).role() == Role::kLeader) leader = id;
  }
  REQUIRE(leader != kNoNode);
  CHECK(net.node(leader).current_term() == term + 1);
  CHECK(net.node(leader).membership() == Membership{{2, 3}, {}});
  // The entry proposed while leaving commits under the new leader.
  REQUIRE(net.node(leader).Propose("after").ok());
  net.Settle();
  CHECK(net.node(leader).commit_index() == net.node(leader).last_index());
  // The removed node never campaigns again.
  for (int i = 0; i < 100; ++i) net.node(1).Tick();
  CHECK(net.node(1).role() == Role::kFollower);
}

TEST_CASE("membership survives restarts, from the log and from the snapshot point") {
  Network net(3);
  net.Start();
  net.Elect(1);
  JoinLearner(net);
  ProposeValues(net, 1, 3);
  net.Settle();
  net.Compact(1, net.node(1).commit_index());  // the config entry is in the snapshot now
  CHECK(net.node(1).snapshot().membership == kThreeAndLearner);
  CHECK(net.storage(1).Snapshot().membership == kThreeAndLearner);
  net.Restart(1);
  CHECK(net.node(1).membership() == kThreeAndLearner);
  net.Restart(2);  // its config entry is still in its log
  CHECK(net.node(2).membership() == kThreeAndLearner);
  CHECK(net.node(2).membership_index() > net.node(2).snapshot().index);
  // A snapshot point with the initial membership records none, as before
  // membership changes existed, and reads back as the initial one.
  Network plain(3);
  plain.Start();
  plain.Elect(1);
  ProposeValues(plain, 1, 3);
  plain.Settle();
  plain.Compact(1, 3);
  CHECK(plain.storage(1).Snapshot().membership.voters.empty());
  plain.Restart(1);
  CHECK(plain.node(1).membership() == kThree);
}

TEST_CASE("an uncommitted change that a later leader overwrites no longer holds") {
  Network net(3);
  net.Start();
  net.Elect(1);
  net.Isolate(2);
  net.Isolate(3);
  REQUIRE(net.node(1).ProposeMembership(kThreeAndLearner, "add 4").ok());
  net.Settle();
  CHECK(net.node(1).membership() == kThreeAndLearner);  // used as soon as appended
  net.Heal();
  net.Isolate(1);
  NodeId leader = kNoNode;
  for (int i = 0; i < 100 && leader == kNoNode; ++i) {
    net.TickAll(1);
    for (NodeId id : {2, 3}) {
      if (net.node(id).role() == Role::kLeader) leader = id;
    }
  }
  REQUIRE(leader != kNoNode);
  REQUIRE(net.node(leader).Propose("overwrites").ok());
  net.Settle();
  net.Heal();
  net.TickAll(30);  // node 1 steps down by CheckQuorum, then follows
  CHECK(net.node(1).role() == Role::kFollower);
  CHECK(net.node(1).membership() == kThree);
  CHECK(net.node(1).log().back().data == "overwrites");
}

TEST_CASE("a stored config entry that does not decode is corruption") {
  MemoryStorage storage;
  Entry bad{1, 1, EntryType::kConfig, "\x05"};
  REQUIRE(storage.Append({bad}).ok());
  storage.SetHardState(HardState{1, kNoNode, 0});
  Result<std::unique_ptr<Raft>> r = Raft::Create(test::MakeTestConfig(1, {1, 2, 3}, 1), storage);
  CHECK(r.status().IsCorruption());
  CHECK(Contains(r.status().message(), "config entry 1 does not decode"));
}

TEST_CASE("config changes, snapshot points and snapshot messages encode their membership") {
  const ConfigChange change{Membership{{1, 5, 9}, {300}}, "the governance document"};
  Result<ConfigChange> decoded = DecodeConfigChange(EncodeConfigChange(change));
  REQUIRE(decoded.ok());
  CHECK(*decoded == change);
  // Malformed memberships are refused with the reason.
  const auto refused = [](const std::string& bytes, const std::string& reason) {
    Result<ConfigChange> r = DecodeConfigChange(bytes);
    CHECK(r.status().IsInvalidArgument());
    CHECK_MESSAGE(Contains(r.status().message(), reason), r.status().message());
  };
  refused(std::string("\x02\x05\x03\x00\x00", 5), "increasing");
  refused(std::string("\x02\x03\x03\x00\x00", 5), "increasing");
  refused(std::string("\x01\x03\x01\x03\x00", 5), "both a voter and a learner");
  refused(std::string("\x00\x00\x00", 3), "at least one voter");
  refused(std::string("\x01\x03\x00\x00\x07", 5), "trailing");

  const SnapshotMeta point{42, 7, Membership{{1, 2, 4}, {3}}};
  Result<SnapshotMeta> meta = DecodeSnapshotMeta(EncodeSnapshotMeta(point));
  REQUIRE(meta.ok());
  CHECK(*meta == point);
  const SnapshotMeta bare{42, 7};
  meta = DecodeSnapshotMeta(EncodeSnapshotMeta(bare));
  REQUIRE(meta.ok());
  CHECK(*meta == bare);

  Message m;
  m.type = MessageType::kSnapshot;
  m.from = 1;
  m.to = 4;
  m.term = 3;
  m.snapshot = point;
  Result<Message> message = DecodeMessage(EncodeMessage(m));
  REQUIRE(message.ok());
  CHECK(*message == m);
}

}  // namespace
}  // namespace frontera::consensus

namespace frontera::consensus {
namespace {

TEST_CASE("NextMembershipStep reaches any target one voter at a time, adding before removing") {
  // Replacing a voter: the newcomer joins as a learner, is promoted, then
  // the old voter leaves; an observer is added as a learner.
  Membership at{{1, 2, 3}, {}};
  const Membership target{{1, 2, 4}, {5}};
  std::vector<Membership> steps;
  while (auto next = NextMembershipStep(at, target)) {
    CHECK(at.VoterDifference(*next) <= 1);
    steps.push_back(*next);
    at = *next;
  }
  CHECK(steps == std::vector<Membership>{
                     {{1, 2, 3}, {4}}, {{1, 2, 3}, {4, 5}}, {{1, 2, 3, 4}, {5}}, {{1, 2, 4}, {5}}});
  // Every target with a voter is reached from every start with a voter.
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    const auto random_membership = [&] {
      Membership m;
      for (NodeId id = 1; id <= 6; ++id) {
        const uint64_t r = rng() % 3;
        if (r == 0) m.voters.push_back(id);
        if (r == 1) m.learners.push_back(id);
      }
      if (m.voters.empty()) {
        std::erase(m.learners, NodeId{1});
        m.voters.push_back(1);
      }
      return m;
    };
    Membership current = random_membership();
    const Membership goal = random_membership();
    int n = 0;
    while (auto next = NextMembershipStep(current, goal)) {
      REQUIRE(current.VoterDifference(*next) <= 1);
      REQUIRE(!next->voters.empty());
      current = *next;
      REQUIRE(++n <= 12);
    }
    CHECK(current == goal);
  }
}

}  // namespace
}  // namespace frontera::consensus
