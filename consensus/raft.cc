#include "consensus/raft.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/check.h"
#include "consensus/codec.h"

namespace frontera::consensus {
namespace {

// The largest RaftConfig::max_term_step accepted.
constexpr uint64_t kMaxTermStepLimit = uint64_t{1} << 40;
// Heartbeat responses without an append acknowledgement after which a
// follower's in-flight appends count as lost (HandleHeartbeatResponse). Two
// prove it on an in-order link; one more absorbs reordering.
constexpr uint32_t kLostAppendHeartbeats = 3;

// The largest RaftConfig::promote_lag_max accepted.
constexpr uint64_t kMaxPromoteLag = uint64_t{1} << 32;

// OK when `ids` are distinct and non-zero; `what` names the list.
Status CheckNodeList(const std::vector<NodeId>& ids, std::string_view what) {
  std::set<NodeId> seen;
  for (NodeId id : ids) {
    if (id == kNoNode) return Status::InvalidArgument(std::string(what) + " contains id 0");
    if (!seen.insert(id).second) {
      return Status::InvalidArgument(std::string(what) + " lists node " + std::to_string(id) +
                                     " twice");
    }
  }
  return Status::Ok();
}

// Step's refusal of a message that breaks the protocol (raft.h).
Status Violation(const Message& m, const std::string& what) {
  return Status::InvalidArgument(
      std::string(kProtocolViolation) + std::string(MessageTypeName(m.type)) + " from node " +
      std::to_string(m.from) + " in term " + std::to_string(m.term) + ": " + what);
}

}  // namespace

Status RaftConfig::Validate() const {
  if (id == kNoNode) return Status::InvalidArgument("raft config: id must be non-zero");
  if (peers.empty()) return Status::InvalidArgument("raft config: peers must list every voter");
  FRONTERA_RETURN_IF_ERROR(CheckNodeList(peers, "raft config: peers"));
  FRONTERA_RETURN_IF_ERROR(CheckNodeList(learners, "raft config: learners"));
  for (NodeId learner : learners) {
    if (std::find(peers.begin(), peers.end(), learner) != peers.end()) {
      return Status::InvalidArgument("raft config: node " + std::to_string(learner) +
                                     " is both in peers and in learners");
    }
  }
  if (promote_lag_max > kMaxPromoteLag) {
    return Status::InvalidArgument("raft config: promote_lag_max must be in [0, 2^32]");
  }
  if (heartbeat_ticks < 1) {
    return Status::InvalidArgument("raft config: heartbeat_ticks must be >= 1");
  }
  if (election_ticks < 2 * heartbeat_ticks) {
    return Status::InvalidArgument("raft config: election_ticks must be >= 2 * heartbeat_ticks");
  }
  if (max_inflight_appends < 1 || max_inflight_appends > 1024) {
    return Status::InvalidArgument("raft config: max_inflight_appends must be in [1, 1024]");
  }
  if (max_entries_per_append < 1 || max_entries_per_append > 65536) {
    return Status::InvalidArgument("raft config: max_entries_per_append must be in [1, 65536]");
  }
  if (max_uncommitted_entries < 1 || max_uncommitted_entries > (1u << 20)) {
    return Status::InvalidArgument("raft config: max_uncommitted_entries must be in [1, 1048576]");
  }
  if (max_pending_reads < 1 || max_pending_reads > 65536) {
    return Status::InvalidArgument("raft config: max_pending_reads must be in [1, 65536]");
  }
  if (max_term_step < 1 || max_term_step > kMaxTermStepLimit) {
    return Status::InvalidArgument("raft config: max_term_step must be in [1, 2^40]");
  }
  if (stuck_peer_periods < 1 || stuck_peer_periods > 1000) {
    return Status::InvalidArgument("raft config: stuck_peer_periods must be in [1, 1000]");
  }
  return Status::Ok();
}

bool IsProtocolViolation(const Status& status) {
  return status.IsInvalidArgument() && status.message().starts_with(kProtocolViolation);
}

Result<std::unique_ptr<Raft>> Raft::Create(const RaftConfig& config, const LogStorage& storage) {
  FRONTERA_RETURN_IF_ERROR(config.Validate());
  std::unique_ptr<Raft> raft(new Raft(config));
  const HardState hs = storage.GetHardState();
  const SnapshotMeta snapshot = storage.Snapshot();
  const uint64_t last = storage.LastIndex();
  if (last < snapshot.index) {
    return Status::Corruption("stored raft log ends at index " + std::to_string(last) +
                              ", before its snapshot at index " + std::to_string(snapshot.index));
  }
  if (hs.current_term > kMaxTerm) {
    return Status::Corruption("stored current_term " + std::to_string(hs.current_term) +
                              " leaves no next term to elect a leader in (the highest term is " +
                              std::to_string(kMaxTerm) + ")");
  }
  if (hs.term_leader != kNoNode && hs.current_term == 0) {
    return Status::Corruption("stored term_leader " + std::to_string(hs.term_leader) +
                              " leads term 0, which has no leader");
  }
  if (snapshot.term > hs.current_term) {
    return Status::Corruption("stored snapshot term " + std::to_string(snapshot.term) +
                              " is beyond current_term " + std::to_string(hs.current_term));
  }
  Result<std::vector<Entry>> entries = storage.Entries(snapshot.index + 1, last + 1);
  if (!entries.ok()) return entries.status();
  uint64_t previous_term = snapshot.term;
  for (uint64_t i = 0; i < entries->size(); ++i) {
    const Entry& e = (*entries)[i];
    if (e.index != snapshot.index + i + 1 || e.term < previous_term || e.term > hs.current_term) {
      return Status::Corruption("stored raft log is inconsistent at index " +
                                std::to_string(snapshot.index + i + 1));
    }
    if (e.type == EntryType::kConfig) {
      Result<ConfigChange> change = DecodeConfigChange(e.data);
      if (!change.ok()) {
        return Status::Corruption("stored config entry " + std::to_string(e.index) +
                                  " does not decode: " + change.status().message());
      }
    }
    previous_term = e.term;
  }
  if (hs.commit_index > last) {
    return Status::Corruption("stored commit_index " + std::to_string(hs.commit_index) +
                              " is beyond the last log index " + std::to_string(last));
  }
  // Raft §7: a snapshot holds only committed entries, so its index is
  // committed even if the stored commit_index lags behind it.
  const uint64_t commit = std::max(hs.commit_index, snapshot.index);
  if (config.applied_index > commit) {
    return Status::Corruption("applied_index " + std::to_string(config.applied_index) +
                              " is beyond the stored commit_index " + std::to_string(commit));
  }
  if (config.applied_index < snapshot.index) {
    return Status::Corruption("applied_index " + std::to_string(config.applied_index) +
                              " is before the log's snapshot at index " +
                              std::to_string(snapshot.index) +
                              ": restore the state machine from that snapshot first");
  }
  raft->snapshot_ = snapshot;
  raft->log_ = std::move(entries).value();
  raft->stable_index_ = last;
  raft->current_term_ = hs.current_term;
  raft->voted_for_ = hs.voted_for;
  // The leader of this term stays known: its election certificate was
  // checked among the voters of that time (a membership change since may
  // make those signers no majority of today's voters).
  raft->term_leader_ = hs.term_leader;
  raft->commit_index_ = commit;
  raft->applied_index_ = config.applied_index;
  raft->persisted_hard_state_ = hs;
  raft->checked_term_ = hs.current_term;
  raft->checked_commit_ = commit;
  raft->RefreshMembership();
  return raft;
}

Raft::Raft(const RaftConfig& config) : config_(config) {
  membership_ = InitialMembership();
  previous_membership_ = membership_;
  // Mix the id into the seed so that nodes of one cluster given the same seed
  // still draw different timeouts (§5.2: randomization splits votes).
  rng_state_ = config.seed ^ (config.id * 0x9E3779B97F4A7C15ULL);
  ResetRandomizedElectionTimeout();
}

uint64_t Raft::NextRandom() {
  // splitmix64: small, fast and fully determined by the seed.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_ticks_ = config_.election_ticks + NextRandom() % config_.election_ticks;
}

uint64_t Raft::TermAt(uint64_t index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < snapshot_.index || index > last_index()) return 0;
  return log_[index - snapshot_.index - 1].term;
}

const Entry& Raft::EntryAt(uint64_t index) const {
  FRONTERA_CHECK(index > snapshot_.index && index <= last_index())
      << "node " << config_.id << ": no entry " << index << " in log (" << snapshot_.index << ", "
      << last_index() << "]";
  return log_[index - snapshot_.index - 1];
}

Membership Raft::InitialMembership() const {
  Membership m{config_.peers, config_.learners};
  std::sort(m.voters.begin(), m.voters.end());
  std::sort(m.learners.begin(), m.learners.end());
  return m;
}

Membership Raft::MembershipAt(uint64_t index) const {
  for (uint64_t i = std::min(index, last_index()); i > snapshot_.index; --i) {
    const Entry& e = EntryAt(i);
    if (e.type != EntryType::kConfig) continue;
    Result<ConfigChange> change = DecodeConfigChange(e.data);
    // Config entries are checked when they enter the log (ProposeMembership,
    // CheckAppend, Create).
    FRONTERA_CHECK(change.ok()) << "node " << config_.id << ": config entry " << i << ": "
                                << change.status().message();
    return std::move(change).value().membership;
  }
  return snapshot_.membership.voters.empty() ? InitialMembership() : snapshot_.membership;
}

void Raft::RefreshMembership() {
  uint64_t at = snapshot_.index;
  for (uint64_t i = last_index(); i > snapshot_.index; --i) {
    if (EntryAt(i).type == EntryType::kConfig) {
      at = i;
      break;
    }
  }
  membership_ = MembershipAt(at);
  membership_index_ = at;
  previous_membership_ = at > snapshot_.index ? MembershipAt(at - 1) : membership_;
  if (role_ == Role::kLeader) SyncProgress();
}

