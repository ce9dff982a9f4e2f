#include "ledger/verdict.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "common/clock.h"

namespace frontera::ledger {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAuthentic:
      return "AUTHENTIC";
    case Verdict::kNotAuthentic:
      return "NOT AUTHENTIC";
    case Verdict::kRevoked:
      return "REVOKED";
    case Verdict::kExpired:
      return "EXPIRED";
    case Verdict::kNotOnLedger:
      return "NOT ON LEDGER";
    case Verdict::kFlagged:
      return "FLAGGED";
    case Verdict::kStaleBundle:
      return "STALE BUNDLE";
    case Verdict::kDecommissioned:
      return "DECOMMISSIONED";
  }
  return "NOT AUTHENTIC";
}

Result<Verdict> ParseVerdict(std::string_view name) {
  for (Verdict v : {Verdict::kAuthentic, Verdict::kNotAuthentic, Verdict::kRevoked,
                    Verdict::kExpired, Verdict::kNotOnLedger, Verdict::kFlagged,
                    Verdict::kStaleBundle, Verdict::kDecommissioned}) {
    if (VerdictName(v) == name) return v;
  }
  return Status::InvalidArgument("\"" + std::string(name) + "\" is not a verdict");
}

bool IsRecall(std::string_view revocation_reason) {
  constexpr std::string_view kRecall = "recall";
  if (revocation_reason.size() < kRecall.size()) return false;
  for (size_t i = 0; i < kRecall.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(revocation_reason[i])) != kRecall[i]) return false;
  }
  return true;
}

namespace {

// "free_sample" → "FREE SAMPLE".
std::string Capitals(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return upper;
}

}  // namespace

std::string LabelVerdict::Headline() const {
  if (recalled()) return "RECALLED";
  if (verdict == Verdict::kFlagged && !flag.empty()) return Capitals(flag);
  if (verdict == Verdict::kDecommissioned && lifecycle.decommissioned()) {
    // EMVS: a pack scanned again after it was supplied to a patient may be
    // a copy of its code.
    if (lifecycle.state == PackState::kDispensed) return "ALREADY DISPENSED";
    return Capitals(PackStateName(lifecycle.state));
  }
  return std::string(VerdictName(verdict));
}

std::string LabelVerdict::Sentence() const {
  std::string out = Headline();
  if (verdict == Verdict::kRevoked && !revocation_reason.empty()) out += ": " + revocation_reason;
  if (verdict == Verdict::kFlagged && !flag_reason.empty()) out += ": " + flag_reason;
  if (verdict == Verdict::kDecommissioned && lifecycle.decommissioned()) {
    std::string state(PackStateName(lifecycle.state));
    for (char& c : state) c = c == '_' ? ' ' : c;
    out += ": " + (lifecycle.state == PackState::kFreeSample ? "given as a free sample" : state) +
           " at GLN " + lifecycle.gln + " on " + FormatRfc3339(lifecycle.time_unix_ms);
    if (lifecycle.state == PackState::kDispensed) out += " (a possible clone)";
  }
  return out;
}

std::string MostSevereFlag(const std::vector<std::string>& flags) {
  for (const char* flag : {"illegitimate", "suspect", "recalled"}) {
    if (std::find(flags.begin(), flags.end(), flag) != flags.end()) return flag;
  }
  return "";
}

LabelVerdict Decide(const VerdictFacts& facts) {
  LabelVerdict out;
  if (!facts.authentic) {
    out.verdict = Verdict::kNotAuthentic;
  } else if (!facts.on_ledger) {
    out.verdict = Verdict::kNotOnLedger;
  } else if (facts.revoked) {
    out.verdict = Verdict::kRevoked;
    out.revocation_reason = facts.revocation_reason;
  } else if (facts.stale_bundle) {
    out.verdict = Verdict::kStaleBundle;
  } else if (!facts.flag.empty()) {
    out.verdict = Verdict::kFlagged;
    out.flag = facts.flag;
    out.flag_reason = facts.flag_reason;
  } else if (facts.lifecycle.decommissioned()) {
    out.verdict = Verdict::kDecommissioned;
    out.lifecycle = facts.lifecycle;
  } else if (facts.expired) {
    out.verdict = Verdict::kExpired;
  } else {
    out.verdict = Verdict::kAuthentic;
  }
  return out;
}

Validity CheckValidity(std::string_view valid_from, std::string_view valid_until,
                       std::string_view expiry_date, int64_t now_unix_millis) {
  Validity out;
  if (!valid_from.empty()) {
    if (auto from = gs1::ParseRfc3339Millis(valid_from); from.ok() && now_unix_millis < *from) {
      out.not_yet_valid = true;
      out.reasons.push_back("not valid before " + std::string(valid_from));
    }
  }
  if (!valid_until.empty()) {
    if (auto until = gs1::ParseRfc3339Millis(valid_until); until.ok() && now_unix_millis > *until) {
      out.expired = true;
      out.reasons.push_back("validUntil " + std::string(valid_until) + " has passed");
    }
  }
  if (!expiry_date.empty()) {
    auto date = gs1::ParseDate(expiry_date);
    if (date.ok() && now_unix_millis >= (gs1::DaysSinceEpoch(*date) + 1) * gs1::kMillisPerDay) {
      out.expired = true;
      out.reasons.push_back("the product expired on " + std::string(expiry_date));
    }
  }
  return out;
}

Result<gs1::CivilDate> ExpiryDateOfYymmdd(std::string_view yymmdd, int64_t now_unix_millis) {
  auto bad = [&] {
    return Status::InvalidArgument("expiry \"" + std::string(yymmdd) +
                                   "\" is not a GS1 date (YYMMDD)");
  };
  if (yymmdd.size() != 6) return bad();
  for (char c : yymmdd) {
    if (c < '0' || c > '9') return bad();
  }
  int yy = (yymmdd[0] - '0') * 10 + (yymmdd[1] - '0');
  int month = (yymmdd[2] - '0') * 10 + (yymmdd[3] - '0');
  int day = (yymmdd[4] - '0') * 10 + (yymmdd[5] - '0');
  std::time_t now_seconds = static_cast<std::time_t>(now_unix_millis / 1000);
  std::tm utc{};
  ::gmtime_r(&now_seconds, &utc);
  int current_year = utc.tm_year + 1900;
  // GS1 General Specifications §7.12: a two-digit year 51-99 ahead of the
  // current one is in the previous century, 50 or more behind in the next.
  int century = current_year - current_year % 100;
  int difference = yy - current_year % 100;
  if (difference >= 51) century -= 100;
  if (difference <= -50) century += 100;
  if (month < 1 || month > 12) return bad();
  gs1::CivilDate date{century + yy, month, day};
  // GS1 General Specifications §3.4.7: day "00" means the last day of the month.
  if (day == 0) date.day = gs1::DaysInMonth(date.year, month);
  if (date.day > gs1::DaysInMonth(date.year, month)) return bad();
  return date;
}

std::string FormatDate(const gs1::CivilDate& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
  return text;
}

}  // namespace frontera::ledger
