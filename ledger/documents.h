// The signed documents of the ledger and their field rules (docs/formats.md):
//   - ProductAuthenticityCredential and PrecursorConsignmentCredential
//     (W3C VC 2.0, eddsa-jcs-2022),
//   - EPCIS 2.0 ObjectEvent movements and customs acts,
//   - CredentialRevocation.
//
// Parse* functions check shape and every rule that depends on the document
// alone (check digits, character sets, dates, units, country codes, Table I
// notifications, Digital Link subject id, label identifiers). They do not
// verify the proof signature (crypto::VerifyProof does) and do not look at
// ledger state (the state machine does).
//
// Errors: kInvalidArgument for shape (not an object, missing member, wrong
// JSON type); kFailedPrecondition for a well-formed value that breaks a rule
// (bad check digit, unknown unit, expiry before validFrom). Every error carries
// FieldErrors whose pointers are RFC 6901 pointers into the document.
//
// Implemented by kind in ledger/credential_parsing.cc, event_parsing.cc and
// revocation_parsing.cc, over the shared member rules of
// ledger/document_fields.h.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "ledger/lifecycle.h"

namespace frontera::ledger {

using crypto::Json;

// Most characters (code points) of an identifier: a document id, a
// certificate id, an EPC (docs/formats.md §2).
inline constexpr size_t kIdentifierCharsMax = 256;

enum class CredentialType { kProduct, kPrecursor };

struct PartyRef {
  std::string did;
  std::string name;
  std::string country;  // ISO 3166-1 alpha-2
};

struct Credential {
  std::string id;  // e.g. "urn:uuid:…"
  CredentialType type = CredentialType::kProduct;
  std::string issuer;                     // did:key of the issuer
  std::string valid_from;                 // RFC 3339
  std::string valid_until;                // RFC 3339 or empty
  std::string subject_id;                 // GS1 Digital Link URI
  std::optional<std::string> label;       // credentialSubject.label, if present
  std::string proof_verification_method;  // proof.verificationMethod as written

  // kProduct:
  std::string gtin;  // 14 digits
  std::string lot;
  std::string serial;
  std::string expiry;  // YYYY-MM-DD
  std::string manufacturer_did;
  std::string manufacturer_name;
  std::string manufacturer_gln;
  std::string country_of_origin;

  // kPrecursor:
  std::string sscc;  // 18 digits
  std::string cas_rn;
  std::string un_table;  // "I" or "II"
  std::string point_of_entry;
  std::string dispatch_date;  // YYYY-MM-DD
  PartyRef exporter;
  PartyRef importer;
  PartyRef consignee;
};

// Parses and checks a credential (proof member required but not verified).
Result<Credential> ParseCredential(const Json& document);

enum class EventKind {
  kShipping,
  kDeparting,
  kArriving,
  kReceiving,
  kInspecting,
  kCustomsHold,      // https://frontera.example/ns/v1/bizstep/customs_hold
  kCustomsRelease,   // https://frontera.example/ns/v1/bizstep/customs_release
  kJointInspection,  // https://frontera.example/ns/v1/bizstep/joint_inspection
  kLifecycle,        // a pack's decommissioning or its undo (ledger/lifecycle.h)
};

struct Event {
  std::string event_id;  // eventID
  EventKind kind = EventKind::kShipping;
  std::string biz_step;        // as written (bare CBV word or full URI)
  std::string event_time;      // as written
  std::string certificate_id;  // certificationInfo
  std::vector<std::string> epc_list;
  std::string source_party;       // sourceList possessing_party, or empty
  std::string destination_party;  // destinationList possessing_party, or empty
  std::string read_point;         // readPoint.id, or empty
  std::string biz_location;       // bizLocation.id, or empty
  // persistentDisposition (EPCIS 2.0): the DSCSA flags the event raises on
  // the item and those it clears (FlagName values), and why
  // ("frontera:reason", required with a flag).
  std::vector<std::string> flags_set;
  std::vector<std::string> flags_unset;
  std::string reason;
  std::string proof_verification_method;  // the first proof's, for a proof set
  // kLifecycle: the state the event leads to (kActive: the undo), and the
  // GLN of its premises (bizLocation, else readPoint) with the pointer of
  // the id it came from.
  PackState lifecycle_target = PackState::kActive;
  std::string lifecycle_gln;
  std::string lifecycle_gln_pointer;
};

// The DSCSA flags an agency raises on a certificate's item (docs/formats.md
// §6.2), by their short name: "suspect", "illegitimate", "recalled".
// nullopt for a disposition that is not one.
std::optional<std::string> FlagName(std::string_view disposition);
// The inverse: the disposition that raises flag `name`; nullopt for another name.
std::optional<std::string> FlagDisposition(std::string_view name);

// Parses and checks an EPCIS 2.0 ObjectEvent. `shipping` requires a
// destinationList possessing_party.
Result<Event> ParseEvent(const Json& document);

struct Revocation {
  std::string id;             // urn:uuid of the revocation document
  std::string credential_id;  // the certificate revoked
  std::string issuer;         // did of the revoking party
  std::string reason;
  std::string proof_verification_method;
};

Result<Revocation> ParseRevocation(const Json& document);

// The canonical GS1 Digital Link EPC of a credential's item, as carried in an
// event's epcList: "https://id.gs1.org/01/{gtin}/21/{serial}" for a product,
// "https://id.gs1.org/00/{sscc}" for a consignment.
std::string ItemEpc(const Credential& credential);

}  // namespace frontera::ledger
