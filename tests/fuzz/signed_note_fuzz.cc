// Fuzzes C2SP signed-note and checkpoint parsing (crypto/signed_note.h):
// checkpoints arrive from peers (co-signing), from clients and from files.
// Properties: no input crashes, leaks or runs long; signatures_max is
// honoured; a parsed note formats to a note that parses to the same note;
// VerifiedSigners names only the known key, at most once; a parsed checkpoint
// body formats to a body that parses to the same checkpoint.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "crypto/signed_note.h"
#include "tests/fuzz/fuzz_keys.h"

namespace frontera::crypto {
namespace {

constexpr size_t kSmallSignaturesMax = 2;

bool SameNote(const Note& a, const Note& b) {
  if (a.text != b.text || a.signatures.size() != b.signatures.size()) return false;
  for (size_t i = 0; i < a.signatures.size(); ++i) {
    const NoteSignature& x = a.signatures[i];
    const NoteSignature& y = b.signatures[i];
    if (x.name != y.name || x.key_id != y.key_id || x.signature != y.signature) return false;
  }
  return true;
}

bool SameCheckpoint(const Checkpoint& a, const Checkpoint& b) {
  return a.origin == b.origin && a.tree_size == b.tree_size && a.root == b.root &&
         a.extensions == b.extensions;
}

void CheckCheckpointBody(std::string_view text) {
  Result<Checkpoint> checkpoint = ParseCheckpointBody(text);
  if (!checkpoint.ok()) return;
  const std::string formatted = FormatCheckpointBody(*checkpoint);
  Result<Checkpoint> again = ParseCheckpointBody(formatted);
  FRONTERA_CHECK(again.ok()) << "a formatted checkpoint does not parse: "
                             << again.status().ToString();
  FRONTERA_CHECK(SameCheckpoint(*again, *checkpoint)) << "a checkpoint changed across format";
}

void FuzzOne(std::string_view input) {
  static const std::vector<NoteVerifier> verifiers = [] {
    InitCrypto();
    return std::vector<NoteVerifier>{
        {std::string(fuzz::kNoteSignerName), fuzz::NoteSignerKey().public_key()}};
  }();

  CheckCheckpointBody(input);
  Result<Note> note = ParseNote(input);
  Result<Note> small = ParseNote(input, kSmallSignaturesMax);
  if (small.ok()) {
    FRONTERA_CHECK(note.ok()) << "accepted with a small signatures_max, refused by default";
    FRONTERA_CHECK(small->signatures.size() <= kSmallSignaturesMax);
  }
  if (!note.ok()) return;
  FRONTERA_CHECK(!note->text.empty() && note->text.back() == '\n');
  CheckCheckpointBody(note->text);

  const std::vector<std::string> signers = VerifiedSigners(*note, verifiers);
  FRONTERA_CHECK(signers.size() <= 1);
  if (!signers.empty()) FRONTERA_CHECK(signers[0] == fuzz::kNoteSignerName);

  // Lines of other algorithms are dropped by ParseNote, and a note without
  // any signature line does not parse, so only a note keeping one round-trips.
  if (note->signatures.empty()) return;
  const std::string formatted = FormatNote(*note);
  Result<Note> again = ParseNote(formatted);
  FRONTERA_CHECK(again.ok()) << "a formatted note does not parse: " << again.status().ToString();
  FRONTERA_CHECK(SameNote(*again, *note)) << "a note changed across format and parse";
}

}  // namespace
}  // namespace frontera::crypto

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::crypto::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
