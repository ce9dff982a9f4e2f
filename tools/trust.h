// The inspector's trust bundle (docs/cli.md#trust): what `frontera verify`
// needs to judge a label with no network, every part of it verifiable against
// the genesis file alone.
//
//   {"format": "frontera-trust-bundle/3",
//    "genesis": {…}, "genesis_hash": "<base64 SHA-256 of JCS(genesis)>",
//    "checkpoint": "<C2SP signed note>",
//    "revocations": {"note": "<signed note>",
//                    "entries": [{"certificate", "item", "leaf_index", "reason"}, …],
//                    "registry": [{"did", "leaf_index", "role", "country", "name",
//                                  "prefixes", "status", "successor"}, …],
//                    "flags": [{"certificate", "item", "flag", "leaf_index", "reason"}, …]},
//    "synced_at": "<RFC 3339>"}          (only in the stored file; not signed,
//                                         shown as information only)
//
// The validators co-sign both notes as C2SP tlog-cosignatures (a signed POSIX
// time each, crypto/signed_note.h): the bundle's age is the time a quorum of
// them vouch for (TrustBundle::signed_time), never the file's "synced_at".
//
// The revocation note's text is
//   "<network> revocations/3\n<tree_size>\n<count>\n<base64 digest>\n
//    <registry count>\n<base64 registry digest>\n<flag count>\n<base64 flag digest>\n"
// where digest = SHA-256 of the lines
//   "<certificate> <item> <leaf_index> <reason as an RFC 8785 JSON string>\n"
// of the entries sorted bytewise and concatenated, the registry digest that
// of ledger::RegistryLine of the registry entries (every DID whose standing
// changed since the genesis: parties registered, suspended, reinstated, keys
// replaced), the flag digest that of ledger::FlagLine of the DSCSA flags in
// force, and tree_size is the checkpoint's. Both notes are valid when a
// majority of the genesis validators signed them.
//
// Formats 2 (before the registry) and 1 (before revocation reasons) are still
// read, so that a file synced by an older build keeps working offline: a /2
// note's first line is "<network> revocations/2" and it has no registry lines
// (TrustBundle::registry_known is false); a /1 bundle's entries have no
// "reason", its note's first line is "<network> revocations" and its digested
// lines "<certificate> <item> <leaf_index>\n" (reasons_known is false).
//
// Thread-safety: pure functions, except the file functions, which touch only
// the paths given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "ledger/flags.h"
#include "ledger/genesis.h"
#include "ledger/item_filter.h"
#include "ledger/registry.h"
#include "ledger/voter_chain.h"

namespace frontera::tools {

// The format written by this build and the older one it still reads.
inline constexpr char kTrustBundleFormat[] = "frontera-trust-bundle/4";
inline constexpr char kTrustBundleFormatV3[] = "frontera-trust-bundle/3";
inline constexpr char kTrustBundleFormatV2[] = "frontera-trust-bundle/2";
inline constexpr char kTrustBundleFormatV1[] = "frontera-trust-bundle/1";
inline constexpr int kTrustBundleVersion = 4;
// Most registry entries a bundle may carry.
inline constexpr size_t kRegistryEntriesMax = 1'000'000;
// Most revocation entries a bundle may carry (bounds memory and parsing).
inline constexpr size_t kRevocationEntriesMax = 1'000'000;
// Largest trust file LoadTrustFile reads and parses: room for the entries
// above (a file of ParseJson's default 1 MiB holds only some 7,000
// revocations).
inline constexpr size_t kTrustFileBytesMax = size_t{256} << 20;
// Most bytes of a revocation reason: the ledger allows 500 characters
// (docs/formats.md §9), of at most 4 bytes each in UTF-8.
inline constexpr size_t kRevocationReasonBytesMax = 2000;
// Largest certified-item filter encoding a bundle may carry (its base64 is
// 4/3 of it, within kTrustFileBytesMax): about 59 million items.
inline constexpr size_t kBundleItemFilterBytesMax = size_t{64} << 20;

struct RevocationEntry {
  std::string certificate;  // credential id, e.g. "urn:uuid:…"
  std::string item;         // credentialSubject.id on id.gs1.org
  uint64_t leaf_index = 0;  // leaf of the revocation in the ledger log
  std::string reason;       // the revocation document's "reason"; empty in a /1 bundle

