#include "tools/cmd_party.h"

#include <memory>

#include "tools/exit_codes.h"
#include "tools/node_api.h"

namespace frontera::tools {

using crypto::Json;

namespace {

std::string Text(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string RenderParty(const Json& party) {
  std::string out = Text(party, "name") + "\n";
  out += "  did:       " + Text(party, "did") + "\n";
  out += "  role:      " + Text(party, "role") + "\n";
  out += "  country:   " + Text(party, "country") + "\n";
  if (!Text(party, "gln").empty()) out += "  GLN:       " + Text(party, "gln") + "\n";
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
      out += "    CAS " + Text(l, "casRn") + "  no. " + Text(l, "number") + "  valid " +
             Text(l, "validFrom") + " to " + Text(l, "validUntil") + "\n";
    }
  }
  out += party.value("suspended", false) ? "  SUSPENDED\n" : "  in good standing\n";
  if (!Text(party, "registered_by").empty()) {
    out += "  registered by: " + Text(party, "registered_by") + "\n";
  }
  return out;
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
    env.out << Text(p, "did") << "  " << Text(p, "role") << "  " << Text(p, "country") << "  "
            << Text(p, "name") << (p.value("suspended", false) ? "  (suspended)" : "") << "\n";
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
