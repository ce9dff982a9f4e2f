// Issue 4 end to end on a validator process: the label as a QR image decoded
// by an independent decoder, the Digital Link resolver's verdicts (JSON, and
// the HTML page in headless Chromium over HTTPS), and the trust bundle.
#include "ledger/label.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/documents.h"
#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

const char* kPharmaId = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";

std::string Path(const std::string& label_uri) {
  // Everything from the first '/' of the path: what the resolver is asked.
  size_t scheme = label_uri.find("://");
  return label_uri.substr(label_uri.find('/', scheme + 3));
}

std::string CertPath(const std::string& id) {
  return "/v1/certificates/" + api::Client::EncodePathSegment(id);
}

Json Resolve(const NodeProcess& node, const std::string& label_uri) {
  auto answer = node.Client()->GetRaw(Path(label_uri), "application/json");
  REQUIRE(answer.ok());
  REQUIRE_MESSAGE(answer->status == 200, answer->body);
  return Json::parse(answer->body);
}

// A label for another serial, validly signed by the manufacturer, never issued.
std::string UnissuedLabel() {
  Json doc = FixtureJson("pharma-credential.json");
  doc["credentialSubject"]["serial"] = "NEVER1";
  doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/NEVER1";
  doc["credentialSubject"].erase("label");
  auto credential = ledger::ParseCredential(doc);
  REQUIRE_MESSAGE(credential.ok(), credential.status().ToString());
  auto label = ledger::BuildLabel("verify.frontera.example", *credential,
                                  ExampleParties().at("mx-manufacturer").key);
  REQUIRE(label.ok());
  return *label;
}

// Renders `url` in headless Chromium run with HOME=`home` (its NSS database
// ~/.pki/nssdb holds the certificate authorities it trusts besides the
// system's), at a phone's window size: the DOM text with Chromium's own
// messages (a page that failed to load is named there), and, unless
// `screenshot` is empty, a screenshot (same run) kept in the build folder for
// people to look at.
std::string Chromium(const std::string& home, const std::string& url,
                     const std::string& screenshot) {
  TempDir profile;
  std::vector<std::string> args = {"/usr/bin/env",
                                   "HOME=" + home,
                                   "/usr/bin/chromium",
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + profile.path(),
                                   "--window-size=412,915",
                                   "--dump-dom"};
  if (!screenshot.empty()) {
    std::filesystem::remove(screenshot);
    args.push_back("--screenshot=" + screenshot);
  }
  args.push_back(url);
  std::string dom;
  REQUIRE_MESSAGE(RunCommand(args, &dom) == 0, dom);
  if (!screenshot.empty()) CHECK(std::filesystem::file_size(screenshot) > 1000);
  return dom;
}

// Runs a command of the test's certificate tooling (openssl, certutil).
void Tool(const std::vector<std::string>& argv) {
  std::string out;
  REQUIRE_MESSAGE(RunCommand(argv, &out) == 0, argv[0] << " failed: " << out);
}

// In `dir`: ca.pem, a P-256 certificate authority made for this test, and
// node.pem / node.key, a certificate it signs for IP:127.0.0.1 (serverAuth,
// valid one day), as an agency's CA would issue one.
void MakeTestCertificates(const std::string& dir) {
  std::ofstream(dir + "/node.ext") << "subjectAltName=IP:127.0.0.1\n"
                                      "basicConstraints=critical,CA:FALSE\n"
                                      "extendedKeyUsage=serverAuth\n";
  Tool({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-days", "1", "-subj", "/CN=label_test CA", "-keyout", dir + "/ca.key", "-out",
        dir + "/ca.pem"});
  Tool({"/usr/bin/openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-subj", "/CN=us-cbp", "-keyout", dir + "/node.key", "-out", dir + "/node.csr"});
  Tool({"/usr/bin/openssl", "x509", "-req", "-days", "1", "-in", dir + "/node.csr", "-CA",
        dir + "/ca.pem", "-CAkey", dir + "/ca.key", "-CAcreateserial", "-CAserial", dir + "/ca.srl",
        "-extfile", dir + "/node.ext", "-out", dir + "/node.pem"});
}

// A HOME for Chromium whose NSS database trusts `ca_file` (when given) as an
// authority for web sites, or trusts nothing of its own (empty).
void MakeChromiumHome(const std::string& home, const std::string& ca_file) {
  const std::string db = "sql:" + home + "/.pki/nssdb";
  std::filesystem::create_directories(home + "/.pki/nssdb");
  Tool({"/usr/bin/certutil", "-N", "-d", db, "--empty-password"});
  if (!ca_file.empty()) {
    Tool({"/usr/bin/certutil", "-A", "-d", db, "-t", "C,,", "-n", "label_test CA", "-i", ca_file});
  }
}

