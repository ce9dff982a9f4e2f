// Codec: the binary encoding of the Raft values that leave the core: log
// entries and the hard state and snapshot point as storage/ keeps them, and
// peer messages as node/ sends them. One format for disk and wire, so that an
// entry's checksum is computed once by the leader that encodes it and checked
// by every follower that decodes and every store that reads it back.
//
// Format version 2 (kCodecVersion), written and read with common/binary.h.
// All integers are unsigned LEB128 varints (7 bits a byte, least significant
// group first, high bit = "more follows", at most 10 bytes); a decoder accepts
// only the shortest form, so each value has exactly one encoding. crc is a
// CRC32C (common/crc32c.h) stored as 4 bytes big-endian. Bytes are written in
// the order listed. (Version 1 stored crc little-endian and is refused with a
// message that says so: docs/formats.md, "Binary encodings".)
//
//   entry record  = varint body_len, crc(body) [4], body
//     body        = varint term, varint index, type [1], varint data_len,
//                   data [data_len]; body ends exactly after data
//     type        = 0 normal, 1 no-op, 2 config (EntryType)
//   ConfigChange  = membership, varint context_len, context [context_len];
//                   nothing follows (the data of a config entry)
//     membership  = varint voter_count (>= 1), voter_count × varint id,
//                   varint learner_count, learner_count × varint id;
//                   ids non-zero and increasing in each list, no learner
//                   a voter
//   Entry value   = version [1] = 0x02, entry record; nothing follows
//   HardState     = version [1] = 0x02, crc(body) [4],
//                   body = varint current_term, varint voted_for,
//                          varint commit_index, then varint term_leader
//                          unless it is 0 (kNoNode); nothing follows
//   SnapshotMeta  = version [1] = 0x02, crc(body) [4],
//                   body = varint index, varint term, then optionally
//                          membership; nothing follows (a snapshot point
//                          without a membership keeps the initial one)
//   Message       = version [1] = 0x02, type [1] (MessageType, 0..11),
//                   flags [1] (bit 0 reject, bit 1 force, bit 2 proof,
//                   bit 3 membership, others 0),
//                   varint from, varint to, varint term, varint log_term,
//                   varint index, varint commit, varint reject_hint,
//                   varint context, varint snapshot.index,
//                   varint snapshot.term, only when flag bit 3 is set
//                   snapshot.membership, varint entry_count,
//                   entry_count × entry record, then, only when flag
//                   bit 2 is set, varint proof_count (>= 1),
//                   proof_count × (varint signer, varint sig_len,
//                   signature [sig_len]); nothing follows;
//                   entry i (from 0) has index = index + 1 + i
//   Statement     = "frontera raft statement v1" [26], 0x00, kind [1],
//                   varint term, varint candidate (what a validator signs
//                   in an election proof; the node prefixes its network id)
//
// Every entry record carries its own checksum, on disk and on the wire: a
// flipped bit in a stored or transmitted entry is reported, never applied.
// The message header has no checksum of its own; the transport frames
// messages and protects them in transit (TLS / TCP).
//
// Decoders are strict and bounded: a wrong version, an unknown type or flag,
// a non-shortest or over-long varint, a length past the end, trailing bytes,
// a message's entries that do not follow its index without gaps, or more
// than DecodeLimits allows is an error, never a crash, and no decoder
// allocates more than the size of its input. What the values mean (terms,
// whether an append fits the receiver's log) is Raft::Step's to check.
//
// Thread-safety: pure functions; safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "consensus/types.h"

namespace frontera::consensus {

// The first byte of every encoding. A decoder refuses any other value.
inline constexpr uint8_t kCodecVersion = 2;

// Bounds a decoder enforces before it allocates.
struct DecodeLimits {
  // Most entries one message may carry. RaftConfig::max_entries_per_append
  // is at most 65536.
  size_t max_entries = 65536;
  // Largest encoding accepted, in bytes (a message of 64 entries of 1 MiB
  // each fits). Every string a decoder builds is a part of its input, so
  // this also bounds what a decoder allocates.
  size_t max_bytes = size_t{128} << 20;
  // Most signatures one message's proof may carry (a certificate holds one
  // per voter), and the longest signature accepted.
  size_t max_proof = 64;
  size_t max_signature_bytes = 256;
  // Most ids in one list of a membership (voters or learners).
  size_t max_members = 256;
};

// The Entry value: what storage/ keeps under the entry's index.
std::string EncodeEntry(const Entry& entry);
// InvalidArgument when `bytes` is not a well-formed Entry value or exceeds
// limits.max_bytes; Corruption when its checksum does not match (the message
// gives the stored and computed CRCs).
Result<Entry> DecodeEntry(std::string_view bytes, const DecodeLimits& limits = {});

// The data of a kConfig entry.
std::string EncodeConfigChange(const ConfigChange& change);
// InvalidArgument when `bytes` is not a well-formed ConfigChange (ids not
// increasing, a learner that is also a voter, no voter, over the limits).
Result<ConfigChange> DecodeConfigChange(std::string_view bytes, const DecodeLimits& limits = {});

std::string EncodeHardState(const HardState& hard_state);
// InvalidArgument when malformed; Corruption on a checksum mismatch.
Result<HardState> DecodeHardState(std::string_view bytes);

std::string EncodeSnapshotMeta(const SnapshotMeta& snapshot);
// InvalidArgument when malformed; Corruption on a checksum mismatch.
Result<SnapshotMeta> DecodeSnapshotMeta(std::string_view bytes);

// The encoding of `message`, all fields. One allocation: the size is computed
// first and the string reserved.
std::string EncodeMessage(const Message& message);
// Appends the encoding of `message` to `out` (e.g. after a frame header).
void AppendMessage(const Message& message, std::string& out);
// InvalidArgument when `bytes` is not a well-formed message, is larger than
// limits.max_bytes, carries more than limits.max_entries entries or entries
// whose indexes are not index + 1, index + 2, ...;
// Corruption when an entry's checksum does not match. The message names the
// byte offset and, for entries, the position in the message.
Result<Message> DecodeMessage(std::string_view bytes, const DecodeLimits& limits = {});

// The bytes an ElectionAuthority signs for `statement` (after its own
// domain, e.g. the network id). Unique per statement.
std::string EncodeStatement(const Statement& statement);

}  // namespace frontera::consensus
