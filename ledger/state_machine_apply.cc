// StateMachine::Apply: a committed proposal becomes a block. Every document
// is checked again (Check, ledger/state_machine_check.cc) against the state
// left by the documents before it, the accepted ones become leaves, records
// and index entries, and the block's roots are computed; a refusal is
// recorded in the block, never an abort. Publish makes the applied state
// visible to readers.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "ledger/state_root.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

// The latest block time Apply accepts from a proposal: 9999-12-31T23:59:59.999Z,
// the end of RFC 3339's four-digit years (FormatRfc3339 and the date rules).
constexpr int64_t kBlockTimeMax = 253402300799999;

// What a committed proposal says about a document besides its text: refused
// before anything reads it, since a hostile leader chose it.
Status CheckProposedDocument(const ProposedDocument& d) {
  if (d.kind != DocumentKind::kCredential && d.kind != DocumentKind::kEvent &&
      d.kind != DocumentKind::kRevocation && d.kind != DocumentKind::kParty &&
      d.kind != DocumentKind::kNotice) {
    return Status::InvalidArgument("document kind " + std::to_string(static_cast<int>(d.kind)) +
                                   " is unknown");
  }
  return CheckCertificateId(d.certificate_id);
}

// `status` with the same code and `message` (no field errors).
Status WithMessage(const Status& status, std::string_view message) {
  using Code = Status::Code;
  switch (status.code()) {
    case Code::kOk:
      break;
    case Code::kInvalidArgument:
      return Status::InvalidArgument(message);
    case Code::kFailedPrecondition:
      return Status::FailedPrecondition(message);
    case Code::kPermissionDenied:
      return Status::PermissionDenied(message);
    case Code::kNotFound:
      return Status::NotFound(message);
    case Code::kAlreadyExists:
      return Status::AlreadyExists(message);
    case Code::kResourceExhausted:
      return Status::ResourceExhausted(message);
    case Code::kUnavailable:
      return Status::Unavailable(message);
    case Code::kCorruption:
      return Status::Corruption(message);
    case Code::kIOError:
      return Status::IOError(message);
    case Code::kInternal:
      return Status::Internal(message);
  }
  return status;
}

// A refusal as the block records it. The reason goes into the block's JCS
// form, which only carries well-formed UTF-8; a rule that quoted a document
// byte-wise could break that, and the block must be made anyway.
Status Recordable(const Status& status) {
  if (crypto::IsWellFormedUtf8(status.message())) return status;
  return WithMessage(status, "the reason is withheld: it is not valid UTF-8");
}

}  // namespace

