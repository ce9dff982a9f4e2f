#include "tests/e2e/cluster.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "crypto/key_file.h"
#include "crypto/sha256.h"

namespace frontera::e2e {

namespace fs = std::filesystem;

namespace {

// A port that was free a moment ago, for a validator to bind. It is drawn
// below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range,
// 32768-60999 by default): a node restarted by a test binds its ports again,
// and a port of that range can meanwhile be taken by any outbound connection
// ("Address already in use"). No port is handed out twice by one process.
int FreePort() {
  static std::mutex mu;
  static std::set<int> handed_out;
  static std::mt19937 rng(std::random_device{}() ^ static_cast<unsigned>(::getpid()));
  std::lock_guard<std::mutex> lock(mu);
  constexpr int kLow = 20000;
  constexpr int kHigh = 32767;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int port = kLow + static_cast<int>(rng() % (kHigh - kLow + 1));
    if (handed_out.count(port)) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (!free) continue;
    handed_out.insert(port);
    return port;
  }
  FAIL("no free port in [20000, 32767] after 1000 tries");
  return 0;
}

const char* kAgencies[] = {"us-cbp", "mx-anam", "ca-cbsa"};

}  // namespace

int FreeLoopbackPort() { return FreePort(); }

Json ProductCredential(const std::string& serial) {
  Json doc = FixtureJson("pharma-credential.json");
  doc.erase("proof");
  doc["credentialSubject"].erase("label");
  // A UUID-shaped id unique per serial.
  std::string hex;
  for (unsigned char c : crypto::Sha256(serial)) {
    static const char* kDigits = "0123456789abcdef";
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  doc["id"] = "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-4" + hex.substr(13, 3) +
              "-8" + hex.substr(17, 3) + "-" + hex.substr(20, 12);
  doc["credentialSubject"]["serial"] = serial;
  doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/" + serial;
  return Sign(doc, "mx-manufacturer");
}

TestCluster::TestCluster(int n, const std::string& extra_config, const std::string& raft_config) {
  REQUIRE((n >= 1 && n <= 3));
  Json parties = WriteExamplePartyKeys(dir());
  Json validators = Json::array();
  for (int i = 0; i < n; ++i) {
    names_.push_back(kAgencies[i]);
    api_ports_.push_back(FreePort());
    peer_ports_.push_back(FreePort());
    validators.push_back({{"name", names_[i]},
                          {"did", ExampleParties().at(names_[i]).did},
                          {"api", "http://127.0.0.1:" + std::to_string(api_ports_[i])},
                          {"peer", "127.0.0.1:" + std::to_string(peer_ports_[i])}});
  }
  Json genesis = {{"network", "frontera.example/north-america-1"},
                  {"created", "2026-11-01T00:00:00Z"},
                  {"resolver", "verify.frontera.example"},
                  {"validators", validators},
                  {"parties", parties}};
  std::ofstream(genesis_path()) << genesis.dump(2);
  proxies_.resize(static_cast<size_t>(n * n));
  for (int from = 0; from < n; ++from) {
    for (int to = 0; to < n; ++to) {
      if (from == to) continue;
      auto proxy = FaultProxy::Start(static_cast<uint16_t>(peer_ports_[to]));
      REQUIRE(proxy.ok());
      proxies_[from * n + to] = std::move(proxy).value();
    }
  }
  for (int i = 0; i < n; ++i) {
    std::ofstream config(ConfigPath(i));
    config << "[node]\nname = \"" << names_[i] << "\"\ndata_dir = \"data/" << names_[i] << "\"\n"
           << "key_file = \"keys/" << names_[i] << ".key\"\ngenesis_file = \"genesis.json\"\n"
           << "[api]\nallow_plain_http = true\nport = " << api_ports_[i] << "\n"
           << "[raft]\nlisten = \"127.0.0.1:" << peer_ports_[i] << "\"\n"
           << "tick_ms = 50\n"
           << raft_config;
    if (n > 1) {
      config << "[peers]\n";
      for (int to = 0; to < n; ++to) {
        if (to != i) {
          config << names_[to] << " = \"127.0.0.1:" << proxies_[i * n + to]->port() << "\"\n";
        }
      }
    }
    config << extra_config;
  }
  nodes_.resize(static_cast<size_t>(n));
  pids_.assign(static_cast<size_t>(n), -1);
  ops_ports_.assign(static_cast<size_t>(n), 0);
}

TestCluster::~TestCluster() {
  for (int i = 0; i < size(); ++i) {
    if (nodes_[i] && pids_[i] > 0) ::kill(pids_[i], SIGCONT);
    nodes_[i].reset();
  }
  for (auto& p : proxies_) {
    if (p) p->Stop();
  }
}

std::unique_ptr<api::Client> TestCluster::Client(int i, int read_timeout_ms) const {
  api::ClientOptions options;
  options.connect_timeout_ms = 2000;
  options.read_timeout_ms = read_timeout_ms;
  auto client = api::Client::Create(url(i), options);
  REQUIRE(client.ok());
  return std::move(client).value();
}

std::unique_ptr<api::Client> TestCluster::OpsClient(int i, int read_timeout_ms) const {
  REQUIRE_MESSAGE(ops_ports_[i] != 0, names_[i] << " was never started");
  api::ClientOptions options;
  options.connect_timeout_ms = 2000;
  options.read_timeout_ms = read_timeout_ms;
  auto client = api::Client::Create(ops_url(i), options);
  REQUIRE(client.ok());
  return std::move(client).value();
}

void TestCluster::Start(int i) {
  REQUIRE(nodes_[i] == nullptr);
  nodes_[i] = std::make_unique<NodeProcess>(ConfigPath(i), dir() + "/" + names_[i] + ".port");
  pids_[i] = nodes_[i]->pid();
  ops_ports_[i] = nodes_[i]->ops_port();
}

void TestCluster::StartAll() {
  for (int i = 0; i < size(); ++i) Start(i);
}

void TestCluster::Kill(int i) {
  REQUIRE(nodes_[i] != nullptr);
  nodes_[i]->Kill();
  nodes_[i].reset();
  pids_[i] = -1;
}

void TestCluster::Terminate(int i) {
  REQUIRE(nodes_[i] != nullptr);
  CHECK(nodes_[i]->Terminate() == 0);
  nodes_[i].reset();
  pids_[i] = -1;
}

void TestCluster::Pause(int i) { REQUIRE(::kill(pids_[i], SIGSTOP) == 0); }
void TestCluster::Resume(int i) { REQUIRE(::kill(pids_[i], SIGCONT) == 0); }

void TestCluster::Isolate(int i, bool cut) {
  const auto mode = cut ? FaultProxy::Mode::kDrop : FaultProxy::Mode::kPass;
  for (int j = 0; j < size(); ++j) {
    if (j == i) continue;
    proxy(i, j).SetMode(mode);
    proxy(j, i).SetMode(mode);
  }
}

std::optional<Json> TestCluster::Status(int i) const {
  if (!nodes_[i]) return std::nullopt;
  auto client = OpsClient(i, 2000);
  auto status = client->GetJson("/v1/status");
  if (!status.ok()) return std::nullopt;
  return std::move(status).value();
}

std::optional<int> TestCluster::WaitForLeader(int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::map<std::string, int> votes;
    int answering = 0;
    std::optional<int> leader;
    for (int i = 0; i < size(); ++i) {
      auto s = Status(i);
      if (!s) continue;
      ++answering;
      if (!(*s)["raft"]["leader"].is_null()) {
        ++votes[(*s)["raft"]["leader"].get<std::string>()];
      }
      if ((*s)["role"] == "leader") leader = i;
    }
    if (leader && votes[names_[*leader]] == answering) return leader;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

bool TestCluster::WaitApplied(uint64_t index, int timeout_ms) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (int i = 0; i < size(); ++i) {
      if (!nodes_[i]) continue;
      auto s = Status(i);
      if (!s || (*s)["raft"]["applied_index"].get<uint64_t>() < index) all = false;
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace frontera::e2e
