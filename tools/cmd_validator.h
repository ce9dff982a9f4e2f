// `frontera validator list`: the network's validators and observers and the
// Raft membership, read from a validator (GET /v1/validators);
// `frontera validator add|promote|remove`: validator documents
// (docs/formats.md §15) signed by a majority of the agencies and posted to
// POST /v1/validators (docs/cli.md#validators).
#pragma once

#include <string>
#include <vector>

#include "crypto/json.h"
#include "tools/cli_common.h"

namespace frontera::tools {

struct ValidatorListOptions {
  std::string node = kDefaultNode;
  bool json = false;
};

// One line per validator the ledger lists (name, role, status, what the
// answering node's Raft membership makes of it, Raft id, DID), then
// "voters: …" and "observers: …"; with --json the node's answer.
int RunValidatorList(const ValidatorListOptions& options, const CommandEnv& env);

// The lines RunValidatorList prints for a GET /v1/validators answer.
std::string RenderValidatorList(const crypto::Json& answer);

enum class ValidatorChange { kAdd, kPromote, kRemove };

struct ValidatorChangeOptions {
  std::string node = kDefaultNode;
  ValidatorChange change = ValidatorChange::kAdd;
  // The validator: its did:key or a key file (only its public key is read).
  // add: --key; promote, remove: the VALIDATOR argument.
  std::string key;
  // add:
  std::string name;    // lowercase letters, digits, '-', '.', '_'
  std::string role;    // voter | observer
  std::string peer;    // host:port of its peer link
  std::string api;     // http(s) URL of its API, or empty
  std::string reason;  // required to remove; optional otherwise
  // Key files of the signing agencies, a majority of them (a proof each);
  // the first is the document's issuer.
  std::vector<std::string> agency_keys;
  bool json = false;
};

// Builds the ValidatorAddition, ValidatorPromotion or ValidatorRemoval,
// signs it with every agency key, checks it as the ledger will (a bad field
// names its flag; nothing is sent) and posts it; prints the receipt (the
// validator's DID).
int RunValidatorChange(const ValidatorChangeOptions& options, const CommandEnv& env);

}  // namespace frontera::tools
