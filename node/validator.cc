#include "node/validator.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "api/problem.h"
#include "common/binary.h"
#include "common/check.h"
#include "common/encoding.h"
#include "common/files.h"
#include "consensus/codec.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/label.h"
#include "ledger/verdict.h"
#include "node/applied_mark.h"
#include "node/block_check.h"
#include "node/election_signer.h"
#include "node/log.h"
#include "node/peer_transport.h"
#include "storage/keys.h"
#include "storage/raft_log_store.h"

namespace frontera::node {

namespace fs = std::filesystem;
using consensus::Entry;
using consensus::EntryType;
using consensus::Message;
using consensus::MessageType;
using consensus::SnapshotMeta;
using ledger::DocumentKind;
using storage::Column;

namespace {

// Peer frames start with one byte naming what follows (docs/consensus.md#peer-messages).
enum class PeerKind : uint8_t {
  kRaft = 1,           // a consensus::Message (consensus/codec.h)
  kCosign = 2,         // a CosignMessage (node/checkpoint_cosigner.h)
  kForward = 3,        // documents for the leader to propose (ledger::EncodeProposal)
  kSnapshotChunk = 4,  // node/snapshot_transfer.h
};
// Raft-thread events from this node's own threads (never on the wire).
constexpr uint8_t kLocalSnapshotReport = 0x81;

constexpr size_t kInboxMax = 65536;      // peer frames waiting for the raft thread
constexpr size_t kApplyQueueMax = 1024;  // committed entries waiting for the apply thread
constexpr size_t kCosignHeightsMax = 4096;
constexpr uint64_t kSnapshotBytesMax = uint64_t{64} << 30;
const std::string kStatePointer = "STATE";  // names the ledger directory in use
// In a snapshot directory: the majority-signed state note of its block.
const std::string kSnapshotNoteFile = "FRONTERA-STATE-NOTE";

std::string Envelope(PeerKind kind, std::string_view body) {
  std::string out;
  out.reserve(1 + body.size());
  out.push_back(static_cast<char>(kind));
  out.append(body);
  return out;
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

std::string SnapshotDir(const std::string& data_dir, const SnapshotMeta& s) {
  return (fs::path(data_dir) / "snapshots" /
          (std::to_string(s.index) + "-" + std::to_string(s.term)))
      .string();
}

// Makes a directory's files and its entry durable (a snapshot before the log
// is compacted to it or installed from it).
Status SyncTree(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IOError("cannot open " + dir + " to sync it");
  int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError("cannot sync " + dir);
  return Status::Ok();
}

api::Receipt ReceiptOf(const ledger::StateMachine::HeldDocument& held) {
  api::Receipt r;
  r.id = held.certificate_id;
  r.status = held.status;
  r.leaf_index = held.leaf_index;
  r.leaf_hash = held.leaf_hash;
  r.block_height = held.block_height;
  return r;
}

std::string RoleName(consensus::Role role) {
  switch (role) {
    case consensus::Role::kFollower:
      return "follower";
    case consensus::Role::kPreCandidate:
      return "pre-candidate";
    case consensus::Role::kCandidate:
      return "candidate";
    case consensus::Role::kLeader:
      return "leader";
  }
  return "unknown";
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

}  // namespace

Validator::Validator(const NodeConfig& config, const crypto::KeyPair& key, const Clock* clock,
                     ledger::Genesis genesis)
    : config_(config), key_(key), clock_(clock), genesis_(std::move(genesis)) {}

Result<std::unique_ptr<Validator>> Validator::Open(const NodeConfig& config,
                                                   const crypto::KeyPair& key, const Clock* clock) {
  FRONTERA_RETURN_IF_ERROR(config.Validate());
  FRONTERA_ASSIGN_OR_RETURN(ledger::Genesis genesis, ledger::LoadGenesisFile(config.genesis_file));
  const ledger::Validator* self = genesis.FindValidator(config.name);
  if (self == nullptr) {
    return Status::InvalidArgument("node.name \"" + config.name + "\" is not a validator in " +
                                   config.genesis_file);
  }
  if (self->public_key != key.public_key()) {
    return Status::InvalidArgument("node.key_file " + config.key_file +
                                   " is not the key genesis lists for validator " + config.name);
  }
  for (const auto& [name, address] : config.raft.peer_addresses) {
    if (genesis.FindValidator(name) == nullptr || name == config.name) {
      return Status::InvalidArgument("peers." + name + " names no other validator of " +
                                     config.genesis_file);
    }
  }
  std::unique_ptr<Validator> v(new Validator(config, key, clock, std::move(genesis)));
  for (size_t i = 0; i < v->genesis_.validators.size(); ++i) {
    // Raft ids follow the genesis order, so every node agrees on them.
    v->names_[i + 1] = v->genesis_.validators[i].name;
    if (v->genesis_.validators[i].name == config.name) v->self_id_ = i + 1;
  }
  v->cosigner_ = std::make_unique<CheckpointCosigner>(
      v->genesis_, config.name, &v->key_, kCosignHeightsMax, config.raft.cosign_window_heights);
  FRONTERA_RETURN_IF_ERROR(v->OpenStores());
  FRONTERA_RETURN_IF_ERROR(v->StartRaft());
  v->apply_thread_ = std::thread([p = v.get()] { p->ApplyLoop(); });
  v->raft_thread_ = std::thread([p = v.get()] { p->RaftLoop(); });
  return v;
}

Validator::~Validator() { Stop(); }

Status Validator::OpenStores() {
  const fs::path root(config_.data_dir);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::IOError("cannot create " + root.string() + ": " + ec.message());
  if (fs::exists(root / "CURRENT")) {
    return Status::FailedPrecondition(
        "data directory " + root.string() +
        " holds the single-validator layout of an earlier version; move it away (the node then "
        "catches up from its peers)");
  }
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
  for (const auto& [id, name] : names_) rc.peers.push_back(id);
  // Leadership only on a majority's signed votes: a validator holding a
  // genesis key cannot make the others follow it by claiming a term.
  std::map<consensus::NodeId, crypto::PublicKey> voter_keys;
  for (const auto& [id, name] : names_) voter_keys[id] = genesis_.FindValidator(name)->public_key;
  rc.authority = std::make_shared<ElectionSigner>(genesis_.hash, key_, std::move(voter_keys));
  std::array<uint8_t, 8> seed{};
  crypto::RandomBytes(seed);
  rc.seed = LoadBigEndian64(reinterpret_cast<const char*>(seed.data()));
  rc.applied_index = std::max(applied_index_.load(), log_store_->Snapshot().index);
  FRONTERA_ASSIGN_OR_RETURN(driver_,
                            RaftDriver::Create(config_, rc, log_store_.get(), FirstReadContext()));
  if (names_.size() == 1) return Status::Ok();

  PeerTransportOptions options;
  options.self_id = self_id_;
  options.self_name = config_.name;
  options.key = &key_;
  options.network_id = genesis_.hash;
  std::string listen = config_.raft.listen;
  if (listen.empty()) listen = genesis_.FindValidator(config_.name)->peer_addr;
  if (listen.empty()) {
    return Status::InvalidArgument("raft.listen is required: genesis gives validator " +
                                   config_.name + " no peer_addr");
  }
  FRONTERA_ASSIGN_OR_RETURN(auto self_addr, SplitHostPort(listen, "raft.listen"));
  options.listen_host = self_addr.first;
  options.listen_port = self_addr.second;
  for (const auto& [id, name] : names_) {
    if (id == self_id_) continue;
    const ledger::Validator* v = genesis_.FindValidator(name);
    auto override_it = config_.raft.peer_addresses.find(name);
    const std::string address =
        override_it != config_.raft.peer_addresses.end() ? override_it->second : v->peer_addr;
    if (address.empty()) {
      return Status::InvalidArgument("no address for validator " + name + ": set peers." + name +
                                     " or its peer_addr in genesis");
    }
    FRONTERA_ASSIGN_OR_RETURN(auto host_port, SplitHostPort(address, "the address of " + name));
    options.peers.push_back({id, name, host_port.first, host_port.second, v->public_key});
  }
  options.frame_bytes_max = config_.raft.frame_bytes_max;
  options.send_queue_frames_max = config_.raft.send_queue_frames_max;
  options.send_queue_bytes_max = std::max<size_t>(config_.raft.frame_bytes_max * 4, 256 << 20);
  // Connections established, lost and refused, and why.
  options.log = [name = config_.name](std::string_view line) { LogInfo(name, line); };
  FRONTERA_ASSIGN_OR_RETURN(
      transport_, PeerTransport::Start(std::move(options), [this](uint64_t from, std::string p) {
        OnPeerFrame(from, std::move(p));
      }));
  return Status::Ok();
}

uint16_t Validator::peer_port() const { return transport_ ? transport_->listen_port() : 0; }

std::string Validator::HandOverLeadership() {
  if (names_.size() == 1 || role_.load() != static_cast<int>(consensus::Role::kLeader)) return "";
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
    if (leader != consensus::kNoNode && leader != self_id_) return names_.at(leader);
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
// Writes

Result<api::Receipt> Validator::Submit(DocumentKind kind, const std::string& certificate_id,
                                       const api::Json& document) {
  ++submitted_;
  FRONTERA_RETURN_IF_ERROR(Serving());
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  auto admitted = ledger->sm->Admit(kind, certificate_id, document, clock_->NowUnixMillis());
  if (!admitted.ok()) {
    // A retry of a write that committed: the receipt it got the first time
    // (docs/api.md, "Retries").
    if (admitted.status().IsAlreadyExists()) {
      if (auto canonical = crypto::Canonicalize(document); canonical.ok()) {
        if (auto held = ledger->sm->FindIdentical({kind, certificate_id, *canonical}); held) {
          ++retries_answered_;
          return ReceiptOf(*held);
        }
      }
    }
    ++refused_at_admission_;
    LogRefusedDocument(kind, admitted.status());
    return admitted.status();
  }
  QueuedDocument queued{DocumentKey(admitted->proposed), std::move(admitted->proposed)};
  auto waiter = std::make_shared<Waiter>();
  std::future<Result<api::Receipt>> answer = waiter->answer.get_future();
  {
    MutexLock lock(waiters_mu_);
    waiters_[queued.key].push_back(waiter);
    if (parsed_.emplace(queued.key, std::move(admitted->parsed)).second) {
      parsed_order_.push_back(queued.key);
      // Bounded: a document whose proposal was lost (leader change) leaves
      // its entry behind; the oldest go first.
      while (parsed_order_.size() > 2 * config_.proposer.queue_depth_max) {
        parsed_.erase(parsed_order_.front());
        parsed_order_.pop_front();
      }
    }
  }
  auto forget = [&] {
    MutexLock lock(waiters_mu_);
    auto it = waiters_.find(queued.key);
    if (it == waiters_.end()) return;
    std::erase(it->second, waiter);
    if (it->second.empty()) waiters_.erase(it);
  };
  {
    MutexLock lock(mu_);
    if (stopping_) {
      forget();
      return Status::Unavailable("validator is shutting down");
    }
    if (pending_.size() + driver_queued_ >= config_.proposer.queue_depth_max) {
      forget();
      return Status::ResourceExhausted(
          "the validator's queue is full (proposer.queue_depth_max = " +
          std::to_string(config_.proposer.queue_depth_max) + "); retry shortly");
    }
    pending_.push_back(std::move(queued));
    queue_depth_ = pending_.size() + driver_queued_;
  }
  ++admitted_;
  raft_cv_.notify_one();
  if (answer.wait_for(std::chrono::milliseconds(config_.proposer.commit_timeout_ms)) !=
      std::future_status::ready) {
    forget();
    // The answer may have been set between the timeout and forget().
    if (answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready) return answer.get();
    return Status::Unavailable("not committed within " +
                               std::to_string(config_.proposer.commit_timeout_ms) +
                               " ms (no leader, or the leader changed); it may still be committed: "
                               "query the certificate before retrying");
  }
  return answer.get();
}

Result<api::Receipt> Validator::IssueCertificate(const api::Json& credential) {
  return Submit(DocumentKind::kCredential, "", credential);
}

Result<api::Receipt> Validator::RecordEvent(const std::string& certificate_id,
                                            const api::Json& event) {
  return Submit(DocumentKind::kEvent, certificate_id, event);
}

Result<api::Receipt> Validator::Revoke(const std::string& certificate_id,
                                       const api::Json& revocation) {
  return Submit(DocumentKind::kRevocation, certificate_id, revocation);
}

Status Validator::AwaitLinearizableRead() {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.raft.read_timeout_ms);
  auto round = std::make_shared<ReadRound>();
  {
    MutexLock lock(mu_);
    if (stopping_) return Status::Unavailable("validator is shutting down");
    readers_.push_back(round.get());
    raft_cv_.notify_one();
    bool done =
        read_cv_.wait_until(lock.native(), deadline, [&] { return round->done || stopping_; });
    if (!done || !round->done) {
      // The raft thread may still hold the pointer: take it back under mu_.
      std::erase(readers_, round.get());
      for (auto& [context, list] : read_rounds_) std::erase(list, round.get());
      return Status::Unavailable(
          "no leader confirmed a read index within " +
          std::to_string(config_.raft.read_timeout_ms) +
          " ms; retry, or ask for a local read (Frontera-Consistency: local)");
    }
  }
  MutexLock lock(apply_mu_);
  if (!applied_cv_.wait_until(lock.native(), deadline,
                              [&] { return applied_index_.load() >= round->index || stopping_; }) ||
      applied_index_.load() < round->index) {
    return Status::Unavailable("this node has not applied the read index " +
                               std::to_string(round->index) + " in time; retry");
  }
  ++reads_linearizable_;
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Peer frames (transport thread)

void Validator::OnPeerFrame(uint64_t from, std::string payload) {
  if (payload.empty()) return RefusePeer(from, "frame", "an empty frame");
  const auto kind = static_cast<PeerKind>(payload[0]);
  if (kind == PeerKind::kCosign) {
    // Checked and counted here: it needs no raft state.
    auto message = DecodeCosign(std::string_view(payload).substr(1));
    if (!message.ok()) return RefusePeer(from, "cosign", message.status().message());
    if (!names_.count(from) || names_.at(from) != message->signer) {
      return RefusePeer(from, "cosign", "a co-signature in the name of " + message->signer);
    }
    Status s = cosigner_->AddPeerSignatures(*message, applied_height_.load());
    // A peer far ahead (this node is catching up) is not misbehaving; a flood
    // of far-future heights is: both land under their own reason.
    if (!s.ok())
      return RefusePeer(from, s.IsResourceExhausted() ? "cosign_ahead" : "cosign", s.message());
    PublishCosigned();
    return;
  }
  if (kind == PeerKind::kForward) return AdmitForwarded(from, std::string_view(payload).substr(1));
  if (kind != PeerKind::kRaft && kind != PeerKind::kSnapshotChunk) {
    return RefusePeer(from, "frame",
                      "a frame of unknown kind " + std::to_string(static_cast<uint8_t>(kind)));
  }
  const size_t size = payload.size();
  {
    MutexLock lock(mu_);
    // Bounded in frames and bytes, with each peer's share bounded so that
    // one peer's flood cannot crowd out the leader's appends. Raft tolerates
    // loss (the leader resends).
    const size_t peers = std::max<size_t>(1, names_.size() - 1);
    const size_t share =
        std::max(config_.raft.frame_bytes_max, config_.raft.inbox_bytes_max / peers);
    size_t& peer_bytes = inbox_peer_bytes_[from];
    if (inbox_.size() < kInboxMax && inbox_bytes_ + size <= config_.raft.inbox_bytes_max &&
        peer_bytes + size <= share) {
      inbox_bytes_ += size;
      peer_bytes += size;
      inbox_.push_back({from, std::move(payload)});
      raft_cv_.notify_one();
      return;
    }
  }
  ++inbox_dropped_;
  // Counted per peer too: an honest peer does not fill the inbox alone.
  RefusePeer(from, "inbox",
             "the peer inbox is full (raft.inbox_bytes_max = " +
                 std::to_string(config_.raft.inbox_bytes_max) + "); a frame of " +
                 std::to_string(size) + " bytes dropped");
}

void Validator::AdmitForwarded(uint64_t from, std::string_view body) {
  // A follower forwards what its clients posted; the leader proposes only
  // what passes the same admission as a document posted here, so a
  // document no honest node would accept never reaches the log.
  if (role_.load() != static_cast<int>(consensus::Role::kLeader)) return;  // the sender retries
  auto proposal = ledger::DecodeProposal(body);
  if (!proposal.ok()) return RefusePeer(from, "forward", proposal.status().message());
  if (proposal->documents.size() > config_.proposer.forward_documents_max) {
    return RefusePeer(from, "forward",
                      std::to_string(proposal->documents.size()) +
                          " documents in one forward (proposer.forward_documents_max = " +
                          std::to_string(config_.proposer.forward_documents_max) + ")");
  }
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  const int64_t now = clock_->NowUnixMillis();
  std::vector<QueuedDocument> admitted;
  for (ledger::ProposedDocument& d : proposal->documents) {
    crypto::JsonLimits limits;
    limits.depth_max = config_.api.json_depth_max;
    limits.text_bytes_max = config_.api.body_bytes_max;
    auto json = crypto::ParseJson(d.canonical, limits);
    Result<ledger::AdmittedDocument> a =
        json.ok() ? ledger->sm->Admit(d.kind, d.certificate_id, *json, now)
                  : Result<ledger::AdmittedDocument>(json.status());
    if (!a.ok()) {
      // An honest follower admitted it before forwarding: either the state
      // changed since (a duplicate raced in; its client times out and finds
      // the first copy) or the sender is not honest.
      RefusePeer(from, "forward", "document refused at admission: " + a.status().message());
      continue;
    }
    std::string key = DocumentKey(a->proposed);
    {
      MutexLock lock(waiters_mu_);
      if (parsed_.emplace(key, std::move(a->parsed)).second) {
        parsed_order_.push_back(key);
        while (parsed_order_.size() > 2 * config_.proposer.queue_depth_max) {
          parsed_.erase(parsed_order_.front());
          parsed_order_.pop_front();
        }
      }
    }
    admitted.push_back({std::move(key), std::move(a->proposed)});
  }
  if (admitted.empty()) return;
  {
    MutexLock lock(mu_);
    for (QueuedDocument& q : admitted) {
      if (pending_.size() + driver_queued_ >= config_.proposer.queue_depth_max) break;
      pending_.push_back(std::move(q));
    }
    queue_depth_ = pending_.size() + driver_queued_;
  }
  raft_cv_.notify_one();
}

std::string Validator::PeerName(uint64_t id) const {
  auto it = names_.find(id);
  return it != names_.end() ? it->second : "peer-" + std::to_string(id);
}

void Validator::RefusePeer(uint64_t from, std::string_view reason, std::string_view detail) {
  const std::string peer = PeerName(from);
  const uint64_t count =
      peer_refusals_.Count({peer, std::string(reason)}, std::chrono::steady_clock::now());
  if (count == 0) return;
  LogWarning(config_.name, "refused a message from validator " + peer + " (" + std::string(reason) +
                               ", " + std::to_string(count) + " so far): " + std::string(detail));
}

void Validator::LogRefusedDocument(DocumentKind kind, const Status& status) {
  const std::string problem(
      api::ProblemSlug(api::ProblemFromStatus(status, api::InputKind::kDocument).type));
  const std::string what(ledger::DocumentKindName(kind));
  const uint64_t count =
      document_refusals_.Count({what, problem}, std::chrono::steady_clock::now());
  if (count == 0) return;
  LogInfo(config_.name, "refused a " + what + " at admission (problem " + problem + ", " +
                            std::to_string(count) + " so far): " + status.message());
}

// ---------------------------------------------------------------------------
// The raft thread (the driver)

void Validator::RaftLoop() {
  pthread_setname_np(pthread_self(), "raft");
  const auto tick = std::chrono::milliseconds(config_.raft.tick_ms);
  auto next_tick = std::chrono::steady_clock::now() + tick;
  for (;;) {
    std::deque<Inbound> inbound;
    std::deque<QueuedDocument> documents;
    bool hand_over = false;
    {
      MutexLock lock(mu_);
      raft_cv_.wait_until(lock.native(), next_tick, [&]() REQUIRES(mu_) {
        return stopping_ || !inbox_.empty() || !readers_.empty() ||
               pending_.size() + driver_queued_ >= propose_threshold_;
      });
      if (stopping_) break;
      inbound.swap(inbox_);
      inbox_bytes_ = 0;
      inbox_peer_bytes_.clear();
      documents.swap(pending_);
      std::swap(hand_over, hand_over_requested_);
    }
    ObserveForDriver();
    for (QueuedDocument& d : documents) {
      std::string key = d.key;
      if (!driver_->Submit(std::move(d))) {
        FailWrites({key});  // the queue filled up meanwhile (forwards, retries)
      }
    }
    for (Inbound& in : inbound) HandleInbound(std::move(in));
    if (std::chrono::steady_clock::now() >= next_tick) {
      driver_->Tick();
      next_tick += tick;
      // After a stall (a long fsync, a SIGSTOP), do not replay every missed
      // tick at once: that would start an election the moment we resume.
      if (std::chrono::steady_clock::now() > next_tick)
        next_tick = std::chrono::steady_clock::now() + tick;
      MaybeCompact();
      // Resend this node's latest co-signature now and then: a peer that was
      // down when it was first sent still needs it.
      if (driver_->ticks() % 10 == 0 && transport_) {
        std::string last;
        {
          MutexLock lock(status_mu_);
          last = last_cosign_;
        }
        if (!last.empty()) {
          for (const auto& [id, name] : names_) {
            if (id != self_id_) transport_->Send(id, last);
          }
        }
      }
    }
    if (hand_over) driver_->TransferToBestFollower();
    StartReadRound();
    if (!RunDriver()) break;
    const consensus::Raft& raft = driver_->raft();
    {
      // How many queued documents are worth waking up for: one when they can
      // go out at once; a full block while one is being replicated (the
      // leader's group commit); none without a leader.
      MutexLock lock(mu_);
      driver_queued_ = driver_->queued();
      queue_depth_ = pending_.size() + driver_queued_;
      if (raft.leader() == consensus::kNoNode) {
        propose_threshold_ = std::numeric_limits<size_t>::max();
      } else if (raft.role() == consensus::Role::kLeader &&
                 raft.last_index() > raft.commit_index()) {
        propose_threshold_ = config_.proposer.batch_documents_max;
      } else {
        propose_threshold_ = 1;
      }
    }
    // Status for /v1/status and metrics, without taking the raft thread's
    // time per request.
    term_ = raft.current_term();
    commit_index_ = raft.commit_index();
    first_index_ = raft.first_index();
    if (const int role = static_cast<int>(raft.role()); role != role_.load()) {
      // Elections: a pre-vote, a campaign, leadership won or given up.
      LogInfo(config_.name, "became " + RoleName(raft.role()) + " in term " +
                                std::to_string(raft.current_term()));
      role_ = role;
    }
    leader_ = raft.leader();
    leaders_distrusted_ = driver_->leaders_distrusted();
    forwarded_ = driver_->forwarded();
    log_syncs_ = driver_->log_syncs();
    log_sync_micros_ = driver_->log_sync_micros();
    MutexLock lock(status_mu_);
    match_.clear();
    if (raft.role() == consensus::Role::kLeader) {
      for (const auto& [id, name] : names_) match_[id] = raft.MatchIndex(id);
    }
    last_index_ = raft.last_index();
  }
}

void Validator::ObserveForDriver() {
  RaftDriver::Observation o;
  o.steady_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  o.unix_ms = clock_->NowUnixMillis();
  o.applied_index = applied_index_.load();
  o.last_block_time_ms = last_block_time_.load();
  driver_->Observe(o);
}

bool Validator::RunDriver() {
  auto actions = driver_->Run();
  for (;;) {
    // After a failed write the durable state is unknown: stop rather than
    // send or acknowledge anything (the log is checked on restart).
    FRONTERA_CHECK(actions.ok()) << "raft log write failed: " << actions.status().ToString();
    const bool install = actions->install.has_value();
    if (!Execute(std::move(actions).value())) return false;
    if (!install) return true;
    ObserveForDriver();
    actions = driver_->Installed();
  }
}

bool Validator::Execute(DriverActions a) {
  for (consensus::Message& m : a.messages) SendRaftMessage(std::move(m));
  for (const consensus::Message& m : a.snapshot_streams) StreamSnapshotTo(m);
  for (DriverActions::Forward& f : a.forwards) {
    if (transport_) {
      transport_->Send(f.leader, Envelope(PeerKind::kForward, ledger::EncodeProposal(f.proposal)));
    }
  }
  if (!a.committed.empty()) {
    MutexLock lock(apply_mu_);
    for (Entry& e : a.committed) {
      apply_space_cv_.wait(lock.native(), [&]() REQUIRES(apply_mu_) {
        return apply_queue_.size() < kApplyQueueMax || stopping_;
      });
      if (stopping_) return false;
      apply_queue_.push_back({std::move(e), std::nullopt, ""});
    }
    apply_cv_.notify_one();
  }
  if (!a.reads.empty()) {
    MutexLock lock(mu_);
    for (const consensus::ReadState& rs : a.reads) {
      auto it = read_rounds_.find(rs.context);
      if (it == read_rounds_.end()) continue;
      for (ReadRound* r : it->second) {
        r->index = rs.index;
        r->done = true;
      }
      read_rounds_.erase(it);
    }
    read_cv_.notify_all();
  }
  FailWrites(a.failed_writes);
  for (const std::string& dir : a.discard) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  for (consensus::NodeId leader : a.distrusted) {
    LogWarning(config_.name, "validator " + PeerName(leader) + " leads term " +
                                 std::to_string(driver_->raft().current_term()) +
                                 " but committed nothing for " +
                                 std::to_string(config_.raft.leader_stall_ms) +
                                 " ms: following it no more, and not voting for it, for " +
                                 std::to_string(consensus::RaftConfig{}.stuck_peer_periods) +
                                 " election timeouts (raft.leader_stall_ms)");
  }
  if (a.leader_change) {
    const auto [leader, term] = *a.leader_change;
    if (leader != consensus::kNoNode) {
      LogInfo(config_.name,
              "validator " + PeerName(leader) + " leads in term " + std::to_string(term));
    }
    // Chunks are accepted from this leader only, for this term.
    if (snapshot_receiver_) snapshot_receiver_->Expect(leader, term);
  }
  if (a.install) {
    // The apply thread installs it after what it has queued, then the
    // driver records it in the log (OpenStores repairs a crash between the
    // two).
    const uint64_t index = a.install->snapshot.index;
    MutexLock lock(apply_mu_);
    apply_queue_.push_back({Entry{}, a.install->snapshot, a.install->dir});
    apply_cv_.notify_one();
    applied_cv_.wait(lock.native(), [&] { return applied_index_.load() >= index || stopping_; });
    if (applied_index_.load() < index) return false;  // stopping
  }
  return true;
}

void Validator::HandleInbound(Inbound in) {
  const auto kind = static_cast<uint8_t>(in.payload[0]);
  std::string_view body = std::string_view(in.payload).substr(1);
  if (kind == kLocalSnapshotReport) {
    driver_->SnapshotStreamed(in.from, body.size() == 1 && body[0] == 1);
    return;
  }
  switch (static_cast<PeerKind>(kind)) {
    case PeerKind::kRaft: {
      consensus::DecodeLimits limits;
      limits.max_bytes = config_.raft.frame_bytes_max;
      auto message = consensus::DecodeMessage(body, limits);
      if (!message.ok()) return RefusePeer(in.from, "raft", message.status().message());
      if (message->from != in.from || message->to != self_id_) {
        return RefusePeer(in.from, "raft",
                          "a message from " + PeerName(message->from) + " to " +
                              PeerName(message->to) + " on this link");
      }
      if (message->type == MessageType::kAppend) {
        if (Status s = CheckLeaderBlocks(*message); !s.ok()) {
          // Not acknowledged: a block a majority of honest clocks refuses is
          // never committed (docs/security.md#block-time).
          return RefusePeer(in.from, "block", s.message());
        }
      }
      std::optional<std::string> accepted;
      if (message->type == MessageType::kSnapshot) {
        // Only once every file of the snapshot is staged (snapshot_transfer.h)
        // and verified against a majority-signed state note.
        std::optional<std::string> staged =
            snapshot_receiver_->Complete(in.from, message->snapshot);
        if (!staged) return;
        // Take the files now: chunks of a copy the leader sends again may
        // restart staging before the driver's Ready is handled.
        const fs::path dir =
            fs::path(config_.data_dir) / "snapshot-accepted" /
            (std::to_string(message->snapshot.index) + "-" +
             std::to_string(message->snapshot.term) + "-" + std::to_string(++accepted_copies_));
        std::error_code ec;
        fs::create_directories(dir.parent_path(), ec);
        fs::rename(*staged, dir, ec);
        if (ec) return;  // staged files gone (taken by an earlier step): ignore
        if (Status v = VerifySnapshot(dir.string(), message->snapshot); !v.ok()) {
          fs::remove_all(dir, ec);
          return RefusePeer(in.from, "snapshot", v.message());
        }
        accepted = dir.string();
      }
      if (Status s = driver_->Receive(*message, std::move(accepted)); !s.ok()) {
        return RefusePeer(in.from, "raft", s.message());
      }
      return;
    }
    case PeerKind::kSnapshotChunk: {
      auto chunk = DecodeSnapshotChunk(body);
      if (!chunk.ok()) return RefusePeer(in.from, "snapshot", chunk.status().message());
      if (Status s = snapshot_receiver_->Add(in.from, *chunk); !s.ok()) {
        RefusePeer(in.from, "snapshot", s.message());
      }
      return;
    }
    case PeerKind::kForward:
    case PeerKind::kCosign:
      return;  // handled on the transport thread
  }
  RefusePeer(in.from, "frame", "a frame of unknown kind " + std::to_string(kind));
}

Status Validator::CheckLeaderBlocks(const Message& m) {
  BlockCheckLimits limits;
  // The largest entry an honest leader makes: a full batch plus one
  // document that alone exceeds it, with the encoding's overhead.
  limits.entry_bytes_max = config_.proposer.batch_bytes_max + config_.api.body_bytes_max +
                           config_.proposer.batch_documents_max * 64 + 64;
  limits.time_skew_max_ms = config_.raft.block_time_skew_max_ms;
  return node::CheckLeaderBlocks(m.entries, driver_->raft().commit_index(), last_block_time_.load(),
                                 clock_->NowUnixMillis(), limits);
}

void Validator::FailWrites(const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  const Status unavailable = Status::Unavailable(
      "this validator has had no leader for " +
      std::to_string(2 * config_.raft.election_ticks * config_.raft.tick_ms) +
      " ms (cut off from a majority of validators); the write may still be committed if it "
      "reached a leader: query the certificate, or send it to another validator");
  MutexLock lock(waiters_mu_);
  for (const std::string& key : keys) {
    auto it = waiters_.find(key);
    if (it == waiters_.end()) continue;
    for (auto& w : it->second) w->answer.set_value(unavailable);
    waiters_.erase(it);
  }
}

void Validator::StartReadRound() {
  MutexLock lock(mu_);
  if (readers_.empty()) return;
  std::optional<uint64_t> context = driver_->StartRead();
  if (!context) return;  // no leader yet: the readers wait (up to their timeout)
  read_rounds_[*context] = std::vector<ReadRound*>(readers_.begin(), readers_.end());
  readers_.clear();
  // Rounds whose answer was lost (leader change) are dropped; their readers
  // time out and leave.
  while (read_rounds_.size() > 64) read_rounds_.erase(read_rounds_.begin());
}

void Validator::SendRaftMessage(Message m) {
  if (!transport_) return;
  const bool queued =
      transport_->Send(m.to, Envelope(PeerKind::kRaft, consensus::EncodeMessage(m)));
  if (!queued && m.type == MessageType::kAppend) driver_->SendFailed(m.to);
}

void Validator::StreamSnapshotTo(const Message& m) {
  if (!transport_) return;
  ++snapshots_sent_;
  const std::string dir = SnapshotDir(config_.data_dir, m.snapshot);
  // The previous sender for this follower has reported (the driver hands
  // out one stream per follower at a time), so it is done or about to be.
  if (auto old = snapshot_threads_.find(m.to); old != snapshot_threads_.end()) {
    old->second.join();
    snapshot_threads_.erase(old);
  }
  snapshot_threads_[m.to] = std::thread([this, m, dir] {
    const size_t chunk_bytes = config_.raft.snapshot_chunk_bytes;
    // Flow control: each chunk waits for room in the follower's queue
    // (leaving room for Raft traffic), so a snapshot of any size streams at
    // the link's pace instead of overflowing the queue.
    const auto wait = std::chrono::milliseconds(config_.raft.snapshot_timeout_ms);
    Status s = StreamSnapshot(dir, m.snapshot, chunk_bytes, [&](std::string chunk) {
      return transport_->SendWhenRoom(m.to, Envelope(PeerKind::kSnapshotChunk, chunk), wait);
    });
    if (s.ok()) {
      s = transport_->Send(m.to, Envelope(PeerKind::kRaft, consensus::EncodeMessage(m)))
              ? Status::Ok()
              : Status::Unavailable("snapshot message dropped");
    }
    MutexLock lock(mu_);
    std::string report(1, static_cast<char>(kLocalSnapshotReport));
    report.push_back(s.ok() ? 1 : 0);
    inbox_.push_back({m.to, std::move(report)});
    raft_cv_.notify_one();
  });
}

void Validator::MaybeCompact() {
  std::optional<SnapshotMeta> newest;
  const uint64_t applied = applied_index_.load();
  const uint64_t retain = config_.proposer.log_retain_entries;
  {
    // Pinned: snapshots the apply thread takes meanwhile do not delete it.
    MutexLock lock(snapshot_mu_);
    if (applied >= retain) newest = snapshots_.PinTarget(applied - retain);
  }
  if (!newest) return;
  // Only to a snapshot a follower can verify: one holding its
  // majority-signed state note (WriteStateNotes).
  std::error_code exists_ec;
  const bool verifiable =
      fs::exists(fs::path(SnapshotDir(config_.data_dir, *newest)) / kSnapshotNoteFile, exists_ec);
  Result<bool> compacted = driver_->Compact(*newest, verifiable);
  FRONTERA_CHECK(compacted.ok()) << "raft log compaction failed: " << compacted.status().ToString();
  if (*compacted) {
    LogInfo(config_.name, "compacted the Raft log up to the snapshot at log index " +
                              std::to_string(newest->index));
  }
  // The snapshot the core now names is the one it sends; older ones go.
  std::vector<SnapshotMeta> removed;
  {
    MutexLock lock(snapshot_mu_);
    removed = snapshots_.Compacted(driver_->raft().snapshot().index);
  }
  RemoveSnapshots(removed);
}

void Validator::RemoveSnapshots(const std::vector<SnapshotMeta>& removed) {
  for (const SnapshotMeta& meta : removed) {
    std::error_code ec;
    fs::remove_all(SnapshotDir(config_.data_dir, meta), ec);
  }
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
    CosignMessage own =
        cosigner_->SignApplied(s.block_height, s.tree_size, ledger->sm->CheckpointBody(),
                               ledger->sm->RevocationsBody(), StateBody(*ledger, index, term));
    std::string frame = Envelope(PeerKind::kCosign, EncodeCosign(own));
    {
      MutexLock lock(status_mu_);
      last_cosign_ = frame;
    }
    if (transport_) {
      for (const auto& [id, name] : names_) {
        if (id != self_id_) transport_->Send(id, frame);
      }
    }
    PublishCosigned();
  }
  for (;;) {
    ApplyItem item;
    {
      MutexLock lock(apply_mu_);
      apply_cv_.wait(lock.native(),
                     [&]() REQUIRES(apply_mu_) { return stopping_ || !apply_queue_.empty(); });
      if (stopping_) return;
      item = std::move(apply_queue_.front());
      apply_queue_.pop_front();
    }
    apply_space_cv_.notify_one();
    if (item.install) {
      InstallSnapshot(*item.install, item.install_dir);
    } else if (item.entry.index > applied_index_.load()) {
      ApplyEntry(item.entry);
    }
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
    last_block_time_ = block->time_unix_ms;
    applied_height_ = block->height;
    ++blocks_;
    // A snapshot of this block needs the majority's state note: keep its
    // signatures until the note is complete.
    const bool snapshot_due = SnapshotDue(entry.index);
    if (snapshot_due) cosigner_->Pin(block->height);
    CosignMessage own = cosigner_->SignApplied(
        block->height, block->tree_size, ledger->sm->CheckpointBody(),
        ledger->sm->RevocationsBody(), StateBody(*ledger, entry.index, entry.term));
    std::string frame = Envelope(PeerKind::kCosign, EncodeCosign(own));
    if (transport_) {
      for (const auto& [id, name] : names_) {
        if (id != self_id_) transport_->Send(id, frame);
      }
    }
    {
      MutexLock lock(status_mu_);
      last_cosign_ = std::move(frame);
    }
    PublishCosigned();
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
        ++rejected_at_apply_;
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

bool Validator::SnapshotDue(uint64_t index) {
  MutexLock lock(snapshot_mu_);
  const uint64_t last = snapshots_.newest() ? snapshots_.newest()->index : 0;
  return index >= last + config_.raft.snapshot_interval_entries;
}

std::string Validator::StateBody(const Ledger& ledger, uint64_t index, uint64_t term) const {
  Result<ledger::LedgerRoots> roots_or = ledger.sm->Roots();
  // The running roots of the state just applied and published: failing to
  // read them is this node's own fault, and signing without them impossible.
  FRONTERA_CHECK(roots_or.ok()) << "the ledger's roots: " << roots_or.status().ToString();
  const ledger::LedgerRoots& roots = *roots_or;
  StateNoteBody body;
  body.origin = genesis_.network + "/state";
  body.height = roots.block_height;
  body.log_index = index;
  body.log_term = term;
  body.block_hash = roots.block_hash;
  body.tree_size = roots.tree_size;
  body.log_root = roots.log_root;
  body.state_root = roots.state_root;
  return FormatStateNoteBody(body);
}

void Validator::TakeSnapshot(uint64_t index, uint64_t term, uint64_t height) {
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  const SnapshotMeta meta{index, term};
  const std::string dir = SnapshotDir(config_.data_dir, meta);
  std::error_code ec;
  fs::create_directories(fs::path(dir).parent_path(), ec);
  fs::remove_all(dir, ec);
  // The checkpoint flushes the ledger: once it exists the ledger is durable
  // up to `index`, so the log may be compacted to it (once its state note
  // is in it: MaybeCompact).
  Status s = ledger->store->CreateCheckpoint(dir);
  if (s.ok()) s = SyncTree(dir);
  if (!s.ok()) {
    // The log keeps growing until the next try; say so.
    LogError(config_.name,
             "snapshot at log index " + std::to_string(index) +
                 " failed (the log is not compacted until one succeeds): " + s.message());
    fs::remove_all(dir, ec);
    return;
  }
  ++snapshots_taken_;
  LogInfo(config_.name, "took a snapshot at log index " + std::to_string(index) + " (block " +
                            std::to_string(height) + ")");
  std::vector<SnapshotMeta> removed;
  {
    MutexLock lock(snapshot_mu_);
    removed = snapshots_.Add(meta);
    snapshot_heights_[index] = height;
    for (const SnapshotMeta& gone : removed) snapshot_heights_.erase(gone.index);
  }
  RemoveSnapshots(removed);
  WriteStateNotes();
}

void Validator::WriteStateNotes() {
  MutexLock lock(snapshot_mu_);
  for (auto& [height, note] : cosigner_->TakePinnedStateNotes()) completed_notes_[height] = note;
  for (const SnapshotMeta& meta : snapshots_.all()) {
    auto h = snapshot_heights_.find(meta.index);
    if (h == snapshot_heights_.end()) continue;
    auto note = completed_notes_.find(h->second);
    if (note == completed_notes_.end()) continue;
    const std::string path = SnapshotDir(config_.data_dir, meta) + "/" + kSnapshotNoteFile;
    if (Status s = ReplaceFile(path, note->second, 0644); !s.ok()) {
      LogError(config_.name, "cannot write the state note of snapshot " +
                                 std::to_string(meta.index) + ": " + s.message());
      continue;
    }
    completed_notes_.erase(note);
    snapshot_heights_.erase(h);
  }
  // Notes whose snapshot is gone are of no use; keep the map small.
  while (completed_notes_.size() > 8) completed_notes_.erase(completed_notes_.begin());
}

Status Validator::VerifySnapshot(const std::string& dir, const SnapshotMeta& meta) {
  std::ifstream in(fs::path(dir) / kSnapshotNoteFile, std::ios::binary);
  if (!in) return Status::PermissionDenied("the snapshot carries no state note");
  std::string note((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  FRONTERA_ASSIGN_OR_RETURN(StateNoteBody body, VerifyStateNote(note, genesis_));
  if (body.log_index != meta.index || body.log_term != meta.term) {
    return Status::InvalidArgument(
        "the snapshot is for log index " + std::to_string(meta.index) + " term " +
        std::to_string(meta.term) + " but its state note is for index " +
        std::to_string(body.log_index) + " term " + std::to_string(body.log_term));
  }
  // Recompute both roots from the received state itself: a majority
  // signed these roots, so a state that reproduces them is the one a
  // majority applied.
  ledger::LedgerRoots roots;
  {
    FRONTERA_ASSIGN_OR_RETURN(auto store, storage::KvStore::Open(dir, config_.storage));
    FRONTERA_ASSIGN_OR_RETURN(roots, ledger::RecomputeRoots(*store));
  }
  if (roots.block_height != body.height || roots.block_hash != body.block_hash ||
      roots.tree_size != body.tree_size || roots.log_root != body.log_root ||
      roots.state_root != body.state_root) {
    return Status::InvalidArgument(
        "the snapshot's recomputed roots (height " + std::to_string(roots.block_height) +
        ", tree size " + std::to_string(roots.tree_size) +
        ") differ from the majority-signed state note (height " + std::to_string(body.height) +
        ", tree size " + std::to_string(body.tree_size) + ")");
  }
  LogInfo(config_.name, "verified a snapshot at log index " + std::to_string(meta.index) +
                            " (block " + std::to_string(body.height) +
                            ") against a majority-signed state note");
  return Status::Ok();
}

void Validator::InstallSnapshot(const SnapshotMeta& snapshot, const std::string& staged) {
  const fs::path root(config_.data_dir);
  const std::string name =
      "state-" + std::to_string(snapshot.index) + "-" + std::to_string(snapshot.term);
  std::error_code ec;
  fs::remove_all(root / name, ec);
  fs::rename(staged, root / name, ec);
  FRONTERA_CHECK(!ec) << "cannot move the received snapshot into place: " << ec.message();
  auto ledger = std::make_shared<Ledger>();
  ledger->dir = (root / name).string();
  auto store = storage::KvStore::Open(ledger->dir, config_.storage);
  FRONTERA_CHECK(store.ok()) << "the received snapshot does not open: "
                             << store.status().ToString();
  ledger->store = std::move(store).value();
  auto sm = ledger::StateMachine::Open(ledger->store.get(), genesis_, config_.ledger);
  FRONTERA_CHECK(sm.ok()) << "the received snapshot is not a ledger: " << sm.status().ToString();
  ledger->sm = std::move(sm).value();
  // Make it durable, then switch the pointer: a crash before the switch
  // keeps the old ledger (the log still holds what it needs).
  storage::WriteBatch batch;
  batch.Put(Column::kMeta, kAppliedMarkKey, EncodeAppliedMark(snapshot));
  Status s = ledger->store->Write(batch, /*sync=*/true);
  FRONTERA_CHECK(s.ok()) << s.ToString();
  s = SyncTree(ledger->dir);
  if (s.ok()) s = ReplaceFile((root / kStatePointer).string(), name + "\n", 0644);
  FRONTERA_CHECK(s.ok()) << "installing the snapshot failed: " << s.ToString();
  std::shared_ptr<Ledger> old;
  {
    MutexLock lock(ledger_mu_);
    old = std::move(ledger_);
    ledger_ = ledger;
  }
  last_block_time_ = 0;
  applied_height_ = ledger->sm->Summary().block_height;
  if (auto summary = ledger->sm->Summary(); summary.block_height > 0) {
    auto block = ledger->sm->BlockJson(summary.block_height);
    if (block.ok()) last_block_time_ = (*block)["time_unix_ms"].get<int64_t>();
  }
  ++snapshots_installed_;
  // The core now names this snapshot as the start of its log: should this
  // node lead, it is what a follower behind it must be sent. Keep a copy
  // among the local snapshots (a checkpoint: hard links, cheap).
  {
    const std::string dir = SnapshotDir(config_.data_dir, snapshot);
    fs::create_directories(fs::path(dir).parent_path(), ec);
    fs::remove_all(dir, ec);
    Status copied = ledger->store->CreateCheckpoint(dir);
    if (copied.ok()) {
      // With the majority-signed state note it came with, so that a
      // follower this node sends it to can verify it too.
      fs::copy_file(root / name / kSnapshotNoteFile, fs::path(dir) / kSnapshotNoteFile,
                    fs::copy_options::overwrite_existing, ec);
      if (ec) copied = Status::IOError("cannot copy the snapshot's state note: " + ec.message());
    }
    if (copied.ok()) copied = SyncTree(dir);
    if (copied.ok()) {
      std::vector<SnapshotMeta> removed;
      {
        MutexLock lock(snapshot_mu_);
        removed = snapshots_.Installed(snapshot);
      }
      RemoveSnapshots(removed);
    } else {
      fs::remove_all(dir, ec);
    }
  }
  {
    MutexLock lock(apply_mu_);
    applied_index_ = snapshot.index;
  }
  applied_cv_.notify_all();
  // The old directory goes now if no reader holds it, else at the next start.
  if (old.use_count() == 1) {
    const std::string old_dir = old->dir;
    old.reset();
    fs::remove_all(old_dir, ec);
  }
}

void Validator::PublishCosigned() {
  CheckDivergence();
  WriteStateNotes();
  MutexLock lock(publish_mu_);
  std::optional<CosignedCheckpoint> c = cosigner_->TakeCosigned();
  if (!c) return;
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  // A snapshot install may have moved the ledger past this checkpoint.
  if (c->tree_size < ledger->sm->checkpoint_tree_size() ||
      c->tree_size > ledger->sm->Summary().tree_size) {
    return;
  }
  storage::WriteBatch batch;
  ledger->sm->StageCheckpoint(c->tree_size, c->checkpoint_note, c->revocations_note, batch);
  Status s = ledger->store->Write(batch, /*sync=*/false);
  FRONTERA_CHECK(s.ok()) << "checkpoint write failed: " << s.ToString();
  ledger->sm->PublishCheckpoint(c->tree_size, c->checkpoint_note, c->revocations_note);
  cosigned_height_ = c->height;
}

void Validator::CheckDivergence() {
  if (diverged_.load()) return;
  std::optional<Divergence> d = cosigner_->divergence();
  if (!d) return;
  {
    MutexLock lock(status_mu_);
    divergence_ = *d;
  }
  diverged_ = true;
  LogError(config_.name, "this validator's state at block " + std::to_string(d->height) +
                             " differs from the state a majority of validators signed; it stops "
                             "serving its state (docs/operations.md#divergence). Ours:\n" +
                             d->own_state_body + "The majority's:\n" + d->majority_state_body);
}

Status Validator::Serving() const {
  if (!diverged_.load()) return Status::Ok();
  return Status::Unavailable(
      "this validator's ledger state diverged from the state a majority of validators signed; "
      "it does not serve it: ask another validator (docs/operations.md#divergence)");
}

// ---------------------------------------------------------------------------
// Reads
Result<api::Json> Validator::GetCertificate(const std::string& id) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  return CurrentLedger()->sm->CertificateView(id);
}

namespace {

api::InclusionProofView ProofView(ledger::CertificateProof p) {
  api::InclusionProofView v;
  v.leaf_index = p.leaf_index;
  v.leaf_hash = p.leaf_hash;
  v.tree_size = p.tree_size;
  v.inclusion = std::move(p.inclusion);
  v.checkpoint = std::move(p.checkpoint);
  return v;
}

}  // namespace

Result<api::InclusionProofView> Validator::GetProof(const std::string& id) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  FRONTERA_ASSIGN_OR_RETURN(ledger::CertificateProof p, CurrentLedger()->sm->ProveCertificate(id));
  return ProofView(std::move(p));
}

Result<api::InclusionProofView> Validator::GetLeafProof(uint64_t leaf_index) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  FRONTERA_ASSIGN_OR_RETURN(ledger::CertificateProof p, CurrentLedger()->sm->ProveLeaf(leaf_index));
  return ProofView(std::move(p));
}

Result<std::string> Validator::GetCheckpoint() {
  FRONTERA_RETURN_IF_ERROR(Serving());
  std::string note = CurrentLedger()->sm->LatestCheckpoint();
  if (note.empty()) return Status::Unavailable("no checkpoint yet");
  return note;
}

Result<api::ConsistencyProofView> Validator::GetConsistency(uint64_t first, uint64_t second) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  FRONTERA_ASSIGN_OR_RETURN(std::vector<crypto::Hash> proof,
                            CurrentLedger()->sm->ConsistencyProof(first, second));
  return api::ConsistencyProofView{first, second, std::move(proof)};
}

Result<api::Json> Validator::GetBlock(uint64_t height) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  return CurrentLedger()->sm->BlockJson(height);
}

Result<api::Json> Validator::GetParty(const std::string& did) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  return CurrentLedger()->sm->PartyJson(did);
}

Result<api::Json> Validator::GetTrustBundle() {
  FRONTERA_RETURN_IF_ERROR(Serving());
  const ledger::Genesis& g = genesis_;
  ledger::StateMachine::Revocations revocations = CurrentLedger()->sm->LatestRevocations();
  std::string checkpoint = CurrentLedger()->sm->LatestCheckpoint();
  if (checkpoint.empty() || revocations.note.empty()) {
    return Status::Unavailable("no checkpoint yet");
  }
  api::Json entries = api::Json::array();
  for (const auto& e : revocations.entries) {
    entries.push_back(
        {{"certificate", e.certificate}, {"item", e.item}, {"leaf_index", e.leaf_index}});
  }
  return api::Json{{"format", "frontera-trust-bundle/1"},
                   {"genesis", g.document},
                   {"genesis_hash", Base64Encode(g.hash)},
                   {"checkpoint", std::move(checkpoint)},
                   {"revocations", {{"note", revocations.note}, {"entries", std::move(entries)}}}};
}

Result<api::Json> Validator::CheckLabel(const std::string& label_uri) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  FRONTERA_ASSIGN_OR_RETURN(ledger::Label label, ledger::ParseLabel(label_uri));
  const ledger::Genesis& g = genesis_;
  api::Json out = {{"label",
                    {{"uri", label.uri},
                     {"gtin", label.gtin},
                     {"lot", label.lot},
                     {"serial", label.serial},
                     {"expiry", label.expiry_yymmdd},
                     {"sscc", label.sscc}}},
                   {"issuer", nullptr},
                   {"certificate", nullptr},
                   {"parties", api::Json::object()}};
  // Every outcome is ranked by ledger::Decide (ledger/verdict.h), as the CLI
  // and the resolver page rank theirs.
  ledger::VerdictFacts facts;
  std::vector<std::string> reasons;
  auto answer = [&] {
    const ledger::LabelVerdict verdict = ledger::Decide(facts);
    out["verdict"] = ledger::VerdictName(verdict.verdict);
    out["recalled"] = verdict.recalled();
    out["revocation_reason"] = verdict.verdict == ledger::Verdict::kRevoked
                                   ? api::Json(verdict.revocation_reason)
                                   : api::Json(nullptr);
    out["reasons"] = std::move(reasons);
    return out;
  };
  const ledger::Party* issuer = nullptr;
  for (const ledger::Party& p : g.parties) {
    if (ledger::LabelKid(p.public_key) == label.kid) issuer = &p;
  }
  if (issuer == nullptr) {
    reasons.push_back("the label's key (kid " + label.kid + ") belongs to no registered party");
    return answer();
  }
  out["issuer"] = issuer->ToJson();
  if (Status s = ledger::VerifyLabel(label, issuer->public_key); !s.ok()) {
    reasons.push_back("the label's signature does not verify: " + s.message());
    return answer();
  }
  if ((issuer->role != ledger::Role::kManufacturer && issuer->role != ledger::Role::kShipper) ||
      issuer->suspended) {
    reasons.push_back(issuer->name + " may not issue certificates");
    return answer();
  }
  facts.authentic = true;
  auto id = label.sscc.empty() ? CurrentLedger()->sm->FindProduct(label.gtin, label.serial)
                               : CurrentLedger()->sm->FindConsignment(label.sscc);
  if (!id.ok()) {
    if (!id.status().IsNotFound()) return id.status();
    reasons.push_back("no certificate on the ledger for this item");
    return answer();
  }
  FRONTERA_ASSIGN_OR_RETURN(api::Json cert, CurrentLedger()->sm->CertificateView(*id));
  const api::Json& subject = cert["credential"]["credentialSubject"];
  auto recorded = subject.contains("label") && subject["label"].is_string()
                      ? ledger::ParseLabel(subject["label"].get<std::string>())
                      : Result<ledger::Label>(Status::NotFound("no label"));
  for (const api::Json& e : cert["events"]) {
    auto vm = e["document"]["proof"]["verificationMethod"];
    if (vm.is_string()) {
      std::string did = vm.get<std::string>().substr(0, vm.get<std::string>().find('#'));
      if (const ledger::Party* p = g.FindParty(did)) out["parties"][did] = p->ToJson();
    }
    for (const char* list : {"sourceList", "destinationList"}) {
      for (const api::Json& entry : e["document"].value(list, api::Json::array())) {
        for (const char* field : {"source", "destination"}) {
          if (entry.contains(field) && entry[field].is_string()) {
            if (const ledger::Party* p = g.FindParty(entry[field].get<std::string>())) {
              out["parties"][p->did] = p->ToJson();
            }
          }
        }
      }
    }
  }
  out["certificate"] = cert;
  if (!recorded.ok() || recorded->signed_part != label.signed_part ||
      cert["credential"]["issuer"] != issuer->did) {
    facts.authentic = false;
    reasons.push_back("the label is not the one recorded with certificate " + *id);
    return answer();
  }
  facts.on_ledger = true;
  if (cert["status"] == "revoked") {
    facts.revoked = true;
    if (!cert["revocation"].is_null()) {
      facts.revocation_reason = cert["revocation"]["document"].value("reason", std::string());
    }
    reasons.push_back("certificate " + *id + " was revoked" +
                      (facts.revocation_reason.empty() ? "" : ": " + facts.revocation_reason));
    return answer();
  }
  const ledger::Validity validity =
      ledger::CheckValidity(cert["credential"].value("validFrom", std::string()),
                            cert["credential"].value("validUntil", std::string()),
                            subject.value("expiry", std::string()), clock_->NowUnixMillis());
  if (validity.not_yet_valid) facts.authentic = false;
  facts.expired = validity.expired;
  if (!validity.reasons.empty()) {
    reasons.insert(reasons.end(), validity.reasons.begin(), validity.reasons.end());
    return answer();
  }
  reasons.push_back("label signed by " + issuer->name + ", certificate " + *id +
                    " is on the ledger and active");
  return answer();
}

