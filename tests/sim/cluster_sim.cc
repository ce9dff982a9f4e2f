#include "tests/sim/cluster_sim.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <mutex>
#include <sstream>

#include "consensus/codec.h"
#include "node/applied_mark.h"
#include "node/election_signer.h"
#include "tests/sim/sim_documents.h"

namespace frontera::sim {
namespace {

namespace fs = std::filesystem;
using consensus::Entry;
using consensus::EntryType;
using consensus::Message;
using consensus::MessageType;
using consensus::NodeId;
using consensus::Raft;
using consensus::RaftConfig;
using consensus::Role;
using consensus::SnapshotMeta;
using node::DriverActions;

constexpr int64_t kFirstBlockTimeUnixMs = 1796032800000;  // 2026-11-30T10:00:00Z
constexpr size_t kInFlightMax = 3000;                     // the network's queue bound
constexpr size_t kHistoryLines = 120;
constexpr int64_t kTickMs = 100;
// How often (percent) a crash point fires: installs are rare (a few per
// seed that has any), compactions frequent.
constexpr uint64_t kInstallCrashPercent = 20;
constexpr uint64_t kCompactionCrashPercent = 4;

// Small RocksDB settings: a simulated node holds a few hundred kilobytes, and
// tmpfs pays for preallocated WAL space (about 1.1 × the write buffer).
storage::KvOptions SimKvOptions() {
  storage::KvOptions options;
  options.write_buffer_bytes = 256u << 10;
  options.block_cache_bytes = 1u << 20;
  options.max_open_files = 64;
  options.max_background_jobs = 1;
  options.file_opening_threads = 1;
  options.rocksdb_info_log = false;
  return options;
}

std::string MessageText(const Message& m) {
  std::ostringstream out;
  out << MessageTypeName(m.type) << " " << m.from << "->" << m.to << " t" << m.term;
  if (m.type == MessageType::kAppend) {
    out << " prev " << m.index << "/" << m.log_term << " n" << m.entries.size() << " c" << m.commit;
  } else if (m.type == MessageType::kAppendResponse) {
    out << (m.reject ? " reject " : " ok ") << m.index;
  } else if (m.type == MessageType::kSnapshot) {
    out << " snap " << m.snapshot.index << "/" << m.snapshot.term;
  } else if (m.type == MessageType::kReadIndex || m.type == MessageType::kReadIndexResponse ||
             m.type == MessageType::kHeartbeat || m.type == MessageType::kHeartbeatResponse) {
    out << " ctx " << m.context << " i" << m.index << (m.reject ? " reject" : "");
  }
  return out.str();
}

void CopyDir(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::remove_all(to, ec);
  fs::copy(from, to, fs::copy_options::recursive, ec);
  REQUIRE_MESSAGE(!ec, "copy " << from << " to " << to << ": " << ec.message());
}

// An empty store with every column family, made once per parent directory:
// a node starts from a copy of it, because creating the column families costs
// several times more than opening a store that has them.
std::string EmptyStoreTemplate(const std::string& parent_dir) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  const std::string dir = parent_dir + "/empty-store";
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    const std::string building = dir + ".tmp";
    fs::remove_all(building, ec);
    auto store = storage::KvStore::Open(building, SimKvOptions());
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    store->reset();
    fs::rename(building, dir, ec);
    REQUIRE_MESSAGE(!ec, ec.message());
  }
  return dir;
}

std::string Ids(const std::vector<NodeId>& ids) {
  std::string out = "{";
  for (NodeId id : ids) out += (out.size() > 1 ? " " : "") + std::to_string(id);
  return out + "}";
}

}  // namespace

ClusterSim::ClusterSim(const ClusterSimOptions& options)
    : options_(options), rng_(options.seed), faults_seam_(std::make_shared<storage::FileFaults>()) {
  REQUIRE(options.nodes >= 1);
  REQUIRE(options.nodes <= 9);
  std::string pattern = options.parent_dir + "/sim-" + std::to_string(options.seed) + "-XXXXXX";
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  dir_ = pattern;

  std::vector<NodeId> ids;
  for (NodeId id = 1; id <= options.nodes; ++id) ids.push_back(id);
  // Each node signs its votes with its own key, as validators do.
  std::vector<std::unique_ptr<crypto::KeyPair>> keys;
  std::map<NodeId, crypto::PublicKey> voter_keys;
  for (NodeId id : ids) {
    crypto::Seed seed{};
    seed[0] = static_cast<uint8_t>(id);
    keys.push_back(std::make_unique<crypto::KeyPair>(crypto::KeyPair::FromSeed(seed)));
    voter_keys[id] = keys.back()->public_key();
  }
  const crypto::Sha256Digest network_id{};
  for (NodeId id : ids) {
    auto node = std::make_unique<Node>();
    node->id = id;
    node->key = std::move(keys[id - 1]);
    node->dir = dir_ + "/n" + std::to_string(id);
    fs::create_directories(node->dir);
    // A validator's configuration at the simulator's scale: small blocks,
    // short timeouts, and a log kept shorter than the snapshot interval.
    node::NodeConfig& c = node->config;
    c.raft.tick_ms = kTickMs;
    c.raft.election_ticks = 5;
    c.raft.heartbeat_ticks = 1 + static_cast<uint32_t>(Rand(2));
    c.raft.max_inflight_appends = 1 + static_cast<uint32_t>(Rand(4));
    c.raft.max_entries_per_append = 1 + static_cast<uint32_t>(Rand(4));
    c.raft.snapshot_timeout_ms = 1000 + 1000 * static_cast<int64_t>(Rand(3));
    c.raft.leader_stall_ms = 2000 + 1000 * static_cast<int64_t>(Rand(3));
    c.proposer.batch_documents_max = 1 + Rand(4);
    c.proposer.inflight_blocks_max = 1 + Rand(4);
    c.proposer.forward_documents_max = 1 + Rand(4);
    c.proposer.queue_depth_max = 64;
    c.proposer.log_retain_entries =
        options.snapshot_every > 1 ? 1 + Rand(options.snapshot_every - 1) : 1;
    node->core = node::CoreConfig(c);
    node->core.id = id;
    node->core.peers = ids;
    // Membership mode: the genesis names three voters; the others join later.
    // Without signed votes: a node that missed two changes cannot count the
    // certificate of a leader elected by voters it does not know (a known
    // limit, docs/consensus.md#membership-changes), and the random targets
    // here make such lags common; the membership rules are what is tested.
    if (options.membership_changes && ids.size() > 3) {
      node->core.peers = {1, 2, 3};
      last_committed_membership_ = consensus::Membership{{1, 2, 3}, {}};
    }
    if (!options.membership_changes) {
      node->core.authority =
          std::make_shared<node::ElectionSigner>(network_id, *node->key, voter_keys);
    }
    node->tick_weight = 1 + Rand(3);
    node->clock_ms = 1'000'000 * static_cast<int64_t>(id);  // unrelated monotonic clocks
    nodes_.push_back(std::move(node));
  }
  if (options.hostile) {
    hostile_ = 1 + Rand(options.nodes);
    nodes_[hostile_ - 1]->hostile = true;
  }
  const std::string empty_store = EmptyStoreTemplate(options.parent_dir);
  for (auto& node : nodes_) {
    CopyDir(empty_store, LiveDir(*node));
    CopyDir(empty_store, RaftDir(*node));
    OpenLedger(*node);
    StartRaft(*node);
  }
}

