// A single Raft node under test against messages built by hand, shared by the
// untrusted-peer suite and the election-proof suite: node 1 of {1, 2, 3}
// over its own storage, helpers to drive it as a driver would, and a check
// that a refused message changed nothing.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/log_storage.h"
#include "consensus/raft.h"
#include "tests/consensus/raft_test_support.h"

namespace frontera::consensus::test {

inline RaftConfig MakeConfig(NodeId id) { return MakeTestConfig(id, {1, 2, 3}, 7); }

inline Message Msg(MessageType type, NodeId from, uint64_t term, NodeId to = 1) {
  return MakeMessage(type, from, to, term);
}

inline Message Append(NodeId from, uint64_t term, uint64_t prev_index, uint64_t prev_term,
                      std::vector<Entry> entries, uint64_t commit = 0) {
  Message m = Msg(MessageType::kAppend, from, term);
  m.index = prev_index;
  m.log_term = prev_term;
  m.entries = std::move(entries);
  m.commit = commit;
  return m;
}

// Node 1 over its own storage, with helpers to build a state and to drain
// its outputs the way a driver does.
class Node {
 public:
  // `terms`: the stored log; `commit`: the stored commit index.
  explicit Node(const std::vector<uint64_t>& terms = {}, uint64_t current_term = 0,
                uint64_t commit = 0, RaftConfig config = MakeConfig(1)) {
    REQUIRE(storage_.Append(Terms(terms)).ok());
    storage_.SetHardState(HardState{current_term, kNoNode, commit});
    config.applied_index = commit;
    config_ = config;
    Result<std::unique_ptr<Raft>> r = Raft::Create(config, storage_);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    raft_ = std::move(r).value();
  }
  Raft& raft() { return *raft_; }

  // Persists and "sends" everything pending; returns the messages.
  std::vector<Message> Drain() {
    std::vector<Message> out;
    while (raft_->HasReady()) {
      Ready rd = raft_->GetReady();
      if (rd.snapshot) storage_.InstallSnapshot(*rd.snapshot);
      if (rd.hard_state) storage_.SetHardState(*rd.hard_state);
      REQUIRE(storage_.Append(rd.entries).ok());
      for (Message& m : rd.messages) out.push_back(std::move(m));
      raft_->Advance(rd);
    }
    raft_->CheckInvariants();
    return out;
  }
  // Steps an honest message, which must be accepted.
  void Accept(const Message& m) {
    const Status s = raft_->Step(m);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  // Node 1 wins an election for the next term with node 2's votes.
  void BecomeLeader() {
    for (int i = 0; i < 100 && raft_->role() == Role::kFollower; ++i) raft_->Tick();
    REQUIRE(raft_->role() == Role::kPreCandidate);
    Accept(Msg(MessageType::kPreVoteResponse, 2, raft_->current_term() + 1));
    REQUIRE(raft_->role() == Role::kCandidate);
    Accept(Msg(MessageType::kVoteResponse, 2, raft_->current_term()));
    REQUIRE(raft_->role() == Role::kLeader);
    Drain();
  }
  // Node 1 follows `leader` in `term`: an empty append at its last entry.
  // `proof`: the leader's election certificate, when the node checks them.
  void Follow(NodeId leader, uint64_t term, uint64_t commit = 0,
              std::vector<SignedStatement> proof = {}) {
    const uint64_t last = raft_->last_index();
    Message append = Append(leader, term, last, raft_->TermAt(last), {}, commit);
    append.proof = std::move(proof);
    Accept(append);
    REQUIRE(raft_->leader() == leader);
    Drain();
  }
  // Lets an election timeout pass without hearing from the leader, so that
  // messages of a later term are no longer ignored (the leader lease).
  void ExpireLease() {
    for (uint32_t i = 0; i < config_.election_ticks; ++i) raft_->Tick();
    Drain();
  }
  // Restarts the core from what it persisted.
  void Restart() {
    Drain();
    RaftConfig config = config_;
    config.applied_index = raft_->applied_index();
    Result<std::unique_ptr<Raft>> r = Raft::Create(config, storage_);
    REQUIRE(r.ok());
    raft_ = std::move(r).value();
  }

 private:
  RaftConfig config_;
  MemoryStorage storage_;
  std::unique_ptr<Raft> raft_;
};

// What a refused message must leave unchanged.
struct Observed {
  uint64_t term = 0;
  Role role = Role::kFollower;
  NodeId leader = kNoNode;
  uint64_t commit = 0;
  SnapshotMeta snapshot;
  std::vector<Entry> log;
  bool operator==(const Observed&) const = default;
};

inline Observed Observe(const Raft& raft) {
  return Observed{raft.current_term(), raft.role(),     raft.leader(),
                  raft.commit_index(), raft.snapshot(), raft.log()};
}

// Steps `m` into a drained node and checks that it is refused as a protocol
// violation whose message contains `reason`, and that nothing changed: no
// hard state, entry or message is pending afterwards.
inline void CheckRefused(Node& node, const Message& m, std::string_view reason) {
  Raft& raft = node.raft();
  REQUIRE_FALSE(raft.HasReady());
  const Observed before = Observe(raft);
  const Status s = raft.Step(m);
  CAPTURE(s.ToString());
  CHECK(IsProtocolViolation(s));
  CHECK(s.IsInvalidArgument());
  CHECK(s.message().find(reason) != std::string::npos);
  CHECK(Observe(raft) == before);
  CHECK_FALSE(raft.HasReady());
  raft.CheckInvariants();
}
}  // namespace frontera::consensus::test
