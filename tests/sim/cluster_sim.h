// ClusterSim: a deterministic simulator of a whole Frontera cluster (3 or 5
// validators) in which each node runs the code fronterad runs, through a
// network and machines that fail, from one seed.
//
// Each simulated node is a node::RaftDriver over a storage::RaftLogStore (its
// own RocksDB store), and a ledger::StateMachine on a KvStore in its own
// directory; both stores write through one storage::FileFaults seam. The
// simulator plays the validator around the driver (Validator in
// node/validator.h): it feeds the driver ticks, messages, client documents
// and read rounds with the node's clock (Observe), and carries out what the
// driver returns: sends, snapshot streams, forwards to the leader, applying
// committed entries (with the applied mark, node/applied_mark.h), answering
// reads and clients, installing snapshots, compacting behind the snapshot
// catalog (node/snapshot_catalog.h), and at start-up the same repair
// (ReconcileLog).
//
// Faults, all drawn from the seeded generator: message loss, duplication,
// reordering, delay (held for some steps), symmetric partitions, one-way
// partitions (a→b dropped while b→a flows), partitions of one link for
// appends only (heartbeats flow, so the follower falls far behind while its
// leader hears it) or for heartbeats only (appends flow), per-node tick rates
// (clock skew), clock jumps (a node's timer fires many ticks at once), pauses
// longer than an election timeout (a stopped process: it neither ticks, nor
// reads its messages, nor answers clients, and resumes with what it held,
// leadership and reads included), crash-restart after the driver persisted
// and before what it decided was carried out, losing some of the messages in
// flight to the node (the others, sent to the previous process, reach the
// new one, as the real transport delivers them), power loss (each store
// loses what it had not synced, one write may be left torn), a bit flipped
// in the synced Raft log (it must refuse to open), failing syncs (the node
// stops and restarts), and crash points between the durable steps of
// snapshot install and compaction. Read rounds are numbered per process,
// from a random start, as fronterad numbers them.
// Snapshots: every `snapshot_every` applied entries a node checkpoints its
// ledger (KvStore::CreateCheckpoint, which flushes it); after a tick it
// compacts its log to the newest snapshot log_retain_entries behind; a
// kSnapshot message is streamed with a copy of the sender's checkpoint, and
// streams fail at random (RaftDriver::SnapshotStreamed(peer, false)). Reads: ReadIndex requests at
// random nodes, checked for linearizability; leadership transfers at random.
//
// A hostile node (ClusterSimOptions::hostile): one node id, drawn from the
// seed, is controlled by an adversary instead of an honest core. At its
// ticks it steps straight into an honest node a message built from that
// node's current state to break the protocol: terms near 2^64 - 1 or beyond
// max_term_step, leader messages of a term another node leads, appends with
// gaps, decreasing or future terms, or that contradict committed entries,
// heartbeats with a huge commit, snapshots with bogus points,
// acknowledgements of indexes and read rounds never sent, read answers for
// contexts it was not asked, TimeoutNow, votes and pre-votes for random
// terms, and random well-framed garbage (a message's encoding with damaged
// bytes, decoded with consensus::DecodeMessage and stepped when it decodes).
// Messages to it are dropped; it is never crashed, and is silent once the
// network heals for good. The honest nodes must refuse what breaks the
// protocol (a message built to break it must be refused), never abort, keep
// every check below, and converge among themselves.
// Out of scope, so the adversary never does it: Byzantine agreement. It does
// not equivocate or lie about its own log: it never votes for two candidates
// of one term, never acknowledges entries or read rounds it was sent, and
// never sends a leader's message an honest node could take as coming from the
// leader of its term (Raft cannot tell a node that won no election from one
// that did; a signed vote certificate would be needed).
//
// After every step it checks (doctest REQUIRE, so a violation fails the
// running test case):
//   - each honest core's CheckInvariants() (the checks below are over the
//     honest nodes), and no honest node takes the hostile one for a leader;
//   - election safety (Raft §5.2): at most one leader per term, ever;
//   - log matching (§5.3): one entry per (index, term) across the cluster,
//     and two logs that agree on a term at an index agree on every term
//     before it;
//   - leader completeness / state machine safety (§5.4): the entry committed
//     at an index never changes, on any node, across restarts and snapshots;
//     commit indexes never decrease;
//   - the ledger: the block of each log index has one hash and one Merkle
//     root on every node that applies it (including re-applies after power
//     loss); no (GTIN, serial) is accepted at two different log indexes;
//     a reopened ledger's state is the one recorded for its applied index;
//   - ReadIndex (thesis §6.4): a read answered with index r was issued after
//     no commit beyond r was observed anywhere, and once the node applied r
//     its ledger includes every proposal committed before the read began.
// and, over the whole run (CheckLinearizable), values rather than indexes:
// each served read looks up every product key in the node's ledger
// (StateMachine::FindProduct), each client's product credential is an issue
// answered by the node it was posted to when that node applies the block
// holding it (with the ledger's verdict, or the receipt of an identical
// credential already there; unanswered when the node crashed or gave up
// first), and that history must be linearizable in the registry model of
// linearizability.h. Also checked: one vote per term per node as its log
// store holds it, and a bounded log after each tick.
//
// Thread-safety: not thread-safe; one thread drives a ClusterSim.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "consensus/raft.h"
#include "consensus/types.h"
#include "crypto/ed25519.h"
#include "crypto/merkle.h"
#include "ledger/block.h"
#include "ledger/state_machine.h"
#include "node/config.h"
#include "node/raft_driver.h"
#include "node/snapshot_catalog.h"
#include "storage/file_faults.h"
#include "storage/kv_store.h"
#include "storage/raft_log_store.h"
#include "tests/sim/linearizability.h"

