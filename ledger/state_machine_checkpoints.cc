// StateMachine's co-signed notes: the checkpoint and revocations bodies the
// validators sign after a block, staging and publishing the notes a majority
// signed, and the published revocation list they cover
// (docs/consensus.md#checkpoint-co-signing, docs/formats.md §11).
#include <algorithm>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "ledger/voter_chain.h"
#include "storage/keys.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

void StateMachine::StageCheckpoint(uint64_t tree_size, const std::string& checkpoint_note,
                                   const std::string& revocations_note,
                                   storage::WriteBatch& batch) const {
  batch.Put(Column::kMeta, kMetaCheckpoint, checkpoint_note);
  batch.Put(Column::kMeta, kMetaRevocationsNote, revocations_note);
  batch.Put(Column::kMeta, kMetaCheckpointTreeSize, storage::EncodeUint64(tree_size));
}

void StateMachine::PublishCheckpoint(uint64_t tree_size, const std::string& checkpoint_note,
                                     const std::string& revocations_note) {
  MutexLock lock(mu_);
  FRONTERA_CHECK(tree_size <= published_.tree_size && tree_size >= checkpoint_tree_size_)
      << "checkpoint of tree size " << tree_size << " published out of order";
  checkpoint_ = checkpoint_note;
  revocations_note_ = revocations_note;
  checkpoint_tree_size_ = tree_size;
}

void StateMachine::AddCheckpointCosignatures(
    const std::string& text, const std::vector<crypto::NoteSignature>& cosignatures) {
  MutexLock lock(mu_);
  if (checkpoint_.empty()) return;
  auto note = crypto::ParseNote(checkpoint_, 2 * kVotersMax + kWitnessesMax);
  // The published note is this node's own: it always parses.
  FRONTERA_CHECK(note.ok()) << "the published checkpoint: " << note.status().ToString();
  if (note->text != text) return;
  for (const crypto::NoteSignature& added : cosignatures) {
    std::erase_if(note->signatures, [&](const crypto::NoteSignature& s) {
      return s.name == added.name && s.key_id == added.key_id;
    });
    note->signatures.push_back(added);
  }
  checkpoint_ = crypto::FormatNote(*note);
}

uint64_t StateMachine::checkpoint_tree_size() const {
  MutexLock lock(mu_);
  return checkpoint_tree_size_;
}

std::string StateMachine::RevocationsBody() const {
  std::vector<std::string> lines;
  lines.reserve(revocations_.size());
  for (const auto& [id, e] : revocations_) {
    // The reason is free text: its JCS string form keeps it on one line (a
    // newline is written \n) and is the same on every validator.
    auto reason = crypto::Canonicalize(Json(e.reason));
    FRONTERA_CHECK(reason.ok()) << "revocation reason of " << id << ": "
                                << reason.status().ToString();
    lines.push_back(e.certificate + " " + e.item + " " + std::to_string(e.leaf_index) + " " +
                    *reason + "\n");
  }
  const size_t count = lines.size();
  const crypto::Hash digest = SortedLinesDigest(std::move(lines));
  // The registry as it stands: the latest state of every DID it changed.
  std::vector<RegistryEntry> registry;
  registry.reserve(registry_.size());
  for (const auto& [did, states] : registry_) registry.push_back(states.back());
  // The flags in force now.
  std::vector<FlagEntry> flags;
  for (const auto& [id, history] : flags_) {
    flags.insert(flags.end(), history.back().second.begin(), history.back().second.end());
  }
  // The voters after this block: who signs the next block's notes.
  if (body_voters_changes_ != validator_changes_.load()) {
    auto set = Validators();
    FRONTERA_CHECK(set.ok()) << "the validator set: " << set.status().ToString();
    body_voters_ = VotersAfter(*set, applying_.block_height);
    body_voters_changes_ = validator_changes_.load();
  }
  return genesis_.network + " revocations/4\n" + std::to_string(applying_.tree_size) + "\n" +
         std::to_string(count) + "\n" + Base64Encode(digest) + "\n" +
         std::to_string(registry.size()) + "\n" + Base64Encode(RegistryDigest(registry)) + "\n" +
         std::to_string(flags.size()) + "\n" + Base64Encode(FlagDigest(flags)) + "\n" +
         std::to_string(body_voters_.size()) + "\n" + Base64Encode(VotersDigest(body_voters_)) +
         "\n";
}

Result<std::vector<VoterChange>> ReadVoterChanges(const storage::KvStore& store) {
  FRONTERA_ASSIGN_OR_RETURN(auto text, store.Get(Column::kMeta, kMetaVoterChanges));
  std::vector<VoterChange> out;
  if (!text) return out;
  auto json = crypto::ParseJson(*text);
  if (!json.ok() || !json->is_array()) return Status::Corruption("the stored voter changes");
  for (const Json& j : *json) {
    auto change = VoterChangeFromJson(j, "voter change");
    if (!change.ok()) {
      return Status::Corruption("a stored voter change: " + change.status().message());
    }
    out.push_back(std::move(change).value());
  }
  return out;
}

Status StageVoterChanges(const storage::KvStore& store, const std::vector<VoterChange>& added,
                         storage::WriteBatch& batch) {
  FRONTERA_ASSIGN_OR_RETURN(std::vector<VoterChange> changes, ReadVoterChanges(store));
  bool changed = false;
  for (const VoterChange& change : added) {
    auto at = std::lower_bound(changes.begin(), changes.end(), change.height,
                               [](const VoterChange& c, uint64_t h) { return c.height < h; });
    if (at != changes.end() && at->height == change.height) continue;
    changes.insert(at, change);
    changed = true;
  }
  if (!changed) return Status::Ok();
  Json stored = Json::array();
  for (const VoterChange& c : changes) stored.push_back(VoterChangeJson(c));
  batch.Put(Column::kMeta, kMetaVoterChanges, stored.dump());
  return Status::Ok();
}

Result<std::vector<VoterChange>> StateMachine::VoterChanges() const {
  return ReadVoterChanges(*store_);
}

StateMachine::Revocations StateMachine::LatestRevocations() const {
  MutexLock lock(mu_);
  // A revocation is a leaf: the list at the checkpoint's tree size is the
  // entries whose revocation leaf precedes it (revocations are never undone).
  Revocations out{checkpoint_, revocations_note_, {}, {}, {}};
  for (const RevocationEntry& e : revocations_published_) {
    if (e.leaf_index < checkpoint_tree_size_) out.entries.push_back(e);
  }
  // Each DID's last state whose document precedes the checkpoint.
  for (const auto& [did, states] : registry_published_) {
    for (auto it = states.rbegin(); it != states.rend(); ++it) {
      if (it->leaf_index < checkpoint_tree_size_) {
        out.registry.push_back(*it);
        break;
      }
    }
  }
  // Each certificate's flags in force after its last change before it.
  for (const auto& [id, history] : flags_published_) {
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
      if (it->first < checkpoint_tree_size_) {
        out.flags.insert(out.flags.end(), it->second.begin(), it->second.end());
        break;
      }
    }
  }
  return out;
}

std::string StateMachine::CheckpointBody() const {
  crypto::Checkpoint cp;
  cp.origin = genesis_.network;
  cp.tree_size = applying_.tree_size;
  cp.root = applying_.root;
  return crypto::FormatCheckpointBody(cp);
}

std::string StateMachine::LatestCheckpoint() const {
  MutexLock lock(mu_);
  return checkpoint_;
}

}  // namespace frontera::ledger
