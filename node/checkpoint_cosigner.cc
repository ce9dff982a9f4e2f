#include "node/checkpoint_cosigner.h"

#include <cstring>

#include "common/check.h"
#include "crypto/signed_note.h"
#include "storage/keys.h"

namespace frontera::node {

namespace {

constexpr uint8_t kCosignVersion = 1;
constexpr size_t kSignerMax = 255;

}  // namespace

// Layout: version u8 | height u64 BE | signer length u8 | signer |
// checkpoint signature (64) | revocations signature (64).
std::string EncodeCosign(const CosignMessage& message) {
  FRONTERA_CHECK(message.signer.size() <= kSignerMax) << "signer name too long";
  std::string out;
  out.reserve(1 + 8 + 1 + message.signer.size() + 128);
  out.push_back(static_cast<char>(kCosignVersion));
  out += storage::EncodeUint64(message.height);
  out.push_back(static_cast<char>(message.signer.size()));
  out += message.signer;
  out.append(reinterpret_cast<const char*>(message.checkpoint_signature.data()), 64);
  out.append(reinterpret_cast<const char*>(message.revocations_signature.data()), 64);
  return out;
}

Result<CosignMessage> DecodeCosign(std::string_view bytes) {
  if (bytes.size() < 10) return Status::InvalidArgument("co-signature message is truncated");
  if (static_cast<uint8_t>(bytes[0]) != kCosignVersion) {
    return Status::InvalidArgument("co-signature message has unknown version " +
                                   std::to_string(static_cast<uint8_t>(bytes[0])));
  }
  CosignMessage m;
  FRONTERA_ASSIGN_OR_RETURN(m.height, storage::DecodeUint64(bytes.substr(1, 8)));
  const size_t name_size = static_cast<uint8_t>(bytes[9]);
  if (bytes.size() != 10 + name_size + 128) {
    return Status::InvalidArgument("co-signature message has the wrong length");
  }
  m.signer = std::string(bytes.substr(10, name_size));
  std::memcpy(m.checkpoint_signature.data(), bytes.data() + 10 + name_size, 64);
  std::memcpy(m.revocations_signature.data(), bytes.data() + 10 + name_size + 64, 64);
  return m;
}

CheckpointCosigner::CheckpointCosigner(const ledger::Genesis& genesis, std::string self,
                                       const crypto::KeyPair* key, size_t pending_heights_max)
    : genesis_(genesis),
      self_(std::move(self)),
      key_(key),
      pending_heights_max_(pending_heights_max) {
  FRONTERA_CHECK(genesis_.FindValidator(self_) != nullptr) << self_ << " is not a validator";
  FRONTERA_CHECK(pending_heights_max_ >= 1);
}

bool CheckpointCosigner::VerifyAgainst(const Pending& pending, const CosignMessage& message) const {
  const ledger::Validator* v = genesis_.FindValidator(message.signer);
  return v != nullptr &&
         crypto::Verify(v->public_key, pending.checkpoint_body, message.checkpoint_signature) &&
         crypto::Verify(v->public_key, pending.revocations_body, message.revocations_signature);
}

CosignMessage CheckpointCosigner::SignApplied(uint64_t height, uint64_t tree_size,
                                              std::string checkpoint_body,
                                              std::string revocations_body) {
  CosignMessage own;
  own.height = height;
  own.signer = self_;
  own.checkpoint_signature = key_->Sign(checkpoint_body);
  own.revocations_signature = key_->Sign(revocations_body);

  std::lock_guard<std::mutex> lock(mu_);
  if (taken_any_ && height <= taken_height_) return own;
  Pending& p = pending_[height];
  p.applied = true;
  p.tree_size = tree_size;
  p.checkpoint_body = std::move(checkpoint_body);
  p.revocations_body = std::move(revocations_body);
  p.signatures[self_] = own;
  // Signatures that arrived before this node applied the block are checked
  // now, against the bodies this node computed itself.
  for (const CosignMessage& m : p.unverified) {
    if (p.signatures.size() >= genesis_.Quorum()) break;
    if (VerifyAgainst(p, m)) p.signatures[m.signer] = m;
  }
  p.unverified.clear();
  Trim();
  return own;
}

Status CheckpointCosigner::AddPeerSignatures(const CosignMessage& message) {
  if (message.signer == self_ || genesis_.FindValidator(message.signer) == nullptr) {
    return Status::PermissionDenied("co-signature from \"" + message.signer +
                                    "\", which is not a peer validator");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (taken_any_ && message.height <= taken_height_) return Status::Ok();
  auto it = pending_.find(message.height);
  if (it != pending_.end() && it->second.applied) {
    // Once a quorum signed, more signatures change nothing: skip verifying
    // them (two Ed25519 verifications each, per block).
    if (it->second.signatures.size() >= genesis_.Quorum()) return Status::Ok();
    if (!VerifyAgainst(it->second, message)) {
      return Status::InvalidArgument("co-signature of " + message.signer + " for block " +
                                     std::to_string(message.height) +
                                     " does not verify against this node's notes");
    }
    it->second.signatures[message.signer] = message;
    return Status::Ok();
  }
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
  while (pending_.size() > pending_heights_max_) {
    // Keep the newest heights: older ones are superseded by any later
    // checkpoint that reaches a quorum.
    pending_.erase(pending_.begin());
  }
}

std::string CheckpointCosigner::FormatNote(const std::string& body, const Pending& pending,
                                           bool checkpoint) const {
  crypto::Note note;
  note.text = body;
  // Genesis order: every node formats the same note from the same signers.
  for (const ledger::Validator& v : genesis_.validators) {
    auto it = pending.signatures.find(v.name);
    if (it == pending.signatures.end()) continue;
    note.signatures.push_back(
        {v.name, crypto::NoteKeyId(v.name, v.public_key),
         checkpoint ? it->second.checkpoint_signature : it->second.revocations_signature});
  }
  return crypto::FormatNote(note);
}

std::optional<CosignedCheckpoint> CheckpointCosigner::TakeCosigned() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    const Pending& p = it->second;
    if (!p.applied || p.signatures.size() < genesis_.Quorum()) continue;
    CosignedCheckpoint out;
    out.height = it->first;
    out.tree_size = p.tree_size;
    out.checkpoint_note = FormatNote(p.checkpoint_body, p, /*checkpoint=*/true);
    out.revocations_note = FormatNote(p.revocations_body, p, /*checkpoint=*/false);
    taken_any_ = true;
    taken_height_ = out.height;
    pending_.erase(pending_.begin(), pending_.upper_bound(taken_height_));
    return out;
  }
  return std::nullopt;
}

}  // namespace frontera::node
