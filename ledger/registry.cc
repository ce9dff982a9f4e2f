// Registry documents and party records (ledger/registry.h).
#include "ledger/registry.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/check.h"
#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"
#include "ledger/document_fields.h"
#include "ledger/flags.h"

namespace frontera::ledger {

using crypto::Json;
using document_fields::BoundedText;
using document_fields::CheckContext;
using document_fields::CheckDidKey;
using document_fields::CheckDocument;
using document_fields::CheckedText;
using document_fields::CheckUrnUuid;
using document_fields::Fields;
using document_fields::kFronteraContext;
using document_fields::Kind;
using document_fields::kReasonCharsMax;
using document_fields::kTextCharsMax;
using document_fields::kVcContextV2;
using document_fields::Need;
using document_fields::ReadProofOrSet;

namespace {

struct ActionEntry {
  RegistryAction action;
  std::string_view type;
};
constexpr ActionEntry kActions[] = {
    {RegistryAction::kRegister, "PartyRegistration"},
    {RegistryAction::kSuspend, "PartySuspension"},
    {RegistryAction::kReinstate, "PartyReinstatement"},
    {RegistryAction::kRotateKey, "PartyKeyRotation"},
    {RegistryAction::kAddValidator, "ValidatorAddition"},
    {RegistryAction::kPromoteValidator, "ValidatorPromotion"},
    {RegistryAction::kRemoveValidator, "ValidatorRemoval"},
};

// The validator object of a ValidatorAddition: {did, name, role, peer, api?}.
void ReadAddedValidator(Fields& fields, const Json& document, ValidatorRecord& v) {
  const Json* object = fields.Member(document, "", "validator", Need::kRequired, Kind::kObject);
  if (object == nullptr) return;
  for (const auto& [key, value] : object->items()) {
    if (key != "did" && key != "name" && key != "role" && key != "peer" && key != "api") {
      fields.Malformed("/validator/" + key, "is not a member of a validator");
    }
  }
  v.did =
      CheckedText(fields, *object, "/validator", "did", Need::kRequired, CheckDidKey).value_or("");
  if (!v.did.empty()) {
    auto key = crypto::PublicKeyFromDidKey(v.did);
    if (key.ok()) v.public_key = *key;
    v.raft_id = RaftIdForDid(v.did);
  }
  v.name = CheckedText(fields, *object, "/validator", "name", Need::kRequired,
                       [](std::string_view name) {
                         if (name.empty() || name.size() > 64) {
                           return Status::InvalidArgument("must be 1 to 64 characters");
                         }
                         for (char c : name) {
                           const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                           c == '-' || c == '.' || c == '_';
                           if (!ok) {
                             return Status::InvalidArgument(
                                 "must be lowercase letters, digits, '-', '.' or '_' (it names "
                                 "the validator's signed-note key)");
                           }
                         }
                         return Status::Ok();
                       })
               .value_or("");
  CheckedText(fields, *object, "/validator", "role", Need::kRequired, [&](std::string_view role) {
    if (role == "voter") {
      v.role = ValidatorRole::kVoter;
    } else if (role == "observer") {
      v.role = ValidatorRole::kObserver;
    } else {
      return Status::InvalidArgument("must be voter or observer");
    }
    return Status::Ok();
  });
  v.peer = CheckedText(fields, *object, "/validator", "peer", Need::kRequired, CheckPeerAddress)
               .value_or("");
  v.api =
      CheckedText(fields, *object, "/validator", "api", Need::kOptional, [](std::string_view api) {
        if (!api.starts_with("http://") && !api.starts_with("https://")) {
          return Status::InvalidArgument("must be an http:// or https:// URL");
        }
        return document_fields::CheckUri(api);
      }).value_or("");
}

constexpr std::string_view kStatusNames[] = {"active", "suspended", "retired"};

// The party object of a registration: the genesis's party object, without
// "suspended" (a party is registered in good standing), its name bounded like
// every name of a document.
void ReadRegisteredParty(Fields& fields, const Json& document, RegistryChange& change) {
  const Json* object = fields.Member(document, "", "party", Need::kRequired, Kind::kObject);
  if (object == nullptr) return;
  std::vector<FieldError> errors;
  change.party = ReadParty(*object, "/party", errors);
  for (FieldError& e : errors) fields.Broken(std::move(e.pointer), std::move(e.reason));
  if (object->contains("suspended")) {
    fields.Broken("/party/suspended", "a party is registered in good standing");
  }
  if (document_fields::CharCount(change.party.name) > kTextCharsMax) {
    fields.Broken("/party/name",
                  "must be at most " + std::to_string(kTextCharsMax) + " characters");
  }
  change.party_did = change.party.did;
}

}  // namespace

std::string_view RegistryTypeName(RegistryAction action) {
  for (const ActionEntry& e : kActions) {
    if (e.action == action) return e.type;
  }
  return "unknown";
}

std::string_view PartyStatusName(PartyStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}

Result<RegistryChange> ParseRegistryDocument(const Json& document) {
  FRONTERA_RETURN_IF_ERROR(CheckDocument(document, "registry document"));
  Fields fields("registry document");
  RegistryChange change;

  const std::array<std::string_view, 1> contexts = {kFronteraContext};
  CheckContext(fields, document, kVcContextV2, contexts);
  std::optional<RegistryAction> action;
  CheckedText(fields, document, "", "type", Need::kRequired, [&](std::string_view v) {
    for (const ActionEntry& e : kActions) {
      if (e.type == v) action = e.action;
    }
    return action ? Status::Ok()
                  : Status::FailedPrecondition(
                        "must be PartyRegistration, PartySuspension, PartyReinstatement, "
                        "PartyKeyRotation, ValidatorAddition, ValidatorPromotion or "
                        "ValidatorRemoval");
  });
  change.id = CheckedText(fields, document, "", "id", Need::kRequired, CheckUrnUuid).value_or("");
  change.issuer =
      CheckedText(fields, document, "", "issuer", Need::kRequired, CheckDidKey).value_or("");
  if (action && *action >= RegistryAction::kAddValidator) {
    change.action = *action;
    if (*action == RegistryAction::kAddValidator) {
      ReadAddedValidator(fields, document, change.validator);
    } else {
      change.validator.did =
          CheckedText(fields, document, "", "validator", Need::kRequired, CheckDidKey).value_or("");
    }
    for (std::string_view party_only : {"party", "newKey"}) {
      if (document.contains(party_only)) {
        fields.Malformed("/" + std::string(party_only), "is not a member of a validator change");
      }
    }
    change.reason =
        BoundedText(fields, document, "", "reason",
                    *action == RegistryAction::kRemoveValidator ? Need::kRequired : Need::kOptional,
                    kReasonCharsMax)
            .value_or("");
  } else if (action) {
    if (document.contains("validator")) {
      fields.Malformed("/validator", "only a validator change names a validator");
    }
    change.action = *action;
    if (*action == RegistryAction::kRegister) {
      ReadRegisteredParty(fields, document, change);
    } else {
      change.party_did =
          CheckedText(fields, document, "", "party", Need::kRequired, CheckDidKey).value_or("");
    }
    const bool rotation = *action == RegistryAction::kRotateKey;
    if (rotation) {
      change.new_did =
          CheckedText(fields, document, "", "newKey", Need::kRequired, CheckDidKey).value_or("");
      if (!change.new_did.empty() && change.new_did == change.party_did) {
        fields.Broken("/newKey", "must differ from the key it replaces");
      }
    } else if (document.contains("newKey")) {
      fields.Malformed("/newKey", "only a PartyKeyRotation names a new key");
    }
    const bool reason_required =
        *action == RegistryAction::kSuspend || *action == RegistryAction::kReinstate;
    change.reason =
        BoundedText(fields, document, "", "reason",
                    reason_required ? Need::kRequired : Need::kOptional, kReasonCharsMax)
            .value_or("");
  }
  ReadProofOrSet(fields, document);
  FRONTERA_RETURN_IF_ERROR(fields.Finish());
  return change;
}

PartyRecord PartyRecord::FromGenesis(const Party& party) {
  PartyRecord r;
  r.party = party;
  r.status = party.suspended ? PartyStatus::kSuspended : PartyStatus::kActive;
  r.origin = party.did;
  return r;
}

Json PartyRecord::ToJson() const {
  Json j = party.ToJson();
  j.erase("suspended");
  j["status"] = std::string(PartyStatusName(status));
  j["origin"] = origin;
  j["successor"] = successor;
  j["registered_by"] = registered_by;
  j["suspended_by"] = suspended_by;
  j["changes"] = changes;
  j["leaf_index"] = leaf_index;
  return j;
}

Result<PartyRecord> PartyRecord::FromJson(const Json& json) {
  auto corrupt = [](const std::string& what) {
    return Status::Corruption("stored party record: " + what);
  };
  if (!json.is_object()) return corrupt("not an object");
  for (const char* key : {"status", "origin", "successor", "registered_by"}) {
    if (!json.contains(key) || !json[key].is_string()) return corrupt(std::string("no ") + key);
  }
  if (!json.contains("changes") || !json["changes"].is_number_unsigned() ||
      !json.contains("leaf_index") || !json["leaf_index"].is_number_unsigned() ||
      !json.contains("suspended_by") || !json["suspended_by"].is_array()) {
    return corrupt("no changes, leaf_index or suspended_by");
  }
  PartyRecord r;
  Json party = json;
  for (const char* key : {"status", "origin", "successor", "registered_by", "suspended_by",
                          "changes", "leaf_index"}) {
    party.erase(key);
  }
  std::vector<FieldError> errors;
  r.party = ReadParty(party, "", errors);
  if (!errors.empty()) return corrupt(errors[0].pointer + " " + errors[0].reason);
  const std::string status = json["status"].get<std::string>();
  bool known = false;
  for (size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (kStatusNames[i] == status) {
      r.status = static_cast<PartyStatus>(i);
      known = true;
    }
  }
  if (!known) return corrupt("status " + status);
  r.party.suspended = r.status == PartyStatus::kSuspended;
  r.origin = json["origin"].get<std::string>();
  r.successor = json["successor"].get<std::string>();
  r.registered_by = json["registered_by"].get<std::string>();
  for (const Json& s : json["suspended_by"]) {
    if (!s.is_string()) return corrupt("suspended_by");
    r.suspended_by.push_back(s.get<std::string>());
  }
  r.changes = json["changes"].get<uint64_t>();
  r.leaf_index = json["leaf_index"].get<uint64_t>();
  return r;
}

std::string RegistryLine(const RegistryEntry& e) {
  Json fields = {{"country", e.country}, {"name", e.name},     {"prefixes", e.prefixes},
                 {"role", e.role},       {"status", e.status}, {"successor", e.successor}};
  auto text = crypto::Canonicalize(fields);
  FRONTERA_CHECK(text.ok()) << "registry entry of " << e.did << ": " << text.status().ToString();
  return e.did + " " + std::to_string(e.leaf_index) + " " + *text + "\n";
}

Json RegistryEntryJson(const RegistryEntry& e) {
  return {{"did", e.did},       {"leaf_index", e.leaf_index},
          {"role", e.role},     {"country", e.country},
          {"name", e.name},     {"prefixes", e.prefixes},
          {"status", e.status}, {"successor", e.successor}};
}

crypto::Hash RegistryDigest(const std::vector<RegistryEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const RegistryEntry& e : entries) lines.push_back(RegistryLine(e));
  return SortedLinesDigest(std::move(lines));
}

Genesis WithRegistry(const Genesis& genesis, const std::vector<RegistryEntry>& registry) {
  Genesis out = genesis;
  for (const RegistryEntry& e : registry) {
    Party* party = nullptr;
    for (Party& p : out.parties) {
      if (p.did == e.did) party = &p;
    }
    if (party == nullptr) {
      auto key = crypto::PublicKeyFromDidKey(e.did);
      FRONTERA_CHECK(key.ok()) << "registry entry " << e.did;
      out.parties.push_back(Party{});
      party = &out.parties.back();
      party->did = e.did;
      party->public_key = *key;
      party->name = e.name;
      party->role = RoleFromName(e.role).value_or(Role::kCarrier);
      party->country = e.country;
      party->prefixes = e.prefixes;
    }
    party->suspended = e.status == "suspended";
    party->successor = e.successor;
  }
  return out;
}

}  // namespace frontera::ledger
