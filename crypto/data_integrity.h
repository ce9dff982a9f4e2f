// W3C Data Integrity proofs with the eddsa-jcs-2022 cryptosuite
// ("Data Integrity EdDSA Cryptosuites v1.0", §3.3):
//   proofConfig = proof options without proofValue (with the document's
//                 @context when the options carry an @context)
//   hashData    = SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(document without proof))
//   proofValue  = "z" + base58btc(Ed25519 signature of hashData)
// Verification accepts any conforming document, not only Frontera's.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"

namespace frontera::crypto {

struct ProofOptions {
  std::string created;              // RFC 3339 date-time, e.g. "2026-11-02T14:05:00Z"
  std::string verification_method;  // "did:key:…#…"; must name the signing key
  std::string proof_purpose = "assertionMethod";
  bool include_context = true;  // copy the document's @context into the proof
};

// Returns `unsecured` with a "proof" member added. Fails if `unsecured` is not
// an object, already has a proof, or the verification method does not name
// `key`'s public key.
Result<Json> CreateProof(const Json& unsecured, const ProofOptions& options, const KeyPair& key);

struct VerifiedProof {
  PublicKey public_key;             // the key that signed
  std::string controller;           // the DID of the verification method
  std::string verification_method;  // as written in the proof
  std::string created;
  std::string proof_purpose;
};

// Verifies the proof of `secured`. Errors are kInvalidArgument with a
// FieldError pointing into the document (e.g. "/proof/proofValue") and a reason
// such as "signature does not verify" or "cryptosuite must be eddsa-jcs-2022".
Result<VerifiedProof> VerifyProof(const Json& secured);

// Proof sets ("Verifiable Credential Data Integrity 1.0" §2.1.2): "proof"
// holds an array of proofs, each made independently over the document without
// its "proof" member (no previousProof chain), in any order. Frontera uses
// them for documents a majority of agencies sign.
inline constexpr size_t kProofSetMax = 16;

// Adds a proof by `key` to `document`: its only proof when it has none, or
// one more in its proof set (a single proof becomes a set of two). Fails as
// CreateProof does, or when the set would exceed kProofSetMax.
Result<Json> AddProof(const Json& document, const ProofOptions& options, const KeyPair& key);

// Verifies every proof of `secured`, a single proof or a set of 1 to
// kProofSetMax, each over the document without "proof"; the verified proofs
// in the order written. The first failure is returned, its pointer inside
// the failing proof ("/proof/1/proofValue" for the second of a set).
Result<std::vector<VerifiedProof>> VerifyProofs(const Json& secured);

// The DIDs the proofs of `document` name (a single proof or a set), in order,
// as written: verificationMethod up to "#". Nothing is verified; for
// display of a document whose proofs were verified before.
std::vector<std::string> ProofSignerDids(const Json& document);

// True iff `text` is an RFC 3339 §5.6 date-time with upper-case "T" and an
// explicit offset ("Z" or ±hh:mm), as XML Schema dateTimeStamp requires for
// the proof's "created": e.g. "2026-11-02T14:05:00Z",
// "2026-11-03T09:30:00.000-06:00". Checks field ranges, including the days
// of each month in leap and common years (second 60 is allowed for leap
// seconds, as RFC 3339 allows).
bool IsRfc3339DateTime(std::string_view text);

}  // namespace frontera::crypto
