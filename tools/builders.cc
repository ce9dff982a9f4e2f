#include "tools/builders.h"

#include <array>
#include <charconv>
#include <cstdio>

#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "ledger/gs1.h"
#include "ledger/label.h"
#include "tools/time_util.h"

namespace frontera::tools {
namespace {

// The proof options of every document the CLI signs.
crypto::ProofOptions OptionsOf(const crypto::KeyPair& key, const std::string& created) {
  crypto::ProofOptions options;
  options.created = created;
  options.verification_method = crypto::VerificationMethodFromPublicKey(key.public_key());
  return options;
}

Json Contexts() { return Json::array({kVcContext, kFronteraContext}); }

Json PartyJson(const PartyInfo& party) {
  return Json{{"id", party.did}, {"name", party.name}, {"country", party.country}};
}

// A string member of `object`, or empty when absent or not a string.
std::string StringMember(const Json& object, const char* name) {
  if (!object.is_object()) return "";
  auto member = object.find(name);
  return member != object.end() && member->is_string() ? member->get<std::string>() : "";
}

}  // namespace

std::string NewUrnUuid() {
  std::array<uint8_t, 16> bytes;
  crypto::RandomBytes(bytes);
  // RFC 9562 §5.4: version 4 in the high nibble of octet 6, variant 0b10 in
  // the two high bits of octet 8; the other 122 bits are random.
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return std::string("urn:uuid:") + text;
}

Json BuildProductCredential(const ProductFields& f) {
  Json manufacturer{{"id", f.manufacturer.did},
                    {"name", f.manufacturer.name},
                    {"gln", f.manufacturer.gln},
                    {"countryOfOrigin", f.manufacturer.country}};
  if (f.manufacturer.gln.empty()) manufacturer.erase("gln");
  Json subject{
      {"id", ledger::gs1::ProductSubjectId(f.gtin, f.lot, f.serial)},
      {"gtin", f.gtin},
      {"lot", f.lot},
      {"serial", f.serial},
      {"expiry", f.expiry},
      {"productName", f.product_name},
      {"strengthDosageForm", f.strength_dosage_form},
      {"containerSize", f.container_size},
      {"manufacturer", manufacturer},
  };
  if (!f.ndc.empty()) subject["ndc"] = f.ndc;
  return Json{
      {"@context", Contexts()},
      {"id", f.id},
      {"type", Json::array({"VerifiableCredential", "ProductAuthenticityCredential"})},
      {"issuer", f.manufacturer.did},
      {"validFrom", f.valid_from},
      // A unit's credential lasts as long as the unit may be sold: to the end
      // of its expiry date (AI 17) unless told otherwise.
      {"validUntil", f.valid_until.empty() ? f.expiry + "T23:59:59Z" : f.valid_until},
      {"credentialSubject", subject},
  };
}

Json BuildPrecursorCredential(const PrecursorFields& f) {
  Json subject{
      {"id", ledger::gs1::ConsignmentSubjectId(f.sscc)},
      {"sscc", f.sscc},
      {"substance",
       {{"name", f.substance_name},
        {"casRn", f.cas_rn},
        {"unTable", f.un_table},
        {"hsCode", f.hs_code}}},
      {"quantity", {{"value", f.quantity_value}, {"uom", f.uom}}},
      {"exporter", PartyJson(f.exporter)},
      {"importer", PartyJson(f.importer)},
      {"consignee", PartyJson(f.consignee)},
      {"pointOfEntry", f.point_of_entry},
      {"dispatchDate", f.dispatch_date},
  };
  if (!f.concentration.empty()) subject["concentration"] = f.concentration;
  if (!f.pre_export_notification.empty()) {
    subject["preExportNotification"] = f.pre_export_notification;
  }
  if (!f.import_permit.empty()) subject["importPermit"] = f.import_permit;
  Json credential{
      {"@context", Contexts()},
      {"id", f.id},
      {"type", Json::array({"VerifiableCredential", "PrecursorConsignmentCredential"})},
      {"issuer", f.exporter.did},
      {"validFrom", f.valid_from},
      {"credentialSubject", subject},
  };
  if (!f.valid_until.empty()) credential["validUntil"] = f.valid_until;
  return credential;
}

Result<Json> ParseQuantity(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("quantity \"" + std::string(text) +
                                   "\" must be a positive decimal number such as 200 or 12.5");
  };
  if (text.empty() || text.size() > 32) return bad();
  size_t dot = text.find('.');
  for (size_t i = 0; i < text.size(); ++i) {
    if (i != dot && (text[i] < '0' || text[i] > '9')) return bad();
  }
  if (dot == 0 || dot + 1 == text.size()) return bad();
  if (dot == std::string_view::npos) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return bad();
    return Json(value);
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value > 0)) return bad();
  return Json(value);
}

