// DSCSA verification (api/vrs.h, api/response_signature.h): both request
// forms and their parameters, every failure reason and additionalInfo value
// of the one derivation, the requestor's 401 and 403, checkConnectivity, and
// the validator's signature on each answer (docs/api.md#vrs).
#include "api/vrs.h"

#include <doctest/doctest.h>

#include <string>

#include "api/client.h"
#include "api/problem.h"
#include "api/request_signature.h"
#include "api/response_signature.h"
#include "api/server.h"
#include "crypto/did_key.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;
using testing::RawAnswer;
using testing::RawConnection;

// 2026-12-08T00:00:00Z: exp 281031 is 2028-10-31.
constexpr int64_t kNow = 1'796'688'000'000;
const std::string kGtin = "07501234000017";
const std::string kGln = "0031234500004";  // us-distributor
const std::string kUuid = "1b7c2e1e-4f6a-4b8e-9d3c-2a1b0c9d8e7f";
const std::string kQuery =
    "exp=281031&linkType=verificationService&context=dscsaSaleableReturn"
    "&reqGLN=" +
    kGln + "&corrUUID=" + kUuid;
const std::string kWordsPath = "/vrs/gtin/" + kGtin + "/lot/LOT42A/ser/SN000123";
const std::string kNumericPath = "/vrs/01/" + kGtin + "/10/LOT42A/21/SN000123";

std::vector<std::string> Pointers(const Status& status) {
  std::vector<std::string> out;
  for (const FieldError& e : status.field_errors()) out.push_back(e.pointer);
  return out;
}

bool Names(const Status& status, const std::string& pointer) {
  for (const FieldError& e : status.field_errors()) {
    if (e.pointer == pointer) return true;
  }
  return false;
}

ledger::PartyRecord Party(ledger::Role role, const crypto::KeyPair& key,
                          ledger::PartyStatus status = ledger::PartyStatus::kActive) {
  ledger::PartyRecord r;
  r.party.did = crypto::DidKeyFromPublicKey(key.public_key());
  r.party.public_key = key.public_key();
  r.party.name = "Example Pharma Distribution LLC";
  r.party.role = role;
  r.party.country = "US";
  r.party.gln = kGln;
  r.status = status;
  r.party.suspended = status == ledger::PartyStatus::kSuspended;
  r.origin = r.party.did;
  return r;
}

VrsRequest Asked() {
  auto request = ParseVrsRequest(kWordsPath, kQuery, kNow);
  REQUIRE_MESSAGE(request.ok(), request.status().ToString());
  return *request;
}

VrsPackFacts Matching() {
  VrsPackFacts facts;
  facts.on_ledger = true;
  facts.lot = "LOT42A";
  facts.expiry = ledger::gs1::CivilDate{2028, 10, 31};
  return facts;
}

