// The Raft core, one TEST_CASE per rule of the paper (Ongaro & Ousterhout,
// §5, §7 log compaction) and of the thesis (§9.6 PreVote, §6.2 CheckQuorum,
// §6.4 ReadIndex, §3.10 leadership transfer). Nodes are driven by
// hand through a tiny in-test network over MemoryStorage.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "consensus/log_storage.h"
#include "consensus/raft.h"
#include "tests/consensus/raft_test_support.h"
#include "tests/consensus/test_network.h"

namespace frontera::consensus {
namespace {

RaftConfig MakeConfig(NodeId id, std::vector<NodeId> peers) {
  return test::MakeTestConfig(id, std::move(peers), 42);
}

using test::Terms;

std::vector<uint64_t> LogTerms(const Raft& raft) {
  std::vector<uint64_t> out;
  for (const Entry& e : raft.log()) out.push_back(e.term);
  return out;
}

using test::Network;

std::unique_ptr<Raft> SingleNode(MemoryStorage& storage, NodeId id = 1,
                                 std::vector<NodeId> peers = {1, 2, 3}) {
  Result<std::unique_ptr<Raft>> r = Raft::Create(MakeConfig(id, std::move(peers)), storage);
  REQUIRE(r.ok());
  return std::move(r).value();
}

Message Msg(MessageType type, NodeId from, NodeId to, uint64_t term) {
  return test::MakeMessage(type, from, to, term);
}

TEST_CASE("config validation names the bad field") {
  RaftConfig c = MakeConfig(1, {1, 2, 3});
  CHECK(c.Validate().ok());
  RaftConfig bad = c;
  bad.election_ticks = 1;
  CHECK(bad.Validate().IsInvalidArgument());
  CHECK(bad.Validate().message().find("election_ticks") != std::string::npos);
  bad = c;
  bad.learners = {4, 2};
  CHECK(bad.Validate().message().find("node 2 is both in peers and in learners") !=
        std::string::npos);
  bad = c;
  bad.learners = {4, 4};
  CHECK(bad.Validate().IsInvalidArgument());
  // A node in neither list is joining: it waits for a leader to send it the log.
  RaftConfig joining = c;
  joining.id = 7;
  CHECK(joining.Validate().ok());
  bad = c;
  bad.peers = {1, 2, 2};
  CHECK(bad.Validate().IsInvalidArgument());
  bad = c;
  bad.max_inflight_appends = 0;
  CHECK(bad.Validate().IsInvalidArgument());
  bad = c;
  bad.max_entries_per_append = 0;
  CHECK(bad.Validate().IsInvalidArgument());
  bad = c;
  bad.max_pending_reads = 0;
  CHECK(bad.Validate().message().find("max_pending_reads") != std::string::npos);
  bad.max_pending_reads = 65537;
  CHECK(bad.Validate().IsInvalidArgument());
  bad = c;
  bad.id = 0;
  MemoryStorage storage;
  CHECK(Raft::Create(bad, storage).status().IsInvalidArgument());
}

TEST_CASE("MemoryStorage replaces a conflicting suffix and refuses gaps") {
  MemoryStorage s;
  REQUIRE(s.Append(Terms({1, 1, 2})).ok());
  CHECK(s.LastIndex() == 3);
  CHECK(*s.Term(3) == 2);
  CHECK(*s.Term(0) == 0);
  CHECK(s.Term(4).status().IsNotFound());
  Entry e;
  e.term = 3;
  e.index = 2;
  REQUIRE(s.Append({e}).ok());
  CHECK(s.LastIndex() == 2);
  CHECK(*s.Term(2) == 3);
  e.index = 5;
  CHECK(s.Append({e}).IsInvalidArgument());
  CHECK(s.Entries(1, 3)->size() == 2);
  CHECK(s.Entries(0, 1).status().IsInvalidArgument());
  CHECK(s.Entries(1, 4).status().IsInvalidArgument());
}

TEST_CASE("restoring from storage refuses a commit beyond the log") {
  MemoryStorage s;
  REQUIRE(s.Append(Terms({1})).ok());
  s.SetHardState(HardState{1, kNoNode, 2});
  CHECK(Raft::Create(MakeConfig(1, {1, 2, 3}), s).status().IsCorruption());
}

TEST_CASE("§5.1 a node with a stale term rejects the message") {
  MemoryStorage storage;
  REQUIRE(storage.Append(Terms({1, 2})).ok());
  storage.SetHardState(HardState{3, kNoNode, 0});
  auto raft = SingleNode(storage);
  Message append = Msg(MessageType::kAppend, 2, 1, 2);
  append.index = 2;
  append.log_term = 2;
  append.entries = {Entry{2, 3, EntryType::kNormal, "stale"}};
  REQUIRE(raft->Step(append).ok());
  Ready rd = raft->GetReady();
  CHECK(raft->last_index() == 2);  // nothing appended
  CHECK(raft->current_term() == 3);
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].type == MessageType::kAppendResponse);
  CHECK(rd.messages[0].reject);
  CHECK(rd.messages[0].term == 3);  // tells the stale leader the newer term
  raft->Advance(rd);
  // A stale vote request is ignored entirely.
  Message vote = Msg(MessageType::kVote, 2, 1, 2);
  vote.index = 10;
  vote.log_term = 2;
  REQUIRE(raft->Step(vote).ok());
  CHECK_FALSE(raft->HasReady());
  raft->CheckInvariants();
}

TEST_CASE("§5.1 a message with a higher term makes a leader a follower") {
  // Without CheckQuorum; with it, a leader first ignores a later term from a
  // peer that answered it recently (raft_untrusted_test.cc).
  Network net(3);
  for (NodeId id : {1, 2, 3}) net.config(id).check_quorum = false;
  net.Start();
  net.Elect(1);
  const uint64_t term = net.node(1).current_term();
  // A follower of a later term rejects a stale append.
  Message response = Msg(MessageType::kAppendResponse, 2, 1, term + 5);
  response.reject = true;
  REQUIRE(net.node(1).Step(response).ok());
  CHECK(net.node(1).role() == Role::kFollower);
  CHECK(net.node(1).current_term() == term + 5);
  CHECK(net.node(1).leader() == kNoNode);
  net.CheckAll();
}

