#include "tools/cmd_party.h"

#include <memory>
#include <sstream>

#include "crypto/did_key.h"
#include "ledger/registry.h"
#include "tools/builders.h"
#include "tools/exit_codes.h"
#include "tools/node_api.h"

namespace frontera::tools {

using crypto::Json;

namespace {

// "--licence CAS:NUMBER:VALID_FROM:VALID_UNTIL" as the party object holds it;
// the ledger's rules judge the values.
Result<Json> LicenceJson(const std::string& text) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
  if (parts.size() != 4) {
    return Status::InvalidArgument("--licence " + text +
                                   ": give CAS:NUMBER:VALID_FROM:VALID_UNTIL, e.g. "
                                   "345-78-8:CA-PRE-0042:2026-01-01:2027-12-31");
  }
  return Json{
      {"casRn", parts[0]}, {"number", parts[1]}, {"validFrom", parts[2]}, {"validUntil", parts[3]}};
}

}  // namespace

std::string RenderParty(const Json& party) {
  std::string out = JsonText(party, "name") + "\n";
  out += "  did:       " + JsonText(party, "did") + "\n";
  out += "  role:      " + JsonText(party, "role") + "\n";
  out += "  country:   " + JsonText(party, "country") + "\n";
  if (!JsonText(party, "gln").empty()) out += "  GLN:       " + JsonText(party, "gln") + "\n";
  if (party.contains("prefixes") && party["prefixes"].is_array()) {
    std::string list;
    for (const Json& p : party["prefixes"]) {
      if (p.is_string()) list += (list.empty() ? "" : ", ") + p.get<std::string>();
    }
    out += "  GS1 company prefixes: " + list + "\n";
  }
  if (party.contains("licences") && party["licences"].is_array()) {
    out += "  precursor licences:\n";
    for (const Json& l : party["licences"]) {
      if (!l.is_object()) continue;
      out += "    CAS " + JsonText(l, "casRn") + "  no. " + JsonText(l, "number") + "  valid " +
             JsonText(l, "validFrom") + " to " + JsonText(l, "validUntil") + "\n";
    }
  }
  const std::string status = JsonText(party, "status");
  if (status == "retired") {
    out += "  RETIRED: key replaced by " + JsonText(party, "successor") + "\n";
  } else {
    out += party.value("suspended", false) || status == "suspended" ? "  SUSPENDED\n"
                                                                    : "  in good standing\n";
  }
  if (!JsonText(party, "registered_by").empty()) {
    out += "  registered by: " + JsonText(party, "registered_by") + "\n";
  }
  if (party.contains("history") && party["history"].is_array() && !party["history"].empty()) {
    out += "  history:\n";
    for (const Json& h : party["history"]) {
      if (!h.is_object()) continue;
      std::string by;
      for (const Json& s : h.value("by", Json::array())) {
        if (s.is_string()) by += (by.empty() ? "" : ", ") + s.get<std::string>();
      }
      out += "    block " + std::to_string(h.value("block", uint64_t{0})) + "  " +
             JsonText(h, "action") + " by " + by;
      if (!JsonText(h, "new_did").empty()) out += " → " + JsonText(h, "new_did");
      if (!JsonText(h, "reason").empty()) out += ": " + JsonText(h, "reason");
      out += "\n";
    }
  }
  return out;
}