namespace frontera::sim {

struct ClusterSimOptions {
  uint64_t seed = 1;
  size_t nodes = 3;  // In [1, 9]; the suite runs 3 and 5.
  // Existing directory under which the simulator makes its own (removed by
  // the destructor).
  std::string parent_dir;
  // Applied entries between a node's snapshots; 0 = never compact.
  uint64_t snapshot_every = 0;
  bool read_index = true;           // issue ReadIndex requests
  bool transfer_leadership = true;  // start leadership transfers
  bool hostile = false;             // one node is the adversary (see above)
  // Membership changes (docs/consensus.md#membership-changes): the first
  // three nodes are the initial voters, the others join later; now and then
  // "the ledger" gives every driver a new target membership (a random one,
  // or the current one without its leader), which the leader reaches one
  // single-server change at a time under the same faults. Convergence is
  // then asked of the target's members.
  bool membership_changes = false;
  // A broken read path, for the checker's own test: reads are served at
  // once from the node's ledger, without ReadIndex. CheckLinearizable must
  // then find stale reads.
  bool unsafe_local_reads = false;
};

// What a run exercised (to assert that the faults actually happened).
struct ClusterSimStats {
  uint64_t steps = 0;
  uint64_t proposals = 0;            // accepted by a leader's Propose
  uint64_t max_commit = 0;           // highest commit index seen
  uint64_t blocks = 0;               // distinct log indexes that became blocks
  uint64_t documents_accepted = 0;   // over distinct blocks
  uint64_t duplicates_rejected = 0;  // product credentials refused as AlreadyExists
  uint64_t crashes = 0;
  uint64_t power_losses = 0;
  uint64_t lost_readies = 0;  // a Ready dropped by a crash before it was persisted
  uint64_t snapshots_taken = 0;
  uint64_t snapshots_installed = 0;
  uint64_t snapshot_stream_failures = 0;
  uint64_t reads_answered = 0;
  uint64_t reads_checked = 0;  // answered and then applied locally
  uint64_t transfers_started = 0;
  uint64_t stale_frames = 0;       // delivered to a node that restarted since they were sent
  uint64_t class_partitions = 0;   // links cut for appends only or heartbeats only
  uint64_t pauses = 0;             // a node stopped for more than an election timeout
  uint64_t clock_jumps = 0;        // a node's timer fired an election timeout's ticks at once
  uint64_t entries_sent = 0;       // entries carried by appends
  uint64_t forwards = 0;           // documents a follower sent to its leader
  uint64_t fsync_failures = 0;     // a sync failed: the node stopped and restarted
  uint64_t torn_writes = 0;        // power losses that left part of a write behind
  uint64_t bytes_lost = 0;         // unsynced bytes power losses took
  uint64_t bit_flips_refused = 0;  // a flipped bit in the Raft log made it refuse to open
  uint64_t bit_flips_unread = 0;   // ... or lay in bytes recovery never reads
  uint64_t max_log_entries = 0;    // the longest log a node held after a tick
  // Streams whose snapshot the sender deleted before they were delivered
  // (its compaction outran the stream; the core sends the newer one).
  uint64_t streams_outrun = 0;
  // Crashes at a crash point of snapshot install or compaction, by point.
  std::map<std::string, uint64_t> crash_points;
  // CheckLinearizable: operations checked (issues and lookups, over every
  // product key) and keys whose search passed its budget without a verdict.
  uint64_t registry_operations = 0;
  uint64_t registry_keys_undecided = 0;
  // The hostile node: messages it stepped into honest cores, by kind, and of
  // those the ones refused as protocol violations (raft.h); garbage that
  // did not even decode.
  std::map<std::string, uint64_t> hostile_sent;
  std::map<std::string, uint64_t> hostile_refused;
  uint64_t garbage_undecodable = 0;
  // Membership mode: targets given, config entries committed, learners
  // promoted to voters by a committed change, and checks that saw a leader
  // lead a membership that no longer counts it (its removal committing).
  uint64_t membership_targets = 0;
  uint64_t config_entries_committed = 0;
  uint64_t promotions_committed = 0;
  uint64_t removed_leader_checks = 0;
};

class ClusterSim {
 public:
  // Creates the nodes (fresh stores) and starts them. Fails the running test
  // (REQUIRE) when a store cannot be opened.
  explicit ClusterSim(const ClusterSimOptions& options);
  // Closes every store and removes the simulator's directory.
  ~ClusterSim();
  ClusterSim(const ClusterSim&) = delete;
  ClusterSim& operator=(const ClusterSim&) = delete;

