// Fuzzes ledger::ParseRevocation (ledger/revocation_parsing.cc) and
// ledger::ParseRegistryDocument (ledger/registry.cc), with the proof
// verification on the parsed text: what POST /v1/revocations and
// POST /v1/registry read. Input: the JSON text, given to both parsers.
// Properties: no input crashes, leaks or runs long; the document and its
// canonical form (RFC 8785) parse to the same revocation or registry change
// and agree on its proofs, which re-verify (tests/fuzz/document_fuzz.h); no
// text is both; a registry change's "type" is the name of its action, and
// its party or validator record serializes to JSON that canonicalizes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "crypto/jcs.h"
#include "ledger/documents.h"
#include "ledger/registry.h"
#include "tests/fuzz/document_fuzz.h"
#include "tests/fuzz/fuzz_entry.h"

namespace frontera::ledger {
namespace {

void Add(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

std::string Describe(const Revocation& r) {
  std::string out;
  for (std::string_view field :
       {std::string_view(r.id), std::string_view(r.credential_id), std::string_view(r.issuer),
        std::string_view(r.reason), std::string_view(r.proof_verification_method)}) {
    Add(out, field);
  }
  return out;
}

std::string Describe(const RegistryChange& c) {
  std::string out;
  Add(out, RegistryTypeName(c.action));
  for (std::string_view field :
       {std::string_view(c.id), std::string_view(c.issuer), std::string_view(c.party_did),
        std::string_view(c.new_did), std::string_view(c.reason)}) {
    Add(out, field);
  }
  Result<std::string> party = crypto::Canonicalize(c.party.ToJson());
  FRONTERA_CHECK(party.ok()) << "a parsed party does not canonicalize: "
                             << party.status().ToString();
  Add(out, *party);
  Result<std::string> validator = crypto::Canonicalize(c.validator.ToJson());
  FRONTERA_CHECK(validator.ok()) << "a parsed validator does not canonicalize: "
                                 << validator.status().ToString();
  Add(out, *validator);
  return out;
}

void CheckRevocation(const fuzz::DocumentPair& pair) {
  Result<Revocation> revocation = ParseRevocation(pair.original);
  Result<Revocation> canonical = ParseRevocation(pair.canonical);
  FRONTERA_CHECK(revocation.ok() == canonical.ok())
      << "a revocation and its canonical form disagree: "
      << (revocation.ok() ? canonical.status() : revocation.status()).ToString();
  if (!revocation.ok()) {
    FRONTERA_CHECK(!revocation.status().field_errors().empty())
        << "a refusal names no field: " << revocation.status().ToString();
    return;
  }
  FRONTERA_CHECK(Describe(*revocation) == Describe(*canonical));
  FRONTERA_CHECK(!revocation->id.empty() && !revocation->credential_id.empty());
  FRONTERA_CHECK(!ParseRegistryDocument(pair.original).ok())
      << "a text is both a revocation and a registry document";
}

void CheckRegistry(const fuzz::DocumentPair& pair) {
  Result<RegistryChange> change = ParseRegistryDocument(pair.original);
  Result<RegistryChange> canonical = ParseRegistryDocument(pair.canonical);
  FRONTERA_CHECK(change.ok() == canonical.ok())
      << "a registry document and its canonical form disagree: "
      << (change.ok() ? canonical.status() : change.status()).ToString();
  if (!change.ok()) return;
  FRONTERA_CHECK(Describe(*change) == Describe(*canonical));
  const crypto::Json& type = pair.original.at("type");
  FRONTERA_CHECK(type.is_string() && type.get<std::string>() == RegistryTypeName(change->action))
      << "a registry document of type " << type.dump() << " parsed as "
      << RegistryTypeName(change->action);
  if (change->about_validator()) {
    FRONTERA_CHECK(!change->validator.did.empty());
  } else {
    FRONTERA_CHECK(!change->party_did.empty());
  }
  if (change->action == RegistryAction::kRotateKey) {
    FRONTERA_CHECK(!change->new_did.empty() && change->new_did != change->party_did);
  }
}

void FuzzOne(std::string_view input) {
  std::optional<fuzz::DocumentPair> pair = fuzz::ParseDocument(input);
  if (!pair) return;
  fuzz::CheckProofsAgree(*pair);
  CheckRevocation(*pair);
  CheckRegistry(*pair);
}

}  // namespace
}  // namespace frontera::ledger

FRONTERA_FUZZ_TEXT_TARGET(frontera::ledger::FuzzOne)
