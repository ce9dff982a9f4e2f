#include "ledger/gs1.h"

#include <algorithm>
#include <array>
#include <vector>

#include "common/check.h"

namespace frontera::ledger::gs1 {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return IsDigit(c); });
}

Status Rule(std::string reason) { return Status::FailedPrecondition(reason); }

// The first bytes of `text`, at most `bytes_max`, ending on a character
// boundary: a reason quotes the document, and a quote cut inside a UTF-8
// sequence would not be text (the reason goes into JSON and into blocks).
std::string Excerpt(std::string_view text, size_t bytes_max) {
  if (text.size() <= bytes_max) return std::string(text);
  size_t end = bytes_max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

// Parses exactly s.size() decimal digits. REQUIRES: AllDigits(s), s.size() <= 9.
int DigitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// A GS1 key of `length` digits whose last digit is the mod-10 check digit.
Status CheckGs1Key(std::string_view key, size_t length, std::string_view name) {
  if (key.size() != length || !AllDigits(key)) {
    return Rule(std::string(name) + " must be exactly " + std::to_string(length) + " digits");
  }
  char expected = CheckDigit(key.substr(0, length - 1));
  if (key.back() != expected) {
    return Rule(std::string(name) + " check digit should be " + expected + ", not " + key.back());
  }
  return Status::Ok();
}

// ISO 3166-1 alpha-2, officially assigned code elements (ISO 3166 Maintenance
// Agency, 249 entries), sorted so that lookups can binary-search.
constexpr std::array<std::string_view, 249> kCountryCodes = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
};

// UN/ECE Recommendation 20 (Annex II/III common codes). Only units a customs
// declaration of a pharmaceutical or precursor quantity uses; see
// docs/formats.md for what is deliberately left out.
constexpr std::array<UnitCode, 21> kUnitCodes = {{
    {"KGM", "kilogram", "mass"},
    {"GRM", "gram", "mass"},
    {"MGM", "milligram", "mass"},
    {"MC", "microgram", "mass"},
    {"TNE", "tonne (metric ton)", "mass"},
    {"LBR", "pound", "mass"},
    {"ONZ", "ounce (avoirdupois)", "mass"},
    {"STN", "ton (US) or short ton (UK/US)", "mass"},
    {"LTR", "litre", "volume"},
    {"MLT", "millilitre", "volume"},
    {"MTQ", "cubic metre", "volume"},
    {"GLL", "gallon (US)", "volume"},
    {"GLI", "gallon (UK)", "volume"},
    {"H87", "piece", "count"},
    {"C62", "one", "count"},
    {"EA", "each", "count"},
    {"P1", "percent", "concentration"},
    {"59", "part per million", "concentration"},
    {"61", "part per billion (US)", "concentration"},
    {"GL", "gram per litre", "concentration"},
    {"M1", "milligram per litre", "concentration"},
}};

