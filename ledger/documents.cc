#include "ledger/documents.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/did_key.h"
#include "ledger/gs1.h"
#include "ledger/label.h"

namespace frontera::ledger {

namespace {

// Limits (docs/formats.md "Limits").
constexpr size_t kStringCharsMax = 1024;             // every string of a document
constexpr size_t kArrayItemsMax = 100;               // every array of a document
constexpr size_t kDepthMax = 32;                     // as crypto::JsonLimits
constexpr size_t kIdCharsMax = kIdentifierCharsMax;  // identifiers (URIs)
constexpr size_t kTextCharsMax = 200;                // names and descriptions
constexpr size_t kReasonCharsMax = 500;              // revocation reason

constexpr std::string_view kVcContextV2 = "https://www.w3.org/ns/credentials/v2";
constexpr std::string_view kFronteraContext = "https://frontera.example/ns/v1";
constexpr std::string_view kEpcisContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
constexpr std::string_view kProductType = "ProductAuthenticityCredential";
constexpr std::string_view kPrecursorType = "PrecursorConsignmentCredential";

// CBV 2.0 business step values used by Frontera, then Frontera's own customs
// acts (docs/formats.md "Customs vocabulary").
constexpr std::array<std::pair<std::string_view, EventKind>, 8> kBizSteps = {{
    {"shipping", EventKind::kShipping},
    {"departing", EventKind::kDeparting},
    {"arriving", EventKind::kArriving},
    {"receiving", EventKind::kReceiving},
    {"inspecting", EventKind::kInspecting},
    {"https://frontera.example/ns/v1/bizstep/customs_hold", EventKind::kCustomsHold},
    {"https://frontera.example/ns/v1/bizstep/customs_release", EventKind::kCustomsRelease},
    {"https://frontera.example/ns/v1/bizstep/joint_inspection", EventKind::kJointInspection},
}};

// CBV 2.0 source/destination type "possessing_party", in the bare form
// EPCIS 2.0 JSON writes, the CBV 2.0 URI and the CBV 1.x URN.
constexpr std::array<std::string_view, 3> kPossessingParty = {
    "possessing_party",
    "https://ref.gs1.org/cbv/SDT-possessing_party",
    "urn:epcglobal:cbv:sdt:possessing_party",
};

// The pointer of member `key` under `pointer` (RFC 6901 escaping).
std::string Child(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  crypto::AppendJsonPointerToken(key, out);
  return out;
}

std::string Child(std::string_view pointer, size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

// Characters are Unicode code points; the text is valid UTF-8 (the JSON
// parser guarantees it), so counting non-continuation bytes counts them.
size_t CharCount(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

enum class Need { kRequired, kOptional };
enum class Kind { kString, kObject, kArray, kNumber };

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "a string";
    case Kind::kObject:
      return "an object";
    case Kind::kArray:
      return "an array";
    case Kind::kNumber:
      return "a number";
  }
  return "a value";
}

bool IsKind(const Json& value, Kind kind) {
  switch (kind) {
    case Kind::kString:
      return value.is_string();
    case Kind::kObject:
      return value.is_object();
    case Kind::kArray:
      return value.is_array();
    case Kind::kNumber:
      return value.is_number();
  }
  return false;
}

// Collects the field errors of one document: shape errors (kInvalidArgument)
// and rule errors (kFailedPrecondition), so that a shipper sees every problem
// of a submission at once.
class Fields {
 public:
  explicit Fields(std::string_view document_kind) : document_kind_(document_kind) {}

  void Malformed(std::string pointer, std::string reason) {
    malformed_.push_back({std::move(pointer), std::move(reason)});
  }
  void Broken(std::string pointer, std::string reason) {
    broken_.push_back({std::move(pointer), std::move(reason)});
  }
  // Records `status` (a gs1:: check result) as a rule error; true if OK.
  bool Check(const std::string& pointer, const Status& status) {
    if (status.ok()) return true;
    Broken(pointer, status.message());
    return false;
  }
  bool malformed() const { return !malformed_.empty(); }
  bool broken() const { return !broken_.empty(); }

