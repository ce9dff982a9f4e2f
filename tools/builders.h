// Builders of the documents the CLI signs (docs/cli.md, docs/formats.md):
// ProductAuthenticityCredential and PrecursorConsignmentCredential (W3C VC
// 2.0), EPCIS 2.0 ObjectEvent movements and customs acts, and
// CredentialRevocation. Each builder turns typed inputs into the unsigned JSON
// document, with exactly the member names and shapes of
// tests/fixtures/examples/; SignDocument then adds the eddsa-jcs-2022 proof.
//
// Builders do not check the ledger's rules (check digits, code lists): the
// result is checked with ledger::Parse* before it is sent, so that the CLI and
// the ledger apply one rule book.
//
// Thread-safety: pure functions, except NewUrnUuid (reads the CSPRNG, which
// is thread-safe).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "ledger/documents.h"

namespace frontera::tools {

using crypto::Json;

// The @context of Frontera's credentials and revocations.
inline constexpr std::string_view kVcContext = "https://www.w3.org/ns/credentials/v2";
inline constexpr std::string_view kFronteraContext = "https://frontera.example/ns/v1";
// The @context of EPCIS 2.0 events (EPCIS 2.0 §8.2 JSON-LD context).
inline constexpr std::string_view kEpcisContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

// A fresh random UUID as "urn:uuid:…" (RFC 9562 §5.4 version 4, RFC 4122 URN
// namespace), from libsodium's randombytes.
std::string NewUrnUuid();

// A party as it appears inside a credential: {"id", "name", "country"} (and
// "gln" for the manufacturer).
struct PartyInfo {
  std::string did;
  std::string name;
  std::string country;  // ISO 3166-1 alpha-2
  std::string gln;      // 13 digits, or empty
};

struct ProductFields {
  std::string id;           // "urn:uuid:…"
  std::string valid_from;   // RFC 3339
  std::string valid_until;  // RFC 3339; empty → the end (23:59:59Z) of the expiry date
  std::string gtin;         // 14 digits (AI 01)
  std::string lot;          // AI 10
  std::string serial;       // AI 21
  std::string expiry;       // YYYY-MM-DD (AI 17)
  std::string ndc;          // US National Drug Code, or empty
  std::string product_name;
  std::string strength_dosage_form;
  std::string container_size;
  PartyInfo manufacturer;  // issuer; country = country of origin
};

// The unsigned ProductAuthenticityCredential; the issuer is the manufacturer
// and credentialSubject.id the GS1 Digital Link
// "https://id.gs1.org/01/{gtin}/10/{lot}/21/{serial}" (ledger::gs1::
// ProductSubjectId: lot and serial percent-encoded as GS1 Digital Link 1.x §6).
Json BuildProductCredential(const ProductFields& fields);

struct PrecursorFields {
  std::string id;           // "urn:uuid:…"
  std::string valid_from;   // RFC 3339
  std::string valid_until;  // RFC 3339, or empty (no validUntil)
  std::string sscc;         // 18 digits (AI 00)
  std::string substance_name;
  std::string cas_rn;         // e.g. "345-78-8"
  std::string un_table;       // "I" or "II"
  std::string hs_code;        // e.g. "2939.42"
  Json quantity_value;        // a JSON number
  std::string uom;            // UN/ECE Rec 20 code, e.g. "KGM"
  std::string concentration;  // or empty
  PartyInfo exporter;         // issuer
  PartyInfo importer;
  PartyInfo consignee;
  std::string point_of_entry;           // UN/LOCODE without space, e.g. "USLRD"
  std::string dispatch_date;            // YYYY-MM-DD
  std::string pre_export_notification;  // or empty
  std::string import_permit;            // or empty
};

// The unsigned PrecursorConsignmentCredential; the issuer is the exporter and
// credentialSubject.id "https://id.gs1.org/00/{sscc}".
Json BuildPrecursorCredential(const PrecursorFields& fields);

// Parses a decimal quantity ("200", "12.5") as a JSON number: an integer when
// it has no fraction. kInvalidArgument for anything else, or for a value that
// is not positive.
Result<Json> ParseQuantity(std::string_view text);

// The CLI's names of event steps: shipping, departing, arriving, receiving,
// inspecting, hold, release, joint-inspection.
std::optional<ledger::EventKind> EventKindFromCliName(std::string_view name);
// bizStep as written in the event: the bare CBV word, or for customs acts that
// CBV lacks a URI of Frontera's vocabulary
// (https://frontera.example/ns/v1/bizstep/customs_hold, …).
std::string BizStepOf(ledger::EventKind kind);
// The CBV 2.0 disposition recorded with each step (docs/cli.md#events).
std::string DispositionOf(ledger::EventKind kind);

struct EventFields {
  ledger::EventKind kind = ledger::EventKind::kShipping;
  std::string event_id;           // "urn:uuid:…"
  std::string event_time;         // RFC 3339 with offset
  std::string certificate_id;     // certificationInfo
  std::string epc;                // the item's Digital Link (ledger::ItemEpc)
  std::string signer_did;         // sourceList possessing_party of a shipping
  std::string destination_party;  // destinationList possessing_party; required for shipping
  std::string read_point;         // readPoint.id, or empty
  std::string biz_location;       // bizLocation.id, or empty
  // DSCSA flags (inspecting): raised and cleared (ledger::FlagName values),
  // and why ("frontera:reason").
  std::vector<std::string> flags_set;
  std::vector<std::string> flags_unset;
  std::string reason;
};

// The unsigned EPCIS 2.0 ObjectEvent (action OBSERVE), with
// eventTimeZoneOffset taken from event_time. kInvalidArgument when a shipping
// has no destination party or event_time is not RFC 3339.
Result<Json> BuildEvent(const EventFields& fields);

struct RevocationFields {
  std::string id;             // "urn:uuid:…" of the revocation document
  std::string credential_id;  // the certificate revoked
  std::string issuer;         // did of the revoking party
  std::string reason;
};

Json BuildRevocation(const RevocationFields& fields);

// A registry document (ledger/registry.h): `type` is PartyRegistration,
// PartySuspension, PartyReinstatement or PartyKeyRotation; `party` the party
// object (registration) or its DID; new_did and reason only when not empty.
struct RegistryFields {
  std::string type;
  std::string id;      // urn:uuid
  std::string issuer;  // the first signer's did:key
  Json party;
  std::string new_did;
  std::string reason;
};
Json BuildRegistryDocument(const RegistryFields& fields);

// A validator document (ledger/registry.h, docs/formats.md §15): `type` is
// ValidatorAddition, ValidatorPromotion or ValidatorRemoval; `validator` the
// validator object {did, name, role, peer, api?} (addition) or its DID (the
// others); reason only when not empty.
struct ValidatorFields {
  std::string type;
  std::string id;      // urn:uuid
  std::string issuer;  // the first signing agency's did:key
  Json validator;
  std::string reason;
};
Json BuildValidatorDocument(const ValidatorFields& fields);

// Adds credentialSubject.label to an unsigned credential: the issuer-signed
// GS1 Digital Link on `resolver_host` (ledger::BuildLabel, docs/formats.md
// §8). REQUIRES nothing of the document beyond JSON; errors
// (kInvalidArgument) name the missing member.
Result<Json> AttachLabel(const Json& unsigned_credential, std::string_view resolver_host,
                         const crypto::KeyPair& issuer);

// Signs `document` with `key`: eddsa-jcs-2022 Data Integrity proof with
// proofPurpose assertionMethod, the key's did:key verification method,
// `created` (RFC 3339, second precision) and the document's @context copied
// into the proof (as the fixtures do). Fails if the document already has a
// proof.
Result<Json> SignDocument(const Json& document, const crypto::KeyPair& key,
                          const std::string& created);

// Adds `key`'s proof, made the same way, to a signed document: the proofs
// become a proof set (crypto::AddProof), as a revocation by a majority of
// the agencies carries (docs/ledger.md#rules).
Result<Json> CoSignDocument(const Json& document, const crypto::KeyPair& key,
                            const std::string& created);

}  // namespace frontera::tools

namespace frontera::tools {

// A party as the node reports it (GET /v1/parties/{did}: the ledger's party
// record {did, name, role, country, gln, prefixes, suspended}, possibly
// wrapped as {"party": {…}}).
struct PartyRecord {
  PartyInfo info;
  std::string role;
  std::vector<std::string> prefixes;
  bool suspended = false;
};

// kInvalidArgument naming the member when the record lacks did, name, role or
// country.
Result<PartyRecord> PartyRecordFromJson(const Json& answer);

}  // namespace frontera::tools
