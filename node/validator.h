// Validator: one Frontera validator node — the api::Backend over the ledger,
// replicated with Raft among the genesis validators (docs/consensus.md).
//
// Threads and the write path:
//   HTTP thread: Admit (parse, verify, check against the current state) →
//     queue, and wait for the document to be applied
//   raft thread: runs the RaftDriver (node/raft_driver.h), which decides
//     everything deterministically from its inputs: timer → Tick; peer
//     message → Receive; queued documents → Submit; on the leader, one
//     proposal per batch (a block); on a follower, forwarded to the leader;
//     each Ready persisted (one synced write) before its actions come back.
//     This thread carries the actions out: sends messages, starts snapshot
//     streams, hands committed entries to the apply thread
//   apply thread: StateMachine::Apply → write → publish → sign the block's
//     checkpoint and send the signatures to the peers → answer every client
//     waiting for a document of the block; snapshots every
//     raft.snapshot_interval_entries blocks
//   transport thread (PeerTransport): frames in and out
// A client is answered only once its document's entry is committed (durable
// on a majority) and applied here, whichever node it was sent to.
//
// Thread-safety: all public methods are thread-safe. Members guarded by a
// lock say so (GUARDED_BY, checked by clang: scripts/thread_safety.sh);
// members marked "raft thread" are touched by that thread only.
//
// The apply thread is the ledger store's only writer: it applies blocks,
// installs snapshots and publishes co-signed checkpoints (a co-signature
// completed by a peer's frame only wakes it: cosigned_waiting_). RocksDB
// allows concurrent writers, but one writer keeps the ledger's writes in
// one order and leaves no interleaving to reason about.
//
// Lock order. Every lock here (mu_, waiters_mu_, apply_mu_, snapshot_mu_,
// status_mu_, ledger_mu_, link_answer_mu_, the refusal counters' locks) is a leaf: held for a
// few statements, with no other lock taken inside it (Submit forgets a
// waiter after releasing mu_; WriteStateNotes takes the cosigner's notes
// before snapshot_mu_; PublishCosigned takes the cosigner's lock, ledger_mu_
// and the state machine's locks each in turn, never nested). Only
// snapshot_mu_ is held across file writes (the state notes, a few hundred
// bytes each, and the voter chain's links, a few KiB each). The peer transport's Send, which takes
// its own lock, is called with none held. Condition-variable waits release only the lock
// // they wait on, and never with another held.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/backend.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "consensus/raft.h"
#include "crypto/ed25519.h"
#include "ledger/state_machine.h"
#include "node/audit_trail.h"
#include "node/checkpoint_cosigner.h"
#include "node/config.h"
#include "node/election_signer.h"
#include "node/gln_directory.h"
#include "node/item_filter_cosigner.h"
#include "node/peer_transport.h"
#include "node/raft_driver.h"
#include "node/read_context.h"
#include "node/refusal_counter.h"
#include "node/snapshot_catalog.h"
#include "node/snapshot_transfer.h"
#include "node/state_note.h"
#include "node/witness_submitter.h"
#include "storage/kv_store.h"

namespace frontera::storage {
class RaftLogStore;
}

namespace frontera::node {

class PeerTransport;

class Validator final : public api::Backend {
 public:
  // Opens the stores, replays committed entries not yet applied, joins the
  // peer links and starts the threads. REQUIRES: clock outlives this.
  static Result<std::unique_ptr<Validator>> Open(const NodeConfig& config,
                                                 const crypto::KeyPair& key, const Clock* clock);
  // What Open checks before it touches the data directory: the config's
  // values, the genesis file, that `key` is the key genesis lists for this
  // validator (when it lists it) and the [peers] names. Returns the genesis.
  // Touches nothing (`fronterad --check-config`).
  static Result<ledger::Genesis> CheckSetup(const NodeConfig& config, const crypto::KeyPair& key);
  ~Validator() override;

  // A leader first hands leadership to its most up-to-date follower (Raft
  // thesis §3.10), waiting up to two election timeouts, so that the cluster
  // does not sit out an election timeout; returns the new leader's name, or
  // empty when this node did not lead or the transfer did not finish.
  std::string HandOverLeadership();

  // Stops taking writes, fails waiting ones with kUnavailable, closes the
  // peer links, joins threads. Idempotent.
  void Stop();