api::Json Validator::GetStatus() {
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  ledger::LedgerSummary s = ledger->sm->Summary();
  api::Json validators = api::Json::array();
  for (const ledger::Validator& v : genesis_.validators) {
    validators.push_back(
        {{"name", v.name}, {"did", v.did}, {"api", v.api_url}, {"peer", v.peer_addr}});
  }
  const consensus::NodeId leader = leader_.load();
  const uint64_t commit = commit_index_.load();
  api::Json peers = api::Json::array();
  {
    std::vector<PeerTransport::PeerState> links;
    if (transport_) links = transport_->Peers();
    MutexLock lock(status_mu_);
    for (const auto& [id, name] : names_) {
      if (id == self_id_) continue;
      api::Json p = {{"name", name}, {"id", id}};
      for (const PeerTransport::PeerState& link : links) {
        if (link.id != id) continue;
        p["connected"] = link.connected_in && link.connected_out;
        p["last_contact_ms"] = link.last_received_ms_ago < 0 ? api::Json(nullptr)
                                                             : api::Json(link.last_received_ms_ago);
        p["frames_dropped"] = link.frames_dropped;
      }
      if (auto it = match_.find(id); it != match_.end()) {
        p["match_index"] = it->second;
        p["lag"] = last_index_ - std::min(last_index_, it->second);
      }
      peers.push_back(std::move(p));
    }
  }
  return {{"node", config_.name},
          {"role", RoleName(static_cast<consensus::Role>(role_.load()))},
          {"network", genesis_.network},
          {"resolver", genesis_.resolver},
          {"genesis_hash", Base64Encode(genesis_.hash)},
          {"validators", std::move(validators)},
          {"raft",
           {{"id", self_id_},
            {"term", term_.load()},
            {"leader",
             leader == consensus::kNoNode ? api::Json(nullptr) : api::Json(names_.at(leader))},
            {"commit_index", commit},
            {"applied_index", applied_index_.load()},
            {"first_index", first_index_.load()},
            {"lag", commit - std::min(commit, applied_index_.load())},
            {"peers", std::move(peers)}}},
          {"ledger",
           {{"block_height", s.block_height},
            {"block_hash", Base64Encode(s.block_hash)},
            {"tree_size", s.tree_size},
            {"root", Base64Encode(s.root)},
            {"state_root", Base64Encode(s.state_root)},
            {"checkpoint_tree_size", ledger->sm->checkpoint_tree_size()},
            {"certificates", s.certificates},
            {"documents_accepted", s.documents_accepted},
            {"documents_rejected", s.documents_rejected}}},
          {"log", {{"commit_index", commit}, {"applied_index", applied_index_.load()}}},
          {"queue_depth", queue_depth_.load()},
          {"state", StateStatus()}};
}