TEST_CASE("labels, the resolver and the trust bundle on a running validator") {
  TestNetwork net;
  NodeProcess node(net.config_path(), net.dir() + "/port");
  auto client = node.Client();
  REQUIRE(client->PostJson("/v1/certificates", FixtureJson("pharma-credential.json")).ok());
  REQUIRE(client->PostJson("/v1/certificates", FixtureJson("precursor-credential.json")).ok());
  const std::string label =
      ReadFixture("label-uri.txt").substr(0, ReadFixture("label-uri.txt").find('\n'));

  SUBCASE("the QR image decodes with zbarimg to exactly the signed URI") {
    TempDir dir;
    for (const char* format : {"png"}) {
      auto image = client->GetRaw(CertPath(kPharmaId) + "/qr." + format);
      REQUIRE(image.ok());
      REQUIRE(image->status == 200);
      std::string file = dir.path() + "/label." + format;
      std::ofstream(file, std::ios::binary) << image->body;
      std::string decoded;
      REQUIRE(RunCommand({"/usr/bin/zbarimg", "--raw", "-q", file}, &decoded) == 0);
      // zbarimg may print D-Bus warnings on stderr (captured too): the one
      // decoded symbol is the last line.
      CHECK(decoded.ends_with("\n" + label + "\n"));
      CHECK(decoded.find("https://") == decoded.rfind("https://"));
    }
    auto svg = client->GetRaw(CertPath(kPharmaId) + "/qr.svg");
    REQUIRE(svg.ok());
    CHECK(svg->status == 200);
    CHECK(svg->body.find("<svg") != std::string::npos);
  }

  SUBCASE("the resolver gives each verdict") {
    CHECK(Resolve(node, label)["verdict"] == "AUTHENTIC");
    CHECK(Resolve(node, UnissuedLabel())["verdict"] == "NOT ON LEDGER");
    std::string tampered = label;
    tampered[tampered.find("LOT42A")] = 'X';  // the lot, inside the signed part
    CHECK(Resolve(node, tampered)["verdict"] == "NOT AUTHENTIC");
    // A hold in force: the answer names its agency among the parties.
    Json hold = FixtureJson("shipping-event.json");
    hold["eventID"] = "urn:uuid:00000000-0000-4000-9000-0000000000c1";
    hold["bizStep"] = "https://frontera.example/ns/v1/bizstep/customs_hold";
    for (const char* member : {"disposition", "sourceList", "destinationList", "proof"}) {
      hold.erase(member);
    }
    REQUIRE(client->PostJson(CertPath(kPharmaId) + "/events", Sign(hold, "us-cbp")).ok());
    const std::string cbp = ExampleParties().at("us-cbp").did;
    Json held = Resolve(node, label);
    CHECK(held["certificate"]["held_by"] == cbp);
    CHECK(held["parties"][cbp]["name"] == "U.S. Customs and Border Protection");
    Json revocation = Revocation("urn:uuid:00000000-0000-4000-8000-0000000000b1", kPharmaId,
                                 "mx-manufacturer", "recall: lot LOT42A");
    REQUIRE(
        client->PostJson(CertPath(kPharmaId) + "/revocation", Sign(revocation, "mx-manufacturer"))
            .ok());
    Json revoked = Resolve(node, label);
    // The revocation's signer is named among the parties (the page's "Revoked by").
    CHECK(revoked["parties"].contains(ExampleParties().at("mx-manufacturer").did));
    CHECK(revoked["verdict"] == "REVOKED");
    CHECK(revoked["recalled"] == true);
    CHECK(revoked["revocation_reason"] == "recall: lot LOT42A");
    CHECK(revoked["certificate"]["id"] == kPharmaId);
  }

  // Issue 14 (docs/api.md §12): a DSCSA verification answered from the
  // ledger, signed by the validator, kept by the CLI and checked later.
  SUBCASE("DSCSA verification: a signed answer the requestor can keep and check") {
    const std::string query =
        "?exp=281031&linkType=verificationService&context=dscsaSaleableReturn"
        "&reqGLN=0031234500004&corrUUID=1b7c2e1e-4f6a-4b8e-9d3c-2a1b0c9d8e7f";
    const std::string target = "/vrs/gtin/07501234000017/lot/LOT42A/ser/SN000123" + query;
    // The first co-signed checkpoint may be a moment behind the writes.
    Result<api::HttpAnswer> answer = Status::Unavailable("not asked yet");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      answer = client->GetRaw(target, "application/json");
      if (answer.ok() && answer->status != 503) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(answer.ok());
    REQUIRE_MESSAGE(answer->status == 200, answer->body);
    CHECK(Json::parse(answer->body)["data"] == Json{{"verified", true}});
    CHECK(Json::parse(answer->body)["responderGLN"] == "7501234000017");
    // Another lot on the resolver's own path, numeric form.
    auto other_lot = client->GetRaw(
        "/01/07501234000017/10/LOT42B/21/SN000123?17=281031&linkType=verificationService"
        "&context=dscsaSaleableReturn&reqGLN=0031234500004"
        "&corrUUID=1b7c2e1e-4f6a-4b8e-9d3c-2a1b0c9d8e7f",
        "application/json");
    REQUIRE(other_lot.ok());
    CHECK(Json::parse(other_lot->body)["data"]["verificationFailureReason"] ==
          "No_match_GTIN_Serial_Lot");
    // The carrier's GLN: registered, not entitled.
    std::string carrier = target;
    carrier.replace(carrier.find("0031234500004"), 13, "7509876000013");
    auto refused = client->GetRaw(carrier, "application/json");
    REQUIRE(refused.ok());
    CHECK(refused->status == 403);

    TempDir dir;
    const std::string kept = dir.path() + "/answer.json";
    std::string out;
    CHECK_MESSAGE(RunCommand({BinaryPath("tools/frontera"), "vrs", "get", node.url() + target,
                              "--genesis", net.genesis_path(), "--save", kept},
                             &out) == 0,
                  out);
    CHECK(out.find("signed by validator us-cbp") != std::string::npos);
    CHECK(RunCommand(
              {BinaryPath("tools/frontera"), "vrs", "check", kept, "--genesis", net.genesis_path()},
              &out) == 0);
    // One byte of the kept answer changed: the check fails.
    std::ifstream kept_file(kept);
    Json evidence = Json::parse(std::string(std::istreambuf_iterator<char>(kept_file), {}));
    std::string body = evidence["body"].get<std::string>();
    body[body.find("true")] = 'T';
    evidence["body"] = body;
    const std::string tampered = dir.path() + "/tampered.json";
    std::ofstream(tampered) << evidence.dump();
    CHECK(RunCommand({BinaryPath("tools/frontera"), "vrs", "check", tampered, "--genesis",
                      net.genesis_path()},
                     &out) == 65);
  }

  SUBCASE("the trust bundle verifies against the genesis keys") {
    Json revocation = Revocation("urn:uuid:00000000-0000-4000-8000-0000000000b3",
                                 "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "mx-manufacturer",
                                 "consignment cancelled");
    REQUIRE(
        client
            ->PostJson(CertPath("urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f") + "/revocation",
                       Sign(revocation, "mx-manufacturer"))
            .ok());
    auto bundle = client->GetJson("/v1/trust-bundle");
    REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
    std::vector<crypto::NoteVerifier> validators = {
        {"us-cbp", ExampleParties().at("us-cbp").key.public_key()}};
    auto checkpoint = crypto::ParseNote((*bundle)["checkpoint"].get<std::string>());
    REQUIRE(checkpoint.ok());
    CHECK(crypto::VerifiedSigners(*checkpoint, validators).size() == 1);
    auto body = crypto::ParseCheckpointBody(checkpoint->text);
    REQUIRE(body.ok());
    auto note = crypto::ParseNote((*bundle)["revocations"]["note"].get<std::string>());
    REQUIRE(note.ok());
    CHECK(crypto::VerifiedSigners(*note, validators).size() == 1);
    const Json& entries = (*bundle)["revocations"]["entries"];
    REQUIRE(entries.size() == 1);
    CHECK(entries[0]["item"] == "https://id.gs1.org/00/375012345000000013");
    // The bundle carries the signed reason, covered by the note's digest
    // (docs/formats.md §11): the reason as a JCS string ends each line.
    CHECK(entries[0]["reason"] == "consignment cancelled");
    CHECK((*bundle)["format"] == "frontera-trust-bundle/4");
    std::string lines = entries[0]["certificate"].get<std::string>() + " " +
                        entries[0]["item"].get<std::string>() + " " +
                        std::to_string(entries[0]["leaf_index"].get<uint64_t>()) +
                        " \"consignment cancelled\"\n";
    // Then the registry's lines: nothing changed it since the genesis.
    CHECK((*bundle)["revocations"]["registry"] == Json::array());
    // Then the voters': the one genesis validator, as "<name> <did>\n".
    const std::string did =
        crypto::DidKeyFromPublicKey(ExampleParties().at("us-cbp").key.public_key());
    const std::string voter = "us-cbp " + did + "\n";
    CHECK(note->text == "frontera.example/north-america-1 revocations/4\n" +
                            std::to_string(body->tree_size) + "\n1\n" +
                            Base64Encode(crypto::Sha256(lines)) + "\n0\n" +
                            Base64Encode(crypto::Sha256(std::string_view())) + "\n0\n" +
                            Base64Encode(crypto::Sha256(std::string_view())) + "\n1\n" +
                            Base64Encode(crypto::Sha256(voter)) + "\n");
    // The voters are the genesis's: no link to follow.
    CHECK((*bundle)["voter_changes"] == Json::array());
    CHECK((*bundle)["voters"] == Json::array({{{"name", "us-cbp"}, {"did", did}}}));
    CHECK((*bundle)["genesis"]["network"] == "frontera.example/north-america-1");
  }
}

