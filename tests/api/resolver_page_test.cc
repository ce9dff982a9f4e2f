// api/resolver_page.h: the resolver's pages without a server: each verdict
// in each language, RECALLED with its reason, a forged label's claimed
// issuer, escaping, the error page, and Accept-Language negotiation
// (docs/api.md#resolver).
#include "api/resolver_page.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

namespace frontera::api {
namespace {

const std::string kManufacturer = "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3";
const std::string kIssuerName = "Laboratorios Ejemplo S.A. de C.V.";
const std::string kUri =
    "https://verify.frontera.example/01/07501234000017/10/LOT42A/21/SN000123?17=281031&kid=k&sig=s";

// A CheckLabel answer as node/validator_reads.cc writes it, with one event.
Json Answer(const std::string& verdict) {
  Json certificate = {{"id", "urn:uuid:1"},
                      {"status", verdict == "REVOKED" ? "revoked" : "active"},
                      {"flags", Json::array()},
                      {"credential",
                       {{"credentialSubject",
                         {{"productName", "Amoxicillin 500 mg capsules"},
                          {"strengthDosageForm", "500 mg, capsule"},
                          {"gtin", "07501234000017"},
                          {"lot", "LOT42A"},
                          {"serial", "SN000123"},
                          {"expiry", "2028-10-31"}}}}},
                      {"events",
                       {{{"document",
                          {{"eventTime", "2026-11-03T09:30:00Z"},
                           {"bizStep", "shipping"},
                           {"proof", {{"verificationMethod", kManufacturer + "#k"}}}}}}}},
                      {"revocation", nullptr}};
  return Json{{"verdict", verdict},
              {"reasons", {"a reason"}},
              {"label",
               {{"uri", kUri},
                {"gtin", "07501234000017"},
                {"lot", "LOT42A"},
                {"serial", "SN000123"},
                {"expiry", "281031"},
                {"sscc", ""}}},
              {"issuer",
               {{"did", kManufacturer},
                {"name", kIssuerName},
                {"role", "manufacturer"},
                {"country", "MX"}}},
              {"certificate", certificate},
              {"parties", {{kManufacturer, {{"name", kIssuerName}, {"country", "MX"}}}}},
              {"recalled", false},
              {"revocation_reason", nullptr}};
}

Json Revoked(const std::string& reason) {
  Json answer = Answer("REVOKED");
  answer["certificate"]["revocation"] = {
      {"document", {{"issuer", kManufacturer}, {"reason", reason}}}};
  answer["revocation_reason"] = reason;
  answer["recalled"] = ledger::IsRecall(reason);
  return answer;
}

Json Flagged(const std::string& flag, const std::string& reason) {
  Json answer = Answer("FLAGGED");
  answer["certificate"]["flagged"] = {{flag, {{"by", {kManufacturer}}, {"reason", reason}}}};
  answer["flag"] = flag;
  return answer;
}

bool Has(const std::string& page, const std::string& text) {
  return page.find(text) != std::string::npos;
}

const std::vector<std::pair<PageLanguage, std::string>> kLanguageTags = {
    {PageLanguage::kEnglish, "en"}, {PageLanguage::kSpanish, "es"}, {PageLanguage::kFrench, "fr"}};

TEST_CASE("each verdict in each language: the canonical headline, a translated sentence") {
  struct Case {
    Json answer;
    std::string headline;
    std::string colour;
    std::vector<std::string> sentences;  // en, es, fr
  };
  const std::vector<Case> cases = {
      {Answer("AUTHENTIC"),
       "AUTHENTIC",
       "green",
       {"This label is genuine", "Esta etiqueta es auténtica", "Cette étiquette est authentique"}},
      {Answer("NOT AUTHENTIC"),
       "NOT AUTHENTIC",
       "red",
       {"could not be confirmed as genuine", "No se pudo confirmar",
        "n&#39;a pas pu être confirmée"}},
      {Revoked("seized at Laredo"),
       "REVOKED",
       "red",
       {"certificate was revoked", "fue revocado", "a été révoqué"}},
      {Revoked("Recall: lot LOT42A contaminated"),
       "RECALLED",
       "red",
       {"This product was recalled", "retirado del mercado", "a été rappelé"}},
      {Answer("EXPIRED"), "EXPIRED", "amber", {"has expired", "ha caducado", "est périmé"}},
      {Flagged("suspect", "seal broken at Laredo"),
       "SUSPECT",
       "red",
       {"An agency has flagged this product", "Una autoridad marcó este producto",
        "Une autorité a signalé ce produit"}},
      {Answer("NOT ON LEDGER"),
       "NOT ON LEDGER",
       "red",
       {"The ledger has no certificate", "El registro no tiene", "Le registre ne contient"}},
  };
  for (const Case& c : cases) {
    for (size_t i = 0; i < kLanguageTags.size(); ++i) {
      const auto& [language, tag] = kLanguageTags[i];
      CAPTURE(c.headline);
      CAPTURE(tag);
      std::string page = VerificationPage(c.answer, language);
      CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"" + tag + "\">"));
      CHECK(Has(page, "<div class=\"banner " + c.colour + "\" role=\"status\"><h1>" + c.headline +
                          "</h1><p class=\"sentence\">"));
      CHECK(Has(page, "<title>" + c.headline + " \u00b7 "));
      // The French tables use U+2019; the check's apostrophe is the ASCII one.
      std::string sentence = c.sentences[i];
      if (tag == "fr") {
        for (size_t at = sentence.find("&#39;"); at != std::string::npos;
             at = sentence.find("&#39;")) {
          sentence.replace(at, 5, "\u2019");
        }
      }
      CHECK(Has(page, sentence));
    }
  }
}