TEST_CASE("both Digital Link forms parse to the same request") {
  auto words = ParseVrsRequest(kWordsPath, kQuery, kNow);
  std::string numeric_query = kQuery;
  numeric_query.replace(0, 3, "17");  // exp= → 17=
  auto numeric = ParseVrsRequest(kNumericPath, numeric_query, kNow);
  // The resolver's own path, without the base path.
  auto resolver = ParseVrsRequest("/01/" + kGtin + "/10/LOT42A/21/SN000123", numeric_query, kNow);
  for (const auto* r : {&words, &numeric, &resolver}) {
    REQUIRE_MESSAGE(r->ok(), r->status().ToString());
    CHECK((*r)->gtin == kGtin);
    CHECK((*r)->lot == "LOT42A");
    CHECK((*r)->serial == "SN000123");
    CHECK((*r)->exp == "281031");
    CHECK((*r)->expiry == ledger::gs1::CivilDate{2028, 10, 31});
    CHECK((*r)->context == "dscsaSaleableReturn");
    CHECK((*r)->req_gln == kGln);
    CHECK((*r)->corr_uuid == kUuid);
  }
  // Percent-encoded lot and serial are decoded; an upper-case UUID is the same UUID.
  std::string upper = kQuery;
  upper.replace(upper.find(kUuid), kUuid.size(), "1B7C2E1E-4F6A-4B8E-9D3C-2A1B0C9D8E7F");
  auto encoded = ParseVrsRequest("/vrs/gtin/" + kGtin + "/lot/LOT%2F1/ser/S%20N", upper, kNow);
  CHECK_FALSE(encoded.ok());  // a space is not in GS1 character set 82
  encoded = ParseVrsRequest("/vrs/gtin/" + kGtin + "/lot/LOT%2F1/ser/SN%2B1", upper, kNow);
  REQUIRE_MESSAGE(encoded.ok(), encoded.status().ToString());
  CHECK(encoded->lot == "LOT/1");
  CHECK(encoded->serial == "SN+1");
  CHECK(encoded->corr_uuid == kUuid);
  // Day 00 is the month's last day.
  std::string day00 = kQuery;
  day00.replace(0, 10, "exp=280200");
  auto last_day = ParseVrsRequest(kWordsPath, day00, kNow);
  REQUIRE(last_day.ok());
  CHECK(last_day->expiry == ledger::gs1::CivilDate{2028, 2, 29});

  CHECK(IsVrsProductPath(kWordsPath));
  CHECK(IsVrsProductPath(kNumericPath));
  CHECK_FALSE(IsVrsProductPath("/01/" + kGtin + "/10/LOT42A/21/SN000123"));
  CHECK(AsksVerificationService("17=281031&linkType=verificationService"));
  CHECK_FALSE(AsksVerificationService("17=281031&kid=x&sig=y"));
}

TEST_CASE("every bad parameter is named") {
  auto bad = [](std::string path, std::string query) {
    auto r = ParseVrsRequest(path, query, kNow);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalidArgument);
    return r.status();
  };
  auto with = [](const std::string& from, const std::string& to) {
    std::string q = kQuery;
    q.replace(q.find(from), from.size(), to);
    return q;
  };
  CHECK(Names(bad("/vrs/gtin/07501234000018/lot/LOT42A/ser/SN000123", kQuery), "/path/gtin"));
  CHECK(Names(bad("/vrs/gtin/7501234000017/lot/LOT42A/ser/SN000123", kQuery), "/path/gtin"));
  CHECK(Names(bad("/vrs/gtin/" + kGtin + "/lot/" + std::string(21, 'L') + "/ser/SN1", kQuery),
              "/path/lot"));
  CHECK(Names(bad("/vrs/gtin/" + kGtin + "/lot/LOT/ser/S%ZZ", kQuery), "/path/serial"));
  CHECK(Names(bad(kWordsPath, with("exp=281031", "exp=281032")), "/query/exp"));
  CHECK(Names(bad(kWordsPath, with("exp=281031", "exp=2810")), "/query/exp"));
  CHECK(Names(bad(kWordsPath, with("exp=281031", "exp=281331")), "/query/exp"));
  CHECK(Names(bad(kWordsPath, with("exp=281031&", "")), "/query/exp"));
  CHECK(Names(bad(kWordsPath, kQuery + "&17=281031"), "/query/17"));
  CHECK(Names(bad(kWordsPath, kQuery + "&exp=281031"), "/query/exp"));
  CHECK(Names(bad(kWordsPath, with("verificationService", "pip")), "/query/linkType"));
  CHECK(Names(bad(kWordsPath, with("dscsaSaleableReturn", "saleable%20return")), "/query/context"));
  CHECK(Names(bad(kWordsPath, with(kGln, "0031234500005")), "/query/reqGLN"));
  CHECK(Names(bad(kWordsPath, with(kGln, "31234500004")), "/query/reqGLN"));
  CHECK(Names(bad(kWordsPath, with(kUuid, "not-a-uuid")), "/query/corrUUID"));
  CHECK(Names(bad(kWordsPath, with(kUuid, kUuid.substr(1) + "g")), "/query/corrUUID"));
  // Nothing at all: every required parameter is named at once.
  Status none = bad(kWordsPath, "");
  CHECK(Pointers(none) == std::vector<std::string>{"/query/exp", "/query/linkType",
                                                   "/query/context", "/query/reqGLN",
                                                   "/query/corrUUID"});
  CHECK(Names(bad("/vrs/gtin/" + kGtin + "/batch/L/ser/S", kQuery), "/path"));

  auto connectivity = ParseVrsConnectivity("gtin=" + kGtin + "&reqGLN=" + kGln);
  REQUIRE(connectivity.ok());
  CHECK(connectivity->gtin == kGtin);
  CHECK(connectivity->req_gln == kGln);
  auto no_gln = ParseVrsConnectivity("gtin=" + kGtin);
  REQUIRE_FALSE(no_gln.ok());
  CHECK(Pointers(no_gln.status()) == std::vector<std::string>{"/query/reqGLN"});
  auto bad_gtin = ParseVrsConnectivity("gtin=123&reqGLN=" + kGln);
  REQUIRE_FALSE(bad_gtin.ok());
  CHECK(Pointers(bad_gtin.status()) == std::vector<std::string>{"/query/gtin"});
}