  // The member `key` of `object` (at `pointer`) if present and of `kind`;
  // nullptr otherwise, recording a shape error when it is required or of
  // another type.
  const Json* Member(const Json& object, std::string_view pointer, std::string_view key, Need need,
                     Kind kind) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (need == Need::kRequired) Malformed(Child(pointer, key), "is required");
      return nullptr;
    }
    if (!IsKind(*it, kind)) {
      Malformed(Child(pointer, key), "must be " + std::string(KindName(kind)));
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::string> Text(const Json& object, std::string_view pointer,
                                  std::string_view key, Need need) {
    const Json* value = Member(object, pointer, key, need, Kind::kString);
    if (value == nullptr) return std::nullopt;
    return value->get<std::string>();
  }

  // A string of min_chars..max_chars characters; true if it fits.
  bool Length(const std::string& pointer, std::string_view value, size_t min_chars,
              size_t max_chars) {
    size_t n = CharCount(value);
    if (n < min_chars || n > max_chars) {
      Broken(pointer, n == 0 ? "must not be empty"
                             : "must be " + std::to_string(min_chars) + " to " +
                                   std::to_string(max_chars) + " characters, not " +
                                   std::to_string(n));
      return false;
    }
    return true;
  }

  // Returns OK, or the first-kind error: shape errors first, since a rule
  // cannot be judged on a malformed document.
  Status Finish() const {
    if (!malformed_.empty()) {
      return Status::InvalidArgument(Summary("malformed", malformed_), malformed_);
    }
    if (!broken_.empty()) {
      return Status::FailedPrecondition(Summary("rejected", broken_), broken_);
    }
    return Status::Ok();
  }

 private:
  std::string Summary(std::string_view verdict, const std::vector<FieldError>& errors) const {
    std::string out = std::string(document_kind_) + " " + std::string(verdict) + ": " +
                      (errors[0].pointer.empty() ? "(document)" : errors[0].pointer) + ": " +
                      errors[0].reason;
    if (errors.size() > 1) out += " (and " + std::to_string(errors.size() - 1) + " more)";
    return out;
  }

  std::string document_kind_;
  std::vector<FieldError> malformed_;
  std::vector<FieldError> broken_;
};

// Bounded everything (docs/formats.md §2 "Limits"): every string and array
// of the document, including members the ledger does not interpret, since
// they are signed, stored and served.
void CheckLimits(const Json& value, const std::string& pointer, size_t depth, Fields& fields) {
  if (depth > kDepthMax) {
    fields.Broken(pointer, "is nested deeper than " + std::to_string(kDepthMax) + " levels");
    return;
  }
  if (value.is_string()) {
    size_t n = CharCount(value.get_ref<const std::string&>());
    if (n > kStringCharsMax) {
      fields.Broken(pointer, "must be at most " + std::to_string(kStringCharsMax) +
                                 " characters, not " + std::to_string(n));
    }
  } else if (value.is_array()) {
    if (value.size() > kArrayItemsMax) {
      fields.Broken(pointer, "must have at most " + std::to_string(kArrayItemsMax) +
                                 " items, not " + std::to_string(value.size()));
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      CheckLimits(value[i], Child(pointer, i), depth + 1, fields);
    }
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      std::string child = Child(pointer, key);
      if (CharCount(key) > kStringCharsMax) {
        fields.Broken(child, "member name must be at most " + std::to_string(kStringCharsMax) +
                                 " characters");
      }
      CheckLimits(member, child, depth + 1, fields);
    }
  }
}

// Not an object, or over a limit: the document is not looked at further.
Status CheckDocument(const Json& document, std::string_view document_kind) {
  if (!document.is_object()) {
    return Status::InvalidArgument(std::string(document_kind) + " must be a JSON object",
                                   {{"", "must be a JSON object"}});
  }
  Fields limits(document_kind);
  CheckLimits(document, "", 0, limits);
  return limits.Finish();
}

// RFC 3986 §4.3 absolute-URI: scheme ":" followed by something, written with
// visible ASCII only (no whitespace, no characters RFC 3986 excludes).
Status CheckUri(std::string_view uri, size_t max_chars = kIdCharsMax) {
  std::string reason = "must be an absolute URI (scheme:…, visible ASCII, no spaces), at most " +
                       std::to_string(max_chars) + " characters";
  if (uri.empty() || uri.size() > max_chars) return Status::FailedPrecondition(reason);
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == uri.size()) {
    return Status::FailedPrecondition(reason);
  }
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(uri[0])) return Status::FailedPrecondition(reason);
  for (char c : uri.substr(0, colon)) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
      return Status::FailedPrecondition(reason);
    }
  }
  for (char c : uri) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F ||
        std::string_view("<>\"{}|\\^`").find(c) != std::string_view::npos) {
      return Status::FailedPrecondition(reason);
    }
  }
  return Status::Ok();
}

