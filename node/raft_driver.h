// RaftDriver: the deterministic part of a validator's raft thread. It runs the
// loop consensus/raft.h asks of a driver (persist a Ready, then hand out its
// messages, committed entries and read answers, then Advance) and what a
// validator adds around the core:
//   - admitted documents: queued, proposed in blocks by the leader (group
//     commit, at most proposer.inflight_blocks_max uncommitted) or forwarded
//     to the leader by a follower, and proposed again when the leader changes
//     or forward_retry_ms passes before they commit;
//   - ReadIndex rounds, numbered from a per-process start (read_context.h);
//   - leader changes: the block-time floor from the new leader's own log,
//     in-flight documents sent again;
//   - leader-stall detection (raft.leader_stall_ms) and the idle leader's
//     no-op; failing waiting writes after two election timeouts leaderless;
//   - the snapshot lifecycle: received snapshots accepted until the core
//     installs or supersedes them, installs, one stream per follower with
//     its timeout, log compaction behind a snapshot.
//
// It takes inputs (Observe, Tick, Receive, Submit, StartRead, SendFailed,
// SnapshotStreamed, Compact, TransferToBestFollower) and returns what to do
// (DriverActions from Run and Installed). What it decides depends on its
// inputs only: the time is passed in (Observe), nothing here reads a clock
// (except to measure log-sync time for a metric), starts a thread or touches
// a file; the one output it performs itself is persisting each Ready to the
// RaftLogStore, before the Ready's messages are handed out. fronterad's
// Validator runs it on its raft thread (node/validator.h); tests run it
// directly.
//
// Thread-safety: not thread-safe; one thread drives a RaftDriver.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/metrics.h"
#include "common/status.h"
#include "consensus/raft.h"
#include "ledger/block.h"
#include "node/config.h"

namespace frontera::storage {
class RaftLogStore;
}

namespace frontera::node {

// A document admitted on this node, waiting to be proposed. `key` is
// DocumentKey(document).
struct QueuedDocument {
  std::string key;
  ledger::ProposedDocument document;
};

// The key that names a document while it waits: SHA-256 over its kind,
// certificate id and canonical bytes (32 raw bytes).
std::string DocumentKey(const ledger::ProposedDocument& document);

// What the driver's owner must do after a call, in this order: send
// `messages`, stream `snapshot_streams`, send `forwards`, apply `committed`,
// answer `reads`, fail `failed_writes`, delete `discard`; then, when
// `install` is set, install that snapshot and call Installed() before any
// other call.
struct DriverActions {
  struct Forward {
    consensus::NodeId leader = consensus::kNoNode;
    ledger::Proposal proposal;
  };
  struct Install {
    consensus::SnapshotMeta snapshot;
    std::string dir;  // the directory given with its kSnapshot message
  };
  struct LeaderChange {
    consensus::NodeId leader = consensus::kNoNode;  // kNoNode: none known
    uint64_t term = 0;
  };

  // Persisted already: send them (never kSnapshot). A failed append is
  // reported back with SendFailed.
  std::vector<consensus::Message> messages;
  // kSnapshot messages: stream the snapshot's files to message.to, then send
  // the message; report the end with SnapshotStreamed.
  std::vector<consensus::Message> snapshot_streams;
  std::vector<Forward> forwards;
  std::vector<consensus::Entry> committed;  // to apply, in order
  std::vector<consensus::ReadState> reads;  // answered read rounds, by context
  // Keys of documents this node gives up on (no leader for two election
  // timeouts): answer their clients kUnavailable.
  std::vector<std::string> failed_writes;
  std::vector<std::string> discard;  // snapshot directories no longer needed
  std::optional<LeaderChange> leader_change;
  std::optional<Install> install;
  // Leaders this node stopped following (raft.leader_stall_ms), for the log.
  std::vector<consensus::NodeId> distrusted;

  bool empty() const;
};

// The core's configuration from a validator's: timing, limits, PreVote and
// CheckQuorum. The caller sets id, peers, authority, seed and applied_index.
consensus::RaftConfig CoreConfig(const NodeConfig& config);

class RaftDriver {
 public:
  // What the owner tells the driver before each round of inputs.
  struct Observation {
    int64_t steady_ms = 0;           // a monotonic clock
    int64_t unix_ms = 0;             // wall clock: a new block's time
    uint64_t applied_index = 0;      // the last entry the state machine applied
    int64_t last_block_time_ms = 0;  // the last applied block's time
  };

  // Creates the core over `store` (which must outlive the driver and is
  // written only by it). `core` is the consensus configuration; `config`
  // gives the proposer, timing and retention limits. `first_read_context`
  // is this process's first read round (FirstReadContext()).
  static Result<std::unique_ptr<RaftDriver>> Create(const NodeConfig& config,
                                                    const consensus::RaftConfig& core,
                                                    storage::RaftLogStore* store,
                                                    uint64_t first_read_context);