TEST_CASE("a leader refuses proposals beyond max_uncommitted_entries") {
  Network net(3);
  for (NodeId id : {1, 2, 3}) net.config(id).max_uncommitted_entries = 3;
  net.Start();
  net.Elect(1);
  net.Isolate(2);
  net.Isolate(3);
  REQUIRE(net.node(1).Propose("a").ok());
  REQUIRE(net.node(1).Propose("b").ok());
  REQUIRE(net.node(1).Propose("c").ok());
  CHECK(net.node(1).Propose("d").IsResourceExhausted());
  net.Heal();
  net.TickAll(3);
  CHECK(net.node(1).Propose("d").ok());
}

TEST_CASE(
    "a message for another node, from node 0, or a vote request from a non-voter is refused") {
  MemoryStorage storage;
  auto raft = SingleNode(storage);
  CHECK(raft->Step(Msg(MessageType::kHeartbeat, 2, 3, 1)).IsInvalidArgument());
  CHECK(raft->Step(Msg(MessageType::kHeartbeat, 0, 1, 1)).IsInvalidArgument());
  const Status vote = raft->Step(Msg(MessageType::kPreVote, 9, 1, 1));
  CHECK(vote.IsInvalidArgument());
  CHECK(vote.message().find("not a voter here") != std::string::npos);
  CHECK_FALSE(IsProtocolViolation(vote));
  // Thesis §4.1: anything else is heard whatever this node's membership (a
  // node that lags behind a change must follow the leader it brought in).
  CHECK(raft->Step(Msg(MessageType::kHeartbeat, 9, 1, 1)).ok());
  CHECK(raft->leader() == 9);
}

TEST_CASE("§5.2 a follower that hears nothing starts an election") {
  MemoryStorage storage;
  RaftConfig c = MakeConfig(1, {1, 2, 3});
  c.pre_vote = false;
  auto raft = std::move(Raft::Create(c, storage)).value();
  int ticks = 0;
  while (raft->role() == Role::kFollower) {
    raft->Tick();
    ++ticks;
    REQUIRE(ticks < 2 * 10);  // randomized timeout is in [10, 20)
  }
  CHECK(ticks >= 10);
  CHECK(raft->role() == Role::kCandidate);
  CHECK(raft->current_term() == 1);
  Ready rd = raft->GetReady();
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->voted_for == 1);  // votes for itself, persisted first
  REQUIRE(rd.messages.size() == 2);
  for (const Message& m : rd.messages) {
    CHECK(m.type == MessageType::kVote);
    CHECK(m.term == 1);
  }
  raft->Advance(rd);
  raft->CheckInvariants();
}

TEST_CASE("§5.2 the election timeout is randomized from the seed") {
  std::set<int> timeouts;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    MemoryStorage storage;
    RaftConfig c = MakeConfig(1, {1, 2, 3});
    c.seed = seed;
    auto raft = std::move(Raft::Create(c, storage)).value();
    int ticks = 0;
    while (raft->role() == Role::kFollower) raft->Tick(), ++ticks;
    CHECK(ticks >= 10);
    CHECK(ticks < 20);
    timeouts.insert(ticks);
  }
  CHECK(timeouts.size() > 1);
}

TEST_CASE("§5.2 a candidate wins with a majority") {
  Network net(3);
  net.Start();
  net.Isolate(3);  // one vote from node 2 plus its own is a majority of 3
  net.Elect(1);
  CHECK(net.node(1).current_term() == 1);
  CHECK(net.node(2).leader() == 1);
  CHECK(net.node(3).current_term() == 0);
}

TEST_CASE("§5.2 a candidate without a majority does not win") {
  Network net(5);
  net.Start();
  net.Isolate(3);
  net.Isolate(4);
  net.Isolate(5);
  net.TickUntilCampaign(1);
  net.Settle();
  CHECK(net.node(1).role() != Role::kLeader);
}

TEST_CASE("§5.2 each node votes once per term") {
  MemoryStorage storage;
  auto raft = SingleNode(storage);
  Message vote2 = Msg(MessageType::kVote, 2, 1, 2);
  Message vote3 = Msg(MessageType::kVote, 3, 1, 2);
  REQUIRE(raft->Step(vote2).ok());
  REQUIRE(raft->Step(vote3).ok());
  REQUIRE(raft->Step(vote2).ok());  // a retransmission gets the same answer
  Ready rd = raft->GetReady();
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->voted_for == 2);
  REQUIRE(rd.messages.size() == 3);
  CHECK_FALSE(rd.messages[0].reject);
  CHECK(rd.messages[1].reject);
  CHECK_FALSE(rd.messages[2].reject);
  raft->Advance(rd);
  raft->CheckInvariants();
}

TEST_CASE("§5.2 a vote persisted before answering survives a restart") {
  MemoryStorage storage;
  {
    auto raft = SingleNode(storage);
    REQUIRE(raft->Step(Msg(MessageType::kVote, 2, 1, 2)).ok());
    Ready rd = raft->GetReady();
    REQUIRE(rd.hard_state.has_value());
    storage.SetHardState(*rd.hard_state);
    raft->Advance(rd);
    CHECK_FALSE(raft->HasReady());
  }
  auto restarted = SingleNode(storage);
  CHECK(restarted->current_term() == 2);
  REQUIRE(restarted->Step(Msg(MessageType::kVote, 3, 1, 2)).ok());
  Ready rd = restarted->GetReady();
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].reject);  // already voted for node 2 in term 2
  restarted->Advance(rd);
  restarted->CheckInvariants();
}

