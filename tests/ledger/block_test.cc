// The binary proposal format (ledger/block.h): round trip, strict decoding,
// and reading the block time from the header alone.
#include "ledger/block.h"

#include <doctest/doctest.h>

namespace frontera::ledger {
namespace {

Proposal TwoDocuments() {
  Proposal p;
  p.time_unix_ms = 1796032800000;
  p.documents.push_back({DocumentKind::kCredential, "", R"({"id":"a"})"});
  p.documents.push_back({DocumentKind::kEvent, "urn:uuid:x", R"({"eventID":"e"})"});
  return p;
}

TEST_CASE("a proposal round-trips and its time reads from the header alone") {
  const std::string bytes = EncodeProposal(TwoDocuments());
  auto decoded = DecodeProposal(bytes);
  REQUIRE(decoded.ok());
  CHECK(decoded->time_unix_ms == 1796032800000);
  REQUIRE(decoded->documents.size() == 2);
  CHECK(decoded->documents[1].certificate_id == "urn:uuid:x");
  CHECK(decoded->documents[1].canonical == R"({"eventID":"e"})");
  auto time = ProposalTime(bytes);
  REQUIRE(time.ok());
  CHECK(*time == 1796032800000);
  // The header is all it needs: the documents may be cut off.
  CHECK(ProposalTime(std::string_view(bytes).substr(0, 12)).ok());
}

TEST_CASE("a malformed proposal is corruption, never a crash") {
  const std::string bytes = EncodeProposal(TwoDocuments());
  for (size_t n = 0; n < bytes.size(); ++n) {
    CHECK(DecodeProposal(std::string_view(bytes).substr(0, n)).status().IsCorruption());
  }
  for (size_t n = 0; n < 12; ++n) {
    CHECK(ProposalTime(std::string_view(bytes).substr(0, n)).status().IsCorruption());
  }
  std::string wrong_magic = bytes;
  wrong_magic[0] ^= 1;
  CHECK(DecodeProposal(wrong_magic).status().IsCorruption());
  CHECK(ProposalTime(wrong_magic).status().IsCorruption());
}

}  // namespace
}  // namespace frontera::ledger
