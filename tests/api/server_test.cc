#include "api/server.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "api/client.h"
#include "api/openapi.h"
#include "api/problem.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;
using testing::RawAnswer;
using testing::RawConnection;

const std::string kCertId = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
const std::string kCertIdEncoded = "urn%3Auuid%3A0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A server on a free port over a FakeBackend, and a client talking to it.
struct Fixture {
  explicit Fixture(ServerOptions options = {}) {
    auto created = HttpServer::Create(&backend, std::move(options));
    REQUIRE(created.ok());
    server = std::move(created).value();
    REQUIRE(server->Start().ok());
    auto made = Client::Create("http://127.0.0.1:" + std::to_string(server->port()));
    REQUIRE(made.ok());
    client = std::move(made).value();
  }

  std::string Post(const std::string& path, const std::string& body,
                   const std::string& content_type = "application/json") {
    return "POST " + path + " HTTP/1.1\r\nHost: test\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  RawAnswer Raw(const std::string& request) {
    RawConnection connection(server->port());
    REQUIRE(connection.connected());
    return connection.Exchange(request);
  }

  FakeBackend backend;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<Client> client;
};

std::string Get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

// The options of a node's operational listener ([ops]).
ServerOptions Operational() {
  ServerOptions options;
  options.surface = Surface::kOperational;
  return options;
}

// Checks an answer is an RFC 9457 problem of the given type and status, and
// returns its JSON.
Json ExpectProblem(const RawAnswer& answer, int status, ProblemType type) {
  CHECK(answer.status == status);
  CHECK(answer.header("content-type") == "application/problem+json");
  Json problem = Json::parse(answer.body, nullptr, false);
  REQUIRE(problem.is_object());
  CHECK(problem["type"] == ProblemTypeUri(type));
  CHECK(problem["title"] == std::string(ProblemTitle(type)));
  CHECK(problem["status"] == status);
  CHECK(problem["detail"].is_string());
  CHECK_FALSE(problem["detail"].get<std::string>().empty());
  CHECK(problem["errors"].is_array());
  return problem;
}

TEST_CASE("POST /v1/certificates answers 201 with the receipt and a Location") {
  Fixture f;
  std::string credential = ReadFixture("pharma-credential.json");
  RawAnswer answer = f.Raw(f.Post("/v1/certificates", credential));
  CHECK(answer.status == 201);
  CHECK(answer.header("content-type") == "application/json");
  CHECK(answer.header("location") == "/v1/certificates/" + kCertIdEncoded);
  Json body = Json::parse(answer.body);
  CHECK(body == Json{{"id", kCertId},
                     {"status", "active"},
                     {"ledger",
                      {{"leaf_index", 7},
                       {"leaf_hash", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="},
                       {"block", 3}}}});
  auto calls = f.backend.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].method == "IssueCertificate");
  CHECK(calls[0].document == Json::parse(credential));
}

TEST_CASE("validator changes go to /v1/validators, party changes to /v1/parties") {
  Fixture f;
  const std::string change = R"({"type": "ValidatorAddition", "validator": {}})";
  RawAnswer answer = f.Raw(f.Post("/v1/validators", change));
  CHECK(answer.status == 201);
  CHECK(answer.header("location") == "/v1/validators");
  REQUIRE(f.backend.calls().size() == 1);
  CHECK(f.backend.calls()[0].method == "ChangeRegistry");
  // Each kind on its own path; the backend is not called.
  Json problem =
      ExpectProblem(f.Raw(f.Post("/v1/parties", change)), 400, ProblemType::kInvalidDocument);
  CHECK(problem["errors"][0]["pointer"] == "/type");
  problem = ExpectProblem(f.Raw(f.Post("/v1/validators", R"({"type": "PartyRegistration"})")), 400,
                          ProblemType::kInvalidDocument);
  CHECK(problem["errors"][0]["pointer"] == "/type");
  CHECK(f.backend.calls().size() == 1);
  f.backend.SetReadJson(Json{{"validators", Json::array()}});
  REQUIRE(f.client->GetJson("/v1/validators").ok());
  CHECK(f.backend.calls().back().method == "ListValidators");
}

TEST_CASE("notices are posted to /v1/notices and read at /v1/notices/{id}") {
  Fixture f;
  const std::string notice = R"({"type": "IllegitimateProductNotice", "id": "urn:uuid:5e"})";
  RawAnswer answer = f.Raw(f.Post("/v1/notices", notice));
  CHECK(answer.status == 201);
  // The receipt names the initial notice; Location is where it is read.
  CHECK(answer.header("location") == "/v1/notices/" + kCertIdEncoded);
  REQUIRE(f.backend.calls().size() == 1);
  CHECK(f.backend.calls()[0].method == "FileNotice");
  CHECK(f.backend.calls()[0].document == Json::parse(notice));

  f.backend.SetReadJson(Json{{"id", kCertId}, {"status", "open"}});
  auto read = f.client->GetJson("/v1/notices/" + kCertIdEncoded);
  REQUIRE(read.ok());
  CHECK((*read)["status"] == "open");
  CHECK(f.backend.calls().back().method == "GetNotice");
  CHECK(f.backend.calls().back().id == kCertId);
  // Not for this reader: the Backend's refusal is the answer.
  f.backend.SetReadJson(Status::PermissionDenied("notice urn:uuid:5e is shown to agencies"));
  ExpectProblem(f.Raw(Get("/v1/notices/urn:uuid:5e")), 403, ProblemType::kNotAuthorized);
}

