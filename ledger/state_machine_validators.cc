// StateMachine's validator set (docs/ledger.md#validators): the rules of
// ValidatorAddition, ValidatorPromotion and ValidatorRemoval, their writes,
// and the reads of GET /v1/validators. The whole set is one kState value
// ("validators/set", a JSON array of records, at most ledger.validators_max),
// absent until the first change: the genesis validators.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "crypto/jcs.h"
#include "ledger/registry.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "ledger/validators.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

const std::string kValidatorSetKey = "validators/set";

ValidatorRecord* FindIn(std::vector<ValidatorRecord>& set, std::string_view did) {
  for (ValidatorRecord& r : set) {
    if (r.did == did) return &r;
  }
  return nullptr;
}

Result<std::vector<ValidatorRecord>> ParseValidatorSet(const std::string& text) {
  auto json = crypto::ParseJson(text);
  if (!json.ok() || !json->is_array()) return Status::Corruption("the stored validator set");
  std::vector<ValidatorRecord> out;
  for (const Json& j : *json) {
    FRONTERA_ASSIGN_OR_RETURN(ValidatorRecord r, ValidatorRecord::FromJson(j));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<std::vector<ValidatorRecord>> StateMachine::ValidatorSet(const View& view) const {
  FRONTERA_ASSIGN_OR_RETURN(auto text, view.Get(Column::kState, kValidatorSetKey));
  if (!text) return GenesisValidators(genesis_);
  return ParseValidatorSet(*text);
}

Result<std::vector<ValidatorRecord>> StateMachine::Validators() const {
  return ReadValidators(*store_, genesis_);
}

Result<std::vector<ValidatorRecord>> ReadValidators(const storage::KvStore& store,
                                                    const Genesis& genesis) {
  FRONTERA_ASSIGN_OR_RETURN(auto text, store.Get(Column::kState, kValidatorSetKey));
  if (!text) return GenesisValidators(genesis);
  return ParseValidatorSet(*text);
}

Status StateMachine::CheckValidatorChange(const View& view, const ParsedDocument& parsed) const {
  const RegistryChange& g = *parsed.registry;
  const std::string type(RegistryTypeName(g.action));
  if (g.issuer != parsed.signer) {
    return Status::FailedPrecondition(
        "the " + type + " is not signed by its issuer",
        {{parsed.signers.size() > 1 ? "/proof/0/verificationMethod" : "/proof/verificationMethod",
          "must be a key of " + g.issuer}});
  }
  const std::string rule =
      "only a majority of the agencies " +
      std::string(g.action == RegistryAction::kAddValidator       ? "adds"
                  : g.action == RegistryAction::kPromoteValidator ? "promotes"
                                                                  : "removes") +
      " a validator";
  FRONTERA_RETURN_IF_ERROR(CheckAgencyMajority(view, parsed.signers, rule));

  FRONTERA_ASSIGN_OR_RETURN(std::vector<ValidatorRecord> set, ValidatorSet(view));
  const ValidatorRecord* target = FindIn(set, g.validator.did);
  if (g.action == RegistryAction::kAddValidator) {
    const ValidatorRecord& v = g.validator;
    if (target != nullptr) {
      return Status::AlreadyExists(v.did + " is already validator " + target->name + " (" +
                                       std::string(ValidatorStatusName(target->status)) +
                                       "); a removed validator's key is not used again",
                                   {{"/validator/did", "already a validator"}});
    }
    for (const ValidatorRecord& r : set) {
      if (r.name == v.name) {
        return Status::AlreadyExists(
            "validator name " + v.name + " is taken (" + r.did + "); names are never reused",
            {{"/validator/name", "already used"}});
      }
      if (r.raft_id == v.raft_id) {
        return Status::AlreadyExists(
            "the key's Raft id " + std::to_string(v.raft_id) + " is " + r.name + "'s",
            {{"/validator/did", "choose another key"}});
      }
    }
    FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> party, FindParty(view, v.did));
    if (party) {
      return Status::FailedPrecondition(
          v.did + " is the key of party " + party->party.name + "; a validator has its own key",
          {{"/validator/did", "a party's key"}});
    }
    if (set.size() >= options_.validators_max) {
      return Status::ResourceExhausted("the network has had " + std::to_string(set.size()) +
                                           " validators, the limit ledger.validators_max",
                                       {{"/validator", "over ledger.validators_max"}});
    }
    return Status::Ok();
  }
  if (target == nullptr) {
    return Status::FailedPrecondition(g.validator.did + " is not a validator",
                                      {{"/validator", "not a validator"}});
  }
  if (target->status == ValidatorStatus::kRemoved) {
    return Status::FailedPrecondition("validator " + target->name + " was removed",
                                      {{"/validator", "removed"}});
  }
  if (g.action == RegistryAction::kPromoteValidator) {
    if (target->role == ValidatorRole::kVoter) {
      return Status::AlreadyExists("validator " + target->name + " already votes",
                                   {{"/validator", "already a voter"}});
    }
    return Status::Ok();
  }
  // Removal: a network keeps at least one voter.
  if (target->role == ValidatorRole::kVoter) {
    size_t voters = 0;
    for (const ValidatorRecord& r : set) {
      if (r.status == ValidatorStatus::kActive && r.role == ValidatorRole::kVoter) ++voters;
    }
    if (voters <= 1) {
      return Status::FailedPrecondition(
          "validator " + target->name + " is the last voter; add another voter first",
          {{"/validator", "the last voter"}});
    }
  }
  return Status::Ok();
}

std::string StateMachine::ApplyValidatorChange(StagedView& view, const ParsedDocument& parsed,
                                               uint64_t leaf, uint64_t height) {
  const RegistryChange& g = *parsed.registry;
  auto set = ValidatorSet(view);
  FRONTERA_CHECK(set.ok()) << "apply of a validator change: " << set.status().ToString();
  Json history = {{"action", std::string(RegistryTypeName(g.action))},
                  {"document", g.id},
                  {"leaf_index", leaf},
                  {"block", height},
                  {"by", parsed.signers}};
  if (!g.reason.empty()) history["reason"] = g.reason;
  ValidatorRecord* record = FindIn(*set, g.validator.did);
  if (g.action == RegistryAction::kAddValidator) {
    set->push_back(g.validator);
    record = &set->back();
  }
  FRONTERA_CHECK(record != nullptr) << "apply of a validator change: no " << g.validator.did;
  if (g.action == RegistryAction::kPromoteValidator) record->role = ValidatorRole::kVoter;
  if (g.action == RegistryAction::kRemoveValidator) record->status = ValidatorStatus::kRemoved;
  record->leaf_index = leaf;
  record->changed_by = parsed.signers;
  record->history.push_back(std::move(history));
  Json stored = Json::array();
  for (const ValidatorRecord& r : *set) stored.push_back(r.ToJson());
  auto text = crypto::Canonicalize(stored);
  FRONTERA_CHECK(text.ok());
  view.Put(Column::kState, kValidatorSetKey, std::move(text).value());
  // Counted once the block is written (Publish): a reader told of the
  // change before the store has it would read the old set and stay there.
  ++validator_changes_applying_;
  return record->status == ValidatorStatus::kRemoved ? "removed"
                                                     : std::string(ValidatorRoleName(record->role));
}

std::optional<StateMachine::HeldDocument> StateMachine::FindValidatorDocument(const Json& document,
                                                                              uint64_t leaf) const {
  auto change = ParseRegistryDocument(document);
  if (!change.ok()) return std::nullopt;
  auto set = Validators();
  if (!set.ok()) return std::nullopt;
  const ValidatorRecord* record = FindIn(*set, change->validator.did);
  if (record == nullptr) return std::nullopt;
  for (const Json& h : record->history) {
    if (h.is_object() && h["leaf_index"] == leaf && h["block"].is_number_unsigned()) {
      auto canonical = crypto::Canonicalize(document);
      if (!canonical.ok()) return std::nullopt;
      return HeldDocument{record->did, leaf, crypto::LeafHash(AsBytes(*canonical)),
                          h["block"].get<uint64_t>(),
                          record->status == ValidatorStatus::kRemoved
                              ? std::string("removed")
                              : std::string(ValidatorRoleName(record->role))};
    }
  }
  return std::nullopt;
}

}  // namespace frontera::ledger