  // One random event (with faults), then every node's Ready is processed and
  // all the invariants are checked.
  void Step();

  // Heals the network (no more faults), proposes a final block until it
  // commits (a deposed leader may lose a proposal; clients retry) and runs
  // until every node has applied the same last index; then checks that every
  // ledger has the same applied index, block hash and root. Returns false if
  // that did not happen within a bound of rounds.
  bool HealAndConverge();

  // The most recent events, oldest first, one per line.
  std::string History() const;
  const ClusterSimStats& stats() const { return stats_; }
  // The block hash of the highest log index every node applied (after
  // HealAndConverge): equal runs of one seed give equal values.
  crypto::Hash FinalBlockHash() const;
  // Checks the run's registry history (see above); counts into stats().
  // Returns "" when it is linearizable, else the product key and its
  // operations. Call after HealAndConverge, so that every committed
  // proposal has its verdict.
  std::string CheckLinearizable();

 private:
  struct Node {
    consensus::NodeId id = consensus::kNoNode;
    consensus::RaftConfig core;  // the core's configuration (seed, signed votes)
    node::NodeConfig config;     // the driver's: timing, proposer, retention
    std::unique_ptr<storage::RaftLogStore> log;
    std::unique_ptr<node::RaftDriver> driver;
    std::unique_ptr<storage::KvStore> store;
    std::unique_ptr<ledger::StateMachine> ledger;
    std::string dir;                       // raft/, live/, snap-<index>/, accepted-<n>/
    uint64_t applied = 0;                  // last entry applied (== the core's applied index)
    node::SnapshotCatalog snapshots;       // checkpoints held, as a validator keeps them
    int64_t clock_ms = 0;                  // its monotonic clock
    int64_t last_block_time_ms = 0;        // of the last block its ledger applied
    uint64_t accepted_copies = 0;          // names accepted-<n>/ directories
    uint64_t tick_weight = 1;              // clock skew: relative tick rate
    int group = 0;                         // symmetric partition side
    uint64_t paused_until = 0;             // stopped before this step
    uint64_t process = 0;                  // restarts so far
    uint64_t commit_seen = 0;              // for monotonic commit
    uint64_t applied_at_last_tick = 0;     // the log-size bound allows for what came since
    bool hostile = false;                  // the adversary: its driver is never run
    std::optional<bool> crash;             // a crash point was hit: restart (power loss?) now
    std::unique_ptr<crypto::KeyPair> key;  // signs its votes (core.authority)
    // Clients waiting here for a document, by DocumentKey: indexes in
    // issues_, answered in order when a block holding it is applied here.
    std::map<std::string, std::deque<size_t>> waiters;
  };
  struct InFlight {
    consensus::Message message;
    std::optional<ledger::Proposal> forward;  // a follower's documents for the leader
    uint64_t deliver_at_step = 0;             // held (delayed) until this step
    uint64_t receiver_process = 0;            // Node::process of the receiver when sent
    uint64_t sender_process = 0;              // of the sender (a snapshot stream reports to it)
  };
  struct PendingRead {
    consensus::NodeId node = consensus::kNoNode;
    uint64_t call_step = 0;         // when the client asked
    uint64_t commit_observed = 0;   // highest commit anywhere when issued
    std::optional<uint64_t> index;  // the answer
    bool served = false;            // checked once the node applied `index`
  };
  // A client's request to issue one document at one node.
  struct IssueRecord {
    size_t document = 0;  // index in SimDocuments().documents
    uint64_t call_step = 0;
    uint64_t ret_step = kNever;
    std::optional<RegistryOp::Outcome> outcome;  // the node's answer, when it gave one
    bool refused = false;                        // refused for another reason: changed nothing
  };
  struct BlockRecord {
    crypto::Hash block_hash{};
    crypto::Hash root{};
    uint64_t tree_size = 0;
  };

