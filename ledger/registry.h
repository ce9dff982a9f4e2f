// The party registry on the ledger (docs/ledger.md#registry): the documents
// with which agencies register parties, suspend and reinstate them and
// replace their keys (docs/formats.md §14), and the record the ledger keeps
// of each party.
//
// A registry document is signed JSON with the credentials' Data Integrity
// proof, or a proof set when a majority of the agencies signs:
//   {"@context": [VC 2.0, Frontera], "type": "PartyRegistration" |
//    "PartySuspension" | "PartyReinstatement" | "PartyKeyRotation",
//    "id": "urn:uuid:…", "issuer": "did:key:…",
//    "party": {party object} (registration) | "did:key:…" (the others),
//    "newKey": "did:key:…" (rotation), "reason": "…", "proof": …}
// and for the validators, "type": "ValidatorAddition" | "ValidatorPromotion" |
// "ValidatorRemoval", "validator": {did, name, role, peer, api} (addition) |
// "did:key:…" (the others), always with a proof set.
//
// ParseRegistryDocument checks what depends on the document alone; who may
// sign it is a ledger rule (ledger/state_machine_check.cc).
//
// Thread-safety: pure functions and values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "ledger/genesis.h"
#include "ledger/validators.h"

namespace frontera::ledger {

enum class RegistryAction {
  kRegister,
  kSuspend,
  kReinstate,
  kRotateKey,
  // The validators (docs/formats.md §15), always by a majority of the agencies.
  kAddValidator,
  kPromoteValidator,
  kRemoveValidator,
};

// "PartyRegistration", "PartySuspension", "PartyReinstatement",
// "PartyKeyRotation", "ValidatorAddition", "ValidatorPromotion",
// "ValidatorRemoval".
std::string_view RegistryTypeName(RegistryAction action);

struct RegistryChange {
  RegistryAction action = RegistryAction::kRegister;
  std::string id;         // urn:uuid of the document
  std::string issuer;     // did:key of the first signer
  std::string party_did;  // the party acted on
  Party party;            // kRegister: the party as registered
  std::string new_did;    // kRotateKey: the key that replaces party_did
  std::string reason;     // required to suspend, reinstate and remove; optional otherwise
  // The validator acted on: all fields for kAddValidator (status active,
  // raft_id RaftIdForDid), only did for the other validator actions.
  ValidatorRecord validator;

  bool about_validator() const { return action >= RegistryAction::kAddValidator; }
};

Result<RegistryChange> ParseRegistryDocument(const crypto::Json& document);

// The standing of one DID in the registry.
enum class PartyStatus { kActive, kSuspended, kRetired };
std::string_view PartyStatusName(PartyStatus status);

// A party as the ledger holds it (kState "p/<did>", one record per DID the
// party ever signed with). A genesis party has a record once something
// changed it; until then the genesis is its record.
struct PartyRecord {
  Party party;  // party.suspended == (status == kSuspended)
  PartyStatus status = PartyStatus::kActive;
  std::string origin;         // the DID the party was first registered under
  std::string successor;      // kRetired: the DID that replaced this one
  std::string registered_by;  // the registering agency's DID; empty for the genesis
  // The signers of the suspension in force (empty for one from the genesis);
  // more than one: a majority of the agencies suspended it.
  std::vector<std::string> suspended_by;
  uint64_t changes = 0;     // history entries under the origin (kState "ph/<origin>/<n>")
  uint64_t leaf_index = 0;  // of the last document that changed this DID; 0 for the genesis

  static PartyRecord FromGenesis(const Party& party);
  crypto::Json ToJson() const;
  // The stored text was written by this node's Apply; kCorruption if it does
  // not read back.
  static Result<PartyRecord> FromJson(const crypto::Json& json);
};

// A DID whose standing changed since the genesis (registered, suspended,
// reinstated, retired by a key change), as of the document at leaf_index:
// what the co-signed revocations note tells offline verifiers of the
// registry (docs/formats.md#trust-bundle).
struct RegistryEntry {
  std::string did;
  std::string role;
  std::string country;
  std::string name;
  std::string status;                 // "active" | "suspended" | "retired"
  std::string successor;              // when retired
  std::vector<std::string> prefixes;  // GS1 company prefixes
  uint64_t leaf_index = 0;
};

// "<did> <leaf_index> <JCS of {country, name, prefixes, role, status,
// successor}>\n".
// REQUIRES: every field is well-formed UTF-8.
std::string RegistryLine(const RegistryEntry& entry);
// The entry as the trust bundle lists it: {did, leaf_index, role, country,
// name, prefixes, status, successor}.
crypto::Json RegistryEntryJson(const RegistryEntry& entry);
// SHA-256 of the entries' lines sorted bytewise and concatenated.
crypto::Hash RegistryDigest(const std::vector<RegistryEntry>& entries);

// The parties of `genesis` as `registry` leaves them: a DID it lists takes its
// standing (suspended or not; a retired key stays, for what it signed before
// its party replaced it), a DID the genesis lacks is added with its key.
// REQUIRES: every entry's did and role are valid (VerifyTrustBundle).
Genesis WithRegistry(const Genesis& genesis, const std::vector<RegistryEntry>& registry);

}  // namespace frontera::ledger
