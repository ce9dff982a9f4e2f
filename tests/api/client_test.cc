#include "api/client.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <mutex>
#include <set>
#include <thread>

#include "api/problem.h"
#include "api/server.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using Json = nlohmann::json;

// A bare httplib server, to see what the client sends (connections, headers)
// and to answer what Frontera's server never would.
class PeerServer {
 public:
  PeerServer() {
    server_.set_keep_alive_max_count(100);
    server_.Get("/json", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_content(R"({"ok":true})", "application/json");
    });
    server_.Get("/notjson", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_content("<html>", "text/html");
    });
    server_.Get("/html-error", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.status = 502;
      res.set_content("<html>bad gateway</html>", "text/html");
    });
    server_.Get("/big", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_content(std::string(100'000, 'x'), "text/plain");
    });
    // An answer without end: 64 KiB chunks for as long as the client reads.
    server_.Get("/endless", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        const std::string chunk(64 << 10, 'y');
        return sink.write(chunk.data(), chunk.size());
      });
    });
    server_.Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      Record(req);
      res.status = 201;
      res.set_content(req.body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  // REQUIRES: at least one request was served (so the accept loop runs and
  // stop() takes effect).
  ~PeerServer() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::set<int> client_ports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return client_ports_;
  }
  std::string last_content_type() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_content_type_;
  }
  std::string last_accept() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_accept_;
  }

 private:
  void Record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    client_ports_.insert(req.remote_port);
    last_content_type_ = req.get_header_value("Content-Type");
    last_accept_ = req.get_header_value("Accept");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::set<int> client_ports_;
  std::string last_content_type_;
  std::string last_accept_;
};

std::unique_ptr<Client> Connect(int port) {
  auto client = Client::Create("http://127.0.0.1:" + std::to_string(port));
  REQUIRE(client.ok());
  return std::move(client).value();
}

TEST_CASE("Create checks the base URL") {
  CHECK(Client::Create("http://127.0.0.1:7001").ok());
  CHECK(Client::Create("http://localhost").ok());
  CHECK(Client::Create("http://[::1]:7001/").ok());
  CHECK(Client::Create("127.0.0.1:7001").status().IsInvalidArgument());
  CHECK(Client::Create("ftp://127.0.0.1:7001").status().IsInvalidArgument());
  CHECK(Client::Create("http://127.0.0.1:7001/v1").status().IsInvalidArgument());
  CHECK(Client::Create("http://127.0.0.1:0").status().IsInvalidArgument());
  CHECK(Client::Create("http://127.0.0.1:99999").status().IsInvalidArgument());
  CHECK(Client::Create("http://127.0.0.1:").status().IsInvalidArgument());
  CHECK(Client::Create("http://").status().IsInvalidArgument());
  CHECK(Client::Create("http://[::1").status().IsInvalidArgument());
  ClientOptions zero;
  zero.read_timeout_ms = 0;
  CHECK(Client::Create("http://127.0.0.1:7001", zero).status().IsInvalidArgument());
  ClientOptions no_answer;
  no_answer.answer_bytes_max = 0;
  CHECK(Client::Create("http://127.0.0.1:7001", no_answer).status().IsInvalidArgument());
  ClientOptions huge_answer;
  huge_answer.answer_bytes_max = kClientAnswerBytesMaxLimit + 1;
  CHECK(Client::Create("http://127.0.0.1:7001", huge_answer).status().IsInvalidArgument());
}

TEST_CASE("EncodePathSegment keeps only unreserved characters") {
  CHECK(Client::EncodePathSegment("urn:uuid:0b6f-AZ_az.09~") == "urn%3Auuid%3A0b6f-AZ_az.09~");
  CHECK(Client::EncodePathSegment("a/b c%") == "a%2Fb%20c%25");
  CHECK(Client::EncodePathSegment("\xc3\xa9") == "%C3%A9");
  CHECK(Client::EncodePathSegment("") == "");
}

TEST_CASE("the client keeps one connection alive across requests") {
  PeerServer peer;
  auto client = Connect(peer.port());
  for (int i = 0; i < 5; ++i) {
    auto answer = client->GetJson("/json");
    REQUIRE(answer.ok());
    CHECK((*answer)["ok"] == true);
  }
  REQUIRE(client->PostJson("/echo", Json{{"a", 1}}).ok());
  CHECK(peer.client_ports().size() == 1);
}