TEST_CASE("a revocation by a majority of agencies lists every signer") {
  const std::string cbp = "did:key:z6MkrZiq7LjJA7hCs6kgFQfquXGRW7CovGXNx77k6wYf2AT6";
  const std::string anam = "did:key:z6MkpRef9UX3K6AUPMTgf7p1sUybqJ7RXDFt8mPS8m1W3z7U";
  Json answer = Revoked("counterfeit");
  answer["certificate"]["revocation"]["document"]["issuer"] = cbp;
  answer["certificate"]["revocation"]["document"]["proof"] =
      Json::array({{{"verificationMethod", cbp + "#k1"}}, {{"verificationMethod", anam + "#k2"}}});
  answer["parties"][cbp] = {{"name", "U.S. Customs and Border Protection"}, {"country", "US"}};
  answer["parties"][anam] = {{"name", "Agencia Nacional de Aduanas de México"}, {"country", "MX"}};
  CHECK(Has(VerificationPage(answer, PageLanguage::kEnglish),
            "<dt>Revoked by</dt><dd>U.S. Customs and Border Protection (US), Agencia Nacional de "
            "Aduanas de México (MX)</dd>"));
  // A single proof: its signer.
  answer["certificate"]["revocation"]["document"]["proof"] = {
      {"verificationMethod", kManufacturer + "#k"}};
  CHECK(Has(VerificationPage(answer, PageLanguage::kEnglish),
            "<dt>Revoked by</dt><dd>" + kIssuerName + " (MX)</dd>"));
}

