// The Merkle log as C2SP tlog-tiles on a running validator: the checkpoint at
// /tlog/checkpoint, every tile and entry bundle of its tree fetched over HTTP
// and checked against an independent RFC 6962 computation over the entries
// (tests/ledger/tlog_tiles_check.py), inclusion proofs built from the tiles
// alone verifying against the co-signed root, and bundles for agencies only.
#include "ledger/tlog_tiles.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

void WriteFile(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// The tree size on the checkpoint note's second line.
uint64_t NoteTreeSize(const std::string& note) {
  const size_t first = note.find('\n');
  REQUIRE(first != std::string::npos);
  return std::stoull(note.substr(first + 1, note.find('\n', first + 1) - first - 1));
}

TEST_CASE("a validator serves its log as tlog tiles that an independent client verifies") {
  TestNetwork net;
  NodeProcess node(net.config_path(), net.dir() + "/port");
  auto client = node.Client();
  for (const char* fixture : {"pharma-credential.json", "precursor-credential.json"}) {
    auto answer =
        client->PostRaw("/v1/certificates", FixtureJson(fixture).dump(), "application/json");
    REQUIRE(answer.ok());
    REQUIRE_MESSAGE(answer->status == 201, answer->body);
  }
  auto event =
      client->PostRaw("/v1/certificates/urn%3Auuid%3A0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70/events",
                      FixtureJson("shipping-event.json").dump(), "application/json");
  REQUIRE(event.ok());
  REQUIRE_MESSAGE(event->status == 201, event->body);

  // The co-signed checkpoint catches up with the writes shortly after.
  std::string note;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (true) {
    auto answer = client->GetRaw("/tlog/checkpoint");
    REQUIRE(answer.ok());
    if (answer->status == 200 && NoteTreeSize(answer->body) >= 3) {
      note = answer->body;
      CHECK(answer->content_type == "text/plain; charset=utf-8");
      break;
    }
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "no checkpoint of 3 leaves");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(client->GetRaw("/v1/checkpoint")->body == note);
  const uint64_t size = NoteTreeSize(note);

  // Bundles hold the documents: not for the public, nor for a party that is
  // not an agency.
  const std::string bundle_path =
      "/tlog/" + ledger::TilePath({true, 0, 0, ledger::TileWidthAt(0, 0, size)});
  CHECK(client->GetRaw(bundle_path)->status == 403);
  auto manufacturer = node.Client();
  manufacturer->SetSigningKey(ExampleParties().at("mx-manufacturer").key);
  CHECK(manufacturer->GetRaw(bundle_path)->status == 403);

  // Everything the tree of the checkpoint has, as an agency fetches it.
  auto agency = node.Client();
  agency->SetSigningKey(ExampleParties().at("us-cbp").key);
  TempDir mirror("tlog-mirror");
  WriteFile(mirror.path() + "/checkpoint", note);
  for (int level = 0; ledger::TileWidthAt(level, 0, size) > 0; ++level) {
    for (uint64_t n = 0; ledger::TileWidthAt(level, n, size) > 0; ++n) {
      for (bool entries : {false, true}) {
        if (entries && level > 0) continue;
        const std::string path =
            ledger::TilePath({entries, level, n, ledger::TileWidthAt(level, n, size)});
        auto answer = agency->GetRaw("/tlog/" + path);
        REQUIRE(answer.ok());
        CAPTURE(path);
        REQUIRE_MESSAGE(answer->status == 200, answer->body);
        CHECK(answer->content_type == "application/octet-stream");
        WriteFile(mirror.path() + "/" + path, answer->body);
      }
    }
  }
  std::string output;
  const int code = RunCommand(
      {"/usr/bin/python3", std::string(FRONTERA_SOURCE_DIR) + "/tests/ledger/tlog_tiles_check.py",
       mirror.path()},
      &output);
  CHECK_MESSAGE(code == 0, output);
  CHECK(output.find(std::to_string(size) + " leaves") != std::string::npos);
  CHECK(output.find("from tiles verify") != std::string::npos);

  // What the tree does not have yet is 404; a malformed path 400.
  const uint32_t width = ledger::TileWidthAt(0, 0, size);
  CHECK(client->GetRaw("/tlog/" + ledger::TilePath({false, 0, 0, width + 1}))->status == 404);
  CHECK(client->GetRaw("/tlog/tile/0/000")->status == 404);
  CHECK(client->GetRaw("/tlog/tile/1/000.p/1")->status == 404);
  CHECK(agency->GetRaw("/tlog/tile/entries/001.p/1")->status == 404);
  CHECK(client->GetRaw("/tlog/tile/0/0")->status == 400);
  // A narrower partial tile (an older checkpoint's) is still served.
  auto older = client->GetRaw("/tlog/" + ledger::TilePath({false, 0, 0, 1}));
  REQUIRE(older.ok());
  CHECK(older->status == 200);
  CHECK(older->body.size() == 32);

  // The answers against api/openapi.json (tests/api/check_answers.py): media
  // types of the tiles, schemas of the checkpoint and of the problems.
  Json answers = Json::array();
  auto record = [&](const std::string& operation_id, api::Client& from, const std::string& path,
                    int expected_status) {
    auto answer = from.GetRaw(path);
    REQUIRE(answer.ok());
    CHECK_MESSAGE(answer->status == expected_status, path << ": " << answer->body);
    const bool binary = answer->content_type == "application/octet-stream";
    answers.push_back({{"operationId", operation_id},
                       {"status", answer->status},
                       {"content_type", answer->content_type},
                       {"body", binary ? "" : answer->body}});
  };
  record("getTlogCheckpoint", *client, "/tlog/checkpoint", 200);
  record("getTlogTile", *client, "/tlog/" + ledger::TilePath({false, 0, 0, width}), 200);
  record("getTlogTile", *agency, bundle_path, 200);
  record("getTlogTile", *client, bundle_path, 403);
  record("getTlogTile", *client, "/tlog/tile/0/000", 404);
  record("getTlogTile", *client, "/tlog/tile/0/x000/000", 400);
  const std::string answers_path = mirror.path() + "/answers.json";
  std::ofstream(answers_path) << answers.dump();
  const int checked = RunCommand(
      {"/usr/bin/python3", std::string(FRONTERA_SOURCE_DIR) + "/tests/api/check_answers.py",
       std::string(FRONTERA_SOURCE_DIR) + "/api/openapi.json", answers_path},
      &output);
  CHECK_MESSAGE(checked == 0, output);
  CHECK(output.find("6 answers match the document") != std::string::npos);

  // The agency's bundle reads are in this validator's audit trail.
  auto audit =
      agency->GetJson("/v1/audit?record=tile%2Fentries%2F000.p%2F" + std::to_string(width));
  REQUIRE_MESSAGE(audit.ok(), audit.status().ToString());
  // Read twice (the mirror, the contract check); the refused reads are not.
  REQUIRE((*audit)["entries"].size() == 2);
  for (const Json& entry : (*audit)["entries"]) {
    CHECK(entry["what"] == "entries");
    CHECK(entry["reader"] == ExampleParties().at("us-cbp").did);
  }
}

}  // namespace
}  // namespace frontera::e2e
