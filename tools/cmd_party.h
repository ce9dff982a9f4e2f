// `frontera party list` and `frontera party show`: the party registry of a
// network, read from a validator (GET /v1/parties, GET /v1/parties/{did});
// `frontera party add|suspend|reinstate|rotate`: registry documents signed by
// agencies (or, to change its key, by the party) and posted to POST
// /v1/parties (docs/cli.md#party).
#pragma once

#include <string>
#include <vector>

#include "crypto/json.h"
#include "tools/cli_common.h"

namespace frontera::tools {

struct PartyListOptions {
  std::string node = kDefaultNode;
  std::string role;     // empty: every role
  std::string country;  // empty: every country
  bool json = false;
};

// Every registered party of the role and country, one line each (DID, role,
// country, name; "suspended" when it is), in DID order; with --json the
// parties' JSON array. Reads every page.
int RunPartyList(const PartyListOptions& options, const CommandEnv& env);

struct PartyShowOptions {
  std::string node = kDefaultNode;
  std::string did;
  std::string key;  // a key file: the party of its public key
  bool json = false;
};

// One party as the registry knows it: name, role, country, GLN, GS1 company
// prefixes, precursor licences, suspension; with --json the node's answer.
int RunPartyShow(const PartyShowOptions& options, const CommandEnv& env);

enum class PartyChange { kAdd, kSuspend, kReinstate, kRotate };

struct PartyChangeOptions {
  std::string node = kDefaultNode;
  PartyChange change = PartyChange::kAdd;
  std::string did;  // suspend, reinstate, rotate: the party (or --key)
  std::string key;  // add: the new party's did:key or key file; rotate: the key replaced
  // add:
  std::string role;
  std::string country;
  std::string name;
  std::string gln;
  std::vector<std::string> prefixes;
  std::vector<std::string> licences;  // CAS:NUMBER:VALID_FROM:VALID_UNTIL
  // rotate: the new did:key or key file
  std::string new_key;
  std::string reason;
  // Key files of the signing agencies: one for a party of its country, a
  // majority of the agencies for an agency (a proof each). A rotation
  // without them is signed by --key, the party's current key file.
  std::vector<std::string> agency_keys;
  bool json = false;
};

// Builds the registry document, signs it, checks it as the ledger will and
// posts it; prints the receipt (the party's DID and standing).
int RunPartyChange(const PartyChangeOptions& options, const CommandEnv& env);

// The lines RunPartyShow prints for a party's JSON (GET /v1/parties/{did}).
std::string RenderParty(const crypto::Json& party);

}  // namespace frontera::tools
