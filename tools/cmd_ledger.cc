#include "tools/cmd_ledger.h"

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "api/client.h"
#include "crypto/did_key.h"
#include "ledger/documents.h"
#include "ledger/genesis.h"
#include "ledger/gs1.h"
#include "tools/builders.h"
#include "tools/cluster_status.h"
#include "tools/exit_codes.h"
#include "tools/remote.h"
#include "tools/time_util.h"
#include "tools/trust.h"
#include "tools/verify.h"

namespace frontera::tools {
namespace {

using crypto::Json;

template <typename ParseFn>
Status PreCheck(const Json& document, ParseFn parse) {
  auto parsed = parse(document);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

// The DIDs an event of the certificate answer names: its signer and its first
// destination.
void CollectEventDids(const Json& answer, std::set<std::string>& dids) {
  if (!answer.is_object() || !answer.contains("events") || !answer["events"].is_array()) return;
  for (const Json& entry : answer["events"]) {
    const Json* event = UnwrapEvent(entry);
    if (event == nullptr || !event->is_object()) continue;
    if (event->contains("proof") && (*event)["proof"].is_object()) {
      std::string method = (*event)["proof"].value("verificationMethod", "");
      if (!method.empty()) dids.insert(method.substr(0, method.find('#')));
    }
    if (event->contains("destinationList") && (*event)["destinationList"].is_array() &&
        !(*event)["destinationList"].empty() && (*event)["destinationList"][0].is_object()) {
      std::string to = (*event)["destinationList"][0].value("destination", "");
      if (!to.empty()) dids.insert(to);
    }
  }
}

}  // namespace

int RunEvent(const EventOptions& options, const CommandEnv& env) {
  // flag and clear are inspecting events that raise or clear a DSCSA flag.
  const bool flag_step = options.step == "flag" || options.step == "clear";
  auto kind = flag_step ? std::optional(ledger::EventKind::kInspecting)
                        : EventKindFromCliName(options.step);
  if (!kind) {
    return Usage(env, "STEP \"" + options.step +
                          "\" is not one of shipping, departing, arriving, receiving, inspecting, "
                          "hold, release, joint-inspection, flag, clear");
  }
  if (flag_step && (options.flag.empty() || options.reason.empty())) {
    return Usage(env, options.step +
                          " needs --flag (suspect, illegitimate or recalled) and "
                          "--reason TEXT");
  }
  if (flag_step && !ledger::FlagDisposition(options.flag)) {
    return Usage(env, "--flag \"" + options.flag + "\" is not suspect, illegitimate or recalled");
  }
  if (!flag_step && (!options.flag.empty() || !options.cosign_keys.empty())) {
    return Usage(env, "--flag and --cosign-key go with the steps flag and clear");
  }
  int code = kExitOk;
  std::optional<std::string> given_to =
      PartyDidOrFail(env, "--to", options.to, options.to_key, &code);
  if (!given_to) return code;
  const std::string& to = *given_to;
  if (*kind == ledger::EventKind::kShipping && to.empty()) {
    return Usage(env, "shipping needs --to DID or --to-key FILE: the party that takes custody");
  }
  std::string event_time;
  if (options.time.empty()) {
    int64_t now = env.clock.NowUnixMillis();
    event_time = FormatRfc3339WithOffset(now, LocalUtcOffsetMinutes(now));
  } else if (!ledger::gs1::ParseRfc3339Millis(options.time).ok()) {
    return Usage(env, "--time \"" + options.time + "\" is not an RFC 3339 date-time with offset");
  } else {
    event_time = options.time;
  }
  auto key = LoadKey(options.key);
  if (!key.ok()) return Fail(env, "--key", key.status());
  // The acting party signs its read of the certificate too: the custody it
  // checks is private (docs/api.md §10).
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code, *key);
  if (node == nullptr) return code;
  std::string path = CertificatePath(options.certificate_id);
  auto certificate = node->GetJson(path);
  if (!certificate.ok()) {
    return Fail(env, "CERT_ID " + options.certificate_id, certificate.status());
  }
  auto epc = ItemEpcOfAnswer(*certificate);
  if (!epc.ok()) return Fail(env, "the node's copy of " + options.certificate_id, epc.status());
  EventFields f;
  f.kind = *kind;
  f.event_id = NewUrnUuid();
  f.event_time = event_time;
  f.certificate_id = options.certificate_id;
  f.epc = *epc;
  f.signer_did = crypto::DidKeyFromPublicKey(key->public_key());
  f.destination_party = to;
  f.read_point = options.read_point;
  f.biz_location = options.biz_location;
  if (flag_step) (options.step == "flag" ? f.flags_set : f.flags_unset).push_back(options.flag);
  f.reason = options.reason;
  auto event = BuildEvent(f);
  if (!event.ok()) return Fail(env, "event", event.status());
  const std::string now = NowRfc3339(env);
  auto signed_event = SignDocument(*event, *key, now);
  for (const std::string& path : options.cosign_keys) {
    auto cosigner = LoadKey(path, "--cosign-key");
    if (!cosigner.ok()) return Fail(env, "--cosign-key " + path, cosigner.status());
    if (signed_event.ok()) signed_event = CoSignDocument(*signed_event, *cosigner, now);
  }
  if (!signed_event.ok()) return Fail(env, "signing", signed_event.status());
  const FlagsByPointer flags = {
      {"/persistentDisposition/set/0", "--flag"},
      {"/persistentDisposition/unset/0", "--flag"},
      {"/frontera:reason", "--reason"},
      {"/destinationList/0/destination", options.to_key.empty() ? "--to" : "--to-key"},
      {"/readPoint/id", "--read-point"},
      {"/bizLocation/id", "--biz-location"},
      {"/eventTime", "--time"},
      {"/certificationInfo", "CERT_ID"}};
  Status checked = PreCheck(*signed_event, ledger::ParseEvent);
  if (!checked.ok()) return FailDocument(env, "the event is not valid", checked, flags);
  return PostDocument(env, *node, path + "/events", *signed_event, options.json, flags);
}

int RunRevoke(const RevokeOptions& options, const CommandEnv& env) {
  if (options.keys.empty()) return Usage(env, "revoke: give --key FILE");
  std::vector<crypto::KeyPair> keys;
  for (const std::string& path : options.keys) {
    auto key = LoadKey(path);
    if (!key.ok()) return Fail(env, "--key " + path, key.status());
    keys.push_back(*key);
  }
  RevocationFields f;
  f.id = NewUrnUuid();
  f.credential_id = options.certificate_id;
  f.issuer = crypto::DidKeyFromPublicKey(keys[0].public_key());
  f.reason = options.reason;
  const std::string now = NowRfc3339(env);
  auto signed_revocation = SignDocument(BuildRevocation(f), keys[0], now);
  for (size_t i = 1; i < keys.size() && signed_revocation.ok(); ++i) {
    signed_revocation = CoSignDocument(*signed_revocation, keys[i], now);
  }
  if (!signed_revocation.ok()) return Fail(env, "signing", signed_revocation.status());
  const FlagsByPointer flags = {{"/credential", "CERT_ID"}, {"/reason", "--reason"}};
  Status checked = PreCheck(*signed_revocation, ledger::ParseRevocation);
  if (!checked.ok()) return FailDocument(env, "the revocation is not valid", checked, flags);
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  return PostDocument(env, *node, CertificatePath(options.certificate_id) + "/revocation",
                      *signed_revocation, options.json, flags);
}

std::string RenderCertificateWithNames(const Json& answer,
                                       const std::map<std::string, std::string>& names) {
  std::string text = RenderCertificate(answer);
  // The flags (a hold's agency) and the timeline name parties.
  size_t start = text.find("\nflags\n");
  if (start == std::string::npos) start = text.find("\ntimeline\n");
  if (start == std::string::npos) return text;
  std::string out = text.substr(0, start + 1);
  // Each word after it that is a known DID becomes "name (DID)".
  size_t i = start + 1;
  while (i < text.size()) {
    size_t end = text.find_first_of(" \n", i);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(i, end - i);
    auto name = names.find(word);
    out += name == names.end() ? word : name->second + " (" + word + ")";
    if (end < text.size()) out += text[end];
    i = end + 1;
  }
  return out;
}

int RunAudit(const AuditCommandOptions& options, const CommandEnv& env) {
  auto key = LoadKey(options.key);
  if (!key.ok()) return Fail(env, "--key", key.status());
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code, std::move(*key));
  if (node == nullptr) return code;
  std::string path = "/v1/audit?after=" + std::to_string(options.after) +
                     "&limit=" + std::to_string(options.limit);
  if (!options.reader.empty()) {
    path += "&reader=" + api::Client::EncodePathSegment(options.reader);
  }
  if (!options.record.empty()) {
    path += "&record=" + api::Client::EncodePathSegment(options.record);
  }
  auto answer = node->GetJson(path);
  if (!answer.ok()) return Fail(env, "audit", answer.status());
  if (options.json) {
    env.out << answer->dump(2) << "\n";
    return kExitOk;
  }
  const Json entries = answer->value("entries", Json::array());
  std::map<std::string, std::string> names;
  for (const Json& e : entries) {
    const std::string reader = e.value("reader", "");
    if (reader.empty() || names.contains(reader)) continue;
    auto party = FetchParty(*node, reader);
    names[reader] = party.ok() && !party->info.name.empty() ? party->info.name : "";
  }
  env.out << "audit trail of " << answer->value("validator", "?") << ": " << entries.size()
          << " read(s)\n";
  for (const Json& e : entries) {
    const std::string reader = e.value("reader", "");
    const std::string& name = names[reader];
    env.out << std::setw(6) << e.value("seq", uint64_t{0}) << "  " << e.value("time", "") << "  "
            << (name.empty() ? reader : name + " (" + reader + ")") << "  " << e.value("what", "")
            << " " << e.value("record", "") << "\n";
  }
  if (answer->contains("next") && (*answer)["next"].is_number_unsigned()) {
    env.out << "more: --after " << (*answer)["next"].get<uint64_t>() << "\n";
  }
  return kExitOk;
}

