#include "ledger/state_machine.h"

#include <algorithm>
#include <map>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"
#include "ledger/label.h"
#include "storage/keys.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

// Key layout: docs/ledger.md#state.
const std::string kMetaApplied = "ledger/applied_index";
const std::string kMetaCheckpoint = "ledger/checkpoint";
const std::string kMetaRevocationsNote = "ledger/revocations_note";
const std::string kMetaCheckpointTreeSize = "ledger/checkpoint_tree_size";
// kIndex: certificate id → {item, leaf_index, reason} of its revocation.
constexpr std::string_view kRevPrefix = "rev/";
constexpr std::string_view kCertPrefix = "c/";     // kState: certificate record (JSON)
constexpr std::string_view kDocPrefix = "d/";      // kState: leaf index → kind ‖ JCS text
constexpr std::string_view kIdPrefix = "id/";      // kIndex: document id → leaf index
constexpr std::string_view kGtinPrefix = "gtin/";  // kIndex: gtin/serial → certificate id
constexpr std::string_view kSsccPrefix = "sscc/";  // kIndex: sscc → certificate id

std::string Be64(uint64_t v) { return storage::EncodeUint64(v); }
std::string Key(std::string_view prefix, std::string_view rest) {
  std::string k(prefix);
  k += rest;
  return k;
}

std::string DocKey(uint64_t leaf_index) { return Key(kDocPrefix, Be64(leaf_index)); }

// The date (YYYY-MM-DD, UTC) of a time, for comparisons with expiry dates.
std::string DateOf(int64_t unix_ms) { return FormatRfc3339(unix_ms).substr(0, 10); }

bool UnderPrefix(std::string_view key_digits, const std::vector<std::string>& prefixes) {
  // GTIN-14 and SSCC-18 both start with one indicator / extension digit, then
  // the GS1 company prefix.
  if (key_digits.size() < 2) return false;
  std::string_view after_first = key_digits.substr(1);
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return after_first.substr(0, p.size()) == p; });
}

std::string JoinPrefixes(const std::vector<std::string>& prefixes) {
  std::string out;
  for (const std::string& p : prefixes) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "(none)" : out;
}

bool IsMovement(EventKind kind) {
  return kind == EventKind::kShipping || kind == EventKind::kDeparting ||
         kind == EventKind::kArriving || kind == EventKind::kReceiving;
}

bool IsCustomsAct(EventKind kind) {
  return kind == EventKind::kCustomsHold || kind == EventKind::kCustomsRelease ||
         kind == EventKind::kJointInspection;
}

// The latest block time Apply accepts from a proposal: 9999-12-31T23:59:59.999Z,
// the end of RFC 3339's four-digit years (FormatRfc3339 and the date rules).
constexpr int64_t kBlockTimeMax = 253402300799999;

// Characters are code points of well-formed UTF-8: count the bytes that do
// not continue a sequence.
size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// The certificate id named with an event or revocation (the request path, or
// the proposal) goes into keys, records and the block as it is: it must be
// text that JSON can carry, and bounded like every identifier.
Status CheckCertificateId(std::string_view id) {
  if (!crypto::IsWellFormedUtf8(id)) {
    return Status::InvalidArgument("the certificate id is not valid UTF-8");
  }
  if (CodePoints(id) > kIdentifierCharsMax) {
    return Status::InvalidArgument("the certificate id is longer than " +
                                   std::to_string(kIdentifierCharsMax) + " characters");
  }
  return Status::Ok();
}

