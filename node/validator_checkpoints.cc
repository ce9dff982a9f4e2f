// node::Validator, co-signed checkpoints: the state note body this node
// signs with each block's checkpoint, publishing a checkpoint once a
// majority signed it, and the divergence check (this node stops serving its
// state once a majority signed a state that differs from its own).
#include "common/check.h"
#include "node/log.h"
#include "node/state_note.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

using validator_internal::Envelope;
using validator_internal::PeerKind;

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

ledger::NoteQuorum Validator::NoteQuorumOf(const std::shared_ptr<Ledger>& ledger, uint64_t height) {
  const uint64_t changes = ledger->sm->validator_changes();
  if (ledger != quorum_set_ledger_ || changes != quorum_set_changes_) {
    Result<std::vector<ledger::ValidatorRecord>> set = ledger->sm->Validators();
    // The set of the state just applied: failing to read it is this node's
    // own fault, and signing without it impossible.
    FRONTERA_CHECK(set.ok()) << "the validator set: " << set.status().ToString();
    quorum_set_ = std::move(set).value();
    quorum_set_ledger_ = ledger;
    quorum_set_changes_ = changes;
  }
  return {ledger::VotersAfter(quorum_set_, height == 0 ? 0 : height - 1),
          ledger::VotersAfter(quorum_set_, height)};
}

void Validator::CosignApplied(const std::shared_ptr<Ledger>& ledger, uint64_t index,
                              uint64_t term) {
  const ledger::LedgerSummary s = ledger->sm->Summary();
  std::optional<CosignMessage> own = cosigner_->SignApplied(
      s.block_height, s.tree_size, ledger->sm->CheckpointBody(), ledger->sm->RevocationsBody(),
      StateBody(*ledger, index, term), NoteQuorumOf(ledger, s.block_height));
  if (!own) return;  // not one of this block's voters
  std::string frame = Envelope(PeerKind::kCosign, EncodeCosign(*own));
  if (transport_) {
    for (consensus::NodeId id : PeerIds()) transport_->Send(id, frame);
  }
  MutexLock lock(status_mu_);
  last_cosign_ = std::move(frame);
}

void Validator::PublishCosigned() {
  CheckDivergence();
  WriteStateNotes();
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  // The links of the voter chain, kept for trust bundles and snapshots.
  std::vector<ledger::VoterChange> links = cosigner_->TakeVoterChanges();
  KeepVoterChanges(*ledger, links);
  for (const ledger::VoterChange& link : links) {
    LogInfo(config_.name, "block " + std::to_string(link.height) +
                              " changed the voters; its co-signed revocations note is kept as "
                              "a link of the voter chain");
  }
  RepairVoterChain(ledger);
  std::optional<CosignedCheckpoint> c = cosigner_->TakeCosigned();
  if (!c) return;
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
  if (witnesses_) witnesses_->Submit(c->checkpoint_note);
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

}  // namespace frontera::node