TEST_CASE("a customs hold in force names its agency, in the page's language") {
  const std::string cbp = "did:key:z6MkrZiq7LjJA7hCs6kgFQfquXGRW7CovGXNx77k6wYf2AT6";
  Json answer = Answer("AUTHENTIC");
  answer["certificate"]["flags"] = Json::array({"customs_hold"});
  answer["certificate"]["held_by"] = cbp;
  answer["parties"][cbp] = {{"name", "U.S. Customs and Border Protection"}, {"country", "US"}};
  CHECK(Has(VerificationPage(answer, PageLanguage::kEnglish),
            "<dt>Held by</dt><dd>U.S. Customs and Border Protection (US)"));
  CHECK(Has(VerificationPage(answer, PageLanguage::kSpanish),
            "<dt>Retenido por</dt><dd>U.S. Customs and Border Protection (US)"));
  CHECK(Has(VerificationPage(answer, PageLanguage::kFrench),
            "<dt>Retenu par</dt><dd>U.S. Customs and Border Protection (US)"));
  answer["certificate"]["held_by"] = nullptr;
  CHECK_FALSE(Has(VerificationPage(answer, PageLanguage::kEnglish), "Held by"));
}

TEST_CASE("RECALLED shows the revocation's reason; the table's words are the page's language") {
  Json answer = Revoked("Recall: lot LOT42A contaminated");
  std::string en = VerificationPage(answer, PageLanguage::kEnglish);
  CHECK(Has(en, "<h1>RECALLED</h1>"));
  CHECK(Has(en, "<dt>Reason</dt><dd>Recall: lot LOT42A contaminated</dd>"));
  std::string es = VerificationPage(answer, PageLanguage::kSpanish);
  CHECK(Has(es, "<dt>Motivo</dt><dd>Recall: lot LOT42A contaminated</dd>"));
  CHECK(Has(es, "<h2>Producto</h2>"));
  CHECK(Has(es, "<dt>Nombre</dt><dd>Amoxicillin 500 mg capsules</dd>"));
  CHECK(Has(es, "<dt>Lote</dt><dd>LOT42A</dd>"));
  CHECK(Has(es, "<strong>shipping</strong> por " + kIssuerName + " (MX)"));
  std::string fr = VerificationPage(answer, PageLanguage::kFrench);
  CHECK(Has(fr, "<dt>Motif</dt><dd>Recall: lot LOT42A contaminated</dd>"));
  CHECK(Has(fr, "<h2>Émetteur</h2>"));
  // The node's reasons are English, and marked so.
  CHECK(Has(fr, "<ul lang=\"en\"><li>a reason</li></ul>"));
}

TEST_CASE("a dispensed pack's page reads ALREADY DISPENSED in red, in every language") {
  Json answer = Answer("DECOMMISSIONED");
  answer["certificate"]["lifecycle"] = {{"state", "dispensed"},
                                        {"gln", "0061414000017"},
                                        {"time", "2026-11-30T10:00:04.000Z"},
                                        {"block", 7},
                                        {"leaf_index", 12}};
  answer["reasons"] = {"the pack was dispensed at GLN 0061414000017 on 2026-11-30T10:00:04.000Z"};
  Result<ledger::LabelVerdict> verdict = VerdictOfAnswer(answer);
  REQUIRE(verdict.ok());
  CHECK(verdict->verdict == ledger::Verdict::kDecommissioned);
  CHECK(verdict->Headline() == "ALREADY DISPENSED");
  const std::string en = VerificationPage(answer, PageLanguage::kEnglish);
  CHECK(Has(en, "<div class=\"banner red\" role=\"status\"><h1>ALREADY DISPENSED</h1>"));
  CHECK(Has(en, "may be a clone"));
  CHECK(Has(en, "at GLN 0061414000017 on 2026-11-30T10:00:04.000Z"));
  CHECK(Has(VerificationPage(answer, PageLanguage::kSpanish), "puede ser una copia"));
  CHECK(Has(VerificationPage(answer, PageLanguage::kFrench), "peut être un clone"));
  answer["certificate"]["lifecycle"]["state"] = "stolen";
  CHECK(Has(VerificationPage(answer, PageLanguage::kEnglish), "<h1>STOLEN</h1>"));
}