TEST_CASE("message type names are the paper's and the thesis's") {
  CHECK(MessageTypeName(MessageType::kPreVote) == "PreVote");
  CHECK(MessageTypeName(MessageType::kPreVoteResponse) == "PreVoteResponse");
  CHECK(MessageTypeName(MessageType::kVote) == "Vote");
  CHECK(MessageTypeName(MessageType::kVoteResponse) == "VoteResponse");
  CHECK(MessageTypeName(MessageType::kAppend) == "Append");
  CHECK(MessageTypeName(MessageType::kAppendResponse) == "AppendResponse");
  CHECK(MessageTypeName(MessageType::kHeartbeat) == "Heartbeat");
  CHECK(MessageTypeName(MessageType::kHeartbeatResponse) == "HeartbeatResponse");
  CHECK(MessageTypeName(MessageType::kSnapshot) == "Snapshot");
  CHECK(MessageTypeName(MessageType::kReadIndex) == "ReadIndex");
  CHECK(MessageTypeName(MessageType::kReadIndexResponse) == "ReadIndexResponse");
  CHECK(MessageTypeName(MessageType::kTimeoutNow) == "TimeoutNow");
}

TEST_CASE("§5.3 a follower rejects an append that does not match prev entry") {
  MemoryStorage storage;
  REQUIRE(storage.Append(Terms({1, 1, 2, 2})).ok());
  storage.SetHardState(HardState{3, kNoNode, 0});
  auto raft = SingleNode(storage);
  Message wrong_term = Msg(MessageType::kAppend, 2, 1, 3);
  wrong_term.index = 4;
  wrong_term.log_term = 3;
  Message too_far = Msg(MessageType::kAppend, 2, 1, 3);
  too_far.index = 7;
  too_far.log_term = 3;
  REQUIRE(raft->Step(wrong_term).ok());
  REQUIRE(raft->Step(too_far).ok());
  Ready rd = raft->GetReady();
  REQUIRE(rd.messages.size() == 2);
  CHECK(rd.messages[0].reject);
  CHECK(rd.messages[0].index == 4);
  CHECK(rd.messages[0].log_term == 2);
  CHECK(rd.messages[0].reject_hint == 3);  // first index of the conflicting term 2
  CHECK(rd.messages[1].reject);
  CHECK(rd.messages[1].log_term == 0);
  CHECK(rd.messages[1].reject_hint == 4);  // the follower's last index
  CHECK(LogTerms(*raft) == std::vector<uint64_t>{1, 1, 2, 2});
  raft->Advance(rd);
  // A matching append is accepted and replaces the conflicting suffix.
  Message ok = Msg(MessageType::kAppend, 2, 1, 3);
  ok.index = 2;
  ok.log_term = 1;
  ok.entries = {Entry{3, 3, EntryType::kNormal, "x"}};
  ok.commit = 3;
  REQUIRE(raft->Step(ok).ok());
  CHECK(LogTerms(*raft) == std::vector<uint64_t>{1, 1, 3});
  CHECK(raft->commit_index() == 3);
  rd = raft->GetReady();
  REQUIRE(rd.messages.size() == 1);
  CHECK_FALSE(rd.messages[0].reject);
  CHECK(rd.messages[0].index == 3);
  CHECK(rd.entries.front().index == 3);  // only the replaced suffix is rewritten
  raft->Advance(rd);
  raft->CheckInvariants();
}

TEST_CASE("§5.3 a leader backs off and repairs a divergent follower") {
  Network net(3);
  net.Preload(1, {1, 1, 3, 3}, 3);
  net.Preload(2, {1, 1, 2, 2, 2, 2, 2}, 3);
  net.Preload(3, {1, 1, 3, 3}, 3);
  net.Start();
  net.Elect(1);
  net.TickAll(3);
  const std::vector<uint64_t> want = {1, 1, 3, 3, 4};
  CHECK(LogTerms(net.node(1)) == want);
  CHECK(LogTerms(net.node(2)) == want);
  CHECK(LogTerms(net.node(3)) == want);
  CHECK(net.storage(2).LastIndex() == 5);
  CHECK(*net.storage(2).Term(3) == 3);
  CHECK(net.node(2).commit_index() == 5);
}

TEST_CASE("§5.4.1 a vote is refused to a less up-to-date candidate") {
  struct Case {
    uint64_t last_log_term, last_log_index;
    bool granted;
  };
  // The voter's log has terms {1, 2}.
  for (const Case& c : {Case{1, 5, false}, Case{2, 1, false}, Case{2, 2, true}, Case{2, 3, true},
                        Case{3, 1, true}}) {
    CAPTURE(c.last_log_term);
    CAPTURE(c.last_log_index);
    MemoryStorage storage;
    REQUIRE(storage.Append(Terms({1, 2})).ok());
    storage.SetHardState(HardState{2, kNoNode, 0});
    auto raft = SingleNode(storage);
    Message vote = Msg(MessageType::kVote, 2, 1, 4);  // above every term of its log
    vote.log_term = c.last_log_term;
    vote.index = c.last_log_index;
    REQUIRE(raft->Step(vote).ok());
    Ready rd = raft->GetReady();
    REQUIRE(rd.messages.size() == 1);
    CHECK(rd.messages[0].reject == !c.granted);
    CHECK(raft->current_term() == 4);
    raft->Advance(rd);
  }
}

TEST_CASE("§5.4.2 an entry of an earlier term is not committed by counting replicas (Figure 8)") {
  Network net(3);
  for (NodeId id : {1, 2, 3}) net.config(id).max_entries_per_append = 1;
  net.Preload(1, {1, 2}, 3);  // index 2 is from term 2 and not committed
  net.Preload(2, {1}, 3);
  net.Preload(3, {1}, 3);
  net.Start();
  net.TickUntilCampaign(1);
  // Run the election, then cut node 3 so that node 2 is the only replica.
  while (net.node(1).role() != Role::kLeader) REQUIRE(net.Round());
  net.Isolate(3);
  bool seen_old_entry_on_majority = false;
  for (int i = 0; i < 20 && net.node(1).commit_index() < 3; ++i) {
    net.Round();
    if (net.node(1).MatchIndex(2) == 2) {
      seen_old_entry_on_majority = true;
      CHECK(net.node(1).commit_index() < 2);  // term 2 entry on 2 of 3, still not committed
    }
  }
  CHECK(seen_old_entry_on_majority);
  // The no-op of term 4 commits, and with it the entry of term 2.
  CHECK(net.node(1).commit_index() == 3);
  CHECK(LogTerms(net.node(1)) == std::vector<uint64_t>{1, 2, 4});
  net.CheckAll();
}

