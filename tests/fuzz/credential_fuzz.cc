// Fuzzes ledger::ParseCredential (ledger/credential_parsing.cc) and the Data
// Integrity proof verification (crypto::VerifyProofs) on the parsed text:
// what POST /v1/credentials and `frontera verify` read. Input: the JSON
// text. Properties: no input crashes, leaks or runs long; the document and
// its canonical form (RFC 8785) parse to the same credential and agree on
// its proofs, which re-verify (tests/fuzz/document_fuzz.h); a parsed
// credential has the identifiers of its type (check digits valid), and its
// label, if any, parses and names the credential's item.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"
#include "ledger/label.h"
#include "tests/fuzz/document_fuzz.h"
#include "tests/fuzz/fuzz_entry.h"

namespace frontera::ledger {
namespace {

// Every field, so that two credentials compare equal iff they are.
std::string Describe(const Credential& c) {
  std::string out;
  auto add = [&out](std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
  };
  for (std::string_view field :
       {std::string_view(c.id), std::string_view(c.issuer), std::string_view(c.valid_from),
        std::string_view(c.valid_until), std::string_view(c.subject_id),
        std::string_view(c.proof_verification_method), std::string_view(c.gtin),
        std::string_view(c.lot), std::string_view(c.serial), std::string_view(c.expiry),
        std::string_view(c.manufacturer_did), std::string_view(c.manufacturer_name),
        std::string_view(c.manufacturer_gln), std::string_view(c.country_of_origin),
        std::string_view(c.sscc), std::string_view(c.cas_rn), std::string_view(c.un_table),
        std::string_view(c.point_of_entry), std::string_view(c.dispatch_date)}) {
    add(field);
  }
  for (const PartyRef* party : {&c.exporter, &c.importer, &c.consignee}) {
    add(party->did);
    add(party->name);
    add(party->country);
  }
  add(c.type == CredentialType::kProduct ? "product" : "precursor");
  add(c.label ? "label:" + *c.label : "no label");
  return out;
}

void FuzzOne(std::string_view input) {
  std::optional<fuzz::DocumentPair> pair = fuzz::ParseDocument(input);
  if (!pair) return;
  fuzz::CheckProofsAgree(*pair);

  Result<Credential> credential = ParseCredential(pair->original);
  Result<Credential> canonical = ParseCredential(pair->canonical);
  FRONTERA_CHECK(credential.ok() == canonical.ok())
      << "a credential and its canonical form disagree: "
      << (credential.ok() ? canonical.status() : credential.status()).ToString();
  if (!credential.ok()) {
    FRONTERA_CHECK(!credential.status().field_errors().empty())
        << "a refusal names no field: " << credential.status().ToString();
    return;
  }
  FRONTERA_CHECK(Describe(*credential) == Describe(*canonical));

  if (credential->type == CredentialType::kProduct) {
    FRONTERA_CHECK(gs1::CheckGtin14(credential->gtin).ok()) << credential->gtin;
    FRONTERA_CHECK(gs1::ParseDate(credential->expiry).ok()) << credential->expiry;
    FRONTERA_CHECK(credential->sscc.empty());
  } else {
    FRONTERA_CHECK(gs1::CheckSscc(credential->sscc).ok()) << credential->sscc;
    FRONTERA_CHECK(credential->gtin.empty());
  }
  const std::string epc = ItemEpc(*credential);
  FRONTERA_CHECK(epc.starts_with(gs1::kIdGs1Org)) << epc;
  if (credential->label) {
    Result<Label> label = ParseLabel(*credential->label);
    FRONTERA_CHECK(label.ok()) << "an accepted credential's label does not parse: "
                               << label.status().ToString();
    FRONTERA_CHECK(CheckLabelMatches(*label, *credential).ok())
        << "an accepted credential's label names another item";
  }
}

}  // namespace
}  // namespace frontera::ledger

FRONTERA_FUZZ_TEXT_TARGET(frontera::ledger::FuzzOne)
