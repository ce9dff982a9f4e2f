// node::Validator, frames from peers: the transport thread's intake
// (co-signatures checked at once, forwarded documents admitted, Raft
// messages and snapshot chunks into the bounded inbox), the raft thread's
// checks of what comes out of the inbox before the driver sees it (sender,
// addressee, a leader's block times, a received snapshot verified), and the
// refusals of a peer's bad frames, counted and logged.
#include <chrono>
#include <filesystem>
#include <optional>

#include "consensus/codec.h"
#include "node/block_check.h"
#include "node/log.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

namespace fs = std::filesystem;
using consensus::Message;
using consensus::MessageType;
using validator_internal::kLocalSnapshotReport;
using validator_internal::PeerKind;

namespace {

constexpr size_t kInboxMax = 65536;  // peer frames waiting for the raft thread

}  // namespace

void Validator::OnPeerFrame(uint64_t from, std::string payload) {
  if (payload.empty()) return RefusePeer(from, "frame", "an empty frame");
  const auto kind = static_cast<PeerKind>(payload[0]);
  if (kind == PeerKind::kCosign) {
    // Checked and counted here: it needs no raft state.
    auto message = DecodeCosign(std::string_view(payload).substr(1));
    if (!message.ok()) return RefusePeer(from, "cosign", message.status().message());
    if (PeerName(from) != message->signer) {
      return RefusePeer(from, "cosign", "a co-signature in the name of " + message->signer);
    }
    Status s = cosigner_->AddPeerSignatures(*message, applied_height_.load());
    // A peer far ahead (this node is catching up) is not misbehaving; a flood
    // of far-future heights is: both land under their own reason.
    if (!s.ok())
      return RefusePeer(from, s.IsResourceExhausted() ? "cosign_ahead" : "cosign", s.message());
    {
      MutexLock lock(apply_mu_);
      cosigned_waiting_ = true;
    }
    apply_cv_.notify_one();
    return;
  }
  if (kind == PeerKind::kForward) return AdmitForwarded(from, std::string_view(payload).substr(1));
  if (kind == PeerKind::kVoterChangeAsk) {
    return OnVoterChangeAsk(from, std::string_view(payload).substr(1));
  }
  if (kind == PeerKind::kVoterChange)
    return OnVoterChange(from, std::string_view(payload).substr(1));
  if (kind == PeerKind::kItemFilterSignature) {
    return OnItemFilterSignature(from, std::string_view(payload).substr(1));
  }
  if (kind != PeerKind::kRaft && kind != PeerKind::kSnapshotChunk) {
    return RefusePeer(from, "frame",
                      "a frame of unknown kind " + std::to_string(static_cast<uint8_t>(kind)));
  }
  const size_t size = payload.size();
  {
    MutexLock lock(mu_);
    // Bounded in frames and bytes, with each peer's share bounded so that
    // one peer's flood cannot crowd out the leader's appends. Raft tolerates
    // loss (the leader resends).
    const size_t peers = std::max<size_t>(1, PeerIds().size());
    const size_t share =
        std::max(config_.raft.frame_bytes_max, config_.raft.inbox_bytes_max / peers);
    size_t& peer_bytes = inbox_peer_bytes_[from];
    if (inbox_.size() < kInboxMax && inbox_bytes_ + size <= config_.raft.inbox_bytes_max &&
        peer_bytes + size <= share) {
      inbox_bytes_ += size;
      peer_bytes += size;
      inbox_.push_back({from, std::move(payload)});
      raft_cv_.notify_one();
      return;
    }
  }
  ++inbox_dropped_;
  // Counted per peer too: an honest peer does not fill the inbox alone.
  RefusePeer(from, "inbox",
             "the peer inbox is full (raft.inbox_bytes_max = " +
                 std::to_string(config_.raft.inbox_bytes_max) + "); a frame of " +
                 std::to_string(size) + " bytes dropped");
}

