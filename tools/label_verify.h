// Verifying a scanned QR label (docs/formats.md §8, docs/cli.md#verify):
// offline against a trust bundle, or online against a node's evidence, in
// both cases trusting nothing but the genesis.
//
// Offline checks, in order:
//   label       the text is a label (ledger::ParseLabel), its kid names the
//               key of a genesis party (ledger::LabelKid) and its sig verifies
//               (ledger::VerifyLabel)
//   issuer      that party is a manufacturer or shipper, not suspended, and
//               the GTIN / SSCC is under one of its GS1 company prefixes
//   revocation  the item is not in the bundle's revocation list (as of the
//               bundle's checkpoint: later revocations are not known offline)
//   inclusion   the item is in the bundle's certified-item filter (as of the
//               filter's checkpoint; false positives about 1 in 256); not
//               checked, and said so, for a bundle without a filter
//   expiry      the label's AI 17 date has not passed (through its last day)
// Verdicts, ranked by ledger::Decide: label or issuer failed → NOT AUTHENTIC;
// not in the item filter → NOT ON LEDGER; revoked → REVOKED (RECALLED when the bundle's reason is a
// recall); expired → EXPIRED; else AUTHENTIC. Offline there is no ledger to ask, so a label that
// passes is taken as on the ledger as of the bundle.
//
// Online: label and issuer as above, then
//   ledger      the label's identifiers equal the ledger certificate's
//               (ledger::CheckLabelMatches) and the label is exactly the
//               credential's credentialSubject.label
//   the six checks of VerifyEvidence (verify.h), each named "ledger …"
//   consistency with a bundle: the node's checkpoint and the bundle's are
//               consistent (RFC 9162 §2.1.4), so a forked node is caught
// Verdicts: label, issuer or ledger failed → NOT AUTHENTIC; no certificate →
// NOT ON LEDGER; else VerifyEvidence's verdict, made NOT ON LEDGER by a failed
// consistency check and REVOKED when the bundle lists the item revoked.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "ledger/genesis.h"
#include "ledger/label.h"
#include "tools/trust.h"
#include "tools/verify.h"

namespace frontera::tools {

struct LabelReport {
  std::string label;  // the scanned text, as given
  bool online = false;
  // One line saying how the verdict was reached, e.g. "OFFLINE: bundle synced
  // 3 h ago at tree size 12".
  std::string context;
  std::string certificate_id;  // online, when the node knows the label
  Verdict verdict = Verdict::kNotAuthentic;
  std::string revocation_reason;  // when kRevoked, as the node or the bundle says
  std::string flag;               // when kFlagged: the flag and its reason
  std::string flag_reason;
  ledger::PackLifecycle lifecycle;  // when kDecommissioned: the state, where and when
  // What the label is for, for people: online the certificate's subject
  // (DescribeSubject: product name, identifiers, ISO expiry); offline the
  // label's identifiers and ISO expiry.
  std::string subject;
  ledger::LabelVerdict Outcome() const {
    return {verdict, revocation_reason, flag, flag_reason, lifecycle};
  }
  std::vector<Check> checks;
  std::vector<std::string> custody;  // online: the custody timeline, one line per event
};

// "on the ledger as of checkpoint N (item filter of M items; false-positive
// rate ≈ 0.39 %)". REQUIRES: bundle.item_filter.
std::string OnLedgerAsOf(const TrustBundle& bundle);

// The canonical item URI (credentialSubject.id on id.gs1.org) a label names.
std::string LabelItem(const ledger::Label& label);

// Offline verification against a verified bundle at `now_unix_millis`.
// REQUIRES: bundle.synced_at_millis is set when its age is to be shown.
LabelReport VerifyLabelOffline(const TrustBundle& bundle, std::string_view scanned,
                               int64_t now_unix_millis);

// What a node said about a label, fetched by the caller.
struct OnlineLabelEvidence {
  bool found = false;            // the node knows a certificate carrying the label
  std::string not_found_reason;  // when !found
  Evidence evidence;             // when found
  // With a bundle: RFC 9162 consistency proof between the smaller and the
  // larger of the bundle's and the evidence checkpoint's tree sizes.
  std::vector<crypto::Hash> consistency;
};

// Online verification. `bundle` may be null (no consistency check, no
// revocation list); `genesis` is the trusted genesis.
LabelReport VerifyLabelOnline(const ledger::Genesis& genesis, const TrustBundle* bundle,
                              std::string_view scanned, const OnlineLabelEvidence& online,
                              int64_t now_unix_millis);

// The path to ask a node's resolver about a label: the URI from the first '/'
// of its path (the host is the network's resolver, not necessarily the node).
// REQUIRES: label parsed by ledger::ParseLabel.
std::string ResolverPath(const ledger::Label& label);

// The certificate id in a resolver answer ({…, "certificate": {"credential":
// {"id"}}|null}). kNotFound when the answer names no certificate;
// kInvalidArgument when it has the wrong shape.
Result<std::string> CertificateIdFromResolver(const crypto::Json& answer);

// The report's headline: "AUTHENTIC", …, or "RECALLED" for a recall
// (ledger::LabelVerdict::Headline).
std::string LabelVerdictText(const LabelReport& report);

// Human form: the label, the context line, one line per check with ✓/✗ and
// reasons, the custody timeline, then the verdict. With `colour`, ANSI SGR
// colours (green pass, red fail, yellow REVOKED / EXPIRED).
std::string RenderLabelReport(const LabelReport& report, bool colour);

// Machine form: {"label", "mode": "offline"|"online", "context", "certificate",
// "verdict", "recalled", "revocation_reason", "subject", "exit_code", "checks": [{name, title,
// passed, reasons}], "custody": [...]}.
crypto::Json LabelReportJson(const LabelReport& report);

}  // namespace frontera::tools
