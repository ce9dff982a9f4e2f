// node::Validator, part 1 of 8: opening a validator (checking its config
// against genesis, opening and reconciling its stores, starting Raft and the
// peer links), handing over leadership, stopping, and the apply thread
// (committed entries applied to the ledger, blocks co-signed, clients
// answered).
// The class and its threads: node/validator.h, which also lists where the
// rest of its member functions are.
#include "node/validator.h"

#include <pthread.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

#include "api/problem.h"
#include "common/binary.h"
#include "common/check.h"
#include "crypto/did_key.h"
#include "node/applied_mark.h"
#include "node/data_format.h"
#include "node/election_signer.h"
#include "node/log.h"
#include "node/peer_transport.h"
#include "node/validator_internal.h"
#include "storage/raft_log_store.h"

namespace frontera::node {

namespace fs = std::filesystem;
using consensus::Entry;
using consensus::EntryType;
using consensus::SnapshotMeta;
using storage::Column;
using validator_internal::Envelope;
using validator_internal::kStatePointer;
using validator_internal::PeerKind;
using validator_internal::ReceiptOf;

namespace {

constexpr size_t kCosignHeightsMax = 4096;
// Tree sizes whose item filter signatures are kept waiting for a majority.
constexpr size_t kItemFilterPendingMax = 8;
constexpr uint64_t kSnapshotBytesMax = uint64_t{64} << 30;

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address,
                                                       const std::string& what) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return Status::InvalidArgument(what + " \"" + address + "\" is not host:port");
  }
  const std::string port_text = address.substr(colon + 1);
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535) {
    return Status::InvalidArgument(what + " \"" + address + "\" has no valid port");
  }
  return std::make_pair(address.substr(0, colon), static_cast<uint16_t>(std::stoul(port_text)));
}

// Before anything is written in it (the audit trail, the stores): a data
// directory of another layout is refused untouched.
Status PrepareDataDirectory(const std::string& data_dir) {
  const fs::path root(data_dir);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::IOError("cannot create " + root.string() + ": " + ec.message());
  if (fs::exists(root / "CURRENT")) {
    return Status::FailedPrecondition(
        "data directory " + root.string() +
        " holds the single-validator layout of an earlier version; move it away (the node then "
        "catches up from its peers)");
  }
  return CheckDataFormat(root.string());
}

}  // namespace

Validator::Validator(const NodeConfig& config, const crypto::KeyPair& key, const Clock* clock,
                     ledger::Genesis genesis)
    : config_(config), key_(key), clock_(clock), genesis_(std::move(genesis)) {}

Result<ledger::Genesis> Validator::CheckSetup(const NodeConfig& config,
                                              const crypto::KeyPair& key) {
  FRONTERA_RETURN_IF_ERROR(config.Validate());
  FRONTERA_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::LoadGenesisFile(config.genesis_file));
  const ledger::Validator* self = genesis.FindValidator(config.name);
  if (self != nullptr && self->public_key != key.public_key()) {
    return Status::InvalidArgument("node.key_file " + config.key_file +
                                   " is not the key genesis lists for validator " + config.name);
  }
  for (const auto& [name, address] : config.raft.peer_addresses) {
    if (name == config.name) {
      return Status::InvalidArgument("peers." + name + " names this validator itself");
    }
  }
  return genesis;
}

