#include "ledger/label.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/ed25519.h"

namespace frontera::ledger {
namespace {

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Json Fixture(const std::string& name) {
  Result<Json> json = crypto::ParseJson(ReadFixture(name));
  REQUIRE(json.ok());
  return *json;
}

std::string LabelUriFixture() {
  std::string text = ReadFixture("label-uri.txt");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

crypto::PublicKey PartyKey(const std::string& party) {
  Json parties = Fixture("parties.json");
  Result<Bytes> bytes = HexDecode(parties["parties"][party]["publicKeyHex"].get<std::string>());
  REQUIRE(bytes.ok());
  Result<crypto::PublicKey> key = crypto::PublicKeyFromBytes(*bytes);
  REQUIRE(key.ok());
  return *key;
}

crypto::KeyPair PartyKeyPair(const std::string& party) {
  crypto::InitCrypto();
  Json parties = Fixture("parties.json");
  Result<Bytes> bytes = HexDecode(parties["parties"][party]["testSeedHex"].get<std::string>());
  REQUIRE(bytes.ok());
  Result<crypto::Seed> seed = crypto::SeedFromBytes(*bytes);
  REQUIRE(seed.ok());
  return crypto::KeyPair::FromSeed(*seed);
}

Credential ParsedFixture(const std::string& name) {
  Result<Credential> credential = ParseCredential(Fixture(name));
  REQUIRE_MESSAGE(credential.ok(), credential.status().ToString());
  return *credential;
}

struct Init {
  Init() { crypto::InitCrypto(); }
} init;

TEST_CASE("the label fixture parses into its parts") {
  Result<Label> label = ParseLabel(LabelUriFixture());
  REQUIRE_MESSAGE(label.ok(), label.status().ToString());
  CHECK(label->uri == LabelUriFixture());
  CHECK(label->resolver == "verify.frontera.example");
  CHECK(label->gtin == "07501234000017");
  CHECK(label->lot == "LOT42A");
  CHECK(label->serial == "SN000123");
  CHECK(label->expiry_yymmdd == "281031");
  CHECK(label->sscc.empty());
  CHECK_FALSE(label->is_consignment());
  CHECK(label->kid == "LbhMZpGvVU4");
  CHECK(label->signed_part == "/01/07501234000017/10/LOT42A/21/SN000123?17=281031&kid=LbhMZpGvVU4");
}

TEST_CASE("the kid is base64url of the first 8 bytes of SHA-256(public key)") {
  CHECK(LabelKid(PartyKey("mx-manufacturer")) == "LbhMZpGvVU4");
  CHECK(LabelKid(PartyKey("mx-carrier")).size() == 11);
  CHECK(LabelKid(PartyKey("mx-carrier")) != "LbhMZpGvVU4");
}

TEST_CASE("the fixture labels verify with the manufacturer's key") {
  crypto::PublicKey manufacturer = PartyKey("mx-manufacturer");
  Result<Label> uri = ParseLabel(LabelUriFixture());
  REQUIRE(uri.ok());
  CHECK(VerifyLabel(*uri, manufacturer).ok());
  for (const char* name : {"pharma-credential.json", "precursor-credential.json"}) {
    CAPTURE(name);
    Credential credential = ParsedFixture(name);
    REQUIRE(credential.label.has_value());
    Result<Label> label = ParseLabel(*credential.label);
    REQUIRE_MESSAGE(label.ok(), label.status().ToString());
    CHECK(VerifyLabel(*label, manufacturer).ok());
    CHECK(CheckLabelMatches(*label, credential).ok());
  }
  Result<Label> consignment = ParseLabel(*ParsedFixture("precursor-credential.json").label);
  REQUIRE(consignment.ok());
  CHECK(consignment->is_consignment());
  CHECK(consignment->sscc == "375012345000000013");
  CHECK(consignment->gtin.empty());
  CHECK(consignment->signed_part == "/00/375012345000000013?kid=LbhMZpGvVU4");
}

TEST_CASE("BuildLabel with the test seed reproduces the fixture labels exactly") {
  crypto::KeyPair manufacturer = PartyKeyPair("mx-manufacturer");
  Credential pharma = ParsedFixture("pharma-credential.json");
  Result<std::string> product = BuildLabel("verify.frontera.example", pharma, manufacturer);
  REQUIRE_MESSAGE(product.ok(), product.status().ToString());
  CHECK(*product == LabelUriFixture());
  CHECK(*product == *pharma.label);

  Credential precursor = ParsedFixture("precursor-credential.json");
  Result<std::string> consignment = BuildLabel("verify.frontera.example", precursor, manufacturer);
  REQUIRE(consignment.ok());
  CHECK(*consignment == *precursor.label);
}

TEST_CASE("BuildLabel percent-encodes AI values and the result verifies") {
  crypto::KeyPair manufacturer = PartyKeyPair("mx-manufacturer");
  Credential credential = ParsedFixture("pharma-credential.json");
  credential.lot = "L/42%";
  credential.serial = "S(1)";
  Result<std::string> built = BuildLabel("127.0.0.1:7001", credential, manufacturer);
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  CHECK(
      built->starts_with("https://127.0.0.1:7001/01/07501234000017/10/L%2F42%25/21/S%281%29?17="));
  Result<Label> label = ParseLabel(*built);
  REQUIRE_MESSAGE(label.ok(), label.status().ToString());
  CHECK(label->lot == "L/42%");
  CHECK(label->serial == "S(1)");
  CHECK(label->resolver == "127.0.0.1:7001");
  CHECK(VerifyLabel(*label, manufacturer.public_key()).ok());
  CHECK(CheckLabelMatches(*label, credential).ok());
}

TEST_CASE("BuildLabel refuses bad resolvers, identifiers and another issuer's key") {
  crypto::KeyPair manufacturer = PartyKeyPair("mx-manufacturer");
  Credential credential = ParsedFixture("pharma-credential.json");
  for (std::string_view resolver :
       {"Verify.Frontera.Example", "", "verify..example", "-verify.example", "verify.example:0",
        "verify.example:65536", "verify.example/x", "user@verify.example"}) {
    CAPTURE(resolver);
    CHECK(BuildLabel(resolver, credential, manufacturer).status().IsInvalidArgument());
  }
  Credential bad_gtin = credential;
  bad_gtin.gtin = "07501234000018";
  CHECK(BuildLabel("verify.frontera.example", bad_gtin, manufacturer).status().message() ==
        "GTIN check digit should be 7, not 8");
  Credential bad_expiry = credential;
  bad_expiry.expiry = "2028-02-30";
  CHECK(BuildLabel("verify.frontera.example", bad_expiry, manufacturer)
            .status()
            .IsFailedPrecondition());
  Status other =
      BuildLabel("verify.frontera.example", credential, PartyKeyPair("mx-carrier")).status();
  CHECK(other.IsFailedPrecondition());
  CHECK(other.message().find("issuer") != std::string::npos);
  // Without an issuer yet (the CLI builds the label before the credential),
  // any key signs.
  Credential unsigned_credential = credential;
  unsigned_credential.issuer.clear();
  CHECK(
      BuildLabel("verify.frontera.example", unsigned_credential, PartyKeyPair("mx-carrier")).ok());
}

TEST_CASE("changing any single character of the signed part fails verification") {
  const std::string uri = LabelUriFixture();
  crypto::PublicKey manufacturer = PartyKey("mx-manufacturer");
  const size_t start = uri.find("/01/");
  const size_t end = uri.find("&sig=");
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  int parsed_and_rejected = 0;
  for (size_t i = start; i < end; ++i) {
    for (char replacement : {'A', '0', '%', 'z'}) {
      if (uri[i] == replacement) continue;
      std::string altered = uri;
      altered[i] = replacement;
      CAPTURE(altered);
      Result<Label> label = ParseLabel(altered);
      if (!label.ok()) {
        CHECK(label.status().IsInvalidArgument());
        continue;
      }
      CHECK(VerifyLabel(*label, manufacturer).IsFailedPrecondition());
      ++parsed_and_rejected;
    }
  }
  // Many alterations (lot, serial, date, kid characters) still parse; the
  // signature or the kid is what catches them.
  CHECK(parsed_and_rejected > 20);
}

TEST_CASE("another issuer's key fails: kid mismatch; a foreign signature fails") {
  Result<Label> label = ParseLabel(LabelUriFixture());
  REQUIRE(label.ok());
  Status other = VerifyLabel(*label, PartyKey("mx-carrier"));
  CHECK(other.IsFailedPrecondition());
  REQUIRE(other.field_errors().size() == 1);
  CHECK(other.field_errors()[0].pointer == "");
  CHECK(other.field_errors()[0].reason.find("kid LbhMZpGvVU4 names another key") == 0);

  // The manufacturer's kid with the carrier's signature over the same text.
  crypto::KeyPair carrier = PartyKeyPair("mx-carrier");
  crypto::Signature forged = carrier.Sign(label->signed_part);
  std::string forged_uri = "https://verify.frontera.example" + label->signed_part +
                           "&sig=" + Base64UrlEncode(ByteView(forged));
  Result<Label> forged_label = ParseLabel(forged_uri);
  REQUIRE(forged_label.ok());
  Status bad_sig = VerifyLabel(*forged_label, PartyKey("mx-manufacturer"));
  CHECK(bad_sig.IsFailedPrecondition());
  CHECK(bad_sig.field_errors()[0].reason.find("sig is not the issuer's signature") == 0);
}

TEST_CASE("ParseLabel is strict") {
  const std::string uri = LabelUriFixture();
  const std::string sig = uri.substr(uri.find("&sig="));
  const std::string host = "https://verify.frontera.example";
  const std::string path = "/01/07501234000017/10/LOT42A/21/SN000123";
  const std::string query = "?17=281031&kid=LbhMZpGvVU4";
  REQUIRE(host + path + query + sig == uri);
  const std::string bad[] = {
      "http://verify.frontera.example" + path + query + sig,               // not https
      "https://Verify.Frontera.Example" + path + query + sig,              // upper-case host
      "https://verify.frontera.example:08" + path + query + sig,           // port with leading zero
      host + query + sig,                                                  // no path
      host + path + sig,                                                   // no query
      host + path + query,                                                 // no sig
      host + path + "?kid=LbhMZpGvVU4" + sig,                              // product without 17=
      host + path + "?kid=LbhMZpGvVU4&17=281031" + sig,                    // keys out of order
      host + path + "?17=281031&kid=LbhMZpGvVU4&x=1" + sig,                // unknown key
      host + path + "?17=281331&kid=LbhMZpGvVU4" + sig,                    // month 13
      host + path + "?17=280230&kid=LbhMZpGvVU4" + sig,                    // 30 February
      host + path + "?17=28103&kid=LbhMZpGvVU4" + sig,                     // 5 digits
      host + path + "?17=281031&kid=LbhMZpGvVU" + sig,                     // kid not 8 bytes
      host + path + query + "&sig=AAAA",                                   // sig not 64 bytes
      host + path + query + sig + "#x",                                    // fragment
      host + "/01/07501234000018/10/LOT42A/21/SN000123" + query + sig,     // GTIN check digit
      host + "/01/7501234000017/10/LOT42A/21/SN000123" + query + sig,      // GTIN 13 digits
      host + "/01/07501234000017/21/SN000123" + query + sig,               // no lot
      host + "/01/07501234000017/21/SN000123/10/LOT42A" + query + sig,     // AIs out of order
      host + "/01/07501234000017/10/LOT42A/21/SN000123/x" + query + sig,   // trailing segment
      host + "/01/07501234000017/10/LOT%2f42A/21/SN000123" + query + sig,  // lower-case hex
      host + "/01/07501234000017/10/LOT%2/21/SN000123" + query + sig,      // truncated %
      host + "/01/07501234000017/10/LOT~42A/21/SN000123" + query + sig,    // ~ not in set 82
      host + "/01/07501234000017/10//21/SN000123" + query + sig,           // empty lot
      host + "/01/07501234000017/10/LOT42A/21/" + std::string(21, 'S') + query + sig,  // 21 chars
      host + "/00/375012345000000014?kid=LbhMZpGvVU4" + sig,            // SSCC check digit
      host + "/00/375012345000000013?17=281031&kid=LbhMZpGvVU4" + sig,  // 17= on a consignment
      host + "/414/7501234000017?kid=LbhMZpGvVU4" + sig,                // not a certificate key
      host + "/" + std::string(600, 'a') + query + sig,                 // too long
  };
  for (const std::string& text : bad) {
    CAPTURE(text);
    Result<Label> label = ParseLabel(text);
    REQUIRE_FALSE(label.ok());
    CHECK(label.status().IsInvalidArgument());
    REQUIRE(label.status().field_errors().size() == 1);
    CHECK(label.status().field_errors()[0].pointer == "");
  }
  // DD 00 means the last day of the month in GS1 AI 17.
  CHECK(ParseLabel(host + path + "?17=281000&kid=LbhMZpGvVU4" + sig).ok());
  CHECK(ParseLabel(host + path + "?17=280229&kid=LbhMZpGvVU4" + sig).ok());
}

TEST_CASE("CheckLabelMatches compares every identifier") {
  Credential credential = ParsedFixture("pharma-credential.json");
  Result<Label> label = ParseLabel(*credential.label);
  REQUIRE(label.ok());
  Credential other = credential;
  other.lot = "LOT42B";
  other.serial = "SN000124";
  other.gtin = "07501234000024";
  other.expiry = "2028-11-30";
  Status s = CheckLabelMatches(*label, other);
  CHECK(s.IsFailedPrecondition());
  REQUIRE(s.field_errors().size() == 4);
  CHECK(s.field_errors()[0].reason ==
        "GTIN in the label is \"07501234000017\" but the credential "
        "says \"07501234000024\"");
  CHECK(s.field_errors()[3].reason.find("expiry (17=)") == 0);
  Credential consignment = ParsedFixture("precursor-credential.json");
  CHECK(CheckLabelMatches(*label, consignment).IsFailedPrecondition());
  consignment.sscc = "375012345000000020";
  Result<Label> sscc_label = ParseLabel(*ParsedFixture("precursor-credential.json").label);
  REQUIRE(sscc_label.ok());
  Status sscc = CheckLabelMatches(*sscc_label, consignment);
  CHECK(sscc.IsFailedPrecondition());
  CHECK(sscc.field_errors()[0].reason.find("SSCC in the label") == 0);
  CHECK(CheckLabelMatches(*sscc_label, credential).IsFailedPrecondition());
}

}  // namespace
}  // namespace frontera::ledger
