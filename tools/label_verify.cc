#include "tools/label_verify.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <optional>

#include "common/check.h"
#include "common/encoding.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"

namespace frontera::tools {
namespace {

using crypto::Json;

struct LabelFacts {
  std::optional<ledger::Label> label;
  const ledger::Party* issuer = nullptr;  // the party whose key the kid names
};

Check CheckLabelSignature(const ledger::Genesis& genesis, std::string_view scanned,
                          LabelFacts& facts) {
  Check check{"label", "label signed by a registered party", true, {}};
  auto parsed = ledger::ParseLabel(scanned);
  if (!parsed.ok()) {
    check.passed = false;
    std::string reason = parsed.status().message();
    for (const FieldError& e : parsed.status().field_errors()) reason += ": " + e.reason;
    check.reasons.push_back("not a Frontera label: " + reason);
    return check;
  }
  facts.label = *parsed;
  // The signature covers the label's path, not its host: a label on any
  // other host is a copy (docs/security.md, "Labels are bound").
  if (parsed->resolver != genesis.resolver) {
    check.passed = false;
    check.reasons.push_back("the label names resolver " + parsed->resolver +
                            ", not the resolver of network " + genesis.network + " (" +
                            genesis.resolver + "): a copied label");
    return check;
  }
  // docs/formats.md §8: kid = base64url(SHA-256(issuer key)[0:8]) names
  // the key; only parties registered in the genesis are candidates.
  for (const ledger::Party& party : genesis.parties) {
    if (ledger::LabelKid(party.public_key) == parsed->kid) {
      facts.issuer = &party;
      break;
    }
  }
  if (facts.issuer == nullptr) {
    check.passed = false;
    check.reasons.push_back("kid " + parsed->kid + " names no key of a party of network " +
                            genesis.network + " (unknown issuer)");
    return check;
  }
  Status verified = ledger::VerifyLabel(*parsed, facts.issuer->public_key);
  if (!verified.ok()) {
    check.passed = false;
    std::string reason = verified.message();
    for (const FieldError& e : verified.field_errors()) reason += ": " + e.reason;
    check.reasons.push_back("signature of " + facts.issuer->name +
                            " does not verify over the label (altered or forged): " + reason);
    facts.issuer = nullptr;
    return check;
  }
  check.reasons.push_back("Ed25519 signature by " + facts.issuer->name + " (kid " + parsed->kid +
                          ")");
  return check;
}

// `on_ledger`: the node holds the label's certificate, which the ledger took
// while its issuer was in good standing, so a suspension since does not
// undo it; offline nothing tells a label signed before the suspension from
// one signed after (with a compromised key, say).
Check CheckLabelIssuer(const LabelFacts& facts, bool on_ledger) {
  Check check{
      "issuer", "issuer a manufacturer or shipper, identifier under its prefixes", true, {}};
  auto fail = [&](std::string reason) {
    check.passed = false;
    check.reasons.push_back(std::move(reason));
  };
  if (facts.issuer == nullptr || !facts.label) {
    fail("no verified issuer");
    return check;
  }
  const ledger::Party& party = *facts.issuer;
  if (party.role != ledger::Role::kManufacturer && party.role != ledger::Role::kShipper) {
    fail(party.name + " has role " + std::string(ledger::RoleName(party.role)) +
         "; only a manufacturer or shipper issues labels");
  }
  if (party.suspended && !on_ledger) {
    fail(party.name + " is suspended: a label it signed cannot be trusted offline (verify online)");
  }
  // GS1 General Specifications §3.3.2 (GTIN-14) and §3.3.1 (SSCC): one
  // leading digit (indicator or extension digit), then the company prefix.
  const std::string& code = facts.label->is_consignment() ? facts.label->sscc : facts.label->gtin;
  std::string_view body = std::string_view(code).substr(1);
  bool under = std::any_of(party.prefixes.begin(), party.prefixes.end(),
                           [&](const std::string& p) { return body.starts_with(p); });
  if (!under) {
    fail(std::string(facts.label->is_consignment() ? "SSCC " : "GTIN ") + code +
         " is not under a GS1 company prefix of " + party.name);
  }
  if (check.passed) {
    check.reasons.push_back(party.name + ", " + std::string(ledger::RoleName(party.role)) + ", " +
                            party.country);
    if (party.suspended) {
      check.reasons.push_back(party.name +
                              " is suspended now; its certificate was recorded before");
    }
  }
  return check;
}

std::string Describe(const ledger::Label& label, int64_t now_unix_millis) {
  if (label.is_consignment()) return "SSCC " + label.sscc;
  std::string out = "GTIN " + label.gtin + ", lot " + label.lot + ", serial " + label.serial;
  if (auto date = ledger::ExpiryDateOfYymmdd(label.expiry_yymmdd, now_unix_millis); date.ok()) {
    out += ", expires " + ledger::FormatDate(*date);
  }
  return out;
}

}  // namespace

std::string OnLedgerAsOf(const TrustBundle& bundle) {
  FRONTERA_CHECK(bundle.item_filter.has_value());
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.2f", bundle.item_filter->false_positive_rate() * 100);
  return "on the ledger as of checkpoint " + std::to_string(bundle.item_filter_tree_size) +
         " (item filter of " + std::to_string(bundle.item_filter->item_count()) +
         " items; false-positive rate ≈ " + rate + " %)";
}

std::string LabelItem(const ledger::Label& label) {
  if (label.is_consignment()) return ledger::gs1::ConsignmentSubjectId(label.sscc);
  return ledger::gs1::ProductSubjectId(label.gtin, label.lot, label.serial);
}

LabelReport VerifyLabelOffline(const TrustBundle& bundle, std::string_view scanned,
                               int64_t now_unix_millis) {
  LabelReport report;
  report.label = std::string(scanned);
  // The bundle's age is the time its co-signatures vouch for, never the
  // file's unsigned "synced_at".
  const BundleAge bundle_age = CheckBundleAge(bundle, now_unix_millis);
  std::string age = bundle.signed_time ? "co-signed " + DescribeAge(bundle_age.age_millis) + " ago"
                                       : "of unknown age";
  report.context = "OFFLINE: bundle " + age + " at tree size " + std::to_string(bundle.tree_size) +
                   (bundle.item_filter ? "; item filter as of checkpoint " +
                                             std::to_string(bundle.item_filter_tree_size)
                                       : "; no item filter (inclusion not checked)");
  LabelFacts facts;
  report.checks.push_back(CheckLabelSignature(bundle.directory, scanned, facts));
  report.checks.push_back(CheckLabelIssuer(facts, /*on_ledger=*/false));
  Check freshness{"freshness", "the trust bundle is within the network's maximum age", true, {}};
  freshness.passed = !bundle_age.stale;
  freshness.reasons.push_back(
      bundle_age.stale ? bundle_age.reason
                       : age + ", maximum " +
                             DescribeAge(static_cast<int64_t>(bundle_age.max_age_seconds) * 1000));

  Check revocation{"revocation", "not in the bundle's revocation list", true, {}};
  Check expiry{"expiry", "not expired", true, {}};
  bool revoked = false, expired = false;
  std::string revocation_reason;
  if (facts.label) {
    std::string item = LabelItem(*facts.label);
    if (const RevocationEntry* entry = bundle.FindRevocation(item); entry != nullptr) {
      revoked = true;
      revocation_reason = entry->reason;
      revocation.passed = false;
      revocation.reasons.push_back(item + " revoked by " + entry->certificate + " (leaf " +
                                   std::to_string(entry->leaf_index) + ")");
    } else {
      revocation.reasons.push_back("not known revoked as of tree size " +
                                   std::to_string(bundle.tree_size) + " (bundle " + age +
                                   "); later revocations need --online");
    }
    if (facts.label->is_consignment()) {
      expiry.reasons.push_back("a consignment label carries no expiry");
    } else if (auto date = ledger::ExpiryDateOfYymmdd(facts.label->expiry_yymmdd, now_unix_millis);
               !date.ok()) {
      expiry.passed = false;
      expiry.reasons.push_back(date.status().message());
    } else {
      ledger::Validity validity =
          ledger::CheckValidity("", "", ledger::FormatDate(*date), now_unix_millis);
      expired = validity.expired;
      expiry.passed = !validity.expired;
      if (validity.expired) {
        expiry.reasons = validity.reasons;
      } else {
        expiry.reasons.push_back("expires " + ledger::FormatDate(*date));
      }
    }
  } else {
    revocation.passed = expiry.passed = false;
    revocation.reasons.push_back("no label to look up");
    expiry.reasons.push_back("no label to read");
  }
  report.checks.push_back(revocation);
  // Whether the ledger certified the item, by the bundle's item filter: a
  // label signed with a registered issuer's key for an item never certified
  // (a stolen key) fails here.
  bool on_ledger = true;
  if (facts.label) {
    Check inclusion{"inclusion", "the item is on the ledger (the bundle's item filter)", true, {}};
    if (!bundle.item_filter) {
      inclusion.reasons.push_back(
          "not checked: this bundle carries no item filter (run `frontera trust sync`, or "
          "verify --online)");
    } else if (bundle.item_filter->Contains(ledger::ItemKey(*facts.label))) {
      inclusion.reasons.push_back(OnLedgerAsOf(bundle));
    } else {
      on_ledger = inclusion.passed = false;
      inclusion.reasons.push_back(
          LabelItem(*facts.label) + " is not on the ledger as of checkpoint " +
          std::to_string(bundle.item_filter_tree_size) + " (the item filter's tree size)");
      inclusion.reasons.push_back(
          "an item certified since is not in it yet: run `frontera trust sync` or verify "
          "--online; otherwise the label was signed with the issuer's key for an item the "
          "ledger never certified");
    }
    report.checks.push_back(inclusion);
  }
  // The DSCSA flags the bundle lists in force on the item.
  std::string flag, flag_reason;
  if (facts.label && bundle.flags_known) {
    Check flags{"flags", "not flagged by an agency (suspect, illegitimate, recalled)", true, {}};
    std::vector<std::string> names;
    for (const ledger::FlagEntry& e : bundle.FindFlags(LabelItem(*facts.label))) {
      names.push_back(e.flag);
      flags.passed = false;
      flags.reasons.push_back("flagged " + e.flag + " at leaf " + std::to_string(e.leaf_index) +
                              ": " + e.reason);
    }
    flag = ledger::MostSevereFlag(names);
    for (const ledger::FlagEntry& e : bundle.FindFlags(LabelItem(*facts.label))) {
      if (e.flag == flag) flag_reason = e.reason;
    }
    if (flags.passed)
      flags.reasons.push_back("no flag as of tree size " + std::to_string(bundle.tree_size));
    report.checks.push_back(flags);
  }
  report.checks.push_back(expiry);
  report.checks.push_back(freshness);

  ledger::LabelVerdict outcome =
      ledger::Decide({.authentic = report.checks[0].passed && report.checks[1].passed &&
                                   (expiry.passed || expired),
                      .on_ledger = on_ledger,
                      .revoked = revoked,
                      .revocation_reason = revocation_reason,
                      .flag = flag,
                      .flag_reason = flag_reason,
                      .expired = expired,
                      .stale_bundle = bundle_age.stale});
  report.verdict = outcome.verdict;
  report.revocation_reason = outcome.revocation_reason;
  report.flag = outcome.flag;
  report.flag_reason = outcome.flag_reason;
  if (facts.label) {
    report.subject = Describe(*facts.label, now_unix_millis);
    report.checks[0].reasons.push_back(report.subject);
  }
  return report;
}

LabelReport VerifyLabelOnline(const ledger::Genesis& genesis, const TrustBundle* bundle,
                              std::string_view scanned, const OnlineLabelEvidence& online,
                              int64_t now_unix_millis) {
  LabelReport report;
  report.label = std::string(scanned);
  report.online = true;
  LabelFacts facts;
  report.checks.push_back(CheckLabelSignature(genesis, scanned, facts));
  report.checks.push_back(CheckLabelIssuer(facts, /*on_ledger=*/online.found));
  bool label_ok = report.checks[0].passed && report.checks[1].passed;

  if (!online.found) {
    report.context = "ONLINE: the node knows no certificate for this label";
    report.checks.push_back(Check{
        "ledger", "label matches a certificate on the ledger", false, {online.not_found_reason}});
    report.verdict = label_ok ? Verdict::kNotOnLedger : Verdict::kNotAuthentic;
    return report;
  }
  const Evidence& evidence = online.evidence;
  report.certificate_id = evidence.requested_id;

  Check match{"ledger", "label matches the certificate on the ledger", true, {}};
  // Parsed only from the full view (the public one has no whole credential).
  Result<ledger::Credential> credential =
      evidence.public_view
          ? Result<ledger::Credential>(Status::InvalidArgument("the public view of the credential"))
          : ledger::ParseCredential(evidence.credential);
  if (evidence.public_view) {
    // The public view keeps the issuer and the label the issuer signed into
    // the credential: the scanned label must be that one, by that issuer.
    const Json& shown = evidence.credential;
    const Json subject = shown.value("credentialSubject", Json::object());
    if (!facts.label) {
      match.passed = false;
      match.reasons.push_back("no label to compare");
    } else if (subject.value("label", Json()) != Json(std::string(scanned))) {
      match.passed = false;
      match.reasons.push_back("the label differs from the certificate's credentialSubject.label");
    } else if (facts.issuer != nullptr &&
               shown.value("issuer", Json()) != Json(facts.issuer->did)) {
      match.passed = false;
      match.reasons.push_back("the label's signer " + facts.issuer->did +
                              " is not the certificate's issuer");
    }
  } else if (!credential.ok()) {
    match.passed = false;
    match.reasons.push_back("the node's credential is not well formed: " +
                            credential.status().ToString());
  } else if (facts.label) {
    Status matches = ledger::CheckLabelMatches(*facts.label, *credential);
    if (!matches.ok()) {
      match.passed = false;
      for (const FieldError& e : matches.field_errors()) match.reasons.push_back(e.reason);
      if (matches.field_errors().empty()) match.reasons.push_back(matches.message());
    }
    // The issuer signed this very label into the credential (docs/formats.md §8):
    // a label made by the same key for other fields is not this certificate's.
    const Json& subject = evidence.credential.value("credentialSubject", Json::object());
    auto stored = subject.find("label");
    if (stored == subject.end() || !stored->is_string()) {
      match.passed = false;
      match.reasons.push_back("the credential carries no credentialSubject.label");
    } else if (stored->get<std::string>() != scanned) {
      match.passed = false;
      match.reasons.push_back("the label differs from the credential's credentialSubject.label");
    }
    if (facts.issuer != nullptr && credential->issuer != facts.issuer->did) {
      match.passed = false;
      match.reasons.push_back("the label's signer " + facts.issuer->did +
                              " is not the credential's issuer " + credential->issuer);
    }
  } else {
    match.passed = false;
    match.reasons.push_back("no label to compare");
  }
  if (match.passed) match.reasons.push_back("certificate " + evidence.requested_id);
  report.checks.push_back(match);

  Report ledger_report = evidence.public_view
                             ? VerifyPublicEvidence(genesis, evidence, now_unix_millis)
                             : VerifyEvidence(genesis, evidence, now_unix_millis);
  for (Check check : ledger_report.checks) {
    if (check.name == "custody" && check.passed) report.custody = check.reasons;
    check.name = "ledger " + check.name;
    report.checks.push_back(std::move(check));
  }
  CheckpointReport node_checkpoint = VerifyCheckpoint(genesis, evidence.checkpoint);
  report.context =
      "ONLINE: node checkpoint at tree size " + std::to_string(node_checkpoint.tree_size);
  if (evidence.public_view) {
    report.context +=
        "; public view: the credential's own proof, custody and commercial details are not "
        "shown (--key KEY of an agency or a party it names checks them too)";
  }

  bool consistent = true;
  bool bundle_revoked = false;
  std::string bundle_revocation_reason;
  if (bundle != nullptr) {
    Check consistency{"consistency", "node's checkpoint consistent with the bundle's", true, {}};
    if (!node_checkpoint.parsed) {
      consistency.passed = false;
      consistency.reasons.push_back("the node's checkpoint does not parse");
    } else {
      // RFC 9162 §2.1.4.2, from the smaller tree to the larger.
      bool bundle_first = bundle->tree_size <= node_checkpoint.tree_size;
      uint64_t first = bundle_first ? bundle->tree_size : node_checkpoint.tree_size;
      uint64_t second = bundle_first ? node_checkpoint.tree_size : bundle->tree_size;
      const crypto::Hash& first_root = bundle_first ? bundle->root : node_checkpoint.root;
      const crypto::Hash& second_root = bundle_first ? node_checkpoint.root : bundle->root;
      bool ok = first == 0 || crypto::VerifyConsistency(first, second, first_root, second_root,
                                                        online.consistency);
      if (!ok) {
        consistency.passed = false;
        consistency.reasons.push_back(
            "the node's tree of size " + std::to_string(node_checkpoint.tree_size) +
            " is not consistent with the bundle's of size " + std::to_string(bundle->tree_size) +
            ": the node forked or rewrote history");
      } else {
        consistency.reasons.push_back("bundle tree size " + std::to_string(bundle->tree_size) +
                                      " → node tree size " +
                                      std::to_string(node_checkpoint.tree_size));
      }
    }
    consistent = consistency.passed;
    report.checks.push_back(consistency);
    if (facts.label) {
      if (const RevocationEntry* entry = bundle->FindRevocation(LabelItem(*facts.label));
          entry != nullptr && evidence.status != "revoked") {
        bundle_revoked = true;
        bundle_revocation_reason = entry->reason;
        report.checks.push_back(
            Check{"revocation",
                  "not in the bundle's revocation list",
                  false,
                  {"the validator-signed bundle lists it revoked by " + entry->certificate +
                   ", yet the node says " + evidence.status}});
      }
    }
  }

  ledger::LabelVerdict outcome = ledger::Decide(
      {.authentic = label_ok && match.passed && ledger_report.verdict != Verdict::kNotAuthentic,
       .on_ledger = consistent && ledger_report.verdict != Verdict::kNotOnLedger,
       .revoked = ledger_report.verdict == Verdict::kRevoked || bundle_revoked,
       .revocation_reason = ledger_report.verdict == Verdict::kRevoked
                                ? ledger_report.revocation_reason
                                : bundle_revocation_reason,
       .flag = ledger_report.flag,
       .flag_reason = ledger_report.flag_reason,
       .expired = ledger_report.verdict == Verdict::kExpired,
       .lifecycle = ledger_report.lifecycle});
  report.verdict = outcome.verdict;
  report.lifecycle = outcome.lifecycle;
  report.revocation_reason = outcome.revocation_reason;
  report.flag = outcome.flag;
  report.flag_reason = outcome.flag_reason;
  if (label_ok && match.passed) report.subject = ledger_report.subject;
  if (facts.label) report.checks[0].reasons.push_back(Describe(*facts.label, now_unix_millis));
  return report;
}

std::string ResolverPath(const ledger::Label& label) {
  // "https://" then the resolver host[:port]: the path starts after them.
  return label.uri.substr(std::string_view("https://").size() + label.resolver.size());
}

Result<std::string> CertificateIdFromResolver(const Json& answer) {
  if (!answer.is_object()) return Status::InvalidArgument("resolver answer is not an object");
  auto certificate = answer.find("certificate");
  if (certificate == answer.end() || certificate->is_null()) {
    std::string verdict = answer.value("verdict", "");
    return Status::NotFound("the resolver names no certificate for this label" +
                            (verdict.empty() ? "" : " (its verdict: " + verdict + ")"));
  }
  if (!certificate->is_object() || !certificate->contains("credential") ||
      !(*certificate)["credential"].is_object() ||
      !(*certificate)["credential"].value("id", Json()).is_string()) {
    return Status::InvalidArgument("unexpected resolver answer",
                                   {FieldError{"/certificate/credential/id", "must be a string"}});
  }
  return (*certificate)["credential"]["id"].get<std::string>();
}

std::string LabelVerdictText(const LabelReport& report) { return report.Outcome().Headline(); }

std::string RenderLabelReport(const LabelReport& report, bool colour) {
  // ECMA-48 §8.3.117 SGR: 1 bold, 31 red, 32 green, 33 yellow, 0 reset.
  auto paint = [&](const char* sgr, const std::string& text) {
    return colour ? std::string("\x1b[") + sgr + "m" + text + "\x1b[0m" : text;
  };
  std::string out = "label " + report.label + "\n";
  out += report.context + "\n";
  if (!report.certificate_id.empty()) out += "certificate " + report.certificate_id + "\n";
  if (!report.subject.empty()) out += report.subject + "\n";
  for (const Check& check : report.checks) {
    out += "  " + (check.passed ? paint("32", "✓") : paint("31", "✗")) + " " + check.title + "\n";
    for (const std::string& reason : check.reasons) out += "      " + reason + "\n";
  }
  if (!report.custody.empty()) {
    out += "custody\n";
    for (const std::string& line : report.custody) out += "  - " + line + "\n";
  }
  const char* sgr = report.verdict == Verdict::kAuthentic ? "1;32"
                    : report.verdict == Verdict::kRevoked || report.verdict == Verdict::kExpired
                        ? "1;33"
                        : "1;31";
  // "RECALLED: <reason> (OFFLINE)": one wording online, offline and on the
  // resolver page.
  out += paint(sgr, report.Outcome().Sentence() + (report.online ? "" : " (OFFLINE)")) + "\n";
  return out;
}

Json LabelReportJson(const LabelReport& report) {
  Json out = VerdictJson(report.Outcome());
  out["label"] = report.label;
  out["mode"] = report.online ? "online" : "offline";
  out["context"] = report.context;
  out["certificate"] = report.certificate_id.empty() ? Json() : Json(report.certificate_id);
  out["subject"] = report.subject;
  out["checks"] = ChecksJson(report.checks);
  out["custody"] = report.custody;
  return out;
}

}  // namespace frontera::tools