  // A format 1 entry has no reason, hence its default.
  RevocationEntry() = default;
  RevocationEntry(std::string certificate, std::string item, uint64_t leaf_index,
                  std::string reason = {})
      : certificate(std::move(certificate)),
        item(std::move(item)),
        leaf_index(leaf_index),
        reason(std::move(reason)) {}
};

// A bundle that passed VerifyTrustBundle. Every field is as verified.
struct TrustBundle {
  crypto::Json document;  // the bundle as received (without synced_at)
  ledger::Genesis genesis;
  std::string checkpoint;  // signed note
  uint64_t tree_size = 0;  // of the checkpoint (and of the revocation note)
  crypto::Hash root{};     // of the checkpoint
  std::vector<std::string> checkpoint_signers;
  // The genesis witnesses whose cosignature/v1 on the checkpoint verifies
  // (C2SP tlog-witness, docs/formats.md#witnesses), in genesis order.
  std::vector<std::string> witness_cosigners;
  std::string revocation_note;
  std::vector<RevocationEntry> revocations;
  // The registry's changes since the genesis, as of the checkpoint, and the
  // parties they leave (ledger::WithRegistry): whom labels and documents are
  // checked against.
  std::vector<ledger::RegistryEntry> registry;
  ledger::Genesis directory;
  // The voters after the checkpoint's block, followed from the genesis
  // validators along `voter_changes` (format 4; the genesis validators
  // before): whose signatures the checkpoint and note carry. `directory`
  // has them as its validators.
  ledger::Voters voters;
  std::vector<ledger::VoterChange> voter_changes;
  // The DSCSA flags in force at the checkpoint (format 3).
  std::vector<ledger::FlagEntry> flags;
  bool flags_known = true;  // false before format 3
  // 4; 3 before the voter chain; 2 for a bundle synced before the registry; 1 before revocation
  // reasons.
  int format_version = kTrustBundleVersion;
  // False for a format 1 or 2 bundle: it does not say which parties were
  // registered or suspended after the genesis (run `frontera trust sync`).
  bool registry_known = true;
  // False for a format 1 bundle: its revocations carry no reason, so a recall
  // cannot be told from another revocation (run `frontera trust sync`).
  bool reasons_known = true;
  // The time (POSIX seconds) the bundle's co-signatures vouch for: of each
  // co-signed note (checkpoint, revocation note), the time a quorum of the
  // voters signed at or after (QuorumSignedTime in tools/verify.h), and of
  // those the oldest. Unset when a note has fewer than a quorum of
  // timestamped co-signatures (a bundle from before them): its age is
  // unknown, and CheckBundleAge calls it stale.
  std::optional<uint64_t> signed_time;
  // The certified-item filter (docs/formats.md §16), when the bundle carries
  // one ("item_filter": {note, filter}): the items certified in the first
  // item_filter_tree_size leaves (<= tree_size), as a majority of the voters
  // signed. Unset for a bundle from a validator without filters: inclusion
  // is then not checked offline.
  std::optional<ledger::ItemFilter> item_filter;
  uint64_t item_filter_tree_size = 0;
  std::string item_filter_note;
  // Set by LoadTrustFile (from "synced_at", when it is a date); 0 and empty
  // for a fresh bundle. Not signed: information only, never trusted.
  std::string synced_at;
  int64_t synced_at_millis = 0;

