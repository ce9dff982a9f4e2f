// StateMachine's admission checks: a document parsed and its proof verified
// (ParseAndVerify), judged against the ledger's rules and the state it would
// change (Check: who may sign what, duplicates, custody, holds, revocation),
// and Admit, which runs both for a submitted document. Apply runs the same
// Check on every document of a committed block (docs/ledger.md#rules).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "crypto/data_integrity.h"
#include "crypto/jcs.h"
#include "crypto/merkle.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"
#include "ledger/label.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

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

// Characters are code points of well-formed UTF-8: count the bytes that do
// not continue a sequence.
size_t CodePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// The roles that may import or receive a precursor consignment: those that
// trade in or use chemicals; not a carrier (it moves goods it does not own),
// a pharmacy or an agency.
bool ReceivesPrecursors(Role role) {
  return role == Role::kImporter || role == Role::kDistributor || role == Role::kManufacturer ||
         role == Role::kShipper;
}

// A party as a document names it: its registered name, and its registered
// GLN and country when the document gives them (empty: not given).
Status CheckRegisteredName(const Party& party, const std::string& name, const std::string& gln,
                           const std::string& country, const std::string& pointer) {
  if (name != party.name) {
    return Status::FailedPrecondition(
        "the name of " + party.did + " is not its registered name",
        {{pointer + "/name", "must be \"" + party.name + "\", as registered"}});
  }
  if (!gln.empty() && gln != party.gln) {
    return Status::FailedPrecondition(
        "the GLN of " + party.did + " is not its registered GLN",
        {{pointer + "/gln", party.gln.empty() ? std::string("the party has no registered GLN")
                                              : "must be " + party.gln + ", as registered"}});
  }
  if (!country.empty() && country != party.country) {
    return Status::FailedPrecondition(
        "the country of " + party.did + " is not its registered country",
        {{pointer + "/country", "must be " + party.country + ", as registered"}});
  }
  return Status::Ok();
}

// A party that signs, or that a document names, is in good standing: not
// suspended, and not a key its party replaced.
Status InGoodStanding(const PartyRecord& r, const std::string& who, const std::string& pointer) {
  if (r.status == PartyStatus::kSuspended) {
    return Status::PermissionDenied(who + " " + r.party.did + " is suspended",
                                    {{pointer, "party is suspended"}});
  }
  if (r.status == PartyStatus::kRetired) {
    return Status::PermissionDenied(
        who + " " + r.party.did + " is a key its party replaced with " + r.successor,
        {{pointer, "key replaced by " + r.successor}});
  }
  return Status::Ok();
}

// The pointer of signer `i` of a document signed by `count` proofs.
std::string SignerPointer(size_t i, size_t count) {
  return count > 1 ? "/proof/" + std::to_string(i) + "/verificationMethod"
                   : "/proof/verificationMethod";
}

}  // namespace

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

Status StateMachine::LoadRecord(const View& view, const std::string& id, Json& record) const {
  FRONTERA_ASSIGN_OR_RETURN(auto text, view.Get(Column::kState, Key(kCertPrefix, id)));
  if (!text) return Status::NotFound("no certificate " + id);
  record = Json::parse(*text);
  return Status::Ok();
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
    case DocumentKind::kParty: {
      FRONTERA_ASSIGN_OR_RETURN(out.registry, ParseRegistryDocument(document));
      break;
    }
    case DocumentKind::kNotice: {
      FRONTERA_ASSIGN_OR_RETURN(out.notice, ParseNotice(document));
      break;
    }
  }
  // A proof set (a revocation by a majority of the agencies): every proof
  // verified, each signer once. Rare: not cached.
  if (const auto proof = document.find("proof"); proof != document.end() && proof->is_array()) {
    auto verified = crypto::VerifyProofs(document);
    if (!verified.ok()) {
      return Status::FailedPrecondition("proof does not verify: " + verified.status().message(),
                                        verified.status().field_errors());
    }
    for (size_t i = 0; i < verified->size(); ++i) {
      const std::string& did = (*verified)[i].controller;
      if (std::find(out.signers.begin(), out.signers.end(), did) != out.signers.end()) {
        const std::string pointer = "/proof/" + std::to_string(i) + "/verificationMethod";
        return Status::FailedPrecondition("proof set: " + did + " signed twice",
                                          {{pointer, "a second proof by the same party"}});
      }
      out.signers.push_back(did);
    }
    out.signer = out.signers.front();
    return out;
  }
  // The signature, unless this node already verified these very bytes.
  if (auto cached = signature_cache_.Find(out.leaf_hash)) {
    out.signer = cached->controller;
    out.signers = {out.signer};
    return out;
  }
  auto verified = crypto::VerifyProof(document);
  if (!verified.ok()) {
    return Status::FailedPrecondition("proof does not verify: " + verified.status().message(),
                                      verified.status().field_errors());
  }
  out.signer = verified->controller;
  out.signers = {out.signer};
  signature_cache_.Insert(out.leaf_hash, *verified);
  return out;
}