TEST_CASE("events and revocations go to their certificate, decoded from the path") {
  Fixture f;
  Json event = Json::parse(ReadFixture("shipping-event.json"));
  auto answer = f.client->PostJson("/v1/certificates/" + kCertIdEncoded + "/events", event);
  REQUIRE(answer.ok());
  CHECK((*answer)["ledger"]["leaf_index"] == 7);
  Json revocation = {{"type", "Revocation"}};
  auto revoked =
      f.client->PostJson("/v1/certificates/" + kCertIdEncoded + "/revocation", revocation);
  REQUIRE(revoked.ok());
  auto calls = f.backend.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].method == "RecordEvent");
  CHECK(calls[0].id == kCertId);
  CHECK(calls[0].document == event);
  CHECK(calls[1].method == "Revoke");
  CHECK(calls[1].id == kCertId);
}

TEST_CASE("POST accepts application/ld+json and media type parameters") {
  Fixture f;
  CHECK(f.Raw(f.Post("/v1/certificates", "{}", "application/ld+json")).status == 201);
  CHECK(f.Raw(f.Post("/v1/certificates", "{}", "Application/JSON; charset=utf-8")).status == 201);
  CHECK(f.backend.write_calls() == 2);
}

TEST_CASE("GET routes answer with the backend's data") {
  Fixture f;
  SUBCASE("certificate, with an id percent-encoded or not") {
    auto encoded = f.client->GetJson("/v1/certificates/" + kCertIdEncoded);
    REQUIRE(encoded.ok());
    CHECK((*encoded)["status"] == "active");
    REQUIRE(f.client->GetJson("/v1/certificates/" + kCertId).ok());
    auto calls = f.backend.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].id == kCertId);
    CHECK(calls[1].id == kCertId);
  }
  SUBCASE("an id with an encoded slash stays one segment") {
    REQUIRE(f.client->GetJson("/v1/certificates/a%2Fb").ok());
    CHECK(f.backend.calls().at(0).id == "a/b");
  }
  SUBCASE("proof") {
    InclusionProofView proof;
    proof.leaf_index = 2;
    proof.leaf_hash.fill(0x01);
    proof.tree_size = 3;
    crypto::Hash h1, h2;
    h1.fill(0x02);
    h2.fill(0xff);
    proof.inclusion = {h1, h2};
    proof.checkpoint = "frontera.example/north-america-1\n3\nAAAA\n\n— us-cbp sig\n";
    f.backend.SetProof(proof);
    auto answer = f.client->GetJson("/v1/certificates/" + kCertIdEncoded + "/proof");
    REQUIRE(answer.ok());
    CHECK(*answer == Json{{"leaf_index", 2},
                          {"leaf_hash", "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="},
                          {"tree_size", 3},
                          {"inclusion",
                           {"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=",
                            "//////////////////////////////////////////8="}},
                          {"checkpoint", proof.checkpoint}});
  }
  SUBCASE("inclusion proof of any leaf, by index") {
    InclusionProofView proof;
    proof.leaf_index = 5;
    proof.leaf_hash.fill(1);
    proof.tree_size = 9;
    proof.checkpoint = "note\n";
    f.backend.SetProof(proof);
    auto answer = f.client->GetJson("/v1/proofs/inclusion?leaf_index=5");
    REQUIRE_MESSAGE(answer.ok(), answer.status().ToString());
    CHECK((*answer)["leaf_index"] == 5);
    CHECK((*answer)["tree_size"] == 9);
    CHECK((*answer)["leaf_hash"] == "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=");
    auto call = f.backend.calls().at(0);
    CHECK(call.method == "GetLeafProof");
    CHECK(call.first == 5);
  }
  SUBCASE("the OpenAPI document is served as it was built") {
    RawAnswer answer = f.Raw(Get("/v1/openapi.json"));
    CHECK(answer.status == 200);
    CHECK(answer.header("content-type") == "application/json");
    CHECK(answer.body == OpenApiDocument());
    CHECK(f.backend.calls().empty());
  }
  SUBCASE("checkpoint is a text/plain signed note") {
    std::string note = ReadFixture("checkpoint.txt");
    f.backend.SetCheckpoint(note);
    RawAnswer answer = f.Raw(Get("/v1/checkpoint"));
    CHECK(answer.status == 200);
    CHECK(answer.header("content-type") == "text/plain; charset=utf-8");
    CHECK(answer.body == note);
  }
  SUBCASE("consistency proof") {
    ConsistencyProofView view;
    view.first = 3;
    view.second = 18446744073709551615ull;
    crypto::Hash h;
    h.fill(0);
    view.proof = {h};
    f.backend.SetConsistency(view);
    auto answer = f.client->GetJson("/v1/proofs/consistency?first=3&second=18446744073709551615");
    REQUIRE(answer.ok());
    CHECK((*answer)["first"] == 3);
    CHECK((*answer)["second"] == 18446744073709551615ull);
    CHECK((*answer)["proof"] == Json::array({"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}));
    auto call = f.backend.calls().at(0);
    CHECK(call.first == 3);
    CHECK(call.second == 18446744073709551615ull);
  }
  SUBCASE("block by height") {
    f.backend.SetReadJson(Json{{"height", 12}});
    auto answer = f.client->GetJson("/v1/blocks/12");
    REQUIRE(answer.ok());
    CHECK((*answer)["height"] == 12);
    CHECK(f.backend.calls().at(0).height == 12);
  }
  SUBCASE("parties by role and country") {
    f.backend.SetReadJson(Json{{"parties", Json::array()}, {"next", nullptr}});
    auto answer = f.client->GetJson("/v1/parties?role=pharmacy&country=CA&limit=5");
    REQUIRE(answer.ok());
    CHECK((*answer)["next"].is_null());
    CHECK(f.backend.calls().at(0).method == "ListParties");
    CHECK(f.backend.calls().at(0).id == "pharmacy|CA||5");
  }
  SUBCASE("party by did") {
    std::string did = "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3";
    REQUIRE(f.client->GetJson("/v1/parties/" + Client::EncodePathSegment(did)).ok());
    CHECK(f.backend.calls().at(0).method == "GetParty");
    CHECK(f.backend.calls().at(0).id == did);
  }
  SUBCASE("status, on the operational listener") {
    Fixture ops(Operational());
    ops.backend.SetStatusJson(Json{{"role", "follower"}, {"commit_index", 9}});
    auto answer = ops.client->GetJson("/v1/status");
    REQUIRE(answer.ok());
    CHECK(*answer == Json{{"role", "follower"}, {"commit_index", 9}});
  }
  SUBCASE("healthz") {
    auto ok = f.client->GetText("/healthz");
    REQUIRE(ok.ok());
    CHECK(*ok == "ok");
    f.backend.SetHealthy(false);
    RawAnswer answer = f.Raw(Get("/healthz"));
    ExpectProblem(answer, 503, ProblemType::kUnavailable);
    CHECK(answer.header("retry-after") == "1");
  }
  SUBCASE("HEAD is served where GET is, without a body") {
    RawConnection connection(f.server->port());
    RawAnswer head = connection.Exchange("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(head.status == 200);
    CHECK(head.header("content-length") == "2");
    // Nothing was sent after the headers: the next answer parses cleanly.
    RawAnswer next = connection.Exchange(Get("/healthz"));
    CHECK(next.status == 200);
    CHECK(next.body == "ok");
  }
}

TEST_CASE("Backend errors become problems with the mapped status") {
  struct Case {
    Status status;
    int http;
    ProblemType type;
  };
  const Case cases[] = {
      {Status::InvalidArgument("proof missing", {{"/proof/proofValue", "required"}}), 400,
       ProblemType::kInvalidDocument},
      {Status::PermissionDenied("signer is a carrier", {{"/issuer", "not a manufacturer"}}), 403,
       ProblemType::kNotAuthorized},
      {Status::NotFound("no such certificate"), 404, ProblemType::kNotFound},
      {Status::AlreadyExists("serial already issued",
                             {{"/credentialSubject/serial", "already certified"}}),
       409, ProblemType::kDuplicate},
      {Status::FailedPrecondition("expired", {{"/credentialSubject/expiry", "is in the past"}}),
       422, ProblemType::kRuleViolation},
      {Status::ResourceExhausted("proposal queue full"), 429, ProblemType::kTooManyRequests},
      {Status::Unavailable("no leader"), 503, ProblemType::kUnavailable},
      {Status::Corruption("bad block"), 500, ProblemType::kInternal},
  };
  Fixture f;
  for (const Case& c : cases) {
    CAPTURE(c.http);
    f.backend.SetWriteResult(c.status);
    RawAnswer answer = f.Raw(f.Post("/v1/certificates", "{\"a\":1}"));
    Json problem = ExpectProblem(answer, c.http, c.type);
    CHECK(problem["detail"].get<std::string>().find(c.status.message()) != std::string::npos);
    REQUIRE(problem["errors"].size() == c.status.field_errors().size());
    if (!c.status.field_errors().empty()) {
      CHECK(problem["errors"][0]["pointer"] == c.status.field_errors()[0].pointer);
      CHECK(problem["errors"][0]["reason"] == c.status.field_errors()[0].reason);
    }
    bool retry = c.http == 503 || c.http == 429;
    CHECK(answer.header("retry-after") == (retry ? "1" : ""));
  }
}

TEST_CASE("read errors map the same way, 400 as an invalid parameter") {
  Fixture f;
  f.backend.SetReadJson(Status::NotFound("certificate urn:x is unknown"));
  ExpectProblem(f.Raw(Get("/v1/certificates/urn:x")), 404, ProblemType::kNotFound);
  f.backend.SetConsistency(
      Status::InvalidArgument("second exceeds the tree size", {{"/query/second", "at most 3"}}));
  Json problem = ExpectProblem(f.Raw(Get("/v1/proofs/consistency?first=1&second=9")), 400,
                               ProblemType::kInvalidParameter);
  CHECK(problem["errors"][0]["pointer"] == "/query/second");
}

TEST_CASE("the public API and the operational listener each serve their own routes") {
  Fixture pub;
  Fixture ops(Operational());
  pub.backend.SetStatusJson(Json{{"role", "leader"}});
  ops.backend.SetStatusJson(Json{{"role", "leader"}});
  // Public: the detailed status and the metrics are elsewhere, and say where.
  for (const char* path : {"/v1/status", "/metrics", "/v1/backup"}) {
    CAPTURE(path);
    Json problem = ExpectProblem(pub.Raw(Get(path)), 404, ProblemType::kOperationalEndpoint);
    CHECK(problem["detail"].get<std::string>().find("operational listener") != std::string::npos);
    RawAnswer head = pub.Raw("HEAD " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(head.status == 404);
    // Another method on the path: still not here, rather than 405.
    ExpectProblem(pub.Raw(pub.Post(path, "{}")), 404, ProblemType::kOperationalEndpoint);
  }
  CHECK(pub.backend.calls().empty());
  RawAnswer health = pub.Raw(Get("/healthz"));
  CHECK(health.status == 200);
  CHECK(health.body == "ok");
  CHECK(pub.Raw(Get("/v1/openapi.json")).status == 200);

  // Operational: /healthz, /v1/status and /metrics, nothing else.
  CHECK(ops.Raw(Get("/healthz")).status == 200);
  RawAnswer status = ops.Raw(Get("/v1/status"));
  CHECK(status.status == 200);
  CHECK(Json::parse(status.body) == Json{{"role", "leader"}});
  RawAnswer metrics = ops.Raw(Get("/metrics"));
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("frontera_http_requests_total") != std::string::npos);
  for (const std::string& path :
       {std::string("/v1/certificates/x"), std::string("/v1/checkpoint"),
        std::string("/v1/openapi.json"), std::string("/01/09506000134352/10/L/21/S"),
        std::string("/00/106141412345678908")}) {
    CAPTURE(path);
    Json problem = ExpectProblem(ops.Raw(Get(path)), 404, ProblemType::kNotFound);
    CHECK(problem["detail"].get<std::string>().find("public API") != std::string::npos);
  }
  ExpectProblem(ops.Raw(ops.Post("/v1/certificates", "{}")), 404, ProblemType::kNotFound);
  ExpectProblem(ops.Raw(Get("/v2/nothing")), 404, ProblemType::kNotFound);
  for (const auto& call : ops.backend.calls()) CHECK(call.method != "GetCertificate");
  CHECK(ops.backend.write_calls() == 0);
}

TEST_CASE("POST /v1/backup on the operational listener asks the backend for a backup") {
  Fixture ops(Operational());
  // No body, no Content-Type needed: the node decides where the backup goes.
  RawAnswer made = ops.Raw("POST /v1/backup HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n");
  CHECK(made.status == 201);
  CHECK(Json::parse(made.body)["path"] == "/data/backups/20261207T231502.123Z");
  size_t backups = 0;
  for (const auto& call : ops.backend.calls()) backups += call.method == "Backup" ? 1 : 0;
  CHECK(backups == 1);
  // A body (a path the client would like) is refused, and nothing is written.
  Json problem = ExpectProblem(ops.Raw(ops.Post("/v1/backup", "{\"dir\":\"/tmp\"}")), 400,
                               ProblemType::kInvalidDocument);
  CHECK(problem["detail"].get<std::string>().find("takes no body") != std::string::npos);
  CHECK(ops.Raw(Get("/v1/backup")).status == 405);
  backups = 0;
  for (const auto& call : ops.backend.calls()) backups += call.method == "Backup" ? 1 : 0;
  CHECK(backups == 1);
}

TEST_CASE("unknown paths are 404 and wrong methods 405 with Allow") {
  Fixture f;
  ExpectProblem(f.Raw(Get("/v2/nothing")), 404, ProblemType::kNotFound);
  ExpectProblem(f.Raw(Get("/v1/status/")), 404, ProblemType::kNotFound);
  ExpectProblem(f.Raw(f.Post("/v1/nothing", "{}")), 404, ProblemType::kNotFound);

  RawAnswer get_post_only = f.Raw(Get("/v1/certificates"));
  ExpectProblem(get_post_only, 405, ProblemType::kMethodNotAllowed);
  CHECK(get_post_only.header("allow") == "POST");

  RawAnswer post_get_only = f.Raw(f.Post("/v1/checkpoint", "{}"));
  ExpectProblem(post_get_only, 405, ProblemType::kMethodNotAllowed);
  CHECK(post_get_only.header("allow") == "GET, HEAD");

  RawAnswer put =
      f.Raw("PUT /v1/certificates/x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}");
  ExpectProblem(put, 405, ProblemType::kMethodNotAllowed);
  CHECK(put.header("allow") == "GET, HEAD");

  RawAnswer del = f.Raw("DELETE /v2/x HTTP/1.1\r\nHost: t\r\n\r\n");
  ExpectProblem(del, 404, ProblemType::kNotFound);
  CHECK(f.backend.calls().empty());
}

TEST_CASE("request body rules: media type, size, JSON depth, duplicates, objects only") {
  ServerOptions options;
  options.body_bytes_max = 2048;
  options.json_depth_max = 8;
  Fixture f(options);

  SUBCASE("415 for a body that is not JSON by its Content-Type") {
    ExpectProblem(f.Raw(f.Post("/v1/certificates", "{}", "text/plain")), 415,
                  ProblemType::kUnsupportedMediaType);
    ExpectProblem(f.Raw("POST /v1/certificates HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}"),
                  415, ProblemType::kUnsupportedMediaType);
  }
  SUBCASE("413 for a declared length over body_bytes_max") {
    RawAnswer answer = f.Raw(f.Post("/v1/certificates", std::string(4096, ' ')));
    ExpectProblem(answer, 413, ProblemType::kPayloadTooLarge);
  }
  SUBCASE("413 for a chunked body that grows over body_bytes_max") {
    std::string chunk(1000, ' ');
    std::string request =
        "POST /v1/certificates HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) request += "3e8\r\n" + chunk + "\r\n";
    request += "0\r\n\r\n";
    RawAnswer answer = f.Raw(request);
    ExpectProblem(answer, 413, ProblemType::kPayloadTooLarge);
    CHECK(answer.header("connection") == "close");
  }
  SUBCASE("a chunked body within the limit is accepted") {
    std::string request =
        "POST /v1/certificates HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    CHECK(f.Raw(request).status == 201);
    CHECK(f.backend.write_calls() == 1);
    return;
  }
  SUBCASE("400 with the pointer when nesting exceeds json_depth_max") {
    std::string deep = R"({"a":)" + std::string(10, '[') + "1" + std::string(10, ']') + "}";
    Json problem =
        ExpectProblem(f.Raw(f.Post("/v1/certificates", deep)), 400, ProblemType::kInvalidDocument);
    REQUIRE(problem["errors"].size() == 1);
    CHECK(problem["errors"][0]["pointer"].get<std::string>().starts_with("/a"));
  }
  SUBCASE("400 with the pointer for a duplicate member") {
    Json problem =
        ExpectProblem(f.Raw(f.Post("/v1/certificates", R"({"proof":{"type":"x","type":"y"}})")),
                      400, ProblemType::kInvalidDocument);
    REQUIRE(problem["errors"].size() == 1);
    CHECK(problem["errors"][0]["pointer"] == "/proof/type");
  }
  SUBCASE("400 for text that is not JSON, and for JSON that is not an object") {
    ExpectProblem(f.Raw(f.Post("/v1/certificates", "{\"a\":")), 400, ProblemType::kInvalidDocument);
    ExpectProblem(f.Raw(f.Post("/v1/certificates", "")), 400, ProblemType::kInvalidDocument);
    Json problem = ExpectProblem(f.Raw(f.Post("/v1/certificates", "[1,2]")), 400,
                                 ProblemType::kInvalidDocument);
    CHECK(problem["errors"][0]["pointer"] == "");
  }
  // Whatever was rejected above never reached a write.
  CHECK(f.backend.write_calls() == 0);
}

TEST_CASE("path and query parameters are validated with pointers") {
  Fixture f;
  SUBCASE("an id longer than 256 bytes") {
    Json problem = ExpectProblem(f.Raw(Get("/v1/certificates/" + std::string(257, 'a'))), 400,
                                 ProblemType::kInvalidParameter);
    CHECK(problem["errors"][0]["pointer"] == "/path/id");
    CHECK(f.Raw(Get("/v1/certificates/" + std::string(256, 'a'))).status == 200);
    // Near httplib's 8192-byte target limit: still a clean 400.
    ExpectProblem(f.Raw(Get("/v1/certificates/" + std::string(8000, 'a'))), 400,
                  ProblemType::kInvalidParameter);
    ExpectProblem(f.Raw(f.Post("/v1/certificates/" + std::string(8000, 'a') + "/events", "{}")),
                  400, ProblemType::kInvalidParameter);
  }
  SUBCASE("a malformed percent-encoding, a control character") {
    Json problem = ExpectProblem(f.Raw(f.Post("/v1/certificates/a%zz/events", "{}")), 400,
                                 ProblemType::kInvalidParameter);
    CHECK(problem["errors"][0]["pointer"] == "/path/id");
    problem = ExpectProblem(f.Raw(Get("/v1/parties/did%0A")), 400, ProblemType::kInvalidParameter);
    CHECK(problem["errors"][0]["pointer"] == "/path/did");
    // Bytes that are not UTF-8 once decoded: a parameter error too, for
    // reads and writes alike.
    problem = ExpectProblem(f.Raw(f.Post("/v1/certificates/urn%FF/events", "{}")), 400,
                            ProblemType::kInvalidParameter);
    CHECK(problem["errors"][0]["pointer"] == "/path/id");
    problem =
        ExpectProblem(f.Raw(Get("/v1/certificates/%C3%28")), 400, ProblemType::kInvalidParameter);
    CHECK(problem["errors"][0]["pointer"] == "/path/id");
    CHECK(f.backend.write_calls() == 0);
  }
  SUBCASE("a parties query with an unknown role: 400 naming it, the backend not asked") {
    Json problem =
        ExpectProblem(f.Raw(Get("/v1/parties?role=smuggler")), 400, ProblemType::kInvalidParameter);
    CHECK(problem["errors"][0]["pointer"] == "/query/role");
    CHECK(f.backend.calls().empty());
  }
  SUBCASE("a block height that is not a decimal uint64") {
    for (std::string bad : {"abc", "-1", "%2B1", "18446744073709551616", "1.0"}) {
      CAPTURE(bad);
      Json problem =
          ExpectProblem(f.Raw(Get("/v1/blocks/" + bad)), 400, ProblemType::kInvalidParameter);
      CHECK(problem["errors"][0]["pointer"] == "/path/height");
    }
  }
  SUBCASE("consistency query: missing, not decimal, overflowing, repeated") {
    struct Case {
      std::string query;
      std::vector<std::string> pointers;
    };
    const Case cases[] = {
        {"", {"/query/first", "/query/second"}},
        {"?first=1", {"/query/second"}},
        {"?second=2", {"/query/first"}},
        {"?first=x&second=2", {"/query/first"}},
        {"?first=1&second=%2B2", {"/query/second"}},
        {"?first=1&second=18446744073709551616", {"/query/second"}},
        {"?first=1&first=2&second=3", {"/query/first"}},
        {"?first=&second=", {"/query/first", "/query/second"}},
    };
    for (const Case& c : cases) {
      CAPTURE(c.query);
      Json problem = ExpectProblem(f.Raw(Get("/v1/proofs/consistency" + c.query)), 400,
                                   ProblemType::kInvalidParameter);
      REQUIRE(problem["errors"].size() == c.pointers.size());
      for (size_t i = 0; i < c.pointers.size(); ++i) {
        CHECK(problem["errors"][i]["pointer"] == c.pointers[i]);
      }
    }
    CHECK(f.backend.calls().empty());
  }
  SUBCASE("inclusion query: missing, not decimal, overflowing, repeated") {
    for (const std::string query :
         {"", "?leaf_index=", "?leaf_index=x", "?leaf_index=-1", "?leaf_index=18446744073709551616",
          "?leaf_index=1&leaf_index=2", "?index=1"}) {
      CAPTURE(query);
      Json problem = ExpectProblem(f.Raw(Get("/v1/proofs/inclusion" + query)), 400,
                                   ProblemType::kInvalidParameter);
      REQUIRE(problem["errors"].size() == 1);
      CHECK(problem["errors"][0]["pointer"] == "/query/leaf_index");
    }
    CHECK(f.backend.calls().empty());
  }
}

TEST_CASE("a backend answer that cannot be encoded is a 500 problem") {
  Fixture f;
  f.backend.SetReadJson(Json{{"name", std::string("\xff\xfe")}});
  ExpectProblem(f.Raw(Get("/v1/certificates/x")), 500, ProblemType::kInternal);
}

TEST_CASE("errors of the HTTP layer itself are problems too") {
  Fixture f;
  SUBCASE("a request line httplib cannot parse") {
    ExpectProblem(f.Raw("BREW /v1/status HTTP/1.1\r\nHost: t\r\n\r\n"), 400,
                  ProblemType::kMalformedRequest);
  }
  SUBCASE("a target longer than httplib's limit") {
    ExpectProblem(f.Raw(Get("/v1/certificates/" + std::string(9000, 'a'))), 414,
                  ProblemType::kUriTooLong);
  }
  SUBCASE("an exception escaping the Backend") {
    Fixture ops(Operational());
    ops.backend.SetStatusThrows(true);
    Json problem = ExpectProblem(ops.Raw(Get("/v1/status")), 500, ProblemType::kInternal);
    CHECK(problem["detail"].get<std::string>().find("status exploded") != std::string::npos);
  }
  CHECK(f.backend.write_calls() == 0);
}

TEST_CASE("metrics export request counters, latency histogram and backend values") {
  Fixture f(Operational());
  MetricSet backend_metrics;
  backend_metrics.Add({"frontera_raft_commit_index", MetricType::kGauge, "Commit index."}, 42);
  backend_metrics.Add({"frontera_writes_total", MetricType::kCounter, "Writes."}, 5);
  backend_metrics.Add({"frontera_peer_up", MetricType::kGauge, "Link up."}, 1,
                      {{"peer", "a\"b\\c\nd"}});
  f.backend.SetMetrics(std::move(backend_metrics));
  // One connection: the logger of each request runs before the next request
  // on the same connection is read, so the counts below are exact.
  RawConnection connection(f.server->port());
  REQUIRE(connection.connected());
  CHECK(connection.Exchange(Get("/v1/status")).status == 200);
  CHECK(connection.Exchange(Get("/v1/status")).status == 200);
  CHECK(connection.Exchange(Get("/v2/nothing")).status == 404);
  RawAnswer answer = connection.Exchange(Get("/metrics"));
  CHECK(answer.status == 200);
  CHECK(answer.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = answer.body;
  CHECK(text.find("# TYPE frontera_http_requests_total counter\n") != std::string::npos);
  CHECK(text.find("frontera_http_requests_total{route=\"/v1/status\",method=\"GET\",code=\"2xx\"} "
                  "2\n") != std::string::npos);
  CHECK(text.find("frontera_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"4xx\"} "
                  "1\n") != std::string::npos);
  CHECK(text.find("# TYPE frontera_http_request_duration_seconds histogram\n") !=
        std::string::npos);
  CHECK(text.find("frontera_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("frontera_http_request_duration_seconds_count 3\n") != std::string::npos);
  CHECK(text.find("# HELP frontera_raft_commit_index Commit index.\n"
                  "# TYPE frontera_raft_commit_index gauge\nfrontera_raft_commit_index 42\n") !=
        std::string::npos);
  CHECK(text.find("# HELP frontera_writes_total Writes.\n"
                  "# TYPE frontera_writes_total counter\nfrontera_writes_total 5\n") !=
        std::string::npos);
  // Label values escape backslash, double quote and line feed.
  CHECK(text.find("frontera_peer_up{peer=\"a\\\"b\\\\c\\nd\"} 1\n") != std::string::npos);
  // Every family has its HELP and TYPE lines.
  CHECK(text.find("# HELP frontera_http_requests_total ") != std::string::npos);
  CHECK(text.find("# HELP frontera_http_request_duration_seconds ") != std::string::npos);
}

TEST_CASE("one keep-alive connection serves many requests") {
  Fixture f;
  RawConnection connection(f.server->port());
  REQUIRE(connection.connected());
  for (int i = 0; i < 5; ++i) {
    RawAnswer answer =
        connection.Exchange(i % 2 == 0 ? Get("/healthz") : f.Post("/v1/certificates", "{}"));
    CHECK(answer.status == (i % 2 == 0 ? 200 : 201));
    CHECK(answer.header("connection") != "close");
  }
  // A rejected body is consumed too: the connection stays usable.
  CHECK(connection.Exchange(f.Post("/v1/certificates", "{}", "text/plain")).status == 415);
  CHECK(connection.Exchange(Get("/healthz")).status == 200);
  CHECK(f.backend.write_calls() == 2);
}

TEST_CASE("writes run concurrently on the worker threads") {
  ServerOptions options;
  options.threads = 4;
  Fixture f(options);
  f.backend.RequireConcurrentWrites(4);
  std::vector<std::thread> threads;
  std::vector<int> statuses(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&f, &statuses, i] {
      RawConnection connection(f.server->port());
      statuses[i] = connection.Exchange(f.Post("/v1/certificates", "{}")).status;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(statuses == std::vector<int>{201, 201, 201, 201});
}

TEST_CASE("Stop ends cleanly and is idempotent") {
  FakeBackend backend;
  auto created = HttpServer::Create(&backend, ServerOptions{});
  REQUIRE(created.ok());
  std::unique_ptr<HttpServer> server = std::move(created).value();
  REQUIRE(server->Start().ok());
  int port = server->port();
  {
    RawConnection connection(port);
    REQUIRE(connection.connected());
    CHECK(connection.Exchange(Get("/healthz")).status == 200);
  }
  server->Stop();
  RawConnection refused(port);
  CHECK_FALSE(refused.connected());
  server->Stop();
  server.reset();  // the destructor after Stop is fine too
}

TEST_CASE("Stop right after Start, and destruction without Start") {
  FakeBackend backend;
  {
    auto server = HttpServer::Create(&backend, ServerOptions{});
    REQUIRE(server.ok());
    REQUIRE((*server)->Start().ok());
    (*server)->Stop();
  }
  {
    auto server = HttpServer::Create(&backend, ServerOptions{});
    REQUIRE(server.ok());
  }
  CHECK(backend.calls().empty());
}

TEST_CASE("Start fails with IOError on a port in use") {
  FakeBackend backend;
  auto first = HttpServer::Create(&backend, ServerOptions{});
  REQUIRE(first.ok());
  REQUIRE((*first)->Start().ok());
  ServerOptions options;
  options.port = (*first)->port();
  auto second = HttpServer::Create(&backend, options);
  REQUIRE(second.ok());
  Status status = (*second)->Start();
  CHECK(status.IsIOError());
  CHECK(status.message().find(std::to_string(options.port)) != std::string::npos);
}

TEST_CASE("ServerOptions::Validate names the field and range") {
  CHECK(ServerOptions{}.Validate().ok());
  ServerOptions options;
  options.threads = 0;
  options.port = 70000;
  options.host = "";
  Status status = options.Validate();
  CHECK(status.IsInvalidArgument());
  CHECK(status.message().find("threads = 0 is outside [1, 4096]") != std::string::npos);
  CHECK(status.message().find("port = 70000") != std::string::npos);
  REQUIRE(status.field_errors().size() == 3);
  CHECK(status.field_errors()[0].pointer == "/host");
  options = ServerOptions{};
  options.body_bytes_max = 10;
  CHECK(options.Validate().IsInvalidArgument());
  // The abuse limits, each named with its range.
  options = ServerOptions{};
  options.request_timeout_s = 0;
  options.header_bytes_max = 10;
  options.connections_max = 8;
  options.connections_per_address_max = 9;
  options.requests_pending_max = 0;
  options.listen_backlog = 0;
  options.rate_per_address_per_s = 0;
  options.rate_per_key_per_s = 0;
  status = options.Validate();
  CHECK(status.message().find("request_timeout_s = 0 is outside [1, 3600]") != std::string::npos);
  CHECK(status.message().find("header_bytes_max = 10 is outside [1024, 1048576]") !=
        std::string::npos);
  CHECK(status.message().find("connections_per_address_max = 9 is outside [1, 8]") !=
        std::string::npos);
  CHECK(status.message().find("requests_pending_max = 0") != std::string::npos);
  CHECK(status.message().find("listen_backlog = 0") != std::string::npos);
  CHECK(status.message().find("rate_per_address_per_s = 0") != std::string::npos);
  CHECK(status.message().find("rate_per_key_per_s = 0") != std::string::npos);
  CHECK(status.field_errors().size() == 7);
  FakeBackend backend;
  CHECK(HttpServer::Create(&backend, options).status().IsInvalidArgument());
}

TEST_CASE("a request trickled in byte by byte is cut off at the whole-request deadline") {
  ServerOptions options;
  options.request_timeout_s = 1;
  Fixture f(options);
  RawConnection slow(f.server->port());
  REQUIRE(slow.connected());
  REQUIRE(slow.Send("GET /healthz HTTP/1.1\r\n"));
  // A header line every 200 ms: a per-read timeout would never fire.
  bool closed = false;
  for (int i = 0; i < 25 && !closed; ++i) {
    slow.Send("X-Slow-" + std::to_string(i) + ": 1\r\n");
    closed = slow.ClosedByServer(200);
  }
  CHECK(closed);
  // Nothing was answered on it, and others were served meanwhile.
  CHECK(f.Raw(Get("/healthz")).status == 200);
}

TEST_CASE("a client still sending a refused body reads the 413 instead of a reset") {
  ServerOptions options;
  options.body_bytes_max = 1024;
  Fixture f(options);
  RawConnection connection(f.server->port());
  REQUIRE(connection.connected());
  // The answer is decided from Content-Length; the body keeps coming after it.
  const std::string body(3 << 20, 'a');
  CHECK(connection.Send(f.Post("/v1/certificates", body)));
  RawAnswer answer = connection.Read();
  ExpectProblem(answer, 413, ProblemType::kPayloadTooLarge);
  CHECK(answer.header("connection") == "close");
  CHECK(f.backend.write_calls() == 0);
}

TEST_CASE("an idle keep-alive connection is closed after keep_alive_timeout_s") {
  ServerOptions options;
  options.keep_alive_timeout_s = 1;
  Fixture f(options);
  RawConnection connection(f.server->port());
  REQUIRE(connection.connected());
  CHECK(connection.Exchange(Get("/healthz")).status == 200);
  CHECK(connection.ClosedByServer(5000));
}

TEST_CASE("headers over header_bytes_max are answered 431 and the connection closed") {
  ServerOptions options;
  options.header_bytes_max = 2048;
  Fixture f(options);
  RawAnswer answer =
      f.Raw("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(3000, 'a') + "\r\n\r\n");
  ExpectProblem(answer, 431, ProblemType::kHttpError);
  CHECK(answer.header("connection") == "close");
  // Within the cap: served.
  CHECK(f.Raw("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(1000, 'a') + "\r\n\r\n")
            .status == 200);
}

TEST_CASE("connections over the per-address and total caps are closed at once") {
  ServerOptions options;
  options.connections_per_address_max = 2;
  options.connections_max = 3;
  Fixture f(options);
  const int port = f.server->port();
  RawConnection a1(port, "127.0.0.1");
  RawConnection a2(port, "127.0.0.1");
  REQUIRE(a1.connected());
  REQUIRE(a2.connected());
  // Both are being served before the next connection arrives.
  CHECK(a1.Exchange(Get("/healthz")).status == 200);
  CHECK(a2.Exchange(Get("/healthz")).status == 200);
  RawConnection a3(port, "127.0.0.1");
  CHECK(a3.ClosedByServer(5000));
  RawConnection b1(port, "127.0.0.2");
  REQUIRE(b1.connected());
  CHECK(b1.Exchange(Get("/healthz")).status == 200);
  RawConnection c1(port, "127.0.0.3");  // a fourth connection: over connections_max
  CHECK(c1.ClosedByServer(5000));
  // The admitted ones keep working.
  CHECK(a1.Exchange(Get("/healthz")).status == 200);
  CHECK(b1.Exchange(Get("/healthz")).status == 200);
}

TEST_CASE("a full request queue answers 503 with Retry-After at once") {
  ServerOptions options;
  options.threads = 2;
  options.requests_pending_max = 2;
  Fixture f(options);
  f.backend.RequireConcurrentWrites(3);  // both writes below wait in their workers
  std::vector<std::thread> writers;
  std::vector<int> statuses(2, 0);
  for (int i = 0; i < 2; ++i) {
    writers.emplace_back([&f, &statuses, i] {
      RawConnection connection(f.server->port());
      statuses[i] = connection.Exchange(f.Post("/v1/certificates", "{}")).status;
    });
  }
  // Both writes hold a worker once the Backend has seen them.
  for (int i = 0; i < 1000 && f.backend.write_calls() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RawAnswer refused = f.Raw(Get("/healthz"));
  f.backend.ReleaseWrites();
  for (std::thread& t : writers) t.join();
  ExpectProblem(refused, 503, ProblemType::kUnavailable);
  CHECK(refused.header("retry-after") == "1");
  CHECK(statuses == std::vector<int>{201, 201});
  CHECK(f.Raw(Get("/healthz")).status == 200);
}

TEST_CASE("150 connections sending headers slowly do not keep others from being served") {
  ServerOptions options;
  options.threads = 4;
  Fixture f(options);
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 150; ++i) {
    slow.push_back(std::make_unique<RawConnection>(f.server->port()));
    REQUIRE(slow.back()->connected());
    REQUIRE(slow.back()->Send("POST /v1/certificates HTTP/1.1\r\nHost: t\r\n"));
  }
  // Each slow connection holds no worker: with 4 workers and a thread per
  // connection these would wait until the slow ones time out.
  CHECK(f.Raw(Get("/healthz")).status == 200);
  CHECK(f.Raw(f.Post("/v1/certificates", "{}")).status == 201);
}

TEST_CASE("requests over an address's rate are answered 429 with Retry-After") {
  ServerOptions options;
  options.rate_per_address_per_s = 1;
  options.rate_burst_per_address = 3;
  Fixture f(options);
  RawConnection connection(f.server->port(), "127.0.0.1");
  REQUIRE(connection.connected());
  for (int i = 0; i < 3; ++i) CHECK(connection.Exchange(Get("/healthz")).status == 200);
  RawAnswer refused = connection.Exchange(f.Post("/v1/certificates", "{}"));
  Json problem = ExpectProblem(refused, 429, ProblemType::kTooManyRequests);
  CHECK(refused.header("retry-after") == "1");
  CHECK(problem["detail"].get<std::string>().find("rate_per_address_per_s") != std::string::npos);
  // The refused write never reached the Backend, and the connection stays usable.
  CHECK(f.backend.write_calls() == 0);
  // Another address has its own bucket.
  RawConnection other(f.server->port(), "127.0.0.2");
  REQUIRE(other.connected());
  CHECK(other.Exchange(Get("/healthz")).status == 200);
}

TEST_CASE("ledger reads are linearizable unless the client asks for a local read") {
  Fixture f;
  f.backend.SetCheckpoint(std::string("note\n"));
  // Default: one read barrier before the read.
  CHECK(f.Raw(Get("/v1/certificates/" + kCertIdEncoded)).status == 200);
  CHECK(f.backend.read_barriers() == 1);
  CHECK(f.Raw(Get("/v1/checkpoint")).status == 200);
  CHECK(f.backend.read_barriers() == 2);
  // Explicitly linearizable: the same.
  CHECK(
      f.Raw("GET /v1/checkpoint HTTP/1.1\r\nHost: t\r\nFrontera-Consistency: linearizable\r\n\r\n")
          .status == 200);
  CHECK(f.backend.read_barriers() == 3);
  // Local: no barrier.
  CHECK(f.Raw("GET /v1/checkpoint HTTP/1.1\r\nHost: t\r\nFrontera-Consistency: local\r\n\r\n")
            .status == 200);
  CHECK(f.backend.read_barriers() == 3);
  // Health and the genesis party registry need none.
  CHECK(f.Raw(Get("/healthz")).status == 200);
  CHECK(f.backend.read_barriers() == 3);
  SUBCASE("an unknown mode is a 400 naming the header") {
    RawAnswer answer =
        f.Raw("GET /v1/checkpoint HTTP/1.1\r\nHost: t\r\nFrontera-Consistency: eventual\r\n\r\n");
    Json problem = ExpectProblem(answer, 400, ProblemType::kInvalidParameter);
    CHECK(problem["errors"][0]["pointer"] == "/headers/Frontera-Consistency");
    CHECK(f.backend.read_barriers() == 3);
  }
  SUBCASE("no leader to confirm the read: 503, the read is not served") {
    f.backend.SetReadBarrier(Status::Unavailable("no leader"));
    const size_t calls_before = f.backend.calls().size();
    RawAnswer answer = f.Raw(Get("/v1/certificates/" + kCertIdEncoded));
    ExpectProblem(answer, 503, ProblemType::kUnavailable);
    CHECK(f.backend.calls().size() == calls_before);
  }
}
}  // namespace
}  // namespace frontera::api