  // The port the peer link listens on (0 for a single-validator network).
  uint16_t peer_port() const;

  Result<api::Receipt> IssueCertificate(const api::Json& credential) override;
  Result<api::Receipt> RecordEvent(const std::string& certificate_id,
                                   const api::Json& event) override;
  Result<api::Receipt> Revoke(const std::string& certificate_id,
                              const api::Json& revocation) override;
  Result<api::Receipt> ChangeRegistry(const api::Json& document) override;
  Result<api::Receipt> FileNotice(const api::Json& notice) override;
  Result<api::Json> GetNotice(const std::string& id, const api::Reader& reader) override;
  Result<api::Json> GetCertificate(const std::string& id, const api::Reader& reader) override;
  Result<api::InclusionProofView> GetProof(const std::string& id) override;
  Result<api::InclusionProofView> GetLeafProof(uint64_t leaf_index) override;
  Result<std::string> GetCheckpoint() override;
  Result<std::string> GetTlogTile(const ledger::TileAddress& tile,
                                  const api::Reader& reader) override;
  Result<api::ConsistencyProofView> GetConsistency(uint64_t first, uint64_t second) override;
  Result<api::Json> GetBlock(uint64_t height, const api::Reader& reader) override;
  Result<api::Json> ListParties(const api::PartiesQuery& query) override;
  Result<api::Json> GetParty(const std::string& did) override;
  Result<api::Json> ListValidators() override;
  Result<api::Json> GetTrustBundle() override;
  Result<api::Json> CheckLabel(const std::string& label_uri, const api::Reader& reader) override;
  Result<api::Json> GetAudit(const api::AuditQueryParams& query,
                             const api::Reader& reader) override;
  Result<api::EpcisPage> QueryEvents(const api::EpcisQuery& query,
                                     const api::Reader& reader) override;
  // DSCSA verification (node/validator_vrs.cc).
  Result<api::VrsAnswer> AnswerVrs(const api::VrsRequest& request,
                                   const api::Reader& reader) override;
  Result<api::VrsAnswer> AnswerVrsConnectivity(const api::VrsConnectivityRequest& request,
                                               const api::Reader& reader) override;
  crypto::Signature SignVrsAnswer(std::string_view signature_base) override;
  Status AwaitLinearizableRead() override;
  api::Json GetStatus() override;
  bool Healthy() override;
  // The "state" object of /v1/status: serving or diverged, and the peer
  // messages refused by peer and reason.
  api::Json StateStatus();
  api::MetricSet GetMetrics() override;
  // POST /v1/backup (node/validator_backup.cc): a copy of this node's data
  // directory that it can restart from, written while it runs under
  // [backup] dir; the answer names it (docs/operations.md#backups).
  // kResourceExhausted while another backup is being written; kUnavailable
  // when a snapshot install overtook it (retry); kIOError when the disk
  // refused.
  Result<api::Json> Backup() override;

 private:
  // The ledger state: its own RocksDB directory, replaced whole when a
  // snapshot from the leader is installed. Readers hold a reference while
  // they read.
  struct Ledger {
    std::string dir;
    std::unique_ptr<storage::KvStore> store;
    std::unique_ptr<ledger::StateMachine> sm;
  };
  struct Waiter {
    std::promise<Result<api::Receipt>> answer;
  };
  // What the raft thread hands to the apply thread.
  struct ApplyItem {
    consensus::Entry entry;                          // when !install
    std::optional<consensus::SnapshotMeta> install;  // a snapshot from the leader
    std::string install_dir;
  };
  // A message for the raft thread from the transport or the apply thread.
  struct Inbound {
    uint64_t from = 0;
    std::string payload;
  };
  struct ReadRound {
    uint64_t context = 0;
    uint64_t index = 0;  // set once the read state arrived
    bool done = false;
  };

  Validator(const NodeConfig& config, const crypto::KeyPair& key, const Clock* clock,
            ledger::Genesis genesis);

  Status OpenStores();
  Status StartRaft();
  std::shared_ptr<Ledger> CurrentLedger() const;