Block StateMachine::Apply(uint64_t log_index, const Proposal& proposal,
                          const std::vector<const ParsedDocument*>* parsed,
                          storage::WriteBatch& batch) {
  FRONTERA_CHECK(log_index > applying_.applied_index)
      << "apply of log index " << log_index << " after " << applying_.applied_index;
  FRONTERA_CHECK(parsed == nullptr || parsed->size() == proposal.documents.size());
  const size_t first_op = batch.ops();
  StagedView view(store_, batch);
  Block block;
  block.height = applying_.block_height + 1;
  block.previous_hash = applying_.block_hash;
  block.log_index = log_index;
  // The leader chose the time; a later leader whose clock is behind must not
  // take the ledger back (expiry would un-expire), and a time no date rule
  // can read refuses the proposal's documents. Both depend only on the
  // proposal and the previous block.
  const bool time_readable = proposal.time_unix_ms >= 0 && proposal.time_unix_ms <= kBlockTimeMax;
  block.time_unix_ms =
      time_readable ? std::max(block_time_unix_ms_, proposal.time_unix_ms) : block_time_unix_ms_;
  const Status time_refusal =
      time_readable
          ? Status::Ok()
          : Status::InvalidArgument("the proposal's time " + std::to_string(proposal.time_unix_ms) +
                                    " is outside 1970-01-01 to 9999-12-31");
  std::vector<crypto::Hash> document_hashes;

  for (size_t i = 0; i < proposal.documents.size(); ++i) {
    const ProposedDocument& pd = proposal.documents[i];
    DocumentOutcome outcome;
    Status refusal = time_refusal.ok() ? CheckProposedDocument(pd) : time_refusal;
    if (!refusal.ok()) {
      outcome.leaf_hash = crypto::LeafHash(AsBytes(pd.canonical));
      document_hashes.push_back(outcome.leaf_hash);
      outcome.status = std::move(refusal);
      block.outcomes.push_back(std::move(outcome));
      continue;
    }
    outcome.certificate_id = pd.certificate_id;

    // What depends on the document's bytes alone was computed at admission
    // when this node proposed it; a document from the log is parsed here.
    std::optional<ParsedDocument> owned;
    const ParsedDocument* doc = parsed ? (*parsed)[i] : nullptr;
    FRONTERA_CHECK(doc == nullptr || doc->kind == pd.kind);
    Status parse_status;
    if (doc == nullptr) {
      // It must be the canonical text of itself, or its leaf hash would not be
      // what anyone holding the document computes.
      auto json = crypto::ParseJson(pd.canonical);
      auto again = json.ok() ? crypto::Canonicalize(*json) : Result<std::string>(json.status());
      if (!again.ok() || *again != pd.canonical) {
        parse_status = Status::InvalidArgument("document in the block is not canonical JSON");
      } else {
        auto p = ParseAndVerify(pd.kind, *json, pd.canonical);
        if (p.ok()) {
          owned = std::move(p).value();
          doc = &*owned;
        } else {
          parse_status = p.status();
        }
      }
    }
    outcome.leaf_hash = doc ? doc->leaf_hash : crypto::LeafHash(AsBytes(pd.canonical));
    document_hashes.push_back(outcome.leaf_hash);
    if (doc == nullptr) {
      outcome.status = Recordable(parse_status);
      block.outcomes.push_back(std::move(outcome));
      continue;
    }
    auto checked = Check(view, *doc, pd.certificate_id, block.time_unix_ms);
    if (!checked.ok()) {
      // A failing disk is not a verdict on the document: stop rather than let
      // this node's state diverge from the others'.
      FRONTERA_CHECK(!checked.status().IsIOError() && !checked.status().IsCorruption())
          << "apply of log index " << log_index << ": " << checked.status().ToString();
      outcome.status = Recordable(checked.status());
      block.outcomes.push_back(std::move(outcome));
      continue;
    }
    CheckedDocument& c = *checked;
    const uint64_t leaf = merkle_->Append(doc->leaf_hash, batch);
    outcome.leaf_index = leaf;
    outcome.certificate_id = c.certificate_id;
    std::string stored(1, static_cast<char>(pd.kind));
    stored += pd.canonical;
    view.Put(Column::kState, DocKey(leaf), std::move(stored));
    view.Put(Column::kIndex, Key(kIdPrefix, c.document_id), Be64(leaf));
    const Json position = {
        {"leaf_index", leaf}, {"leaf_hash", Base64Encode(doc->leaf_hash)}, {"block", block.height}};
    if (pd.kind == DocumentKind::kNotice) {
      outcome.certificate_status = ApplyNotice(view, *doc, leaf, block);
      ++applying_.documents_accepted;
      block.outcomes.push_back(std::move(outcome));
      continue;
    }
    if (pd.kind == DocumentKind::kParty) {
      outcome.certificate_status = ApplyRegistryChange(view, *doc, leaf, block.height);
      ++applying_.documents_accepted;
      block.outcomes.push_back(std::move(outcome));
      continue;
    }
    Json record;
    if (pd.kind == DocumentKind::kCredential) {
      const Credential& cred = *doc->credential;
      record = {{"id", cred.id},
                {"type", cred.type == CredentialType::kProduct ? "product" : "precursor"},
                {"issuer", cred.issuer},
                {"status", "active"},
                {"held", false},
                {"held_by", ""},
                {"custodian", cred.issuer},
                {"in_transit_to", ""},
                {"item_epc", ItemEpc(cred)},
                {"item", cred.subject_id},
                {"ledger", position},
                {"events", Json::array()},
                {"revocation", nullptr}};
      if (cred.type == CredentialType::kProduct) {
        view.Put(Column::kIndex, Key(kGtinPrefix, cred.gtin + "/" + cred.serial), cred.id);
      } else {
        view.Put(Column::kIndex, Key(kSsccPrefix, cred.sscc), cred.id);
      }
      ++applying_.certificates;
    } else if (pd.kind == DocumentKind::kRevocation) {
      record = std::move(c.record);
      record["status"] = "revoked";
      record["revocation"] = position;
      RevocationEntry entry{c.certificate_id, record["item"].get<std::string>(), leaf,
                            doc->revocation->reason};
      view.Put(Column::kIndex, Key(kRevPrefix, c.certificate_id),
               Json{{"item", entry.item}, {"leaf_index", leaf}, {"reason", entry.reason}}.dump());
      revocations_[c.certificate_id] = std::move(entry);
      revocations_changed_ = true;
    } else {
      record = std::move(c.record);
      const Event& e = *doc->event;
      record["events"].push_back(position);
      // The event parsed, so its time reads; the index is part of the state
      // (and its root) like every other kIndex entry.
      Result<int64_t> event_time = gs1::ParseRfc3339Millis(e.event_time);
      FRONTERA_CHECK(event_time.ok()) << "event " << e.event_id << ": " << e.event_time;
      view.Put(Column::kIndex, EventTimeKey(*event_time, leaf), c.certificate_id);
      switch (e.kind) {
        case EventKind::kShipping:
          record["in_transit_to"] = e.destination_party;
          break;
        case EventKind::kReceiving:
          record["custodian"] = doc->signer;
          record["in_transit_to"] = "";
          break;
        case EventKind::kCustomsHold:
          record["held"] = true;
          record["held_by"] = doc->signer;
          break;
        case EventKind::kCustomsRelease:
          record["held"] = false;
          record["held_by"] = "";
          break;
        case EventKind::kLifecycle:
          RecordLifecycle(record, e.lifecycle_target, doc->signer, e.lifecycle_gln,
                          block.time_unix_ms, block.height, leaf);
          break;
        default:
          break;
      }
      if (!e.flags_set.empty() || !e.flags_unset.empty()) {
        // Absent while no flag is in force, so that records without flags
        // stay as they were.
        Json flagged = record.value("flagged", Json::object());
        for (const std::string& flag : e.flags_set) {
          flagged[flag] = {{"by", doc->signers},
                           {"reason", e.reason},
                           {"leaf_index", leaf},
                           {"block", block.height}};
        }
        for (const std::string& flag : e.flags_unset) flagged.erase(flag);
        if (flagged.empty()) {
          record.erase("flagged");
        } else {
          record["flagged"] = flagged;
        }
        RecordFlags(view, c.certificate_id, record, leaf);
      }
    }
    outcome.certificate_status = record["status"].get<std::string>();
    view.Put(Column::kState, Key(kCertPrefix, c.certificate_id), record.dump());
    ++applying_.documents_accepted;
    block.outcomes.push_back(std::move(outcome));
  }
  for (const DocumentOutcome& o : block.outcomes) {
    if (!o.status.ok()) ++applying_.documents_rejected;
  }
  block.documents_root = crypto::RootFromLeafHashes(document_hashes);
  block.tree_size = merkle_->tree_size();
  block.root = merkle_->root();
  // Every state write of the block is staged above: fold them into the
  // running hash (docs/ledger.md#state-root). A failing disk stops the node,
  // as for the reads of Check.
  Status folded = FoldStateWrites(*store_, batch, first_op, state_lthash_);
  FRONTERA_CHECK(folded.ok()) << "apply of log index " << log_index << ": " << folded.ToString();
  block.state_root = StateRoot(state_lthash_);

  auto block_text = crypto::Canonicalize(block.ToJson());
  FRONTERA_CHECK(block_text.ok()) << "block " << block.height << ": "
                                  << block_text.status().ToString();
  applying_.applied_index = log_index;
  applying_.block_height = block.height;
  applying_.block_hash = crypto::Sha256(*block_text);
  applying_.tree_size = block.tree_size;
  applying_.root = block.root;
  applying_.state_root = block.state_root;
  block_time_unix_ms_ = block.time_unix_ms;
  batch.Put(Column::kBlocks, Be64(block.height), *block_text);
  batch.Put(Column::kMeta, kMetaApplied, Be64(log_index));
  batch.Put(Column::kMeta, kMetaStateLtHashKey, state_lthash_.ToBytes());
  batch.Put(Column::kMeta, kMetaSummaryKey, EncodeSummary(applying_));
  return block;
}

