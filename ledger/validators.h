// The validators and observers of a network as the ledger holds them
// (docs/ledger.md#validators): the genesis validators, then those a majority
// of the agencies added, promoted or removed with a registry document
// (docs/formats.md §15). The node turns this set into its Raft membership
// (docs/consensus.md#membership-changes).
//
// Thread-safety: pure functions and values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "ledger/genesis.h"

namespace frontera::ledger {

// A voter takes part in Raft's elections and quorums and co-signs
// checkpoints; an observer replicates the ledger and serves reads and the
// resolver, without a vote.
enum class ValidatorRole { kVoter, kObserver };
std::string_view ValidatorRoleName(ValidatorRole role);

enum class ValidatorStatus { kActive, kRemoved };
std::string_view ValidatorStatusName(ValidatorStatus status);

// One validator or observer (kState "v/<did>" once a document changed it; a
// genesis validator nothing changed is its genesis entry).
struct ValidatorRecord {
  std::string name;  // unique in the network's history; never reused
  std::string did;
  crypto::PublicKey public_key{};
  ValidatorRole role = ValidatorRole::kVoter;
  ValidatorStatus status = ValidatorStatus::kActive;
  std::string peer;  // host:port of its peer link
  std::string api;   // its HTTP API (informational)
  uint64_t raft_id = 0;
  uint64_t leaf_index = 0;              // of the last document that changed it; 0: genesis
  std::vector<std::string> changed_by;  // the agencies that signed that document
  // Every document that changed it: {action, document, leaf_index, block,
  // by, reason?} (at most three: added, promoted, removed).
  crypto::Json history = crypto::Json::array();

  crypto::Json ToJson() const;
  // kCorruption when the stored text does not read back.
  static Result<ValidatorRecord> FromJson(const crypto::Json& json);
};

// The Raft id of the genesis validator at `position` (from 0): position + 1.
uint64_t GenesisRaftId(size_t position);
// The Raft id of a validator added later: 2^32 plus the first four bytes of
// SHA-256(did), big-endian; above every genesis id, and computable by the
// validator itself before it has the ledger.
uint64_t RaftIdForDid(std::string_view did);

// A "host:port" peer address: a host of 1..253 visible ASCII characters
// (no ':' unless bracketed IPv6) and a port in 1..65535.
Status CheckPeerAddress(std::string_view address);

// The genesis validators as records (voters, active, ids by position).
std::vector<ValidatorRecord> GenesisValidators(const Genesis& genesis);

}  // namespace frontera::ledger