// RFC 9562 §4: "urn:uuid:" and 8-4-4-4-12 hexadecimal digits.
Status CheckUrnUuid(std::string_view text) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  static const std::string kReason =
      "must be urn:uuid: followed by a UUID (8-4-4-4-12 hexadecimal digits)";
  if (!text.starts_with(kPrefix) || text.size() != kPrefix.size() + 36) {
    return Status::FailedPrecondition(kReason);
  }
  std::string_view uuid = text.substr(kPrefix.size());
  for (size_t i = 0; i < uuid.size(); ++i) {
    char c = uuid[i];
    bool hyphen_position = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (hyphen_position ? c != '-' : !hex) return Status::FailedPrecondition(kReason);
  }
  return Status::Ok();
}

Status CheckDidKey(std::string_view did) {
  Result<crypto::PublicKey> key = crypto::PublicKeyFromDidKey(did);
  if (key.ok()) return Status::Ok();
  return Status::FailedPrecondition("must be an Ed25519 did:key (did:key:z6Mk…): " +
                                    key.status().message());
}

// A required text member checked for length; empty optional if absent or bad.
std::optional<std::string> BoundedText(Fields& fields, const Json& object, std::string_view pointer,
                                       std::string_view key, Need need, size_t max_chars) {
  std::optional<std::string> value = fields.Text(object, pointer, key, need);
  if (value && !fields.Length(Child(pointer, key), *value, 1, max_chars)) return std::nullopt;
  return value;
}

// A text member that must pass `check` (a gs1:: or local rule).
template <typename CheckFn>
std::optional<std::string> CheckedText(Fields& fields, const Json& object, std::string_view pointer,
                                       std::string_view key, Need need, CheckFn check) {
  std::optional<std::string> value = fields.Text(object, pointer, key, need);
  if (value && !fields.Check(Child(pointer, key), check(*value))) return std::nullopt;
  return value;
}

// "@context": an array whose items are strings (URLs) or objects (embedded
// contexts, VC 2.0 §4.3); `first`, if not empty, must be item 0, and every
// name in `required` must appear.
void CheckContext(Fields& fields, const Json& document, std::string_view first,
                  std::span<const std::string_view> required) {
  const Json* context = fields.Member(document, "", "@context", Need::kRequired, Kind::kArray);
  if (context == nullptr) return;
  if (context->empty()) {
    fields.Broken("/@context", "must not be empty");
    return;
  }
  for (size_t i = 0; i < context->size(); ++i) {
    const Json& item = (*context)[i];
    if (!item.is_string() && !item.is_object()) {
      fields.Malformed(Child("/@context", i), "must be a string or an object");
    }
  }
  if (!first.empty() && (*context)[0] != first) {
    fields.Broken("/@context/0", "must be " + std::string(first));
  }
  for (std::string_view name : required) {
    if (std::find(context->begin(), context->end(), name) == context->end()) {
      fields.Broken("/@context", "must include " + std::string(name));
    }
  }
}

// "proof": required object; its verificationMethod is returned as written
// (the Data Integrity verifier interprets it).
std::string ReadProof(Fields& fields, const Json& document) {
  const Json* proof = fields.Member(document, "", "proof", Need::kRequired, Kind::kObject);
  if (proof == nullptr) return "";
  std::optional<std::string> method =
      BoundedText(fields, *proof, "/proof", "verificationMethod", Need::kRequired, kIdCharsMax);
  return method.value_or("");
}

