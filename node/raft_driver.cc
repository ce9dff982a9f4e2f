#include "node/raft_driver.h"

#include <algorithm>
#include <chrono>

#include "common/check.h"
#include "crypto/sha256.h"
#include "storage/raft_log_store.h"

namespace frontera::node {

using consensus::Entry;
using consensus::EntryType;
using consensus::Message;
using consensus::MessageType;
using consensus::NodeId;
using consensus::Role;
using consensus::SnapshotMeta;

namespace {

// A document sent to the leader and not committed within this is sent again.
constexpr int64_t kForwardRetryMs = 3000;

template <typename T>
void MoveAppend(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}

// Appends `from` to `to`, keeping the order in which the actions were decided.
void Merge(DriverActions& to, DriverActions& from) {
  MoveAppend(to.messages, from.messages);
  MoveAppend(to.snapshot_streams, from.snapshot_streams);
  MoveAppend(to.forwards, from.forwards);
  MoveAppend(to.committed, from.committed);
  MoveAppend(to.reads, from.reads);
  MoveAppend(to.failed_writes, from.failed_writes);
  MoveAppend(to.discard, from.discard);
  MoveAppend(to.distrusted, from.distrusted);
  if (from.leader_change) to.leader_change = from.leader_change;
  from.leader_change.reset();
  FRONTERA_CHECK(!from.install) << "an install is handed out by Run or Installed only";
}

}  // namespace

std::string DocumentKey(const ledger::ProposedDocument& d) {
  crypto::Sha256Hasher h;
  const char kind = static_cast<char>(d.kind);
  h.Update(std::string_view(&kind, 1));
  h.Update(d.certificate_id);
  h.Update(std::string_view("\0", 1));
  h.Update(d.canonical);
  crypto::Hash digest = h.Finish();
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

consensus::RaftConfig CoreConfig(const NodeConfig& config) {
  consensus::RaftConfig rc;
  rc.election_ticks = config.raft.election_ticks;
  rc.heartbeat_ticks = config.raft.heartbeat_ticks;
  rc.max_inflight_appends = config.raft.max_inflight_appends;
  rc.max_entries_per_append = config.raft.max_entries_per_append;
  rc.max_uncommitted_entries = config.raft.max_uncommitted_entries;
  rc.max_term_step = config.raft.term_step_max;
  rc.pre_vote = true;
  rc.check_quorum = true;
  return rc;
}

bool DriverActions::empty() const {
  return messages.empty() && snapshot_streams.empty() && forwards.empty() && committed.empty() &&
         reads.empty() && failed_writes.empty() && discard.empty() && !leader_change && !install &&
         distrusted.empty();
}

RaftDriver::RaftDriver(const NodeConfig& config, storage::RaftLogStore* store,
                       uint64_t first_read_context)
    : config_(config), store_(store), next_read_context_(first_read_context) {}

Result<std::unique_ptr<RaftDriver>> RaftDriver::Create(const NodeConfig& config,
                                                       const consensus::RaftConfig& core,
                                                       storage::RaftLogStore* store,
                                                       uint64_t first_read_context) {
  std::unique_ptr<RaftDriver> driver(new RaftDriver(config, store, first_read_context));
  FRONTERA_ASSIGN_OR_RETURN(driver->raft_, consensus::Raft::Create(core, *store));
  return driver;
}

void RaftDriver::Observe(const Observation& observation) {
  FRONTERA_CHECK(observation.steady_ms >= now_.steady_ms) << "the monotonic clock went back";
  now_ = observation;
}

// ---------------------------------------------------------------------------
// Inputs

void RaftDriver::Tick() {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  raft_->Tick();
  ++ticks_;
  CheckSnapshotSends();
  // Cut off from a majority (no leader for two election timeouts): fail the
  // writes waiting here now rather than at commit_timeout_ms.
  leaderless_ticks_ = raft_->leader() == consensus::kNoNode ? leaderless_ticks_ + 1 : 0;
  if (leaderless_ticks_ >= 2 * uint64_t{config_.raft.election_ticks}) FailWaitingWrites();
  MaybeChangeMembership();
  if (ticks_ % 10 == 0) {
    CheckLeaderStall();
    // A forward or an entry the old leader never committed is lost; send
    // again what waited too long (the leader-change case is in Run).
    if (raft_->leader() == last_leader_ && raft_->current_term() == last_leader_term_) {
      RequeueInFlight(now_.steady_ms - kForwardRetryMs);
    }
  }
}

Status RaftDriver::Receive(const Message& message, std::optional<std::string> snapshot_dir) {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  std::optional<std::pair<uint64_t, uint64_t>> accepted;
  if (message.type == MessageType::kSnapshot) {
    if (!snapshot_dir) {
      return Status::InvalidArgument("a snapshot message without its staged files");
    }
    accepted = {message.snapshot.index, message.snapshot.term};
    // A copy sent again replaces the one accepted before.
    if (auto it = accepted_snapshots_.find(*accepted);
        it != accepted_snapshots_.end() && it->second != *snapshot_dir) {
      tick_out_.discard.push_back(it->second);
    }
    accepted_snapshots_[*accepted] = *snapshot_dir;
  }
  Status s = raft_->Step(message);
  if (!s.ok() && accepted) {
    tick_out_.discard.push_back(accepted_snapshots_[*accepted]);
    accepted_snapshots_.erase(*accepted);
  }
  return s;
}

bool RaftDriver::Submit(QueuedDocument document) {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  if (queue_.size() >= config_.proposer.queue_depth_max) return false;
  queue_.push_back(std::move(document));
  return true;
}

std::optional<uint64_t> RaftDriver::StartRead() {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  const uint64_t context = next_read_context_++;
  if (!raft_->ReadIndex(context).ok()) return std::nullopt;
  return context;
}

void RaftDriver::SendFailed(NodeId peer) {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  // A dropped append would otherwise wait for heartbeats to prove it lost;
  // the core resends from the follower's match once it answers.
  raft_->ReportUnreachable(peer);
}

void RaftDriver::SnapshotStreamed(NodeId peer, bool ok) {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  raft_->ReportSnapshot(peer, ok);
  if (!ok) {
    snapshot_sends_.erase(peer);
  } else if (auto it = snapshot_sends_.find(peer); it != snapshot_sends_.end()) {
    it->second.streaming = false;
  }
}

Result<bool> RaftDriver::Compact(const SnapshotMeta& newest, bool verifiable) {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  // Keep log_retain_entries entries behind the snapshot, so that a follower
  // slightly behind catches up from the log rather than by snapshot; and
  // compact only to a snapshot a follower can verify.
  if (newest.index <= raft_->snapshot().index || !verifiable ||
      raft_->applied_index() < newest.index + config_.proposer.log_retain_entries) {
    return false;
  }
  if (!raft_->Compact(newest.index).ok()) return false;
  FRONTERA_RETURN_IF_ERROR(store_->Compact(newest));
  return true;
}

void RaftDriver::SetTargetMembership(consensus::Membership target, std::string context) {
  FRONTERA_CHECK(!target.voters.empty()) << "a target membership without a voter";
  target_membership_ = std::move(target);
  target_context_ = std::move(context);
  MaybeChangeMembership();
}

void RaftDriver::MaybeChangeMembership() {
  if (!target_membership_ || raft_->role() != Role::kLeader) return;
  // The target comes from the applied ledger: one older than the membership
  // (applied before the document that led to it) would undo a change.
  if (now_.applied_index < raft_->membership_index()) return;
  std::optional<consensus::Membership> step =
      consensus::NextMembershipStep(raft_->membership(), *target_membership_);
  if (!step) return;
  // Refused while the previous change or the leader's no-op is uncommitted,
  // or a learner still catches up: the next tick tries again.
  if (raft_->ProposeMembership(*step, target_context_).ok()) ++membership_changes_;
}

void RaftDriver::TransferToBestFollower() {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  if (raft_->role() != Role::kLeader) return;
  NodeId best = consensus::kNoNode;
  for (NodeId id : raft_->membership().voters) {
    if (id == raft_->id()) continue;
    if (best == consensus::kNoNode || raft_->MatchIndex(id) > raft_->MatchIndex(best)) best = id;
  }
  if (best != consensus::kNoNode) (void)raft_->TransferLeadership(best);
}

Status RaftDriver::TransferLeadership(NodeId target) {
  FRONTERA_CHECK(!pending_) << "an input before Installed()";
  return raft_->TransferLeadership(target);
}

// ---------------------------------------------------------------------------
// Run

Result<DriverActions> RaftDriver::Run() {
  FRONTERA_CHECK(!pending_) << "Run before Installed()";
  DriverActions out;
  Merge(out, tick_out_);
  if (raft_->leader() != last_leader_ || raft_->current_term() != last_leader_term_) {
    last_leader_ = raft_->leader();
    last_leader_term_ = raft_->current_term();
    OnLeaderChange(out);
  }
  ProposeOrForward(out);
  FRONTERA_RETURN_IF_ERROR(ProcessReadies(out));
  return out;
}

Result<DriverActions> RaftDriver::Installed() {
  FRONTERA_CHECK(pending_) << "Installed without an install";
  consensus::Ready rd = std::move(*pending_);
  pending_.reset();
  // With the Ready's term and vote in the same write (the snapshot's term
  // may be newer than the stored current_term), but its commit index capped
  // at the snapshot: entries after it in this same Ready (and the commit
  // that covers them) are saved by FinishReady.
  std::optional<consensus::HardState> hs = rd.hard_state;
  if (hs) hs->commit_index = std::min(hs->commit_index, rd.snapshot->index);
  FRONTERA_RETURN_IF_ERROR(store_->InstallSnapshot(*rd.snapshot, hs));
  if (rd.hard_state && rd.hard_state->commit_index == hs->commit_index) rd.hard_state.reset();
  DriverActions out;
  FRONTERA_RETURN_IF_ERROR(FinishReady(std::move(rd), out));
  FRONTERA_RETURN_IF_ERROR(ProcessReadies(out));
  return out;
}

void RaftDriver::OnLeaderChange(DriverActions& out) {
  const uint64_t term = raft_->current_term();
  out.leader_change = DriverActions::LeaderChange{last_leader_, term};
  // A new leader's block time never goes back past a block in its own log,
  // committed or not (it commits them all), whatever its clock says. Only
  // its own log counts: entries another leader appended and that were
  // truncated never do (a leader with a clock in 2031 cannot pin later
  // blocks there once it is gone).
  block_time_floor_ms_ = 0;
  if (last_leader_ == raft_->id()) {
    const uint64_t from = std::max(now_.applied_index, store_->Snapshot().index) + 1;
    const uint64_t to = store_->LastIndex();
    if (from <= to) {
      if (auto entries = store_->Entries(from, to + 1); entries.ok()) {
        for (const Entry& e : *entries) {
          if (e.type != EntryType::kNormal) continue;
          if (auto t = ledger::ProposalTime(e.data); t.ok()) {
            block_time_floor_ms_ = std::max(block_time_floor_ms_, *t);
          }
        }
      }
    }
  }
  // What the old leader may have dropped goes to the new one.
  if (last_leader_ != consensus::kNoNode) RequeueInFlight(std::nullopt);
}

void RaftDriver::ProposeOrForward(DriverActions& out) {
  const NodeId leader = raft_->leader();
  const auto& proposer = config_.proposer;
  if (raft_->role() == Role::kLeader && raft_->lead_transferee() == consensus::kNoNode) {
    while (!queue_.empty() &&
           raft_->last_index() - raft_->commit_index() < proposer.inflight_blocks_max) {
      // Group commit: while a block is being replicated the next one fills
      // up (fewer, fuller blocks cost less per document); only a full block
      // goes out before the previous one commits.
      if (raft_->last_index() > raft_->commit_index() &&
          queue_.size() < proposer.batch_documents_max) {
        break;
      }
      ledger::Proposal proposal;
      size_t bytes = 0;
      while (!queue_.empty() && proposal.documents.size() < proposer.batch_documents_max) {
        const size_t next = queue_.front().document.canonical.size();
        if (!proposal.documents.empty() && bytes + next > proposer.batch_bytes_max) break;
        bytes += next;
        TrackInFlight(queue_.front().key, queue_.front().document);
        proposal.documents.push_back(std::move(queue_.front().document));
        queue_.pop_front();
      }
      // Block time never goes backwards, whatever the wall clock does.
      block_time_floor_ms_ =
          std::max({block_time_floor_ms_, now_.last_block_time_ms, now_.unix_ms});
      proposal.time_unix_ms = block_time_floor_ms_;
      if (!raft_->Propose(ledger::EncodeProposal(proposal)).ok()) {
        // Refused (back-pressure): the documents go back, in order.
        for (auto it = proposal.documents.rbegin(); it != proposal.documents.rend(); ++it) {
          std::string key = DocumentKey(*it);
          in_flight_.erase(key);
          queue_.push_front({std::move(key), std::move(*it)});
        }
        break;
      }
    }
    return;
  }
  if (leader == consensus::kNoNode || leader == raft_->id()) return;
  while (!queue_.empty()) {
    DriverActions::Forward forward{leader, {}};
    size_t bytes = 0;
    while (!queue_.empty() && forward.proposal.documents.size() < proposer.forward_documents_max &&
           (forward.proposal.documents.empty() ||
            bytes + queue_.front().document.canonical.size() <= proposer.batch_bytes_max)) {
      bytes += queue_.front().document.canonical.size();
      TrackInFlight(queue_.front().key, queue_.front().document);
      forward.proposal.documents.push_back(std::move(queue_.front().document));
      queue_.pop_front();
    }
    forwarded_ += forward.proposal.documents.size();
    out.forwards.push_back(std::move(forward));
  }
}

Status RaftDriver::ProcessReadies(DriverActions& out) {
  while (raft_->HasReady()) {
    consensus::Ready rd = raft_->GetReady();
    if (rd.snapshot) {
      auto taken = accepted_snapshots_.find({rd.snapshot->index, rd.snapshot->term});
      FRONTERA_CHECK(taken != accepted_snapshots_.end())
          << "the core installs a snapshot the driver did not step";
      out.install = DriverActions::Install{*rd.snapshot, taken->second};
      accepted_snapshots_.erase(taken);
      // Any other accepted snapshot is superseded by this one.
      for (auto& [key, dir] : accepted_snapshots_) out.discard.push_back(std::move(dir));
      accepted_snapshots_.clear();
      pending_ = std::move(rd);
      return Status::Ok();
    }
    FRONTERA_RETURN_IF_ERROR(FinishReady(std::move(rd), out));
  }
  // The core hands a snapshot it accepts to the very next Ready: one it did
  // not hand out by now (stale, or superseded) will never be installed.
  for (auto& [key, dir] : accepted_snapshots_) out.discard.push_back(std::move(dir));
  accepted_snapshots_.clear();
  return Status::Ok();
}

Status RaftDriver::FinishReady(consensus::Ready rd, DriverActions& out) {
  if (!rd.entries.empty() || rd.hard_state) {
    // Measured for a metric only; nothing is decided on it.
    const auto start = std::chrono::steady_clock::now();
    // After a failed write the durable state is unknown: the caller stops
    // rather than sends or acknowledges anything.
    FRONTERA_RETURN_IF_ERROR(store_->Save(rd.entries, rd.hard_state));
    log_sync_seconds_.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  for (Message& m : rd.messages) HandOut(std::move(m), out);
  for (const Entry& e : rd.committed_entries) {
    if (e.type != EntryType::kNormal || in_flight_.empty()) continue;
    // Committed documents are never sent again (they are durable on a
    // majority). An entry that is no proposal is skipped at apply too.
    auto proposal = ledger::DecodeProposal(e.data);
    if (!proposal.ok()) continue;
    for (const ledger::ProposedDocument& d : proposal->documents) in_flight_.erase(DocumentKey(d));
  }
  raft_->Advance(rd);  // reads rd's committed entries: before they are moved out
  MoveAppend(out.committed, rd.committed_entries);
  MoveAppend(out.reads, rd.read_states);
  return Status::Ok();
}

void RaftDriver::HandOut(Message m, DriverActions& out) {
  if (m.type != MessageType::kSnapshot) {
    out.messages.push_back(std::move(m));
    return;
  }
  // One transfer per follower at a time. Once streamed, a new request from
  // the core means the follower did not get it (a connection reset loses
  // queued frames): stream it again.
  if (auto it = snapshot_sends_.find(m.to); it != snapshot_sends_.end() && it->second.streaming) {
    return;
  }
  snapshot_sends_[m.to] = {m.snapshot, now_.steady_ms, true};
  out.snapshot_streams.push_back(std::move(m));
}

void RaftDriver::TrackInFlight(const std::string& key, const ledger::ProposedDocument& d) {
  auto [it, inserted] = in_flight_.try_emplace(key, InFlight{d, now_.steady_ms});
  if (!inserted) {
    it->second.sent_ms = now_.steady_ms;
    return;
  }
  in_flight_order_.push_back(key);
  while (in_flight_order_.size() > config_.proposer.queue_depth_max) {
    in_flight_.erase(in_flight_order_.front());
    in_flight_order_.pop_front();
  }
}

void RaftDriver::RequeueInFlight(std::optional<int64_t> older_than_ms) {
  std::deque<QueuedDocument> again;
  std::deque<std::string> kept;
  for (std::string& key : in_flight_order_) {
    auto it = in_flight_.find(key);
    if (it == in_flight_.end()) continue;  // committed meanwhile
    if (older_than_ms && it->second.sent_ms >= *older_than_ms) {
      kept.push_back(std::move(key));
      continue;
    }
    again.push_back({key, std::move(it->second.document)});
    in_flight_.erase(it);
  }
  in_flight_order_ = std::move(kept);
  // In front of newer documents, in their original order.
  queue_.insert(queue_.begin(), std::make_move_iterator(again.begin()),
                std::make_move_iterator(again.end()));
}

void RaftDriver::FailWaitingWrites() {
  for (QueuedDocument& q : queue_) tick_out_.failed_writes.push_back(std::move(q.key));
  for (std::string& key : in_flight_order_) {
    if (in_flight_.count(key)) tick_out_.failed_writes.push_back(std::move(key));
  }
  queue_.clear();
  in_flight_.clear();
  in_flight_order_.clear();
}

void RaftDriver::CheckLeaderStall() {
  const NodeId leader = raft_->leader();
  const int64_t stall_ms = config_.raft.leader_stall_ms;
  if (raft_->commit_index() != stall_commit_seen_ || leader != stall_leader_) {
    stall_commit_seen_ = raft_->commit_index();
    stall_leader_ = leader;
    stall_commit_moved_ms_ = now_.steady_ms;
    return;
  }
  if (leader == consensus::kNoNode) return;
  const int64_t quiet_ms = now_.steady_ms - stall_commit_moved_ms_;
  if (raft_->role() == Role::kLeader) {
    // An idle leader commits a no-op now and then, so that its followers
    // can tell it from one that heartbeats and commits nothing.
    if (quiet_ms >= stall_ms / 4 && raft_->last_index() == raft_->commit_index()) {
      (void)raft_->ProposeNoop();
    }
    return;
  }
  if (raft_->role() != Role::kFollower || quiet_ms < stall_ms) return;
  // The leader heartbeats but has committed nothing for leader_stall_ms: a
  // stalled (or hostile) leader. Leave it and let the others elect another
  // (consensus::Raft::DistrustLeader).
  raft_->DistrustLeader();
  ++leaders_distrusted_;
  stall_commit_moved_ms_ = now_.steady_ms;
  tick_out_.distrusted.push_back(leader);
}

void RaftDriver::CheckSnapshotSends() {
  for (auto it = snapshot_sends_.begin(); it != snapshot_sends_.end();) {
    if (raft_->MatchIndex(it->first) >= it->second.snapshot.index ||
        raft_->role() != Role::kLeader) {
      it = snapshot_sends_.erase(it);
    } else if (now_.steady_ms - it->second.started_ms > config_.raft.snapshot_timeout_ms) {
      // Sent but never acknowledged (a chunk was lost): probe and retry.
      raft_->ReportSnapshot(it->first, false);
      it = snapshot_sends_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace frontera::node