void Raft::SyncProgress() {
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = it->first == config_.id || membership_.Contains(it->first) ? std::next(it)
                                                                    : progress_.erase(it);
  }
  const auto add = [this](NodeId id) {
    if (id == config_.id || progress_.contains(id)) return;
    Progress& pr = progress_[id];
    // Thesis §4.2.1: a new member is probed from the end of the log and
    // brought up to date (by snapshot when it lacks what was compacted).
    pr.next = last_index() + 1;
    pr.recent_active = true;
  };
  for (NodeId id : membership_.voters) add(id);
  for (NodeId id : membership_.learners) add(id);
}

void Raft::MaybeStepDownRemoved() {
  if (role_ != Role::kLeader || IsVoter() || commit_index_ < membership_index_) return;
  // Thesis §4.2.2: the configuration without this node is committed, so the
  // new one runs without it. Hand over to the voter with the longest log at
  // once (as a transfer, §3.10) rather than leave the cluster waiting for an
  // election timeout.
  NodeId best = kNoNode;
  for (NodeId voter : membership_.voters) {
    if (best == kNoNode || progress_[voter].match > progress_[best].match) best = voter;
  }
  if (best != kNoNode && progress_[best].match == last_index()) {
    Message m;
    m.type = MessageType::kTimeoutNow;
    m.to = best;
    if (config_.authority) {
      m.proof.push_back(SignedStatement{
          config_.id,
          config_.authority->Sign(Statement{StatementKind::kTransfer, current_term_, best})});
    }
    Send(std::move(m));
  }
  BecomeFollower(current_term_, kNoNode);
}

uint64_t Raft::MatchIndex(NodeId peer) const {
  if (role_ != Role::kLeader) return 0;
  auto it = progress_.find(peer);
  return it == progress_.end() ? 0 : it->second.match;
}

void Raft::Reset() {
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  votes_.clear();
  vote_signatures_.clear();
  election_proof_.clear();
  progress_.clear();
  // Thesis §6.4: reads a deposed leader has not answered are dropped; their
  // callers time out and ask the new leader.
  reads_awaiting_commit_.clear();
  pending_reads_.clear();
  lead_transferee_ = kNoNode;
  transfer_elapsed_ = 0;
  timeout_now_sent_ = false;
  ResetRandomizedElectionTimeout();
}

void Raft::EnterTerm(uint64_t term) {
  FRONTERA_CHECK(term > current_term_ && term <= kMaxTerm)
      << "node " << config_.id << ": term " << term << " after " << current_term_;
  current_term_ = term;
  voted_for_ = kNoNode;
  term_leader_ = kNoNode;
  confirmed_index_ = 0;
  // Thesis §6.4: an answer to a read request comes in the term it was asked
  // in; later ones are stale and dropped.
  read_requests_.clear();
  read_requests_complete_ = true;
}

void Raft::BecomeFollower(uint64_t term, NodeId leader) {
  FRONTERA_CHECK(term >= current_term_) << "term would go back from " << current_term_;
  if (term > current_term_) EnterTerm(term);
  role_ = Role::kFollower;
  leader_ = leader;
  if (leader != kNoNode) term_leader_ = leader;
  Reset();
}

void Raft::BecomePreCandidate() {
  // Thesis §9.6: a pre-candidate keeps its term and vote; it only asks whether
  // it could win, so a partitioned node cannot inflate its term.
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  Reset();
}

void Raft::BecomeCandidate() {
  // Raft §5.2: increment the term and vote for self.
  role_ = Role::kCandidate;
  EnterTerm(current_term_ + 1);
  voted_for_ = config_.id;
  leader_ = kNoNode;
  Reset();
}

void Raft::BecomeLeader() {
  // The signed votes that won the election become the certificate this
  // leader shows its followers (a majority suffices).
  // Every vote it holds goes in (not only a majority's): a follower whose
  // membership lags by one change counts the signers among its own voters.
  std::vector<SignedStatement> proof;
  for (auto& [voter, signature] : vote_signatures_) {
    if (membership_.IsVoter(voter)) proof.push_back(SignedStatement{voter, std::move(signature)});
  }
  role_ = Role::kLeader;
  leader_ = config_.id;
  term_leader_ = config_.id;
  Reset();
  election_proof_ = std::move(proof);
  progress_[config_.id].next = last_index() + 1;
  SyncProgress();
  // Raft §8 / §5.4.2: a no-op of the new term lets the leader commit (through
  // counting replicas of an entry of its own term) everything before it.
  Entry noop;
  noop.term = current_term_;
  noop.index = last_index() + 1;
  noop.type = EntryType::kNoop;
  AppendToLog({noop});
  progress_[config_.id].match = last_index();
  progress_[config_.id].next = last_index() + 1;
  MaybeCommit();
  BroadcastAppend(/*send_if_empty=*/true);
}

void Raft::Campaign(bool pre, bool force) {
  // No term is left to campaign in: the cluster cannot elect a leader again
  // (Step never adopts a term beyond kMaxTerm, so only a long history of
  // max_term_step jumps gets here).
  if (current_term_ >= kMaxTerm) return;
  // Learners, joining nodes and removed voters never run (thesis §4.2).
  if (!Promotable()) return;
  if (pre) {
    BecomePreCandidate();
  } else {
    BecomeCandidate();
  }
  const uint64_t term = pre ? current_term_ + 1 : current_term_;
  votes_[config_.id] = true;
  if (!pre && config_.authority) {
    vote_signatures_[config_.id] =
        config_.authority->Sign(Statement{StatementKind::kVote, term, config_.id});
  }
  if (membership_.IsVoter(config_.id) && Quorum() == 1) {  // A cluster of one.
    if (pre) {
      BecomeCandidate();
    }
    // Its own signed vote is its certificate: learners check it too.
    if (config_.authority) {
      vote_signatures_[config_.id] =
          config_.authority->Sign(Statement{StatementKind::kVote, current_term_, config_.id});
    }
    BecomeLeader();
    return;
  }
  for (NodeId peer : membership_.voters) {
    if (peer == config_.id) continue;
    Message m;
    m.type = pre ? MessageType::kPreVote : MessageType::kVote;
    m.to = peer;
    m.term = term;
    m.index = last_index();
    m.log_term = LastTerm();
    m.force = force;
    if (force && config_.authority) m.proof = transfer_proof_;
    Send(std::move(m));
  }
}

void Raft::Tick() {
  if (distrust_ticks_ > 0 && --distrust_ticks_ == 0) distrusted_ = kNoNode;
  if (role_ == Role::kLeader) {
    ++heartbeat_elapsed_;
    ++election_elapsed_;
    if (lead_transferee_ != kNoNode && ++transfer_elapsed_ >= config_.election_ticks) {
      // Thesis §3.10: a transfer that does not complete within an election
      // timeout is abandoned so that the leader accepts proposals again.
      lead_transferee_ = kNoNode;
      transfer_elapsed_ = 0;
      const bool late_timeout_now_possible = timeout_now_sent_;
      timeout_now_sent_ = false;
      // Its TimeoutNow may still arrive. A no-op of this term moves the
      // followers' logs past the target's, so that its late election is
      // refused by them for its log (§5.4.1); this leader ignores it too
      // (see Step: only the live transfer's election deposes a leader).
      if (late_timeout_now_possible) (void)ProposeNoop();
    }
    if (election_elapsed_ >= config_.election_ticks) {
      election_elapsed_ = 0;
      if (config_.check_quorum) {
        // Thesis §6.2: a leader that has not heard from a quorum within an
        // election timeout steps down so clients can find the real leader.
        uint64_t active = 0;
        for (auto& [peer, pr] : progress_) {
          if (membership_.IsVoter(peer) && (peer == config_.id || pr.recent_active)) ++active;
          pr.silent_periods = pr.recent_active ? 0 : pr.silent_periods + 1;
          pr.recent_active = false;
        }
        if (active < Quorum()) {
          BecomeFollower(current_term_, kNoNode);
          return;
        }
      }
    }
    if (heartbeat_elapsed_ >= config_.heartbeat_ticks) {
      heartbeat_elapsed_ = 0;
      BroadcastHeartbeat();
    }
    return;
  }
  ++election_elapsed_;
  if (election_elapsed_ >= randomized_election_ticks_) {
    // Raft §5.2: a follower that hears nothing for an election timeout starts
    // an election (a stalled candidate starts a new one).
    // A stalled candidate runs PreVote again first (§9.6).
    Campaign(config_.pre_vote, /*force=*/false);
  }
}

Status Raft::Propose(std::string data) { return ProposeEntry(EntryType::kNormal, std::move(data)); }

Status Raft::ProposeNoop() { return ProposeEntry(EntryType::kNoop, ""); }

Status Raft::ProposeMembership(const Membership& next, std::string context) {
  FRONTERA_RETURN_IF_ERROR(CheckCanPropose());
  FRONTERA_RETURN_IF_ERROR(CheckMembershipChange(next));
  return ProposeEntry(EntryType::kConfig,
                      EncodeConfigChange(ConfigChange{next, std::move(context)}));
}

