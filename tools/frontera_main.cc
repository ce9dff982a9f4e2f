// `frontera`: the command-line client of a Frontera network (docs/cli.md).
// This file only wires CLI11 flags to the frontera_tools library and maps
// outcomes to exit codes (tools/exit_codes.h); the logic lives in the library
// where tests reach it.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "api/client.h"
#include "common/clock.h"
#include "crypto/did_key.h"
#include "crypto/ed25519.h"
#include "crypto/key_file.h"
#include "ledger/documents.h"
#include "ledger/genesis.h"
#include "ledger/gs1.h"
#include "tools/bench.h"
#include "tools/builders.h"
#include "tools/cluster_status.h"
#include "tools/exit_codes.h"
#include "tools/files.h"
#include "tools/genesis_builder.h"
#include "tools/label_verify.h"
#include "tools/remote.h"
#include "tools/scan.h"
#include "tools/time_util.h"
#include "tools/trust.h"
#include "tools/verify.h"

namespace frontera::tools {
namespace {

using crypto::Json;

constexpr char kDefaultNode[] = "http://127.0.0.1:7001";

// Prints "frontera: <what>: <error>" and returns the exit code for it.
int Fail(std::string_view what, const Status& status) {
  std::cerr << "frontera: " << what << ": " << DescribeError(status) << "\n";
  return ExitCodeFor(status);
}

int Usage(std::string_view message) {
  std::cerr << "frontera: " << message << "\n";
  return kExitUsage;
}

// Flags the user typed, by the JSON pointer they end up at, so that a
// rejection of the built document names the flag to fix.
using FlagsByPointer = std::map<std::string, std::string>;

int FailDocument(std::string_view what, const Status& status, const FlagsByPointer& flags) {
  std::cerr << "frontera: " << what << ": " << DescribeError(status) << "\n";
  for (const FieldError& error : status.field_errors()) {
    auto flag = flags.find(error.pointer);
    if (flag != flags.end())
      std::cerr << "  (" << error.pointer << " comes from " << flag->second << ")\n";
  }
  return ExitCodeFor(status);
}

Result<std::unique_ptr<api::Client>> Connect(const std::string& node) {
  auto client = api::Client::Create(node);
  if (!client.ok()) return client.status().WithContext("--node " + node);
  return client;
}

Result<crypto::KeyPair> LoadKey(const std::string& path) {
  auto key = crypto::LoadKeyFile(path);
  if (!key.ok()) return key.status().WithContext("--key");
  return key;
}

// Checks a document with the ledger's own parser before it is sent, so that a
// mistake is reported with the flag that caused it and no round trip.
template <typename ParseFn>
Status PreCheck(const Json& document, ParseFn parse) {
  auto parsed = parse(document);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

int Post(api::Client& client, const std::string& path, const Json& document, bool json_output,
         const FlagsByPointer& flags) {
  auto answer = client.PostJson(path, document);
  if (!answer.ok())
    return FailDocument("the node rejected the document (POST " + path + ")", answer.status(),
                        flags);
  if (json_output) {
    std::cout << answer->dump(2) << "\n";
  } else {
    std::cout << RenderReceipt(*answer) << "\n";
  }
  return kExitOk;
}

std::string Now() { return FormatRfc3339(SystemClock().NowUnixMillis()); }

// ---------------------------------------------------------------------------

struct KeygenArgs {
  std::string output;
  std::string seed_hex;
};

int RunKeygen(const KeygenArgs& args) {
  std::optional<crypto::KeyPair> key;
  if (args.seed_hex.empty()) {
    key = crypto::KeyPair::Generate();
  } else {
    auto seed = crypto::ParseSeedHex(args.seed_hex);
    if (!seed.ok()) return Usage("--seed: " + seed.status().message());
    key = crypto::KeyPair::FromSeed(*seed);
  }
  Status written = crypto::WriteKeyFile(args.output, *key);
  if (written.IsAlreadyExists()) {
    std::cerr << "frontera: -o " << written.message() << "\n";
    return kExitCantCreate;
  }
  if (!written.ok()) return Fail("-o", written);
  std::cout << crypto::DidKeyFromPublicKey(key->public_key()) << "\n";
  return kExitOk;
}

struct GenesisArgs {
  std::string from;
  std::string output;
};

int RunGenesis(const GenesisArgs& args) {
  auto genesis = BuildGenesisFromFile(args.from);
  if (!genesis.ok()) {
    std::cerr << "frontera: genesis: " << DescribeError(genesis.status()) << "\n";
    return genesis.status().IsNotFound() ? kExitNoInput : kExitDataError;
  }
  std::string text = genesis->dump(2) + "\n";
  if (args.output.empty() || args.output == "-") {
    std::cout << text;
    return kExitOk;
  }
  Status written = WriteNewFile(args.output, text, 0644);
  if (written.IsAlreadyExists()) {
    std::cerr << "frontera: -o " << written.message() << "\n";
    return kExitCantCreate;
  }
  if (!written.ok()) return Fail("-o", written);
  std::cerr << "wrote " << args.output << "\n";
  return kExitOk;
}

struct IssueCommon {
  std::string node = kDefaultNode;
  std::string key;
  std::string id;
  std::string valid_from;
  std::string valid_until;
  std::string resolver;
  bool no_label = false;
  bool json = false;
};

struct PharmaArgs {
  std::string gtin, lot, serial, expiry, product_name, strength_dosage_form, container_size, ndc;
};

struct PrecursorArgs {
  std::string sscc, substance, cas, un_table, hs_code, quantity, uom, concentration, importer,
      consignee, point_of_entry, dispatch_date, pen, import_permit;
};

// Labels, signs, pre-checks and posts a credential built by a subcommand.
int SignAndIssue(api::Client& client, const IssueCommon& common, const crypto::KeyPair& key,
                 Json credential, const FlagsByPointer& flags) {
  // Check the fields first, so that a bad value is reported against its flag
  // rather than as a label that cannot be built from it.
  auto draft = SignDocument(credential, key, Now());
  if (!draft.ok()) return Fail("signing", draft.status());
  Status fields = PreCheck(*draft, ledger::ParseCredential);
  if (!fields.ok()) return FailDocument("the credential is not valid", fields, flags);
  if (!common.no_label) {
    std::string resolver = common.resolver;
    if (resolver.empty()) {
      auto fetched = FetchResolver(client);
      if (!fetched.ok()) return Fail("label", fetched.status());
      resolver = *fetched;
    }
    auto labelled = AttachLabel(credential, resolver, key);
    if (!labelled.ok()) {
      return FailDocument(
          "label on resolver \"" + resolver + "\" (" +
              (common.resolver.empty() ? "from the node's /v1/status" : "from --resolver") +
              "; pass --resolver HOST or --no-label)",
          labelled.status(), flags);
    }
    credential = std::move(*labelled);
  }
  auto signed_credential = SignDocument(credential, key, Now());
  if (!signed_credential.ok()) return Fail("signing", signed_credential.status());
  Status checked = PreCheck(*signed_credential, ledger::ParseCredential);
  if (!checked.ok()) return FailDocument("the credential is not valid", checked, flags);
  return Post(client, "/v1/certificates", *signed_credential, common.json, flags);
}

int RunIssuePharma(const IssueCommon& common, const PharmaArgs& args) {
  auto key = LoadKey(common.key);
  if (!key.ok()) return Fail("--key", key.status());
  auto client = Connect(common.node);
  if (!client.ok()) return Fail("--node", client.status());
  auto party = FetchParty(**client, crypto::DidKeyFromPublicKey(key->public_key()));
  if (!party.ok()) return Fail("issuer party (--key)", party.status());
  ProductFields f;
  f.id = common.id.empty() ? NewUrnUuid() : common.id;
  f.valid_from = common.valid_from.empty() ? Now() : common.valid_from;
  f.valid_until = common.valid_until;
  f.gtin = args.gtin;
  f.lot = args.lot;
  f.serial = args.serial;
  f.expiry = args.expiry;
  f.ndc = args.ndc;
  f.product_name = args.product_name;
  f.strength_dosage_form = args.strength_dosage_form;
  f.container_size = args.container_size;
  f.manufacturer = party->info;
  const FlagsByPointer flags = {
      {"/id", "--id"},
      {"/validFrom", "--valid-from"},
      {"/validUntil", "--valid-until (default: end of --expiry)"},
      {"/credentialSubject/id", "--gtin, --lot, --serial"},
      {"/credentialSubject/gtin", "--gtin"},
      {"/credentialSubject/lot", "--lot"},
      {"/credentialSubject/serial", "--serial"},
      {"/credentialSubject/expiry", "--expiry"},
      {"/credentialSubject/ndc", "--ndc"},
      {"/credentialSubject/productName", "--product-name"},
      {"/credentialSubject/strengthDosageForm", "--strength-dosage-form"},
      {"/credentialSubject/containerSize", "--container-size"},
      {"/credentialSubject/label", "--resolver"},
  };
  return SignAndIssue(**client, common, *key, BuildProductCredential(f), flags);
}

int RunIssuePrecursor(const IssueCommon& common, const PrecursorArgs& args) {
  auto quantity = ParseQuantity(args.quantity);
  if (!quantity.ok()) return Usage("--quantity: " + quantity.status().message());
  auto key = LoadKey(common.key);
  if (!key.ok()) return Fail("--key", key.status());
  auto client = Connect(common.node);
  if (!client.ok()) return Fail("--node", client.status());
  auto exporter = FetchParty(**client, crypto::DidKeyFromPublicKey(key->public_key()));
  if (!exporter.ok()) return Fail("exporter party (--key)", exporter.status());
  auto importer = FetchParty(**client, args.importer);
  if (!importer.ok()) return Fail("--importer", importer.status());
  auto consignee = FetchParty(**client, args.consignee);
  if (!consignee.ok()) return Fail("--consignee", consignee.status());
  PrecursorFields f;
  f.id = common.id.empty() ? NewUrnUuid() : common.id;
  f.valid_from = common.valid_from.empty() ? Now() : common.valid_from;
  f.valid_until = common.valid_until;
  f.sscc = args.sscc;
  f.substance_name = args.substance;
  f.cas_rn = args.cas;
  f.un_table = args.un_table;
  f.hs_code = args.hs_code;
  f.quantity_value = *quantity;
  f.uom = args.uom;
  f.concentration = args.concentration;
  f.exporter = exporter->info;
  f.importer = importer->info;
  f.consignee = consignee->info;
  f.point_of_entry = args.point_of_entry;
  f.dispatch_date = args.dispatch_date;
  f.pre_export_notification = args.pen;
  f.import_permit = args.import_permit;
  const FlagsByPointer flags = {
      {"/id", "--id"},
      {"/validFrom", "--valid-from"},
      {"/validUntil", "--valid-until"},
      {"/credentialSubject/id", "--sscc"},
      {"/credentialSubject/sscc", "--sscc"},
      {"/credentialSubject/substance/name", "--substance"},
      {"/credentialSubject/substance/casRn", "--cas"},
      {"/credentialSubject/substance/unTable", "--un-table"},
      {"/credentialSubject/substance/hsCode", "--hs-code"},
      {"/credentialSubject/quantity/value", "--quantity"},
      {"/credentialSubject/quantity/uom", "--uom"},
      {"/credentialSubject/concentration", "--concentration"},
      {"/credentialSubject/importer", "--importer"},
      {"/credentialSubject/consignee", "--consignee"},
      {"/credentialSubject/pointOfEntry", "--point-of-entry"},
      {"/credentialSubject/dispatchDate", "--dispatch-date"},
      {"/credentialSubject/preExportNotification", "--pen"},
      {"/credentialSubject/importPermit", "--import-permit"},
      {"/credentialSubject/label", "--resolver"},
  };
  return SignAndIssue(**client, common, *key, BuildPrecursorCredential(f), flags);
}

int RunIssueFile(const IssueCommon& common, const std::string& file) {
  auto text = ReadTextFile(file);
  if (!text.ok()) return Fail("--file", text.status());
  auto document = crypto::ParseJson(*text);
  if (!document.ok()) return Fail("--file " + file, document.status());
  Json credential = std::move(*document);
  if (!credential.is_object())
    return Fail("--file " + file, Status::InvalidArgument("not a JSON object"));
  if (!credential.contains("proof")) {
    if (common.key.empty()) {
      return Usage("--file " + file + " has no proof: pass --key FILE to sign it");
    }
    auto key = LoadKey(common.key);
    if (!key.ok()) return Fail("--key", key.status());
    auto signed_credential = SignDocument(credential, *key, Now());
    if (!signed_credential.ok()) return Fail("signing " + file, signed_credential.status());
    credential = std::move(*signed_credential);
  }
  Status checked = PreCheck(credential, ledger::ParseCredential);
  if (!checked.ok()) return Fail("--file " + file + " is not a valid credential", checked);
  auto client = Connect(common.node);
  if (!client.ok()) return Fail("--node", client.status());
  return Post(**client, "/v1/certificates", credential, common.json, {});
}

struct EventArgs {
  std::string step, certificate_id, node = kDefaultNode, key, to, read_point, biz_location, time;
  bool json = false;
};

int RunEvent(const EventArgs& args) {
  auto kind = EventKindFromCliName(args.step);
  if (!kind) {
    return Usage("STEP \"" + args.step +
                 "\" is not one of shipping, departing, arriving, receiving, inspecting, hold, "
                 "release, joint-inspection");
  }
  if (*kind == ledger::EventKind::kShipping && args.to.empty()) {
    return Usage("shipping needs --to DID: the party that takes custody");
  }
  std::string event_time;
  if (args.time.empty()) {
    int64_t now = SystemClock().NowUnixMillis();
    event_time = FormatRfc3339WithOffset(now, LocalUtcOffsetMinutes(now));
  } else if (!ledger::gs1::ParseRfc3339Millis(args.time).ok()) {
    return Usage("--time \"" + args.time + "\" is not an RFC 3339 date-time with offset");
  } else {
    event_time = args.time;
  }
  auto key = LoadKey(args.key);
  if (!key.ok()) return Fail("--key", key.status());
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  std::string path = "/v1/certificates/" + api::Client::EncodePathSegment(args.certificate_id);
  auto certificate = (*client)->GetJson(path);
  if (!certificate.ok()) return Fail("CERT_ID " + args.certificate_id, certificate.status());
  auto credential = ledger::ParseCredential(certificate->value("credential", Json::object()));
  if (!credential.ok())
    return Fail("the node's copy of " + args.certificate_id, credential.status());

  EventFields f;
  f.kind = *kind;
  f.event_id = NewUrnUuid();
  f.event_time = event_time;
  f.certificate_id = args.certificate_id;
  f.epc = ledger::ItemEpc(*credential);
  f.signer_did = crypto::DidKeyFromPublicKey(key->public_key());
  f.destination_party = args.to;
  f.read_point = args.read_point;
  f.biz_location = args.biz_location;
  auto event = BuildEvent(f);
  if (!event.ok()) return Fail("event", event.status());
  auto signed_event = SignDocument(*event, *key, Now());
  if (!signed_event.ok()) return Fail("signing", signed_event.status());
  const FlagsByPointer flags = {{"/destinationList/0/destination", "--to"},
                                {"/readPoint/id", "--read-point"},
                                {"/bizLocation/id", "--biz-location"},
                                {"/eventTime", "--time"},
                                {"/certificationInfo", "CERT_ID"}};
  Status checked = PreCheck(*signed_event, ledger::ParseEvent);
  if (!checked.ok()) return FailDocument("the event is not valid", checked, flags);
  return Post(**client, path + "/events", *signed_event, args.json, flags);
}

struct RevokeArgs {
  std::string certificate_id, node = kDefaultNode, key, reason;
  bool json = false;
};

int RunRevoke(const RevokeArgs& args) {
  auto key = LoadKey(args.key);
  if (!key.ok()) return Fail("--key", key.status());
  RevocationFields f;
  f.id = NewUrnUuid();
  f.credential_id = args.certificate_id;
  f.issuer = crypto::DidKeyFromPublicKey(key->public_key());
  f.reason = args.reason;
  auto signed_revocation = SignDocument(BuildRevocation(f), *key, Now());
  if (!signed_revocation.ok()) return Fail("signing", signed_revocation.status());
  const FlagsByPointer flags = {{"/credential", "CERT_ID"}, {"/reason", "--reason"}};
  Status checked = PreCheck(*signed_revocation, ledger::ParseRevocation);
  if (!checked.ok()) return FailDocument("the revocation is not valid", checked, flags);
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  return Post(
      **client,
      "/v1/certificates/" + api::Client::EncodePathSegment(args.certificate_id) + "/revocation",
      *signed_revocation, args.json, flags);
}

struct ShowArgs {
  std::string id, node = kDefaultNode;
  bool json = false;
};

int RunShow(const ShowArgs& args) {
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  auto answer = (*client)->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(args.id));
  if (!answer.ok()) return Fail(args.id, answer.status());
  std::cout << (args.json ? answer->dump(2) + "\n" : RenderCertificate(*answer));
  return kExitOk;
}

struct CheckpointArgs {
  std::string node = kDefaultNode, genesis;
  bool json = false;
};

int RunCheckpoint(const CheckpointArgs& args) {
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  auto note = (*client)->GetText("/v1/checkpoint");
  if (!note.ok()) return Fail("GET /v1/checkpoint", note.status());
  if (args.genesis.empty()) {
    std::cout << *note;
    return kExitOk;
  }
  auto genesis = ledger::LoadGenesisFile(args.genesis);
  if (!genesis.ok()) return Fail("--genesis", genesis.status());
  CheckpointReport report = VerifyCheckpoint(*genesis, *note);
  if (args.json) {
    std::cout << Json{{"checkpoint", *note},       {"valid", report.valid},
                      {"origin", report.origin},   {"tree_size", report.tree_size},
                      {"signers", report.signers}, {"quorum", report.quorum},
                      {"reasons", report.reasons}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << *note << "\n" << RenderCheckpoint(report, true);
  }
  return report.valid ? kExitOk : 1;
}

// ---------------------------------------------------------------------------
// Operators: the cluster's state (docs/cli.md#status).

struct StatusArgs {
  std::string node = kDefaultNode;
  bool json = false;
};

int RunStatus(const StatusArgs& args) {
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  auto first = (*client)->GetJson("/v1/status");
  if (!first.ok()) return Fail("GET " + args.node + "/v1/status", first.status());
  std::vector<ValidatorStatus> validators;
  for (const Json& v : first->value("validators", Json::array())) {
    ValidatorStatus vs;
    vs.name = v.value("name", "");
    vs.api = v.value("api", "");
    if (vs.name == first->value("node", "")) {
      vs.reachable = true;
      vs.status = *first;
    } else {
      // A validator that is down must not hold up the report for long.
      api::ClientOptions options;
      options.connect_timeout_ms = 1000;
      options.read_timeout_ms = 2000;
      auto peer = api::Client::Create(vs.api, options);
      auto answer = peer.ok() ? (*peer)->GetJson("/v1/status") : Result<Json>(peer.status());
      vs.reachable = answer.ok();
      if (answer.ok()) {
        vs.status = std::move(answer).value();
      } else {
        vs.error = answer.status().message();
      }
    }
    validators.push_back(std::move(vs));
  }
  if (args.json) {
    std::cout << ClusterStatusJson(validators).dump(2) << "\n";
  } else {
    std::cout << RenderClusterStatus(validators);
  }
  for (const ValidatorStatus& v : validators) {
    if (!v.reachable) return 1;
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------
// Inspectors: trust bundles, labels, verification (docs/cli.md#trust, #verify).

struct TrustArgs {
  std::string node = kDefaultNode, genesis, output;
};

Result<ledger::Genesis> LoadTrustedGenesis(const std::string& path) {
  if (path.empty()) {
    return Status::InvalidArgument(
        "--genesis FILE (or $FRONTERA_GENESIS) is required: it is the root of trust");
  }
  auto genesis = ledger::LoadGenesisFile(path);
  if (!genesis.ok()) return genesis.status().WithContext("--genesis " + path);
  return genesis;
}

// GET /v1/proofs/consistency between two tree sizes; empty when there is
// nothing to prove (an empty first tree, or equal sizes).
Result<std::vector<crypto::Hash>> FetchConsistency(api::Client& client, uint64_t first,
                                                   uint64_t second) {
  if (first == 0 || first >= second) return std::vector<crypto::Hash>{};
  auto answer = client.GetJson("/v1/proofs/consistency?first=" + std::to_string(first) +
                               "&second=" + std::to_string(second));
  if (!answer.ok()) return answer.status().WithContext("GET /v1/proofs/consistency");
  return ParseConsistencyAnswer(*answer, first, second);
}

int RunTrustSync(const TrustArgs& args) {
  auto genesis = LoadTrustedGenesis(args.genesis);
  if (!genesis.ok()) return Fail("trust sync", genesis.status());
  std::string path = args.output.empty() ? DefaultTrustPath() : args.output;
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  auto answer = (*client)->GetJson("/v1/trust-bundle");
  if (!answer.ok()) return Fail("GET /v1/trust-bundle", answer.status());
  auto bundle = VerifyTrustBundle(*answer, genesis->hash);
  if (!bundle.ok()) return Fail("the node's trust bundle is refused", bundle.status());
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    // The stored bundle is what this laptop already trusts: the new one must
    // extend its history (RFC 9162 §2.1.4), or the node forked.
    auto previous = LoadTrustFile(path, genesis->hash);
    if (!previous.ok()) {
      return Fail("the stored bundle " + path + " is refused (remove it to start over)",
                  previous.status());
    }
    auto proof = FetchConsistency(**client, previous->tree_size, bundle->tree_size);
    if (!proof.ok()) return Fail("consistency with the stored bundle", proof.status());
    Status consistent = CheckBundleConsistency(*previous, *bundle, *proof);
    if (!consistent.ok()) return Fail("the node's trust bundle is refused", consistent);
  }
  Status written = WriteTrustFile(path, *bundle, Now());
  if (!written.ok()) return Fail("-o " + path, written);
  std::cout << "trust bundle of " << bundle->genesis.network << " at tree size "
            << bundle->tree_size << " (" << bundle->checkpoint_signers.size() << " of "
            << bundle->genesis.validators.size() << " validators signed, "
            << bundle->revocations.size() << " revocations) written to " << path << "\n";
  return kExitOk;
}

int RunTrustShow(const TrustArgs& args) {
  auto genesis = LoadTrustedGenesis(args.genesis);
  if (!genesis.ok()) return Fail("trust show", genesis.status());
  std::string path = args.output.empty() ? DefaultTrustPath() : args.output;
  auto bundle = LoadTrustFile(path, genesis->hash);
  if (!bundle.ok()) return Fail("trust bundle " + path, bundle.status());
  std::cout << path << "\n" << RenderTrustBundle(*bundle, SystemClock().NowUnixMillis());
  return kExitOk;
}

struct LabelArgs {
  std::string id, node = kDefaultNode, output;
};

int RunLabel(const LabelArgs& args) {
  std::string extension = std::filesystem::path(args.output).extension().string();
  if (extension != ".png" && extension != ".svg") {
    return Usage("label: -o must name a .png or .svg file");
  }
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  std::string path =
      "/v1/certificates/" + api::Client::EncodePathSegment(args.id) + "/qr" + extension;
  auto image = (*client)->GetText(path);
  if (!image.ok()) return Fail("GET " + path, image.status());
  Status written = WriteNewFile(args.output, *image, 0644);
  if (written.IsAlreadyExists()) {
    std::cerr << "frontera: -o " << written.message() << " (nothing is overwritten)\n";
    return kExitCantCreate;
  }
  if (!written.ok()) return Fail("-o " + args.output, written);
  std::cout << args.output << ": label of " << args.id << "\n";
  return kExitOk;
}

struct VerifyArgs {
  std::string target, payload, node = kDefaultNode, genesis, trust, key;
  bool online = false;
  bool json = false;
  bool record = false;
};

// Everything a label verification needs, loaded once for a run (a scanner
// session verifies many labels with one bundle and one connection).
struct LabelSession {
  const VerifyArgs* args = nullptr;
  ledger::Genesis genesis;
  std::optional<TrustBundle> bundle;
  std::unique_ptr<api::Client> client;  // online only
  std::optional<crypto::KeyPair> record_key;
  bool colour = false;
};

// Records an EPCIS `inspecting` event by the inspector for `certificate_id`
// (docs/cli.md#verify --record) and prints its ledger position.
int RecordInspection(LabelSession& session, const std::string& certificate_id) {
  std::string path = "/v1/certificates/" + api::Client::EncodePathSegment(certificate_id);
  auto certificate = session.client->GetJson(path);
  if (!certificate.ok()) return Fail("--record: " + certificate_id, certificate.status());
  auto credential = ledger::ParseCredential(certificate->value("credential", Json::object()));
  if (!credential.ok()) return Fail("--record: the node's copy", credential.status());
  int64_t now = SystemClock().NowUnixMillis();
  EventFields f;
  f.kind = ledger::EventKind::kInspecting;
  f.event_id = NewUrnUuid();
  f.event_time = FormatRfc3339WithOffset(now, LocalUtcOffsetMinutes(now));
  f.certificate_id = certificate_id;
  f.epc = ledger::ItemEpc(*credential);
  f.signer_did = crypto::DidKeyFromPublicKey(session.record_key->public_key());
  auto event = BuildEvent(f);
  if (!event.ok()) return Fail("--record", event.status());
  auto signed_event = SignDocument(*event, *session.record_key, Now());
  if (!signed_event.ok()) return Fail("--record: signing", signed_event.status());
  auto answer = session.client->PostJson(path + "/events", *signed_event);
  if (!answer.ok())
    return Fail("--record: the node rejected the inspecting event", answer.status());
  std::cout << "recorded inspecting: " << RenderReceipt(*answer) << "\n";
  return kExitOk;
}

// Verifies one label; prints the report (or one line with `one_line`) and
// returns its exit code.
int VerifyOneLabel(LabelSession& session, const std::string& scanned, bool one_line) {
  const VerifyArgs& args = *session.args;
  int64_t now = SystemClock().NowUnixMillis();
  LabelReport report;
  if (!args.online) {
    report = VerifyLabelOffline(*session.bundle, scanned, now);
  } else {
    OnlineLabelEvidence online;
    auto label = ledger::ParseLabel(scanned);
    if (!label.ok()) {
      online.not_found_reason = "not a label: nothing to ask the node";
    } else {
      auto answer = session.client->GetRaw(ResolverPath(*label), "application/json");
      if (!answer.ok()) return Fail("resolver", answer.status());
      auto json = crypto::ParseJson(answer->body);
      Result<std::string> id =
          Status::NotFound("the resolver answered HTTP " + std::to_string(answer->status));
      if (json.ok() && (answer->status == 200 || answer->status == 404)) {
        id = CertificateIdFromResolver(*json);
      }
      if (!id.ok() && !id.status().IsNotFound()) return Fail("resolver", id.status());
      if (!id.ok()) {
        online.not_found_reason = id.status().message();
      } else {
        auto evidence = FetchEvidence(*session.client, *id);
        if (evidence.status().IsNotFound()) {
          online.not_found_reason = "the node does not know " + *id;
        } else if (!evidence.ok()) {
          return Fail("verify " + *id, evidence.status());
        } else {
          online.found = true;
          online.evidence = std::move(*evidence);
          if (session.bundle) {
            CheckpointReport node = VerifyCheckpoint(session.genesis, online.evidence.checkpoint);
            uint64_t a = session.bundle->tree_size, b = node.tree_size;
            auto proof = FetchConsistency(*session.client, std::min(a, b), std::max(a, b));
            if (!proof.ok()) return Fail("consistency with the bundle", proof.status());
            online.consistency = std::move(*proof);
          }
        }
      }
    }
    report = VerifyLabelOnline(session.genesis, session.bundle ? &*session.bundle : nullptr,
                               scanned, online, now);
  }
  if (args.json) {
    std::cout << LabelReportJson(report).dump(one_line ? -1 : 2) << "\n";
  } else if (one_line) {
    std::string why = report.context;
    for (const Check& check : report.checks) {
      if (!check.passed && !check.reasons.empty()) {
        why = check.reasons.front();
        break;
      }
    }
    std::cout << LabelVerdictText(report) << "\t" << report.label << "\t" << why << "\n";
  } else {
    std::cout << RenderLabelReport(report, session.colour);
  }
  std::cout.flush();
  if (session.record_key && !report.certificate_id.empty()) {
    int recorded = RecordInspection(session, report.certificate_id);
    if (recorded != kExitOk) return recorded;
  }
  return ExitCodeOf(report.verdict);
}

int RunVerifyCertificate(const VerifyArgs& args) {
  if (!args.online) {
    return Usage(
        "verify: a certificate id needs --online (offline, verify the label: an image, "
        "--payload URI or - for a scanner; see docs/cli.md#verify)");
  }
  auto genesis = LoadTrustedGenesis(args.genesis);
  if (!genesis.ok()) return Fail("verify", genesis.status());
  auto client = Connect(args.node);
  if (!client.ok()) return Fail("--node", client.status());
  Report report;
  auto evidence = FetchEvidence(**client, args.target);
  if (evidence.ok()) {
    report = VerifyEvidence(*genesis, *evidence, SystemClock().NowUnixMillis());
  } else if (evidence.status().IsNotFound()) {
    report = NotOnLedgerReport(
        args.target, "the node does not know this certificate: " + evidence.status().message());
  } else {
    return Fail("verify " + args.target, evidence.status());
  }
  std::cout << (args.json ? ReportJson(report).dump(2) + "\n" : RenderReport(report));
  return ExitCodeOf(report.verdict);
}

int RunVerify(const VerifyArgs& args) {
  enum class Source { kPayload, kStdin, kImage, kCertificate } source;
  if (!args.payload.empty()) {
    if (!args.target.empty()) return Usage("verify: give TARGET or --payload, not both");
    source = Source::kPayload;
  } else if (args.target.empty()) {
    return Usage("verify: give an image file, --payload URI, - (scanner) or a certificate id");
  } else if (args.target == "-") {
    source = Source::kStdin;
  } else if (args.target.starts_with("https://")) {
    source = Source::kPayload;
  } else if (std::error_code ec; std::filesystem::is_regular_file(args.target, ec)) {
    source = Source::kImage;
  } else {
    source = Source::kCertificate;
  }
  if (args.record && (!args.online || args.key.empty())) {
    return Usage("verify: --record needs --online and --key FILE (the inspector's key)");
  }
  if (source == Source::kCertificate) return RunVerifyCertificate(args);

  LabelSession session;
  session.args = &args;
  auto genesis = LoadTrustedGenesis(args.genesis);
  if (!genesis.ok()) return Fail("verify", genesis.status());
  session.genesis = std::move(*genesis);
  // Every use of a bundle re-verifies it against the genesis file, so a bundle
  // edited on this machine is refused with the reason.
  std::string trust_path = args.trust.empty() ? DefaultTrustPath() : args.trust;
  auto bundle = LoadTrustFile(trust_path, session.genesis.hash);
  if (bundle.ok()) {
    session.bundle = std::move(*bundle);
  } else if (!bundle.status().IsNotFound() || !args.online) {
    if (bundle.status().IsNotFound()) {
      std::cerr << "frontera: verify offline needs a trust bundle: " << bundle.status().message()
                << "\n  run `frontera trust sync --node URL` while online, or pass --online\n";
      return kExitNoInput;
    }
    return Fail("trust bundle " + trust_path + " is refused", bundle.status());
  }
  if (args.online) {
    auto client = Connect(args.node);
    if (!client.ok()) return Fail("--node", client.status());
    session.client = std::move(*client);
  }
  if (args.record) {
    auto key = LoadKey(args.key);
    if (!key.ok()) return Fail("--key", key.status());
    session.record_key = std::move(*key);
  }
  // no-color.org: colour only on a terminal, and never when NO_COLOR is set
  // to a non-empty value.
  const char* no_color = std::getenv("NO_COLOR");
  session.colour = ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');

  switch (source) {
    case Source::kPayload:
      return VerifyOneLabel(session, args.payload.empty() ? args.target : args.payload, false);
    case Source::kImage: {
      auto scanned = ScanImageFile(args.target);
      if (!scanned.ok()) return Fail("verify", scanned.status());
      return VerifyOneLabel(session, *scanned, false);
    }
    case Source::kStdin: {
      // A handheld scanner types one label per line: answer each at once.
      int first_failure = kExitOk;
      std::string line;
      while (std::getline(std::cin, line)) {
        std::string scanned = TrimScannedLine(line);
        if (scanned.empty()) continue;
        int code = VerifyOneLabel(session, scanned, true);
        if (code != kExitOk && first_failure == kExitOk) first_failure = code;
      }
      return first_failure;
    }
    case Source::kCertificate:
      break;
  }
  return RunVerifyCertificate(args);
}

int RunBenchCommand(const BenchOptions& options, const std::string& key_path) {
  if (options.n == 0 || options.concurrency == 0) return Usage("bench: -n and -c must be positive");
  auto key = LoadKey(key_path);
  if (!key.ok()) return Fail("--key", key.status());
  auto result = RunBench(options, *key);
  if (!result.ok()) return Fail("bench", result.status());
  std::cout << BenchResultJson(*result).dump(2) << "\n";
  if (result->errors > 0) std::cerr << "first error: " << result->first_error << "\n";
  return kExitOk;
}

int Main(int argc, char** argv) {
  crypto::InitCrypto();
  CLI::App app{"frontera: client of a Frontera provenance ledger (docs/cli.md)"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help of every command");

  auto add_node = [](CLI::App* command, std::string& node) {
    command->add_option("--node", node, "base URL of a validator's API")
        ->envname("FRONTERA_NODE")
        ->capture_default_str();
  };
  auto add_genesis = [](CLI::App* command, std::string& genesis) {
    command->add_option("--genesis", genesis, "genesis file, the root of trust")
        ->envname("FRONTERA_GENESIS");
  };

  KeygenArgs keygen_args;
  CLI::App* keygen = app.add_subcommand("keygen", "create an Ed25519 key file (mode 0600)");
  keygen->add_option("-o,--output", keygen_args.output, "key file to create")->required();
  keygen->add_option("--seed", keygen_args.seed_hex, "64 hex digit seed (tests only)");

  GenesisArgs genesis_args;
  CLI::App* genesis =
      app.add_subcommand("genesis", "build a genesis file from a TOML network description");
  genesis->add_option("--from", genesis_args.from, "network description (TOML)")->required();
  genesis->add_option("-o,--output", genesis_args.output,
                      "genesis file to create (default stdout)");

  IssueCommon issue_common;
  std::string issue_file;
  CLI::App* issue = app.add_subcommand("issue", "issue a certificate");
  issue->require_subcommand(0, 1);
  issue->add_option("--file", issue_file, "post this credential (signed with --key if unsigned)");
  issue->add_option("--key", issue_common.key, "key file of the issuer");
  add_node(issue, issue_common.node);
  issue->add_flag("--json", issue_common.json, "print the node's answer as JSON");
  auto add_issue_common = [&](CLI::App* command) {
    command->add_option("--node", issue_common.node, "base URL of a validator's API")
        ->envname("FRONTERA_NODE")
        ->capture_default_str();
    command->add_option("--key", issue_common.key, "key file of the issuer")->required();
    command->add_option("--id", issue_common.id, "credential id (default: fresh urn:uuid)");
    command->add_option("--valid-from", issue_common.valid_from, "RFC 3339 (default: now)");
    command->add_option("--valid-until", issue_common.valid_until, "RFC 3339");
    command->add_option("--resolver", issue_common.resolver,
                        "label resolver host (default: the node's)");
    command->add_flag("--no-label", issue_common.no_label, "issue without a QR label");
    command->add_flag("--json", issue_common.json, "print the node's answer as JSON");
  };

  PharmaArgs pharma_args;
  CLI::App* pharma = issue->add_subcommand("pharma", "ProductAuthenticityCredential");
  add_issue_common(pharma);
  pharma->add_option("--gtin", pharma_args.gtin, "GTIN-14 (AI 01)")->required();
  pharma->add_option("--lot", pharma_args.lot, "lot (AI 10)")->required();
  pharma->add_option("--serial", pharma_args.serial, "serial (AI 21)")->required();
  pharma->add_option("--expiry", pharma_args.expiry, "YYYY-MM-DD (AI 17)")->required();
  pharma->add_option("--product-name", pharma_args.product_name)->required();
  pharma->add_option("--strength-dosage-form", pharma_args.strength_dosage_form)->required();
  pharma->add_option("--container-size", pharma_args.container_size)->required();
  pharma->add_option("--ndc", pharma_args.ndc, "US National Drug Code");

  PrecursorArgs precursor_args;
  CLI::App* precursor = issue->add_subcommand("precursor", "PrecursorConsignmentCredential");
  add_issue_common(precursor);
  precursor->add_option("--sscc", precursor_args.sscc, "SSCC (AI 00)")->required();
  precursor->add_option("--substance", precursor_args.substance, "substance name")->required();
  precursor->add_option("--cas", precursor_args.cas, "CAS Registry Number")->required();
  precursor->add_option("--un-table", precursor_args.un_table, "UN 1988 Convention table")
      ->required()
      ->check(CLI::IsMember({"I", "II"}));
  precursor->add_option("--hs-code", precursor_args.hs_code)->required();
  precursor->add_option("--quantity", precursor_args.quantity)->required();
  precursor->add_option("--uom", precursor_args.uom, "UN/ECE Rec 20 unit, e.g. KGM")->required();
  precursor->add_option("--concentration", precursor_args.concentration);
  precursor->add_option("--importer", precursor_args.importer, "importer DID")->required();
  precursor->add_option("--consignee", precursor_args.consignee, "consignee DID")->required();
  precursor->add_option("--point-of-entry", precursor_args.point_of_entry, "UN/LOCODE")->required();
  precursor->add_option("--dispatch-date", precursor_args.dispatch_date, "YYYY-MM-DD")->required();
  precursor->add_option("--pen", precursor_args.pen, "pre-export notification reference");
  precursor->add_option("--import-permit", precursor_args.import_permit);

  EventArgs event_args;
  CLI::App* event = app.add_subcommand("event", "record a movement or customs act");
  event
      ->add_option("STEP", event_args.step,
                   "shipping|departing|arriving|receiving|inspecting|hold|release|"
                   "joint-inspection")
      ->required();
  event->add_option("CERT_ID", event_args.certificate_id, "certificate id")->required();
  add_node(event, event_args.node);
  event->add_option("--key", event_args.key, "key file of the party acting")->required();
  event->add_option("--to", event_args.to, "DID of the next custodian (required for shipping)");
  event->add_option("--read-point", event_args.read_point, "readPoint URI");
  event->add_option("--biz-location", event_args.biz_location, "bizLocation URI");
  event->add_option("--time", event_args.time, "RFC 3339 with offset (default: now, local)");
  event->add_flag("--json", event_args.json, "print the node's answer as JSON");

  RevokeArgs revoke_args;
  CLI::App* revoke = app.add_subcommand("revoke", "revoke a certificate");
  revoke->add_option("CERT_ID", revoke_args.certificate_id, "certificate id")->required();
  add_node(revoke, revoke_args.node);
  revoke->add_option("--key", revoke_args.key, "key file of the issuer or an agency")->required();
  revoke->add_option("--reason", revoke_args.reason, "why")->required();
  revoke->add_flag("--json", revoke_args.json, "print the node's answer as JSON");

  ShowArgs show_args;
  CLI::App* show = app.add_subcommand("show", "show a certificate and its timeline");
  show->add_option("ID", show_args.id, "certificate id")->required();
  add_node(show, show_args.node);
  show->add_flag("--json", show_args.json, "print the node's answer as JSON");

  CheckpointArgs checkpoint_args;
  CLI::App* checkpoint = app.add_subcommand("checkpoint", "print (and verify) the checkpoint");
  add_node(checkpoint, checkpoint_args.node);
  add_genesis(checkpoint, checkpoint_args.genesis);
  checkpoint->add_flag("--json", checkpoint_args.json, "machine output (with --genesis)");

  StatusArgs status_args;
  CLI::App* status = app.add_subcommand(
      "status", "every validator's role, term, commit and applied index, lag and last contact");
  add_node(status, status_args.node);
  status->add_flag("--json", status_args.json, "machine output");

  VerifyArgs verify_args;
  CLI::App* verify = app.add_subcommand(
      "verify", "verify a label (image, --payload, - for a scanner) or a certificate id");
  verify->add_option("TARGET", verify_args.target,
                     "PNG/JPEG image of a label, a label URI, - (one label per line on stdin), "
                     "or a certificate id (with --online)");
  verify->add_option("--payload", verify_args.payload, "the label URI as scanned");
  verify->add_flag("--online", verify_args.online, "ask --node for the ledger's evidence");
  add_node(verify, verify_args.node);
  add_genesis(verify, verify_args.genesis);
  verify->add_option("--trust", verify_args.trust,
                     "trust bundle (default $FRONTERA_TRUST or "
                     "~/.frontera/trust.json)");
  verify->add_flag("--json", verify_args.json, "machine output");
  verify->add_flag("--record", verify_args.record,
                   "record an EPCIS inspecting event for the certificate (with --online --key)");
  verify->add_option("--key", verify_args.key, "the inspector's key file (for --record)");

  TrustArgs trust_args;
  CLI::App* trust = app.add_subcommand("trust", "the inspector's offline trust bundle");
  trust->require_subcommand(1);
  CLI::App* trust_sync = trust->add_subcommand("sync", "fetch, verify and store the bundle");
  add_node(trust_sync, trust_args.node);
  add_genesis(trust_sync, trust_args.genesis);
  trust_sync->add_option("-o,--output", trust_args.output,
                         "bundle file (default $FRONTERA_TRUST or ~/.frontera/trust.json)");
  CLI::App* trust_show = trust->add_subcommand("show", "print the stored bundle and its age");
  add_genesis(trust_show, trust_args.genesis);
  trust_show->add_option("--trust", trust_args.output,
                         "bundle file (default $FRONTERA_TRUST or ~/.frontera/trust.json)");

  LabelArgs label_args;
  CLI::App* label = app.add_subcommand("label", "save a certificate's QR label (PNG or SVG)");
  label->add_option("ID", label_args.id, "certificate id")->required();
  label->add_option("-o,--output", label_args.output, "label.png or label.svg (not overwritten)")
      ->required();
  add_node(label, label_args.node);

  BenchOptions bench_options;
  bench_options.node = kDefaultNode;
  std::string bench_key;
  CLI::App* bench = app.add_subcommand("bench", "measure issue throughput and latency");
  add_node(bench, bench_options.node);
  bench->add_option("--key", bench_key, "key file of a manufacturer")->required();
  bench->add_option("-n", bench_options.n, "measured requests")->capture_default_str();
  bench->add_option("-c", bench_options.concurrency, "connections")->capture_default_str();
  bench->add_option("--warmup", bench_options.warmup, "unmeasured requests first")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (keygen->parsed()) return RunKeygen(keygen_args);
  if (genesis->parsed()) return RunGenesis(genesis_args);
  if (issue->parsed()) {
    if (pharma->parsed()) return RunIssuePharma(issue_common, pharma_args);
    if (precursor->parsed()) return RunIssuePrecursor(issue_common, precursor_args);
    if (issue_file.empty()) return Usage("issue: give `pharma`, `precursor` or --file FILE");
    return RunIssueFile(issue_common, issue_file);
  }
  if (event->parsed()) return RunEvent(event_args);
  if (revoke->parsed()) return RunRevoke(revoke_args);
  if (show->parsed()) return RunShow(show_args);
  if (checkpoint->parsed()) return RunCheckpoint(checkpoint_args);
  if (status->parsed()) return RunStatus(status_args);
  if (verify->parsed()) return RunVerify(verify_args);
  if (trust_sync->parsed()) return RunTrustSync(trust_args);
  if (trust_show->parsed()) return RunTrustShow(trust_args);
  if (label->parsed()) return RunLabel(label_args);
  if (bench->parsed()) return RunBenchCommand(bench_options, bench_key);
  return Usage("no command given; see frontera --help");
}

}  // namespace
}  // namespace frontera::tools

int main(int argc, char** argv) { return frontera::tools::Main(argc, argv); }
