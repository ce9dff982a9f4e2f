// Raft: a pure, deterministic Raft core (Ongaro & Ousterhout, "In Search of an
// Understandable Consensus Algorithm", §5; Ongaro's thesis §4.2.3 and §9.6 for
// CheckQuorum and PreVote), shaped like etcd raft's RawNode/Ready.
//
// The core takes inputs (Tick, Step, Propose) and returns outputs (GetReady);
// it never touches clocks, disks, sockets or threads, and its only randomness
// is a generator seeded from Config::seed. The driver loop is:
//
//   while (raft.HasReady()) {
//     Ready rd = raft.GetReady();
//     persist rd.hard_state and rd.entries (synced);  // before sending!
//     send rd.messages; apply rd.committed_entries;
//     raft.Advance(rd);
//   }
//
// The persist-before-send contract is what makes the core's own counting
// safe, and a driver must keep it:
// - A leader counts its own log toward a quorum as soon as it appends
//   (MaybeCommit), before the append is synced. That is safe only because
//   nothing leaves the node before the Ready holding the entries is synced:
//   the followers' acknowledgements that complete a quorum answer appends
//   this Ready (or a later one) sent, so they arrive after the sync.
// - A vote or a term in rd.hard_state must be durable before the vote
//   response leaves; a node that forgot a vote could vote twice in a term.
// - Entries a follower acknowledges (kAppendResponse in rd.messages) are in
//   rd.entries of the same Ready or an earlier one.
// Sending rd.messages from another thread while persisting, or persisting
// asynchronously, breaks these; pipelining the leader's own sync with its
// sends would need the core to count its own entries only after a storage
// completion is reported.
//
// Thread-safety: not thread-safe; one thread drives a Raft instance.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "consensus/election_authority.h"
#include "consensus/log_storage.h"
#include "consensus/types.h"

namespace frontera::consensus {

struct RaftConfig {
  NodeId id = kNoNode;  // This node; non-zero.
  // The initial membership: what holds until the log's snapshot point or a
  // kConfig entry records another (thesis §4). peers are the voters
  // (non-empty), learners the non-voting members; all distinct and non-zero.
  // A node in neither is joining: it waits for a leader to send it the log.
  std::vector<NodeId> peers;
  std::vector<NodeId> learners;
  // A learner is promoted to voter only when its log is within this many
  // entries of the leader's commit index (thesis §4.2.1: a new server
  // catches up before it counts). In [0, 2^32].
  uint64_t promote_lag_max = 1000;
  uint32_t election_ticks = 10;          // >= 2 * heartbeat_ticks.
  uint32_t heartbeat_ticks = 1;          // >= 1.
  uint32_t max_inflight_appends = 8;     // Per follower, in [1, 1024].
  uint32_t max_entries_per_append = 64;  // In [1, 65536].
  // Proposals beyond this many uncommitted entries are refused (back-pressure).
  uint32_t max_uncommitted_entries = 4096;  // In [1, 1048576].
  // ReadIndex requests a leader holds unanswered (its own and its
  // followers'); beyond it ReadIndex is refused (back-pressure).
  uint32_t max_pending_reads = 1024;  // In [1, 65536].
  bool pre_vote = true;               // Thesis §9.6.
  bool check_quorum = true;           // Thesis §6.2 / §4.2.3.
  uint64_t seed = 0;                  // Seeds the randomized election timeout.
  uint64_t applied_index = 0;         // Last entry the state machine already applied (<= commit).
  // A peer's message whose term is more than this beyond current_term is
  // refused as a protocol violation rather than adopted: one hostile peer
  // cannot push the cluster's term to the end of its range. Honest terms grow
  // by one per election, and with PreVote a node cut off from the others does
  // not grow its term at all. In [1, 2^40].
  uint64_t max_term_step = 1'000'000;
  // With check_quorum, a leader ignores a later term from a peer that took
  // part in its term within this many CheckQuorum periods (election
  // timeouts): such a peer cannot be a follower stuck at a later term, and
  // one hostile peer may not depose a working leader at will. A peer silent
  // at this leader's term for that long is heard (Raft §5.1: the leader steps
  // down, so a follower stuck at a later term after a partition rejoins).
  // In [1, 1000].
  uint32_t stuck_peer_periods = 10;
  // Signs and checks election proofs (election_authority.h). When set, a
  // node follows a leader only on a certificate of a majority's signed
  // votes, and a transfer election bypasses the lease only with the
  // leader's signed request. Null: peers are trusted (tests of the paper's
  // rules).
  std::shared_ptr<const ElectionAuthority> authority;