Status Raft::CheckMembershipChange(const Membership& next) const {
  const auto sorted_list = [](const std::vector<NodeId>& ids, std::string_view what) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == kNoNode || (i > 0 && ids[i] <= ids[i - 1])) {
        return Status::InvalidArgument("raft: the " + std::string(what) +
                                       " of a membership must be non-zero, distinct and sorted");
      }
    }
    return Status::Ok();
  };
  if (next.voters.empty()) {
    return Status::InvalidArgument("raft: a membership needs at least one voter");
  }
  FRONTERA_RETURN_IF_ERROR(sorted_list(next.voters, "voters"));
  FRONTERA_RETURN_IF_ERROR(sorted_list(next.learners, "learners"));
  for (NodeId id : next.learners) {
    if (next.IsVoter(id)) {
      return Status::InvalidArgument("raft: node " + std::to_string(id) +
                                     " cannot be both a voter and a learner");
    }
  }
  const size_t max_members = DecodeLimits{}.max_members;
  if (next.voters.size() > max_members || next.learners.size() > max_members) {
    return Status::InvalidArgument("raft: a membership lists at most " +
                                   std::to_string(max_members) + " voters and as many learners");
  }
  if (next == membership_) {
    return Status::InvalidArgument("raft: the membership asked for is the current one");
  }
  const size_t difference = membership_.VoterDifference(next);
  if (difference > 1) {
    return Status::InvalidArgument(
        "raft: the change adds or removes " + std::to_string(difference) +
        " voters; one voter at a time, so that the old and new majorities overlap (thesis "
        "§4.1)");
  }
  if (TermAt(commit_index_) != current_term_) {
    return Status::Unavailable(
        "node " + std::to_string(config_.id) + " has not yet committed an entry of its term " +
        std::to_string(current_term_) + "; a membership change waits for it; retry later");
  }
  if (membership_index_ > commit_index_) {
    return Status::FailedPrecondition("raft: the membership change at index " +
                                      std::to_string(membership_index_) +
                                      " is not committed yet (commit index " +
                                      std::to_string(commit_index_) + "); one change at a time");
  }
  for (NodeId id : next.voters) {
    if (membership_.IsVoter(id)) continue;
    // Thesis §4.2.1: a voter that has to catch up first would stall commits.
    const auto it = progress_.find(id);
    const uint64_t match = it == progress_.end() ? 0 : it->second.match;
    if (!membership_.IsLearner(id) || match < snapshot_.index ||
        commit_index_ - std::min(match, commit_index_) > config_.promote_lag_max) {
      return Status::FailedPrecondition(
          "raft: node " + std::to_string(id) + " becomes a voter only as a learner whose log is " +
          "within " + std::to_string(config_.promote_lag_max) + " entries of the commit index " +
          std::to_string(commit_index_) +
          (membership_.IsLearner(id) ? " (its log reaches index " + std::to_string(match) + ")"
                                     : " (it is not a learner)"));
    }
  }
  return Status::Ok();
}

Status Raft::CheckCanPropose() const {
  if (role_ != Role::kLeader) {
    if (leader_ != kNoNode) {
      return Status::Unavailable("node " + std::to_string(config_.id) +
                                 " is not the leader; the leader is node " +
                                 std::to_string(leader_));
    }
    return Status::Unavailable("node " + std::to_string(config_.id) +
                               " is not the leader and no leader is known; retry later");
  }
  if (lead_transferee_ != kNoNode) {
    // Thesis §3.10: the leader stops accepting requests while it hands over,
    // or the transferee might never catch up.
    return Status::Unavailable("node " + std::to_string(config_.id) +
                               " is handing leadership to node " +
                               std::to_string(lead_transferee_) + "; retry later");
  }
  if (last_index() - commit_index_ >= config_.max_uncommitted_entries) {
    return Status::ResourceExhausted(
        "raft: " + std::to_string(last_index() - commit_index_) +
        " entries are waiting to commit (max_uncommitted_entries); retry later");
  }
  return Status::Ok();
}

Status Raft::ProposeEntry(EntryType type, std::string data) {
  FRONTERA_RETURN_IF_ERROR(CheckCanPropose());
  Entry e;
  e.term = current_term_;
  e.index = last_index() + 1;
  e.type = type;
  e.data = std::move(data);
  AppendToLog({std::move(e)});
  progress_[config_.id].match = last_index();
  progress_[config_.id].next = last_index() + 1;
  MaybeCommit();
  BroadcastAppend(/*send_if_empty=*/false);
  return Status::Ok();
}

Status Raft::Compact(uint64_t index) {
  if (index <= snapshot_.index || index > applied_index_) {
    return Status::FailedPrecondition(
        "raft: cannot compact the log to index " + std::to_string(index) +
        ": it must be after the current snapshot (" + std::to_string(snapshot_.index) +
        ") and applied (applied index " + std::to_string(applied_index_) + ")");
  }
  // Raft §7: the snapshot replaces every entry up to and including `index`;
  // it keeps that entry's term for the consistency check of the next append.
  // The initial membership is recorded as none, as before any change.
  Membership at = MembershipAt(index);
  if (at == InitialMembership()) at = Membership{};
  const SnapshotMeta snapshot{index, TermAt(index), std::move(at)};
  log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_.index));
  snapshot_ = snapshot;
  return Status::Ok();
}

Status Raft::ReadIndex(uint64_t context) {
  if (role_ == Role::kLeader) {
    if (PendingReadCount() >= config_.max_pending_reads) {
      return Status::ResourceExhausted("raft: " + std::to_string(PendingReadCount()) +
                                       " reads are waiting (max_pending_reads); retry later");
    }
    AddRead(context, config_.id);
    return Status::Ok();
  }
  if (leader_ == kNoNode) {
    return Status::Unavailable("node " + std::to_string(config_.id) +
                               " knows no leader to serve a read; retry later");
  }
  // Thesis §6.4: a follower asks the leader for its read index, and takes
  // an answer only from it.
  read_requests_.push_back(ReadRequest{context, leader_, false});
  if (read_requests_.size() > config_.max_pending_reads) read_requests_.pop_front();
  Message m;
  m.type = MessageType::kReadIndex;
  m.to = leader_;
  m.context = context;
  Send(std::move(m));
  return Status::Ok();
}

Status Raft::TransferLeadership(NodeId target) {
  if (role_ != Role::kLeader) {
    return Status::Unavailable("node " + std::to_string(config_.id) +
                               " is not the leader and cannot transfer leadership");
  }
  if (target == config_.id || !membership_.IsVoter(target)) {
    return Status::InvalidArgument("raft: cannot transfer leadership to node " +
                                   std::to_string(target) +
                                   ": it must be another voter of the cluster");
  }
  if (lead_transferee_ == target) return Status::Ok();  // Already under way.
  lead_transferee_ = target;
  transfer_elapsed_ = 0;
  timeout_now_sent_ = false;
  // Thesis §3.10: bring the target's log up to date, then tell it to
  // campaign at once.
  MaybeSendTimeoutNow();
  if (!timeout_now_sent_) SendAppend(target, /*send_if_empty=*/false);
  return Status::Ok();
}

void Raft::MaybeSendTimeoutNow() {
  if (lead_transferee_ == kNoNode || timeout_now_sent_) return;
  if (progress_[lead_transferee_].match != last_index()) return;
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = lead_transferee_;
  if (config_.authority) {
    m.proof.push_back(SignedStatement{
        config_.id, config_.authority->Sign(
                        Statement{StatementKind::kTransfer, current_term_, lead_transferee_})});
  }
  Send(std::move(m));
  timeout_now_sent_ = true;
}

void Raft::ReportUnreachable(NodeId peer) {
  if (role_ != Role::kLeader || peer == config_.id) return;
  auto it = progress_.find(peer);
  if (it == progress_.end() || it->second.state != ProgressState::kReplicate) return;
  // Resent from the match once the peer answers (the probe waits for that).
  BecomeProbe(it->second, it->second.match + 1);
}

void Raft::ReportSnapshot(NodeId peer, bool ok) {
  if (role_ != Role::kLeader) return;
  auto it = progress_.find(peer);
  if (it == progress_.end() || it->second.state != ProgressState::kSnapshot) return;
  Progress& pr = it->second;
  if (ok) {
    // The follower answers once it has installed the snapshot; until then
    // nothing can be appended after it.
    pr.snapshot_streamed = true;
    return;
  }
  // Probe again, but only after the next heartbeat response, so that a
  // follower that cannot take the snapshot is not flooded with retries.
  BecomeProbe(pr, pr.match + 1);
  pr.probe_sent = true;
}

void Raft::SendRejection(MessageType type, NodeId to) {
  Message r;
  r.type = type;
  r.to = to;
  r.reject = true;
  Send(std::move(r));
}

void Raft::Send(Message message) {
  message.from = config_.id;
  if (message.term == 0) message.term = current_term_;
  if (role_ == Role::kLeader && !election_proof_.empty() &&
      (message.type == MessageType::kAppend || message.type == MessageType::kHeartbeat ||
       message.type == MessageType::kSnapshot)) {
    message.proof = election_proof_;
  }
  outbox_.push_back(std::move(message));
}

void Raft::AppendToLog(std::vector<Entry> entries) {
  bool membership_changed = false;
  for (Entry& e : entries) {
    FRONTERA_CHECK(e.index > snapshot_.index && e.index <= last_index() + 1)
        << "append at index " << e.index << " outside (" << snapshot_.index << ", "
        << last_index() + 1 << "]";
    if (e.index <= last_index()) {
      if (TermAt(e.index) == e.term) continue;  // Already have it (§5.3 Log Matching).
      // Raft §5.3: delete the conflicting entry and all that follow it.
      FRONTERA_CHECK(e.index > commit_index_)
          << "truncating committed entry " << e.index << " (commit " << commit_index_ << ")";
      log_.resize(e.index - snapshot_.index - 1);
      stable_index_ = std::min(stable_index_, e.index - 1);
      // Thesis §4.1: a configuration whose entry is removed no longer holds.
      membership_changed = membership_changed || e.index <= membership_index_;
    }
    membership_changed = membership_changed || e.type == EntryType::kConfig;
    log_.push_back(std::move(e));
  }
  if (membership_changed) RefreshMembership();
}

void Raft::BecomeProbe(Progress& pr, uint64_t next) {
  pr.state = ProgressState::kProbe;
  pr.next = std::max(next, pr.match + 1);
  pr.probe_sent = false;
  pr.inflight.clear();
  pr.stalled_heartbeats = 0;
  pr.pending_snapshot = 0;
  pr.snapshot_streamed = false;
}