int RunPartyChange(const PartyChangeOptions& options, const CommandEnv& env) {
  const bool self_rotation = options.change == PartyChange::kRotate && options.agency_keys.empty();
  if (!self_rotation && options.agency_keys.empty()) {
    return Usage(env, "party: give --agency-key FILE (one per signing agency)");
  }
  // The signers: the agencies (the first is the document's issuer), or the
  // party's current key for a rotation it signs itself.
  std::vector<crypto::KeyPair> keys;
  for (const std::string& path :
       self_rotation ? std::vector<std::string>{options.key} : options.agency_keys) {
    if (path.empty()) return Usage(env, "party rotate: give --key FILE (the current key)");
    auto key = LoadKey(path, self_rotation ? "--key" : "--agency-key");
    if (!key.ok())
      return Fail(env, (self_rotation ? "--key " : "--agency-key ") + path, key.status());
    keys.push_back(*key);
  }
  RegistryFields f;
  f.id = NewUrnUuid();
  f.issuer = crypto::DidKeyFromPublicKey(keys[0].public_key());
  f.reason = options.reason;
  FlagsByPointer flags = {{"/reason", "--reason"}, {"/proof", "--agency-key"}};
  if (options.change == PartyChange::kAdd) {
    if (options.key.empty())
      return Usage(env, "party add: give --key (the party's did:key or key file)");
    auto did = DidOrKeyFile(options.key);
    if (!did.ok()) return Fail(env, "--key", did.status());
    f.type = std::string(ledger::RegistryTypeName(ledger::RegistryAction::kRegister));
    f.party = Json{{"did", *did},
                   {"name", options.name},
                   {"role", options.role},
                   {"country", options.country}};
    if (!options.gln.empty()) f.party["gln"] = options.gln;
    if (!options.prefixes.empty()) f.party["prefixes"] = options.prefixes;
    for (const std::string& text : options.licences) {
      auto licence = LicenceJson(text);
      if (!licence.ok()) return Usage(env, licence.status().message());
      f.party["licences"].push_back(*licence);
    }
    for (const auto& [member, flag] :
         {std::pair{"did", "--key"}, std::pair{"name", "--name"}, std::pair{"role", "--role"},
          std::pair{"country", "--country"}, std::pair{"gln", "--gln"}}) {
      flags[std::string("/party/") + member] = flag;
    }
    flags["/party/did"] = "--key";
    for (size_t i = 0; i < options.prefixes.size(); ++i) {
      flags["/party/prefixes/" + std::to_string(i)] = "--prefix " + options.prefixes[i];
    }
    for (size_t i = 0; i < options.licences.size(); ++i) {
      for (const char* member : {"", "/casRn", "/number", "/validFrom", "/validUntil"}) {
        flags["/party/licences/" + std::to_string(i) + member] = "--licence " + options.licences[i];
      }
    }
  } else {
    if (options.did.empty() == options.key.empty() && !self_rotation) {
      return Usage(env, "party: give the party's DID or --key (one of them)");
    }
    auto did = DidOrKeyFile(options.did.empty() ? options.key : options.did);
    if (!did.ok()) return Fail(env, options.did.empty() ? "--key" : "DID", did.status());
    f.party = *did;
    flags["/party"] = options.did.empty() ? "--key" : "DID";
    const ledger::RegistryAction action =
        options.change == PartyChange::kSuspend     ? ledger::RegistryAction::kSuspend
        : options.change == PartyChange::kReinstate ? ledger::RegistryAction::kReinstate
                                                    : ledger::RegistryAction::kRotateKey;
    f.type = std::string(ledger::RegistryTypeName(action));
    if (action == ledger::RegistryAction::kRotateKey) {
      if (options.new_key.empty()) {
        return Usage(env, "party rotate: give --new-key (the new did:key or key file)");
      }
      auto new_did = DidOrKeyFile(options.new_key);
      if (!new_did.ok()) return Fail(env, "--new-key", new_did.status());
      f.new_did = *new_did;
      flags["/newKey"] = "--new-key";
    }
  }
  const std::string now = NowRfc3339(env);
  auto document = SignDocument(BuildRegistryDocument(f), keys[0], now);
  for (size_t i = 1; i < keys.size() && document.ok(); ++i) {
    document = CoSignDocument(*document, keys[i], now);
  }
  if (!document.ok()) return Fail(env, "signing", document.status());
  for (size_t i = 0; i < keys.size() && !self_rotation; ++i) {
    flags["/proof/" + std::to_string(i) + "/verificationMethod"] =
        "--agency-key " + options.agency_keys[i];
  }
  if (keys.size() == 1) {
    flags["/proof/verificationMethod"] =
        self_rotation ? "--key" : "--agency-key " + options.agency_keys[0];
  }
  if (auto parsed = ledger::ParseRegistryDocument(*document); !parsed.ok()) {
    return FailDocument(env, "the registry document is not valid", parsed.status(), flags);
  }
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  return PostDocument(env, *node, "/v1/parties", *document, options.json, flags);
}

int RunPartyList(const PartyListOptions& options, const CommandEnv& env) {
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  auto parties = FetchParties(*node, options.role, options.country);
  if (!parties.ok()) return Fail(env, "GET " + options.node + "/v1/parties", parties.status());
  if (options.json) {
    env.out << parties->dump(2) << "\n";
    return kExitOk;
  }
  for (const Json& p : *parties) {
    if (!p.is_object()) continue;
    env.out << JsonText(p, "did") << "  " << JsonText(p, "role") << "  " << JsonText(p, "country")
            << "  " << JsonText(p, "name") << (p.value("suspended", false) ? "  (suspended)" : "")
            << "\n";
  }
  env.out << parties->size() << (parties->size() == 1 ? " party" : " parties") << "\n";
  return kExitOk;
}

int RunPartyShow(const PartyShowOptions& options, const CommandEnv& env) {
  if (options.did.empty() == options.key.empty()) {
    return Usage(env, "party show: give a DID or --key FILE (one of them)");
  }
  std::string did = options.did;
  if (!options.key.empty()) {
    auto from_file = DidOfKeyFile(options.key);
    if (!from_file.ok()) return Fail(env, "--key", from_file.status());
    did = *from_file;
  }
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  auto party = FetchPartyJson(*node, did);
  if (!party.ok()) return Fail(env, "party " + did, party.status());
  env.out << (options.json ? party->dump(2) + "\n" : RenderParty(*party));
  return kExitOk;
}

}  // namespace frontera::tools