TEST_CASE("every failure reason, derived from the pack's facts") {
  const VrsRequest asked = Asked();
  VrsPackFacts facts = Matching();
  VrsVerification v = DeriveVerification(asked, facts);
  CHECK(v.verified);
  CHECK(v.failure_reason.empty());
  CHECK(v.additional_info.empty());

  VrsPackFacts absent;
  v = DeriveVerification(asked, absent);
  CHECK_FALSE(v.verified);
  CHECK(v.failure_reason == "No_match_GTIN_Serial");

  facts = Matching();
  facts.lot = "LOT42B";
  v = DeriveVerification(asked, facts);
  CHECK_FALSE(v.verified);
  CHECK(v.failure_reason == "No_match_GTIN_Serial_Lot");

  facts = Matching();
  facts.expiry = ledger::gs1::CivilDate{2028, 10, 30};
  v = DeriveVerification(asked, facts);
  CHECK_FALSE(v.verified);
  CHECK(v.failure_reason == "No_match_GTIN_Serial_Expiry");
  facts.expiry.reset();  // a certificate without expiry matches no exp
  CHECK(DeriveVerification(asked, facts).failure_reason == "No_match_GTIN_Serial_Expiry");

  facts.lot = "LOT42B";
  v = DeriveVerification(asked, facts);
  CHECK_FALSE(v.verified);
  CHECK(v.failure_reason == "No_match_GTIN_Serial_Lot_Expiry");

  // A certificate its issuer revoked for another reason than a recall.
  facts = Matching();
  facts.revoked = true;
  v = DeriveVerification(asked, facts);
  CHECK_FALSE(v.verified);
  CHECK(v.failure_reason == "No_reason_provided");
  CHECK(v.additional_info.empty());
  // A mismatch outranks what the ledger says of the pack.
  facts.lot = "OTHER";
  facts.flag_illegitimate = true;
  v = DeriveVerification(asked, facts);
  CHECK(v.failure_reason == "No_match_GTIN_Serial_Lot");
  CHECK(v.additional_info.empty());
}