int RunShow(const ShowOptions& options, const CommandEnv& env) {
  std::optional<crypto::KeyPair> signing_key;
  if (!options.key.empty()) {
    auto key = LoadKey(options.key);
    if (!key.ok()) return Fail(env, "--key", key.status());
    signing_key = std::move(*key);
  }
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code, signing_key);
  if (node == nullptr) return code;
  auto answer = node->GetJson(CertificatePath(options.id));
  if (!answer.ok()) return Fail(env, options.id, answer.status());
  if (options.label) {
    const Json* label = nullptr;
    if (answer->is_object() && answer->contains("credential") &&
        (*answer)["credential"].is_object() &&
        (*answer)["credential"].contains("credentialSubject") &&
        (*answer)["credential"]["credentialSubject"].is_object()) {
      const Json& subject = (*answer)["credential"]["credentialSubject"];
      if (subject.contains("label") && subject["label"].is_string()) label = &subject["label"];
    }
    if (label == nullptr) {
      return Fail(env, options.id,
                  Status::NotFound("the certificate has no QR label (credentialSubject.label; "
                                   "issued with --no-label?)"));
    }
    env.out << label->get<std::string>() << "\n";
    return kExitOk;
  }
  if (options.json) {
    env.out << answer->dump(2) << "\n";
    return kExitOk;
  }
  // The parties by their registered names; a DID the node does not know as a
  // party (or cannot tell about now) is shown alone.
  std::set<std::string> dids;
  CollectEventDids(*answer, dids);
  if (answer->is_object() && answer->contains("held_by") && (*answer)["held_by"].is_string()) {
    dids.insert((*answer)["held_by"].get<std::string>());
  }
  std::map<std::string, std::string> names;
  for (const std::string& did : dids) {
    auto party = FetchParty(*node, did);
    if (party.ok() && !party->info.name.empty()) names[did] = party->info.name;
  }
  env.out << RenderCertificateWithNames(*answer, names);
  if (answer->is_object() && answer->value("view", "") == "public") {
    env.out << "public view: the commercial details, custody and "
            << answer->value("events_withheld", 0) << " event(s) are private; --key KEY of an "
            << "agency or a party the certificate names shows them\n";
  }
  return kExitOk;
}