void Raft::BecomeReplicate(Progress& pr) {
  pr.state = ProgressState::kReplicate;
  pr.next = pr.match + 1;
  pr.probe_sent = false;
  pr.inflight.clear();
  pr.stalled_heartbeats = 0;
  pr.pending_snapshot = 0;
  pr.snapshot_streamed = false;
}

void Raft::SendSnapshot(NodeId to, Progress& pr) {
  // Raft §7: the entries this follower needs next were compacted away; send
  // the snapshot instead and append nothing until it is answered.
  Message m;
  m.type = MessageType::kSnapshot;
  m.to = to;
  m.snapshot = snapshot_;
  // The receiver may have been started with another initial membership (a
  // node that joined later): the snapshot names its membership explicitly.
  if (m.snapshot.membership.voters.empty()) m.snapshot.membership = MembershipAt(snapshot_.index);
  Send(std::move(m));
  pr.state = ProgressState::kSnapshot;
  pr.pending_snapshot = snapshot_.index;
  pr.next = snapshot_.index + 1;  // Where replication resumes once it is installed.
  pr.snapshot_streamed = false;
  pr.probe_sent = false;
  pr.inflight.clear();
}

void Raft::SendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = progress_[to];
  if (pr.state == ProgressState::kSnapshot) return;
  if (pr.state == ProgressState::kProbe && pr.probe_sent) return;
  if (pr.state == ProgressState::kReplicate && pr.inflight.size() >= config_.max_inflight_appends) {
    return;
  }
  if (pr.next - 1 < snapshot_.index) {
    SendSnapshot(to, pr);
    return;
  }
  Message m;
  m.type = MessageType::kAppend;
  m.to = to;
  m.index = pr.next - 1;
  m.log_term = TermAt(m.index);
  m.commit = commit_index_;
  const uint64_t hi = std::min<uint64_t>(last_index(), m.index + config_.max_entries_per_append);
  for (uint64_t i = pr.next; i <= hi; ++i) m.entries.push_back(EntryAt(i));
  if (m.entries.empty() && !send_if_empty && pr.state != ProgressState::kProbe) return;
  if (pr.state == ProgressState::kProbe) {
    pr.probe_sent = true;
  } else if (!m.entries.empty()) {
    // Pipelining: optimistically advance next; bounded by max_inflight_appends.
    pr.next = m.entries.back().index + 1;
    pr.inflight.push_back(m.entries.back().index);
  }
  Send(std::move(m));
}

void Raft::BroadcastAppend(bool send_if_empty) {
  for (const auto& [peer, pr] : progress_) {
    if (peer != config_.id) SendAppend(peer, send_if_empty);
  }
}

void Raft::BroadcastHeartbeat() {
  // Thesis §6.4: heartbeats carry the newest read round, so a quorum of
  // answers confirms this node still led after every pending read was taken.
  const uint64_t round = pending_reads_.empty() ? 0 : read_round_;
  for (const auto& [peer, pr] : progress_) {
    if (peer == config_.id) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = peer;
    // The follower may not have our entries up to commit_index yet.
    m.commit = std::min(pr.match, commit_index_);
    m.context = round;
    Send(std::move(m));
  }
}

bool Raft::MaybeCommit() {
  // Only voters count (thesis §4): learners, and a leader its membership
  // no longer lists, replicate without making a quorum.
  std::vector<uint64_t> matches;
  for (NodeId voter : membership_.voters) {
    const auto it = progress_.find(voter);
    matches.push_back(it == progress_.end() ? 0 : it->second.match);
  }
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const uint64_t quorum_index = matches[Quorum() - 1];
  // Raft §5.4.2: never commit an entry of an earlier term by counting
  // replicas; only one of the current term commits (and with it its prefix).
  if (quorum_index > commit_index_ && TermAt(quorum_index) == current_term_) {
    commit_index_ = quorum_index;
    ReleaseReadsAwaitingCommit();
    return true;
  }
  return false;
}

void Raft::AddRead(uint64_t context, NodeId from) {
  PendingRead read;
  read.context = context;
  read.from = from;
  // Thesis §6.4 step 1: until an entry of its own term commits, a new leader
  // does not know the latest commit index; the read waits for its no-op.
  if (TermAt(commit_index_) != current_term_) {
    reads_awaiting_commit_.push_back(read);
    return;
  }
  read.index = commit_index_;
  read.round = ++read_round_;
  pending_reads_.push_back(read);
  BroadcastHeartbeat();
  ReleaseConfirmedReads();  // A cluster of one confirms itself.
}

void Raft::ReleaseReadsAwaitingCommit() {
  if (reads_awaiting_commit_.empty() || TermAt(commit_index_) != current_term_) return;
  const uint64_t round = ++read_round_;
  for (PendingRead& read : reads_awaiting_commit_) {
    read.index = commit_index_;
    read.round = round;
    pending_reads_.push_back(read);
  }
  reads_awaiting_commit_.clear();
  BroadcastHeartbeat();
  ReleaseConfirmedReads();
}

void Raft::ReleaseConfirmedReads() {
  while (!pending_reads_.empty()) {
    const PendingRead& read = pending_reads_.front();
    uint64_t acks = 0;
    for (const auto& [peer, pr] : progress_) {
      if (membership_.IsVoter(peer) && (peer == config_.id || pr.read_ack_round >= read.round)) {
        ++acks;
      }
    }
    // Thesis §6.4 step 3: a quorum answered a heartbeat sent after the read
    // was recorded, so no newer leader existed then; reads are recorded in
    // round order, so this one confirms every earlier one too.
    if (acks < Quorum()) return;
    AnswerRead(read);
    pending_reads_.pop_front();
  }
}

void Raft::AnswerRead(const PendingRead& read) {
  if (read.from == config_.id) {
    read_states_.push_back(ReadState{read.context, read.index});
    return;
  }
  Message m;
  m.type = MessageType::kReadIndexResponse;
  m.to = read.from;
  m.context = read.context;
  m.index = read.index;
  Send(std::move(m));
}

