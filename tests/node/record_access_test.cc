// Who sees a record's commercial details: agencies and the parties the
// record names, over a state machine holding the example precursor
// consignment (exporter mx-manufacturer, importer and consignee
// us-distributor).
#include "node/record_access.h"

#include <doctest/doctest.h>

#include "api/record_views.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::node {
namespace {

using ledger::DidOfKey;
using ledger::Fixture;
using ledger::KeyOf;

api::Reader ReaderOf(const std::string& party) { return api::Reader{DidOfKey(KeyOf(party))}; }

TEST_CASE("the full view goes to agencies and to the parties a certificate names") {
  ledger::PostingLedger ledger;
  const crypto::Json credential = Fixture("precursor-credential.json");
  REQUIRE(ledger.Post(credential, ledger::DocumentKind::kCredential).ok());
  Result<crypto::Json> certificate = ledger.sm->CertificateView(credential["id"]);
  REQUIRE(certificate.ok());
  const ledger::StateMachine& sm = *ledger.sm;

  CHECK_FALSE(MaySeeDetails(sm, api::Reader{}, *certificate));
  CHECK(MaySeeDetails(sm, ReaderOf("us-cbp"), *certificate));            // an agency
  CHECK(MaySeeDetails(sm, ReaderOf("mx-anam"), *certificate));           // any agency
  CHECK(MaySeeDetails(sm, ReaderOf("mx-manufacturer"), *certificate));   // issuer and exporter
  CHECK(MaySeeDetails(sm, ReaderOf("us-distributor"), *certificate));    // importer, consignee
  CHECK_FALSE(MaySeeDetails(sm, ReaderOf("mx-carrier"), *certificate));  // not named
  // A valid signature by a key the registry does not list.
  CHECK_FALSE(MaySeeDetails(sm, api::Reader{DidOfKey(ledger::NewKey(0x77))}, *certificate));

  CHECK(IsAgencyReader(sm, ReaderOf("ca-cbsa")));
  CHECK_FALSE(IsAgencyReader(sm, ReaderOf("mx-manufacturer")));
  CHECK_FALSE(IsAgencyReader(sm, api::Reader{}));

  // What the others get instead: no permit, no notification, no parties.
  const crypto::Json view = api::PublicCertificate(*certificate);
  const std::string text = view.dump();
  CHECK(text.find("DEA486-2026-0042") == std::string::npos);
  CHECK(text.find("PEN-MX-2026-000123") == std::string::npos);
  CHECK(text.find("Example Pharma Distribution") == std::string::npos);
  CHECK(view["credential"]["credentialSubject"]["sscc"] == "375012345000000013");
  CHECK(view["status"] == "active");
}

TEST_CASE("a notice is read by agencies and the parties it or its certificates name") {
  ledger::PostingLedger ledger;
  const crypto::Json credential = Fixture("pharma-credential.json");
  REQUIRE(ledger.Post(credential, ledger::DocumentKind::kCredential).ok());
  const std::string id = "urn:uuid:5e000000-0000-4000-8000-000000000001";
  const crypto::Json notice = {
      {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
      {"type", "IllegitimateProductNotice"},
      {"id", id},
      {"issuer", DidOfKey(KeyOf("us-cbp"))},
      {"noticeType", "initial"},
      {"certificates", {credential["id"]}},
      {"classification", "stolen"},
      {"dateOfDetermination", "2026-11-29"},
      {"description", "Reported stolen from a warehouse"},
      {"quantity", {{"value", 1}}},
      {"contact",
       {{"name", "Duty officer"}, {"phone", "+1 202 555 0100"}, {"email", "o@cbp.test"}}}};
  REQUIRE(
      ledger.Post(ledger::SignedBy(notice, KeyOf("us-cbp")), ledger::DocumentKind::kNotice).ok());
  Result<crypto::Json> view = ledger.sm->NoticeView(id);
  REQUIRE(view.ok());
  const ledger::StateMachine& sm = *ledger.sm;
  CHECK_FALSE(MaySeeNotice(sm, api::Reader{}, *view));
  CHECK(MaySeeNotice(sm, ReaderOf("us-cbp"), *view));           // the filer
  CHECK(MaySeeNotice(sm, ReaderOf("ca-cbsa"), *view));          // any agency
  CHECK(MaySeeNotice(sm, ReaderOf("mx-manufacturer"), *view));  // its certificate's issuer
  CHECK_FALSE(MaySeeNotice(sm, ReaderOf("us-distributor"), *view));
  CHECK_FALSE(MaySeeNotice(sm, ReaderOf("mx-carrier"), *view));

  // Everyone else sees the certificate flagged, and no notice.
  Result<crypto::Json> certificate = ledger.sm->CertificateView(credential["id"]);
  REQUIRE(certificate.ok());
  const crypto::Json public_view = api::PublicCertificate(*certificate);
  CHECK(public_view["flags"] == crypto::Json::array({"illegitimate"}));
  CHECK(public_view.dump().find("Reported stolen") == std::string::npos);
}

}  // namespace
}  // namespace frontera::node
