#include "crypto/signed_note.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"

namespace frontera::crypto {

namespace {

// signed-note "Signatures": em dash (U+2014, UTF-8 e2 80 94) and a space.
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";
constexpr size_t kEd25519BlobBytes = 4 + 64;
constexpr size_t kCosignatureBlobBytes = 4 + 8 + 64;

// Decodes the code point at text[i] of well-formed UTF-8 and advances i.
char32_t NextCodePoint(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<char32_t>(static_cast<uint8_t>(text[k])); };
  char32_t c = byte(i);
  if (c < 0x80) {
    i += 1;
    return c;
  }
  if (c < 0xE0) {
    char32_t cp = ((c & 0x1F) << 6) | (byte(i + 1) & 0x3F);
    i += 2;
    return cp;
  }
  if (c < 0xF0) {
    char32_t cp = ((c & 0x0F) << 12) | ((byte(i + 1) & 0x3F) << 6) | (byte(i + 2) & 0x3F);
    i += 3;
    return cp;
  }
  char32_t cp = ((c & 0x07) << 18) | ((byte(i + 1) & 0x3F) << 12) | ((byte(i + 2) & 0x3F) << 6) |
                (byte(i + 3) & 0x3F);
  i += 4;
  return cp;
}

// Unicode White_Space characters (what Go's unicode.IsSpace, used by the
// reference implementation, reports), which a key name must not contain.
bool IsUnicodeSpace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// signed-note "Format": key names are non-empty, with no Unicode spaces and
// no plus sign. REQUIRES: name is well-formed UTF-8.
bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  size_t i = 0;
  while (i < name.size()) {
    char32_t c = NextCodePoint(name, i);
    if (c == '+' || IsUnicodeSpace(c)) return false;
  }
  return true;
}

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed signed note: " + why);
}

}  // namespace

bool IsValidNoteKeyName(std::string_view name) {
  return IsWellFormedUtf8(name) && IsValidKeyName(name);
}

KeyId NoteKeyId(std::string_view name, const PublicKey& public_key, NoteSignatureType type) {
  // signed-note "Ed25519 signatures": SHA-256(name || 0x0A || 0x01 || key)[:4];
  // tlog-cosignature the same with 0x04.
  Sha256Hasher hasher;
  hasher.Update(name);
  const uint8_t separator[2] = {'\n', static_cast<uint8_t>(type)};
  hasher.Update(ByteView(separator, 2));
  hasher.Update(ByteView(public_key.data(), public_key.size()));
  Sha256Digest digest = hasher.Finish();
  return KeyId{digest[0], digest[1], digest[2], digest[3]};
}

std::string NoteSignatureLine(std::string_view text, std::string_view name, const KeyPair& key) {
  FRONTERA_CHECK(IsWellFormedUtf8(name) && IsValidKeyName(name)) << "bad note key name " << name;
  // The signed message is the note text, final newline included.
  Signature signature = key.Sign(text);
  KeyId key_id = NoteKeyId(name, key.public_key());
  Bytes blob(key_id.begin(), key_id.end());
  blob.insert(blob.end(), signature.begin(), signature.end());
  std::string line(kSignaturePrefix);
  line += name;
  line += ' ';
  line += Base64Encode(blob);
  return line;
}

std::string CosignatureMessage(uint64_t unix_seconds, std::string_view text) {
  std::string message = "cosignature/v1\ntime ";
  message += std::to_string(unix_seconds);
  message += '\n';
  message += text;
  return message;
}

NoteSignature Cosign(std::string_view text, std::string_view name, const KeyPair& key,
                     uint64_t unix_seconds) {
  FRONTERA_CHECK(IsWellFormedUtf8(name) && IsValidKeyName(name)) << "bad note key name " << name;
  FRONTERA_CHECK(unix_seconds <= kCosignatureTimeMax) << "cosignature time out of range";
  return NoteSignature{std::string(name),
                       NoteKeyId(name, key.public_key(), NoteSignatureType::kCosignatureV1),
                       key.Sign(CosignatureMessage(unix_seconds, text)), unix_seconds};
}

