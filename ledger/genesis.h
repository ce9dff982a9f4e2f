// Genesis: the founding document of a network (docs/formats.md#genesis). It
// names the network (the checkpoint origin), the validators whose majority
// signs checkpoints, and the parties registered from the start.
//
// Thread-safety: immutable value after parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"

namespace frontera::ledger {

enum class Role { kManufacturer, kShipper, kCarrier, kDistributor, kPharmacy, kImporter, kAgency };

std::string_view RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);

// A licence to trade in one controlled substance (precursor chemicals), as
// the party's national authority granted it.
struct Licence {
  std::string cas_rn;       // the substance: CAS Registry Number, e.g. "345-78-8"
  std::string number;       // the licence number, as the authority wrote it
  std::string valid_from;   // YYYY-MM-DD, inclusive
  std::string valid_until;  // YYYY-MM-DD, inclusive

  // Whether it covers `cas_rn` on `date` (YYYY-MM-DD).
  bool Covers(std::string_view substance, std::string_view date) const {
    return cas_rn == substance && valid_from <= date && date <= valid_until;
  }
};

struct Party {
  std::string did;  // did:key
  crypto::PublicKey public_key{};
  std::string name;
  Role role = Role::kManufacturer;
  std::string country;                // ISO 3166-1 alpha-2
  std::string gln;                    // 13 digits, or empty
  std::vector<std::string> prefixes;  // GS1 company prefixes (manufacturers, shippers)
  std::vector<Licence> licences;      // precursor substances it may export or import
  bool suspended = false;
  // Not in a genesis: for a key its party replaced (the registry, as offline
  // verifiers learn it), the key that replaced it.
  std::string successor;

  crypto::Json ToJson() const;
};

struct Validator {
  std::string name;  // signed-note key name, e.g. "us-cbp"
  std::string did;
  crypto::PublicKey public_key{};
  std::string api_url;    // e.g. "http://127.0.0.1:7001" (informational)
  std::string peer_addr;  // host:port of the peer link, or empty for a single node
};

// An independent witness (C2SP tlog-witness) the validators submit their
// checkpoints to (docs/formats.md#witnesses); its cosignatures are published
// on the checkpoint.
struct Witness {
  std::string name;  // signed-note key name, e.g. "witness.example/w1"
  crypto::PublicKey public_key{};
  std::string key;  // the verifier key as written: name+keyid+base64(0x04 ‖ key)
  std::string url;  // the submission prefix: add-checkpoint is POSTed to <url>/add-checkpoint
};
// Most witnesses a genesis may list (each one is a request per checkpoint
// and a signature line on it).
inline constexpr size_t kWitnessesMax = 16;

// The network's policy on offline verification: a trust bundle whose
// co-signatures a quorum made longer ago than this is STALE BUNDLE
// (docs/formats.md#genesis). Only verifiers read it, against their own clock;
// validation never does.
inline constexpr uint64_t kMaxBundleAgeDefaultSeconds = 7 * 24 * 3600;
inline constexpr uint64_t kMaxBundleAgeMinSeconds = 60;
inline constexpr uint64_t kMaxBundleAgeMaxSeconds = 366 * 24 * 3600;

struct Genesis {
  std::string network;   // checkpoint origin, e.g. "frontera.example/north-america-1"
  std::string created;   // RFC 3339
  std::string resolver;  // Digital Link resolver host, e.g. "verify.frontera.example"
  std::vector<Validator> validators;
  std::vector<Party> parties;
  // "witnesses", optional: the witnesses the validators ask to cosign.
  std::vector<Witness> witnesses;
  // "witness_quorum", optional (0 when absent), at most witnesses.size():
  // how many of the witnesses' cosignatures a verifier requires on a
  // checkpoint (more with `--witnesses K`).
  size_t witness_quorum = 0;
  // "max_bundle_age_seconds", optional (kMaxBundleAgeDefaultSeconds when
  // absent), kMaxBundleAgeMinSeconds to kMaxBundleAgeMaxSeconds.
  std::optional<uint64_t> max_bundle_age_seconds;
  uint64_t MaxBundleAgeSeconds() const {
    return max_bundle_age_seconds.value_or(kMaxBundleAgeDefaultSeconds);
  }

  // The genesis document as parsed, and the SHA-256 of its JCS form: the
  // network's identity.
  crypto::Json document;
  crypto::Hash hash{};

  // Majority of validators needed for a valid checkpoint.
  size_t Quorum() const { return validators.size() / 2 + 1; }
  std::vector<crypto::NoteVerifier> NoteVerifiers() const;
  std::vector<crypto::NoteVerifier> WitnessVerifiers() const;
  const Party* FindParty(std::string_view did) const;
  const Validator* FindValidator(std::string_view name) const;

  crypto::Json ToJson() const;
};

// Reads a party object {did, name, role, country, gln?, prefixes?,
// licences?, suspended?} at `pointer` (the genesis's parties, a registration
// document's party), appending a field error for each bad member.
Party ReadParty(const crypto::Json& object, const std::string& pointer,
                std::vector<FieldError>& errors);

// Parses and validates a genesis document (unique names and DIDs, keys that
// match their DIDs, valid roles and countries, at least one validator).
Result<Genesis> ParseGenesis(const crypto::Json& document);
Result<Genesis> LoadGenesisFile(const std::string& path);

}  // namespace frontera::ledger
