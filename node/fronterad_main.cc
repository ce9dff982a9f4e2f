// fronterad: a Frontera validator.
//
//   fronterad --config FILE [--port-file PATH] [--ops-port-file PATH]
//   fronterad --dev DIR [--port N] [--port-file PATH] [--ops-port-file PATH]
//   fronterad --init-network DIR
//   fronterad --check-config FILE
//   fronterad --version
//
// --dev creates, on first use, a single-validator development network in DIR
// (fresh keys, genesis, config) and runs it; later runs reuse it.
// --init-network creates the keys and genesis of the local three-agency
// network that config/*.toml describe (./run.sh), and exits.
// --check-config loads and checks a config and every file it names, and exits.
// Every start-up error, a bad flag included, exits 2 (docs/operations.md).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/server.h"
#include "common/clock.h"
#include "common/files.h"
#include "common/version.h"
#include "crypto/ed25519.h"
#include "crypto/key_file.h"
#include "node/config.h"
#include "node/data_format.h"
#include "node/dev_network.h"
#include "node/log.h"
#include "node/validator.h"

namespace {

int Fail(const std::string& what) {
  std::cerr << "fronterad: " << what << "\n";
  return 2;
}

// The options of the public API server (surface kPublic) or of the
// operational listener (docs/operations.md#operational-listener): the same
// request limits; the operational listener binds [ops], with its own
// threads and connection caps, and serves plain HTTP on loopback, else
// HTTPS with [api]'s certificate (NodeConfig::Validate refuses a
// non-loopback [ops] host without one).
frontera::api::ServerOptions ServerOptionsOf(const frontera::node::NodeConfig& config,
                                             frontera::api::Surface surface,
                                             const std::string& resolver_host) {
  frontera::api::ServerOptions options;
  options.host = config.api.host;
  options.port = config.api.port;
  options.body_bytes_max = config.api.body_bytes_max;
  options.json_depth_max = config.api.json_depth_max;
  options.threads = config.api.threads;
  // Stop() waits for idle keep-alive connections to time out: keep it short.
  options.keep_alive_timeout_s = config.api.keep_alive_timeout_s;
  options.request_timeout_s = config.api.request_timeout_s;
  options.header_bytes_max = config.api.header_bytes_max;
  options.connections_max = config.api.connections_max;
  options.connections_per_address_max = config.api.connections_per_address_max;
  options.requests_pending_max = config.api.requests_pending_max;
  options.rate_per_address_per_s = config.api.rate_per_address_per_s;
  options.rate_burst_per_address = config.api.rate_burst_per_address;
  options.rate_addresses_max = config.api.rate_addresses_max;
  options.rate_per_key_per_s = config.api.rate_per_key_per_s;
  options.rate_burst_per_key = config.api.rate_burst_per_key;
  options.signatures.window_s = config.api.signature_window_s;
  options.signatures.replay_entries_max = config.api.signature_replay_entries_max;
  options.signatures.field_bytes_max = config.api.signature_field_bytes_max;
  options.tls_cert_file = config.api.tls_cert_file;
  options.tls_key_file = config.api.tls_key_file;
  options.resolver_host = resolver_host;
  options.surface = surface;
  if (surface == frontera::api::Surface::kOperational) {
    options.host = config.ops.host;
    options.port = config.ops.port;
    options.threads = config.ops.threads;
    options.connections_max = config.ops.connections_max;
    options.connections_per_address_max = config.ops.connections_max;
    options.requests_pending_max =
        std::min(options.requests_pending_max, config.ops.connections_max);
    if (frontera::node::IsLoopbackHost(config.ops.host)) {
      options.tls_cert_file.clear();
      options.tls_key_file.clear();
    }
  }
  return options;
}

// `fronterad --check-config`: what start-up would check of the config and
// the files it names (the key, the genesis, the TLS certificate and key) and
// the data directory's format, changing nothing and binding no port.
frontera::Status CheckConfig(const std::string& path) {
  using namespace frontera;
  FRONTERA_ASSIGN_OR_RETURN(const node::NodeConfig config, node::LoadConfigFile(path));
  if (Status transport = node::CheckApiTransport(config.api); !transport.ok()) {
    return Status::InvalidArgument(path + ": " + transport.message());
  }
  auto key = crypto::LoadKeyFile(config.key_file);
  if (!key.ok()) return Status::InvalidArgument("node.key_file: " + key.status().ToString());
  FRONTERA_RETURN_IF_ERROR(node::Validator::CheckSetup(config, *key).status());
  // A data directory left by another release (after a downgrade, say).
  if (std::filesystem::is_directory(config.data_dir)) {
    FRONTERA_RETURN_IF_ERROR(
        node::CheckDataFormat(config.data_dir, node::FormatAbsent::kLeaveAsIs));
  }
  if (!config.api.tls_cert_file.empty()) {
    FRONTERA_RETURN_IF_ERROR(api::CheckTlsFiles(config.api.tls_cert_file, config.api.tls_key_file));
  }
  return Status::Ok();
}

// Whole or absent: run.sh and the tests read it as soon as it exists.
frontera::Status WritePortFile(const std::string& path, int port) {
  if (path.empty()) return frontera::Status::Ok();
  return frontera::ReplaceFile(path, std::to_string(port) + "\n", 0644);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace frontera;
  CLI::App app{"fronterad: a Frontera validator node"};
  std::string config_path, dev_dir, port_file, ops_port_file, init_dir, check_path;
  int dev_port = 7001;
  auto* config_opt = app.add_option("--config", config_path, "validator config (TOML)");
  auto* dev_opt =
      app.add_option("--dev", dev_dir, "run a single-validator development network in DIR");
  app.add_option("--port", dev_port, "API port with --dev (0 picks a free port)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--port-file", port_file, "write the bound API port to this file once listening");
  app.add_option("--ops-port-file", ops_port_file,
                 "write the bound port of the operational listener ([ops]) to this file; it is "
                 "written before --port-file");
  auto* init_opt = app.add_option("--init-network", init_dir,
                                  "create the local three-validator network's keys and genesis "
                                  "in DIR (unless present) and exit");
  auto* check_opt = app.add_option("--check-config", check_path,
                                   "check the config FILE and the key, genesis and TLS files it "
                                   "names, print what is wrong, and exit (0: good, 2: not)");
  app.set_version_flag("--version", version::VersionText("fronterad"),
                       "print the version, the commit and the format versions, and exit");
  config_opt->excludes(dev_opt);
  init_opt->excludes(config_opt)->excludes(dev_opt);
  check_opt->excludes(config_opt)->excludes(dev_opt)->excludes(init_opt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version exit 0; a bad flag is a start-up error (exit 2).
    return app.exit(error) == 0 ? 0 : 2;
  }
  if (!check_path.empty()) {
    crypto::InitCrypto();
    if (Status s = CheckConfig(check_path); !s.ok()) return Fail(s.ToString());
    std::cout << "fronterad: " << check_path << " is good\n";
    return 0;
  }
  if (!init_dir.empty()) {
    crypto::InitCrypto();
    Status s = node::EnsureLocalNetwork(init_dir);
    if (!s.ok()) return Fail(s.ToString());
    return 0;
  }
  if (config_path.empty() && dev_dir.empty()) return Fail("give --config FILE or --dev DIR");

  // Signals are taken synchronously by the main thread (sigwait below); every
  // thread started from here on inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  crypto::InitCrypto();
  if (!dev_dir.empty()) {
    auto created = node::EnsureDevNetwork(dev_dir, dev_port);
    if (!created.ok()) return Fail(created.status().ToString());
    config_path = *created;
  }
  auto config = node::LoadConfigFile(config_path);
  if (!config.ok()) return Fail(config.status().ToString());
  if (Status transport = node::CheckApiTransport(config->api); !transport.ok()) {
    return Fail(config_path + ": " + transport.message());
  }
  node::ConfigureLogging(config->log.level);
  auto key = crypto::LoadKeyFile(config->key_file);
  if (!key.ok()) return Fail("node.key_file: " + key.status().ToString());

  SystemClock clock;
  auto validator = node::Validator::Open(*config, *key, &clock);
  if (!validator.ok()) return Fail(validator.status().ToString());

  const std::string resolver = (*validator)->GetStatus()["resolver"].get<std::string>();
  auto ops_server = api::HttpServer::Create(
      validator->get(), ServerOptionsOf(*config, api::Surface::kOperational, resolver));
  if (!ops_server.ok()) return Fail("[ops] " + ops_server.status().ToString());
  if (Status started = (*ops_server)->Start(); !started.ok()) {
    return Fail("[ops] " + started.ToString());
  }
  auto server = api::HttpServer::Create(validator->get(),
                                        ServerOptionsOf(*config, api::Surface::kPublic, resolver));
  if (!server.ok()) return Fail(server.status().ToString());
  Status started = (*server)->Start();
  if (!started.ok()) return Fail(started.ToString());

  const int port = (*server)->port();
  const int ops_port = (*ops_server)->port();
  // The operational port first: once the API port file exists, both listen.
  if (Status s = WritePortFile(ops_port_file, ops_port); !s.ok()) return Fail(s.ToString());
  if (Status s = WritePortFile(port_file, port); !s.ok()) return Fail(s.ToString());
  const bool ops_tls =
      !config->api.tls_cert_file.empty() && !node::IsLoopbackHost(config->ops.host);
  std::string serving =
      "fronterad: validator " + config->name +
      (config->api.tls_cert_file.empty() ? " serving http://" : " serving https://") +
      config->api.host + ":" + std::to_string(port) + " (data " + config->data_dir + ")" +
      ", operational listener " + (ops_tls ? "https://" : "http://") + config->ops.host + ":" +
      std::to_string(ops_port);
  if ((*validator)->peer_port() != 0) {
    serving += ", peers on port " + std::to_string((*validator)->peer_port());
  }
  node::LogInfo(config->name, serving);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  node::LogInfo(config->name, "fronterad: stopping (signal " + std::to_string(signal_number) + ")");
  if (std::string next = (*validator)->HandOverLeadership(); !next.empty()) {
    node::LogInfo(config->name, "fronterad: handed leadership to " + next);
  }
  (*server)->Stop();
  (*ops_server)->Stop();
  (*validator)->Stop();
  node::LogInfo(config->name, "fronterad: stopped");
  return 0;
}
