#include "node/item_filter_cosigner.h"

#include <cstring>
#include <utility>

#include "common/binary.h"
#include "common/bytes.h"
#include "common/check.h"
#include "common/encoding.h"
#include "crypto/signed_note.h"

namespace frontera::node {

namespace {

constexpr uint8_t kItemFilterSignatureVersion = 1;
constexpr size_t kSignerMax = 255;

const ledger::Validator* FindVoter(const ledger::Voters& voters, std::string_view name) {
  for (const ledger::Validator& v : voters) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

}  // namespace

std::string EncodeItemFilterSignature(const ItemFilterSignature& message) {
  FRONTERA_CHECK(!message.signer.empty() && message.signer.size() <= kSignerMax)
      << "signer name of " << message.signer.size() << " bytes";
  FRONTERA_CHECK(message.signed_at <= crypto::kCosignatureTimeMax) << "signature time too large";
  std::string out;
  BinaryWriter w(out);
  w.U8(kItemFilterSignatureVersion);
  w.U64(message.tree_size);
  w.U8(static_cast<uint8_t>(message.signer.size()));
  w.Raw(message.signer);
  w.U64(message.signed_at);
  w.Raw(AsChars(message.signature));
  return out;
}

Result<ItemFilterSignature> DecodeItemFilterSignature(std::string_view bytes) {
  BinaryReader r(bytes, "item filter signature");
  uint8_t version = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("version", version));
  if (version != kItemFilterSignatureVersion) {
    return r.Error("version", "is " + std::to_string(version) + "; this validator speaks " +
                                  std::to_string(kItemFilterSignatureVersion));
  }
  ItemFilterSignature m;
  uint8_t name_size = 0;
  std::string_view signer, signature;
  FRONTERA_RETURN_IF_ERROR(r.U64("tree size", m.tree_size));
  FRONTERA_RETURN_IF_ERROR(r.U8("signer length", name_size));
  if (name_size == 0) return r.Error("signer length", "is 0");
  FRONTERA_RETURN_IF_ERROR(r.Raw("signer", name_size, signer));
  FRONTERA_RETURN_IF_ERROR(r.U64("signed time", m.signed_at));
  if (m.signed_at > crypto::kCosignatureTimeMax) {
    return r.Error("signed time", "is above 2^63 - 1");
  }
  FRONTERA_RETURN_IF_ERROR(r.Raw("signature", 64, signature));
  FRONTERA_RETURN_IF_ERROR(r.End());
  m.signer.assign(signer);
  std::memcpy(m.signature.data(), signature.data(), 64);
  return m;
}

ItemFilterCosigner::ItemFilterCosigner(std::string network, std::string self,
                                       const crypto::KeyPair* key, ledger::Voters initial_voters,
                                       size_t pending_tree_sizes_max, const Clock* clock)
    : network_(std::move(network)),
      self_(std::move(self)),
      key_(key),
      pending_tree_sizes_max_(pending_tree_sizes_max),
      clock_(clock),
      known_(std::move(initial_voters)) {
  FRONTERA_CHECK(pending_tree_sizes_max_ >= 1);
}

bool ItemFilterCosigner::Verifies(const Pending& pending,
                                  const ItemFilterSignature& message) const {
  const ledger::Validator* v = FindVoter(pending.voters, message.signer);
  return v != nullptr &&
         crypto::Verify(v->public_key, crypto::CosignatureMessage(message.signed_at, pending.body),
                        message.signature);
}

std::optional<ItemFilterSignature> ItemFilterCosigner::AddOwn(uint64_t tree_size,
                                                              const ledger::ItemFilter& filter,
                                                              const std::string& encoded,
                                                              ledger::Voters voters) {
  const ledger::ItemFilterNote note = ledger::ItemFilterNoteOf(filter, encoded, tree_size);
  std::string body = ledger::ItemFilterNoteText(network_, note);
  std::optional<ItemFilterSignature> own;
  if (FindVoter(voters, self_) != nullptr) {
    // This validator's wall clock: when it signed (what an offline verifier
    // may show); the filter's content never depends on it.
    static const SystemClock system_clock;
    const int64_t now_millis = (clock_ != nullptr ? clock_ : &system_clock)->NowUnixMillis();
    own.emplace();
    own->tree_size = tree_size;
    own->signer = self_;
    own->signed_at = now_millis > 0 ? static_cast<uint64_t>(now_millis / 1000) : 0;
    own->signature = key_->Sign(crypto::CosignatureMessage(own->signed_at, body));
  }
  auto filter_base64 = std::make_shared<const std::string>(Base64Encode(AsBytes(encoded)));

  MutexLock lock(mu_);
  known_ = voters;
  if (latest_ && tree_size <= latest_->tree_size) return std::nullopt;
  Pending& p = pending_[tree_size];
  p.built = true;
  p.body = std::move(body);
  p.item_count = note.item_count;
  p.filter_base64 = std::move(filter_base64);
  p.voters = std::move(voters);
  if (own) p.signatures[self_] = *own;
  // Signatures that arrived first are checked now, against this node's own note.
  for (auto& [signer, m] : p.unverified) {
    if (Verifies(p, m)) p.signatures[signer] = m;
  }
  p.unverified.clear();
  MaybeComplete(tree_size, p);
  Trim();
  return own;
}

Status ItemFilterCosigner::AddPeer(const ItemFilterSignature& message) {
  const auto not_a_voter = [&] {
    return Status::PermissionDenied("item filter signature from \"" + message.signer +
                                    "\", which is not a peer voter");
  };
  if (message.signer == self_) return not_a_voter();
  MutexLock lock(mu_);
  if (latest_ && message.tree_size <= latest_->tree_size) return Status::Ok();
  auto it = pending_.find(message.tree_size);
  if (it != pending_.end() && it->second.built) {
    Pending& p = it->second;
    if (FindVoter(p.voters, message.signer) == nullptr) return not_a_voter();
    if (!Verifies(p, message)) {
      return Status::InvalidArgument("item filter signature of " + message.signer +
                                     " for tree size " + std::to_string(message.tree_size) +
                                     " does not verify against this node's note");
    }
    p.signatures[message.signer] = message;
    MaybeComplete(message.tree_size, p);
    return Status::Ok();
  }
  // Not built here yet: kept from the voters this node last built for, one
  // message per signer and tree size (a peer cannot fill memory by
  // repeating itself).
  if (FindVoter(known_, message.signer) == nullptr) return not_a_voter();
  pending_[message.tree_size].unverified[message.signer] = message;
  Trim();
  return Status::Ok();
}

void ItemFilterCosigner::MaybeComplete(uint64_t tree_size, Pending& pending) {
  std::vector<std::string> names;
  for (const auto& [name, m] : pending.signatures) names.push_back(name);
  if (!ledger::NoteQuorum{pending.voters, pending.voters}.Met(names)) return;
  crypto::Note note;
  note.text = pending.body;
  // The voters' order: every node formats the same note from the same signers.
  for (const ledger::Validator& v : pending.voters) {
    auto s = pending.signatures.find(v.name);
    if (s == pending.signatures.end()) continue;
    note.signatures.push_back(
        {v.name, crypto::NoteKeyId(v.name, v.public_key, crypto::NoteSignatureType::kCosignatureV1),
         s->second.signature, s->second.signed_at});
  }
  latest_ = CosignedItemFilter{tree_size, pending.item_count, crypto::FormatNote(note),
                               pending.filter_base64, pending.voters};
  // Older tree sizes are superseded.
  pending_.erase(pending_.begin(), pending_.upper_bound(tree_size));
}

void ItemFilterCosigner::Trim() {
  // The newest tree sizes are kept: an older one is superseded by any newer
  // one that completes.
  // Tree sizes this node has not built go first, so that a peer's
  // signatures for made-up tree sizes cannot evict this node's own note.
  while (pending_.size() > pending_tree_sizes_max_) {
    auto victim = pending_.begin();
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (!it->second.built) {
        victim = it;
        break;
      }
    }
    pending_.erase(victim);
  }
}

std::optional<CosignedItemFilter> ItemFilterCosigner::Latest() const {
  MutexLock lock(mu_);
  return latest_;
}

std::optional<ItemFilterSignature> ItemFilterCosigner::OwnUnfinished() const {
  MutexLock lock(mu_);
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    auto own = it->second.signatures.find(self_);
    if (it->second.built && own != it->second.signatures.end()) return own->second;
  }
  return std::nullopt;
}

}  // namespace frontera::node
