// C2SP signed-note v1.0.0 and tlog-checkpoint v1.0.0.
//
// A note is a UTF-8 text ending in "\n", a blank line, then one line per
// signature: "— <name> <base64(key id[4] ‖ signature)>\n" (U+2014 EM DASH).
// For Ed25519 (algorithm 0x01): key id = SHA-256(name ‖ "\n" ‖ 0x01 ‖ public
// key)[0:4], and the signature is over the note text (everything before the
// blank line, including its final newline).
//
// A checkpoint body is: origin line, decimal tree size, base64 root hash, each
// followed by "\n" (extension lines are allowed by the spec and preserved).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/merkle.h"

namespace frontera::crypto {

using KeyId = std::array<uint8_t, 4>;

KeyId NoteKeyId(std::string_view name, const PublicKey& public_key);

struct NoteVerifier {
  std::string name;
  PublicKey public_key;
};

struct NoteSignature {
  std::string name;
  KeyId key_id;
  Signature signature;
};

struct Note {
  std::string text;  // the signed text, ending in "\n"
  std::vector<NoteSignature> signatures;
};

// The signature line for `text` by `name` with `key` (without the final "\n").
std::string NoteSignatureLine(std::string_view text, std::string_view name, const KeyPair& key);
// Formats a complete note: text, blank line, one line per signature.
std::string FormatNote(const Note& note);
// Signs `text` with every key and formats the note.
// REQUIRES: text is non-empty and ends in "\n"; names contain no spaces or newlines.
std::string SignNote(std::string_view text,
                     const std::vector<std::pair<std::string, const KeyPair*>>& signers);

// Parses a note; rejects malformed lines, more than `signatures_max` lines, and
// texts without the blank separator line. Does not check signatures.
Result<Note> ParseNote(std::string_view encoded, size_t signatures_max = 100);

// The names of the verifiers whose valid signature is on the note (each
// verifier counted once, signatures by unknown keys ignored), in the order of
// `verifiers`.
std::vector<std::string> VerifiedSigners(const Note& note,
                                         const std::vector<NoteVerifier>& verifiers);

struct Checkpoint {
  std::string origin;
  uint64_t tree_size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // extra body lines, without "\n"
};

std::string FormatCheckpointBody(const Checkpoint& checkpoint);
Result<Checkpoint> ParseCheckpointBody(std::string_view text);

}  // namespace frontera::crypto
