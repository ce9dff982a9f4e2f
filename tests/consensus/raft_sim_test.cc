// A deterministic simulator of the Raft core alone (no RocksDB, no ledger;
// tests/sim/ drives whole clusters with both): clusters of 3 and 5 cores over
// a network that loses, duplicates and reorders messages and partitions
// nodes, with skewed ticks, restarts from storage, ReadIndex requests and
// leadership transfers. After every step it checks the safety properties of
// Raft §5.2 and §5.4.3 (Figure 3): election safety, log matching, state
// machine safety, and monotonic commit indexes; and that a read index covers
// every commit observed before the read was issued (thesis §6.4). At the end
// it heals the network and checks that a proposal is committed everywhere.
// A failure reports its seed and the recent history.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "consensus/log_storage.h"
#include "consensus/raft.h"

namespace frontera::consensus {
namespace {

class Simulator {
 public:
  Simulator(uint64_t seed, size_t n) : rng_(seed), n_(n) {
    for (NodeId id = 1; id <= n; ++id) ids_.push_back(id);
    for (NodeId id : ids_) {
      RaftConfig c;
      c.id = id;
      c.peers = ids_;
      c.election_ticks = 6;
      c.heartbeat_ticks = 1 + Rand(3);
      c.max_inflight_appends = 1 + Rand(4);
      c.max_entries_per_append = 1 + Rand(4);
      c.seed = seed;
      // Mostly the production settings; some seeds run without PreVote or
      // CheckQuorum, whose safety must not depend on them.
      c.pre_vote = seed % 4 != 0;
      c.check_quorum = seed % 3 != 0;
      configs_[id] = c;
      tick_weight_[id] = 1 + Rand(3);  // clock skew: some nodes tick faster
      group_[id] = 0;
      Start(id);
    }
  }

  // One random event, then every node's Ready is processed and checked.
  void Step() {
    const uint64_t r = Rand(100);
    if (r < 25) {
      NodeId id = WeightedNode();
      Note("tick " + std::to_string(id));
      nodes_[id]->Tick();
    } else if (r < 78) {
      DeliverRandom(/*faults=*/true);
    } else if (r < 80) {
      NodeId id = ids_[Rand(n_)];
      const uint64_t context = ++next_read_;
      if (nodes_[id]->ReadIndex(context).ok()) {
        Note("read " + std::to_string(context) + " at " + std::to_string(id));
        read_commit_observed_[context] = max_commit_;
      }
    } else if (r < 81) {
      for (NodeId id : ids_) {
        if (nodes_[id]->role() != Role::kLeader) continue;
        NodeId target = ids_[Rand(n_)];
        if (target != id && nodes_[id]->TransferLeadership(target).ok()) {
          Note("transfer " + std::to_string(id) + " -> " + std::to_string(target));
        }
        break;
      }
    } else if (r < 91) {
      NodeId id = ids_[Rand(n_)];
      if (nodes_[id]->Propose("v" + std::to_string(next_value_)).ok()) {
        Note("propose at " + std::to_string(id));
        ++next_value_;
      }
    } else if (r < 93) {
      for (NodeId id : ids_) group_[id] = static_cast<int>(Rand(2));
      Note("partition");
    } else if (r < 97) {
      for (NodeId id : ids_) group_[id] = 0;
      Note("heal");
    } else if (r < 98) {
      NodeId id = ids_[Rand(n_)];
      Note("restart " + std::to_string(id));
      Start(id);
    } else if (!pool_.empty()) {
      pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(Rand(pool_.size())));
    }
    ProcessReady();
    Check();
  }

  // Heals the network and runs without faults until a fresh proposal is
  // applied on every node. A proposal accepted by a deposed leader may be
  // lost (Raft §8: clients retry), so it is proposed again every few rounds
  // until some node has committed it. Returns whether every node applied it
  // within the bound.
  bool ConvergesAfterHeal() {
    for (NodeId id : ids_) group_[id] = 0;
    const std::string value = "final";
    auto has_value = [&](const std::vector<Entry>& entries) {
      return std::any_of(entries.begin(), entries.end(),
                         [&](const Entry& e) { return e.data == value; });
    };
    for (int round = 0; round < 400; ++round) {
      for (NodeId id : ids_) nodes_[id]->Tick();
      ProcessReady();
      for (int i = 0; i < 200 && !pool_.empty(); ++i) {
        DeliverRandom(/*faults=*/false);
        ProcessReady();
      }
      Check();
      if (round % 20 == 0 && !has_value(committed_)) {
        for (NodeId id : ids_) {
          if (nodes_[id]->Propose(value).ok()) break;
        }
      }
      if (std::all_of(ids_.begin(), ids_.end(),
                      [&](NodeId id) { return has_value(applied_[id]); })) {
        return true;
      }
    }
    return false;
  }

