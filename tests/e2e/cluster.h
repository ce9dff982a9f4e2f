// A multi-process Frontera cluster on loopback for the fault tests: N
// validators (the example agencies first) on free ports, each dialing its
// peers through a FaultProxy per directed link, so a test can cut, stall or
// restore any link while the nodes run.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/fault_proxy.h"
#include "tests/e2e/harness.h"

namespace frontera::e2e {

class TestCluster {
 public:
  // Writes keys, a genesis naming `n` validators (n <= 3: us-cbp, mx-anam,
  // ca-cbsa) and one config per node; `extra_config` is appended to each,
  // `raft_config` goes into its [raft] table. Nodes are not started.
  explicit TestCluster(int n, const std::string& extra_config = "",
                       const std::string& raft_config = "");
  ~TestCluster();

  int size() const { return static_cast<int>(names_.size()); }
  const std::string& name(int i) const { return names_[i]; }
  std::string url(int i) const { return "http://127.0.0.1:" + std::to_string(api_ports_[i]); }
  std::string genesis_path() const { return dir_.path() + "/genesis.json"; }
  std::string dir() const { return dir_.path(); }
  std::unique_ptr<api::Client> Client(int i, int read_timeout_ms = 15000) const;
  // A client of node i's operational listener (/v1/status, /metrics): a
  // free port picked at each start; a stopped node's last one.
  std::unique_ptr<api::Client> OpsClient(int i, int read_timeout_ms = 15000) const;
  std::string ops_url(int i) const { return "http://127.0.0.1:" + std::to_string(ops_ports_[i]); }

  void Start(int i);
  void StartAll();
  bool running(int i) const { return nodes_[i] != nullptr; }
  void Kill(int i);       // SIGKILL
  void Terminate(int i);  // SIGTERM, clean stop
  void Pause(int i);      // SIGSTOP
  void Resume(int i);     // SIGCONT

  // Cuts (kDrop) or restores (kPass) every link to and from node i.
  void Isolate(int i, bool cut);
  FaultProxy& proxy(int from, int to) { return *proxies_[from * size() + to]; }

  // The index of the node that all running, reachable nodes agree leads,
  // waiting up to `timeout_ms`; nullopt if none.
  std::optional<int> WaitForLeader(int timeout_ms = 15000) const;
  // GET /v1/status of node i (its operational listener), or nullopt when
  // unreachable or not running.
  std::optional<Json> Status(int i) const;
  // Waits until every running node applied at least `index`.
  bool WaitApplied(uint64_t index, int timeout_ms = 20000) const;

 private:
  std::string ConfigPath(int i) const { return dir_.path() + "/" + names_[i] + ".toml"; }

  TempDir dir_;
  std::vector<std::string> names_;
  std::vector<int> api_ports_;
  std::vector<int> peer_ports_;
  std::vector<std::unique_ptr<FaultProxy>> proxies_;  // [from * n + to]; null on the diagonal
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  std::vector<int> pids_;
  std::vector<int> ops_ports_;  // 0 until the node's first start
};

// A loopback TCP port free a moment ago, never handed out twice by this
// process (for a node started outside a TestCluster).
int FreeLoopbackPort();

// A ProductAuthenticityCredential for a fresh serial, signed by the example
// manufacturer (for issuing load).
Json ProductCredential(const std::string& serial);

}  // namespace frontera::e2e
