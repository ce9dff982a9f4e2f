#include "ledger/block.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "common/binary.h"
#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "ledger/stored_json.h"

namespace frontera::ledger {

namespace {

// The first 4 bytes of a proposal: its format. "FRB1" proposals stored their
// integers little-endian and are refused (docs/formats.md, "Binary encodings").
constexpr std::string_view kProposalMagic = "FRB2";
constexpr std::string_view kProposalMagicV1 = "FRB1";
// The fewest bytes a document takes: kind byte and two empty strings.
constexpr size_t kDocumentBytesMin = 1 + 4 + 4;
// Longest certificate id and document a proposal may carry: bounded by the
// proposal itself (the state machine judges each document's own limits).
constexpr size_t kProposalFieldMax = std::numeric_limits<uint32_t>::max();

// Reads the magic and the time: the header both decoders share.
Status ReadProposalHeader(BinaryReader& r, uint64_t& time) {
  std::string_view magic;
  FRONTERA_RETURN_IF_ERROR(AsCorruption(r.Raw("magic", kProposalMagic.size(), magic)));
  if (magic == kProposalMagicV1) {
    return Status::Corruption(
        "log entry is a format 1 proposal (\"FRB1\", little-endian), which this build does not "
        "read; re-create the network's data directories (docs/formats.md, \"Binary encodings\")");
  }
  if (magic != kProposalMagic) return Status::Corruption("log entry is not a proposal");
  return AsCorruption(r.U64("time", time));
}

}  // namespace

std::string_view DocumentKindName(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kCredential:
      return "credential";
    case DocumentKind::kEvent:
      return "event";
    case DocumentKind::kRevocation:
      return "revocation";
    case DocumentKind::kParty:
      return "registry document";
    case DocumentKind::kNotice:
      return "notice";
  }
  return "unknown";
}

std::string EncodeProposal(const Proposal& proposal) {
  size_t size = 16;
  for (const ProposedDocument& d : proposal.documents) {
    size += 9 + d.certificate_id.size() + d.canonical.size();
  }
  std::string out;
  out.reserve(size);
  BinaryWriter w(out);
  w.Raw(kProposalMagic);
  w.U64(static_cast<uint64_t>(proposal.time_unix_ms));
  w.U32(static_cast<uint32_t>(proposal.documents.size()));
  for (const ProposedDocument& d : proposal.documents) {
    w.U8(static_cast<uint8_t>(d.kind));
    w.Bytes32(d.certificate_id);
    w.Bytes32(d.canonical);
  }
  return out;
}

Result<int64_t> ProposalTime(std::string_view bytes) {
  BinaryReader r(bytes, "proposal");
  uint64_t time = 0;
  FRONTERA_RETURN_IF_ERROR(ReadProposalHeader(r, time));
  return static_cast<int64_t>(time);
}

Result<Proposal> DecodeProposal(std::string_view bytes) {
  BinaryReader r(bytes, "proposal");
  uint64_t time = 0;
  uint32_t count = 0;
  FRONTERA_RETURN_IF_ERROR(ReadProposalHeader(r, time));
  FRONTERA_RETURN_IF_ERROR(AsCorruption(r.U32("document count", count)));
  // Bounded before anything is allocated for them: a header may claim up to
  // 2^32 documents in 16 bytes.
  if (count > kProposalDocumentsMax) {
    return Status::InvalidArgument("proposal declares " + std::to_string(count) +
                                   " documents; at most " + std::to_string(kProposalDocumentsMax) +
                                   " are allowed");
  }
  if (count > r.remaining() / kDocumentBytesMin) {
    return Status::Corruption("proposal is truncated: it declares " + std::to_string(count) +
                              " documents but its remaining " + std::to_string(r.remaining()) +
                              " bytes hold at most " +
                              std::to_string(r.remaining() / kDocumentBytesMin));
  }
  Proposal p;
  p.time_unix_ms = static_cast<int64_t>(time);
  p.documents.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const std::string what = "proposal document " + std::to_string(i);
    r.set_what(what);
    uint8_t kind = 0;
    std::string_view id, canonical;
    FRONTERA_RETURN_IF_ERROR(AsCorruption(r.U8("kind", kind)));
    if (kind < 1 || kind > 5) return AsCorruption(r.Error("kind", "unknown document kind"));
    FRONTERA_RETURN_IF_ERROR(AsCorruption(r.Bytes32("certificate id", kProposalFieldMax, id)));
    FRONTERA_RETURN_IF_ERROR(AsCorruption(r.Bytes32("document", kProposalFieldMax, canonical)));
    p.documents.push_back(
        {static_cast<DocumentKind>(kind), std::string(id), std::string(canonical)});
  }
  r.set_what("proposal");
  FRONTERA_RETURN_IF_ERROR(AsCorruption(r.End()));
  return p;
}

