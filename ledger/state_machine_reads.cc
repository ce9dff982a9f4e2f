// StateMachine's reads, as of the last published block: the certificate
// view, inclusion and consistency proofs, a document held byte for byte,
// blocks, parties, the product and consignment lookups, the summary and the
// roots. All thread-safe.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "storage/keys.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

uint64_t StateMachine::applied_index() const {
  MutexLock lock(mu_);
  return published_.applied_index;
}

Result<std::string> StateMachine::FindProduct(const std::string& gtin,
                                              const std::string& serial) const {
  FRONTERA_ASSIGN_OR_RETURN(auto id,
                            store_->Get(Column::kIndex, Key(kGtinPrefix, gtin + "/" + serial)));
  if (!id) return Status::NotFound("no certificate for GTIN " + gtin + " serial " + serial);
  return *id;
}

Result<std::string> StateMachine::FindAnyProductOfGtin(const std::string& gtin) const {
  const std::string prefix = Key(kGtinPrefix, gtin + "/");
  std::optional<std::string> id;
  FRONTERA_RETURN_IF_ERROR(store_->Scan(Column::kIndex, prefix, storage::PrefixSuccessor(prefix), 1,
                                        [&](std::string_view, std::string_view value) {
                                          id = std::string(value);
                                          return false;
                                        }));
  if (!id) return Status::NotFound("no certificate for GTIN " + gtin);
  return *id;
}

Result<std::string> StateMachine::FindConsignment(const std::string& sscc) const {
  FRONTERA_ASSIGN_OR_RETURN(auto id, store_->Get(Column::kIndex, Key(kSsccPrefix, sscc)));
  if (!id) return Status::NotFound("no certificate for SSCC " + sscc);
  return *id;
}

LedgerSummary StateMachine::Summary() const {
  MutexLock lock(mu_);
  return published_;
}

Result<LedgerRoots> StateMachine::Roots() const {
  MutexLock lock(mu_);
  return LedgerRoots{published_.block_height, published_.block_hash, published_.tree_size,
                     published_.root, published_.state_root};
}

Result<Json> ReadStoredDocument(const storage::KvStore& store, uint64_t leaf) {
  FRONTERA_ASSIGN_OR_RETURN(auto stored, store.Get(Column::kState, DocKey(leaf)));
  if (!stored || stored->empty()) {
    return Status::Corruption("document of leaf " + std::to_string(leaf) + " is missing");
  }
  auto doc = crypto::ParseJson(std::string_view(*stored).substr(1));
  if (!doc.ok()) {
    return Status::Corruption("stored document of leaf " + std::to_string(leaf) +
                              " does not parse");
  }
  return std::move(doc).value();
}

Result<Json> StateMachine::CertificateView(const std::string& id) const {
  FRONTERA_ASSIGN_OR_RETURN(auto record_text, store_->Get(Column::kState, Key(kCertPrefix, id)));
  if (!record_text) return Status::NotFound("no certificate " + id);
  Json record = Json::parse(*record_text);
  auto load = [&](const Json& position) -> Result<Json> {
    return ReadStoredDocument(*store_, position["leaf_index"].get<uint64_t>());
  };
  FRONTERA_ASSIGN_OR_RETURN(Json credential, load(record["ledger"]));
  Json events = Json::array();
  for (const Json& position : record["events"]) {
    FRONTERA_ASSIGN_OR_RETURN(Json event, load(position));
    events.push_back({{"document", std::move(event)}, {"ledger", position}});
  }
  Json revocation = nullptr;
  if (!record["revocation"].is_null()) {
    FRONTERA_ASSIGN_OR_RETURN(Json doc, load(record["revocation"]));
    revocation = {{"document", std::move(doc)}, {"ledger", record["revocation"]}};
  }
  Json flags = Json::array();
  if (record["held"].get<bool>()) flags.push_back("customs_hold");
  const Json flagged = record.value("flagged", Json::object());
  for (const auto& [flag, entry] : flagged.items()) flags.push_back(flag);
  const std::string in_transit = record["in_transit_to"].get<std::string>();
  const std::string held_by = record.value("held_by", "");
  FRONTERA_ASSIGN_OR_RETURN(const PackLifecycle lifecycle, LifecycleOfRecord(record));
  return Json{{"id", id},
              {"type", record["type"]},
              {"credential", std::move(credential)},
              {"status", record["status"]},
              {"flags", std::move(flags)},
              {"held_by", held_by.empty() ? Json(nullptr) : Json(held_by)},
              {"flagged", flagged},
              {"custody",
               {{"custodian", record["custodian"]},
                {"in_transit_to", in_transit.empty() ? Json(nullptr) : Json(in_transit)}}},
              {"events", std::move(events)},
              {"revocation", std::move(revocation)},
              {"lifecycle", lifecycle.ToViewJson()},
              {"ledger", record["ledger"]}};
}

Result<CertificateProof> StateMachine::ProveCertificate(const std::string& id) const {
  FRONTERA_ASSIGN_OR_RETURN(auto record_text, store_->Get(Column::kState, Key(kCertPrefix, id)));
  if (!record_text) return Status::NotFound("no certificate " + id);
  const Json record = Json::parse(*record_text);
  Result<CertificateProof> proof = ProveLeaf(record["ledger"]["leaf_index"].get<uint64_t>());
  if (proof.status().IsUnavailable()) {
    return Status::Unavailable("certificate " + id +
                               " is not yet in a checkpoint signed by a majority of validators; "
                               "retry in a moment");
  }
  return proof;
}

