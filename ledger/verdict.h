// The one verdict on a label or certificate (docs/cli.md#verdicts), reached
// the same way by the validator's resolver, `frontera verify` online and
// offline, and the resolver page: each caller establishes the facts from its
// own source (the ledger state, a node's answer, a trust bundle) and Decide
// ranks them.
//
//   not authentic (forged, wrong signer, label not the recorded one, custody
//     broken, not yet valid)                                  → NOT AUTHENTIC
//   else the ledger does not vouch for it                      → NOT ON LEDGER
//   else revoked                          → REVOKED, or RECALLED when the
//                                           revocation's reason is a recall
//   else (offline only) the trust bundle is older than the network's
//     maximum age, so what it does not say may have changed → STALE BUNDLE
//   else flagged by an agency (DSCSA: suspect, illegitimate, recalled)
//                                         → FLAGGED, headlined ILLEGITIMATE,
//                                           SUSPECT or RECALLED
//   else the pack was decommissioned (ledger/lifecycle.h)
//                                         → DECOMMISSIONED, headlined ALREADY
//                                           DISPENSED (a possible clone),
//                                           DESTROYED, STOLEN, EXPORTED,
//                                           SAMPLED, FREE SAMPLE or LOCKED,
//                                           with where (GLN) and when
//   else past validUntil or the product's expiry date           → EXPIRED
//   else                                                        → AUTHENTIC
//
// The enum values are the CLI's exit codes (docs/cli.md#exit-codes).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/gs1.h"
#include "ledger/lifecycle.h"

namespace frontera::ledger {

enum class Verdict {
  kAuthentic = 0,
  kNotAuthentic = 1,
  kRevoked = 2,
  kExpired = 3,
  kNotOnLedger = 4,
  kFlagged = 5,
  kStaleBundle = 6,     // offline only: the bundle is older than the genesis's max_bundle_age
  kDecommissioned = 7,  // online only: dispensed, destroyed, stolen, … (ledger/lifecycle.h)
};

// "AUTHENTIC", "NOT AUTHENTIC", "REVOKED", "EXPIRED", "NOT ON LEDGER", "FLAGGED",
// "STALE BUNDLE", "DECOMMISSIONED".
std::string_view VerdictName(Verdict verdict);
// The inverse of VerdictName; kInvalidArgument for any other text.
Result<Verdict> ParseVerdict(std::string_view name);

// A revocation is a recall when its reason starts with "recall" in any case
// ("Recall: lot 4411 …", "recalled by the manufacturer").
bool IsRecall(std::string_view revocation_reason);

// What the facts add up to.
struct LabelVerdict {
  Verdict verdict = Verdict::kNotAuthentic;
  std::string revocation_reason;  // when kRevoked: the revocation's reason, may be empty
  // When kFlagged: the most severe flag in force (illegitimate, suspect,
  // recalled) and the reason the agency gave.
  std::string flag;
  std::string flag_reason;
  // When kDecommissioned: the pack's lifecycle (state, GLN, block time).
  PackLifecycle lifecycle = {};

  bool recalled() const { return verdict == Verdict::kRevoked && IsRecall(revocation_reason); }
  // "RECALLED" for a recall, the flag in capitals ("SUSPECT") when flagged,
  // "ALREADY DISPENSED" or the state in capitals ("FREE SAMPLE") when
  // decommissioned, else VerdictName(verdict).
  std::string Headline() const;
  // The headline with the revocation's or the flag's reason when there is
  // one: "RECALLED: Recall: lot 4411 contaminated"; for a decommissioned
  // pack where and when: "ALREADY DISPENSED: dispensed at GLN 0061414000017
  // on 2026-11-30T10:00:05Z (a possible clone)".
  std::string Sentence() const;
};

// Of the flags in force, the one a verdict names: illegitimate, then
// suspect, then recalled; "" for none of them.
std::string MostSevereFlag(const std::vector<std::string>& flags);

struct VerdictFacts {
  bool authentic = false;  // every authenticity check passed (see the header)
  bool on_ledger = false;  // the ledger vouches for the certificate
  bool revoked = false;
  std::string revocation_reason;
  std::string flag;  // MostSevereFlag of the flags in force, or ""
  std::string flag_reason;
  bool expired = false;
  // Offline: the bundle's co-signatures are older than the maximum age (or
  // carry no time). A revocation it lists stands (revocations are never
  // undone); anything else it could not know is not vouched for.
  bool stale_bundle = false;
  // The pack's lifecycle (online: the certificate view's "lifecycle").
  PackLifecycle lifecycle = {};
};

LabelVerdict Decide(const VerdictFacts& facts);

// The validity period of a certificate at `now_unix_millis`, by one rule for
// every caller: validFrom and validUntil (RFC 3339) are instants; a product's
// expiry (GS1 AI 17, a day) lasts through the end of that day, UTC.
struct Validity {
  bool not_yet_valid = false;
  bool expired = false;
  std::vector<std::string> reasons;  // one sentence per failed rule, ISO dates
};
// Empty arguments are absent; an argument that does not parse is ignored
// (the document parsers refuse such documents before this is asked).
Validity CheckValidity(std::string_view valid_from, std::string_view valid_until,
                       std::string_view expiry_date, int64_t now_unix_millis);

// The day a GS1 AI 17 "YYMMDD" names: the century by GS1 General
// Specifications §7.12 relative to the year of `now_unix_millis`, and day "00"
// as the last day of the month (§3.4.7). kInvalidArgument unless six digits
// naming a real month (and day).
Result<gs1::CivilDate> ExpiryDateOfYymmdd(std::string_view yymmdd, int64_t now_unix_millis);
// "YYYY-MM-DD".
std::string FormatDate(const gs1::CivilDate& date);

}  // namespace frontera::ledger