// A party of a precursor consignment: {id (did:key), name, country}.
std::optional<PartyRef> ReadParty(Fields& fields, const Json& subject, std::string_view key) {
  const std::string pointer = Child("/credentialSubject", key);
  const Json* party =
      fields.Member(subject, "/credentialSubject", key, Need::kRequired, Kind::kObject);
  if (party == nullptr) return std::nullopt;
  std::optional<std::string> did =
      CheckedText(fields, *party, pointer, "id", Need::kRequired, CheckDidKey);
  std::optional<std::string> name =
      BoundedText(fields, *party, pointer, "name", Need::kRequired, kTextCharsMax);
  std::optional<std::string> country =
      CheckedText(fields, *party, pointer, "country", Need::kRequired, gs1::CheckCountryCode);
  if (!did || !name || !country) return std::nullopt;
  return PartyRef{*did, *name, *country};
}

struct Validity {
  std::optional<int64_t> valid_from_ms;
  std::optional<int64_t> valid_until_ms;
};

// Product subject (docs/formats.md "ProductAuthenticityCredential").
void ReadProductSubject(Fields& fields, const Json& subject, const Validity& validity,
                        Credential& credential) {
  const std::string_view ptr = "/credentialSubject";
  auto gtin = CheckedText(fields, subject, ptr, "gtin", Need::kRequired, gs1::CheckGtin14);
  auto lot = CheckedText(fields, subject, ptr, "lot", Need::kRequired,
                         [](std::string_view v) { return gs1::CheckCset82Value(v, "lot"); });
  auto serial = CheckedText(fields, subject, ptr, "serial", Need::kRequired,
                            [](std::string_view v) { return gs1::CheckCset82Value(v, "serial"); });
  std::optional<gs1::CivilDate> expiry_date;
  auto expiry = CheckedText(fields, subject, ptr, "expiry", Need::kRequired,
                            [&expiry_date](std::string_view v) {
                              Result<gs1::CivilDate> date = gs1::ParseDate(v);
                              if (date.ok()) expiry_date = *date;
                              return date.status();
                            });
  CheckedText(fields, subject, ptr, "ndc", Need::kOptional, gs1::CheckNdc);
  for (std::string_view key : {"productName", "strengthDosageForm", "containerSize"}) {
    BoundedText(fields, subject, ptr, key, Need::kRequired, kTextCharsMax);
  }

  const Json* manufacturer =
      fields.Member(subject, ptr, "manufacturer", Need::kRequired, Kind::kObject);
  if (manufacturer != nullptr) {
    const std::string mptr = "/credentialSubject/manufacturer";
    auto did = CheckedText(fields, *manufacturer, mptr, "id", Need::kRequired, CheckDidKey);
    BoundedText(fields, *manufacturer, mptr, "name", Need::kRequired, kTextCharsMax);
    CheckedText(fields, *manufacturer, mptr, "gln", Need::kRequired, gs1::CheckGln);
    auto country = CheckedText(fields, *manufacturer, mptr, "countryOfOrigin", Need::kRequired,
                               gs1::CheckCountryCode);
    credential.manufacturer_did = did.value_or("");
    credential.country_of_origin = country.value_or("");
  }

  credential.gtin = gtin.value_or("");
  credential.lot = lot.value_or("");
  credential.serial = serial.value_or("");
  credential.expiry = expiry.value_or("");

  // credentialSubject.id is the item's canonical GS1 Digital Link URI, so
  // that the ledger can index certificates by item.
  if (gtin && lot && serial && !credential.subject_id.empty()) {
    std::string expected = gs1::ProductSubjectId(*gtin, *lot, *serial);
    if (credential.subject_id != expected) {
      fields.Broken("/credentialSubject/id", "must be " + expected);
    }
  }
  if (expiry_date) {
    // AI 17 names a day; the product is good until that day ends (UTC).
    int64_t expiry_end_ms = (gs1::DaysSinceEpoch(*expiry_date) + 1) * gs1::kMillisPerDay;
    if (validity.valid_from_ms && *validity.valid_from_ms >= expiry_end_ms) {
      fields.Broken("/credentialSubject/expiry",
                    "the product expires (" + *expiry + ") before the credential's validFrom");
    }
    if (validity.valid_until_ms && *validity.valid_until_ms >= expiry_end_ms) {
      fields.Broken("/validUntil", "must not be after the end of the expiry day " + *expiry + " (" +
                                       *expiry + "T23:59:59.999Z)");
    }
  }
}