Status Raft::Step(const Message& m) {
  if (m.to != config_.id) {
    return Status::InvalidArgument("message for node " + std::to_string(m.to) +
                                   " delivered to node " + std::to_string(config_.id));
  }
  if (m.from == config_.id || m.from == kNoNode) {
    return Status::InvalidArgument("message from unknown peer " + std::to_string(m.from));
  }
  // Thesis §4.1: a node hears any server, whatever its own membership says
  // (a node that lags behind a change must still hear the leader the change
  // brought in; a leader's certificate is checked against this node's
  // voters). But a vote request from a node that is a voter in neither of
  // its last two memberships is not answered: it was removed, or joined
  // after, and must not disrupt an election it cannot win here.
  if ((m.type == MessageType::kPreVote || m.type == MessageType::kVote) &&
      !membership_.IsVoter(m.from) && !previous_membership_.IsVoter(m.from)) {
    return Status::InvalidArgument("vote request from node " + std::to_string(m.from) +
                                   ", which is not a voter here");
  }
  if (m.term < current_term_) {
    // Raft §5.1: a message with a stale term is rejected. Answer stale
    // leaders so they learn the newer term and step down, and stale
    // pre-candidates so they stop.
    if (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
        m.type == MessageType::kSnapshot) {
      Message r;
      r.type = MessageType::kAppendResponse;
      r.to = m.from;
      r.index = m.index;
      r.reject = true;
      r.reject_hint = last_index();
      Send(std::move(r));
    } else if (m.type == MessageType::kPreVote) {
      SendRejection(MessageType::kPreVoteResponse, m.from);
    }
    return Status::Ok();
  }
  // Nothing has changed yet: a message that breaks the protocol is refused
  // here, before it can move this node's term, log or commit index.
  FRONTERA_RETURN_IF_ERROR(CheckMessage(m));
  const bool is_vote_request = m.type == MessageType::kPreVote || m.type == MessageType::kVote;
  const bool from_leader = m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
                           m.type == MessageType::kSnapshot || m.type == MessageType::kTimeoutNow;
  // A transfer election counts as one only when the leader signed for it.
  const bool forced = is_vote_request && m.force && TransferAuthorized(m);
  // A leader steps down for the election of the transfer under way only: a
  // forced request from any other node is a late TimeoutNow of a transfer
  // it abandoned (Tick), and the leader has resumed.
  const bool live_transfer = forced && role_ == Role::kLeader && m.from == lead_transferee_;
  const bool was_leader = role_ == Role::kLeader;
  if (m.from == distrusted_ && (from_leader || is_vote_request)) {
    // DistrustLeader: this node neither follows nor votes for a leader that
    // stalled its writes, for a while; ignoring is the same as losing.
    return Status::Ok();
  }
  const bool untrusted = config_.authority != nullptr;
  if (m.term > current_term_) {
    if (role_ == Role::kLeader && config_.check_quorum && !live_transfer) {
      // A peer that answered this leader within stuck_peer_periods is not a
      // follower stuck at a later term: its later term is ignored, as if the
      // message were lost (a forced vote request is a transfer this leader
      // asked for).
      auto pr = progress_.find(m.from);
      if (pr != progress_.end() && pr->second.silent_periods < config_.stuck_peer_periods) {
        return Status::Ok();
      }
    }
    // With untrusted peers the lease also follows a vote: a follower that
    // granted one within an election timeout waits for that candidate's
    // election, so another node cannot take its vote away in the meantime.
    const bool voted_recently = untrusted && role_ == Role::kFollower && voted_for_ != kNoNode;
    const bool in_lease = config_.check_quorum && election_elapsed_ < config_.election_ticks &&
                          (leader_ != kNoNode || voted_recently);
    // The lease holder campaigning for a later term: the leader this node
    // follows heard a later term from a silent peer and runs again (see the
    // leader's rule above), so its vote request passes the lease it holds
    // itself; so does the candidate this node voted for.
    const NodeId lease_holder = leader_ != kNoNode ? leader_ : voted_for_;
    const bool holder_campaigns = m.type == MessageType::kVote && m.from == lease_holder;
    if (in_lease && ((is_vote_request && !forced && !holder_campaigns) ||
                     (role_ == Role::kFollower && !is_vote_request))) {
      // Thesis §4.2.3: while we heard from a leader within the minimum
      // election timeout, ignore (pre-)vote requests; a removed or partitioned
      // server must not depose a working leader. A transfer election (§3.10,
      // force) was asked for by that leader, so it bypasses the lease.
      // On a follower the same lease covers every other message of a higher
      // term: with PreVote and CheckQuorum, no leader of a later term can
      // exist while a majority still hears from this one, except after a
      // transfer, where the old leader votes for its successor (force) and
      // the others follow once their lease expires. Ignoring such a message
      // is the same as losing it, which Raft tolerates; without this rule any
      // peer could make a follower leave a working leader at will. A leader
      // still steps down on a later term (Raft §5.1): a follower stuck at a
      // higher term after a partition has no other way back in.
      return Status::Ok();
    }
    if (from_leader && m.type != MessageType::kTimeoutNow) {
      FRONTERA_RETURN_IF_ERROR(CheckElectionCertificate(m));
    }
    if (untrusted && role_ == Role::kFollower && !from_leader && !is_vote_request) {
      // A later term in an answer to nothing this follower asked (it asks
      // only as a candidate or leader): nothing honest needs it, and a lie
      // would push this node's term away from the others'.
      return Status::Ok();
    }
    if ((untrusted || forced) && m.type == MessageType::kVote && !CandidateUpToDate(m)) {
      // A vote this node refuses for the candidate's log does not move its
      // term either: answered at its own term, as if the request were stale.
      // Otherwise any peer could push the term of a node without a leader
      // as far as it likes, one request after another. A forced request
      // passed the lease only for a transfer: refused, it must not leave
      // this node at a term its leader does not know (a late TimeoutNow).
      SendRejection(MessageType::kVoteResponse, m.from);
      return Status::Ok();
    }
    if (m.type == MessageType::kPreVote || (m.type == MessageType::kPreVoteResponse && !m.reject)) {
      // Thesis §9.6: a pre-vote does not change anyone's term. A granted
      // pre-vote response carries the term we asked about.
    } else if (from_leader) {
      BecomeFollower(m.term, m.from);
    } else {
      // Raft §5.1: a higher term makes this node a follower of that term.
      BecomeFollower(m.term, kNoNode);
    }
  } else if (from_leader && m.type != MessageType::kTimeoutNow && m.from != term_leader_) {
    // The first message of this term's leader (this node was a candidate, or
    // restarted): its certificate is checked once, then term_leader_ holds.
    FRONTERA_RETURN_IF_ERROR(CheckElectionCertificate(m));
  }

  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      HandleVoteRequest(m);
      break;
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      HandleVoteResponse(m);
      break;
    case MessageType::kAppend:
      HandleAppend(m);
      break;
    case MessageType::kHeartbeat:
      HandleHeartbeat(m);
      break;
    case MessageType::kSnapshot:
      HandleSnapshot(m);
      break;
    case MessageType::kAppendResponse:
      HandleAppendResponse(m);
      break;
    case MessageType::kHeartbeatResponse:
      HandleHeartbeatResponse(m);
      break;
    case MessageType::kReadIndex:
      HandleReadIndex(m);
      break;
    case MessageType::kReadIndexResponse:
      HandleReadIndexResponse(m);
      break;
    case MessageType::kTimeoutNow:
      HandleTimeoutNow(m);
      break;
  }
  if (was_leader && config_.check_quorum && role_ == Role::kFollower && leader_ == kNoNode &&
      voted_for_ == kNoNode) {
    // A later term from a peer silent in this leader's term (it was stuck
    // there after a partition, or lies): run for the term after it at once,
    // with this node's log, rather than leave the cluster leaderless for an
    // election timeout. Followers let this node's vote request through.
    Campaign(/*pre=*/false, /*force=*/false);
  }
  MaybeStepDownRemoved();
  return Status::Ok();
}

Status Raft::CheckElectionCertificate(const Message& m) const {
  if (!config_.authority) return Status::Ok();
  // The leader's membership may hold one voter this node's does not know
  // yet (single-server changes): one such signature is skipped, not counted.
  const size_t voters = std::max(membership_.voters.size(), attested_voters_.size());
  if (m.proof.size() > voters + 1) {
    return Violation(m, "its election certificate holds " + std::to_string(m.proof.size()) +
                            " signatures for " + std::to_string(voters) + " voters");
  }
  FRONTERA_ASSIGN_OR_RETURN(size_t counted,
                            CountCertificate(m, membership_.voters, attested_voters_));
  if (counted >= Quorum()) return Status::Ok();
  if (!attested_voters_.empty() && attested_voters_ != membership_.voters) {
    FRONTERA_ASSIGN_OR_RETURN(size_t attested,
                              CountCertificate(m, attested_voters_, membership_.voters));
    if (attested >= attested_voters_.size() / 2 + 1) return Status::Ok();
  }
  return Violation(m, "it leads term " + std::to_string(m.term) + " on " + std::to_string(counted) +
                          " signed votes; a majority is " + std::to_string(Quorum()));
}

Result<size_t> Raft::CountCertificate(const Message& m, const std::vector<NodeId>& voters,
                                      const std::vector<NodeId>& others) const {
  const Statement vote{StatementKind::kVote, m.term, m.from};
  const auto in = [](const std::vector<NodeId>& ids, NodeId id) {
    return std::binary_search(ids.begin(), ids.end(), id);
  };
  std::vector<NodeId> signers;
  size_t unknown = 0;
  for (const SignedStatement& s : m.proof) {
    if (!in(voters, s.signer)) {
      if (s.signer == kNoNode || (!in(others, s.signer) && ++unknown > 1)) {
        return Violation(m, "its election certificate is signed by node " +
                                std::to_string(s.signer) + ", not a voter");
      }
      continue;
    }
    if (std::find(signers.begin(), signers.end(), s.signer) != signers.end()) {
      return Violation(
          m, "its election certificate holds two votes of node " + std::to_string(s.signer));
    }
    if (!config_.authority->Verify(s.signer, vote, s.signature)) {
      return Violation(m, "the vote of node " + std::to_string(s.signer) +
                              " in its election certificate does not verify");
    }
    signers.push_back(s.signer);
  }
  return signers.size();
}

void Raft::SetAttestedVoters(std::vector<NodeId> voters) {
  std::sort(voters.begin(), voters.end());
  voters.erase(std::unique(voters.begin(), voters.end()), voters.end());
  std::erase(voters, kNoNode);
  attested_voters_ = std::move(voters);
}

bool Raft::CandidateUpToDate(const Message& m) const {
  return m.log_term > LastTerm() || (m.log_term == LastTerm() && m.index >= last_index());
}

void Raft::DistrustLeader() {
  if (role_ != Role::kFollower || leader_ == kNoNode) return;
  distrusted_ = leader_;
  distrust_ticks_ = uint64_t{config_.stuck_peer_periods} * config_.election_ticks;
  leader_ = kNoNode;
  // Campaign at the next tick (with PreVote, if configured).
  election_elapsed_ = randomized_election_ticks_ - 1;
}

bool Raft::TransferAuthorized(const Message& m) const {
  if (!config_.authority) return true;
  return current_term_ < kMaxTerm && m.term == current_term_ + 1 && term_leader_ != kNoNode &&
         CheckSingleStatement(m, StatementKind::kTransfer, current_term_, m.from, term_leader_)
             .ok();
}

Status Raft::CheckSingleStatement(const Message& m, StatementKind kind, uint64_t term,
                                  NodeId candidate, NodeId signer) const {
  if (!config_.authority) return Status::Ok();
  const std::string_view what = kind == StatementKind::kVote ? "signed vote" : "signed transfer";
  if (m.proof.size() != 1 || m.proof[0].signer != signer) {
    return Violation(
        m, "it does not carry the " + std::string(what) + " of node " + std::to_string(signer));
  }
  if (!config_.authority->Verify(signer, Statement{kind, term, candidate}, m.proof[0].signature)) {
    return Violation(
        m, "the " + std::string(what) + " of node " + std::to_string(signer) + " does not verify");
  }
  return Status::Ok();
}

uint64_t Raft::MatchedIndexFor(const Message& m) const {
  // Raft §5.4 Leader Completeness: every leader's log holds our committed
  // entries. And a leader's log only grows in its term, so what it confirmed
  // to this node in the term stays confirmed.
  const bool same_leader = m.term == current_term_ && m.from == term_leader_;
  return std::max(commit_index_, same_leader ? confirmed_index_ : 0);
}