TEST_CASE("§9.6 PreVote: a partitioned node does not disrupt the leader when it returns") {
  Network net(3);
  net.Start();
  net.Elect(1);
  const uint64_t term = net.node(1).current_term();
  net.Isolate(3);
  for (int i = 0; i < 100; ++i) {
    net.Tick(3);
    net.TickAll(1);
  }
  CHECK(net.node(3).current_term() == term);  // pre-votes never raised the term
  CHECK(net.node(3).role() == Role::kPreCandidate);
  net.Heal();
  net.TickAll(5);
  CHECK(net.node(1).role() == Role::kLeader);
  CHECK(net.node(1).current_term() == term);
  CHECK(net.node(3).leader() == 1);
  CHECK(net.node(3).role() == Role::kFollower);
}

TEST_CASE("without PreVote a returning partitioned node forces a new term") {
  Network net(3, /*pre_vote=*/false);
  net.Start();
  net.Elect(1);
  const uint64_t term = net.node(1).current_term();
  net.Isolate(3);
  for (int i = 0; i < 40; ++i) net.Tick(3);
  net.Collect();
  CHECK(net.node(3).current_term() > term);  // the contrast that motivates §9.6
}

TEST_CASE("CheckQuorum: a leader cut off from the majority steps down") {
  Network net(3);
  net.Start();
  net.Elect(1);
  net.Isolate(1);
  for (int i = 0; i < 2 * 10; ++i) net.TickAll(1);
  CHECK(net.node(1).role() == Role::kFollower);
  CHECK(net.node(1).leader() == kNoNode);
  // Meanwhile the majority elected a leader of its own.
  const bool majority_has_leader =
      net.node(2).role() == Role::kLeader || net.node(3).role() == Role::kLeader;
  CHECK(majority_has_leader);
  CHECK(net.node(1).Propose("x").IsUnavailable());
}

TEST_CASE("a new leader commits a no-op of its term first") {
  Network net(3);
  net.Preload(1, {1, 1}, 1);
  net.Preload(2, {1, 1}, 1);
  net.Preload(3, {1}, 1);
  net.Start();
  net.Elect(1);
  const Raft& leader = net.node(1);
  REQUIRE(leader.last_index() == 3);
  CHECK(leader.log()[2].type == EntryType::kNoop);
  CHECK(leader.log()[2].term == leader.current_term());
  for (NodeId id : {1, 2, 3}) {
    CHECK(net.node(id).commit_index() >= 2);
  }
  net.TickAll(2);
  for (NodeId id : {1, 2, 3}) {
    REQUIRE(net.applied(id).size() == 3);
    CHECK(net.applied(id)[2].type == EntryType::kNoop);
  }
}

TEST_CASE("a follower refuses a proposal and names the leader") {
  Network net(3);
  net.Start();
  CHECK(net.node(2).Propose("x").IsUnavailable());
  net.Elect(1);
  Status s = net.node(2).Propose("x");
  CHECK(s.IsUnavailable());
  CHECK(s.message().find("node 1") != std::string::npos);
  REQUIRE(net.node(1).Propose("hello").ok());
  net.TickAll(2);
  for (NodeId id : {1, 2, 3}) {
    REQUIRE(net.applied(id).size() == 2);
    CHECK(net.applied(id)[1].data == "hello");
  }
}

TEST_CASE("in-flight appends to a silent follower are bounded") {
  Network net(3);
  for (NodeId id : {1, 2, 3}) {
    net.config(id).max_inflight_appends = 2;
    net.config(id).max_entries_per_append = 1;
  }
  net.Start();
  net.Elect(1);
  REQUIRE(net.node(1).Propose("warm").ok());
  net.Settle();  // node 2 is now in the replicating (pipelined) state
  for (int i = 0; i < 6; ++i) REQUIRE(net.node(1).Propose("p" + std::to_string(i)).ok());
  int appends_to_2 = 0;
  for (const Message& m : net.Collect()) {
    if (m.to == 2 && m.type == MessageType::kAppend && !m.entries.empty()) ++appends_to_2;
  }
  CHECK(appends_to_2 == 2);
}

// Entries carried to `to` by the appends among `messages`.
size_t EntriesSentTo(const std::vector<Message>& messages, NodeId to) {
  size_t n = 0;
  for (const Message& m : messages) {
    if (m.to == to && m.type == MessageType::kAppend) n += m.entries.size();
  }
  return n;
}

TEST_CASE("a heartbeat response does not restart a lagging follower's pipeline") {
  // Under load a follower's heartbeat response arrives while appends sent
  // after that heartbeat are in flight. Sending it back to probing resent
  // the whole window on every heartbeat (issue 9, defect 1).
  Network net(3);
  net.Start();
  net.Elect(1);
  REQUIRE(net.node(1).Propose("warm").ok());
  net.Settle();
  size_t proposed = 0, sent_to_2 = 0;
  std::vector<Message> pending;
  for (int round = 0; round < 30; ++round) {
    net.Tick(1);  // heartbeat first, then this round's entries
    for (int i = 0; i < 3; ++i, ++proposed) {
      REQUIRE(net.node(1).Propose("p" + std::to_string(proposed)).ok());
    }
    std::vector<Message> out = net.Collect();
    sent_to_2 += EntriesSentTo(out, 2);
    net.Deliver(out);
  }
  net.Settle();
  CHECK(net.node(2).commit_index() == net.node(1).last_index());
  INFO("entries sent to node 2: " << sent_to_2 << " for " << proposed << " proposed");
  CHECK(sent_to_2 <= proposed + 3);
}