  // OK, or InvalidArgument naming the offending field.
  Status Validate() const;
};

enum class Role : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };

// The highest term a node adopts: one below 2^64 - 1, so that the next term
// (a PreVote's, a candidate's) is always representable.
inline constexpr uint64_t kMaxTerm = std::numeric_limits<uint64_t>::max() - 1;

// Every message Raft::Step refuses because the peer broke the protocol has
// an InvalidArgument status whose message starts with this prefix.
inline constexpr std::string_view kProtocolViolation = "protocol violation: ";
// True when `status` is Raft::Step's refusal of a message that broke the
// protocol (as opposed to OK, or a misrouted message).
bool IsProtocolViolation(const Status& status);

// The outputs of one step of the core.
struct Ready {
  // Set when the hard state changed since the last Advance.
  std::optional<HardState> hard_state;
  // Entries to write (replacing any stored suffix from entries.front().index).
  // They and hard_state must be durable before `messages` are sent.
  std::vector<Entry> entries;
  // A snapshot from the leader (kSnapshot) that replaces this node's log and
  // state machine: the driver installs the staged snapshot data and records
  // it in storage (LogStorage::Snapshot() becomes it, no entries remain)
  // before persisting `entries` and before applying `committed_entries`,
  // which continue after it.
  std::optional<SnapshotMeta> snapshot;
  // Committed entries to apply to the state machine, in order. They may
  // include some of `entries`: apply only after persisting those.
  std::vector<Entry> committed_entries;
  // Answers to ReadIndex requests (any order; match them by context).
  std::vector<ReadState> read_states;
  // Messages to send to peers (after persisting).
  std::vector<Message> messages;
};

class Raft {
 public:
  using Config = RaftConfig;

  // Validates `config` and restores the hard state and log from `storage`
  // (read only here; the core keeps its own copy). InvalidArgument for a bad
  // config; Corruption when storage is inconsistent (commit beyond the log,
  // applied beyond commit).
  static Result<std::unique_ptr<Raft>> Create(const RaftConfig& config, const LogStorage& storage);

  // Advances logical time by one tick: followers and candidates may start an
  // election; a leader sends heartbeats and runs CheckQuorum.
  void Tick();

