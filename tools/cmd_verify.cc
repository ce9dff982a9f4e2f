#include "tools/cmd_verify.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>
#include <variant>

#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "ledger/documents.h"
#include "ledger/genesis.h"
#include "ledger/label.h"
#include "tools/builders.h"
#include "tools/exit_codes.h"
#include "tools/label_verify.h"
#include "tools/remote.h"
#include "tools/scan.h"
#include "tools/time_util.h"
#include "tools/trust.h"
#include "tools/verify.h"

namespace frontera::tools {
namespace {

using crypto::Json;

Result<ledger::Genesis> LoadTrustedGenesis(const std::string& path) {
  if (path.empty()) {
    return Status::InvalidArgument(
        "--genesis FILE (or $FRONTERA_GENESIS) is required: it is the root of trust");
  }
  auto genesis = ledger::LoadGenesisFile(path);
  if (!genesis.ok()) return genesis.status().WithContext("--genesis " + path);
  return genesis;
}

// Everything a label verification needs, loaded once for a run (a scanner
// session verifies many labels with one bundle and one connection).
struct LabelSession {
  const VerifyOptions* options = nullptr;
  const CommandEnv* env = nullptr;
  ledger::Genesis genesis;
  std::optional<TrustBundle> bundle;
  std::unique_ptr<Node> node;  // online only
  std::optional<crypto::KeyPair> record_key;
  std::optional<ledger::Genesis> online_directory;  // OnlineDirectory, once asked
};

// The parties to judge by online: those of the node's trust bundle (verified
// against the genesis file), so that parties the registry added or suspended
// since the genesis are known; the genesis's when the node has no bundle yet.
ledger::Genesis OnlineDirectory(Node& node, const ledger::Genesis& genesis) {
  auto answer = node.GetJson("/v1/trust-bundle");
  if (!answer.ok()) return genesis;
  auto bundle = VerifyTrustBundle(*answer, genesis.hash);
  if (!bundle.ok()) return genesis;
  return std::move(bundle->directory);
}

// Events after the bundle's checkpoint may name parties registered after it
// too: those the evidence's events name (signers, next custodians) and the
// directory lacks are taken from the node's registry (GET /v1/parties/{did}),
// as the events themselves come from the node. The issuer is not: its
// registration precedes the credential, which the checkpoint covers.
void AddRecentParties(Node& node, const Evidence& evidence, ledger::Genesis& directory) {
  std::vector<std::string> dids;
  for (const Json& event : evidence.events) {
    if (auto signer = crypto::ProofSignerDids(event); !signer.empty()) dids.push_back(signer[0]);
    if (auto parsed = ledger::ParseEvent(event); parsed.ok()) {
      dids.push_back(parsed->destination_party);
    }
  }
  for (const std::string& did : dids) {
    if (did.empty() || directory.FindParty(did) != nullptr) continue;
    auto party = FetchPartyJson(node, did);
    if (!party.ok()) continue;
    std::vector<FieldError> errors;
    ledger::Party p = ledger::ReadParty(*party, "", errors);
    if (!errors.empty() || p.did != did) continue;
    p.suspended = party->value("status", "") == "suspended";
    p.successor = party->value("successor", "");
    directory.parties.push_back(std::move(p));
  }
}

// A request that failed, and what it was for ("resolver", "verify <id>", …).
struct AskFailure {
  std::string what;
  Status status;
};

// Asks the node about one label: its certificate, evidence and, with a
// bundle, the consistency proof between the two checkpoints.
std::variant<OnlineLabelEvidence, AskFailure> AskNode(LabelSession& session,
                                                      const std::string& scanned) {
  OnlineLabelEvidence online;
  auto label = ledger::ParseLabel(scanned);
  if (!label.ok()) {
    online.not_found_reason = "not a label: nothing to ask the node";
    return online;
  }
  auto answer = session.node->GetRaw(ResolverPath(*label), "application/json");
  if (!answer.ok()) return AskFailure{"resolver", answer.status()};
  auto json = crypto::ParseJson(answer->body);
  Result<std::string> id =
      Status::NotFound("the resolver answered HTTP " + std::to_string(answer->status));
  if (json.ok() && (answer->status == 200 || answer->status == 404)) {
    id = CertificateIdFromResolver(*json);
  }
  if (!id.ok() && !id.status().IsNotFound()) return AskFailure{"resolver", id.status()};
  if (!id.ok()) {
    online.not_found_reason = id.status().message();
    return online;
  }
  auto evidence = FetchEvidence(*session.node, *id);
  if (evidence.status().IsNotFound()) {
    online.not_found_reason = "the node does not know " + *id;
    return online;
  }
  if (!evidence.ok()) return AskFailure{"verify " + *id, evidence.status()};
  online.found = true;
  online.evidence = std::move(*evidence);
  if (session.bundle) {
    CheckpointReport node = VerifyCheckpoint(session.genesis, online.evidence.checkpoint);
    uint64_t a = session.bundle->tree_size, b = node.tree_size;
    auto proof = FetchConsistency(*session.node, std::min(a, b), std::max(a, b));
    if (!proof.ok()) return AskFailure{"consistency with the bundle", proof.status()};
    online.consistency = std::move(*proof);
  }
  return online;
}

// Records an EPCIS `inspecting` event by the inspector for `certificate_id`
// (docs/cli.md#verify --record) and prints its ledger position.
int RecordInspection(LabelSession& session, const std::string& certificate_id) {
  const CommandEnv& env = *session.env;
  std::string path = CertificatePath(certificate_id);
  auto certificate = session.node->GetJson(path);
  if (!certificate.ok()) return Fail(env, "--record: " + certificate_id, certificate.status());
  auto epc = ItemEpcOfAnswer(*certificate);
  if (!epc.ok()) return Fail(env, "--record: the node's copy", epc.status());
  int64_t now = env.clock.NowUnixMillis();
  EventFields f;
  f.kind = ledger::EventKind::kInspecting;
  f.event_id = NewUrnUuid();
  f.event_time = FormatRfc3339WithOffset(now, LocalUtcOffsetMinutes(now));
  f.certificate_id = certificate_id;
  f.epc = *epc;
  f.signer_did = crypto::DidKeyFromPublicKey(session.record_key->public_key());
  auto event = BuildEvent(f);
  if (!event.ok()) return Fail(env, "--record", event.status());
  auto signed_event = SignDocument(*event, *session.record_key, NowRfc3339(env));
  if (!signed_event.ok()) return Fail(env, "--record: signing", signed_event.status());
  auto answer = session.node->PostJson(path + "/events", *signed_event);
  if (!answer.ok()) {
    return Fail(env, "--record: the node rejected the inspecting event", answer.status());
  }
  env.out << "recorded inspecting: " << RenderReceipt(*answer) << "\n";
  return kExitOk;
}

// Verifies one label; prints the report (or one line with `one_line`) and
// returns its exit code.
int VerifyOneLabel(LabelSession& session, const std::string& scanned, bool one_line) {
  const VerifyOptions& options = *session.options;
  const CommandEnv& env = *session.env;
  int64_t now = env.clock.NowUnixMillis();
  LabelReport report;
  std::string notice;
  if (!options.online) {
    report = VerifyLabelOffline(*session.bundle, scanned, now);
  } else {
    auto asked = AskNode(session, scanned);
    if (auto* failure = std::get_if<AskFailure>(&asked)) {
      // No answer at all (not a problem the node answered): the stored bundle
      // still gives an offline verdict, said to be one.
      Status unreachable = session.node->unreachable();
      if (unreachable.ok() || !session.bundle) return Fail(env, failure->what, failure->status);
      // Its age by the co-signatures' signed time ("synced_at" is not signed).
      std::string age = session.bundle->signed_time
                            ? DescribeAge(CheckBundleAge(*session.bundle, now).age_millis) + " ago"
                            : "at an unknown time";
      notice = "notice: " + session.node->base_url() + " unreachable (" + unreachable.message() +
               "); verified OFFLINE against the trust bundle co-signed " + age;
      report = VerifyLabelOffline(*session.bundle, scanned, now);
    } else {
      if (!session.online_directory) {
        session.online_directory = OnlineDirectory(*session.node, session.genesis);
      }
      const auto& online = std::get<OnlineLabelEvidence>(asked);
      if (online.found) AddRecentParties(*session.node, online.evidence, *session.online_directory);
      report = VerifyLabelOnline(*session.online_directory,
                                 session.bundle ? &*session.bundle : nullptr, scanned, online, now);
    }
  }
  if (options.json) {
    Json json = LabelReportJson(report);
    if (!notice.empty()) json["notice"] = notice;
    env.out << json.dump(one_line ? -1 : 2) << "\n";
  } else {
    if (!notice.empty()) env.out << notice << "\n";
    if (one_line) {
      std::string why = report.context;
      for (const Check& check : report.checks) {
        if (!check.passed && !check.reasons.empty()) {
          why = check.reasons.front();
          break;
        }
      }
      env.out << LabelVerdictText(report) << "\t" << report.label << "\t" << why << "\n";
    } else {
      env.out << RenderLabelReport(report, options.colour);
    }
  }
  env.out.flush();
  if (session.record_key && !notice.empty()) {
    env.err << "frontera: --record: nothing recorded (the node is unreachable)\n";
  } else if (session.record_key && !report.certificate_id.empty()) {
    int recorded = RecordInspection(session, report.certificate_id);
    if (recorded != kExitOk) return recorded;
  }
  return ExitCodeOf(report.verdict);
}

// Verifies a certificate by id. The full view (an agency or a party the
// certificate names, signing with --key) is checked whole (VerifyEvidence);
// the public view has no whole credential, so its label is verified online
// instead: the label's own signature, and the ledger's record of it.
int RunVerifyCertificate(LabelSession& session) {
  const VerifyOptions& options = *session.options;
  const CommandEnv& env = *session.env;
  Report report;
  auto evidence = FetchEvidence(*session.node, options.target);
  if (evidence.ok() && evidence->public_view) {
    const Json& subject = evidence->credential.value("credentialSubject", Json::object());
    if (!subject.contains("label") || !subject["label"].is_string()) {
      return Fail(env, "verify " + options.target,
                  Status::PermissionDenied(
                      "the node answered the public view, and the certificate has no label to "
                      "verify it by: run with --key KEY of an agency or a party it names"));
    }
    return VerifyOneLabel(session, subject["label"].get<std::string>(), false);
  }
  if (evidence.ok()) {
    ledger::Genesis directory = OnlineDirectory(*session.node, session.genesis);
    AddRecentParties(*session.node, *evidence, directory);
    report = VerifyEvidence(directory, *evidence, env.clock.NowUnixMillis());
  } else if (evidence.status().IsNotFound()) {
    report = NotOnLedgerReport(
        options.target, "the node does not know this certificate: " + evidence.status().message());
  } else {
    return Fail(env, "verify " + options.target, evidence.status());
  }
  env.out << (options.json ? ReportJson(report).dump(2) + "\n" : RenderReport(report));
  return ExitCodeOf(report.verdict);
}

}  // namespace

int RunTrustSync(const TrustOptions& options, const CommandEnv& env) {
  auto genesis = LoadTrustedGenesis(options.genesis);
  if (!genesis.ok()) return Fail(env, "trust sync", genesis.status());
  std::string path = options.path.empty() ? DefaultTrustPath() : options.path;
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  auto answer = node->GetJson("/v1/trust-bundle");
  if (!answer.ok()) return Fail(env, "GET /v1/trust-bundle", answer.status());
  auto bundle = VerifyTrustBundle(*answer, genesis->hash);
  if (!bundle.ok()) return Fail(env, "the node's trust bundle is refused", bundle.status());
  if (Status witnessed = CheckWitnessQuorum(*bundle, options.witnesses); !witnessed.ok()) {
    env.err << "frontera: trust sync: the node's trust bundle is refused: " << witnessed.message()
            << "\n";
    return kExitWitnessesMissing;
  }
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    // The stored bundle is what this laptop already trusts: the new one must
    // extend its history (RFC 9162 §2.1.4), or the node forked.
    auto previous = LoadTrustFile(path, genesis->hash);
    if (!previous.ok()) {
      return Fail(env, "the stored bundle " + path + " is refused (remove it to start over)",
                  previous.status());
    }
    auto proof = FetchConsistency(*node, previous->tree_size, bundle->tree_size);
    if (!proof.ok()) return Fail(env, "consistency with the stored bundle", proof.status());
    Status consistent = CheckBundleConsistency(*previous, *bundle, *proof);
    if (!consistent.ok()) return Fail(env, "the node's trust bundle is refused", consistent);
  }
  Status written = WriteTrustFile(path, *bundle, NowRfc3339(env));
  if (!written.ok()) return Fail(env, "-o " + path, written);
  const std::string witnessed = bundle->genesis.witnesses.empty()
                                    ? ""
                                    : std::to_string(bundle->witness_cosigners.size()) + " of " +
                                          std::to_string(bundle->genesis.witnesses.size()) +
                                          " witnesses cosigned, ";
  env.out << "trust bundle of " << bundle->genesis.network << " at tree size " << bundle->tree_size
          << " (" << bundle->checkpoint_signers.size() << " of " << bundle->voters.size()
          << " voters signed, " << witnessed << bundle->revocations.size()
          << " revocations) written to " << path << "\n";
  return kExitOk;
}