// RFC 3986 §2.3 unreserved characters.
bool IsUnreserved(char c) {
  return IsDigit(c) || IsUpper(c) || (c >= 'a' && c <= 'z') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

constexpr char kHexUpper[] = "0123456789ABCDEF";

int UpperHexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// hh:mm with hh <= 23 and mm <= 59; `text` must be exactly 5 characters.
bool ParseHourMinute(std::string_view text, int& hours, int& minutes) {
  if (text.size() != 5 || text[2] != ':' || !AllDigits(text.substr(0, 2)) ||
      !AllDigits(text.substr(3, 2))) {
    return false;
  }
  hours = DigitsValue(text.substr(0, 2));
  minutes = DigitsValue(text.substr(3, 2));
  return hours <= 23 && minutes <= 59;
}

// Splits `text` at every `sep`; false unless every group is a non-empty run of
// digits.
bool SplitDigitGroups(std::string_view text, char sep, std::vector<std::string_view>& groups) {
  groups.clear();
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    std::string_view group = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (group.empty() || !AllDigits(group)) return false;
    groups.push_back(group);
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace

char CheckDigit(std::string_view digits) {
  // GS1 General Specifications §7.9.1: multiply digits alternately by 3 and 1
  // starting with the digit next to the check digit, then take the distance
  // of the sum to the next multiple of ten.
  int sum = 0;
  int weight = 3;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    FRONTERA_CHECK(IsDigit(*it)) << "CheckDigit of non-digit input";
    sum += (*it - '0') * weight;
    weight = 4 - weight;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

Status CheckGtin14(std::string_view gtin) { return CheckGs1Key(gtin, 14, "GTIN"); }

Result<std::string> NormalizeGtin(std::string_view gtin) {
  if (!AllDigits(gtin) ||
      (gtin.size() != 8 && gtin.size() != 12 && gtin.size() != 13 && gtin.size() != 14)) {
    return Rule("GTIN must be 8, 12, 13 or 14 digits");
  }
  // Leading zeros do not change the mod-10 sum, so the padded form carries
  // the same check digit (GS1 General Specifications §3.3.2, AI 01).
  std::string padded(14 - gtin.size(), '0');
  padded += gtin;
  FRONTERA_RETURN_IF_ERROR(CheckGtin14(padded));
  return padded;
}

Status CheckSscc(std::string_view sscc) { return CheckGs1Key(sscc, 18, "SSCC"); }

Status CheckGln(std::string_view gln) { return CheckGs1Key(gln, 13, "GLN"); }

bool IsCset82(char c) {
  if (IsDigit(c) || IsUpper(c) || (c >= 'a' && c <= 'z')) return true;
  switch (c) {
    case '!':
    case '"':
    case '%':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case ';':
    case '<':
    case '=':
    case '>':
    case '?':
    case '_':
      return true;
    default:
      return false;
  }
}

Status CheckCset82Value(std::string_view value, std::string_view what, size_t length_max) {
  if (value.empty() || value.size() > length_max) {
    return Rule(std::string(what) + " must be 1 to " + std::to_string(length_max) +
                " characters (GS1 AI value), not " + std::to_string(value.size()));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!IsCset82(value[i])) {
      unsigned code = static_cast<unsigned char>(value[i]);
      std::string shown = (code >= 0x21 && code < 0x7f) ? std::string("'") + value[i] + "'"
                                                        : "byte " + std::to_string(code);
      return Rule(std::string(what) + " character " + std::to_string(i + 1) + " (" + shown +
                  ") is outside the GS1 character set 82 (letters, digits and " +
                  "!\"%&'()*+,-./:;<=>?_)");
    }
  }
  return Status::Ok();
}

Status CheckCasRn(std::string_view cas_rn) {
  std::vector<std::string_view> groups;
  if (!SplitDigitGroups(cas_rn, '-', groups) || groups.size() != 3 || groups[0].size() < 2 ||
      groups[0].size() > 7 || groups[0][0] == '0' || groups[1].size() != 2 ||
      groups[2].size() != 1) {
    return Rule(
        "CAS RN must be written N-NN-R with 2 to 7 digits (no leading zero), 2 digits and "
        "a check digit, e.g. 7732-18-5");
  }
  std::string digits = std::string(groups[0]) + std::string(groups[1]);
  int sum = 0;
  int position = 1;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++position) {
    sum += position * (*it - '0');
  }
  char expected = static_cast<char>('0' + sum % 10);
  if (groups[2][0] != expected) {
    return Rule(std::string("CAS RN check digit should be ") + expected + ", not " + groups[2][0]);
  }
  return Status::Ok();
}

std::span<const std::string_view> CountryCodes() { return kCountryCodes; }

bool IsCountryCode(std::string_view code) {
  return std::binary_search(kCountryCodes.begin(), kCountryCodes.end(), code);
}

Status CheckCountryCode(std::string_view code) {
  if (IsCountryCode(code)) return Status::Ok();
  return Rule("must be an ISO 3166-1 alpha-2 country code in upper case (e.g. MX, US, CA), not \"" +
              Excerpt(code, 16) + "\"");
}

std::span<const UnitCode> UnitCodes() { return kUnitCodes; }

const UnitCode* FindUnitCode(std::string_view code) {
  for (const UnitCode& unit : kUnitCodes) {
    if (unit.code == code) return &unit;
  }
  return nullptr;
}

Status CheckUnitCode(std::string_view code) {
  if (FindUnitCode(code) != nullptr) return Status::Ok();
  std::string reason = "must be one of ";
  for (size_t i = 0; i < kUnitCodes.size(); ++i) {
    if (i > 0) reason += ", ";
    reason += kUnitCodes[i].code;
  }
  reason += " (UN/ECE Recommendation 20 common codes)";
  // Recommendation 21 package codes are written in Rec 20 fields with an X
  // prefix (Rec 20 Rev. 11 introduction); they count packages, not the goods.
  if (code.size() == 3 && code[0] == 'X') {
    reason +=
        "; " + std::string(code) + " is a Recommendation 21 package type, not a unit of measure";
  }
  return Rule(reason);
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  FRONTERA_CHECK(month >= 1 && month <= 12) << "month " << month;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

Result<CivilDate> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2)) || !AllDigits(text.substr(8, 2))) {
    return Rule("must be a date written YYYY-MM-DD");
  }
  CivilDate date{DigitsValue(text.substr(0, 4)), DigitsValue(text.substr(5, 2)),
                 DigitsValue(text.substr(8, 2))};
  if (date.month < 1 || date.month > 12) {
    return Rule("month must be 01 to 12, not " + std::string(text.substr(5, 2)));
  }
  if (date.day < 1 || date.day > DaysInMonth(date.year, date.month)) {
    return Rule(std::string(text) + " is not a day of the calendar (month " +
                std::string(text.substr(5, 2)) + " has " +
                std::to_string(DaysInMonth(date.year, date.month)) + " days)");
  }
  return date;
}

