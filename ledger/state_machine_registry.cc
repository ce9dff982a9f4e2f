// StateMachine's party registry (docs/ledger.md#registry): who a DID is as of
// a view, the rules of the registry documents (PartyRegistration,
// PartySuspension, PartyReinstatement, PartyKeyRotation), their writes, the
// registry entries the co-signed revocations note covers, and the reads of
// GET /v1/parties.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "ledger/registry.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

std::string ActionWord(RegistryAction action) {
  switch (action) {
    case RegistryAction::kRegister:
      return "registers";
    case RegistryAction::kSuspend:
      return "suspends";
    case RegistryAction::kReinstate:
      return "reinstates";
    case RegistryAction::kRotateKey:
      return "replaces the key of";
    default:
      break;
  }
  return "changes";
}

// The registry entry of `record` as of the document at `leaf`.
RegistryEntry EntryOf(const PartyRecord& record, uint64_t leaf) {
  return {record.party.did,
          std::string(RoleName(record.party.role)),
          record.party.country,
          record.party.name,
          std::string(PartyStatusName(record.status)),
          record.successor,
          record.party.prefixes,
          leaf};
}

// What GET /v1/parties shows of a record: the party as registered, its
// standing, who registered it ("genesis" for the genesis's parties).
Json PartyView(const PartyRecord& r) {
  Json j = r.party.ToJson();
  j["status"] = std::string(PartyStatusName(r.status));
  j["registered_by"] = r.registered_by.empty() ? std::string("genesis") : r.registered_by;
  if (!r.successor.empty()) j["successor"] = r.successor;
  if (r.origin != r.party.did) j["origin"] = r.origin;
  if (r.status == PartyStatus::kSuspended && !r.suspended_by.empty()) {
    j["suspended_by"] = r.suspended_by;
  }
  return j;
}

}  // namespace

Result<std::optional<PartyRecord>> StateMachine::FindParty(const View& view,
                                                           std::string_view did) const {
  FRONTERA_ASSIGN_OR_RETURN(auto text, view.Get(Column::kState, Key(kPartyPrefix, did)));
  if (text) {
    auto json = crypto::ParseJson(*text);
    if (!json.ok()) {
      return Status::Corruption("the stored party record of " + std::string(did) +
                                " does not parse");
    }
    FRONTERA_ASSIGN_OR_RETURN(PartyRecord record, PartyRecord::FromJson(*json));
    return std::optional<PartyRecord>(std::move(record));
  }
  if (const Party* p = genesis_.FindParty(did)) {
    return std::optional<PartyRecord>(PartyRecord::FromGenesis(*p));
  }
  return std::optional<PartyRecord>();
}

std::optional<PartyRecord> StateMachine::FindParty(std::string_view did) const {
  StoreView view(store_);
  auto found = FindParty(view, did);
  if (!found.ok()) return std::nullopt;
  return std::move(found).value();
}

Result<bool> StateMachine::SameParty(const View& view, const std::string& did,
                                     const std::string& other) const {
  if (did == other) return true;
  if (did.empty() || other.empty()) return false;
  FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> a, FindParty(view, did));
  FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> b, FindParty(view, other));
  return a && b && a->origin == b->origin;
}

