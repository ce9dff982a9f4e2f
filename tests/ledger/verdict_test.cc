#include "ledger/verdict.h"

#include <doctest/doctest.h>

namespace frontera::ledger {
namespace {

// 2026-12-06T12:00:00Z.
constexpr int64_t kNow = 1'796'558'400'000;

TEST_CASE("Decide ranks forgery, the ledger, revocation, an agency's flag, then expiry") {
  VerdictFacts all_bad{false, false, true, "Recall: lot 4411", "suspect", "seal broken", true};
  CHECK(Decide(all_bad).verdict == Verdict::kNotAuthentic);
  all_bad.authentic = true;
  CHECK(Decide(all_bad).verdict == Verdict::kNotOnLedger);
  all_bad.on_ledger = true;
  CHECK(Decide(all_bad).verdict == Verdict::kRevoked);
  CHECK(Decide(all_bad).Headline() == "RECALLED");
  CHECK(Decide(all_bad).Sentence() == "RECALLED: Recall: lot 4411");
  all_bad.revoked = false;
  CHECK(Decide(all_bad).verdict == Verdict::kFlagged);
  CHECK(Decide(all_bad).Headline() == "SUSPECT");
  CHECK(Decide(all_bad).Sentence() == "SUSPECT: seal broken");
  all_bad.flag.clear();
  CHECK(Decide(all_bad).verdict == Verdict::kExpired);
  CHECK(Decide(all_bad).revocation_reason.empty());
  all_bad.expired = false;
  CHECK(Decide(all_bad).Headline() == "AUTHENTIC");
}

TEST_CASE("a stale bundle ranks after forgery and revocation, before flags, expiry and AUTHENTIC") {
  VerdictFacts facts{false, true, true, "Recall: lot 4411", "suspect", "seal broken", true, true};
  CHECK(Decide(facts).verdict == Verdict::kNotAuthentic);
  facts.authentic = true;
  CHECK(Decide(facts).verdict == Verdict::kRevoked);  // revocations are never undone
  CHECK(Decide(facts).Headline() == "RECALLED");
  facts.revoked = false;
  CHECK(Decide(facts).verdict == Verdict::kStaleBundle);
  facts.flag.clear();
  facts.expired = false;
  CHECK(Decide(facts).verdict == Verdict::kStaleBundle);
  CHECK(Decide(facts).Sentence() == "STALE BUNDLE");
  CHECK(ParseVerdict("STALE BUNDLE").value() == Verdict::kStaleBundle);
  facts.stale_bundle = false;
  CHECK(Decide(facts).verdict == Verdict::kAuthentic);
}

TEST_CASE("a revocation is a recall only when its reason starts with recall") {
  CHECK(IsRecall("recall"));
  CHECK(IsRecall("RECALLED by the manufacturer"));
  CHECK_FALSE(IsRecall("damaged in transit; recall not needed"));
  CHECK_FALSE(IsRecall("rec"));
  LabelVerdict revoked{Verdict::kRevoked, "damaged in transit", "", ""};
  CHECK(revoked.Headline() == "REVOKED");
  CHECK(revoked.Sentence() == "REVOKED: damaged in transit");
  CHECK(LabelVerdict{Verdict::kRevoked, "", "", ""}.Sentence() == "REVOKED");
  // A recall reason on a verdict other than REVOKED is not shown.
  CHECK(LabelVerdict{Verdict::kExpired, "recall", "", ""}.Headline() == "EXPIRED");
}

TEST_CASE("of the flags in force, the verdict names the most severe") {
  CHECK(MostSevereFlag({"recalled", "suspect"}) == "suspect");
  CHECK(MostSevereFlag({"suspect", "illegitimate"}) == "illegitimate");
  CHECK(MostSevereFlag({"recalled"}) == "recalled");
  CHECK(MostSevereFlag({}).empty());
}

TEST_CASE("verdict names round-trip and nothing else parses") {
  for (Verdict v : {Verdict::kAuthentic, Verdict::kNotAuthentic, Verdict::kRevoked,
                    Verdict::kExpired, Verdict::kNotOnLedger, Verdict::kFlagged}) {
    auto parsed = ParseVerdict(VerdictName(v));
    REQUIRE(parsed.ok());
    CHECK(*parsed == v);
  }
  CHECK_FALSE(ParseVerdict("RECALLED").ok());
  CHECK_FALSE(ParseVerdict("authentic").ok());
  CHECK(static_cast<int>(Verdict::kNotOnLedger) == 4);  // the CLI's exit code
  CHECK(static_cast<int>(Verdict::kFlagged) == 5);
}

TEST_CASE("validity: instants for validFrom/validUntil, the whole UTC day for an expiry") {
  CHECK_FALSE(CheckValidity("", "", "", kNow).expired);
  Validity v = CheckValidity("2027-01-01T00:00:00Z", "", "", kNow);
  CHECK(v.not_yet_valid);
  REQUIRE(v.reasons.size() == 1);
  CHECK(v.reasons[0] == "not valid before 2027-01-01T00:00:00Z");
  CHECK(CheckValidity("", "2026-12-06T11:59:59Z", "", kNow).expired);
  CHECK_FALSE(CheckValidity("", "2026-12-06T12:00:00Z", "", kNow).expired);
  // The expiry day itself is still good; the day after is not.
  CHECK_FALSE(CheckValidity("", "", "2026-12-06", kNow).expired);
  Validity expired = CheckValidity("", "", "2026-12-05", kNow);
  CHECK(expired.expired);
  REQUIRE(expired.reasons.size() == 1);
  CHECK(expired.reasons[0] == "the product expired on 2026-12-05");
}

TEST_CASE("a label's YYMMDD expiry is a day, by the GS1 century and day-00 rules") {
  auto date = ExpiryDateOfYymmdd("290331", kNow);
  REQUIRE(date.ok());
  CHECK(FormatDate(*date) == "2029-03-31");
  date = ExpiryDateOfYymmdd("280200", kNow);  // day 00: the last day of the month
  REQUIRE(date.ok());
  CHECK(FormatDate(*date) == "2028-02-29");
  date = ExpiryDateOfYymmdd("990101", kNow);  // 73 years ahead: the previous century
  REQUIRE(date.ok());
  CHECK(date->year == 1999);
  date = ExpiryDateOfYymmdd("760101", kNow);  // 50 ahead: this century
  REQUIRE(date.ok());
  CHECK(date->year == 2076);
  CHECK_FALSE(ExpiryDateOfYymmdd("291301", kNow).ok());
  CHECK_FALSE(ExpiryDateOfYymmdd("290230", kNow).ok());
  CHECK_FALSE(ExpiryDateOfYymmdd("29033", kNow).ok());
  CHECK_FALSE(ExpiryDateOfYymmdd("2903a1", kNow).ok());
}

}  // namespace
}  // namespace frontera::ledger