crypto::Json Block::ToJson() const {
  crypto::Json docs = crypto::Json::array();
  for (const DocumentOutcome& o : outcomes) {
    crypto::Json d = {{"leaf_hash", Base64Encode(o.leaf_hash)}, {"certificate", o.certificate_id}};
    if (o.status.ok()) {
      d["outcome"] = "accepted";
      d["leaf_index"] = o.leaf_index;
    } else {
      d["outcome"] = "rejected";
      d["reason"] = std::string(Status::CodeName(o.status.code())) + ": " + o.status.message();
    }
    docs.push_back(std::move(d));
  }
  return {{"height", height},
          {"previous", Base64Encode(previous_hash)},
          {"time", FormatRfc3339(time_unix_ms)},
          {"time_unix_ms", time_unix_ms},
          {"log_index", log_index},
          {"documents", std::move(docs)},
          {"documents_root", Base64Encode(documents_root)},
          {"tree_size", tree_size},
          {"root", Base64Encode(root)},
          {"state_root", Base64Encode(state_root)}};
}

crypto::Hash Block::ComputeHash() const {
  auto canonical = crypto::Canonicalize(ToJson());
  FRONTERA_CHECK(canonical.ok()) << canonical.status().ToString();
  return crypto::Sha256(*canonical);
}

namespace {}  // namespace

Result<BlockHeader> ParseBlockHeader(std::string_view text) {
  // A block lists one small object per document: far beyond ParseJson's
  // default size limit for a large batch, never beyond the entry it came
  // from (proposer.batch_bytes_max is at most 256 MiB).
  crypto::JsonLimits limits;
  limits.text_bytes_max = size_t{1} << 30;
  auto parsed = crypto::ParseJson(text, limits);
  if (!parsed.ok()) {
    return Status::Corruption("stored block does not parse: " + parsed.status().message());
  }
  const crypto::Json& block = *parsed;
  if (!block.is_object()) return Status::Corruption("stored block is not a JSON object");
  BlockHeader h;
  FRONTERA_ASSIGN_OR_RETURN(h.height, StoredUint(block, "height", "stored block"));
  FRONTERA_ASSIGN_OR_RETURN(h.previous_hash, StoredHash(block, "previous", "stored block"));
  auto time = block.find("time_unix_ms");
  if (time == block.end() || !time->is_number_integer()) {
    return Status::Corruption("stored block: \"time_unix_ms\" is missing or not an integer");
  }
  h.time_unix_ms = time->get<int64_t>();
  FRONTERA_ASSIGN_OR_RETURN(h.log_index, StoredUint(block, "log_index", "stored block"));
  FRONTERA_ASSIGN_OR_RETURN(h.tree_size, StoredUint(block, "tree_size", "stored block"));
  FRONTERA_ASSIGN_OR_RETURN(h.root, StoredHash(block, "root", "stored block"));
  if (block.contains("state_root")) {
    FRONTERA_ASSIGN_OR_RETURN(h.state_root, StoredHash(block, "state_root", "stored block"));
  }
  return h;
}

}  // namespace frontera::ledger