  // The entry revoking the item or certificate, or nullptr.
  const RevocationEntry* FindRevocation(std::string_view item) const;
  // The registry entry of `did` (a DID whose standing changed since the
  // genesis), or nullptr.
  const ledger::RegistryEntry* FindRegistryEntry(std::string_view did) const;
  // The flags in force on the item or certificate.
  std::vector<ledger::FlagEntry> FindFlags(std::string_view item) const;
};

// SHA-256 of the sorted lines of `entries` in format `version` (see above):
// "<certificate> <item> <leaf_index> <reason as a JSON string>\n" for 2,
// "<certificate> <item> <leaf_index>\n" for 1.
// REQUIRES: version is 1 to 4 (2 to 4 digest alike); every reason is
// well-formed UTF-8.
crypto::Hash RevocationDigest(const std::vector<RevocationEntry>& entries,
                              int version = kTrustBundleVersion);
// The text of the revocation note for these entries (and, from format 3,
// these registry entries and flags; from format 4, these voters) at
// `tree_size`, in format `version`. Same REQUIRES.
std::string RevocationNoteText(std::string_view network, uint64_t tree_size,
                               const std::vector<RevocationEntry>& entries,
                               int version = kTrustBundleVersion,
                               const std::vector<ledger::RegistryEntry>& registry = {},
                               const std::vector<ledger::FlagEntry>& flags = {},
                               const ledger::Voters& voters = {});

// Verifies `bundle` (the answer of GET /v1/trust-bundle, or a stored file of
// an older format) against the root of trust `genesis_hash` (the hash of the
// user's genesis file): its genesis hashes to it, its voter chain leads from
// the genesis validators to its voters (ledger::FollowVoterChanges), the
// checkpoint's origin is the network and a majority of the voters signed
// it, the revocation note is majority-signed for the same tree size, and its
// counts and digests match the entries (their reasons included, from format
// 2) and the voters (format 4). kFailedPrecondition with the
// reasons when it does not verify; kInvalidArgument (with the JSON pointer) when it is malformed.
Result<TrustBundle> VerifyTrustBundle(const crypto::Json& bundle, const crypto::Hash& genesis_hash);

// The k-of-witnesses policy (docs/cli.md#witnesses): the checkpoint must
// carry valid cosignatures of at least max(genesis witness_quorum,
// `required`) of the genesis's witnesses. kFailedPrecondition saying how
// many it carries, of whom, and how many were required; OK when none are.
Status CheckWitnessQuorum(const TrustBundle& bundle, size_t required);

// OK iff `next` extends `previous`: same genesis, tree size not smaller, and
// (for a larger tree) `proof` is an RFC 9162 consistency proof from the
// previous root to the next one; equal sizes need equal roots. A node that
// forked or rewrote history fails here. kFailedPrecondition with the reason.
Status CheckBundleConsistency(const TrustBundle& previous, const TrustBundle& next,
                              const std::vector<crypto::Hash>& proof);

// Parses {first, second, proof: [base64…]} (GET /v1/proofs/consistency),
// checking first and second are the sizes asked for.
Result<std::vector<crypto::Hash>> ParseConsistencyAnswer(const crypto::Json& answer, uint64_t first,
                                                         uint64_t second);

// Whether a bundle is too old to vouch for what it does not list
// (docs/cli.md#offline-freshness): older than its genesis's max_bundle_age at
// the verifier's clock `now_unix_millis`, judged by the signed time alone.
struct BundleAge {
  bool stale = false;
  int64_t age_millis = 0;  // now - signed_time (0 for a time ahead of the clock)
  uint64_t max_age_seconds = 0;
  std::string reason;  // when stale
};
BundleAge CheckBundleAge(const TrustBundle& bundle, int64_t now_unix_millis);

// The newest checkpoint this verifier accepted for a network, kept in a state
// file beside the bundle (`trust-seen.json` in its directory):
//   {"format": "frontera-trust-seen/1",
//    "networks": {"<base64 genesis hash>": {"tree_size", "root", "signed_time"}}}
// LoadTrustFile and WriteTrustFile refuse a bundle whose checkpoint is older
// (smaller tree, or the same size with another root) and remember a newer one.
struct SeenCheckpoint {
  uint64_t tree_size = 0;
  crypto::Hash root{};
  uint64_t signed_time = 0;  // 0 when the bundle had none
};
inline constexpr char kSeenCheckpointFile[] = "trust-seen.json";
std::string SeenCheckpointPath(const std::string& trust_path);
// The network's entry; nullopt when none (or no file). kCorruption for a file
// that is not a state file.
Result<std::optional<SeenCheckpoint>> ReadSeenCheckpoint(const std::string& state_path,
                                                         const crypto::Hash& genesis_hash);
// kFailedPrecondition naming both tree sizes when `bundle` is older than `seen`.
Status CheckNotOlderThanSeen(const TrustBundle& bundle, const std::optional<SeenCheckpoint>& seen);
// Remembers `bundle`'s checkpoint when it is newer than the one remembered
// (durably: written beside, fsynced, renamed). kIOError naming the path.
Status RecordSeenCheckpoint(const std::string& state_path, const TrustBundle& bundle);

// $FRONTERA_TRUST, else ~/.frontera/trust.json.
std::string DefaultTrustPath();

// Writes the bundle with "synced_at" = `synced_at` (RFC 3339, information
// only) to `path`, replacing an older file atomically (write beside it,
// fsync, rename); creates the parent directory (mode 0700) when missing;
// then remembers its checkpoint (RecordSeenCheckpoint). Refuses a bundle
// older than the one remembered (kFailedPrecondition). kIOError naming the path.
Status WriteTrustFile(const std::string& path, const TrustBundle& bundle,
                      const std::string& synced_at);

// Reads `path` and re-verifies it with VerifyTrustBundle (a bundle edited on
// disk is refused with the reason), refuses it when its checkpoint is older
// than the newest seen (CheckNotOlderThanSeen, kFailedPrecondition) and
// remembers it when newer. "synced_at" is read as information only.
// kNotFound when there is no file.
Result<TrustBundle> LoadTrustFile(const std::string& path, const crypto::Hash& genesis_hash);

// "42 s", "3 min", "3 h", "2 d" (floor; negative ages read "0 s").
std::string DescribeAge(int64_t age_millis);

// For `frontera trust show`: network, genesis hash, checkpoint size and
// signers, revocation count and the bundle's age at `now_unix_millis`.
std::string RenderTrustBundle(const TrustBundle& bundle, int64_t now_unix_millis);

}  // namespace frontera::tools
