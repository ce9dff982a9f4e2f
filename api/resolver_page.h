// The resolver's HTML pages (docs/api.md#resolver): what a phone shows after
// its camera opened a label. The verification page renders a
// Backend::CheckLabel answer; the error page renders a problem. Both are in
// English, Spanish or French, chosen from Accept-Language. Every text from
// the answer or the problem is HTML-escaped.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/backend.h"
#include "common/result.h"
#include "common/status.h"
#include "ledger/verdict.h"

namespace frontera::api {

inline constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";
// The pages have inline CSS and nothing else: no scripts, no images, no
// external resources, no forms, not framed.
inline constexpr std::string_view kPageSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

enum class PageLanguage { kEnglish, kSpanish, kFrench };

// "en", "es", "fr": the page's <html lang> and Content-Language.
std::string_view LanguageTag(PageLanguage language);

// RFC 9110 §12.5.4: the page language for an Accept-Language value. Ranges
// are weighed by q; a range names a language by its primary subtag ("es-MX"
// asks for Spanish); "*" stands for any language not named; "q=0" on a bare
// language ("fr;q=0") refuses it. The highest weight above 0 wins, the
// earlier range on a tie. English when nothing acceptable is offered.
PageLanguage NegotiateLanguage(std::string_view accept_language);

// The typed verdict of a CheckLabel answer: "verdict" by ledger::ParseVerdict,
// with the revocation's reason from "revocation_reason" or, while a node does
// not send that member, from the certificate's revocation. kInvalidArgument
// when "verdict" is missing or is not a verdict name.
Result<ledger::LabelVerdict> VerdictOfAnswer(const Json& check);

// The verification page of a CheckLabel answer (shape in docs/api.md
// "Resolver"). Missing members are left out, never guessed.
std::string VerificationPage(const Json& check, PageLanguage language);

// The page of a problem answer to a resolver path: a title for the HTTP
// status in the page's language, and the problem's English detail and
// reasons.
std::string ErrorPage(int http_status, std::string_view detail,
                      const std::vector<FieldError>& errors, PageLanguage language);

}  // namespace frontera::api
