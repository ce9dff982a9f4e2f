#include "node/checkpoint_cosigner.h"

#include <algorithm>
#include <cstring>

#include "common/binary.h"
#include "common/bytes.h"
#include "common/check.h"
#include "crypto/signed_note.h"
#include "node/state_note.h"

namespace frontera::node {

namespace {

// Version 2 added the state note (node/state_note.h), version 3 the signed
// time (tlog-cosignature); older messages are refused with a message naming
// both (validators upgrade together: docs/operations.md).
constexpr uint8_t kCosignVersion = 3;
constexpr size_t kSignerMax = 255;

}  // namespace

// Layout: version u8 | height u64 BE | signer length u8 | signer |
// signed_at u64 BE | checkpoint signature (64) | revocations signature (64) | state signature
// (64) | state body length u16 BE | state body.
std::string EncodeCosign(const CosignMessage& message) {
  FRONTERA_CHECK(message.signer.size() <= kSignerMax) << "signer name too long";
  FRONTERA_CHECK(message.state_body.size() <= kStateNoteBodyBytesMax) << "state body too long";
  std::string out;
  FRONTERA_CHECK(message.signed_at <= crypto::kCosignatureTimeMax) << "cosignature time too large";
  out.reserve(1 + 8 + 1 + message.signer.size() + 8 + 192 + 2 + message.state_body.size());
  BinaryWriter w(out);
  w.U8(kCosignVersion);
  w.U64(message.height);
  w.U8(static_cast<uint8_t>(message.signer.size()));
  w.Raw(message.signer);
  w.U64(message.signed_at);
  w.Raw(AsChars(message.checkpoint_signature));
  w.Raw(AsChars(message.revocations_signature));
  w.Raw(AsChars(message.state_signature));
  w.U16(static_cast<uint16_t>(message.state_body.size()));
  w.Raw(message.state_body);
  return out;
}

Result<CosignMessage> DecodeCosign(std::string_view bytes) {
  BinaryReader r(bytes, "co-signature message");
  uint8_t version = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("version", version));
  if (version != kCosignVersion) {
    return Status::InvalidArgument("co-signature message has version " + std::to_string(version) +
                                   "; this validator speaks version " +
                                   std::to_string(kCosignVersion));
  }
  CosignMessage m;
  uint8_t name_size = 0;
  uint16_t body_size = 0;
  std::string_view signer, checkpoint_signature, revocations_signature, state_signature, body;
  FRONTERA_RETURN_IF_ERROR(r.U64("height", m.height));
  FRONTERA_RETURN_IF_ERROR(r.U8("signer length", name_size));
  FRONTERA_RETURN_IF_ERROR(r.Raw("signer", name_size, signer));
  FRONTERA_RETURN_IF_ERROR(r.U64("signed time", m.signed_at));
  if (m.signed_at > crypto::kCosignatureTimeMax) {
    return Status::InvalidArgument("co-signature message's signed time is above 2^63 - 1");
  }
  FRONTERA_RETURN_IF_ERROR(r.Raw("checkpoint signature", 64, checkpoint_signature));
  FRONTERA_RETURN_IF_ERROR(r.Raw("revocations signature", 64, revocations_signature));
  FRONTERA_RETURN_IF_ERROR(r.Raw("state signature", 64, state_signature));
  FRONTERA_RETURN_IF_ERROR(r.U16("state body length", body_size));
  if (body_size > kStateNoteBodyBytesMax) {
    return Status::InvalidArgument("co-signature message's state body is longer than " +
                                   std::to_string(kStateNoteBodyBytesMax) + " bytes");
  }
  FRONTERA_RETURN_IF_ERROR(r.Raw("state body", body_size, body));
  FRONTERA_RETURN_IF_ERROR(r.End());
  m.signer.assign(signer);
  std::memcpy(m.checkpoint_signature.data(), checkpoint_signature.data(), 64);
  std::memcpy(m.revocations_signature.data(), revocations_signature.data(), 64);
  std::memcpy(m.state_signature.data(), state_signature.data(), 64);
  m.state_body.assign(body);
  return m;
}

CheckpointCosigner::CheckpointCosigner(const ledger::Genesis& genesis, std::string self,
                                       const crypto::KeyPair* key, size_t pending_heights_max,
                                       uint64_t window_heights, const Clock* clock)
    : self_(std::move(self)),
      key_(key),
      clock_(clock),
      pending_heights_max_(pending_heights_max),
      window_heights_(window_heights) {
  FRONTERA_CHECK(pending_heights_max_ >= 1);
  known_ = ledger::NoteQuorum{genesis.validators, genesis.validators};
}

bool CheckpointCosigner::Complete(const Pending& pending) {
  if (!pending.applied) return false;
  std::vector<std::string> names;
  names.reserve(pending.signatures.size());
  for (const auto& [name, m] : pending.signatures) names.push_back(name);
  return pending.quorum.Met(names);
}