int RunCheckpoint(const CheckpointOptions& options, const CommandEnv& env) {
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  auto note = node->GetText("/v1/checkpoint");
  if (!note.ok()) return Fail(env, "GET /v1/checkpoint", note.status());
  if (options.genesis.empty()) {
    env.out << *note;
    return kExitOk;
  }
  auto genesis = ledger::LoadGenesisFile(options.genesis);
  if (!genesis.ok()) return Fail(env, "--genesis", genesis.status());
  // Signed by the voters of its block: those the node's voter chain leads to
  // from the genesis validators (the genesis's when it has none to show).
  ledger::Genesis voters = *genesis;
  if (auto answer = node->GetJson("/v1/trust-bundle"); answer.ok()) {
    if (auto bundle = VerifyTrustBundle(*answer, genesis->hash); bundle.ok()) {
      voters = ledger::WithVoters(*genesis, bundle->voters);
    }
  }
  CheckpointReport report = VerifyCheckpoint(voters, *note);
  if (options.json) {
    env.out << Json{{"checkpoint", *note},       {"valid", report.valid},
                    {"origin", report.origin},   {"tree_size", report.tree_size},
                    {"signers", report.signers}, {"quorum", report.quorum},
                    {"reasons", report.reasons}}
                   .dump(2)
            << "\n";
  } else {
    env.out << *note << "\n" << RenderCheckpoint(report, true);
  }
  return report.valid ? kExitOk : 1;
}