  Result<api::Receipt> Submit(ledger::DocumentKind kind, const std::string& certificate_id,
                              const api::Json& document);
  void OnPeerFrame(uint64_t from, std::string payload);  // transport thread
  // A leader admits documents a follower forwarded exactly as if a client
  // had posted them here, and queues those that pass (transport thread).
  void AdmitForwarded(uint64_t from, std::string_view body);
  // A peer sent something that breaks the protocol: dropped, counted by
  // peer and reason for /metrics, logged (rate-limited). Any thread.
  void RefusePeer(uint64_t from, std::string_view reason, std::string_view detail);
  // Counts a document refused at admission; logs the first of each (kind,
  // problem type) and then at most one line per pair every 10 s.
  void LogRefusedDocument(ledger::DocumentKind kind, const Status& status);
  // The peer's name for logs and metrics ("peer-<id>" for an unknown id).
  std::string PeerName(uint64_t id) const;
  // Follower side: checks the blocks of a leader's Append before the core
  // sees it (size limits, block time monotonic and not beyond the clock
  // bound). OK or the reason to refuse. Raft thread.
  Status CheckLeaderBlocks(const consensus::Message& m);

  // Raft thread.
  void RaftLoop();
  // Tells the driver the time and what the apply thread applied.
  void ObserveForDriver();
  void HandleInbound(Inbound inbound);
  void StartReadRound();
  // Runs the driver and carries out its actions (Execute) until no
  // snapshot install is pending; false when stopping.
  bool RunDriver();
  // Carries out one DriverActions; false when stopping.
  bool Execute(DriverActions actions);
  void SendRaftMessage(consensus::Message message);
  void StreamSnapshotTo(const consensus::Message& message);
  void MaybeCompact();
  void RemoveSnapshots(const std::vector<consensus::SnapshotMeta>& removed);
  // Answers the clients waiting for these documents with kUnavailable.
  void FailWrites(const std::vector<std::string>& keys);

  // Apply thread.
  void ApplyLoop();
  void ApplyEntry(const consensus::Entry& entry);
  void InstallSnapshot(const consensus::SnapshotMeta& snapshot, const std::string& dir);
  // Whether the block applied at `index` is due for a snapshot.
  bool SnapshotDue(uint64_t index);
  // Snapshots the ledger as of block `height` (its entry at index, term).
  void TakeSnapshot(uint64_t index, uint64_t term, uint64_t height);
  // The state note body of the ledger as applied at entry (index, term).
  std::string StateBody(const Ledger& ledger, uint64_t index, uint64_t term) const;
  // The voters who sign the notes of block `height`, just applied to
  // `ledger` (ledger/voter_chain.h). Apply thread.
  ledger::NoteQuorum NoteQuorumOf(const std::shared_ptr<Ledger>& ledger, uint64_t height);
  // Signs the notes of the block just applied and sends the signatures to
  // the peers (when this node is one of its voters). Apply thread.
  void CosignApplied(const std::shared_ptr<Ledger>& ledger, uint64_t index, uint64_t term);
  // Puts each majority-signed state note into its snapshot's directory.
  // Any thread.
  void WriteStateNotes();
  // Puts the links of the voter chain `ledger` holds into every snapshot
  // directory: a link co-signed after a snapshot was taken travels with it.
  void WriteVoterChangesToSnapshots(const Ledger& ledger);
  // Stores `links` (complete, checked) in `ledger`'s store and beside every
  // snapshot (apply thread).
  void KeepVoterChanges(const Ledger& ledger, const std::vector<ledger::VoterChange>& links);
  // The voter chain's repair (node/validator_voter_chain.cc): a peer asks
  // for a link (transport thread); a peer sends one (transport thread: queued
  // for the apply thread); keeps the links received and asks for the lowest
  // one missing (apply thread, from PublishCosigned).
  // Also every kVoterChainIdleInterval the apply thread is idle.
  static constexpr std::chrono::seconds kVoterChainIdleInterval{2};
  void OnVoterChangeAsk(uint64_t from, std::string_view body);
  void OnVoterChange(uint64_t from, std::string_view body);
  void RepairVoterChain(const std::shared_ptr<Ledger>& ledger);
  // {voters, links}: the links of the voter chain up to the block of the
  // published `revocations_note`, and the voters they lead to (its).
  // kUnavailable when this node lacks a link.
  Result<api::Json> VoterChainTo(const std::string& revocations_note);
  // Accounts for a full-view read in the audit trail; the read must not be
  // answered when this fails.
  Status AuditRead(const api::Reader& reader, std::string_view what, std::string_view record);
  // CheckLabel's answer in the full view, whoever reads.
  Result<api::Json> CheckLabelFull(const std::string& label_uri);
  // Publishes the newest checkpoint a majority co-signed (apply thread).
  void PublishCosigned();

