#include "ledger/block.h"

#include <algorithm>
#include <cstring>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "ledger/stored_json.h"

namespace frontera::ledger {

namespace {

constexpr uint32_t kProposalMagic = 0x31425246;  // "FRB1" little-endian
// The fewest bytes a document takes: kind byte and two empty strings.
constexpr size_t kDocumentBytesMin = 1 + 4 + 4;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Reads fixed-width little-endian integers and length-prefixed strings,
// failing cleanly on truncation.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool U8(uint8_t& v) {
    if (rest_.empty()) return false;
    v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t& v) {
    if (rest_.size() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(rest_[i])} << (8 * i);
    rest_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t& v) {
    if (rest_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(rest_[i])} << (8 * i);
    rest_.remove_prefix(8);
    return true;
  }
  bool Str(std::string& s) {
    uint32_t len;
    if (!U32(len) || rest_.size() < len) return false;
    s.assign(rest_.substr(0, len));
    rest_.remove_prefix(len);
    return true;
  }
  bool done() const { return rest_.empty(); }
  size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

}  // namespace

std::string_view DocumentKindName(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kCredential:
      return "credential";
    case DocumentKind::kEvent:
      return "event";
    case DocumentKind::kRevocation:
      return "revocation";
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
  PutU32(out, kProposalMagic);
  PutU64(out, static_cast<uint64_t>(proposal.time_unix_ms));
  PutU32(out, static_cast<uint32_t>(proposal.documents.size()));
  for (const ProposedDocument& d : proposal.documents) {
    out.push_back(static_cast<char>(d.kind));
    PutU32(out, static_cast<uint32_t>(d.certificate_id.size()));
    out += d.certificate_id;
    PutU32(out, static_cast<uint32_t>(d.canonical.size()));
    out += d.canonical;
  }
  return out;
}

Result<int64_t> ProposalTime(std::string_view bytes) {
  Reader r(bytes);
  uint32_t magic;
  uint64_t time;
  if (!r.U32(magic) || magic != kProposalMagic) {
    return Status::Corruption("log entry is not a version 1 proposal");
  }
  if (!r.U64(time)) return Status::Corruption("proposal header is truncated");
  return static_cast<int64_t>(time);
}

Result<Proposal> DecodeProposal(std::string_view bytes) {
  Reader r(bytes);
  uint32_t magic, count;
  uint64_t time;
  if (!r.U32(magic) || magic != kProposalMagic) {
    return Status::Corruption("log entry is not a version 1 proposal");
  }
  if (!r.U64(time) || !r.U32(count)) return Status::Corruption("proposal header is truncated");
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
    ProposedDocument d;
    uint8_t kind;
    if (!r.U8(kind) || kind < 1 || kind > 3 || !r.Str(d.certificate_id) || !r.Str(d.canonical)) {
      return Status::Corruption("proposal document " + std::to_string(i) + " is malformed");
    }
    d.kind = static_cast<DocumentKind>(kind);
    p.documents.push_back(std::move(d));
  }
  if (!r.done()) return Status::Corruption("proposal has trailing bytes");
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
