// node::Validator, reads: the linearizable read (a read-index round through
// the raft thread, then waiting for this node to apply that index) and the
// api::Backend reads over the current ledger: certificates, proofs,
// checkpoints, blocks, parties, the trust bundle and the label check.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "api/record_views.h"
#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/data_integrity.h"
#include "crypto/signed_note.h"
#include "ledger/label.h"
#include "ledger/verdict.h"
#include "ledger/voter_chain.h"
#include "node/epcis_events.h"
#include "node/record_access.h"
#include "node/validator.h"

namespace frontera::node {

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

// ---------------------------------------------------------------------------
// The Backend reads

Result<api::Json> Validator::GetCertificate(const std::string& id, const api::Reader& reader) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  FRONTERA_ASSIGN_OR_RETURN(api::Json certificate, ledger->sm->CertificateView(id));
  if (!MaySeeDetails(*ledger->sm, reader, certificate)) return api::PublicCertificate(certificate);
  FRONTERA_RETURN_IF_ERROR(AuditRead(reader, "certificate", id));
  certificate["view"] = "full";
  return certificate;
}

Result<api::Json> Validator::GetNotice(const std::string& id, const api::Reader& reader) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  FRONTERA_ASSIGN_OR_RETURN(api::Json notice, ledger->sm->NoticeView(id));
  // A notice is never public (docs/api.md#two-views): the public view of its
  // certificates shows them flagged, and that is all.
  if (!MaySeeNotice(*ledger->sm, reader, notice)) {
    return Status::PermissionDenied(
        "notice " + id +
        " is shown to agencies and the parties it or its certificates name; sign the request "
        "(docs/api.md §9) with such a party's key");
  }
  FRONTERA_RETURN_IF_ERROR(AuditRead(reader, "notice", notice["id"].get<std::string>()));
  return notice;
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

Result<std::string> Validator::GetTlogTile(const ledger::TileAddress& tile,
                                           const api::Reader& reader) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  if (!tile.entries) return ledger->sm->TlogTile(tile);
  // A bundle holds 256 documents whole, private members and all: like a
  // block's certificate ids, for agencies only (docs/api.md#two-views).
  if (!IsAgencyReader(*ledger->sm, reader)) {
    return Status::PermissionDenied(
        "entry bundles hold the documents themselves and are served to agencies only; sign the "
        "request with an agency's key (docs/api.md §9), or read the hash tiles, which are public");
  }
  FRONTERA_ASSIGN_OR_RETURN(std::string bundle, ledger->sm->TlogTile(tile));
  FRONTERA_RETURN_IF_ERROR(AuditRead(reader, "entries", ledger::TilePath(tile)));
  return bundle;
}

Result<api::ConsistencyProofView> Validator::GetConsistency(uint64_t first, uint64_t second) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  FRONTERA_ASSIGN_OR_RETURN(std::vector<crypto::Hash> proof,
                            CurrentLedger()->sm->ConsistencyProof(first, second));
  return api::ConsistencyProofView{first, second, std::move(proof)};
}

Result<api::Json> Validator::GetBlock(uint64_t height, const api::Reader& reader) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  FRONTERA_ASSIGN_OR_RETURN(api::Json block, ledger->sm->BlockJson(height));
  // A block spans many records: only agencies see which certificates.
  if (!IsAgencyReader(*ledger->sm, reader)) return api::PublicBlock(block);
  FRONTERA_RETURN_IF_ERROR(AuditRead(reader, "block", std::to_string(height)));
  block["view"] = "full";
  return block;
}

Result<api::EpcisPage> Validator::QueryEvents(const api::EpcisQuery& query,
                                              const api::Reader& reader) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  FRONTERA_ASSIGN_OR_RETURN(api::EpcisPage page,
                            QueryEpcisEvents(*CurrentLedger()->sm, query, reader));
  const bool full = std::any_of(page.events.begin(), page.events.end(), [](const api::Json& e) {
    return e.value("frontera:view", "") == "full";
  });
  // The query is the record: which events a page held follows from it.
  std::string asked = query.query_without_token;
  if (query.after) {
    asked += (asked.empty() ? "" : "&") + std::string("nextPageToken=") +
             api::EncodePageToken(*query.after);
  }
  if (full) FRONTERA_RETURN_IF_ERROR(AuditRead(reader, "events", asked));
  return page;
}

