// ParseNotice and the NDC of a GTIN (ledger/notice.h, docs/formats.md §18).
#include "ledger/notice.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "ledger/document_fields.h"
#include "ledger/gs1.h"

namespace frontera::ledger {

using crypto::Json;
using document_fields::BoundedText;
using document_fields::CheckContext;
using document_fields::CheckDidKey;
using document_fields::CheckDocument;
using document_fields::CheckedText;
using document_fields::CheckUri;
using document_fields::CheckUrnUuid;
using document_fields::Child;
using document_fields::Fields;
using document_fields::JoinNames;
using document_fields::kFronteraContext;
using document_fields::Kind;
using document_fields::kTextCharsMax;
using document_fields::kVcContextV2;
using document_fields::Need;
using document_fields::ReadProof;

namespace {

// FD&C Act §581(8): counterfeit, diverted, stolen, intentionally
// adulterated, subject of a fraudulent transaction, or otherwise unfit for
// distribution. Form 3911's list offers one choice per notification.
constexpr std::array<std::string_view, 6> kClassifications = {"counterfeit",
                                                              "diverted",
                                                              "stolen",
                                                              "intentional_adulteration",
                                                              "unfit_for_distribution",
                                                              "fraudulent_transaction"};

// A telephone number as people write it: digits, spaces and + ( ) - . /
constexpr size_t kPhoneCharsMax = 50;

Status CheckPhone(std::string_view phone) {
  const bool written = std::all_of(phone.begin(), phone.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '(' || c == ')' || c == '-' ||
           c == '.' || c == '/';
  });
  const bool has_digit =
      std::any_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (phone.empty() || phone.size() > kPhoneCharsMax || !written || !has_digit) {
    return Status::FailedPrecondition("must be a telephone number: up to " +
                                      std::to_string(kPhoneCharsMax) +
                                      " digits, spaces and + ( ) - . /");
  }
  return Status::Ok();
}

// An address a person can write to: one "@" with text on both sides, no
// spaces. Deliverability is not the ledger's to judge.
Status CheckEmail(std::string_view email) {
  const size_t at = email.find('@');
  if (email.size() > kTextCharsMax || at == std::string_view::npos || at == 0 ||
      at + 1 == email.size() || email.find('@', at + 1) != std::string_view::npos ||
      email.find(' ') != std::string_view::npos) {
    return Status::FailedPrecondition("must be an e-mail address (name@domain), at most " +
                                      std::to_string(kTextCharsMax) + " characters");
  }
  return Status::Ok();
}

Status CheckDateText(std::string_view text) { return gs1::ParseDate(text).status(); }

// A member that the notice's type does not carry: refused rather than
// ignored, since a reader of the notice would take it for what it says.
void NotFor(Fields& fields, const Json& document, std::string_view key, std::string_view why) {
  if (document.contains(key)) fields.Broken(Child("", key), std::string(why));
}

void ReadQuantity(Fields& fields, const Json& document, Need need, Notice& notice) {
  const Json* q = fields.Member(document, "", "quantity", need, Kind::kObject);
  if (q == nullptr) return;
  const Json* value = fields.Member(*q, "/quantity", "value", Need::kRequired, Kind::kNumber);
  std::optional<std::string> uom =
      CheckedText(fields, *q, "/quantity", "uom", Need::kOptional, gs1::CheckUnitCode);
  if (value == nullptr) return;
  if (!(value->get<double>() > 0)) {
    fields.Broken("/quantity/value", "must be a number greater than 0");
    return;
  }
  if (!q->contains("uom") && !value->is_number_integer() && !value->is_number_unsigned()) {
    fields.Broken("/quantity/value", "without uom it counts packs: a whole number");
    return;
  }
  notice.quantity = NoticeQuantity{value->get<double>(), uom.value_or("")};
}

void ReadContact(Fields& fields, const Json& document, Need need, Notice& notice) {
  const Json* c = fields.Member(document, "", "contact", need, Kind::kObject);
  if (c == nullptr) return;
  NoticeContact contact;
  contact.name =
      BoundedText(fields, *c, "/contact", "name", Need::kRequired, kTextCharsMax).value_or("");
  contact.phone =
      CheckedText(fields, *c, "/contact", "phone", Need::kRequired, CheckPhone).value_or("");
  contact.email =
      CheckedText(fields, *c, "/contact", "email", Need::kRequired, CheckEmail).value_or("");
  notice.contact = std::move(contact);
}

}  // namespace

std::string_view NoticeTypeName(NoticeType type) {
  switch (type) {
    case NoticeType::kInitial:
      return "initial";
    case NoticeType::kFollowUp:
      return "follow_up";
    case NoticeType::kTermination:
      return "termination";
  }
  return "initial";
}

std::span<const std::string_view> NoticeClassifications() { return kClassifications; }

