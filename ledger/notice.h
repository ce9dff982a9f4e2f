// The illegitimate-product notice (docs/formats.md §18): a trading partner's
// or an agency's notification under the U.S. Drug Supply Chain Security Act
// that product it found is illegitimate (FD&C Act §582; FDA Form 3911
// "Drug Notification"): an initial notification, follow-ups, and a request
// for termination, about certificates on the ledger.
//
// ParseNotice checks shape and every rule that depends on the document
// alone, as the Parse* functions of ledger/documents.h do; the ledger rules
// (who files, which certificates, open or terminated) are the state
// machine's (ledger/state_machine_notices.cc, docs/ledger.md#notices).
// NdcOfGtin is the one place that derives a National Drug Code from a GTIN.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"

namespace frontera::ledger {

// Form 3911 field 1, "Type of Report".
enum class NoticeType { kInitial, kFollowUp, kTermination };

// "initial", "follow_up", "termination": the document's noticeType.
std::string_view NoticeTypeName(NoticeType type);

// The certificates one initial notice names (docs/formats.md §18).
inline constexpr size_t kNoticeCertificatesMax = 100;
// Form 3911 fields 17 and 18 (description of the event, of why the
// notification is no longer needed).
inline constexpr size_t kNoticeDescriptionCharsMax = 1000;
// An FDA incident number (Form 3911 field 2), as FDA assigned it.
inline constexpr size_t kIncidentNumberCharsMax = 50;

// Form 3911 field 5, "Classification of Notification": the kinds of
// illegitimate product of FD&C Act §581(8), in the words of the document's
// "classification" member.
std::span<const std::string_view> NoticeClassifications();

struct NoticeQuantity {
  double value = 0;  // > 0; a whole number when `uom` is empty (a count of packs)
  std::string uom;   // a unit of docs/formats.md §3.1, or empty
};

struct NoticeContact {
  std::string name;
  std::string phone;
  std::string email;
};

struct Notice {
  std::string id;  // urn:uuid
  NoticeType type = NoticeType::kInitial;
  std::string issuer;          // did:key of the filer
  std::string initial_notice;  // follow-up, termination: the initial notice's id
  // Initial only:
  std::vector<std::string> certificates;   // 1..kNoticeCertificatesMax, distinct
  std::string classification;              // one of NoticeClassifications()
  std::string date_of_determination;       // YYYY-MM-DD (Form 3911 field 4)
  std::optional<NoticeQuantity> quantity;  // initial (required), follow-up (optional)
  std::optional<NoticeContact> contact;    // initial (required), others (optional)
  std::string description;
  std::string proof_verification_method;
};

// Parses and checks a notice (proof member required, one proof, not
// verified). kInvalidArgument for shape, kFailedPrecondition for rules, with
// field errors at their pointers.
Result<Notice> ParseNotice(const crypto::Json& document);

// The 10-digit NDC a GTIN-14 carries, without hyphens, or nullopt.
// A U.S. drug's GTIN is built from its NDC: the GTIN-12 "3" + NDC + check
// digit, written as a GTIN-14 with an indicator digit in front, so a GTIN-14
// whose 2nd and 3rd digits are "03" (a GS1 US company prefix reserved for
// NDCs) holds the NDC in digits 4 to 13. An indicator of 9 (variable measure)
// carries none. Which of the 4-4-2, 5-3-2 and 5-4-1 segmentations applies
// is not in the GTIN; a certificate's own "ndc" member says it.
// REQUIRES: `gtin` is 14 digits.
std::optional<std::string> NdcOfGtin(std::string_view gtin);

// The NDC to report for a product certificate's credentialSubject: its "ndc"
// member as written when it has one, else NdcOfGtin of its GTIN, else ""
// (a product not marketed under an NDC; Form 3911 field 13 applies only
// "if applicable").
std::string NdcOfProduct(const crypto::Json& credential_subject);

}  // namespace frontera::ledger
