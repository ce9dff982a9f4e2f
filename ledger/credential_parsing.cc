// ParseCredential and ItemEpc (ledger/documents.h): the W3C VC 2.0
// ProductAuthenticityCredential and PrecursorConsignmentCredential, their
// subjects' GS1 identifiers, dates, parties and label (docs/formats.md).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/document_fields.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"
#include "ledger/label.h"

namespace frontera::ledger {

// The shared member rules (ledger/document_fields.h).
using document_fields::BoundedText;
using document_fields::CheckContext;
using document_fields::CheckDidKey;
using document_fields::CheckDocument;
using document_fields::CheckedText;
using document_fields::CheckUri;
using document_fields::Child;
using document_fields::Fields;
using document_fields::Kind;
using document_fields::kTextCharsMax;
using document_fields::kVcContextV2;
using document_fields::Need;
using document_fields::ReadProof;

namespace {

constexpr std::string_view kProductType = "ProductAuthenticityCredential";
constexpr std::string_view kPrecursorType = "PrecursorConsignmentCredential";

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
    auto name = BoundedText(fields, *manufacturer, mptr, "name", Need::kRequired, kTextCharsMax);
    auto gln = CheckedText(fields, *manufacturer, mptr, "gln", Need::kRequired, gs1::CheckGln);
    auto country = CheckedText(fields, *manufacturer, mptr, "countryOfOrigin", Need::kRequired,
                               gs1::CheckCountryCode);
    credential.manufacturer_did = did.value_or("");
    credential.manufacturer_name = name.value_or("");
    credential.manufacturer_gln = gln.value_or("");
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
  auto dispatch_date = CheckedText(fields, subject, ptr, "dispatchDate", Need::kRequired,
                                   [](std::string_view v) { return gs1::ParseDate(v).status(); });
  BoundedText(fields, subject, ptr, "preExportNotification", Need::kOptional, kTextCharsMax);
  BoundedText(fields, subject, ptr, "importPermit", Need::kOptional, kTextCharsMax);

  credential.sscc = sscc.value_or("");
  credential.point_of_entry = point_of_entry.value_or("");
  credential.dispatch_date = dispatch_date.value_or("");
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

std::string ItemEpc(const Credential& credential) {
  if (credential.type == CredentialType::kPrecursor) {
    return gs1::ConsignmentSubjectId(credential.sscc);
  }
  return gs1::SgtinEpc(credential.gtin, credential.serial);
}

}  // namespace frontera::ledger