Status StateMachine::CheckNamedParties(const View& view, const Credential& c,
                                       const Party& issuer) const {
  if (c.type == CredentialType::kProduct) {
    // The manufacturer vouches for the product: it is the issuer, as
    // registered.
    const std::string mptr = "/credentialSubject/manufacturer";
    if (issuer.role != Role::kManufacturer) {
      return Status::PermissionDenied(
          "only a registered manufacturer issues product certificates; " + c.issuer + " is a " +
              std::string(RoleName(issuer.role)),
          {{"/issuer", "not a manufacturer"}});
    }
    if (c.manufacturer_did != issuer.did) {
      return Status::PermissionDenied("the product's manufacturer must be its issuer",
                                      {{mptr + "/id", "must be the issuer " + issuer.did}});
    }
    return CheckRegisteredName(issuer, c.manufacturer_name, c.manufacturer_gln, "", mptr);
  }
  // A precursor consignment: the exporter signs it; the importer and the
  // consignee are registered parties that may take delivery of chemicals.
  const std::string eptr = "/credentialSubject/exporter";
  if (c.exporter.did != issuer.did) {
    return Status::PermissionDenied("the consignment's exporter must be its issuer",
                                    {{eptr + "/id", "must be the issuer " + issuer.did}});
  }
  FRONTERA_RETURN_IF_ERROR(
      CheckRegisteredName(issuer, c.exporter.name, "", c.exporter.country, eptr));
  std::optional<PartyRecord> importer;
  for (const auto& [ref, member] :
       {std::pair{&c.importer, "importer"}, std::pair{&c.consignee, "consignee"}}) {
    const std::string ptr = std::string("/credentialSubject/") + member;
    FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> record, FindParty(view, ref->did));
    if (!record) {
      return Status::PermissionDenied(
          std::string("the ") + member + " " + ref->did + " is not a registered party",
          {{ptr + "/id", "not a registered party"}});
    }
    FRONTERA_RETURN_IF_ERROR(InGoodStanding(*record, std::string("the ") + member, ptr + "/id"));
    const Party* party = &record->party;
    if (!ReceivesPrecursors(party->role)) {
      return Status::PermissionDenied(std::string("the ") + member +
                                          " of a precursor consignment must be a registered "
                                          "importer, distributor, manufacturer or shipper; " +
                                          ref->did + " is a " + std::string(RoleName(party->role)),
                                      {{ptr + "/id", "a " + std::string(RoleName(party->role)) +
                                                         " does not take delivery "
                                                         "of precursors"}});
    }
    FRONTERA_RETURN_IF_ERROR(CheckRegisteredName(*party, ref->name, "", ref->country, ptr));
    if (ref == &c.importer) importer = std::move(record);
  }
  // The exporter and the importer trade in the substance: each holds a
  // licence for it valid on the dispatch date.
  for (const auto& [party, member] :
       {std::pair{&issuer, "exporter"},
        std::pair{static_cast<const Party*>(&importer->party), "importer"}}) {
    const bool licensed =
        std::any_of(party->licences.begin(), party->licences.end(),
                    [&](const Licence& l) { return l.Covers(c.cas_rn, c.dispatch_date); });
    if (!licensed) {
      return Status::PermissionDenied(
          std::string("the ") + member + " " + party->did + " holds no licence for substance " +
              c.cas_rn + " valid on the dispatch date " + c.dispatch_date,
          {{std::string("/credentialSubject/") + member + "/id",
            "no licence for " + c.cas_rn + " valid on " + c.dispatch_date}});
    }
  }
  return Status::Ok();
}