Result<api::Json> Validator::GetParty(const std::string& did) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  return CurrentLedger()->sm->PartyJson(did);
}

Result<api::Json> Validator::ListParties(const api::PartiesQuery& query) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  return CurrentLedger()->sm->PartiesJson(query.role, query.country, query.after, query.limit);
}

Result<api::Json> Validator::ListValidators() {
  FRONTERA_RETURN_IF_ERROR(Serving());
  FRONTERA_ASSIGN_OR_RETURN(std::vector<ledger::ValidatorRecord> set,
                            CurrentLedger()->sm->Validators());
  api::Json validators = api::Json::array();
  api::Json voters = api::Json::array();
  api::Json observers = api::Json::array();
  MutexLock lock(members_mu_);
  for (const ledger::ValidatorRecord& v : set) {
    api::Json j = v.ToJson();
    j["raft"] = membership_.IsVoter(v.raft_id)     ? "voter"
                : membership_.IsLearner(v.raft_id) ? "observer"
                                                   : "none";
    validators.push_back(std::move(j));
    if (membership_.IsVoter(v.raft_id)) voters.push_back(v.name);
    if (membership_.IsLearner(v.raft_id)) observers.push_back(v.name);
  }
  // The resolver is public (every label names it): clients that build
  // labels read it here, the detailed status being operators' only.
  return api::Json{{"validators", std::move(validators)},
                   {"voters", voters},
                   {"observers", observers},
                   {"resolver", genesis_.resolver}};
}

Result<api::Json> Validator::VoterChainTo(const std::string& revocations_note) {
  // The note the chain must lead to: its tree size bounds the links (a block
  // that changed the voters holds a document, so the tree grew with it) and
  // it names the voters by digest.
  auto note = crypto::ParseNote(revocations_note, 2 * ledger::kVotersMax);
  FRONTERA_CHECK(note.ok()) << "the published revocations note: " << note.status().ToString();
  auto target = ledger::ParseNoteVoters(note->text, genesis_.network);
  FRONTERA_CHECK(target.ok()) << "the published revocations note: " << target.status().ToString();
  FRONTERA_ASSIGN_OR_RETURN(std::vector<ledger::VoterChange> links,
                            CurrentLedger()->sm->VoterChanges());
  std::vector<ledger::VoterChange> chain;
  api::Json json = api::Json::array();
  for (ledger::VoterChange& link : links) {
    auto link_note = crypto::ParseNote(link.note, 2 * ledger::kVotersMax);
    if (!link_note.ok()) continue;
    auto stated = ledger::ParseNoteVoters(link_note->text, genesis_.network);
    if (!stated.ok() || stated->tree_size > target->tree_size) continue;
    json.push_back(ledger::VoterChangeJson(link));
    chain.push_back(std::move(link));
  }
  auto voters = ledger::FollowVoterChanges(genesis_, chain, "voter_changes");
  if (!voters.ok() || voters->size() != target->count ||
      ledger::VotersDigest(*voters) != target->digest) {
    return Status::Unavailable(
        "this validator lacks a co-signed link of the voter chain up to its checkpoint (it was "
        "behind when the voters changed); ask another validator");
  }
  return api::Json{{"voters", ledger::VotersJson(*voters)}, {"links", std::move(json)}};
}