std::string FormatNote(const Note& note) {
  std::string out = note.text;
  out += '\n';
  for (const NoteSignature& s : note.signatures) {
    Bytes blob(s.key_id.begin(), s.key_id.end());
    if (s.time) {
      // timestamped_signature: u64 big-endian time, then the signature.
      for (int shift = 56; shift >= 0; shift -= 8) {
        blob.push_back(static_cast<uint8_t>(*s.time >> shift));
      }
    }
    blob.insert(blob.end(), s.signature.begin(), s.signature.end());
    out += kSignaturePrefix;
    out += s.name;
    out += ' ';
    out += Base64Encode(blob);
    out += '\n';
  }
  return out;
}

std::string SignNote(std::string_view text,
                     const std::vector<std::pair<std::string, const KeyPair*>>& signers) {
  FRONTERA_CHECK(!text.empty() && text.back() == '\n') << "note text must end in a newline";
  std::string out(text);
  out += '\n';
  for (const auto& [name, key] : signers) {
    FRONTERA_CHECK(key != nullptr) << "null key for note signer " << name;
    out += NoteSignatureLine(text, name, *key);
    out += '\n';
  }
  return out;
}

std::string CosignNote(std::string_view text,
                       const std::vector<std::pair<std::string, const KeyPair*>>& signers,
                       uint64_t unix_seconds) {
  FRONTERA_CHECK(!text.empty() && text.back() == '\n') << "note text must end in a newline";
  Note note;
  note.text = std::string(text);
  for (const auto& [name, key] : signers) {
    FRONTERA_CHECK(key != nullptr) << "null key for note signer " << name;
    note.signatures.push_back(Cosign(text, name, *key, unix_seconds));
  }
  return FormatNote(note);
}

Result<Note> ParseNote(std::string_view encoded, size_t signatures_max) {
  // signed-note "Format": valid UTF-8 without ASCII controls other than newline.
  if (!IsWellFormedUtf8(encoded)) return Malformed("not valid UTF-8");
  for (char c : encoded) {
    if (static_cast<uint8_t>(c) < 0x20 && c != '\n') {
      return Malformed("contains a control character other than newline");
    }
  }
  // The text is separated from the signatures by the last empty line.
  size_t split = encoded.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Malformed("no blank line between the text and the signatures");
  }
  Note note;
  note.text = std::string(encoded.substr(0, split + 1));
  std::string_view rest = encoded.substr(split + 2);
  if (rest.empty()) return Malformed("no signature lines");
  if (rest.back() != '\n') return Malformed("the last signature line does not end in a newline");

  size_t line_count = 0;
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    if (++line_count > signatures_max) {
      return Malformed("more than " + std::to_string(signatures_max) + " signatures");
    }
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return Malformed("signature line " + std::to_string(line_count) +
                       " does not start with an em dash and a space");
    }
    line.remove_prefix(kSignaturePrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return Malformed("signature line " + std::to_string(line_count) + " has no signature");
    }
    std::string_view name = line.substr(0, space);
    std::string_view encoded_signature = line.substr(space + 1);
    if (!IsValidKeyName(name)) {
      return Malformed("signature line " + std::to_string(line_count) + " has an invalid key name");
    }
    Result<Bytes> blob = Base64Decode(encoded_signature);
    if (!blob.ok() || blob->size() < 5) {
      return Malformed("signature line " + std::to_string(line_count) +
                       " is not base64 of a key id and a signature");
    }
    // A well-formed line of another algorithm (another signature length) can
    // never verify against an Ed25519 key; like any unknown key it is ignored.
    if (blob->size() != kEd25519BlobBytes && blob->size() != kCosignatureBlobBytes) continue;
    NoteSignature signature;
    signature.name = std::string(name);
    std::copy(blob->begin(), blob->begin() + 4, signature.key_id.begin());
    auto rest_of_blob = blob->begin() + 4;
    if (blob->size() == kCosignatureBlobBytes) {
      uint64_t time = 0;
      for (int i = 0; i < 8; ++i) time = (time << 8) | *rest_of_blob++;
      // tlog-cosignature: the time must not exceed 2^63 - 1.
      if (time > kCosignatureTimeMax) {
        return Malformed("signature line " + std::to_string(line_count) +
                         " is a cosignature with a time above 2^63 - 1");
      }
      signature.time = time;
    }
    std::copy(rest_of_blob, blob->end(), signature.signature.begin());
    note.signatures.push_back(std::move(signature));
  }
  return note;
}