Result<CertificateProof> StateMachine::ProveLeaf(uint64_t leaf_index) const {
  CertificateProof proof;
  proof.leaf_index = leaf_index;
  uint64_t tree_size = 0;
  {
    MutexLock lock(mu_);
    proof.tree_size = checkpoint_tree_size_;
    proof.checkpoint = checkpoint_;
    tree_size = published_.tree_size;
  }
  if (leaf_index >= tree_size) {
    return Status::NotFound("no leaf " + std::to_string(leaf_index) + " (the log holds " +
                            std::to_string(tree_size) + ")");
  }
  if (leaf_index >= proof.tree_size) {
    return Status::Unavailable("leaf " + std::to_string(leaf_index) +
                               " is not yet in a checkpoint signed by a majority of validators; "
                               "retry in a moment");
  }
  FRONTERA_ASSIGN_OR_RETURN(proof.leaf_hash, merkle_->LeafHashAt(leaf_index));
  FRONTERA_ASSIGN_OR_RETURN(proof.inclusion, merkle_->InclusionProof(leaf_index, proof.tree_size));
  return proof;
}

std::optional<StateMachine::HeldDocument> StateMachine::FindIdentical(
    const ProposedDocument& document) const {
  auto json = crypto::ParseJson(document.canonical);
  if (!json.ok() || !json->is_object()) return std::nullopt;
  auto id = json->find(document.kind == DocumentKind::kEvent ? "eventID" : "id");
  if (id == json->end() || !id->is_string()) return std::nullopt;
  auto leaf_bytes = store_->Get(Column::kIndex, Key(kIdPrefix, id->get<std::string>()));
  if (!leaf_bytes.ok() || !*leaf_bytes) return std::nullopt;
  auto leaf = storage::DecodeUint64(**leaf_bytes);
  if (!leaf.ok()) return std::nullopt;
  // Byte for byte: the kind, then the canonical text (as Apply stored it).
  auto stored = store_->Get(Column::kState, DocKey(*leaf));
  if (!stored.ok() || !*stored || (*stored)->size() != document.canonical.size() + 1 ||
      static_cast<uint8_t>((**stored)[0]) != static_cast<uint8_t>(document.kind) ||
      std::string_view(**stored).substr(1) != document.canonical) {
    return std::nullopt;
  }
  if (document.kind == DocumentKind::kParty) return FindRegistryDocument(*json, *leaf);
  if (document.kind == DocumentKind::kNotice) return FindNoticeDocument(*json, *leaf);
  // About the same certificate: a credential is its own; an event or a
  // revocation is about the one its request named.
  const std::string certificate_id =
      document.kind == DocumentKind::kCredential ? id->get<std::string>() : document.certificate_id;
  auto record_text = store_->Get(Column::kState, Key(kCertPrefix, certificate_id));
  if (!record_text.ok() || !*record_text) return std::nullopt;
  const Json record = Json::parse(**record_text);
  const Json* position = nullptr;
  switch (document.kind) {
    case DocumentKind::kCredential:
      position = &record["ledger"];
      break;
    case DocumentKind::kRevocation:
      position = &record["revocation"];
      break;
    case DocumentKind::kEvent:
      for (const Json& p : record["events"]) {
        if (p["leaf_index"] == *leaf) position = &p;
      }
      break;
    case DocumentKind::kParty:  // answered above
    case DocumentKind::kNotice:
      break;
  }
  if (position == nullptr || !position->is_object() || (*position)["leaf_index"] != *leaf) {
    return std::nullopt;
  }
  return HeldDocument{certificate_id, *leaf, crypto::LeafHash(AsBytes(document.canonical)),
                      (*position)["block"].get<uint64_t>(), record["status"].get<std::string>()};
}

Result<std::vector<crypto::Hash>> StateMachine::ConsistencyProof(uint64_t first,
                                                                 uint64_t second) const {
  const uint64_t size = checkpoint_tree_size();
  if (first == 0 || first > second || second > size) {
    return Status::InvalidArgument(
        "need 0 < first <= second <= " + std::to_string(size) + " (the latest checkpoint's size)",
        {{"/query/first", "must be in [1, second]"},
         {"/query/second", "must be at most " + std::to_string(size)}});
  }
  return merkle_->ConsistencyProof(first, second);
}

Result<Json> StateMachine::BlockJson(uint64_t height) const {
  if (height == 0 || height > Summary().block_height) {
    return Status::NotFound("no block " + std::to_string(height));
  }
  FRONTERA_ASSIGN_OR_RETURN(auto text, store_->Get(Column::kBlocks, Be64(height)));
  if (!text) return Status::NotFound("no block " + std::to_string(height));
  auto block = crypto::ParseJson(*text);
  if (!block.ok()) return Status::Corruption("stored block does not parse");
  Json out = std::move(block).value();
  auto canonical = crypto::Canonicalize(out);
  FRONTERA_CHECK(canonical.ok());
  out["hash"] = Base64Encode(crypto::Sha256(*canonical));
  return out;
}

}  // namespace frontera::ledger