Result<api::Json> Validator::GetTrustBundle() {
  FRONTERA_RETURN_IF_ERROR(Serving());
  const ledger::Genesis& g = genesis_;
  ledger::StateMachine::Revocations revocations = CurrentLedger()->sm->LatestRevocations();
  std::string checkpoint = std::move(revocations.checkpoint);
  if (checkpoint.empty() || revocations.note.empty()) {
    return Status::Unavailable("no checkpoint yet");
  }
  api::Json entries = api::Json::array();
  for (const auto& e : revocations.entries) {
    entries.push_back({{"certificate", e.certificate},
                       {"item", e.item},
                       {"leaf_index", e.leaf_index},
                       {"reason", e.reason}});
  }
  // The registry as the note covers it (docs/formats.md#trust-bundle).
  api::Json registry = api::Json::array();
  for (const auto& e : revocations.registry) registry.push_back(ledger::RegistryEntryJson(e));
  api::Json flags = api::Json::array();
  for (const auto& e : revocations.flags) flags.push_back(ledger::FlagEntryJson(e));
  FRONTERA_ASSIGN_OR_RETURN(api::Json voter_changes, VoterChainTo(revocations.note));
  // The newest co-signed item filter, when its voters are the bundle's and
  // it is not newer than the bundle's checkpoint (docs/formats.md §16).
  api::Json item_filter = nullptr;
  {
    auto note = crypto::ParseNote(checkpoint, 2 * ledger::kVotersMax);
    auto body = note.ok() ? crypto::ParseCheckpointBody(note->text)
                          : Result<crypto::Checkpoint>(note.status());
    auto voters = ledger::VotersFromJson(voter_changes["voters"], "/voters");
    if (body.ok() && voters.ok()) item_filter = ItemFilterJson(*voters, body->tree_size);
  }
  api::Json bundle = {{"format", "frontera-trust-bundle/4"},
                      {"genesis", g.document},
                      {"genesis_hash", Base64Encode(g.hash)},
                      {"voters", std::move(voter_changes["voters"])},
                      {"voter_changes", std::move(voter_changes["links"])},
                      {"checkpoint", std::move(checkpoint)},
                      {"revocations",
                       {{"note", revocations.note},
                        {"entries", std::move(entries)},
                        {"registry", std::move(registry)},
                        {"flags", std::move(flags)}}}};
  if (!item_filter.is_null()) bundle["item_filter"] = std::move(item_filter);
  return bundle;
}

Result<api::Json> Validator::CheckLabel(const std::string& label_uri, const api::Reader& reader) {
  FRONTERA_ASSIGN_OR_RETURN(api::Json check, CheckLabelFull(label_uri));
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  if (!check["certificate"].is_object() ||
      !MaySeeDetails(*ledger->sm, reader, check["certificate"])) {
    return api::PublicLabelCheck(check);
  }
  FRONTERA_RETURN_IF_ERROR(
      AuditRead(reader, "label", check["certificate"]["credential"].value("id", label_uri)));
  check["view"] = "full";
  check["certificate"]["view"] = "full";
  return check;
}

Status Validator::AuditRead(const api::Reader& reader, std::string_view what,
                            std::string_view record) {
  Result<uint64_t> seq = audit_->Record(reader.did, what, record, clock_->NowUnixMillis());
  if (!seq.ok()) {
    spdlog::error("[{}] audit trail: {}; the read is refused", config_.name,
                  seq.status().ToString());
    return Status::Unavailable("this validator cannot record the read in its audit trail");
  }
  return Status::Ok();
}

Result<api::Json> Validator::GetAudit(const api::AuditQueryParams& query,
                                      const api::Reader& reader) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  if (!IsAgencyReader(*CurrentLedger()->sm, reader)) {
    return Status::PermissionDenied(
        "the audit trail is for agencies: sign the request with an active agency's key");
  }
  // Who looked at the trail is itself in it.
  std::string asked = "after=" + std::to_string(query.after);
  if (!query.reader.empty()) asked += "&reader=" + query.reader;
  if (!query.record.empty()) asked += "&record=" + query.record;
  FRONTERA_RETURN_IF_ERROR(AuditRead(reader, "audit", asked));
  const size_t limit = std::min(query.limit, audit_->options().query_limit_max);
  FRONTERA_ASSIGN_OR_RETURN(
      std::vector<AuditEntry> entries,
      audit_->Find(
          {.reader = query.reader, .record = query.record, .after = query.after, .limit = limit}));
  api::Json out = api::Json::array();
  for (const AuditEntry& e : entries) {
    out.push_back({{"seq", e.seq},
                   {"time", e.time},
                   {"reader", e.reader},
                   {"what", e.what},
                   {"record", e.record}});
  }
  api::Json next = entries.size() == limit && !entries.empty() ? api::Json(entries.back().seq)
                                                               : api::Json(nullptr);
  return api::Json{{"validator", config_.name}, {"entries", std::move(out)}, {"next", next}};
}