Result<std::unique_ptr<Validator>> Validator::Open(const NodeConfig& config,
                                                   const crypto::KeyPair& key, const Clock* clock) {
  FRONTERA_ASSIGN_OR_RETURN(ledger::Genesis genesis, CheckSetup(config, key));
  const bool in_genesis = genesis.FindValidator(config.name) != nullptr;
  std::unique_ptr<Validator> v(new Validator(config, key, clock, std::move(genesis)));
  {
    MutexLock lock(v->members_mu_);
    for (size_t i = 0; i < v->genesis_.validators.size(); ++i) {
      // Raft ids follow the genesis order, so every node agrees on them.
      v->names_[ledger::GenesisRaftId(i)] = v->genesis_.validators[i].name;
      if (v->genesis_.validators[i].name == config.name) v->self_id_ = ledger::GenesisRaftId(i);
    }
    if (!in_genesis) {
      // A validator the agencies added later (docs/operations.md): its id
      // comes from its key, which it knows before it has the ledger.
      v->joined_ = true;
      v->self_id_ = ledger::RaftIdForDid(crypto::DidKeyFromPublicKey(key.public_key()));
      v->names_[v->self_id_] = config.name;
    }
  }
  v->cosigner_ =
      std::make_unique<CheckpointCosigner>(v->genesis_, config.name, &v->key_, kCosignHeightsMax,
                                           config.raft.cosign_window_heights, v->clock_);
  FRONTERA_RETURN_IF_ERROR(PrepareDataDirectory(config.data_dir));
  // docs/api.md#audit-trail: beside the stores, never replicated.
  FRONTERA_ASSIGN_OR_RETURN(
      v->audit_, AuditTrail::Open(std::filesystem::path(config.data_dir) / "audit", config.audit));
  v->filter_cosigner_ = std::make_unique<ItemFilterCosigner>(v->genesis_.network, config.name,
                                                             &v->key_, v->genesis_.validators,
                                                             kItemFilterPendingMax, v->clock_);
  FRONTERA_RETURN_IF_ERROR(v->OpenStores());
  if (!v->genesis_.witnesses.empty()) {
    Validator* p = v.get();
    v->witnesses_ = std::make_unique<WitnessSubmitter>(
        config.name, &v->key_, v->genesis_.witnesses, config.witness,
        [p](uint64_t first, uint64_t second) {
          return p->CurrentLedger()->sm->ConsistencyProof(first, second);
        },
        [p](const std::string& text, std::vector<crypto::NoteSignature> cosignatures) {
          p->CurrentLedger()->sm->AddCheckpointCosignatures(text, cosignatures);
        });
    // The witnesses' cosignatures are held in memory: ask for them again.
    std::string latest = v->CurrentLedger()->sm->LatestCheckpoint();
    if (!latest.empty()) v->witnesses_->Submit(latest);
  }
  FRONTERA_RETURN_IF_ERROR(v->StartRaft());
  v->filter_thread_ = std::thread([p = v.get()] { p->ItemFilterLoop(); });
  v->apply_thread_ = std::thread([p = v.get()] { p->ApplyLoop(); });
  v->raft_thread_ = std::thread([p = v.get()] { p->RaftLoop(); });
  return v;
}

Validator::~Validator() { Stop(); }

