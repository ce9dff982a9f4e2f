// Identifiers and code lists carried by the ledger's documents
// (docs/formats.md "Identifiers and code lists"):
//   - GS1 keys with a mod-10 check digit: GTIN (AI 01), SSCC (AI 00), GLN;
//   - GS1 AI encodable character set 82 for lot (AI 10) and serial (AI 21);
//   - CAS Registry Numbers, ISO 3166-1 alpha-2 country codes, UN/ECE
//     Recommendation 20 unit codes, US National Drug Codes, Harmonized System
//     codes, UN/LOCODEs;
//   - calendar dates (YYYY-MM-DD) and RFC 3339 date-times;
//   - GS1 Digital Link URIs (percent-encoding of AI values, canonical forms).
//
// Check* functions return OK or kFailedPrecondition whose message is a
// complete reason a shipper can act on ("GTIN check digit should be 7, not
// 8"); they carry no FieldErrors, the caller knows the JSON pointer.
//
// Thread-safety: pure functions over immutable tables; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace frontera::ledger::gs1 {

// ---------------------------------------------------------------------------
// GS1 keys (GS1 General Specifications §7.9, "Check digit calculation").

// The GS1 mod-10 check digit ('0'..'9') of `digits`, the key without its
// check digit: weights 3, 1, 3, … from the rightmost digit leftwards.
// REQUIRES: every character of `digits` is '0'..'9'.
char CheckDigit(std::string_view digits);

// GTIN-14: exactly 14 digits whose last is the check digit.
Status CheckGtin14(std::string_view gtin);

// A GTIN-8, -12, -13 or -14 (8, 12, 13 or 14 digits, check digit valid),
// returned as 14 digits with leading zeros (the form AI 01 carries).
Result<std::string> NormalizeGtin(std::string_view gtin);

// SSCC (AI 00): exactly 18 digits, check digit valid.
Status CheckSscc(std::string_view sscc);

// GLN: exactly 13 digits, check digit valid.
Status CheckGln(std::string_view gln);

// ---------------------------------------------------------------------------
// GS1 AI encodable character set 82 (GS1 General Specifications §7.11,
// Figure 7.11-1): ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z.

inline constexpr size_t kCset82Count = 82;
inline constexpr size_t kAiValueLengthMax = 20;  // AI 10 (lot) and AI 21 (serial): X..20

bool IsCset82(char c);

// 1..length_max characters, all in character set 82. `what` names the field
// in the reason ("lot", "serial").
Status CheckCset82Value(std::string_view value, std::string_view what,
                        size_t length_max = kAiValueLengthMax);

// ---------------------------------------------------------------------------
// CAS Registry Number: "N…N-NN-R", 2 to 7 digits (no leading zero), 2 digits,
// one check digit R = (Σ position × digit) mod 10, positions counted from 1 at
// the digit left of R (CAS, "Check Digit Verification of CAS Registry
// Numbers"). Example: 7732-18-5 (water).
Status CheckCasRn(std::string_view cas_rn);

// ---------------------------------------------------------------------------
// ISO 3166-1 alpha-2: the 249 officially assigned codes (no user-assigned,
// exceptionally or transitionally reserved codes: XK, UK, EU, AN are not).

std::span<const std::string_view> CountryCodes();  // sorted
bool IsCountryCode(std::string_view code);
Status CheckCountryCode(std::string_view code);

// ---------------------------------------------------------------------------
// UN/ECE Recommendation 20 common codes accepted for quantities (mass,
// volume, count, concentration); docs/formats.md lists them and says why
// Recommendation 21 package codes (X…) are not units of measure here.

struct UnitCode {
  std::string_view code;  // Rec 20 common code, e.g. "KGM"
  std::string_view name;  // Rec 20 name, e.g. "kilogram"
  std::string_view kind;  // "mass", "volume", "count" or "concentration"
};

std::span<const UnitCode> UnitCodes();                // in the order docs/formats.md lists them
const UnitCode* FindUnitCode(std::string_view code);  // nullptr if not accepted
// The reason names every accepted code ("must be one of KGM, GRM, …").
Status CheckUnitCode(std::string_view code);

