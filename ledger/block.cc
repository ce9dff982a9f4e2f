#include "ledger/block.h"

#include <cstring>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"

namespace frontera::ledger {

namespace {

constexpr uint32_t kProposalMagic = 0x31425246;  // "FRB1" little-endian
constexpr uint32_t kDocumentsMax = 1 << 20;

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
  if (!r.U64(time) || !r.U32(count) || count > kDocumentsMax) {
    return Status::Corruption("proposal header is truncated");
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
          {"root", Base64Encode(root)}};
}

crypto::Hash Block::ComputeHash() const {
  auto canonical = crypto::Canonicalize(ToJson());
  FRONTERA_CHECK(canonical.ok()) << canonical.status().ToString();
  return crypto::Sha256(*canonical);
}

}  // namespace frontera::ledger
