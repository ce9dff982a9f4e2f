// StateMachine (ledger/state_machine.h): its options, opening it on a store,
// and loading what it keeps in memory (the summary, the running state hash,
// the last block's time, the checkpoint and the revocation list) from that
// store. The rest of the class is in the other ledger/state_machine_*.cc
// files: admission checks (_check), Apply (_apply), checkpoints and the
// revocation list (_checkpoints), reads (_reads).
#include "ledger/state_machine.h"

#include <memory>
#include <optional>
#include <string>

#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "ledger/state_machine_internal.h"
#include "storage/keys.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

Status StateMachineOptions::Validate() const {
  if (events_per_certificate_max < 1 || events_per_certificate_max > 100000) {
    return Status::InvalidArgument("ledger.events_per_certificate_max must be in [1, 100000]");
  }
  if (registry_changes_per_party_max < 1 || registry_changes_per_party_max > 100000) {
    return Status::InvalidArgument("ledger.registry_changes_per_party_max must be in [1, 100000]");
  }
  if (validators_max < 1 || validators_max > 256) {
    return Status::InvalidArgument("ledger.validators_max must be in [1, 256]");
  }
  if (notice_follow_ups_max < 1 || notice_follow_ups_max > 10000) {
    return Status::InvalidArgument("ledger.notice_follow_ups_max must be in [1, 10000]");
  }
  if (notices_per_certificate_max < 1 || notices_per_certificate_max > 10000) {
    return Status::InvalidArgument("ledger.notices_per_certificate_max must be in [1, 10000]");
  }
  if (signature_cache_entries > 10000000) {
    return Status::InvalidArgument("ledger.signature_cache_entries must be at most 10000000");
  }
  return Status::Ok();
}

StateMachine::StateMachine(storage::KvStore* store, Genesis genesis,
                           const StateMachineOptions& options, std::unique_ptr<MerkleLog> merkle)
    : store_(store),
      genesis_(std::move(genesis)),
      options_(options),
      signature_cache_(options.signature_cache_entries),
      merkle_(std::move(merkle)) {}

Result<std::unique_ptr<StateMachine>> StateMachine::Open(storage::KvStore* store, Genesis genesis,
                                                         const StateMachineOptions& options) {
  FRONTERA_RETURN_IF_ERROR(options.Validate());
  FRONTERA_ASSIGN_OR_RETURN(std::unique_ptr<MerkleLog> merkle, MerkleLog::Open(store));
  std::unique_ptr<StateMachine> sm(
      new StateMachine(store, std::move(genesis), options, std::move(merkle)));
  FRONTERA_RETURN_IF_ERROR(sm->LoadMeta());
  return sm;
}

