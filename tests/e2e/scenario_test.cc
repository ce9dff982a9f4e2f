// End to end on one validator process: the US–MX–CA scenario over HTTP,
// SIGKILL and restart, and the fixtures of an independent implementation.
#include <doctest/doctest.h>

#include <chrono>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

const char* kPharmaId = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
const char* kPrecursorId = "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const char* kItemEpc = "https://id.gs1.org/01/07501234000017/21/SN000123";

Json Unsigned(Json doc) {
  doc.erase("proof");
  return doc;
}

// An EPCIS ObjectEvent about the fixture pharmaceutical unit.
Json MakeEvent(const std::string& event_id, const std::string& biz_step,
               const std::string& certificate = kPharmaId) {
  return Json{{"@context",
               {"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                "https://frontera.example/ns/v1"}},
              {"type", "ObjectEvent"},
              {"eventID", event_id},
              {"eventTime", "2026-11-04T08:00:00.000-06:00"},
              {"eventTimeZoneOffset", "-06:00"},
              {"epcList", {kItemEpc}},
              {"action", "OBSERVE"},
              {"bizStep", biz_step},
              {"readPoint", {{"id", "https://id.gs1.org/414/7501234000017"}}},
              {"certificationInfo", certificate}};
}

Json Shipping(const std::string& event_id, const std::string& from, const std::string& to) {
  Json e = MakeEvent(event_id, "shipping");
  e["disposition"] = "in_transit";
  e["sourceList"] = {{{"type", "possessing_party"}, {"source", ExampleParties().at(from).did}}};
  e["destinationList"] = {
      {{"type", "possessing_party"}, {"destination", ExampleParties().at(to).did}}};
  return e;
}

std::string EventsPath(const std::string& id) {
  return "/v1/certificates/" + api::Client::EncodePathSegment(id) + "/events";
}

crypto::Hash HashOf(const std::string& b64) {
  auto bytes = Base64Decode(b64);
  REQUIRE(bytes.ok());
  REQUIRE(bytes->size() == 32);
  crypto::Hash h;
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

// The checkpoint as signed by the single validator of the test network.
crypto::Checkpoint VerifiedCheckpoint(const std::string& note_text) {
  auto note = crypto::ParseNote(note_text);
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  auto signers =
      crypto::VerifiedSigners(*note, {{"us-cbp", ExampleParties().at("us-cbp").key.public_key()}});
  REQUIRE(signers == std::vector<std::string>{"us-cbp"});
  auto cp = crypto::ParseCheckpointBody(note->text);
  REQUIRE(cp.ok());
  CHECK(cp->origin == "frontera.example/north-america-1");
  return *cp;
}

void CheckProof(api::Client& client, const std::string& id) {
  auto proof = client.GetJson("/v1/certificates/" + api::Client::EncodePathSegment(id) + "/proof");
  REQUIRE_MESSAGE(proof.ok(), proof.status().ToString());
  crypto::Checkpoint cp = VerifiedCheckpoint((*proof)["checkpoint"].get<std::string>());
  REQUIRE(cp.tree_size == (*proof)["tree_size"].get<uint64_t>());
  std::vector<crypto::Hash> path;
  for (const Json& h : (*proof)["inclusion"]) path.push_back(HashOf(h.get<std::string>()));
  // Anyone holding the credential computes its leaf hash.
  auto cert = client.GetJson("/v1/certificates/" + api::Client::EncodePathSegment(id));
  REQUIRE(cert.ok());
  auto canonical = crypto::Canonicalize((*cert)["credential"]);
  REQUIRE(canonical.ok());
  crypto::Hash leaf = crypto::LeafHash(AsBytes(*canonical));
  CHECK(Base64Encode(leaf) == (*proof)["leaf_hash"].get<std::string>());
  CHECK(crypto::VerifyInclusion(leaf, (*proof)["leaf_index"].get<uint64_t>(), cp.tree_size, path,
                                cp.root));
}

TEST_CASE("the fixtures of an independent implementation are accepted and give its root") {
  TestNetwork net;
  NodeProcess node(net.config_path(), net.dir() + "/port");
  auto client = node.Client();

  auto pharma = client->PostJson("/v1/certificates", FixtureJson("pharma-credential.json"));
  REQUIRE_MESSAGE(pharma.ok(), pharma.status().ToString());
  CHECK((*pharma)["id"] == kPharmaId);
  CHECK((*pharma)["status"] == "active");
  auto precursor = client->PostJson("/v1/certificates", FixtureJson("precursor-credential.json"));
  REQUIRE_MESSAGE(precursor.ok(), precursor.status().ToString());
  auto shipping = client->PostJson(EventsPath(kPharmaId), FixtureJson("shipping-event.json"));
  REQUIRE_MESSAGE(shipping.ok(), shipping.status().ToString());

  Json leaves = FixtureJson("leaf-hashes.json");
  CHECK((*pharma)["ledger"]["leaf_hash"] == leaves["leaves"][0]["leaf_hash"]);
  CHECK((*precursor)["ledger"]["leaf_hash"] == leaves["leaves"][1]["leaf_hash"]);
  CHECK((*shipping)["ledger"]["leaf_hash"] == leaves["leaves"][2]["leaf_hash"]);
  CHECK((*shipping)["ledger"]["leaf_index"] == 2);

  auto note = client->GetText("/v1/checkpoint");
  REQUIRE(note.ok());
  crypto::Checkpoint cp = VerifiedCheckpoint(*note);
  CHECK(cp.tree_size == 3);
  CHECK(Base64Encode(cp.root) == leaves["root"].get<std::string>());
  // Our validator signs exactly the example's checkpoint text; it co-signs it
  // with a signed time (tlog-cosignature), and the example's plain Ed25519
  // line by the same key verifies over our text too (crypto/signed_note_test
  // reproduces that line byte for byte).
  crypto::Note fixture = crypto::ParseNote(ReadFixture("checkpoint.txt")).value();
  crypto::Note ours = crypto::ParseNote(*note).value();
  CHECK(ours.text == fixture.text);
  const std::vector<crypto::NoteVerifier> us = {
      {"us-cbp", ExampleParties().at("us-cbp").key.public_key()}};
  std::vector<crypto::VerifiedSignature> cosigned = crypto::VerifiedCosigners(ours, us);
  REQUIRE(cosigned.size() == 1);
  REQUIRE(cosigned[0].time.has_value());
  const uint64_t now_seconds =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  CHECK(*cosigned[0].time <= now_seconds);
  CHECK(*cosigned[0].time + 600 >= now_seconds);
  crypto::Note example_lines = ours;
  example_lines.signatures = fixture.signatures;
  CHECK(crypto::VerifiedSigners(example_lines, us) == std::vector<std::string>{"us-cbp"});
}

TEST_CASE("the US-MX-CA scenario end to end, surviving SIGKILL") {
  TestNetwork net;
  std::string checkpoint_before_kill;
  {
    NodeProcess node(net.config_path(), net.dir() + "/port");
    auto client = node.Client();
    REQUIRE(client->PostJson("/v1/certificates", FixtureJson("pharma-credential.json")).ok());
    REQUIRE(client->PostJson("/v1/certificates", FixtureJson("precursor-credential.json")).ok());

    // Manufacturer ships to the carrier; the carrier arrives at Laredo; CBP
    // inspects; the carrier ships on to the distributor, who receives.
    auto step = [&](const Json& unsigned_event, const std::string& signer) {
      auto r = client->PostJson(EventsPath(kPharmaId), Sign(unsigned_event, signer));
      REQUIRE_MESSAGE(r.ok(), unsigned_event["bizStep"] << ": " << r.status().ToString());
      CHECK((*r)["id"] == kPharmaId);
      return *r;
    };
    step(Unsigned(FixtureJson("shipping-event.json")), "mx-manufacturer");
    step(MakeEvent("urn:uuid:00000000-0000-4000-8000-000000000002", "arriving"), "mx-carrier");
    step(MakeEvent("urn:uuid:00000000-0000-4000-8000-000000000003", "inspecting"), "us-cbp");
    step(Shipping("urn:uuid:00000000-0000-4000-8000-000000000004", "mx-carrier", "us-distributor"),
         "mx-carrier");
    step(MakeEvent("urn:uuid:00000000-0000-4000-8000-000000000005", "receiving"), "us-distributor");

    // Anonymous: the public view (docs/api.md §10).
    auto public_view =
        client->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(kPharmaId));
    REQUIRE(public_view.ok());
    CHECK((*public_view)["view"] == "public");
    CHECK((*public_view)["events"].empty());
    CHECK((*public_view)["events_withheld"] == 5);
    // Signed by an agency: the full view.
    client->SetSigningKey(ExampleParties().at("us-cbp").key);
    auto cert = client->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(kPharmaId));
    REQUIRE(cert.ok());
    CHECK((*cert)["view"] == "full");
    CHECK((*cert)["status"] == "active");
    CHECK((*cert)["events"].size() == 5);
    CHECK((*cert)["custody"]["custodian"] == ExampleParties().at("us-distributor").did);
    CHECK((*cert)["custody"]["in_transit_to"].is_null());
    CHECK((*cert)["credential"] == FixtureJson("pharma-credential.json"));

    // The manufacturer recalls it: revoked, and it cannot move any more.
    Json revocation =
        Revocation("urn:uuid:00000000-0000-4000-8000-0000000000a1", kPharmaId, "mx-manufacturer",
                   "recall: lot LOT42A failed dissolution testing");
    auto revoked = client->PostJson(
        "/v1/certificates/" + api::Client::EncodePathSegment(kPharmaId) + "/revocation",
        Sign(revocation, "mx-manufacturer"));
    REQUIRE_MESSAGE(revoked.ok(), revoked.status().ToString());
    CHECK((*revoked)["status"] == "revoked");
    auto moved = client->PostJson(EventsPath(kPharmaId),
                                  Sign(Shipping("urn:uuid:00000000-0000-4000-8000-000000000006",
                                                "us-distributor", "mx-carrier"),
                                       "us-distributor"));
    CHECK(moved.status().IsFailedPrecondition());

    CheckProof(*client, kPharmaId);
    CheckProof(*client, kPrecursorId);
    auto consistency = client->GetJson("/v1/proofs/consistency?first=3&second=8");
    REQUIRE_MESSAGE(consistency.ok(), consistency.status().ToString());
    auto block = client->GetJson("/v1/blocks/1");
    REQUIRE(block.ok());
    CHECK((*block)["height"] == 1);
    CHECK((*block)["documents"][0]["outcome"] == "accepted");
    // The detailed status is on the operational listener only.
    CHECK(client->GetJson("/v1/status").status().IsNotFound());
    auto status = node.OpsClient()->GetJson("/v1/status");
    REQUIRE(status.ok());
    CHECK((*status)["ledger"]["tree_size"] == 8);

    auto note = client->GetText("/v1/checkpoint");
    REQUIRE(note.ok());
    checkpoint_before_kill = *note;
    node.Kill();
  }
  // Restart on the same data: every acknowledged document, the same root.
  NodeProcess node(net.config_path(), net.dir() + "/port");
  auto client = node.Client();
  client->SetSigningKey(ExampleParties().at("us-cbp").key);
  auto note = client->GetText("/v1/checkpoint");
  REQUIRE(note.ok());
  CHECK(VerifiedCheckpoint(*note).root == VerifiedCheckpoint(checkpoint_before_kill).root);
  CHECK(VerifiedCheckpoint(*note).tree_size == 8);
  auto cert = client->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(kPharmaId));
  REQUIRE(cert.ok());
  CHECK((*cert)["status"] == "revoked");
  CHECK((*cert)["events"].size() == 5);
  CHECK(client->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(kPrecursorId)).ok());
  CheckProof(*client, kPharmaId);
  CheckProof(*client, kPrecursorId);
  // And it keeps taking writes after the restart, then stops cleanly on
  // SIGTERM even with an idle keep-alive connection open.
  Json event = MakeEvent("urn:uuid:00000000-0000-4000-8000-000000000007", "inspecting");
  CHECK(client->PostJson(EventsPath(kPharmaId), Sign(event, "mx-anam")).ok());
  CHECK(client->GetText("/healthz").ok());
  CHECK(node.Terminate() == 0);
}

}  // namespace
}  // namespace frontera::e2e