void Validator::HandleInbound(Inbound in) {
  const auto kind = static_cast<uint8_t>(in.payload[0]);
  std::string_view body = std::string_view(in.payload).substr(1);
  if (kind == kLocalSnapshotReport) {
    driver_->SnapshotStreamed(in.from, body.size() == 1 && body[0] == 1);
    return;
  }
  switch (static_cast<PeerKind>(kind)) {
    case PeerKind::kRaft: {
      consensus::DecodeLimits limits;
      limits.max_bytes = config_.raft.frame_bytes_max;
      auto message = consensus::DecodeMessage(body, limits);
      if (!message.ok()) return RefusePeer(in.from, "raft", message.status().message());
      if (message->from != in.from || message->to != self_id_) {
        return RefusePeer(in.from, "raft",
                          "a message from " + PeerName(message->from) + " to " +
                              PeerName(message->to) + " on this link");
      }
      if (message->type == MessageType::kAppend) {
        if (Status s = CheckLeaderBlocks(*message); !s.ok()) {
          // Not acknowledged: a block a majority of honest clocks refuses is
          // never committed (docs/security.md#block-time).
          return RefusePeer(in.from, "block", s.message());
        }
      }
      std::optional<std::string> accepted;
      if (message->type == MessageType::kSnapshot) {
        // Only once every file of the snapshot is staged (snapshot_transfer.h)
        // and verified against a majority-signed state note.
        std::optional<std::string> staged =
            snapshot_receiver_->Complete(in.from, message->snapshot);
        if (!staged) return;
        // Take the files now: chunks of a copy the leader sends again may
        // restart staging before the driver's Ready is handled.
        const fs::path dir =
            fs::path(config_.data_dir) / "snapshot-accepted" /
            (std::to_string(message->snapshot.index) + "-" +
             std::to_string(message->snapshot.term) + "-" + std::to_string(++accepted_copies_));
        std::error_code ec;
        fs::create_directories(dir.parent_path(), ec);
        fs::rename(*staged, dir, ec);
        if (ec) return;  // staged files gone (taken by an earlier step): ignore
        if (Status v = VerifySnapshot(dir.string(), message->snapshot); !v.ok()) {
          fs::remove_all(dir, ec);
          return RefusePeer(in.from, "snapshot", v.message());
        }
        accepted = dir.string();
      }
      if (Status s = driver_->Receive(*message, std::move(accepted)); !s.ok()) {
        return RefusePeer(in.from, "raft", s.message());
      }
      return;
    }
    case PeerKind::kSnapshotChunk: {
      auto chunk = DecodeSnapshotChunk(body);
      if (!chunk.ok()) return RefusePeer(in.from, "snapshot", chunk.status().message());
      if (Status s = snapshot_receiver_->Add(in.from, *chunk); !s.ok()) {
        RefusePeer(in.from, "snapshot", s.message());
      }
      return;
    }
    case PeerKind::kForward:
    case PeerKind::kCosign:
    case PeerKind::kVoterChangeAsk:
    case PeerKind::kVoterChange:
    case PeerKind::kItemFilterSignature:
      return;  // handled on the transport thread
  }
  RefusePeer(in.from, "frame", "a frame of unknown kind " + std::to_string(kind));
}

Status Validator::CheckLeaderBlocks(const Message& m) {
  BlockCheckLimits limits;
  // The largest entry an honest leader makes: a full batch plus one
  // document that alone exceeds it, with the encoding's overhead.
  limits.entry_bytes_max = config_.proposer.batch_bytes_max + config_.api.body_bytes_max +
                           config_.proposer.batch_documents_max * 64 + 64;
  limits.time_skew_max_ms = config_.raft.block_time_skew_max_ms;
  return node::CheckLeaderBlocks(m.entries, driver_->raft().commit_index(), last_block_time_.load(),
                                 clock_->NowUnixMillis(), limits);
}

std::string Validator::PeerName(uint64_t id) const {
  MutexLock lock(members_mu_);
  auto it = names_.find(id);
  return it != names_.end() ? it->second : "peer-" + std::to_string(id);
}

void Validator::RefusePeer(uint64_t from, std::string_view reason, std::string_view detail) {
  const std::string peer = PeerName(from);
  const uint64_t count =
      peer_refusals_.Count({peer, std::string(reason)}, std::chrono::steady_clock::now());
  if (count == 0) return;
  LogWarning(config_.name, "refused a message from validator " + peer + " (" + std::string(reason) +
                               ", " + std::to_string(count) + " so far): " + std::string(detail));
}

}  // namespace frontera::node