// Precursor subject (docs/formats.md "PrecursorConsignmentCredential").
void ReadPrecursorSubject(Fields& fields, const Json& subject, Credential& credential) {
  const std::string_view ptr = "/credentialSubject";
  auto sscc = CheckedText(fields, subject, ptr, "sscc", Need::kRequired, gs1::CheckSscc);

  const Json* substance = fields.Member(subject, ptr, "substance", Need::kRequired, Kind::kObject);
  std::optional<std::string> un_table;
  if (substance != nullptr) {
    const std::string sptr = "/credentialSubject/substance";
    BoundedText(fields, *substance, sptr, "name", Need::kRequired, kTextCharsMax);
    auto cas_rn = CheckedText(fields, *substance, sptr, "casRn", Need::kRequired, gs1::CheckCasRn);
    // UN Convention against Illicit Traffic in Narcotic Drugs and
    // Psychotropic Substances (1988), Article 12: Tables I and II.
    un_table =
        CheckedText(fields, *substance, sptr, "unTable", Need::kRequired, [](std::string_view v) {
          return v == "I" || v == "II"
                     ? Status::Ok()
                     : Status::FailedPrecondition("must be I or II (1988 Convention table)");
        });
    CheckedText(fields, *substance, sptr, "hsCode", Need::kRequired, gs1::CheckHsCode);
    credential.cas_rn = cas_rn.value_or("");
    credential.un_table = un_table.value_or("");
  }

  const Json* quantity = fields.Member(subject, ptr, "quantity", Need::kRequired, Kind::kObject);
  if (quantity != nullptr) {
    const std::string qptr = "/credentialSubject/quantity";
    const Json* value = fields.Member(*quantity, qptr, "value", Need::kRequired, Kind::kNumber);
    if (value != nullptr && !(value->get<double>() > 0)) {
      fields.Broken(qptr + "/value", "must be a number greater than 0");
    }
    CheckedText(fields, *quantity, qptr, "uom", Need::kRequired, gs1::CheckUnitCode);
  }

  BoundedText(fields, subject, ptr, "concentration", Need::kOptional, kTextCharsMax);
  std::optional<PartyRef> exporter = ReadParty(fields, subject, "exporter");
  std::optional<PartyRef> importer = ReadParty(fields, subject, "importer");
  std::optional<PartyRef> consignee = ReadParty(fields, subject, "consignee");
  auto point_of_entry =
      CheckedText(fields, subject, ptr, "pointOfEntry", Need::kRequired, gs1::CheckUnLocode);
  CheckedText(fields, subject, ptr, "dispatchDate", Need::kRequired,
              [](std::string_view v) { return gs1::ParseDate(v).status(); });
  BoundedText(fields, subject, ptr, "preExportNotification", Need::kOptional, kTextCharsMax);
  BoundedText(fields, subject, ptr, "importPermit", Need::kOptional, kTextCharsMax);

  credential.sscc = sscc.value_or("");
  credential.point_of_entry = point_of_entry.value_or("");
  if (exporter) credential.exporter = *exporter;
  if (importer) credential.importer = *importer;
  if (consignee) credential.consignee = *consignee;

  if (sscc && !credential.subject_id.empty()) {
    std::string expected = gs1::ConsignmentSubjectId(*sscc);
    if (credential.subject_id != expected) {
      fields.Broken("/credentialSubject/id", "must be " + expected);
    }
  }
  // 1988 Convention Art. 12(10)(a): a Table I export needs a pre-export
  // notification to the importing country. Checked only once every input
  // of the rule is known to be valid.
  if (un_table == "I" && exporter && importer && exporter->country != importer->country &&
      !subject.contains("preExportNotification")) {
    fields.Broken("/credentialSubject/preExportNotification",
                  "is required for a Table I substance exported from " + exporter->country +
                      " to " + importer->country +
                      ": give the pre-export notification reference (e.g. PEN Online)");
  }
}

