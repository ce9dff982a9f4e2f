// Multi-process cluster tests (issue 3): three validators on loopback with a
// fault-injecting proxy on every peer link. Under continuous issuing load the
// leader is SIGKILLed, a follower is SIGKILLed, a node is SIGSTOPped past the
// election timeout, and a node is cut off; afterwards every acknowledged
// certificate is on every node, no (GTIN, serial) was accepted twice, and all
// nodes report the same checkpoint root.
#include "tests/e2e/cluster.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "crypto/signed_note.h"
#include "ledger/genesis.h"

namespace frontera::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::string CertPath(const std::string& id) {
  return "/v1/certificates/" + api::Client::EncodePathSegment(id);
}

// Issues credentials with fresh serials from a few client threads, round
// robin over the running nodes, and records what was acknowledged. Every
// tenth request reuses an acknowledged serial under a new id: the ledger
// must refuse it.
class Load {
 public:
  Load(TestCluster& cluster, int threads) : cluster_(cluster) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, t] { Run(t); });
    }
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  void SetDown(int node, bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    if (down) {
      down_.insert(node);
    } else {
      down_.erase(node);
    }
  }
  // serial → acknowledged certificate ids (must be exactly one each).
  std::map<std::string, std::vector<std::string>> acknowledged() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  size_t acked_count() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const auto& [serial, ids] : acked_) n += ids.size();
    return n;
  }
  Clock::time_point last_ack() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_ack_;
  }

 private:
  void Run(int thread) {
    uint64_t n = 0;
    while (!stop_) {
      int node;
      {
        std::lock_guard<std::mutex> lock(mu_);
        node = static_cast<int>((thread + n) % cluster_.size());
        if (down_.count(node)) {
          ++n;
          continue;
        }
      }
      std::string serial = "T" + std::to_string(thread) + "S" + std::to_string(n);
      if (n % 10 == 9) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!acked_.empty()) serial = acked_.begin()->first;  // a duplicate on purpose
      }
      Json credential = ProductCredential(serial);
      if (n % 10 == 9) {
        // Same item, another certificate id.
        credential.erase("proof");
        credential["id"] = "urn:uuid:00000000-0000-4000-8000-" +
                           std::to_string(100000000000 + thread * 1000000 + n);
        credential = Sign(credential, "mx-manufacturer");
      }
      ++n;
      auto client = cluster_.Client(node, 12000);
      auto answer = client->PostJson("/v1/certificates", credential);
      if (answer.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        acked_[serial].push_back((*answer)["id"].get<std::string>());
        last_ack_ = Clock::now();
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }

  TestCluster& cluster_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::set<int> down_;
  std::map<std::string, std::vector<std::string>> acked_;
  Clock::time_point last_ack_;
};

