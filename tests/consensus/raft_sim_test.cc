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
//
// In membership mode the cluster starts with voters {1, 2, 3} and changes
// its membership while all of the above goes on (thesis §4, single-server
// changes): new nodes join as learners and catch up (by snapshot: logs are
// compacted), learners are promoted, voters demoted or removed, the leader
// among them. A joining node starts empty, from the membership of the day,
// and an id is never reused. The same checks hold across configurations; in
// particular one term never has two leaders, whatever configuration each
// counted its votes in.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
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
  Simulator(uint64_t seed, size_t n, bool membership = false)
      : rng_(seed), seed_(seed), membership_mode_(membership) {
    std::vector<NodeId> voters;
    for (NodeId id = 1; id <= n; ++id) voters.push_back(id);
    for (NodeId id : voters) AddNode(id, Membership{voters, {}});
  }

  // One random event, then every node's Ready is processed and checked.
  void Step() {
    const uint64_t r = Rand(100);
    if (membership_mode_ && Rand(100) < 3) {
      ChangeMembership();
      ProcessReady();
      Check();
      MaybeCompact();
      return;
    }
    if (r < 25) {
      NodeId id = WeightedNode();
      Note("tick " + std::to_string(id));
      nodes_[id]->Tick();
    } else if (r < 78) {
      DeliverRandom(/*faults=*/true);
    } else if (r < 80) {
      NodeId id = ids_[Rand(ids_.size())];
      const uint64_t context = ++next_read_;
      if (nodes_[id]->ReadIndex(context).ok()) {
        Note("read " + std::to_string(context) + " at " + std::to_string(id));
        read_commit_observed_[context] = max_commit_;
      }
    } else if (r < 81) {
      for (NodeId id : ids_) {
        if (nodes_[id]->role() != Role::kLeader) continue;
        NodeId target = ids_[Rand(ids_.size())];
        if (target != id && nodes_[id]->TransferLeadership(target).ok()) {
          Note("transfer " + std::to_string(id) + " -> " + std::to_string(target));
        }
        break;
      }
    } else if (r < 91) {
      NodeId id = ids_[Rand(ids_.size())];
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
      NodeId id = ids_[Rand(ids_.size())];
      Note("restart " + std::to_string(id));
      Start(id);
    } else if (!pool_.empty()) {
      const auto lost = pool_.begin() + static_cast<std::ptrdiff_t>(Rand(pool_.size()));
      // A snapshot stream that fails is reported, as the driver does.
      if (lost->type == MessageType::kSnapshot) nodes_[lost->from]->ReportSnapshot(lost->to, false);
      pool_.erase(lost);
    }
    ProcessReady();
    Check();
    MaybeCompact();
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
      // Every member of the leader's membership applies it (a removed node
      // is no longer sent the log).
      for (NodeId leader : ids_) {
        if (nodes_[leader]->role() != Role::kLeader) continue;
        const Membership& m = nodes_[leader]->membership();
        const auto applied = [&](NodeId id) { return has_value(applied_[id]); };
        if (std::all_of(m.voters.begin(), m.voters.end(), applied) &&
            std::all_of(m.learners.begin(), m.learners.end(), applied)) {
          return true;
        }
      }
    }
    return false;
  }

  const std::string& history() const { return history_; }
  // Each node's role, term, membership and log end, for a failure report.
  std::string Describe() const {
    std::string out;
    for (NodeId id : ids_) {
      const Raft& r = *nodes_.at(id);
      out += "node " + std::to_string(id) + ": role " + std::to_string(static_cast<int>(r.role())) +
             " term " + std::to_string(r.current_term()) + " last " +
             std::to_string(r.last_index()) + "/" + std::to_string(r.TermAt(r.last_index())) +
             " commit " + std::to_string(r.commit_index()) + " voters";
      for (NodeId v : r.membership().voters) out += " " + std::to_string(v);
      out += " learners";
      for (NodeId v : r.membership().learners) out += " " + std::to_string(v);
      out += " (from index " + std::to_string(r.membership_index()) + "); ";
    }
    return out;
  }
  uint64_t changes() const { return changes_; }
  uint64_t snapshots_installed() const { return snapshots_installed_; }
  uint64_t removed_leaders() const { return removed_leaders_; }
  uint64_t committed() const { return committed_.size(); }
  uint64_t reads_answered() const { return reads_answered_; }

 private:
  uint64_t Rand(uint64_t n) { return rng_() % n; }

  // Starts node `id` with `initial` as its initial membership (a joining
  // node: the membership of the day, without itself).
  void AddNode(NodeId id, const Membership& initial) {
    RaftConfig c;
    c.id = id;
    c.peers = initial.voters;
    c.learners = initial.learners;
    c.election_ticks = 6;
    c.heartbeat_ticks = 1 + Rand(3);
    c.max_inflight_appends = 1 + Rand(4);
    c.max_entries_per_append = 1 + Rand(4);
    c.promote_lag_max = 4;
    c.seed = seed_;
    // Mostly the production settings; some seeds run without PreVote or
    // CheckQuorum, whose safety must not depend on them.
    c.pre_vote = seed_ % 4 != 0;
    c.check_quorum = seed_ % 3 != 0;
    configs_[id] = c;
    tick_weight_[id] = 1 + Rand(3);  // clock skew: some nodes tick faster
    group_[id] = 0;
    ids_.push_back(id);
    Start(id);
  }

  // The leader (if any) proposes one single-server change: add a new node
  // as a learner, promote a learner, demote or remove a voter (the leader
  // too), or remove a learner. Refusals (not caught up, the previous change
  // uncommitted, no entry of the term committed yet) are part of the test.
  void ChangeMembership() {
    Raft* leader = nullptr;
    for (NodeId id : ids_) {
      if (nodes_[id]->role() == Role::kLeader) leader = nodes_[id].get();
    }
    if (leader == nullptr) return;
    Membership next = leader->membership();
    const auto erase = [](std::vector<NodeId>& ids, NodeId id) {
      ids.erase(std::remove(ids.begin(), ids.end(), id), ids.end());
    };
    const auto insert = [](std::vector<NodeId>& ids, NodeId id) {
      ids.insert(std::upper_bound(ids.begin(), ids.end(), id), id);
    };
    std::string what;
    NodeId joining = kNoNode;
    const uint64_t op = Rand(4);
    if (op == 0 && next_id_ <= kMaxNodes && next.voters.size() + next.learners.size() < 5) {
      joining = next_id_;
      insert(next.learners, joining);
      what = "add learner " + std::to_string(joining);
    } else if (op == 1 && !next.learners.empty()) {
      const NodeId id = next.learners[Rand(next.learners.size())];
      erase(next.learners, id);
      insert(next.voters, id);
      what = "promote " + std::to_string(id);
    } else if (op == 2 && next.voters.size() > 1) {
      const NodeId id = next.voters[Rand(next.voters.size())];
      erase(next.voters, id);
      if (Rand(2) == 0) insert(next.learners, id);
      what = "demote or remove voter " + std::to_string(id);
    } else if (op == 3 && !next.learners.empty()) {
      const NodeId id = next.learners[Rand(next.learners.size())];
      erase(next.learners, id);
      what = "remove learner " + std::to_string(id);
    } else {
      return;
    }
    const Membership before = leader->membership();
    const Status proposed = leader->ProposeMembership(next, what);
    // Refusals name their reason; only these are expected of an honest run.
    REQUIRE_MESSAGE((proposed.ok() || proposed.IsUnavailable() || proposed.IsFailedPrecondition() ||
                     proposed.IsResourceExhausted()),
                    proposed.ToString());
    if (!proposed.ok()) return;
    Note("change at " + std::to_string(leader->id()) + ": " + what);
    ++changes_;
    if (joining != kNoNode) {
      ++next_id_;
      AddNode(joining, before);
    }
  }

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
    const bool lost = (faults && Rand(100) < 5) || group_[m.from] != group_[m.to];
    // A snapshot is streamed with its data: the sender learns whether the
    // stream got through.
    if (m.type == MessageType::kSnapshot) nodes_[m.from]->ReportSnapshot(m.to, !lost);
    if (lost) return;  // loss, partition
    Note("deliver " + std::string(MessageTypeName(m.type)) + " " + std::to_string(m.from) + "->" +
         std::to_string(m.to) + " t" + std::to_string(m.term));
    const Status stepped = nodes_[m.to]->Step(m);
    // Honest peers break no rule. A removed node that has not learnt it yet
    // may ask for votes, which are refused (not a protocol violation).
    const bool unknown_sender = membership_mode_ && stepped.IsInvalidArgument() &&
                                stepped.message().starts_with("vote request from node");
    REQUIRE_MESSAGE((stepped.ok() || unknown_sender), stepped.ToString());
  }

  // Persist entries and hard state, then release messages, then apply.
  void ProcessReady() {
    for (NodeId id : ids_) {
      Raft& raft = *nodes_[id];
      while (raft.HasReady()) {
        Ready rd = raft.GetReady();
        if (rd.snapshot) {
          // The state machine becomes the snapshot's: the agreed prefix.
          REQUIRE(rd.snapshot->index <= committed_.size());
          storage_[id].InstallSnapshot(*rd.snapshot);
          applied_[id].assign(committed_.begin(),
                              committed_.begin() + static_cast<std::ptrdiff_t>(rd.snapshot->index));
          ++snapshots_installed_;
        }
        if (rd.hard_state) storage_[id].SetHardState(*rd.hard_state);
        REQUIRE(storage_[id].Append(rd.entries).ok());
        for (Message& m : rd.messages) {
          if (pool_.size() < 2000) {
            pool_.push_back(std::move(m));
          } else if (m.type == MessageType::kSnapshot) {
            lost_snapshots_.push_back(m);  // Reported once this Ready is done.
          }
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
        for (const Message& m : lost_snapshots_) raft.ReportSnapshot(m.to, false);
        lost_snapshots_.clear();
      }
    }
  }

  // Membership mode compacts logs, so that joining nodes and laggards catch
  // up by snapshot. Run after Check, which must see every entry committed.
  void MaybeCompact() {
    if (!membership_mode_) return;
    for (NodeId id : ids_) {
      Raft& raft = *nodes_[id];
      if (raft.applied_index() < raft.snapshot().index + 12) continue;
      REQUIRE(raft.Compact(raft.applied_index() - 4).ok());
      REQUIRE(storage_[id].Compact(raft.snapshot()).ok());
    }
  }

  void Check() {
    for (NodeId id : ids_) {
      Raft& raft = *nodes_[id];
      raft.CheckInvariants();
      // Election safety (§5.2): at most one leader per term, across
      // configurations (each leader counted votes in its own membership).
      if (raft.role() == Role::kLeader) {
        auto [it, inserted] = leaders_.emplace(raft.current_term(), id);
        REQUIRE_MESSAGE(it->second == id, "two leaders in term " << raft.current_term());
        if (!raft.membership().IsVoter(id)) ++removed_leaders_;
      }
      // Commit indexes are monotonic, across restarts too.
      REQUIRE(raft.commit_index() >= commit_seen_[id]);
      commit_seen_[id] = raft.commit_index();
      max_commit_ = std::max(max_commit_, raft.commit_index());
      // State machine safety (§5.4.3): committed prefixes agree and never change.
      const std::vector<Entry>& log = raft.log();
      for (uint64_t index = raft.snapshot().index + 1; index <= raft.commit_index(); ++index) {
        const Entry& e = log[index - raft.first_index()];
        if (index <= committed_.size()) {
          REQUIRE_MESSAGE(e == committed_[index - 1],
                          "node " << id << " committed index " << index << " differs");
        } else {
          REQUIRE(index == committed_.size() + 1);
          committed_.push_back(e);
        }
      }
      for (uint64_t i = 0; i < applied_[id].size(); ++i) {
        REQUIRE(applied_[id][i] == committed_[i]);
      }
    }
    // Log matching (§5.3): if two logs have an entry with the same index and
    // term, the logs are identical up to and including it.
    for (size_t a = 0; a < ids_.size(); ++a) {
      for (size_t b = a + 1; b < ids_.size(); ++b) {
        const Raft& ra = *nodes_[ids_[a]];
        const Raft& rb = *nodes_[ids_[b]];
        const uint64_t lo = std::max(ra.first_index(), rb.first_index());
        uint64_t k = std::min(ra.last_index(), rb.last_index());
        while (k >= lo && ra.TermAt(k) != rb.TermAt(k)) --k;
        for (uint64_t index = lo; index <= k; ++index) {
          REQUIRE_MESSAGE(
              ra.log()[index - ra.first_index()] == rb.log()[index - rb.first_index()],
              "logs of " << ids_[a] << " and " << ids_[b] << " differ at index " << index);
        }
      }
    }
  }

  static constexpr NodeId kMaxNodes = 8;  // Ids 4..8 may join.

  std::mt19937_64 rng_;
  uint64_t seed_;
  bool membership_mode_;
  std::vector<NodeId> ids_;  // Every node started, member or not.
  NodeId next_id_ = 4;       // The next id to join (never reused).
  uint64_t changes_ = 0;
  uint64_t snapshots_installed_ = 0;
  uint64_t removed_leaders_ = 0;  // Checks that saw a leader lead its removal.
  std::map<NodeId, RaftConfig> configs_;
  std::map<NodeId, MemoryStorage> storage_;
  std::map<NodeId, std::unique_ptr<Raft>> nodes_;
  std::map<NodeId, std::vector<Entry>> applied_;
  std::map<NodeId, uint64_t> tick_weight_;
  std::map<NodeId, int> group_;
  std::map<NodeId, uint64_t> commit_seen_;
  std::map<uint64_t, NodeId> leaders_;   // term -> the one leader seen
  std::vector<Entry> committed_;         // the agreed committed log
  std::vector<Message> pool_;            // in flight
  std::vector<Message> lost_snapshots_;  // kSnapshot messages the full pool refused
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

// FRONTERA_RAFT_SIM_PERCENT (1-100, default 100): the share of each case's
// seeds to run; ./test.sh's sanitizer stage runs 30 %.
uint64_t ScaledSeeds(uint64_t seeds) {
  const char* text = std::getenv("FRONTERA_RAFT_SIM_PERCENT");
  if (text == nullptr) return seeds;
  const long percent = std::strtol(text, nullptr, 10);
  REQUIRE_MESSAGE((percent >= 1 && percent <= 100), "FRONTERA_RAFT_SIM_PERCENT must be 1-100");
  return std::max<uint64_t>(1, seeds * static_cast<uint64_t>(percent) / 100);
}

void RunSeeds(size_t n, uint64_t first_seed, uint64_t seeds, int steps, bool membership = false) {
  seeds = ScaledSeeds(seeds);
  struct sigaction action {};
  action.sa_handler = OnAbort;
  sigemptyset(&action.sa_mask);
  sigaction(SIGABRT, &action, &g_previous_abort_handler);
  uint64_t total_committed = 0;
  uint64_t total_reads = 0;
  uint64_t total_changes = 0;
  uint64_t total_snapshots = 0;
  uint64_t total_removed_leaders = 0;
  for (uint64_t seed = first_seed; seed < first_seed + seeds; ++seed) {
    Simulator sim(seed, n, membership);
    std::snprintf(g_crash_context, sizeof(g_crash_context),
                  "simulation crashed: cluster of %zu, seed %llu; recent history: ", n,
                  static_cast<unsigned long long>(seed));
    g_crash_history = &sim.history();
    INFO("cluster of ", n, ", seed ", seed, "; recent history: ", sim.history());
    for (int i = 0; i < steps; ++i) sim.Step();
    const bool converged = sim.ConvergesAfterHeal();
    REQUIRE_MESSAGE(converged, sim.Describe());
    total_committed += sim.committed();
    total_reads += sim.reads_answered();
    total_changes += sim.changes();
    total_snapshots += sim.snapshots_installed();
    total_removed_leaders += sim.removed_leaders();
  }
  g_crash_history = nullptr;
  sigaction(SIGABRT, &g_previous_abort_handler, nullptr);
  // Progress under faults: entries got committed overall, not only at the end.
  CHECK(total_committed > seeds * 2);
  CHECK(total_reads > 0);
  if (membership) {
    // The scenarios the mode is for did happen: changes, catch-up by
    // snapshot, and leaders that led their own removal until it committed.
    MESSAGE("membership changes ", total_changes, ", snapshots installed ", total_snapshots,
            ", steps led by a removed leader ", total_removed_leaders);
    CHECK(total_changes > seeds);
    CHECK(total_snapshots > 0);
    CHECK(total_removed_leaders > 0);
  }
}

TEST_CASE("simulation: 3 cores under loss, duplication, reordering and partitions") {
  RunSeeds(3, 1, 150, 800);
}

TEST_CASE("simulation: 5 cores under loss, duplication, reordering and partitions") {
  RunSeeds(5, 1001, 150, 800);
}

TEST_CASE("simulation: membership changes (joins, promotions, removals) under the same faults") {
  RunSeeds(3, 2001, 300, 1200, /*membership=*/true);
}

}  // namespace
}  // namespace frontera::consensus