  // Handles one message from a peer. Every message is untrusted: Step checks
  // it against the protocol and this node's state before acting on it.
  //  - InvalidArgument for a message not addressed to this node, from node
  //    0 or itself, or a vote request from a node that is a voter in neither
  //    membership() nor the membership before its last change. Any other
  //    node is heard (thesis §4.1): one that lags behind a change still
  //    follows the leader the change brought in.
  //  - InvalidArgument whose message starts with kProtocolViolation
  //    ("protocol violation: <Type> from node N in term T: <what was wrong>")
  //    for a message no honest peer sends, e.g. a term beyond
  //    current_term + max_term_step or above kMaxTerm; a leader's message
  //    (Append, Heartbeat, Snapshot, TimeoutNow) in this node's term from a
  //    node other than the leader it knows for the term, or while it leads
  //    the term; an Append whose entries are not contiguous after its prev
  //    index or whose terms decrease or exceed its term, or that contradicts
  //    this node's committed entries or what the same leader already
  //    confirmed; a Snapshot from a term beyond the message's; a response for
  //    an index, a read round, a vote or a read request this node never sent.
  //    Such a message changes nothing: no term, vote, log, commit or outbox
  //    change. The driver logs the message with the peer's name.
  //  - OK otherwise: the message was handled, or ignored when stale,
  //    duplicated or reordered.
  // A higher term within max_term_step still makes this node a follower of
  // that term (Raft §5.1), unless the message is refused for another reason
  // or ignored under the leader lease: with check_quorum, a follower that
  // heard from its leader within an election timeout ignores every message
  // of a later term but a transfer election's vote request (thesis §4.2.3),
  // and a leader ignores a later term from a peer active in its term within
  // stuck_peer_periods. With config.authority set (peers untrusted), a
  // follower also holds a lease for an election timeout after granting a
  // vote (only that candidate's vote request passes it), ignores a later
  // term in any message but a vote request or a leader's, and a vote request
  // refused for the candidate's log does not move the term.
  // A leader that does hear a later term from such a
  // silent peer steps down and at once campaigns for the term after it; its
  // followers let the vote request of the leader they follow through the
  // lease, so the cluster has a leader again after one round trip.
  // With config.authority set, Step also refuses (as a protocol violation) a
  // leader's message from a sender it does not yet know as the leader of
  // that term whose election certificate does not hold a majority of valid
  // signed votes; a granted vote without the voter's valid signature; a
  // TimeoutNow without the leader's signed transfer request. A forced vote
  // request without a valid transfer request from the leader this node
  // follows is treated as an ordinary one.
  Status Step(const Message& message);

  // Appends a normal entry with `data` when leader. Unavailable otherwise (the
  // message names the leader when known); ResourceExhausted when
  // max_uncommitted_entries are already waiting to commit. An accepted
  // proposal may still be lost if this leader is deposed: callers retry.
  Status Propose(std::string data);
  // Leader only: proposes that `next` be the membership from a new kConfig
  // entry on, recording `context` with it (thesis §4.1, single-server
  // changes). Every node uses the latest membership in its log, committed
  // or not. Refused, with Propose's refusals and:
  //  - InvalidArgument: `next` is malformed (no voter, ids unsorted, repeated
  //    or zero, a learner that is a voter), equals the current membership,
  //    or adds or removes more than one voter at once;
  //  - Unavailable: no entry of this leader's term is committed yet (a new
  //    leader first commits its no-op; without this rule two leaders of
  //    successive terms could each commit a change with disjoint majorities);
  //  - FailedPrecondition: the previous change is not committed yet, or a
  //    voter to add is not a learner whose log is within promote_lag_max of
  //    the commit index.
  // A leader that `next` leaves without a vote keeps leading until the entry
  // commits (without counting itself), then hands leadership to the most
  // up-to-date voter and steps down (thesis §4.2.2).
  Status ProposeMembership(const Membership& next, std::string context);
  // Voters vouched for outside this node's log (node/: those a verified
  // chain of co-signed voter changes leads to, beyond the ledger this node
  // applied); empty: none. A leader's election certificate also counts when
  // it holds a majority of them: a node that missed a membership change
  // (a voter removed, then a new leader elected among the rest) cannot count
  // that certificate among the voters its own log knows.
  void SetAttestedVoters(std::vector<NodeId> voters);
  // Appends a no-op entry when leader, with Propose's refusals. A leader
  // with nothing to propose commits one now and then so that its followers
  // see it make progress (node/: a follower distrusts a leader that commits
  // nothing for raft.leader_stall_ms).
  Status ProposeNoop();

  // Records that the state machine has a durable snapshot covering every
  // entry up to `index` and drops those entries from the in-memory log; a
  // follower that needs one of them is sent kSnapshot with {index, term}.
  // The driver then compacts its LogStorage to the same point and keeps the
  // snapshot data until the next Compact. FailedPrecondition unless
  // snapshot().index < index <= applied_index().
  Status Compact(uint64_t index);