bool CheckpointCosigner::VerifyAgainst(const Pending& pending, const CosignMessage& message) const {
  const ledger::Validator* v = pending.quorum.Find(message.signer);
  const auto verify = [&](const std::string& body, const crypto::Signature& signature) {
    return crypto::Verify(v->public_key, crypto::CosignatureMessage(message.signed_at, body),
                          signature);
  };
  return v != nullptr && verify(pending.checkpoint_body, message.checkpoint_signature) &&
         verify(pending.revocations_body, message.revocations_signature) &&
         verify(pending.state_body, message.state_signature);
}

void CheckpointCosigner::NoteDisagreement(uint64_t height, Pending& pending,
                                          const CosignMessage& message) {
  const ledger::Validator* v = pending.quorum.Find(message.signer);
  if (v == nullptr || message.state_body == pending.state_body ||
      !crypto::Verify(v->public_key,
                      crypto::CosignatureMessage(message.signed_at, message.state_body),
                      message.state_signature)) {
    return;
  }
  std::vector<std::string>& signers = pending.disagreeing[message.state_body];
  if (std::find(signers.begin(), signers.end(), message.signer) == signers.end()) {
    signers.push_back(message.signer);
  }
  if (!divergence_ && pending.quorum.Met(signers)) {
    divergence_ = Divergence{height, pending.state_body, message.state_body};
  }
}

std::optional<CosignMessage> CheckpointCosigner::SignApplied(uint64_t height, uint64_t tree_size,
                                                             std::string checkpoint_body,
                                                             std::string revocations_body,
                                                             std::string state_body,
                                                             ledger::NoteQuorum quorum) {
  std::optional<CosignMessage> own;
  if (quorum.Find(self_) != nullptr) {
    own.emplace();
    own->height = height;
    own->signer = self_;
    // This validator's wall clock: a statement about when it signed, which
    // offline verifiers judge a bundle's age by; blocks never depend on it.
    static const SystemClock system_clock;
    const int64_t now_millis = (clock_ != nullptr ? clock_ : &system_clock)->NowUnixMillis();
    own->signed_at = now_millis > 0 ? static_cast<uint64_t>(now_millis / 1000) : 0;
    own->checkpoint_signature =
        key_->Sign(crypto::CosignatureMessage(own->signed_at, checkpoint_body));
    own->revocations_signature =
        key_->Sign(crypto::CosignatureMessage(own->signed_at, revocations_body));
    own->state_signature = key_->Sign(crypto::CosignatureMessage(own->signed_at, state_body));
    own->state_body = state_body;
  }
  const bool link = !ledger::SameVoters(quorum.before, quorum.after);

  MutexLock lock(mu_);
  known_ = quorum;
  if (taken_any_ && height <= taken_height_ && !pins_.count(height)) return own;
  Pending& p = pending_[height];
  p.applied = true;
  p.quorum = std::move(quorum);
  p.tree_size = tree_size;
  p.checkpoint_body = std::move(checkpoint_body);
  p.revocations_body = std::move(revocations_body);
  p.state_body = std::move(state_body);
  if (own) p.signatures[self_] = *own;
  if (link) links_.insert(height);
  // Signatures that arrived before this node applied the block are checked
  // now, against the bodies this node computed itself.
  for (const CosignMessage& m : p.unverified) {
    if (Complete(p)) break;
    if (VerifyAgainst(p, m)) {
      p.signatures[m.signer] = m;
    } else {
      NoteDisagreement(height, p, m);
    }
  }
  p.unverified.clear();
  Trim();
  return own;
}

Status CheckpointCosigner::AddPeerSignatures(const CosignMessage& message,
                                             uint64_t applied_height) {
  const auto not_a_voter = [&] {
    return Status::PermissionDenied("co-signature from \"" + message.signer +
                                    "\", which is not a peer voter for block " +
                                    std::to_string(message.height));
  };
  if (message.signer == self_) return not_a_voter();
  if (message.height > applied_height + window_heights_) {
    return Status::ResourceExhausted("co-signature of " + message.signer + " for block " +
                                     std::to_string(message.height) + ", more than " +
                                     std::to_string(window_heights_) + " blocks above block " +
                                     std::to_string(applied_height) + " applied here");
  }
  MutexLock lock(mu_);
  if (taken_any_ && message.height <= taken_height_ && !pins_.count(message.height) &&
      !links_.count(message.height)) {
    return Status::Ok();
  }
  auto it = pending_.find(message.height);
  if (it != pending_.end() && it->second.applied) {
    if (it->second.quorum.Find(message.signer) == nullptr) return not_a_voter();
    // Once a quorum signed, more signatures change nothing: skip verifying
    // them (three Ed25519 verifications each, per block).
    if (Complete(it->second)) return Status::Ok();
    if (!VerifyAgainst(it->second, message)) {
      NoteDisagreement(message.height, it->second, message);
      return Status::InvalidArgument("co-signature of " + message.signer + " for block " +
                                     std::to_string(message.height) +
                                     " does not verify against this node's notes");
    }
    it->second.signatures[message.signer] = message;
    return Status::Ok();
  }
  // Not applied here yet: kept from the voters of the last block applied
  // (a voter added since is not known yet, and others make the quorum).
  if (known_.Find(message.signer) == nullptr) return not_a_voter();
  Pending& p = pending_[message.height];
  // One unverified message per signer and height: a peer cannot fill memory
  // by repeating itself.
  for (CosignMessage& m : p.unverified) {
    if (m.signer == message.signer) {
      m = message;
      return Status::Ok();
    }
  }
  p.unverified.push_back(message);
  Trim();
  return Status::Ok();
}