Result<std::vector<std::string>> StateMachine::Agencies(const View& view) const {
  FRONTERA_ASSIGN_OR_RETURN(auto text, view.Get(Column::kState, kAgenciesKey));
  std::vector<std::string> out;
  if (!text) {
    for (const Party& p : genesis_.parties) {
      if (p.role == Role::kAgency && !p.suspended) out.push_back(p.did);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  auto json = crypto::ParseJson(*text);
  if (!json.ok() || !json->is_array()) return Status::Corruption("the stored agency list");
  for (const Json& did : *json) {
    if (!did.is_string()) return Status::Corruption("the stored agency list");
    out.push_back(did.get<std::string>());
  }
  return out;
}

Status StateMachine::CheckRegistryChange(const View& view, const ParsedDocument& parsed,
                                         const PartyRecord& signer) const {
  const RegistryChange& g = *parsed.registry;
  if (g.about_validator()) return CheckValidatorChange(view, parsed);
  const size_t proofs = parsed.signers.size();
  const bool by_majority = proofs > 1;
  const std::string type(RegistryTypeName(g.action));
  if (g.issuer != parsed.signer) {
    return Status::FailedPrecondition(
        "the " + type + " is not signed by its issuer",
        {{by_majority ? "/proof/0/verificationMethod" : "/proof/verificationMethod",
          "must be a key of " + g.issuer}});
  }
  const std::string party_pointer = g.action == RegistryAction::kRegister ? "/party/did" : "/party";

  // Who the document is about, and whether it may change again.
  std::optional<PartyRecord> target;
  if (g.action == RegistryAction::kRegister) {
    FRONTERA_ASSIGN_OR_RETURN(target, FindParty(view, g.party_did));
    if (target) {
      return Status::AlreadyExists(
          "party " + g.party_did + " is already registered (" + target->party.name + ")",
          {{party_pointer, "already registered"}});
    }
  } else {
    FRONTERA_ASSIGN_OR_RETURN(target, FindParty(view, g.party_did));
    if (!target) {
      return Status::FailedPrecondition(g.party_did + " is not a registered party",
                                        {{party_pointer, "not a registered party"}});
    }
    if (target->status == PartyStatus::kRetired) {
      return Status::FailedPrecondition(g.party_did + " is a key its party replaced with " +
                                            target->successor +
                                            ": name the party by its current key",
                                        {{party_pointer, "key replaced by " + target->successor}});
    }
    if (target->changes >= options_.registry_changes_per_party_max) {
      return Status::ResourceExhausted("party " + g.party_did + " has reached the limit of " +
                                       std::to_string(options_.registry_changes_per_party_max) +
                                       " registry changes");
    }
  }

  // A key change signed by the party itself, with its current key.
  const bool by_itself =
      g.action == RegistryAction::kRotateKey && !by_majority && parsed.signer == g.party_did;
  // Otherwise agencies sign: one agency for a party of its country (the one
  // that registered it), a majority of the agencies for an agency or when
  // one agency may not.
  const Party& p = g.action == RegistryAction::kRegister ? g.party : target->party;
  const std::string rule =
      "only " +
      (p.role == Role::kAgency ? std::string("a majority of the agencies ")
                               : std::string("an agency of ") + p.country + " ") +
      ActionWord(g.action) + " " +
      (p.role == Role::kAgency ? "an agency" : "a party of " + p.country);
  if (by_majority) {
    FRONTERA_RETURN_IF_ERROR(CheckAgencyMajority(view, parsed.signers, rule));
  } else if (!by_itself) {
    if (signer.party.role != Role::kAgency) {
      return Status::PermissionDenied(
          rule + "; " + parsed.signer + " is a " + std::string(RoleName(signer.party.role)),
          {{"/proof/verificationMethod", "not an agency"}});
    }
    if (p.role == Role::kAgency) {
      return Status::PermissionDenied(rule + ", one proof each; signed by one",
                                      {{"/proof", "add the proofs of a majority of the agencies"}});
    }
    if (signer.party.country != p.country) {
      return Status::PermissionDenied(
          rule + " (or a majority of the agencies); " + signer.party.name + " is an agency of " +
              signer.party.country,
          {{g.action == RegistryAction::kRegister ? "/party/country" : "/proof/verificationMethod",
            "not the signing agency's country"}});
    }
    if (target && !target->registered_by.empty()) {
      FRONTERA_ASSIGN_OR_RETURN(bool registrar,
                                SameParty(view, target->registered_by, parsed.signer));
      if (!registrar) {
        return Status::PermissionDenied(
            "only the agency that registered " + g.party_did + " (" + target->registered_by +
                ") or a majority of the agencies " + ActionWord(g.action) + " it",
            {{"/proof/verificationMethod", "not the registering agency"}});
      }
    }
  }

  switch (g.action) {
    case RegistryAction::kRegister: {
      // GS1 company prefixes belong to one party: none may equal, contain or
      // lie inside another party's (either could sign for the other's items).
      for (size_t k = 0; k < g.party.prefixes.size(); ++k) {
        const std::string& prefix = g.party.prefixes[k];
        const std::string pointer = "/party/prefixes/" + std::to_string(k);
        std::optional<std::string> owner;
        std::string theirs;
        for (const Party& other : genesis_.parties) {
          for (const std::string& q : other.prefixes) {
            if (!owner && (prefix.starts_with(q) || q.starts_with(prefix))) {
              owner = other.did;
              theirs = q;
            }
          }
        }
        for (size_t len = 4; !owner && len <= prefix.size(); ++len) {
          FRONTERA_ASSIGN_OR_RETURN(
              owner, view.Get(Column::kIndex, Key(kCompanyPrefixPrefix, prefix.substr(0, len))));
          if (owner) theirs = prefix.substr(0, len);
        }
        if (!owner) {
          FRONTERA_ASSIGN_OR_RETURN(
              owner, view.Get(Column::kIndex, Key(kCompanyPrefixStartPrefix, prefix)));
          if (owner) theirs = "a longer prefix starting with " + prefix;
        }
        if (owner) {
          return Status::AlreadyExists("GS1 company prefix " + prefix + " overlaps " + theirs +
                                           " of " + *owner +
                                           ": a company prefix belongs to one party",
                                       {{pointer, "overlaps " + theirs + " of " + *owner}});
        }
      }
      return Status::Ok();
    }
    case RegistryAction::kSuspend:
      if (target->status == PartyStatus::kSuspended) {
        return Status::AlreadyExists(g.party_did + " is already suspended",
                                     {{"/party", "already suspended"}});
      }
      return Status::Ok();
    case RegistryAction::kReinstate:
      if (target->status != PartyStatus::kSuspended) {
        return Status::FailedPrecondition(g.party_did + " is not suspended",
                                          {{"/party", "not suspended"}});
      }
      // A suspension a majority decided is lifted by a majority.
      if (target->suspended_by.size() > 1 && !by_majority) {
        return Status::PermissionDenied(
            g.party_did +
                " was suspended by a majority of the agencies: only a majority "
                "reinstates it",
            {{"/proof", "add the proofs of a majority of the agencies"}});
      }
      return Status::Ok();
    case RegistryAction::kRotateKey: {
      FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> taken, FindParty(view, g.new_did));
      if (taken) {
        return Status::AlreadyExists(
            "the new key " + g.new_did + " is already registered (" + taken->party.name + ")",
            {{"/newKey", "already registered"}});
      }
      return Status::Ok();
    }
    case RegistryAction::kAddValidator:  // CheckValidatorChange
    case RegistryAction::kPromoteValidator:
    case RegistryAction::kRemoveValidator:
      break;
  }
  return Status::Ok();
}

std::string StateMachine::ApplyRegistryChange(StagedView& view, const ParsedDocument& parsed,
                                              uint64_t leaf, uint64_t height) {
  const RegistryChange& g = *parsed.registry;
  if (g.about_validator()) return ApplyValidatorChange(view, parsed, leaf, height);
  auto must = [&](auto result) {
    FRONTERA_CHECK(result.ok()) << "apply of a registry document: " << result.status().ToString();
    return std::move(result).value();
  };
  auto put_record = [&](const PartyRecord& r) {
    auto text = crypto::Canonicalize(r.ToJson());
    FRONTERA_CHECK(text.ok());
    view.Put(Column::kState, Key(kPartyPrefix, r.party.did), std::move(text).value());
    registry_[r.party.did].push_back(EntryOf(r, leaf));
    registry_changed_ = true;
  };
  Json history = {{"action", std::string(RegistryTypeName(g.action))},
                  {"document", g.id},
                  {"leaf_index", leaf},
                  {"block", height},
                  {"by", parsed.signers},
                  {"did", g.party_did}};
  if (!g.reason.empty()) history["reason"] = g.reason;

  PartyRecord record;
  if (g.action == RegistryAction::kRegister) {
    record.party = g.party;
    record.origin = g.party.did;
    record.registered_by = parsed.signer;
    for (const std::string& prefix : g.party.prefixes) {
      view.Put(Column::kIndex, Key(kCompanyPrefixPrefix, prefix), record.origin);
      for (size_t len = 4; len < prefix.size(); ++len) {
        view.Put(Column::kIndex, Key(kCompanyPrefixStartPrefix, prefix.substr(0, len)),
                 record.origin);
      }
    }
  } else {
    record = *must(FindParty(view, g.party_did));
  }
  const bool was_in_good_standing =
      g.action != RegistryAction::kRegister && record.status == PartyStatus::kActive;
  record.leaf_index = leaf;
  const uint64_t n = record.changes++;
  switch (g.action) {
    case RegistryAction::kRegister:
      break;
    case RegistryAction::kSuspend:
      record.status = PartyStatus::kSuspended;
      record.party.suspended = true;
      record.suspended_by = parsed.signers;
      break;
    case RegistryAction::kReinstate:
      record.status = PartyStatus::kActive;
      record.party.suspended = false;
      record.suspended_by.clear();
      break;
    case RegistryAction::kRotateKey: {
      history["new_did"] = g.new_did;
      PartyRecord next = record;
      next.party.did = g.new_did;
      next.party.public_key = must(crypto::PublicKeyFromDidKey(g.new_did));
      record.status = PartyStatus::kRetired;
      record.party.suspended = false;
      record.successor = g.new_did;
      put_record(next);
      break;
    }
    case RegistryAction::kAddValidator:  // ApplyValidatorChange
    case RegistryAction::kPromoteValidator:
    case RegistryAction::kRemoveValidator:
      break;
  }
  put_record(record);
  auto entry = crypto::Canonicalize(history);
  FRONTERA_CHECK(entry.ok());
  view.Put(Column::kState, PartyHistoryKey(record.origin, n), std::move(entry).value());

  if (record.party.role == Role::kAgency) {
    // The agencies whose majority decides: in good standing, current keys.
    std::vector<std::string> agencies = must(Agencies(view));
    std::erase(agencies, g.party_did);
    const bool in_good_standing = g.action == RegistryAction::kRegister ||
                                  g.action == RegistryAction::kReinstate ||
                                  (g.action == RegistryAction::kRotateKey && was_in_good_standing);
    if (in_good_standing) {
      agencies.push_back(g.action == RegistryAction::kRotateKey ? g.new_did : g.party_did);
    }
    std::sort(agencies.begin(), agencies.end());
    view.Put(Column::kState, kAgenciesKey, Json(agencies).dump());
  }
  // The party's standing, which its new key (after a key change) carries.
  const PartyStatus standing =
      record.status == PartyStatus::kRetired ? PartyStatus::kActive : record.status;
  return std::string(PartyStatusName(g.action == RegistryAction::kRotateKey && !was_in_good_standing
                                         ? PartyStatus::kSuspended
                                         : standing));
}

Status StateMachine::LoadRegistry() {
  // Every state of every DID the registry changed, rebuilt from the history
  // entries (a record holds only the latest).
  std::optional<std::string> bad;
  std::vector<PartyRecord> records;
  Status scanned = store_->Scan(
      Column::kState, kPartyPrefix, storage::PrefixSuccessor(kPartyPrefix),
      storage::KvStore::kNoLimit, [&](std::string_view key, std::string_view value) {
        auto json = crypto::ParseJson(value);
        auto record = json.ok() ? PartyRecord::FromJson(*json)
                                : Result<PartyRecord>(Status::Corruption("does not parse"));
        if (!record.ok()) {
          bad = std::string(key.substr(kPartyPrefix.size()));
          return false;
        }
        records.push_back(std::move(record).value());
        return true;
      });
  FRONTERA_RETURN_IF_ERROR(scanned);
  if (bad) return Status::Corruption("the stored party record of " + *bad + " is malformed");
  for (const PartyRecord& r : records) {
    // The states of this DID: replay the history of its party (all its
    // keys share one standing), keeping the entries about this DID.
    std::vector<RegistryEntry>& states = registry_[r.party.did];
    PartyRecord state = r;
    const Party* founding = genesis_.FindParty(r.origin);
    PartyStatus standing = r.registered_by.empty() && founding && founding->suspended
                               ? PartyStatus::kSuspended
                               : PartyStatus::kActive;
    bool retired = false;
    state.successor.clear();
    for (uint64_t n = 0; n < r.changes; ++n) {
      FRONTERA_ASSIGN_OR_RETURN(auto text,
                                store_->Get(Column::kState, PartyHistoryKey(r.origin, n)));
      if (!text) continue;
      auto h = crypto::ParseJson(*text);
      if (!h.ok() || !h->is_object() || !(*h)["action"].is_string() ||
          !(*h)["leaf_index"].is_number_unsigned() || !(*h)["did"].is_string()) {
        return Status::Corruption("a history entry of party " + r.origin + " is malformed");
      }
      const std::string action = (*h)["action"].get<std::string>();
      const std::string did = (*h)["did"].get<std::string>();
      const std::string new_did = h->value("new_did", "");
      const uint64_t leaf = (*h)["leaf_index"].get<uint64_t>();
      if (action == RegistryTypeName(RegistryAction::kSuspend)) {
        standing = PartyStatus::kSuspended;
      } else if (action == RegistryTypeName(RegistryAction::kReinstate)) {
        standing = PartyStatus::kActive;
      } else if (action == RegistryTypeName(RegistryAction::kRotateKey) && did == r.party.did) {
        retired = true;
        state.successor = new_did;
      }
      if (did != r.party.did && new_did != r.party.did) continue;
      state.status = retired ? PartyStatus::kRetired : standing;
      states.push_back(EntryOf(state, leaf));
    }
  }
  registry_changed_ = true;
  return Status::Ok();
}

std::optional<StateMachine::HeldDocument> StateMachine::FindRegistryDocument(const Json& document,
                                                                             uint64_t leaf) const {
  // The document parsed when it was accepted: its subject is where
  // CheckRegistryChange put it.
  auto change = ParseRegistryDocument(document);
  if (!change.ok()) return std::nullopt;
  if (change->about_validator()) return FindValidatorDocument(document, leaf);
  const std::string subject =
      change->action == RegistryAction::kRotateKey ? change->new_did : change->party_did;
  std::optional<PartyRecord> record = FindParty(subject);
  if (!record) return std::nullopt;
  std::optional<HeldDocument> out;
  Status scanned = store_->Scan(
      Column::kState, PartyHistoryKey(record->origin, 0),
      storage::PrefixSuccessor(Key(kPartyHistoryPrefix, record->origin + "/")),
      storage::KvStore::kNoLimit, [&](std::string_view, std::string_view value) {
        auto entry = crypto::ParseJson(value);
        if (entry.ok() && entry->is_object() && (*entry)["leaf_index"] == leaf &&
            (*entry)["block"].is_number_unsigned()) {
          out = HeldDocument{subject, leaf, crypto::Hash{}, (*entry)["block"].get<uint64_t>(),
                             std::string(PartyStatusName(record->status))};
          return false;
        }
        return true;
      });
  if (!scanned.ok() || !out) return std::nullopt;
  auto canonical = crypto::Canonicalize(document);
  if (!canonical.ok()) return std::nullopt;
  out->leaf_hash = crypto::LeafHash(AsBytes(*canonical));
  return out;
}

Result<Json> StateMachine::PartyJson(const std::string& did) const {
  StoreView view(store_);
  FRONTERA_ASSIGN_OR_RETURN(std::optional<PartyRecord> record, FindParty(view, did));
  if (!record) return Status::NotFound("no party " + did);
  Json out = PartyView(*record);
  Json history = Json::array();
  if (record->changes > 0) {
    Status scanned =
        store_->Scan(Column::kState, PartyHistoryKey(record->origin, 0),
                     storage::PrefixSuccessor(Key(kPartyHistoryPrefix, record->origin + "/")),
                     storage::KvStore::kNoLimit, [&](std::string_view, std::string_view value) {
                       auto entry = crypto::ParseJson(value);
                       if (entry.ok()) history.push_back(std::move(entry).value());
                       return true;
                     });
    FRONTERA_RETURN_IF_ERROR(scanned);
  }
  out["history"] = std::move(history);
  return out;
}

Json StateMachine::PartiesJson(std::string_view role, std::string_view country,
                               std::string_view after, size_t limit) const {
  StoreView view(store_);
  auto matches = [&](const PartyRecord& r) {
    return (role.empty() || RoleName(r.party.role) == role) &&
           (country.empty() || r.party.country == country);
  };
  // The registered records after `after`, in DID order, until more than
  // `limit` match; the genesis's parties (as they stand now) merged in.
  std::map<std::string, Json> found;
  std::string last_scanned;
  bool scan_complete = true;
  Status scanned = store_->Scan(
      Column::kState, Key(kPartyPrefix, std::string(after) + '\0'),
      storage::PrefixSuccessor(kPartyPrefix), storage::KvStore::kNoLimit,
      [&](std::string_view key, std::string_view value) {
        auto json = crypto::ParseJson(value);
        auto record = json.ok() ? PartyRecord::FromJson(*json)
                                : Result<PartyRecord>(Status::Corruption("does not parse"));
        if (!record.ok()) return true;
        if (matches(*record)) found.emplace(record->party.did, PartyView(*record));
        if (found.size() > limit) {
          last_scanned = std::string(key.substr(kPartyPrefix.size()));
          scan_complete = false;
          return false;
        }
        return true;
      });
  (void)scanned;  // a read error lists what was read
  for (const Party& p : genesis_.parties) {
    if (p.did <= after || found.contains(p.did)) continue;
    if (!scan_complete && p.did > last_scanned) continue;
    auto record = FindParty(view, p.did);
    if (!record.ok() || !*record || !matches(**record)) continue;
    found.emplace(p.did, PartyView(**record));
  }
  Json parties = Json::array();
  for (auto& [did, party] : found) {
    if (parties.size() == limit) break;
    parties.push_back(std::move(party));
  }
  Json next = found.size() > limit && !parties.empty() ? parties.back()["did"] : Json(nullptr);
  return Json{{"parties", std::move(parties)}, {"next", std::move(next)}};
}

}  // namespace frontera::ledger
