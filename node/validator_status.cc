// node::Validator, what it reports about itself: /v1/status (role, Raft
// progress, peer links, ledger summary, serving state), the health check, and
// the Prometheus metrics.
#include <algorithm>
#include <filesystem>
#include <string_view>

#include "common/encoding.h"
#include "common/version.h"
#include "node/peer_transport.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

using validator_internal::RoleName;

api::Json Validator::GetStatus() {
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  ledger::LedgerSummary s = ledger->sm->Summary();
  // The ledger's validators, and what the core's membership makes of each:
  // a voter, an observer (a learner: replicates and serves reads), or none
  // (added on the ledger and not yet in the membership, or removed).
  api::Json validators = api::Json::array();
  api::Json voters = api::Json::array();
  api::Json observers = api::Json::array();
  const std::map<consensus::NodeId, std::string> names = Names();
  const auto name_of = [&names](consensus::NodeId id) {
    auto it = names.find(id);
    return it != names.end() ? it->second : "peer-" + std::to_string(id);
  };
  {
    MutexLock lock(members_mu_);
    for (const ledger::ValidatorRecord& v : validator_set_) {
      std::string_view raft_role = membership_.IsVoter(v.raft_id)     ? "voter"
                                   : membership_.IsLearner(v.raft_id) ? "observer"
                                                                      : "none";
      validators.push_back({{"name", v.name},
                            {"did", v.did},
                            {"api", v.api},
                            {"peer", v.peer},
                            {"id", v.raft_id},
                            {"role", std::string(ledger::ValidatorRoleName(v.role))},
                            {"status", std::string(ledger::ValidatorStatusName(v.status))},
                            {"raft", std::string(raft_role)}});
    }
    for (consensus::NodeId id : membership_.voters) voters.push_back(name_of(id));
    for (consensus::NodeId id : membership_.learners) observers.push_back(name_of(id));
  }
  const consensus::NodeId leader = leader_.load();
  const uint64_t commit = commit_index_.load();
  api::Json peers = api::Json::array();
  {
    std::vector<PeerTransport::PeerState> links;
    if (transport_) links = transport_->Peers();
    MutexLock lock(status_mu_);
    for (const auto& [id, name] : names) {
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
  return {
      {"node", config_.name},
      {"role", RoleName(static_cast<consensus::Role>(role_.load()))},
      {"network", genesis_.network},
      {"resolver", genesis_.resolver},
      {"genesis_hash", Base64Encode(genesis_.hash)},
      {"validators", std::move(validators)},
      {"raft",
       {{"id", self_id_},
        {"term", term_.load()},
        {"leader", leader == consensus::kNoNode ? api::Json(nullptr) : api::Json(name_of(leader))},
        {"voters", std::move(voters)},
        {"observers", std::move(observers)},
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

namespace {

using api::MetricSpec;
using api::MetricType;
constexpr MetricType kCounter = MetricType::kCounter;
constexpr MetricType kGauge = MetricType::kGauge;

// Every family the validator exports, with its HELP text: the one place
// they are declared (docs/operations.md#watch lists them for operators).
constexpr MetricSpec kSubmitted = {"frontera_documents_submitted_total", kCounter,
                                   "Write requests received."};
constexpr MetricSpec kRefusedAtAdmission = {
    "frontera_documents_refused_at_admission_total", kCounter,
    "Documents refused before the proposer queue (400, 403, 409, 422)."};
constexpr MetricSpec kRefused = {
    "frontera_documents_refused_total", kCounter,
    "Documents refused at admission, by document kind and problem type slug."};
constexpr MetricSpec kRetriesAnswered = {
    "frontera_documents_retries_answered_total", kCounter,
    "Documents sent again byte for byte and answered with their first receipt."};
constexpr MetricSpec kAccepted = {"frontera_documents_accepted_total", kCounter,
                                  "Documents accepted by applied blocks."};
constexpr MetricSpec kRejectedAtApply = {
    "frontera_documents_rejected_at_apply_total", kCounter,
    "Documents rejected by the ledger when applied, by problem type slug."};
constexpr MetricSpec kForwarded = {"frontera_documents_forwarded_total", kCounter,
                                   "Documents this node sent to the leader, re-sends included."};
constexpr MetricSpec kLeadersDistrusted = {
    "frontera_leaders_distrusted_total", kCounter,
    "Times this node stopped following a leader that committed nothing."};
constexpr MetricSpec kBuildInfo = {
    "frontera_build_info", kGauge,
    "Always 1; the labels name this build's version, commit, data format and peer protocol."};
constexpr MetricSpec kBlocks = {"frontera_blocks_applied_total", kCounter, "Blocks applied."};
constexpr MetricSpec kFilterBuilds = {"frontera_item_filter_builds_total", kCounter,
                                      "Item filters built."};
constexpr MetricSpec kFilterBuildSeconds = {"frontera_item_filter_build_seconds", kGauge,
                                            "Duration of the last item filter build."};
constexpr MetricSpec kLogSync = {
    "frontera_log_sync_seconds", MetricType::kHistogram,
    "Duration of the synced Raft log writes that make entries and hard state durable."};
constexpr MetricSpec kApplySeconds = {"frontera_apply_seconds_total", kCounter,
                                      "Time spent applying committed entries."};
constexpr MetricSpec kQueueDepth = {
    "frontera_proposer_queue_depth", kGauge,
    "Admitted documents waiting on this node to be proposed or committed."};
constexpr MetricSpec kRole = {"frontera_raft_role", kGauge,
                              "1 for this node's current Raft role, 0 for the others."};
constexpr MetricSpec kIsLeader = {"frontera_raft_is_leader", kGauge, "1 on the leader, else 0."};
constexpr MetricSpec kLeaderKnown = {"frontera_raft_leader_known", kGauge,
                                     "1 while this node knows a leader of its current term."};
constexpr MetricSpec kTerm = {"frontera_raft_term", kGauge, "Current Raft term."};
constexpr MetricSpec kCommitIndex = {"frontera_raft_commit_index", kGauge,
                                     "Highest Raft log index known committed."};
constexpr MetricSpec kAppliedIndex = {"frontera_raft_applied_index", kGauge,
                                      "Highest Raft log index applied to the ledger."};
constexpr MetricSpec kApplyLag = {"frontera_raft_apply_lag_entries", kGauge,
                                  "Commit index minus applied index on this node."};
constexpr MetricSpec kFirstIndex = {"frontera_raft_first_index", kGauge,
                                    "First Raft log entry kept after compaction."};
constexpr MetricSpec kPeerLag = {
    "frontera_raft_peer_lag_entries", kGauge,
    "On the leader, per peer: the leader's last log index minus the peer's match index."};
constexpr MetricSpec kCompactions = {"frontera_raft_log_compactions_total", kCounter,
                                     "Raft log compactions up to a snapshot."};
constexpr MetricSpec kSnapshotsTaken = {"frontera_snapshots_taken_total", kCounter,
                                        "Ledger snapshots made on this node."};
constexpr MetricSpec kSnapshotsInstalled = {"frontera_snapshots_installed_total", kCounter,
                                            "Snapshots received from a leader and installed."};
constexpr MetricSpec kSnapshotsSent = {"frontera_snapshots_sent_total", kCounter,
                                       "Snapshots streamed to followers."};
constexpr MetricSpec kReadsLinearizable = {"frontera_reads_linearizable_total", kCounter,
                                           "Linearizable reads served."};
constexpr MetricSpec kCosignedHeight = {"frontera_checkpoint_cosigned_height", kGauge,
                                        "Block height of the latest co-signed checkpoint."};
constexpr MetricSpec kCosignedTreeSize = {"frontera_checkpoint_cosigned_tree_size", kGauge,
                                          "Tree size of the latest co-signed checkpoint."};
constexpr MetricSpec kTreeSize = {"frontera_ledger_tree_size", kGauge,
                                  "Leaves in the applied ledger's Merkle tree."};
constexpr MetricSpec kBlockHeight = {"frontera_ledger_block_height", kGauge,
                                     "Height of the last applied block."};
constexpr MetricSpec kInboxDropped = {
    "frontera_peer_inbox_dropped_total", kCounter,
    "Peer messages dropped because the Raft thread's inbox was full."};
constexpr MetricSpec kNotProposals = {"frontera_entries_not_proposals_total", kCounter,
                                      "Committed entries that did not decode as a proposal."};
constexpr MetricSpec kDiverged = {
    "frontera_state_diverged", kGauge,
    "1 when this node's state differs from the state a majority signed; it then stops serving."};
constexpr MetricSpec kConnectionsRefused = {"frontera_peer_connections_refused_total", kCounter,
                                            "Inbound peer connections refused."};
constexpr MetricSpec kConnectionsEvicted = {"frontera_peer_connections_evicted_total", kCounter,
                                            "Peer connections closed to make room."};
constexpr MetricSpec kMessagesRefused = {"frontera_peer_messages_refused_total", kCounter,
                                         "Peer messages refused, by peer and reason."};
constexpr MetricSpec kPeerConnected = {
    "frontera_peer_connected", kGauge,
    "Per peer: 1 while authenticated connections to and from it are both up."};
constexpr MetricSpec kPeersConnected = {"frontera_peers_connected", kGauge,
                                        "Peers connected both ways."};
constexpr MetricSpec kPeers = {"frontera_peers", kGauge,
                               "Peers of this node (the other validators)."};
constexpr MetricSpec kLastContact = {
    "frontera_peer_last_contact_seconds", kGauge,
    "Per peer: seconds since a frame from it was last received (absent: never)."};
constexpr MetricSpec kFramesQueued = {"frontera_peer_frames_queued", kGauge,
                                      "Per peer: outbound frames waiting to be written."};
constexpr MetricSpec kFramesDropped = {
    "frontera_peer_frames_dropped_total", kCounter,
    "Per peer: outbound frames refused by a full queue or lost in a failed write."};
constexpr MetricSpec kFramesRejected = {
    "frontera_peer_frames_rejected_total", kCounter,
    "Per peer: inbound frames refused (too large, bad version, bad tag)."};
constexpr MetricSpec kDataDirFree = {
    "frontera_data_dir_free_bytes", kGauge,
    "Bytes available to this process on the data directory's filesystem."};
constexpr MetricSpec kDataDirCapacity = {"frontera_data_dir_capacity_bytes", kGauge,
                                         "Size of the data directory's filesystem."};
constexpr MetricSpec kDataDirBytes = {"frontera_data_dir_bytes", kGauge,
                                      "Bytes of the files under the data directory."};
constexpr MetricSpec kDiskFreeAlert = {
    "frontera_data_dir_free_alert_bytes", kGauge,
    "ops.disk_free_alert_bytes: FronteraDiskFilling fires when free bytes fall below it."};

constexpr MetricSpec kWitnessCosignatures = {
    "frontera_witness_cosignatures_total", kCounter,
    "Per genesis witness: cosignatures it returned that verified against its genesis key."};
constexpr MetricSpec kWitnessFailures = {
    "frontera_witness_failures_total", kCounter,
    "Per genesis witness: add-checkpoint requests without a valid cosignature (no answer, "
    "a refusal, a bad cosignature)."};
constexpr MetricSpec kWitnessUp = {
    "frontera_witness_up", kGauge,
    "Per genesis witness: 1 when its last add-checkpoint returned a valid cosignature."};
constexpr MetricSpec kWitnessTreeSize = {
    "frontera_witness_cosigned_tree_size", kGauge,
    "Per genesis witness: tree size of the last checkpoint it cosigned for this validator."};

// The Raft roles, as frontera_raft_role's bounded label values.
constexpr consensus::Role kRoles[] = {consensus::Role::kFollower, consensus::Role::kPreCandidate,
                                      consensus::Role::kCandidate, consensus::Role::kLeader};

// Sum of the sizes of the regular files under `dir`; files that vanish
// meanwhile (a compaction, a snapshot removed) are skipped.
uint64_t DirectoryBytes(const std::filesystem::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uintmax_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace

api::MetricSet Validator::GetMetrics() {
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  ledger::LedgerSummary s = ledger->sm->Summary();
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  api::MetricSet m;
  m.Add(kSubmitted, d(submitted_.load()));
  m.Add(kRefusedAtAdmission, d(refused_at_admission_.load()));
  m.Add(kRetriesAnswered, d(retries_answered_.load()));
  m.Add(kAccepted, d(accepted_.load()));
  {
    MutexLock lock(waiters_mu_);
    for (const auto& [problem, count] : rejected_at_apply_by_problem_) {
      m.Add(kRejectedAtApply, d(count), {{"problem", problem}});
    }
  }
  m.Add(kForwarded, d(forwarded_.load()));
  m.Add(kLeadersDistrusted, d(leaders_distrusted_.load()));
  m.Add(kBlocks, d(blocks_.load()));
  m.Add(kFilterBuilds, d(filter_builds_.load()));
  m.Add(kFilterBuildSeconds, filter_build_millis_.load() / 1e3);
  m.Add(kApplySeconds, apply_micros_.load() / 1e6);
  m.Add(kQueueDepth, d(queue_depth_.load()));
  const auto role = static_cast<consensus::Role>(role_.load());
  for (consensus::Role r : kRoles) {
    m.Add(kRole, r == role ? 1 : 0, {{"role", RoleName(r)}});
  }
  m.Add(kIsLeader, role == consensus::Role::kLeader ? 1 : 0);
  m.Add(kLeaderKnown, leader_.load() != consensus::kNoNode ? 1 : 0);
  const uint64_t commit = commit_index_.load();
  const uint64_t applied = applied_index_.load();
  m.Add(kTerm, d(term_.load()));
  m.Add(kCommitIndex, d(commit));
  m.Add(kAppliedIndex, d(applied));
  m.Add(kApplyLag, d(commit - std::min(commit, applied)));
  m.Add(kFirstIndex, d(first_index_.load()));
  m.Add(kCompactions, d(compactions_.load()));
  m.Add(kSnapshotsTaken, d(snapshots_taken_.load()));
  m.Add(kSnapshotsInstalled, d(snapshots_installed_.load()));
  m.Add(kSnapshotsSent, d(snapshots_sent_.load()));
  m.Add(kReadsLinearizable, d(reads_linearizable_.load()));
  m.Add(kCosignedHeight, d(cosigned_height_.load()));
  m.Add(kCosignedTreeSize, d(ledger->sm->checkpoint_tree_size()));
  m.Add(kTreeSize, d(s.tree_size));
  m.Add(kBlockHeight, d(s.block_height));
  m.Add(kInboxDropped, d(inbox_dropped_.load()));
  m.Add(kNotProposals, d(entries_not_proposals_.load()));
  m.Add(kDiverged, diverged_.load() ? 1.0 : 0.0);
  m.Add(kConnectionsRefused, d(transport_ ? transport_->connections_refused() : 0));
  m.Add(kConnectionsEvicted, d(transport_ ? transport_->connections_evicted() : 0));
  if (witnesses_) {
    // Per witness: the genesis's list, a bounded set of names.
    for (const WitnessSubmitter::WitnessState& w : witnesses_->States()) {
      m.Add(kWitnessCosignatures, d(w.cosigned), {{"witness", w.name}});
      m.Add(kWitnessFailures, d(w.failed), {{"witness", w.name}});
      m.Add(kWitnessUp, w.up ? 1.0 : 0.0, {{"witness", w.name}});
      m.Add(kWitnessTreeSize, d(w.cosigned_tree_size), {{"witness", w.name}});
    }
  }

  // Per peer: the validators of the genesis and those added since, a bounded
  // set of names.
  const std::map<consensus::NodeId, std::string> names = Names();
  std::vector<PeerTransport::PeerState> links;
  if (transport_) links = transport_->Peers();
  {
    MutexLock lock(status_mu_);
    m.AddHistogram(kLogSync, log_sync_seconds_);
    size_t peers = 0;
    size_t connected = 0;
    for (const auto& [id, name] : names) {
      if (id == self_id_) continue;
      ++peers;
      const api::MetricLabels peer = {{"peer", name}};
      bool up = false;
      for (const PeerTransport::PeerState& link : links) {
        if (link.id != id) continue;
        up = link.connected_in && link.connected_out;
        if (link.last_received_ms_ago >= 0) {
          m.Add(kLastContact, static_cast<double>(link.last_received_ms_ago) / 1e3, peer);
        }
        m.Add(kFramesQueued, d(link.frames_queued), peer);
        m.Add(kFramesDropped, d(link.frames_dropped), peer);
        m.Add(kFramesRejected, d(link.frames_rejected), peer);
      }
      m.Add(kPeerConnected, up ? 1 : 0, peer);
      if (up) ++connected;
      if (auto it = match_.find(id); it != match_.end()) {
        m.Add(kPeerLag, d(last_index_ - std::min(last_index_, it->second)), peer);
      }
    }
    m.Add(kPeers, d(peers));
    m.Add(kPeersConnected, d(connected));
  }
  for (const auto& [key, count] : peer_refusals_.Counts()) {
    m.Add(kMessagesRefused, d(count), {{"peer", key.first}, {"reason", key.second}});
  }
  for (const auto& [key, count] : document_refusals_.Counts()) {
    m.Add(kRefused, d(count), {{"kind", key.first}, {"problem", key.second}});
  }

  // The data directory's filesystem. A failed query leaves the gauges out
  // rather than report a made-up 0.
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(config_.data_dir, ec);
  if (!ec) {
    m.Add(kDataDirFree, d(space.available));
    m.Add(kDataDirCapacity, d(space.capacity));
  }
  m.Add(kDataDirBytes, d(DirectoryBytes(config_.data_dir)));
  m.Add(kDiskFreeAlert, static_cast<double>(config_.ops.disk_free_alert_bytes));
  // Prometheus's info-metric convention: the value is 1, the facts are labels.
  m.Add(kBuildInfo, 1,
        {{"version", std::string(version::Release())},
         {"commit", std::string(version::GitCommit())},
         {"data_format", std::to_string(version::kDataFormat)},
         {"peer_protocol", std::to_string(version::kPeerProtocol)}});
  return m;
}

}  // namespace frontera::node