int64_t DaysSinceEpoch(const CivilDate& date) {
  // Counts days in 400-year eras of 146097 days from 0000-03-01, so that the
  // leap day is the last day of each shifted year (proleptic Gregorian).
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t year_of_era = y - era * 400;
  int64_t shifted_month = date.month > 2 ? date.month - 3 : date.month + 9;
  int64_t day_of_year = (153 * shifted_month + 2) / 5 + date.day - 1;
  int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

std::string DateToYymmdd(const CivilDate& date) {
  char out[7];
  int parts[3] = {date.year % 100, date.month, date.day};
  for (int i = 0; i < 3; ++i) {
    out[2 * i] = static_cast<char>('0' + parts[i] / 10);
    out[2 * i + 1] = static_cast<char>('0' + parts[i] % 10);
  }
  return std::string(out, 6);
}

Result<int64_t> ParseRfc3339Millis(std::string_view text) {
  static constexpr std::string_view kForm =
      "must be an RFC 3339 date-time such as 2026-11-02T14:05:00Z or "
      "2026-11-03T09:30:00.000-06:00";
  // RFC 3339 §5.6: full-date "T" partial-time time-offset.
  if (text.size() < 19 || text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return Rule(std::string(kForm));
  }
  Result<CivilDate> date = ParseDate(text.substr(0, 10));
  if (!date.ok()) return Rule("date part: " + date.status().message());
  std::string_view hms = text.substr(11, 8);
  if (!AllDigits(hms.substr(0, 2)) || !AllDigits(hms.substr(3, 2)) ||
      !AllDigits(hms.substr(6, 2))) {
    return Rule(std::string(kForm));
  }
  int hour = DigitsValue(hms.substr(0, 2));
  int minute = DigitsValue(hms.substr(3, 2));
  int second = DigitsValue(hms.substr(6, 2));
  if (hour > 23 || minute > 59) return Rule("time must be 00:00:00 to 23:59:59");
  if (second == 60) return Rule("leap seconds (:60) are not accepted; write :59.999");
  if (second > 59) return Rule("time must be 00:00:00 to 23:59:59");

  size_t pos = 19;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    // RFC 3339 time-secfrac = "." 1*DIGIT; bounded here to nanoseconds.
    size_t start = ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    size_t count = pos - start;
    if (count == 0 || count > 9) return Rule("fraction of a second must have 1 to 9 digits");
    for (size_t i = 0; i < 3; ++i) {
      millis = millis * 10 + (i < count ? text[start + i] - '0' : 0);
    }
  }
  std::string_view offset = text.substr(pos);
  int64_t offset_minutes = 0;
  if (offset == "Z") {
    offset_minutes = 0;
  } else if (offset.size() == 6 && (offset[0] == '+' || offset[0] == '-')) {
    int oh = 0;
    int om = 0;
    if (!ParseHourMinute(offset.substr(1), oh, om)) {
      return Rule("time offset must be Z or +hh:mm / -hh:mm with hh 00-23 and mm 00-59");
    }
    offset_minutes = (offset[0] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return Rule("time offset must be Z or +hh:mm / -hh:mm (RFC 3339 requires one)");
  }
  // Local time minus its offset is UTC (RFC 3339 §4.2).
  int64_t seconds =
      DaysSinceEpoch(*date) * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

Status CheckTimeZoneOffset(std::string_view text) {
  int hours = 0;
  int minutes = 0;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') ||
      !ParseHourMinute(text.substr(1), hours, minutes)) {
    return Rule("must be a time zone offset +hh:mm or -hh:mm, e.g. -06:00");
  }
  return Status::Ok();
}

Status CheckNdc(std::string_view ndc) { return NdcToHipaa11(ndc).status(); }

Result<std::string> NdcToHipaa11(std::string_view ndc) {
  static constexpr std::string_view kForms =
      "NDC must be 10 digits written 4-4-2, 5-3-2 or 5-4-1 with hyphens, or 11 digits 5-4-2";
  if (ndc.size() == 11 && AllDigits(ndc)) return std::string(ndc);
  std::vector<std::string_view> groups;
  if (!SplitDigitGroups(ndc, '-', groups) || groups.size() != 3) return Rule(std::string(kForms));
  size_t a = groups[0].size();
  size_t b = groups[1].size();
  size_t c = groups[2].size();
  // The HIPAA 11-digit form pads the short segment with a leading zero
  // (FDA NDC Directory, "NDC 11-digit format").
  std::string out;
  if (a == 4 && b == 4 && c == 2) {
    out = "0" + std::string(groups[0]) + std::string(groups[1]) + std::string(groups[2]);
  } else if (a == 5 && b == 3 && c == 2) {
    out = std::string(groups[0]) + "0" + std::string(groups[1]) + std::string(groups[2]);
  } else if (a == 5 && b == 4 && c == 1) {
    out = std::string(groups[0]) + std::string(groups[1]) + "0" + std::string(groups[2]);
  } else if (a == 5 && b == 4 && c == 2) {
    out = std::string(groups[0]) + std::string(groups[1]) + std::string(groups[2]);
  } else {
    return Rule(std::string(kForms));
  }
  return out;
}

Status CheckHsCode(std::string_view hs_code) {
  static constexpr std::string_view kForms =
      "HS code must be NNNN.NN (optionally .NN, .NN.NN or .NNNN national digits) or 6, 8 or 10 "
      "digits, e.g. 2939.42";
  std::string digits;
  if (AllDigits(hs_code)) {
    if (hs_code.size() != 6 && hs_code.size() != 8 && hs_code.size() != 10) {
      return Rule(std::string(kForms));
    }
    digits = hs_code;
  } else {
    std::vector<std::string_view> groups;
    if (!SplitDigitGroups(hs_code, '.', groups) || groups.size() < 2 || groups.size() > 4 ||
        groups[0].size() != 4 || groups[1].size() != 2) {
      return Rule(std::string(kForms));
    }
    if (groups.size() == 3 && groups[2].size() != 2 && groups[2].size() != 4) {
      return Rule(std::string(kForms));
    }
    if (groups.size() == 4 && (groups[2].size() != 2 || groups[3].size() != 2)) {
      return Rule(std::string(kForms));
    }
    for (std::string_view g : groups) digits += g;
  }
  int chapter = DigitsValue(std::string_view(digits).substr(0, 2));
  if (chapter < 1 || chapter > 97 || chapter == 77) {
    return Rule("HS chapter " + digits.substr(0, 2) +
                " does not exist (chapters are 01 to 97, 77 is reserved)");
  }
  return Status::Ok();
}

Status CheckUnLocode(std::string_view locode) {
  if (locode.size() != 5) {
    return Rule("UN/LOCODE must be 5 characters: country code and 3 of A-Z, 2-9, e.g. USLRD");
  }
  if (!IsCountryCode(locode.substr(0, 2))) {
    return Rule("UN/LOCODE must start with an ISO 3166-1 alpha-2 country code, not \"" +
                Excerpt(locode, 2) + "\"");
  }
  for (char c : locode.substr(2)) {
    // UN/ECE Recommendation 16: location part uses letters and digits 2-9
    // (0 and 1 are excluded to avoid confusion with O and I).
    if (!IsUpper(c) && !(c >= '2' && c <= '9')) {
      return Rule("UN/LOCODE location part must be 3 characters of A-Z and 2-9, e.g. USLRD");
    }
  }
  return Status::Ok();
}

std::string PercentEncodeAiValue(std::string_view value) {
  std::string out;
  out.reserve(value.size() * 3);
  for (char c : value) {
    if (IsUnreserved(c)) {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHexUpper[byte >> 4];
      out += kHexUpper[byte & 0x0f];
    }
  }
  return out;
}

Result<std::string> PercentDecodeAiValue(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (IsUnreserved(c)) {
      out += c;
      continue;
    }
    if (c != '%') {
      return Status::InvalidArgument("character '" + std::string(1, c) +
                                     "' must be percent-encoded in a Digital Link path segment");
    }
    if (i + 2 >= segment.size()) {
      return Status::InvalidArgument("truncated percent-encoding at the end of a path segment");
    }
    int hi = UpperHexValue(segment[i + 1]);
    int lo = UpperHexValue(segment[i + 2]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument(
          "percent-encoding must be % and two upper-case hexadecimal digits");
    }
    char decoded = static_cast<char>(hi * 16 + lo);
    if (IsUnreserved(decoded)) {
      return Status::InvalidArgument("'" + std::string(1, decoded) +
                                     "' must be written as is, not percent-encoded");
    }
    out += decoded;
    i += 2;
  }
  return out;
}

std::string SgtinLotSerialPath(std::string_view gtin, std::string_view lot,
                               std::string_view serial) {
  return "/01/" + std::string(gtin) + "/10/" + PercentEncodeAiValue(lot) + "/21/" +
         PercentEncodeAiValue(serial);
}

std::string SgtinPath(std::string_view gtin, std::string_view serial) {
  return "/01/" + std::string(gtin) + "/21/" + PercentEncodeAiValue(serial);
}

std::string SsccPath(std::string_view sscc) { return "/00/" + std::string(sscc); }

std::string ProductSubjectId(std::string_view gtin, std::string_view lot, std::string_view serial) {
  return std::string(kIdGs1Org) + SgtinLotSerialPath(gtin, lot, serial);
}

std::string ConsignmentSubjectId(std::string_view sscc) {
  return std::string(kIdGs1Org) + SsccPath(sscc);
}

std::string SgtinEpc(std::string_view gtin, std::string_view serial) {
  return std::string(kIdGs1Org) + SgtinPath(gtin, serial);
}

}  // namespace frontera::ledger::gs1