namespace {

// The operational port fronterad wrote to DIR/<name>.ops.port
// (--ops-port-file), as a loopback URL; empty when there is no such file.
Result<std::string> OpsUrlFromDir(const std::string& dir, const std::string& name) {
  const std::string path = (std::filesystem::path(dir) / (name + ".ops.port")).string();
  std::ifstream in(path);
  if (!in) return std::string();
  std::string text;
  std::getline(in, text, '\0');
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty() || text.size() > 5 ||
      text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < 1 ||
      std::stoi(text) > 65535) {
    return Status::InvalidArgument(path + " does not hold a port (1-65535)");
  }
  return "http://127.0.0.1:" + text;
}

// GET /v1/status of an operational listener, briefly: a validator that is
// down must not hold up the report for long.
Result<Json> AskOps(const CommandEnv& env, const std::string& url) {
  api::ClientOptions options;
  options.connect_timeout_ms = 1000;
  options.read_timeout_ms = 2000;
  options.ca_file = env.ca_file;
  auto transport = env.nodes.Connect(url, options);
  if (!transport.ok()) return transport.status();
  Node ops(url, std::move(*transport));
  auto answer = ops.GetJson("/v1/status");
  if (!answer.ok()) return answer.status();  // it names the URL and the path
  if (!answer->is_object() || !(*answer)["node"].is_string()) {
    return Status::InvalidArgument("GET " + url + "/v1/status: the answer names no \"node\"");
  }
  return answer;
}

}  // namespace

