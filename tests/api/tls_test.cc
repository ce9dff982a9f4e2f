// HTTPS: the server serves TLS with a certificate from ServerOptions, and
// api::Client (the CLI's transport) verifies it against the CA it is told
// to trust. Certificates are made here with the openssl command.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "api/client.h"
#include "api/server.h"
#include "tests/api/test_support.h"
#include "tests/temp_dir.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;

bool Run(const std::string& command) {
  return std::system((command + " 2>/dev/null").c_str()) == 0;
}

// A CA (dir/<name>-ca.crt, .key) and a certificate it signs for 127.0.0.1
// (dir/<name>.crt, .key), P-256, valid for two days.
void MakeCertificates(const std::string& dir, const std::string& name) {
  const std::string ca = dir + "/" + name + "-ca";
  const std::string leaf = dir + "/" + name;
  std::ofstream(leaf + ".ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                  "basicConstraints=CA:FALSE\n"
                                  "extendedKeyUsage=serverAuth\n";
  REQUIRE(
      Run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "
          "'/CN=" +
          name + " test CA' -keyout " + ca + ".key -out " + ca + ".crt"));
  REQUIRE(
      Run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "
          "'/CN=127.0.0.1' -keyout " +
          leaf + ".key -out " + leaf + ".csr"));
  REQUIRE(Run("openssl x509 -req -days 2 -in " + leaf + ".csr -CA " + ca + ".crt -CAkey " + ca +
              ".key -CAcreateserial -extfile " + leaf + ".ext -out " + leaf + ".crt"));
}

struct TlsFixture {
  TlsFixture() {
    MakeCertificates(dir.path(), "network");
    MakeCertificates(dir.path(), "other");
    ServerOptions options;
    options.tls_cert_file = dir.Sub("network.crt");
    options.tls_key_file = dir.Sub("network.key");
    auto created = HttpServer::Create(&backend, options);
    REQUIRE(created.ok());
    server = std::move(created).value();
    REQUIRE(server->Start().ok());
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(server->port()); }

  frontera::testing::TempDir dir{"tls"};
  FakeBackend backend;
  std::unique_ptr<HttpServer> server;
};

TEST_CASE(
    "HTTPS: a client trusting the network's CA is served; one trusting another CA is "
    "refused") {
  TlsFixture f;
  SUBCASE("the network's CA: the certificate verifies, requests are answered") {
    ClientOptions options;
    options.ca_file = f.dir.Sub("network-ca.crt");
    auto client = Client::Create(f.Url(), options);
    REQUIRE(client.ok());
    auto health = (*client)->GetText("/healthz");
    REQUIRE_MESSAGE(health.ok(), health.status().ToString());
    CHECK(*health == "ok");
    auto receipt = (*client)->PostJson("/v1/certificates", Json::object());
    REQUIRE_MESSAGE(receipt.ok(), receipt.status().ToString());
    CHECK(f.backend.write_calls() == 1);
  }
  SUBCASE("another CA: the handshake fails and nothing is sent") {
    ClientOptions options;
    options.ca_file = f.dir.Sub("other-ca.crt");
    auto client = Client::Create(f.Url(), options);
    REQUIRE(client.ok());
    auto answer = (*client)->PostRaw("/v1/certificates", "{}", "application/json");
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.status().IsUnavailable());
    CHECK(f.backend.write_calls() == 0);
  }
  SUBCASE("plain HTTP to the HTTPS port gets no answer") {
    testing::RawConnection raw(f.server->port());
    REQUIRE(raw.connected());
    CHECK(raw.Exchange("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").status == 0);
  }
}

TEST_CASE("HTTPS options: both files or neither, and Start names a file it cannot load") {
  ServerOptions options;
  options.tls_cert_file = "/nonexistent/node.crt";
  Status status = options.Validate();
  REQUIRE(status.IsInvalidArgument());
  CHECK(status.field_errors()[0].pointer == "/tls_key_file");
  options.tls_key_file = "/nonexistent/node.key";
  REQUIRE(options.Validate().ok());
  FakeBackend backend;
  auto server = HttpServer::Create(&backend, options);
  REQUIRE(server.ok());
  Status started = (*server)->Start();
  CHECK(started.IsIOError());
  CHECK(started.message().find("tls_cert_file /nonexistent/node.crt") != std::string::npos);
}

}  // namespace
}  // namespace frontera::api