// Waits until `load` acknowledged `more` further writes.
bool AwaitProgress(Load& load, size_t more, int timeout_ms = 20000) {
  const size_t target = load.acked_count() + more;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (load.acked_count() >= target) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// After the load: all nodes converge on one ledger that holds every
// acknowledged certificate once.
void CheckConverged(TestCluster& cluster, Load& load) {
  auto leader = cluster.WaitForLeader();
  REQUIRE(leader);
  auto status = cluster.Status(*leader);
  REQUIRE(status);
  const uint64_t commit = (*status)["raft"]["commit_index"].get<uint64_t>();
  REQUIRE(cluster.WaitApplied(commit));
  // Same tree and root everywhere, and a checkpoint of it signed by a majority.
  std::optional<Json> first;
  auto genesis = ledger::LoadGenesisFile(cluster.genesis_path());
  REQUIRE(genesis.ok());
  for (int i = 0; i < cluster.size(); ++i) {
    auto s = cluster.Status(i);
    REQUIRE(s);
    if (!first) first = (*s)["ledger"];
    CHECK((*s)["ledger"]["tree_size"] == (*first)["tree_size"]);
    CHECK((*s)["ledger"]["root"] == (*first)["root"]);
    CHECK((*s)["ledger"]["block_hash"] == (*first)["block_hash"]);
  }
  // Checkpoints settle once the last co-signatures have travelled.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::set<std::string> bodies;
  while (Clock::now() < deadline) {
    bodies.clear();
    for (int i = 0; i < cluster.size(); ++i) {
      auto note = cluster.Client(i)->GetText("/v1/checkpoint");
      REQUIRE(note.ok());
      auto parsed = crypto::ParseNote(*note);
      REQUIRE(parsed.ok());
      CHECK(crypto::VerifiedSigners(*parsed, genesis->NoteVerifiers()).size() >= genesis->Quorum());
      bodies.insert(parsed->text);
    }
    if (bodies.size() == 1 &&
        bodies.begin()->find("\n" + std::to_string((*first)["tree_size"].get<uint64_t>()) + "\n") !=
            std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(bodies.size() == 1);
  // Every acknowledged certificate on every node; no item accepted twice.
  size_t checked = 0;
  for (const auto& [serial, ids] : load.acknowledged()) {
    CHECK_MESSAGE(ids.size() == 1,
                  "serial " << serial << " was accepted " << ids.size() << " times");
    for (int i = 0; i < cluster.size(); ++i) {
      auto cert = cluster.Client(i)->GetJson(CertPath(ids.front()));
      CHECK_MESSAGE(cert.ok(), cluster.name(i) << " lacks acknowledged " << ids.front());
    }
    ++checked;
  }
  CHECK(checked > 0);
  MESSAGE("converged: " << checked << " acknowledged certificates on all " << cluster.size()
                        << " nodes, tree size " << (*first)["tree_size"]);
}

TEST_CASE("three validators replicate, forward writes to the leader, and co-sign checkpoints") {
  TestCluster cluster(3);
  cluster.StartAll();
  auto leader = cluster.WaitForLeader();
  REQUIRE(leader);
  // A write to each node, followers included; each is readable at once on
  // another node (linearizable reads).
  for (int i = 0; i < 3; ++i) {
    Json credential = ProductCredential("FWD" + std::to_string(i));
    auto receipt = cluster.Client(i)->PostJson("/v1/certificates", credential);
    REQUIRE_MESSAGE(receipt.ok(), receipt.status().ToString());
    auto read = cluster.Client((i + 1) % 3)->GetJson(CertPath(credential["id"]));
    REQUIRE_MESSAGE(read.ok(), read.status().ToString());
    CHECK((*read)["status"] == "active");
  }
  // The duplicate item is refused whichever node takes it.
  Json again = ProductCredential("FWD0");
  again.erase("proof");
  again["id"] = "urn:uuid:11111111-2222-4333-8444-555555555555";
  auto dup = cluster.Client((*leader + 1) % 3)
                 ->PostJson("/v1/certificates", Sign(again, "mx-manufacturer"));
  CHECK_FALSE(dup.ok());
  // A local read is allowed and answers from the node's own state.
  auto local = cluster.Client(0)->GetText("/v1/checkpoint");
  CHECK(local.ok());
  // Each validator builds the item filter of the first block in the
  // background and the three co-sign its note: every trust bundle carries
  // it, signed by a majority (docs/formats.md §16).
  for (int i = 0; i < 3; ++i) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      auto bundle = cluster.Client(i)->GetJson("/v1/trust-bundle");
      if (bundle.ok() && bundle->contains("item_filter")) {
        const std::string note = (*bundle)["item_filter"]["note"].get<std::string>();
        CHECK(note.find(" item-filter/1\n") != std::string::npos);
        size_t lines = 0;
        for (size_t at = note.find("\u2014 "); at != std::string::npos;
             at = note.find("\u2014 ", at + 1)) {
          ++lines;
        }
        CHECK_MESSAGE(lines >= 2, note);
        break;
      }
      const std::string why = std::string(cluster.name(i)) + " serves no co-signed item filter";
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, why);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  // frontera status shows all three, from their operational listeners.
  std::string out;
  CHECK(RunCommand({BinaryPath("tools/frontera"), "status", "--node", cluster.url(0), "--ops",
                    cluster.ops_url(0), "--ops", cluster.ops_url(1), "--ops", cluster.ops_url(2)},
                   &out) == 0);
  CHECK(out.find("leader") != std::string::npos);
  for (int i = 0; i < 3; ++i) CHECK(out.find(cluster.name(i)) != std::string::npos);
  CHECK(out.find("not asked") == std::string::npos);
}

TEST_CASE("under load: SIGKILL the leader, SIGKILL a follower, SIGSTOP a node, cut a node off") {
  TestCluster cluster(3);
  cluster.StartAll();
  REQUIRE(cluster.WaitForLeader());
  Load load(cluster, 6);
  REQUIRE(AwaitProgress(load, 30));

  // 1. SIGKILL the leader: a new one takes over; measure the failover.
  {
    auto leader = cluster.WaitForLeader();
    REQUIRE(leader);
    const auto killed_at = Clock::now();
    load.SetDown(*leader, true);
    cluster.Kill(*leader);
    const size_t before = load.acked_count();
    while (load.acked_count() == before && Clock::now() - killed_at < std::chrono::seconds(20)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(load.acked_count() > before);
    const auto failover =
        std::chrono::duration_cast<std::chrono::milliseconds>(load.last_ack() - killed_at).count();
    MESSAGE("failover: leader SIGKILLed → next acknowledged write in " << failover << " ms");
    REQUIRE(AwaitProgress(load, 30));
    cluster.Start(*leader);
    load.SetDown(*leader, false);
    REQUIRE(AwaitProgress(load, 30));
  }
  // 2. SIGKILL a follower, keep issuing, restart it.
  {
    auto leader = cluster.WaitForLeader();
    REQUIRE(leader);
    const int follower = (*leader + 1) % 3;
    load.SetDown(follower, true);
    cluster.Kill(follower);
    REQUIRE(AwaitProgress(load, 50));
    cluster.Start(follower);
    load.SetDown(follower, false);
    REQUIRE(AwaitProgress(load, 30));
  }
  // 3. SIGSTOP the leader past the election timeout, then resume it.
  {
    auto leader = cluster.WaitForLeader();
    REQUIRE(leader);
    load.SetDown(*leader, true);
    cluster.Pause(*leader);
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));
    REQUIRE(AwaitProgress(load, 30));
    cluster.Resume(*leader);
    load.SetDown(*leader, false);
    REQUIRE(AwaitProgress(load, 30));
  }
  // 4. Cut a node off with the proxies, then heal.
  {
    auto leader = cluster.WaitForLeader();
    REQUIRE(leader);
    const int cut = *leader;  // the hardest case: the leader loses its followers
    load.SetDown(cut, true);  // its clients time out and go elsewhere
    cluster.Isolate(cut, true);
    REQUIRE(AwaitProgress(load, 30));
    cluster.Isolate(cut, false);
    load.SetDown(cut, false);
    REQUIRE(AwaitProgress(load, 30));
  }
  load.Stop();
  CheckConverged(cluster, load);
}

TEST_CASE("a leader stopped with SIGTERM hands leadership over before it exits") {
  TestCluster cluster(3);
  cluster.StartAll();
  auto leader = cluster.WaitForLeader();
  REQUIRE(leader);
  REQUIRE(cluster.Client(*leader)->PostJson("/v1/certificates", ProductCredential("HO1")).ok());
  const uint64_t term = (*cluster.Status(*leader))["raft"]["term"].get<uint64_t>();
  cluster.Terminate(*leader);
  std::ifstream log(cluster.dir() + "/" + cluster.name(*leader) + ".port.log");
  std::stringstream text;
  text << log.rdbuf();
  CHECK_MESSAGE(text.str().find("handed leadership to") != std::string::npos, text.str());
  auto next = cluster.WaitForLeader();
  REQUIRE(next);
  CHECK(*next != *leader);
  // Transfer elects the new leader in the very next term.
  CHECK((*cluster.Status(*next))["raft"]["term"].get<uint64_t>() == term + 1);
  REQUIRE(cluster.Client(*next)->PostJson("/v1/certificates", ProductCredential("HO2")).ok());
}

TEST_CASE("a validator cut off from the majority fails its writes fast, then rejoins") {
  TestCluster cluster(3);
  cluster.StartAll();
  auto leader = cluster.WaitForLeader();
  REQUIRE(leader);
  const int cut = (*leader + 1) % 3;
  cluster.Isolate(cut, true);
  const auto start = Clock::now();
  auto answer = cluster.Client(cut, 30000)->PostJson("/v1/certificates", ProductCredential("CUT1"));
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.status().IsUnavailable());
  // Well before commit_timeout_ms (10 s): two election timeouts of no leader.
  CHECK(waited.count() < 8000);
  MESSAGE("a write to a cut-off validator failed after " << waited.count() << " ms");
  // The majority kept going meanwhile, and the node catches up once healed.
  REQUIRE(cluster.Client(*leader)->PostJson("/v1/certificates", ProductCredential("CUT2")).ok());
  cluster.Isolate(cut, false);
  REQUIRE(cluster.WaitForLeader());  // the links come back with the transport's backoff
  Json later = ProductCredential("CUT3");
  auto rejoined = cluster.Client(cut, 30000)->PostJson("/v1/certificates", later);
  REQUIRE_MESSAGE(rejoined.ok(), rejoined.status().ToString());
  CHECK(cluster.Client(*leader)->GetJson(CertPath(later["id"])).ok());
}

