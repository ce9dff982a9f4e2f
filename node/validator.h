// Validator: one Frontera validator node — the api::Backend over the ledger.
//
// Write path (docs/ledger.md#write-path):
//   HTTP thread: Admit (parse, verify, check against current state) → queue
//   proposer thread: take a batch → proposal (leader's time) → log entry,
//                    synced (one fsync per batch) → apply queue
//   apply thread: StateMachine::Apply → sign checkpoint → write → publish →
//                 answer each waiting client with its document's outcome
// A client is answered only after its document's log entry is durable and
// applied. Until Raft replication lands, the log is this node's own
// (single-validator network): "durable on a quorum" is durable here.
//
// Thread-safety: all public methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "api/backend.h"
#include "common/clock.h"
#include "crypto/ed25519.h"
#include "ledger/state_machine.h"
#include "node/config.h"
#include "storage/kv_store.h"

namespace frontera::node {

class Validator final : public api::Backend {
 public:
  // Opens the store, replays committed log entries not yet applied, and
  // starts the proposer and apply threads. REQUIRES: clock outlives this.
  static Result<std::unique_ptr<Validator>> Open(const NodeConfig& config,
                                                 const crypto::KeyPair& key, const Clock* clock);
  ~Validator() override;

  // Stops taking writes, fails waiting ones with kUnavailable, joins threads.
  // Idempotent.
  void Stop();

  Result<api::Receipt> IssueCertificate(const api::Json& credential) override;
  Result<api::Receipt> RecordEvent(const std::string& certificate_id,
                                   const api::Json& event) override;
  Result<api::Receipt> Revoke(const std::string& certificate_id,
                              const api::Json& revocation) override;
  Result<api::Json> GetCertificate(const std::string& id) override;
  Result<api::InclusionProofView> GetProof(const std::string& id) override;
  Result<std::string> GetCheckpoint() override;
  Result<api::ConsistencyProofView> GetConsistency(uint64_t first, uint64_t second) override;
  Result<api::Json> GetBlock(uint64_t height) override;
  Result<api::Json> GetParty(const std::string& did) override;
  Result<api::Json> GetTrustBundle() override;
  Result<api::Json> CheckLabel(const std::string& label_uri) override;
  api::Json GetStatus() override;
  bool Healthy() override;
  std::map<std::string, double> GetMetrics() override;

 private:
  struct Pending {
    ledger::ProposedDocument document;
    std::shared_ptr<const ledger::ParsedDocument> parsed;
    std::promise<Result<api::Receipt>> answer;
  };
  struct Committed {
    uint64_t log_index = 0;
    ledger::Proposal proposal;
    std::vector<std::shared_ptr<Pending>> pendings;  // empty on replay
  };

  Validator(const NodeConfig& config, const crypto::KeyPair& key, const Clock* clock,
            std::unique_ptr<storage::KvStore> store, std::unique_ptr<ledger::StateMachine> sm);

  Status Recover();
  Result<api::Receipt> Submit(ledger::DocumentKind kind, const std::string& certificate_id,
                              const api::Json& document);
  void ProposerLoop();
  void ApplyLoop();
  // Applies one committed entry, writes and publishes it; returns its block.
  ledger::Block ApplyCommitted(const Committed& committed);
  std::string SignCheckpoint(const std::string& body) const;

  const NodeConfig config_;
  const crypto::KeyPair key_;
  const Clock* const clock_;
  std::unique_ptr<storage::KvStore> store_;
  std::unique_ptr<ledger::StateMachine> sm_;

  std::mutex mu_;
  std::condition_variable queue_cv_;            // proposer waits for documents
  std::condition_variable apply_cv_;            // apply thread waits for entries
  std::condition_variable space_cv_;            // proposer waits for room in apply_queue_
  std::deque<std::shared_ptr<Pending>> queue_;  // GUARDED_BY(mu_); ≤ queue_depth_max
  std::deque<Committed> apply_queue_;           // GUARDED_BY(mu_); ≤ kApplyQueueMax
  bool stopping_ = false;                       // GUARDED_BY(mu_)

  // Proposer thread only.
  uint64_t last_log_index_ = 0;
  int64_t last_time_unix_ms_ = 0;

  std::thread proposer_;
  std::thread applier_;

  // Metrics.
  std::atomic<uint64_t> submitted_{0};
  std::atomic<uint64_t> admitted_{0};
  std::atomic<uint64_t> refused_at_admission_{0};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> rejected_at_apply_{0};
  std::atomic<uint64_t> blocks_{0};
  std::atomic<uint64_t> log_syncs_{0};
  std::atomic<uint64_t> log_sync_micros_{0};
  std::atomic<uint64_t> apply_micros_{0};
  std::atomic<uint64_t> queue_depth_{0};
  std::atomic<uint64_t> last_log_index_published_{0};
};

}  // namespace frontera::node