TEST_CASE(
    "the verdict is typed: the reason comes from the answer or, before the lead's change, "
    "from the certificate") {
  Json answer = Revoked("recalled by the manufacturer");
  Result<ledger::LabelVerdict> verdict = VerdictOfAnswer(answer);
  REQUIRE(verdict.ok());
  CHECK(verdict->verdict == ledger::Verdict::kRevoked);
  CHECK(verdict->Headline() == "RECALLED");
  // A node that does not send revocation_reason / recalled yet.
  answer.erase("revocation_reason");
  answer.erase("recalled");
  verdict = VerdictOfAnswer(answer);
  REQUIRE(verdict.ok());
  CHECK(verdict->revocation_reason == "recalled by the manufacturer");
  CHECK(Has(VerificationPage(answer, PageLanguage::kEnglish), "<h1>RECALLED</h1>"));
  // A reason only counts for REVOKED.
  Json expired = Answer("EXPIRED");
  expired["revocation_reason"] = "Recall";
  CHECK(VerdictOfAnswer(expired)->revocation_reason.empty());
  // Not a verdict name (nor one in another case): UNKNOWN, red, and no
  // issuer or certificate presented as fact.
  for (Json bad : {Json("authentic"), Json("SOMETHING NEW"), Json(1), Json(nullptr)}) {
    CAPTURE(bad.dump());
    Json unknown = Answer("AUTHENTIC");
    unknown["verdict"] = bad;
    CHECK_FALSE(VerdictOfAnswer(unknown).ok());
    std::string page = VerificationPage(unknown, PageLanguage::kEnglish);
    CHECK(Has(page, "<div class=\"banner red\" role=\"status\"><h1>UNKNOWN</h1>"));
    CHECK_FALSE(Has(page, "<dt>Name</dt><dd>" + kIssuerName));
  }
}

TEST_CASE("a forged label's page presents the issuer only as the label's claim") {
  for (const std::string verdict : {"NOT AUTHENTIC", "NOT ON LEDGER"}) {
    CAPTURE(verdict);
    Json answer = Answer(verdict);
    std::string en = VerificationPage(answer, PageLanguage::kEnglish);
    CHECK(Has(en, "<p class=\"claim\">The label claims to be from " + kIssuerName +
                      " \u2014 this could not be confirmed.</p>"));
    // Named once, in the claim: not in the banner, the title, a Name row or
    // the custody timeline; and the certificate is not shown as this item's.
    CHECK(en.find(kIssuerName) == en.rfind(kIssuerName));
    size_t banner_end = en.find("</div>");
    CHECK(en.substr(0, banner_end).find(kIssuerName) == std::string::npos);
    CHECK_FALSE(Has(en, "<h2>Custody</h2>"));
    CHECK_FALSE(Has(en, "Amoxicillin"));
    CHECK(Has(en, "<h2>What the label says (not confirmed)</h2>"));
    CHECK(Has(en, "<dt>Lot</dt><dd>LOT42A</dd>"));
    CHECK(Has(VerificationPage(answer, PageLanguage::kSpanish),
              "La etiqueta dice provenir de " + kIssuerName + " \u2014 no se pudo confirmar."));
    CHECK(Has(VerificationPage(answer, PageLanguage::kFrench),
              "L\u2019étiquette prétend provenir de " + kIssuerName));
    answer["issuer"] = nullptr;
    CHECK(Has(VerificationPage(answer, PageLanguage::kEnglish),
              "Who issued this label could not be established."));
  }
  // The issuer of an authentic label is a fact.
  std::string authentic = VerificationPage(Answer("AUTHENTIC"), PageLanguage::kEnglish);
  CHECK(Has(authentic, "<dt>Name</dt><dd>" + kIssuerName + "</dd><dt>Country</dt><dd>MX</dd>"));
  CHECK_FALSE(Has(authentic, "claims to be from"));
}

