// Proposals and blocks (docs/formats.md#blocks).
//
// A proposal is what the leader puts in one log entry: the time it chose and
// the documents of one batch, each as its canonical (JCS) text. Every validator
// applies the same proposal to the same state and gets the same block: the time
// in the proposal is the only clock the ledger ever reads.
//
// Entry encoding (common/binary.h: big-endian), format 2:
//   "FRB2" [4] | i64 time_unix_ms | u32 count |
//   count × (u8 kind | u32 len | certificate id | u32 len | document JCS text)
// Format 1 ("FRB1", little-endian) is refused: docs/formats.md, "Binary
// encodings".
//
// A committed proposal came from the leader, which may be buggy or hostile:
// decoding bounds every count and length by the bytes actually present, and
// Apply (ledger/state_machine.h) judges every field of every document, so
// that whatever bytes were committed, every validator makes the same block.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"

namespace frontera::ledger {

// kParty: a registry document (ledger/registry.h).
enum class DocumentKind : uint8_t {
  kCredential = 1,
  kEvent = 2,
  kRevocation = 3,
  kParty = 4,
  kNotice = 5,  // an illegitimate-product notice (ledger/notice.h)
};

std::string_view DocumentKindName(DocumentKind kind);

struct ProposedDocument {
  DocumentKind kind = DocumentKind::kCredential;
  // The certificate the document is about, from the request path; empty for
  // credentials (whose id is inside the document).
  std::string certificate_id;
  std::string canonical;  // JCS text of the signed document
};

struct Proposal {
  int64_t time_unix_ms = 0;
  std::vector<ProposedDocument> documents;
};

// Most documents in one proposal (the top of proposer.batch_documents_max).
inline constexpr uint32_t kProposalDocumentsMax = 100000;

std::string EncodeProposal(const Proposal& proposal);
// Fails with kInvalidArgument when the header declares more than
// kProposalDocumentsMax documents, and with kCorruption on malformed or
// truncated input (wrong magic, more documents than the remaining bytes can
// hold, a length past the end, an unknown kind byte, trailing bytes). Counts
// and lengths are checked against the bytes present before anything is
// allocated for them. The contents of the fields
// (UTF-8, identifier lengths, JSON) are judged per document at Apply.
Result<Proposal> DecodeProposal(std::string_view bytes);
// The block time of an encoded proposal, reading only its header.
// kCorruption when the header is malformed.
Result<int64_t> ProposalTime(std::string_view bytes);

// What happened to one document of a block.
struct DocumentOutcome {
  Status status;             // OK = accepted and appended to the log
  crypto::Hash leaf_hash{};  // SHA-256(0x00 ‖ JCS(document)), for every document
  uint64_t leaf_index = 0;   // valid when accepted
  std::string certificate_id;
  std::string certificate_status;  // after the document, when accepted
};

struct Block {
  uint64_t height = 0;           // first block is 1
  crypto::Hash previous_hash{};  // zero for the first block
  // max(previous block's time, proposal time): never goes back (Apply).
  int64_t time_unix_ms = 0;
  uint64_t log_index = 0;  // the consensus log entry it came from
  std::vector<DocumentOutcome> outcomes;
  crypto::Hash documents_root{};  // MTH of the leaf hashes of all documents, in order
  uint64_t tree_size = 0;         // the ledger log after the block
  crypto::Hash root{};
  crypto::Hash state_root{};  // ledger/state_root.h, of the state after the block

  // The block as JSON (docs/ledger.md#blocks); its JCS hash is the block hash.
  crypto::Json ToJson() const;
  // REQUIRES: every string of the block (certificate ids, reasons) is
  // well-formed UTF-8 (Apply guarantees it).
  crypto::Hash ComputeHash() const;
};

// The fields of a stored block that chain it and commit to the ledger.
struct BlockHeader {
  uint64_t height = 0;
  crypto::Hash previous_hash{};
  int64_t time_unix_ms = 0;
  uint64_t log_index = 0;
  uint64_t tree_size = 0;
  crypto::Hash root{};
  std::optional<crypto::Hash> state_root;  // absent in blocks older than state roots
};

// Reads the header of a block's stored JSON text (Block::ToJson, JCS). The
// text may come from another node's store: kCorruption when it does not parse
// or a field is missing or of the wrong type.
Result<BlockHeader> ParseBlockHeader(std::string_view text);

}  // namespace frontera::ledger