// A counter of node i's /metrics, or -1.
double Metric(TestCluster& cluster, int i, const std::string& name) {
  auto text = cluster.OpsClient(i)->GetText("/metrics");
  if (!text.ok()) return -1;
  const size_t at = text->find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text->substr(at + name.size() + 2));
}

// docs/operations.md#backups and #restore: backups of a follower taken with
// `frontera backup` while it takes writes; it then loses its data directory,
// the operator restores a backup into a fresh one, and the node catches up
// and serves the same ledger and proofs as the others.
TEST_CASE("a backup of a running validator under writes restores into one that catches up") {
  TestCluster cluster(3, "[proposer]\nlog_retain_entries = 4\n[backup]\nkeep_max = 2\n",
                      "snapshot_interval_entries = 16\n");
  cluster.StartAll();
  auto leader = cluster.WaitForLeader();
  REQUIRE(leader);
  const int b = (*leader + 1) % 3;
  const std::string name = cluster.name(b);
  Load load(cluster, 3);
  REQUIRE(AwaitProgress(load, 30));
  std::string first_id;
  for (const auto& [serial, ids] : load.acknowledged()) {
    if (ids.size() == 1) {
      first_id = ids.front();
      break;
    }
  }
  REQUIRE(!first_id.empty());
  std::vector<Json> backups;
  for (int k = 0; k < 3; ++k) {
    std::string out;
    const int code = RunCommand(
        {BinaryPath("tools/frontera"), "backup", "--ops", cluster.ops_url(b), "--json"}, &out);
    REQUIRE_MESSAGE(code == 0, out);
    backups.push_back(Json::parse(out));
    REQUIRE(AwaitProgress(load, 10));
  }
  const std::filesystem::path data = std::filesystem::path(cluster.dir()) / "data" / name;
  // keep_max = 2: the third removed the first.
  CHECK(backups[2]["removed"] == Json::array({backups[0]["path"]}));
  CHECK_FALSE(std::filesystem::exists(backups[0]["path"].get<std::string>()));
  const Json& manifest = backups[1];
  CHECK(manifest["validator"] == name);
  CHECK(std::filesystem::path(manifest["path"].get<std::string>()).parent_path() ==
        data / "backups");
  CHECK(manifest["keep_separately"]["key_file"].get<std::string>().ends_with("keys/" + name +
                                                                             ".key"));
  CHECK(manifest["keep_separately"]["genesis_file"] == cluster.genesis_path());
  CHECK(manifest["ledger"]["block_height"].get<uint64_t>() > 0);
  CHECK(manifest["ledger"]["applied_index"].get<uint64_t>() >=
        manifest["raft_log"]["snapshot_index"].get<uint64_t>());
  for (const char* part : {"state", "raft", "audit", "MANIFEST.json"}) {
    CHECK_MESSAGE(std::filesystem::exists(manifest["path"].get<std::string>() + "/" + part), part);
  }
  // The human form names the backup and what to keep beside it.
  std::string text;
  REQUIRE(RunCommand({BinaryPath("tools/frontera"), "backup", "--ops", cluster.ops_url(b)},
                     &text) == 0);
  CHECK(text.find("backup of " + name + " written to " + (data / "backups").string()) !=
        std::string::npos);
  CHECK(text.find("key_file") != std::string::npos);

  // The disk is lost; the third backup (the fourth removed the second) comes
  // back as the data directory.
  cluster.Terminate(b);
  load.SetDown(b, true);
  const std::filesystem::path kept_backup =
      data.string() + ".lost/backups/" +
      std::filesystem::path(backups[2]["path"].get<std::string>()).filename().string();
  std::filesystem::rename(data, data.string() + ".lost");
  std::filesystem::copy(kept_backup, data, std::filesystem::copy_options::recursive);
  REQUIRE(AwaitProgress(load, 10));
  cluster.Start(b);
  load.SetDown(b, false);
  REQUIRE(AwaitProgress(load, 10));
  load.Stop();
  CheckConverged(cluster, load);
  // Same inclusion proof under the same checkpoint (origin, tree size, root)
  // from the restored node; each node's note carries the co-signatures it
  // gathered, a majority but not always the same one.
  auto checkpoint_body = [](const Json& proof) {
    const std::string note = proof["checkpoint"].get<std::string>();
    return note.substr(0, note.find("\n\n"));
  };
  for (const std::string& id : {first_id, load.acknowledged().rbegin()->second.front()}) {
    CAPTURE(id);
    auto restored = cluster.Client(b)->GetJson(CertPath(id) + "/proof");
    auto other = cluster.Client(*leader)->GetJson(CertPath(id) + "/proof");
    REQUIRE_MESSAGE(restored.ok(), restored.status().ToString());
    REQUIRE(other.ok());
    CHECK(checkpoint_body(*restored) == checkpoint_body(*other));
    for (const char* member : {"leaf_index", "leaf_hash", "tree_size", "inclusion"}) {
      CHECK_MESSAGE((*restored)[member] == (*other)[member], member);
    }
  }
}