// The resolver page as a phone opens it: over HTTPS, the node's certificate
// verified by Chromium's own verifier (chain, name, validity) against a CA
// made for this test and trusted through Chromium's NSS database. Not
// --ignore-certificate-errors, nor --ignore-certificate-errors-spki-list:
// the latter accepts a listed key without verifying anything else (a pin,
// not a chain check). Without that CA the same page does not load.
TEST_CASE("the resolver page in headless Chromium over HTTPS, its certificate from a test CA") {
  TestNetwork net;
  MakeTestCertificates(net.dir());
  {
    std::ifstream in(net.config_path());
    std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string plain = "allow_plain_http = true\n";
    REQUIRE(config.find(plain) != std::string::npos);
    config.replace(config.find(plain), plain.size(),
                   "tls_cert_file = \"node.pem\"\ntls_key_file = \"node.key\"\n");
    std::ofstream(net.config_path()) << config;
  }
  NodeProcess node(net.config_path(), net.dir() + "/port");
  const std::string url = "https://127.0.0.1:" + std::to_string(node.port());
  api::ClientOptions options;
  options.ca_file = net.dir() + "/ca.pem";
  auto client = api::Client::Create(url, options);
  REQUIRE(client.ok());
  REQUIRE((*client)->PostJson("/v1/certificates", FixtureJson("pharma-credential.json")).ok());
  const std::string label =
      ReadFixture("label-uri.txt").substr(0, ReadFixture("label-uri.txt").find('\n'));

  TempDir trusting, untrusting;
  MakeChromiumHome(trusting.path(), net.dir() + "/ca.pem");
  MakeChromiumHome(untrusting.path(), "");
  const std::string shots = std::string(FRONTERA_BINARY_DIR) + "/test-artifacts";
  std::filesystem::create_directories(shots);

  std::string authentic =
      Chromium(trusting.path(), url + Path(label), shots + "/page-authentic.png");
  CHECK(authentic.find("AUTHENTIC") != std::string::npos);
  CHECK(authentic.find("Amoxicillin 500 mg capsules") != std::string::npos);
  std::string unknown =
      Chromium(trusting.path(), url + Path(UnissuedLabel()), shots + "/page-unknown.png");
  CHECK(unknown.find("NOT ON LEDGER") != std::string::npos);
  Json revocation = Revocation("urn:uuid:00000000-0000-4000-8000-0000000000b2", kPharmaId,
                               "mx-manufacturer", "seized at Laredo");
  REQUIRE((*client)
              ->PostJson(CertPath(kPharmaId) + "/revocation", Sign(revocation, "mx-manufacturer"))
              .ok());
  std::string revoked = Chromium(trusting.path(), url + Path(label), shots + "/page-revoked.png");
  CHECK(revoked.find("REVOKED") != std::string::npos);
  CHECK(revoked.find("seized at Laredo") != std::string::npos);

  // The same page with no trust in the test CA: Chromium refuses the
  // certificate and renders nothing of it.
  std::string refused = Chromium(untrusting.path(), url + Path(label), "");
  CHECK(refused.find("ERR_CERT_AUTHORITY_INVALID") != std::string::npos);
  CHECK(refused.find("Amoxicillin") == std::string::npos);
  CHECK(refused.find("REVOKED") == std::string::npos);
}

}  // namespace
}  // namespace frontera::e2e
