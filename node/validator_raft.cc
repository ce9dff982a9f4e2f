// node::Validator, the raft thread: its loop (peer frames, queued documents,
// ticks and read rounds into the RaftDriver), carrying out the driver's
// actions (messages to peers, documents forwarded to the leader, committed
// entries to the apply thread, read states, snapshot installs), and the
// raft state it copies out for /v1/status and the metrics.
#include <pthread.h>

#include <chrono>
#include <filesystem>
#include <limits>

#include "common/check.h"
#include "consensus/codec.h"
#include "node/log.h"
#include "node/peer_transport.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

namespace fs = std::filesystem;
using consensus::Entry;
using consensus::Message;
using consensus::MessageType;
using validator_internal::Envelope;
using validator_internal::PeerKind;
using validator_internal::RoleName;

namespace {

constexpr size_t kApplyQueueMax = 1024;  // committed entries waiting for the apply thread

}  // namespace

void Validator::RaftLoop() {
  pthread_setname_np(pthread_self(), "raft");
  const auto tick = std::chrono::milliseconds(config_.raft.tick_ms);
  auto next_tick = std::chrono::steady_clock::now() + tick;
  for (;;) {
    std::deque<Inbound> inbound;
    std::deque<QueuedDocument> documents;
    bool hand_over = false;
    {
      MutexLock lock(mu_);
      raft_cv_.wait_until(lock.native(), next_tick, [&]() REQUIRES(mu_) {
        return stopping_ || !inbox_.empty() || !readers_.empty() ||
               pending_.size() + driver_queued_ >= propose_threshold_;
      });
      if (stopping_) break;
      inbound.swap(inbox_);
      inbox_bytes_ = 0;
      inbox_peer_bytes_.clear();
      documents.swap(pending_);
      std::swap(hand_over, hand_over_requested_);
    }
    ObserveForDriver();
    for (QueuedDocument& d : documents) {
      std::string key = d.key;
      if (!driver_->Submit(std::move(d))) {
        FailWrites({key});  // the queue filled up meanwhile (forwards, retries)
      }
    }
    for (Inbound& in : inbound) HandleInbound(std::move(in));
    if (std::chrono::steady_clock::now() >= next_tick) {
      driver_->Tick();
      next_tick += tick;
      // After a stall (a long fsync, a SIGSTOP), do not replay every missed
      // tick at once: that would start an election the moment we resume.
      if (std::chrono::steady_clock::now() > next_tick)
        next_tick = std::chrono::steady_clock::now() + tick;
      MaybeCompact();
      // Resend this node's latest co-signature now and then: a peer that was
      // down when it was first sent still needs it.
      if (driver_->ticks() % 10 == 0 && transport_) {
        std::string last;
        {
          MutexLock lock(status_mu_);
          last = last_cosign_;
        }
        if (!last.empty()) {
          for (consensus::NodeId id : PeerIds()) transport_->Send(id, last);
        }
      }
    }
    if (hand_over) driver_->TransferToBestFollower();
    StartReadRound();
    if (!RunDriver()) break;
    RefreshMembers();
    const consensus::Raft& raft = driver_->raft();
    {
      // How many queued documents are worth waking up for: one when they can
      // go out at once; a full block while one is being replicated (the
      // leader's group commit); none without a leader.
      MutexLock lock(mu_);
      driver_queued_ = driver_->queued();
      queue_depth_ = pending_.size() + driver_queued_;
      if (raft.leader() == consensus::kNoNode) {
        propose_threshold_ = std::numeric_limits<size_t>::max();
      } else if (raft.role() == consensus::Role::kLeader &&
                 raft.last_index() > raft.commit_index()) {
        propose_threshold_ = config_.proposer.batch_documents_max;
      } else {
        propose_threshold_ = 1;
      }
    }
    // Status for /v1/status and metrics, without taking the raft thread's
    // time per request.
    term_ = raft.current_term();
    commit_index_ = raft.commit_index();
    first_index_ = raft.first_index();
    if (const int role = static_cast<int>(raft.role()); role != role_.load()) {
      // Elections: a pre-vote, a campaign, leadership won or given up.
      LogInfo(config_.name, "became " + RoleName(raft.role()) + " in term " +
                                std::to_string(raft.current_term()));
      role_ = role;
    }
    leader_ = raft.leader();
    leaders_distrusted_ = driver_->leaders_distrusted();
    forwarded_ = driver_->forwarded();
    MutexLock lock(status_mu_);
    log_sync_seconds_ = driver_->log_sync_seconds();
    match_.clear();
    if (raft.role() == consensus::Role::kLeader) {
      for (consensus::NodeId id : raft.membership().voters) match_[id] = raft.MatchIndex(id);
      for (consensus::NodeId id : raft.membership().learners) match_[id] = raft.MatchIndex(id);
    }
    last_index_ = raft.last_index();
  }
}

