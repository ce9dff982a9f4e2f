#include "crypto/tlog_witness.h"

#include <algorithm>
#include <charconv>

#include "common/check.h"
#include "common/encoding.h"

namespace frontera::crypto {

namespace {

// Most bytes of a refusal's body quoted in its reason (an operator reads it
// in a log line; a witness may send anything).
constexpr size_t kReasonBodyBytesMax = 200;

// `body` shortened and with anything but printable ASCII replaced, for a
// log line.
std::string Quote(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kReasonBodyBytesMax)) {
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > kReasonBodyBytesMax) out += "…";
  return out;
}

// A decimal with no leading zero (tlog-witness sizes), the whole of `text`.
bool ParseSize(std::string_view text, uint64_t& out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<NoteVerifier> ParseCosignerVkey(std::string_view vkey) {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("not a verifier key <name>+<key id>+<base64 key>: " + why);
  };
  const size_t first = vkey.find('+');
  if (first == std::string_view::npos) return bad("no '+'");
  const size_t second = vkey.find('+', first + 1);
  if (second == std::string_view::npos) return bad("no second '+'");
  std::string_view name = vkey.substr(0, first);
  std::string_view id_hex = vkey.substr(first + 1, second - first - 1);
  std::string_view key_base64 = vkey.substr(second + 1);
  if (!IsValidNoteKeyName(name)) return bad("the name is empty or has a space");
  if (id_hex.size() != 8) return bad("the key id must be 8 hex digits");
  Result<Bytes> id = HexDecode(id_hex);
  if (!id.ok()) return bad("the key id must be 8 hex digits");
  Result<Bytes> key = Base64Decode(key_base64);
  if (!key.ok() || key->size() != 33) {
    return bad("the key must be base64 of a type byte and a 32-byte Ed25519 key");
  }
  const uint8_t type = (*key)[0];
  if (type != static_cast<uint8_t>(NoteSignatureType::kCosignatureV1) &&
      type != static_cast<uint8_t>(NoteSignatureType::kEd25519)) {
    return bad("the key type must be 0x04 (Ed25519 cosignature) or 0x01 (Ed25519), not " +
               std::to_string(type));
  }
  NoteVerifier verifier;
  verifier.name = std::string(name);
  std::copy(key->begin() + 1, key->end(), verifier.public_key.begin());
  const KeyId expected = NoteKeyId(name, verifier.public_key, static_cast<NoteSignatureType>(type));
  if (!std::equal(expected.begin(), expected.end(), id->begin())) {
    return bad("the key id " + std::string(id_hex) + " is not the one of this name and key");
  }
  return verifier;
}

std::string FormatCosignerVkey(std::string_view name, const PublicKey& public_key) {
  FRONTERA_CHECK(IsValidNoteKeyName(name)) << "bad note key name " << name;
  const KeyId id = NoteKeyId(name, public_key, NoteSignatureType::kCosignatureV1);
  Bytes key(1 + public_key.size(), static_cast<uint8_t>(NoteSignatureType::kCosignatureV1));
  std::copy(public_key.begin(), public_key.end(), key.begin() + 1);
  std::string out(name);
  out += '+';
  out += HexEncode(ByteView(id.data(), id.size()));
  out += '+';
  out += Base64Encode(key);
  return out;
}

std::string AddCheckpointBody(uint64_t old_size, const std::vector<Hash>& proof,
                              std::string_view checkpoint_note) {
  FRONTERA_CHECK(proof.size() <= kWitnessProofLinesMax) << "consistency proof too long";
  FRONTERA_CHECK(old_size != 0 || proof.empty()) << "a proof from size 0";
  std::string out = "old " + std::to_string(old_size) + "\n";
  for (const Hash& h : proof) {
    out += Base64Encode(ByteView(h.data(), h.size()));
    out += '\n';
  }
  out += '\n';
  out += checkpoint_note;
  return out;
}

Result<AddCheckpointAnswer> ReadAddCheckpointAnswer(int status, std::string_view content_type,
                                                    std::string_view body,
                                                    std::string_view checkpoint_text,
                                                    const NoteVerifier& witness) {
  AddCheckpointAnswer answer;
  answer.status = status;
  if (status == 409) {
    // The media type may carry parameters ("; charset=…").
    std::string_view type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
    uint64_t size = 0;
    if (type == kTlogSizeContentType && !body.empty() && body.back() == '\n' &&
        ParseSize(body.substr(0, body.size() - 1), size)) {
      answer.kind = AddCheckpointAnswer::Kind::kConflict;
      answer.witness_size = size;
      return answer;
    }
    // tlog-witness: a 409 without a size is an old size matching but a
    // different root hash at that size: the witness saw another tree.
    if (type == kTlogSizeContentType) {
      return Status::InvalidArgument(
          "witness " + witness.name + " answered 409 with a " + kTlogSizeContentType +
          " body that is not a decimal size and a newline: \"" + Quote(body) + "\"");
    }
    answer.kind = AddCheckpointAnswer::Kind::kRefused;
    answer.reason =
        "409 Conflict (the witness holds another checkpoint of this size: a split "
        "view, or it lost its state): \"" +
        Quote(body) + "\"";
    return answer;
  }
  if (status != 200) {
    answer.kind = AddCheckpointAnswer::Kind::kRefused;
    std::string meaning;
    switch (status) {
      case 400:
        meaning = " (bad request)";
        break;
      case 403:
        meaning = " (no signature it trusts on the checkpoint)";
        break;
      case 404:
        meaning = " (it does not know this log's origin)";
        break;
      case 422:
        meaning = " (the consistency proof does not verify)";
        break;
      default:
        break;
    }
    answer.reason = std::to_string(status) + meaning + ": \"" + Quote(body) + "\"";
    return answer;
  }
  // tlog-witness: the client may append the lines to the checkpoint and
  // verify the note with the witness keys it trusts.
  std::string note_text(checkpoint_text);
  note_text += '\n';
  note_text += body;
  Result<Note> note = ParseNote(note_text, kWitnessProofLinesMax);
  if (!note.ok()) {
    return Status::InvalidArgument(
        "witness " + witness.name +
        " answered 200 with a body that is not signature lines: " + note.status().message());
  }
  if (note->text != checkpoint_text) {
    return Status::InvalidArgument("witness " + witness.name +
                                   " answered 200 with a body that is not signature lines");
  }
  std::vector<VerifiedSignature> verified = VerifiedCosigners(*note, {witness});
  if (verified.empty() || !verified.front().time) {
    return Status::InvalidArgument(
        "witness " + witness.name +
        " answered 200 without a valid cosignature/v1 by its genesis key on the checkpoint");
  }
  const uint64_t time = *verified.front().time;
  const KeyId id = NoteKeyId(witness.name, witness.public_key, NoteSignatureType::kCosignatureV1);
  for (const NoteSignature& s : note->signatures) {
    if (s.name == witness.name && s.key_id == id && s.time == time &&
        Verify(witness.public_key, CosignatureMessage(time, note->text), s.signature)) {
      answer.cosignatures.push_back(s);
      break;
    }
  }
  answer.kind = AddCheckpointAnswer::Kind::kCosigned;
  return answer;
}

std::vector<std::string> VerifiedWitnesses(const Note& note,
                                           const std::vector<NoteVerifier>& witnesses) {
  std::vector<std::string> out;
  for (VerifiedSignature& s : VerifiedCosigners(note, witnesses)) {
    if (s.time) out.push_back(std::move(s.name));
  }
  return out;
}

}  // namespace frontera::crypto