  // The certified-item filter (node/validator_item_filter.cc). Apply thread:
  // after block `block_height` (tree size `tree_size`, block time
  // `block_time_ms`, the previous block's `previous_block_time_ms`), asks
  // the filter thread for a filter when the block is the first of an
  // item_filter.interval_s of block time.
  void ScheduleItemFilter(const std::shared_ptr<Ledger>& ledger, uint64_t block_height,
                          uint64_t tree_size, int64_t previous_block_time_ms,
                          int64_t block_time_ms);
  // The filter thread: builds the filter asked for, signs its note and sends
  // the signature to the peers; every interval resends its signature on a
  // note that has no majority yet.
  void ItemFilterLoop();
  // A peer's signature on its item filter note (transport thread).
  void OnItemFilterSignature(uint64_t from, std::string_view body);
  // {"note", "filter"} of the newest co-signed filter when it is signed by
  // a majority of `voters` and not newer than `checkpoint_tree_size`, else
  // null (docs/formats.md §11).
  api::Json ItemFilterJson(const ledger::Voters& voters, uint64_t checkpoint_tree_size) const;
  // Stops serving the state once the cosigner saw a majority sign a state
  // that differs from ours (status, metric, log).
  void CheckDivergence();
  // OK, or kUnavailable once this validator's state diverged.
  Status Serving() const;
  // What every VRS answer starts from: the signer, the latest co-signed
  // checkpoint (kUnavailable before the first) and the requestor decision.
  Result<api::VrsAnswer> VrsPreamble(const std::string& req_gln, const api::Reader& reader,
                                     const ledger::StateMachine& sm);

  // Raft thread: checks a received snapshot before it is stepped: its state
  // note is signed by the voters of its block, as the voter chain from the
  // genesis leads to them, and names these (index, term), and the roots
  // recomputed from the received files equal the note's.
  Status VerifySnapshot(const std::string& dir, const consensus::SnapshotMeta& meta);
  // The quorum the state note of block `height` of the received store needs:
  // follows the links it holds (and those in its directory's file, which
  // are staged into it) from the genesis validators.
  Result<ledger::NoteQuorum> SnapshotQuorum(const std::string& dir, storage::KvStore& store,
                                            uint64_t height);

  // The validators this node knows (the genesis's, then the ledger's), as
  // names by Raft id, and the ids of the others.
  std::map<consensus::NodeId, std::string> Names() const;
  std::vector<consensus::NodeId> PeerIds() const;
  // Raft thread: after the ledger's validators or the core's membership
  // changed, updates the names, the election keys, the transport's peers
  // and the driver's target membership (docs/consensus.md#membership-changes).
  void RefreshMembers();

  const NodeConfig config_;
  const crypto::KeyPair key_;
  const Clock* const clock_;
  const ledger::Genesis genesis_;
  consensus::NodeId self_id_ = 0;
  // A validator the genesis does not list: added later by the agencies.
  bool joined_ = false;
  mutable Mutex members_mu_;
  std::map<consensus::NodeId, std::string> names_ GUARDED_BY(members_mu_);
  consensus::Membership membership_ GUARDED_BY(members_mu_);  // the core's, for status
  std::vector<ledger::ValidatorRecord> validator_set_ GUARDED_BY(members_mu_);
  // Raft thread: what RefreshMembers last saw, and gave the transport.
  const void* ledger_seen_ = nullptr;
  uint64_t validator_changes_seen_ = 0;
  consensus::Membership membership_seen_;
  std::vector<PeerEndpoint> endpoints_;
  std::shared_ptr<ElectionSigner> signer_;

  GlnDirectory gln_directory_;  // reqGLN → parties (DSCSA verification)

  mutable Mutex ledger_mu_;
  std::shared_ptr<Ledger> ledger_ GUARDED_BY(ledger_mu_);