  const std::string& history() const { return history_; }
  uint64_t committed() const { return committed_.size(); }
  uint64_t reads_answered() const { return reads_answered_; }

 private:
  uint64_t Rand(uint64_t n) { return rng_() % n; }

  NodeId WeightedNode() {
    uint64_t total = 0;
    for (NodeId id : ids_) total += tick_weight_[id];
    uint64_t pick = Rand(total);
    for (NodeId id : ids_) {
      if (pick < tick_weight_[id]) return id;
      pick -= tick_weight_[id];
    }
    return ids_.back();
  }

  void Note(const std::string& event) {
    history_ += event + "; ";
    if (history_.size() > 1500) history_.erase(0, history_.size() - 1500);
  }

  // (Re)starts a node from its durable storage; its state machine (applied_)
  // is durable too, so it resumes after the last applied entry.
  void Start(NodeId id) {
    RaftConfig c = configs_[id];
    c.applied_index = applied_[id].size();
    Result<std::unique_ptr<Raft>> r = Raft::Create(c, storage_[id]);
    REQUIRE(r.ok());
    nodes_[id] = std::move(r).value();
  }

  void DeliverRandom(bool faults) {
    if (pool_.empty()) return;
    const size_t i = Rand(pool_.size());  // reordering: any message may go next
    Message m = pool_[i];
    if (!faults || Rand(100) >= 5) {  // duplication: sometimes the message stays
      pool_[i] = std::move(pool_.back());
      pool_.pop_back();
    }
    if (faults && Rand(100) < 5) return;         // loss
    if (group_[m.from] != group_[m.to]) return;  // partition
    Note("deliver " + std::string(MessageTypeName(m.type)) + " " + std::to_string(m.from) + "->" +
         std::to_string(m.to) + " t" + std::to_string(m.term));
    const Status stepped = nodes_[m.to]->Step(m);
    REQUIRE_MESSAGE(stepped.ok(), stepped.ToString());  // honest peers break no rule
  }

  // Persist entries and hard state, then release messages, then apply.
  void ProcessReady() {
    for (NodeId id : ids_) {
      Raft& raft = *nodes_[id];
      while (raft.HasReady()) {
        Ready rd = raft.GetReady();
        if (rd.hard_state) storage_[id].SetHardState(*rd.hard_state);
        REQUIRE(storage_[id].Append(rd.entries).ok());
        for (Message& m : rd.messages) {
          if (pool_.size() < 2000) pool_.push_back(std::move(m));
        }
        for (const Entry& e : rd.committed_entries) {
          REQUIRE(e.index == applied_[id].size() + 1);
          applied_[id].push_back(e);
        }
        // Thesis §6.4: a read index covers every commit observed anywhere
        // before the read was issued.
        for (const ReadState& rs : rd.read_states) {
          auto it = read_commit_observed_.find(rs.context);
          REQUIRE(it != read_commit_observed_.end());
          REQUIRE_MESSAGE(rs.index >= it->second, "read " << rs.context << " answered with "
                                                          << rs.index << " after commit "
                                                          << it->second << " was observed");
          ++reads_answered_;
        }
        raft.Advance(rd);
      }
    }
  }

