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

}  // namespace
}  // namespace frontera::node
