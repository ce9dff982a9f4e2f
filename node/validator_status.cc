// node::Validator, what it reports about itself: /v1/status (role, Raft
// progress, peer links, ledger summary, serving state), the health check, and
// the Prometheus metrics.
#include <algorithm>
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
      {"frontera_item_filter_builds_total", d(filter_builds_.load())},
      {"frontera_item_filter_build_seconds", filter_build_millis_.load() / 1e3},
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
  // Prometheus's info-metric convention: the value is 1, the facts are labels.
  metrics["frontera_build_info{version=\"" + label(version::Release()) + "\",commit=\"" +
          label(version::GitCommit()) + "\",data_format=\"" + std::to_string(version::kDataFormat) +
          "\",peer_protocol=\"" + std::to_string(version::kPeerProtocol) + "\"}"] = 1;
  return metrics;
}

}  // namespace frontera::node