TEST_CASE("appends lost in flight are resent after heartbeats prove them lost") {
  Network net(3);
  net.Start();
  net.Elect(1);
  REQUIRE(net.node(1).Propose("warm").ok());
  net.Settle();
  // Everything sent to node 2 while these commit is lost (a full send queue
  // drops frames); node 2 stays silent, so nothing tells the leader.
  net.Isolate(2);
  for (int i = 0; i < 3; ++i) REQUIRE(net.node(1).Propose("lost" + std::to_string(i)).ok());
  net.Settle();
  net.Heal();
  const uint64_t last = net.node(1).last_index();
  REQUIRE(net.node(1).commit_index() == last);
  REQUIRE(net.node(2).last_index() < last);
  // Each heartbeat round trip without an acknowledgement is evidence; the
  // appends are resent only once it is conclusive, then node 2 catches up.
  int rounds = 0;
  for (; rounds < 10 && net.node(2).last_index() < last; ++rounds) {
    net.Tick(1);
    net.Settle();
  }
  CHECK(net.node(2).last_index() == last);
  CHECK(rounds <= 4);
}

// ---------------------------------------------------------------------------
// §7 Log compaction and snapshots.

TEST_CASE("§7 MemoryStorage compacts, installs snapshots and reads around them") {
  MemoryStorage s;
  REQUIRE(s.Append(Terms({1, 1, 2, 2, 3})).ok());
  CHECK(s.Compact(SnapshotMeta{3, 1}).IsFailedPrecondition());  // wrong term
  CHECK(s.Compact(SnapshotMeta{6, 3}).IsFailedPrecondition());  // beyond the log
  REQUIRE(s.Compact(SnapshotMeta{3, 2}).ok());
  CHECK(s.Snapshot() == SnapshotMeta{3, 2});
  CHECK(s.FirstIndex() == 4);
  CHECK(s.LastIndex() == 5);
  CHECK(*s.Term(3) == 2);
  CHECK(*s.Term(5) == 3);
  CHECK(s.Term(2).status().IsFailedPrecondition());
  CHECK(s.Term(6).status().IsNotFound());
  CHECK(s.Entries(3, 5).status().IsInvalidArgument());
  REQUIRE(s.Entries(4, 6).ok());
  CHECK(s.Entries(4, 6)->front().index == 4);
  CHECK(s.Entries(4, 6)->size() == 2);
  CHECK(s.Compact(SnapshotMeta{2, 1}).IsFailedPrecondition());  // behind the snapshot
  Entry e{4, 3, EntryType::kNormal, "x"};
  CHECK(s.Append({e}).IsInvalidArgument());  // inside the snapshot
  e.index = 5;
  REQUIRE(s.Append({e}).ok());
  CHECK(*s.Term(5) == 4);
  s.InstallSnapshot(SnapshotMeta{9, 4});
  CHECK(s.FirstIndex() == 10);
  CHECK(s.LastIndex() == 9);
  CHECK(*s.Term(9) == 4);
  CHECK(s.Entries(10, 10)->empty());
  e.index = 10;
  REQUIRE(s.Append({e}).ok());
  CHECK(s.LastIndex() == 10);
}

TEST_CASE("§7 compaction drops applied entries and survives a restart") {
  Network net(3);
  net.Start();
  net.Elect(1);
  for (int i = 0; i < 4; ++i) REQUIRE(net.node(1).Propose("v" + std::to_string(i)).ok());
  net.TickAll(2);
  Raft& leader = net.node(1);
  REQUIRE(leader.applied_index() == 5);
  CHECK(leader.Compact(0).IsFailedPrecondition());
  CHECK(leader.Compact(6).IsFailedPrecondition());  // not applied yet
  net.Compact(1, 3);
  CHECK(leader.snapshot() == SnapshotMeta{3, 1});
  CHECK(leader.first_index() == 4);
  CHECK(leader.last_index() == 5);
  CHECK(leader.log().front().index == 4);
  CHECK(leader.TermAt(3) == 1);
  CHECK(leader.TermAt(2) == 0);
  CHECK(leader.Compact(3).IsFailedPrecondition());  // already compacted
  net.CheckAll();
  // Replication goes on after the snapshot.
  REQUIRE(leader.Propose("after").ok());
  net.TickAll(2);
  CHECK(net.node(2).applied_index() == 6);
  // A node restarts from compacted storage: log after the snapshot, commit
  // and applied from its state machine.
  RaftConfig c = net.config(1);
  c.applied_index = 6;
  Result<std::unique_ptr<Raft>> restarted = Raft::Create(c, net.storage(1));
  REQUIRE(restarted.ok());
  CHECK((*restarted)->snapshot() == SnapshotMeta{3, 1});
  CHECK((*restarted)->last_index() == 6);
  CHECK((*restarted)->commit_index() == 6);
  (*restarted)->CheckInvariants();
  // A state machine older than the snapshot cannot catch up from this log.
  c.applied_index = 2;
  CHECK(Raft::Create(c, net.storage(1)).status().IsCorruption());
}

TEST_CASE("§7 a lagging follower is sent the leader's snapshot and installs it") {
  Network net(3);
  net.Start();
  net.Elect(1);
  net.Isolate(3);
  for (int i = 0; i < 6; ++i) REQUIRE(net.node(1).Propose("v" + std::to_string(i)).ok());
  net.Settle();
  REQUIRE(net.node(1).applied_index() == 7);
  net.Compact(1, 6);  // node 3 still needs entries 2..6, now gone
  net.Heal();
  bool snapshot_sent = false;
  for (int i = 0; i < 10 && net.node(3).applied_index() < 7; ++i) {
    net.Tick(1);
    for (int round = 0; round < 20; ++round) {
      std::vector<Message> messages = net.Collect();
      if (messages.empty()) break;
      for (const Message& m : messages) {
        if (m.type == MessageType::kSnapshot && m.to == 3) {
          snapshot_sent = true;
          // Named explicitly: the receiver may have another initial membership.
          CHECK(m.snapshot == SnapshotMeta{6, 1, Membership{{1, 2, 3}, {}}});
          // Paused while the snapshot is in flight: no appends to node 3.
          for (const Message& other : messages) {
            CHECK_FALSE((other.type == MessageType::kAppend && other.to == 3));
          }
        }
      }
      net.Deliver(messages);
    }
  }
  CHECK(snapshot_sent);
  REQUIRE(net.installed(3).size() == 1);
  CHECK(net.installed(3)[0] == SnapshotMeta{6, 1, Membership{{1, 2, 3}, {}}});
  CHECK(net.node(3).snapshot() == SnapshotMeta{6, 1, Membership{{1, 2, 3}, {}}});
  CHECK(net.storage(3).Snapshot() == SnapshotMeta{6, 1, Membership{{1, 2, 3}, {}}});
  CHECK(net.storage(3).GetHardState().commit_index == 7);
  // Entries after the snapshot are applied on top of it.
  REQUIRE(net.applied(3).size() == 1);
  CHECK(net.applied(3)[0].index == 7);
  CHECK(net.node(3).applied_index() == 7);
  CHECK(net.node(1).MatchIndex(3) == 7);
  REQUIRE(net.node(1).Propose("more").ok());
  net.TickAll(2);
  CHECK(net.node(3).applied_index() == 8);
  CHECK(net.storage(3).LastIndex() == 8);
}

