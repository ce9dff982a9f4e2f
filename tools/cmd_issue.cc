#include "tools/cmd_issue.h"

#include <utility>

#include "crypto/did_key.h"
#include "ledger/documents.h"
#include "tools/builders.h"
#include "tools/exit_codes.h"
#include "tools/files.h"

namespace frontera::tools {
namespace {

using crypto::Json;

// Checks a document with the ledger's own parser before it is sent, so that a
// mistake is reported with the flag that caused it and no round trip.
Status PreCheckCredential(const Json& document) {
  auto parsed = ledger::ParseCredential(document);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

// Labels, signs, pre-checks and posts a credential built by a subcommand.
int SignAndIssue(Node& node, const IssueOptions& common, const crypto::KeyPair& key,
                 Json credential, const FlagsByPointer& flags, const CommandEnv& env) {
  // Check the fields first, so that a bad value is reported against its flag
  // rather than as a label that cannot be built from it.
  auto draft = SignDocument(credential, key, NowRfc3339(env));
  if (!draft.ok()) return Fail(env, "signing", draft.status());
  Status fields = PreCheckCredential(*draft);
  if (!fields.ok()) return FailDocument(env, "the credential is not valid", fields, flags);
  if (!common.no_label) {
    std::string resolver = common.resolver;
    if (resolver.empty()) {
      auto fetched = FetchResolver(node);
      if (!fetched.ok()) return Fail(env, "label", fetched.status());
      resolver = *fetched;
    }
    auto labelled = AttachLabel(credential, resolver, key);
    if (!labelled.ok()) {
      return FailDocument(
          env,
          "label on resolver \"" + resolver + "\" (" +
              (common.resolver.empty() ? "from the node's /v1/validators" : "from --resolver") +
              "; pass --resolver HOST or --no-label)",
          labelled.status(), flags);
    }
    credential = std::move(*labelled);
  }
  auto signed_credential = SignDocument(credential, key, NowRfc3339(env));
  if (!signed_credential.ok()) return Fail(env, "signing", signed_credential.status());
  Status checked = PreCheckCredential(*signed_credential);
  if (!checked.ok()) return FailDocument(env, "the credential is not valid", checked, flags);
  return PostDocument(env, node, "/v1/certificates", *signed_credential, common.json, flags);
}

}  // namespace

int RunIssuePharma(const IssueOptions& common, const PharmaOptions& options,
                   const CommandEnv& env) {
  auto key = LoadKey(common.key);
  if (!key.ok()) return Fail(env, "--key", key.status());
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, common.node, &code);
  if (node == nullptr) return code;
  auto party = FetchParty(*node, crypto::DidKeyFromPublicKey(key->public_key()));
  if (!party.ok()) return Fail(env, "issuer party (--key)", party.status());
  ProductFields f;
  f.id = common.id.empty() ? NewUrnUuid() : common.id;
  f.valid_from = common.valid_from.empty() ? NowRfc3339(env) : common.valid_from;
  f.valid_until = common.valid_until;
  f.gtin = options.gtin;
  f.lot = options.lot;
  f.serial = options.serial;
  f.expiry = options.expiry;
  f.ndc = options.ndc;
  f.product_name = options.product_name;
  f.strength_dosage_form = options.strength_dosage_form;
  f.container_size = options.container_size;
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
  return SignAndIssue(*node, common, *key, BuildProductCredential(f), flags, env);
}

int RunIssuePrecursor(const IssueOptions& common, const PrecursorOptions& options,
                      const CommandEnv& env) {
  auto quantity = ParseQuantity(options.quantity);
  if (!quantity.ok()) return Usage(env, "--quantity: " + quantity.status().message());
  auto key = LoadKey(common.key);
  if (!key.ok()) return Fail(env, "--key", key.status());
  int code = kExitOk;
  std::optional<std::string> importer_did =
      PartyDidOrFail(env, "--importer", options.importer, options.importer_key, &code);
  if (!importer_did) return code;
  std::optional<std::string> consignee_did =
      PartyDidOrFail(env, "--consignee", options.consignee, options.consignee_key, &code);
  if (!consignee_did) return code;
  if (importer_did->empty()) return Usage(env, "give --importer DID or --importer-key FILE");
  if (consignee_did->empty()) return Usage(env, "give --consignee DID or --consignee-key FILE");
  std::unique_ptr<Node> node = ConnectOrFail(env, common.node, &code);
  if (node == nullptr) return code;
  auto exporter = FetchParty(*node, crypto::DidKeyFromPublicKey(key->public_key()));
  if (!exporter.ok()) return Fail(env, "exporter party (--key)", exporter.status());
  const char* importer_flag = options.importer_key.empty() ? "--importer" : "--importer-key";
  const char* consignee_flag = options.consignee_key.empty() ? "--consignee" : "--consignee-key";
  auto importer = FetchParty(*node, *importer_did);
  if (!importer.ok()) return Fail(env, importer_flag, importer.status());
  auto consignee = FetchParty(*node, *consignee_did);
  if (!consignee.ok()) return Fail(env, consignee_flag, consignee.status());
  PrecursorFields f;
  f.id = common.id.empty() ? NewUrnUuid() : common.id;
  f.valid_from = common.valid_from.empty() ? NowRfc3339(env) : common.valid_from;
  f.valid_until = common.valid_until;
  f.sscc = options.sscc;
  f.substance_name = options.substance;
  f.cas_rn = options.cas;
  f.un_table = options.un_table;
  f.hs_code = options.hs_code;
  f.quantity_value = *quantity;
  f.uom = options.uom;
  f.concentration = options.concentration;
  f.exporter = exporter->info;
  f.importer = importer->info;
  f.consignee = consignee->info;
  f.point_of_entry = options.point_of_entry;
  f.dispatch_date = options.dispatch_date;
  f.pre_export_notification = options.pen;
  f.import_permit = options.import_permit;
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
      {"/credentialSubject/importer", importer_flag},
      {"/credentialSubject/consignee", consignee_flag},
      // The node's party rules: role, standing, licence (docs/ledger.md#rules).
      {"/credentialSubject/exporter/id", "--key"},
      {"/credentialSubject/importer/id", importer_flag},
      {"/credentialSubject/consignee/id", consignee_flag},
      {"/credentialSubject/pointOfEntry", "--point-of-entry"},
      {"/credentialSubject/dispatchDate", "--dispatch-date"},
      {"/credentialSubject/preExportNotification", "--pen"},
      {"/credentialSubject/importPermit", "--import-permit"},
      {"/credentialSubject/label", "--resolver"},
  };
  return SignAndIssue(*node, common, *key, BuildPrecursorCredential(f), flags, env);
}

