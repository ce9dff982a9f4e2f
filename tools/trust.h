// The inspector's trust bundle (docs/cli.md#trust): what `frontera verify`
// needs to judge a label with no network, every part of it verifiable against
// the genesis file alone.
//
//   {"format": "frontera-trust-bundle/1",
//    "genesis": {…}, "genesis_hash": "<base64 SHA-256 of JCS(genesis)>",
//    "checkpoint": "<C2SP signed note>",
//    "revocations": {"note": "<signed note>",
//                    "entries": [{"certificate", "item", "leaf_index"}, …]},
//    "synced_at": "<RFC 3339>"}          (only in the stored file)
//
// The revocation note's text is
//   "<network> revocations\n<tree_size>\n<count>\n<base64 digest>\n"
// where digest = SHA-256 of the lines "<certificate> <item> <leaf_index>\n" of the entries
// sorted bytewise and concatenated, and tree_size is the checkpoint's. Both
// notes are valid when a majority of the genesis validators signed them.
//
// Thread-safety: pure functions, except the file functions, which touch only
// the paths given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "ledger/genesis.h"

namespace frontera::tools {

inline constexpr char kTrustBundleFormat[] = "frontera-trust-bundle/1";
// Most revocation entries a bundle may carry (bounds memory and parsing).
inline constexpr size_t kRevocationEntriesMax = 1'000'000;

struct RevocationEntry {
  std::string certificate;  // credential id, e.g. "urn:uuid:…"
  std::string item;         // credentialSubject.id on id.gs1.org
  uint64_t leaf_index = 0;  // leaf of the revocation in the ledger log
};

// A bundle that passed VerifyTrustBundle. Every field is as verified.
struct TrustBundle {
  crypto::Json document;  // the bundle as received (without synced_at)
  ledger::Genesis genesis;
  std::string checkpoint;  // signed note
  uint64_t tree_size = 0;  // of the checkpoint (and of the revocation note)
  crypto::Hash root{};     // of the checkpoint
  std::vector<std::string> checkpoint_signers;
  std::string revocation_note;
  std::vector<RevocationEntry> revocations;
  // Set by LoadTrustFile (from "synced_at"); 0 and empty for a fresh bundle.
  std::string synced_at;
  int64_t synced_at_millis = 0;

  // The entry revoking the item or certificate, or nullptr.
  const RevocationEntry* FindRevocation(std::string_view item) const;
};

// SHA-256 of the sorted "<certificate> <item> <leaf_index>\n" lines (see above).
crypto::Hash RevocationDigest(const std::vector<RevocationEntry>& entries);
// The text of the revocation note for these entries at `tree_size`.
std::string RevocationNoteText(std::string_view network, uint64_t tree_size,
                               const std::vector<RevocationEntry>& entries);

// Verifies `bundle` (the answer of GET /v1/trust-bundle, or a stored file)
// against the root of trust `genesis_hash` (the hash of the user's genesis
// file): its genesis hashes to it, the checkpoint's origin is the network and
// a majority of the genesis validators signed it, the revocation note is
// majority-signed for the same tree size, and its count and digest match the
// entries. kFailedPrecondition with the reasons when it does not verify;
// kInvalidArgument (with the JSON pointer) when it is malformed.
Result<TrustBundle> VerifyTrustBundle(const crypto::Json& bundle, const crypto::Hash& genesis_hash);

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

// $FRONTERA_TRUST, else ~/.frontera/trust.json.
std::string DefaultTrustPath();

// Writes the bundle with "synced_at" = `synced_at` (RFC 3339) to `path`,
// replacing an older file atomically (write beside it, fsync, rename); creates
// the parent directory (mode 0700) when missing. kIOError naming the path.
Status WriteTrustFile(const std::string& path, const TrustBundle& bundle,
                      const std::string& synced_at);

// Reads `path` and re-verifies it with VerifyTrustBundle (a bundle edited on
// disk is refused with the reason); also requires a valid "synced_at".
// kNotFound when there is no file.
Result<TrustBundle> LoadTrustFile(const std::string& path, const crypto::Hash& genesis_hash);

// "42 s", "3 min", "3 h", "2 d" (floor; negative ages read "0 s").
std::string DescribeAge(int64_t age_millis);

// For `frontera trust show`: network, genesis hash, checkpoint size and
// signers, revocation count and the bundle's age at `now_unix_millis`.
std::string RenderTrustBundle(const TrustBundle& bundle, int64_t now_unix_millis);

}  // namespace frontera::tools
