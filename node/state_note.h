// The state note: what every validator signs after applying a block, beside
// the checkpoint and revocations notes, so that a majority vouches for the
// whole ledger state at that block and not only for its Merkle log
// (docs/consensus.md#state-notes). A snapshot carries the note of its block;
// a receiver installs it only when the roots it recomputes from the
// received files equal the note's, and a majority of validators signed it.
//
// Body (C2SP signed-note text; every line ends in "\n"):
//   <network>/state
//   <block height, decimal>
//   <Raft log index, decimal> <Raft term, decimal>   (the block's entry)
//   <block hash, base64>
//   <tree size, decimal>
//   <Merkle log root, base64>
//   <state root, base64>
//
// Thread-safety: free functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/genesis.h"

namespace frontera::node {

struct StateNoteBody {
  std::string origin;  // "<network>/state"
  uint64_t height = 0;
  uint64_t log_index = 0;
  uint64_t log_term = 0;
  crypto::Hash block_hash{};
  uint64_t tree_size = 0;
  crypto::Hash log_root{};
  crypto::Hash state_root{};

  bool operator==(const StateNoteBody&) const = default;
};

std::string FormatStateNoteBody(const StateNoteBody& body);
// kInvalidArgument naming the line for anything but the exact format.
Result<StateNoteBody> ParseStateNoteBody(std::string_view text);

// The longest state note body a peer may send (bytes).
inline constexpr size_t kStateNoteBodyBytesMax = 1024;

// Parses `note` (a complete signed note) whose body is a state note of
// `network`. Its signatures are not checked: the caller checks them against
// the voters of its block (ledger::VerifyNoteQuorum). kInvalidArgument.
struct ParsedStateNote {
  crypto::Note note;
  StateNoteBody body;
};
Result<ParsedStateNote> ParseStateNote(std::string_view note, std::string_view network);

}  // namespace frontera::node