Status StateMachine::CheckAgencyMajority(const View& view, const std::vector<std::string>& signers,
                                         const std::string& rule) const {
  FRONTERA_ASSIGN_OR_RETURN(std::vector<std::string> agencies, Agencies(view));
  const size_t majority = agencies.size() / 2 + 1;
  const std::string who = rule + ", or a majority of the agencies (" + std::to_string(majority) +
                          " of " + std::to_string(agencies.size()) + "), one proof each; ";
  for (size_t i = 0; i < signers.size(); ++i) {
    if (!std::binary_search(agencies.begin(), agencies.end(), signers[i])) {
      return Status::PermissionDenied(
          who + signers[i] + " is not an agency in good standing",
          {{SignerPointer(i, signers.size()), "not an agency in good standing"}});
    }
  }
  if (signers.size() < majority) {
    return Status::PermissionDenied(
        who + "signed by " + std::to_string(signers.size()),
        {{"/proof", "add the proofs of " + std::to_string(majority - signers.size()) +
                        " more agenc" + (majority - signers.size() == 1 ? "y" : "ies")}});
  }
  return Status::Ok();
}

Status StateMachine::CheckFlags(const View& view, const ParsedDocument& parsed, const Party& signer,
                                const Json& flagged) const {
  const Event& e = *parsed.event;
  const bool by_majority = parsed.signers.size() > 1;
  if (by_majority) {
    FRONTERA_RETURN_IF_ERROR(
        CheckAgencyMajority(view, parsed.signers, "only the agency that raised a flag clears it"));
  } else if (signer.role != Role::kAgency) {
    return Status::PermissionDenied(
        "only an agency flags an item suspect, illegitimate or recalled, or clears a flag; " +
            signer.did + " is a " + std::string(RoleName(signer.role)),
        {{"/proof/verificationMethod", "not an agency"}});
  }
  for (size_t i = 0; i < e.flags_set.size(); ++i) {
    const std::string& flag = e.flags_set[i];
    if (flagged.contains(flag)) {
      return Status::AlreadyExists(
          "the item is already flagged " + flag + " (by " +
              flagged[flag]["by"][0].get<std::string>() + ")",
          {{"/persistentDisposition/set/" + std::to_string(i), "already flagged"}});
    }
  }
  for (size_t i = 0; i < e.flags_unset.size(); ++i) {
    const std::string& flag = e.flags_unset[i];
    const std::string pointer = "/persistentDisposition/unset/" + std::to_string(i);
    if (!flagged.contains(flag)) {
      return Status::FailedPrecondition("the item is not flagged " + flag,
                                        {{pointer, "not flagged"}});
    }
    const std::string raised_by = flagged[flag]["by"][0].get<std::string>();
    FRONTERA_ASSIGN_OR_RETURN(bool raised_it, SameParty(view, raised_by, parsed.signer));
    if (!by_majority && !raised_it) {
      return Status::PermissionDenied(
          "only the agency that flagged the item " + flag + " (" + raised_by +
              ") clears the flag, or a majority of the agencies",
          {{"/proof/verificationMethod", "not the agency that raised the flag"}});
    }
  }
  return Status::Ok();
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
    case DocumentKind::kParty: {
      // A registry document is about the party it names (the new key, for a
      // key change): its receipt names that DID.
      const RegistryChange& g = *parsed.registry;
      out.certificate_id = g.about_validator()                      ? g.validator.did
                           : g.action == RegistryAction::kRotateKey ? g.new_did
                                                                    : g.party_did;
      // Admission names it so in the proposal (as a credential's own id).
      if (!certificate_id.empty() && certificate_id != out.certificate_id) {
        return Status::InvalidArgument("the proposal names " + certificate_id +
                                       " for a registry document about " + out.certificate_id);
      }
      out.document_id = g.id;
      break;
    }
    case DocumentKind::kNotice: {
      // A notice is about its initial notice: follow-ups and the termination
      // appear there (GET /v1/notices/{id}).
      const Notice& n = *parsed.notice;
      out.certificate_id = n.type == NoticeType::kInitial ? n.id : n.initial_notice;
      if (!certificate_id.empty() && certificate_id != out.certificate_id) {
        return Status::InvalidArgument("the proposal names " + certificate_id +
                                       " for a notice about " + out.certificate_id);
      }
      out.document_id = n.id;
      break;
    }
  }
  const std::string& signer_did = parsed.signer;

  FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> signer_record, FindParty(view, signer_did));
  if (!signer_record) {
    return Status::PermissionDenied(
        "signer " + signer_did + " is not a registered party",
        {{SignerPointer(0, parsed.signers.size()), "not a registered party"}});
  }
  FRONTERA_RETURN_IF_ERROR(
      InGoodStanding(*signer_record, "signer", SignerPointer(0, parsed.signers.size())));
  const Party* signer = &signer_record->party;

  // Duplicate document ids (credential id, eventID, revocation id).
  FRONTERA_ASSIGN_OR_RETURN(auto existing_id,
                            view.Get(Column::kIndex, Key(kIdPrefix, out.document_id)));
  if (existing_id) {
    const char* pointer = kind == DocumentKind::kEvent ? "/eventID" : "/id";
    return Status::AlreadyExists("a document with id " + out.document_id + " is on the ledger",
                                 {{pointer, "already used"}});
  }
  if (kind == DocumentKind::kParty) {
    FRONTERA_RETURN_IF_ERROR(CheckRegistryChange(view, parsed, *signer_record));
    return out;
  }
  if (kind == DocumentKind::kNotice) {
    FRONTERA_RETURN_IF_ERROR(CheckNotice(view, parsed, *signer_record, time_unix_ms));
    return out;
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
    FRONTERA_RETURN_IF_ERROR(CheckNamedParties(view, c, *signer));
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
      FRONTERA_ASSIGN_OR_RETURN(auto dup, view.Get(Column::kIndex, Key(kSsccPrefix, c.sscc)));
      if (dup) {
        return Status::AlreadyExists("SSCC " + c.sscc + " already has certificate " + *dup,
                                     {{"/credentialSubject/sscc", "already certified"}});
      }
    }
    if (c.label) {
      FRONTERA_ASSIGN_OR_RETURN(Label label, ParseLabel(*c.label));
      // The label's signature covers its path, not its host: a label is
      // bound to the network by naming the genesis's resolver.
      if (label.resolver != genesis_.resolver) {
        return Status::FailedPrecondition(
            "the label names resolver " + label.resolver + ", not the network's resolver " +
                genesis_.resolver,
            {{"/credentialSubject/label", "must be on https://" + genesis_.resolver + "/"}});
      }
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
          {{parsed.signers.size() > 1 ? "/proof/0/verificationMethod" : "/proof/verificationMethod",
            "must be a key of " + rev.issuer}});
    }
    // The issuer revokes its own certificate; otherwise a majority of the
    // agencies, one proof each (a certificate whose issuer cannot or will not
    // revoke it). One agency alone holds or inspects, but cannot end a
    // certificate for good.
    FRONTERA_ASSIGN_OR_RETURN(bool by_issuer,
                              SameParty(view, r["issuer"].get<std::string>(), signer_did));
    if (parsed.signers.size() > 1 || !by_issuer) {
      FRONTERA_RETURN_IF_ERROR(
          CheckAgencyMajority(view, parsed.signers, "only the certificate's issuer revokes it"));
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
  // DSCSA flags (suspect, illegitimate, recalled): raised and cleared by
  // agencies on inspecting events.
  const Json flagged = r.value("flagged", Json::object());
  if (!e.flags_set.empty() || !e.flags_unset.empty()) {
    FRONTERA_RETURN_IF_ERROR(CheckFlags(view, parsed, *signer, flagged));
    return out;
  }
  if (parsed.signers.size() > 1) {
    return Status::FailedPrecondition(
        "an event has one signer; a proof set is for a majority of the agencies clearing a flag",
        {{"/proof", "one proof"}});
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
    // An agency releases only the holds it placed (a record written before
    // holds named their agency has none: any agency releases it).
    const std::string held_by = r.value("held_by", "");
    bool placed_it = true;
    if (e.kind == EventKind::kCustomsRelease && !held_by.empty()) {
      FRONTERA_ASSIGN_OR_RETURN(placed_it, SameParty(view, held_by, signer_did));
    }
    if (!placed_it) {
      FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> holder_agency, FindParty(view, held_by));
      return Status::PermissionDenied(
          "only the agency that placed the hold releases it: " +
              (holder_agency ? holder_agency->party.name + " (" + held_by + ")" : held_by),
          {{"/proof/verificationMethod", "not the agency that placed the hold"}});
    }
    return out;
  }
  if (e.kind == EventKind::kLifecycle) {
    FRONTERA_RETURN_IF_ERROR(CheckLifecycleEvent(view, parsed, *signer, r, time_unix_ms));
    return out;
  }
  FRONTERA_ASSIGN_OR_RETURN(const bool holds_it, SameParty(view, holder, signer_did));
  if (e.kind == EventKind::kInspecting) {
    if (!agency && !holds_it) {
      return Status::PermissionDenied(
          "only an agency or the party holding the item inspects it",
          {{"/proof/verificationMethod", "not an agency or the holder"}});
    }
    return out;
  }
  FRONTERA_CHECK(IsMovement(e.kind));
  // A decommissioned pack stays where it was (docs/ledger.md#pack-lifecycle).
  FRONTERA_ASSIGN_OR_RETURN(const PackLifecycle lifecycle, LifecycleOfRecord(r));
  FRONTERA_RETURN_IF_ERROR(CheckMayMove(lifecycle));
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
  if (!flagged.empty()) {
    std::string names;
    for (const auto& [flag, entry] : flagged.items()) names += (names.empty() ? "" : ", ") + flag;
    return Status::FailedPrecondition(
        "the item is flagged " + names + ": it cannot move until an agency clears the flag",
        {{"/bizStep", "flagged " + names}});
  }
  switch (e.kind) {
    case EventKind::kShipping: {
      if (!holds_it) {
        return Status::PermissionDenied("only the party holding the item (" + holder + ") ships it",
                                        {{"/proof/verificationMethod", "not the custodian"}});
      }
      if (!e.source_party.empty() && e.source_party != signer_did) {
        return Status::FailedPrecondition("the shipping source must be the signer",
                                          {{"/sourceList", "must name " + signer_did}});
      }
      FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> next,
                                FindParty(view, e.destination_party));
      if (!next) {
        return Status::FailedPrecondition(
            "the next custodian must be a registered party",
            {{"/destinationList", e.destination_party + " is not registered"}});
      }
      if (next->status != PartyStatus::kActive) {
        return Status::FailedPrecondition(
            "the next custodian " + e.destination_party + " is not in good standing",
            {{"/destinationList",
              e.destination_party + " is " + std::string(PartyStatusName(next->status))}});
      }
      FRONTERA_ASSIGN_OR_RETURN(bool to_itself, SameParty(view, e.destination_party, signer_did));
      if (to_itself) {
        return Status::FailedPrecondition("shipping must name another custodian",
                                          {{"/destinationList", "names the signer"}});
      }
      break;
    }
    case EventKind::kDeparting:
    case EventKind::kArriving:
      if (!holds_it) {
        return Status::PermissionDenied(
            "only the party holding the item (" + holder + ") records " + e.biz_step,
            {{"/proof/verificationMethod", "not the custodian"}});
      }
      break;
    case EventKind::kReceiving: {
      FRONTERA_ASSIGN_OR_RETURN(bool addressee, SameParty(view, in_transit_to, signer_did));
      if (in_transit_to.empty() || !addressee) {
        return Status::PermissionDenied(
            "only the party the item was shipped to receives it" +
                (in_transit_to.empty() ? std::string(" (it is not in transit)")
                                       : " (" + in_transit_to + ")"),
            {{"/proof/verificationMethod", "not the named next custodian"}});
      }
      break;
    }
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

}  // namespace frontera::ledger