std::vector<VerifiedSignature> VerifiedCosigners(const Note& note,
                                                 const std::vector<NoteVerifier>& verifiers) {
  std::vector<VerifiedSignature> out;
  for (const NoteVerifier& verifier : verifiers) {
    // A signature is the verifier's when both name and key id (of its type)
    // match; others are ignored (signed-note "Signatures").
    const KeyId plain_id = NoteKeyId(verifier.name, verifier.public_key);
    const KeyId cosign_id =
        NoteKeyId(verifier.name, verifier.public_key, NoteSignatureType::kCosignatureV1);
    std::optional<VerifiedSignature> best;
    for (const NoteSignature& s : note.signatures) {
      if (s.name != verifier.name) continue;
      if (s.time) {
        if (s.key_id != cosign_id || (best && best->time && *best->time >= *s.time)) continue;
        if (Verify(verifier.public_key, CosignatureMessage(*s.time, note.text), s.signature)) {
          best = VerifiedSignature{verifier.name, s.time};
        }
      } else if (!best && s.key_id == plain_id &&
                 Verify(verifier.public_key, note.text, s.signature)) {
        best = VerifiedSignature{verifier.name, std::nullopt};
      }
    }
    if (best) out.push_back(std::move(*best));
  }
  return out;
}

std::vector<std::string> VerifiedSigners(const Note& note,
                                         const std::vector<NoteVerifier>& verifiers) {
  std::vector<std::string> names;
  for (VerifiedSignature& s : VerifiedCosigners(note, verifiers))
    names.push_back(std::move(s.name));
  return names;
}

std::string FormatCheckpointBody(const Checkpoint& checkpoint) {
  std::string out = checkpoint.origin;
  out += '\n';
  out += std::to_string(checkpoint.tree_size);
  out += '\n';
  out += Base64Encode(ByteView(checkpoint.root.data(), checkpoint.root.size()));
  out += '\n';
  for (const std::string& line : checkpoint.extensions) {
    out += line;
    out += '\n';
  }
  return out;
}

Result<Checkpoint> ParseCheckpointBody(std::string_view text) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("malformed checkpoint: " + why);
  };
  if (text.empty() || text.back() != '\n') return bad("the body must end in a newline");
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  // tlog-checkpoint "Note text": origin, tree size, root hash, extensions.
  if (lines.size() < 3) return bad("it needs an origin, a tree size and a root hash line");
  Checkpoint checkpoint;
  if (lines[0].empty()) return bad("the origin line is empty");
  checkpoint.origin = std::string(lines[0]);

  std::string_view size = lines[1];
  bool digits_only = !size.empty();
  for (char c : size) digits_only = digits_only && c >= '0' && c <= '9';
  if (!digits_only) return bad("the tree size must be a decimal number");
  if (size.size() > 1 && size[0] == '0') return bad("the tree size has a leading zero");
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), checkpoint.tree_size);
  if (ec != std::errc() || end != size.data() + size.size()) {
    return bad("the tree size does not fit in 64 bits");
  }

  Result<Bytes> root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != checkpoint.root.size()) {
    return bad("the root hash must be base64 of 32 bytes");
  }
  std::copy(root->begin(), root->end(), checkpoint.root.begin());

  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return bad("extension lines must not be empty");
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

}  // namespace frontera::crypto