TEST_CASE("every value taken from the answer is escaped") {
  const std::string evil = "<script>alert(\"x\")</script> & 'q'";
  const std::string escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;";
  Json answer = Revoked(evil);
  Json& subject = answer["certificate"]["credential"]["credentialSubject"];
  for (const char* member :
       {"productName", "strengthDosageForm", "gtin", "lot", "serial", "expiry"}) {
    subject[member] = evil;
  }
  answer["reasons"] = {evil};
  answer["issuer"]["name"] = evil;
  answer["issuer"]["country"] = evil;
  answer["issuer"]["role"] = evil;
  answer["issuer"]["did"] = evil;
  answer["certificate"]["status"] = evil;
  answer["certificate"]["id"] = evil;
  answer["certificate"]["flags"] = {evil};
  answer["certificate"]["revocation"]["document"]["issuer"] = evil;
  answer["certificate"]["events"][0]["document"]["eventTime"] = evil;
  answer["certificate"]["events"][0]["document"]["bizStep"] = evil;
  answer["certificate"]["events"][0]["document"]["proof"]["verificationMethod"] = evil;
  answer["label"]["uri"] = evil;
  std::string page = VerificationPage(answer, PageLanguage::kEnglish);
  CHECK_FALSE(Has(page, "<script"));
  CHECK_FALSE(Has(page, "'q'"));
  CHECK_FALSE(Has(page, "\"x\""));
  for (const char* term : {"Name", "Strength, form", "GTIN", "Lot", "Serial", "Expiry", "Country",
                           "Role", "Certificate", "Certificate id", "Reason"}) {
    CAPTURE(term);
    CHECK(Has(page, std::string("<dt>") + term + "</dt><dd>" + escaped + "</dd>"));
  }
  // A long did is shortened with "…", escaped all the same.
  CHECK(Has(page, "<dt>Key</dt><dd>&lt;script&gt;aler"));
  CHECK(Has(page, "<li>" + escaped + "</li>"));
  CHECK(Has(page, "<span class=\"flag\">" + escaped + "</span>"));
  CHECK(Has(page, "<div class=\"when\">" + escaped + "</div>"));
  CHECK(Has(page, "<strong>" + escaped + "</strong>"));
  CHECK(Has(page, "<footer>Label " + escaped + "</footer>"));
  // The claim of a forged label, and a consignment's values.
  Json forged = Answer("NOT AUTHENTIC");
  forged["issuer"]["name"] = evil;
  forged["label"]["lot"] = evil;
  std::string forged_page = VerificationPage(forged, PageLanguage::kFrench);
  CHECK_FALSE(Has(forged_page, "<script"));
  CHECK(Has(forged_page, "provenir de " + escaped + " \u2014"));
  CHECK(Has(forged_page, "<dt>Lot</dt><dd>" + escaped + "</dd>"));
  Json consignment = Answer("AUTHENTIC");
  consignment["certificate"]["credential"]["credentialSubject"] = {
      {"sscc", evil}, {"substance", {{"name", evil}}}, {"quantity", {{"value", 5}, {"uom", evil}}}};
  std::string consignment_page = VerificationPage(consignment, PageLanguage::kEnglish);
  CHECK(Has(consignment_page, "<dt>SSCC</dt><dd>" + escaped + "</dd>"));
  CHECK(Has(consignment_page, "<dt>Substance</dt><dd>" + escaped + "</dd>"));
  CHECK(Has(consignment_page, "<dt>Quantity</dt><dd>5 " + escaped + "</dd>"));
  // The error page escapes the problem's texts.
  std::string error = ErrorPage(400, evil, {{"/x", evil}}, PageLanguage::kEnglish);
  CHECK_FALSE(Has(error, "<script"));
  CHECK(Has(error, "<p lang=\"en\">" + escaped + "</p>"));
  CHECK(Has(error, "<li>" + escaped + "</li>"));
}

