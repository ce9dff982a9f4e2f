// RaftDriver: the raft thread's decisions, driven without threads or clocks
// over real RaftLogStores (issue 9, "one driver"). A small network of
// drivers here stands in for the transport: what a driver hands out is
// delivered, dropped or held as each test says.
#include "node/raft_driver.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/raft_log_store.h"
#include "tests/temp_dir.h"

namespace frontera::node {
namespace {

using consensus::Entry;
using consensus::EntryType;
using consensus::Message;
using consensus::MessageType;
using consensus::NodeId;
using consensus::Role;

constexpr int64_t kTickMs = 100;

QueuedDocument Doc(const std::string& text) {
  ledger::ProposedDocument d;
  d.canonical = "{\"doc\":\"" + text + "\"}";
  return {DocumentKey(d), d};
}

// The documents of the committed proposals, in commit order.
std::vector<std::string> CommittedDocs(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const Entry& e : entries) {
    if (e.type != EntryType::kNormal) continue;
    auto p = ledger::DecodeProposal(e.data);
    REQUIRE(p.ok());
    for (const auto& d : p->documents) out.push_back(d.canonical);
  }
  return out;
}

class Network {
 public:
  struct Node {
    std::string dir;
    std::unique_ptr<storage::RaftLogStore> store;
    std::unique_ptr<RaftDriver> driver;
    std::vector<Entry> applied;
    std::vector<consensus::ReadState> reads;
    std::vector<std::string> failed;
    std::vector<DriverActions::Forward> forwards;
    std::vector<std::string> discarded;
    std::vector<Message> snapshot_streams;
    std::optional<DriverActions::Install> install;
  };

  Network(const testing::TempDir& tmp, size_t nodes, NodeConfig config = {}) : config_(config) {
    for (NodeId id = 1; id <= nodes; ++id) {
      auto n = std::make_unique<Node>();
      n->dir = tmp.Sub("n" + std::to_string(id));
      nodes_.push_back(std::move(n));
    }
    for (NodeId id = 1; id <= nodes; ++id) Open(id);
  }

  Node& at(NodeId id) { return *nodes_[id - 1]; }
  RaftDriver& driver(NodeId id) { return *at(id).driver; }
  int64_t now() const { return now_ms_; }

  // Opens (or reopens, after Close) node id's store and driver.
  void Open(NodeId id) {
    Node& n = at(id);
    auto store = storage::RaftLogStore::Open(n.dir, storage::KvOptions{});
    REQUIRE(store.ok());
    n.store = std::move(store).value();
    consensus::RaftConfig core;
    core.id = id;
    for (NodeId p = 1; p <= nodes_.size(); ++p) core.peers.push_back(p);
    core.election_ticks = config_.raft.election_ticks;
    core.heartbeat_ticks = config_.raft.heartbeat_ticks;
    core.seed = id * 7919;
    core.applied_index = n.applied.empty() ? n.store->Snapshot().index : n.applied.back().index;
    auto driver = RaftDriver::Create(config_, core, n.store.get(), id << 32);
    REQUIRE(driver.ok());
    n.driver = std::move(driver).value();
  }
  void Close(NodeId id) {
    at(id).driver.reset();
    at(id).store.reset();
  }
  bool Up(NodeId id) { return at(id).driver != nullptr; }

  // Drops what `drop` selects (messages and forwards) until reset.
  std::function<bool(NodeId from, NodeId to)> drop = [](NodeId, NodeId) { return false; };

  // One round: every node observes the time, ticks (when `tick`), runs and
  // its actions are carried out; then every message sent is delivered.
  void Round(bool tick) {
    if (tick) now_ms_ += kTickMs;
    for (NodeId id = 1; id <= nodes_.size(); ++id) {
      if (!Up(id)) continue;
      Node& n = at(id);
      RaftDriver::Observation o;
      o.steady_ms = now_ms_;
      o.unix_ms = 1'800'000'000'000 + now_ms_;
      o.applied_index = n.applied.empty() ? 0 : n.applied.back().index;
      n.driver->Observe(o);
      if (tick) n.driver->Tick();
      auto actions = n.driver->Run();
      REQUIRE(actions.ok());
      Carry(id, std::move(actions).value());
    }
    std::vector<Message> sent;
    sent.swap(wire_);
    for (Message& m : sent) {
      if (!Up(m.to) || drop(m.from, m.to)) continue;
      (void)driver(m.to).Receive(m, std::nullopt);
    }
  }
  void Ticks(int n) {
    for (int i = 0; i < n; ++i) Round(true);
  }
  NodeId Leader() {
    for (NodeId id = 1; id <= nodes_.size(); ++id) {
      if (Up(id) && driver(id).raft().role() == Role::kLeader) return id;
    }
    return consensus::kNoNode;
  }
  NodeId ElectLeader() {
    for (int i = 0; i < 200 && Leader() == consensus::kNoNode; ++i) Round(true);
    REQUIRE(Leader() != consensus::kNoNode);
    Ticks(3);  // followers learn it
    return Leader();
  }