TEST_CASE("every additionalInfo value, gravest first") {
  const VrsRequest asked = Asked();
  VrsPackFacts facts = Matching();
  facts.expired = true;
  VrsVerification v = DeriveVerification(asked, facts);
  CHECK(v.verified);
  CHECK(v.additional_info == "Expired");

  facts.revoked = true;
  facts.recall = true;
  v = DeriveVerification(asked, facts);
  CHECK(v.verified);
  CHECK(v.additional_info == "Recalled");
  facts.revoked = facts.recall = false;
  facts.flag_recalled = true;  // an agency's recall flag
  CHECK(DeriveVerification(asked, facts).additional_info == "Recalled");

  facts.flag_suspect = true;
  v = DeriveVerification(asked, facts);
  CHECK(v.verified);
  CHECK(v.additional_info == "Suspect");

  facts.flag_illegitimate = true;
  v = DeriveVerification(asked, facts);
  CHECK_FALSE(v.verified);
  CHECK(v.failure_reason == "No_reason_provided");
  CHECK(v.additional_info == "Illegitimate");

  Json answer = VerificationAnswerJson("7501234000017", kUuid, "2026-12-08T01:02:03.456Z", v);
  CHECK(answer == Json::parse(R"({"responderGLN": "7501234000017",
      "corrUUID": "1b7c2e1e-4f6a-4b8e-9d3c-2a1b0c9d8e7f",
      "verificationTimestamp": "2026-12-08T01:02:03.456Z",
      "data": {"verified": false, "verificationFailureReason": "No_reason_provided",
               "additionalInfo": "Illegitimate"}})"));
  CHECK(VerificationAnswerJson("", kUuid, "t", DeriveVerification(asked, Matching())) ==
        Json::parse(R"({"responderGLN": null, "corrUUID": "1b7c2e1e-4f6a-4b8e-9d3c-2a1b0c9d8e7f",
                        "verificationTimestamp": "t", "data": {"verified": true}})"));
  CHECK(Rfc3339Millis(kNow + 3'723'456) == "2026-12-08T01:02:03.456Z");
}

TEST_CASE(
    "a decommissioned pack: its state in additionalInfo; stolen and destroyed not vouched for") {
  using ledger::PackState;
  const VrsRequest asked = Asked();
  struct Case {
    PackState state;
    std::string info;
    bool verified;
  };
  const Case cases[] = {
      {PackState::kDispensed, "Dispensed", true}, {PackState::kExported, "Exported", true},
      {PackState::kSampled, "Sampled", true},     {PackState::kFreeSample, "FreeSample", true},
      {PackState::kLocked, "Locked", true},       {PackState::kDestroyed, "Destroyed", false},
      {PackState::kStolen, "Stolen", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.info);
    VrsPackFacts facts = Matching();
    facts.pack_state = c.state;
    facts.expired = true;  // a pack's lifecycle outranks its expiry
    VrsVerification v = DeriveVerification(asked, facts);
    CHECK(v.verified == c.verified);
    CHECK(v.additional_info == c.info);
    CHECK(v.failure_reason == (c.verified ? "" : "No_reason_provided"));
    // A mismatched lot is still the answer: the identifiers come first.
    VrsRequest other_lot = asked;
    other_lot.lot = "OTHER";
    CHECK(DeriveVerification(other_lot, facts).failure_reason == "No_match_GTIN_Serial_Lot");
  }
  // Gravity: illegitimate over stolen over suspect over recalled over dispensed.
  VrsPackFacts facts = Matching();
  facts.pack_state = PackState::kDispensed;
  facts.flag_recalled = true;
  CHECK(DeriveVerification(asked, facts).additional_info == "Recalled");
  facts.flag_suspect = true;
  CHECK(DeriveVerification(asked, facts).additional_info == "Suspect");
  facts.pack_state = PackState::kStolen;
  CHECK(DeriveVerification(asked, facts).additional_info == "Stolen");
  facts.flag_illegitimate = true;
  CHECK(DeriveVerification(asked, facts).additional_info == "Illegitimate");
}

