// GET /tlog/checkpoint and /tlog/tile/… (docs/api.md "Transparency log
// tiles"): the tile path reaches the Backend parsed, the answers carry the
// spec's content types and the cache lifetimes of full and partial tiles,
// and malformed paths are refused before the Backend.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "api/problem.h"
#include "api/request_signature.h"
#include "api/server.h"
#include "crypto/did_key.h"
#include "crypto/ed25519.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;
using testing::RawAnswer;
using testing::RawConnection;

struct TileServer {
  TileServer() {
    auto created = HttpServer::Create(&backend, ServerOptions{});
    REQUIRE(created.ok());
    server = std::move(created).value();
    REQUIRE(server->Start().ok());
  }
  RawAnswer Send(const std::string& method, const std::string& target,
                 const std::map<std::string, std::string>& headers = {}) {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    RawConnection connection(server->port());
    REQUIRE(connection.connected());
    return connection.Exchange(request + "\r\n");
  }
  FakeBackend backend;
  std::unique_ptr<HttpServer> server;
};

TEST_CASE("/tlog/checkpoint is the checkpoint note, text/plain, not cached") {
  TileServer s;
  const std::string note = "frontera.example/north-america-1\n3\nAAAA\n\n— us-cbp abcd\n";
  s.backend.SetCheckpoint(note);
  RawAnswer answer = s.Send("GET", "/tlog/checkpoint");
  CHECK(answer.status == 200);
  CHECK(answer.body == note);
  CHECK(answer.header("content-type") == "text/plain; charset=utf-8");
  CHECK(answer.header("cache-control") == "no-cache");
  CHECK(s.backend.calls().back().method == "GetCheckpoint");
  // No checkpoint yet: the problem, without a cache lifetime.
  s.backend.SetCheckpoint(Status::Unavailable("no checkpoint yet"));
  answer = s.Send("GET", "/tlog/checkpoint");
  CHECK(answer.status == 503);
  CHECK(answer.header("cache-control").empty());
}

TEST_CASE("tiles and bundles: the parsed path reaches the Backend; full ones are immutable") {
  TileServer s;
  const std::string bytes(32 * 8, '\x07');
  s.backend.SetTlogTile(bytes);
  struct Case {
    std::string target;
    std::string backend_path;
    std::string cache_control;
  };
  for (const Case& c : {
           Case{"/tlog/tile/0/x001/x234/067", "tile/0/x001/x234/067",
                "public, max-age=31536000, immutable"},
           Case{"/tlog/tile/3/x001/x234/067.p/8", "tile/3/x001/x234/067.p/8", "public, max-age=60"},
           Case{"/tlog/tile/entries/000", "tile/entries/000",
                "private, max-age=31536000, immutable"},
           Case{"/tlog/tile/entries/x001/000.p/255", "tile/entries/x001/000.p/255",
                "private, max-age=60"},
           // Percent-encoded digits name the same resource (RFC 3986 §6.2.2.2).
           Case{"/tlog/tile/1/%30%30%30.p/1", "tile/1/000.p/1", "public, max-age=60"},
       }) {
    CAPTURE(c.target);
    RawAnswer answer = s.Send("GET", c.target);
    CHECK(answer.status == 200);
    CHECK(answer.body == bytes);
    CHECK(answer.header("content-type") == "application/octet-stream");
    CHECK(answer.header("cache-control") == c.cache_control);
    REQUIRE_FALSE(s.backend.calls().empty());
    CHECK(s.backend.calls().back().method == "GetTlogTile");
    CHECK(s.backend.calls().back().id == c.backend_path);
    RawAnswer head = s.Send("HEAD", c.target);
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.header("cache-control") == c.cache_control);
  }
}

TEST_CASE("a bundle read goes to the Backend with its signed reader") {
  TileServer s;
  s.backend.SetTlogTile(std::string("\x00\x01x", 3));
  crypto::InitCrypto();
  crypto::Seed seed{};
  seed.fill(0x42);
  const crypto::KeyPair key = crypto::KeyPair::FromSeed(seed);
  const std::string target = "/tlog/tile/entries/000.p/1";
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  RawAnswer answer =
      s.Send("GET", target, SignRequest(key, "GET", target, "", now_s, RandomNonce()));
  CHECK(answer.status == 200);
  CHECK(s.backend.calls().back().reader == crypto::DidKeyFromPublicKey(key.public_key()));
  // The Backend decides who may read bundles (node: agencies only).
  s.backend.SetTlogTile(Status::PermissionDenied("entry bundles are served to agencies only"));
  answer = s.Send("GET", target);
  CHECK(answer.status == 403);
  CHECK(s.backend.calls().back().reader.empty());
}

TEST_CASE("malformed tile paths are 400 at /path/tile_path; tiles the tree lacks are 404") {
  TileServer s;
  s.backend.SetTlogTile(std::string(32, 'h'));
  for (const char* target :
       {"/tlog/tile/0/1234067", "/tlog/tile/0/000.p/256", "/tlog/tile/0/000.p/0",
        "/tlog/tile/00/000", "/tlog/tile/64/000", "/tlog/tile/0/x000/001", "/tlog/tile/0/000/",
        "/tlog/tile/entries/1", "/tlog/tile/0/%zz0"}) {
    CAPTURE(target);
    RawAnswer answer = s.Send("GET", target);
    CHECK(answer.status == 400);
    CHECK(answer.header("content-type") == "application/problem+json");
    Json problem = Json::parse(answer.body);
    CHECK(problem["type"] == ProblemTypeUri(ProblemType::kInvalidParameter));
    CHECK(problem["errors"][0]["pointer"] == "/path/tile_path");
    CHECK(answer.header("cache-control").empty());
  }
  for (const auto& call : s.backend.calls()) CHECK(call.method != "GetTlogTile");
  // No path at all below /tlog/tile/: no such resource.
  CHECK(s.Send("GET", "/tlog/tile/").status == 404);
  CHECK(s.Send("POST", "/tlog/tile/0/000").status == 405);

  s.backend.SetTlogTile(Status::NotFound("tile/0/000.p/9 is not in the tree (8 leaves)"));
  RawAnswer answer = s.Send("GET", "/tlog/tile/0/000.p/9");
  CHECK(answer.status == 404);
  CHECK(answer.header("content-type") == "application/problem+json");
  CHECK(answer.header("cache-control").empty());
}

}  // namespace
}  // namespace frontera::api