Status Validator::OpenStores() {
  const fs::path root(config_.data_dir);
  std::error_code ec;
  std::string state_name = "state";
  if (std::ifstream pointer(root / kStatePointer); pointer) {
    std::getline(pointer, state_name);
    if (state_name.empty() || state_name.find('/') != std::string::npos) {
      return Status::Corruption(root.string() + "/" + kStatePointer + " names no ledger directory");
    }
  }
  // Leftovers of an interrupted snapshot transfer or install.
  fs::remove_all(root / "snapshot-staging", ec);
  fs::remove_all(root / "snapshot-accepted", ec);
  for (const fs::directory_entry& e : fs::directory_iterator(root, ec)) {
    const std::string name = e.path().filename().string();
    if ((name == "state" || name.rfind("state-", 0) == 0) && name != state_name) {
      fs::remove_all(e.path(), ec);
    }
  }
  auto ledger = std::make_shared<Ledger>();
  ledger->dir = (root / state_name).string();
  FRONTERA_ASSIGN_OR_RETURN(ledger->store, storage::KvStore::Open(ledger->dir, config_.storage));
  FRONTERA_ASSIGN_OR_RETURN(auto genesis_mark, ledger->store->Get(Column::kMeta, "genesis/hash"));
  if (genesis_mark && *genesis_mark != AsChars(genesis_.hash)) {
    return Status::FailedPrecondition("data directory " + config_.data_dir +
                                      " belongs to another network (genesis hash differs)");
  }
  if (!genesis_mark) {
    storage::WriteBatch batch;
    batch.Put(Column::kMeta, "genesis/hash", AsChars(genesis_.hash));
    FRONTERA_RETURN_IF_ERROR(ledger->store->Write(batch, /*sync=*/true));
  }
  FRONTERA_ASSIGN_OR_RETURN(
      ledger->sm, ledger::StateMachine::Open(ledger->store.get(), genesis_, config_.ledger));
  FRONTERA_ASSIGN_OR_RETURN(const SnapshotMeta applied, ReadAppliedMark(*ledger->store));
  FRONTERA_ASSIGN_OR_RETURN(log_store_,
                            storage::RaftLogStore::Open((root / "raft").string(), config_.storage));
  const uint64_t log_snapshot_before = log_store_->Snapshot().index;
  FRONTERA_RETURN_IF_ERROR(ReconcileLog(*log_store_, applied, ledger->dir, config_.data_dir));
  if (log_store_->Snapshot().index != log_snapshot_before) {
    LogWarning(config_.name, "recovery: the ledger had installed the snapshot at log index " +
                                 std::to_string(applied.index) +
                                 " but the Raft log did not record it (a crash between the "
                                 "two); recorded it now");
  }
  applied_index_ = applied.index;
  std::vector<SnapshotMeta> on_disk;
  for (const fs::directory_entry& e : fs::directory_iterator(root / "snapshots", ec)) {
    SnapshotMeta s;
    if (std::sscanf(e.path().filename().c_str(), "%lu-%lu", &s.index, &s.term) == 2) {
      on_disk.push_back(s);
    }
  }
  const size_t snapshots_on_disk = on_disk.size();
  {
    MutexLock lock(snapshot_mu_);
    snapshots_ = SnapshotCatalog(std::move(on_disk), log_store_->Snapshot().index);
  }
  snapshot_receiver_.emplace((root / "snapshot-staging").string(), kSnapshotBytesMax);
  // No leader known yet: chunks are refused until one is (OnLeaderChange).
  snapshot_receiver_->Expect(consensus::kNoNode, 0);
  const consensus::HardState hs = log_store_->GetHardState();
  LogInfo(config_.name, "recovered: ledger " + ledger->dir + " applied to log index " +
                            std::to_string(applied.index) + "; Raft log to index " +
                            std::to_string(log_store_->LastIndex()) + " (snapshot at " +
                            std::to_string(log_store_->Snapshot().index) + "), term " +
                            std::to_string(hs.current_term) + ", commit index " +
                            std::to_string(hs.commit_index) + "; " +
                            std::to_string(snapshots_on_disk) + " snapshots on disk");
  MutexLock lock(ledger_mu_);
  ledger_ = std::move(ledger);
  return Status::Ok();
}

