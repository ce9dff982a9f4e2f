// Who co-signs each block's notes, and the chain of co-signed notes that
// hands that duty from one set of voters to the next
// (docs/consensus.md#checkpoint-co-signing, docs/formats.md §11).
//
// The notes of block h (checkpoint, revocations, state) are signed by a
// majority of the voters in force after block h. When block h changes the
// voters (a voter added, promoted or removed), its notes are also signed by a
// majority of the voters before it: that revocations note, which names the
// new voters by a digest, is a link of the chain. Starting from the genesis
// validators, anyone holding the links can tell which keys sign a later
// checkpoint.
//
// Thread-safety: pure functions and values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/genesis.h"
#include "ledger/validators.h"

namespace frontera::ledger {

// Voters in the validator set's order (the genesis's, then as added).
using Voters = std::vector<Validator>;

// The voters after block `height` (0: the genesis state), from the records'
// history (each change names its block).
Voters VotersAfter(const std::vector<ValidatorRecord>& set, uint64_t height);
// The blocks after which the voters differ from those before, ascending.
std::vector<uint64_t> VoterChangeHeights(const std::vector<ValidatorRecord>& set);

// Whether the two lists hold the same voters (names and DIDs) in the same order.
bool SameVoters(const Voters& a, const Voters& b);

// The digest a revocations note gives of its voters: SHA-256 of the lines
// "<name> <did>\n", sorted bytewise and concatenated.
crypto::Hash VotersDigest(const Voters& voters);
// [{"name", "did"}, …] and back; the reader checks an untrusted list (at
// most kVotersMax, each DID a did:key, names unique) naming `pointer`.
crypto::Json VotersJson(const Voters& voters);
Result<Voters> VotersFromJson(const crypto::Json& json, const std::string& pointer);
inline constexpr size_t kVotersMax = 256;

// The signers a block's notes need: a majority of `before` and a majority of
// `after` (the same list unless the block changed the voters).
struct NoteQuorum {
  Voters before;
  Voters after;

  // A voter of either list by name; nullptr when neither has it.
  const Validator* Find(std::string_view name) const;
  // Whether `names` hold a majority of both lists.
  bool Met(const std::vector<std::string>& names) const;
  // Every voter once, `before` first: the order signatures are written in.
  Voters All() const;
  // "a majority of the 3 voters (2)", or with the change "… and of the 4 voters after it (3)".
  std::string Describe() const;
};

// Checks `note`'s signatures against `quorum`; returns the verified signer
// names. kPermissionDenied (naming what signed and what was needed) when the
// quorum is not met.
Result<std::vector<std::string>> VerifyNoteQuorum(const crypto::Note& note,
                                                  const NoteQuorum& quorum);

// The tree size, voter count and digest a revocations/4 note (docs/formats.md §11)
// states in its last two lines. kInvalidArgument when `text` is not a
// revocations/4 note body of `network`.
struct NoteVoters {
  uint64_t tree_size = 0;  // line 2
  uint64_t count = 0;
  crypto::Hash digest{};
};
Result<NoteVoters> ParseNoteVoters(std::string_view text, std::string_view network);

// One link: the revocations note of a block that changed the voters, signed
// by a majority of the voters before it and of `voters`, the voters after.
struct VoterChange {
  uint64_t height = 0;
  std::string note;
  Voters voters;

  bool operator==(const VoterChange& other) const {
    return height == other.height && note == other.note && SameVoters(voters, other.voters);
  }
};
crypto::Json VoterChangeJson(const VoterChange& change);
Result<VoterChange> VoterChangeFromJson(const crypto::Json& json, const std::string& pointer);
// Most links a chain may hold (each voter change is one; the set holds at
// most ledger.validators_max records, each changed at most three times).
inline constexpr size_t kVoterChangesMax = 1024;

// Follows `changes` (ascending heights) from the genesis validators: each
// link's note must be a revocations/4 note of the network naming its voters
// and be signed by a majority of the voters before it and of its own.
// Returns the voters after the last link. kPermissionDenied /
// kInvalidArgument naming the link (`pointer`/i) and what was wrong.
Result<Voters> FollowVoterChanges(const Genesis& genesis, const std::vector<VoterChange>& changes,
                                  const std::string& pointer);

// `genesis` with `voters` as its validators: what a checkpoint of a later
// block is verified against (Genesis::Quorum, NoteVerifiers).
Genesis WithVoters(const Genesis& genesis, const Voters& voters);

}  // namespace frontera::ledger
