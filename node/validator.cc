#include "node/validator.h"

#include <chrono>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/signed_note.h"
#include "ledger/label.h"
#include "storage/keys.h"

namespace frontera::node {

using ledger::DocumentKind;
using storage::Column;

namespace {

const std::string kMetaLastLogIndex = "log/last_index";
constexpr size_t kApplyQueueMax = 8;  // committed entries waiting for the apply thread

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

}  // namespace

Validator::Validator(const NodeConfig& config, const crypto::KeyPair& key, const Clock* clock,
                     std::unique_ptr<storage::KvStore> store,
                     std::unique_ptr<ledger::StateMachine> sm)
    : config_(config), key_(key), clock_(clock), store_(std::move(store)), sm_(std::move(sm)) {}

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
  if (genesis.validators.size() != 1) {
    return Status::InvalidArgument(
        "genesis lists " + std::to_string(genesis.validators.size()) +
        " validators; this build runs single-validator networks only (replication comes with "
        "Raft)");
  }
  FRONTERA_ASSIGN_OR_RETURN(std::unique_ptr<storage::KvStore> store,
                            storage::KvStore::Open(config.data_dir, config.storage));
  FRONTERA_ASSIGN_OR_RETURN(auto genesis_mark, store->Get(Column::kMeta, "genesis/hash"));
  if (genesis_mark && *genesis_mark != AsChars(genesis.hash)) {
    return Status::FailedPrecondition("data directory " + config.data_dir +
                                      " belongs to another network (genesis hash differs)");
  }
  if (!genesis_mark) {
    storage::WriteBatch batch;
    batch.Put(Column::kMeta, "genesis/hash", AsChars(genesis.hash));
    FRONTERA_RETURN_IF_ERROR(store->Write(batch, /*sync=*/true));
  }
  FRONTERA_ASSIGN_OR_RETURN(
      std::unique_ptr<ledger::StateMachine> sm,
      ledger::StateMachine::Open(store.get(), std::move(genesis), config.ledger));
  std::unique_ptr<Validator> v(new Validator(config, key, clock, std::move(store), std::move(sm)));
  FRONTERA_RETURN_IF_ERROR(v->Recover());
  v->proposer_ = std::thread([p = v.get()] { p->ProposerLoop(); });
  v->applier_ = std::thread([p = v.get()] { p->ApplyLoop(); });
  return v;
}

Validator::~Validator() { Stop(); }

void Validator::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !proposer_.joinable() && !applier_.joinable()) return;
    stopping_ = true;
  }
  queue_cv_.notify_all();
  apply_cv_.notify_all();
  space_cv_.notify_all();
  if (proposer_.joinable()) proposer_.join();
  if (applier_.joinable()) applier_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& p : queue_) p->answer.set_value(Status::Unavailable("validator is shutting down"));
  queue_.clear();
}

std::string Validator::SignCheckpoint(const std::string& body) const {
  return crypto::SignNote(body, {{config_.name, &key_}});
}

Status Validator::Recover() {
  FRONTERA_ASSIGN_OR_RETURN(auto last, store_->Get(Column::kMeta, kMetaLastLogIndex));
  if (last) {
    FRONTERA_ASSIGN_OR_RETURN(last_log_index_, storage::DecodeUint64(*last));
  }
  // Entries committed to the log but not applied before a crash (the state
  // write is not synced on its own; the next log sync covers it).
  for (uint64_t index = sm_->applied_index() + 1; index <= last_log_index_; ++index) {
    FRONTERA_ASSIGN_OR_RETURN(auto entry, store_->Get(Column::kLog, storage::EncodeUint64(index)));
    if (!entry) {
      return Status::Corruption("log entry " + std::to_string(index) +
                                " is missing; cannot replay to the last committed index " +
                                std::to_string(last_log_index_));
    }
    FRONTERA_ASSIGN_OR_RETURN(ledger::Proposal proposal, ledger::DecodeProposal(*entry));
    last_time_unix_ms_ = proposal.time_unix_ms;
    Committed c{index, std::move(proposal), {}};
    ApplyCommitted(c);
  }
  if (sm_->LatestCheckpoint().empty()) {
    // A fresh ledger: publish the checkpoint of the empty tree so that
    // auditors have a starting point.
    storage::WriteBatch batch;
    std::string note = SignCheckpoint(sm_->CheckpointBody());
    std::string revocations = SignCheckpoint(sm_->RevocationsBody());
    sm_->StageCheckpoint(note, batch);
    sm_->StageRevocationsNote(revocations, batch);
    FRONTERA_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
    sm_->Publish(note, revocations);
  }
  // Make replayed state durable before anyone reads it.
  storage::WriteBatch empty;
  empty.Put(Column::kMeta, "node/opened", std::to_string(clock_->NowUnixMillis()));
  FRONTERA_RETURN_IF_ERROR(store_->Write(empty, /*sync=*/true));
  if (auto block = sm_->Summary(); block.block_height > 0) {
    FRONTERA_ASSIGN_OR_RETURN(api::Json last_block, sm_->BlockJson(block.block_height));
    last_time_unix_ms_ = std::max(last_time_unix_ms_, last_block["time_unix_ms"].get<int64_t>());
  }
  last_log_index_published_ = sm_->applied_index();
  return Status::Ok();
}