void Validator::ObserveForDriver() {
  RaftDriver::Observation o;
  o.steady_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  o.unix_ms = clock_->NowUnixMillis();
  o.applied_index = applied_index_.load();
  o.last_block_time_ms = last_block_time_.load();
  driver_->Observe(o);
}

bool Validator::RunDriver() {
  auto actions = driver_->Run();
  for (;;) {
    // After a failed write the durable state is unknown: stop rather than
    // send or acknowledge anything (the log is checked on restart).
    FRONTERA_CHECK(actions.ok()) << "raft log write failed: " << actions.status().ToString();
    const bool install = actions->install.has_value();
    if (!Execute(std::move(actions).value())) return false;
    if (!install) return true;
    ObserveForDriver();
    actions = driver_->Installed();
  }
}

bool Validator::Execute(DriverActions a) {
  for (consensus::Message& m : a.messages) SendRaftMessage(std::move(m));
  for (const consensus::Message& m : a.snapshot_streams) StreamSnapshotTo(m);
  for (DriverActions::Forward& f : a.forwards) {
    if (transport_) {
      transport_->Send(f.leader, Envelope(PeerKind::kForward, ledger::EncodeProposal(f.proposal)));
    }
  }
  if (!a.committed.empty()) {
    MutexLock lock(apply_mu_);
    for (Entry& e : a.committed) {
      apply_space_cv_.wait(lock.native(), [&]() REQUIRES(apply_mu_) {
        return apply_queue_.size() < kApplyQueueMax || stopping_;
      });
      if (stopping_) return false;
      apply_queue_.push_back({std::move(e), std::nullopt, ""});
    }
    apply_cv_.notify_one();
  }
  if (!a.reads.empty()) {
    MutexLock lock(mu_);
    for (const consensus::ReadState& rs : a.reads) {
      auto it = read_rounds_.find(rs.context);
      if (it == read_rounds_.end()) continue;
      for (ReadRound* r : it->second) {
        r->index = rs.index;
        r->done = true;
      }
      read_rounds_.erase(it);
    }
    read_cv_.notify_all();
  }
  FailWrites(a.failed_writes);
  for (const std::string& dir : a.discard) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  for (consensus::NodeId leader : a.distrusted) {
    LogWarning(config_.name, "validator " + PeerName(leader) + " leads term " +
                                 std::to_string(driver_->raft().current_term()) +
                                 " but committed nothing for " +
                                 std::to_string(config_.raft.leader_stall_ms) +
                                 " ms: following it no more, and not voting for it, for " +
                                 std::to_string(consensus::RaftConfig{}.stuck_peer_periods) +
                                 " election timeouts (raft.leader_stall_ms)");
  }
  if (a.leader_change) {
    const auto [leader, term] = *a.leader_change;
    if (leader != consensus::kNoNode) {
      LogInfo(config_.name,
              "validator " + PeerName(leader) + " leads in term " + std::to_string(term));
    }
    // Chunks are accepted from this leader only, for this term.
    if (snapshot_receiver_) snapshot_receiver_->Expect(leader, term);
  }
  if (a.install) {
    // The apply thread installs it after what it has queued, then the
    // driver records it in the log (OpenStores repairs a crash between the
    // two).
    const uint64_t index = a.install->snapshot.index;
    MutexLock lock(apply_mu_);
    apply_queue_.push_back({Entry{}, a.install->snapshot, a.install->dir});
    apply_cv_.notify_one();
    applied_cv_.wait(lock.native(), [&] { return applied_index_.load() >= index || stopping_; });
    if (applied_index_.load() < index) return false;  // stopping
  }
  return true;
}

void Validator::SendRaftMessage(Message m) {
  if (!transport_) return;
  const bool queued =
      transport_->Send(m.to, Envelope(PeerKind::kRaft, consensus::EncodeMessage(m)));
  if (!queued && m.type == MessageType::kAppend) driver_->SendFailed(m.to);
}

}  // namespace frontera::node