  // Asks for a linearizable read point for `context` (thesis §6.4), answered
  // in Ready::read_states. A leader answers once an entry of its term is
  // committed and a heartbeat round confirms it still leads; a follower asks
  // the leader. Unavailable when no leader is known. A request can be lost
  // (leader change, dropped message): callers time out and ask again.
  // A follower accepts an answer only from the leader it asked, in the term
  // it asked, for one of its last max_pending_reads requests of that term;
  // any other answer is refused by Step.
  Status ReadIndex(uint64_t context);

  // The driver saw the leader this node follows leave its writes
  // uncommitted for too long (a stalled or censoring leader, which a hostile
  // validator elected while no honest leader was around could be): this node
  // stops following it and campaigns at its next tick, and for
  // stuck_peer_periods election timeouts ignores that node's leader messages
  // and vote requests, so an election among the others ends the stall.
  // Nothing when this node is not a follower of a known leader.
  void DistrustLeader();
  // The node DistrustLeader turned away from; kNoNode when none (any more).
  NodeId distrusted() const { return distrusted_; }

  // Leader only: hands leadership to `target` (thesis §3.10). Proposals are
  // refused while the transfer runs; once target's log matches, it is sent
  // kTimeoutNow and campaigns at once. The transfer is abandoned after an
  // election timeout. Unavailable when not leader; InvalidArgument for self
  // or an unknown node.
  Status TransferLeadership(NodeId target);

  // The driver reports whether streaming the snapshot requested for `peer`
  // (a kSnapshot message in Ready::messages) worked; on failure the leader
  // probes the peer again (and may send a snapshot again later).
  void ReportSnapshot(NodeId peer, bool ok);

  // The driver reports that a message to `peer` was dropped before it left
  // this node (a full send queue, a broken connection): appends in flight to
  // it may be lost, so the leader probes it again from its match instead of
  // waiting for heartbeats to show the loss. Safe at any time.
  void ReportUnreachable(NodeId peer);

  // True when GetReady would return something to persist, send or apply.
  bool HasReady() const;
  // The pending outputs. Messages are handed over (not returned again).
  Ready GetReady();
  // Acknowledges that `ready` (the last GetReady result) was persisted, sent
  // and applied. REQUIRES: ready came from this node's latest GetReady.
  void Advance(const Ready& ready);

  // Checks this node's invariants; FRONTERA_CHECK fails on a violation.
  void CheckInvariants();

  NodeId id() const { return config_.id; }
  Role role() const { return role_; }
  NodeId leader() const { return leader_; }
  uint64_t current_term() const { return current_term_; }
  uint64_t commit_index() const { return commit_index_; }
  uint64_t applied_index() const { return applied_index_; }
  const SnapshotMeta& snapshot() const { return snapshot_; }
  // The membership this node uses: that of the last kConfig entry in its
  // log, committed or not, or else the snapshot point's, or else the
  // initial one (RaftConfig::peers and learners).
  const Membership& membership() const { return membership_; }
  // The index of the kConfig entry membership() comes from; at most
  // snapshot().index when it comes from the snapshot point or the initial.
  uint64_t membership_index() const { return membership_index_; }
  // The membership in effect at `index` (<= last_index()).
  Membership MembershipAt(uint64_t index) const;
  uint64_t first_index() const { return snapshot_.index + 1; }
  uint64_t last_index() const { return snapshot_.index + log_.size(); }
  // The term at `index`: snapshot().term at snapshot().index; 0 for index 0,
  // for a compacted index or beyond the log.
  uint64_t TermAt(uint64_t index) const;
  // The entries after snapshot(): log()[i].index == first_index() + i.
  const std::vector<Entry>& log() const { return log_; }
  // Leader only: the highest index known to be replicated on `peer`; 0 when
  // this node is not the leader or `peer` is unknown.
  uint64_t MatchIndex(NodeId peer) const;
  // The node leadership is being transferred to; kNoNode when none.
  NodeId lead_transferee() const { return lead_transferee_; }

 private:
  // How the leader sends to one follower (as in etcd raft's tracker).
  enum class ProgressState : uint8_t {
    kProbe,      // One append at a time until the follower's match is found.
    kReplicate,  // Pipelined appends, at most max_inflight_appends unacked.
    kSnapshot,   // A snapshot was sent; no appends until it is answered.
  };