Result<api::Receipt> Validator::Submit(DocumentKind kind, const std::string& certificate_id,
                                       const api::Json& document) {
  ++submitted_;
  auto admitted = sm_->Admit(kind, certificate_id, document, clock_->NowUnixMillis());
  if (!admitted.ok()) {
    ++refused_at_admission_;
    return admitted.status();
  }
  auto pending = std::make_shared<Pending>();
  pending->document = std::move(admitted->proposed);
  pending->parsed = std::move(admitted->parsed);
  std::future<Result<api::Receipt>> answer = pending->answer.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("validator is shutting down");
    if (queue_.size() >= config_.proposer.queue_depth_max) {
      return Status::ResourceExhausted(
          "the validator's queue is full (proposer.queue_depth_max = " +
          std::to_string(config_.proposer.queue_depth_max) + "); retry shortly");
    }
    queue_.push_back(pending);
    queue_depth_ = queue_.size();
  }
  ++admitted_;
  queue_cv_.notify_one();
  if (answer.wait_for(std::chrono::milliseconds(config_.proposer.commit_timeout_ms)) !=
      std::future_status::ready) {
    return Status::Unavailable("not committed within " +
                               std::to_string(config_.proposer.commit_timeout_ms) +
                               " ms; it may still be committed: query the certificate before "
                               "retrying");
  }
  return answer.get();
}

void Validator::ProposerLoop() {
  for (;;) {
    std::vector<std::shared_ptr<Pending>> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      // Group commit: take what has queued up while the previous entry was
      // being synced, up to the batch limits.
      size_t bytes = 0;
      while (!queue_.empty() && batch.size() < config_.proposer.batch_documents_max) {
        size_t next = queue_.front()->document.canonical.size();
        if (!batch.empty() && bytes + next > config_.proposer.batch_bytes_max) break;
        bytes += next;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queue_depth_ = queue_.size();
    }
    Committed c;
    // Block time never goes backwards, whatever the wall clock does.
    last_time_unix_ms_ = std::max(last_time_unix_ms_, clock_->NowUnixMillis());
    c.proposal.time_unix_ms = last_time_unix_ms_;
    c.proposal.documents.reserve(batch.size());
    for (const auto& p : batch) c.proposal.documents.push_back(p->document);
    c.log_index = ++last_log_index_;
    c.pendings = std::move(batch);

    storage::WriteBatch wb;
    wb.Put(Column::kLog, storage::EncodeUint64(c.log_index), ledger::EncodeProposal(c.proposal));
    wb.Put(Column::kMeta, kMetaLastLogIndex, storage::EncodeUint64(c.log_index));
    auto start = std::chrono::steady_clock::now();
    Status s = store_->Write(wb, /*sync=*/true);
    // After a failed fsync the durable state is unknown: stop rather than
    // acknowledge anything (recovery replays the log on restart).
    FRONTERA_CHECK(s.ok()) << "log write failed: " << s.ToString();
    log_sync_micros_ += MicrosSince(start);
    ++log_syncs_;

    std::unique_lock<std::mutex> lock(mu_);
    space_cv_.wait(lock, [&] { return stopping_ || apply_queue_.size() < kApplyQueueMax; });
    if (stopping_) {
      for (auto& p : c.pendings) {
        p->answer.set_value(Status::Unavailable("validator is shutting down"));
      }
      return;
    }
    apply_queue_.push_back(std::move(c));
    apply_cv_.notify_one();
  }
}

