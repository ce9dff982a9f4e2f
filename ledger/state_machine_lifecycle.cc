// StateMachine's part of a pack's lifecycle (ledger/lifecycle.h): the facts
// the lifecycle rules judge a kLifecycle event by — who the signer is to the
// pack, what else is in force on it, whether it has expired at the block's
// time — and the read of a pack's lifecycle.
#include <optional>
#include <string>

#include "ledger/lifecycle.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "ledger/verdict.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

// The product's expiry date (YYYY-MM-DD) of the credential stored at `leaf`.
Result<std::string> StoredExpiry(const std::optional<std::string>& stored, uint64_t leaf) {
  auto corrupt = [&] {
    return Status::Corruption("the credential of leaf " + std::to_string(leaf) +
                              " does not read back");
  };
  if (!stored || stored->empty()) return corrupt();
  auto doc = crypto::ParseJson(std::string_view(*stored).substr(1));
  if (!doc.ok() || !doc->is_object()) return corrupt();
  auto subject = doc->find("credentialSubject");
  if (subject == doc->end() || !subject->is_object()) return corrupt();
  auto expiry = subject->find("expiry");
  if (expiry == subject->end() || !expiry->is_string()) return corrupt();
  return expiry->get<std::string>();
}

}  // namespace

Status StateMachine::CheckLifecycleEvent(const View& view, const ParsedDocument& parsed,
                                         const Party& signer, const Json& r,
                                         int64_t time_unix_ms) const {
  const Event& e = *parsed.event;
  FRONTERA_ASSIGN_OR_RETURN(const PackLifecycle now, LifecycleOfRecord(r));
  LifecycleFacts facts;
  facts.product = r["type"] == "product";
  facts.in_transit_to = r["in_transit_to"].get<std::string>();
  FRONTERA_ASSIGN_OR_RETURN(const bool custodian,
                            SameParty(view, r["custodian"].get<std::string>(), parsed.signer));
  facts.signer_holds = custodian && facts.in_transit_to.empty();
  FRONTERA_ASSIGN_OR_RETURN(facts.signer_is_issuer,
                            SameParty(view, r["issuer"].get<std::string>(), parsed.signer));
  facts.signer_is_agency = signer.role == Role::kAgency;
  if (now.decommissioned()) {
    FRONTERA_ASSIGN_OR_RETURN(facts.signer_decommissioned, SameParty(view, now.by, parsed.signer));
  }
  facts.revoked = r["status"] == "revoked";
  facts.held = r["held"].get<bool>();
  const Json flagged = r.value("flagged", Json::object());
  for (const auto& [flag, entry] : flagged.items()) {
    facts.flags += (facts.flags.empty() ? "" : ", ") + flag;
  }
  facts.recalled = flagged.contains("recalled");
  if (facts.revoked) {
    FRONTERA_ASSIGN_OR_RETURN(auto revocation,
                              view.Get(Column::kIndex, Key(kRevPrefix, e.certificate_id)));
    auto entry = revocation ? crypto::ParseJson(*revocation) : Result<Json>(Json::object());
    if (entry.ok() && entry->is_object() && entry->contains("reason") &&
        (*entry)["reason"].is_string() && IsRecall((*entry)["reason"].get<std::string>())) {
      facts.recalled = true;
    }
  }
  // Only an undo asks whether the pack has expired: the credential is read
  // for it alone.
  if (facts.product && e.lifecycle_target == PackState::kActive) {
    const uint64_t leaf = r["ledger"]["leaf_index"].get<uint64_t>();
    FRONTERA_ASSIGN_OR_RETURN(auto stored, view.Get(Column::kState, DocKey(leaf)));
    FRONTERA_ASSIGN_OR_RETURN(facts.expiry, StoredExpiry(stored, leaf));
    facts.expired = CheckValidity("", "", facts.expiry, time_unix_ms).expired;
  }
  return CheckLifecycleAct(now, e.lifecycle_target, e.lifecycle_gln, e.lifecycle_gln_pointer,
                           time_unix_ms, facts);
}

Result<PackLifecycle> StateMachine::PackLifecycleOf(const std::string& id) const {
  FRONTERA_ASSIGN_OR_RETURN(auto record_text, store_->Get(Column::kState, Key(kCertPrefix, id)));
  if (!record_text) return Status::NotFound("no certificate " + id);
  auto record = crypto::ParseJson(*record_text);
  if (!record.ok())
    return Status::Corruption("the record of certificate " + id + " does not parse");
  return LifecycleOfRecord(*record);
}

}  // namespace frontera::ledger
