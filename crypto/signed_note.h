// C2SP signed-note v1.0.0 and tlog-checkpoint v1.0.0.
//
// A note is a UTF-8 text ending in "\n", a blank line, then one line per
// signature: "— <name> <base64(key id[4] ‖ signature)>\n" (U+2014 EM DASH).
// For Ed25519 (algorithm 0x01): key id = SHA-256(name ‖ "\n" ‖ 0x01 ‖ public
// key)[0:4], and the signature is over the note text (everything before the
// blank line, including its final newline).
//
// C2SP tlog-cosignature v1.0.0 (Ed25519, algorithm 0x04) adds a signed time:
// key id = SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[0:4], and the signature
// bytes are an 8-byte big-endian POSIX time ‖ an Ed25519 signature over
// "cosignature/v1\ntime <decimal seconds>\n" followed by the note text. The
// validators co-sign this way (docs/formats.md §11); plain 0x01 signatures
// (the independent example checkpoint) still verify, without a time.
//
// A checkpoint body is: origin line, decimal tree size, base64 root hash, each
// followed by "\n" (extension lines are allowed by the spec and preserved).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/merkle.h"

namespace frontera::crypto {

using KeyId = std::array<uint8_t, 4>;

// The signed-note signature types this code verifies.
enum class NoteSignatureType : uint8_t {
  kEd25519 = 0x01,        // signed-note Ed25519: no time
  kCosignatureV1 = 0x04,  // tlog-cosignature Ed25519: a signed time
};

KeyId NoteKeyId(std::string_view name, const PublicKey& public_key,
                NoteSignatureType type = NoteSignatureType::kEd25519);

// signed-note "Format": a key name is well-formed UTF-8, non-empty, with no
// Unicode space and no '+'.
bool IsValidNoteKeyName(std::string_view name);

// The largest time a cosignature may carry (tlog-cosignature: 2^63 - 1).
inline constexpr uint64_t kCosignatureTimeMax = (uint64_t{1} << 63) - 1;

// The message a cosignature/v1 signature is over: "cosignature/v1\n",
// "time <seconds>\n", then `text` (the note text, final newline included).
std::string CosignatureMessage(uint64_t unix_seconds, std::string_view text);

struct NoteVerifier {
  std::string name;
  PublicKey public_key;
};

struct NoteSignature {
  std::string name;
  KeyId key_id;
  Signature signature;
  // Set for a cosignature/v1 line (the signed POSIX time), unset for 0x01.
  std::optional<uint64_t> time;
};

struct Note {
  std::string text;  // the signed text, ending in "\n"
  std::vector<NoteSignature> signatures;
};

// The signature line for `text` by `name` with `key` (without the final "\n").
std::string NoteSignatureLine(std::string_view text, std::string_view name, const KeyPair& key);
// The cosignature/v1 of `text` by `name` with `key` at `unix_seconds`.
// REQUIRES: unix_seconds <= kCosignatureTimeMax; a valid key name.
NoteSignature Cosign(std::string_view text, std::string_view name, const KeyPair& key,
                     uint64_t unix_seconds);
// Formats a complete note: text, blank line, one line per signature.
std::string FormatNote(const Note& note);
// Signs `text` with every key and formats the note.
// REQUIRES: text is non-empty and ends in "\n"; names contain no spaces or newlines.
std::string SignNote(std::string_view text,
                     const std::vector<std::pair<std::string, const KeyPair*>>& signers);

// Cosigns `text` with every key at `unix_seconds` and formats the note.
// Same REQUIRES as SignNote.
std::string CosignNote(std::string_view text,
                       const std::vector<std::pair<std::string, const KeyPair*>>& signers,
                       uint64_t unix_seconds);

// Parses a note; rejects malformed lines, more than `signatures_max` lines, and
// texts without the blank separator line. Does not check signatures. Lines
// whose decoded size is neither an Ed25519 signature (4 + 64 bytes) nor a
// cosignature (4 + 8 + 64) are skipped (they cannot verify); a cosignature
// with a time above kCosignatureTimeMax is malformed.
Result<Note> ParseNote(std::string_view encoded, size_t signatures_max = 100);

// The names of the verifiers whose valid signature is on the note (each
// verifier counted once, signatures by unknown keys ignored), in the order of
// `verifiers`.
std::vector<std::string> VerifiedSigners(const Note& note,
                                         const std::vector<NoteVerifier>& verifiers);

struct VerifiedSignature {
  std::string name;
  std::optional<uint64_t> time;  // the signed time of a cosignature/v1
};
// The same, with the time each verifier signed at: of the verifier's valid
// signatures, the cosignature with the latest time, else its 0x01 signature
// (no time).
std::vector<VerifiedSignature> VerifiedCosigners(const Note& note,
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
