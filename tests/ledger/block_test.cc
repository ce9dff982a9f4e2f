// The binary proposal format (ledger/block.h): round trip, strict and bounded
// decoding, reading the block time from the header alone; the block header.
#include "ledger/block.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/jcs.h"

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

TEST_CASE("a proposal's document count is bounded before anything is allocated for it") {
  // Magic, time, and a count with nothing after it.
  std::string header = EncodeProposal(Proposal{1796032800000, {}});
  REQUIRE(header.size() == 16);
  auto with_count = [&](uint32_t count) {
    std::string bytes = header.substr(0, 12);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((count >> (24 - 8 * i)) & 0xff));
    return bytes;
  };
  CHECK(DecodeProposal(with_count(0xffffffff)).status().IsInvalidArgument());
  CHECK(DecodeProposal(with_count(kProposalDocumentsMax + 1)).status().IsInvalidArgument());
  // Within the limit, but more documents than the bytes can hold.
  CHECK(DecodeProposal(with_count(1000) + std::string(100, '\0')).status().IsCorruption());
  // A length prefix past the end is truncation.
  std::string long_id = with_count(1);
  long_id += '\x01';
  long_id += std::string("\x7f\xff\xff\xff", 4);
  CHECK(DecodeProposal(long_id).status().IsCorruption());
  // Field contents are not the decoder's business: a non-UTF-8 id decodes
  // (and Apply refuses the document).
  Proposal odd{1, {{DocumentKind::kEvent, "\xff", "{"}}};
  auto decoded = DecodeProposal(EncodeProposal(odd));
  REQUIRE(decoded.ok());
  CHECK(decoded->documents[0].certificate_id == "\xff");
}

TEST_CASE("the proposal format is fixed: big-endian after the magic FRB2; FRB1 is refused") {
  // Written by hand from the format in ledger/block.h, not by the encoder.
  const std::string golden =
      std::string("FRB2") + std::string("\x00\x00\x01\xa2\x2b\xe5\xa5\x00", 8) +
      std::string("\x00\x00\x00\x01", 4) + '\x02' + std::string("\x00\x00\x00\x01", 4) + "x" +
      std::string("\x00\x00\x00\x02", 4) + "{}";
  CHECK(EncodeProposal(Proposal{1796032800000, {{DocumentKind::kEvent, "x", "{}"}}}) == golden);
  // The same proposal in format 1 (little-endian): refused, saying what to do.
  const std::string v1 = std::string("FRB1") + std::string("\x00\xa5\xe5\x2b\xa2\x01\x00\x00", 8) +
                         std::string("\x01\x00\x00\x00", 4) + '\x02' +
                         std::string("\x01\x00\x00\x00", 4) + "x" +
                         std::string("\x02\x00\x00\x00", 4) + "{}";
  for (const Status& status : {DecodeProposal(v1).status(), ProposalTime(v1).status()}) {
    CHECK(status.IsCorruption());
    CHECK(status.message().find("format 1 proposal") != std::string::npos);
    CHECK(status.message().find("docs/formats.md") != std::string::npos);
  }
}

TEST_CASE("a block's header reads back from its JSON, and garbage is corruption") {
  Block block;
  block.height = 7;
  block.previous_hash[0] = 1;
  block.time_unix_ms = 1796032800000;
  block.log_index = 9;
  block.tree_size = 3;
  block.root[1] = 2;
  block.state_root[2] = 3;
  auto text = crypto::Canonicalize(block.ToJson());
  REQUIRE(text.ok());
  auto header = ParseBlockHeader(*text);
  REQUIRE_MESSAGE(header.ok(), header.status().ToString());
  CHECK(header->height == 7);
  CHECK(header->previous_hash == block.previous_hash);
  CHECK(header->time_unix_ms == block.time_unix_ms);
  CHECK(header->log_index == 9);
  CHECK(header->tree_size == 3);
  CHECK(header->root == block.root);
  REQUIRE(header->state_root.has_value());
  CHECK(*header->state_root == block.state_root);
  // The block hash covers the state root.
  Block other = block;
  other.state_root[2] = 4;
  CHECK(other.ComputeHash() != block.ComputeHash());
  const std::vector<std::string> bad_texts = {
      "", "[]", "{\"height\":-1}", "{\"height\":\"7\"}", "\xff", text->substr(0, text->size() - 1)};
  for (const std::string& bad : bad_texts) {
    CHECK_MESSAGE(ParseBlockHeader(bad).status().IsCorruption(), bad);
  }
  crypto::Json no_root = block.ToJson();
  no_root["state_root"] = "not base64!";
  CHECK(ParseBlockHeader(no_root.dump()).status().IsCorruption());
}

}  // namespace
}  // namespace frontera::ledger