  // Replication progress of one follower (leader only).
  struct Progress {
    uint64_t match = 0;  // Highest index known replicated.
    uint64_t next = 1;   // Next index to send; > match.
    ProgressState state = ProgressState::kProbe;
    bool probe_sent = false;        // kProbe: paused until a response arrives.
    std::deque<uint64_t> inflight;  // kReplicate: last indexes of unacked appends.
    // kReplicate: heartbeat responses in a row that found appends in flight
    // and no append acknowledged since the previous one (see
    // HandleHeartbeatResponse).
    uint32_t stalled_heartbeats = 0;
    uint64_t pending_snapshot = 0;   // kSnapshot: the index of the snapshot sent.
    bool snapshot_streamed = false;  // kSnapshot: the driver reported the stream done.
    bool recent_active = false;      // Heard from since the last CheckQuorum.
    uint32_t silent_periods = 0;     // CheckQuorum periods in a row it was not heard from.
    uint64_t read_ack_round = 0;     // Highest ReadIndex round it acknowledged.
  };

  // A ReadIndex request the leader has not answered yet (thesis §6.4).
  struct PendingRead {
    uint64_t context = 0;
    NodeId from = kNoNode;  // Who asked: this node or a follower.
    uint64_t index = 0;     // commit_index when recorded (0 while awaiting commit).
    uint64_t round = 0;     // The heartbeat round that must be acked by a quorum.
  };

  explicit Raft(const RaftConfig& config);

  uint64_t Quorum() const { return membership_.voters.size() / 2 + 1; }
  bool IsVoter() const { return membership_.IsVoter(config_.id); }
  // May campaign: a voter, or a voter its latest, uncommitted membership
  // removes (thesis §4.2.2: it may have to lead that change to its commit,
  // as when the other voters lack the entry and cannot win without it).
  // Votes are counted among membership_'s voters either way.
  bool Promotable() const {
    return IsVoter() ||
           (previous_membership_.IsVoter(config_.id) && membership_index_ > commit_index_);
  }
  // RaftConfig's initial membership, sorted.
  Membership InitialMembership() const;
  // Sets membership_, membership_index_ and previous_membership_ from the
  // log (after it changed: an append with a kConfig entry, a truncation, a
  // snapshot), and the leader's progress to the new members.
  void RefreshMembership();
  // Leader: a Progress for every member, none for a node that is not one.
  void SyncProgress();
  // Leader no longer a voter once its removal committed: hands leadership to
  // the most up-to-date voter and steps down (thesis §4.2.2).
  void MaybeStepDownRemoved();
  // OK when this node may propose now (leader, no transfer, room for it).
  Status CheckCanPropose() const;
  Status CheckMembershipChange(const Membership& next) const;
  uint64_t LastTerm() const { return TermAt(last_index()); }
  // REQUIRES: first_index() <= index <= last_index().
  const Entry& EntryAt(uint64_t index) const;
  void ResetRandomizedElectionTimeout();
  uint64_t NextRandom();

  void Reset();  // Clears the per-role state (votes, progress, reads, transfer).
  // Moves to a later term: no vote yet, and nothing known about its leader.
  void EnterTerm(uint64_t term);
  void BecomeFollower(uint64_t term, NodeId leader);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  // pre: run PreVote (thesis §9.6) rather than a real election; force: a
  // leadership-transfer election whose votes bypass the lease (§3.10).
  // force requires transfer_proof_ to hold the leader's signed request
  // when config_.authority is set.
  void Campaign(bool pre, bool force);
  void Send(Message message);
  // A (pre-)vote response of `type` refusing, at this node's term.
  void SendRejection(MessageType type, NodeId to);
  void SendAppend(NodeId to, bool send_if_empty);
  // Sends appends to `to` while its window (or probe) allows.
  void ResumeAppends(NodeId to, Progress& pr);
  void SendSnapshot(NodeId to, Progress& pr);
  void BroadcastAppend(bool send_if_empty);
  void BroadcastHeartbeat();
  static void BecomeProbe(Progress& pr, uint64_t next);
  static void BecomeReplicate(Progress& pr);
  bool MaybeCommit();
  void AppendToLog(std::vector<Entry> entries);  // Truncates conflicts.
  // A follower's log and state machine give way to the leader's snapshot.
  void RestoreSnapshot(const SnapshotMeta& snapshot);
  void MaybeSendTimeoutNow();
  Status ProposeEntry(EntryType type, std::string data);