void CheckpointCosigner::Trim() {
  // Keep the newest heights: older ones are superseded by any later
  // checkpoint that reaches a quorum. (Heights far above the applied one
  // never get here: AddPeerSignatures refuses them.)
  while (pending_.size() > pending_heights_max_) {
    const uint64_t oldest = pending_.begin()->first;
    pins_.erase(oldest);
    links_.erase(oldest);
    pending_.erase(pending_.begin());
  }
}

void CheckpointCosigner::Pin(uint64_t height) {
  MutexLock lock(mu_);
  pins_.insert(height);
}

std::vector<std::pair<uint64_t, std::string>> CheckpointCosigner::TakePinnedStateNotes() {
  std::vector<std::pair<uint64_t, std::string>> out;
  MutexLock lock(mu_);
  for (auto pin = pins_.begin(); pin != pins_.end();) {
    auto it = pending_.find(*pin);
    if (it == pending_.end() || !Complete(it->second)) {
      ++pin;
      continue;
    }
    out.emplace_back(*pin, FormatNote(it->second.state_body, it->second, NoteKind::kState));
    const uint64_t height = *pin;
    pin = pins_.erase(pin);
    EraseIfDone(height);
  }
  return out;
}

std::vector<ledger::VoterChange> CheckpointCosigner::TakeVoterChanges() {
  std::vector<ledger::VoterChange> out;
  MutexLock lock(mu_);
  for (auto link = links_.begin(); link != links_.end();) {
    auto it = pending_.find(*link);
    if (it == pending_.end() || !Complete(it->second)) {
      ++link;
      continue;
    }
    out.push_back({*link,
                   FormatNote(it->second.revocations_body, it->second, NoteKind::kRevocations),
                   it->second.quorum.after});
    const uint64_t height = *link;
    link = links_.erase(link);
    EraseIfDone(height);
  }
  return out;
}

void CheckpointCosigner::EraseIfDone(uint64_t height) {
  if (!taken_any_ || height > taken_height_ || pins_.count(height) || links_.count(height)) return;
  pending_.erase(height);
}

std::optional<Divergence> CheckpointCosigner::divergence() const {
  MutexLock lock(mu_);
  return divergence_;
}

std::string CheckpointCosigner::FormatNote(const std::string& body, const Pending& pending,
                                           NoteKind kind) const {
  crypto::Note note;
  note.text = body;
  // The voters' order: every node formats the same note from the same signers.
  for (const ledger::Validator& v : pending.quorum.All()) {
    auto it = pending.signatures.find(v.name);
    if (it == pending.signatures.end()) continue;
    const CosignMessage& m = it->second;
    note.signatures.push_back(
        {v.name, crypto::NoteKeyId(v.name, v.public_key, crypto::NoteSignatureType::kCosignatureV1),
         kind == NoteKind::kCheckpoint    ? m.checkpoint_signature
         : kind == NoteKind::kRevocations ? m.revocations_signature
                                          : m.state_signature,
         m.signed_at});
  }
  return crypto::FormatNote(note);
}

std::optional<CosignedCheckpoint> CheckpointCosigner::TakeCosigned() {
  MutexLock lock(mu_);
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (taken_any_ && it->first <= taken_height_) break;  // pinned leftovers
    const Pending& p = it->second;
    if (!Complete(p)) continue;
    CosignedCheckpoint out;
    out.height = it->first;
    out.tree_size = p.tree_size;
    out.checkpoint_note = FormatNote(p.checkpoint_body, p, NoteKind::kCheckpoint);
    out.revocations_note = FormatNote(p.revocations_body, p, NoteKind::kRevocations);
    out.state_note = FormatNote(p.state_body, p, NoteKind::kState);
    taken_any_ = true;
    taken_height_ = out.height;
    for (auto old = pending_.begin(); old != pending_.end() && old->first <= taken_height_;) {
      old = pins_.count(old->first) || links_.count(old->first) ? std::next(old)
                                                                : pending_.erase(old);
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace frontera::node