// sourceList / destinationList: returns the possessing_party, if any.
std::string ReadPartyList(Fields& fields, const Json& event, std::string_view key,
                          std::string_view party_member) {
  const Json* list = fields.Member(event, "", key, Need::kOptional, Kind::kArray);
  if (list == nullptr) return "";
  const std::string lptr = Child("", key);
  std::string party;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string iptr = Child(lptr, i);
    const Json& entry = (*list)[i];
    if (!entry.is_object()) {
      fields.Malformed(iptr, "must be an object {type, " + std::string(party_member) + "}");
      continue;
    }
    auto type = fields.Text(entry, iptr, "type", Need::kRequired);
    auto value = fields.Text(entry, iptr, party_member, Need::kRequired);
    if (!type || !value) continue;
    if (!fields.Length(Child(iptr, "type"), *type, 1, kIdCharsMax)) continue;
    if (std::find(kPossessingParty.begin(), kPossessingParty.end(), *type) ==
        kPossessingParty.end()) {
      fields.Check(Child(iptr, party_member), CheckUri(*value));
      continue;
    }
    // Frontera names the parties of custody by their did:key, the key that
    // signs their events (docs/formats.md "Events").
    if (!fields.Check(Child(iptr, party_member), CheckDidKey(*value))) continue;
    if (!party.empty()) {
      fields.Broken(iptr, "a second possessing_party; a list names at most one");
      continue;
    }
    party = *value;
  }
  return party;
}

// True when the item identifiers of `credential` were all read and valid,
// so that a label can be compared with them.
bool IdentifiersKnown(const Credential& credential, std::optional<CredentialType> type) {
  if (type == CredentialType::kProduct) {
    return !credential.gtin.empty() && !credential.lot.empty() && !credential.serial.empty() &&
           !credential.expiry.empty();
  }
  return type == CredentialType::kPrecursor && !credential.sscc.empty();
}

}  // namespace

Result<Credential> ParseCredential(const Json& document) {
  FRONTERA_RETURN_IF_ERROR(CheckDocument(document, "credential"));
  Fields fields("credential");
  Credential credential;

  const std::array<std::string_view, 0> no_more_contexts{};
  CheckContext(fields, document, kVcContextV2, no_more_contexts);

  // VC 2.0 §4.5: "type" holds VerifiableCredential and, here, exactly one of
  // the two Frontera credential types.
  std::optional<CredentialType> type;
  if (const Json* types = fields.Member(document, "", "type", Need::kRequired, Kind::kArray)) {
    bool vc = false;
    int ours = 0;
    for (size_t i = 0; i < types->size(); ++i) {
      const Json& item = (*types)[i];
      if (!item.is_string()) {
        fields.Malformed(Child("/type", i), "must be a string");
        continue;
      }
      if (item == "VerifiableCredential") vc = true;
      if (item == kProductType) {
        type = CredentialType::kProduct;
        ++ours;
      }
      if (item == kPrecursorType) {
        type = CredentialType::kPrecursor;
        ++ours;
      }
    }
    if (!vc) fields.Broken("/type", "must include VerifiableCredential");
    if (ours != 1) {
      fields.Broken("/type", "must include exactly one of " + std::string(kProductType) + ", " +
                                 std::string(kPrecursorType));
      type.reset();
    }
  }
  credential.type = type.value_or(CredentialType::kProduct);

  credential.id = CheckedText(fields, document, "", "id", Need::kRequired, [](std::string_view v) {
                    return CheckUri(v);
                  }).value_or("");

  // VC 2.0 §4.7: issuer is a URL or an object with an id.
  if (auto it = document.find("issuer"); it == document.end()) {
    fields.Malformed("/issuer", "is required");
  } else if (it->is_string()) {
    credential.issuer =
        CheckedText(fields, document, "", "issuer", Need::kRequired, CheckDidKey).value_or("");
  } else if (it->is_object()) {
    credential.issuer =
        CheckedText(fields, *it, "/issuer", "id", Need::kRequired, CheckDidKey).value_or("");
  } else {
    fields.Malformed("/issuer", "must be a did:key string or an object with an id");
  }

  // VC 2.0 §4.9: validFrom / validUntil are date-time stamps.
  Validity validity;
  if (auto from = fields.Text(document, "", "validFrom", Need::kRequired)) {
    Result<int64_t> ms = gs1::ParseRfc3339Millis(*from);
    if (fields.Check("/validFrom", ms.status())) validity.valid_from_ms = *ms;
    credential.valid_from = *from;
  }
  if (auto until = fields.Text(document, "", "validUntil", Need::kOptional)) {
    Result<int64_t> ms = gs1::ParseRfc3339Millis(*until);
    if (fields.Check("/validUntil", ms.status())) validity.valid_until_ms = *ms;
    credential.valid_until = *until;
  }
  if (validity.valid_from_ms && validity.valid_until_ms &&
      *validity.valid_until_ms <= *validity.valid_from_ms) {
    fields.Broken("/validUntil", "must be after validFrom");
  }

  credential.proof_verification_method = ReadProof(fields, document);

  const Json* subject =
      fields.Member(document, "", "credentialSubject", Need::kRequired, Kind::kObject);
  if (subject != nullptr) {
    credential.subject_id =
        fields.Text(*subject, "/credentialSubject", "id", Need::kRequired).value_or("");
    if (type == CredentialType::kProduct) {
      ReadProductSubject(fields, *subject, validity, credential);
    } else if (type == CredentialType::kPrecursor) {
      ReadPrecursorSubject(fields, *subject, credential);
    }
    if (auto label = fields.Text(*subject, "/credentialSubject", "label", Need::kOptional)) {
      credential.label = *label;
      // The label must name this item; its signature is checked with the
      // issuer's key by the ledger (VerifyLabel), not here.
      Result<Label> parsed = ParseLabel(*label);
      if (!parsed.ok()) {
        fields.Broken("/credentialSubject/label", parsed.status().field_errors().at(0).reason);
      } else if (IdentifiersKnown(credential, type)) {
        Status matches = CheckLabelMatches(*parsed, credential);
        for (const FieldError& error : matches.field_errors()) {
          fields.Broken("/credentialSubject/label", error.reason);
        }
      }
    }
  }

  FRONTERA_RETURN_IF_ERROR(fields.Finish());
  return credential;
}