int RunStatus(const StatusOptions& options, const CommandEnv& env) {
  if (options.ops.empty() && options.ops_dir.empty()) {
    return Usage(env,
                 "status reads each validator's /v1/status on its operational listener, which "
                 "the public API does not serve: give --ops URL (repeatable) or --ops-dir DIR "
                 "(docs/cli.md#status)");
  }
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  auto listed = FetchValidators(*node);
  if (!listed.ok()) return Fail(env, "GET " + options.node + "/v1/validators", listed.status());

  // A removed validator is no longer part of the network: not asked, not
  // listed (frontera validator list shows it).
  std::vector<ValidatorStatus> validators;
  for (const Json& v : (*listed)["validators"]) {
    if (!v.is_object() || v.value("status", "active") == "removed") continue;
    ValidatorStatus vs;
    vs.name = v.value("name", "");
    vs.api = v.value("api", "");
    if (!options.ops_dir.empty()) {
      auto url = OpsUrlFromDir(options.ops_dir, vs.name);
      if (!url.ok()) return Fail(env, "--ops-dir " + options.ops_dir, url.status());
      vs.ops = *url;
    }
    validators.push_back(std::move(vs));
  }
  auto find = [&validators](const std::string& name) -> ValidatorStatus* {
    for (ValidatorStatus& v : validators) {
      if (v.name == name) return &v;
    }
    return nullptr;
  };
  for (ValidatorStatus& v : validators) {
    if (v.ops.empty()) continue;
    Result<Json> answer = AskOps(env, v.ops);
    v.reachable = answer.ok();
    if (answer.ok()) {
      v.status = std::move(answer).value();
    } else {
      v.error = answer.status().message();
    }
  }
  // --ops URLs name no validator: each answer says whose it is.
  for (const std::string& url : options.ops) {
    Result<Json> answer = AskOps(env, url);
    if (!answer.ok()) {
      ValidatorStatus vs;
      vs.name = url;
      vs.ops = url;
      vs.error = answer.status().message();
      validators.push_back(std::move(vs));
      continue;
    }
    const std::string name = (*answer)["node"].get<std::string>();
    ValidatorStatus* v = find(name);
    if (v == nullptr) {
      validators.push_back(ValidatorStatus{name, "", url, false, "", Json()});
      v = &validators.back();
    }
    v->ops = url;
    v->reachable = true;
    v->error.clear();
    v->status = std::move(answer).value();
  }

  if (options.json) {
    env.out << ClusterStatusJson(validators).dump(2) << "\n";
  } else {
    env.out << RenderClusterStatus(validators);
    // The Raft membership as the leader reports it (it drives the changes),
    // else as a validator asked does, else as --node's /v1/validators.
    std::string membership, any;
    for (const ValidatorStatus& v : validators) {
      if (!v.reachable || !v.status.is_object()) continue;
      if (v.status.value("role", "") == "leader") membership = RenderStatusMembership(v.status);
      if (any.empty()) any = RenderStatusMembership(v.status);
    }
    if (membership.empty()) membership = any;
    if (membership.empty()) {
      membership = RenderMembership((*listed)["voters"], (*listed)["observers"]);
    }
    env.out << membership;
  }
  for (const ValidatorStatus& v : validators) {
    if (!v.ops.empty() && !v.reachable) return 1;
  }
  return kExitOk;
}

int RunLabel(const LabelOptions& options, const CommandEnv& env) {
  std::string extension = std::filesystem::path(options.output).extension().string();
  if (extension != ".png" && extension != ".svg") {
    return Usage(env, "label: -o must name a .png or .svg file");
  }
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  std::string path = CertificatePath(options.id) + "/qr" + extension;
  auto image = node->GetText(path);
  if (!image.ok()) return Fail(env, "GET " + path, image.status());
  Status written = WriteNewFile(options.output, *image, 0644, env.fs);
  if (!written.ok()) {
    if (written.IsAlreadyExists())
      return FailOutput(env, "-o", written, " (nothing is overwritten)");
    return Fail(env, "-o " + options.output, written);
  }
  env.out << options.output << ": label of " << options.id << "\n";
  return kExitOk;
}

}  // namespace frontera::tools
