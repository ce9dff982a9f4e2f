#include "tools/cmd_validator.h"

#include <algorithm>
#include <array>
#include <memory>

#include "crypto/did_key.h"
#include "ledger/registry.h"
#include "tools/builders.h"
#include "tools/cluster_status.h"
#include "tools/exit_codes.h"
#include "tools/node_api.h"

namespace frontera::tools {

using crypto::Json;

namespace {

const char* VerbOf(ValidatorChange change) {
  switch (change) {
    case ValidatorChange::kAdd:
      return "add";
    case ValidatorChange::kPromote:
      return "promote";
    case ValidatorChange::kRemove:
      return "remove";
  }
  return "?";
}

ledger::RegistryAction ActionOf(ValidatorChange change) {
  switch (change) {
    case ValidatorChange::kAdd:
      return ledger::RegistryAction::kAddValidator;
    case ValidatorChange::kPromote:
      return ledger::RegistryAction::kPromoteValidator;
    case ValidatorChange::kRemove:
      return ledger::RegistryAction::kRemoveValidator;
  }
  return ledger::RegistryAction::kAddValidator;
}

}  // namespace

std::string RenderValidatorList(const Json& answer) {
  // name, role, status, Raft membership, Raft id, DID: aligned columns.
  std::vector<std::array<std::string, 6>> rows;
  if (answer.is_object() && answer.contains("validators") && answer["validators"].is_array()) {
    for (const Json& v : answer["validators"]) {
      if (!v.is_object()) continue;
      const Json* id = v.contains("raft_id") ? &v["raft_id"] : nullptr;
      const std::string raft = JsonText(v, "raft");
      rows.push_back(
          {JsonText(v, "name"), JsonText(v, "role"), JsonText(v, "status"),
           "raft " + (raft.empty() ? std::string("?") : raft),
           "id " + (id != nullptr && id->is_number_unsigned() ? std::to_string(id->get<uint64_t>())
                                                              : std::string("?")),
           JsonText(v, "did")});
    }
  }
  std::array<size_t, 6> widths{};
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += "\n";
  }
  const Json none = Json::array();
  return out + RenderMembership(answer.is_object() ? answer.value("voters", none) : none,
                                answer.is_object() ? answer.value("observers", none) : none);
}

int RunValidatorList(const ValidatorListOptions& options, const CommandEnv& env) {
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  auto answer = FetchValidators(*node);
  if (!answer.ok()) return Fail(env, "validator list (" + options.node + ")", answer.status());
  env.out << (options.json ? answer->dump(2) + "\n" : RenderValidatorList(*answer));
  return kExitOk;
}

int RunValidatorChange(const ValidatorChangeOptions& options, const CommandEnv& env) {
  const std::string command = std::string("validator ") + VerbOf(options.change);
  const bool add = options.change == ValidatorChange::kAdd;
  // The flag (or argument) that names the validator.
  const std::string validator_flag = add ? "--key" : "VALIDATOR";
  if (options.key.empty()) {
    return Usage(env, add ? command + ": give --key (the validator's did:key or key file)"
                          : command + ": give the validator's did:key or key file (VALIDATOR)");
  }
  if (options.change == ValidatorChange::kRemove && options.reason.empty()) {
    return Usage(env, command + ": give --reason TEXT (why, as the ledger records it)");
  }
  if (options.agency_keys.empty()) {
    return Usage(env, command +
                          ": give --agency-key FILE, once per signing agency (a majority of the "
                          "agencies)");
  }
  std::vector<crypto::KeyPair> keys;
  for (const std::string& path : options.agency_keys) {
    auto key = LoadKey(path, "--agency-key");
    if (!key.ok()) return Fail(env, "--agency-key " + path, key.status());
    keys.push_back(*key);
  }
  auto did = DidOrKeyFile(options.key);
  if (!did.ok()) return Fail(env, validator_flag + " " + options.key, did.status());

  ValidatorFields f;
  f.type = std::string(ledger::RegistryTypeName(ActionOf(options.change)));
  f.id = NewUrnUuid();
  f.issuer = crypto::DidKeyFromPublicKey(keys[0].public_key());
  f.reason = options.reason;
  FlagsByPointer flags = {{"/reason", "--reason"},
                          {"/proof", "--agency-key"},
                          {"/issuer", "--agency-key " + options.agency_keys[0]}};
  if (add) {
    f.validator =
        Json{{"did", *did}, {"name", options.name}, {"role", options.role}, {"peer", options.peer}};
    if (!options.api.empty()) f.validator["api"] = options.api;
    for (const auto& [member, flag] :
         {std::pair{"did", "--key"}, std::pair{"name", "--name"}, std::pair{"role", "--role"},
          std::pair{"peer", "--peer"}, std::pair{"api", "--api"}}) {
      flags[std::string("/validator/") + member] = flag;
    }
  } else {
    f.validator = *did;
    flags["/validator"] = validator_flag;
  }
  const std::string now = NowRfc3339(env);
  auto document = SignDocument(BuildValidatorDocument(f), keys[0], now);
  for (size_t i = 1; i < keys.size() && document.ok(); ++i) {
    document = CoSignDocument(*document, keys[i], now);
  }
  if (!document.ok()) return Fail(env, "signing", document.status());
  for (size_t i = 0; i < keys.size(); ++i) {
    flags["/proof/" + std::to_string(i) + "/verificationMethod"] =
        "--agency-key " + options.agency_keys[i];
  }
  if (keys.size() == 1)
    flags["/proof/verificationMethod"] = "--agency-key " + options.agency_keys[0];
  if (auto parsed = ledger::ParseRegistryDocument(*document); !parsed.ok()) {
    return FailDocument(env, "the validator document is not valid", parsed.status(), flags);
  }
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  return PostDocument(env, *node, "/v1/validators", *document, options.json, flags);
}

}  // namespace frontera::tools