int RunTrustShow(const TrustOptions& options, const CommandEnv& env) {
  auto genesis = LoadTrustedGenesis(options.genesis);
  if (!genesis.ok()) return Fail(env, "trust show", genesis.status());
  std::string path = options.path.empty() ? DefaultTrustPath() : options.path;
  auto bundle = LoadTrustFile(path, genesis->hash);
  if (!bundle.ok()) return Fail(env, "trust bundle " + path, bundle.status());
  env.out << path << "\n" << RenderTrustBundle(*bundle, env.clock.NowUnixMillis());
  return kExitOk;
}

int RunVerify(const VerifyOptions& options, const CommandEnv& env) {
  enum class Source { kPayload, kStdin, kImage, kCertificate } source;
  if (!options.payload.empty()) {
    if (!options.target.empty()) return Usage(env, "verify: give TARGET or --payload, not both");
    source = Source::kPayload;
  } else if (options.target.empty()) {
    return Usage(env, "verify: give an image file, --payload URI, - (scanner) or a certificate id");
  } else if (options.target == "-") {
    source = Source::kStdin;
  } else if (options.target.starts_with("https://")) {
    source = Source::kPayload;
  } else if (std::error_code ec; std::filesystem::is_regular_file(options.target, ec)) {
    source = Source::kImage;
  } else {
    source = Source::kCertificate;
  }
  if (options.record && (!options.online || options.key.empty())) {
    return Usage(env, "verify: --record needs --online and --key FILE (the inspector's key)");
  }
  if (source == Source::kCertificate && !options.online) {
    return Usage(env,
                 "verify: a certificate id needs --online (offline, verify the label: an image, "
                 "--payload URI or - for a scanner; see docs/cli.md#verify)");
  }

  LabelSession session;
  session.options = &options;
  session.env = &env;
  auto genesis = LoadTrustedGenesis(options.genesis);
  if (!genesis.ok()) return Fail(env, "verify", genesis.status());
  session.genesis = std::move(*genesis);
  // Every use of a bundle re-verifies it against the genesis file, so a bundle
  // edited on this machine is refused with the reason.
  std::string trust_path = options.trust.empty() ? DefaultTrustPath() : options.trust;
  // A certificate id is verified online only: no bundle is read for it.
  auto bundle = source == Source::kCertificate
                    ? Result<TrustBundle>(Status::NotFound("not read for a certificate id"))
                    : LoadTrustFile(trust_path, session.genesis.hash);
  if (bundle.ok() && !options.online) {
    // The k-of-witnesses policy: an offline verdict rests on the bundle's
    // checkpoint, which a split view would need the witnesses to sign too.
    if (Status witnessed = CheckWitnessQuorum(*bundle, options.witnesses); !witnessed.ok()) {
      env.err << "frontera: verify: trust bundle " << trust_path << ": " << witnessed.message()
              << "\n";
      return kExitWitnessesMissing;
    }
  }
  if (bundle.ok()) {
    session.bundle = std::move(*bundle);
  } else if (!bundle.status().IsNotFound() || !options.online) {
    if (bundle.status().IsNotFound()) {
      env.err << "frontera: verify offline needs a trust bundle: " << bundle.status().message()
              << "\n  run `frontera trust sync --node URL` while online, or pass --online\n";
      return kExitNoInput;
    }
    return Fail(env, "trust bundle " + trust_path + " is refused", bundle.status());
  }
  if (options.record) {
    auto key = LoadKey(options.key);
    if (!key.ok()) return Fail(env, "--key", key.status());
    session.record_key = std::move(*key);
  }
  if (options.online) {
    // --key signs the reads too: an agency or a named party gets the full
    // view, which the online checks need (docs/api.md §10).
    std::optional<crypto::KeyPair> signing_key = session.record_key;
    if (!signing_key && !options.key.empty()) {
      auto key = LoadKey(options.key);
      if (!key.ok()) return Fail(env, "--key", key.status());
      signing_key = std::move(*key);
    }
    int code = kExitOk;
    session.node = ConnectOrFail(env, options.node, &code, signing_key);
    if (session.node == nullptr) return code;
  }
  switch (source) {
    case Source::kPayload:
      return VerifyOneLabel(session, options.payload.empty() ? options.target : options.payload,
                            false);
    case Source::kImage: {
      auto scanned = ScanImageFile(options.target);
      if (!scanned.ok()) return Fail(env, "verify", scanned.status());
      return VerifyOneLabel(session, *scanned, false);
    }
    case Source::kStdin: {
      // A handheld scanner types one label per line: answer each at once.
      int first_failure = kExitOk;
      std::string line;
      while (std::getline(env.in, line)) {
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
  return RunVerifyCertificate(session);
}

}  // namespace frontera::tools