ClusterSim::~ClusterSim() {
  for (auto& node : nodes_) CloseLedger(*node);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void ClusterSim::Note(std::string event) {
  history_.push_back("step " + std::to_string(step_) + ": " + std::move(event));
  if (history_.size() > kHistoryLines) history_.pop_front();
}

std::string ClusterSim::History() const {
  std::string out;
  for (const std::string& line : history_) out += line + "\n";
  return out;
}

crypto::Hash ClusterSim::FinalBlockHash() const {
  REQUIRE(!blocks_.empty());
  return blocks_.rbegin()->second.block_hash;
}

std::string ClusterSim::SnapDir(const Node& node, uint64_t index) const {
  return node.dir + "/snap-" + std::to_string(index);
}

NodeId ClusterSim::WeightedNode() {
  uint64_t total = 0;
  for (const auto& node : nodes_) total += node->tick_weight;
  uint64_t pick = Rand(total);
  for (const auto& node : nodes_) {
    if (pick < node->tick_weight) return node->id;
    pick -= node->tick_weight;
  }
  return nodes_.back()->id;
}

NodeId ClusterSim::RandomHonestNode() {
  NodeId id = 1 + Rand(nodes_.size());
  if (id == hostile_) id = id % nodes_.size() + 1;
  return id;
}

NodeId ClusterSim::Leader() const {
  NodeId leader = consensus::kNoNode;
  uint64_t term = 0;
  for (const auto& node : nodes_) {
    const consensus::Raft& raft = node->driver->raft();
    if (!node->hostile && raft.role() == Role::kLeader && raft.current_term() >= term) {
      leader = node->id;
      term = raft.current_term();
    }
  }
  return leader;
}

// ---- node lifecycle ----

storage::KvOptions ClusterSim::StoreOptions() const {
  storage::KvOptions options = SimKvOptions();
  options.faults = faults_seam_;
  return options;
}

void ClusterSim::OpenLedger(Node& node) {
  auto store = storage::KvStore::Open(LiveDir(node), StoreOptions());
  if (!store.ok() && store.status().IsIOError()) {
    // Its disk fails syncs (an install reopens the ledger): fronterad stops.
    ++stats_.fsync_failures;
    node.crash = true;
    return;
  }
  REQUIRE_MESSAGE(store.ok(), "node " << node.id << ": " << store.status().ToString());
  node.store = std::move(store).value();
  OpenStateMachine(node);
}

void ClusterSim::OpenStateMachine(Node& node) {
  auto ledger = ledger::StateMachine::Open(node.store.get(), SimDocuments().genesis, {});
  REQUIRE_MESSAGE(ledger.ok(), "node " << node.id << ": " << ledger.status().ToString());
  node.ledger = std::move(ledger).value();
  node.last_block_time_ms = 0;
  if (const ledger::LedgerSummary s = node.ledger->Summary(); s.block_height > 0) {
    auto block = node.ledger->BlockJson(s.block_height);
    REQUIRE_MESSAGE(block.ok(), block.status().ToString());
    node.last_block_time_ms = (*block)["time_unix_ms"].get<int64_t>();
  }
  CheckLedgerState(node);
}

void ClusterSim::CloseLedger(Node& node) {
  node.ledger.reset();  // before the store it reads
  node.store.reset();
}

void ClusterSim::StartRaft(Node& node) {
  // What fronterad does at start-up (Validator::OpenStores): open the log,
  // bring it in line with the ledger's applied mark, resume after whichever
  // of the two is later.
  auto applied = node::ReadAppliedMark(*node.store);
  REQUIRE_MESSAGE(applied.ok(), applied.status().ToString());
  auto log = storage::RaftLogStore::Open(RaftDir(node), StoreOptions());
  REQUIRE_MESSAGE(log.ok(), "node " << node.id << ": " << log.status().ToString());
  node.log = std::move(log).value();
  Status reconciled = node::ReconcileLog(*node.log, *applied, LiveDir(node), node.dir);
  REQUIRE_MESSAGE(reconciled.ok(), "node " << node.id << ": " << reconciled.ToString());
  std::vector<SnapshotMeta> on_disk;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(node.dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("snap-", 0) != 0) continue;
    const uint64_t index = std::stoull(name.substr(5));
    auto meta = storage::KvStore::Open(e.path().string(), StoreOptions());
    REQUIRE_MESSAGE(meta.ok(), meta.status().ToString());
    auto mark = node::ReadAppliedMark(**meta);
    REQUIRE(mark.ok());
    REQUIRE(mark->index == index);
    on_disk.push_back(*mark);
  }
  node.snapshots = node::SnapshotCatalog(on_disk, node.log->Snapshot().index);
  consensus::RaftConfig core = node.core;
  core.seed = options_.seed * 131 + node.id * 7 + node.process;
  core.applied_index = std::max(applied->index, node.log->Snapshot().index);
  // Like node/read_context.h: each process numbers its read rounds from a
  // random start, so a previous process's answer matches none of them.
  auto driver =
      node::RaftDriver::Create(node.config, core, node.log.get(), Rand(uint64_t{1} << 62));
  REQUIRE_MESSAGE(driver.ok(), "node " << node.id << ": " << driver.status().ToString());
  node.driver = std::move(driver).value();
  // As a validator does at start from its ledger (RefreshMembers).
  if (target_) node.driver->SetTargetMembership(*target_, "sim");
  node.applied = core.applied_index;
  node.applied_at_last_tick = node.applied;
  node.commit_seen = std::max(node.commit_seen, node.driver->raft().commit_index());
}

bool ClusterSim::CrashPoint(Node& node, const char* where, uint64_t percent) {
  if (!faults_ || node.crash || !Chance(percent)) return node.crash.has_value();
  node.crash = Chance(50);
  ++stats_.crash_points[where];
  Note("node " + std::to_string(node.id) + " crashes " + where);
  return true;
}

void ClusterSim::CrashRestart(Node& node, bool power_loss) {
  ++stats_.crashes;
  node.paused_until = 0;  // a stopped process can be killed too
  node.crash.reset();
  // Sometimes the crash comes after the driver persisted what an input
  // caused and before anything of it was sent or applied.
  if (Chance(40) && !node.driver->raft().HasReady()) {
    Observe(node);
    if (Chance(50)) {
      node.driver->Tick();
    } else {
      for (size_t i = 0; i < in_flight_.size(); ++i) {
        const InFlight& f = in_flight_[i];
        if (f.message.to == node.id && !f.forward && f.message.type != MessageType::kSnapshot) {
          Message m = std::move(in_flight_[i].message);
          in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
          (void)node.driver->Receive(m, std::nullopt);
          break;
        }
      }
    }
    auto lost = node.driver->Run();
    if (lost.ok() && !lost->empty()) {
      ++stats_.lost_readies;
      Note("node " + std::to_string(node.id) + " persisted, then lost " +
           std::to_string(lost->messages.size()) + " messages and " +
           std::to_string(lost->committed.size()) + " entries to apply");
    }
  }
  // Connections to the node break: some of what was in flight to it is
  // gone, the rest (queued at the senders) reaches the next process; a
  // snapshot stream to it fails at its sender.
  std::vector<InFlight> kept;
  std::vector<InFlight> failed_streams;
  for (InFlight& f : in_flight_) {
    if (f.message.to != node.id || (f.message.type != MessageType::kSnapshot && Chance(30))) {
      kept.push_back(std::move(f));
    } else if (f.message.type == MessageType::kSnapshot && !f.forward) {
      failed_streams.push_back(std::move(f));
    }
  }
  in_flight_ = std::move(kept);
  for (const InFlight& f : failed_streams) FailSnapshotStream(f, "receiver crashed");
  ++node.process;
  // Its clients' connections broke too: their reads and writes are gone
  // (a write may still commit: its client never learns it).
  for (auto it = reads_.begin(); it != reads_.end();) {
    it = it->second.node == node.id ? reads_.erase(it) : std::next(it);
  }
  node.waiters.clear();
  if (power_loss) faults_seam_->CutPower(node.dir);
  node.driver.reset();
  node.log.reset();
  CloseLedger(node);
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(node.dir, ec)) {
    if (e.path().filename().string().rfind("accepted-", 0) == 0) fs::remove_all(e.path(), ec);
  }
  faults_seam_->FailSyncs(node.dir, false);  // its disk was replaced, or recovered
  std::string what = "crashes";
  if (power_loss) {
    // Each store loses what it had not synced, on its own; one write may be
    // left torn.
    ++stats_.power_losses;
    what = "loses power";
    // The commit index is volatile in Raft (raft_log_store.h syncs it only
    // with entries or a vote): it may come back lower, never below what
    // the ledger applied (node/applied_mark.h).
    node.commit_seen = 0;
    for (const std::string& dir : {RaftDir(node), LiveDir(node), node.dir}) {
      const bool torn = dir != node.dir && Chance(30);
      auto loss = faults_seam_->Restore(dir, torn, rng_());
      REQUIRE_MESSAGE(loss.ok(), loss.status().ToString());
      stats_.bytes_lost += loss->bytes_lost;
      if (loss->torn) {
        ++stats_.torn_writes;
        what += " (a torn write in " + dir.substr(node.dir.size()) + ")";
      }
    }
    // Bit rot in the synced part of the Raft log: the store must refuse to
    // open (a silently shortened log could forget a vote); the operator
    // restores the file.
    if (Chance(10)) {
      std::string wal;
      uint64_t synced = 0;
      for (const fs::directory_entry& e : fs::directory_iterator(RaftDir(node), ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() > 4 && name.ends_with(".log") && e.file_size() > synced) {
          wal = e.path().string();
          synced = e.file_size();
        }
      }
      if (synced >= 4096) {
        const uint64_t offset = Rand(synced / 2);
        const uint8_t mask = static_cast<uint8_t>(1u << Rand(8));
        REQUIRE(storage::FileFaults::FlipBit(wal, offset, mask).ok());
        auto damaged = storage::RaftLogStore::Open(RaftDir(node), StoreOptions());
        if (!damaged.ok()) {
          REQUIRE_MESSAGE(damaged.status().IsCorruption(), damaged.status().ToString());
          ++stats_.bit_flips_refused;
          what += " (a flipped bit in its Raft log is refused; the file is restored)";
          REQUIRE(storage::FileFaults::FlipBit(wal, offset, mask).ok());
        } else {
          // The bit was in bytes recovery never reads (an old log whose
          // records are all in table files, a block's padding): the store
          // opened, and may have replaced the file.
          // Whatever it kept, the checks below hold it to every synced
          // vote and entry.
          ++stats_.bit_flips_unread;
          what += " (a flipped bit in its Raft log lies in unread bytes)";
        }
        damaged = Status::Internal("closed");
      }
    }
  }
  Note("node " + std::to_string(node.id) + " " + what + " and restarts");
  OpenLedger(node);
  REQUIRE(node.store != nullptr);
  StartRaft(node);
}