Status Validator::StartRaft() {
  consensus::RaftConfig rc = CoreConfig(config_);
  rc.id = self_id_;
  // The initial membership is the genesis's; changes since are in the log.
  for (size_t i = 0; i < genesis_.validators.size(); ++i) {
    rc.peers.push_back(ledger::GenesisRaftId(i));
  }
  // Leadership only on a majority's signed votes: a validator holding a
  // genesis key cannot make the others follow it by claiming a term.
  // RefreshMembers adds the keys of the validators the ledger added.
  std::map<consensus::NodeId, crypto::PublicKey> voter_keys;
  for (size_t i = 0; i < genesis_.validators.size(); ++i) {
    voter_keys[ledger::GenesisRaftId(i)] = genesis_.validators[i].public_key;
  }
  voter_keys[self_id_] = key_.public_key();
  signer_ = std::make_shared<ElectionSigner>(genesis_.hash, key_, std::move(voter_keys));
  rc.authority = signer_;
  std::array<uint8_t, 8> seed{};
  crypto::RandomBytes(seed);
  rc.seed = LoadBigEndian64(reinterpret_cast<const char*>(seed.data()));
  rc.applied_index = std::max(applied_index_.load(), log_store_->Snapshot().index);
  FRONTERA_ASSIGN_OR_RETURN(driver_,
                            RaftDriver::Create(config_, rc, log_store_.get(), FirstReadContext()));
  FRONTERA_ASSIGN_OR_RETURN(std::vector<ledger::ValidatorRecord> set,
                            CurrentLedger()->sm->Validators());
  // A network of one validator that never added another runs without peer
  // links.
  if (!joined_ && genesis_.validators.size() == 1 && set.size() == 1) {
    RefreshMembers();
    return Status::Ok();
  }

  PeerTransportOptions options;
  options.self_id = self_id_;
  options.self_name = config_.name;
  options.key = &key_;
  options.network_id = genesis_.hash;
  std::string listen = config_.raft.listen;
  if (listen.empty() && !joined_) listen = genesis_.FindValidator(config_.name)->peer_addr;
  for (const ledger::ValidatorRecord& r : set) {
    if (listen.empty() && r.raft_id == self_id_) listen = r.peer;
  }
  if (listen.empty()) {
    return Status::InvalidArgument("raft.listen is required: validator " + config_.name +
                                   " has no peer address in the genesis or on the ledger");
  }
  FRONTERA_ASSIGN_OR_RETURN(auto self_addr, SplitHostPort(listen, "raft.listen"));
  options.listen_host = self_addr.first;
  options.listen_port = self_addr.second;
  for (const ledger::ValidatorRecord& v : set) {
    // A genesis validator without an address is one the others cannot dial.
    if (v.raft_id == self_id_ || v.status != ledger::ValidatorStatus::kActive) continue;
    auto override_it = config_.raft.peer_addresses.find(v.name);
    const std::string address =
        override_it != config_.raft.peer_addresses.end() ? override_it->second : v.peer;
    if (address.empty()) {
      return Status::InvalidArgument("no address for validator " + v.name + ": set peers." +
                                     v.name + " or its peer_addr in genesis");
    }
    FRONTERA_ASSIGN_OR_RETURN(auto host_port, SplitHostPort(address, "the address of " + v.name));
    options.peers.push_back({v.raft_id, v.name, host_port.first, host_port.second, v.public_key});
  }
  endpoints_ = options.peers;
  options.frame_bytes_max = config_.raft.frame_bytes_max;
  options.send_queue_frames_max = config_.raft.send_queue_frames_max;
  options.send_queue_bytes_max = std::max<size_t>(config_.raft.frame_bytes_max * 4, 256 << 20);
  // Connections established, lost and refused, and why.
  options.log = [name = config_.name](std::string_view line) { LogInfo(name, line); };
  FRONTERA_ASSIGN_OR_RETURN(
      transport_, PeerTransport::Start(std::move(options), [this](uint64_t from, std::string p) {
        OnPeerFrame(from, std::move(p));
      }));
  RefreshMembers();
  return Status::Ok();
}

std::map<consensus::NodeId, std::string> Validator::Names() const {
  MutexLock lock(members_mu_);
  return names_;
}

std::vector<consensus::NodeId> Validator::PeerIds() const {
  std::vector<consensus::NodeId> out;
  MutexLock lock(members_mu_);
  for (const auto& [id, name] : names_) {
    if (id != self_id_) out.push_back(id);
  }
  return out;
}