  // Leader: queues a read for `from`; it is answered once an entry of this
  // term is committed and a heartbeat round after it is acked by a quorum.
  void AddRead(uint64_t context, NodeId from);
  void ReleaseReadsAwaitingCommit();
  void ReleaseConfirmedReads();
  void AnswerRead(const PendingRead& read);
  size_t PendingReadCount() const { return reads_awaiting_commit_.size() + pending_reads_.size(); }

  // OK, or the protocol violation `m` commits given this node's state. Pure:
  // Step calls it before anything changes. REQUIRES: m.term >= current_term_.
  Status CheckMessage(const Message& m) const;
  Status CheckAppend(const Message& m) const;
  Status CheckSnapshot(const Message& m) const;
  // The kConfig entries of an append decode.
  Status CheckConfigEntries(const Message& m) const;
  Status CheckReadIndexResponse(const Message& m) const;
  // Raft §5.4.1: the candidate's last log term and index (m's) make its log
  // at least as up to date as this node's.
  bool CandidateUpToDate(const Message& m) const;
  // With config_.authority: OK when m.proof holds valid kVote statements for
  // (m.term, m.from) by a majority of the voters, or of attested_voters_.
  Status CheckElectionCertificate(const Message& m) const;
  // The certificate's valid votes by `voters` (sorted); a violation for a
  // vote that does not verify, a repeated signer, or more than one signer
  // outside `voters` and `others` (sorted) together.
  Result<size_t> CountCertificate(const Message& m, const std::vector<NodeId>& voters,
                                  const std::vector<NodeId>& others) const;
  // True when m (a forced vote request) carries the signed transfer request
  // of the leader this node follows in the term before m's; always true
  // without config_.authority.
  bool TransferAuthorized(const Message& m) const;
  // With config_.authority: OK when m.proof is exactly one valid `kind`
  // statement by `signer` for (term, candidate).
  Status CheckSingleStatement(const Message& m, StatementKind kind, uint64_t term, NodeId candidate,
                              NodeId signer) const;
  // The highest index known to match the log of m's sender in m's term:
  // the committed prefix, and what an earlier Append or Snapshot of the same
  // leader in the same term confirmed.
  uint64_t MatchedIndexFor(const Message& m) const;

