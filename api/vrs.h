// DSCSA verification as Verification Router Services speak it today: the
// GS1 Lightweight Messaging Standard for Verification of Product Identifiers
// (release 1.0.2). The requests in both GS1 Digital Link forms, their
// parameters, who may ask, the answer derived from a pack's facts, and the
// answer's JSON. Contract and decisions: docs/api.md#vrs.
//
//   GET /vrs/gtin/{gtin}/lot/{lot}/ser/{serial}?exp=YYMMDD&linkType=verificationService
//       &context=dscsaSaleableReturn&reqGLN=…&corrUUID=…
//   GET /vrs/01/{gtin}/10/{lot}/21/{serial}?17=YYMMDD&…   (the same request)
//   GET /01/{gtin}/10/{lot}/21/{serial}?…&linkType=verificationService (resolver paths)
//   GET /vrs/checkConnectivity?gtin=…&reqGLN=…
//
// No HTTP and no ledger access here: the server parses with these functions,
// the node gathers the facts and decides with them.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/reader.h"
#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "ledger/gs1.h"
#include "ledger/lifecycle.h"
#include "ledger/registry.h"

namespace frontera::api {

// The base path of the VRS routes (docs/api.md#vrs).
inline constexpr std::string_view kVrsBasePath = "/vrs";
// The linkType value that turns a resolver path into a VRS request.
inline constexpr std::string_view kVrsLinkType = "verificationService";

// One verification request, its parameters checked.
struct VrsRequest {
  std::string gtin;               // GTIN-14, check digit valid
  std::string lot;                // GS1 AI 10: 1..20 characters of set 82
  std::string serial;             // GS1 AI 21: 1..20 characters of set 82
  std::string exp;                // GS1 AI 17 "YYMMDD" as sent (a real day, or day 00)
  ledger::gs1::CivilDate expiry;  // the day exp names (ledger::ExpiryDateOfYymmdd)
  std::string context;            // e.g. "dscsaSaleableReturn"
  std::string req_gln;            // 13 digits, check digit valid
  std::string corr_uuid;          // RFC 9562 UUID text, lower-cased
};

// The request of a VRS path (`path` as sent, under kVrsBasePath or a
// resolver path): after the base path, "gtin/G/lot/L/ser/S" or
// "01/G/10/L/21/S", each segment percent-encoded; `query` as sent.
// kInvalidArgument naming every bad parameter (/path/gtin, /query/exp, …):
// the path's form, GTIN-14 and its check digit, lot and serial, exp (or 17,
// never both) YYMMDD, linkType == verificationService, context a token of
// 1..64 letters and digits, reqGLN 13 digits with its check digit, corrUUID
// a UUID; each parameter at most once. `now_unix_millis` picks exp's
// century (GS1 General Specifications §7.12).
Result<VrsRequest> ParseVrsRequest(std::string_view path, std::string_view query,
                                   int64_t now_unix_millis);

// Whether `path` names a VRS product request (either form under
// kVrsBasePath).
bool IsVrsProductPath(std::string_view path);
// Whether the query of a resolver path asks for the verification service
// (linkType=verificationService, percent-decoded).
bool AsksVerificationService(std::string_view query);

struct VrsConnectivityRequest {
  std::string gtin;
  std::string req_gln;
};
// checkConnectivity?gtin=…&reqGLN=…: both required, checked as above.
Result<VrsConnectivityRequest> ParseVrsConnectivity(std::string_view query);

// GS1 mod-10 GLN check (13 digits): the reason when it fails.
std::optional<std::string> GlnProblem(std::string_view gln);
// RFC 9562 §4 text form: 8-4-4-4-12 hexadecimal digits, either case.
bool IsUuid(std::string_view text);

// ---------------------------------------------------------------------------
// Who asks.

// What the requestor check concluded.
enum class RequestorVerdict {
  kEntitled,
  kUnknownGln,       // 401: reqGLN is no registered party's
  kWrongKey,         // 401: the request is signed by a key that is not the party's
  kSuspended,        // 403
  kRoleNotEntitled,  // 403: a shipper or carrier
  kAmbiguousGln,     // 403: more than one party lists the GLN
};
struct RequestorDecision {
  RequestorVerdict verdict = RequestorVerdict::kUnknownGln;
  std::string detail;       // a sentence for the problem
  int http_status() const;  // 200 for kEntitled, else 401 or 403
};

// Whether the party registered under `req_gln` may ask: `parties` are the
// current (non-retired) records whose GLN is req_gln, one per party (empty:
// unknown). Entitled: manufacturers, distributors, pharmacies, importers
// and agencies (DSCSA trading partners and regulators), active. When the
// request is signed (`reader` not anonymous), the signing DID must be the
// party's current DID (`parties[0].party.did`).
RequestorDecision DecideRequestor(std::string_view req_gln,
                                  const std::vector<ledger::PartyRecord>& parties,
                                  const Reader& reader);

// ---------------------------------------------------------------------------
// The answer.

inline constexpr std::string_view kNoMatchGtinSerial = "No_match_GTIN_Serial";
inline constexpr std::string_view kNoMatchGtinSerialLot = "No_match_GTIN_Serial_Lot";
inline constexpr std::string_view kNoMatchGtinSerialExpiry = "No_match_GTIN_Serial_Expiry";
inline constexpr std::string_view kNoMatchGtinSerialLotExpiry = "No_match_GTIN_Serial_Lot_Expiry";
inline constexpr std::string_view kNoReasonProvided = "No_reason_provided";

// What the ledger says of the pack a request names (GTIN + serial).
struct VrsPackFacts {
  bool on_ledger = false;                        // a certificate for the GTIN and serial
  std::string lot;                               // the certificate's lot
  std::optional<ledger::gs1::CivilDate> expiry;  // the certificate's expiry, if it has one
  bool revoked = false;                          // the certificate is revoked…
  bool recall = false;         // …and its revocation is a recall (ledger::IsRecall)
  bool flag_recalled = false;  // DSCSA flags in force (ledger/flags.h)
  bool flag_suspect = false;
  bool flag_illegitimate = false;
  bool expired = false;  // past its expiry (end of that day, UTC) at the verification time
  // The pack's lifecycle on the ledger (ledger/lifecycle.h): active, or
  // decommissioned (dispensed, destroyed, stolen, …).
  ledger::PackState pack_state = ledger::PackState::kActive;
};

struct VrsVerification {
  bool verified = false;
  std::string failure_reason;   // empty when verified
  std::string additional_info;  // empty when there is none
};

// The one derivation of an answer from a pack's facts (docs/api.md#vrs):
//   not on the ledger                                   → false, No_match_GTIN_Serial
//   lot and expiry differ                               → false, …_Lot_Expiry
//   lot differs / expiry differs                        → false, …_Lot / …_Expiry
//   revoked (not a recall): the issuer withdrew it      → false, No_reason_provided
//   flagged illegitimate                                → false, No_reason_provided, Illegitimate
//   reported stolen or destroyed                        → false, No_reason_provided, Stolen /
//                                                         Destroyed
//   else                                                → true
// additionalInfo, one value, the gravest that holds: Illegitimate, Stolen,
// Suspect, Recalled (a recall revocation or flag), Destroyed, Dispensed,
// Exported, Sampled, FreeSample, Locked, Expired.
// The request's lot and expiry (its exp's day) are compared with the pack's.
VrsVerification DeriveVerification(const VrsRequest& request, const VrsPackFacts& facts);
// The additionalInfo word of a decommissioned pack ("Dispensed",
// "FreeSample", …); empty for an active one.
std::string_view VrsPackStateInfo(ledger::PackState state);

// The checkpoint an answer was made at: a co-signed checkpoint's tree size
// and root hash. Header "Frontera-Checkpoint: <tree_size> <base64 root>".
struct VrsCheckpoint {
  uint64_t tree_size = 0;
  crypto::Hash root{};
};
inline constexpr std::string_view kCheckpointHeader = "Frontera-Checkpoint";
std::string CheckpointHeaderValue(const VrsCheckpoint& checkpoint);
// The inverse; kInvalidArgument unless "<decimal> <base64 of 32 bytes>".
Result<VrsCheckpoint> ParseCheckpointHeaderValue(std::string_view value);

// {responderGLN, corrUUID, verificationTimestamp, data: {verified,
// verificationFailureReason?, additionalInfo?}}: members absent when empty;
// responderGLN null when the responder has no GLN. `timestamp` RFC 3339 UTC.
crypto::Json VerificationAnswerJson(std::string_view responder_gln, std::string_view corr_uuid,
                                    std::string_view timestamp, const VrsVerification& v);

// "YYYY-MM-DDThh:mm:ss.sssZ" of Unix milliseconds.
std::string Rfc3339Millis(int64_t unix_millis);

// What a validator answers a VRS request with (api::Backend::AnswerVrs).
struct VrsAnswer {
  RequestorDecision requestor;  // not kEntitled: the answer is that refusal
  crypto::Json body;            // when kEntitled
  VrsCheckpoint checkpoint;     // the co-signed checkpoint the answer was made at
  std::string signer_did;       // the validator's did:key, the response signature's keyid
};

}  // namespace frontera::api