void Validator::ApplyLoop() {
  for (;;) {
    Committed c;
    {
      std::unique_lock<std::mutex> lock(mu_);
      apply_cv_.wait(lock, [&] { return stopping_ || !apply_queue_.empty(); });
      if (apply_queue_.empty()) return;  // stopping, nothing left
      c = std::move(apply_queue_.front());
      apply_queue_.pop_front();
    }
    space_cv_.notify_one();
    ledger::Block block = ApplyCommitted(c);
    for (size_t i = 0; i < c.pendings.size(); ++i) {
      const ledger::DocumentOutcome& o = block.outcomes[i];
      if (!o.status.ok()) {
        ++rejected_at_apply_;
        c.pendings[i]->answer.set_value(o.status);
        continue;
      }
      ++accepted_;
      api::Receipt r;
      r.id = o.certificate_id;
      r.status = o.certificate_status;
      r.leaf_index = o.leaf_index;
      r.leaf_hash = o.leaf_hash;
      r.block_height = block.height;
      c.pendings[i]->answer.set_value(std::move(r));
    }
  }
}

ledger::Block Validator::ApplyCommitted(const Committed& c) {
  auto start = std::chrono::steady_clock::now();
  std::vector<const ledger::ParsedDocument*> parsed;
  if (!c.pendings.empty()) {
    parsed.reserve(c.pendings.size());
    for (const auto& p : c.pendings) parsed.push_back(p->parsed.get());
  }
  storage::WriteBatch batch;
  ledger::Block block =
      sm_->Apply(c.log_index, c.proposal, c.pendings.empty() ? nullptr : &parsed, batch);
  std::string note = SignCheckpoint(sm_->CheckpointBody());
  std::string revocations = SignCheckpoint(sm_->RevocationsBody());
  sm_->StageCheckpoint(note, batch);
  sm_->StageRevocationsNote(revocations, batch);
  // Bound the log: the entry `retain` behind this one is in the state. One
  // point delete per entry (range tombstones would pile up in the memtable
  // and slow every read).
  const uint64_t retain = config_.proposer.log_retain_entries;
  if (c.log_index > retain) {
    batch.Delete(Column::kLog, storage::EncodeUint64(c.log_index - retain));
  }
  // Not synced: the log entry is, and the next log sync (or restart replay)
  // covers this write.
  Status s = store_->Write(batch, /*sync=*/false);
  FRONTERA_CHECK(s.ok()) << "state write failed: " << s.ToString();
  sm_->Publish(note, revocations);
  ++blocks_;
  last_log_index_published_ = c.log_index;
  apply_micros_ += MicrosSince(start);
  return block;
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

Result<api::Json> Validator::GetCertificate(const std::string& id) {
  return sm_->CertificateView(id);
}

Result<api::InclusionProofView> Validator::GetProof(const std::string& id) {
  FRONTERA_ASSIGN_OR_RETURN(ledger::CertificateProof p, sm_->ProveCertificate(id));
  api::InclusionProofView v;
  v.leaf_index = p.leaf_index;
  v.leaf_hash = p.leaf_hash;
  v.tree_size = p.tree_size;
  v.inclusion = std::move(p.inclusion);
  v.checkpoint = std::move(p.checkpoint);
  return v;
}

Result<std::string> Validator::GetCheckpoint() {
  std::string note = sm_->LatestCheckpoint();
  if (note.empty()) return Status::Unavailable("no checkpoint yet");
  return note;
}

Result<api::ConsistencyProofView> Validator::GetConsistency(uint64_t first, uint64_t second) {
  FRONTERA_ASSIGN_OR_RETURN(std::vector<crypto::Hash> proof, sm_->ConsistencyProof(first, second));
  return api::ConsistencyProofView{first, second, std::move(proof)};
}

Result<api::Json> Validator::GetBlock(uint64_t height) { return sm_->BlockJson(height); }

Result<api::Json> Validator::GetParty(const std::string& did) { return sm_->PartyJson(did); }

Result<api::Json> Validator::GetTrustBundle() {
  const ledger::Genesis& g = sm_->genesis();
  ledger::StateMachine::Revocations revocations = sm_->LatestRevocations();
  std::string checkpoint = sm_->LatestCheckpoint();
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
  FRONTERA_ASSIGN_OR_RETURN(ledger::Label label, ledger::ParseLabel(label_uri));
  const ledger::Genesis& g = sm_->genesis();
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
  auto answer = [&](std::string_view verdict, std::vector<std::string> reasons) {
    out["verdict"] = verdict;
    out["reasons"] = std::move(reasons);
    return out;
  };
  const ledger::Party* issuer = nullptr;
  for (const ledger::Party& p : g.parties) {
    if (ledger::LabelKid(p.public_key) == label.kid) issuer = &p;
  }
  if (issuer == nullptr) {
    return answer("NOT AUTHENTIC",
                  {"the label's key (kid " + label.kid + ") belongs to no registered party"});
  }
  out["issuer"] = issuer->ToJson();
  if (Status s = ledger::VerifyLabel(label, issuer->public_key); !s.ok()) {
    return answer("NOT AUTHENTIC", {"the label's signature does not verify: " + s.message()});
  }
  if ((issuer->role != ledger::Role::kManufacturer && issuer->role != ledger::Role::kShipper) ||
      issuer->suspended) {
    return answer("NOT AUTHENTIC", {issuer->name + " may not issue certificates"});
  }
  auto id = label.sscc.empty() ? sm_->FindProduct(label.gtin, label.serial)
                               : sm_->FindConsignment(label.sscc);
  if (!id.ok()) {
    if (!id.status().IsNotFound()) return id.status();
    return answer("NOT ON LEDGER", {"no certificate on the ledger for this item"});
  }
  FRONTERA_ASSIGN_OR_RETURN(api::Json cert, sm_->CertificateView(*id));
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
    return answer("NOT AUTHENTIC", {"the label is not the one recorded with certificate " + *id});
  }
  if (cert["status"] == "revoked") {
    std::string reason = "certificate " + *id + " was revoked";
    if (!cert["revocation"].is_null()) {
      reason += ": " + cert["revocation"]["document"].value("reason", std::string());
    }
    return answer("REVOKED", {reason});
  }
  const std::string today = FormatRfc3339(clock_->NowUnixMillis()).substr(0, 10);
  const std::string valid_until = cert["credential"].value("validUntil", std::string());
  const std::string expiry = subject.value("expiry", std::string());
  if ((!expiry.empty() && expiry < today) ||
      (!valid_until.empty() && valid_until.substr(0, 10) < today)) {
    return answer("EXPIRED", {"the certificate or the product expired"});
  }
  return answer("AUTHENTIC", {"label signed by " + issuer->name + ", certificate " + *id +
                              " is on the ledger and active"});
}