Result<Event> ParseEvent(const Json& document) {
  FRONTERA_RETURN_IF_ERROR(CheckDocument(document, "event"));
  Fields fields("event");
  Event event;

  // EPCIS 2.0 JSON/JSON-LD binding: the EPCIS context is included.
  const std::array<std::string_view, 1> contexts = {kEpcisContext};
  CheckContext(fields, document, "", contexts);

  CheckedText(fields, document, "", "type", Need::kRequired, [](std::string_view v) {
    return v == "ObjectEvent" ? Status::Ok()
                              : Status::FailedPrecondition(
                                    "must be ObjectEvent (the only EPCIS event type "
                                    "the ledger records)");
  });
  event.event_id =
      CheckedText(fields, document, "", "eventID", Need::kRequired, [](std::string_view v) {
        return CheckUri(v);
      }).value_or("");
  event.event_time =
      CheckedText(fields, document, "", "eventTime", Need::kRequired, [](std::string_view v) {
        return gs1::ParseRfc3339Millis(v).status();
      }).value_or("");
  CheckedText(fields, document, "", "eventTimeZoneOffset", Need::kRequired,
              gs1::CheckTimeZoneOffset);

  if (const Json* epcs = fields.Member(document, "", "epcList", Need::kRequired, Kind::kArray)) {
    if (epcs->empty()) fields.Broken("/epcList", "must name at least one EPC");
    for (size_t i = 0; i < epcs->size(); ++i) {
      const Json& epc = (*epcs)[i];
      if (!epc.is_string()) {
        fields.Malformed(Child("/epcList", i), "must be a string");
        continue;
      }
      if (fields.Check(Child("/epcList", i), CheckUri(epc.get<std::string>()))) {
        event.epc_list.push_back(epc.get<std::string>());
      }
    }
  }

  CheckedText(fields, document, "", "action", Need::kRequired, [](std::string_view v) {
    return v == "OBSERVE" || v == "ADD" || v == "DELETE"
               ? Status::Ok()
               : Status::FailedPrecondition("must be one of OBSERVE, ADD, DELETE");
  });

  std::optional<EventKind> kind;
  if (auto biz_step = fields.Text(document, "", "bizStep", Need::kRequired)) {
    for (const auto& [name, value] : kBizSteps) {
      if (*biz_step == name) kind = value;
    }
    if (!kind) {
      std::vector<std::string_view> names;
      for (const auto& entry : kBizSteps) names.push_back(entry.first);
      fields.Broken("/bizStep", "must be one of " + JoinNames(names));
    }
    event.biz_step = *biz_step;
  }
  event.kind = kind.value_or(EventKind::kShipping);

  fields.Text(document, "", "disposition", Need::kOptional);
  for (std::string_view key : {"readPoint", "bizLocation"}) {
    const Json* place = fields.Member(document, "", key, Need::kOptional, Kind::kObject);
    if (place == nullptr) continue;
    auto id = CheckedText(fields, *place, Child("", key), "id", Need::kRequired,
                          [](std::string_view v) { return CheckUri(v); });
    (key == "readPoint" ? event.read_point : event.biz_location) = id.value_or("");
  }

  event.source_party = ReadPartyList(fields, document, "sourceList", "source");
  event.destination_party = ReadPartyList(fields, document, "destinationList", "destination");
  if (kind == EventKind::kShipping && event.destination_party.empty() && !fields.malformed()) {
    fields.Broken("/destinationList",
                  "shipping must name the receiving party: a destinationList entry of type "
                  "possessing_party with its did:key");
  }

  if (const Json* quantities =
          fields.Member(document, "", "quantityList", Need::kOptional, Kind::kArray)) {
    for (size_t i = 0; i < quantities->size(); ++i) {
      const std::string iptr = Child("/quantityList", i);
      const Json& entry = (*quantities)[i];
      if (!entry.is_object()) {
        fields.Malformed(iptr, "must be an object {epcClass, quantity, uom}");
        continue;
      }
      CheckedText(fields, entry, iptr, "epcClass", Need::kRequired,
                  [](std::string_view v) { return CheckUri(v); });
      const Json* quantity = fields.Member(entry, iptr, "quantity", Need::kRequired, Kind::kNumber);
      CheckedText(fields, entry, iptr, "uom", Need::kOptional, gs1::CheckUnitCode);
      if (quantity == nullptr) continue;
      if (!(quantity->get<double>() > 0)) {
        fields.Broken(iptr + "/quantity", "must be a number greater than 0");
      } else if (!entry.contains("uom") && !quantity->is_number_integer() &&
                 !quantity->is_number_unsigned()) {
        // EPCIS 2.0 QuantityElement: without uom the quantity counts instances.
        fields.Broken(iptr + "/quantity", "must be a whole number when uom is absent");
      }
    }
  }

  event.certificate_id = CheckedText(fields, document, "", "certificationInfo", Need::kRequired,
                                     [](std::string_view v) { return CheckUri(v); })
                             .value_or("");
  event.proof_verification_method = ReadProof(fields, document);

  FRONTERA_RETURN_IF_ERROR(fields.Finish());
  return event;
}

