// The Raft core against a hostile or buggy peer: every message Step takes is
// untrusted. One TEST_CASE per rule a peer can break. Each builds a node's
// state by hand, steps the offending message, and checks that it is refused
// as a protocol violation that changed nothing (term, vote, role, log,
// commit, outbox) and aborted nothing.
#include <doctest/doctest.h>

#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/log_storage.h"
#include "consensus/raft.h"
#include "tests/consensus/raft_test_support.h"
#include "tests/consensus/single_node_support.h"

namespace frontera::consensus {
namespace {

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

using test::Append;
using test::CheckRefused;
using test::MakeConfig;
using test::Msg;
using test::Node;
using test::Terms;

TEST_CASE("max_term_step defaults to 1,000,000 and is validated in [1, 2^40]") {
  RaftConfig c = MakeConfig(1);
  CHECK(c.max_term_step == 1'000'000);
  c.max_term_step = 0;
  CHECK(c.Validate().message().find("max_term_step") != std::string::npos);
  c.max_term_step = (uint64_t{1} << 40) + 1;
  CHECK(c.Validate().IsInvalidArgument());
  c.max_term_step = uint64_t{1} << 40;
  CHECK(c.Validate().ok());
  c.max_term_step = 1;
  CHECK(c.Validate().ok());
}

TEST_CASE("a term more than max_term_step ahead is refused, not adopted") {
  Node node({1, 1}, 1);
  node.Follow(2, 1);
  for (uint64_t term : {uint64_t{1} + 1'000'001, kMax64, kMax64 - 1, kMax64 / 2}) {
    CAPTURE(term);
    for (MessageType type : {MessageType::kHeartbeat, MessageType::kAppendResponse,
                             MessageType::kVote, MessageType::kPreVote}) {
      CheckRefused(node, Msg(type, 3, term), "max_term_step");
    }
  }
  // Exactly max_term_step ahead is a higher term like any other (§5.1),
  // once this node no longer hears from its leader.
  node.ExpireLease();
  node.Accept(Msg(MessageType::kHeartbeat, 3, 1 + 1'000'000));
  CHECK(node.raft().current_term() == 1'000'001);
  CHECK(node.raft().leader() == 3);
}

TEST_CASE("a term of 2^64-1 is refused even within max_term_step, and never stored") {
  RaftConfig config = MakeConfig(1);
  config.max_term_step = uint64_t{1} << 40;
  Node node({1}, kMaxTerm - 10, 0, config);
  CheckRefused(node, Msg(MessageType::kHeartbeat, 2, kMax64), "no term may follow");
  CheckRefused(node, Msg(MessageType::kVote, 2, kMax64), "no term may follow");
  // The highest term is adopted, but no election can follow it.
  node.Accept(Msg(MessageType::kHeartbeat, 2, kMaxTerm));
  node.Drain();
  CHECK(node.raft().current_term() == kMaxTerm);
  for (int i = 0; i < 100; ++i) node.raft().Tick();
  CHECK(node.raft().role() == Role::kFollower);
  CHECK(node.raft().current_term() == kMaxTerm);

  // A term of 2^64-1 already stored (by an older version) is reported.
  MemoryStorage storage;
  storage.SetHardState(HardState{kMax64, kNoNode, 0});
  const Status s = Raft::Create(MakeConfig(1), storage).status();
  CHECK(s.IsCorruption());
  CHECK(s.message().find("no next term") != std::string::npos);
}

TEST_CASE("a leader refuses a leader's message of its own term") {
  Node node;
  node.BecomeLeader();
  const uint64_t term = node.raft().current_term();
  CheckRefused(node, Append(2, term, 1, term, {}), "this node leads term");
  CheckRefused(node, Msg(MessageType::kHeartbeat, 2, term), "this node leads term");
  Message snapshot = Msg(MessageType::kSnapshot, 3, term);
  snapshot.snapshot = {1, term};
  CheckRefused(node, snapshot, "this node leads term");
  CheckRefused(node, Msg(MessageType::kTimeoutNow, 3, term), "this node leads term");
}

TEST_CASE("a leader that stepped down (CheckQuorum) still refuses another leader of its term") {
  Node node;
  node.BecomeLeader();
  const uint64_t term = node.raft().current_term();
  for (int i = 0; i < 30 && node.raft().role() == Role::kLeader; ++i) node.raft().Tick();
  REQUIRE(node.raft().role() == Role::kFollower);
  REQUIRE(node.raft().current_term() == term);
  node.Drain();
  CheckRefused(node, Msg(MessageType::kHeartbeat, 2, term), "this node leads term");
}

TEST_CASE("a follower refuses a leader's message of its term from a node other than its leader") {
  Node node({1}, 2);
  node.Follow(2, 2);
  CheckRefused(node, Append(3, 2, 1, 1, Terms({2}, 2)), "node 2 leads term 2");
  CheckRefused(node, Msg(MessageType::kHeartbeat, 3, 2), "node 2 leads term 2");
  Message snapshot = Msg(MessageType::kSnapshot, 3, 2);
  snapshot.snapshot = {5, 2};
  CheckRefused(node, snapshot, "node 2 leads term 2");
  CheckRefused(node, Msg(MessageType::kTimeoutNow, 3, 2), "node 2 leads term 2");
  // Also while it runs a pre-election in that term (leader() is then 0).
  for (int i = 0; i < 100 && node.raft().role() == Role::kFollower; ++i) node.raft().Tick();
  REQUIRE(node.raft().role() == Role::kPreCandidate);
  node.Drain();
  CheckRefused(node, Msg(MessageType::kHeartbeat, 3, 2), "node 2 leads term 2");
  node.Accept(Msg(MessageType::kHeartbeat, 2, 2));  // its leader is taken back
  CHECK(node.raft().leader() == 2);
}

TEST_CASE("an Append whose entries do not follow its index without gaps is refused") {
  Node node({1, 1}, 1);
  node.Follow(2, 1);
  std::vector<Entry> gap = Terms({1, 1}, 3);
  gap[1].index = 5;
  CheckRefused(node, Append(2, 1, 2, 1, gap), "entries must follow index 2");
  CheckRefused(node, Append(2, 1, 2, 1, Terms({1}, 4)), "has index 4, not 3");
  CheckRefused(node, Append(2, 1, kMax64, 1, Terms({1}, 0)), "past the largest index");
}

TEST_CASE("an Append whose entry terms decrease or exceed its term is refused") {
  Node node({1, 2}, 3);
  node.Follow(2, 3);
  CheckRefused(node, Append(2, 3, 2, 2, Terms({3, 2}, 3)), "terms must not decrease");
  CheckRefused(node, Append(2, 3, 2, 2, Terms({1}, 3)), "after term 2");
  CheckRefused(node, Append(2, 3, 2, 2, Terms({3, 4}, 3)), "nor exceed");
  CheckRefused(node, Append(2, 3, 0, 0, Terms({0}, 1)), "has term 0");
}

TEST_CASE("an Append whose previous entry's term exceeds its term is refused") {
  Node node({1, 2}, 3);
  node.Follow(2, 3);
  CheckRefused(node, Append(2, 3, 2, 4, {}), "previous entry's term 4 is beyond its term");
}

TEST_CASE("an Append that conflicts with a committed entry is refused (no abort)") {
  // Committed through index 3; index 4 is not.
  Node node({1, 1, 2, 2}, 2, 3);
  node.Follow(2, 2, 0);
  // A previous entry that contradicts the committed entry 3 (term 2): the
  // core used to abort here ("committed entry conflicts").
  CheckRefused(node, Append(2, 2, 3, 1, Terms({2}, 4)), "contradicts this node's entry");
  // Entries that rewrite committed entries 2 and 3.
  CheckRefused(node, Append(2, 2, 1, 1, Terms({2, 2, 2}, 2)), "entry 2/2 contradicts");
  // A later leader (a higher term) must hold the committed prefix as well.
  CheckRefused(node, Append(3, 5, 2, 1, Terms({4}, 3)), "entry 3/4 contradicts");
  CHECK(node.raft().current_term() == 2);
  // Replacing the uncommitted entry 4 is a later leader's right (§5.3).
  node.ExpireLease();
  node.Accept(Append(3, 5, 3, 2, {Entry{5, 4, EntryType::kNormal, "x"}}));
  CHECK(node.raft().log().back().data == "x");
}

TEST_CASE("an Append that contradicts what the same leader confirmed in its term is refused") {
  Node node({1}, 3);
  node.Follow(2, 3);
  node.Accept(Append(2, 3, 1, 1, Terms({3, 3}, 2)));  // confirmed through 3, nothing committed
  node.Drain();
  CheckRefused(node, Append(2, 3, 2, 2, Terms({3}, 3)), "previous entry 2/2 contradicts");
  CheckRefused(node, Append(2, 3, 1, 1, Terms({2}, 2)), "entry 2/2 contradicts");
  CHECK(node.raft().commit_index() == 0);
}

TEST_CASE("a Snapshot whose term exceeds the message's is refused") {
  Node node({1, 1}, 2);
  node.Follow(2, 2);
  Message snapshot = Msg(MessageType::kSnapshot, 2, 2);
  snapshot.snapshot = {10, 3};
  CheckRefused(node, snapshot, "from a later term");
  snapshot.snapshot = {0, 0};
  CheckRefused(node, snapshot, "covers no entry");
}

TEST_CASE("a Snapshot that contradicts a committed entry is refused (no abort)") {
  Node node({1, 1, 2}, 2, 3);
  node.Follow(2, 2);
  Message snapshot = Msg(MessageType::kSnapshot, 2, 2);
  snapshot.snapshot = {2, 2};  // committed entry 2 has term 1
  CheckRefused(node, snapshot, "contradicts this node's entry of term 1");
  snapshot.snapshot = {5, 1};  // after committed entry 3 of term 2
  CheckRefused(node, snapshot, "below the term 2 of entry 3");
}

TEST_CASE("an AppendResponse for an index beyond the leader's log is refused") {
  Node node;
  node.BecomeLeader();
  const uint64_t term = node.raft().current_term();
  const uint64_t last = node.raft().last_index();
  Message ack = Msg(MessageType::kAppendResponse, 2, term);
  ack.index = last + 1;
  CheckRefused(node, ack, "beyond this node's last index");
  ack.index = kMax64;
  CheckRefused(node, ack, "beyond this node's last index");
  CHECK(node.raft().MatchIndex(2) == 0);
}

TEST_CASE("an acknowledgement for a term this node never led is refused") {
  Node node({1}, 2);
  node.Follow(2, 2);
  Message ack = Msg(MessageType::kAppendResponse, 3, 2);
  ack.index = 1;
  CheckRefused(node, ack, "never led");
  CheckRefused(node, Msg(MessageType::kHeartbeatResponse, 3, 2), "never led");
  // A later term: acknowledgements carry the term of the leader they answer.
  CheckRefused(node, Msg(MessageType::kHeartbeatResponse, 3, 3), "never led");
}

TEST_CASE("a HeartbeatResponse for a read round never sent is refused") {
  Node node;
  node.BecomeLeader();
  Message ack = Msg(MessageType::kHeartbeatResponse, 2, node.raft().current_term());
  ack.context = kMax64;  // would confirm every future read round
  CheckRefused(node, ack, "read round");
}

TEST_CASE("a granted vote for a term this node did not campaign in is refused") {
  Node node({1}, 2);
  node.Follow(2, 2);
  CheckRefused(node, Msg(MessageType::kVoteResponse, 3, 2), "did not campaign");
  CheckRefused(node, Msg(MessageType::kVoteResponse, 3, 9), "did not campaign");
  CheckRefused(node, Msg(MessageType::kPreVoteResponse, 3, 9), "never asked for");
  // Refusals of a later term are how a voter tells a candidate its term.
  node.ExpireLease();
  Message rejected = Msg(MessageType::kVoteResponse, 3, 9);
  rejected.reject = true;
  node.Accept(rejected);
  CHECK(node.raft().current_term() == 9);
}

TEST_CASE("thesis §4.2.3: a follower that hears its leader ignores every message of a later term") {
  Node node({1, 1}, 1);
  node.Follow(2, 1);
  // Node 3 claims a later term in every way but a transfer election.
  for (MessageType type : {MessageType::kHeartbeat, MessageType::kAppendResponse,
                           MessageType::kVote, MessageType::kPreVote}) {
    CAPTURE(static_cast<int>(type));
    Message m = Msg(type, 3, 2);
    m.reject = type == MessageType::kAppendResponse;
    m.log_term = type == MessageType::kVote || type == MessageType::kPreVote ? 1 : 0;
    node.Accept(m);
    CHECK(node.raft().current_term() == 1);
    CHECK(node.raft().leader() == 2);
    CHECK(node.raft().role() == Role::kFollower);
  }
  // A transfer election (force) was asked for by the leader: it is heard.
  Message forced = Msg(MessageType::kVote, 3, 2);
  forced.force = true;
  forced.log_term = 1;
  forced.index = 2;
  node.Accept(forced);
  CHECK(node.raft().current_term() == 2);
}

TEST_CASE("a leader ignores a later term from a peer active in its term, not from a stuck one") {
  Node node({1, 1}, 1);
  node.BecomeLeader();
  const uint64_t term = node.raft().current_term();
  Message later = Msg(MessageType::kAppendResponse, 2, term + 5);
  later.reject = true;
  // Node 2 answered in this term (it granted the vote): a later term from it
  // is ignored, so one peer cannot depose a working leader at will.
  node.Accept(later);
  CHECK(node.raft().role() == Role::kLeader);
  CHECK(node.raft().current_term() == term);
  // Node 3 stays silent in this term for stuck_peer_periods CheckQuorum
  // periods while node 2 keeps answering: a follower stuck at a later term
  // looks like that, and §5.1 applies: the leader steps down so it rejoins.
  const uint32_t periods = MakeConfig(1).stuck_peer_periods;
  for (uint32_t p = 0; p <= periods; ++p) {
    for (uint32_t t = 0; t < MakeConfig(1).election_ticks; ++t) {
      Message ack = Msg(MessageType::kHeartbeatResponse, 2, term);
      node.Accept(ack);
      node.raft().Tick();
      node.Drain();
    }
    REQUIRE(node.raft().role() == Role::kLeader);
  }
  Message stuck = Msg(MessageType::kAppendResponse, 3, term + 5);
  stuck.reject = true;
  node.Accept(stuck);
  // It steps down and runs at once for the term after the stuck one, so the
  // cluster is not left leaderless for an election timeout.
  CHECK(node.raft().role() == Role::kCandidate);
  CHECK(node.raft().current_term() == term + 6);
  std::vector<NodeId> asked;
  for (const Message& m : node.Drain()) {
    if (m.type == MessageType::kVote && m.term == term + 6) asked.push_back(m.to);
  }
  CHECK(asked == std::vector<NodeId>{2, 3});
}

TEST_CASE("a follower in its lease lets the vote request of the leader it follows through") {
  Node node({1, 1}, 1);
  node.Follow(2, 1);
  // Node 2 heard a later term from a silent peer and runs again.
  Message vote = Msg(MessageType::kVote, 2, 7);
  vote.index = 2;
  vote.log_term = 1;
  node.Accept(vote);
  CHECK(node.raft().current_term() == 7);
  const std::vector<Message> out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == MessageType::kVoteResponse);
  CHECK_FALSE(out[0].reject);
  // Another node's vote request in the lease is still ignored.
  Node other({1, 1}, 1);
  other.Follow(2, 1);
  Message from3 = vote;
  from3.from = 3;
  other.Accept(from3);
  CHECK(other.raft().current_term() == 1);
}

TEST_CASE("a vote request whose last log term is not below its term is refused") {
  Node node({1}, 2);
  Message vote = Msg(MessageType::kVote, 2, 3);
  vote.index = 100;
  vote.log_term = 3;  // would win every vote
  CheckRefused(node, vote, "not below the term it asks for");
  Message pre_vote = Msg(MessageType::kPreVote, 2, 3);
  pre_vote.log_term = kMax64;
  CheckRefused(node, pre_vote, "not below the term it asks for");
}

TEST_CASE("a ReadIndexResponse this node did not ask for is refused") {
  Node node({1}, 1);
  node.Follow(2, 2);  // a term it entered: every read request of it is known
  REQUIRE(node.raft().ReadIndex(7).ok());
  node.Drain();
  Message answer = Msg(MessageType::kReadIndexResponse, 2, 2);
  answer.context = 8;
  answer.index = 1;
  CheckRefused(node, answer, "read request 8");
  // The right context from a node it did not ask: a forged, maybe stale, read.
  answer.context = 7;
  answer.from = 3;
  CheckRefused(node, answer, "did not send to node 3");
  // A read index from a later term than the one it was asked in.
  answer.from = 2;
  answer.term = 3;
  CheckRefused(node, answer, "from a term this node asked nothing in");
  // The leader's answer is taken once; a duplicate of it is ignored.
  answer.term = 2;
  node.Accept(answer);
  Ready rd = node.raft().GetReady();
  REQUIRE(rd.read_states.size() == 1);
  CHECK(rd.read_states[0] == ReadState{7, 1});
  node.raft().Advance(rd);
  node.Accept(answer);
  CHECK_FALSE(node.raft().HasReady());
}

TEST_CASE("a ReadIndexResponse to a request made before a restart is ignored, not refused") {
  Node node({1}, 2);
  node.Follow(2, 2);
  REQUIRE(node.raft().ReadIndex(7).ok());
  node.Restart();
  Message answer = Msg(MessageType::kReadIndexResponse, 2, 2);
  answer.context = 7;
  answer.index = 1;
  node.Accept(answer);
  CHECK_FALSE(node.raft().HasReady());
  // Once the term changes, every request of the term is known again.
  node.Follow(2, 3);
  answer.term = 3;
  CheckRefused(node, answer, "read request 7");
}

TEST_CASE("a TimeoutNow from a term this node has not reached is refused") {
  Node node({1}, 2);
  node.Follow(2, 2);
  CheckRefused(node, Msg(MessageType::kTimeoutNow, 2, 3), "hands over only to a follower");
  // From its leader in its term, it campaigns at once (§3.10).
  node.Accept(Msg(MessageType::kTimeoutNow, 2, 2));
  CHECK(node.raft().role() == Role::kCandidate);
}

TEST_CASE("a message other than an Append that carries entries is refused") {
  Node node({1}, 2);
  node.Follow(2, 2);
  Message heartbeat = Msg(MessageType::kHeartbeat, 2, 2);
  heartbeat.entries = Terms({2}, 2);
  CheckRefused(node, heartbeat, "carries 1 log entries");
}

TEST_CASE("a heartbeat commits only entries confirmed to match this leader's log") {
  // Entries 2 and 3 of term 2 came from a deposed leader and never committed.
  Node node({1, 2, 2}, 2, 1);
  // Node 3 leads term 3 and its log differs after index 1; before any append
  // of its term reaches us, a heartbeat claims a huge commit.
  node.Accept(Msg(MessageType::kHeartbeat, 3, 3));
  node.Drain();
  Message heartbeat = Msg(MessageType::kHeartbeat, 3, 3);
  heartbeat.commit = kMax64;
  node.Accept(heartbeat);
  CHECK(node.raft().commit_index() == 1);  // not 3: entries 2..3 may not be the leader's
  std::vector<Message> out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == MessageType::kHeartbeatResponse);
  CHECK(out[0].reject);  // asks the leader to probe
  // An append of the leader confirms index 2 only.
  node.Accept(Append(3, 3, 1, 1, {Entry{3, 2, EntryType::kNormal, "new"}}, 1));
  node.Drain();
  node.Accept(heartbeat);
  CHECK(node.raft().commit_index() == 2);
  CHECK(node.raft().last_index() == 2);
  // A restart forgets what was confirmed: the next heartbeat asks again.
  node.Restart();
  heartbeat.commit = 5;
  node.Accept(heartbeat);
  CHECK(node.raft().commit_index() == 2);
  out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].reject);
}