api::Json Validator::GetStatus() {
  ledger::LedgerSummary s = sm_->Summary();
  const ledger::Genesis& g = sm_->genesis();
  api::Json validators = api::Json::array();
  for (const ledger::Validator& v : g.validators) {
    validators.push_back({{"name", v.name}, {"did", v.did}, {"api", v.api_url}});
  }
  return {
      {"node", config_.name},
      {"role", "leader"},
      {"network", g.network},
      {"resolver", g.resolver},
      {"genesis_hash", Base64Encode(g.hash)},
      {"validators", std::move(validators)},
      {"ledger",
       {{"block_height", s.block_height},
        {"block_hash", Base64Encode(s.block_hash)},
        {"tree_size", s.tree_size},
        {"root", Base64Encode(s.root)},
        {"certificates", s.certificates},
        {"documents_accepted", s.documents_accepted},
        {"documents_rejected", s.documents_rejected}}},
      {"log",
       {{"commit_index", last_log_index_published_.load()}, {"applied_index", s.applied_index}}},
      {"queue_depth", queue_depth_.load()}};
}

bool Validator::Healthy() {
  std::lock_guard<std::mutex> lock(mu_);
  return !stopping_;
}

std::map<std::string, double> Validator::GetMetrics() {
  ledger::LedgerSummary s = sm_->Summary();
  return {
      {"frontera_documents_submitted_total", static_cast<double>(submitted_.load())},
      {"frontera_documents_refused_at_admission_total",
       static_cast<double>(refused_at_admission_.load())},
      {"frontera_documents_accepted_total", static_cast<double>(accepted_.load())},
      {"frontera_documents_rejected_at_apply_total",
       static_cast<double>(rejected_at_apply_.load())},
      {"frontera_blocks_applied_total", static_cast<double>(blocks_.load())},
      {"frontera_log_syncs_total", static_cast<double>(log_syncs_.load())},
      {"frontera_log_sync_seconds_total", log_sync_micros_.load() / 1e6},
      {"frontera_apply_seconds_total", apply_micros_.load() / 1e6},
      {"frontera_proposer_queue_depth", static_cast<double>(queue_depth_.load())},
      {"frontera_ledger_tree_size", static_cast<double>(s.tree_size)},
      {"frontera_ledger_block_height", static_cast<double>(s.block_height)},
  };
}

}  // namespace frontera::node