Status StateMachine::LoadMeta() {
  FRONTERA_ASSIGN_OR_RETURN(auto summary, store_->Get(Column::kMeta, kMetaSummaryKey));
  LedgerSummary s;
  bool has_state_root = true;
  if (summary) {
    FRONTERA_ASSIGN_OR_RETURN(s, DecodeSummary(*summary, &has_state_root));
  } else {
    s.root = crypto::EmptyTreeHash();
    s.state_root = StateRoot(crypto::LtHash16());
  }
  if (s.tree_size != merkle_->tree_size() || s.root != merkle_->root()) {
    return Status::Corruption("ledger summary (tree size " + std::to_string(s.tree_size) +
                              ") disagrees with the Merkle log (tree size " +
                              std::to_string(merkle_->tree_size()) + ")");
  }
  FRONTERA_ASSIGN_OR_RETURN(auto lthash_text, store_->Get(Column::kMeta, kMetaStateLtHashKey));
  crypto::LtHash16 lthash;
  if (lthash_text) {
    FRONTERA_ASSIGN_OR_RETURN(lthash, crypto::LtHash16::FromBytes(*lthash_text));
  } else if (summary) {
    // A ledger written before state roots: one scan gives the running value,
    // and the next block carries its root.
    FRONTERA_ASSIGN_OR_RETURN(lthash, ScanStateLtHash(*store_));
  }
  const crypto::Hash state_root = StateRoot(lthash);
  if (has_state_root && state_root != s.state_root) {
    return Status::Corruption(
        "the running state hash in kMeta disagrees with the ledger summary's "
        "state root");
  }
  s.state_root = state_root;
  // The next block's time never goes back past the last one's, which the
  // block itself records (its hash is the summary's).
  int64_t block_time_unix_ms = 0;
  if (s.block_height > 0) {
    FRONTERA_ASSIGN_OR_RETURN(auto block_text, store_->Get(Column::kBlocks, Be64(s.block_height)));
    if (!block_text || crypto::Sha256(*block_text) != s.block_hash) {
      return Status::Corruption("block " + std::to_string(s.block_height) +
                                " is missing or is not the block the ledger summary names");
    }
    FRONTERA_ASSIGN_OR_RETURN(BlockHeader header, ParseBlockHeader(*block_text));
    block_time_unix_ms = header.time_unix_ms;
  }
  FRONTERA_ASSIGN_OR_RETURN(auto checkpoint, store_->Get(Column::kMeta, kMetaCheckpoint));
  FRONTERA_ASSIGN_OR_RETURN(auto revocations_note,
                            store_->Get(Column::kMeta, kMetaRevocationsNote));
  FRONTERA_ASSIGN_OR_RETURN(auto checkpoint_size,
                            store_->Get(Column::kMeta, kMetaCheckpointTreeSize));
  uint64_t checkpoint_tree_size = 0;
  if (checkpoint_size) {
    FRONTERA_ASSIGN_OR_RETURN(checkpoint_tree_size, storage::DecodeUint64(*checkpoint_size));
  }
  if (checkpoint_tree_size > s.tree_size) {
    return Status::Corruption("the stored checkpoint's tree size " +
                              std::to_string(checkpoint_tree_size) +
                              " is beyond the ledger's tree size " + std::to_string(s.tree_size));
  }
  std::optional<std::string> bad_revocation;
  Status scanned = store_->Scan(
      Column::kIndex, kRevPrefix, storage::PrefixSuccessor(kRevPrefix), storage::KvStore::kNoLimit,
      [&](std::string_view key, std::string_view value) {
        auto j = crypto::ParseJson(value);
        if (!j.ok() || !j->is_object() || !(*j)["item"].is_string() ||
            !(*j)["leaf_index"].is_number_unsigned() || !(*j)["reason"].is_string()) {
          bad_revocation = std::string(key.substr(kRevPrefix.size()));
          return false;
        }
        RevocationEntry e{std::string(key.substr(kRevPrefix.size())),
                          (*j)["item"].get<std::string>(), (*j)["leaf_index"].get<uint64_t>(),
                          (*j)["reason"].get<std::string>()};
        revocations_.emplace(e.certificate, e);
        return true;
      });
  FRONTERA_RETURN_IF_ERROR(scanned);
  if (bad_revocation) {
    // A store of a build before revocation reasons has entries without one.
    return Status::Corruption("the revocation index entry of " + *bad_revocation +
                              " is malformed (it needs item, leaf_index and \"reason\"; a store "
                              "written before revocation reasons is re-created, docs/formats.md "
                              "§12)");
  }
  FRONTERA_RETURN_IF_ERROR(LoadRegistry());
  FRONTERA_RETURN_IF_ERROR(LoadFlags());
  MutexLock lock(mu_);
  registry_published_ = registry_;
  registry_changed_ = false;
  flags_published_ = flags_;
  flags_changed_ = false;
  published_ = s;
  applying_ = s;
  state_lthash_ = lthash;
  block_time_unix_ms_ = block_time_unix_ms;
  checkpoint_ = checkpoint.value_or("");
  revocations_note_ = revocations_note.value_or("");
  checkpoint_tree_size_ = checkpoint_tree_size;
  for (const auto& [id, e] : revocations_) revocations_published_.push_back(e);
  return Status::Ok();
}

Status StateMachine::LoadFlags() {
  std::optional<std::string> bad;
  Status scanned = store_->Scan(
      Column::kIndex, kFlagPrefix, storage::PrefixSuccessor(kFlagPrefix),
      storage::KvStore::kNoLimit, [&](std::string_view key, std::string_view value) {
        const std::string id(key.substr(kFlagPrefix.size()));
        auto history = crypto::ParseJson(value);
        auto record = store_->Get(Column::kState, Key(kCertPrefix, id));
        if (!history.ok() || !history->is_array() || !record.ok() || !*record) {
          bad = id;
          return false;
        }
        auto cert = crypto::ParseJson(**record);
        if (!cert.ok() || !(*cert)["item"].is_string()) {
          bad = id;
          return false;
        }
        const std::string item = (*cert)["item"].get<std::string>();
        FlagHistory& out = flags_[id];
        for (const Json& change : *history) {
          if (!change.is_object() || !change["leaf_index"].is_number_unsigned() ||
              !change["flags"].is_array()) {
            bad = id;
            return false;
          }
          std::vector<FlagEntry> in_force;
          for (const Json& f : change["flags"]) {
            if (!f.is_object() || !f["flag"].is_string() || !f["leaf_index"].is_number_unsigned() ||
                !f["reason"].is_string()) {
              bad = id;
              return false;
            }
            in_force.push_back({id, item, f["flag"].get<std::string>(),
                                f["leaf_index"].get<uint64_t>(), f["reason"].get<std::string>()});
          }
          out.emplace_back(change["leaf_index"].get<uint64_t>(), std::move(in_force));
        }
        return true;
      });
  FRONTERA_RETURN_IF_ERROR(scanned);
  if (bad) return Status::Corruption("the flag index entry of " + *bad + " is malformed");
  return Status::Ok();
}

}  // namespace frontera::ledger