  void HandleVoteRequest(const Message& m);
  void HandleVoteResponse(const Message& m);
  // A leader's message (m checked): this node follows m.from in m.term.
  void FollowSender(const Message& m);
  void HandleAppend(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  void HandleAppendResponse(const Message& m);
  void HandleHeartbeatResponse(const Message& m);
  void HandleReadIndex(const Message& m);
  void HandleReadIndexResponse(const Message& m);
  void HandleTimeoutNow(const Message& m);

  RaftConfig config_;
  Role role_ = Role::kFollower;
  uint64_t current_term_ = 0;   // Monotonic; persisted before voting.
  NodeId voted_for_ = kNoNode;  // Persisted before the vote is sent.
  NodeId leader_ = kNoNode;
  // The leader of current_term_ as this node learned it (itself once it
  // leads); kNoNode until then or after a restart. Unlike leader_ it is kept
  // when this node stops following (PreVote, CheckQuorum) until the term
  // changes: a term has at most one leader (§5.2). leader_ is kNoNode or it.
  NodeId term_leader_ = kNoNode;
  // Follower: the highest index at which this log is known to match the
  // log of term_leader_ (confirmed by an Append or Snapshot it accepted from
  // it in current_term_); 0 on a term change. <= last_index(). A heartbeat
  // commits no further than max(commit_index_, this).
  uint64_t confirmed_index_ = 0;
  uint64_t commit_index_ = 0;  // Monotonic; snapshot_.index <= commit_index_ <= last_index().
  // <= commit_index_; >= snapshot_.index except while pending_snapshot_ waits
  // for the driver to install it.
  uint64_t applied_index_ = 0;
  SnapshotMeta snapshot_;                // The log continues after it.
  Membership membership_;                // See membership(); never without a voter.
  std::vector<NodeId> attested_voters_;  // See SetAttestedVoters; sorted.
  uint64_t membership_index_ = 0;
  // The membership before the last kConfig entry (membership_ when that
  // entry is in the snapshot): Step hears both, so that during a change a
  // removed leader still reaches the voters of the new configuration.
  Membership previous_membership_;
  std::vector<Entry> log_;  // log_[i].index == snapshot_.index + i + 1.
  // A snapshot received from the leader that the driver has not installed
  // yet (handed out in Ready::snapshot until Advance); equals snapshot_.
  std::optional<SnapshotMeta> pending_snapshot_;
  NodeId lead_transferee_ = kNoNode;  // Leader only.
  uint64_t transfer_elapsed_ = 0;     // Ticks since the transfer began.
  bool timeout_now_sent_ = false;     // kTimeoutNow already sent to lead_transferee_.
  // Entries <= this are durable and unchanged since; >= snapshot_.index.
  uint64_t stable_index_ = 0;
  HardState persisted_hard_state_;
  std::vector<Message> outbox_;
  std::vector<ReadState> read_states_;  // Answered reads not yet handed out.

  uint64_t election_elapsed_ = 0;
  uint64_t heartbeat_elapsed_ = 0;
  uint64_t randomized_election_ticks_ = 0;  // In [election_ticks, 2 * election_ticks).
  uint64_t rng_state_ = 0;

  std::map<NodeId, bool> votes_;  // Responses in the current (pre-)campaign.
  // With config_.authority: the signed votes granted in the current real
  // campaign (candidate), then the certificate they form (leader), sent
  // with every Append, Heartbeat and Snapshot of the term.
  std::map<NodeId, std::string> vote_signatures_;
  std::vector<SignedStatement> election_proof_;
  // The signed transfer request of the last TimeoutNow this node obeyed.
  std::vector<SignedStatement> transfer_proof_;
  // DistrustLeader: the node turned away from, for distrust_ticks_ more ticks.
  NodeId distrusted_ = kNoNode;
  uint64_t distrust_ticks_ = 0;
  std::map<NodeId, Progress> progress_;  // Leader only; includes self.
  // Leader only; PendingReadCount() <= max_pending_reads.
  std::deque<PendingRead> reads_awaiting_commit_;  // Before an entry of this term commits.
  std::deque<PendingRead> pending_reads_;          // Increasing round.
  uint64_t read_round_ = 0;                        // Monotonic; the last ReadIndex heartbeat round.

  // A ReadIndex request this node sent to a leader (thesis §6.4).
  struct ReadRequest {
    uint64_t context = 0;
    NodeId leader = kNoNode;  // The node asked; only it may answer.
    bool answered = false;    // A duplicated answer is then ignored.
  };
  // Not leader: this node's last requests of current_term_, oldest first; at
  // most max_pending_reads (the oldest is forgotten); cleared on a term
  // change, since answers from an earlier term are stale.
  std::deque<ReadRequest> read_requests_;
  // read_requests_ holds every request of current_term_ but the forgotten
  // oldest. False after a restart until the term changes: answers to
  // requests made before the restart are then ignored rather than refused.
  bool read_requests_complete_ = false;

  // For CheckInvariants: values seen at the previous check.
  uint64_t checked_term_ = 0;
  uint64_t checked_commit_ = 0;
};

}  // namespace frontera::consensus
