// `frontera status` (docs/cli.md#status): the cluster as the validators'
// /v1/status answers describe it, as a table and as JSON. Lag and last
// contact come from the leader's view of each follower.
#include "tools/cluster_status.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace frontera::tools {
namespace {

using Json = nlohmann::json;

// A /v1/status answer shaped as node/validator_status.cc writes it.
Json StatusOf(const std::string& node, const std::string& role, uint64_t term, uint64_t commit,
              uint64_t applied, Json peers = Json::array()) {
  return {{"node", node},
          {"role", role},
          {"network", "frontera.test/status"},
          {"raft",
           {{"id", 1},
            {"term", term},
            {"leader", role == "leader" ? Json(node) : Json(nullptr)},
            {"commit_index", commit},
            {"applied_index", applied},
            {"lag", commit - applied},
            {"peers", std::move(peers)}}},
          {"ledger", {{"block_height", applied}}}};
}

ValidatorStatus Reachable(const std::string& name, const std::string& port, Json status) {
  return {name, "http://127.0.0.1:" + port, "http://ops.test:" + port, true, "", std::move(status)};
}

ValidatorStatus Unreachable(const std::string& name, const std::string& port,
                            const std::string& error) {
  return {name, "http://127.0.0.1:" + port, "http://ops.test:" + port, false, error, Json()};
}

// us-cbp leads; mx-anam follows (its own commit - applied is 1, but the
// leader sees it 3 entries behind); ca-cbsa does not answer.
std::vector<ValidatorStatus> ThreeNodes() {
  Json leader_peers = Json::array({{{"name", "mx-anam"},
                                    {"id", 2},
                                    {"connected", true},
                                    {"last_contact_ms", 12},
                                    {"match_index", 117},
                                    {"lag", 3}},
                                   {{"name", "ca-cbsa"},
                                    {"id", 3},
                                    {"connected", false},
                                    {"last_contact_ms", 8000},
                                    {"match_index", 75},
                                    {"lag", 45}}});
  return {Reachable("us-cbp", "7001", StatusOf("us-cbp", "leader", 7, 120, 120, leader_peers)),
          Reachable("mx-anam", "7002", StatusOf("mx-anam", "follower", 7, 118, 117)),
          Unreachable("ca-cbsa", "7003", "connection refused")};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    REQUIRE(end != std::string::npos);  // every line ends in "\n"
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

TEST_CASE("the status table: header, one aligned row per validator, the unreachable one's error") {
  const std::string table = RenderClusterStatus(ThreeNodes());
  CHECK(
      Lines(table) ==
      std::vector<std::string>{
          "VALIDATOR  ROLE         TERM  COMMIT  APPLIED  LAG  LAST CONTACT  API",
          "us-cbp     leader       7     120     120      0    (leader)      http://127.0.0.1:7001",
          "mx-anam    follower     7     118     117      3    12 ms ago     http://127.0.0.1:7002",
          "ca-cbsa    unreachable  -     -       -        -    -             http://127.0.0.1:7003",
          "ca-cbsa: connection refused",
      });
  CHECK(table.find("no validator answered as leader") == std::string::npos);
}

TEST_CASE("lag and last contact come from the leader's view, whatever the order") {
  std::vector<ValidatorStatus> nodes = ThreeNodes();
  // The leader listed last: the follower's row still uses its view.
  std::swap(nodes.front(), nodes.back());
  const std::vector<std::string> lines = Lines(RenderClusterStatus(nodes));
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].rfind("VALIDATOR", 0) == 0);
  CHECK(lines[1].rfind("ca-cbsa    unreachable", 0) == 0);
  CHECK(lines[2].find("  3    12 ms ago") != std::string::npos);
  CHECK(lines[3].find("(leader)") != std::string::npos);
  CHECK(lines[4] == "ca-cbsa: connection refused");
}

TEST_CASE("a follower the leader never heard from, or does not list") {
  Json leader_peers = Json::array({{{"name", "mx-anam"}, {"last_contact_ms", nullptr}}});
  std::vector<ValidatorStatus> nodes = {
      Reachable("us-cbp", "7001", StatusOf("us-cbp", "leader", 2, 10, 10, leader_peers)),
      Reachable("mx-anam", "7002", StatusOf("mx-anam", "follower", 2, 10, 8)),
      Reachable("ca-cbsa", "7003", StatusOf("ca-cbsa", "follower", 2, 9, 4))};
  const std::vector<std::string> lines = Lines(RenderClusterStatus(nodes));
  REQUIRE(lines.size() == 4);
  // No lag in the leader's view: the follower's own commit - applied.
  CHECK(lines[2] ==
        "mx-anam    follower  2     10      8        2    never         "
        "http://127.0.0.1:7002");
  CHECK(lines[3] ==
        "ca-cbsa    follower  2     9       4        5    -             "
        "http://127.0.0.1:7003");
}

