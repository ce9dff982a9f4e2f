// node::Validator, writes: a document posted here is admitted against the
// current state, queued for the raft thread (which proposes it on the leader
// or forwards it to the leader: node/validator_raft.cc) and its client waits
// for it to be applied; the leader admits the documents a follower forwarded
// the same way; waiting clients are failed when no leader is in sight; the
// refusals at admission are counted and logged.
#include <chrono>
#include <future>
#include <memory>

#include "api/problem.h"
#include "crypto/jcs.h"
#include "node/log.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

using ledger::DocumentKind;
using validator_internal::ReceiptOf;

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
  // A copy: queued is moved into pending_ before a timeout may forget it.
  const std::string key = queued.key;
  auto forget = [&] {
    MutexLock lock(waiters_mu_);
    auto it = waiters_.find(key);
    if (it == waiters_.end()) return;
    std::erase(it->second, waiter);
    if (it->second.empty()) waiters_.erase(it);
  };
  // forget() takes waiters_mu_, so it runs after mu_ is released (every lock
  // of node/validator.h is a leaf).
  Status queued_status;
  {
    MutexLock lock(mu_);
    if (stopping_) {
      queued_status = Status::Unavailable("validator is shutting down");
    } else if (pending_.size() + driver_queued_ >= config_.proposer.queue_depth_max) {
      queued_status = Status::ResourceExhausted(
          "the validator's queue is full (proposer.queue_depth_max = " +
          std::to_string(config_.proposer.queue_depth_max) + "); retry shortly");
    } else {
      pending_.push_back(std::move(queued));
      queue_depth_ = pending_.size() + driver_queued_;
    }
  }
  if (!queued_status.ok()) {
    forget();
    return queued_status;
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

Result<api::Receipt> Validator::ChangeRegistry(const api::Json& document) {
  return Submit(DocumentKind::kParty, "", document);
}

Result<api::Receipt> Validator::FileNotice(const api::Json& notice) {
  return Submit(DocumentKind::kNotice, "", notice);
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

}  // namespace frontera::node
