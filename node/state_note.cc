#include "node/state_note.h"

#include <charconv>
#include <vector>

#include "common/encoding.h"
#include "crypto/signed_note.h"
#include "ledger/voter_chain.h"

namespace frontera::node {

namespace {

Status Bad(const std::string& why) {
  return Status::InvalidArgument("malformed state note: " + why);
}

Result<uint64_t> ParseDecimal(std::string_view text, const char* what) {
  uint64_t value = 0;
  const bool canonical = !text.empty() && (text.size() == 1 || text[0] != '0');
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!canonical || ec != std::errc() || end != text.data() + text.size()) {
    return Bad(std::string(what) + " must be a decimal number without leading zeros");
  }
  return value;
}

Result<crypto::Hash> ParseHash(std::string_view text, const char* what) {
  Result<Bytes> bytes = Base64Decode(text);
  crypto::Hash hash{};
  if (!bytes.ok() || bytes->size() != hash.size()) {
    return Bad(std::string(what) + " must be base64 of 32 bytes");
  }
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

std::string HashText(const crypto::Hash& h) { return Base64Encode(ByteView(h.data(), h.size())); }

}  // namespace

std::string FormatStateNoteBody(const StateNoteBody& b) {
  return b.origin + "\n" + std::to_string(b.height) + "\n" + std::to_string(b.log_index) + " " +
         std::to_string(b.log_term) + "\n" + HashText(b.block_hash) + "\n" +
         std::to_string(b.tree_size) + "\n" + HashText(b.log_root) + "\n" + HashText(b.state_root) +
         "\n";
}

Result<StateNoteBody> ParseStateNoteBody(std::string_view text) {
  if (text.size() > kStateNoteBodyBytesMax) return Bad("longer than the limit");
  if (text.empty() || text.back() != '\n') return Bad("the body must end in a newline");
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  if (lines.size() != 7) return Bad("it needs exactly 7 lines");
  StateNoteBody b;
  if (!lines[0].ends_with("/state") || lines[0].size() <= 6) {
    return Bad("the first line must be <network>/state");
  }
  b.origin = std::string(lines[0]);
  FRONTERA_ASSIGN_OR_RETURN(b.height, ParseDecimal(lines[1], "the height"));
  const size_t space = lines[2].find(' ');
  if (space == std::string_view::npos) return Bad("line 3 must be \"<log index> <log term>\"");
  FRONTERA_ASSIGN_OR_RETURN(b.log_index, ParseDecimal(lines[2].substr(0, space), "the log index"));
  FRONTERA_ASSIGN_OR_RETURN(b.log_term, ParseDecimal(lines[2].substr(space + 1), "the log term"));
  FRONTERA_ASSIGN_OR_RETURN(b.block_hash, ParseHash(lines[3], "the block hash"));
  FRONTERA_ASSIGN_OR_RETURN(b.tree_size, ParseDecimal(lines[4], "the tree size"));
  FRONTERA_ASSIGN_OR_RETURN(b.log_root, ParseHash(lines[5], "the log root"));
  FRONTERA_ASSIGN_OR_RETURN(b.state_root, ParseHash(lines[6], "the state root"));
  return b;
}

Result<ParsedStateNote> ParseStateNote(std::string_view note, std::string_view network) {
  ParsedStateNote out;
  FRONTERA_ASSIGN_OR_RETURN(out.note, crypto::ParseNote(note, 2 * ledger::kVotersMax));
  FRONTERA_ASSIGN_OR_RETURN(out.body, ParseStateNoteBody(out.note.text));
  if (out.body.origin != std::string(network) + "/state") {
    return Status::InvalidArgument("the state note is for \"" + out.body.origin + "\", not " +
                                   std::string(network) + "/state");
  }
  return out;
}

}  // namespace frontera::node
