// Shared steps of the fuzz targets for signed JSON documents (credentials,
// events, revocations, registry documents): the text is parsed as the API
// parses a request body (crypto::ParseJson, default limits), and the
// document's canonical form (RFC 8785) stands in for "the same document
// written differently": what the ledger signs and hashes is the canonical
// form, so every verdict must be the same for both.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "crypto/data_integrity.h"
#include "crypto/jcs.h"
#include "crypto/json.h"

namespace frontera::fuzz {

// The document and its canonical re-parse, or nullopt when the text is not
// JSON ParseJson accepts.
struct DocumentPair {
  crypto::Json original;
  crypto::Json canonical;
};

inline std::optional<DocumentPair> ParseDocument(std::string_view input) {
  Result<crypto::Json> document = crypto::ParseJson(input);
  if (!document.ok()) return std::nullopt;
  Result<std::string> text = crypto::Canonicalize(*document);
  FRONTERA_CHECK(text.ok()) << text.status().ToString();
  Result<crypto::Json> again = crypto::ParseJson(*text);
  FRONTERA_CHECK(again.ok()) << again.status().ToString();
  return DocumentPair{std::move(*document), std::move(*again)};
}

struct VerifiedSigner {
  std::string controller;  // the DID of the verification method
  std::string public_key;  // raw bytes
  bool operator==(const VerifiedSigner&) const = default;
};

// The signers of the verified proofs, in order; nullopt when the proofs do
// not verify.
inline std::optional<std::vector<VerifiedSigner>> VerifiedKeys(const crypto::Json& document) {
  Result<std::vector<crypto::VerifiedProof>> proofs = crypto::VerifyProofs(document);
  if (!proofs.ok()) return std::nullopt;
  std::vector<VerifiedSigner> signers;
  for (const crypto::VerifiedProof& proof : *proofs) {
    signers.push_back(
        {proof.controller, std::string(reinterpret_cast<const char*>(proof.public_key.data()),
                                       proof.public_key.size())});
  }
  return signers;
}

// Proof verification of a document and of its canonical form agree (the
// proof is over the canonical form), and a verified proof set names one
// signer per proof, each with the DID it was verified under.
inline void CheckProofsAgree(const DocumentPair& pair) {
  const auto original = VerifiedKeys(pair.original);
  const auto canonical = VerifiedKeys(pair.canonical);
  FRONTERA_CHECK(original.has_value() == canonical.has_value())
      << "a document and its canonical form disagree on its proofs";
  if (!original) return;
  FRONTERA_CHECK(*original == *canonical);
  FRONTERA_CHECK(!original->empty() && original->size() <= crypto::kProofSetMax);
  const std::vector<std::string> dids = crypto::ProofSignerDids(pair.original);
  FRONTERA_CHECK(dids.size() == original->size());
  for (size_t i = 0; i < dids.size(); ++i) {
    FRONTERA_CHECK(dids[i] == (*original)[i].controller)
        << "proof " << i << " names " << dids[i] << " but verified under "
        << (*original)[i].controller;
  }
  // Verified once, verified again: nothing in verification depends on state.
  const auto twice = VerifiedKeys(pair.original);
  FRONTERA_CHECK(twice && *twice == *original);
}

}  // namespace frontera::fuzz