Status Raft::CheckMessage(const Message& m) const {
  const auto violation = [&m](const std::string& what) { return Violation(m, what); };
  if (m.term - current_term_ > config_.max_term_step) {
    return violation("the term is " + std::to_string(m.term - current_term_) +
                     " beyond this node's term " + std::to_string(current_term_) +
                     " (max_term_step " + std::to_string(config_.max_term_step) + ")");
  }
  if (m.term > kMaxTerm) {
    return violation("no term may follow it (the highest term is " + std::to_string(kMaxTerm) +
                     ")");
  }
  if (!m.entries.empty() && m.type != MessageType::kAppend) {
    return violation("it carries " + std::to_string(m.entries.size()) + " log entries");
  }
  const bool current = m.term == current_term_;
  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      // Raft §5.2: a candidate campaigns in a term above every term of its
      // log (it increments its term; a pre-candidate asks for term + 1).
      if (m.log_term >= m.term) {
        return violation("the candidate's last log term " + std::to_string(m.log_term) +
                         " is not below the term it asks for");
      }
      return Status::Ok();
    case MessageType::kPreVoteResponse:
      // Thesis §9.6: this node only ever asks for current_term + 1.
      if (!m.reject && m.term > current_term_ + 1) {
        return violation("a pre-vote granted for a term this node never asked for (it asks for " +
                         std::to_string(current_term_ + 1) + ")");
      }
      return Status::Ok();
    case MessageType::kVoteResponse:
      // Raft §5.2: a candidate votes for itself, durably, before asking.
      if (!m.reject && (!current || voted_for_ != config_.id)) {
        return violation("a vote granted for a term this node did not campaign in");
      }
      // A vote that counts is one the voter signed: it goes into the
      // certificate this node will show as leader.
      if (!m.reject && role_ == Role::kCandidate) {
        return CheckSingleStatement(m, StatementKind::kVote, current_term_, config_.id, m.from);
      }
      return Status::Ok();
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
    case MessageType::kTimeoutNow:
      // Raft §5.2 Election Safety: a term has at most one leader.
      if (current && term_leader_ == config_.id) {
        return violation("this node leads term " + std::to_string(current_term_));
      }
      if (current && term_leader_ != kNoNode && term_leader_ != m.from) {
        return violation("node " + std::to_string(term_leader_) + " leads term " +
                         std::to_string(current_term_));
      }
      if (m.type == MessageType::kTimeoutNow && !current) {
        // Thesis §3.10: a leader hands over only to a follower whose log
        // matches its own, which is therefore in its term.
        return violation(
            "a leader hands over only to a follower of its term; this node is in term " +
            std::to_string(current_term_));
      }
      if (m.type == MessageType::kAppend) return CheckAppend(m);
      if (m.type == MessageType::kSnapshot) return CheckSnapshot(m);
      if (m.type == MessageType::kTimeoutNow && term_leader_ == m.from) {
        return CheckSingleStatement(m, StatementKind::kTransfer, m.term, config_.id, m.from);
      }
      return Status::Ok();
    case MessageType::kAppendResponse:
    case MessageType::kHeartbeatResponse:
      if (m.type == MessageType::kAppendResponse && m.reject) {
        // A follower rejects appends of any term (stale ones too); the index
        // is clamped where it is used.
        return Status::Ok();
      }
      // Acknowledgements carry the term of the leader that sent the append
      // or heartbeat, and only a candidate of that term (which voted for
      // itself) can have led it.
      if (!current || voted_for_ != config_.id) {
        return violation("an acknowledgement for a term this node never led");
      }
      // A leader of the term since its start (not one restarted since, which
      // forgot its read rounds) knows everything it sent.
      if (role_ != Role::kLeader) return Status::Ok();
      if (m.type == MessageType::kAppendResponse && m.index > last_index()) {
        return violation("acknowledges index " + std::to_string(m.index) +
                         " beyond this node's last index " + std::to_string(last_index()));
      }
      if (m.type == MessageType::kHeartbeatResponse && m.context > read_round_) {
        return violation("acknowledges read round " + std::to_string(m.context) +
                         "; this node has sent rounds up to " + std::to_string(read_round_));
      }
      return Status::Ok();
    case MessageType::kReadIndex:
      return Status::Ok();
    case MessageType::kReadIndexResponse:
      return CheckReadIndexResponse(m);
  }
  return violation("unknown message type");
}

Status Raft::CheckAppend(const Message& m) const {
  const auto violation = [&m](const std::string& what) { return Violation(m, what); };
  if (m.log_term > m.term) {
    return violation("its previous entry's term " + std::to_string(m.log_term) +
                     " is beyond its term");
  }
  if (m.index > std::numeric_limits<uint64_t>::max() - m.entries.size()) {
    return violation("its entries would run past the largest index");
  }
  // Raft §5.3: the entries continue the leader's log right after index, and
  // a log's terms never decrease and never exceed its leader's term.
  uint64_t previous_term = m.log_term;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.index != m.index + 1 + i) {
      return violation("entry " + std::to_string(i) + " has index " + std::to_string(e.index) +
                       ", not " + std::to_string(m.index + 1 + i) + " (entries must follow index " +
                       std::to_string(m.index) + " without gaps)");
    }
    if (e.term == 0 || e.term < previous_term || e.term > m.term) {
      return violation("entry " + std::to_string(e.index) + " has term " + std::to_string(e.term) +
                       " (after term " + std::to_string(previous_term) +
                       "; terms must not decrease nor exceed the message's)");
    }
    previous_term = e.term;
  }
  // Our committed prefix is final, and so is what this leader confirmed in
  // its term: an append that contradicts either is not from an honest leader.
  // (Entries compacted into our snapshot cannot be compared.)
  const uint64_t matched = MatchedIndexFor(m);
  const auto contradicts = [&](uint64_t index, uint64_t term) {
    return index <= matched && index >= snapshot_.index && TermAt(index) != term;
  };
  if (contradicts(m.index, m.log_term)) {
    return violation("its previous entry " + std::to_string(m.index) + "/" +
                     std::to_string(m.log_term) + " contradicts this node's entry of term " +
                     std::to_string(TermAt(m.index)) + ", which is committed or was confirmed");
  }
  for (const Entry& e : m.entries) {
    if (e.index > matched) break;
    if (contradicts(e.index, e.term)) {
      return violation("entry " + std::to_string(e.index) + "/" + std::to_string(e.term) +
                       " contradicts this node's entry of term " + std::to_string(TermAt(e.index)) +
                       ", which is committed or was confirmed");
    }
  }
  if (m.index > matched && m.log_term < TermAt(matched)) {
    return violation("its previous entry's term " + std::to_string(m.log_term) +
                     " is below the term " + std::to_string(TermAt(matched)) + " of entry " +
                     std::to_string(matched) + ", committed or confirmed before it");
  }
  return CheckConfigEntries(m);
}

Status Raft::CheckConfigEntries(const Message& m) const {
  // What an entry's membership may be is the leader's to check (it is the
  // leader's one change at a time); a follower only refuses an entry that
  // would not decode, which no leader writes. (The membership before an
  // entry is not known here in general: a node that joined later started
  // from the membership of its day, not from the log's first.)
  for (const Entry& e : m.entries) {
    if (e.type != EntryType::kConfig) continue;
    Result<ConfigChange> change = DecodeConfigChange(e.data);
    if (!change.ok()) {
      return Violation(m, "config entry " + std::to_string(e.index) +
                              " does not decode: " + change.status().message());
    }
  }
  return Status::Ok();
}

Status Raft::CheckSnapshot(const Message& m) const {
  const auto violation = [&m](const std::string& what) { return Violation(m, what); };
  const SnapshotMeta& s = m.snapshot;
  const std::string point = std::to_string(s.index) + "/" + std::to_string(s.term);
  if (s.index == 0 || s.term == 0) return violation("snapshot " + point + " covers no entry");
  if (s.term > m.term) return violation("snapshot " + point + " is from a later term");
  // Raft §7: a snapshot holds committed entries of the leader's log, which
  // holds ours (§5.4).
  const uint64_t matched = MatchedIndexFor(m);
  if (s.index <= matched && s.index >= snapshot_.index && TermAt(s.index) != s.term) {
    return violation("snapshot " + point + " contradicts this node's entry of term " +
                     std::to_string(TermAt(s.index)) + ", which is committed or was confirmed");
  }
  if (s.index > matched && s.term < TermAt(matched)) {
    return violation("snapshot " + point + " has a term below the term " +
                     std::to_string(TermAt(matched)) + " of entry " + std::to_string(matched) +
                     ", committed or confirmed before it");
  }
  return Status::Ok();
}

Status Raft::CheckReadIndexResponse(const Message& m) const {
  // Thesis §6.4: a leader answers a read in the term it was asked in; a
  // refusal may come from a later term (the node asked has moved on).
  if (!m.reject && m.term != current_term_) {
    return Violation(m, "a read index from a term this node asked nothing in");
  }
  for (const ReadRequest& request : read_requests_) {
    if (request.context == m.context && request.leader == m.from) return Status::Ok();
  }
  if (!read_requests_complete_) return Status::Ok();  // Maybe asked before a restart: ignored.
  return Violation(m, "an answer to read request " + std::to_string(m.context) +
                          ", which this node did not send to node " + std::to_string(m.from) +
                          " among its last " + std::to_string(config_.max_pending_reads) +
                          " requests of term " + std::to_string(current_term_));
}

void Raft::HandleVoteRequest(const Message& m) {
  const bool pre = m.type == MessageType::kPreVote;
  // Raft §5.2: at most one vote per term, first come first served (a repeat
  // request from the same candidate gets the same answer). A pre-vote for a
  // later term commits to nothing, so it may be granted freely (§9.6).
  const bool can_vote = voted_for_ == m.from || (voted_for_ == kNoNode && leader_ == kNoNode) ||
                        (pre && m.term > current_term_);
  // Raft §5.4.1: grant only to a candidate whose log is at least as
  // up-to-date: later last term, or same last term and at least as long.
  const bool up_to_date = CandidateUpToDate(m);
  Message r;
  r.type = pre ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  r.to = m.from;
  if (can_vote && up_to_date) {
    r.term = m.term;
    if (!pre) {
      voted_for_ = m.from;
      election_elapsed_ = 0;
      if (config_.authority) {
        r.proof.push_back(SignedStatement{
            config_.id, config_.authority->Sign(Statement{StatementKind::kVote, m.term, m.from})});
      }
    }
  } else {
    r.term = current_term_;
    r.reject = true;
  }
  Send(std::move(r));
}