TEST_CASE("§7 a restored follower hands the snapshot out once and applies after it") {
  MemoryStorage storage;
  REQUIRE(storage.Append(Terms({1, 1})).ok());
  storage.SetHardState(HardState{1, kNoNode, 1});
  RaftConfig c = MakeConfig(2, {1, 2, 3});
  c.applied_index = 1;
  auto raft = std::move(Raft::Create(c, storage)).value();
  Message snap = Msg(MessageType::kSnapshot, 1, 2, 2);
  snap.snapshot = SnapshotMeta{5, 2};
  REQUIRE(raft->Step(snap).ok());
  CHECK(raft->log().empty());
  CHECK(raft->commit_index() == 5);
  CHECK(raft->last_index() == 5);
  raft->CheckInvariants();  // applied lags the snapshot until it is installed
  REQUIRE(raft->HasReady());
  Ready rd = raft->GetReady();
  REQUIRE(rd.snapshot.has_value());
  CHECK(*rd.snapshot == SnapshotMeta{5, 2});
  CHECK(rd.committed_entries.empty());
  CHECK(rd.entries.empty());
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->commit_index == 5);
  CHECK(rd.hard_state->current_term == 2);
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].type == MessageType::kAppendResponse);
  CHECK_FALSE(rd.messages[0].reject);
  CHECK(rd.messages[0].index == 5);
  storage.InstallSnapshot(*rd.snapshot);
  storage.SetHardState(*rd.hard_state);
  raft->Advance(rd);
  CHECK(raft->applied_index() == 5);
  CHECK_FALSE(raft->HasReady());
  // The next append continues after the snapshot.
  Message append = Msg(MessageType::kAppend, 1, 2, 2);
  append.index = 5;
  append.log_term = 2;
  append.entries = {Entry{2, 6, EntryType::kNormal, "six"}};
  append.commit = 6;
  REQUIRE(raft->Step(append).ok());
  rd = raft->GetReady();
  CHECK_FALSE(rd.snapshot.has_value());
  REQUIRE(rd.committed_entries.size() == 1);
  CHECK(rd.committed_entries[0].index == 6);
  REQUIRE(storage.Append(rd.entries).ok());
  raft->Advance(rd);
  CHECK(raft->applied_index() == 6);
  raft->CheckInvariants();
}

TEST_CASE("§7 a follower that already has the snapshot's last entry keeps its log") {
  MemoryStorage storage;
  REQUIRE(storage.Append(Terms({1, 1, 1, 1})).ok());
  storage.SetHardState(HardState{1, kNoNode, 1});
  RaftConfig c = MakeConfig(2, {1, 2, 3});
  c.applied_index = 1;
  auto raft = std::move(Raft::Create(c, storage)).value();
  Message snap = Msg(MessageType::kSnapshot, 1, 2, 1);
  snap.snapshot = SnapshotMeta{3, 1};
  REQUIRE(raft->Step(snap).ok());
  // Fast-forward: entries 2 and 3 are committed, entry 4 stays.
  CHECK(raft->commit_index() == 3);
  CHECK(raft->last_index() == 4);
  CHECK(raft->snapshot() == SnapshotMeta{});
  Ready rd = raft->GetReady();
  CHECK_FALSE(rd.snapshot.has_value());
  REQUIRE(rd.committed_entries.size() == 2);
  CHECK(rd.committed_entries[0].index == 2);
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].index == 3);
  CHECK_FALSE(rd.messages[0].reject);
  raft->Advance(rd);
  // A snapshot we are already past is acknowledged at our commit point.
  snap.snapshot = SnapshotMeta{2, 1};
  REQUIRE(raft->Step(snap).ok());
  rd = raft->GetReady();
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].index == 3);
  CHECK(raft->last_index() == 4);
  raft->Advance(rd);
  raft->CheckInvariants();
}

TEST_CASE("§7 a failed snapshot stream makes the leader probe and send it again") {
  Network net(3);
  net.Start();
  net.Elect(1);
  net.Isolate(3);
  for (int i = 0; i < 3; ++i) REQUIRE(net.node(1).Propose("v" + std::to_string(i)).ok());
  net.Settle();
  net.Compact(1, 4);
  // Node 3 is reachable for heartbeats, but the first stream fails.
  net.Heal();
  int snapshots = 0;
  bool failed_once = false;
  for (int i = 0; i < 10 && net.node(3).applied_index() < 4; ++i) {
    net.Tick(1);
    for (int round = 0; round < 10; ++round) {
      std::vector<Message> messages = net.Collect();
      if (messages.empty()) break;
      for (const Message& m : messages) {
        if (m.type == MessageType::kSnapshot) ++snapshots;
        if (m.type == MessageType::kSnapshot && !failed_once) {
          failed_once = true;
          net.node(1).ReportSnapshot(3, false);
          continue;
        }
        if (m.type == MessageType::kSnapshot) net.node(1).ReportSnapshot(3, true);
        REQUIRE(net.node(m.to).Step(m).ok());
      }
    }
  }
  CHECK(failed_once);
  CHECK(snapshots == 2);
  CHECK(net.node(3).applied_index() == 4);
  CHECK(net.node(1).MatchIndex(3) == 4);
  net.CheckAll();
}

// ---------------------------------------------------------------------------
// Thesis §6.4 ReadIndex.

