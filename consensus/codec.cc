#include "consensus/codec.h"

#include <array>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "common/binary.h"
#include "common/check.h"
#include "common/crc32c.h"

namespace frontera::consensus {
namespace {

// ---- Writing ----

uint8_t EntryTypeByte(EntryType type) {
  const auto byte = static_cast<uint8_t>(type);
  FRONTERA_CHECK(byte <= static_cast<uint8_t>(EntryType::kConfig))
      << "encoding an entry of unknown type " << int{byte};
  return byte;
}

size_t EntryBodyLength(const Entry& e) {
  return VarintLength(e.term) + VarintLength(e.index) + 1 + VarintLength(e.data.size()) +
         e.data.size();
}

size_t EntryRecordLength(const Entry& e) {
  const size_t body = EntryBodyLength(e);
  return VarintLength(body) + 4 + body;
}

// The checksum is written after the body, into the 4 bytes reserved before
// it, so the body is produced once, straight into `out`, and never copied.
void AppendEntryRecord(std::string& out, const Entry& e) {
  BinaryWriter w(out);
  const size_t body_length = EntryBodyLength(e);
  w.Varint(body_length);
  const size_t crc_at = w.Reserve32();
  const size_t body_at = w.size();
  w.Varint(e.term);
  w.Varint(e.index);
  w.U8(EntryTypeByte(e.type));
  w.Varint(e.data.size());
  w.Raw(e.data);
  w.Patch32(crc_at, Crc32c(std::string_view(out).substr(body_at, body_length)));
}

// Version, the checksum of `body`, then `body` (hard state, snapshot point).
std::string Checksummed(std::string_view body) {
  std::string out;
  out.reserve(1 + 4 + body.size());
  BinaryWriter w(out);
  w.U8(kCodecVersion);
  w.U32(Crc32c(body));
  w.Raw(body);
  return out;
}

// A body of varints, checksummed.
template <size_t N>
std::string EncodeChecksummedVarints(const std::array<uint64_t, N>& fields) {
  std::string body;
  BinaryWriter b(body);
  for (uint64_t f : fields) b.Varint(f);
  return Checksummed(body);
}

size_t MembershipLength(const Membership& m) {
  size_t size = VarintLength(m.voters.size()) + VarintLength(m.learners.size());
  for (NodeId id : m.voters) size += VarintLength(id);
  for (NodeId id : m.learners) size += VarintLength(id);
  return size;
}

void AppendMembership(BinaryWriter& w, const Membership& m) {
  w.Varint(m.voters.size());
  for (NodeId id : m.voters) w.Varint(id);
  w.Varint(m.learners.size());
  for (NodeId id : m.learners) w.Varint(id);
}

// ---- Reading ----

// Reads one list of a membership: a count, then that many ids, each above
// the one before (so sorted, distinct and non-zero).
Status ReadNodeList(BinaryReader& r, std::string_view what, size_t max_members,
                    std::vector<NodeId>& out) {
  uint64_t count = 0;
  FRONTERA_RETURN_IF_ERROR(r.Varint(what, count));
  if (count > max_members || count > r.remaining()) {
    return r.Error(what, std::to_string(count) + " nodes exceed the limit max_members = " +
                             std::to_string(max_members) + " or the bytes left");
  }
  out.resize(static_cast<size_t>(count));
  NodeId previous = kNoNode;
  for (NodeId& id : out) {
    FRONTERA_RETURN_IF_ERROR(r.Varint(what, id));
    if (id <= previous) {
      return r.Error(what, "node " + std::to_string(id) + " after node " +
                               std::to_string(previous) + " (ids must be non-zero and increasing)");
    }
    previous = id;
  }
  return Status::Ok();
}

Status ReadMembership(BinaryReader& r, size_t max_members, Membership& out) {
  FRONTERA_RETURN_IF_ERROR(ReadNodeList(r, "voters", max_members, out.voters));
  FRONTERA_RETURN_IF_ERROR(ReadNodeList(r, "learners", max_members, out.learners));
  for (NodeId id : out.learners) {
    if (out.IsVoter(id)) {
      return r.Error("learners", "node " + std::to_string(id) + " is both a voter and a learner");
    }
  }
  return Status::Ok();
}

std::string Hex32(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

Status CheckVersion(BinaryReader& r) {
  uint8_t version = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("version", version));
  if (version == 1) {
    // Version 1 stored checksums little-endian; nothing else changed. A
    // network made before version 2 is re-created (docs/formats.md,
    // "Binary encodings").
    return r.Error("version",
                   "format version 1 (written before Frontera's binary formats became "
                   "big-endian) is not read by this build, which reads version " +
                       std::to_string(kCodecVersion) +
                       "; re-create the network's data directories (docs/formats.md, "
                       "\"Binary encodings\")");
  }
  if (version != kCodecVersion) {
    return r.Error("version", "format version " + std::to_string(version) +
                                  " is not supported (this build reads version " +
                                  std::to_string(kCodecVersion) + ")");
  }
  return Status::Ok();
}

Status CheckSize(std::string_view what, std::string_view bytes, const DecodeLimits& limits) {
  if (bytes.size() <= limits.max_bytes) return Status::Ok();
  return Status::InvalidArgument(
      std::string(what) + " of " + std::to_string(bytes.size()) +
      " bytes exceeds the limit max_bytes = " + std::to_string(limits.max_bytes));
}

// Smallest entry record: body_len (1) + crc (4) + body of four one-byte
// fields. Bounds the entry count a message can honestly claim.
constexpr size_t kMinEntryRecordBytes = 1 + 4 + 4;

// Reads one entry record. The checksum is verified before the body is parsed
// so that damage is reported as Corruption, not as a confusing format error.
Status ReadEntryRecord(BinaryReader& r, Entry& out) {
  uint64_t body_length = 0;
  FRONTERA_RETURN_IF_ERROR(r.Varint("entry length", body_length));
  uint32_t stored_crc = 0;
  FRONTERA_RETURN_IF_ERROR(r.U32("entry checksum", stored_crc));
  const size_t body_offset = r.offset();
  std::string_view body;
  FRONTERA_RETURN_IF_ERROR(r.Raw("entry body", body_length, body));
  const uint32_t computed_crc = Crc32c(body);
  if (computed_crc != stored_crc) {
    return Status::Corruption(std::string(r.what()) + ": entry checksum mismatch at byte " +
                              std::to_string(body_offset) + " (stored " + Hex32(stored_crc) +
                              ", computed " + Hex32(computed_crc) + ")");
  }
  BinaryReader b(body, r.what(), body_offset);
  Entry e;
  FRONTERA_RETURN_IF_ERROR(b.Varint("entry term", e.term));
  FRONTERA_RETURN_IF_ERROR(b.Varint("entry index", e.index));
  uint8_t type = 0;
  FRONTERA_RETURN_IF_ERROR(b.U8("entry type", type));
  if (type > static_cast<uint8_t>(EntryType::kConfig)) {
    return b.Error("entry type", "unknown entry type " + std::to_string(type));
  }
  e.type = static_cast<EntryType>(type);
  uint64_t data_length = 0;
  FRONTERA_RETURN_IF_ERROR(b.Varint("entry data length", data_length));
  std::string_view data;
  FRONTERA_RETURN_IF_ERROR(b.Raw("entry data", data_length, data));
  FRONTERA_RETURN_IF_ERROR(b.End());
  e.data.assign(data);
  out = std::move(e);
  return Status::Ok();
}

// Checks version and checksum; a reader of the body (at its offset).
Result<BinaryReader> ChecksummedBody(std::string_view bytes, std::string_view what) {
  BinaryReader r(bytes, what);
  FRONTERA_RETURN_IF_ERROR(CheckVersion(r));
  uint32_t stored_crc = 0;
  FRONTERA_RETURN_IF_ERROR(r.U32("checksum", stored_crc));
  const size_t body_offset = r.offset();
  std::string_view body;
  FRONTERA_RETURN_IF_ERROR(r.Raw("body", r.remaining(), body));
  const uint32_t computed_crc = Crc32c(body);
  if (computed_crc != stored_crc) {
    return Status::Corruption(std::string(what) + ": checksum mismatch (stored " +
                              Hex32(stored_crc) + ", computed " + Hex32(computed_crc) + ")");
  }
  return BinaryReader(body, what, body_offset);
}

// Decodes version, checksum and a body of exactly N varints.
template <size_t N>
Result<std::array<uint64_t, N>> DecodeChecksummedVarints(
    std::string_view bytes, std::string_view what, const std::array<std::string_view, N>& names) {
  FRONTERA_ASSIGN_OR_RETURN(BinaryReader b, ChecksummedBody(bytes, what));
  std::array<uint64_t, N> fields{};
  for (size_t i = 0; i < N; ++i) FRONTERA_RETURN_IF_ERROR(b.Varint(names[i], fields[i]));
  FRONTERA_RETURN_IF_ERROR(b.End());
  return fields;
}

constexpr uint8_t kFlagReject = 1u << 0;
constexpr uint8_t kFlagForce = 1u << 1;
constexpr uint8_t kFlagProof = 1u << 2;
constexpr uint8_t kFlagMembership = 1u << 3;
constexpr uint8_t kLastMessageType = static_cast<uint8_t>(MessageType::kTimeoutNow);

}  // namespace

std::string EncodeEntry(const Entry& entry) {
  std::string out;
  out.reserve(1 + EntryRecordLength(entry));
  BinaryWriter(out).U8(kCodecVersion);
  AppendEntryRecord(out, entry);
  return out;
}

Result<Entry> DecodeEntry(std::string_view bytes, const DecodeLimits& limits) {
  FRONTERA_RETURN_IF_ERROR(CheckSize("entry value", bytes, limits));
  BinaryReader r(bytes, "entry value");
  FRONTERA_RETURN_IF_ERROR(CheckVersion(r));
  Entry entry;
  FRONTERA_RETURN_IF_ERROR(ReadEntryRecord(r, entry));
  FRONTERA_RETURN_IF_ERROR(r.End());
  return entry;
}

std::string EncodeHardState(const HardState& hard_state) {
  if (hard_state.term_leader == kNoNode) {
    // The form stored before term_leader existed, read the same way.
    return EncodeChecksummedVarints<3>(
        {hard_state.current_term, hard_state.voted_for, hard_state.commit_index});
  }
  return EncodeChecksummedVarints<4>({hard_state.current_term, hard_state.voted_for,
                                      hard_state.commit_index, hard_state.term_leader});
}

Result<HardState> DecodeHardState(std::string_view bytes) {
  FRONTERA_ASSIGN_OR_RETURN(BinaryReader b, ChecksummedBody(bytes, "hard state"));
  HardState hs;
  FRONTERA_RETURN_IF_ERROR(b.Varint("current_term", hs.current_term));
  FRONTERA_RETURN_IF_ERROR(b.Varint("voted_for", hs.voted_for));
  FRONTERA_RETURN_IF_ERROR(b.Varint("commit_index", hs.commit_index));
  if (b.remaining() > 0) {
    FRONTERA_RETURN_IF_ERROR(b.Varint("term_leader", hs.term_leader));
    if (hs.term_leader == kNoNode) {
      return Status::InvalidArgument("hard state: term_leader 0 is written by omitting it");
    }
  }
  FRONTERA_RETURN_IF_ERROR(b.End());
  return hs;
}

std::string EncodeSnapshotMeta(const SnapshotMeta& snapshot) {
  std::string body;
  BinaryWriter b(body);
  b.Varint(snapshot.index);
  b.Varint(snapshot.term);
  if (!snapshot.membership.voters.empty()) AppendMembership(b, snapshot.membership);
  return Checksummed(body);
}

Result<SnapshotMeta> DecodeSnapshotMeta(std::string_view bytes) {
  FRONTERA_ASSIGN_OR_RETURN(BinaryReader b, ChecksummedBody(bytes, "snapshot meta"));
  SnapshotMeta snapshot;
  FRONTERA_RETURN_IF_ERROR(b.Varint("index", snapshot.index));
  FRONTERA_RETURN_IF_ERROR(b.Varint("term", snapshot.term));
  // A snapshot point written before membership changes existed ends here.
  if (b.remaining() > 0) {
    FRONTERA_RETURN_IF_ERROR(ReadMembership(b, DecodeLimits{}.max_members, snapshot.membership));
    if (snapshot.membership.voters.empty()) {
      return b.Error("voters", "a recorded membership has no voter");
    }
  }
  FRONTERA_RETURN_IF_ERROR(b.End());
  return snapshot;
}

std::string EncodeConfigChange(const ConfigChange& change) {
  std::string out;
  out.reserve(MembershipLength(change.membership) + VarintLength(change.context.size()) +
              change.context.size());
  BinaryWriter w(out);
  AppendMembership(w, change.membership);
  w.VarintBytes(change.context);
  return out;
}

Result<ConfigChange> DecodeConfigChange(std::string_view bytes, const DecodeLimits& limits) {
  FRONTERA_RETURN_IF_ERROR(CheckSize("config change", bytes, limits));
  BinaryReader r(bytes, "config change");
  ConfigChange change;
  FRONTERA_RETURN_IF_ERROR(ReadMembership(r, limits.max_members, change.membership));
  if (change.membership.voters.empty()) {
    return r.Error("voters", "a configuration needs at least one voter");
  }
  uint64_t length = 0;
  FRONTERA_RETURN_IF_ERROR(r.Varint("context length", length));
  std::string_view context;
  FRONTERA_RETURN_IF_ERROR(r.Raw("context", length, context));
  FRONTERA_RETURN_IF_ERROR(r.End());
  change.context.assign(context);
  return change;
}

void AppendMessage(const Message& m, std::string& out) {
  const auto type = static_cast<uint8_t>(m.type);
  FRONTERA_CHECK(type <= kLastMessageType) << "encoding a message of unknown type " << int{type};
  const std::array<uint64_t, 10> header = {
      m.from,   m.to,          m.term,    m.log_term,       m.index,
      m.commit, m.reject_hint, m.context, m.snapshot.index, m.snapshot.term,
  };
  // Size everything first: a message may carry 64 entries of 1 MiB, and
  // growing the string by doubling would copy them several times.
  const bool membership = !m.snapshot.membership.voters.empty();
  size_t size = 3 + VarintLength(m.entries.size());
  for (uint64_t v : header) size += VarintLength(v);
  if (membership) size += MembershipLength(m.snapshot.membership);
  for (const Entry& e : m.entries) size += EntryRecordLength(e);
  if (!m.proof.empty()) {
    size += VarintLength(m.proof.size());
    for (const SignedStatement& s : m.proof) {
      size += VarintLength(s.signer) + VarintLength(s.signature.size()) + s.signature.size();
    }
  }
  out.reserve(out.size() + size);

  BinaryWriter w(out);
  w.U8(kCodecVersion);
  w.U8(type);
  uint8_t flags = 0;
  if (m.reject) flags |= kFlagReject;
  if (m.force) flags |= kFlagForce;
  if (!m.proof.empty()) flags |= kFlagProof;
  if (membership) flags |= kFlagMembership;
  w.U8(flags);
  for (uint64_t v : header) w.Varint(v);
  if (membership) AppendMembership(w, m.snapshot.membership);
  w.Varint(m.entries.size());
  for (const Entry& e : m.entries) AppendEntryRecord(out, e);
  if (m.proof.empty()) return;
  w.Varint(m.proof.size());
  for (const SignedStatement& s : m.proof) {
    w.Varint(s.signer);
    w.VarintBytes(s.signature);
  }
}

std::string EncodeMessage(const Message& message) {
  std::string out;
  AppendMessage(message, out);
  return out;
}

Result<Message> DecodeMessage(std::string_view bytes, const DecodeLimits& limits) {
  FRONTERA_RETURN_IF_ERROR(CheckSize("message", bytes, limits));
  BinaryReader r(bytes, "message");
  FRONTERA_RETURN_IF_ERROR(CheckVersion(r));
  Message m;
  uint8_t type = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("type", type));
  if (type > kLastMessageType) {
    return r.Error("type", "unknown message type " + std::to_string(type));
  }
  m.type = static_cast<MessageType>(type);
  uint8_t flags = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("flags", flags));
  if ((flags & ~(kFlagReject | kFlagForce | kFlagProof | kFlagMembership)) != 0) {
    return r.Error("flags", "unknown flag bits " + Hex32(flags));
  }
  m.reject = (flags & kFlagReject) != 0;
  m.force = (flags & kFlagForce) != 0;
  FRONTERA_RETURN_IF_ERROR(r.Varint("from", m.from));
  FRONTERA_RETURN_IF_ERROR(r.Varint("to", m.to));
  FRONTERA_RETURN_IF_ERROR(r.Varint("term", m.term));
  FRONTERA_RETURN_IF_ERROR(r.Varint("log_term", m.log_term));
  FRONTERA_RETURN_IF_ERROR(r.Varint("index", m.index));
  FRONTERA_RETURN_IF_ERROR(r.Varint("commit", m.commit));
  FRONTERA_RETURN_IF_ERROR(r.Varint("reject_hint", m.reject_hint));
  FRONTERA_RETURN_IF_ERROR(r.Varint("context", m.context));
  FRONTERA_RETURN_IF_ERROR(r.Varint("snapshot.index", m.snapshot.index));
  FRONTERA_RETURN_IF_ERROR(r.Varint("snapshot.term", m.snapshot.term));
  if ((flags & kFlagMembership) != 0) {
    FRONTERA_RETURN_IF_ERROR(ReadMembership(r, limits.max_members, m.snapshot.membership));
    if (m.snapshot.membership.voters.empty()) {
      return r.Error("voters", "the membership flag is set but the membership has no voter");
    }
  }
  uint64_t count = 0;
  FRONTERA_RETURN_IF_ERROR(r.Varint("entry count", count));
  if (count > limits.max_entries) {
    return r.Error("entry count", std::to_string(count) +
                                      " entries exceed the limit max_entries = " +
                                      std::to_string(limits.max_entries));
  }
  // A count the remaining bytes cannot hold is refused before reserving, so a
  // forged count cannot make us allocate.
  if (count > r.remaining() / kMinEntryRecordBytes) {
    return r.Error("entry count", std::to_string(count) + " entries cannot fit in the " +
                                      std::to_string(r.remaining()) + " bytes left");
  }
  // Entries continue the log right after `index`: entry i is at index + 1 + i.
  if (count > 0 && m.index > std::numeric_limits<uint64_t>::max() - count) {
    return r.Error("entry count", std::to_string(count) + " entries after index " +
                                      std::to_string(m.index) + " run past the largest index");
  }
  m.entries.resize(static_cast<size_t>(count));
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const std::string what = "message entry " + std::to_string(i) + " of " + std::to_string(count);
    r.set_what(what);
    const size_t entry_offset = r.offset();
    FRONTERA_RETURN_IF_ERROR(ReadEntryRecord(r, m.entries[i]));
    const uint64_t want = m.index + 1 + i;
    if (m.entries[i].index != want) {
      return Status::InvalidArgument(what + ": entry at byte " + std::to_string(entry_offset) +
                                     " has index " + std::to_string(m.entries[i].index) + ", not " +
                                     std::to_string(want) +
                                     " (entries must follow the message's index " +
                                     std::to_string(m.index) + " without gaps)");
    }
  }
  r.set_what("message");
  if ((flags & kFlagProof) != 0) {
    uint64_t proof_count = 0;
    FRONTERA_RETURN_IF_ERROR(r.Varint("proof count", proof_count));
    if (proof_count == 0 || proof_count > limits.max_proof) {
      return r.Error("proof count",
                     std::to_string(proof_count) + " signatures (the proof flag " +
                         "asks for 1 to max_proof = " + std::to_string(limits.max_proof) + ")");
    }
    // Each signature takes at least 2 bytes: a forged count cannot allocate.
    if (proof_count > r.remaining() / 2) {
      return r.Error("proof count", std::to_string(proof_count) + " signatures cannot fit in the " +
                                        std::to_string(r.remaining()) + " bytes left");
    }
    m.proof.resize(static_cast<size_t>(proof_count));
    for (SignedStatement& s : m.proof) {
      FRONTERA_RETURN_IF_ERROR(r.Varint("proof signer", s.signer));
      uint64_t length = 0;
      FRONTERA_RETURN_IF_ERROR(r.Varint("proof signature length", length));
      if (length > limits.max_signature_bytes) {
        return r.Error("proof signature length", std::to_string(length) +
                                                     " bytes exceed max_signature_bytes = " +
                                                     std::to_string(limits.max_signature_bytes));
      }
      std::string_view signature;
      FRONTERA_RETURN_IF_ERROR(r.Raw("proof signature", length, signature));
      s.signature.assign(signature);
    }
  }
  FRONTERA_RETURN_IF_ERROR(r.End());
  return m;
}

std::string EncodeStatement(const Statement& statement) {
  static constexpr std::string_view kDomain = "frontera raft statement v1";
  std::string out(kDomain);
  out.push_back('\0');
  BinaryWriter w(out);
  w.U8(static_cast<uint8_t>(statement.kind));
  w.Varint(statement.term);
  w.Varint(statement.candidate);
  return out;
}

}  // namespace frontera::consensus