void Validator::RefreshMembers() {
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  const consensus::Raft& raft = driver_->raft();
  const uint64_t changes = ledger->sm->validator_changes();
  ledger::Voters attested;
  uint64_t attested_generation = 0;
  {
    MutexLock lock(members_mu_);
    attested = attested_voters_;
    attested_generation = attested_generation_;
  }
  if (ledger.get() == ledger_seen_ && changes == validator_changes_seen_ &&
      raft.membership() == membership_seen_ && attested_generation == attested_generation_seen_) {
    return;
  }
  Result<std::vector<ledger::ValidatorRecord>> set = ledger->sm->Validators();
  if (!set.ok()) {
    LogError(config_.name,
             "cannot read the validators from the ledger: " + set.status().ToString());
    return;
  }
  ledger_seen_ = ledger.get();
  validator_changes_seen_ = changes;
  membership_seen_ = raft.membership();
  attested_generation_seen_ = attested_generation;

  std::map<consensus::NodeId, std::string> names;
  std::map<consensus::NodeId, crypto::PublicKey> keys;
  for (size_t i = 0; i < genesis_.validators.size(); ++i) {
    names[ledger::GenesisRaftId(i)] = genesis_.validators[i].name;
    keys[ledger::GenesisRaftId(i)] = genesis_.validators[i].public_key;
  }
  names[self_id_] = config_.name;
  keys[self_id_] = key_.public_key();
  consensus::Membership target;
  std::vector<PeerEndpoint> endpoints;
  for (const ledger::ValidatorRecord& v : *set) {
    names[v.raft_id] = v.name;
    keys[v.raft_id] = v.public_key;
    const bool active = v.status == ledger::ValidatorStatus::kActive;
    if (active) {
      (v.role == ledger::ValidatorRole::kVoter ? target.voters : target.learners)
          .push_back(v.raft_id);
    }
    // A removed validator stays a peer until the core's membership lets it
    // go (its removal may still be committing).
    if (v.raft_id == self_id_ || (!active && !raft.membership().Contains(v.raft_id))) continue;
    auto override_it = config_.raft.peer_addresses.find(v.name);
    const std::string address =
        override_it != config_.raft.peer_addresses.end() ? override_it->second : v.peer;
    auto host_port = SplitHostPort(address, "the address of " + v.name);
    if (!host_port.ok()) continue;  // a genesis validator without an address
    endpoints.push_back({v.raft_id, v.name, host_port->first, host_port->second, v.public_key});
  }
  std::sort(target.voters.begin(), target.voters.end());
  std::sort(target.learners.begin(), target.learners.end());
  // The voters a verified voter chain vouches for beyond this ledger: their
  // votes count too (a genesis validator keeps its genesis id).
  std::vector<consensus::NodeId> attested_ids;
  for (const ledger::Validator& v : attested) {
    consensus::NodeId id = ledger::RaftIdForDid(v.did);
    for (size_t i = 0; i < genesis_.validators.size(); ++i) {
      if (genesis_.validators[i].did == v.did) id = ledger::GenesisRaftId(i);
    }
    keys.try_emplace(id, v.public_key);
    attested_ids.push_back(id);
  }
  driver_->SetAttestedVoters(std::move(attested_ids));
  signer_->SetKeys(std::move(keys));
  if (!target.voters.empty()) {
    driver_->SetTargetMembership(
        target, "validators as of block " + std::to_string(ledger->sm->Summary().block_height));
  }
  const auto same = [](const PeerEndpoint& a, const PeerEndpoint& b) {
    return a.id == b.id && a.name == b.name && a.host == b.host && a.port == b.port &&
           a.public_key == b.public_key;
  };
  if (transport_ &&
      !std::equal(endpoints.begin(), endpoints.end(), endpoints_.begin(), endpoints_.end(), same)) {
    if (Status s = transport_->SetPeers(endpoints); s.ok()) {
      endpoints_ = std::move(endpoints);
      LogInfo(config_.name, "peer links: " + std::to_string(endpoints_.size()) + " validators");
    } else {
      LogError(config_.name, "cannot change the peer links: " + s.ToString());
    }
  }
  MutexLock lock(members_mu_);
  names_ = std::move(names);
  membership_ = raft.membership();
  validator_set_ = std::move(set).value();
}

uint16_t Validator::peer_port() const { return transport_ ? transport_->listen_port() : 0; }