TEST_CASE("a validator far behind catches up by snapshot after the log was compacted") {
  TestCluster cluster(3, "[proposer]\nlog_retain_entries = 4\n",
                      "snapshot_interval_entries = 16\n");
  cluster.StartAll();
  auto leader = cluster.WaitForLeader();
  REQUIRE(leader);
  const int lagging = (*leader + 1) % 3;
  cluster.Kill(lagging);
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) {
    Json credential = ProductCredential("SNAP" + std::to_string(i));
    auto receipt = cluster.Client(*leader)->PostJson("/v1/certificates", credential);
    REQUIRE_MESSAGE(receipt.ok(), receipt.status().ToString());
    ids.push_back(credential["id"]);
  }
  CHECK(Metric(cluster, *leader, "frontera_snapshots_taken_total") >= 2);
  // The leader compacted its log past the lagging node's entries, so only a
  // snapshot can bring it back (/metrics shows both).
  CHECK(Metric(cluster, *leader, "frontera_raft_log_compactions_total") >= 1);
  CHECK(Metric(cluster, *leader, "frontera_raft_first_index") > 1);
  cluster.Start(lagging);
  auto status = cluster.Status(*leader);
  REQUIRE(status);
  if (!cluster.WaitApplied((*status)["raft"]["commit_index"].get<uint64_t>())) {
    for (int i = 0; i < 3; ++i) {
      auto s = cluster.Status(i);
      MESSAGE(cluster.name(i) << ": " << (s ? s->dump() : std::string("unreachable")));
      std::ifstream log(cluster.dir() + "/" + cluster.name(i) + ".port.log");
      std::stringstream text;
      text << log.rdbuf();
      MESSAGE(cluster.name(i) << " log:\n" << text.str());
    }
    FAIL("the lagging validator did not catch up");
  }
  CHECK(Metric(cluster, lagging, "frontera_snapshots_installed_total") >= 1);
  CHECK(Metric(cluster, *leader, "frontera_snapshots_sent_total") >= 1);
  // What the operators' logs say about it.
  auto log_of = [&](int i) {
    std::ifstream log(cluster.dir() + "/" + cluster.name(i) + ".port.log");
    std::stringstream text;
    text << log.rdbuf();
    return text.str();
  };
  const std::string leader_log = log_of(*leader);
  const std::string leader_tag = "[" + cluster.name(*leader) + "] ";
  CHECK(leader_log.find(leader_tag + "became leader in term ") != std::string::npos);
  CHECK(leader_log.find(leader_tag + "took a snapshot at log index ") != std::string::npos);
  CHECK(leader_log.find(leader_tag + "compacted the Raft log up to the snapshot") !=
        std::string::npos);
  const std::string lagging_log = log_of(lagging);
  CHECK_MESSAGE(lagging_log.find("verified a snapshot at log index") != std::string::npos,
                lagging_log);
  CHECK(lagging_log.find("recovered: ledger ") != std::string::npos);
  for (const std::string& id : ids) {
    CHECK(cluster.Client(lagging)->GetJson(CertPath(id)).ok());
  }
  auto caught_up = cluster.Status(lagging);
  REQUIRE(caught_up);
  CHECK((*caught_up)["ledger"]["root"] == (*status)["ledger"]["root"]);
  // And it keeps following: a new write reaches it.
  Json later = ProductCredential("SNAP-after");
  REQUIRE(cluster.Client(lagging)->PostJson("/v1/certificates", later).ok());
  CHECK(cluster.Client(*leader)->GetJson(CertPath(later["id"])).ok());
}

