// The genesis entry of an example party (tests/fixtures/examples/parties.json),
// as every test network registers it: its DID, name, role, country, GLN and
// GS1 company prefixes, and, for the two parties that trade the example
// precursor (pseudoephedrine, CAS 345-78-8: the manufacturer exports it, the
// distributor imports it), a licence for it: the manufacturer's valid through
// 2027, the distributor's through June 2027.
#pragma once

#include <string_view>

#include "crypto/json.h"

namespace frontera::testing {

inline crypto::Json ExampleGenesisParty(std::string_view name, const crypto::Json& fixture_party) {
  const crypto::Json& p = fixture_party;
  crypto::Json party = {
      {"did", p["did"]}, {"name", p["name"]}, {"role", p["role"]}, {"country", p["country"]}};
  if (p.contains("gln")) party["gln"] = p["gln"];
  if (p.contains("prefixes")) party["prefixes"] = p["prefixes"];
  if (name == "mx-manufacturer" || name == "us-distributor") {
    party["licences"] = {
        {{"casRn", "345-78-8"},
         {"number", name == "mx-manufacturer" ? "COFEPRIS-PQ-2026-0117" : "DEA-CHEM-2026-RD0042"},
         {"validFrom", "2026-01-01"},
         {"validUntil", name == "mx-manufacturer" ? "2027-12-31" : "2027-06-30"}}};
  }
  return party;
}

}  // namespace frontera::testing
