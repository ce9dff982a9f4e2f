// Validator configuration: values are read, paths resolved, and every bad
// value is refused with the key's name and the file.
#include "node/config.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/temp_dir.h"

namespace frontera::node {
namespace {

const char* kMinimal = R"(
[node]
name = "us-cbp"
data_dir = "data"
key_file = "keys/us-cbp.key"
genesis_file = "/etc/frontera/genesis.json"
)";

TEST_CASE("a minimal config takes the defaults and resolves relative paths") {
  auto c = ParseConfig(kMinimal, "node.toml", "/srv/frontera");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->name == "us-cbp");
  CHECK(c->data_dir == "/srv/frontera/data");
  CHECK(c->key_file == "/srv/frontera/keys/us-cbp.key");
  CHECK(c->genesis_file == "/etc/frontera/genesis.json");
  CHECK(c->api.port == 7001);
  CHECK(c->proposer.batch_documents_max == 2048);
}

TEST_CASE("a config file is read only when it is a small regular file") {
  testing::TempDir dir("config-file");
  const std::string big = dir.Sub("big.toml");
  {
    std::ofstream out(big);
    out << "# " << std::string(kConfigFileBytesMax, 'x') << "\n";
  }
  Result<NodeConfig> too_long = LoadConfigFile(big);
  CHECK(too_long.status().IsResourceExhausted());
  CHECK(too_long.status().message().find("longer than 1048576 bytes") != std::string::npos);
  Result<NodeConfig> device = LoadConfigFile("/dev/zero");
  CHECK(device.status().message().find("/dev/zero: not a regular file") != std::string::npos);
  CHECK(LoadConfigFile(dir.Sub("absent.toml")).status().IsNotFound());
}