// ---------------------------------------------------------------------------
// Dates and times (proleptic Gregorian calendar, UTC).

struct CivilDate {
  int year = 1970;  // 0..9999
  int month = 1;    // 1..12
  int day = 1;      // 1..DaysInMonth(year, month)
  bool operator==(const CivilDate&) const = default;
};

bool IsLeapYear(int year);
// REQUIRES: 1 <= month <= 12.
int DaysInMonth(int year, int month);

// "YYYY-MM-DD" (RFC 3339 full-date) naming a real day.
Result<CivilDate> ParseDate(std::string_view text);
// Days since 1970-01-01 (negative before). REQUIRES: `date` is a real day.
int64_t DaysSinceEpoch(const CivilDate& date);
// GS1 AI 17 form "YYMMDD" (last two digits of the year).
std::string DateToYymmdd(const CivilDate& date);

inline constexpr int64_t kMillisPerDay = 86'400'000;

// RFC 3339 §5.6 date-time → Unix milliseconds (UTC):
//   YYYY-MM-DD "T" hh:mm:ss [ "." 1*9DIGIT ] ( "Z" / ("+" / "-") hh:mm )
// Upper-case "T" and "Z" only (the form VC 2.0 and EPCIS 2.0 write); seconds
// 00..59 (a leap second ":60" has no Unix time and is rejected); fractions
// beyond milliseconds are truncated.
Result<int64_t> ParseRfc3339Millis(std::string_view text);

// "+hh:mm" or "-hh:mm" with hh 00..23 and mm 00..59 (EPCIS
// eventTimeZoneOffset).
Status CheckTimeZoneOffset(std::string_view text);

// ---------------------------------------------------------------------------
// US National Drug Code (21 CFR 207.35): 10 digits written with hyphens as
// labeler-product-package 4-4-2, 5-3-2 or 5-4-1, or the 11-digit HIPAA form
// 5-4-2 (with or without hyphens).
Status CheckNdc(std::string_view ndc);
// The 11-digit HIPAA form without hyphens (a zero is prefixed to the short
// segment of a 10-digit code).
Result<std::string> NdcToHipaa11(std::string_view ndc);

// Harmonized System code: heading and subheading "NNNN.NN", optionally with
// national subdivisions ".NN", ".NN.NN" or ".NNNN"; or 6, 8 or 10 digits
// unpunctuated. The chapter (first two digits) is 01..97 and not 77 (HS
// Nomenclature: chapter 77 is reserved).
Status CheckHsCode(std::string_view hs_code);

// UN/LOCODE (UN/ECE Recommendation 16): ISO 3166-1 alpha-2 country code
// followed by three characters of A-Z and 2-9, e.g. "USLRD" (Laredo).
Status CheckUnLocode(std::string_view locode);

// ---------------------------------------------------------------------------
// GS1 Digital Link URI syntax 1.x: AI values in path segments.

inline constexpr std::string_view kIdGs1Org = "https://id.gs1.org";

// Keeps RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and writes every
// other byte as %XX with upper-case hex digits.
std::string PercentEncodeAiValue(std::string_view value);
// Inverse of PercentEncodeAiValue, accepting only its output (canonical form:
// unreserved characters and %XX with upper-case hex for every other byte), so
// that one value has one encoded form. kInvalidArgument otherwise.
Result<std::string> PercentDecodeAiValue(std::string_view segment);

// "/01/{gtin}/10/{lot}/21/{serial}" with lot and serial percent-encoded.
std::string SgtinLotSerialPath(std::string_view gtin, std::string_view lot,
                               std::string_view serial);
// "/01/{gtin}/21/{serial}" with serial percent-encoded.
std::string SgtinPath(std::string_view gtin, std::string_view serial);
// "/00/{sscc}".
std::string SsccPath(std::string_view sscc);

// Canonical URIs on id.gs1.org: the credentialSubject.id of a product and of a
// consignment, and the SGTIN EPC an EPCIS epcList carries.
std::string ProductSubjectId(std::string_view gtin, std::string_view lot, std::string_view serial);
std::string ConsignmentSubjectId(std::string_view sscc);
std::string SgtinEpc(std::string_view gtin, std::string_view serial);

}  // namespace frontera::ledger::gs1