  uint64_t Rand(uint64_t n) { return rng_() % n; }
  uint64_t MaxTermStep() const { return nodes_.front()->core.max_term_step; }
  bool Chance(uint64_t percent) { return Rand(100) < percent; }
  void Note(std::string event);
  Node& NodeAt(consensus::NodeId id) { return *nodes_[id - 1]; }
  bool Paused(const Node& node) const { return step_ < node.paused_until; }
  consensus::NodeId WeightedNode();
  consensus::NodeId RandomHonestNode();
  consensus::NodeId Leader() const;  // a node that believes it leads (highest term), or 0

  // Node lifecycle.
  storage::KvOptions StoreOptions() const;
  void OpenLedger(Node& node);        // the store, then the state machine on it
  void OpenStateMachine(Node& node);  // on the open store
  void CloseLedger(Node& node);
  // Opens the log store, brings it in line with the ledger (node/applied_mark.h)
  // and starts the driver.
  void StartRaft(Node& node);
  void CrashRestart(Node& node, bool power_loss);
  // A crash point between two durable steps: true (and node.crash set) when
  // the node crashes here, which it does `percent` of the time.
  bool CrashPoint(Node& node, const char* where, uint64_t percent);
  std::string LiveDir(const Node& node) const { return node.dir + "/live"; }
  std::string RaftDir(const Node& node) const { return node.dir + "/raft"; }
  std::string SnapDir(const Node& node, uint64_t index) const;

  // Running the drivers, and carrying out what they decide.
  void Observe(Node& node);
  void ProcessNode(Node& node);  // Run, Execute, Installed until nothing is left
  void ProcessAllReady();
  void Execute(Node& node, node::DriverActions& actions);
  void TickNode(Node& node);  // unless it is stopped
  void InstallSnapshot(Node& node, const node::DriverActions::Install& install);
  void ApplyEntry(Node& node, const consensus::Entry& entry);
  void MaybeSnapshot(Node& node);
  void MaybeCompact(Node& node);
  void RemoveSnapshots(Node& node, const std::vector<consensus::SnapshotMeta>& removed);
  void RemoveDir(const std::string& dir);  // and forget its files (FileFaults)
  void HandleReadState(Node& node, const consensus::ReadState& read_state);
  void CheckAnsweredReads(Node& node);
  // A served read: every product key looked up in node's ledger.
  void RecordLookups(const Node& node, uint64_t call_step);
  // A client asks `node` to issue these documents (indexes in the pool).
  void SubmitDocuments(Node& node, const std::vector<size_t>& documents);