TEST_CASE("limits are read from their sections") {
  std::string text = std::string(kMinimal) +
                     "[api]\nport = 0\nthreads = 16\n[proposer]\nbatch_documents_max = 10\n"
                     "queue_depth_max = 99\n[ledger]\nevents_per_certificate_max = 5\n";
  auto c = ParseConfig(text, "node.toml", "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->api.port == 0);
  CHECK(c->api.threads == 16);
  CHECK(c->proposer.batch_documents_max == 10);
  CHECK(c->proposer.queue_depth_max == 99);
  CHECK(c->ledger.events_per_certificate_max == 5);
}

TEST_CASE("the item filter interval is read from [ledger] and checked") {
  auto c = ParseConfig(std::string(kMinimal), "node.toml", "/");
  REQUIRE(c.ok());
  CHECK(c->item_filter.interval_s == 60);
  c = ParseConfig(std::string(kMinimal) + "[ledger]\nitem_filter_interval_s = 5\n", "node.toml",
                  "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->item_filter.interval_s == 5);
  // 0: every block.
  c = ParseConfig(std::string(kMinimal) + "[ledger]\nitem_filter_interval_s = 0\n", "node.toml",
                  "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->item_filter.interval_s == 0);
  for (const char* bad : {"-1", "86401"}) {
    auto refused =
        ParseConfig(std::string(kMinimal) + "[ledger]\nitem_filter_interval_s = " + bad + "\n",
                    "node.toml", "/");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("ledger.item_filter_interval_s") != std::string::npos);
  }
}

TEST_CASE("the API is HTTPS, or plain HTTP on loopback by an explicit setting") {
  auto parse = [](const std::string& api) {
    return ParseConfig(std::string(kMinimal) + "[api]\n" + api, "node.toml", "/srv/frontera");
  };
  // HTTPS: both files, resolved against the config's directory.
  auto tls = parse(
      "host = \"0.0.0.0\"\ntls_cert_file = \"tls/node.crt\"\n"
      "tls_key_file = \"/etc/frontera/node.key\"\n");
  REQUIRE_MESSAGE(tls.ok(), tls.status().ToString());
  CHECK(tls->api.tls_cert_file == "/srv/frontera/tls/node.crt");
  CHECK(tls->api.tls_key_file == "/etc/frontera/node.key");
  CHECK(CheckApiTransport(tls->api).ok());
  // Neither file and no permission: refused, saying what to set.
  auto plain = parse("host = \"127.0.0.1\"\n");
  REQUIRE(plain.ok());
  Status refused = CheckApiTransport(plain->api);
  CHECK(refused.IsInvalidArgument());
  CHECK(refused.message().find("set api.tls_cert_file and api.tls_key_file") != std::string::npos);
  // Allowed on loopback addresses only.
  for (const char* host : {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) {
    auto allowed = parse("host = \"" + std::string(host) + "\"\nallow_plain_http = true\n");
    REQUIRE(allowed.ok());
    CHECK_MESSAGE(CheckApiTransport(allowed->api).ok(), host);
  }
  for (const char* host : {"0.0.0.0", "10.0.0.2", "::", "example.org"}) {
    auto public_host = parse("host = \"" + std::string(host) + "\"\nallow_plain_http = true\n");
    REQUIRE(public_host.ok());
    Status status = CheckApiTransport(public_host->api);
    CHECK_MESSAGE(
        status.message().find("only when api.host is a loopback address") != std::string::npos,
        host);
  }
  // One file without the other; a flag that is not a boolean.
  auto half = parse("tls_cert_file = \"node.crt\"\n");
  REQUIRE(half.ok());
  CHECK(CheckApiTransport(half->api).message().find("set together") != std::string::npos);
  auto bad = parse("allow_plain_http = \"yes\"\n");
  CHECK(bad.status().message().find("api.allow_plain_http must be true or false") !=
        std::string::npos);
}

TEST_CASE("the operational listener binds loopback on a free port by default, else as [ops] says") {
  auto defaults = ParseConfig(kMinimal, "node.toml", "/srv/frontera");
  REQUIRE_MESSAGE(defaults.ok(), defaults.status().ToString());
  CHECK(defaults->ops.host == "127.0.0.1");
  CHECK(defaults->ops.port == 0);
  CHECK(defaults->ops.threads == 2);
  CHECK(defaults->ops.connections_max == 64);
  CHECK(defaults->ops.disk_free_alert_bytes == int64_t{10} << 30);

  auto set = ParseConfig(std::string(kMinimal) +
                             "[ops]\nhost = \"::1\"\nport = 7201\nthreads = 4\n"
                             "connections_max = 8\ndisk_free_alert_bytes = 0\n",
                         "node.toml", "/srv/frontera");
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  CHECK(set->ops.host == "::1");
  CHECK(set->ops.port == 7201);
  CHECK(set->ops.threads == 4);
  CHECK(set->ops.connections_max == 8);
  CHECK(set->ops.disk_free_alert_bytes == 0);

  // Off loopback the listener serves HTTPS with [api]'s certificate.
  const std::string tls = "[api]\ntls_cert_file = \"node.crt\"\ntls_key_file = \"node.key\"\n";
  auto remote = ParseConfig(std::string(kMinimal) + tls + "[ops]\nhost = \"10.0.0.5\"\n",
                            "node.toml", "/srv/frontera");
  CHECK_MESSAGE(remote.ok(), remote.status().ToString());
  auto remote_plain = ParseConfig(std::string(kMinimal) + "[ops]\nhost = \"0.0.0.0\"\n",
                                  "node.toml", "/srv/frontera");
  REQUIRE_FALSE(remote_plain.ok());
  CHECK(remote_plain.status().message().find("ops.host \"0.0.0.0\" is not a loopback address") !=
        std::string::npos);
  CHECK(remote_plain.status().message().find("api.tls_cert_file") != std::string::npos);

  CHECK(IsLoopbackHost("127.0.0.1"));
  CHECK(IsLoopbackHost("127.8.9.10"));
  CHECK(IsLoopbackHost("::1"));
  CHECK(IsLoopbackHost("[::1]"));
  CHECK(IsLoopbackHost("localhost"));
  CHECK_FALSE(IsLoopbackHost("0.0.0.0"));
  CHECK_FALSE(IsLoopbackHost("::"));
  CHECK_FALSE(IsLoopbackHost("ops.example"));
}

TEST_CASE("the API's abuse limits are read from [api]") {
  std::string text = std::string(kMinimal) +
                     "[api]\nrequest_timeout_s = 7\nheader_bytes_max = 4096\n"
                     "connections_max = 500\nconnections_per_address_max = 20\n"
                     "requests_pending_max = 300\nrate_per_address_per_s = 50\n"
                     "rate_burst_per_address = 70\nrate_addresses_max = 9000\n";
  auto c = ParseConfig(text, "node.toml", "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->api.request_timeout_s == 7);
  CHECK(c->api.header_bytes_max == 4096);
  CHECK(c->api.connections_max == 500);
  CHECK(c->api.connections_per_address_max == 20);
  CHECK(c->api.requests_pending_max == 300);
  CHECK(c->api.rate_per_address_per_s == 50);
  CHECK(c->api.rate_burst_per_address == 70);
  CHECK(c->api.rate_addresses_max == 9000);
}

TEST_CASE("the log level is read from [log] and is info by default") {
  auto defaults = ParseConfig(kMinimal, "node.toml", "/");
  REQUIRE(defaults.ok());
  CHECK(defaults->log.level == "info");
  auto quiet =
      ParseConfig(std::string(kMinimal) + "[log]\nlevel = \"warning\"\n", "node.toml", "/");
  REQUIRE_MESSAGE(quiet.ok(), quiet.status().ToString());
  CHECK(quiet->log.level == "warning");
}

TEST_CASE("[backup] keeps 3 under the data directory by default, else as it says") {
  auto defaults = ParseConfig(kMinimal, "node.toml", "/");
  REQUIRE(defaults.ok());
  CHECK(defaults->backup.dir.empty());
  CHECK(defaults->backup.keep_max == 3);
  auto set = ParseConfig(std::string(kMinimal) + "[backup]\ndir = \"bk\"\nkeep_max = 7\n",
                         "node.toml", "/etc/frontera");
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  CHECK(set->backup.dir == "/etc/frontera/bk");
  CHECK(set->backup.keep_max == 7);
}

TEST_CASE("bad values name the key, the range and the file") {
  struct Case {
    std::string extra;
    std::string expected;
  };
  const Case cases[] = {
      {"[api]\nport = 70000\n", "api.port must be in [0, 65535]"},
      {"[api]\nport = 4294974297\n", "api.port is too large"},
      {"[api]\nport = -1\n", "api.port must not be negative"},
      {"[api]\nthreads = 1\n", "api.threads must be in [2, 4096]"},
      {"[api]\nkeep_alive_timeout_s = 0\n", "api.keep_alive_timeout_s must be in [1, 3600]"},
      {"[api]\nrequest_timeout_s = 0\n", "api.request_timeout_s must be in [1, 3600]"},
      {"[api]\nheader_bytes_max = 100\n", "api.header_bytes_max must be in [1024, 1048576]"},
      {"[api]\nconnections_max = 0\n", "api.connections_max must be in [1, 1000000]"},
      {"[api]\nconnections_max = 10\nconnections_per_address_max = 11\n",
       "api.connections_per_address_max must be in [1, 10], got 11"},
      {"[api]\nrequests_pending_max = 0\n", "api.requests_pending_max must be in [1, 1000000]"},
      {"[api]\nrate_per_address_per_s = 0\n", "api.rate_per_address_per_s must be in [1, 1000000]"},
      {"[api]\nrate_burst_per_address = 0\n", "api.rate_burst_per_address must be in [1, 1000000]"},
      {"[api]\nrate_addresses_max = 0\n", "api.rate_addresses_max must be in [1, 10000000]"},
      {"[api]\nport = \"7001\"\n", "api.port must be an integer"},
      {"[ops]\nhost = \"\"\n", "ops.host must name an address to bind"},
      {"[ops]\nport = 65536\n", "ops.port must be in [0, 65535], got 65536"},
      {"[ops]\nport = -5\n", "ops.port must not be negative"},
      {"[ops]\ndisk_free_alert_bytes = 1152921504606846977\n",
       "ops.disk_free_alert_bytes must be in [0, 1152921504606846976]"},
      {"[ops]\nport = \"7201\"\n", "ops.port must be an integer"},
      {"[ops]\nport = 7001\n", "ops.port must differ from api.port (7001)"},
      {"[ops]\nthreads = 0\n", "ops.threads must be in [1, 64]"},
      {"[ops]\nthreads = 65\n", "ops.threads must be in [1, 64]"},
      {"[ops]\nconnections_max = 0\n", "ops.connections_max must be in [1, 4096]"},
      {"[ops]\nprot = 7201\n", "unknown key ops.prot"},
      {"[ops]\nhost = 127\n", "ops.host must be a string"},
      {"[proposer]\nbatch_documents_max = 0\n", "proposer.batch_documents_max"},
      {"[proposer]\ncommit_timeout_ms = 5\n", "proposer.commit_timeout_ms"},
      {"[ledger]\nevents_per_certificate_max = 0\n", "ledger.events_per_certificate_max"},
      {"[nodes]\nname = \"x\"\n", "unknown section [nodes]"},
      {"[backup]\nkeep_max = 0\n", "backup.keep_max must be in [1, 1000]"},
      {"[backup]\nkeep_max = 1001\n", "backup.keep_max must be in [1, 1000]"},
      {"[backup]\ndir = 5\n", "backup.dir must be a string"},
      {"[log]\nlevel = \"verbose\"\n",
       "log.level \"verbose\" is not one of debug, info, warning, error"},
      {"[log]\nlevel = 3\n", "log.level must be a string"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.extra);
    auto parsed = ParseConfig(std::string(kMinimal) + c.extra, "node.toml", "/");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
    CHECK(parsed.status().message().find(c.expected) != std::string::npos);
    CHECK(parsed.status().message().find("node.toml") != std::string::npos);
  }
}

TEST_CASE("a misspelt key is refused, naming it and the file") {
  for (const char* extra :
       {"[raft]\ntick_msec = 50\n", "[api]\nprot = 7001\n", "[proposer]\nbatch_docs_max = 3\n"}) {
    auto parsed = ParseConfig(std::string(kMinimal) + extra, "node.toml", "/");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find("unknown key") != std::string::npos);
    CHECK(parsed.status().ToString().find("node.toml") != std::string::npos);
  }
  // [peers] keys are validator names, not config keys.
  auto peers = ParseConfig(std::string(kMinimal) + "[peers]\nmx-anam = \"127.0.0.1:7102\"\n",
                           "node.toml", "/");
  REQUIRE(peers.ok());
  CHECK(peers->raft.peer_addresses.at("mx-anam") == "127.0.0.1:7102");
}

TEST_CASE("a TOML syntax error cites the line") {
  auto parsed = ParseConfig("[node]\nname = \n", "node.toml", "/");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("node.toml:2") != std::string::npos);
}

TEST_CASE("required keys are required") {
  auto parsed = ParseConfig("[node]\nname = \"us-cbp\"\n", "node.toml", "/");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("node.data_dir is required") != std::string::npos);
}

TEST_CASE("the [raft] section and the new proposer keys are read") {
  std::string text = std::string(kMinimal) +
                     "[raft]\n"
                     "listen = \"0.0.0.0:7101\"\n"
                     "tick_ms = 50\n"
                     "election_ticks = 20\n"
                     "heartbeat_ticks = 3\n"
                     "max_inflight_appends = 32\n"
                     "max_entries_per_append = 4\n"
                     "max_uncommitted_entries = 4096\n"
                     "snapshot_interval_entries = 500\n"
                     "frame_bytes_max = 8388608\n"
                     "send_queue_frames_max = 100\n"
                     "snapshot_chunk_bytes = 65536\n"
                     "snapshot_timeout_ms = 30000\n"
                     "read_timeout_ms = 250\n"
                     "[proposer]\n"
                     "batch_bytes_max = 1048576\n"
                     "inflight_blocks_max = 8\n"
                     "forward_documents_max = 100\n"
                     "log_retain_entries = 77\n";
  auto c = ParseConfig(text, "node.toml", "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->raft.listen == "0.0.0.0:7101");
  CHECK(c->raft.tick_ms == 50);
  CHECK(c->raft.election_ticks == 20);
  CHECK(c->raft.heartbeat_ticks == 3);
  CHECK(c->raft.max_inflight_appends == 32);
  CHECK(c->raft.max_entries_per_append == 4);
  CHECK(c->raft.max_uncommitted_entries == 4096);
  CHECK(c->raft.snapshot_interval_entries == 500);
  CHECK(c->raft.frame_bytes_max == 8388608);
  CHECK(c->raft.send_queue_frames_max == 100);
  CHECK(c->raft.snapshot_chunk_bytes == 65536);
  CHECK(c->raft.snapshot_timeout_ms == 30000);
  CHECK(c->raft.read_timeout_ms == 250);
  CHECK(c->raft.peer_addresses.empty());
  CHECK(c->proposer.batch_bytes_max == 1048576);
  CHECK(c->proposer.inflight_blocks_max == 8);
  CHECK(c->proposer.forward_documents_max == 100);
  CHECK(c->proposer.log_retain_entries == 77);
}

TEST_CASE("without a [raft] section the documented defaults hold") {
  auto c = ParseConfig(kMinimal, "node.toml", "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->raft.listen.empty());
  CHECK(c->raft.tick_ms == 100);
  CHECK(c->raft.election_ticks == 10);
  CHECK(c->raft.heartbeat_ticks == 1);
  CHECK(c->raft.snapshot_interval_entries == 10000);
  CHECK(c->raft.snapshot_chunk_bytes == 1 << 20);
  CHECK(c->raft.frame_bytes_max == 64 << 20);
  CHECK(c->proposer.inflight_blocks_max == 4);
  CHECK(c->proposer.forward_documents_max == 512);
}

TEST_CASE("the [peers] table gives dial addresses by validator name") {
  std::string text = std::string(kMinimal) +
                     "[peers]\n"
                     "mx-anam = \"127.0.0.1:17102\"\n"
                     "\"ca-cbsa\" = \"proxy.example:7103\"\n";
  auto c = ParseConfig(text, "node.toml", "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->raft.peer_addresses ==
        std::map<std::string, std::string>{{"ca-cbsa", "proxy.example:7103"},
                                           {"mx-anam", "127.0.0.1:17102"}});
}

TEST_CASE("bad [raft] and [peers] values name the key and the file") {
  struct Case {
    std::string extra;
    std::string expected;
  };
  const Case cases[] = {
      {"[peers]\nmx-anam = 7102\n", "peers.mx-anam must be a string"},
      {"[peers]\nmx-anam = { host = \"x\" }\n", "peers.mx-anam must be a string"},
      {"[raft]\nlisten = 7101\n", "raft.listen must be a string"},
      {"[raft]\ntick_ms = 0\n", "raft.tick_ms must be in [1, 10000], got 0"},
      {"[raft]\ntick_ms = 10001\n", "raft.tick_ms must be in [1, 10000]"},
      {"[raft]\ntick_ms = \"100\"\n", "raft.tick_ms must be an integer"},
      {"[raft]\nelection_ticks = 1\n", "raft.election_ticks must be in [2, 1000]"},
      {"[raft]\nelection_ticks = -3\n", "raft.election_ticks must not be negative"},
      {"[raft]\nelection_ticks = 4294967296\n", "raft.election_ticks is too large"},
      {"[raft]\nheartbeat_ticks = 0\n", "raft.heartbeat_ticks must be in [1, 500]"},
      {"[raft]\nelection_ticks = 5\nheartbeat_ticks = 3\n",
       "raft.election_ticks must be at least 2 * raft.heartbeat_ticks"},
      {"[raft]\nmax_inflight_appends = 0\n", "raft.max_inflight_appends must be in [1, 1024]"},
      {"[raft]\nmax_entries_per_append = 65537\n", "raft.max_entries_per_append"},
      {"[raft]\nmax_uncommitted_entries = 0\n", "raft.max_uncommitted_entries"},
      {"[raft]\nsnapshot_interval_entries = 15\n", "raft.snapshot_interval_entries"},
      {"[raft]\nframe_bytes_max = 1048575\n", "raft.frame_bytes_max"},
      {"[raft]\nsend_queue_frames_max = 15\n", "raft.send_queue_frames_max"},
      {"[raft]\nsnapshot_chunk_bytes = 4095\n", "raft.snapshot_chunk_bytes must be in [4096"},
      {"[raft]\nsnapshot_timeout_ms = 999\n", "raft.snapshot_timeout_ms"},
      {"[raft]\nread_timeout_ms = 9\n", "raft.read_timeout_ms"},
      {"[proposer]\ninflight_blocks_max = 1025\n", "proposer.inflight_blocks_max"},
      {"[proposer]\nforward_documents_max = 0\n", "proposer.forward_documents_max"},
      {"[proposer]\nlog_retain_entries = 0\n", "proposer.log_retain_entries"},
      {"[proposer]\nlog_retain_entries = 10000\n",
       "proposer.log_retain_entries (10000) must be below raft.snapshot_interval_entries (10000)"},
      {"[raft]\nleader_stall_ms = 999\n", "raft.leader_stall_ms must be in [1000, 600000]"},
      {"[raft]\ntick_ms = 500\n", "raft.leader_stall_ms (10000) must exceed two election timeouts"},
      {"[raft]\nmax_entries_per_append = 17\n",
       "raft.max_entries_per_append * proposer.batch_bytes_max (+ 64 KiB) must fit in "
       "raft.frame_bytes_max"},
      {"[api]\nbody_bytes_max = 8388608\n[proposer]\nbatch_bytes_max = 4194304\n",
       "api.body_bytes_max must not exceed proposer.batch_bytes_max"},
      {"[raft_peers]\nmx-anam = \"127.0.0.1:7102\"\n", "unknown section [raft_peers]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.extra);
    auto parsed = ParseConfig(std::string(kMinimal) + c.extra, "node.toml", "/");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
    CHECK(parsed.status().message().find(c.expected) != std::string::npos);
    CHECK(parsed.status().message().find("node.toml") != std::string::npos);
  }
}

TEST_CASE("the election timeout may be exactly twice the heartbeat") {
  auto c = ParseConfig(std::string(kMinimal) + "[raft]\nelection_ticks = 6\nheartbeat_ticks = 3\n",
                       "node.toml", "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->raft.election_ticks == 6);
}

TEST_CASE("a snapshot chunk leaves 4 KiB of room in a peer frame") {
  // Small blocks, so that appends fit in a 1 MiB frame.
  const std::string frame =
      "[api]\nbody_bytes_max = 65536\n[proposer]\nbatch_bytes_max = 65536\n"
      "[raft]\nmax_entries_per_append = 8\nframe_bytes_max = 1048576\n";
  SUBCASE("a chunk as large as the frame is refused") {
    auto c = ParseConfig(std::string(kMinimal) + frame + "snapshot_chunk_bytes = 1048576\n",
                         "node.toml", "/");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsInvalidArgument());
    CHECK(c.status().message().find("raft.snapshot_chunk_bytes") != std::string::npos);
    CHECK(c.status().message().find("raft.frame_bytes_max") != std::string::npos);
  }
  SUBCASE("one byte too large is refused") {
    auto c = ParseConfig(std::string(kMinimal) + frame + "snapshot_chunk_bytes = 1044481\n",
                         "node.toml", "/");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("raft.snapshot_chunk_bytes") != std::string::npos);
  }
  SUBCASE("exactly 4 KiB below the frame is accepted") {
    auto c = ParseConfig(std::string(kMinimal) + frame + "snapshot_chunk_bytes = 1044480\n",
                         "node.toml", "/");
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    CHECK(c->raft.snapshot_chunk_bytes == 1044480);
  }
}

// A top-level `peers = "..."` (or `raft = 1`) passes the section check by
// name, but is not a table, so nothing reads it: the operator's setting is
// silently dropped.
TEST_CASE("a [peers] or [raft] that is not a table is refused") {
  for (const std::string& top :
       std::vector<std::string>{"peers = \"127.0.0.1:7102\"\n", "raft = 1\n"}) {
    CAPTURE(top);
    auto parsed = ParseConfig(top + kMinimal, "node.toml", "/");
    CHECK_FALSE(parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
    CHECK(parsed.status().message().find("node.toml") != std::string::npos);
  }
}

}  // namespace
}  // namespace frontera::node