std::optional<ledger::EventKind> EventKindFromCliName(std::string_view name) {
  using ledger::EventKind;
  if (name == "shipping") return EventKind::kShipping;
  if (name == "departing") return EventKind::kDeparting;
  if (name == "arriving") return EventKind::kArriving;
  if (name == "receiving") return EventKind::kReceiving;
  if (name == "inspecting") return EventKind::kInspecting;
  if (name == "hold") return EventKind::kCustomsHold;
  if (name == "release") return EventKind::kCustomsRelease;
  if (name == "joint-inspection") return EventKind::kJointInspection;
  return std::nullopt;
}

std::string BizStepOf(ledger::EventKind kind) {
  using ledger::EventKind;
  switch (kind) {
    case EventKind::kShipping:
      return "shipping";
    case EventKind::kDeparting:
      return "departing";
    case EventKind::kArriving:
      return "arriving";
    case EventKind::kReceiving:
      return "receiving";
    case EventKind::kInspecting:
      return "inspecting";
    case EventKind::kCustomsHold:
      return "https://frontera.example/ns/v1/bizstep/customs_hold";
    case EventKind::kCustomsRelease:
      return "https://frontera.example/ns/v1/bizstep/customs_release";
    case EventKind::kJointInspection:
      return "https://frontera.example/ns/v1/bizstep/joint_inspection";
    case EventKind::kLifecycle:  // its step depends on the state (ledger::LifecycleBizStep)
      break;
  }
  FRONTERA_CHECK(false) << "unknown EventKind " << static_cast<int>(kind);
  return "";
}

std::string DispositionOf(ledger::EventKind kind) {
  using ledger::EventKind;
  // CBV 2.0 §7.2 dispositions: goods on the move are in_transit; goods being
  // worked on at a site (received, inspected) are in_progress; goods held by
  // customs may not be sold or moved on, non_sellable_other.
  switch (kind) {
    case EventKind::kShipping:
    case EventKind::kDeparting:
    case EventKind::kArriving:
    case EventKind::kCustomsRelease:
      return "in_transit";
    case EventKind::kReceiving:
    case EventKind::kInspecting:
    case EventKind::kJointInspection:
      return "in_progress";
    case EventKind::kCustomsHold:
      return "non_sellable_other";
    case EventKind::kLifecycle:  // ledger::LifecycleDisposition of its state
      break;
  }
  FRONTERA_CHECK(false) << "unknown EventKind " << static_cast<int>(kind);
  return "";
}

Result<Json> BuildEvent(const EventFields& f) {
  if (!ledger::gs1::ParseRfc3339Millis(f.event_time).ok()) {
    return Status::InvalidArgument("event time \"" + f.event_time +
                                   "\" is not an RFC 3339 date-time with offset");
  }
  if (f.kind == ledger::EventKind::kShipping && f.destination_party.empty()) {
    return Status::InvalidArgument(
        "a shipping event must name the next custodian (destinationList possessing_party)");
  }
  Json event{
      {"@context", Json::array({kEpcisContext, kFronteraContext})},
      {"type", "ObjectEvent"},
      {"eventID", f.event_id},
      {"eventTime", f.event_time},
      // EPCIS 2.0 §7.4.1: the offset in effect where the event happened.
      {"eventTimeZoneOffset", Rfc3339Offset(f.event_time)},
      {"epcList", Json::array({f.epc})},
      {"action", "OBSERVE"},
      {"bizStep", BizStepOf(f.kind)},
      {"disposition", DispositionOf(f.kind)},
      {"certificationInfo", f.certificate_id},
  };
  if (!f.read_point.empty()) event["readPoint"] = {{"id", f.read_point}};
  if (!f.biz_location.empty()) event["bizLocation"] = {{"id", f.biz_location}};
  // CBV 2.0 §8.3 source/destination type possessing_party: who held the goods
  // before and who holds them after the transfer.
  if (f.kind == ledger::EventKind::kShipping) {
    event["sourceList"] = Json::array({{{"type", "possessing_party"}, {"source", f.signer_did}}});
  }
  if (!f.destination_party.empty()) {
    event["destinationList"] =
        Json::array({{{"type", "possessing_party"}, {"destination", f.destination_party}}});
  }
  for (const auto& [key, names] :
       {std::pair{"set", &f.flags_set}, std::pair{"unset", &f.flags_unset}}) {
    for (const std::string& name : *names) {
      std::optional<std::string> disposition = ledger::FlagDisposition(name);
      if (!disposition) {
        return Status::InvalidArgument("\"" + name +
                                       "\" is not a flag: suspect, illegitimate or recalled");
      }
      event["persistentDisposition"][key].push_back(*disposition);
    }
  }
  if (!f.reason.empty()) event["frontera:reason"] = f.reason;
  return event;
}