std::string Validator::HandOverLeadership() {
  if (!transport_ || role_.load() != static_cast<int>(consensus::Role::kLeader)) return "";
  {
    MutexLock lock(mu_);
    hand_over_requested_ = true;
  }
  raft_cv_.notify_one();
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(2 * config_.raft.tick_ms * config_.raft.election_ticks);
  while (std::chrono::steady_clock::now() < deadline) {
    const consensus::NodeId leader = leader_.load();
    if (leader != consensus::kNoNode && leader != self_id_) return PeerName(leader);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "";
}

void Validator::Stop() {
  {
    MutexLock lock(mu_);
    if (stopping_ && !raft_thread_.joinable() && !apply_thread_.joinable()) return;
    stopping_ = true;
  }
  raft_cv_.notify_all();
  read_cv_.notify_all();
  { MutexLock lock(apply_mu_); }
  apply_cv_.notify_all();
  apply_space_cv_.notify_all();
  applied_cv_.notify_all();
  {
    MutexLock lock(filter_mu_);
    filter_stopping_ = true;
  }
  filter_cv_.notify_all();
  // Before the transport stops: the filter thread may be sending.
  if (filter_thread_.joinable()) filter_thread_.join();
  if (transport_) transport_->Stop();
  if (raft_thread_.joinable()) raft_thread_.join();
  for (auto& [peer, t] : snapshot_threads_) {
    if (t.joinable()) t.join();
  }
  if (apply_thread_.joinable()) apply_thread_.join();
  MutexLock lock(waiters_mu_);
  for (auto& [key, list] : waiters_) {
    for (auto& w : list) w->answer.set_value(Status::Unavailable("validator is shutting down"));
  }
  waiters_.clear();
}

std::shared_ptr<Validator::Ledger> Validator::CurrentLedger() const {
  MutexLock lock(ledger_mu_);
  return ledger_;
}

// ---------------------------------------------------------------------------
// The apply thread

void Validator::ApplyLoop() {
  pthread_setname_np(pthread_self(), "apply");
  // A fresh ledger: sign the checkpoint of the empty tree, so that auditors
  // and inspectors have a starting point.
  {
    std::shared_ptr<Ledger> ledger = CurrentLedger();
    const ledger::LedgerSummary s = ledger->sm->Summary();
    applied_height_ = s.block_height;
    auto applied = ReadAppliedMark(*ledger->store);
    const uint64_t index = applied.ok() ? applied->index : 0;
    const uint64_t term = applied.ok() ? applied->term : 0;
    CosignApplied(ledger, index, term);
    PublishCosigned();
  }
  for (;;) {
    std::optional<ApplyItem> item;
    bool cosigned = false;
    bool idle = false;
    {
      MutexLock lock(apply_mu_);
      // Idle for a while: the voter chain's repair still runs (a node that
      // cannot follow its leader applies nothing, and may need a link).
      idle = !apply_cv_.wait_for(lock.native(), kVoterChainIdleInterval, [&]() REQUIRES(apply_mu_) {
        return stopping_ || !apply_queue_.empty() || cosigned_waiting_;
      });
      if (stopping_) return;
      if (!apply_queue_.empty()) {
        item = std::move(apply_queue_.front());
        apply_queue_.pop_front();
      }
      cosigned = std::exchange(cosigned_waiting_, false);
    }
    if (item) {
      apply_space_cv_.notify_one();
      if (item->install) {
        InstallSnapshot(*item->install, item->install_dir);
      } else if (item->entry.index > applied_index_.load()) {
        ApplyEntry(item->entry);
      }
    }
    if (cosigned) PublishCosigned();
    if (idle) RepairVoterChain(CurrentLedger());
  }
}

void Validator::ApplyEntry(const Entry& entry) {
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  storage::WriteBatch batch;
  std::optional<ledger::Block> block;
  ledger::Proposal proposal;
  std::vector<std::string> keys;
  bool is_proposal = false;
  if (entry.type == EntryType::kNormal) {
    auto decoded = ledger::DecodeProposal(entry.data);
    if (!decoded.ok()) {
      // A leader (hostile or buggy) committed bytes that are no proposal.
      // Every node decodes the same bytes the same way, so every node skips
      // the entry alike: no block, nothing applied, no crash.
      ++entries_not_proposals_;
      LogError(config_.name,
               "committed entry " + std::to_string(entry.index) +
                   " is not a proposal and is skipped: " + decoded.status().message());
    } else {
      proposal = std::move(decoded).value();
      is_proposal = true;
    }
  }
  if (is_proposal) {
    std::vector<std::shared_ptr<const ledger::ParsedDocument>> held;
    std::vector<const ledger::ParsedDocument*> parsed;
    keys.reserve(proposal.documents.size());
    {
      MutexLock lock(waiters_mu_);
      for (const ledger::ProposedDocument& d : proposal.documents) {
        keys.push_back(DocumentKey(d));
        auto it = parsed_.find(keys.back());
        held.push_back(it == parsed_.end() ? nullptr : it->second);
        parsed.push_back(held.back().get());
      }
    }
    block = ledger->sm->Apply(entry.index, proposal, &parsed, batch);
  }
  batch.Put(Column::kMeta, kAppliedMarkKey, EncodeAppliedMark({entry.index, entry.term}));
  // Not synced: the raft log holds the entry, and a crash replays it. The
  // ledger is synced before the log is compacted past it (snapshots).
  Status s = ledger->store->Write(batch, /*sync=*/false);
  FRONTERA_CHECK(s.ok()) << "ledger write failed: " << s.ToString();
  if (block) {
    ledger->sm->Publish();
    const int64_t previous_block_time = last_block_time_.exchange(block->time_unix_ms);
    applied_height_ = block->height;
    ++blocks_;
    // A snapshot of this block needs the majority's state note: keep its
    // signatures until the note is complete.
    const bool snapshot_due = SnapshotDue(entry.index);
    if (snapshot_due) cosigner_->Pin(block->height);
    CosignApplied(ledger, entry.index, entry.term);
    PublishCosigned();
    ScheduleItemFilter(ledger, block->height, ledger->sm->Summary().tree_size, previous_block_time,
                       block->time_unix_ms);
  }
  {
    MutexLock lock(apply_mu_);
    applied_index_ = entry.index;
  }
  applied_cv_.notify_all();
  if (block) {
    // Answer the clients waiting on this node for documents of the block.
    MutexLock lock(waiters_mu_);
    for (size_t i = 0; i < keys.size(); ++i) {
      parsed_.erase(keys[i]);
      const ledger::DocumentOutcome& o = block->outcomes[i];
      if (o.status.ok()) {
        ++accepted_;
      } else {
        ++rejected_at_apply_by_problem_[std::string(
            api::ProblemSlug(api::ProblemFromStatus(o.status, api::InputKind::kDocument).type))];
      }
      auto it = waiters_.find(keys[i]);
      if (it == waiters_.end()) continue;
      std::shared_ptr<Waiter> w = std::move(it->second.front());
      it->second.pop_front();
      if (it->second.empty()) waiters_.erase(it);
      if (!o.status.ok()) {
        // The same document, byte for byte, is on the ledger already: it
        // was posted twice, or its first copy committed in a block this
        // node installed from a snapshot and the copy sent again was
        // refused. Its client gets the receipt of the first copy.
        if (o.status.IsAlreadyExists()) {
          if (auto held = ledger->sm->FindIdentical(proposal.documents[i]); held) {
            w->answer.set_value(ReceiptOf(*held));
            continue;
          }
        }
        w->answer.set_value(o.status);
        continue;
      }
      api::Receipt r;
      r.id = o.certificate_id;
      r.status = o.certificate_status;
      r.leaf_index = o.leaf_index;
      r.leaf_hash = o.leaf_hash;
      r.block_height = block->height;
      w->answer.set_value(std::move(r));
    }
  }
  apply_micros_ += MicrosSince(start);
  // Snapshots are taken at blocks only: a snapshot's state is then the
  // state after one block, which the block's state note describes.
  if (block && SnapshotDue(entry.index)) TakeSnapshot(entry.index, entry.term, block->height);
}

}  // namespace frontera::node