// ---- the drivers ----

void ClusterSim::Observe(Node& node) {
  node::RaftDriver::Observation o;
  o.steady_ms = node.clock_ms;
  // Wall clocks a few seconds apart: the ledger's block times come from them.
  const int64_t id = static_cast<int64_t>(node.id);
  o.unix_ms = kFirstBlockTimeUnixMs + (node.clock_ms - 1'000'000 * id) + 700 * id;
  o.applied_index = node.applied;
  o.last_block_time_ms = node.last_block_time_ms;
  node.driver->Observe(o);
}

void ClusterSim::TickNode(Node& node) {
  if (Paused(node)) return;
  Note("tick " + std::to_string(node.id));
  node.clock_ms += kTickMs;
  Observe(node);
  node.driver->Tick();
  MaybeCompact(node);
}

void ClusterSim::ProcessAllReady() {
  for (auto& node : nodes_) {
    if (node->hostile || Paused(*node)) continue;
    ProcessNode(*node);
    if (node->crash) CrashRestart(*node, *node->crash);
  }
}

void ClusterSim::ProcessNode(Node& node) {
  Observe(node);
  Result<DriverActions> actions = node.driver->Run();
  for (;;) {
    if (!actions.ok()) {
      // The log store failed (a sync error): the durable state is unknown,
      // so the node stops, as fronterad does, and restarts.
      REQUIRE_MESSAGE(actions.status().IsIOError(), actions.status().ToString());
      ++stats_.fsync_failures;
      Note("node " + std::to_string(node.id) + " stops: " + actions.status().message());
      node.crash = true;
      return;
    }
    const std::optional<DriverActions::Install> install = std::move(actions->install);
    actions->install.reset();
    Execute(node, *actions);
    if (node.crash) return;
    if (!install) break;
    InstallSnapshot(node, *install);
    if (node.crash) return;
    Observe(node);
    actions = node.driver->Installed();
  }
  CheckAnsweredReads(node);
}

void ClusterSim::Execute(Node& node, DriverActions& a) {
  for (Message& m : a.messages) Send(std::move(m));
  for (Message& m : a.snapshot_streams) Send(std::move(m));
  for (DriverActions::Forward& f : a.forwards) {
    stats_.forwards += f.proposal.documents.size();
    Message m;
    m.from = node.id;
    m.to = f.leader;
    InFlight flight;
    flight.message = m;
    flight.forward = std::move(f.proposal);
    if (in_flight_.size() < kInFlightMax) {
      flight.receiver_process = NodeAt(m.to).process;
      flight.sender_process = node.process;
      flight.deliver_at_step = step_ + (faults_ && Chance(10) ? 1 + Rand(10) : 0);
      in_flight_.push_back(std::move(flight));
    }
  }
  for (const Entry& e : a.committed) {
    if (e.index <= node.applied) continue;  // applied before a crash: the ledger has it
    ApplyEntry(node, e);
    MaybeSnapshot(node);
    if (node.crash) return;
  }
  REQUIRE(node.driver->raft().applied_index() == node.applied);
  for (const consensus::ReadState& rs : a.reads) HandleReadState(node, rs);
  for (const std::string& key : a.failed_writes) node.waiters.erase(key);  // answered: unavailable
  for (const std::string& dir : a.discard) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
}

void ClusterSim::InstallSnapshot(Node& node, const DriverActions::Install& install) {
  // As fronterad installs one (Validator::InstallSnapshot): the received
  // ledger replaces this node's, with its applied mark synced; a copy is
  // kept among its snapshots; then the driver records it in the log.
  const SnapshotMeta& meta = install.snapshot;
  REQUIRE(meta.index > node.applied);
  CloseLedger(node);
  std::error_code ec;
  faults_seam_->Forget(LiveDir(node));
  fs::remove_all(LiveDir(node), ec);
  fs::rename(install.dir, LiveDir(node), ec);
  REQUIRE_MESSAGE(!ec, ec.message());
  OpenLedger(node);
  if (node.crash) return;
  REQUIRE(node.ledger->applied_index() <= meta.index);
  storage::WriteBatch batch;
  batch.Put(storage::Column::kMeta, node::kAppliedMarkKey, node::EncodeAppliedMark(meta));
  if (Status s = node.store->Write(batch, /*sync=*/true); !s.ok()) {
    REQUIRE_MESSAGE(s.IsIOError(), s.ToString());
    ++stats_.fsync_failures;
    node.crash = true;
    return;
  }
  if (CrashPoint(node, "after the ledger is replaced, before the log records the snapshot",
                 kInstallCrashPercent))
    return;
  node.applied = meta.index;
  ++stats_.snapshots_installed;
  Note("node " + std::to_string(node.id) + " installs snapshot " + std::to_string(meta.index) +
       "/" + std::to_string(meta.term));
  RemoveDir(SnapDir(node, meta.index));
  if (node.store->CreateCheckpoint(SnapDir(node, meta.index)).ok()) {
    RemoveSnapshots(node, node.snapshots.Installed(meta));
  } else {
    RemoveDir(SnapDir(node, meta.index));
  }
  if (CrashPoint(node, "after the snapshot is kept, before the log records it",
                 kInstallCrashPercent))
    return;
}

void ClusterSim::ApplyEntry(Node& node, const Entry& entry) {
  REQUIRE_MESSAGE(entry.index == node.applied + 1,
                  "node " << node.id << " applies " << entry.index << " after " << node.applied);
  RecordCommitted(entry);
  node.applied = entry.index;
  storage::WriteBatch batch;
  std::optional<ledger::Proposal> proposal;
  std::optional<ledger::Block> block;
  if (entry.type == EntryType::kNormal) {
    auto decoded = ledger::DecodeProposal(entry.data);
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
    proposal = std::move(decoded).value();
    REQUIRE(entry.index > node.ledger->applied_index());
    block = node.ledger->Apply(entry.index, *proposal, nullptr, batch);
  }
  // As fronterad applies: the applied mark in the same batch, unsynced (the
  // Raft log holds the entry until a snapshot, which flushes the ledger).
  batch.Put(storage::Column::kMeta, node::kAppliedMarkKey,
            node::EncodeAppliedMark({entry.index, entry.term}));
  Status written = node.store->Write(batch, /*sync=*/false);
  if (!written.ok() && written.IsIOError()) {
    // The store stopped after a failed sync (RocksDB's background error):
    // fronterad stops too, and restarts from what was durable.
    ++stats_.fsync_failures;
    node.crash = true;
    return;
  }
  REQUIRE_MESSAGE(written.ok(), written.ToString());
  if (!block) return;
  node.ledger->Publish();
  node.last_block_time_ms = block->time_unix_ms;
  RecordBlock(entry.index, *proposal, *block);
  // Answer the clients waiting here, in order, with this block's verdicts.
  for (size_t i = 0; i < proposal->documents.size(); ++i) {
    auto it = node.waiters.find(node::DocumentKey(proposal->documents[i]));
    if (it == node.waiters.end()) continue;
    IssueRecord& issue = issues_[it->second.front()];
    it->second.pop_front();
    if (it->second.empty()) node.waiters.erase(it);
    issue.ret_step = step_;
    const Status& verdict = block->outcomes[i].status;
    // As fronterad answers: the same credential on the ledger already (this
    // node installed a snapshot holding the first copy, and a retry
    // committed it again) is answered with its receipt.
    if (verdict.ok() ||
        (verdict.IsAlreadyExists() && node.ledger->FindIdentical(proposal->documents[i]))) {
      issue.outcome = RegistryOp::Outcome::kAccepted;
    } else if (verdict.IsAlreadyExists()) {
      issue.outcome = RegistryOp::Outcome::kExists;
    } else {
      issue.refused = true;
    }
  }
}