Json BuildRevocation(const RevocationFields& f) {
  return Json{
      {"@context", Contexts()},
      {"type", "CredentialRevocation"},
      {"id", f.id},
      {"credential", f.credential_id},
      {"issuer", f.issuer},
      {"reason", f.reason},
  };
}

Json BuildRegistryDocument(const RegistryFields& f) {
  Json document = {
      {"@context", Contexts()}, {"type", f.type},   {"id", f.id},
      {"issuer", f.issuer},     {"party", f.party},
  };
  if (!f.new_did.empty()) document["newKey"] = f.new_did;
  if (!f.reason.empty()) document["reason"] = f.reason;
  return document;
}

Json BuildValidatorDocument(const ValidatorFields& f) {
  Json document = {
      {"@context", Contexts()}, {"type", f.type},           {"id", f.id},
      {"issuer", f.issuer},     {"validator", f.validator},
  };
  if (!f.reason.empty()) document["reason"] = f.reason;
  return document;
}

Result<Json> AttachLabel(const Json& unsigned_credential, std::string_view resolver_host,
                         const crypto::KeyPair& issuer) {
  if (!unsigned_credential.is_object() || !unsigned_credential.contains("credentialSubject") ||
      !unsigned_credential["credentialSubject"].is_object()) {
    return Status::InvalidArgument("cannot label the credential",
                                   {{"/credentialSubject", "missing: the credential's subject"}});
  }
  const Json& subject = unsigned_credential["credentialSubject"];
  // The label signs the subject's identifiers only (docs/formats.md §8);
  // fill the typed view of the credential with them.
  ledger::Credential view;
  view.id = StringMember(unsigned_credential, "id");
  view.issuer = StringMember(unsigned_credential, "issuer");
  view.valid_from = StringMember(unsigned_credential, "validFrom");
  view.valid_until = StringMember(unsigned_credential, "validUntil");
  view.subject_id = StringMember(subject, "id");
  view.sscc = StringMember(subject, "sscc");
  view.type =
      view.sscc.empty() ? ledger::CredentialType::kProduct : ledger::CredentialType::kPrecursor;
  if (view.type == ledger::CredentialType::kProduct) {
    view.gtin = StringMember(subject, "gtin");
    view.lot = StringMember(subject, "lot");
    view.serial = StringMember(subject, "serial");
    view.expiry = StringMember(subject, "expiry");
    view.manufacturer_did = StringMember(subject.value("manufacturer", Json::object()), "id");
    view.country_of_origin =
        StringMember(subject.value("manufacturer", Json::object()), "countryOfOrigin");
    for (const char* name : {"gtin", "lot", "serial", "expiry"}) {
      if (StringMember(subject, name).empty()) {
        return Status::InvalidArgument(
            "cannot label the credential",
            {{std::string("/credentialSubject/") + name, "missing: needed by the label"}});
      }
    }
  }
  FRONTERA_ASSIGN_OR_RETURN(std::string label, ledger::BuildLabel(resolver_host, view, issuer));
  Json labelled = unsigned_credential;
  labelled["credentialSubject"]["label"] = label;
  return labelled;
}

Result<Json> SignDocument(const Json& document, const crypto::KeyPair& key,
                          const std::string& created) {
  return crypto::CreateProof(document, OptionsOf(key, created), key);
}

Result<Json> CoSignDocument(const Json& document, const crypto::KeyPair& key,
                            const std::string& created) {
  return crypto::AddProof(document, OptionsOf(key, created), key);
}

}  // namespace frontera::tools

namespace frontera::tools {

Result<PartyRecord> PartyRecordFromJson(const Json& answer) {
  const Json& party = answer.is_object() && answer.contains("party") && answer["party"].is_object()
                          ? answer["party"]
                          : answer;
  if (!party.is_object()) {
    return Status::InvalidArgument("the party record is not a JSON object");
  }
  PartyRecord record;
  std::vector<FieldError> errors;
  auto required = [&](const char* name) {
    std::string value = StringMember(party, name);
    if (value.empty()) errors.push_back({std::string("/") + name, "missing or not a string"});
    return value;
  };
  record.info.did = required("did");
  record.info.name = required("name");
  record.role = required("role");
  record.info.country = required("country");
  record.info.gln = StringMember(party, "gln");
  if (auto prefixes = party.find("prefixes"); prefixes != party.end() && prefixes->is_array()) {
    for (const Json& prefix : *prefixes) {
      if (prefix.is_string()) record.prefixes.push_back(prefix.get<std::string>());
    }
  }
  if (auto suspended = party.find("suspended");
      suspended != party.end() && suspended->is_boolean()) {
    record.suspended = suspended->get<bool>();
  }
  if (!errors.empty()) {
    return Status::InvalidArgument("the node's party record is incomplete", std::move(errors));
  }
  return record;
}

}  // namespace frontera::tools