  void Check() {
    for (NodeId id : ids_) {
      Raft& raft = *nodes_[id];
      raft.CheckInvariants();
      // Election safety (§5.2): at most one leader per term.
      if (raft.role() == Role::kLeader) {
        auto [it, inserted] = leaders_.emplace(raft.current_term(), id);
        REQUIRE_MESSAGE(it->second == id, "two leaders in term " << raft.current_term());
      }
      // Commit indexes are monotonic, across restarts too.
      REQUIRE(raft.commit_index() >= commit_seen_[id]);
      commit_seen_[id] = raft.commit_index();
      max_commit_ = std::max(max_commit_, raft.commit_index());
      // State machine safety (§5.4.3): committed prefixes agree and never change.
      const std::vector<Entry>& log = raft.log();
      for (uint64_t i = 0; i < raft.commit_index(); ++i) {
        if (i < committed_.size()) {
          REQUIRE_MESSAGE(log[i] == committed_[i],
                          "node " << id << " committed index " << i + 1 << " differs");
        } else {
          committed_.push_back(log[i]);
        }
      }
      for (uint64_t i = 0; i < applied_[id].size(); ++i) {
        REQUIRE(applied_[id][i] == committed_[i]);
      }
    }
    // Log matching (§5.3): if two logs have an entry with the same index and
    // term, the logs are identical up to and including it.
    for (size_t a = 0; a < n_; ++a) {
      for (size_t b = a + 1; b < n_; ++b) {
        const std::vector<Entry>& la = nodes_[ids_[a]]->log();
        const std::vector<Entry>& lb = nodes_[ids_[b]]->log();
        size_t k = std::min(la.size(), lb.size());
        while (k > 0 && la[k - 1].term != lb[k - 1].term) --k;
        for (size_t i = 0; i < k; ++i) {
          REQUIRE_MESSAGE(la[i] == lb[i], "logs of " << ids_[a] << " and " << ids_[b]
                                                     << " differ at index " << i + 1);
        }
      }
    }
  }

  std::mt19937_64 rng_;
  size_t n_;
  std::vector<NodeId> ids_;
  std::map<NodeId, RaftConfig> configs_;
  std::map<NodeId, MemoryStorage> storage_;
  std::map<NodeId, std::unique_ptr<Raft>> nodes_;
  std::map<NodeId, std::vector<Entry>> applied_;
  std::map<NodeId, uint64_t> tick_weight_;
  std::map<NodeId, int> group_;
  std::map<NodeId, uint64_t> commit_seen_;
  std::map<uint64_t, NodeId> leaders_;  // term -> the one leader seen
  std::vector<Entry> committed_;        // the agreed committed log
  std::vector<Message> pool_;           // in flight
  uint64_t next_value_ = 0;
  std::string history_;
  uint64_t max_commit_ = 0;                            // highest commit index seen anywhere
  uint64_t next_read_ = 0;                             // last ReadIndex context issued
  std::map<uint64_t, uint64_t> read_commit_observed_;  // context -> max_commit_ at issue
  uint64_t reads_answered_ = 0;
};

// A FRONTERA_CHECK inside the core aborts the process, which doctest reports
// without our INFO context; this handler prints the seed and recent history
// first, then hands over to the previous (doctest's) handler.
char g_crash_context[128];
const std::string* g_crash_history = nullptr;
struct sigaction g_previous_abort_handler;

void OnAbort(int signal) {
  (void)!write(STDERR_FILENO, g_crash_context, std::strlen(g_crash_context));
  if (g_crash_history != nullptr) {
    (void)!write(STDERR_FILENO, g_crash_history->data(), g_crash_history->size());
    (void)!write(STDERR_FILENO, "\n", 1);
  }
  sigaction(SIGABRT, &g_previous_abort_handler, nullptr);
  raise(signal);
}

void RunSeeds(size_t n, uint64_t first_seed, uint64_t seeds, int steps) {
  struct sigaction action {};
  action.sa_handler = OnAbort;
  sigemptyset(&action.sa_mask);
  sigaction(SIGABRT, &action, &g_previous_abort_handler);
  uint64_t total_committed = 0;
  uint64_t total_reads = 0;
  for (uint64_t seed = first_seed; seed < first_seed + seeds; ++seed) {
    Simulator sim(seed, n);
    std::snprintf(g_crash_context, sizeof(g_crash_context),
                  "simulation crashed: cluster of %zu, seed %llu; recent history: ", n,
                  static_cast<unsigned long long>(seed));
    g_crash_history = &sim.history();
    INFO("cluster of ", n, ", seed ", seed, "; recent history: ", sim.history());
    for (int i = 0; i < steps; ++i) sim.Step();
    REQUIRE(sim.ConvergesAfterHeal());
    total_committed += sim.committed();
    total_reads += sim.reads_answered();
  }
  g_crash_history = nullptr;
  sigaction(SIGABRT, &g_previous_abort_handler, nullptr);
  // Progress under faults: entries got committed overall, not only at the end.
  CHECK(total_committed > seeds * 2);
  CHECK(total_reads > 0);
}

TEST_CASE("simulation: 3 cores under loss, duplication, reordering and partitions") {
  RunSeeds(3, 1, 150, 800);
}

TEST_CASE("simulation: 5 cores under loss, duplication, reordering and partitions") {
  RunSeeds(5, 1001, 150, 800);
}

}  // namespace
}  // namespace frontera::consensus