void ClusterSim::MaybeSnapshot(Node& node) {
  // As fronterad takes them (Validator::TakeSnapshot): a checkpoint, which
  // flushes the ledger, every snapshot_every applied entries.
  if (options_.snapshot_every == 0) return;
  const uint64_t last = node.snapshots.newest() ? node.snapshots.newest()->index : 0;
  if (node.applied < last + options_.snapshot_every) return;
  const SnapshotMeta meta{node.applied, node.driver->raft().TermAt(node.applied)};
  REQUIRE(meta.term > 0);
  std::error_code ec;
  RemoveDir(SnapDir(node, meta.index));
  if (Status s = node.store->CreateCheckpoint(SnapDir(node, meta.index)); !s.ok()) {
    // A sync failed: no snapshot this time; the log keeps growing until one
    // succeeds.
    RemoveDir(SnapDir(node, meta.index));
    Note("node " + std::to_string(node.id) + "'s snapshot fails: " + s.message());
    return;
  }
  ++stats_.snapshots_taken;
  Note("node " + std::to_string(node.id) + " snapshots at " + std::to_string(meta.index));
  RemoveSnapshots(node, node.snapshots.Add(meta));
  CrashPoint(node, "after a snapshot is taken, before the log is compacted",
             kCompactionCrashPercent);
}

void ClusterSim::MaybeCompact(Node& node) {
  // As fronterad compacts (Validator::MaybeCompact), after a tick.
  const uint64_t retain = node.config.proposer.log_retain_entries;
  const std::optional<SnapshotMeta> newest =
      node.applied >= retain ? node.snapshots.PinTarget(node.applied - retain) : std::nullopt;
  if (newest) {
    Result<bool> compacted = node.driver->Compact(*newest, /*verifiable=*/true);
    if (!compacted.ok()) {
      REQUIRE_MESSAGE(compacted.status().IsIOError(), compacted.status().ToString());
      ++stats_.fsync_failures;
      node.crash = true;
    } else if (*compacted) {
      Note("node " + std::to_string(node.id) + " compacts its log to " +
           std::to_string(newest->index));
      if (!CrashPoint(node, "after the log is compacted, before old snapshots are removed",
                      kCompactionCrashPercent)) {
        RemoveSnapshots(node, node.snapshots.Compacted(node.driver->raft().snapshot().index));
      }
    } else {
      RemoveSnapshots(node, node.snapshots.Compacted(node.driver->raft().snapshot().index));
    }
  }
  if (node.crash) {
    CrashRestart(node, *node.crash);
    return;
  }
  // The log stays bounded: what was applied before this tick is at most
  // log_retain_entries plus two snapshot intervals behind the log's start.
  if (options_.snapshot_every > 0) {
    const consensus::Raft& raft = node.driver->raft();
    const uint64_t bound = node.config.proposer.log_retain_entries + 2 * options_.snapshot_every +
                           (node.applied - node.applied_at_last_tick);
    REQUIRE_MESSAGE(node.applied - std::min(node.applied, raft.snapshot().index) <= bound,
                    "node " << node.id << " holds " << node.applied - raft.snapshot().index
                            << " applied entries in its log (bound " << bound << ")");
    stats_.max_log_entries =
        std::max(stats_.max_log_entries, raft.last_index() - raft.snapshot().index);
  }
  node.applied_at_last_tick = node.applied;
}