TEST_CASE("with no leader the table says so and lag is each node's own") {
  std::vector<ValidatorStatus> nodes = {
      Reachable("us-cbp", "7001", StatusOf("us-cbp", "candidate", 9, 50, 47)),
      Reachable("mx-anam", "7002", StatusOf("mx-anam", "follower", 8, 50, 50)),
      Unreachable("ca-cbsa", "7003", "timed out after 2000 ms")};
  const std::string table = RenderClusterStatus(nodes);
  CHECK(
      Lines(table) ==
      std::vector<std::string>{
          "VALIDATOR  ROLE         TERM  COMMIT  APPLIED  LAG  LAST CONTACT  API",
          "us-cbp     candidate    9     50      47       3    -             http://127.0.0.1:7001",
          "mx-anam    follower     8     50      50       0    -             http://127.0.0.1:7002",
          "ca-cbsa    unreachable  -     -       -        -    -             http://127.0.0.1:7003",
          "ca-cbsa: timed out after 2000 ms",
          "no validator answered as leader",
      });
}

TEST_CASE("when no validator answers at all") {
  std::vector<ValidatorStatus> nodes = {Unreachable("us-cbp", "7001", "connection refused")};
  const std::vector<std::string> lines = Lines(RenderClusterStatus(nodes));
  CHECK(lines == std::vector<std::string>{
                     "VALIDATOR  ROLE         TERM  COMMIT  APPLIED  LAG  LAST CONTACT  API",
                     "us-cbp     unreachable  -     -       -        -    -             "
                     "http://127.0.0.1:7001",
                     "us-cbp: connection refused",
                     "no validator answered as leader",
                 });
  Json j = ClusterStatusJson(nodes);
  CHECK(j["leader"].is_null());
  REQUIRE(j["validators"].size() == 1);
  CHECK(j["validators"][0]["reachable"] == false);
}

TEST_CASE("the status JSON carries the same facts") {
  const Json j = ClusterStatusJson(ThreeNodes());
  CHECK(j["leader"] == "us-cbp");
  REQUIRE(j["validators"].is_array());
  REQUIRE(j["validators"].size() == 3);

  const Json& us = j["validators"][0];
  CHECK(us == Json{{"name", "us-cbp"},
                   {"api", "http://127.0.0.1:7001"},
                   {"ops", "http://ops.test:7001"},
                   {"asked", true},
                   {"reachable", true},
                   {"role", "leader"},
                   {"term", 7},
                   {"commit_index", 120},
                   {"applied_index", 120},
                   {"lag", 0},
                   {"last_contact_ms", nullptr}});

  const Json& mx = j["validators"][1];
  CHECK(mx == Json{{"name", "mx-anam"},
                   {"api", "http://127.0.0.1:7002"},
                   {"ops", "http://ops.test:7002"},
                   {"asked", true},
                   {"reachable", true},
                   {"role", "follower"},
                   {"term", 7},
                   {"commit_index", 118},
                   {"applied_index", 117},
                   {"lag", 3},
                   {"last_contact_ms", 12}});

  const Json& ca = j["validators"][2];
  CHECK(ca == Json{{"name", "ca-cbsa"},
                   {"api", "http://127.0.0.1:7003"},
                   {"ops", "http://ops.test:7003"},
                   {"asked", true},
                   {"reachable", false},
                   {"error", "connection refused"}});
}

TEST_CASE("a validator not asked shows what the leader says of it, and no error") {
  std::vector<ValidatorStatus> nodes = ThreeNodes();
  nodes[1].ops.clear();  // mx-anam: no operational listener given
  nodes[1].reachable = false;
  nodes[1].status = Json();
  const std::string table = RenderClusterStatus(nodes);
  const std::vector<std::string> lines = Lines(table);
  REQUIRE(lines.size() >= 3);
  CHECK(lines[2].find("mx-anam") == 0);
  CHECK(lines[2].find("not asked") != std::string::npos);
  CHECK(lines[2].find("12 ms ago") != std::string::npos);
  CHECK(
      table.find("not asked (no operational listener given with --ops or --ops-dir): mx-anam\n") !=
      std::string::npos);
  CHECK(table.find("mx-anam: ") == std::string::npos);
  const Json j = ClusterStatusJson(nodes);
  const Json& mx = j["validators"][1];
  CHECK(mx["asked"] == false);
  CHECK(mx["ops"].is_null());
  CHECK(mx["role"] == "not asked");
  CHECK(mx["lag"] == 3);
  CHECK(mx["last_contact_ms"] == 12);
  CHECK_FALSE(mx.contains("error"));
}

TEST_CASE("the status JSON without a leader") {
  std::vector<ValidatorStatus> nodes = {
      Reachable("us-cbp", "7001", StatusOf("us-cbp", "follower", 3, 20, 18)),
      Unreachable("mx-anam", "7002", "connection refused")};
  const Json j = ClusterStatusJson(nodes);
  CHECK(j["leader"].is_null());
  const Json& us = j["validators"][0];
  CHECK(us["role"] == "follower");
  CHECK(us["lag"] == 2);
  CHECK(us["last_contact_ms"].is_null());
  CHECK(j["validators"][1]["error"] == "connection refused");
}

}  // namespace
}  // namespace frontera::tools