TEST_CASE("a validator that caught up by snapshot leads and brings a replaced validator up") {
  // A snapshot interval of 16 and 4 entries kept behind it: 60 writes make
  // the leader compact its log past index 48 (appends queued for the dead
  // node while it was down cover only the first max_inflight_appends).
  TestCluster cluster(3, "[proposer]\nlog_retain_entries = 4\n",
                      "snapshot_interval_entries = 16\n");
  cluster.StartAll();
  auto first = cluster.WaitForLeader();
  REQUIRE(first);
  const int a = *first, b = (a + 1) % 3, c = (a + 2) % 3;
  cluster.Kill(c);
  std::vector<std::string> ids;
  auto issue = [&](int node, const std::string& serial) {
    Json credential = ProductCredential(serial);
    auto receipt = cluster.Client(node, 30000)->PostJson("/v1/certificates", credential);
    REQUIRE_MESSAGE(receipt.ok(), serial << ": " << receipt.status().ToString());
    ids.push_back(credential["id"]);
  };
  for (int i = 0; i < 60; ++i) issue(a, "HOP" + std::to_string(i));
  // The leader compacts on its timer, a few ticks after the snapshot.
  for (int i = 0; i < 200 && (*cluster.Status(a))["raft"]["first_index"].get<uint64_t>() <= 40;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE((*cluster.Status(a))["raft"]["first_index"].get<uint64_t>() > 40);
  // c comes back behind the compacted log: it installs a's snapshot, and
  // its own log now starts after that snapshot.
  cluster.Start(c);
  REQUIRE(cluster.WaitApplied((*cluster.Status(a))["raft"]["commit_index"].get<uint64_t>()));
  CHECK(Metric(cluster, c, "frontera_snapshots_installed_total") >= 1);
  // b's machine is replaced (empty data directory), and a hands its
  // leadership to c and stops. c can only send b the snapshot it installed.
  cluster.Kill(b);
  std::filesystem::remove_all(cluster.dir() + "/data/" + cluster.name(b));
  cluster.Terminate(a);
  cluster.Start(b);
  auto leader = cluster.WaitForLeader(30000);
  REQUIRE(leader);
  CHECK(*leader == c);
  issue(c, "HOP-after");
  REQUIRE(cluster.WaitApplied((*cluster.Status(c))["raft"]["commit_index"].get<uint64_t>()));
  CHECK(Metric(cluster, b, "frontera_snapshots_installed_total") >= 1);
  for (const std::string& id : ids) CHECK(cluster.Client(b)->GetJson(CertPath(id)).ok());
  CHECK((*cluster.Status(b))["ledger"]["root"] == (*cluster.Status(c))["ledger"]["root"]);
}

crypto::KeyPair SeedKey(uint8_t fill);

// A validator or observer the agencies add after the genesis: its own key
// and config, started outside the TestCluster (it dials the genesis
// validators at their genesis addresses; they dial it once the ledger lists
// it).
struct ExtraNode {
  ExtraNode(const TestCluster& cluster, const std::string& name, uint8_t fill)
      : name(name),
        api_port(FreeLoopbackPort()),
        peer_port(FreeLoopbackPort()),
        key(SeedKey(fill)) {
    did = crypto::DidKeyFromPublicKey(key.public_key());
    config = cluster.dir() + "/" + name + ".toml";
    REQUIRE(crypto::WriteKeyFile(cluster.dir() + "/keys/" + name + ".key", key).ok());
    std::ofstream(config)
        << "[node]\nname = \"" << name << "\"\ndata_dir = \"data/" << name
        << "\"\nkey_file = \"keys/" << name
        << ".key\"\ngenesis_file = \"genesis.json\"\n[api]\nallow_plain_http = true\nport = "
        << api_port << "\n[raft]\nlisten = \"127.0.0.1:" << peer_port << "\"\ntick_ms = 50\n";
    port_file = cluster.dir() + "/" + name + ".port";
  }
  void Start() { process = std::make_unique<NodeProcess>(config, port_file); }
  std::unique_ptr<api::Client> Client() const { return process->Client(); }
  Json Validator(const std::string& role) const {
    return {{"did", did},
            {"name", name},
            {"role", role},
            {"peer", "127.0.0.1:" + std::to_string(peer_port)},
            {"api", "http://127.0.0.1:" + std::to_string(api_port)}};
  }

  std::string name;
  int api_port;
  int peer_port;
  crypto::KeyPair key;
  std::string did;
  std::string config;
  std::string port_file;
  std::unique_ptr<NodeProcess> process;
};

crypto::KeyPair SeedKey(uint8_t fill) {
  crypto::Seed seed{};
  seed.fill(fill);
  return crypto::KeyPair::FromSeed(seed);
}

// `doc` with a proof set: one proof per key, the first key its issuer.
Json SignedByKeys(Json doc, const std::vector<crypto::KeyPair>& keys) {
  doc["issuer"] = crypto::DidKeyFromPublicKey(keys.front().public_key());
  for (const crypto::KeyPair& key : keys) {
    crypto::ProofOptions options;
    options.created = "2026-12-01T10:00:00Z";
    options.verification_method = crypto::VerificationMethodFromPublicKey(key.public_key());
    auto signed_doc = crypto::AddProof(doc, options, key);
    REQUIRE_MESSAGE(signed_doc.ok(), signed_doc.status().ToString());
    doc = std::move(signed_doc).value();
  }
  return doc;
}

Json Governance(const std::string& type, int serial) {
  char id[64];
  std::snprintf(id, sizeof id, "urn:uuid:00000000-0000-4000-9000-%012d", serial);
  return {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
          {"type", type},
          {"id", id}};
}

crypto::KeyPair AgencyKey(const std::string& agency) { return ExampleParties().at(agency).key; }

// Polls `done` for up to `timeout_ms`.
template <typename Fn>
bool WaitFor(Fn done, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

// The Raft role GET /v1/validators on `client`'s node gives `name`
// ("voter", "observer", "none"), "" when it lists no such validator.
std::string RaftRole(api::Client& client, const std::string& name) {
  auto answer = client.GetJson("/v1/validators");
  if (!answer.ok()) return "";
  for (const Json& v : (*answer)["validators"]) {
    if (v["name"] == name) return v["raft"].get<std::string>();
  }
  return "";
}

TEST_CASE("under load, the agencies add a validator and an observer, remove one, replace a key") {
  TestCluster cluster(3);
  cluster.StartAll();
  REQUIRE(cluster.WaitForLeader());
  Load load(cluster, 4);
  REQUIRE(AwaitProgress(load, 20));
  int serial = 0;
  const auto post = [&](const std::string& path, const Json& doc) {
    return cluster.Client(0, 30000)->PostJson(path, doc);
  };
  // On a failed wait: every node's status and log, then the failure.
  std::vector<const ExtraNode*> extra;
  const auto wait_or_dump = [&](const std::function<bool()>& done, const std::string& what) {
    if (WaitFor(done, 60000)) return;
    const auto dump = [](const std::string& name, const std::string& log_path,
                         const std::optional<Json>& status) {
      std::ifstream log(log_path);
      std::stringstream text;
      text << log.rdbuf();
      MESSAGE(name << ": " << (status ? status->dump() : std::string("unreachable")) << "\n"
                   << name << " log:\n"
                   << text.str());
    };
    for (int i = 0; i < cluster.size(); ++i) {
      dump(cluster.name(i), cluster.dir() + "/" + cluster.name(i) + ".port.log", cluster.Status(i));
    }
    for (const ExtraNode* node : extra) {
      auto status = node->process ? node->process->OpsClient()->GetJson("/v1/status")
                                  : Result<Json>(Status::Unavailable("stopped"));
      dump(node->name, node->port_file + ".log",
           status.ok() ? std::optional<Json>(*status) : std::nullopt);
    }
    FAIL(what);
  };
  const auto us = AgencyKey("us-cbp");
  const auto mx = AgencyKey("mx-anam");
  const auto ca = AgencyKey("ca-cbsa");

  // 1. A fourth validator: added by two of the three agencies, it joins as
  //    a learner, catches up, and is promoted to voter by the leader.
  //    ANAM's validator is down meanwhile: it misses the co-signatures of
  //    the block that made us-cbp-2 a voter and must fetch that link of the
  //    voter chain from its peers once it is back.
  load.SetDown(1, true);
  cluster.Terminate(1);
  ExtraNode fourth(cluster, "us-cbp-2", 0x41);
  fourth.Start();
  extra.push_back(&fourth);
  Json add = Governance("ValidatorAddition", ++serial);
  add["validator"] = fourth.Validator("voter");
  auto one_agency = post("/v1/validators", SignedByKeys(add, {us}));
  CHECK(one_agency.status().IsPermissionDenied());
  auto added = post("/v1/validators", SignedByKeys(add, {us, mx}));
  REQUIRE_MESSAGE(added.ok(), added.status().ToString());
  CHECK((*added)["id"] == fourth.did);
  wait_or_dump([&] { return RaftRole(*cluster.Client(0), "us-cbp-2") == "voter"; },
               "us-cbp-2 did not become a voter");
  REQUIRE(AwaitProgress(load, 20));
  cluster.Start(1);
  // Caught up (with the new membership) before the next change: a node that
  // misses a removal and then a new leader's election cannot count that
  // leader's certificate (docs/consensus.md, "A node that missed changes").
  wait_or_dump(
      [&] {
        auto leader = cluster.Status(0);
        auto mx_status = cluster.Status(1);
        return leader && mx_status && (*mx_status)["raft"]["voters"].size() == 4 &&
               (*mx_status)["raft"]["applied_index"].get<uint64_t>() >=
                   (*leader)["raft"]["commit_index"].get<uint64_t>();
      },
      "mx-anam did not catch up after its restart");
  load.SetDown(1, false);

  // 2. An observer: replicates and serves reads, never votes.
  ExtraNode observer(cluster, "us-cbp-obs", 0x42);
  observer.Start();
  extra.push_back(&observer);
  Json watch = Governance("ValidatorAddition", ++serial);
  watch["validator"] = observer.Validator("observer");
  REQUIRE(post("/v1/validators", SignedByKeys(watch, {mx, ca})).ok());
  wait_or_dump([&] { return RaftRole(*cluster.Client(0), "us-cbp-obs") == "observer"; },
               "us-cbp-obs did not become an observer");
  // A write posted to the observer is forwarded to the leader and answered
  // once committed; a linearizable read there sees it: never a 404, at most
  // a 503 "retry" while the observer applies up to the read index (under
  // TSan and the load, it can lag by more than the read's wait).
  const Json via_observer = ProductCredential("OBS-1");
  REQUIRE(WaitFor(
      [&] { return observer.Client()->PostJson("/v1/certificates", via_observer).ok(); }, 20000));
  Result<Json> read_at_observer = Status::Unavailable("not read yet");
  WaitFor(
      [&] {
        read_at_observer =
            observer.Client()->GetJson(CertPath(via_observer["id"].get<std::string>()));
        return !read_at_observer.status().IsUnavailable();
      },
      20000);
  CHECK_MESSAGE(read_at_observer.ok(), read_at_observer.status().ToString());

  // 3. ANAM's agency key is replaced by a majority of the agencies: the old
  //    key no longer counts, the new one does.
  const crypto::KeyPair mx_new = SeedKey(0x43);
  Json rotation = Governance("PartyKeyRotation", ++serial);
  rotation["party"] = ExampleParties().at("mx-anam").did;
  rotation["newKey"] = crypto::DidKeyFromPublicKey(mx_new.public_key());
  auto rotated = post("/v1/parties", SignedByKeys(rotation, {us, ca}));
  REQUIRE_MESSAGE(rotated.ok(), rotated.status().ToString());

  // 4. CBSA's validator is removed (signed with ANAM's new key; the old one
  //    is refused), while the load keeps going to the other nodes. ANAM's
  //    validator is down again: when CBSA led, the voters elect a new leader
  //    among themselves, whose certificate ANAM (still knowing CBSA as a
  //    voter) counts among the voters the voter chain's new link names.
  //    CBSA is made the leader first (a stopped leader hands over; the
  //    leader is restarted until CBSA leads, a few times at most), so that
  //    its removal is followed by an election among the others.
  const auto leader_name = [&]() {
    std::string name;
    WaitFor(
        [&] {
          auto status = cluster.Status(2);
          if (!status || (*status)["raft"]["leader"].is_null()) return false;
          name = (*status)["raft"]["leader"].get<std::string>();
          return true;
        },
        10000);
    return name;
  };
  for (int attempt = 0; attempt < 6; ++attempt) {
    const std::string leading = leader_name();
    if (leading == "ca-cbsa") break;
    if (leading == "us-cbp") {
      load.SetDown(0, true);
      cluster.Terminate(0);
      cluster.Start(0);
      load.SetDown(0, false);
    } else if (leading == "us-cbp-2") {
      fourth.process->Terminate();
      fourth.Start();
    } else if (leading == "mx-anam") {
      load.SetDown(1, true);
      cluster.Terminate(1);
      cluster.Start(1);
      load.SetDown(1, false);
    }
  }
  MESSAGE("before CBSA's removal, " << leader_name() << " leads");
  load.SetDown(2, true);
  load.SetDown(1, true);
  cluster.Terminate(1);
  // The restarts above settle first (slow under a sanitizer).
  REQUIRE(!leader_name().empty());
  Json removal = Governance("ValidatorRemoval", ++serial);
  removal["validator"] = ExampleParties().at("ca-cbsa").did;
  removal["reason"] = "hardware retired";
  CHECK(post("/v1/validators", SignedByKeys(removal, {us, mx})).status().IsPermissionDenied());
  removal["id"] = Governance("", ++serial)["id"];
  // Retried while no leader answers: the same document again is a retry.
  Result<Json> removed = Status::Unavailable("not posted");
  WaitFor(
      [&] {
        removed = post("/v1/validators", SignedByKeys(removal, {us, mx_new}));
        return !removed.status().IsUnavailable();
      },
      30000);
  REQUIRE_MESSAGE((removed.ok() || removed.status().IsAlreadyExists()),
                  removed.status().ToString());
  wait_or_dump([&] { return RaftRole(*cluster.Client(0), "ca-cbsa") == "none"; },
               "ca-cbsa's removal was not reached");
  auto status = cluster.OpsClient(0)->GetJson("/v1/status");
  REQUIRE(status.ok());
  CHECK((*status)["raft"]["voters"].size() == 3);
  CHECK((*status)["raft"]["observers"] == Json::array({"us-cbp-obs"}));
  cluster.Terminate(2);
  REQUIRE(AwaitProgress(load, 30));
  cluster.Start(1);
  load.SetDown(1, false);
  REQUIRE(AwaitProgress(load, 20));
  load.Stop();

  // No acknowledged write lost: every one is on the voters and the observer.
  std::vector<std::unique_ptr<api::Client>> readers;
  readers.push_back(cluster.Client(0));
  readers.push_back(cluster.Client(1));
  readers.push_back(fourth.Client());
  readers.push_back(observer.Client());
  // Their operational listeners, for the Raft state.
  std::vector<std::unique_ptr<api::Client>> ops;
  ops.push_back(cluster.OpsClient(0));
  ops.push_back(cluster.OpsClient(1));
  ops.push_back(fourth.process->OpsClient());
  ops.push_back(observer.process->OpsClient());
  // The leader's commit index (the leader may be any voter, us-cbp-2 too).
  uint64_t commit = 0;
  wait_or_dump(
      [&] {
        for (size_t i = 0; i < 3; ++i) {
          auto s = ops[i]->GetJson("/v1/status");
          if (s.ok() && (*s)["role"] == "leader") {
            commit = (*s)["raft"]["commit_index"].get<uint64_t>();
            return true;
          }
        }
        return false;
      },
      "no leader among the voters");
  const auto applied = [&](api::Client& client) {
    auto s = client.GetJson("/v1/status");
    return s.ok() && (*s)["raft"]["applied_index"].get<uint64_t>() >= commit;
  };
  for (size_t i = 0; i < readers.size(); ++i) {
    wait_or_dump([&] { return applied(*ops[i]); },
                 "reader " + std::to_string(i) + " did not apply " + std::to_string(commit));
  }
  size_t checked = 0;
  std::string last;
  for (const auto& [serial_text, ids] : load.acknowledged()) {
    CHECK(ids.size() == 1);
    for (auto& r : readers) CHECK(r->GetJson(CertPath(ids.front())).ok());
    last = ids.front();
    ++checked;
  }
  REQUIRE(checked > 0);
  // The observer serves the checkpoint and the proofs the voters serve: the
  // same signed text (each node keeps the first majority of voters' signatures
  // it gathered, so the signature lines may be another majority's).
  const auto body = [](const std::string& note) { return note.substr(0, note.find("\n\n")); };
  wait_or_dump(
      [&] {
        auto a = readers[0]->GetText("/v1/checkpoint");
        auto b = readers[3]->GetText("/v1/checkpoint");
        return a.ok() && b.ok() && body(*a) == body(*b);
      },
      "the observer's checkpoint is not the voters'");
  auto voter_proof = readers[0]->GetJson(CertPath(last) + "/proof");
  auto observer_proof = readers[3]->GetJson(CertPath(last) + "/proof");
  REQUIRE(voter_proof.ok());
  REQUIRE(observer_proof.ok());
  for (Json* proof : {&*voter_proof, &*observer_proof}) {
    (*proof)["checkpoint"] = body((*proof)["checkpoint"].get<std::string>());
  }
  CHECK(*voter_proof == *observer_proof);

  // Every node, the restarted one included, serves a trust bundle whose voter
  // chain leads from the genesis validators to today's voters through the
  // promotion and the removal; an inspector's CLI verifies it against the
  // genesis file alone, and the checkpoint signed by today's voters counts.
  const std::vector<std::string> urls = {cluster.url(0), cluster.url(1),
                                         "http://127.0.0.1:" + std::to_string(fourth.api_port),
                                         "http://127.0.0.1:" + std::to_string(observer.api_port)};
  for (size_t i = 0; i < readers.size(); ++i) {
    Json bundle;
    wait_or_dump(
        [&] {
          auto b = readers[i]->GetJson("/v1/trust-bundle");
          if (!b.ok() || (*b)["voter_changes"].size() != 2) return false;
          bundle = *b;
          return true;
        },
        urls[i] + " served no trust bundle with both voter changes");
    std::vector<std::string> voters;
    for (const Json& v : bundle["voters"]) voters.push_back(v["name"].get<std::string>());
    CHECK(voters == std::vector<std::string>{"us-cbp", "mx-anam", "us-cbp-2"});
    CHECK(bundle["voter_changes"][1]["voters"] == bundle["voters"]);
    Cli inspector{urls[i], cluster.genesis_path(),
                  cluster.dir() + "/trust-" + std::to_string(i) + ".json"};
    std::string out;
    CHECK_MESSAGE(inspector.Run({"trust", "sync"}, &out) == 0, out);
    CHECK_MESSAGE(out.find("of 3 voters signed") != std::string::npos, out);
    CHECK_MESSAGE(inspector.Run({"trust", "show"}, &out) == 0, out);
    CHECK_MESSAGE(out.find("2 voter changes") != std::string::npos, out);
  }
  MESSAGE("membership changes under load: " << checked
                                            << " acknowledged certificates on 3 voters and the "
                                               "observer; observer proofs identical");
}

}  // namespace
}  // namespace frontera::e2e