void Raft::HandleVoteResponse(const Message& m) {
  const bool pre = m.type == MessageType::kPreVoteResponse;
  if (pre ? role_ != Role::kPreCandidate : role_ != Role::kCandidate) return;
  // Thesis §9.6: a granted pre-vote counts only for the term asked about
  // now, not for one of an earlier pre-campaign.
  if (pre && !m.reject && m.term != current_term_ + 1) return;
  const bool counted = votes_.emplace(m.from, !m.reject).second;
  if (counted && !pre && !m.reject && config_.authority) {
    vote_signatures_[m.from] = m.proof.front().signature;  // Checked by CheckMessage.
  }
  uint64_t granted = 0;
  uint64_t rejected = 0;
  for (const auto& [peer, vote] : votes_) {
    if (membership_.IsVoter(peer)) (vote ? granted : rejected) += 1;
  }
  if (granted >= Quorum()) {
    if (pre) {
      // Pre-vote quorum: now run the real election (§9.6).
      Campaign(/*pre=*/false, /*force=*/false);
    } else {
      BecomeLeader();  // Raft §5.2: a majority of votes wins.
    }
  } else if (rejected >= Quorum()) {
    BecomeFollower(current_term_, kNoNode);
  }
}

void Raft::FollowSender(const Message& m) {
  // Raft §5.2 election safety: one leader per term, so a leader never hears
  // a leader's message of its own term (CheckMessage refused it).
  FRONTERA_CHECK(role_ != Role::kLeader) << "two leaders in term " << m.term;
  if (role_ != Role::kFollower) BecomeFollower(m.term, m.from);
  leader_ = m.from;
  term_leader_ = m.from;
  election_elapsed_ = 0;
}

void Raft::HandleAppend(const Message& m) {
  FollowSender(m);
  Message r;
  r.type = MessageType::kAppendResponse;
  r.to = m.from;
  uint64_t prev_index = m.index;
  uint64_t prev_term = m.log_term;
  std::vector<Entry> entries = m.entries;
  if (prev_index < commit_index_) {
    // Our committed prefix matches the leader's log (§5.4 Leader
    // Completeness), and part of it may be compacted: check the append
    // against our commit point instead.
    const uint64_t skip = std::min<uint64_t>(entries.size(), commit_index_ - prev_index);
    entries.erase(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(skip));
    if (entries.empty()) {
      r.index = commit_index_;
      confirmed_index_ = std::max(confirmed_index_, r.index);
      Send(std::move(r));
      return;
    }
    prev_index = commit_index_;
    prev_term = TermAt(commit_index_);
  }
  // Raft §5.3: reject unless our log has an entry at prev_log_index whose term
  // matches prev_log_term.
  if (prev_index > last_index()) {
    r.index = m.index;
    r.reject = true;
    r.reject_hint = last_index();
    r.log_term = 0;
    Send(std::move(r));
    return;
  }
  if (TermAt(prev_index) != prev_term) {
    // Back-off hint (§5.3 optimisation): skip the whole conflicting term, but
    // not into the committed prefix, which cannot conflict.
    const uint64_t conflict_term = TermAt(prev_index);
    uint64_t first = prev_index;
    while (first > commit_index_ + 1 && TermAt(first - 1) == conflict_term) --first;
    // CheckAppend refused an append whose previous entry contradicts a
    // committed one.
    FRONTERA_CHECK(prev_index > commit_index_) << "committed entry " << prev_index << " conflicts";
    r.index = m.index;
    r.reject = true;
    r.reject_hint = first;
    r.log_term = conflict_term;
    Send(std::move(r));
    return;
  }
  const uint64_t last_new = prev_index + entries.size();
  AppendToLog(std::move(entries));
  // Raft Figure 2: commitIndex = min(leaderCommit, index of last new entry).
  commit_index_ = std::max(commit_index_, std::min(m.commit, last_new));
  confirmed_index_ = std::max(confirmed_index_, last_new);
  r.index = last_new;
  Send(std::move(r));
}

void Raft::HandleHeartbeat(const Message& m) {
  FollowSender(m);
  // Only entries known to match this leader's log may commit: our tail
  // beyond them may be another leader's. The leader sends min(commit, our
  // match), which an append of its term confirmed unless this node restarted
  // since; then it asks for an append (reject) to confirm them.
  const uint64_t matched = std::max(commit_index_, confirmed_index_);
  commit_index_ = std::max(commit_index_, std::min(m.commit, matched));
  Message r;
  r.type = MessageType::kHeartbeatResponse;
  r.to = m.from;
  r.context = m.context;  // Thesis §6.4: acknowledges the leader's read round.
  r.reject = m.commit > matched;
  Send(std::move(r));
}

void Raft::HandleSnapshot(const Message& m) {
  FollowSender(m);
  const SnapshotMeta& s = m.snapshot;
  Message r;
  r.type = MessageType::kAppendResponse;
  r.to = m.from;
  if (s.index <= commit_index_) {
    // Nothing to learn: our committed prefix already covers the snapshot.
    r.index = commit_index_;
  } else if (s.index <= last_index() && TermAt(s.index) == s.term) {
    // Raft §7: "If existing log entry has same index and term as snapshot's
    // last included entry, retain log entries following it": the snapshot
    // only tells us those entries are committed.
    commit_index_ = s.index;
    r.index = s.index;
  } else {
    // Raft §7: otherwise discard the entire log and reset the state machine
    // from the snapshot.
    RestoreSnapshot(s);
    r.index = s.index;
  }
  confirmed_index_ = std::max(confirmed_index_, r.index);
  Send(std::move(r));
}

void Raft::RestoreSnapshot(const SnapshotMeta& snapshot) {
  // HandleSnapshot keeps the log when the snapshot is at or below commit;
  // CheckSnapshot refused one that contradicts what was confirmed.
  FRONTERA_CHECK(snapshot.index > commit_index_ && snapshot.index > confirmed_index_)
      << "node " << config_.id << ": restoring snapshot " << snapshot.index
      << " at or below commit " << commit_index_;
  log_.clear();
  snapshot_ = snapshot;
  RefreshMembership();
  commit_index_ = snapshot.index;
  stable_index_ = snapshot.index;  // Installing the snapshot empties the stored log.
  pending_snapshot_ = snapshot;
}

void Raft::HandleAppendResponse(const Message& m) {
  if (role_ != Role::kLeader) return;
  Progress& pr = progress_[m.from];
  pr.recent_active = true;
  if (m.reject) {
    // A snapshot is never rejected in our term; the follower's answer to it
    // is still on its way. Otherwise ignore stale rejections (duplicated or
    // reordered responses).
    if (pr.state == ProgressState::kSnapshot) return;
    if (pr.state == ProgressState::kProbe ? m.index != pr.next - 1 : m.index <= pr.match) return;
    // log_term 0: the follower's log ends at reject_hint. The follower's
    // numbers are clamped to what this leader sent (the rejected index, at
    // most last_index + 1 as the next index).
    const uint64_t hint = m.log_term != 0           ? m.reject_hint
                          : m.reject_hint < m.index ? m.reject_hint + 1
                                                    : m.index;
    BecomeProbe(pr, std::min({hint, m.index, last_index() + 1}));
    SendAppend(m.from, /*send_if_empty=*/true);
    return;
  }
  while (!pr.inflight.empty() && pr.inflight.front() <= m.index) pr.inflight.pop_front();
  if (m.index > pr.match) {
    pr.match = m.index;
    pr.stalled_heartbeats = 0;
    if (pr.state == ProgressState::kSnapshot) {
      // Raft §7: the follower installed (or already had) the snapshot;
      // replicate the entries that follow it.
      if (pr.match >= pr.pending_snapshot) {
        BecomeReplicate(pr);
      } else {
        pr.next = std::max(pr.next, pr.match + 1);
      }
    } else if (pr.state == ProgressState::kProbe) {
      BecomeReplicate(pr);
    } else {
      pr.next = std::max(pr.next, pr.match + 1);
    }
    if (m.from == lead_transferee_) MaybeSendTimeoutNow();
    if (MaybeCommit()) {
      BroadcastAppend(/*send_if_empty=*/true);
      return;
    }
  } else if (pr.state == ProgressState::kProbe) {
    pr.probe_sent = false;
  }
  ResumeAppends(m.from, pr);
}

void Raft::ResumeAppends(NodeId to, Progress& pr) {
  while (pr.next <= last_index() && pr.state != ProgressState::kSnapshot &&
         (pr.state == ProgressState::kProbe ? !pr.probe_sent
                                            : pr.inflight.size() < config_.max_inflight_appends)) {
    const uint64_t before = outbox_.size();
    SendAppend(to, /*send_if_empty=*/false);
    if (outbox_.size() == before) break;
  }
}

void Raft::HandleHeartbeatResponse(const Message& m) {
  if (role_ != Role::kLeader) return;
  Progress& pr = progress_[m.from];
  pr.recent_active = true;
  // Silent for a whole CheckQuorum period: what was sent meanwhile is lost.
  const bool back_from_silence = pr.silent_periods > 0;
  pr.silent_periods = 0;
  pr.read_ack_round = std::max(pr.read_ack_round, m.context);
  ReleaseConfirmedReads();
  if (pr.state == ProgressState::kSnapshot) {
    // The follower installed the streamed snapshot but its answer was lost:
    // probe right after the snapshot. (While the stream runs, wait.)
    if (pr.snapshot_streamed) {
      BecomeProbe(pr, pr.pending_snapshot + 1);
      SendAppend(m.from, /*send_if_empty=*/true);
    }
    return;
  }
  if (m.reject) {
    // It cannot confirm our commit: it restarted and lost what our appends
    // told it. Find where its log ends.
    BecomeProbe(pr, pr.match + 1);
    SendAppend(m.from, /*send_if_empty=*/true);
    return;
  }
  if (pr.match >= last_index()) {
    pr.stalled_heartbeats = 0;
    return;
  }
  if (pr.state == ProgressState::kProbe) {
    // The probe or its answer may have been lost: send it again, from where
    // the back-off got to (not from the match, which would undo it).
    pr.probe_sent = false;
    SendAppend(m.from, /*send_if_empty=*/true);
    return;
  }
  // kReplicate. A lagging follower is never sent back to probing by a
  // heartbeat: that would resend the window on every heartbeat under load.
  // Links deliver in order, so an append sent before a heartbeat is answered
  // before it; appends still unacknowledged after kLostAppendHeartbeats
  // heartbeat responses with no acknowledgement in between were lost (a
  // full send queue drops frames), as were those sent to a follower that
  // was silent for a CheckQuorum period. Only then resend from the match.
  if (pr.inflight.empty()) {
    pr.stalled_heartbeats = 0;
    ResumeAppends(m.from, pr);
  } else if (back_from_silence || ++pr.stalled_heartbeats >= kLostAppendHeartbeats) {
    BecomeProbe(pr, pr.match + 1);
    SendAppend(m.from, /*send_if_empty=*/true);
  }
}