Result<Revocation> ParseRevocation(const Json& document) {
  FRONTERA_RETURN_IF_ERROR(CheckDocument(document, "revocation"));
  Fields fields("revocation");
  Revocation revocation;

  const std::array<std::string_view, 1> contexts = {kFronteraContext};
  CheckContext(fields, document, kVcContextV2, contexts);
  CheckedText(fields, document, "", "type", Need::kRequired, [](std::string_view v) {
    return v == "CredentialRevocation" ? Status::Ok()
                                       : Status::FailedPrecondition("must be CredentialRevocation");
  });
  revocation.id =
      CheckedText(fields, document, "", "id", Need::kRequired, CheckUrnUuid).value_or("");
  revocation.credential_id =
      CheckedText(fields, document, "", "credential", Need::kRequired, [](std::string_view v) {
        return CheckUri(v);
      }).value_or("");
  revocation.issuer =
      CheckedText(fields, document, "", "issuer", Need::kRequired, CheckDidKey).value_or("");
  revocation.reason =
      BoundedText(fields, document, "", "reason", Need::kRequired, kReasonCharsMax).value_or("");
  revocation.proof_verification_method = ReadProof(fields, document);

  FRONTERA_RETURN_IF_ERROR(fields.Finish());
  return revocation;
}

std::string ItemEpc(const Credential& credential) {
  if (credential.type == CredentialType::kPrecursor) {
    return gs1::ConsignmentSubjectId(credential.sscc);
  }
  return gs1::SgtinEpc(credential.gtin, credential.serial);
}

}  // namespace frontera::ledger
