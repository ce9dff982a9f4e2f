// Co-signing voters and the chain of voter changes (ledger/voter_chain.h).
#include "ledger/voter_chain.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "ledger/flags.h"

namespace frontera::ledger {

using crypto::Json;

namespace {

// The block of the first history entry of `action`, if any.
std::optional<uint64_t> BlockOf(const ValidatorRecord& r, std::string_view action) {
  for (const Json& h : r.history) {
    if (h.is_object() && h.value("action", "") == action && h["block"].is_number_unsigned()) {
      return h["block"].get<uint64_t>();
    }
  }
  return std::nullopt;
}

Validator AsValidator(const ValidatorRecord& r) {
  return Validator{r.name, r.did, r.public_key, r.api, r.peer};
}

size_t Majority(size_t n) { return n / 2 + 1; }

size_t CountIn(const Voters& voters, const std::vector<std::string>& names) {
  size_t n = 0;
  for (const Validator& v : voters) {
    if (std::find(names.begin(), names.end(), v.name) != names.end()) ++n;
  }
  return n;
}

Result<uint64_t> Decimal(std::string_view text, const std::string& what) {
  if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) {
    return Status::InvalidArgument(what + " must be a decimal number");
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument(what + " must be a decimal number");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

bool SameVoters(const Voters& a, const Voters& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](const Validator& x, const Validator& y) {
           return x.name == y.name && x.did == y.did;
         });
}

Voters VotersAfter(const std::vector<ValidatorRecord>& set, uint64_t height) {
  Voters out;
  for (const ValidatorRecord& r : set) {
    // A genesis validator has no addition; it voted from the start.
    const std::optional<uint64_t> added = BlockOf(r, "ValidatorAddition");
    if (added && *added > height) continue;
    const std::optional<uint64_t> removed = BlockOf(r, "ValidatorRemoval");
    if (removed && *removed <= height) continue;
    // The only change of role is a promotion: before it, an observer.
    const std::optional<uint64_t> promoted = BlockOf(r, "ValidatorPromotion");
    const bool voter = promoted ? *promoted <= height : r.role == ValidatorRole::kVoter;
    if (voter) out.push_back(AsValidator(r));
  }
  return out;
}

std::vector<uint64_t> VoterChangeHeights(const std::vector<ValidatorRecord>& set) {
  std::set<uint64_t> candidates;
  for (const ValidatorRecord& r : set) {
    for (const Json& h : r.history) {
      if (h.is_object() && h["block"].is_number_unsigned() && h["block"].get<uint64_t>() > 0) {
        candidates.insert(h["block"].get<uint64_t>());
      }
    }
  }
  std::vector<uint64_t> out;
  for (uint64_t height : candidates) {
    if (!SameVoters(VotersAfter(set, height - 1), VotersAfter(set, height))) out.push_back(height);
  }
  return out;
}

crypto::Hash VotersDigest(const Voters& voters) {
  std::vector<std::string> lines;
  lines.reserve(voters.size());
  for (const Validator& v : voters) lines.push_back(v.name + " " + v.did + "\n");
  return SortedLinesDigest(std::move(lines));
}

Json VotersJson(const Voters& voters) {
  Json out = Json::array();
  for (const Validator& v : voters) out.push_back({{"name", v.name}, {"did", v.did}});
  return out;
}

Result<Voters> VotersFromJson(const Json& json, const std::string& pointer) {
  if (!json.is_array() || json.empty() || json.size() > kVotersMax) {
    return Status::InvalidArgument(pointer + " must be an array of 1 to " +
                                   std::to_string(kVotersMax) + " voters");
  }
  Voters out;
  std::set<std::string> names, dids;
  for (size_t i = 0; i < json.size(); ++i) {
    const std::string at = pointer + "/" + std::to_string(i);
    const Json& j = json[i];
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("did") ||
        !j["did"].is_string()) {
      return Status::InvalidArgument(at + " must be {\"name\", \"did\"}");
    }
    Validator v;
    v.name = j["name"].get<std::string>();
    v.did = j["did"].get<std::string>();
    if (v.name.empty() || v.name.size() > 255 ||
        std::any_of(v.name.begin(), v.name.end(), [](char c) { return c <= ' ' || c > '~'; })) {
      return Status::InvalidArgument(at + "/name must be 1..255 visible ASCII characters");
    }
    auto key = crypto::PublicKeyFromDidKey(v.did);
    if (!key.ok()) return Status::InvalidArgument(at + "/did: " + key.status().message());
    v.public_key = *key;
    if (!names.insert(v.name).second || !dids.insert(v.did).second) {
      return Status::InvalidArgument(at + " repeats a voter");
    }
    out.push_back(std::move(v));
  }
  return out;
}

const Validator* NoteQuorum::Find(std::string_view name) const {
  for (const Voters* list : {&before, &after}) {
    for (const Validator& v : *list) {
      if (v.name == name) return &v;
    }
  }
  return nullptr;
}