TEST_CASE("the error page: a title for the status in each language, the detail in English") {
  struct Case {
    int status;
    std::string colour;
    std::vector<std::string> titles;  // en, es, fr
  };
  const std::vector<Case> cases = {
      {400,
       "red",
       {"This label cannot be checked", "Esta etiqueta no se puede verificar",
        "Cette étiquette ne peut pas être vérifiée"}},
      {404,
       "red",
       {"Nothing to check here", "No hay nada que verificar aquí", "Rien à vérifier ici"}},
      {503,
       "amber",
       {"The check is not possible right now", "La verificación no es posible en este momento",
        "La vérification est impossible pour le moment"}},
      {500, "amber", {"The check failed", "La verificación falló", "La vérification a échoué"}},
  };
  for (const Case& c : cases) {
    for (size_t i = 0; i < kLanguageTags.size(); ++i) {
      const auto& [language, tag] = kLanguageTags[i];
      CAPTURE(c.status);
      CAPTURE(tag);
      std::string page = ErrorPage(c.status, "the label has no sig", {}, language);
      CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"" + tag + "\">"));
      CHECK(Has(page, "<div class=\"banner " + c.colour + "\" role=\"status\"><h1>" + c.titles[i] +
                          "</h1>"));
      CHECK(Has(page, "<p lang=\"en\">the label has no sig</p>"));
      CHECK(Has(page, "HTTP " + std::to_string(c.status)));
      CHECK_FALSE(Has(page, "<ul"));
    }
  }
}

TEST_CASE("the pages are self-contained: inline CSS only") {
  for (const std::string& page : {VerificationPage(Answer("AUTHENTIC"), PageLanguage::kEnglish),
                                  ErrorPage(400, "x", {}, PageLanguage::kSpanish)}) {
    CHECK(Has(page, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    CHECK(Has(page, "<style>"));
    CHECK_FALSE(Has(page, "<script"));
    CHECK_FALSE(Has(page, " src="));
    CHECK_FALSE(Has(page, "<link"));
  }
}

TEST_CASE("Accept-Language: q-values, language ranges, q=0, wildcard, English by default") {
  const std::vector<std::pair<std::string, PageLanguage>> cases = {
      {"", PageLanguage::kEnglish},
      {"es", PageLanguage::kSpanish},
      {"fr", PageLanguage::kFrench},
      {"en", PageLanguage::kEnglish},
      {"es-MX", PageLanguage::kSpanish},
      {"FR-ca", PageLanguage::kFrench},
      {"es-419, en;q=0.5", PageLanguage::kSpanish},
      {"en;q=0.5, fr;q=0.8", PageLanguage::kFrench},
      {"de-DE, de;q=0.9, es;q=0.2", PageLanguage::kSpanish},
      {"de, it", PageLanguage::kEnglish},
      {"fr, es", PageLanguage::kFrench},  // equal weights: the first
      {"es;q=0.5, fr;q=0.5", PageLanguage::kSpanish},
      {"fr;q=0", PageLanguage::kEnglish},
      {"es;q=0, es-MX", PageLanguage::kEnglish},  // Spanish refused outright
      {"en;q=0, fr;q=0.1", PageLanguage::kFrench},
      {"en;q=0, *", PageLanguage::kSpanish},  // any other language: the first we have
      {"*", PageLanguage::kEnglish},
      {"de, *;q=0.5, fr;q=0.4", PageLanguage::kEnglish},
      {"fr;q=0.6, *;q=0.5", PageLanguage::kFrench},
      {"es;q=bogus, fr;q=0.1", PageLanguage::kFrench},  // a malformed weight is 0
      {"es;q=1.5", PageLanguage::kEnglish},
      {" es-MX ; q=0.7 ,, fr ; q=0.3", PageLanguage::kSpanish},
      {"fr;level=1;q=0.9, es;q=0.8", PageLanguage::kFrench},
  };
  for (const auto& [header, language] : cases) {
    CAPTURE(header);
    CHECK(LanguageTag(NegotiateLanguage(header)) == LanguageTag(language));
  }
}

}  // namespace
}  // namespace frontera::api
