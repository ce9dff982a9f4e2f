#include "tools/cli_app.h"

#include <initializer_list>
#include <utility>

#include "common/version.h"
#include "tools/exit_codes.h"

namespace frontera::tools {
namespace {

struct ExitCode {
  int code;
  const char* meaning;
};

// A help footer: the examples, then the exit codes (docs/cli.md#exit-codes).
std::string Footer(std::initializer_list<const char*> examples,
                   std::initializer_list<ExitCode> codes) {
  std::string out = examples.size() == 1 ? "Example:\n" : "Examples:\n";
  for (const char* example : examples) out += std::string("  ") + example + "\n";
  out += "\nExit codes (docs/cli.md#exit-codes):\n";
  for (const ExitCode& c : codes) {
    std::string code = std::to_string(c.code);
    out += "  " + code + std::string(4 - code.size(), ' ') + c.meaning + "\n";
  }
  return out;
}

constexpr ExitCode kUsageCode{kExitUsage, "bad or missing flag or argument"};
constexpr ExitCode kUnreachableCode{kExitUnavailable,
                                    "the node is unreachable, overloaded or has no leader"};
constexpr ExitCode kVerdictCodes[] = {
    {0, "AUTHENTIC (for -: every label)"},
    {1, "NOT AUTHENTIC"},
    {2, "REVOKED (shown as RECALLED for a recall)"},
    {3, "EXPIRED"},
    {4, "NOT ON LEDGER"},
    {5, "FLAGGED by an agency (shown as SUSPECT, ILLEGITIMATE or RECALLED)"},
    {kExitStaleBundle, "STALE BUNDLE: offline, the trust bundle is older than the network allows"},
    {kExitDecommissioned,
     "DECOMMISSIONED: ALREADY DISPENSED (a possible clone), DESTROYED, STOLEN, EXPORTED, …"},
};

void AddNode(CLI::App* command, std::string& node) {
  command->add_option("--node", node, "base URL of a validator's API")
      ->envname("FRONTERA_NODE")
      ->capture_default_str();
}

void AddGenesis(CLI::App* command, std::string& genesis) {
  command->add_option("--genesis", genesis, "genesis file, the root of trust")
      ->envname("FRONTERA_GENESIS");
}

void AddIssueCommon(CLI::App* command, IssueOptions& issue) {
  AddNode(command, issue.node);
  command->add_option("--key", issue.key, "key file of the issuer")->required();
  command->add_option("--id", issue.id, "credential id (default: fresh urn:uuid)");
  command->add_option("--valid-from", issue.valid_from, "RFC 3339 (default: now)");
  command->add_option("--valid-until", issue.valid_until, "RFC 3339");
  command->add_option("--resolver", issue.resolver, "label resolver host (default: the node's)");
  command->add_flag("--no-label", issue.no_label, "issue without a QR label");
  command->add_flag("--json", issue.json, "print the node's answer as JSON");
}

std::string IssueFooter(const char* example) {
  return Footer({example}, {{0, "recorded: prints \"<id> <status>: leaf …, block …\""},
                            kUsageCode,
                            {kExitDataError, "the credential is invalid or the node rejected it"},
                            {kExitNoInput, "a key file, input file or party does not exist"},
                            kUnreachableCode,
                            {kExitNoPermission, "the signer may not issue this"}});
}

}  // namespace

// `frontera notice file|export` (tools/cmd_notice.h).
void AddNoticeCommands(CLI::App* app, CliArgs& args) {
  CliArgs::Commands& c = args.commands;
  CLI::App* notice = app->add_subcommand(
      "notice", "illegitimate-product notices (DSCSA; the fields of Form FDA 3911)");
  notice->require_subcommand(1);
  notice->footer(Footer({"frontera notice export urn:uuid:… --key keys/us-cbp.key --format csv"},
                        {{0, "done"},
                         kUsageCode,
                         {kExitDataError, "the notice is not valid or the node refused it"},
                         {kExitNoInput, "no such notice, or a key file does not exist"},
                         {kExitNoPermission, "the key's party may not file or read it"},
                         kUnreachableCode}));
  NoticeFileOptions& f = args.notice_file;
  c.notice_file = notice->add_subcommand(
      "file", "file an initial notice, a follow-up or a termination (flags its certificates)");
  AddNode(c.notice_file, f.node);
  c.notice_file->add_option("--key", f.key, "key file of the filer (signs the notice)");
  c.notice_file->add_option("--file", f.file, "the notice as JSON (signed with --key if unsigned)");
  c.notice_file->add_option("--type", f.type, "initial, follow_up or termination")
      ->capture_default_str();
  c.notice_file->add_option("--id", f.id, "the notice's id (default: fresh urn:uuid)");
  c.notice_file->add_option("--initial", f.initial,
                            "follow_up, termination: the initial notice's id");
  c.notice_file->add_option("--certificate", f.certificates,
                            "initial: a certificate id the notice concerns (repeatable, 1-100)");
  c.notice_file->add_option("--classification", f.classification,
                            "initial: counterfeit, diverted, stolen, intentional_adulteration, "
                            "unfit_for_distribution or fraudulent_transaction");
  c.notice_file->add_option("--determined", f.determined,
                            "initial: the day the product was determined illegitimate "
                            "(YYYY-MM-DD)");
  c.notice_file->add_option("--description", f.description,
                            "what happened (a termination: why the notice is no longer needed)");
  c.notice_file->add_option("--quantity", f.quantity, "initial, follow_up: how much (packs)");
  c.notice_file->add_option("--uom", f.uom, "the unit of --quantity (UN/ECE Rec 20), if not packs");
  c.notice_file->add_option("--contact-name", f.contact_name, "who FDA contacts");
  c.notice_file->add_option("--contact-phone", f.contact_phone, "their telephone");
  c.notice_file->add_option("--contact-email", f.contact_email, "their e-mail address");
  c.notice_file->add_option("--incident-number", f.incident_number,
                            "follow_up, termination: the incident number FDA assigned");
  c.notice_file->add_flag("--json", f.json, "print the node's JSON answer");
  c.notice_file->footer(
      Footer({"frontera notice file --key keys/us-distributor.key --certificate urn:uuid:… "
              "--classification counterfeit --determined 2026-11-29 --quantity 12 "
              "--description \"…\" --contact-name \"Ana Ruiz\" --contact-phone \"+1 555 0100\" "
              "--contact-email qa@example.com",
              "frontera notice file --key keys/us-cbp.key --type termination --initial urn:uuid:… "
              "--description \"…\""},
             {{0, "filed: the receipt names the initial notice and its status"},
              kUsageCode,
              {kExitDataError,
               "the notice is not valid, or the node refused it (the reason names the "
               "flag)"},
              {kExitNoInput, "a key file or --file does not exist"},
              {kExitNoPermission, "the signer may not file it"},
              kUnreachableCode}));
  NoticeExportOptions& e = args.notice_export;
  c.notice_export =
      notice->add_subcommand("export", "the fields Form FDA 3911 asks for, one record per product");
  c.notice_export->add_option("ID", e.id, "the notice's id, or a follow-up's or termination's")
      ->required();
  AddNode(c.notice_export, e.node);
  c.notice_export
      ->add_option("--key", e.key, "key file of an agency or a party named: signs the read")
      ->required();
  c.notice_export->add_option("--format", e.format, "json or csv")->capture_default_str();
  c.notice_export->footer(
      Footer({"frontera notice export urn:uuid:… --key keys/us-cbp.key --format csv > 3911.csv"},
             {{0, "written"},
              kUsageCode,
              {kExitNoInput, "no such notice, or the key file does not exist"},
              {kExitNoPermission, "the key's party may not read the notice"},
              kUnreachableCode}));
}

std::unique_ptr<CLI::App> MakeApp(CliArgs& args) {
  auto app = std::make_unique<CLI::App>(
      "frontera: client of a Frontera provenance ledger (docs/cli.md)", "frontera");
  app->require_subcommand(1);
  app->set_help_all_flag("--help-all", "help of every command");
  app->set_version_flag("--version", version::VersionText("frontera"),
                        "print the version, the commit and the format versions, and exit");
  app->add_option("--ca-file", args.ca_file,
                  "PEM file of the certificate authorities to trust for https:// nodes (a "
                  "network's own CA, e.g. ./run.sh's); default: the system's")
      ->envname("FRONTERA_CA")
      ->check(CLI::ExistingFile);
  // --ca-file may also follow the command's name.
  app->fallthrough();
  CliArgs::Commands& c = args.commands;

  c.keygen = app->add_subcommand("keygen", "create an Ed25519 key file (mode 0600)");
  c.keygen->add_option("-o,--output", args.keygen.output, "key file to create")->required();
  c.keygen->add_option("--seed", args.keygen.seed_hex, "64 hex digit seed (tests only)");
  c.keygen->footer(
      Footer({"frontera keygen -o inspector.key   # prints did:key:z6Mk…"},
             {{0, "created; prints the key's did:key"},
              kUsageCode,
              {kExitCantCreate, "the file exists (never overwritten) or cannot be made"},
              {kExitIoError, "the file cannot be written"}}));

  c.genesis =
      app->add_subcommand("genesis", "build a genesis file from a TOML network description");
  c.genesis->add_option("--from", args.genesis.from, "network description (TOML)")->required();
  c.genesis->add_option("-o,--output", args.genesis.output,
                        "genesis file to create (default stdout)");
  c.genesis->footer(Footer({"frontera genesis --from network.toml -o genesis.json"},
                           {{0, "written"},
                            kUsageCode,
                            {kExitDataError, "the description is invalid (file:line: reason)"},
                            {kExitNoInput, "the description or a key file it names does not exist"},
                            {kExitCantCreate, "the output file exists or cannot be made"}}));

  c.issue = app->add_subcommand("issue", "issue a certificate");
  c.issue->require_subcommand(0, 1);
  c.issue->add_option("--file", args.issue_file,
                      "post this credential (signed with --key if unsigned)");
  c.issue->add_option("--key", args.issue.key, "key file of the issuer");
  AddNode(c.issue, args.issue.node);
  c.issue->add_flag("--json", args.issue.json, "print the node's answer as JSON");

  c.pharma = c.issue->add_subcommand("pharma", "ProductAuthenticityCredential for one unit");
  AddIssueCommon(c.pharma, args.issue);
  PharmaOptions& pharma = args.pharma;
  c.pharma->add_option("--gtin", pharma.gtin, "GTIN-14 (AI 01)")->required();
  c.pharma->add_option("--lot", pharma.lot, "lot (AI 10)")->required();
  c.pharma->add_option("--serial", pharma.serial, "serial (AI 21)")->required();
  c.pharma->add_option("--expiry", pharma.expiry, "YYYY-MM-DD (AI 17)")->required();
  c.pharma
      ->add_option("--product-name", pharma.product_name,
                   "product name, e.g. \"Amoxicillin 500 mg capsules\"")
      ->required();
  c.pharma
      ->add_option("--strength-dosage-form", pharma.strength_dosage_form,
                   "strength and dosage form, e.g. \"500 mg, capsule\"")
      ->required();
  c.pharma
      ->add_option("--container-size", pharma.container_size,
                   "container size, e.g. \"30 capsules\"")
      ->required();
  c.pharma->add_option("--ndc", pharma.ndc, "US National Drug Code");
  c.pharma->footer(IssueFooter(
      "frontera issue pharma --key mx-manufacturer.key --gtin 07501234000017 --lot LOT42A "
      "--serial SN1 --expiry 2028-10-31 --product-name \"Amoxicillin 500 mg capsules\" "
      "--strength-dosage-form \"500 mg, capsule\" --container-size \"30 capsules\""));

  c.precursor = c.issue->add_subcommand("precursor", "PrecursorConsignmentCredential");
  AddIssueCommon(c.precursor, args.issue);
  PrecursorOptions& precursor = args.precursor;
  c.precursor->add_option("--sscc", precursor.sscc, "SSCC (AI 00)")->required();
  c.precursor->add_option("--substance", precursor.substance, "substance name")->required();
  c.precursor->add_option("--cas", precursor.cas, "CAS Registry Number")->required();
  c.precursor->add_option("--un-table", precursor.un_table, "UN 1988 Convention table")
      ->required()
      ->check(CLI::IsMember({"I", "II"}));
  c.precursor->add_option("--hs-code", precursor.hs_code, "Harmonized System code, e.g. 2939.42")
      ->required();
  c.precursor->add_option("--quantity", precursor.quantity, "quantity, a decimal number")
      ->required();
  c.precursor->add_option("--uom", precursor.uom, "UN/ECE Rec 20 unit, e.g. KGM")->required();
  c.precursor->add_option("--concentration", precursor.concentration,
                          "concentration, e.g. \"99 %\"");
  c.precursor->add_option("--importer", precursor.importer, "importer DID (or --importer-key)")
      ->excludes(c.precursor->add_option("--importer-key", precursor.importer_key,
                                         "the importer's key file (as keygen writes it)"));
  c.precursor->add_option("--consignee", precursor.consignee, "consignee DID (or --consignee-key)")
      ->excludes(c.precursor->add_option("--consignee-key", precursor.consignee_key,
                                         "the consignee's key file (as keygen writes it)"));
  c.precursor->add_option("--point-of-entry", precursor.point_of_entry, "UN/LOCODE")->required();
  c.precursor->add_option("--dispatch-date", precursor.dispatch_date, "YYYY-MM-DD")->required();
  c.precursor->add_option("--pen", precursor.pen, "pre-export notification reference");
  c.precursor->add_option("--import-permit", precursor.import_permit, "import permit reference");
  c.precursor->footer(
      IssueFooter("frontera issue precursor --key mx-manufacturer.key --sscc 375012345000000013 "
                  "--substance \"Pseudoephedrine hydrochloride\" --cas 345-78-8 --un-table I "
                  "--hs-code 2939.42 --quantity 200 --uom KGM --importer-key us-distributor.key "
                  "--consignee did:key:z6Mk… --point-of-entry USLRD --dispatch-date 2026-12-01"));
  c.issue->footer(IssueFooter("frontera issue --file credential.json --key mx-manufacturer.key"));

  c.event = app->add_subcommand("event", "record a movement or customs act");
  c.event
      ->add_option("STEP", args.event.step,
                   "shipping|departing|arriving|receiving|inspecting|hold|release|"
                   "joint-inspection|flag|clear")
      ->required();
  c.event->add_option("CERT_ID", args.event.certificate_id, "certificate id")->required();
  AddNode(c.event, args.event.node);
  c.event->add_option("--key", args.event.key, "key file of the party acting")->required();
  CLI::Option* to = c.event->add_option(
      "--to", args.event.to, "DID of the next custodian (shipping needs --to or --to-key)");
  CLI::Option* to_key = c.event->add_option(
      "--to-key", args.event.to_key,
      "key file of the next custodian (as keygen writes it): its DID is used as --to");
  to->excludes(to_key);
  c.event->add_option("--read-point", args.event.read_point, "readPoint URI");
  c.event->add_option("--biz-location", args.event.biz_location, "bizLocation URI");
  c.event->add_option("--time", args.event.time, "RFC 3339 with offset (default: now, local)");
  c.event->add_option("--flag", args.event.flag,
                      "flag and clear: the DSCSA flag, suspect, illegitimate or recalled");
  c.event->add_option("--reason", args.event.reason, "flag and clear: why, as the ledger keeps it");
  c.event->add_option("--cosign-key", args.event.cosign_keys,
                      "clear: key file of another agency (repeat: a majority of the agencies "
                      "clears a flag another agency raised)");
  c.event->add_flag("--json", args.event.json, "print the node's answer as JSON");
  c.event->footer(Footer(
      {"frontera event shipping urn:uuid:… --key mx-manufacturer.key --to-key mx-carrier.key",
       "frontera event arriving urn:uuid:… --key mx-carrier.key "
       "--read-point https://id.gs1.org/414/0031234500004",
       "frontera event flag urn:uuid:… --flag suspect --reason \"…\" --key us-cbp.key"},
      {{0, "recorded: prints \"<id> <status>: leaf …, block …\""},
       kUsageCode,
       {kExitDataError, "the event or the --to-key file is invalid, or the node rejected it"},
       {kExitNoInput, "the certificate, a key file or a party does not exist"},
       kUnreachableCode,
       {kExitNoPermission, "the signer may not record this step"}}));

  c.revoke = app->add_subcommand("revoke", "revoke a certificate");
  c.revoke->add_option("CERT_ID", args.revoke.certificate_id, "certificate id")->required();
  AddNode(c.revoke, args.revoke.node);
  c.revoke
      ->add_option("--key", args.revoke.keys,
                   "key file of the issuer; or, repeated, of a majority of the agencies")
      ->required();
  c.revoke
      ->add_option("--reason", args.revoke.reason,
                   "why (a reason starting with \"recall\" is shown as RECALLED)")
      ->required();
  c.revoke->add_flag("--json", args.revoke.json, "print the node's answer as JSON");
  c.revoke->footer(Footer(
      {"frontera revoke urn:uuid:… --key mx-manufacturer.key --reason \"recall: failed test\"",
       "frontera revoke urn:uuid:… --key us-cbp.key --key mx-anam.key --reason \"counterfeit\""},
      {{0, "recorded"},
       kUsageCode,
       {kExitDataError, "the revocation is invalid or the node rejected it"},
       {kExitNoInput, "the certificate or the key file does not exist"},
       kUnreachableCode,
       {kExitNoPermission, "the signer may not revoke this certificate"}}));

  c.show = app->add_subcommand("show", "show a certificate and its timeline");
  c.show->add_option("ID", args.show.id, "certificate id")->required();
  AddNode(c.show, args.show.node);
  CLI::Option* show_json =
      c.show->add_flag("--json", args.show.json, "print the node's answer as JSON");
  c.show
      ->add_flag("--label", args.show.label,
                 "print only the certificate's label URI (credentialSubject.label)")
      ->excludes(show_json);
  c.show->add_option("--key", args.show.key,
                     "key file: signs the read (an agency or a party the certificate names sees "
                     "the full view)");
  c.show->footer(Footer({"frontera show urn:uuid:…", "LABEL=$(frontera show --label urn:uuid:…)",
                         "frontera show --key us-cbp.key urn:uuid:…"},
                        {{0, "shown"},
                         kUsageCode,
                         {kExitNoInput, "no such certificate; with --label: it has no label"},
                         kUnreachableCode}));

  c.checkpoint = app->add_subcommand("checkpoint", "print (and verify) the checkpoint");
  AddNode(c.checkpoint, args.checkpoint.node);
  AddGenesis(c.checkpoint, args.checkpoint.genesis);
  c.checkpoint->add_flag("--json", args.checkpoint.json, "machine output (with --genesis)");
  c.checkpoint->footer(Footer({"frontera checkpoint --genesis genesis.json"},
                              {{0, "printed (and valid)"},
                               {1, "with --genesis: the checkpoint is not valid"},
                               kUsageCode,
                               {kExitDataError, "the genesis file is invalid"},
                               {kExitNoInput, "the genesis file does not exist"},
                               kUnreachableCode}));

  AuditCommandOptions& audit = args.audit;
  c.audit = app->add_subcommand(
      "audit", "who read which record's commercial details, and when (a validator's audit trail)");
  AddNode(c.audit, audit.node);
  c.audit->add_option("--key", audit.key, "an agency's key file: signs the read")->required();
  c.audit->add_option("--reader", audit.reader, "only the reads signed by this did:key");
  c.audit->add_option("--record", audit.record, "only the reads of this certificate id");
  c.audit->add_option("--after", audit.after, "only entries after this seq (a page's \"more\")");
  c.audit->add_option("--limit", audit.limit, "at most this many entries")
      ->check(CLI::Range(1, 100000));
  c.audit->add_flag("--json", audit.json, "print the node's answer as JSON");
  c.audit->footer(Footer({"frontera audit --key us-cbp.key --record urn:uuid:…"},
                         {{0, "listed"},
                          kUsageCode,
                          {kExitNoPermission, "the key is not an active agency's"},
                          kUnreachableCode}));

  c.status = app->add_subcommand(
      "status",
      "every validator's role, term, commit and applied index, lag and last contact; the Raft "
      "voters and observers");
  AddNode(c.status, args.status.node);
  c.status
      ->add_option("--ops", args.status.ops,
                   "URL of a validator's operational listener ([ops]), whose /v1/status is read "
                   "(repeatable; FRONTERA_OPS: comma-separated)")
      ->envname("FRONTERA_OPS")
      ->delimiter(',');
  c.status
      ->add_option("--ops-dir", args.status.ops_dir,
                   "directory of <validator>.ops.port files (fronterad --ops-port-file; ./run.sh "
                   "writes them beside the .port files): each listener at 127.0.0.1:<port>")
      ->envname("FRONTERA_OPS_DIR");
  c.status->add_flag("--json", args.status.json, "machine output");
  c.status->footer(Footer({"frontera status --ops-dir .frontera/network",
                           "frontera status --ops http://127.0.0.1:7201"},
                          {{0, "every operational listener asked answered"},
                           {1, "an operational listener asked is unreachable"},
                           kUsageCode,
                           kUnreachableCode}));

  c.backup = app->add_subcommand(
      "backup",
      "have a running validator write a backup of its data on its host (its [backup] dir), "
      "without stopping it; prints where, and what to keep beside it");
  c.backup
      ->add_option("--ops", args.backup.ops,
                   "URL of the validator's operational listener ([ops]), e.g. "
                   "http://127.0.0.1:7201")
      ->required();
  c.backup->add_flag("--json", args.backup.json, "print the backup's MANIFEST.json as answered");
  c.backup->footer(
      Footer({"frontera backup --ops http://127.0.0.1:7201"},
             {{0, "written"},
              kUsageCode,
              {kExitUnavailable, "unreachable, or the node could not write it now (retry)"}}));

  VerifyOptions& verify = args.verify;
  c.verify = app->add_subcommand(
      "verify", "verify a label (image, --payload, - for a scanner) or a certificate id");
  c.verify->add_option("TARGET", verify.target,
                       "PNG/JPEG image of a label, a label URI, - (one label per line on stdin), "
                       "or a certificate id (with --online)");
  c.verify->add_option("--payload", verify.payload, "the label URI as scanned");
  c.verify->add_flag("--online", verify.online,
                     "ask --node for the ledger's evidence (a label falls back to the stored "
                     "trust bundle when the node is unreachable)");
  AddNode(c.verify, verify.node);
  AddGenesis(c.verify, verify.genesis);
  c.verify->add_option("--trust", verify.trust,
                       "trust bundle (default $FRONTERA_TRUST or ~/.frontera/trust.json)");
  c.verify->add_option("--witnesses", verify.witnesses,
                       "offline: witness cosignatures the bundle's checkpoint must carry (at "
                       "least the genesis's witness_quorum)");
  c.verify->add_flag("--json", verify.json, "machine output");
  c.verify->add_flag("--record", verify.record,
                     "record an EPCIS inspecting event for the certificate (with --online --key)");
  c.verify->add_option("--key", verify.key,
                       "key file: signs --online reads (an agency or a named party sees the full "
                       "view) and, with --record, the inspection");
  c.verify->footer(
      Footer({"frontera verify label.png", "frontera verify --payload \"$LABEL\" --online",
              "frontera verify --online urn:uuid:…"},
             {kVerdictCodes[0],
              kVerdictCodes[1],
              kVerdictCodes[2],
              kVerdictCodes[3],
              kVerdictCodes[4],
              kVerdictCodes[5],
              kVerdictCodes[6],
              kUsageCode,
              {kExitDataError, "the genesis file or the trust bundle is refused"},
              {kExitNoInput, "no trust bundle for an offline check; no symbol in the image"},
              {kExitUnavailable, "the node is unreachable and no trust bundle is stored"},
              {kExitWitnessesMissing,
               "WITNESSES MISSING: offline, the bundle's checkpoint has fewer witness "
               "cosignatures than required"}}));

  CLI::App* trust = app->add_subcommand("trust", "the inspector's offline trust bundle");
  trust->require_subcommand(1);
  c.trust_sync = trust->add_subcommand("sync", "fetch, verify and store the bundle");
  AddNode(c.trust_sync, args.trust.node);
  AddGenesis(c.trust_sync, args.trust.genesis);
  c.trust_sync->add_option("-o,--output", args.trust.path,
                           "bundle file (default $FRONTERA_TRUST or ~/.frontera/trust.json)");
  c.trust_sync->add_option("--witnesses", args.trust.witnesses,
                           "witness cosignatures the checkpoint must carry (at least the "
                           "genesis's witness_quorum)");
  c.trust_sync->footer(Footer(
      {"frontera trust sync --node https://127.0.0.1:7001 --genesis genesis.json"},
      {{0, "stored"},
       kUsageCode,
       {kExitDataError,
        "the bundle is refused (bad signatures, not consistent with the stored one)"},
       {kExitNoInput, "the genesis file does not exist"},
       kUnreachableCode,
       {kExitIoError, "the bundle cannot be written"},
       {kExitWitnessesMissing, "WITNESSES MISSING: fewer witness cosignatures than required"}}));
  c.trust_show = trust->add_subcommand("show", "print the stored bundle and its age");
  AddGenesis(c.trust_show, args.trust.genesis);
  c.trust_show->add_option("--trust", args.trust.path,
                           "bundle file (default $FRONTERA_TRUST or ~/.frontera/trust.json)");
  c.trust_show->footer(Footer({"frontera trust show --genesis genesis.json"},
                              {{0, "shown"},
                               kUsageCode,
                               {kExitDataError, "the bundle or the genesis file is refused"},
                               {kExitNoInput, "no bundle is stored"}}));
  trust->footer(Footer({"frontera trust sync", "frontera trust show"},
                       {{0, "done"},
                        kUsageCode,
                        {kExitDataError, "a bundle is refused"},
                        {kExitNoInput, "no bundle or genesis file"},
                        kUnreachableCode}));

  CLI::App* party = app->add_subcommand("party", "the network's registered parties");
  party->require_subcommand(1);
  c.party_list = party->add_subcommand("list", "list the registered parties");
  AddNode(c.party_list, args.party_list.node);
  c.party_list->add_option("--role", args.party_list.role,
                           "only this role (manufacturer, shipper, carrier, distributor, "
                           "pharmacy, importer, agency)");
  c.party_list->add_option("--country", args.party_list.country,
                           "only this country (ISO 3166-1 alpha-2, e.g. CA)");
  c.party_list->add_flag("--json", args.party_list.json, "print the parties as a JSON array");
  c.party_list->footer(Footer({"frontera party list --role pharmacy --country CA"},
                              {{0, "listed: one line per party, then the count"},
                               kUsageCode,
                               {kExitDataError, "the node refused the role or country"},
                               kUnreachableCode}));
  c.party_show = party->add_subcommand("show", "show one registered party");
  c.party_show->add_option("DID", args.party_show.did, "the party's did:key");
  c.party_show->add_option("--key", args.party_show.key, "the party of this key file instead");
  AddNode(c.party_show, args.party_show.node);
  c.party_show->add_flag("--json", args.party_show.json, "print the node's JSON answer");
  c.party_show->footer(Footer({"frontera party show --key keys/us-distributor.key"},
                              {{0, "shown"},
                               kUsageCode,
                               {kExitNoInput, "no such party, or the key file does not exist"},
                               kUnreachableCode}));
  // Registry changes (POST /v1/parties), signed by agencies.
  auto add_change = [&](const char* name, const char* about, PartyChangeOptions& o,
                        PartyChange change) {
    o.change = change;
    CLI::App* sub = party->add_subcommand(name, about);
    AddNode(sub, o.node);
    sub->add_option("--agency-key", o.agency_keys,
                    "key file of a signing agency; repeat for a majority of the agencies "
                    "(one proof each)");
    sub->add_flag("--json", o.json, "print the node's JSON answer");
    return sub;
  };
  c.party_add = add_change("add", "register a party (signed by an agency of its country)",
                           args.party_add, PartyChange::kAdd);
  c.party_add->add_option("--key", args.party_add.key, "the party's did:key, or its key file")
      ->required();
  c.party_add
      ->add_option("--role", args.party_add.role,
                   "manufacturer, shipper, carrier, distributor, pharmacy, importer or "
                   "agency (an agency is registered by a majority of the agencies)")
      ->required();
  c.party_add->add_option("--country", args.party_add.country, "ISO 3166-1 alpha-2, e.g. CA")
      ->required();
  c.party_add->add_option("--name", args.party_add.name, "legal name")->required();
  c.party_add->add_option("--gln", args.party_add.gln, "GS1 Global Location Number (13 digits)");
  c.party_add->add_option("--prefix", args.party_add.prefixes,
                          "a GS1 company prefix the party issues under (repeatable)");
  c.party_add->add_option("--licence", args.party_add.licences,
                          "a precursor licence CAS:NUMBER:VALID_FROM:VALID_UNTIL (repeatable)");
  c.party_add->footer(
      Footer({"frontera party add --role pharmacy --country CA --name \"Pharmacie du Port\" "
              "--gln 0061414000017 --key keys/ca-pharmacy.key --agency-key keys/ca-cbsa.key"},
             {{0, "registered: the receipt names the party's DID"},
              kUsageCode,
              {kExitDataError, "the node refused the registration (the reason names the flag)"},
              {kExitNoInput, "a key file does not exist"},
              {kExitNoPermission, "the agency may not register this party"},
              kUnreachableCode}));
  for (auto [sub, o, verb] : {std::tuple{&c.party_suspend, &args.party_suspend, "suspend"},
                              std::tuple{&c.party_reinstate, &args.party_reinstate, "reinstate"}}) {
    *sub = add_change(
        verb,
        std::string(verb) == "suspend" ? "suspend a party: its new documents are refused"
                                       : "reinstate a suspended party",
        *o, std::string(verb) == "suspend" ? PartyChange::kSuspend : PartyChange::kReinstate);
    (*sub)->add_option("DID", o->did, "the party's did:key");
    (*sub)->add_option("--key", o->key, "the party of this key file instead");
    (*sub)->add_option("--reason", o->reason, "why, as the ledger records it")->required();
    (*sub)->footer(Footer(
        {std::string(verb) == "suspend" ? "frontera party suspend did:key:z6Mk… --reason \"…\" "
                                          "--agency-key keys/us-cbp.key"
                                        : "frontera party reinstate did:key:z6Mk… --reason \"…\" "
                                          "--agency-key keys/us-cbp.key"},
        {{0, "done: the receipt names the party and its standing"},
         kUsageCode,
         {kExitDataError, "the node refused it (the reason says why)"},
         {kExitNoInput, "a key file does not exist"},
         {kExitNoPermission, "the agency may not act on this party"},
         kUnreachableCode}));
  }
  c.party_rotate = add_change("rotate",
                              "replace a party's key: signed by its current key, or (a lost "
                              "key) by its agency",
                              args.party_rotate, PartyChange::kRotate);
  c.party_rotate->add_option("DID", args.party_rotate.did, "the party's current did:key");
  c.party_rotate->add_option("--key", args.party_rotate.key,
                             "the current key file (it signs the change when no --agency-key)");
  c.party_rotate
      ->add_option("--new-key", args.party_rotate.new_key, "the new did:key, or its key file")
      ->required();
  c.party_rotate->add_option("--reason", args.party_rotate.reason, "why, as the ledger records it");
  c.party_rotate->footer(Footer({"frontera party rotate --key keys/old.key --new-key keys/new.key"},
                                {{0, "done: the receipt names the new key"},
                                 kUsageCode,
                                 {kExitDataError, "the node refused it (the reason says why)"},
                                 {kExitNoInput, "a key file does not exist"},
                                 {kExitNoPermission, "the signer may not replace this key"},
                                 kUnreachableCode}));
  party->footer(Footer({"frontera party list", "frontera party show did:key:z6Mk…"},
                       {{0, "done"},
                        kUsageCode,
                        {kExitDataError, "the node refused the query"},
                        {kExitNoInput, "no such party"},
                        kUnreachableCode}));

  AddNoticeCommands(app.get(), args);

  CLI::App* validator =
      app->add_subcommand("validator", "the network's validators and observers (Raft membership)");
  validator->require_subcommand(1);
  c.validator_list = validator->add_subcommand(
      "list", "list the validators and observers, then the Raft voters and observers");
  AddNode(c.validator_list, args.validator_list.node);
  c.validator_list->add_flag("--json", args.validator_list.json, "print the node's JSON answer");
  c.validator_list->footer(
      Footer({"frontera validator list --node https://127.0.0.1:7001"},
             {{0, "listed: one line per validator, then \"voters: …\" and \"observers: …\""},
              kUsageCode,
              {kExitDataError, "the node's answer is not a validator list"},
              kUnreachableCode}));
  // Validator changes (POST /v1/validators), signed by a majority of the
  // agencies.
  auto add_validator_change = [&](const char* name, const char* about, ValidatorChangeOptions& o,
                                  ValidatorChange change) {
    o.change = change;
    CLI::App* sub = validator->add_subcommand(name, about);
    AddNode(sub, o.node);
    sub->add_option("--agency-key", o.agency_keys,
                    "key file of a signing agency; repeat for a majority of the agencies "
                    "(one proof each; the first is the issuer)")
        ->required();
    sub->add_flag("--json", o.json, "print the node's JSON answer");
    return sub;
  };
  c.validator_add = add_validator_change(
      "add", "add a voter or an observer (signed by a majority of the agencies)",
      args.validator_add, ValidatorChange::kAdd);
  c.validator_add
      ->add_option("--name", args.validator_add.name,
                   "its name: lowercase letters, digits, '-', '.', '_' (never reused)")
      ->required();
  c.validator_add
      ->add_option("--key", args.validator_add.key,
                   "the validator's did:key, or its key file (only the public key is read)")
      ->required();
  c.validator_add
      ->add_option("--role", args.validator_add.role,
                   "voter (votes in elections and quorums, co-signs checkpoints) or observer "
                   "(replicates and serves reads)")
      ->required()
      ->check(CLI::IsMember({"voter", "observer"}));
  c.validator_add->add_option("--peer", args.validator_add.peer, "host:port of its peer link")
      ->required();
  c.validator_add->add_option("--api", args.validator_add.api,
                              "http(s) URL of its API (shown by status and validator list)");
  c.validator_add->add_option("--reason", args.validator_add.reason,
                              "why, as the ledger records it");
  c.validator_add->footer(
      Footer({"frontera validator add --name us-cbp-obs --key keys/us-cbp-obs.key --role observer "
              "--peer 10.0.0.4:7100 --api https://10.0.0.4:7001 --agency-key keys/us-cbp.key "
              "--agency-key keys/mx-anam.key"},
             {{0, "added: the receipt names the validator's DID"},
              kUsageCode,
              {kExitDataError,
               "the document is invalid (the reason names the flag) or the node refused it (DID or "
               "name already used)"},
              {kExitNoInput, "a key file does not exist"},
              {kExitNoPermission, "fewer than a majority of the agencies signed"},
              kUnreachableCode}));
  c.validator_promote = add_validator_change(
      "promote", "make an observer a voter (signed by a majority of the agencies)",
      args.validator_promote, ValidatorChange::kPromote);
  c.validator_promote
      ->add_option("VALIDATOR", args.validator_promote.key,
                   "the observer's did:key, or its key file")
      ->required();
  c.validator_promote->add_option("--reason", args.validator_promote.reason,
                                  "why, as the ledger records it");
  c.validator_promote->footer(
      Footer({"frontera validator promote did:key:z6Mk… --agency-key keys/us-cbp.key "
              "--agency-key keys/mx-anam.key"},
             {{0, "promoted: the receipt names the validator's DID"},
              kUsageCode,
              {kExitDataError, "the node refused it (not an observer, already a voter, removed)"},
              {kExitNoInput, "a key file does not exist"},
              {kExitNoPermission, "fewer than a majority of the agencies signed"},
              kUnreachableCode}));
  c.validator_remove = add_validator_change(
      "remove", "remove a voter or an observer for good (signed by a majority of the agencies)",
      args.validator_remove, ValidatorChange::kRemove);
  c.validator_remove
      ->add_option("VALIDATOR", args.validator_remove.key,
                   "the validator's did:key, or its key file")
      ->required();
  c.validator_remove
      ->add_option("--reason", args.validator_remove.reason, "why, as the ledger records it")
      ->required();
  c.validator_remove->footer(
      Footer({"frontera validator remove did:key:z6Mk… --reason \"decommissioned\" "
              "--agency-key keys/us-cbp.key --agency-key keys/mx-anam.key"},
             {{0, "removed: the receipt names the validator's DID"},
              kUsageCode,
              {kExitDataError, "the node refused it (already removed, or the last voter)"},
              {kExitNoInput, "a key file does not exist"},
              {kExitNoPermission, "fewer than a majority of the agencies signed"},
              kUnreachableCode}));
  validator->footer(Footer({"frontera validator list",
                            "frontera validator promote did:key:z6Mk… "
                            "--agency-key keys/us-cbp.key "
                            "--agency-key keys/mx-anam.key"},
                           {{0, "done"},
                            kUsageCode,
                            {kExitDataError, "the document is invalid or the node refused it"},
                            {kExitNoInput, "a key file does not exist"},
                            {kExitNoPermission, "fewer than a majority of the agencies signed"},
                            kUnreachableCode}));

  c.label = app->add_subcommand("label", "save a certificate's QR label (PNG or SVG)");
  c.label->add_option("ID", args.label.id, "certificate id")->required();
  c.label->add_option("-o,--output", args.label.output, "label.png or label.svg (not overwritten)")
      ->required();
  AddNode(c.label, args.label.node);
  c.label->footer(Footer({"frontera label urn:uuid:… -o label.png"},
                         {{0, "saved"},
                          kUsageCode,
                          {kExitNoInput, "no such certificate"},
                          kUnreachableCode,
                          {kExitCantCreate, "the output file exists or cannot be made"}}));

  args.bench.bench.node = kDefaultNode;
  c.bench = app->add_subcommand("bench", "measure issue throughput and latency");
  AddNode(c.bench, args.bench.bench.node);
  c.bench->add_option("--key", args.bench.key, "key file of a manufacturer")->required();
  c.bench->add_option("-n", args.bench.bench.n, "measured requests")->capture_default_str();
  c.bench->add_option("-c", args.bench.bench.concurrency, "connections")->capture_default_str();
  c.bench->add_option("--warmup", args.bench.bench.warmup, "unmeasured requests first")
      ->capture_default_str();
  c.bench->footer(Footer({"frontera bench --key mx-manufacturer.key -n 20000 -c 64"},
                         {{0, "measured: prints the JSON summary"},
                          kUsageCode,
                          {kExitNoInput, "the key file or its party does not exist"},
                          kUnreachableCode}));

  // DSCSA verification as a requestor (docs/cli.md#vrs).
  CLI::App* vrs = app->add_subcommand(
      "vrs", "DSCSA verification: ask a validator and keep its signed answer, check it later");
  vrs->require_subcommand(1);
  vrs->footer(
      Footer({"frontera vrs get 'http://127.0.0.1:7001/vrs/gtin/…?…' --genesis genesis.json "
              "--save answer.json",
              "frontera vrs check answer.json --genesis genesis.json"},
             {{0, "the answer is signed by a validator of the genesis"},
              kUsageCode,
              {kExitDataError, "the answer's signature does not verify"},
              {kExitNoPermission, "the answer is signed by a key that is no validator's"},
              {kExitNoInput, "the kept answer's file does not exist"},
              kUnreachableCode,
              {kExitCantCreate, "the --save file exists or cannot be made"}}));
  c.vrs_get = vrs->add_subcommand("get", "ask a validator; check and print its signed answer");
  c.vrs_get->add_option("URL", args.vrs_get.url, "the verification request's URL")->required();
  c.vrs_get->add_option("--genesis", args.vrs_get.genesis, "the network's genesis file")
      ->required();
  c.vrs_get->add_option("--save", args.vrs_get.save, "keep the answer in this new file");
  c.vrs_get->footer(Footer(
      {"frontera vrs get 'http://127.0.0.1:7001/vrs/gtin/07501234000017/lot/LOT42A/ser/SN000123"
       "?exp=281031&linkType=verificationService&context=dscsaSaleableReturn"
       "&reqGLN=0031234500004&corrUUID=…' --genesis genesis.json --save answer.json"},
      {{0, "the answer is signed by a validator of the genesis (whatever it says)"},
       kUsageCode,
       {kExitDataError, "the answer's signature does not verify"},
       {kExitNoPermission, "the answer is signed by a key that is no validator's"},
       kUnreachableCode,
       {kExitCantCreate, "the --save file exists or cannot be made"}}));
  c.vrs_check = vrs->add_subcommand("check", "check an answer kept by vrs get --save");
  c.vrs_check->add_option("FILE", args.vrs_check.file, "the kept answer")->required();
  c.vrs_check->add_option("--genesis", args.vrs_check.genesis, "the network's genesis file")
      ->required();
  c.vrs_check->footer(Footer({"frontera vrs check answer.json --genesis genesis.json"},
                             {{0, "the kept answer is signed by a validator of the genesis"},
                              kUsageCode,
                              {kExitDataError, "its signature does not verify"},
                              {kExitNoPermission, "it is signed by a key that is no validator's"},
                              {kExitNoInput, "the file does not exist"}}));
  args.vrs_bench.node = kDefaultNode;
  c.vrs_bench = vrs->add_subcommand(
      "bench", "measure verification latency at a constant rate, then at the maximum");
  AddNode(c.vrs_bench, args.vrs_bench.node);
  c.vrs_bench->add_option("--target", args.vrs_bench.target, "path and query of the request")
      ->required();
  c.vrs_bench->add_option("--rate", args.vrs_bench.rate_per_s, "open loop: requests per second")
      ->capture_default_str();
  c.vrs_bench->add_option("--seconds", args.vrs_bench.seconds, "length of each phase")
      ->capture_default_str();
  c.vrs_bench->add_option("-c", args.vrs_bench.concurrency, "connections")->capture_default_str();
  c.vrs_bench->footer(
      Footer({"frontera vrs bench --node http://127.0.0.1:7001 --target "
              "'/vrs/gtin/…?exp=…&linkType=verificationService&…' --rate 1000"},
             {{0, "measured: prints the JSON summary"}, kUsageCode, kUnreachableCode}));

  app->footer(Footer(
      {"frontera show urn:uuid:…", "frontera verify --online label.png",
       "frontera <command> --help"},
      {{0, "success; verify: AUTHENTIC"},
       {1, "verify: NOT AUTHENTIC; checkpoint: not valid; status: a validator is unreachable"},
       {2, "verify: REVOKED (or RECALLED)"},
       {3, "verify: EXPIRED"},
       {4, "verify: NOT ON LEDGER"},
       {5, "verify: FLAGGED (SUSPECT, ILLEGITIMATE or RECALLED by an agency)"},
       {kExitStaleBundle, "verify: STALE BUNDLE (offline; run frontera trust sync)"},
       {kExitDecommissioned, "verify: DECOMMISSIONED (ALREADY DISPENSED, DESTROYED, STOLEN, …)"},
       kUsageCode,
       {kExitDataError, "an input file or document is invalid, or the node rejected it"},
       {kExitNoInput, "an input file, certificate or party does not exist"},
       kUnreachableCode,
       {kExitSoftware, "internal error"},
       {kExitCantCreate, "the output file exists or cannot be made"},
       {kExitIoError, "I/O error"},
       {kExitNoPermission, "the signer is not allowed to do this"},
       {kExitWitnessesMissing, "verify, trust sync: WITNESSES MISSING (--witnesses K)"}}));
  return app;
}

int Dispatch(const CliArgs& args, const CommandEnv& env) {
  const CliArgs::Commands& c = args.commands;
  if (c.keygen->parsed()) return RunKeygen(args.keygen, env);
  if (c.genesis->parsed()) return RunGenesis(args.genesis, env);
  if (c.issue->parsed()) {
    if (c.pharma->parsed()) return RunIssuePharma(args.issue, args.pharma, env);
    if (c.precursor->parsed()) return RunIssuePrecursor(args.issue, args.precursor, env);
    if (args.issue_file.empty()) {
      return Usage(env, "issue: give `pharma`, `precursor` or --file FILE");
    }
    return RunIssueFile(args.issue, args.issue_file, env);
  }
  if (c.event->parsed()) return RunEvent(args.event, env);
  if (c.revoke->parsed()) return RunRevoke(args.revoke, env);
  if (c.show->parsed()) return RunShow(args.show, env);
  if (c.checkpoint->parsed()) return RunCheckpoint(args.checkpoint, env);
  if (c.status->parsed()) return RunStatus(args.status, env);
  if (c.backup->parsed()) return RunBackup(args.backup, env);
  if (c.vrs_get->parsed()) return RunVrsGet(args.vrs_get, env);
  if (c.vrs_check->parsed()) return RunVrsCheck(args.vrs_check, env);
  if (c.vrs_bench->parsed()) return RunVrsBench(args.vrs_bench, env);
  if (c.audit->parsed()) return RunAudit(args.audit, env);
  if (c.verify->parsed()) return RunVerify(args.verify, env);
  if (c.trust_sync->parsed()) return RunTrustSync(args.trust, env);
  if (c.trust_show->parsed()) return RunTrustShow(args.trust, env);
  if (c.label->parsed()) return RunLabel(args.label, env);
  if (c.notice_file->parsed()) return RunNoticeFile(args.notice_file, env);
  if (c.notice_export->parsed()) return RunNoticeExport(args.notice_export, env);
  if (c.party_list->parsed()) return RunPartyList(args.party_list, env);
  if (c.party_show->parsed()) return RunPartyShow(args.party_show, env);
  if (c.party_add->parsed()) return RunPartyChange(args.party_add, env);
  if (c.party_suspend->parsed()) return RunPartyChange(args.party_suspend, env);
  if (c.party_reinstate->parsed()) return RunPartyChange(args.party_reinstate, env);
  if (c.party_rotate->parsed()) return RunPartyChange(args.party_rotate, env);
  if (c.validator_list->parsed()) return RunValidatorList(args.validator_list, env);
  if (c.validator_add->parsed()) return RunValidatorChange(args.validator_add, env);
  if (c.validator_promote->parsed()) return RunValidatorChange(args.validator_promote, env);
  if (c.validator_remove->parsed()) return RunValidatorChange(args.validator_remove, env);
  if (c.bench->parsed()) return RunBenchCommand(args.bench, env);
  return Usage(env, "no command given; see frontera --help");
}

int ParseAndRun(CLI::App& app, const CliArgs& args, int argc, char** argv, const CommandEnv& env) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error, env.out, env.err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  CommandEnv with_ca = env;
  with_ca.ca_file = args.ca_file;
  return Dispatch(args, with_ca);
}

}  // namespace frontera::tools