Result<Notice> ParseNotice(const Json& document) {
  FRONTERA_RETURN_IF_ERROR(CheckDocument(document, "notice"));
  Fields fields("notice");
  Notice notice;

  const std::array<std::string_view, 1> contexts = {kFronteraContext};
  CheckContext(fields, document, kVcContextV2, contexts);
  CheckedText(fields, document, "", "type", Need::kRequired, [](std::string_view v) {
    return v == "IllegitimateProductNotice"
               ? Status::Ok()
               : Status::FailedPrecondition("must be IllegitimateProductNotice");
  });
  notice.id = CheckedText(fields, document, "", "id", Need::kRequired, CheckUrnUuid).value_or("");
  notice.issuer =
      CheckedText(fields, document, "", "issuer", Need::kRequired, CheckDidKey).value_or("");
  bool type_known = false;
  if (std::optional<std::string> type = fields.Text(document, "", "noticeType", Need::kRequired)) {
    for (NoticeType t : {NoticeType::kInitial, NoticeType::kFollowUp, NoticeType::kTermination}) {
      if (*type == NoticeTypeName(t)) {
        notice.type = t;
        type_known = true;
      }
    }
    if (!type_known) fields.Broken("/noticeType", "must be initial, follow_up or termination");
  }
  notice.description =
      BoundedText(fields, document, "", "description", Need::kRequired, kNoticeDescriptionCharsMax)
          .value_or("");
  notice.proof_verification_method = ReadProof(fields, document);
  // Which members belong depends on the type: without one, say what is known.
  if (!type_known) return fields.Finish();

  // Form 3911: the optional facts a filer may give on any report that the
  // ledger does not hold (fields 3, 7, 8, 9).
  for (std::string_view key :
       {"incidentLocation", "primaryIngredients", "drugUse", "drugDescription"}) {
    BoundedText(fields, document, "", key, Need::kOptional, kTextCharsMax);
  }

  if (notice.type == NoticeType::kInitial) {
    NotFor(fields, document, "initialNotice", "only a follow-up or a termination names one");
    NotFor(fields, document, "incidentNumber",
           "FDA assigns the incident number after the initial notification: give it on "
           "follow-ups and terminations");
    if (const Json* list =
            fields.Member(document, "", "certificates", Need::kRequired, Kind::kArray)) {
      if (list->empty() || list->size() > kNoticeCertificatesMax) {
        fields.Broken("/certificates",
                      "must name 1 to " + std::to_string(kNoticeCertificatesMax) + " certificates");
      }
      for (size_t i = 0; i < list->size(); ++i) {
        const std::string pointer = Child("/certificates", i);
        if (!(*list)[i].is_string()) {
          fields.Malformed(pointer, "must be a string (a certificate id)");
          continue;
        }
        const std::string id = (*list)[i].get<std::string>();
        if (!fields.Check(pointer, CheckUri(id))) continue;
        if (std::find(notice.certificates.begin(), notice.certificates.end(), id) !=
            notice.certificates.end()) {
          fields.Broken(pointer, "names " + id + " a second time");
          continue;
        }
        notice.certificates.push_back(id);
      }
    }
    notice.classification =
        CheckedText(fields, document, "", "classification", Need::kRequired,
                    [](std::string_view v) {
                      const bool known = std::find(kClassifications.begin(), kClassifications.end(),
                                                   v) != kClassifications.end();
                      return known ? Status::Ok()
                                   : Status::FailedPrecondition("must be one of " +
                                                                JoinNames(kClassifications));
                    })
            .value_or("");
    notice.date_of_determination =
        CheckedText(fields, document, "", "dateOfDetermination", Need::kRequired, CheckDateText)
            .value_or("");
    ReadQuantity(fields, document, Need::kRequired, notice);
    ReadContact(fields, document, Need::kRequired, notice);
  } else {
    notice.initial_notice =
        CheckedText(fields, document, "", "initialNotice", Need::kRequired, CheckUrnUuid)
            .value_or("");
    BoundedText(fields, document, "", "incidentNumber", Need::kOptional, kIncidentNumberCharsMax);
    const std::string why = "an initial notice's alone; a " +
                            std::string(NoticeTypeName(notice.type)) +
                            " is about the initial notice's products";
    NotFor(fields, document, "certificates", why);
    NotFor(fields, document, "classification", why);
    NotFor(fields, document, "dateOfDetermination", why);
    if (notice.type == NoticeType::kFollowUp) {
      ReadQuantity(fields, document, Need::kOptional, notice);
    } else {
      NotFor(fields, document, "quantity", "a termination reports no quantity");
    }
    ReadContact(fields, document, Need::kOptional, notice);
  }
  FRONTERA_RETURN_IF_ERROR(fields.Finish());
  return notice;
}

std::optional<std::string> NdcOfGtin(std::string_view gtin) {
  if (gtin.size() != 14 || gtin[0] == '9' || gtin.substr(1, 2) != "03") return std::nullopt;
  return std::string(gtin.substr(3, 10));
}

std::string NdcOfProduct(const Json& credential_subject) {
  if (auto ndc = credential_subject.find("ndc");
      ndc != credential_subject.end() && ndc->is_string()) {
    return ndc->get<std::string>();
  }
  auto gtin = credential_subject.find("gtin");
  if (gtin == credential_subject.end() || !gtin->is_string() ||
      gtin->get<std::string>().size() != 14) {
    return "";
  }
  return NdcOfGtin(gtin->get<std::string>()).value_or("");
}

}  // namespace frontera::ledger