void Raft::HandleReadIndex(const Message& m) {
  if (role_ != Role::kLeader || PendingReadCount() >= config_.max_pending_reads) {
    Message r;
    r.type = MessageType::kReadIndexResponse;
    r.to = m.from;
    r.context = m.context;
    r.reject = true;
    Send(std::move(r));
    return;
  }
  AddRead(m.context, m.from);
}

void Raft::HandleReadIndexResponse(const Message& m) {
  for (ReadRequest& request : read_requests_) {
    if (request.context != m.context || request.leader != m.from || request.answered) continue;
    request.answered = true;
    // A refused read: the caller times out and asks again.
    if (!m.reject) read_states_.push_back(ReadState{m.context, m.index});
    return;
  }
  // A duplicate of an answer already taken (or one made stale by a term
  // change in this step).
}

void Raft::HandleTimeoutNow(const Message& m) {
  // Leader unknown since a restart: the sender cannot be told from an
  // impostor, so the transfer is left to time out.
  if (term_leader_ != m.from || !Promotable()) return;
  // Thesis §3.10: the leader handed over; campaign at once in a real election
  // (PreVote would be refused by followers that still hear the old leader).
  // Its signed request (checked by CheckMessage) lets the votes through the
  // lease of the other followers.
  transfer_proof_ = m.proof;
  Campaign(/*pre=*/false, /*force=*/true);
}

bool Raft::HasReady() const {
  const HardState hs{current_term_, voted_for_, commit_index_, term_leader_};
  return hs != persisted_hard_state_ || stable_index_ < last_index() || !outbox_.empty() ||
         applied_index_ < commit_index_ || pending_snapshot_.has_value() || !read_states_.empty();
}

Ready Raft::GetReady() {
  Ready rd;
  const HardState hs{current_term_, voted_for_, commit_index_, term_leader_};
  if (hs != persisted_hard_state_) rd.hard_state = hs;
  rd.snapshot = pending_snapshot_;
  const uint64_t first_unstable = std::max(stable_index_, snapshot_.index) + 1;
  for (uint64_t i = first_unstable; i <= last_index(); ++i) rd.entries.push_back(EntryAt(i));
  // Entries covered by a snapshot reach the state machine through it.
  const uint64_t first_unapplied = std::max(applied_index_, snapshot_.index) + 1;
  for (uint64_t i = first_unapplied; i <= commit_index_; ++i) {
    rd.committed_entries.push_back(EntryAt(i));
  }
  rd.read_states = std::move(read_states_);
  read_states_.clear();
  rd.messages = std::move(outbox_);
  outbox_.clear();
  return rd;
}

void Raft::Advance(const Ready& ready) {
  if (ready.hard_state) persisted_hard_state_ = *ready.hard_state;
  if (ready.snapshot) {
    FRONTERA_CHECK(ready.snapshot->index <= commit_index_) << "node " << config_.id;
    applied_index_ = std::max(applied_index_, ready.snapshot->index);
    stable_index_ = std::max(stable_index_, std::min(ready.snapshot->index, last_index()));
    if (pending_snapshot_ == ready.snapshot) pending_snapshot_.reset();
  }
  if (!ready.entries.empty()) {
    const Entry& last = ready.entries.back();
    // Only if nothing persisted was replaced since GetReady.
    if (last.index > snapshot_.index && last.index <= last_index() &&
        TermAt(last.index) == last.term && ready.entries.front().index <= stable_index_ + 1) {
      stable_index_ = std::max(stable_index_, last.index);
    }
  }
  if (!ready.committed_entries.empty()) {
    FRONTERA_CHECK(ready.committed_entries.back().index <= commit_index_);
    applied_index_ = std::max(applied_index_, ready.committed_entries.back().index);
  }
}

void Raft::CheckInvariants() {
  const NodeId id = config_.id;
  FRONTERA_CHECK(current_term_ >= checked_term_)
      << "node " << id << ": term went back from " << checked_term_;
  FRONTERA_CHECK(commit_index_ >= checked_commit_)
      << "node " << id << ": commit went back from " << checked_commit_;
  FRONTERA_CHECK(snapshot_.index <= commit_index_ && commit_index_ <= last_index())
      << "node " << id << ": commit " << commit_index_ << " outside [snapshot " << snapshot_.index
      << ", last " << last_index() << "]";
  // Raft §7: the state machine holds the snapshot, except while a snapshot
  // from the leader waits to be installed.
  FRONTERA_CHECK(applied_index_ <= commit_index_) << "node " << id;
  FRONTERA_CHECK(applied_index_ >= snapshot_.index || pending_snapshot_ == snapshot_)
      << "node " << id << ": applied " << applied_index_ << " before snapshot " << snapshot_.index;
  FRONTERA_CHECK(snapshot_.index <= stable_index_ && stable_index_ <= last_index())
      << "node " << id;
  FRONTERA_CHECK(snapshot_.term <= current_term_) << "node " << id;
  FRONTERA_CHECK(current_term_ <= kMaxTerm) << "node " << id;
  FRONTERA_CHECK(leader_ == kNoNode || leader_ == term_leader_)
      << "node " << id << ": follows " << leader_ << " but knows " << term_leader_
      << " as the leader of term " << current_term_;
  FRONTERA_CHECK(confirmed_index_ <= last_index())
      << "node " << id << ": confirmed index " << confirmed_index_ << " beyond the log";
  FRONTERA_CHECK(read_requests_.size() <= config_.max_pending_reads) << "node " << id;
  FRONTERA_CHECK(!membership_.voters.empty() && membership_index_ <= last_index())
      << "node " << id << ": membership from index " << membership_index_;
  FRONTERA_CHECK(membership_index_ <= snapshot_.index ||
                 EntryAt(membership_index_).type == EntryType::kConfig)
      << "node " << id << ": membership index " << membership_index_ << " is not a config entry";
  uint64_t previous_term = snapshot_.term;
  for (uint64_t i = 0; i < log_.size(); ++i) {
    const uint64_t index = snapshot_.index + i + 1;
    FRONTERA_CHECK(log_[i].index == index) << "node " << id << ": index gap at " << index;
    FRONTERA_CHECK(log_[i].term <= current_term_)
        << "node " << id << ": entry " << index << " from a future term";
    FRONTERA_CHECK(log_[i].term >= previous_term)
        << "node " << id << ": terms decrease at " << index;
    previous_term = log_[i].term;
  }
  if (role_ == Role::kLeader) {
    FRONTERA_CHECK(leader_ == id && voted_for_ == id && term_leader_ == id) << "node " << id;
    FRONTERA_CHECK(read_requests_.empty()) << "node " << id << ": leader waits for a read index";
    FRONTERA_CHECK(LastTerm() == current_term_)
        << "node " << id << ": leader without an entry of its term";
    // Raft §8: the first entry of the leader's term is its no-op (unless it
    // was already compacted into the snapshot).
    uint64_t first = last_index();
    while (first > snapshot_.index + 1 && TermAt(first - 1) == current_term_) --first;
    if (first > snapshot_.index + 1 || snapshot_.term != current_term_) {
      FRONTERA_CHECK(EntryAt(first).type == EntryType::kNoop)
          << "node " << id << ": leader's term does not start with a no-op";
    }
    for (const auto& [peer, pr] : progress_) {
      FRONTERA_CHECK(pr.match < pr.next && pr.match <= last_index())
          << "node " << id << ": bad progress for " << peer;
      FRONTERA_CHECK(pr.inflight.size() <= config_.max_inflight_appends);
      FRONTERA_CHECK(pr.state != ProgressState::kSnapshot || pr.pending_snapshot > 0)
          << "node " << id << ": snapshot state without a snapshot for " << peer;
    }
    FRONTERA_CHECK(PendingReadCount() <= config_.max_pending_reads) << "node " << id;
    FRONTERA_CHECK(lead_transferee_ != id) << "node " << id;
    // Thesis §4.2.2: a leader its membership leaves without a vote leads
    // only until that change commits.
    FRONTERA_CHECK(IsVoter() || commit_index_ < membership_index_)
        << "node " << id << ": leads after its removal committed";
    for (NodeId member : membership_.voters) FRONTERA_CHECK(progress_.contains(member));
    for (NodeId member : membership_.learners) FRONTERA_CHECK(progress_.contains(member));
  } else {
    FRONTERA_CHECK(lead_transferee_ == kNoNode && PendingReadCount() == 0)
        << "node " << id << ": leader state on a "
        << (role_ == Role::kFollower ? "follower" : "candidate");
  }
  if (role_ == Role::kCandidate) FRONTERA_CHECK(voted_for_ == id);
  checked_term_ = current_term_;
  checked_commit_ = commit_index_;
}

}  // namespace frontera::consensus
