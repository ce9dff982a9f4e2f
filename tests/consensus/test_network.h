// A small Raft cluster for the core's tests, whose messages move only when
// the test says so (no randomness): the paper's rules and the membership
// changes are driven by hand through it.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "consensus/log_storage.h"
#include "consensus/raft.h"
#include "tests/consensus/raft_test_support.h"

namespace frontera::consensus::test {

// A cluster whose messages move only when the test says so. Each round
// persists every node's Ready (entries and hard state before messages), then
// delivers the messages that are not cut.
class Network {
 public:
  explicit Network(size_t n, bool pre_vote = true) {
    std::vector<NodeId> ids;
    for (NodeId id = 1; id <= n; ++id) ids.push_back(id);
    for (NodeId id : ids) {
      configs_[id] = MakeTestConfig(id, ids, 42);
      configs_[id].pre_vote = pre_vote;
    }
  }
  RaftConfig& config(NodeId id) { return configs_[id]; }
  MemoryStorage& storage(NodeId id) { return storage_[id]; }
  // Preloads a node's log and term before Start.
  void Preload(NodeId id, std::vector<uint64_t> terms, uint64_t current_term) {
    REQUIRE(storage_[id].Append(Terms(terms)).ok());
    storage_[id].SetHardState(HardState{current_term, kNoNode, 0});
  }
  void Start() {
    for (auto& [id, config] : configs_) {
      Result<std::unique_ptr<Raft>> r = Raft::Create(config, storage_[id]);
      REQUIRE(r.ok());
      nodes_[id] = std::move(r).value();
    }
  }
  Raft& node(NodeId id) { return *nodes_.at(id); }
  // Starts a node that joins later, with `initial` as its initial membership
  // (the membership of the day, without itself) and an empty log.
  void AddNode(NodeId id, const Membership& initial) {
    RaftConfig c = MakeTestConfig(id, initial.voters, 42);
    c.learners = initial.learners;
    configs_[id] = c;
    Result<std::unique_ptr<Raft>> r = Raft::Create(c, storage_[id]);
    REQUIRE(r.ok());
    nodes_[id] = std::move(r).value();
  }
  // Restarts a node from its storage (its state machine is durable too).
  void Restart(NodeId id) {
    RaftConfig c = configs_.at(id);
    c.applied_index = nodes_.at(id)->applied_index();
    Result<std::unique_ptr<Raft>> r = Raft::Create(c, storage_[id]);
    REQUIRE(r.ok());
    nodes_[id] = std::move(r).value();
  }

  void Isolate(NodeId id) { isolated_.insert(id); }
  void Heal() { isolated_.clear(); }

  // Persists and collects every node's outputs; returns the messages sent.
  std::vector<Message> Collect() {
    std::vector<Message> out;
    for (auto& [id, raft] : nodes_) {
      while (raft->HasReady()) {
        Ready rd = raft->GetReady();
        if (rd.snapshot) {
          // The state machine is replaced by the snapshot's: what it held
          // before is gone, what follows is applied after it.
          storage_[id].InstallSnapshot(*rd.snapshot);
          installed_[id].push_back(*rd.snapshot);
          applied_[id].clear();
        }
        if (rd.hard_state) storage_[id].SetHardState(*rd.hard_state);
        REQUIRE(storage_[id].Append(rd.entries).ok());
        for (const Entry& e : rd.committed_entries) applied_[id].push_back(e);
        for (const ReadState& r : rd.read_states) read_states_[id].push_back(r);
        for (Message& m : rd.messages) out.push_back(std::move(m));
        raft->Advance(rd);
      }
    }
    return out;
  }
  // A kSnapshot is streamed with its data: the sender learns whether the
  // stream got through (ReportSnapshot).
  void Deliver(const std::vector<Message>& messages) {
    for (const Message& m : messages) {
      // A node not started (yet) is cut off too.
      const bool cut =
          isolated_.contains(m.from) || isolated_.contains(m.to) || !nodes_.contains(m.to);
      if (m.type == MessageType::kSnapshot) nodes_.at(m.from)->ReportSnapshot(m.to, !cut);
      if (cut) continue;
      REQUIRE(nodes_.at(m.to)->Step(m).ok());
    }
  }
  // One round: collect then deliver. Returns whether anything moved.
  bool Round() {
    std::vector<Message> messages = Collect();
    Deliver(messages);
    return !messages.empty();
  }
  void Settle() {
    for (int i = 0; i < 100 && Round(); ++i) {
    }
    CheckAll();
  }
  void Tick(NodeId id, int n = 1) {
    for (int i = 0; i < n; ++i) nodes_.at(id)->Tick();
  }
  // Ticks `id` (delivering nothing) until it leaves the follower role.
  void TickUntilCampaign(NodeId id) {
    for (int i = 0; i < 100 && node(id).role() == Role::kFollower; ++i) node(id).Tick();
    REQUIRE(node(id).role() != Role::kFollower);
  }
  // Makes `id` leader: it times out and the cluster runs the election.
  void Elect(NodeId id) {
    TickUntilCampaign(id);
    Settle();
    REQUIRE(node(id).role() == Role::kLeader);
  }
  // A heartbeat interval for everyone, then delivery.
  void TickAll(int n) {
    for (int i = 0; i < n; ++i) {
      for (auto& [id, raft] : nodes_) raft->Tick();
      Settle();
    }
  }
  void CheckAll() {
    for (auto& [id, raft] : nodes_) raft->CheckInvariants();
  }
  const std::vector<Entry>& applied(NodeId id) { return applied_[id]; }
  const std::vector<SnapshotMeta>& installed(NodeId id) { return installed_[id]; }
  const std::vector<ReadState>& read_states(NodeId id) { return read_states_[id]; }
  // Compacts `id`'s core and storage to `index` (its state machine keeps the
  // snapshot data, which this test network does not model).
  void Compact(NodeId id, uint64_t index) {
    REQUIRE(nodes_.at(id)->Compact(index).ok());
    REQUIRE(storage_[id].Compact(nodes_.at(id)->snapshot()).ok());
  }

 private:
  std::map<NodeId, RaftConfig> configs_;
  std::map<NodeId, MemoryStorage> storage_;
  std::map<NodeId, std::unique_ptr<Raft>> nodes_;
  std::map<NodeId, std::vector<Entry>> applied_;
  std::map<NodeId, std::vector<SnapshotMeta>> installed_;
  std::map<NodeId, std::vector<ReadState>> read_states_;
  std::set<NodeId> isolated_;
};

}  // namespace frontera::consensus::test