TEST_CASE("§6.4 ReadIndex at the leader is answered after a heartbeat quorum") {
  Network net(3);
  net.Start();
  net.Elect(1);
  REQUIRE(net.node(1).Propose("x").ok());
  net.Settle();
  const uint64_t commit = net.node(1).commit_index();
  REQUIRE(net.node(1).ReadIndex(7).ok());
  // Nothing is answered before the followers confirm the leadership.
  std::vector<Message> heartbeats = net.Collect();
  CHECK(net.read_states(1).empty());
  uint64_t round = 0;
  for (const Message& m : heartbeats) {
    if (m.type == MessageType::kHeartbeat) round = m.context;
  }
  CHECK(round != 0);
  net.Deliver(heartbeats);
  net.Settle();
  REQUIRE(net.read_states(1).size() == 1);
  CHECK(net.read_states(1)[0] == ReadState{7, commit});
}

TEST_CASE("§6.4 a leader cut off from the majority does not answer a read") {
  Network net(3);
  net.Start();
  net.Elect(1);
  net.Isolate(1);
  REQUIRE(net.node(1).ReadIndex(1).ok());
  net.Settle();
  net.Tick(1, 3);
  net.Settle();
  CHECK(net.read_states(1).empty());
  // Once it steps down (CheckQuorum, after two election timeouts at most)
  // the pending read is dropped.
  net.Tick(1, 20);
  net.Settle();
  CHECK(net.node(1).role() == Role::kFollower);
  net.Heal();
  net.TickAll(3);
  CHECK(net.read_states(1).empty());
}

TEST_CASE("§6.4 ReadIndex at a follower asks the leader") {
  Network net(3);
  net.Start();
  net.Elect(1);
  REQUIRE(net.node(1).Propose("x").ok());
  net.Settle();
  const uint64_t commit = net.node(1).commit_index();
  REQUIRE(net.node(2).ReadIndex(42).ok());
  net.Settle();
  REQUIRE(net.read_states(2).size() == 1);
  CHECK(net.read_states(2)[0] == ReadState{42, commit});
  CHECK(net.read_states(1).empty());
}

TEST_CASE("§6.4 ReadIndex without a known leader is refused") {
  Network net(3);
  net.Start();
  CHECK(net.node(2).ReadIndex(1).IsUnavailable());
  net.TickUntilCampaign(1);
  CHECK(net.node(1).ReadIndex(1).IsUnavailable());  // a (pre-)candidate knows no leader
  // A node that is asked while not leading rejects the request.
  REQUIRE(net.node(3).Step(Msg(MessageType::kReadIndex, 2, 3, 0)).ok());
  Ready rd = net.node(3).GetReady();
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].type == MessageType::kReadIndexResponse);
  CHECK(rd.messages[0].reject);
  net.node(3).Advance(rd);
}

TEST_CASE("§6.4 a new leader answers reads only after its term's no-op commits") {
  Network net(3);
  net.Preload(1, {1, 1}, 1);
  net.Preload(2, {1, 1}, 1);
  net.Preload(3, {1, 1}, 1);
  net.Start();
  net.TickUntilCampaign(1);
  // Win the election, but deliver none of the no-op's appends.
  for (int i = 0; i < 10 && net.node(1).role() != Role::kLeader; ++i) net.Round();
  REQUIRE(net.node(1).role() == Role::kLeader);
  net.Collect();
  REQUIRE(net.node(1).commit_index() < 3);
  REQUIRE(net.node(1).ReadIndex(5).ok());
  net.Collect();  // dropped: no heartbeat round can confirm the read yet
  net.Tick(1, 1);
  net.Settle();
  // The heartbeat repaired the followers; the no-op (index 3) committed, and
  // only then was the read recorded — at index 3, not at the old commit.
  REQUIRE(net.node(1).commit_index() == 3);
  REQUIRE(net.read_states(1).size() == 1);
  CHECK(net.read_states(1)[0] == ReadState{5, 3});
}

TEST_CASE("§6.4 a single-node cluster answers a read at once") {
  MemoryStorage storage;
  auto raft = SingleNode(storage, 1, {1});
  CHECK(raft->ReadIndex(3).IsUnavailable());
  while (raft->role() != Role::kLeader) raft->Tick();
  REQUIRE(raft->ReadIndex(3).ok());
  Ready rd = raft->GetReady();
  REQUIRE(rd.read_states.size() == 1);
  CHECK(rd.read_states[0] == ReadState{3, 1});
  raft->Advance(rd);
  raft->CheckInvariants();
}

TEST_CASE("§6.4 pending reads are bounded by max_pending_reads") {
  Network net(3);
  for (NodeId id : {1, 2, 3}) net.config(id).max_pending_reads = 2;
  net.Start();
  net.Elect(1);
  net.Isolate(2);
  net.Isolate(3);
  REQUIRE(net.node(1).ReadIndex(1).ok());
  REQUIRE(net.node(1).ReadIndex(2).ok());
  CHECK(net.node(1).ReadIndex(3).IsResourceExhausted());
  // A follower's request beyond the bound is rejected.
  REQUIRE(net.node(1).Step(Msg(MessageType::kReadIndex, 2, 1, net.node(1).current_term())).ok());
  bool rejected = false;
  for (const Message& m : net.Collect()) {
    if (m.type == MessageType::kReadIndexResponse && m.to == 2) rejected = m.reject;
  }
  CHECK(rejected);
  net.Heal();
  net.TickAll(1);
  CHECK(net.read_states(1).size() == 2);
  CHECK(net.node(1).ReadIndex(3).ok());
}

// ---------------------------------------------------------------------------
// Thesis §3.10 leadership transfer.