bool NoteQuorum::Met(const std::vector<std::string>& names) const {
  return CountIn(before, names) >= Majority(before.size()) &&
         CountIn(after, names) >= Majority(after.size());
}

Voters NoteQuorum::All() const {
  Voters out = before;
  for (const Validator& v : after) {
    if (std::none_of(out.begin(), out.end(),
                     [&](const Validator& o) { return o.name == v.name; })) {
      out.push_back(v);
    }
  }
  return out;
}

std::string NoteQuorum::Describe() const {
  std::string out = "a majority of the " + std::to_string(after.size()) + " voters (" +
                    std::to_string(Majority(after.size())) + ")";
  if (!SameVoters(before, after)) {
    out += " and of the " + std::to_string(before.size()) + " voters before this block (" +
           std::to_string(Majority(before.size())) + ")";
  }
  return out;
}

Result<std::vector<std::string>> VerifyNoteQuorum(const crypto::Note& note,
                                                  const NoteQuorum& quorum) {
  std::vector<crypto::NoteVerifier> verifiers;
  for (const Validator& v : quorum.All()) verifiers.push_back({v.name, v.public_key});
  std::vector<std::string> signers = crypto::VerifiedSigners(note, verifiers);
  if (!quorum.Met(signers)) {
    return Status::PermissionDenied("signed by " + std::to_string(signers.size()) +
                                    " of the voters; it needs " + quorum.Describe());
  }
  return signers;
}

Result<NoteVoters> ParseNoteVoters(std::string_view text, std::string_view network) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return Status::InvalidArgument("the note must end in \\n");
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  const std::string header = std::string(network) + " revocations/4";
  if (lines.size() != 10 || lines[0] != header) {
    return Status::InvalidArgument("not a revocations/4 note of " + std::string(network) +
                                   " (10 lines, the first \"" + header + "\")");
  }
  NoteVoters out;
  FRONTERA_ASSIGN_OR_RETURN(out.tree_size, Decimal(lines[1], "the tree size (line 2)"));
  FRONTERA_ASSIGN_OR_RETURN(out.count, Decimal(lines[8], "the voter count (line 9)"));
  auto digest = Base64Decode(lines[9]);
  if (!digest.ok() || digest->size() != out.digest.size()) {
    return Status::InvalidArgument("the voter digest (line 10) must be 32 bytes in base64");
  }
  std::memcpy(out.digest.data(), digest->data(), out.digest.size());
  return out;
}

Json VoterChangeJson(const VoterChange& change) {
  return {{"height", change.height}, {"note", change.note}, {"voters", VotersJson(change.voters)}};
}

Result<VoterChange> VoterChangeFromJson(const Json& json, const std::string& pointer) {
  if (!json.is_object() || !json.contains("height") || !json["height"].is_number_unsigned() ||
      !json.contains("note") || !json["note"].is_string() || !json.contains("voters")) {
    return Status::InvalidArgument(pointer + " must be {\"height\", \"note\", \"voters\"}");
  }
  VoterChange out;
  out.height = json["height"].get<uint64_t>();
  out.note = json["note"].get<std::string>();
  FRONTERA_ASSIGN_OR_RETURN(out.voters, VotersFromJson(json["voters"], pointer + "/voters"));
  return out;
}

Result<Voters> FollowVoterChanges(const Genesis& genesis, const std::vector<VoterChange>& changes,
                                  const std::string& pointer) {
  if (changes.size() > kVoterChangesMax) {
    return Status::InvalidArgument(pointer + " holds more than " +
                                   std::to_string(kVoterChangesMax) + " voter changes");
  }
  Voters voters = genesis.validators;
  uint64_t last = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    const VoterChange& c = changes[i];
    const std::string at = pointer + "/" + std::to_string(i);
    if (c.height <= last) {
      return Status::InvalidArgument(at + "/height must be above the link before (" +
                                     std::to_string(last) + ")");
    }
    last = c.height;
    auto note = crypto::ParseNote(c.note, 2 * kVotersMax);
    if (!note.ok()) return Status::InvalidArgument(at + "/note: " + note.status().message());
    auto stated = ParseNoteVoters(note->text, genesis.network);
    if (!stated.ok()) return Status::InvalidArgument(at + "/note: " + stated.status().message());
    if (stated->count != c.voters.size() || stated->digest != VotersDigest(c.voters)) {
      return Status::InvalidArgument(at + "/voters are not the voters its note names");
    }
    auto signers = VerifyNoteQuorum(*note, NoteQuorum{voters, c.voters});
    if (!signers.ok()) {
      return Status::PermissionDenied(at + "/note (block " + std::to_string(c.height) +
                                      "): " + signers.status().message());
    }
    voters = c.voters;
  }
  return voters;
}

Genesis WithVoters(const Genesis& genesis, const Voters& voters) {
  Genesis out = genesis;
  out.validators = voters;
  return out;
}

}  // namespace frontera::ledger