void StateMachine::Publish() {
  MutexLock lock(mu_);
  published_ = applying_;
  if (revocations_changed_) {
    revocations_published_.clear();
    for (const auto& [id, e] : revocations_) revocations_published_.push_back(e);
    revocations_changed_ = false;
  }
  if (registry_changed_) {
    registry_published_ = registry_;
    registry_changed_ = false;
  }
  if (flags_changed_) {
    flags_published_ = flags_;
    flags_changed_ = false;
  }
  validator_changes_ = validator_changes_applying_;
}

void StateMachine::RecordFlags(StagedView& view, const std::string& certificate_id,
                               const Json& record, uint64_t leaf) {
  std::vector<FlagEntry> in_force;
  Json flags = Json::array();
  const Json flagged = record.value("flagged", Json::object());
  for (const auto& [flag, entry] : flagged.items()) {
    in_force.push_back({certificate_id, record["item"].get<std::string>(), flag,
                        entry["leaf_index"].get<uint64_t>(), entry["reason"].get<std::string>()});
    flags.push_back(
        {{"flag", flag}, {"leaf_index", entry["leaf_index"]}, {"reason", entry["reason"]}});
  }
  FlagHistory& history = flags_[certificate_id];
  history.emplace_back(leaf, std::move(in_force));
  flags_changed_ = true;
  Json stored = Json::array();
  for (const auto& [at, entries] : history) {
    Json list = Json::array();
    for (const FlagEntry& e : entries) {
      list.push_back({{"flag", e.flag}, {"leaf_index", e.leaf_index}, {"reason", e.reason}});
    }
    stored.push_back({{"leaf_index", at}, {"flags", std::move(list)}});
  }
  view.Put(Column::kIndex, Key(kFlagPrefix, certificate_id), stored.dump());
}

}  // namespace frontera::ledger
