#include "tools/cmd_notice.h"

#include <charconv>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "api/client.h"
#include "ledger/notice.h"
#include "tools/builders.h"
#include "tools/exit_codes.h"
#include "tools/files.h"

namespace frontera::tools {

using crypto::Json;

namespace {

// The words of Form 3911 for the document's codes (fields 1, 5 and 21).
const std::map<std::string, std::string>& ReportTypeWords() {
  static const auto* words =
      new std::map<std::string, std::string>{{"initial", "Initial Notification"},
                                             {"follow_up", "Follow-Up Notification"},
                                             {"termination", "Request for Termination"}};
  return *words;
}

const std::map<std::string, std::string>& ClassificationWords() {
  static const auto* words = new std::map<std::string, std::string>{
      {"counterfeit", "Counterfeit"},
      {"diverted", "Diverted"},
      {"stolen", "Stolen"},
      {"intentional_adulteration", "Intentional adulteration"},
      {"unfit_for_distribution", "Unfit for distribution"},
      {"fraudulent_transaction", "Fraudulent transaction"}};
  return *words;
}

// Field 21, the filer's trading-partner category, from its registry role.
std::string CompanyCategory(const std::string& role) {
  if (role == "manufacturer") return "Manufacturer";
  if (role == "distributor") return "Wholesale distributor";
  if (role == "pharmacy") return "Dispenser";
  if (role == "importer") return "Importer";
  if (role == "agency") return "Government agency";
  return role;
}

std::string Words(const std::map<std::string, std::string>& words, const std::string& code) {
  auto it = words.find(code);
  return it == words.end() ? code : it->second;
}

// A number as the document carries it: 12, not 12.0.
std::string NumberText(const Json& value) { return value.is_number() ? value.dump() : ""; }

// `member` of the report if it has one, else of the initial notice.
const Json* Latest(const Json& report, const Json& initial, const char* member) {
  if (auto it = report.find(member); it != report.end()) return &*it;
  if (auto it = initial.find(member); it != initial.end()) return &*it;
  return nullptr;
}

bool NeedsQuotes(const std::string& field) {
  return field.find_first_of(",\"\r\n") != std::string::npos;
}

}  // namespace

const std::vector<std::string>& Form3911Columns() {
  static const auto* columns = new std::vector<std::string>{
      "notice_id",                     // the initial notice's id on the ledger
      "report_id",                     // the id of this report (initial, follow-up, termination)
      "report_type",                   // field 1
      "incident_number",               // field 2
      "incident_location",             // field 3
      "date_of_initial_notification",  // the initial notice's block date
      "date_determined_illegitimate",  // field 4
      "classification",                // field 5
      "product_name",                  // field 6
      "primary_ingredients",           // field 7
      "drug_use",                      // field 8
      "drug_description",              // field 9
      "strength_dosage_form",          // fields 10 and 11
      "container_size",
      "quantity",            // field 12
      "quantity_unit",       // field 12 ("" = packs)
      "ndc",                 // field 13
      "serial_number",       // field 14
      "lot_number",          // field 15
      "expiration_date",     // field 16
      "description",         // field 17
      "termination_reason",  // field 18
      "gtin",
      "certificate",
      "manufacturer",
      "company_name",     // field 20
      "company_country",  // field 20
      "company_gln",
      "company_category",  // field 21
      "company_did",
      "contact_name",   // field 23
      "contact_phone",  // field 23
      "contact_email",  // field 23
  };
  return *columns;
}

Result<Json> Form3911Records(const Json& notice, const std::string& report_id) {
  for (const char* member : {"id", "initial", "follow_ups", "certificates", "filer"}) {
    if (!notice.is_object() || !notice.contains(member)) {
      return Status::InvalidArgument(std::string("the node's answer is not a notice: no \"") +
                                     member + "\"");
    }
  }
  const Json& initial_report = notice["initial"];
  if (!initial_report.contains("document") || !initial_report["document"].is_object() ||
      !notice["follow_ups"].is_array() || !notice["certificates"].is_array()) {
    return Status::InvalidArgument("the node's answer is not a notice: malformed reports");
  }
  const Json& initial = initial_report["document"];
  const Json* report = nullptr;
  std::vector<const Json*> reports = {&initial_report};
  for (const Json& r : notice["follow_ups"]) reports.push_back(&r);
  if (notice.contains("termination") && notice["termination"].is_object()) {
    reports.push_back(&notice["termination"]);
  }
  for (const Json* r : reports) {
    if (r->contains("document") && (*r)["document"].value("id", "") == report_id) {
      report = &(*r)["document"];
    }
  }
  if (report == nullptr) {
    return Status::NotFound("notice " + JsonText(notice, "id") + " has no report " + report_id);
  }
  const std::string type = JsonText(*report, "noticeType");
  const Json& filer = notice["filer"];
  const Json* quantity = Latest(*report, initial, "quantity");
  const Json* contact = Latest(*report, initial, "contact");
  auto text = [](const Json* object, const char* member) {
    return object != nullptr && object->is_object() ? JsonText(*object, member) : std::string();
  };
  auto optional = [&](const char* member) {
    const Json* value = Latest(*report, initial, member);
    return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
  };

  Json records = Json::array();
  for (const Json& certificate : notice["certificates"]) {
    const Json subject = certificate.value("credentialSubject", Json::object());
    if (!subject.is_object()) {
      return Status::InvalidArgument("certificate " + JsonText(certificate, "id") +
                                     " of the notice has no credentialSubject");
    }
    const Json manufacturer = subject.value("manufacturer", Json::object());
    Json record = {
        {"notice_id", JsonText(notice, "id")},
        {"report_id", report_id},
        {"report_type", Words(ReportTypeWords(), type)},
        {"incident_number", type == "initial" ? "" : JsonText(*report, "incidentNumber")},
        {"incident_location", optional("incidentLocation")},
        {"date_of_initial_notification",
         initial_report.value("ledger", Json::object()).value("time", "").substr(0, 10)},
        {"date_determined_illegitimate", JsonText(initial, "dateOfDetermination")},
        {"classification", Words(ClassificationWords(), JsonText(initial, "classification"))},
        {"product_name", JsonText(subject, "productName")},
        {"primary_ingredients", optional("primaryIngredients")},
        {"drug_use", optional("drugUse")},
        {"drug_description", optional("drugDescription")},
        {"strength_dosage_form", JsonText(subject, "strengthDosageForm")},
        {"container_size", JsonText(subject, "containerSize")},
        {"quantity", quantity != nullptr && quantity->is_object()
                         ? NumberText(quantity->value("value", Json()))
                         : ""},
        {"quantity_unit", text(quantity, "uom")},
        {"ndc", ledger::NdcOfProduct(subject)},
        {"serial_number", JsonText(subject, "serial")},
        {"lot_number", JsonText(subject, "lot")},
        {"expiration_date", JsonText(subject, "expiry")},
        {"description", type == "termination" ? "" : JsonText(*report, "description")},
        {"termination_reason", type == "termination" ? JsonText(*report, "description") : ""},
        {"gtin", JsonText(subject, "gtin")},
        {"certificate", JsonText(certificate, "id")},
        {"manufacturer", text(&manufacturer, "name")},
        {"company_name", JsonText(filer, "name")},
        {"company_country", JsonText(filer, "country")},
        {"company_gln", JsonText(filer, "gln")},
        {"company_category", CompanyCategory(JsonText(filer, "role"))},
        {"company_did", JsonText(filer, "did")},
        {"contact_name", text(contact, "name")},
        {"contact_phone", text(contact, "phone")},
        {"contact_email", text(contact, "email")},
    };
    records.push_back(std::move(record));
  }
  return records;
}

std::string Form3911Csv(const Json& records) {
  std::string out;
  auto line = [&](auto field_of) {
    bool first = true;
    for (const std::string& column : Form3911Columns()) {
      if (!first) out += ',';
      first = false;
      const std::string field = field_of(column);
      if (!NeedsQuotes(field)) {
        out += field;
        continue;
      }
      out += '"';
      for (char c : field) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  };
  line([](const std::string& column) { return column; });
  for (const Json& record : records) {
    line([&](const std::string& column) { return JsonText(record, column.c_str()); });
  }
  return out;
}

int RunNoticeFile(const NoticeFileOptions& options, const CommandEnv& env) {
  FlagsByPointer flags;
  Json notice;
  if (!options.file.empty()) {
    auto text = ReadTextFile(options.file);
    if (!text.ok()) return Fail(env, "--file", text.status());
    auto parsed = crypto::ParseJson(*text);
    if (!parsed.ok()) return Fail(env, "--file " + options.file, parsed.status());
    if (!parsed->is_object()) {
      return Fail(env, "--file " + options.file, Status::InvalidArgument("not a JSON object"));
    }
    notice = std::move(*parsed);
  } else {
    if (options.key.empty()) return Usage(env, "notice file: give --key (the filer's key file)");
    if (options.description.empty()) return Usage(env, "notice file: give --description");
    auto did = DidOfKeyFile(options.key);
    if (!did.ok()) return Fail(env, "--key", did.status());
    notice = {
        {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
        {"type", "IllegitimateProductNotice"},
        {"id", options.id.empty() ? NewUrnUuid() : options.id},
        {"issuer", *did},
        {"noticeType", options.type},
        {"description", options.description}};
    flags = {{"/id", "--id"},
             {"/issuer", "--key"},
             {"/noticeType", "--type"},
             {"/description", "--description"},
             {"/proof/verificationMethod", "--key"}};
    if (!options.initial.empty()) {
      notice["initialNotice"] = options.initial;
      flags["/initialNotice"] = "--initial";
    }
    if (!options.certificates.empty()) {
      notice["certificates"] = options.certificates;
      flags["/certificates"] = "--certificate";
      for (size_t i = 0; i < options.certificates.size(); ++i) {
        flags["/certificates/" + std::to_string(i)] = "--certificate " + options.certificates[i];
      }
    }
    for (const auto& [value, member, flag] :
         {std::tuple{&options.classification, "classification", "--classification"},
          std::tuple{&options.determined, "dateOfDetermination", "--determined"},
          std::tuple{&options.incident_number, "incidentNumber", "--incident-number"}}) {
      if (value->empty()) continue;
      notice[member] = *value;
      flags[std::string("/") + member] = flag;
    }
    if (!options.quantity.empty()) {
      double value = 0;
      const char* end = options.quantity.data() + options.quantity.size();
      auto [ptr, ec] = std::from_chars(options.quantity.data(), end, value);
      if (ec != std::errc() || ptr != end) {
        return Usage(env, "--quantity \"" + options.quantity + "\" is not a number");
      }
      int64_t whole = 0;
      auto [wptr, wec] = std::from_chars(options.quantity.data(), end, whole);
      notice["quantity"] = {
          {"value", wec == std::errc() && wptr == end ? Json(whole) : Json(value)}};
      if (!options.uom.empty()) notice["quantity"]["uom"] = options.uom;
      flags["/quantity"] = "--quantity";
      flags["/quantity/value"] = "--quantity";
      flags["/quantity/uom"] = "--uom";
    }
    if (!options.contact_name.empty() || !options.contact_phone.empty() ||
        !options.contact_email.empty()) {
      notice["contact"] = {{"name", options.contact_name},
                           {"phone", options.contact_phone},
                           {"email", options.contact_email}};
      flags["/contact"] = "--contact-name, --contact-phone, --contact-email";
      flags["/contact/name"] = "--contact-name";
      flags["/contact/phone"] = "--contact-phone";
      flags["/contact/email"] = "--contact-email";
    }
  }
  if (!notice.contains("proof")) {
    if (options.key.empty()) {
      return Usage(env, "--file " + options.file + " has no proof: pass --key FILE to sign it");
    }
    auto key = LoadKey(options.key);
    if (!key.ok()) return Fail(env, "--key", key.status());
    auto signed_notice = SignDocument(notice, *key, NowRfc3339(env));
    if (!signed_notice.ok()) return Fail(env, "signing", signed_notice.status());
    notice = std::move(*signed_notice);
  }
  if (auto parsed = ledger::ParseNotice(notice); !parsed.ok()) {
    return FailDocument(env, "the notice is not valid", parsed.status(), flags);
  }
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code);
  if (node == nullptr) return code;
  return PostDocument(env, *node, "/v1/notices", notice, options.json, flags);
}

int RunNoticeExport(const NoticeExportOptions& options, const CommandEnv& env) {
  if (options.format != "json" && options.format != "csv") {
    return Usage(env, "--format must be json or csv, not \"" + options.format + "\"");
  }
  auto key = LoadKey(options.key);
  if (!key.ok()) return Fail(env, "--key", key.status());
  int code = kExitOk;
  std::unique_ptr<Node> node = ConnectOrFail(env, options.node, &code, std::move(*key));
  if (node == nullptr) return code;
  auto notice = node->GetJson("/v1/notices/" + api::Client::EncodePathSegment(options.id));
  if (!notice.ok()) return Fail(env, "notice " + options.id, notice.status());
  auto records = Form3911Records(*notice, options.id);
  if (!records.ok()) return Fail(env, "notice " + options.id, records.status());
  if (options.format == "csv") {
    env.out << Form3911Csv(*records);
  } else {
    env.out << records->dump(2) << "\n";
  }
  return kExitOk;
}

}  // namespace frontera::tools
