#include "node/config.h"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

#include "common/files.h"
#include "node/log.h"

namespace frontera::node {

namespace {

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

// Reads a non-negative integer key into `out` if present (ranges are checked
// by NodeConfig::Validate, with the same key names).
template <typename T>
Status ReadInt(const toml::table& root, const char* section, const char* key, T& out) {
  const toml::node* node = root.at_path(std::string(section) + "." + key).node();
  if (node == nullptr) return Status::Ok();
  auto v = node->value<int64_t>();
  std::string name = std::string(section) + "." + key;
  if (!v) return Status::InvalidArgument(name + " must be an integer");
  if (*v < 0)
    return Status::InvalidArgument(name + " must not be negative, got " + std::to_string(*v));
  if (static_cast<uint64_t>(*v) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
    return Status::InvalidArgument(name + " is too large: " + std::to_string(*v));
  }
  out = static_cast<T>(*v);
  return Status::Ok();
}

Status ReadString(const toml::table& root, const char* section, const char* key, std::string& out) {
  const toml::node* node = root.at_path(std::string(section) + "." + key).node();
  if (node == nullptr) return Status::Ok();
  auto v = node->value<std::string>();
  if (!v) return Status::InvalidArgument(std::string(section) + "." + key + " must be a string");
  out = *v;
  return Status::Ok();
}

Status ReadBool(const toml::table& root, const char* section, const char* key, bool& out) {
  const toml::node* node = root.at_path(std::string(section) + "." + key).node();
  if (node == nullptr) return Status::Ok();
  auto v = node->value<bool>();
  if (!v)
    return Status::InvalidArgument(std::string(section) + "." + key + " must be true or false");
  out = *v;
  return Status::Ok();
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  std::string bare = host;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
    bare = bare.substr(1, bare.size() - 2);
  }
  return ::inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

namespace {

Status CheckApiTransportImpl(const ApiConfig& api) {
  if (api.tls_cert_file.empty() != api.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "api.tls_cert_file and api.tls_key_file are set together (HTTPS) or not at all");
  }
  if (!api.tls_cert_file.empty()) return Status::Ok();
  if (!api.allow_plain_http) {
    return Status::InvalidArgument(
        "the API must be served over HTTPS: set api.tls_cert_file and api.tls_key_file (PEM), or, "
        "for development on a loopback address only, api.allow_plain_http = true");
  }
  if (!IsLoopbackHost(api.host)) {
    return Status::InvalidArgument(
        "api.allow_plain_http is allowed only when api.host is a "
        "loopback address (127.0.0.0/8, ::1 or localhost), not \"" +
        api.host + "\"; set api.tls_cert_file and api.tls_key_file");
  }
  return Status::Ok();
}

Status CheckRange(const char* name, int64_t v, int64_t min, int64_t max) {
  if (v < min || v > max) {
    return Status::InvalidArgument(std::string(name) + " must be in [" + std::to_string(min) +
                                   ", " + std::to_string(max) + "], got " + std::to_string(v));
  }
  return Status::Ok();
}

}  // namespace

Status CheckApiTransport(const ApiConfig& api) { return CheckApiTransportImpl(api); }

Status NodeConfig::Validate() const {
  if (name.empty()) return Status::InvalidArgument("node.name is required");
  if (data_dir.empty()) return Status::InvalidArgument("node.data_dir is required");
  if (key_file.empty()) return Status::InvalidArgument("node.key_file is required");
  if (genesis_file.empty()) return Status::InvalidArgument("node.genesis_file is required");
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.port", api.port, 0, 65535));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.body_bytes_max", api.body_bytes_max, 1024, 64 << 20));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.json_depth_max", api.json_depth_max, 4, 256));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.threads", api.threads, 2, 4096));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.signature_window_s", api.signature_window_s, 10, 3600));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.signature_replay_entries_max",
                                      api.signature_replay_entries_max, 1000, 10'000'000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("api.signature_field_bytes_max", api.signature_field_bytes_max, 256, 65536));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("api.keep_alive_timeout_s", api.keep_alive_timeout_s, 1, 3600));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.request_timeout_s", api.request_timeout_s, 1, 3600));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.header_bytes_max",
                                      static_cast<int64_t>(api.header_bytes_max), 1024, 1 << 20));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("api.connections_max", static_cast<int64_t>(api.connections_max), 1, 1000000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.connections_per_address_max",
                                      static_cast<int64_t>(api.connections_per_address_max), 1,
                                      static_cast<int64_t>(api.connections_max)));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.requests_pending_max",
                                      static_cast<int64_t>(api.requests_pending_max), 1, 1000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("api.rate_per_address_per_s", api.rate_per_address_per_s, 1, 1000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("api.rate_burst_per_address", api.rate_burst_per_address, 1, 1000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("api.rate_per_key_per_s", api.rate_per_key_per_s, 1, 1000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("api.rate_burst_per_key", api.rate_burst_per_key, 1, 1000000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("api.rate_addresses_max",
                                      static_cast<int64_t>(api.rate_addresses_max), 1, 10000000));
  if (ops.host.empty()) {
    return Status::InvalidArgument("ops.host must name an address to bind (default 127.0.0.1)");
  }
  FRONTERA_RETURN_IF_ERROR(CheckRange("ops.port", ops.port, 0, 65535));
  if (ops.port != 0 && ops.port == api.port) {
    return Status::InvalidArgument("ops.port must differ from api.port (" +
                                   std::to_string(api.port) +
                                   "): the operational listener is a listener of its own");
  }
  FRONTERA_RETURN_IF_ERROR(CheckRange("ops.threads", static_cast<int64_t>(ops.threads), 1, 64));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("ops.disk_free_alert_bytes", ops.disk_free_alert_bytes, 0, int64_t{1} << 60));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("ops.connections_max", static_cast<int64_t>(ops.connections_max), 1, 4096));
  if (!IsLoopbackHost(ops.host) && api.tls_cert_file.empty()) {
    // The detailed status names peers and their addresses: off this host it
    // travels only encrypted (docs/operations.md#operational-listener).
    return Status::InvalidArgument(
        "ops.host \"" + ops.host +
        "\" is not a loopback address (127.0.0.0/8, ::1 or localhost): the operational listener "
        "then serves HTTPS with api.tls_cert_file and api.tls_key_file, which are not set");
  }
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("proposer.batch_documents_max", proposer.batch_documents_max, 1, 100000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("proposer.batch_bytes_max", proposer.batch_bytes_max, 1024, 256 << 20));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("proposer.queue_depth_max", proposer.queue_depth_max, 1, 10000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("proposer.commit_timeout_ms", proposer.commit_timeout_ms, 100, 600000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("proposer.log_retain_entries",
                                      static_cast<int64_t>(proposer.log_retain_entries), 1,
                                      100000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("proposer.inflight_blocks_max", proposer.inflight_blocks_max, 1, 1024));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("proposer.forward_documents_max", proposer.forward_documents_max, 1, 100000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("raft.tick_ms", raft.tick_ms, 1, 10000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("raft.election_ticks", raft.election_ticks, 2, 1000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("raft.heartbeat_ticks", raft.heartbeat_ticks, 1, 500));
  if (raft.election_ticks < 2 * raft.heartbeat_ticks) {
    return Status::InvalidArgument("raft.election_ticks must be at least 2 * raft.heartbeat_ticks");
  }
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.max_inflight_appends", raft.max_inflight_appends, 1, 1024));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.max_entries_per_append", raft.max_entries_per_append, 1, 65536));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.max_uncommitted_entries", raft.max_uncommitted_entries, 1, 1 << 20));
  FRONTERA_RETURN_IF_ERROR(CheckRange("raft.snapshot_interval_entries",
                                      static_cast<int64_t>(raft.snapshot_interval_entries), 16,
                                      1000000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.frame_bytes_max", raft.frame_bytes_max, 1 << 20, int64_t{1} << 30));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.send_queue_frames_max", raft.send_queue_frames_max, 16, 1000000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.snapshot_chunk_bytes", raft.snapshot_chunk_bytes, 4096, 16 << 20));
  if (raft.snapshot_chunk_bytes + 4096 > raft.frame_bytes_max) {
    return Status::InvalidArgument(
        "raft.snapshot_chunk_bytes must leave 4 KiB of room below raft.frame_bytes_max");
  }
  // Whatever one peer frame carries must fit in it: a forward (at most a
  // block's bytes), an append (max_entries_per_append blocks), a document.
  constexpr size_t kFrameSlack = 64 << 10;
  if (static_cast<uint64_t>(raft.max_entries_per_append) * proposer.batch_bytes_max + kFrameSlack >
      raft.frame_bytes_max) {
    return Status::InvalidArgument(
        "raft.max_entries_per_append * proposer.batch_bytes_max (+ 64 KiB) must fit in "
        "raft.frame_bytes_max: lower one of the first two or raise the last");
  }
  if (api.body_bytes_max > proposer.batch_bytes_max) {
    return Status::InvalidArgument(
        "api.body_bytes_max must not exceed proposer.batch_bytes_max (a document must fit in a "
        "block)");
  }
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.snapshot_timeout_ms", raft.snapshot_timeout_ms, 1000, 3600000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("raft.read_timeout_ms", raft.read_timeout_ms, 10, 600000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.inbox_bytes_max", raft.inbox_bytes_max, size_t{1} << 20, size_t{16} << 30));
  if (raft.inbox_bytes_max < raft.frame_bytes_max) {
    return Status::InvalidArgument("raft.inbox_bytes_max (" + std::to_string(raft.inbox_bytes_max) +
                                   ") must be at least raft.frame_bytes_max (" +
                                   std::to_string(raft.frame_bytes_max) + ")");
  }
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.block_time_skew_max_ms", raft.block_time_skew_max_ms, 1000, 86400000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.term_step_max", raft.term_step_max, 1, uint64_t{1} << 40));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("raft.cosign_window_heights", raft.cosign_window_heights, 1, 100000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("ledger.item_filter_interval_s", item_filter.interval_s, 0, 86400));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("witness.connect_timeout_ms", witness.connect_timeout_ms, 10, 60000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("witness.request_timeout_ms", witness.request_timeout_ms, 10, 600000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("witness.retry_backoff_min_ms", witness.retry_backoff_min_ms, 10, 600000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("witness.retry_backoff_max_ms", witness.retry_backoff_max_ms,
                                      witness.retry_backoff_min_ms, 3600000));
  FRONTERA_RETURN_IF_ERROR(CheckRange("witness.requests_in_flight_max",
                                      witness.requests_in_flight_max, 1,
                                      kWitnessRequestsInFlightLimit));
  if (proposer.log_retain_entries >= raft.snapshot_interval_entries) {
    // The log is compacted to the newest snapshot once log_retain_entries
    // were applied after it; by then a newer snapshot would exist and the
    // log would never be compacted.
    return Status::InvalidArgument(
        "proposer.log_retain_entries (" + std::to_string(proposer.log_retain_entries) +
        ") must be below raft.snapshot_interval_entries (" +
        std::to_string(raft.snapshot_interval_entries) + "), or the log is never compacted");
  }
  FRONTERA_RETURN_IF_ERROR(CheckRange("raft.leader_stall_ms", raft.leader_stall_ms, 1000, 600000));
  if (raft.leader_stall_ms <= 2 * raft.tick_ms * static_cast<int64_t>(raft.election_ticks)) {
    return Status::InvalidArgument("raft.leader_stall_ms (" + std::to_string(raft.leader_stall_ms) +
                                   ") must exceed two election timeouts (2 * raft.tick_ms * "
                                   "raft.election_ticks)");
  }
  if (!IsLogLevel(log.level)) {
    return Status::InvalidArgument("log.level \"" + log.level +
                                   "\" is not one of debug, info, warning, error");
  }
  FRONTERA_RETURN_IF_ERROR(ledger.Validate());
  FRONTERA_RETURN_IF_ERROR(storage.Validate());
  FRONTERA_RETURN_IF_ERROR(audit.Validate());
  FRONTERA_RETURN_IF_ERROR(CheckRange("backup.keep_max", backup.keep_max, 1, 1000));
  return Status::Ok();
}

Result<NodeConfig> ParseConfig(std::string_view toml_text, const std::string& source_name,
                               const std::string& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source_name << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return Status::InvalidArgument(msg.str());
  }
  static const std::vector<std::string> kSections = {"node", "api",   "ops",    "proposer",
                                                     "raft", "peers", "ledger", "storage",
                                                     "log",  "audit", "backup", "witness"};
  for (const auto& [key, value] : root) {
    if (std::find(kSections.begin(), kSections.end(), std::string(key.str())) == kSections.end()) {
      return Status::InvalidArgument(
          source_name + ": unknown section [" + std::string(key.str()) +
          "]; expected node, api, ops, proposer, raft, peers, ledger, storage, log, audit, "
          "backup");
    }
    if (!value.is_table()) {
      return Status::InvalidArgument(source_name + ": " + std::string(key.str()) +
                                     " must be a section ([" + std::string(key.str()) + "])");
    }
  }
  NodeConfig c;
  Status s;
  auto with_file = [&](Status st) { return st.WithContext(source_name); };
  // Every key read, so that a misspelt one is an error rather than ignored.
  std::set<std::string> known;
  // The first error stops the reading; later reads are skipped.
  auto str = [&](const char* section, const char* key, std::string& out) {
    known.insert(std::string(section) + "." + key);
    if (s.ok()) s = ReadString(root, section, key, out);
  };
  auto flag = [&](const char* section, const char* key, bool& out) {
    known.insert(std::string(section) + "." + key);
    if (s.ok()) s = ReadBool(root, section, key, out);
  };
  auto num = [&](const char* section, const char* key, auto& out) {
    known.insert(std::string(section) + "." + key);
    if (s.ok()) s = ReadInt(root, section, key, out);
  };
  str("node", "name", c.name);
  str("node", "data_dir", c.data_dir);
  str("node", "key_file", c.key_file);
  str("node", "genesis_file", c.genesis_file);
  str("log", "level", c.log.level);
  str("api", "host", c.api.host);
  num("api", "port", c.api.port);
  num("api", "body_bytes_max", c.api.body_bytes_max);
  num("api", "json_depth_max", c.api.json_depth_max);
  num("api", "threads", c.api.threads);
  num("api", "keep_alive_timeout_s", c.api.keep_alive_timeout_s);
  num("api", "request_timeout_s", c.api.request_timeout_s);
  num("api", "header_bytes_max", c.api.header_bytes_max);
  num("api", "connections_max", c.api.connections_max);
  num("api", "connections_per_address_max", c.api.connections_per_address_max);
  num("api", "requests_pending_max", c.api.requests_pending_max);
  num("api", "rate_per_address_per_s", c.api.rate_per_address_per_s);
  num("api", "rate_burst_per_address", c.api.rate_burst_per_address);
  num("api", "rate_addresses_max", c.api.rate_addresses_max);
  num("api", "rate_per_key_per_s", c.api.rate_per_key_per_s);
  num("api", "rate_burst_per_key", c.api.rate_burst_per_key);
  str("api", "tls_cert_file", c.api.tls_cert_file);
  str("api", "tls_key_file", c.api.tls_key_file);
  flag("api", "allow_plain_http", c.api.allow_plain_http);
  str("ops", "host", c.ops.host);
  num("ops", "port", c.ops.port);
  num("ops", "threads", c.ops.threads);
  num("ops", "connections_max", c.ops.connections_max);
  num("ops", "disk_free_alert_bytes", c.ops.disk_free_alert_bytes);
  num("api", "signature_window_s", c.api.signature_window_s);
  num("api", "signature_replay_entries_max", c.api.signature_replay_entries_max);
  num("api", "signature_field_bytes_max", c.api.signature_field_bytes_max);
  num("proposer", "batch_documents_max", c.proposer.batch_documents_max);
  num("proposer", "batch_bytes_max", c.proposer.batch_bytes_max);
  num("proposer", "queue_depth_max", c.proposer.queue_depth_max);
  num("proposer", "commit_timeout_ms", c.proposer.commit_timeout_ms);
  num("proposer", "log_retain_entries", c.proposer.log_retain_entries);
  num("proposer", "inflight_blocks_max", c.proposer.inflight_blocks_max);
  num("proposer", "forward_documents_max", c.proposer.forward_documents_max);
  str("raft", "listen", c.raft.listen);
  num("raft", "tick_ms", c.raft.tick_ms);
  num("raft", "election_ticks", c.raft.election_ticks);
  num("raft", "heartbeat_ticks", c.raft.heartbeat_ticks);
  num("raft", "max_inflight_appends", c.raft.max_inflight_appends);
  num("raft", "max_entries_per_append", c.raft.max_entries_per_append);
  num("raft", "max_uncommitted_entries", c.raft.max_uncommitted_entries);
  num("raft", "snapshot_interval_entries", c.raft.snapshot_interval_entries);
  num("raft", "frame_bytes_max", c.raft.frame_bytes_max);
  num("raft", "send_queue_frames_max", c.raft.send_queue_frames_max);
  num("raft", "snapshot_chunk_bytes", c.raft.snapshot_chunk_bytes);
  num("raft", "snapshot_timeout_ms", c.raft.snapshot_timeout_ms);
  num("raft", "read_timeout_ms", c.raft.read_timeout_ms);
  num("raft", "inbox_bytes_max", c.raft.inbox_bytes_max);
  num("raft", "block_time_skew_max_ms", c.raft.block_time_skew_max_ms);
  num("raft", "term_step_max", c.raft.term_step_max);
  num("raft", "cosign_window_heights", c.raft.cosign_window_heights);
  num("raft", "leader_stall_ms", c.raft.leader_stall_ms);
  if (s.ok()) {
    if (const toml::table* peers = root["peers"].as_table()) {
      for (const auto& [name, value] : *peers) {
        auto address = value.value<std::string>();
        if (!address) {
          s = Status::InvalidArgument("peers." + std::string(name.str()) +
                                      " must be a string \"host:port\"");
          break;
        }
        c.raft.peer_addresses[std::string(name.str())] = *address;
      }
    }
  }
  num("ledger", "events_per_certificate_max", c.ledger.events_per_certificate_max);
  num("ledger", "notice_follow_ups_max", c.ledger.notice_follow_ups_max);
  num("ledger", "notices_per_certificate_max", c.ledger.notices_per_certificate_max);
  num("ledger", "signature_cache_entries", c.ledger.signature_cache_entries);
  num("ledger", "registry_changes_per_party_max", c.ledger.registry_changes_per_party_max);
  num("ledger", "validators_max", c.ledger.validators_max);
  num("ledger", "item_filter_interval_s", c.item_filter.interval_s);
  num("storage", "block_cache_bytes", c.storage.block_cache_bytes);
  num("storage", "write_buffer_bytes", c.storage.write_buffer_bytes);
  num("audit", "file_bytes_max", c.audit.file_bytes_max);
  num("audit", "query_limit_max", c.audit.query_limit_max);
  str("backup", "dir", c.backup.dir);
  num("backup", "keep_max", c.backup.keep_max);
  num("witness", "connect_timeout_ms", c.witness.connect_timeout_ms);
  num("witness", "request_timeout_ms", c.witness.request_timeout_ms);
  num("witness", "retry_backoff_min_ms", c.witness.retry_backoff_min_ms);
  num("witness", "retry_backoff_max_ms", c.witness.retry_backoff_max_ms);
  num("witness", "requests_in_flight_max", c.witness.requests_in_flight_max);
  if (!s.ok()) return with_file(s);
  for (const auto& [section, value] : root) {
    if (section.str() == "peers") continue;  // keys are validator names
    for (const auto& [key, v] : *value.as_table()) {
      const std::string name = std::string(section.str()) + "." + std::string(key.str());
      if (!known.contains(name)) return with_file(Status::InvalidArgument("unknown key " + name));
    }
  }
  c.data_dir = Resolve(base_dir, c.data_dir);
  c.key_file = Resolve(base_dir, c.key_file);
  c.genesis_file = Resolve(base_dir, c.genesis_file);
  c.api.tls_cert_file = Resolve(base_dir, c.api.tls_cert_file);
  c.api.tls_key_file = Resolve(base_dir, c.api.tls_key_file);
  c.backup.dir = Resolve(base_dir, c.backup.dir);
  if (!(s = c.Validate()).ok()) return with_file(s);
  return c;
}

Result<NodeConfig> LoadConfigFile(const std::string& path) {
  Result<std::string> text = ReadSmallFile(path, kConfigFileBytesMax);
  if (!text.ok()) return text.status().WithContext("config file");
  std::string base = std::filesystem::path(path).parent_path().string();
  return ParseConfig(*text, path, base.empty() ? "." : base);
}

}  // namespace frontera::node