void ClusterSim::RemoveDir(const std::string& dir) {
  faults_seam_->Forget(dir);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

void ClusterSim::RemoveSnapshots(Node& node, const std::vector<SnapshotMeta>& removed) {
  for (const SnapshotMeta& meta : removed) {
    std::error_code ec;
    RemoveDir(SnapDir(node, meta.index));
  }
}

// ---- reads ----

void ClusterSim::IssueRead() {
  Node& node = NodeAt(1 + Rand(nodes_.size()));
  if (node.hostile || Paused(node)) return;  // the adversary and a stopped node answer no client
  if (options_.unsafe_local_reads) {
    RecordLookups(node, step_);
    return;
  }
  Observe(node);
  const std::optional<uint64_t> started = node.driver->StartRead();
  if (!started) return;  // no leader known: the client asks again later
  const uint64_t context = *started;
  reads_[{node.id, context}] = PendingRead{node.id, step_, max_commit_observed_, std::nullopt};
  Note("read " + std::to_string(context) + " at node " + std::to_string(node.id) +
       " (commit observed " + std::to_string(max_commit_observed_) + ")");
}

void ClusterSim::HandleReadState(Node& node, const consensus::ReadState& read_state) {
  auto it = reads_.find({node.id, read_state.context});
  REQUIRE_MESSAGE(it != reads_.end(), "read state for unknown context " << read_state.context);
  PendingRead& read = it->second;
  REQUIRE(read.node == node.id);
  // Thesis §6.4: the read index covers every commit observed before the read.
  REQUIRE_MESSAGE(read_state.index >= read.commit_observed,
                  "read " << read_state.context << " at node " << node.id << " answered with index "
                          << read_state.index << " but index " << read.commit_observed
                          << " was committed before it was issued");
  if (read.index) return;  // a duplicated answer
  read.index = read_state.index;
  ++stats_.reads_answered;
  Note("read " + std::to_string(read_state.context) + " answered: index " +
       std::to_string(read_state.index));
}

void ClusterSim::CheckAnsweredReads(Node& node) {
  for (auto it = reads_.begin(); it != reads_.end();) {
    PendingRead& read = it->second;
    if (read.served || read.node != node.id || !read.index || node.applied < *read.index) {
      ++it;
      continue;
    }
    // The read is served now: the ledger must hold every proposal committed
    // at or below the commit observed when the read began.
    auto normal = committed_.upper_bound(read.commit_observed);
    uint64_t last_normal = 0;
    while (normal != committed_.begin()) {
      --normal;
      if (normal->second.type == EntryType::kNormal) {
        last_normal = normal->first;
        break;
      }
    }
    REQUIRE_MESSAGE(node.ledger->applied_index() >= last_normal,
                    "read " << it->first.second << " at node " << node.id << " sees ledger index "
                            << node.ledger->applied_index() << ", missing the proposal at "
                            << last_normal);
    ++stats_.reads_checked;
    RecordLookups(node, read.call_step);
    read.served = true;  // kept: a duplicated answer may still arrive
    ++it;
  }
}

// ---- the network ----

bool ClusterSim::Blocked(const Message& m) const {
  const Node& a = *nodes_[m.from - 1];
  const Node& b = *nodes_[m.to - 1];
  if (a.group != b.group || one_way_blocked_.count({m.from, m.to}) > 0) return true;
  int message_class = -1;
  switch (m.type) {
    case MessageType::kAppend:
    case MessageType::kAppendResponse:
    case MessageType::kSnapshot:
      message_class = 0;
      break;
    case MessageType::kHeartbeat:
    case MessageType::kHeartbeatResponse:
      message_class = 1;
      break;
    default:
      return false;
  }
  return class_blocked_.count({std::min(m.from, m.to), std::max(m.from, m.to), message_class}) > 0;
}

void ClusterSim::Send(Message message) {
  InFlight flight;
  flight.sender_process = NodeAt(message.from).process;
  flight.receiver_process = NodeAt(message.to).process;
  if (in_flight_.size() >= kInFlightMax) {
    // The sender's queue is full: the frame is dropped and the driver told.
    if (message.type == MessageType::kSnapshot) {
      flight.message = std::move(message);
      FailSnapshotStream(flight, "queue full");
    } else if (message.type == MessageType::kAppend) {
      NodeAt(message.from).driver->SendFailed(message.to);
    }
    return;
  }
  flight.deliver_at_step = step_;
  if (faults_ && Chance(10)) flight.deliver_at_step += 1 + Rand(10);  // delay
  if (message.type == MessageType::kAppend) stats_.entries_sent += message.entries.size();
  flight.message = std::move(message);
  in_flight_.push_back(std::move(flight));
}

bool ClusterSim::DeliverOne() {
  std::vector<size_t> ready;
  for (size_t i = 0; i < in_flight_.size(); ++i) {
    // A stopped node reads nothing: its messages wait until it resumes.
    if (in_flight_[i].deliver_at_step <= step_ && !Paused(NodeAt(in_flight_[i].message.to))) {
      ready.push_back(i);
    }
  }
  if (ready.empty()) return false;
  const size_t i = ready[Rand(ready.size())];  // reordering: any ready message may go next
  InFlight flight = in_flight_[i];
  const Message& m = flight.message;
  const bool stale = flight.receiver_process != NodeAt(m.to).process;
  if (!faults_ || !Chance(5) || m.type == MessageType::kSnapshot) {
    // Duplication: sometimes a copy stays in flight (a stream is one send).
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  const bool is_stream = m.type == MessageType::kSnapshot && !flight.forward;
  if ((faults_ && Chance(5)) || Blocked(m) || m.to == hostile_) {  // loss, partition
    if (is_stream) FailSnapshotStream(flight, "lost");
    return true;
  }
  if (stale) ++stats_.stale_frames;
  if (flight.forward) {
    // A leader proposes what its followers forward (Validator::AdmitForwarded);
    // anyone else drops it and the follower sends it again later.
    Node& leader = NodeAt(m.to);
    if (leader.driver->raft().role() != Role::kLeader) return true;
    Note("deliver a forward of " + std::to_string(flight.forward->documents.size()) +
         " documents " + std::to_string(m.from) + "->" + std::to_string(m.to));
    for (ledger::ProposedDocument& d : flight.forward->documents) {
      std::string key = node::DocumentKey(d);
      if (!leader.driver->Submit({std::move(key), std::move(d)})) break;
    }
    return true;
  }
  if (is_stream) {
    StreamSnapshot(flight);
    return true;
  }
  Note("deliver " + MessageText(m));
  Status s = NodeAt(m.to).driver->Receive(m, std::nullopt);
  // A removed node that has not learnt it yet may ask for votes: refused,
  // and not a protocol violation.
  const bool vote_from_non_voter = options_.membership_changes && s.IsInvalidArgument() &&
                                   s.message().starts_with("vote request from node");
  REQUIRE_MESSAGE((s.ok() || vote_from_non_voter), s.ToString());
  return true;
}

void ClusterSim::FailSnapshotStream(const InFlight& flight, const char* why) {
  const Message& m = flight.message;
  ++stats_.snapshot_stream_failures;
  Note("snapshot stream " + MessageText(m) + " fails (" + why + ")");
  // Reported to the process that streamed it, if it still runs.
  Node& sender = NodeAt(m.from);
  if (sender.process == flight.sender_process && !sender.hostile) {
    sender.driver->SnapshotStreamed(m.to, false);
  }
}

void ClusterSim::StreamSnapshot(const InFlight& flight) {
  const Message& m = flight.message;
  Node& sender = NodeAt(m.from);
  Node& receiver = NodeAt(m.to);
  // The sender may have deleted that snapshot since (its catalog keeps the
  // one its log names): the stream fails, like one cut short.
  std::error_code ec;
  if (!fs::exists(SnapDir(sender, m.snapshot.index), ec)) {
    ++stats_.streams_outrun;
    return FailSnapshotStream(flight, "snapshot gone");
  }
  if (faults_ && Chance(15)) return FailSnapshotStream(flight, "connection broke");
  // raft_driver.h: the message is stepped once its files are complete.
  const std::string dir = receiver.dir + "/accepted-" + std::to_string(++receiver.accepted_copies);
  CopyDir(SnapDir(sender, m.snapshot.index), dir);
  Note("deliver " + MessageText(m) + " with its checkpoint");
  Status s = receiver.driver->Receive(m, dir);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  if (sender.process == flight.sender_process) sender.driver->SnapshotStreamed(m.to, true);
}

// ---- the hostile node ----

bool ClusterSim::WouldForge(const Message& m) const {
  // A claim to lead a term is not among these: it needs a certificate of
  // signed votes the adversary cannot make (CheckAll: no node follows it).
  switch (m.type) {
    case MessageType::kAppendResponse:
      return !m.reject;  // claims to hold entries
    case MessageType::kHeartbeatResponse:
      return m.context != 0;  // confirms a read round
    case MessageType::kVoteResponse: {
      if (m.reject) return false;
      auto it = hostile_votes_.find(m.term);
      return it != hostile_votes_.end() && it->second != m.to;  // a second vote in a term
    }
    default:
      return false;
  }
}

void ClusterSim::AttachHostileProof(Message& m) {
  const auto sign = [this](NodeId signer, consensus::StatementKind kind, uint64_t term,
                           NodeId candidate) {
    return consensus::SignedStatement{
        signer, NodeAt(signer).core.authority->Sign(consensus::Statement{kind, term, candidate})};
  };
  const NodeId other = RandomHonestNode();
  const bool from_leader = m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
                           m.type == MessageType::kSnapshot;
  const consensus::StatementKind kind = from_leader || m.type == MessageType::kVoteResponse
                                            ? consensus::StatementKind::kVote
                                            : consensus::StatementKind::kTransfer;
  switch (Rand(5)) {
    case 0:  // none
      break;
    case 1:  // its own statement, genuine
      m.proof = {sign(
          hostile_, kind, m.term,
          kind == consensus::StatementKind::kVote && m.type != MessageType::kVoteResponse ? hostile_
                                                                                          : m.to)};
      break;
    case 2:  // its own, plus another node's signature that is garbage
      m.proof = {sign(hostile_, kind, m.term, hostile_),
                 consensus::SignedStatement{other, std::string(64, static_cast<char>(rng_()))}};
      break;
    case 3:  // its own, plus a genuine statement of another node for another candidate
      m.proof = {sign(hostile_, kind, m.term, hostile_), sign(other, kind, m.term, other)};
      break;
    default:  // another node's genuine statement for another term
      m.proof = {sign(other, kind, m.term + 1 + Rand(3), hostile_)};
      break;
  }
}

void ClusterSim::StepHostile(const std::string& kind, const Message& message, bool must_refuse) {
  Message m = message;
  if (m.proof.empty() && Chance(50)) AttachHostileProof(m);
  Node& target = NodeAt(m.to);
  if (m.type == MessageType::kVoteResponse && !m.reject) hostile_votes_.emplace(m.term, m.to);
  Note("hostile " + kind + ": " + MessageText(m));
  // A snapshot comes with files (empty ones: it must be refused anyway).
  std::optional<std::string> files;
  if (m.type == MessageType::kSnapshot) {
    files = target.dir + "/accepted-" + std::to_string(++target.accepted_copies);
    fs::create_directories(*files);
  }
  Observe(target);
  const Status s = target.driver->Receive(m, files);
  ++stats_.hostile_sent[kind];
  if (consensus::IsProtocolViolation(s)) {
    ++stats_.hostile_refused[kind];
    Note("  refused: " + s.message());
    return;
  }
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE_MESSAGE(!must_refuse,
                  "node " << m.to << " took a hostile " << kind << ": " << MessageText(m));
}

void ClusterSim::HostileStep() {
  constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();
  const NodeId to = RandomHonestNode();
  if (Paused(NodeAt(to))) return;  // a stopped node reads nothing
  const Raft& target = NodeAt(to).driver->raft();
  const uint64_t term = target.current_term();
  const uint64_t commit = target.commit_index();
  Message m;
  m.from = hostile_;
  m.to = to;
  // A term in which the adversary may send anything a leader sends: one the
  // target refuses to take from it (too far ahead), or one led by another.
  const bool term_led = target.leader() != consensus::kNoNode || target.role() == Role::kLeader;
  const uint64_t ahead = term + 1 + Rand(3);  // a new term: content must be refused
  const MessageType leader_types[] = {MessageType::kAppend, MessageType::kHeartbeat,
                                      MessageType::kSnapshot, MessageType::kTimeoutNow};
  switch (Rand(15)) {
    case 0: {
      m.type = static_cast<MessageType>(Rand(12));
      m.term = kMax64 - Rand(3);
      m.commit = kMax64;
      return StepHostile("term-near-2^64", m, true);
    }
    case 1: {
      m.type = static_cast<MessageType>(Rand(12));
      m.term = term + MaxTermStep() + 1 + Rand(1u << 20);
      return StepHostile("term-jump", m, true);
    }
    case 2: {
      m.type = leader_types[Rand(4)];
      m.commit = kMax64;
      m.snapshot = {commit + 1, term};
      if (term_led) {
        m.term = term;
        return StepHostile("leader-message-of-led-term", m, true);
      }
      if (term == 0) return;
      m.term = term - 1;  // stale: answered with a rejection
      return StepHostile("stale-leader-message", m, false);
    }
    case 3: {
      m.type = MessageType::kAppend;
      m.term = ahead;
      m.index = target.last_index();
      m.log_term = target.TermAt(m.index);
      for (uint64_t i = 0; i < 3; ++i) {
        m.entries.push_back(
            Entry{ahead, m.index + 1 + i + (i == 2 ? 1 + Rand(5) : 0), EntryType::kNoop, ""});
      }
      return StepHostile("append-with-gap", m, true);
    }
    case 4: {
      m.type = MessageType::kAppend;
      m.term = ahead;
      m.index = target.last_index();
      m.log_term = target.TermAt(m.index);
      const uint64_t high = std::max<uint64_t>(m.log_term, 1) + 1;
      m.entries = {Entry{std::min(high, ahead), m.index + 1, EntryType::kNoop, ""},
                   Entry{std::min(high, ahead) - 1, m.index + 2, EntryType::kNoop, ""}};
      if (Chance(50)) m.entries[1].term = ahead + 1 + Rand(10);  // beyond its term instead
      return StepHostile("append-with-bad-terms", m, true);
    }
    case 5: {
      // Contradicts the committed prefix (or, without one, the empty log).
      m.type = MessageType::kAppend;
      m.term = term_led && Chance(50) ? term : ahead;
      const uint64_t at = target.snapshot().index + Rand(commit - target.snapshot().index + 1);
      if (at == target.snapshot().index) {
        m.index = at;
        m.log_term = target.TermAt(at) + 1;
      } else {
        m.index = at - 1;
        m.log_term = target.TermAt(at - 1);
        m.entries = {Entry{target.TermAt(at) + 1, at, EntryType::kNoop, ""}};
      }
      m.commit = kMax64;
      return StepHostile("append-against-committed", m, true);
    }
    case 6: {
      m.type = MessageType::kHeartbeat;
      m.commit = kMax64 - Rand(2);
      m.term = term_led ? term : term + MaxTermStep() + 1;
      return StepHostile("heartbeat-with-huge-commit", m, true);
    }
    case 7: {
      m.type = MessageType::kSnapshot;
      m.term = term_led && Chance(50) ? term : ahead;
      switch (Rand(3)) {
        case 0:
          m.snapshot = {commit + 1 + Rand(100), m.term + 1 + Rand(5)};  // from a later term
          break;
        case 1:
          m.snapshot = {0, 0};
          break;
        default:  // contradicts the committed prefix (none: covers nothing)
          m.snapshot = {commit, target.TermAt(commit) + 1};
          if (commit == 0 || m.snapshot.term > m.term) m.snapshot = {0, 0};
          break;
      }
      return StepHostile("bogus-snapshot", m, true);
    }
    case 8: {
      // Acknowledgements of what the leader never sent (it knows everything
      // it sent in its term).
      const NodeId leader = Leader();
      if (leader == consensus::kNoNode) return;
      const Raft& lead = NodeAt(leader).driver->raft();
      m.to = leader;
      m.term = lead.current_term();
      if (Chance(50)) {
        m.type = MessageType::kAppendResponse;
        m.index = lead.last_index() + 1 + Rand(1u << 20);
      } else {
        m.type = MessageType::kHeartbeatResponse;
        m.context = kMax64 - Rand(1000);
      }
      return StepHostile("ack-of-unsent", m, true);
    }
    case 9: {
      // An answer to a read: a context a client used at the target, or any.
      m.type = MessageType::kReadIndexResponse;
      m.term = term;
      m.context = !reads_.empty() && Chance(50) ? reads_.rbegin()->first.second : Rand(1u << 30);
      m.index = Rand(2) == 0 ? 0 : kMax64;
      return StepHostile("read-index-response", m, false);
    }
    case 10: {
      m.type = MessageType::kTimeoutNow;
      m.term = term_led && Chance(50) ? term : ahead;
      return StepHostile("timeout-now", m, m.term > term || term_led);
    }
    case 11: {
      // Votes and pre-votes for random terms (one vote per term at most).
      m.type = Chance(50) ? MessageType::kVoteResponse : MessageType::kPreVoteResponse;
      m.term = term + Rand(4);
      m.reject = Chance(30);
      if (WouldForge(m)) return;
      const bool refused_for_sure =
          !m.reject && (m.type == MessageType::kVoteResponse ? m.term > term : m.term > term + 1);
      return StepHostile("vote-response", m, refused_for_sure);
    }
    case 12: {
      m.type = Chance(50) ? MessageType::kVote : MessageType::kPreVote;
      m.term = term + 1 + Rand(2);
      m.index = kMax64 - Rand(10);
      m.force = Chance(30);
      const bool bad = Chance(70);
      m.log_term = bad ? m.term + Rand(2) : m.term - 1;
      return StepHostile(bad ? "vote-request-with-bad-log-term" : "vote-request", m, bad);
    }
    case 13: {
      // A claim to lead a later term, or the target's own while it knows no
      // leader, with a well-formed message: refused for want of a majority's
      // signed votes, or ignored under the lease (never followed: CheckAll).
      m.type = leader_types[Rand(3)];
      m.term = term_led ? ahead : term + Rand(2);
      m.index = target.last_index();
      m.log_term = target.TermAt(m.index);
      m.commit = commit;
      if (m.type == MessageType::kSnapshot) m.snapshot = {commit, target.TermAt(commit)};
      if (m.type == MessageType::kSnapshot && m.snapshot.term > m.term) return;
      return StepHostile("leadership-claim", m, false);
    }
    default: {
      // Well-framed garbage: an encoding with a few damaged bytes.
      Message shape;
      shape.type = static_cast<MessageType>(Rand(12));
      shape.term = Chance(50) ? term + Rand(3) : rng_();
      shape.index = Rand(64);
      shape.log_term = Rand(8);
      shape.commit = Rand(64);
      shape.context = Rand(8);
      std::string bytes = consensus::EncodeMessage(shape);
      for (uint64_t edits = 1 + Rand(3); edits > 0; --edits) {
        bytes[3 + Rand(bytes.size() - 3)] = static_cast<char>(rng_());
      }
      auto decoded = consensus::DecodeMessage(bytes);
      if (!decoded.ok()) {
        ++stats_.garbage_undecodable;
        return;
      }
      Message garbage = std::move(decoded).value();
      garbage.from = hostile_;  // the transport names the link's peer
      garbage.to = to;
      if (WouldForge(garbage)) return;
      return StepHostile("garbage", garbage, false);
    }
  }
}

// ---- clients ----

void ClusterSim::SubmitDocuments(Node& node, const std::vector<size_t>& documents) {
  const SimDocumentPool& pool = SimDocuments();
  for (size_t index : documents) {
    const ledger::ProposedDocument& d = pool.documents[index];
    std::string key = node::DocumentKey(d);
    if (!node.driver->Submit({key, d})) return;  // the queue is full: refused at once
    issues_.push_back(IssueRecord{index, step_, kNever, std::nullopt, false});
    node.waiters[key].push_back(issues_.size() - 1);
    ++stats_.proposals;
  }
}

void ClusterSim::ProposeRandom(bool final_block) {
  const SimDocumentPool& pool = SimDocuments();
  std::vector<size_t> picked;
  for (size_t count = 1 + Rand(3); count > 0; --count)
    picked.push_back(Rand(pool.documents.size()));
  if (final_block) {
    if (final_keys_.empty()) {
      for (size_t i : picked) final_keys_.insert(node::DocumentKey(pool.documents[i]));
    }
    picked.clear();
    for (size_t i = 0; i < pool.documents.size(); ++i) {
      if (final_keys_.count(node::DocumentKey(pool.documents[i])) > 0) picked.push_back(i);
    }
  }
  // A client reaches a random node; a follower forwards to the leader it
  // knows (docs/consensus.md "Writes: forwarding and what a client sees").
  Node& node = NodeAt(1 + Rand(nodes_.size()));
  if (node.hostile || Paused(node)) return;  // the adversary and a stopped node accept nothing
  SubmitDocuments(node, picked);
  Note("submit " + std::to_string(picked.size()) + " documents at node " + std::to_string(node.id));
}

void ClusterSim::ChangeTargetMembership() {
  consensus::Membership target;
  const NodeId leader = Leader();
  if (leader != consensus::kNoNode && Chance(30) &&
      NodeAt(leader).driver->raft().membership().IsVoter(leader) &&
      NodeAt(leader).driver->raft().membership().voters.size() > 1) {
    // The leader's own removal (or demotion): it leads until it commits.
    target = NodeAt(leader).driver->raft().membership();
    std::erase(target.voters, leader);
    if (Chance(50)) {
      target.learners.insert(
          std::upper_bound(target.learners.begin(), target.learners.end(), leader), leader);
    }
  } else {
    for (const auto& node : nodes_) {
      const uint64_t r = Rand(3);
      if (r == 0) target.voters.push_back(node->id);
      if (r == 1) target.learners.push_back(node->id);
    }
    if (target.voters.empty()) {
      const NodeId id = 1 + Rand(nodes_.size());
      std::erase(target.learners, id);
      target.voters.push_back(id);
      std::sort(target.voters.begin(), target.voters.end());
    }
  }
  target_ = target;
  ++stats_.membership_targets;
  std::string text = "target membership: voters";
  for (NodeId id : target.voters) text += " " + std::to_string(id);
  text += ", learners";
  for (NodeId id : target.learners) text += " " + std::to_string(id);
  Note(text);
  for (auto& node : nodes_) {
    if (!node->hostile) node->driver->SetTargetMembership(target, "sim");
  }
}

void ClusterSim::StartTransfer() {
  const NodeId leader = Leader();
  if (leader == consensus::kNoNode || nodes_.size() < 2 || Paused(NodeAt(leader))) return;
  // The target may be stopped, crashed or cut off: the transfer must then
  // be abandoned, and its late TimeoutNow depose no one.
  NodeId target = 1 + Rand(nodes_.size() - 1);
  if (target >= leader) ++target;
  Observe(NodeAt(leader));
  if (NodeAt(leader).driver->TransferLeadership(target).ok()) {
    ++stats_.transfers_started;
    Note("transfer leadership " + std::to_string(leader) + " -> " + std::to_string(target));
  }
}

// ---- steps ----

void ClusterSim::Step() {
  ++step_;
  ++stats_.steps;
  const uint64_t r = Rand(1000);
  if (r < 300) {
    NodeId id = WeightedNode();
    if (id == hostile_) {
      HostileStep();
    } else {
      TickNode(NodeAt(id));
    }
  } else if (r < 700) {
    // A burst: the network moves several messages while a node ticks once.
    for (uint64_t n = 1 + Rand(4); n > 0; --n) DeliverOne();
  } else if (r < 800) {
    ProposeRandom(/*final_block=*/false);
  } else if (r < 830) {
    if (options_.read_index) IssueRead();
  } else if (r < 836) {
    if (options_.transfer_leadership) StartTransfer();
  } else if (r < 840 && options_.membership_changes) {
    ChangeTargetMembership();
  } else if (r < 851) {
    for (auto& node : nodes_) node->group = static_cast<int>(Rand(2));
    std::string text = "partition:";
    for (auto& node : nodes_)
      text += " " + std::to_string(node->id) + ":" + std::to_string(node->group);
    Note(text);
  } else if (r < 861) {
    NodeId from = 1 + Rand(nodes_.size());
    NodeId to = 1 + Rand(nodes_.size());
    if (from != to) {
      one_way_blocked_.insert({from, to});
      Note("one-way partition: " + std::to_string(from) + " -/-> " + std::to_string(to));
    }
  } else if (r < 891) {
    for (auto& node : nodes_) node->group = 0;
    one_way_blocked_.clear();
    class_blocked_.clear();
    Note("heal");
  } else if (r < 903) {
    Node& node = NodeAt(1 + Rand(nodes_.size()));
    if (!node.hostile) CrashRestart(node, /*power_loss=*/Chance(50));
  } else if (r < 930) {
    // One link carries only heartbeats (its follower falls far behind while
    // its leader hears it) or only appends.
    NodeId a = 1 + Rand(nodes_.size());
    NodeId b = 1 + Rand(nodes_.size());
    if (a != b) {
      const int message_class = static_cast<int>(Rand(2));
      class_blocked_.insert({std::min(a, b), std::max(a, b), message_class});
      ++stats_.class_partitions;
      Note("link " + std::to_string(a) + "-" + std::to_string(b) + " drops " +
           (message_class == 0 ? "appends" : "heartbeats"));
    }
  } else if (r < 932) {
    // The process stops (SIGSTOP, a long stall) for longer than an election
    // timeout, holding whatever it held, leadership and reads included.
    Node& node = NodeAt(WeightedNode());
    if (!node.hostile && !Paused(node)) {
      node.paused_until = step_ + 80 + Rand(120);
      // Its monotonic clock goes on meanwhile: at its next tick, timers of
      // more than an election timeout have passed.
      node.clock_ms += 3 * kTickMs * node.config.raft.election_ticks;
      ++stats_.pauses;
      Note("node " + std::to_string(node.id) + " stops until step " +
           std::to_string(node.paused_until));
    }
  } else if (r < 940) {
    // Its clock jumps: an election timeout's worth of ticks at once.
    Node& node = NodeAt(WeightedNode());
    if (!node.hostile && !Paused(node)) {
      ++stats_.clock_jumps;
      Note("node " + std::to_string(node.id) + "'s clock jumps");
      for (uint32_t i = 0; i < 2 * node.config.raft.election_ticks; ++i) {
        node.clock_ms += kTickMs;
        Observe(node);
        node.driver->Tick();
      }
    }
  } else if (r < 945) {
    // Its disk starts failing syncs: the next write that must be durable
    // fails, and the node stops (it restarts with what was synced).
    Node& node = NodeAt(1 + Rand(nodes_.size()));
    if (!node.hostile) {
      faults_seam_->FailSyncs(node.dir, true);
      Note("node " + std::to_string(node.id) + "'s disk fails syncs");
    }
  } else if (r < 955) {
    if (!in_flight_.empty()) {
      const size_t i = Rand(in_flight_.size());
      const InFlight flight = std::move(in_flight_[i]);
      in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
      if (flight.message.type == MessageType::kSnapshot && !flight.forward) {
        FailSnapshotStream(flight, "dropped");
      } else {
        Note("drop " + MessageText(flight.message));
      }
    }
  } else {
    NodeId id = WeightedNode();
    if (id == hostile_) {
      HostileStep();
    } else {
      TickNode(NodeAt(id));
    }
  }
  ProcessAllReady();
  CheckAll();
}

bool ClusterSim::HealAndConverge() {
  faults_ = false;
  healing_ = true;
  for (auto& node : nodes_) {
    node->group = 0;
    node->paused_until = 0;
    faults_seam_->FailSyncs(node->dir, false);
  }
  one_way_blocked_.clear();
  class_blocked_.clear();
  for (InFlight& f : in_flight_) f.deliver_at_step = 0;
  Note("heal for good");
  for (int round = 0; round < 600; ++round) {
    ++step_;
    for (auto& node : nodes_) {
      if (node->hostile) continue;
      node->clock_ms += kTickMs;
      Observe(*node);
      node->driver->Tick();
      MaybeCompact(*node);
    }
    ProcessAllReady();
    for (int i = 0; i < 400 && DeliverOne(); ++i) ProcessAllReady();
    CheckAll();
    if (final_index_ == 0 && round % 15 == 0) ProposeRandom(/*final_block=*/true);
    if (final_index_ == 0) continue;
    // The honest nodes (all but the adversary) converge; with membership
    // changes, the members of the target membership, once the leader's
    // membership is the target.
    const auto converging = [this](const Node& node) {
      if (node.hostile) return false;
      if (target_) return target_->Contains(node.id);
      // No target given: the initial voters (the others never joined).
      return !options_.membership_changes || node.id <= 3;
    };
    if (target_) {
      const NodeId leader = Leader();
      if (leader == consensus::kNoNode || NodeAt(leader).driver->raft().membership() != *target_) {
        if (round % 15 == 0) final_index_ = 0;  // propose again once the target is reached
        continue;
      }
    }
    const Node* reference_ptr = nullptr;
    for (const auto& node : nodes_) {
      if (reference_ptr == nullptr && converging(*node)) reference_ptr = node.get();
    }
    REQUIRE(reference_ptr != nullptr);
    const Node& reference = *reference_ptr;
    const uint64_t applied = reference.applied;
    bool same = applied >= final_index_;
    for (const auto& node : nodes_) {
      if (!converging(*node)) continue;
      same = same && node->applied == applied && node->driver->raft().commit_index() == applied;
    }
    if (!same) continue;
    // Every ledger is at the same block with the same root.
    const ledger::LedgerSummary first = reference.ledger->Summary();
    for (const auto& node : nodes_) {
      if (!converging(*node)) continue;
      const ledger::LedgerSummary s = node->ledger->Summary();
      REQUIRE_MESSAGE(s.applied_index == first.applied_index, "node " << node->id);
      REQUIRE_MESSAGE(s.block_hash == first.block_hash, "node " << node->id);
      REQUIRE_MESSAGE(s.root == first.root, "node " << node->id);
      REQUIRE(s.tree_size == first.tree_size);
      REQUIRE(s.block_height == first.block_height);
    }
    Note("converged at index " + std::to_string(applied));
    return true;
  }
  if (target_)
    Note("stuck: target voters " + Ids(target_->voters) + " learners " + Ids(target_->learners));
  for (const auto& node : nodes_) {
    const Raft& raft = node->driver->raft();
    Note("stuck: node " + std::to_string(node->id) + " role " +
         std::to_string(static_cast<int>(raft.role())) + " term " +
         std::to_string(raft.current_term()) + " leader " + std::to_string(raft.leader()) +
         " commit " + std::to_string(raft.commit_index()) + " applied " +
         std::to_string(node->applied) + " snapshot " + std::to_string(raft.snapshot().index) +
         " last " + std::to_string(raft.last_index()) + " final index " +
         std::to_string(final_index_) + " voters " + Ids(raft.membership().voters) + " learners " +
         Ids(raft.membership().learners) + " (from index " +
         std::to_string(raft.membership_index()) + ")");
  }
  return false;
}

// ---- checks ----

void ClusterSim::RecordPersisted(const Entry& entry) {
  // Log matching's base case (§5.3): a leader creates at most one entry per
  // index in its term, so (index, term) names one entry cluster-wide.
  auto [it, inserted] = entries_.emplace(std::make_pair(entry.index, entry.term), entry);
  REQUIRE_MESSAGE((inserted || it->second == entry),
                  "two different entries at index " << entry.index << " term " << entry.term);
}

void ClusterSim::RecordCommitted(const Entry& entry) {
  auto [it, inserted] = committed_.emplace(entry.index, entry);
  if (inserted) commit_step_[entry.index] = step_;
  if (inserted && entry.type == EntryType::kConfig) {
    auto change = consensus::DecodeConfigChange(entry.data);
    REQUIRE_MESSAGE(change.ok(), change.status().ToString());
    ++stats_.config_entries_committed;
    for (NodeId id : change->membership.voters) {
      if (last_committed_membership_.IsLearner(id)) ++stats_.promotions_committed;
    }
    last_committed_membership_ = change->membership;
  }
  // The final block: the first committed after healing that holds a final
  // document (HealAndConverge).
  if (inserted && healing_ && final_index_ == 0 && entry.type == EntryType::kNormal) {
    if (auto proposal = ledger::DecodeProposal(entry.data); proposal.ok()) {
      for (const ledger::ProposedDocument& d : proposal->documents) {
        if (final_keys_.count(node::DocumentKey(d)) > 0) final_index_ = entry.index;
      }
    }
  }
  REQUIRE_MESSAGE((inserted || it->second == entry),
                  "the entry committed at index " << entry.index << " changed: term "
                                                  << it->second.term << " then " << entry.term);
}

void ClusterSim::RecordBlock(uint64_t index, const ledger::Proposal& proposal,
                             const ledger::Block& block) {
  REQUIRE(block.log_index == index);
  const BlockRecord record{block.ComputeHash(), block.root, block.tree_size};
  auto [it, inserted] = blocks_.emplace(index, record);
  if (!inserted) {
    REQUIRE_MESSAGE(it->second.block_hash == record.block_hash,
                    "the block of log index " << index << " differs between nodes");
    REQUIRE(it->second.root == record.root);
    REQUIRE(it->second.tree_size == record.tree_size);
  } else {
    ++stats_.blocks;
  }
  // No (GTIN, serial) is accepted twice: every acceptance of one is the same
  // log index (a node re-applying after a power loss), never a second block.
  const SimDocumentPool& pool = SimDocuments();
  for (size_t i = 0; i < block.outcomes.size(); ++i) {
    const ledger::DocumentOutcome& outcome = block.outcomes[i];
    if (proposal.documents[i].kind != ledger::DocumentKind::kCredential) continue;
    if (!outcome.status.ok()) {
      if (inserted && outcome.status.IsAlreadyExists()) ++stats_.duplicates_rejected;
      continue;
    }
    if (inserted) ++stats_.documents_accepted;
    const std::string& key = pool.product_key.at(outcome.certificate_id);
    auto [at, first] = product_accepted_at_.emplace(key, index);
    REQUIRE_MESSAGE((first || at->second == index), "product " << key << " accepted at log index "
                                                               << at->second << " and " << index);
  }
}

void ClusterSim::RecordLookups(const Node& node, uint64_t call_step) {
  std::set<std::string> keys;
  for (const auto& [id, key] : SimDocuments().product_key) keys.insert(key);
  for (const std::string& key : keys) {
    const size_t slash = key.find('/');
    Result<std::string> holder =
        node.ledger->FindProduct(key.substr(0, slash), key.substr(slash + 1));
    REQUIRE_MESSAGE((holder.ok() || holder.status().IsNotFound()), holder.status().ToString());
    RegistryOp op;
    op.kind = RegistryOp::Kind::kLookup;
    op.call = call_step;
    op.ret = step_;
    op.value = holder.ok() ? *holder : std::string();
    lookups_[key].push_back(std::move(op));
  }
}

std::string ClusterSim::CheckLinearizable() {
  // Generous: a linearizable history of a seed takes a few thousand steps.
  constexpr uint64_t kSearchBudget = 2'000'000;
  const SimDocumentPool& pool = SimDocuments();
  std::map<std::string, std::vector<RegistryOp>> history = lookups_;
  for (const IssueRecord& issue : issues_) {
    const auto credential = pool.credential_at.find(issue.document);
    if (credential == pool.credential_at.end()) continue;  // an event
    if (issue.refused) continue;  // refused for another reason: changed nothing, saw nothing
    RegistryOp op;
    op.kind = RegistryOp::Kind::kIssue;
    op.value = credential->second;
    op.call = issue.call_step;
    if (issue.outcome) {
      op.outcome = *issue.outcome;
      op.ret = issue.ret_step;
    }
    history[pool.product_key.at(credential->second)].push_back(std::move(op));
  }
  std::string violations;
  for (const auto& [key, ops] : history) {
    stats_.registry_operations += ops.size();
    const LinearizabilityVerdict verdict = CheckRegistryKey(ops, kSearchBudget);
    if (verdict.kind == LinearizabilityVerdict::Kind::kGaveUp) ++stats_.registry_keys_undecided;
    if (verdict.kind == LinearizabilityVerdict::Kind::kViolation && violations.empty()) {
      violations = "product " + key + ": no order explains these answers:\n" + verdict.explanation;
    }
  }
  return violations;
}

void ClusterSim::CheckLedgerState(const Node& node) {
  const ledger::LedgerSummary s = node.ledger->Summary();
  if (s.applied_index == 0) {
    REQUIRE(s.tree_size == 0);
    return;
  }
  auto it = blocks_.find(s.applied_index);
  REQUIRE_MESSAGE(it != blocks_.end(), "node " << node.id << "'s ledger is at log index "
                                               << s.applied_index << ", never applied anywhere");
  REQUIRE_MESSAGE(it->second.block_hash == s.block_hash,
                  "node " << node.id << "'s ledger at log index " << s.applied_index
                          << " is not the block recorded for it");
  REQUIRE(it->second.root == s.root);
}

void ClusterSim::CheckAll() {
  for (auto& node_ptr : nodes_) {
    Node& node = *node_ptr;
    if (node.hostile) continue;
    node.driver->CheckInvariants();
    const Raft& raft = node.driver->raft();
    // One vote per term per node, across restarts and power loss: the
    // vote its log store holds.
    if (const consensus::HardState hs = node.log->GetHardState();
        hs.voted_for != consensus::kNoNode) {
      auto [it, first] = votes_.emplace(std::make_pair(node.id, hs.current_term), hs.voted_for);
      REQUIRE_MESSAGE((first || it->second == hs.voted_for),
                      "node " << node.id << " voted for " << it->second << " and " << hs.voted_for
                              << " in term " << hs.current_term);
    }
    REQUIRE_MESSAGE((hostile_ == consensus::kNoNode || raft.leader() != hostile_),
                    "node " << node.id << " follows the hostile node " << hostile_);
    // Election safety (§5.2), across configurations: each leader counted
    // its votes in its own membership, and still one leader per term.
    if (raft.role() == Role::kLeader && !raft.membership().IsVoter(node.id)) {
      ++stats_.removed_leader_checks;
    }
    if (raft.role() == Role::kLeader) {
      auto [it, inserted] = leaders_.emplace(raft.current_term(), node.id);
      REQUIRE_MESSAGE(it->second == node.id, "nodes " << it->second << " and " << node.id
                                                      << " both lead term " << it->second);
    }
    // Commit indexes never decrease, across restarts too (hard state).
    REQUIRE_MESSAGE(raft.commit_index() >= node.commit_seen,
                    "node " << node.id << " commit went back from " << node.commit_seen << " to "
                            << raft.commit_index());
    node.commit_seen = raft.commit_index();
    max_commit_observed_ = std::max(max_commit_observed_, raft.commit_index());
    REQUIRE(node.applied <= raft.commit_index());
    // Leader completeness (§5.4): the committed prefix of every log agrees
    // with what was committed before. Entries are unique per (index, term),
    // so comparing terms compares entries.
    const std::vector<Entry>& log = raft.log();
    const uint64_t first = raft.first_index();
    for (const Entry& e : log) RecordPersisted(e);
    for (uint64_t i = first; i <= raft.commit_index() && i - first < log.size(); ++i) {
      const Entry& e = log[i - first];
      auto it = committed_.find(i);
      if (it == committed_.end()) {
        RecordCommitted(e);
      } else {
        REQUIRE_MESSAGE(it->second.term == e.term,
                        "node " << node.id << " has term " << e.term << " at committed index " << i
                                << ", committed with term " << it->second.term);
      }
    }
    CheckLedgerState(node);
    REQUIRE(node.ledger->applied_index() <= node.applied);
  }
  stats_.max_commit = max_commit_observed_;
  // Log matching (§5.3): logs that agree on the term at an index agree on
  // every earlier index they both hold.
  for (size_t a = 0; a < nodes_.size(); ++a) {
    for (size_t b = a + 1; b < nodes_.size(); ++b) {
      if (nodes_[a]->hostile || nodes_[b]->hostile) continue;
      const Raft& ra = nodes_[a]->driver->raft();
      const Raft& rb = nodes_[b]->driver->raft();
      const uint64_t lo = std::max(ra.first_index(), rb.first_index());
      uint64_t hi = std::min(ra.last_index(), rb.last_index());
      while (hi >= lo && hi > 0 && ra.TermAt(hi) != rb.TermAt(hi)) --hi;
      for (uint64_t i = lo; i <= hi; ++i) {
        REQUIRE_MESSAGE(ra.TermAt(i) == rb.TermAt(i),
                        "logs of nodes " << nodes_[a]->id << " and " << nodes_[b]->id
                                         << " agree at " << hi << " but differ at " << i);
      }
    }
  }
}

}  // namespace frontera::sim