TEST_CASE("PostJson sends application/json and returns the answer's JSON") {
  PeerServer peer;
  auto client = Connect(peer.port());
  auto answer = client->PostJson("/echo", Json{{"a", {1, 2}}});
  REQUIRE(answer.ok());
  CHECK(*answer == Json{{"a", {1, 2}}});
  CHECK(peer.last_content_type() == "application/json");
  CHECK(peer.last_accept() == "application/json");
  // A document nlohmann cannot encode is refused before sending.
  CHECK(client->PostJson("/echo", Json{{"a", std::string("\xff")}}).status().IsInvalidArgument());
  CHECK(client->PostJson("no-slash", Json::object()).status().IsInvalidArgument());
}

TEST_CASE("answers that are not what was asked for") {
  PeerServer peer;
  auto client = Connect(peer.port());
  CHECK(client->GetJson("/notjson").status().code() == Status::Code::kInternal);
  auto text = client->GetText("/notjson");
  REQUIRE(text.ok());
  CHECK(*text == "<html>");
  Status gateway = client->GetJson("/html-error").status();
  CHECK(gateway.IsUnavailable());
  CHECK(gateway.message() == "HTTP 502: <html>bad gateway</html>");
  auto raw = client->GetRaw("/html-error", "text/html");
  REQUIRE(raw.ok());
  CHECK(raw->status == 502);
  CHECK(raw->content_type == "text/html");
  CHECK(peer.last_accept() == "text/html");
}

TEST_CASE("an answer longer than answer_bytes_max is cut off, endless ones included") {
  PeerServer peer;
  ClientOptions options;
  options.answer_bytes_max = 50'000;
  auto created = Client::Create("http://127.0.0.1:" + std::to_string(peer.port()), options);
  REQUIRE(created.ok());
  std::unique_ptr<Client> client = std::move(created).value();
  Status big = client->GetRaw("/big", "text/plain").status();
  CHECK(big.code() == Status::Code::kResourceExhausted);
  CHECK(big.message().find("longer than 50000 bytes") != std::string::npos);
  // A server streaming without end is cut off as soon as the limit is passed.
  Status endless = client->GetRaw("/endless", "text/plain").status();
  CHECK(endless.code() == Status::Code::kResourceExhausted);
  // The client still works afterwards, and an answer within the limit is whole.
  auto json = client->GetJson("/json");
  REQUIRE(json.ok());
  CHECK((*json)["ok"] == true);
  // The default limit reads the 100,000 bytes.
  auto roomy = Connect(peer.port())->GetRaw("/big", "text/plain");
  REQUIRE(roomy.ok());
  CHECK(roomy->body.size() == 100'000);
}

TEST_CASE("a server that is not there is kUnavailable") {
  // Bind and stop a server so the port is (very likely) free and refusing.
  testing::FakeBackend backend;
  auto server = HttpServer::Create(&backend, ServerOptions{});
  REQUIRE(server.ok());
  REQUIRE((*server)->Start().ok());
  int port = (*server)->port();
  (*server)->Stop();
  auto client = Connect(port);
  Status status = client->GetJson("/healthz").status();
  CHECK(status.IsUnavailable());
  CHECK(status.message().find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
}

TEST_CASE("problems from Frontera's server come back as Status with field errors") {
  testing::FakeBackend backend;
  auto created = HttpServer::Create(&backend, ServerOptions{});
  REQUIRE(created.ok());
  std::unique_ptr<HttpServer> server = std::move(created).value();
  REQUIRE(server->Start().ok());
  auto client = Connect(server->port());

  backend.SetWriteResult(Status::FailedPrecondition(
      "GTIN check digit", {{"/credentialSubject/gtin", "check digit should be 7"}}));
  Status status = client->PostJson("/v1/certificates", Json::object()).status();
  CHECK(status.IsFailedPrecondition());
  CHECK(status.message() == "Ledger rule violated: GTIN check digit");
  CHECK(status.field_errors() ==
        std::vector<FieldError>{{"/credentialSubject/gtin", "check digit should be 7"}});

  Status query = client->GetJson("/v1/proofs/consistency?first=a&second=1").status();
  CHECK(query.IsInvalidArgument());
  REQUIRE(query.field_errors().size() == 1);
  CHECK(query.field_errors()[0].pointer == "/query/first");

  auto raw = client->PostRaw("/v1/certificates", "{}", "text/plain");
  REQUIRE(raw.ok());
  CHECK(raw->status == 415);
  CHECK(raw->content_type == kProblemContentType);

  backend.SetWriteResult(backend.receipt());
  auto ok = client->PostJson("/v1/certificates", Json::object());
  REQUIRE(ok.ok());
  CHECK((*ok)["id"] == backend.receipt().id);
  client.reset();
  server->Stop();
}

}  // namespace
}  // namespace frontera::api
