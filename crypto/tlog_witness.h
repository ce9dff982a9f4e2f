// C2SP tlog-witness (the log's side of add-checkpoint) and the witness keys
// of C2SP signed-note "verifier keys" (docs/formats.md §17).
//
// A log POSTs to `<witness URL>/add-checkpoint` a body of: "old <size>\n",
// the RFC 6962 consistency proof from that size to the checkpoint's (base64,
// one hash a line, at most 63, none when old is 0), an empty line, then the
// signed checkpoint note. The witness answers 200 with its cosignature lines
// (tlog-cosignature/v1, crypto/signed_note.h), 409 with its own recorded size
// ("<decimal>\n", Content-Type text/x.tlog.size) when `old` is not it, and
// 400/403/404/422 for a bad request, no valid log signature, an unknown
// origin or a proof that does not verify.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"

namespace frontera::crypto {

// tlog-witness: a client sends at most 63 consistency proof lines.
inline constexpr size_t kWitnessProofLinesMax = 63;
// The 409 answer's media type.
inline constexpr char kTlogSizeContentType[] = "text/x.tlog.size";

// Parses a verifier key "<name>+<8 hex digits key id>+<base64(type ‖ key)>"
// of an Ed25519 cosigner: type 0x04 (tlog-cosignature), or 0x01 (the same
// key written as a signed-note key). The key id must be the one of its
// type. kInvalidArgument saying what is wrong.
Result<NoteVerifier> ParseCosignerVkey(std::string_view vkey);
// The type 0x04 verifier key of `name` and `public_key`.
// REQUIRES: a valid key name (no spaces, no '+').
std::string FormatCosignerVkey(std::string_view name, const PublicKey& public_key);

// The add-checkpoint request body. REQUIRES: proof.size() <= kWitnessProofLinesMax,
// proof empty when old_size is 0; checkpoint_note is a signed note.
std::string AddCheckpointBody(uint64_t old_size, const std::vector<Hash>& proof,
                              std::string_view checkpoint_note);

// A witness's answer to add-checkpoint, read.
struct AddCheckpointAnswer {
  enum class Kind {
    kCosigned,  // 200: `cosignatures` verified against the witness's key
    kConflict,  // 409 with a size: the witness's recorded tree size is `witness_size`
    kRefused,   // any other status: `reason` says which (the body, shortened, included)
  };
  Kind kind = Kind::kRefused;
  // The witness's cosignature/v1 on the checkpoint (one line: of several
  // valid ones, the latest).
  std::vector<NoteSignature> cosignatures;
  uint64_t witness_size = 0;
  int status = 0;
  std::string reason;
};

// Reads the answer (`status`, `content_type`, `body`) of `witness` to an
// add-checkpoint of the note whose text is `checkpoint_text`. A 200 whose
// lines hold no valid cosignature/v1 of `witness` over that text (another
// name, another key, a bad signature, not signature lines at all), and a 409
// whose body is not a size, are kInvalidArgument: the witness answered
// something it should not have (signatures by other keys are ignored, as the
// spec asks).
Result<AddCheckpointAnswer> ReadAddCheckpointAnswer(int status, std::string_view content_type,
                                                    std::string_view body,
                                                    std::string_view checkpoint_text,
                                                    const NoteVerifier& witness);

// The names of `witnesses` with a valid cosignature/v1 (a signed time) on
// `note`, each once, in the order of `witnesses`. Plain 0x01 signatures do
// not count: a witness vouches for consistency only by a cosignature.
std::vector<std::string> VerifiedWitnesses(const Note& note,
                                           const std::vector<NoteVerifier>& witnesses);

}  // namespace frontera::crypto
