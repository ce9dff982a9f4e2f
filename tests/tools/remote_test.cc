// The pure rendering half of tools/remote.h (the Fetch* half needs a node and
// is exercised by the end-to-end tests).
#include "tools/remote.h"

#include <doctest/doctest.h>

#include "tests/tools/test_support.h"
#include "tools/node_api.h"
#include "tools/time_util.h"

namespace frontera::tools {
namespace {

using testing::LoadFixture;

TEST_CASE("DescribeError lists the server's field errors") {
  Status status = Status::FailedPrecondition(
      "Unprocessable: rule broken", {{"/credentialSubject/gtin", "check digit should be 7"}});
  CHECK(DescribeError(status) ==
        "Unprocessable: rule broken\n  at /credentialSubject/gtin: check digit should be 7");
  CHECK(DescribeError(Status::Unavailable("no leader")) == "no leader");
}

TEST_CASE("RenderReceipt shows the ledger position") {
  Json answer = {{"id", "urn:uuid:1"},
                 {"status", "active"},
                 {"ledger", {{"leaf_index", 12}, {"leaf_hash", "abc="}, {"block", 3}}}};
  CHECK(RenderReceipt(answer) == "urn:uuid:1 active: leaf 12 (hash abc=), block 3");
}

TEST_CASE("RenderCertificate shows identifiers, flags and the timeline") {
  Json answer = {{"credential", LoadFixture("pharma-credential.json")},
                 {"status", "active"},
                 {"events", Json::array({LoadFixture("shipping-event.json")})},
                 {"flags", Json::array({"suspect: packaging"})},
                 {"ledger", {{"leaf_index", 0}, {"block", 1}}}};
  std::string text = RenderCertificate(answer);
  CAPTURE(text);
  CHECK(text.find("type         ProductAuthenticityCredential") != std::string::npos);
  CHECK(text.find("lot/expiry   LOT42A / 2028-10-31") != std::string::npos);
  CHECK(text.find("  ! suspect: packaging") != std::string::npos);
  CHECK(text.find("2026-11-03T09:30:00.000-06:00  shipping → "
                  "did:key:z6MkvCPjuBZY1edsdAQRr4G3m4dXqEuKSGhBgVgnzrJf8TWr  by "
                  "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3") != std::string::npos);

  // The node's form: each event wrapped with its ledger position.
  answer["events"][0] = Json{{"document", answer["events"][0]}, {"ledger", {{"leaf_index", 2}}}};
  CHECK(RenderCertificate(answer).find("shipping → did:key:z6MkvCPj") != std::string::npos);

  Json precursor = {{"credential", LoadFixture("precursor-credential.json")},
                    {"status", "revoked"}};
  text = RenderCertificate(precursor);
  CHECK(text.find("Pseudoephedrine hydrochloride (CAS 345-78-8, Table I), 200 KGM") !=
        std::string::npos);
  CHECK(text.find("(no events)") != std::string::npos);
  CHECK(RenderCertificate(Json("garbage")).find("timeline") != std::string::npos);
}

TEST_CASE("event times carry milliseconds and the offset") {
  int64_t t = 1793719800000;  // 2026-11-03T15:30:00Z
  CHECK(FormatRfc3339WithOffset(t, -360) == "2026-11-03T09:30:00.000-06:00");
  CHECK(FormatRfc3339WithOffset(t + 7, 0) == "2026-11-03T15:30:00.007+00:00");
  CHECK(FormatRfc3339WithOffset(t, 330) == "2026-11-03T21:00:00.000+05:30");
  CHECK(Rfc3339Offset("2026-11-03T09:30:00.000-06:00") == "-06:00");
  CHECK(Rfc3339Offset("2026-11-03T15:30:00Z") == "+00:00");
  CHECK(FormatOffset(-90) == "-01:30");
}

TEST_CASE("ItemEpcOfAnswer names the item from the full view and from the public view") {
  const crypto::Json product = {
      {"credential",
       {{"credentialSubject", {{"gtin", "07501234000017"}, {"lot", "L"}, {"serial", "SN1"}}}}},
      {"view", "public"}};
  CHECK(ItemEpcOfAnswer(product).value() == "https://id.gs1.org/01/07501234000017/21/SN1");
  const crypto::Json consignment = {
      {"credential", {{"credentialSubject", {{"sscc", "375012345000000013"}}}}}};
  CHECK(ItemEpcOfAnswer(consignment).value() == "https://id.gs1.org/00/375012345000000013");
  // A bad check digit or a missing serial is refused, naming the member.
  crypto::Json bad = product;
  bad["credential"]["credentialSubject"]["gtin"] = "07501234000018";
  CHECK(ItemEpcOfAnswer(bad).status().message().find("credentialSubject.gtin") !=
        std::string::npos);
  bad = product;
  bad["credential"]["credentialSubject"].erase("serial");
  CHECK(ItemEpcOfAnswer(bad).status().message().find("serial") != std::string::npos);
  CHECK_FALSE(ItemEpcOfAnswer(crypto::Json::object()).ok());
}

}  // namespace
}  // namespace frontera::tools