  // Inputs.
  void Observe(const Observation& observation);
  // One Raft tick and the periodic checks (snapshot stream timeouts, leader
  // stall, leaderless writes, forward retries).
  void Tick();
  // A message from a peer, already decoded and addressed to this node. A
  // kSnapshot message needs `snapshot_dir`, the verified snapshot's files,
  // which the driver keeps until the core installs or drops it (the
  // directory is then in an Install or in `discard`). Returns the core's
  // refusal (raft.h), after which the directory is in `discard`.
  Status Receive(const consensus::Message& message, std::optional<std::string> snapshot_dir);
  // Queues a document; false when proposer.queue_depth_max are queued.
  bool Submit(QueuedDocument document);
  // Starts a ReadIndex round; its context, or nullopt when the core cannot
  // start one (no leader yet).
  std::optional<uint64_t> StartRead();
  // An append handed out in `messages` could not be queued for its peer.
  void SendFailed(consensus::NodeId peer);
  // A snapshot stream handed out in `snapshot_streams` ended.
  void SnapshotStreamed(consensus::NodeId peer, bool ok);
  // Compacts the log to `newest`, a snapshot this node holds, when it is
  // newer than the core's, log_retain_entries are applied beyond it and
  // `verifiable` (it holds its majority-signed state note). Returns whether
  // it compacted; an error when the store failed (stop the node).
  Result<bool> Compact(const consensus::SnapshotMeta& newest, bool verifiable);
  // A leader hands leadership to its most up-to-date follower.
  void TransferToBestFollower();
  // The membership the ledger asks for (its active validators as voters, its
  // observers as learners). A leader moves the core's membership toward it
  // one single-server change at a time (consensus::NextMembershipStep), each
  // once the previous one committed; `context` is recorded with each change.
  void SetTargetMembership(consensus::Membership target, std::string context);
  // Voters a verified voter chain vouches for beyond the applied ledger
  // (consensus::Raft::SetAttestedVoters); empty: none.
  void SetAttestedVoters(std::vector<consensus::NodeId> voters) {
    raft_->SetAttestedVoters(std::move(voters));
  }
  // Membership changes this node proposed (as leader).
  uint64_t membership_changes() const { return membership_changes_; }
  // A leader hands leadership to `target` (consensus::Raft::TransferLeadership:
  // abandoned after an election timeout when the target never takes it).
  Status TransferLeadership(consensus::NodeId target);

  // Proposes or forwards queued documents and processes the core's Readies
  // (persisting each). An error means the log store failed: the durable
  // state is unknown, stop the node.
  Result<DriverActions> Run();
  // After an Install action: the state machine holds the snapshot; records
  // it in the log store and continues the Ready it came with.
  Result<DriverActions> Installed();

  // State for status and metrics.
  const consensus::Raft& raft() const { return *raft_; }
  // The core's own consistency checks (consensus::Raft::CheckInvariants),
  // for tests; a violation aborts.
  void CheckInvariants() { raft_->CheckInvariants(); }
  size_t queued() const { return queue_.size(); }
  uint64_t ticks() const { return ticks_; }
  uint64_t leaders_distrusted() const { return leaders_distrusted_; }
  uint64_t forwarded() const { return forwarded_; }
  // Durations of the synced Raft log writes (entries and hard state made
  // durable), for the frontera_log_sync_seconds histogram.
  const api::LatencyHistogram& log_sync_seconds() const { return log_sync_seconds_; }

 private:
  struct InFlight {
    ledger::ProposedDocument document;
    int64_t sent_ms = 0;
  };
  struct SnapshotSend {
    consensus::SnapshotMeta snapshot;
    int64_t started_ms = 0;
    bool streaming = true;  // handed out and not reported yet
  };

  RaftDriver(const NodeConfig& config, storage::RaftLogStore* store, uint64_t first_read_context);

  void OnLeaderChange(DriverActions& out);
  void ProposeOrForward(DriverActions& out);
  // Processes Readies until none is left or one carries a snapshot to
  // install (pending_).
  Status ProcessReadies(DriverActions& out);
  // The rest of a Ready once its snapshot, if any, is installed.
  Status FinishReady(consensus::Ready rd, DriverActions& out);
  void HandOut(consensus::Message m, DriverActions& out);
  void TrackInFlight(const std::string& key, const ledger::ProposedDocument& d);
  // Puts in-flight documents back in front of the queue: all of them, or
  // those sent before `older_than_ms`.
  void RequeueInFlight(std::optional<int64_t> older_than_ms);
  void FailWaitingWrites();
  void CheckLeaderStall();
  void CheckSnapshotSends();
  // Leader: proposes the next step toward target_membership_, if any.
  void MaybeChangeMembership();

  const NodeConfig config_;
  storage::RaftLogStore* const store_;
  std::unique_ptr<consensus::Raft> raft_;
  std::optional<consensus::Membership> target_membership_;
  std::string target_context_;
  uint64_t membership_changes_ = 0;
  Observation now_;
  DriverActions tick_out_;                   // what Tick and inputs decided, handed out by Run
  std::optional<consensus::Ready> pending_;  // a Ready waiting for its snapshot install

  std::deque<QueuedDocument> queue_;  // <= proposer.queue_depth_max
  // Documents proposed or forwarded from here and not committed yet, by key,
  // with when they were sent. A document committed twice is refused the
  // second time by the ledger's rules, so a retry never duplicates.
  std::unordered_map<std::string, InFlight> in_flight_;  // <= queue_depth_max
  std::deque<std::string> in_flight_order_;
  consensus::NodeId last_leader_ = consensus::kNoNode;
  uint64_t last_leader_term_ = 0;
  int64_t block_time_floor_ms_ = 0;  // a new block's time is never below this
  uint64_t next_read_context_;
  uint64_t ticks_ = 0;
  uint64_t leaderless_ticks_ = 0;
  // Leader-stall detection: when the commit index last moved under this leader.
  uint64_t stall_commit_seen_ = 0;
  consensus::NodeId stall_leader_ = consensus::kNoNode;
  int64_t stall_commit_moved_ms_ = 0;
  std::map<consensus::NodeId, SnapshotSend> snapshot_sends_;
  // Verified snapshots stepped into the core, by (index, term): a Ready's
  // snapshot installs one of them.
  std::map<std::pair<uint64_t, uint64_t>, std::string> accepted_snapshots_;

  uint64_t leaders_distrusted_ = 0;
  uint64_t forwarded_ = 0;
  api::LatencyHistogram log_sync_seconds_;
};

}  // namespace frontera::node
