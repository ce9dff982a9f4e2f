// Every user-visible string of the resolver's pages (api/resolver_page.h),
// one table per language: a translator edits api/resolver_page_text.cc only.
// The verdict headline itself (ledger::LabelVerdict::Headline(): AUTHENTIC,
// RECALLED, …) is not translated: inspectors and logs quote it
// (docs/api.md#resolver). Texts are plain UTF-8; the page escapes them.
//
// Thread-safety: constant data.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "api/resolver_page.h"

namespace frontera::api {

// Index of a verdict's sentence in PageText::verdict_sentences.
enum SentenceIndex : size_t {
  kSentenceAuthentic,
  kSentenceNotAuthentic,
  kSentenceRevoked,
  kSentenceRecalled,
  kSentenceExpired,
  kSentenceNotOnLedger,
  kSentenceFlagged,
  kSentenceDecommissioned,
  kSentenceUnknown,
  kSentenceCount,
};

struct PageText {
  std::string_view title;  // after the headline in <title>
  std::array<std::string_view, kSentenceCount> verdict_sentences;
  std::string_view revocation_reason;
  std::string_view reasons;
  std::string_view product;
  std::string_view consignment;
  std::string_view label_says;  // heading of the label's own values when unconfirmed
  std::string_view name;
  std::string_view strength_form;
  std::string_view lot;
  std::string_view serial;
  std::string_view expiry;
  std::string_view substance;
  std::string_view quantity;
  std::string_view issuer;
  std::string_view country;
  std::string_view role;
  std::string_view key;
  std::string_view issuer_unregistered;
  std::string_view claims_before;  // "The label claims to be from " + name + claims_after
  std::string_view claims_after;
  std::string_view issuer_unknown;
  std::string_view status;
  std::string_view certificate;
  std::string_view flags;
  std::string_view no_flags;
  std::string_view revoked_by;
  std::string_view held_by;  // the agency whose customs hold is in force
  std::string_view reason;
  std::string_view certificate_id;
  std::string_view no_certificate;
  std::string_view custody;
  std::string_view by;    // "<step> by <party>"
  std::string_view from;  // ", from <party>"
  std::string_view to;    // ", to <party>"
  std::string_view label;
  // The error page: headline and advice by kind of problem.
  std::string_view error_title;
  std::string_view bad_label;
  std::string_view bad_label_advice;
  std::string_view not_found;
  std::string_view not_found_advice;
  std::string_view unavailable;
  std::string_view unavailable_advice;
  std::string_view failed;
  std::string_view failed_advice;
  std::string_view details;
};

// The table of `language`.
const PageText& PageTextOf(PageLanguage language);

}  // namespace frontera::api
