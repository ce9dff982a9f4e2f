// `frontera party list` and `frontera party show`: the party registry of a
// network, read from a validator (GET /v1/parties, GET /v1/parties/{did}).
#pragma once

#include <string>

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

// The lines RunPartyShow prints for a party's JSON (GET /v1/parties/{did}).
std::string RenderParty(const crypto::Json& party);

}  // namespace frontera::tools