  // The network.
  void Send(consensus::Message message);
  bool Blocked(const consensus::Message& message) const;
  // Delivers one message whose delay has passed; false when none could go.
  bool DeliverOne();
  void StreamSnapshot(const InFlight& flight);
  void FailSnapshotStream(const InFlight& flight, const char* why);

  // The hostile node: one crafted or garbled message into an honest node.
  void HostileStep();
  // Gives m (a hostile message) a proof the adversary can make: its own
  // signatures, garbage, or others' genuine statements for other terms or
  // candidates.
  void AttachHostileProof(consensus::Message& m);
  // A message the adversary does not send (see above): one an honest node
  // could take as its leader's, an acknowledgement, or a second vote.
  bool WouldForge(const consensus::Message& m) const;
  void StepHostile(const std::string& kind, const consensus::Message& m, bool must_refuse);

  // Client actions.
  void ProposeRandom(bool final_block);
  void IssueRead();
  void StartTransfer();
  void ChangeTargetMembership();

  // Checks.
  void RecordPersisted(const consensus::Entry& entry);
  void RecordCommitted(const consensus::Entry& entry);
  void RecordBlock(uint64_t index, const ledger::Proposal& proposal, const ledger::Block& block);
  void CheckLedgerState(const Node& node);
  void CheckAll();

  const ClusterSimOptions options_;
  std::mt19937_64 rng_;
  std::string dir_;
  std::vector<std::unique_ptr<Node>> nodes_;          // nodes_[id - 1]
  std::shared_ptr<storage::FileFaults> faults_seam_;  // under every store
  std::vector<InFlight> in_flight_;
  std::set<std::pair<consensus::NodeId, consensus::NodeId>> one_way_blocked_;  // (from, to)
  bool faults_ = true;
  uint64_t step_ = 0;
  consensus::NodeId hostile_ = consensus::kNoNode;
  std::map<uint64_t, consensus::NodeId> hostile_votes_;  // term → the candidate it granted

  // Cluster-wide history for the checks.
  std::map<uint64_t, consensus::NodeId> leaders_;                      // term → leader
  std::map<std::pair<uint64_t, uint64_t>, consensus::Entry> entries_;  // (index, term) → entry
  std::map<uint64_t, consensus::Entry> committed_;                     // index → committed entry
  std::map<uint64_t, BlockRecord> blocks_;                             // log index → block
  std::map<std::string, uint64_t> product_accepted_at_;  // "gtin/serial" → log index
  uint64_t max_commit_observed_ = 0;
  std::map<std::pair<consensus::NodeId, uint64_t>, PendingRead> reads_;  // (node, context) → read
  // Partitions of one message class on a link, both ways: (a, b, class)
  // with a < b; class 0 blocks appends (and snapshots), 1 heartbeats.
  std::set<std::tuple<consensus::NodeId, consensus::NodeId, int>> class_blocked_;
  std::map<std::pair<consensus::NodeId, uint64_t>, consensus::NodeId>
      votes_;  // (node, term) → vote
  // The registry history (CheckLinearizable).
  std::vector<IssueRecord> issues_;
  std::map<uint64_t, uint64_t> commit_step_;                // log index → step it first committed
  std::map<std::string, std::vector<RegistryOp>> lookups_;  // product key → lookups
  std::set<std::string> final_keys_;                        // the final documents (HealAndConverge)
  bool healing_ = false;
  std::optional<consensus::Membership> target_;      // membership mode: the ledger's
  consensus::Membership last_committed_membership_;  // for promotions_committed
  uint64_t final_index_ = 0;  // the block that first held a final document; 0 = not yet

  ClusterSimStats stats_;
  std::deque<std::string> history_;
};

}  // namespace frontera::sim
