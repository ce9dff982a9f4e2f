#include "api/resolver_page.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <string>
#include <vector>

#include "api/label_image.h"
#include "api/resolver_page_text.h"
#include "crypto/data_integrity.h"

namespace frontera::api {
namespace {

constexpr std::array<PageLanguage, 3> kLanguages = {PageLanguage::kEnglish, PageLanguage::kSpanish,
                                                    PageLanguage::kFrench};

// ---------------------------------------------------------------------------
// Reading the answer.

// The member at `path` of nested objects, or null when any step is missing
// or not an object.
const Json& Member(const Json& json, std::initializer_list<std::string_view> path) {
  static const Json kNull;
  const Json* at = &json;
  for (std::string_view key : path) {
    if (!at->is_object()) return kNull;
    auto it = at->find(key);
    if (it == at->end()) return kNull;
    at = &*it;
  }
  return *at;
}

// A JSON scalar as display text: strings as they are, numbers and booleans
// as JSON writes them, anything else "".
std::string Scalar(const Json& json) {
  if (json.is_string()) return json.get<std::string>();
  if (json.is_number() || json.is_boolean()) return json.dump();
  return "";
}

// The first of `candidates` that has display text.
std::string FirstScalar(std::initializer_list<const Json*> candidates) {
  for (const Json* json : candidates) {
    std::string text = Scalar(*json);
    if (!text.empty()) return text;
  }
  return "";
}

// "did:key:z6MkrmyC…Lzf3": enough to tell keys apart on a phone's screen.
std::string ShortDid(std::string_view did) {
  if (did.size() <= 28) return std::string(did);
  return std::string(did.substr(0, 16)) + "\u2026" + std::string(did.substr(did.size() - 4));
}

// A party as "Name (CC)", from the answer's `parties` names; the shortened
// did when the ledger has no name for it.
std::string PartyHtml(const Json& parties, const std::string& did) {
  const Json& party = Member(parties, {did});
  std::string name = Scalar(Member(party, {"name"}));
  std::string country = Scalar(Member(party, {"country"}));
  if (name.empty()) {
    return "<span title=\"" + EscapeMarkup(did) + "\">" + EscapeMarkup(ShortDid(did)) + "</span>";
  }
  std::string out = EscapeMarkup(name);
  if (!country.empty()) out += " (" + EscapeMarkup(country) + ")";
  return out;
}

// EPCIS bizStep for people: CBV words as they are, Frontera's customs URIs
// (docs/formats.md §6.1) by their last segment, "_" read as a space.
std::string BizStepText(std::string_view biz_step) {
  constexpr std::string_view kOwnVocabulary = "https://frontera.example/ns/v1/bizstep/";
  if (biz_step.starts_with(kOwnVocabulary)) biz_step.remove_prefix(kOwnVocabulary.size());
  std::string out(biz_step);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

// The did of the key that signed a document: its proof's verificationMethod
// up to the '#'.
std::string SignerDid(const Json& document) {
  std::string method = Scalar(Member(document, {"proof", "verificationMethod"}));
  return method.substr(0, method.find('#'));
}

// The possessing party named in an EPCIS sourceList or destinationList
// (docs/formats.md §6 "Parties of custody"), or "".
std::string PossessingParty(const Json& list, std::string_view member) {
  if (!list.is_array()) return "";
  for (const Json& entry : list) {
    std::string type = Scalar(Member(entry, {"type"}));
    if (type == "possessing_party" || type.ends_with("SDT-possessing_party") ||
        type.ends_with("sdt:possessing_party")) {
      return Scalar(Member(entry, {member}));
    }
  }
  return "";
}

// ---------------------------------------------------------------------------
// Writing the page.

void AppendRow(std::string& html, std::string_view term, const std::string& value) {
  if (value.empty()) return;
  html += "<dt>" + EscapeMarkup(term) + "</dt><dd>" + EscapeMarkup(value) + "</dd>";
}

constexpr std::string_view kPageStyle =
    "body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1a1a1a;background:#f3f3f1}"
    "main{max-width:40rem;margin:0 auto;padding-bottom:1.5rem}"
    ".banner{padding:1.4rem 1rem;text-align:center;color:#fff}"
    ".banner h1{margin:0;font-size:2rem;letter-spacing:.04em}"
    ".banner p{margin:.4rem 0 0;font-size:1.05rem}"
    ".green{background:#1b7a36}.red{background:#b3261e}.amber{background:#f0a202;color:#1a1a1a}"
    "section{background:#fff;margin:.9rem;padding:.7rem 1rem;border-radius:.5rem;"
    "box-shadow:0 1px 2px rgba(0,0,0,.12)}"
    "h2{font-size:1rem;margin:0 0 .4rem;color:#555;text-transform:uppercase;letter-spacing:.05em}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}"
    "dt{color:#555}dd{margin:0;overflow-wrap:anywhere}"
    "ul{margin:0;padding-left:1.2rem}"
    "ol{list-style:none;margin:0;padding:0}"
    "ol li{border-left:3px solid #8a8a8a;padding:0 0 .7rem .8rem}"
    ".when{color:#555;font-size:.9rem}"
    ".flag{display:inline-block;background:#fde7c2;border-radius:.25rem;padding:0 .4rem;"
    "margin:0 .25rem .25rem 0}"
    "footer{margin:.9rem;color:#666;font-size:.8rem;overflow-wrap:anywhere}";

void AppendHead(std::string& html, PageLanguage language, std::string_view title) {
  html += "<!DOCTYPE html>\n<html lang=\"" + std::string(LanguageTag(language)) +
          "\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta name=\"referrer\" content=\"no-referrer\">"
          "<title>" +
          EscapeMarkup(title) + "</title><style>" + std::string(kPageStyle) +
          "</style></head><body><main>\n";
}

// The banner: `colour` is "green", "amber" or "red".
void AppendBanner(std::string& html, std::string_view colour, std::string_view headline,
                  std::string_view sentence) {
  html += "<div class=\"banner " + std::string(colour) + "\" role=\"status\"><h1>" +
          EscapeMarkup(headline) + "</h1><p class=\"sentence\">" + EscapeMarkup(sentence) +
          "</p></div>\n";
}

// Green only for AUTHENTIC, amber for EXPIRED (genuine, but not to be used),
// red for everything else.
std::string_view VerdictColour(ledger::Verdict verdict) {
  switch (verdict) {
    case ledger::Verdict::kAuthentic:
      return "green";
    case ledger::Verdict::kExpired:
      return "amber";
    case ledger::Verdict::kNotAuthentic:
    case ledger::Verdict::kRevoked:
    case ledger::Verdict::kNotOnLedger:
    case ledger::Verdict::kFlagged:
    case ledger::Verdict::kDecommissioned:
    case ledger::Verdict::kStaleBundle:  // offline only; the page is online
      break;
  }
  return "red";
}

SentenceIndex SentenceOf(const ledger::LabelVerdict& verdict) {
  switch (verdict.verdict) {
    case ledger::Verdict::kAuthentic:
      return kSentenceAuthentic;
    case ledger::Verdict::kNotAuthentic:
      return kSentenceNotAuthentic;
    case ledger::Verdict::kRevoked:
      return verdict.recalled() ? kSentenceRecalled : kSentenceRevoked;
    case ledger::Verdict::kExpired:
      return kSentenceExpired;
    case ledger::Verdict::kNotOnLedger:
      return kSentenceNotOnLedger;
    case ledger::Verdict::kFlagged:
      return kSentenceFlagged;
    case ledger::Verdict::kDecommissioned:
      return kSentenceDecommissioned;
    case ledger::Verdict::kStaleBundle:  // offline only; the page is online
      break;
  }
  return kSentenceUnknown;
}

// The ledger vouches for the label's issuer and certificate only for these:
// otherwise what the label claims is shown as a claim.
bool Vouched(ledger::Verdict verdict) {
  return verdict == ledger::Verdict::kAuthentic || verdict == ledger::Verdict::kRevoked ||
         verdict == ledger::Verdict::kExpired || verdict == ledger::Verdict::kFlagged ||
         verdict == ledger::Verdict::kDecommissioned;
}

// The product or consignment. When `vouched`, values come from the
// certificate, or from the label when the ledger has no certificate;
// otherwise only the label's own values, under a heading that says so.
void AppendItem(std::string& html, const PageText& text, const Json& label, const Json& subject,
                bool vouched) {
  static const Json kNone;
  const Json& from = vouched ? subject : kNone;
  std::string sscc = FirstScalar({&Member(from, {"sscc"}), &Member(label, {"sscc"})});
  std::string_view heading =
      !vouched ? text.label_says : (sscc.empty() ? text.product : text.consignment);
  html += "<section class=\"item\"><h2>" + EscapeMarkup(heading) + "</h2><dl>";
  if (!sscc.empty()) {
    AppendRow(html, text.substance, Scalar(Member(from, {"substance", "name"})));
    std::string quantity = Scalar(Member(from, {"quantity", "value"}));
    std::string uom = Scalar(Member(from, {"quantity", "uom"}));
    if (!quantity.empty() && !uom.empty()) quantity += " " + uom;
    AppendRow(html, text.quantity, quantity);
    AppendRow(html, "SSCC", sscc);
  } else {
    AppendRow(html, text.name, Scalar(Member(from, {"productName"})));
    AppendRow(html, text.strength_form, Scalar(Member(from, {"strengthDosageForm"})));
    AppendRow(html, "GTIN", FirstScalar({&Member(from, {"gtin"}), &Member(label, {"gtin"})}));
    AppendRow(html, text.lot, FirstScalar({&Member(from, {"lot"}), &Member(label, {"lot"})}));
    AppendRow(html, text.serial,
              FirstScalar({&Member(from, {"serial"}), &Member(label, {"serial"})}));
    AppendRow(html, text.expiry,
              FirstScalar({&Member(from, {"expiry"}), &Member(label, {"expiry"})}));
  }
  html += "</dl></section>\n";
}

void AppendIssuer(std::string& html, const PageText& text, const Json& issuer, bool vouched) {
  html += "<section class=\"issuer\"><h2>" + EscapeMarkup(text.issuer) + "</h2>";
  std::string name = Scalar(Member(issuer, {"name"}));
  if (vouched && issuer.is_object()) {
    html += "<dl>";
    AppendRow(html, text.name, name);
    AppendRow(html, text.country, Scalar(Member(issuer, {"country"})));
    AppendRow(html, text.role, Scalar(Member(issuer, {"role"})));
    AppendRow(html, text.key, ShortDid(Scalar(Member(issuer, {"did"}))));
    html += "</dl>";
  } else if (vouched) {
    html += "<p>" + EscapeMarkup(text.issuer_unregistered) + "</p>";
  } else if (!name.empty()) {
    // A forged label names whom it likes: a claim, never a fact.
    html += "<p class=\"claim\">" + EscapeMarkup(text.claims_before) + EscapeMarkup(name) +
            EscapeMarkup(text.claims_after) + "</p>";
  } else {
    html += "<p>" + EscapeMarkup(text.issuer_unknown) + "</p>";
  }
  html += "</section>\n";
}

void AppendStatus(std::string& html, const PageText& text, const Json& certificate,
                  const Json& parties) {
  html += "<section class=\"status\"><h2>" + EscapeMarkup(text.status) + "</h2>";
  if (!certificate.is_object()) {
    html += "<p>" + EscapeMarkup(text.no_certificate) + "</p></section>\n";
    return;
  }
  html += "<dl>";
  AppendRow(html, text.certificate, Scalar(Member(certificate, {"status"})));
  const Json& flags = Member(certificate, {"flags"});
  html += "<dt>" + EscapeMarkup(text.flags) + "</dt><dd>";
  if (flags.is_array() && !flags.empty()) {
    for (const Json& flag : flags) {
      html += "<span class=\"flag\">" + EscapeMarkup(BizStepText(Scalar(flag))) + "</span>";
    }
  } else {
    html += EscapeMarkup(text.no_flags);
  }
  html += "</dd>";
  const std::string held_by = Scalar(Member(certificate, {"held_by"}));
  if (!held_by.empty()) {
    html +=
        "<dt>" + EscapeMarkup(text.held_by) + "</dt><dd>" + PartyHtml(parties, held_by) + "</dd>";
  }
  const Json& revocation = Member(certificate, {"revocation", "document"});
  if (revocation.is_object()) {
    // Each signer: the issuer, or every agency of a majority (one proof each).
    std::vector<std::string> revokers = crypto::ProofSignerDids(revocation);
    if (revokers.empty()) revokers.push_back(Scalar(Member(revocation, {"issuer"})));
    html += "<dt>" + EscapeMarkup(text.revoked_by) + "</dt><dd>";
    for (size_t i = 0; i < revokers.size(); ++i) {
      html += (i > 0 ? ", " : "") + PartyHtml(parties, revokers[i]);
    }
    html += "</dd>";
    AppendRow(html, text.reason, Scalar(Member(revocation, {"reason"})));
  }
  AppendRow(html, text.certificate_id, Scalar(Member(certificate, {"id"})));
  html += "</dl></section>\n";
}

void AppendCustody(std::string& html, const PageText& text, const Json& certificate,
                   const Json& parties) {
  const Json& events = Member(certificate, {"events"});
  if (!events.is_array() || events.empty()) return;
  html += "<section class=\"custody\"><h2>" + EscapeMarkup(text.custody) + "</h2><ol>";
  for (const Json& entry : events) {
    const Json& event = Member(entry, {"document"});
    html += "<li><div class=\"when\">" + EscapeMarkup(Scalar(Member(event, {"eventTime"}))) +
            "</div><div><strong>" + EscapeMarkup(BizStepText(Scalar(Member(event, {"bizStep"})))) +
            "</strong>" + EscapeMarkup(text.by) + PartyHtml(parties, SignerDid(event));
    std::string from = PossessingParty(Member(event, {"sourceList"}), "source");
    std::string to = PossessingParty(Member(event, {"destinationList"}), "destination");
    // The signer usually is the party the item leaves; say so only when not.
    if (!from.empty() && from != SignerDid(event)) {
      html += EscapeMarkup(text.from) + PartyHtml(parties, from);
    }
    if (!to.empty()) html += EscapeMarkup(text.to) + PartyHtml(parties, to);
    html += "</div></li>";
  }
  html += "</ol></section>\n";
}

// An RFC 9110 §12.4.2 weight: "q=" qvalue among a range's parameters; 1 when
// absent, 0 when malformed.
double Weight(std::string_view params) {
  double q = 1;
  while (!params.empty()) {
    std::string_view param = params.substr(0, params.find(';'));
    params.remove_prefix(std::min(params.size(), param.size() + 1));
    while (!param.empty() && (param.front() == ' ' || param.front() == '\t')) {
      param.remove_prefix(1);
    }
    while (!param.empty() && (param.back() == ' ' || param.back() == '\t')) param.remove_suffix(1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      param.remove_prefix(2);
      double value = 0;
      auto [end, ec] = std::from_chars(param.data(), param.data() + param.size(), value);
      q = ec == std::errc() && end == param.data() + param.size() && value >= 0 && value <= 1
              ? value
              : 0;
    }
  }
  return q;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string_view LanguageTag(PageLanguage language) {
  switch (language) {
    case PageLanguage::kSpanish:
      return "es";
    case PageLanguage::kFrench:
      return "fr";
    case PageLanguage::kEnglish:
      break;
  }
  return "en";
}

PageLanguage NegotiateLanguage(std::string_view accept_language) {
  struct Preference {
    double q = -1;  // -1: not named
    size_t order = 0;
    bool refused = false;
  };
  std::array<Preference, kLanguages.size()> named;
  Preference any;  // "*"
  size_t order = 0;
  while (!accept_language.empty()) {
    std::string_view element = accept_language.substr(0, accept_language.find(','));
    accept_language.remove_prefix(std::min(accept_language.size(), element.size() + 1));
    size_t semicolon = element.find(';');
    std::string_view range = element.substr(0, semicolon);
    while (!range.empty() && (range.front() == ' ' || range.front() == '\t')) {
      range.remove_prefix(1);
    }
    while (!range.empty() && (range.back() == ' ' || range.back() == '\t')) range.remove_suffix(1);
    if (range.empty()) continue;
    double q = semicolon == std::string_view::npos ? 1 : Weight(element.substr(semicolon + 1));
    ++order;
    std::string lower = Lower(range);
    if (lower == "*") {
      if (q > any.q) any = {q, order, false};
      continue;
    }
    std::string primary = lower.substr(0, lower.find('-'));
    for (size_t i = 0; i < kLanguages.size(); ++i) {
      if (primary != LanguageTag(kLanguages[i])) continue;
      if (lower == primary && q == 0) named[i].refused = true;
      if (q > named[i].q) {
        named[i].q = q;
        named[i].order = order;
      }
    }
  }
  PageLanguage best = PageLanguage::kEnglish;
  double best_q = 0;
  size_t best_order = 0;
  for (size_t i = 0; i < kLanguages.size(); ++i) {
    Preference p = named[i].q >= 0 ? named[i] : any;
    if (named[i].refused || p.q <= 0) continue;
    if (p.q > best_q || (p.q == best_q && p.order < best_order)) {
      best = kLanguages[i];
      best_q = p.q;
      best_order = p.order;
    }
  }
  return best;
}

Result<ledger::LabelVerdict> VerdictOfAnswer(const Json& check) {
  const Json& name = Member(check, {"verdict"});
  if (!name.is_string()) {
    return Status::InvalidArgument("the label check has no verdict",
                                   {{"/verdict", "must be a verdict name"}});
  }
  FRONTERA_ASSIGN_OR_RETURN(ledger::Verdict verdict,
                            ledger::ParseVerdict(name.get_ref<const std::string&>()));
  ledger::LabelVerdict out;
  out.verdict = verdict;
  if (verdict == ledger::Verdict::kFlagged) {
    const Json& flag = Member(check, {"flag"});
    out.flag = Scalar(flag);
    out.flag_reason = Scalar(Member(check, {"certificate", "flagged", out.flag, "reason"}));
  }
  if (verdict == ledger::Verdict::kDecommissioned) {
    // The certificate view's lifecycle names the state (ALREADY DISPENSED).
    auto lifecycle = ledger::LifecycleOfCertificate(Member(check, {"certificate"}));
    if (lifecycle.ok()) out.lifecycle = *lifecycle;
  }
  if (verdict == ledger::Verdict::kRevoked) {
    const Json& reason = Member(check, {"revocation_reason"});
    out.revocation_reason =
        reason.is_string()
            ? reason.get<std::string>()
            : Scalar(Member(check, {"certificate", "revocation", "document", "reason"}));
  }
  return out;
}

std::string VerificationPage(const Json& check, PageLanguage language) {
  const PageText& text = PageTextOf(language);
  Result<ledger::LabelVerdict> verdict = VerdictOfAnswer(check);
  const bool vouched = verdict.ok() && Vouched(verdict->verdict);
  const std::string headline = verdict.ok() ? verdict->Headline() : "UNKNOWN";
  const Json& label = Member(check, {"label"});
  const Json& certificate = Member(check, {"certificate"});
  const Json& parties = Member(check, {"parties"});

  std::string html;
  AppendHead(html, language, headline + " \u00b7 " + std::string(text.title));
  AppendBanner(html, verdict.ok() ? VerdictColour(verdict->verdict) : "red", headline,
               text.verdict_sentences[verdict.ok() ? SentenceOf(*verdict) : kSentenceUnknown]);
  if (verdict.ok() && !verdict->flag_reason.empty()) {
    html += "<section class=\"flag\"><dl><dt>" + EscapeMarkup(text.revocation_reason) +
            "</dt><dd>" + EscapeMarkup(verdict->flag_reason) + "</dd></dl></section>\n";
  }
  if (verdict.ok() && !verdict->revocation_reason.empty()) {
    html += "<section class=\"revocation\"><dl><dt>" + EscapeMarkup(text.revocation_reason) +
            "</dt><dd>" + EscapeMarkup(verdict->revocation_reason) + "</dd></dl></section>\n";
  }

  // The node writes its reasons in English.
  const Json& reasons = Member(check, {"reasons"});
  if (reasons.is_array() && !reasons.empty()) {
    html +=
        "<section class=\"reasons\"><h2>" + EscapeMarkup(text.reasons) + "</h2><ul lang=\"en\">";
    for (const Json& reason : reasons) html += "<li>" + EscapeMarkup(Scalar(reason)) + "</li>";
    html += "</ul></section>\n";
  }

  AppendItem(html, text, label, Member(certificate, {"credential", "credentialSubject"}), vouched);
  AppendIssuer(html, text, Member(check, {"issuer"}), vouched);
  // A certificate that does not vouch for this label (the label is not the
  // one recorded) is not shown as if it did.
  if (vouched || !certificate.is_object()) AppendStatus(html, text, certificate, parties);
  if (vouched) AppendCustody(html, text, certificate, parties);

  std::string uri = Scalar(Member(label, {"uri"}));
  if (!uri.empty()) {
    html += "<footer>" + EscapeMarkup(text.label) + " " + EscapeMarkup(uri) + "</footer>\n";
  }
  html += "</main></body></html>\n";
  return html;
}

std::string ErrorPage(int http_status, std::string_view detail,
                      const std::vector<FieldError>& errors, PageLanguage language) {
  const PageText& text = PageTextOf(language);
  std::string_view headline = text.failed;
  std::string_view advice = text.failed_advice;
  std::string_view colour = "amber";
  if (http_status == 400) {
    headline = text.bad_label;
    advice = text.bad_label_advice;
    colour = "red";
  } else if (http_status == 404) {
    headline = text.not_found;
    advice = text.not_found_advice;
    colour = "red";
  } else if (http_status == 429 || http_status == 503) {
    headline = text.unavailable;
    advice = text.unavailable_advice;
  }
  std::string html;
  AppendHead(html, language, std::string(headline) + " \u00b7 " + std::string(text.error_title));
  AppendBanner(html, colour, headline, advice);
  html += "<section class=\"problem\"><h2>" + EscapeMarkup(text.details) + "</h2><p lang=\"en\">" +
          EscapeMarkup(detail) + "</p>";
  if (!errors.empty()) {
    html += "<ul lang=\"en\">";
    for (const FieldError& error : errors) html += "<li>" + EscapeMarkup(error.reason) + "</li>";
    html += "</ul>";
  }
  html += "<p class=\"when\">HTTP " + std::to_string(http_status) + "</p></section>\n";
  html += "</main></body></html>\n";
  return html;
}

}  // namespace frontera::api