TEST_CASE("a leader probes a follower whose heartbeat response asks for it") {
  Node node({1, 1}, 1);
  node.BecomeLeader();
  const uint64_t term = node.raft().current_term();
  Message ack = Msg(MessageType::kAppendResponse, 2, term);
  ack.index = node.raft().last_index();
  node.Accept(ack);  // node 2 matches the whole log: commit
  node.Drain();
  Message response = Msg(MessageType::kHeartbeatResponse, 2, term);
  node.Accept(response);
  CHECK(node.Drain().empty());  // up to date: nothing to send
  response.reject = true;       // e.g. node 2 restarted
  node.Accept(response);
  std::vector<Message> out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == MessageType::kAppend);
  CHECK(out[0].index == node.raft().last_index());
  CHECK(out[0].commit == node.raft().commit_index());
}

TEST_CASE("a rejection's index and hint are clamped to the leader's log") {
  Node node({1, 1}, 1);
  node.BecomeLeader();
  node.Accept(Msg(MessageType::kHeartbeatResponse, 2, node.raft().current_term()));
  std::vector<Message> probe = node.Drain();
  REQUIRE(probe.size() == 1);
  // In replicate state after a match; then a rejection with absurd numbers.
  Message ack = Msg(MessageType::kAppendResponse, 2, node.raft().current_term());
  ack.index = 1;
  node.Accept(ack);
  node.Drain();
  Message reject = ack;
  reject.reject = true;
  reject.index = 200;  // the leader's log ends at 3
  reject.reject_hint = 100;
  node.Accept(reject);
  for (const Message& m : node.Drain()) {
    CHECK(m.index <= node.raft().last_index());
  }
}

TEST_CASE("a granted pre-vote from an earlier pre-election is not counted") {
  Node node({1}, 1);
  for (int i = 0; i < 100 && node.raft().role() == Role::kFollower; ++i) node.raft().Tick();
  REQUIRE(node.raft().role() == Role::kPreCandidate);
  // A pre-vote for term 1 (this node's term, asked about in an earlier
  // pre-election) does not make it a candidate for term 2.
  node.Accept(Msg(MessageType::kPreVoteResponse, 2, 1));
  CHECK(node.raft().role() == Role::kPreCandidate);
  node.Accept(Msg(MessageType::kPreVoteResponse, 2, 2));
  CHECK(node.raft().role() == Role::kCandidate);
}

}  // namespace
}  // namespace frontera::consensus