TEST_CASE("§3.10 leadership transfer to an up-to-date follower") {
  Network net(3);
  net.Start();
  net.Elect(1);
  REQUIRE(net.node(1).Propose("x").ok());
  net.Settle();
  const uint64_t term = net.node(1).current_term();
  CHECK(net.node(2).TransferLeadership(3).IsUnavailable());
  CHECK(net.node(1).TransferLeadership(1).IsInvalidArgument());
  CHECK(net.node(1).TransferLeadership(9).IsInvalidArgument());
  REQUIRE(net.node(1).TransferLeadership(2).ok());
  CHECK(net.node(1).lead_transferee() == 2);
  std::vector<Message> messages = net.Collect();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].type == MessageType::kTimeoutNow);
  CHECK(messages[0].to == 2);
  net.Deliver(messages);
  net.Settle();
  // The target ran a real election at once (no PreVote, no timeout) and won
  // although every voter had just heard from the old leader.
  CHECK(net.node(2).role() == Role::kLeader);
  CHECK(net.node(2).current_term() == term + 1);
  CHECK(net.node(1).role() == Role::kFollower);
  CHECK(net.node(1).leader() == 2);
  CHECK(net.node(1).lead_transferee() == kNoNode);
}

TEST_CASE("§3.10 a transfer waits for the target to catch up and refuses proposals") {
  Network net(3);
  net.Start();
  net.Elect(1);
  net.Isolate(3);
  for (int i = 0; i < 3; ++i) REQUIRE(net.node(1).Propose("v" + std::to_string(i)).ok());
  net.Settle();
  REQUIRE(net.node(1).MatchIndex(3) < net.node(1).last_index());
  REQUIRE(net.node(1).TransferLeadership(3).ok());
  Status s = net.node(1).Propose("during");
  CHECK(s.IsUnavailable());
  CHECK(s.message().find("node 3") != std::string::npos);
  for (const Message& m : net.Collect()) CHECK(m.type != MessageType::kTimeoutNow);
  net.Heal();
  bool timeout_now = false;
  for (int i = 0; i < 5 && net.node(3).role() != Role::kLeader; ++i) {
    net.Tick(1);
    for (int round = 0; round < 20; ++round) {
      std::vector<Message> messages = net.Collect();
      if (messages.empty()) break;
      for (const Message& m : messages) {
        if (m.type == MessageType::kTimeoutNow) {
          timeout_now = true;
          // Sent only once node 3 holds the leader's whole log.
          CHECK(net.node(3).last_index() == net.node(1).last_index());
        }
      }
      net.Deliver(messages);
    }
  }
  CHECK(timeout_now);
  CHECK(net.node(3).role() == Role::kLeader);
  net.CheckAll();
}

TEST_CASE("§3.10 a transfer that does not finish in an election timeout is abandoned") {
  Network net(3);
  net.Start();
  net.Elect(1);
  net.Isolate(3);
  REQUIRE(net.node(1).Propose("x").ok());
  net.Settle();
  REQUIRE(net.node(1).TransferLeadership(3).ok());
  CHECK(net.node(1).Propose("y").IsUnavailable());
  for (int i = 0; i < 9; ++i) {
    net.Tick(1);
    net.Settle();
  }
  CHECK(net.node(1).lead_transferee() == 3);
  net.Tick(1);
  net.Settle();
  CHECK(net.node(1).lead_transferee() == kNoNode);
  CHECK(net.node(1).role() == Role::kLeader);
  CHECK(net.node(1).Propose("y").ok());
}

TEST_CASE("§3.10 a TimeoutNow that arrives after its transfer was abandoned deposes no one") {
  // Issue 9, defect 6: the leader gave up on the transfer and resumed; the
  // target's election from the late TimeoutNow used to win with the third
  // node's vote (a forced vote passes the lease) and depose it.
  Network net(3);
  net.Start();
  net.Elect(1);
  REQUIRE(net.node(1).Propose("x").ok());
  net.Settle();
  const uint64_t term = net.node(1).current_term();
  REQUIRE(net.node(1).TransferLeadership(3).ok());
  std::vector<Message> out = net.Collect();
  std::vector<Message> late;
  for (const Message& m : out) {
    if (m.type == MessageType::kTimeoutNow) late.push_back(m);
  }
  REQUIRE(late.size() == 1);  // node 3 is up to date: sent at once
  std::erase_if(out, [](const Message& m) { return m.type == MessageType::kTimeoutNow; });
  // The TimeoutNow is held up on its way, and on an in-order link so is
  // everything the leader sends node 3 after it.
  net.Isolate(3);
  net.Deliver(out);
  for (int i = 0; i < 10; ++i) {  // an election timeout: the transfer is abandoned
    net.Tick(1);
    net.Settle();
  }
  net.Heal();
  REQUIRE(net.node(1).lead_transferee() == kNoNode);
  REQUIRE(net.node(1).role() == Role::kLeader);
  const uint64_t resumed_at = net.node(1).last_index();
  CHECK(net.node(2).last_index() == resumed_at);  // the no-op reached node 2
  net.Deliver(late);
  net.Settle();
  CHECK(net.node(1).role() == Role::kLeader);
  CHECK(net.node(1).current_term() == term);
  CHECK(net.node(2).current_term() == term);  // refused without taking the term
  CHECK(net.node(3).role() != Role::kLeader);
  REQUIRE(net.node(1).Propose("after").ok());
  net.Settle();
  CHECK(net.node(2).commit_index() == net.node(1).last_index());
}

TEST_CASE("§3.10 a forced vote bypasses the leader lease; a plain one does not") {
  Network net(3);
  net.Start();
  net.Elect(1);
  Raft& voter = net.node(3);
  const uint64_t term = voter.current_term();
  Message vote = Msg(MessageType::kVote, 2, 3, term + 1);
  vote.index = voter.last_index();
  vote.log_term = voter.TermAt(voter.last_index());
  REQUIRE(voter.Step(vote).ok());
  CHECK(voter.current_term() == term);  // ignored: heard from leader 1 recently
  CHECK_FALSE(voter.HasReady());
  vote.force = true;
  REQUIRE(voter.Step(vote).ok());
  CHECK(voter.current_term() == term + 1);
  Ready rd = voter.GetReady();
  REQUIRE(rd.messages.size() == 1);
  CHECK(rd.messages[0].type == MessageType::kVoteResponse);
  CHECK_FALSE(rd.messages[0].reject);
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->voted_for == 2);
  voter.Advance(rd);
  voter.CheckInvariants();
}

}  // namespace
}  // namespace frontera::consensus
