#include "tools/trust.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <optional>

#include "common/check.h"
#include "common/clock.h"
#include "common/encoding.h"
#include "common/files.h"
#include "common/version.h"
#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_witness.h"
#include "ledger/gs1.h"
#include "tools/files.h"
#include "tools/time_util.h"
#include "tools/verify.h"

namespace frontera::tools {
namespace {

using crypto::Json;

Status Malformed(std::string_view pointer, std::string_view reason) {
  return Status::InvalidArgument("malformed trust bundle",
                                 {FieldError{std::string(pointer), std::string(reason)}});
}

Status Refused(const std::vector<std::string>& reasons) {
  std::string message = "trust bundle refused";
  for (const std::string& r : reasons) message += "; " + r;
  return Status::FailedPrecondition(message);
}

Result<std::string> StringMember(const Json& object, const char* name, std::string_view pointer) {
  auto member = object.find(name);
  if (member == object.end() || !member->is_string()) {
    return Malformed(std::string(pointer) + "/" + name, "must be a string");
  }
  return member->get<std::string>();
}

Result<uint64_t> UnsignedMember(const Json& object, const char* name, std::string_view pointer) {
  auto member = object.find(name);
  if (member != object.end() && member->is_number_unsigned()) return member->get<uint64_t>();
  if (member != object.end() && member->is_number_integer() && member->get<int64_t>() >= 0) {
    return static_cast<uint64_t>(member->get<int64_t>());
  }
  return Malformed(std::string(pointer) + "/" + name, "must be a non-negative integer");
}

Result<crypto::Hash> DecodeHash(const std::string& text, std::string_view pointer) {
  auto bytes = Base64Decode(text);
  if (!bytes.ok() || bytes->size() != crypto::Hash{}.size()) {
    return Malformed(pointer, "must be a base64 SHA-256 hash (32 bytes)");
  }
  crypto::Hash hash;
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

// A certificate id or item goes into a line of the digested text, so it may
// hold neither the separator nor the line end (else two lists could digest
// alike).
bool IsLineToken(const std::string& text) {
  return !text.empty() && text.size() <= 2048 && text.find_first_of(" \n\r") == std::string::npos;
}

// A bundle is what the validators produced, so unlike a checkpoint met in the
// wild (C2SP signed-note: ignore unknown keys) every signature line in it must
// be a voter's (of the genesis or of a link of its voter chain: the notes of a
// block that removed a voter carry its signature too); anything else was
// added or altered after signing.
std::vector<std::string> ForeignSignatureLines(const TrustBundle& bundle, std::string_view encoded,
                                               std::string_view what) {
  std::vector<std::string> reasons;
  auto note = crypto::ParseNote(encoded, 2 * ledger::kVotersMax);
  if (!note.ok()) return reasons;  // VerifyCheckpoint / the caller report it
  const auto known = [&](const std::string& name) {
    if (bundle.genesis.FindValidator(name) != nullptr) return true;
    // A genesis witness's cosignature on the checkpoint (checked by
    // WitnessLineReasons).
    if (what == "checkpoint") {
      for (const ledger::Witness& w : bundle.genesis.witnesses) {
        if (w.name == name) return true;
      }
    }
    for (const ledger::VoterChange& link : bundle.voter_changes) {
      for (const ledger::Validator& v : link.voters) {
        if (v.name == name) return true;
      }
    }
    return false;
  };
  for (const crypto::NoteSignature& line : note->signatures) {
    if (!known(line.name)) {
      reasons.push_back(std::string(what) + ": signature line by \"" + line.name +
                        "\", not a voter of the network");
    }
  }
  return reasons;
}

// Every line of a genesis witness on the checkpoint must be a cosignature/v1
// by its key that verifies: a line that does not was altered after signing.
std::vector<std::string> WitnessLineReasons(const ledger::Genesis& genesis,
                                            std::string_view encoded) {
  std::vector<std::string> reasons;
  auto note = crypto::ParseNote(encoded, 2 * ledger::kVotersMax);
  if (!note.ok()) return reasons;
  for (const ledger::Witness& w : genesis.witnesses) {
    for (const crypto::NoteSignature& line : note->signatures) {
      if (line.name != w.name) continue;
      crypto::Note one{note->text, {line}};
      if (crypto::VerifiedWitnesses(one, {{w.name, w.public_key}}).empty()) {
        reasons.push_back("checkpoint: the signature line by witness \"" + w.name +
                          "\" is not a valid cosignature/v1 by its genesis key");
      }
    }
  }
  return reasons;
}

// A co-signed note of the bundle other than the checkpoint (the revocation
// note; later ones alike): every signature line is a voter's, each voter's
// line verifies, and a majority of the voters signed it. Appends what is
// wrong to `reasons` (prefixed by `what`); returns the time a quorum of its
// signers vouches for (QuorumSignedTime), if they carry times.
std::optional<uint64_t> CheckCosignedNote(const TrustBundle& bundle, const ledger::Genesis& signing,
                                          const crypto::Note& note, std::string_view encoded,
                                          std::string_view what,
                                          std::vector<std::string>& reasons) {
  for (std::string& r : ForeignSignatureLines(bundle, encoded, what))
    reasons.push_back(std::move(r));
  NoteSigners signers = CheckNoteSigners(signing, note);
  for (const std::string& r : signers.reasons) reasons.push_back(std::string(what) + ": " + r);
  if (signers.signers.size() < signing.Quorum()) {
    reasons.push_back(std::string(what) + ": only " + std::to_string(signers.signers.size()) +
                      " of " + std::to_string(signing.validators.size()) +
                      " voters signed; a majority is " + std::to_string(signing.Quorum()));
  }
  return QuorumSignedTime(signers.signed_by, signing.Quorum());
}

// The oldest of the notes' vouched times; unset when any note has none.
std::optional<uint64_t> OldestQuorumTime(std::initializer_list<std::optional<uint64_t>> times) {
  std::optional<uint64_t> oldest;
  for (const std::optional<uint64_t>& t : times) {
    if (!t) return std::nullopt;
    oldest = oldest ? std::min(*oldest, *t) : *t;
  }
  return oldest;
}

// "voters" and "voter_changes" (format 4): the chain from the genesis
// validators to the voters of the checkpoint's block.
Status ReadVoterChain(const Json& bundle, TrustBundle& out) {
  auto changes = bundle.find("voter_changes");
  if (changes == bundle.end() || !changes->is_array()) {
    return Malformed("/voter_changes", "must be an array");
  }
  if (changes->size() > ledger::kVoterChangesMax) {
    return Malformed("/voter_changes",
                     "more than " + std::to_string(ledger::kVoterChangesMax) + " links");
  }
  for (size_t i = 0; i < changes->size(); ++i) {
    auto link = ledger::VoterChangeFromJson((*changes)[i], "/voter_changes/" + std::to_string(i));
    if (!link.ok()) return link.status();
    out.voter_changes.push_back(std::move(link).value());
  }
  auto voters = bundle.find("voters");
  if (voters == bundle.end()) return Malformed("/voters", "is required");
  FRONTERA_ASSIGN_OR_RETURN(ledger::Voters stated, ledger::VotersFromJson(*voters, "/voters"));
  auto followed = ledger::FollowVoterChanges(out.genesis, out.voter_changes, "/voter_changes");
  if (!followed.ok()) return Refused({"its voter chain: " + followed.status().message()});
  if (!ledger::SameVoters(stated, *followed)) {
    return Refused({"its voters are not those its voter chain leads to"});
  }
  out.voters = std::move(followed).value();
  return Status::Ok();
}

bool IsItemUri(const std::string& item) {
  std::string prefix = std::string(ledger::gs1::kIdGs1Org);
  return item.starts_with(prefix + "/01/") || item.starts_with(prefix + "/00/");
}

// "registry": the DIDs whose standing changed since the genesis, each once,
// every field of the kind the ledger writes (a line of the digested text
// cannot be forged by a field holding a separator: names are JSON strings).
Status ReadRegistryEntries(const Json& revocations, TrustBundle& out) {
  auto registry = revocations.find("registry");
  if (registry == revocations.end() || !registry->is_array()) {
    return Malformed("/revocations/registry", "must be an array");
  }
  if (registry->size() > kRegistryEntriesMax) {
    return Malformed("/revocations/registry",
                     "more than " + std::to_string(kRegistryEntriesMax) + " entries");
  }
  std::vector<std::string_view> dids;
  for (size_t i = 0; i < registry->size(); ++i) {
    const Json& entry = (*registry)[i];
    const std::string pointer = "/revocations/registry/" + std::to_string(i);
    if (!entry.is_object()) return Malformed(pointer, "must be an object");
    ledger::RegistryEntry e;
    FRONTERA_ASSIGN_OR_RETURN(e.did, StringMember(entry, "did", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.leaf_index, UnsignedMember(entry, "leaf_index", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.role, StringMember(entry, "role", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.country, StringMember(entry, "country", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.name, StringMember(entry, "name", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.status, StringMember(entry, "status", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.successor, StringMember(entry, "successor", pointer));
    auto prefixes = entry.find("prefixes");
    if (prefixes == entry.end() || !prefixes->is_array() || prefixes->size() > 100) {
      return Malformed(pointer + "/prefixes", "must be an array of at most 100 prefixes");
    }
    for (const Json& p : *prefixes) {
      if (!p.is_string() || p.get_ref<const std::string&>().size() < 4 ||
          p.get_ref<const std::string&>().size() > 12 ||
          p.get_ref<const std::string&>().find_first_not_of("0123456789") != std::string::npos) {
        return Malformed(pointer + "/prefixes", "must hold GS1 company prefixes (4 to 12 digits)");
      }
      e.prefixes.push_back(p.get<std::string>());
    }
    if (!IsLineToken(e.did) || !crypto::PublicKeyFromDidKey(e.did).ok()) {
      return Malformed(pointer + "/did", "must be a did:key");
    }
    if (!ledger::RoleFromName(e.role)) return Malformed(pointer + "/role", "is not a role");
    if (!ledger::gs1::IsCountryCode(e.country)) {
      return Malformed(pointer + "/country", "must be an ISO 3166-1 alpha-2 code");
    }
    if (e.name.size() > 1000 || !crypto::IsWellFormedUtf8(e.name)) {
      return Malformed(pointer + "/name", "must be UTF-8 text of at most 1000 bytes");
    }
    if (e.status != "active" && e.status != "suspended" && e.status != "retired") {
      return Malformed(pointer + "/status", "must be active, suspended or retired");
    }
    if ((e.status == "retired") != !e.successor.empty() ||
        (!e.successor.empty() && !crypto::PublicKeyFromDidKey(e.successor).ok())) {
      return Malformed(pointer + "/successor",
                       "must be the did:key that replaced a retired key, else empty");
    }
    out.registry.push_back(std::move(e));
  }
  for (const ledger::RegistryEntry& e : out.registry) dids.push_back(e.did);
  std::sort(dids.begin(), dids.end());
  if (std::adjacent_find(dids.begin(), dids.end()) != dids.end()) {
    return Malformed("/revocations/registry", "lists a DID twice");
  }
  return Status::Ok();
}

// "flags": the DSCSA flags in force, each field of the kind the ledger
// writes.
Status ReadFlagEntries(const Json& revocations, TrustBundle& out) {
  auto flags = revocations.find("flags");
  if (flags == revocations.end() || !flags->is_array()) {
    return Malformed("/revocations/flags", "must be an array");
  }
  if (flags->size() > kRevocationEntriesMax) {
    return Malformed("/revocations/flags",
                     "more than " + std::to_string(kRevocationEntriesMax) + " entries");
  }
  for (size_t i = 0; i < flags->size(); ++i) {
    const Json& entry = (*flags)[i];
    const std::string pointer = "/revocations/flags/" + std::to_string(i);
    if (!entry.is_object()) return Malformed(pointer, "must be an object");
    ledger::FlagEntry e;
    FRONTERA_ASSIGN_OR_RETURN(e.certificate, StringMember(entry, "certificate", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.item, StringMember(entry, "item", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.flag, StringMember(entry, "flag", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.leaf_index, UnsignedMember(entry, "leaf_index", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.reason, StringMember(entry, "reason", pointer));
    if (!IsLineToken(e.certificate)) {
      return Malformed(pointer + "/certificate", "must be an id without spaces or newlines");
    }
    if (!IsLineToken(e.item) || !IsItemUri(e.item)) {
      return Malformed(pointer + "/item", "must be a Digital Link URI on id.gs1.org");
    }
    if (e.flag != "suspect" && e.flag != "illegitimate" && e.flag != "recalled") {
      return Malformed(pointer + "/flag", "must be suspect, illegitimate or recalled");
    }
    if (e.reason.size() > kRevocationReasonBytesMax || !crypto::IsWellFormedUtf8(e.reason)) {
      return Malformed(
          pointer + "/reason",
          "must be UTF-8 text of at most " + std::to_string(kRevocationReasonBytesMax) + " bytes");
    }
    out.flags.push_back(std::move(e));
  }
  return Status::Ok();
}

// "item_filter" (optional, format 4): the certified-item filter and the
// note a majority of the voters signed over its SHA-256 (docs/formats.md
// §16). Malformed members are refused as such; a note that is not signed as
// a checkpoint is, or that does not name these bytes, appends a reason.
Status ReadItemFilter(const Json& bundle, const ledger::Genesis& signing, TrustBundle& out,
                      std::vector<std::string>& reasons) {
  auto member = bundle.find("item_filter");
  if (member == bundle.end()) return Status::Ok();
  if (out.format_version < 4) {
    return Malformed("/item_filter", "is not part of format " + std::to_string(out.format_version));
  }
  if (!member->is_object()) return Malformed("/item_filter", "must be an object {note, filter}");
  FRONTERA_ASSIGN_OR_RETURN(std::string note_text, StringMember(*member, "note", "/item_filter"));
  FRONTERA_ASSIGN_OR_RETURN(std::string filter_base64,
                            StringMember(*member, "filter", "/item_filter"));
  // Checked before decoding: base64 is 4 characters per 3 bytes.
  if (filter_base64.size() > (kBundleItemFilterBytesMax + 2) / 3 * 4) {
    return Malformed("/item_filter/filter", "longer than the base64 of " +
                                                std::to_string(kBundleItemFilterBytesMax) +
                                                " bytes (kBundleItemFilterBytesMax)");
  }
  auto bytes = Base64Decode(filter_base64);
  if (!bytes.ok()) return Malformed("/item_filter/filter", "must be base64");
  const std::string_view encoded(reinterpret_cast<const char*>(bytes->data()), bytes->size());

  auto note = crypto::ParseNote(note_text, 2 * ledger::kVotersMax);
  if (!note.ok()) {
    reasons.push_back("item filter note is not a signed note: " + note.status().ToString());
    return Status::Ok();
  }
  const size_t before = reasons.size();
  CheckCosignedNote(out, signing, *note, note_text, "item filter note", reasons);
  auto body = ledger::ParseItemFilterNoteText(note->text, out.genesis.network);
  if (!body.ok()) {
    reasons.push_back(body.status().message());
    return Status::Ok();
  }
  if (body->tree_size > out.tree_size) {
    reasons.push_back("item filter note: its tree size " + std::to_string(body->tree_size) +
                      " is beyond the checkpoint's " + std::to_string(out.tree_size));
  }
  if (crypto::Sha256(encoded) != body->sha256) {
    reasons.push_back("item filter: its bytes hash to " + Base64Encode(crypto::Sha256(encoded)) +
                      ", not to the " + Base64Encode(body->sha256) +
                      " the validators signed (the filter was altered)");
    return Status::Ok();
  }
  ledger::ItemFilterLimits limits;
  limits.bytes_max = kBundleItemFilterBytesMax;
  auto filter = ledger::ItemFilter::Decode(encoded, limits);
  if (!filter.ok()) {
    reasons.push_back("item filter: " + filter.status().ToString());
    return Status::Ok();
  }
  if (filter->item_count() != body->item_count) {
    reasons.push_back("item filter: it holds " + std::to_string(filter->item_count()) +
                      " items, its note says " + std::to_string(body->item_count));
  }
  if (reasons.size() != before) return Status::Ok();
  out.item_filter = std::move(filter).value();
  out.item_filter_tree_size = body->tree_size;
  out.item_filter_note = std::move(note_text);
  return Status::Ok();
}

}  // namespace

const RevocationEntry* TrustBundle::FindRevocation(std::string_view item) const {
  for (const RevocationEntry& entry : revocations) {
    if (entry.item == item || entry.certificate == item) return &entry;
  }
  return nullptr;
}

const ledger::RegistryEntry* TrustBundle::FindRegistryEntry(std::string_view did) const {
  for (const ledger::RegistryEntry& entry : registry) {
    if (entry.did == did) return &entry;
  }
  return nullptr;
}

std::vector<ledger::FlagEntry> TrustBundle::FindFlags(std::string_view item) const {
  std::vector<ledger::FlagEntry> out;
  for (const ledger::FlagEntry& entry : flags) {
    if (entry.item == item || entry.certificate == item) out.push_back(entry);
  }
  return out;
}

crypto::Hash RevocationDigest(const std::vector<RevocationEntry>& entries, int version) {
  FRONTERA_CHECK(version >= 1 && version <= 4) << "trust bundle format " << version;
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const RevocationEntry& e : entries) {
    std::string line = e.certificate + " " + e.item + " " + std::to_string(e.leaf_index);
    if (version >= 2) {
      // The reason is free text; its JSON string form keeps it on one line.
      auto reason = crypto::Canonicalize(Json(e.reason));
      FRONTERA_CHECK(reason.ok()) << "revocation reason of " << e.certificate << ": "
                                  << reason.status().ToString();
      line += " " + *reason;
    }
    lines.push_back(line + "\n");
  }
  // std::string compares char_traits<char>, which orders by unsigned byte
  // value (C++20 [char.traits.specializations.char]): bytewise, as specified.
  std::sort(lines.begin(), lines.end());
  std::string text;
  for (const std::string& line : lines) text += line;
  return crypto::Sha256(AsBytes(text));
}

std::string RevocationNoteText(std::string_view network, uint64_t tree_size,
                               const std::vector<RevocationEntry>& entries, int version,
                               const std::vector<ledger::RegistryEntry>& registry,
                               const std::vector<ledger::FlagEntry>& flags,
                               const ledger::Voters& voters) {
  const char* first = version >= 4   ? " revocations/4\n"
                      : version == 3 ? " revocations/3\n"
                      : version == 2 ? " revocations/2\n"
                                     : " revocations\n";
  std::string text = std::string(network) + first + std::to_string(tree_size) + "\n" +
                     std::to_string(entries.size()) + "\n" +
                     Base64Encode(RevocationDigest(entries, version)) + "\n";
  if (version >= 3) {
    text += std::to_string(registry.size()) + "\n" +
            Base64Encode(ledger::RegistryDigest(registry)) + "\n" + std::to_string(flags.size()) +
            "\n" + Base64Encode(ledger::FlagDigest(flags)) + "\n";
  }
  if (version >= 4) {
    text +=
        std::to_string(voters.size()) + "\n" + Base64Encode(ledger::VotersDigest(voters)) + "\n";
  }
  return text;
}

// The format string and the number --version prints (common/version.h) agree.
static_assert(kTrustBundleFormat[sizeof(kTrustBundleFormat) - 2] ==
                  '0' + frontera::version::kTrustBundleFormat,
              "tools/trust.h kTrustBundleFormat and version::kTrustBundleFormat differ");

Result<TrustBundle> VerifyTrustBundle(const Json& bundle, const crypto::Hash& genesis_hash) {
  if (!bundle.is_object()) return Malformed("", "must be a JSON object");
  TrustBundle out;
  out.document = bundle;
  out.document.erase("synced_at");
  FRONTERA_ASSIGN_OR_RETURN(std::string format, StringMember(bundle, "format", ""));
  if (format == kTrustBundleFormat) {
    out.format_version = version::kTrustBundleFormat;
  } else if (format == kTrustBundleFormatV3) {
    // Synced before the voter chain: signed by the genesis validators.
    out.format_version = 3;
  } else if (format == kTrustBundleFormatV2) {
    // Synced before the registry: its parties are the genesis's.
    out.format_version = 2;
  } else if (format == kTrustBundleFormatV1) {
    // Synced before revocation reasons: still verifiable, reasons unknown.
    out.format_version = 1;
  } else {
    return Malformed("/format", "is \"" + format + "\", not \"" + kTrustBundleFormat +
                                    "\" (or the older \"" + kTrustBundleFormatV3 + "\", \"" +
                                    kTrustBundleFormatV2 + "\" or \"" + kTrustBundleFormatV1 +
                                    "\")");
  }
  out.reasons_known = out.format_version >= 2;
  out.registry_known = out.format_version >= 3;
  out.flags_known = out.format_version >= 3;

  // The root of trust: the genesis the user holds. The bundle's copy must be
  // the very same document (SHA-256 of its RFC 8785 form, docs/formats.md
  // §10 and §11).
  auto genesis_json = bundle.find("genesis");
  if (genesis_json == bundle.end() || !genesis_json->is_object()) {
    return Malformed("/genesis", "must be the genesis document");
  }
  auto genesis = ledger::ParseGenesis(*genesis_json);
  if (!genesis.ok()) {
    return Refused({"its genesis is not a valid genesis: " + genesis.status().ToString()});
  }
  out.genesis = std::move(*genesis);
  FRONTERA_ASSIGN_OR_RETURN(std::string stated_hash, StringMember(bundle, "genesis_hash", ""));
  if (out.genesis.hash != genesis_hash) {
    return Refused({"its genesis hashes to " + Base64Encode(out.genesis.hash) +
                    ", not to the trusted genesis file's " + Base64Encode(genesis_hash)});
  }
  if (stated_hash != Base64Encode(genesis_hash)) {
    return Refused({"genesis_hash \"" + stated_hash + "\" is not the genesis's hash " +
                    Base64Encode(genesis_hash)});
  }

  // Whose signatures count: the voters the chain leads to (format 4), the
  // genesis validators before.
  if (out.format_version >= 4) {
    FRONTERA_RETURN_IF_ERROR(ReadVoterChain(bundle, out));
  } else {
    for (const char* member : {"voters", "voter_changes"}) {
      if (bundle.contains(member)) {
        return Malformed(std::string("/") + member,
                         "is not part of format " + std::to_string(out.format_version));
      }
    }
    out.voters = out.genesis.validators;
  }
  const ledger::Genesis signing = ledger::WithVoters(out.genesis, out.voters);

  FRONTERA_ASSIGN_OR_RETURN(out.checkpoint, StringMember(bundle, "checkpoint", ""));
  CheckpointReport checkpoint = VerifyCheckpoint(signing, out.checkpoint);
  std::vector<std::string> checkpoint_reasons =
      ForeignSignatureLines(out, out.checkpoint, "checkpoint");
  for (std::string& r : WitnessLineReasons(out.genesis, out.checkpoint)) {
    checkpoint_reasons.push_back(std::move(r));
  }
  if (!checkpoint.valid || !checkpoint_reasons.empty()) {
    for (const std::string& r : checkpoint.reasons)
      checkpoint_reasons.push_back("checkpoint: " + r);
    return Refused(checkpoint_reasons);
  }
  out.tree_size = checkpoint.tree_size;
  out.root = checkpoint.root;
  out.checkpoint_signers = checkpoint.signers;
  if (auto note = crypto::ParseNote(out.checkpoint, 2 * ledger::kVotersMax); note.ok()) {
    out.witness_cosigners = crypto::VerifiedWitnesses(*note, out.genesis.WitnessVerifiers());
  }

  auto revocations = bundle.find("revocations");
  if (revocations == bundle.end() || !revocations->is_object()) {
    return Malformed("/revocations", "must be an object {note, entries}");
  }
  FRONTERA_ASSIGN_OR_RETURN(out.revocation_note,
                            StringMember(*revocations, "note", "/revocations"));
  auto entries = revocations->find("entries");
  if (entries == revocations->end() || !entries->is_array()) {
    return Malformed("/revocations/entries", "must be an array");
  }
  if (entries->size() > kRevocationEntriesMax) {
    return Malformed("/revocations/entries",
                     "more than " + std::to_string(kRevocationEntriesMax) + " entries");
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    const Json& entry = (*entries)[i];
    std::string pointer = "/revocations/entries/" + std::to_string(i);
    if (!entry.is_object()) return Malformed(pointer, "must be an object");
    RevocationEntry e;
    FRONTERA_ASSIGN_OR_RETURN(e.certificate, StringMember(entry, "certificate", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.item, StringMember(entry, "item", pointer));
    FRONTERA_ASSIGN_OR_RETURN(e.leaf_index, UnsignedMember(entry, "leaf_index", pointer));
    if (!IsLineToken(e.certificate)) {
      return Malformed(pointer + "/certificate", "must be an id without spaces or newlines");
    }
    if (!IsLineToken(e.item) || !IsItemUri(e.item)) {
      return Malformed(pointer + "/item", "must be a Digital Link URI on id.gs1.org");
    }
    if (out.format_version >= 2) {
      FRONTERA_ASSIGN_OR_RETURN(e.reason, StringMember(entry, "reason", pointer));
      if (e.reason.size() > kRevocationReasonBytesMax || !crypto::IsWellFormedUtf8(e.reason)) {
        return Malformed(pointer + "/reason", "must be UTF-8 text of at most " +
                                                  std::to_string(kRevocationReasonBytesMax) +
                                                  " bytes");
      }
    } else if (entry.contains("reason")) {
      // Format 1 notes do not cover a reason: one here was not signed.
      return Malformed(pointer + "/reason",
                       "is not part of format 1 (" + std::string(kTrustBundleFormatV1) + ")");
    }
    out.revocations.push_back(std::move(e));
  }
  if (out.format_version >= 3) {
    FRONTERA_RETURN_IF_ERROR(ReadRegistryEntries(*revocations, out));
    FRONTERA_RETURN_IF_ERROR(ReadFlagEntries(*revocations, out));
  } else {
    for (const char* member : {"registry", "flags"}) {
      if (revocations->contains(member)) {
        return Malformed(std::string("/revocations/") + member,
                         "is not part of format " + std::to_string(out.format_version));
      }
    }
  }

  // The revocation list is vouched for like a checkpoint: a majority of the
  // voters signed its digest, for the same tree size.
  std::vector<std::string> reasons;
  auto note = crypto::ParseNote(out.revocation_note, 2 * ledger::kVotersMax);
  if (!note.ok()) {
    return Refused({"revocation note is not a signed note: " + note.status().ToString()});
  }
  const std::optional<uint64_t> revocations_time =
      CheckCosignedNote(out, signing, *note, out.revocation_note, "revocation note", reasons);
  std::string expected =
      RevocationNoteText(out.genesis.network, out.tree_size, out.revocations, out.format_version,
                         out.registry, out.flags, out.voters);
  if (note->text != expected) {
    // Say which line differs: the most useful message for an operator.
    std::vector<std::string> got, want;
    auto split = [](const std::string& text, std::vector<std::string>& lines) {
      size_t start = 0;
      for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
      }
      if (start < text.size()) lines.push_back(text.substr(start));
    };
    split(note->text, got);
    split(expected, want);
    const char* names[] = {"origin line",    "tree size",       "entry count", "digest",
                           "registry count", "registry digest", "flag count",  "flag digest",
                           "voter count",    "voter digest"};
    std::string what = "text";
    for (size_t i = 0; i < want.size(); ++i) {
      if (i >= got.size() || got[i] != want[i]) {
        what = names[i];
        break;
      }
    }
    if (what == "text" && got.size() != want.size()) what = "number of lines";
    std::string detail =
        what == "tree size" ? " (the checkpoint's is " + std::to_string(out.tree_size) + ")"
        : what == "entry count"
            ? " (the bundle lists " + std::to_string(out.revocations.size()) + ")"
        : what == "digest"
            ? " (the entries digest to " +
                  Base64Encode(RevocationDigest(out.revocations, out.format_version)) + ")"
        : what == "registry count"
            ? " (the bundle lists " + std::to_string(out.registry.size()) + ")"
            : "";
    reasons.push_back("revocation note: its " + what +
                      " does not match the bundle's checkpoint and entries" + detail);
  }
  for (const ledger::FlagEntry& e : out.flags) {
    if (e.leaf_index >= out.tree_size) {
      reasons.push_back("flag of " + e.certificate + " is at leaf " + std::to_string(e.leaf_index) +
                        ", beyond the checkpoint's tree size " + std::to_string(out.tree_size));
    }
  }
  for (const ledger::RegistryEntry& e : out.registry) {
    if (e.leaf_index >= out.tree_size) {
      reasons.push_back("registry entry of " + e.did + " is at leaf " +
                        std::to_string(e.leaf_index) + ", beyond the checkpoint's tree size " +
                        std::to_string(out.tree_size));
    }
  }
  for (const RevocationEntry& e : out.revocations) {
    if (e.leaf_index >= out.tree_size) {
      reasons.push_back("revocation of " + e.certificate + " is at leaf " +
                        std::to_string(e.leaf_index) + ", beyond the checkpoint's tree size " +
                        std::to_string(out.tree_size));
    }
  }
  FRONTERA_RETURN_IF_ERROR(ReadItemFilter(bundle, signing, out, reasons));
  if (!reasons.empty()) return Refused(reasons);
  out.directory = ledger::WithRegistry(out.genesis, out.registry);
  out.directory.validators = out.voters;
  // The bundle is as fresh as its oldest co-signed note (each note's time is
  // the one a quorum of its signers vouches for). A further co-signed note
  // joins this list.
  out.signed_time = OldestQuorumTime({checkpoint.signed_time, revocations_time});
  return out;
}

Status CheckWitnessQuorum(const TrustBundle& bundle, size_t required) {
  const size_t needed = std::max(required, bundle.genesis.witness_quorum);
  if (bundle.witness_cosigners.size() >= needed) return Status::Ok();
  std::string listed;
  for (const ledger::Witness& w : bundle.genesis.witnesses) {
    listed += (listed.empty() ? "" : ", ") + w.name;
  }
  std::string signers;
  for (const std::string& w : bundle.witness_cosigners) {
    signers += (signers.empty() ? "" : ", ") + w;
  }
  return Status::FailedPrecondition(
      "WITNESSES MISSING: the checkpoint at tree size " + std::to_string(bundle.tree_size) +
      " carries valid cosignatures of " + std::to_string(bundle.witness_cosigners.size()) +
      " witness(es)" + (signers.empty() ? "" : " (" + signers + ")") + ", " +
      std::to_string(needed) + " required" +
      (required >= bundle.genesis.witness_quorum ? " by --witnesses" : " by the genesis") +
      "; the genesis lists " + std::to_string(bundle.genesis.witnesses.size()) +
      (listed.empty() ? "" : " (" + listed + ")") +
      ". A witness that is down or has not cosigned the newest checkpoint yet: sync again later");
}

Status CheckBundleConsistency(const TrustBundle& previous, const TrustBundle& next,
                              const std::vector<crypto::Hash>& proof) {
  if (previous.genesis.hash != next.genesis.hash) {
    return Status::FailedPrecondition("the new bundle is of another network (genesis hash)");
  }
  if (next.tree_size < previous.tree_size) {
    return Status::FailedPrecondition(
        "the node's checkpoint (tree size " + std::to_string(next.tree_size) +
        ") is older than the stored one (" + std::to_string(previous.tree_size) +
        "): the node is behind or rolled back");
  }
  if (previous.tree_size == 0) return Status::Ok();  // an empty tree is a prefix of any tree
  // RFC 9162 §2.1.4.2: the proof shows the old tree is a prefix of the new one.
  if (!crypto::VerifyConsistency(previous.tree_size, next.tree_size, previous.root, next.root,
                                 proof)) {
    return Status::FailedPrecondition(
        "the node's checkpoint (tree size " + std::to_string(next.tree_size) + ", root " +
        Base64Encode(next.root) + ") is not consistent with the stored one (tree size " +
        std::to_string(previous.tree_size) + ", root " + Base64Encode(previous.root) +
        "): the ledger history was forked or rewritten");
  }
  return Status::Ok();
}

Result<std::vector<crypto::Hash>> ParseConsistencyAnswer(const Json& answer, uint64_t first,
                                                         uint64_t second) {
  if (!answer.is_object()) return Malformed("", "consistency answer must be an object");
  FRONTERA_ASSIGN_OR_RETURN(uint64_t got_first, UnsignedMember(answer, "first", ""));
  FRONTERA_ASSIGN_OR_RETURN(uint64_t got_second, UnsignedMember(answer, "second", ""));
  if (got_first != first || got_second != second) {
    return Malformed("/first", "the node answered for sizes " + std::to_string(got_first) + ", " +
                                   std::to_string(got_second) + ", not " + std::to_string(first) +
                                   ", " + std::to_string(second));
  }
  auto proof = answer.find("proof");
  if (proof == answer.end() || !proof->is_array()) {
    return Malformed("/proof", "must be an array of base64 hashes");
  }
  // RFC 9162 §2.1.4: a consistency proof has at most 2·log2(n) + 1 hashes.
  if (proof->size() > 130) return Malformed("/proof", "longer than 130 hashes");
  std::vector<crypto::Hash> hashes;
  for (size_t i = 0; i < proof->size(); ++i) {
    if (!(*proof)[i].is_string()) return Malformed("/proof/" + std::to_string(i), "not a string");
    FRONTERA_ASSIGN_OR_RETURN(
        crypto::Hash h, DecodeHash((*proof)[i].get<std::string>(), "/proof/" + std::to_string(i)));
    hashes.push_back(h);
  }
  return hashes;
}

std::string DefaultTrustPath() {
  if (const char* env = std::getenv("FRONTERA_TRUST"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.frontera/trust.json";
}

BundleAge CheckBundleAge(const TrustBundle& bundle, int64_t now_unix_millis) {
  BundleAge out;
  out.max_age_seconds = bundle.genesis.MaxBundleAgeSeconds();
  if (!bundle.signed_time) {
    out.stale = true;
    out.reason =
        "its co-signatures carry no signed time (a bundle from before timestamped "
        "co-signatures), so its age is unknown; run `frontera trust sync`";
    return out;
  }
  const int64_t signed_millis = static_cast<int64_t>(
      std::min<uint64_t>(*bundle.signed_time, uint64_t{INT64_MAX / 1000}) * 1000);
  out.age_millis = std::max<int64_t>(0, now_unix_millis - signed_millis);
  const int64_t max_millis = static_cast<int64_t>(out.max_age_seconds) * 1000;
  if (out.age_millis > max_millis) {
    out.stale = true;
    out.reason = "a quorum of the validators co-signed it " + DescribeAge(out.age_millis) +
                 " ago (" + FormatRfc3339(signed_millis) +
                 "), more than the network's maximum of " + DescribeAge(max_millis) +
                 "; run `frontera trust sync`";
  }
  return out;
}

std::string SeenCheckpointPath(const std::string& trust_path) {
  std::filesystem::path dir = std::filesystem::path(trust_path).parent_path();
  return (dir.empty() ? std::filesystem::path(kSeenCheckpointFile) : dir / kSeenCheckpointFile)
      .string();
}

namespace {

constexpr char kSeenFormat[] = "frontera-trust-seen/1";
// Networks one state file remembers (one per genesis the user verified with).
constexpr size_t kSeenNetworksMax = 1000;

// The whole state file: {"format", "networks": {<genesis hash>: {tree_size, root,
// signed_time}}}; an empty object when there is none.
Result<Json> ReadSeenFile(const std::string& state_path) {
  auto text = ReadTextFile(state_path, 1u << 20);
  if (!text.ok() && text.status().IsNotFound()) {
    return Json{{"format", kSeenFormat}, {"networks", Json::object()}};
  }
  if (!text.ok()) return text.status();
  const auto corrupt = [&](const std::string& why) {
    return Status::Corruption(state_path + ": not a trust state file (" + why +
                              "); it remembers the newest checkpoint seen, so that an older "
                              "bundle is refused: restore it, or remove it to start over");
  };
  auto json = crypto::ParseJson(*text);
  if (!json.ok()) return corrupt(json.status().message());
  if (!json->is_object() || json->value("format", Json()) != kSeenFormat) {
    return corrupt("its format is not " + std::string(kSeenFormat));
  }
  auto networks = json->find("networks");
  if (networks == json->end() || !networks->is_object() || networks->size() > kSeenNetworksMax) {
    return corrupt("/networks must be an object of at most " + std::to_string(kSeenNetworksMax) +
                   " networks");
  }
  for (const auto& [hash, seen] : networks->items()) {
    if (!seen.is_object() || !seen.value("tree_size", Json()).is_number_unsigned() ||
        !seen.value("signed_time", Json()).is_number_unsigned() ||
        !seen.value("root", Json()).is_string() ||
        !DecodeHash(seen["root"].get<std::string>(), "/root").ok()) {
      return corrupt("/networks/" + hash + " must be {tree_size, root, signed_time}");
    }
  }
  return json;
}

}  // namespace

Result<std::optional<SeenCheckpoint>> ReadSeenCheckpoint(const std::string& state_path,
                                                         const crypto::Hash& genesis_hash) {
  FRONTERA_ASSIGN_OR_RETURN(Json state, ReadSeenFile(state_path));
  auto seen = state["networks"].find(Base64Encode(genesis_hash));
  if (seen == state["networks"].end()) return std::optional<SeenCheckpoint>();
  SeenCheckpoint out;
  out.tree_size = (*seen)["tree_size"].get<uint64_t>();
  out.root = DecodeHash((*seen)["root"].get<std::string>(), "/root").value();
  out.signed_time = (*seen)["signed_time"].get<uint64_t>();
  return std::optional<SeenCheckpoint>(out);
}

Status CheckNotOlderThanSeen(const TrustBundle& bundle, const std::optional<SeenCheckpoint>& seen) {
  if (!seen) return Status::Ok();
  const std::string when =
      seen->signed_time > 0
          ? ", co-signed " + FormatRfc3339(static_cast<int64_t>(std::min<uint64_t>(
                                               seen->signed_time, uint64_t{INT64_MAX / 1000})) *
                                           1000)
          : "";
  if (bundle.tree_size < seen->tree_size) {
    return Status::FailedPrecondition(
        "trust bundle refused: its checkpoint (tree size " + std::to_string(bundle.tree_size) +
        ") is older than the newest this verifier has seen (tree size " +
        std::to_string(seen->tree_size) + when +
        "); an older bundle may not know of later revocations: run `frontera trust sync`");
  }
  if (bundle.tree_size == seen->tree_size && bundle.root != seen->root) {
    return Status::FailedPrecondition(
        "trust bundle refused: its checkpoint (tree size " + std::to_string(bundle.tree_size) +
        ", root " + Base64Encode(bundle.root) + ") differs from the one this verifier has seen " +
        "at that size (root " + Base64Encode(seen->root) + when +
        "): the network's history forked; report it to the network's operators");
  }
  return Status::Ok();
}

Status RecordSeenCheckpoint(const std::string& state_path, const TrustBundle& bundle) {
  FRONTERA_ASSIGN_OR_RETURN(Json state, ReadSeenFile(state_path));
  const std::string key = Base64Encode(bundle.genesis.hash);
  Json& networks = state["networks"];
  const uint64_t signed_time = bundle.signed_time.value_or(0);
  if (auto seen = networks.find(key); seen != networks.end()) {
    const uint64_t seen_size = (*seen)["tree_size"].get<uint64_t>();
    const uint64_t seen_time = (*seen)["signed_time"].get<uint64_t>();
    if (bundle.tree_size < seen_size ||
        (bundle.tree_size == seen_size && signed_time <= seen_time)) {
      return Status::Ok();  // nothing newer to remember
    }
  } else if (networks.size() >= kSeenNetworksMax) {
    return Status::ResourceExhausted(state_path + ": remembers " +
                                     std::to_string(kSeenNetworksMax) + " networks already");
  }
  networks[key] = Json{{"tree_size", bundle.tree_size},
                       {"root", Base64Encode(bundle.root)},
                       {"signed_time", signed_time}};
  std::filesystem::path target(state_path);
  std::error_code ec;
  if (target.has_parent_path() && !std::filesystem::exists(target.parent_path(), ec)) {
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return Status::IOError(target.parent_path().string() + ": " + ec.message());
  }
  // Written durably (temporary file, fsync, rename, fsync of the directory).
  return ReplaceFile(state_path, state.dump(2) + "\n", 0644);
}

Status WriteTrustFile(const std::string& path, const TrustBundle& bundle,
                      const std::string& synced_at) {
  // Never replace a newer bundle by an older one, whoever asks.
  const std::string state_path = SeenCheckpointPath(path);
  FRONTERA_ASSIGN_OR_RETURN(std::optional<SeenCheckpoint> seen,
                            ReadSeenCheckpoint(state_path, bundle.genesis.hash));
  FRONTERA_RETURN_IF_ERROR(CheckNotOlderThanSeen(bundle, seen));
  std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path() && !std::filesystem::exists(target.parent_path(), ec)) {
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return Status::IOError(target.parent_path().string() + ": " + ec.message());
    std::filesystem::permissions(target.parent_path(), std::filesystem::perms::owner_all, ec);
  }
  Json document = bundle.document;
  document["synced_at"] = synced_at;
  // A crash leaves either the old bundle or the new one, never half of one.
  FRONTERA_RETURN_IF_ERROR(ReplaceFile(path, document.dump(2) + "\n", 0644));
  return RecordSeenCheckpoint(state_path, bundle);
}

Result<TrustBundle> LoadTrustFile(const std::string& path, const crypto::Hash& genesis_hash) {
  // A bundle holds the whole genesis and one entry per revocation.
  auto text = ReadTextFile(path, kTrustFileBytesMax);
  if (!text.ok()) return text.status();
  auto json = crypto::ParseJson(*text, {.text_bytes_max = kTrustFileBytesMax});
  if (!json.ok()) return json.status().WithContext(path);
  auto bundle = VerifyTrustBundle(*json, genesis_hash);
  if (!bundle.ok()) return bundle.status().WithContext(path);
  // "synced_at" is not signed: shown as information only, never trusted
  // (the age is the co-signatures' signed time). One that is not a date is
  // ignored.
  auto synced = json->find("synced_at");
  if (synced != json->end() && synced->is_string()) {
    if (auto millis = ledger::gs1::ParseRfc3339Millis(synced->get<std::string>()); millis.ok()) {
      bundle->synced_at = synced->get<std::string>();
      bundle->synced_at_millis = *millis;
    }
  }
  // Whatever the file says, a checkpoint older than the newest one seen is
  // refused; a newer one is remembered.
  const std::string state_path = SeenCheckpointPath(path);
  auto seen = ReadSeenCheckpoint(state_path, genesis_hash);
  if (!seen.ok()) return seen.status();
  Status newer = CheckNotOlderThanSeen(*bundle, *seen);
  if (!newer.ok()) return newer.WithContext(path);
  FRONTERA_RETURN_IF_ERROR(RecordSeenCheckpoint(state_path, *bundle));
  return bundle;
}

std::string DescribeAge(int64_t age_millis) {
  int64_t seconds = std::max<int64_t>(0, age_millis / 1000);
  if (seconds < 60) return std::to_string(seconds) + " s";
  if (seconds < 3600) return std::to_string(seconds / 60) + " min";
  if (seconds < 86400) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " d";
}

std::string RenderTrustBundle(const TrustBundle& bundle, int64_t now_unix_millis) {
  std::string signers;
  for (const std::string& s : bundle.checkpoint_signers) {
    signers += (signers.empty() ? "" : ", ") + s;
  }
  std::string out;
  out += "network      " + bundle.genesis.network + "\n";
  out += "genesis      " + Base64Encode(bundle.genesis.hash) + "\n";
  out += "resolver     " + bundle.genesis.resolver + "\n";
  std::string voters;
  for (const ledger::Validator& v : bundle.voters) voters += (voters.empty() ? "" : ", ") + v.name;
  out += "voters       " + std::to_string(bundle.voters.size()) + " (quorum " +
         std::to_string(bundle.voters.size() / 2 + 1) + "): " + voters + "\n";
  if (bundle.format_version >= 4) {
    out += "             " + std::to_string(bundle.voter_changes.size()) + " voter change" +
           (bundle.voter_changes.size() == 1 ? "" : "s") +
           " since the genesis, each signed by the voters before it\n";
  }
  out += "parties      " + std::to_string(bundle.directory.parties.size()) +
         (bundle.registry_known
              ? " (" + std::to_string(bundle.registry.size()) +
                    " registry changes since the genesis)\n"
              : " (the genesis's: this bundle predates the registry; run `frontera trust sync`)\n");
  out += "checkpoint   tree size " + std::to_string(bundle.tree_size) + ", root " +
         Base64Encode(bundle.root) + "\n";
  out += "             signed by " + signers + "\n";
  if (bundle.item_filter) {
    out += "item filter  " + std::to_string(bundle.item_filter->item_count()) +
           " certified items as of checkpoint " + std::to_string(bundle.item_filter_tree_size) +
           " (" + std::to_string(bundle.item_filter->fingerprint_bytes()) +
           " bytes; an uncertified item passes with probability 1/256)\n";
  } else {
    out +=
        "item filter  none: offline verification cannot tell whether an item was certified; "
        "run `frontera trust sync`\n";
  }
  out += "revocations  " + std::to_string(bundle.revocations.size()) + "\n";
  for (const RevocationEntry& e : bundle.revocations) {
    out += "             " + e.certificate + " " + e.item + "\n";
    if (bundle.reasons_known) {
      // As a JSON string: a reason may hold line ends or control characters.
      out += "               reason " + crypto::Canonicalize(Json(e.reason)).value() + "\n";
    }
  }
  if (!bundle.reasons_known) {
    out +=
        "             (format 1: this bundle predates revocation reasons, so a recall is "
        "not told from another revocation; run frontera trust sync)\n";
  }
  const BundleAge age = CheckBundleAge(bundle, now_unix_millis);
  if (bundle.signed_time) {
    out += "co-signed    " +
           FormatRfc3339(static_cast<int64_t>(
               std::min<uint64_t>(*bundle.signed_time, uint64_t{INT64_MAX / 1000}) * 1000)) +
           " (" + DescribeAge(age.age_millis) + " ago, by a quorum of the voters; maximum age " +
           DescribeAge(static_cast<int64_t>(age.max_age_seconds) * 1000) + ")\n";
  }
  if (age.stale) out += "STALE        " + age.reason + "\n";
  if (!bundle.synced_at.empty()) {
    out += "synced       " + bundle.synced_at + " (as this file says; not signed)\n";
  }
  return out;
}

}  // namespace frontera::tools