  std::unique_ptr<storage::RaftLogStore> log_store_;  // the driver's (after Open)
  std::unique_ptr<RaftDriver> driver_;                // raft thread only (after Open)
  std::unique_ptr<PeerTransport> transport_;
  std::unique_ptr<CheckpointCosigner> cosigner_;
  std::unique_ptr<AuditTrail> audit_;  // the full-view reads served (after Open)
  std::unique_ptr<ItemFilterCosigner> filter_cosigner_;
  // The filter thread's input: the newest filter asked for (an older one
  // not started yet is superseded).
  struct ItemFilterJob {
    uint64_t block_height = 0;
    uint64_t tree_size = 0;
    ledger::Voters voters;
    std::shared_ptr<Ledger> ledger;
  };
  Mutex filter_mu_;
  std::condition_variable filter_cv_;
  std::optional<ItemFilterJob> filter_due_ GUARDED_BY(filter_mu_);
  bool filter_stopping_ GUARDED_BY(filter_mu_) = false;
  std::thread filter_thread_;
  std::atomic<uint64_t> filter_builds_{0};
  std::atomic<uint64_t> filter_build_millis_{0};  // of the last build
  // Apply thread: the validator set NoteQuorumOf last read, of which ledger
  // and after how many changes.
  std::vector<ledger::ValidatorRecord> quorum_set_;
  std::shared_ptr<Ledger> quorum_set_ledger_;
  uint64_t quorum_set_changes_ = 0;

  // Raft thread state and its inputs.
  Mutex mu_;
  std::condition_variable raft_cv_;
  // Documents admitted here for the driver, which takes them all each round.
  std::deque<QueuedDocument> pending_ GUARDED_BY(mu_);
  size_t driver_queued_ GUARDED_BY(mu_) = 0;   // the driver's queue, as of its last round
  std::deque<Inbound> inbox_ GUARDED_BY(mu_);  // <= kInboxMax frames
  size_t inbox_bytes_ GUARDED_BY(mu_) = 0;     // <= raft.inbox_bytes_max
  // Bytes of inbox_ by sender, each <= its share.
  std::map<uint64_t, size_t> inbox_peer_bytes_ GUARDED_BY(mu_);
  std::atomic<uint64_t> leaders_distrusted_{0};
  bool hand_over_requested_ GUARDED_BY(mu_) = false;
  size_t propose_threshold_ GUARDED_BY(mu_) = 1;    // queue size that wakes the raft thread
  std::deque<ReadRound*> readers_ GUARDED_BY(mu_);  // reads waiting for a round
  std::atomic<bool> stopping_{false};               // set under mu_; read under other locks too
  std::condition_variable read_cv_;
  std::map<uint64_t, std::vector<ReadRound*>> read_rounds_ GUARDED_BY(mu_);  // by context
  std::optional<SnapshotReceiver> snapshot_receiver_;                        // raft thread
  // Where a received snapshot is moved once complete (raft thread): one
  // directory per copy, so that a copy the leader sends again never
  // replaces files the driver holds.
  uint64_t accepted_copies_ = 0;

  // Documents' waiting clients and admission results, by DocumentKey.
  Mutex waiters_mu_;
  std::unordered_map<std::string, std::deque<std::shared_ptr<Waiter>>> waiters_
      GUARDED_BY(waiters_mu_);
  std::unordered_map<std::string, std::shared_ptr<const ledger::ParsedDocument>> parsed_
      GUARDED_BY(waiters_mu_);
  std::deque<std::string> parsed_order_ GUARDED_BY(waiters_mu_);  // eviction order of parsed_

  // Apply thread state and its input.
  Mutex apply_mu_;
  std::condition_variable apply_cv_;
  std::condition_variable apply_space_cv_;
  std::deque<ApplyItem> apply_queue_ GUARDED_BY(apply_mu_);  // <= kApplyQueueMax
  // A peer's co-signature may have completed a checkpoint: the apply thread
  // publishes it.
  bool cosigned_waiting_ GUARDED_BY(apply_mu_) = false;
  // Links of the voter chain from peers, by sender, for the apply thread.
  std::vector<std::pair<uint64_t, ledger::VoterChange>> received_links_ GUARDED_BY(apply_mu_);
  std::chrono::steady_clock::time_point last_link_ask_;  // apply thread
  // Links above the ledger applied here, each verified from the genesis
  // through the links below it (apply thread). The voters after the last
  // one also count a leader's election certificate: a node that missed a
  // voter's removal and the election after it follows the new leader
  // (consensus::Raft::SetAttestedVoters). Dropped once the ledger reaches them.
  std::vector<ledger::VoterChange> future_links_;
  // Those voters, for the Raft thread (RefreshMembers), by generation.
  ledger::Voters attested_voters_ GUARDED_BY(members_mu_);
  uint64_t attested_generation_ GUARDED_BY(members_mu_) = 0;
  uint64_t attested_generation_seen_ = 0;  // Raft thread
  Mutex link_answer_mu_;
  std::map<uint64_t, std::chrono::steady_clock::time_point> link_answered_
      GUARDED_BY(link_answer_mu_);
  std::condition_variable applied_cv_;  // signalled with apply_mu_ when applied_index_ grows
  std::atomic<uint64_t> applied_index_{0};
  // One backup at a time (Backup).
  std::atomic<bool> backup_running_{false};
  // Snapshots this node holds, and which may be deleted (snapshot_catalog.h).
  Mutex snapshot_mu_;
  SnapshotCatalog snapshots_ GUARDED_BY(snapshot_mu_);
  // Block height of each snapshot still without its state note, by index.
  std::map<uint64_t, uint64_t> snapshot_heights_ GUARDED_BY(snapshot_mu_);
  // Majority-signed state notes not yet written into their snapshot, by height.
  std::map<uint64_t, std::string> completed_notes_ GUARDED_BY(snapshot_mu_);