TEST_CASE("requestors: a registered trading partner or agency in good standing") {
  const crypto::KeyPair key = crypto::KeyPair::FromSeed(crypto::Seed{1});
  const crypto::KeyPair other = crypto::KeyPair::FromSeed(crypto::Seed{2});
  const Reader anonymous;
  const Reader signed_by_party{crypto::DidKeyFromPublicKey(key.public_key())};
  const Reader signed_by_other{crypto::DidKeyFromPublicKey(other.public_key())};
  using ledger::Role;
  for (Role role :
       {Role::kManufacturer, Role::kDistributor, Role::kPharmacy, Role::kImporter, Role::kAgency}) {
    CHECK(DecideRequestor(kGln, {Party(role, key)}, anonymous).verdict ==
          RequestorVerdict::kEntitled);
    CHECK(DecideRequestor(kGln, {Party(role, key)}, signed_by_party).http_status() == 200);
  }
  for (Role role : {Role::kShipper, Role::kCarrier}) {
    RequestorDecision d = DecideRequestor(kGln, {Party(role, key)}, anonymous);
    CHECK(d.verdict == RequestorVerdict::kRoleNotEntitled);
    CHECK(d.http_status() == 403);
  }
  RequestorDecision unknown = DecideRequestor(kGln, {}, anonymous);
  CHECK(unknown.verdict == RequestorVerdict::kUnknownGln);
  CHECK(unknown.http_status() == 401);
  RequestorDecision suspended = DecideRequestor(
      kGln, {Party(Role::kPharmacy, key, ledger::PartyStatus::kSuspended)}, anonymous);
  CHECK(suspended.verdict == RequestorVerdict::kSuspended);
  CHECK(suspended.http_status() == 403);
  RequestorDecision wrong_key =
      DecideRequestor(kGln, {Party(Role::kPharmacy, key)}, signed_by_other);
  CHECK(wrong_key.verdict == RequestorVerdict::kWrongKey);
  CHECK(wrong_key.http_status() == 401);
  RequestorDecision two = DecideRequestor(
      kGln, {Party(Role::kPharmacy, key), Party(Role::kPharmacy, other)}, anonymous);
  CHECK(two.verdict == RequestorVerdict::kAmbiguousGln);
  CHECK(two.http_status() == 403);
}

// A server over a FakeBackend whose requestor is a pharmacy.
struct VrsFixture {
  VrsFixture() {
    backend.SetVrsParties({Party(ledger::Role::kPharmacy, party_key)});
    backend.SetVrsFacts(Matching());
    auto created = HttpServer::Create(&backend, ServerOptions{});
    REQUIRE(created.ok());
    server = std::move(created).value();
    REQUIRE(server->Start().ok());
  }
  RawAnswer Get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    RawConnection connection(server->port());
    REQUIRE(connection.connected());
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    return connection.Exchange(request + "\r\n");
  }
  // The answer's signature checked as a requestor would (the headers as
  // received, the request it answered).
  Result<VerifiedResponse> Verify(const RawAnswer& answer, const std::string& target) {
    return VerifyResponseSignature(answer.headers, answer.status, answer.body, "GET", target);
  }

  crypto::KeyPair party_key = crypto::KeyPair::FromSeed(crypto::Seed{3});
  FakeBackend backend;
  std::unique_ptr<HttpServer> server;
};

TEST_CASE("GET /vrs answers both forms and the resolver's paths with signed JSON") {
  VrsFixture f;
  std::string numeric_query = kQuery;
  numeric_query.replace(0, 3, "17");
  for (const std::string& target : {kWordsPath + "?" + kQuery, kNumericPath + "?" + numeric_query,
                                    "/01/" + kGtin + "/10/LOT42A/21/SN000123?" + numeric_query}) {
    CAPTURE(target);
    RawAnswer answer = f.Get(target);
    REQUIRE(answer.status == 200);
    CHECK(answer.header("content-type") == "application/json");
    CHECK(answer.header("cache-control") == "no-store");
    Json body = Json::parse(answer.body);
    CHECK(body["corrUUID"] == kUuid);
    CHECK(body["responderGLN"] == "7501234000017");
    CHECK(body["data"] == Json{{"verified", true}});
    CHECK(answer.header("frontera-checkpoint") ==
          CheckpointHeaderValue(FakeBackend::vrs_checkpoint()));
    auto verified = f.Verify(answer, target);
    REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
    CHECK(verified->keyid == crypto::DidKeyFromPublicKey(f.backend.vrs_key().public_key()));
    CHECK(verified->checkpoint.tree_size == 42);
  }
  const auto calls = f.backend.calls();
  REQUIRE(calls.size() == 3);
  for (const auto& call : calls) {
    CHECK(call.method == "AnswerVrs");
    CHECK(call.id == kGtin + "/LOT42A/SN000123/281031/dscsaSaleableReturn/" + kGln + "/" + kUuid);
  }
  // Without linkType the resolver's path is the resolver's (no VRS call).
  f.backend.SetLabelCheck(Json{{"verdict", "AUTHENTIC"}});
  RawAnswer page = f.Get("/01/" + kGtin + "/10/LOT42A/21/SN000123?17=281031");
  CHECK(page.header("signature").empty());
  CHECK(f.backend.calls().size() == 3);
}