int RunIssueFile(const IssueOptions& common, const std::string& file, const CommandEnv& env) {
  auto text = ReadTextFile(file);
  if (!text.ok()) return Fail(env, "--file", text.status());
  auto document = crypto::ParseJson(*text);
  if (!document.ok()) return Fail(env, "--file " + file, document.status());
  Json credential = std::move(*document);
  if (!credential.is_object()) {
    return Fail(env, "--file " + file, Status::InvalidArgument("not a JSON object"));
  }
  if (!credential.contains("proof")) {
    if (common.key.empty()) {
      return Usage(env, "--file " + file + " has no proof: pass --key FILE to sign it");
    }
    auto key = LoadKey(common.key);
    if (!key.ok()) return Fail(env, "--key", key.status());
    auto signed_credential = SignDocument(credential, *key, NowRfc3339(env));
    if (!signed_credential.ok()) return Fail(env, "signing " + file, signed_credential.status());
    credential = std::move(*signed_credential);
  }
  Status checked = PreCheckCredential(credential);
  if (!checked.ok()) return Fail(env, "--file " + file + " is not a valid credential", checked);
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, common.node, &code);
  if (node == nullptr) return code;
  return PostDocument(env, *node, "/v1/certificates", credential, common.json, {});
}

}  // namespace frontera::tools