  std::thread raft_thread_;
  std::thread apply_thread_;
  // One sender per follower: the raft thread joins a finished one before it
  // starts the next; Stop joins them all.
  std::map<consensus::NodeId, std::thread> snapshot_threads_;

  // Raft state for /v1/status, copied by the raft thread.
  mutable Mutex status_mu_;
  std::map<consensus::NodeId, uint64_t> match_ GUARDED_BY(status_mu_);  // leader only
  uint64_t last_index_ GUARDED_BY(status_mu_) = 0;
  std::string last_cosign_ GUARDED_BY(status_mu_);  // this node's latest co-signature frame
  std::atomic<int64_t> last_block_time_{0};         // time of the last applied block
  std::atomic<uint64_t> applied_height_{0};         // height of the last applied block
  // Set once; this node then answers reads and writes with kUnavailable.
  std::atomic<bool> diverged_{false};
  std::optional<Divergence> divergence_ GUARDED_BY(status_mu_);

  // Peer messages refused, by (peer name, reason), and documents refused at
  // admission, by (kind, problem type slug): counted for the metrics, logged
  // once per pair every 10 s (a flood logs a few lines, not one per refusal).
  RefusalCounter peer_refusals_{std::chrono::seconds(10)};
  RefusalCounter document_refusals_{std::chrono::seconds(10)};
  std::atomic<uint64_t> inbox_dropped_{0};
  std::atomic<uint64_t> entries_not_proposals_{0};

  // Metrics.
  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> admitted_{0};
  std::atomic<uint64_t> refused_at_admission_{0};
  std::atomic<uint64_t> retries_answered_{0};  // identical documents answered with their receipt
  std::atomic<uint64_t> accepted_{0};
  // Documents rejected at apply, by problem type slug (a fixed set:
  // api::ProblemType).
  std::map<std::string, uint64_t> rejected_at_apply_by_problem_ GUARDED_BY(waiters_mu_);
  std::atomic<uint64_t> blocks_{0};
  api::LatencyHistogram log_sync_seconds_ GUARDED_BY(status_mu_);  // copied from the driver
  std::atomic<uint64_t> compactions_{0};                           // Raft log compactions
  std::atomic<uint64_t> apply_micros_{0};
  std::atomic<uint64_t> queue_depth_{0};
  std::atomic<uint64_t> forwarded_{0};
  std::atomic<uint64_t> snapshots_taken_{0};
  std::atomic<uint64_t> snapshots_installed_{0};
  std::atomic<uint64_t> snapshots_sent_{0};
  std::atomic<uint64_t> reads_linearizable_{0};
  std::atomic<uint64_t> commit_index_{0};
  std::atomic<uint64_t> first_index_{1};  // the Raft log's first entry (after compaction)
  std::atomic<uint64_t> term_{0};
  std::atomic<int> role_{0};
  std::atomic<uint64_t> leader_{0};
  std::atomic<uint64_t> cosigned_height_{0};

  // Submits published checkpoints to the genesis's witnesses; null when it
  // lists none. Set in Open, never replaced. Last, so destroyed first: its
  // threads use the ledger through CurrentLedger().
  std::unique_ptr<WitnessSubmitter> witnesses_;
};

}  // namespace frontera::node