TEST_CASE("the answer's signature fails when a byte changes") {
  VrsFixture f;
  const std::string target = kWordsPath + "?" + kQuery;
  RawAnswer answer = f.Get(target);
  REQUIRE(answer.status == 200);
  REQUIRE(f.Verify(answer, target).ok());

  RawAnswer tampered = answer;
  tampered.body[tampered.body.find("true")] = 'T';
  auto body_changed = f.Verify(tampered, target);
  REQUIRE_FALSE(body_changed.ok());
  CHECK(Names(body_changed.status(), "/headers/content-digest"));
  // A body and digest both replaced: the signature no longer matches.
  tampered.headers["content-digest"] = ContentDigest(tampered.body);
  auto digest_replaced = f.Verify(tampered, target);
  REQUIRE_FALSE(digest_replaced.ok());
  CHECK(Names(digest_replaced.status(), "/headers/signature"));
  // Another status, another checkpoint, or another question: no longer the answer.
  CHECK_FALSE(VerifyResponseSignature(answer.headers, 404, answer.body, "GET", target).ok());
  RawAnswer other_checkpoint = answer;
  other_checkpoint.headers["frontera-checkpoint"] =
      "43 " + answer.header("frontera-checkpoint").substr(3);
  CHECK_FALSE(f.Verify(other_checkpoint, target).ok());
  std::string other_serial = target;
  other_serial.replace(other_serial.find("SN000123"), 8, "SN000124");
  CHECK_FALSE(f.Verify(answer, other_serial).ok());
  // An answer whose signature names another key.
  RawAnswer other_key = answer;
  std::string input = answer.header("signature-input");
  const std::string did =
      crypto::DidKeyFromPublicKey(crypto::KeyPair::FromSeed(crypto::Seed{9}).public_key());
  size_t keyid = input.find("keyid=\"") + 7;
  input.replace(keyid, input.find('"', keyid) - keyid, did);
  other_key.headers["signature-input"] = input;
  CHECK_FALSE(f.Verify(other_key, target).ok());
}

TEST_CASE("every failure reason and additionalInfo over HTTP") {
  VrsFixture f;
  const std::string target = kWordsPath + "?" + kQuery;
  auto data = [&](const VrsPackFacts& facts) {
    f.backend.SetVrsFacts(facts);
    RawAnswer answer = f.Get(target);
    REQUIRE(answer.status == 200);
    REQUIRE(f.Verify(answer, target).ok());
    return Json::parse(answer.body)["data"];
  };
  CHECK(data(VrsPackFacts{}) ==
        Json{{"verified", false}, {"verificationFailureReason", "No_match_GTIN_Serial"}});
  VrsPackFacts facts = Matching();
  facts.flag_suspect = true;
  CHECK(data(facts) == Json{{"verified", true}, {"additionalInfo", "Suspect"}});
  // A GTIN that is not on the ledger: 404, the backend's kNotFound.
  f.backend.SetVrsFacts(Status::NotFound("no certificate for GTIN " + kGtin));
  RawAnswer not_found = f.Get(target);
  CHECK(not_found.status == 404);
}