  uint64_t forwards_delivered = 0;
  int lose_forwards = 0;  // the next this many forwards are lost

 private:
  void Carry(NodeId id, DriverActions a) {
    Node& n = at(id);
    for (Message& m : a.messages) wire_.push_back(std::move(m));
    for (Message& m : a.snapshot_streams) n.snapshot_streams.push_back(std::move(m));
    for (DriverActions::Forward& f : a.forwards) {
      n.forwards.push_back(f);
      if (lose_forwards > 0) {
        --lose_forwards;
        continue;
      }
      if (drop(id, f.leader) || !Up(f.leader)) continue;
      // The leader admits forwarded documents into its own queue.
      for (auto& d : f.proposal.documents) {
        std::string key = DocumentKey(d);
        driver(f.leader).Submit({key, d});
        ++forwards_delivered;
      }
    }
    for (Entry& e : a.committed) n.applied.push_back(std::move(e));
    for (auto& r : a.reads) n.reads.push_back(r);
    for (auto& k : a.failed_writes) n.failed.push_back(k);
    for (auto& d : a.discard) n.discarded.push_back(d);
    if (a.install) n.install = a.install;
  }

  NodeConfig config_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Message> wire_;
  int64_t now_ms_ = 0;
};

TEST_CASE("a document submitted at a follower is forwarded, committed everywhere, once") {
  testing::TempDir tmp("driver");
  Network net(tmp, 3);
  const NodeId leader = net.ElectLeader();
  const NodeId follower = leader % 3 + 1;
  REQUIRE(net.driver(follower).Submit(Doc("a")));
  net.Ticks(5);
  CHECK(net.at(follower).forwards.size() == 1);
  for (NodeId id = 1; id <= 3; ++id) {
    CHECK(CommittedDocs(net.at(id).applied) == std::vector<std::string>{"{\"doc\":\"a\"}"});
  }
  // Committed: never forwarded again, however long the follower waits.
  net.Ticks(100);
  CHECK(net.at(follower).forwards.size() == 1);
  CHECK(net.forwards_delivered == 1);
}

TEST_CASE("a lost forward is sent again after the retry time, and committed once") {
  testing::TempDir tmp("driver");
  Network net(tmp, 3);
  const NodeId leader = net.ElectLeader();
  const NodeId follower = leader % 3 + 1;
  net.lose_forwards = 1;
  REQUIRE(net.driver(follower).Submit(Doc("b")));
  net.Ticks(20);  // 2 s: within the retry time, nothing is sent again
  CHECK(net.at(follower).forwards.size() == 1);
  CHECK(CommittedDocs(net.at(leader).applied).empty());
  net.Ticks(25);
  CHECK(net.at(follower).forwards.size() == 2);
  for (NodeId id = 1; id <= 3; ++id) {
    CHECK(CommittedDocs(net.at(id).applied) == std::vector<std::string>{"{\"doc\":\"b\"}"});
  }
  net.Ticks(50);
  CHECK(net.at(follower).forwards.size() == 2);
}

TEST_CASE("cut off from a majority, waiting writes fail after two election timeouts") {
  testing::TempDir tmp("driver");
  Network net(tmp, 3);
  const NodeId leader = net.ElectLeader();
  const NodeId follower = leader % 3 + 1;
  // The follower hears no one.
  net.drop = [&](NodeId from, NodeId to) { return from == follower || to == follower; };
  const QueuedDocument doc = Doc("c");
  REQUIRE(net.driver(follower).Submit(doc));
  net.Ticks(5);
  CHECK(net.at(follower).failed.empty());  // still trusts its leader
  net.Ticks(60);
  CHECK(net.at(follower).failed == std::vector<std::string>{doc.key});
  CHECK(net.driver(follower).queued() == 0);
}

TEST_CASE("read rounds: the context handed out comes back with the leader's commit index") {
  testing::TempDir tmp("driver");
  Network net(tmp, 3);
  const NodeId leader = net.ElectLeader();
  const NodeId follower = leader % 3 + 1;
  REQUIRE(net.driver(leader).Submit(Doc("d")));
  net.Ticks(3);
  const auto context = net.driver(follower).StartRead();
  REQUIRE(context);
  CHECK(*context == (uint64_t{follower} << 32));  // this process's own start
  net.Ticks(8);
  REQUIRE(net.at(follower).reads.size() == 1);
  CHECK(net.at(follower).reads[0].context == *context);
  CHECK(net.at(follower).reads[0].index == net.driver(leader).raft().commit_index());
}

TEST_CASE("a snapshot message needs its files; refused ones are handed back for deletion") {
  testing::TempDir tmp("driver");
  Network net(tmp, 3);
  const NodeId leader = net.ElectLeader();
  const NodeId follower = leader % 3 + 1;
  Message m;
  m.type = MessageType::kSnapshot;
  m.from = leader;
  m.to = follower;
  m.term = net.driver(follower).raft().current_term();
  m.snapshot = {1, 0};  // term 0 with index 1: broken
  CHECK_FALSE(net.driver(follower).Receive(m, std::nullopt).ok());
  CHECK_FALSE(net.driver(follower).Receive(m, std::string("/staged/1")).ok());
  net.Round(false);
  CHECK(net.at(follower).discarded == std::vector<std::string>{"/staged/1"});
  CHECK_FALSE(net.at(follower).install);
}

TEST_CASE("compaction waits for a verifiable snapshot and log_retain_entries behind it") {
  testing::TempDir tmp("driver");
  NodeConfig config;
  config.proposer.log_retain_entries = 5;
  Network net(tmp, 3, config);
  const NodeId leader = net.ElectLeader();
  for (int i = 0; i < 12; ++i) {
    REQUIRE(net.driver(leader).Submit(Doc("e" + std::to_string(i))));
    net.Ticks(2);
  }
  RaftDriver& d = net.driver(leader);
  const uint64_t applied = net.at(leader).applied.back().index;
  REQUIRE(applied >= 12);
  const consensus::SnapshotMeta at_six{6, d.raft().TermAt(6)};
  auto r = d.Compact(at_six, /*verifiable=*/false);
  REQUIRE(r.ok());
  CHECK_FALSE(*r);
  const consensus::SnapshotMeta too_new{applied - 2, d.raft().TermAt(applied - 2)};
  r = d.Compact(too_new, true);
  REQUIRE(r.ok());
  CHECK_FALSE(*r);
  r = d.Compact(at_six, true);
  REQUIRE(r.ok());
  CHECK(*r);
  CHECK(net.at(leader).store->Snapshot().index == 6);
  CHECK(d.raft().first_index() == 7);
}

TEST_CASE("a restarted node rejoins from what its RaftLogStore kept") {
  testing::TempDir tmp("driver");
  Network net(tmp, 3);
  const NodeId leader = net.ElectLeader();
  const NodeId follower = leader % 3 + 1;
  REQUIRE(net.driver(leader).Submit(Doc("f")));
  net.Ticks(3);
  const uint64_t term = net.driver(follower).raft().current_term();
  const uint64_t last = net.driver(follower).raft().last_index();
  net.Close(follower);
  net.Open(follower);
  CHECK(net.driver(follower).raft().current_term() == term);
  CHECK(net.driver(follower).raft().last_index() == last);
  REQUIRE(net.driver(leader).Submit(Doc("g")));
  net.Ticks(10);
  CHECK(CommittedDocs(net.at(follower).applied) ==
        std::vector<std::string>{"{\"doc\":\"f\"}", "{\"doc\":\"g\"}"});
}

TEST_CASE("the same inputs give the same actions") {
  auto run = [](const testing::TempDir& tmp) {
    Network net(tmp, 3);
    net.ElectLeader();
    std::vector<uint64_t> trace;
    for (int i = 0; i < 10; ++i) {
      net.driver(static_cast<NodeId>(i % 3 + 1)).Submit(Doc("h" + std::to_string(i)));
      net.Ticks(2);
      for (NodeId id = 1; id <= 3; ++id) {
        trace.push_back(net.driver(id).raft().commit_index());
        trace.push_back(net.driver(id).raft().current_term());
      }
    }
    net.Ticks(10);
    trace.push_back(net.Leader());
    return std::make_pair(trace, CommittedDocs(net.at(1).applied));
  };
  testing::TempDir a("driver");
  testing::TempDir b("driver");
  const auto first = run(a);
  CHECK(first == run(b));
  CHECK(first.second.size() == 10);
}

}  // namespace
}  // namespace frontera::node