Result<api::Json> Validator::CheckLabelFull(const std::string& label_uri) {
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
    out["flag"] =
        verdict.verdict == ledger::Verdict::kFlagged ? api::Json(verdict.flag) : api::Json(nullptr);
    out["reasons"] = std::move(reasons);
    return out;
  };
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  const ledger::StateMachine& sm = *ledger->sm;
  auto party_json = [&](const std::string& did) -> std::optional<api::Json> {
    std::optional<ledger::PartyRecord> r = sm.FindParty(did);
    if (!r) return std::nullopt;
    api::Json j = r->party.ToJson();
    j["status"] = std::string(ledger::PartyStatusName(r->status));
    return j;
  };
  // The label's key: a party of the genesis, or one the registry added (the
  // certificate of the label's item names it).
  std::optional<ledger::PartyRecord> issuer_record;
  for (const ledger::Party& p : g.parties) {
    if (ledger::LabelKid(p.public_key) == label.kid) issuer_record = sm.FindParty(p.did);
  }
  if (!issuer_record) {
    auto cert_id = label.sscc.empty() ? sm.FindProduct(label.gtin, label.serial)
                                      : sm.FindConsignment(label.sscc);
    auto cert = cert_id.ok() ? sm.CertificateView(*cert_id) : Result<api::Json>(cert_id.status());
    if (cert.ok() && (*cert)["credential"]["issuer"].is_string()) {
      auto r = sm.FindParty((*cert)["credential"]["issuer"].get<std::string>());
      if (r && ledger::LabelKid(r->party.public_key) == label.kid) issuer_record = std::move(r);
    }
  }
  const ledger::Party* issuer = issuer_record ? &issuer_record->party : nullptr;
  if (label.resolver != g.resolver) {
    reasons.push_back("the label names resolver " + label.resolver +
                      ", not this network's resolver " + g.resolver + " (a copied label)");
    return answer();
  }
  if (issuer == nullptr) {
    reasons.push_back("the label's key (kid " + label.kid + ") belongs to no registered party");
    return answer();
  }
  out["issuer"] = *party_json(issuer->did);
  if (Status s = ledger::VerifyLabel(label, issuer->public_key); !s.ok()) {
    reasons.push_back("the label's signature does not verify: " + s.message());
    return answer();
  }
  // A suspended issuer's certificates issued before its suspension stand;
  // the ledger refused any it signed since.
  if (issuer->role != ledger::Role::kManufacturer && issuer->role != ledger::Role::kShipper) {
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
      if (auto p = party_json(did)) out["parties"][did] = *p;
    }
    for (const char* list : {"sourceList", "destinationList"}) {
      for (const api::Json& entry : e["document"].value(list, api::Json::array())) {
        for (const char* field : {"source", "destination"}) {
          if (entry.contains(field) && entry[field].is_string()) {
            const std::string did = entry[field].get<std::string>();
            if (auto p = party_json(did)) out["parties"][did] = *p;
          }
        }
      }
    }
  }
  // Whoever signed the revocation (the issuer, or each agency of a majority).
  if (cert["revocation"].is_object()) {
    for (const std::string& did : crypto::ProofSignerDids(cert["revocation"]["document"])) {
      if (auto p = party_json(did)) out["parties"][did] = *p;
    }
  }
  // The agencies that raised the flags in force.
  for (const auto& [flag, entry] : cert["flagged"].items()) {
    for (const api::Json& did : entry["by"]) {
      if (auto p = party_json(did.get<std::string>())) out["parties"][did.get<std::string>()] = *p;
    }
  }
  // The agency whose hold is in force, named on the page.
  if (cert["held_by"].is_string()) {
    const std::string did = cert["held_by"].get<std::string>();
    if (auto p = party_json(did)) out["parties"][did] = *p;
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
  // A flag in force (DSCSA): the agency's decision outranks expiry.
  std::vector<std::string> flag_names;
  for (const auto& [flag, entry] : cert["flagged"].items()) flag_names.push_back(flag);
  facts.flag = ledger::MostSevereFlag(flag_names);
  if (!facts.flag.empty()) {
    facts.flag_reason = cert["flagged"][facts.flag].value("reason", std::string());
    reasons.push_back("certificate " + *id + " is flagged " + facts.flag + " by " +
                      cert["flagged"][facts.flag]["by"][0].get<std::string>() + ": " +
                      facts.flag_reason);
    return answer();
  }
  // A decommissioned pack (EU FMD): a dispensed one scanned again may be a
  // clone.
  FRONTERA_ASSIGN_OR_RETURN(facts.lifecycle, ledger::LifecycleOfCertificate(cert));
  if (facts.lifecycle.decommissioned()) {
    reasons.push_back("the pack was " + std::string(ledger::PackStateName(facts.lifecycle.state)) +
                      " at GLN " + facts.lifecycle.gln + " on " +
                      FormatRfc3339(facts.lifecycle.time_unix_ms));
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

}  // namespace frontera::node