TEST_CASE("bad parameters are 400 problems naming them, unsigned, without a backend call") {
  VrsFixture f;
  RawAnswer answer = f.Get(kWordsPath + "?exp=281399&linkType=verificationService");
  CHECK(answer.status == 400);
  CHECK(answer.header("content-type") == "application/problem+json");
  Json problem = Json::parse(answer.body);
  CHECK(problem["type"] == ProblemTypeUri(ProblemType::kInvalidParameter));
  std::vector<std::string> pointers;
  for (const Json& e : problem["errors"]) pointers.push_back(e["pointer"]);
  CHECK(pointers == std::vector<std::string>{"/query/exp", "/query/context", "/query/reqGLN",
                                             "/query/corrUUID"});
  CHECK(answer.header("signature").empty());
  CHECK(f.backend.calls().empty());
}

TEST_CASE("unknown, suspended and unentitled requestors are 401 and 403, signed") {
  VrsFixture f;
  const std::string target = kWordsPath + "?" + kQuery;
  auto expect = [&](int status, ProblemType type, const std::string& pointer,
                    const std::map<std::string, std::string>& headers = {}) {
    RawAnswer answer = f.Get(target, headers);
    CHECK(answer.status == status);
    Json problem = Json::parse(answer.body);
    CHECK(problem["type"] == ProblemTypeUri(type));
    CHECK(problem["errors"][0]["pointer"] == pointer);
    CHECK(f.Verify(answer, target).ok());
  };
  f.backend.SetVrsParties({});
  expect(401, ProblemType::kUnauthenticated, "/query/reqGLN");
  f.backend.SetVrsParties(
      {Party(ledger::Role::kPharmacy, f.party_key, ledger::PartyStatus::kSuspended)});
  expect(403, ProblemType::kNotAuthorized, "/query/reqGLN");
  f.backend.SetVrsParties({Party(ledger::Role::kCarrier, f.party_key)});
  expect(403, ProblemType::kNotAuthorized, "/query/reqGLN");

  // Signed (RFC 9421): by the party's key it is answered, by another key 401.
  f.backend.SetVrsParties({Party(ledger::Role::kPharmacy, f.party_key)});
  auto sign = [&](const crypto::KeyPair& key) {
    const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    return SignRequest(key, "GET", target, "", now_s, RandomNonce());
  };
  RawAnswer by_party = f.Get(target, sign(f.party_key));
  CHECK(by_party.status == 200);
  CHECK(f.backend.calls().back().reader == crypto::DidKeyFromPublicKey(f.party_key.public_key()));
  expect(401, ProblemType::kUnauthenticated, "/headers/signature-input",
         sign(crypto::KeyPair::FromSeed(crypto::Seed{4})));
}

TEST_CASE("checkConnectivity answers an entitled requestor, signed") {
  VrsFixture f;
  const std::string target = "/vrs/checkConnectivity?gtin=" + kGtin + "&reqGLN=" + kGln;
  RawAnswer answer = f.Get(target);
  REQUIRE(answer.status == 200);
  CHECK(Json::parse(answer.body)["responderGLN"] == "7501234000017");
  CHECK(f.Verify(answer, target).ok());
  CHECK(f.backend.calls().back().method == "AnswerVrsConnectivity");
  CHECK(f.backend.calls().back().id == kGtin + "/" + kGln);
  f.backend.SetVrsParties({});
  CHECK(f.Get(target).status == 401);
  CHECK(f.Get("/vrs/checkConnectivity?gtin=" + kGtin).status == 400);
  f.backend.SetVrsParties({Party(ledger::Role::kPharmacy, f.party_key)});
  f.backend.SetVrsFacts(Status::NotFound("no certificate for GTIN " + kGtin));
  CHECK(f.Get(target).status == 404);
}

}  // namespace
}  // namespace frontera::api