api::Json Validator::StateStatus() {
  api::Json out = {{"serving", !diverged_.load()}};
  {
    MutexLock lock(status_mu_);
    if (divergence_) {
      out["diverged_at_height"] = divergence_->height;
      out["own_state_note"] = divergence_->own_state_body;
      out["majority_state_note"] = divergence_->majority_state_body;
    }
  }
  api::Json refused = api::Json::object();
  for (const auto& [key, count] : peer_refusals_.Counts()) refused[key.first][key.second] = count;
  out["peer_messages_refused"] = std::move(refused);
  return out;
}

bool Validator::Healthy() {
  MutexLock lock(mu_);
  return !stopping_;
}

std::map<std::string, double> Validator::GetMetrics() {
  ledger::LedgerSummary s = CurrentLedger()->sm->Summary();
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  std::map<std::string, double> metrics = {
      {"frontera_documents_submitted_total", d(submitted_.load())},
      {"frontera_documents_refused_at_admission_total", d(refused_at_admission_.load())},
      {"frontera_documents_retries_answered_total", d(retries_answered_.load())},
      {"frontera_documents_accepted_total", d(accepted_.load())},
      {"frontera_documents_rejected_at_apply_total", d(rejected_at_apply_.load())},
      {"frontera_documents_forwarded_total", d(forwarded_.load())},
      {"frontera_leaders_distrusted_total", d(leaders_distrusted_.load())},
      {"frontera_blocks_applied_total", d(blocks_.load())},
      {"frontera_log_syncs_total", d(log_syncs_.load())},
      {"frontera_log_sync_seconds_total", log_sync_micros_.load() / 1e6},
      {"frontera_apply_seconds_total", apply_micros_.load() / 1e6},
      {"frontera_proposer_queue_depth", d(queue_depth_.load())},
      {"frontera_raft_term", d(term_.load())},
      {"frontera_raft_commit_index", d(commit_index_.load())},
      {"frontera_raft_applied_index", d(applied_index_.load())},
      {"frontera_raft_is_leader",
       role_.load() == static_cast<int>(consensus::Role::kLeader) ? 1 : 0},
      {"frontera_snapshots_taken_total", d(snapshots_taken_.load())},
      {"frontera_snapshots_installed_total", d(snapshots_installed_.load())},
      {"frontera_snapshots_sent_total", d(snapshots_sent_.load())},
      {"frontera_reads_linearizable_total", d(reads_linearizable_.load())},
      {"frontera_checkpoint_cosigned_height", d(cosigned_height_.load())},
      {"frontera_ledger_tree_size", d(s.tree_size)},
      {"frontera_ledger_block_height", d(s.block_height)},
      {"frontera_peer_inbox_dropped_total", d(inbox_dropped_.load())},
      {"frontera_entries_not_proposals_total", d(entries_not_proposals_.load())},
      {"frontera_state_diverged", diverged_.load() ? 1.0 : 0.0},
      {"frontera_peer_connections_refused_total",
       d(transport_ ? transport_->connections_refused() : 0)},
      {"frontera_peer_connections_evicted_total",
       d(transport_ ? transport_->connections_evicted() : 0)},
  };
  auto label = [](std::string_view value) {  // Prometheus label value escaping
    std::string out;
    for (char c : value) {
      if (c == '\\' || c == '"') out.push_back('\\');
      out.push_back(c == '\n' ? ' ' : c);
    }
    return out;
  };
  for (const auto& [key, count] : peer_refusals_.Counts()) {
    metrics["frontera_peer_messages_refused_total{peer=\"" + label(key.first) + "\",reason=\"" +
            label(key.second) + "\"}"] = d(count);
  }
  for (const auto& [key, count] : document_refusals_.Counts()) {
    metrics["frontera_documents_refused_total{kind=\"" + key.first + "\",problem=\"" + key.second +
            "\"}"] = d(count);
  }
  return metrics;
}

}  // namespace frontera::node