// What a committed proposal says about a document besides its text: refused
// before anything reads it, since a hostile leader chose it.
Status CheckProposedDocument(const ProposedDocument& d) {
  if (d.kind != DocumentKind::kCredential && d.kind != DocumentKind::kEvent &&
      d.kind != DocumentKind::kRevocation) {
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

Status StateMachineOptions::Validate() const {
  if (events_per_certificate_max < 1 || events_per_certificate_max > 100000) {
    return Status::InvalidArgument("ledger.events_per_certificate_max must be in [1, 100000]");
  }
  if (signature_cache_entries > 10000000) {
    return Status::InvalidArgument("ledger.signature_cache_entries must be at most 10000000");
  }
  return Status::Ok();
}

// Read access to ledger state; Get returns nullopt for a missing key.
class StateMachine::View {
 public:
  virtual ~View() = default;
  virtual Result<std::optional<std::string>> Get(Column column, const std::string& key) const = 0;
};

// The state as written to the store.
class StateMachine::StoreView final : public View {
 public:
  explicit StoreView(const storage::KvStore* store) : store_(store) {}
  Result<std::optional<std::string>> Get(Column column, const std::string& key) const override {
    return store_->Get(column, key);
  }

 private:
  const storage::KvStore* store_;
};

// The store plus the writes staged by the block being applied, so that a
// document sees the effects of the documents before it in the same block.
class StateMachine::StagedView final : public View {
 public:
  StagedView(const storage::KvStore* store, storage::WriteBatch& batch)
      : store_(store), batch_(batch) {}
  Result<std::optional<std::string>> Get(Column column, const std::string& key) const override {
    auto it = overlay_.find({column, key});
    if (it != overlay_.end()) return std::optional<std::string>(it->second);
    return store_->Get(column, key);
  }
  void Put(Column column, const std::string& key, std::string value) {
    batch_.Put(column, key, value);
    overlay_[{column, key}] = std::move(value);
  }

 private:
  const storage::KvStore* store_;
  storage::WriteBatch& batch_;
  std::map<std::pair<Column, std::string>, std::string> overlay_;
};

Status StateMachine::LoadRecord(const View& view, const std::string& id, Json& record) const {
  FRONTERA_ASSIGN_OR_RETURN(auto text, view.Get(Column::kState, Key(kCertPrefix, id)));
  if (!text) return Status::NotFound("no certificate " + id);
  record = Json::parse(*text);
  return Status::Ok();
}

struct StateMachine::CheckedDocument {
  const ParsedDocument* parsed = nullptr;
  std::string certificate_id;
  std::string document_id;
  Json record;  // the certificate record before this document (events, revocations)
};

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
  MutexLock lock(mu_);
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

uint64_t StateMachine::applied_index() const {
  MutexLock lock(mu_);
  return published_.applied_index;
}

Result<ParsedDocument> StateMachine::ParseAndVerify(DocumentKind kind, const Json& document,
                                                    const std::string& canonical) const {
  ParsedDocument out;
  out.kind = kind;
  out.leaf_hash = crypto::LeafHash(AsBytes(canonical));
  // Shape and document-only rules first: they are cheap and say most.
  switch (kind) {
    case DocumentKind::kCredential: {
      FRONTERA_ASSIGN_OR_RETURN(out.credential, ParseCredential(document));
      break;
    }
    case DocumentKind::kEvent: {
      FRONTERA_ASSIGN_OR_RETURN(out.event, ParseEvent(document));
      break;
    }
    case DocumentKind::kRevocation: {
      FRONTERA_ASSIGN_OR_RETURN(out.revocation, ParseRevocation(document));
      break;
    }
  }
  // The signature, unless this node already verified these very bytes.
  if (auto cached = signature_cache_.Find(out.leaf_hash)) {
    out.signer = cached->controller;
    return out;
  }
  auto verified = crypto::VerifyProof(document);
  if (!verified.ok()) {
    return Status::FailedPrecondition("proof does not verify: " + verified.status().message(),
                                      verified.status().field_errors());
  }
  out.signer = verified->controller;
  signature_cache_.Insert(out.leaf_hash, *verified);
  return out;
}

Result<StateMachine::CheckedDocument> StateMachine::Check(const View& view,
                                                          const ParsedDocument& parsed,
                                                          const std::string& certificate_id,
                                                          int64_t time_unix_ms) const {
  CheckedDocument out;
  out.parsed = &parsed;
  const DocumentKind kind = parsed.kind;
  switch (kind) {
    case DocumentKind::kCredential:
      out.certificate_id = parsed.credential->id;
      out.document_id = parsed.credential->id;
      break;
    case DocumentKind::kEvent:
      out.certificate_id = certificate_id;
      out.document_id = parsed.event->event_id;
      FRONTERA_RETURN_IF_ERROR(LoadRecord(view, certificate_id, out.record));
      if (parsed.event->certificate_id != certificate_id) {
        return Status::FailedPrecondition(
            "event is about another certificate",
            {{"/certificationInfo",
              "must be " + certificate_id + ", the certificate in the path"}});
      }
      break;
    case DocumentKind::kRevocation:
      out.certificate_id = certificate_id;
      out.document_id = parsed.revocation->id;
      FRONTERA_RETURN_IF_ERROR(LoadRecord(view, certificate_id, out.record));
      if (parsed.revocation->credential_id != certificate_id) {
        return Status::FailedPrecondition(
            "revocation is about another certificate",
            {{"/credential", "must be " + certificate_id + ", the certificate in the path"}});
      }
      break;
  }
  const std::string& signer_did = parsed.signer;

  const Party* signer = genesis_.FindParty(signer_did);
  if (signer == nullptr) {
    return Status::PermissionDenied("signer " + signer_did + " is not a registered party",
                                    {{"/proof/verificationMethod", "not a registered party"}});
  }
  if (signer->suspended) {
    return Status::PermissionDenied("signer " + signer_did + " is suspended",
                                    {{"/proof/verificationMethod", "party is suspended"}});
  }

  // Duplicate document ids (credential id, eventID, revocation id).
  FRONTERA_ASSIGN_OR_RETURN(auto existing_id,
                            view.Get(Column::kIndex, Key(kIdPrefix, out.document_id)));
  if (existing_id) {
    const char* pointer = kind == DocumentKind::kEvent ? "/eventID" : "/id";
    return Status::AlreadyExists("a document with id " + out.document_id + " is on the ledger",
                                 {{pointer, "already used"}});
  }

  if (kind == DocumentKind::kCredential) {
    const Credential& c = *parsed.credential;
    if (c.issuer != signer_did) {
      return Status::FailedPrecondition(
          "the credential is not signed by its issuer",
          {{"/proof/verificationMethod", "must be a key of the issuer " + c.issuer}});
    }
    if (signer->role != Role::kManufacturer && signer->role != Role::kShipper) {
      return Status::PermissionDenied(
          "only a registered manufacturer or shipper issues certificates; " + c.issuer + " is a " +
              std::string(RoleName(signer->role)),
          {{"/issuer", "not a manufacturer or shipper"}});
    }
    if (!c.valid_until.empty()) {
      auto until = gs1::ParseRfc3339Millis(c.valid_until);
      if (until.ok() && *until < time_unix_ms) {
        return Status::FailedPrecondition("the credential has expired",
                                          {{"/validUntil", "is in the past"}});
      }
    }
    if (c.type == CredentialType::kProduct) {
      if (!UnderPrefix(c.gtin, signer->prefixes)) {
        return Status::PermissionDenied(
            "GTIN " + c.gtin + " is not under the issuer's GS1 company prefixes",
            {{"/credentialSubject/gtin", "must be under " + JoinPrefixes(signer->prefixes)}});
      }
      if (c.expiry < DateOf(time_unix_ms)) {
        return Status::FailedPrecondition("the product has expired",
                                          {{"/credentialSubject/expiry", "is in the past"}});
      }
      FRONTERA_ASSIGN_OR_RETURN(
          auto dup, view.Get(Column::kIndex, Key(kGtinPrefix, c.gtin + "/" + c.serial)));
      if (dup) {
        return Status::AlreadyExists(
            "GTIN " + c.gtin + " serial " + c.serial + " already has certificate " + *dup,
            {{"/credentialSubject/serial", "already certified"}});
      }
    } else {
      if (!UnderPrefix(c.sscc, signer->prefixes)) {
        return Status::PermissionDenied(
            "SSCC " + c.sscc + " is not under the issuer's GS1 company prefixes",
            {{"/credentialSubject/sscc", "must be under " + JoinPrefixes(signer->prefixes)}});
      }
      if (genesis_.FindParty(c.exporter.did) == nullptr) {
        return Status::PermissionDenied("exporter " + c.exporter.did + " is not a registered party",
                                        {{"/credentialSubject/exporter/id", "not registered"}});
      }
      FRONTERA_ASSIGN_OR_RETURN(auto dup, view.Get(Column::kIndex, Key(kSsccPrefix, c.sscc)));
      if (dup) {
        return Status::AlreadyExists("SSCC " + c.sscc + " already has certificate " + *dup,
                                     {{"/credentialSubject/sscc", "already certified"}});
      }
    }
    if (c.label) {
      FRONTERA_ASSIGN_OR_RETURN(Label label, ParseLabel(*c.label));
      Status s = VerifyLabel(label, signer->public_key);
      if (!s.ok()) {
        return Status::FailedPrecondition("label signature: " + s.message(),
                                          {{"/credentialSubject/label", s.message()}});
      }
    }
    return out;
  }

  // Events and revocations act on an existing certificate (loaded above).
  const Json& r = out.record;
  const bool revoked = r["status"] == "revoked";
  const bool held = r["held"].get<bool>();

  if (kind == DocumentKind::kRevocation) {
    const Revocation& rev = *parsed.revocation;
    if (rev.issuer != signer_did) {
      return Status::FailedPrecondition(
          "the revocation is not signed by its issuer",
          {{"/proof/verificationMethod", "must be a key of " + rev.issuer}});
    }
    if (r["issuer"] != signer_did && signer->role != Role::kAgency) {
      return Status::PermissionDenied("only the certificate's issuer or an agency may revoke it",
                                      {{"/issuer", "not the issuer or an agency"}});
    }
    if (revoked) {
      return Status::AlreadyExists("certificate " + certificate_id + " is already revoked",
                                   {{"/credential", "already revoked"}});
    }
    return out;
  }

  const Event& e = *parsed.event;
  const std::string item_epc = r["item_epc"].get<std::string>();
  if (std::find(e.epc_list.begin(), e.epc_list.end(), item_epc) == e.epc_list.end()) {
    return Status::FailedPrecondition("the event does not name the certified item",
                                      {{"/epcList", "must contain " + item_epc}});
  }
  if (r["events"].size() >= options_.events_per_certificate_max) {
    return Status::ResourceExhausted("certificate has reached the limit of " +
                                     std::to_string(options_.events_per_certificate_max) +
                                     " events");
  }
  const bool agency = signer->role == Role::kAgency;
  const std::string custodian = r["custodian"].get<std::string>();
  const std::string in_transit_to = r["in_transit_to"].get<std::string>();
  const std::string holder = in_transit_to.empty() ? custodian : in_transit_to;

  if (IsCustomsAct(e.kind)) {
    if (!agency) {
      return Status::PermissionDenied("only a customs agency records " + e.biz_step,
                                      {{"/proof/verificationMethod", "not an agency"}});
    }
    if (e.kind == EventKind::kCustomsHold && held) {
      return Status::FailedPrecondition("the item is already under customs hold",
                                        {{"/bizStep", "already held"}});
    }
    if (e.kind == EventKind::kCustomsRelease && !held) {
      return Status::FailedPrecondition("the item is not under customs hold",
                                        {{"/bizStep", "nothing to release"}});
    }
    return out;
  }
  if (e.kind == EventKind::kInspecting) {
    if (!agency && signer_did != holder) {
      return Status::PermissionDenied(
          "only an agency or the party holding the item inspects it",
          {{"/proof/verificationMethod", "not an agency or the holder"}});
    }
    return out;
  }
  FRONTERA_CHECK(IsMovement(e.kind));
  if (revoked) {
    return Status::FailedPrecondition(
        "certificate " + certificate_id + " is revoked: it cannot move",
        {{"/bizStep", "the certificate is revoked"}});
  }
  if (held) {
    return Status::FailedPrecondition(
        "the item is under customs hold: it cannot move until released",
        {{"/bizStep", "under customs hold"}});
  }
  switch (e.kind) {
    case EventKind::kShipping: {
      if (signer_did != holder) {
        return Status::PermissionDenied("only the party holding the item (" + holder + ") ships it",
                                        {{"/proof/verificationMethod", "not the custodian"}});
      }
      if (!e.source_party.empty() && e.source_party != signer_did) {
        return Status::FailedPrecondition("the shipping source must be the signer",
                                          {{"/sourceList", "must name " + signer_did}});
      }
      const Party* next = genesis_.FindParty(e.destination_party);
      if (next == nullptr || next->suspended) {
        return Status::FailedPrecondition(
            "the next custodian must be a registered party",
            {{"/destinationList", e.destination_party + " is not registered"}});
      }
      if (e.destination_party == signer_did) {
        return Status::FailedPrecondition("shipping must name another custodian",
                                          {{"/destinationList", "names the signer"}});
      }
      break;
    }
    case EventKind::kDeparting:
    case EventKind::kArriving:
      if (signer_did != holder) {
        return Status::PermissionDenied(
            "only the party holding the item (" + holder + ") records " + e.biz_step,
            {{"/proof/verificationMethod", "not the custodian"}});
      }
      break;
    case EventKind::kReceiving:
      if (in_transit_to.empty() || signer_did != in_transit_to) {
        return Status::PermissionDenied(
            "only the party the item was shipped to receives it" +
                (in_transit_to.empty() ? std::string(" (it is not in transit)")
                                       : " (" + in_transit_to + ")"),
            {{"/proof/verificationMethod", "not the named next custodian"}});
      }
      break;
    default:
      FRONTERA_CHECK(false) << "unhandled movement";
  }
  return out;
}

Result<AdmittedDocument> StateMachine::Admit(DocumentKind kind, const std::string& certificate_id,
                                             const Json& document, int64_t now_unix_ms) const {
  FRONTERA_RETURN_IF_ERROR(CheckCertificateId(certificate_id));
  FRONTERA_ASSIGN_OR_RETURN(std::string canonical, crypto::Canonicalize(document));
  FRONTERA_ASSIGN_OR_RETURN(ParsedDocument parsed, ParseAndVerify(kind, document, canonical));
  auto shared = std::make_shared<const ParsedDocument>(std::move(parsed));
  StoreView view(store_);
  FRONTERA_ASSIGN_OR_RETURN(CheckedDocument checked,
                            Check(view, *shared, certificate_id, now_unix_ms));
  AdmittedDocument out;
  out.proposed.kind = kind;
  out.proposed.certificate_id = checked.certificate_id;
  out.proposed.canonical = std::move(canonical);
  out.parsed = std::move(shared);
  return out;
}

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
    Json record;
    if (pd.kind == DocumentKind::kCredential) {
      const Credential& cred = *doc->credential;
      record = {{"id", cred.id},
                {"type", cred.type == CredentialType::kProduct ? "product" : "precursor"},
                {"issuer", cred.issuer},
                {"status", "active"},
                {"held", false},
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
          break;
        case EventKind::kCustomsRelease:
          record["held"] = false;
          break;
        default:
          break;
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
  // Bytewise: std::string compares as unsigned char.
  std::sort(lines.begin(), lines.end());
  crypto::Sha256Hasher hasher;
  for (const std::string& line : lines) hasher.Update(line);
  const crypto::Hash digest = hasher.Finish();
  return genesis_.network + " revocations/2\n" + std::to_string(applying_.tree_size) + "\n" +
         std::to_string(lines.size()) + "\n" + Base64Encode(digest) + "\n";
}

StateMachine::Revocations StateMachine::LatestRevocations() const {
  MutexLock lock(mu_);
  // A revocation is a leaf: the list at the checkpoint's tree size is the
  // entries whose revocation leaf precedes it (revocations are never undone).
  Revocations out{revocations_note_, {}};
  for (const RevocationEntry& e : revocations_published_) {
    if (e.leaf_index < checkpoint_tree_size_) out.entries.push_back(e);
  }
  return out;
}

Result<std::string> StateMachine::FindProduct(const std::string& gtin,
                                              const std::string& serial) const {
  FRONTERA_ASSIGN_OR_RETURN(auto id,
                            store_->Get(Column::kIndex, Key(kGtinPrefix, gtin + "/" + serial)));
  if (!id) return Status::NotFound("no certificate for GTIN " + gtin + " serial " + serial);
  return *id;
}

Result<std::string> StateMachine::FindConsignment(const std::string& sscc) const {
  FRONTERA_ASSIGN_OR_RETURN(auto id, store_->Get(Column::kIndex, Key(kSsccPrefix, sscc)));
  if (!id) return Status::NotFound("no certificate for SSCC " + sscc);
  return *id;
}

void StateMachine::Publish() {
  MutexLock lock(mu_);
  published_ = applying_;
  if (revocations_changed_) {
    revocations_published_.clear();
    for (const auto& [id, e] : revocations_) revocations_published_.push_back(e);
    revocations_changed_ = false;
  }
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

LedgerSummary StateMachine::Summary() const {
  MutexLock lock(mu_);
  return published_;
}

Result<LedgerRoots> StateMachine::Roots() const {
  MutexLock lock(mu_);
  return LedgerRoots{published_.block_height, published_.block_hash, published_.tree_size,
                     published_.root, published_.state_root};
}

Result<Json> StateMachine::CertificateView(const std::string& id) const {
  FRONTERA_ASSIGN_OR_RETURN(auto record_text, store_->Get(Column::kState, Key(kCertPrefix, id)));
  if (!record_text) return Status::NotFound("no certificate " + id);
  Json record = Json::parse(*record_text);
  auto load = [&](const Json& position) -> Result<Json> {
    const uint64_t leaf = position["leaf_index"].get<uint64_t>();
    FRONTERA_ASSIGN_OR_RETURN(auto stored, store_->Get(Column::kState, DocKey(leaf)));
    if (!stored || stored->empty()) {
      return Status::Corruption("document of leaf " + std::to_string(leaf) + " is missing");
    }
    auto doc = crypto::ParseJson(std::string_view(*stored).substr(1));
    if (!doc.ok()) return Status::Corruption("stored document does not parse");
    return std::move(doc).value();
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
  const std::string in_transit = record["in_transit_to"].get<std::string>();
  return Json{{"id", id},
              {"type", record["type"]},
              {"credential", std::move(credential)},
              {"status", record["status"]},
              {"flags", std::move(flags)},
              {"custody",
               {{"custodian", record["custodian"]},
                {"in_transit_to", in_transit.empty() ? Json(nullptr) : Json(in_transit)}}},
              {"events", std::move(events)},
              {"revocation", std::move(revocation)},
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

Result<Json> StateMachine::PartyJson(const std::string& did) const {
  const Party* party = genesis_.FindParty(did);
  if (party == nullptr) return Status::NotFound("no party " + did);
  Json out = party->ToJson();
  out["registered_by"] = "genesis";
  return out;
}

}  // namespace frontera::ledger
