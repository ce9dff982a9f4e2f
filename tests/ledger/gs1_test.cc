#include "ledger/gs1.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>

namespace frontera::ledger::gs1 {
namespace {

TEST_CASE("GS1 mod-10 check digit (General Specifications §7.9.1)") {
  CHECK(CheckDigit("0750123400001") == '7');
  CHECK(CheckDigit("37501234500000001") == '3');
  CHECK(CheckDigit("750123400001") == '7');
  CHECK(CheckDigit("003123450000") == '4');
  CHECK(CheckDigit("9638507") == '4');      // GTIN-8
  CHECK(CheckDigit("03600029145") == '2');  // GTIN-12 (UPC-A)
  CHECK(CheckDigit("000000000000") == '0');
}

TEST_CASE("GTIN-14: 14 digits with a valid check digit") {
  CHECK(CheckGtin14("07501234000017").ok());
  Status bad = CheckGtin14("07501234000018");
  CHECK(bad.IsFailedPrecondition());
  CHECK(bad.message() == "GTIN check digit should be 7, not 8");
  CHECK(CheckGtin14("7501234000017").IsFailedPrecondition());   // 13 digits
  CHECK(CheckGtin14("0750123400001A").IsFailedPrecondition());  // not a digit
  CHECK(CheckGtin14("").IsFailedPrecondition());
}

TEST_CASE("GTIN-8/12/13/14 normalise to 14 digits") {
  CHECK(*NormalizeGtin("96385074") == "00000096385074");
  CHECK(*NormalizeGtin("036000291452") == "00036000291452");
  CHECK(*NormalizeGtin("4006381333931") == "04006381333931");
  CHECK(*NormalizeGtin("07501234000017") == "07501234000017");
  CHECK(NormalizeGtin("4006381333932").status().message() == "GTIN check digit should be 1, not 2");
  CHECK(NormalizeGtin("123456789").status().IsFailedPrecondition());  // 9 digits
  CHECK(NormalizeGtin("40063813339-1").status().IsFailedPrecondition());
}

TEST_CASE("SSCC-18 and GLN-13 check digits") {
  CHECK(CheckSscc("375012345000000013").ok());
  CHECK(CheckSscc("375012345000000014").message() == "SSCC check digit should be 3, not 4");
  CHECK(CheckSscc("37501234500000001").IsFailedPrecondition());
  CHECK(CheckGln("7501234000017").ok());
  CHECK(CheckGln("0031234500004").ok());
  CHECK(CheckGln("7509876000013").ok());
  CHECK(CheckGln("7509876000012").message() == "GLN check digit should be 3, not 2");
  CHECK(CheckGln("75098760000133").IsFailedPrecondition());
}

TEST_CASE("character set 82 is exactly the 82 characters of GS1 Figure 7.11-1") {
  const std::string expected =
      "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
  REQUIRE(expected.size() == kCset82Count);
  std::string members;
  for (int c = 0; c < 256; ++c) {
    if (IsCset82(static_cast<char>(c))) members += static_cast<char>(c);
  }
  CHECK(members == expected);
  CHECK_FALSE(IsCset82(' '));
  CHECK_FALSE(IsCset82('#'));
  CHECK_FALSE(IsCset82('~'));
  CHECK_FALSE(IsCset82('@'));
}

TEST_CASE("lot and serial: 1 to 20 characters of set 82") {
  CHECK(CheckCset82Value("LOT42A", "lot").ok());
  CHECK(CheckCset82Value("A/B-c.d_(1)", "serial").ok());
  CHECK(CheckCset82Value(std::string(20, 'x'), "serial").ok());
  CHECK(CheckCset82Value(std::string(21, 'x'), "serial").message() ==
        "serial must be 1 to 20 characters (GS1 AI value), not 21");
  CHECK(CheckCset82Value("", "lot").IsFailedPrecondition());
  Status space = CheckCset82Value("SN 1", "serial");
  CHECK(space.IsFailedPrecondition());
  CHECK(space.message().find("character 3 (byte 32)") != std::string::npos);
  CHECK(CheckCset82Value("SN#1", "serial").message().find("'#'") != std::string::npos);
  CHECK(CheckCset82Value("LOT\xC3\xA9", "lot").IsFailedPrecondition());  // é
}

TEST_CASE("CAS Registry Number format and checksum") {
  CHECK(CheckCasRn("345-78-8").ok());   // pseudoephedrine hydrochloride
  CHECK(CheckCasRn("7732-18-5").ok());  // water
  CHECK(CheckCasRn("50-00-0").ok());    // formaldehyde
  CHECK(CheckCasRn("110-86-1").ok());   // pyridine
  CHECK(CheckCasRn("345-78-9").message() == "CAS RN check digit should be 8, not 9");
  CHECK(CheckCasRn("7732-18-4").IsFailedPrecondition());
  CHECK(CheckCasRn("3457-8-8").IsFailedPrecondition());       // second group 1 digit
  CHECK(CheckCasRn("5-00-0").IsFailedPrecondition());         // first group 1 digit
  CHECK(CheckCasRn("12345678-00-0").IsFailedPrecondition());  // first group 8 digits
  CHECK(CheckCasRn("0345-78-8").IsFailedPrecondition());      // leading zero
  CHECK(CheckCasRn("345788").IsFailedPrecondition());
  CHECK(CheckCasRn("345-78-8-").IsFailedPrecondition());
}

TEST_CASE("ISO 3166-1 alpha-2: the 249 officially assigned codes") {
  auto codes = CountryCodes();
  CHECK(codes.size() == 249);
  CHECK(std::is_sorted(codes.begin(), codes.end()));
  CHECK(std::set<std::string_view>(codes.begin(), codes.end()).size() == 249);
  for (std::string_view code : {"MX", "US", "CA", "GB", "SS", "BQ", "CW", "SX", "AX", "XK"}) {
    CAPTURE(code);
    CHECK(IsCountryCode(code) == (code != "XK"));  // XK is user-assigned
  }
  for (std::string_view code : {"UK", "EU", "AN", "YU", "CS", "ZZ", "mx", "M", "MEX", ""}) {
    CAPTURE(code);
    CHECK_FALSE(IsCountryCode(code));
  }
  CHECK(CheckCountryCode("US").ok());
  CHECK(CheckCountryCode("UK").IsFailedPrecondition());
  CHECK(CheckCountryCode("UK").message().find("ISO 3166-1 alpha-2") != std::string::npos);
}

TEST_CASE("UN/ECE Rec 20 units: the documented list, Rec 21 package codes refused") {
  for (std::string_view code : {"KGM", "GRM", "MGM", "MC", "TNE", "LBR", "ONZ", "LTR", "MLT", "MTQ",
                                "GLL", "H87", "C62", "EA", "P1"}) {
    CAPTURE(code);
    CHECK(CheckUnitCode(code).ok());
  }
  CHECK(FindUnitCode("MC")->name == "microgram");
  CHECK(FindUnitCode("KGM")->kind == "mass");
  CHECK(FindUnitCode("kgm") == nullptr);
  Status box = CheckUnitCode("XBX");
  CHECK(box.IsFailedPrecondition());
  CHECK(box.message().find("must be one of KGM, GRM, MGM, MC,") == 0);
  CHECK(box.message().find("XBX is a Recommendation 21 package type") != std::string::npos);
  CHECK(CheckUnitCode("KG").IsFailedPrecondition());
  CHECK(CheckUnitCode("").IsFailedPrecondition());
  std::set<std::string_view> seen;
  for (const UnitCode& unit : UnitCodes()) CHECK(seen.insert(unit.code).second);
}

TEST_CASE("calendar dates YYYY-MM-DD with leap years") {
  CHECK(*ParseDate("2028-10-31") == CivilDate{2028, 10, 31});
  CHECK(ParseDate("2028-02-29").ok());
  CHECK(ParseDate("2000-02-29").ok());  // divisible by 400
  CHECK(ParseDate("1900-02-29").status().message() ==
        "1900-02-29 is not a day of the calendar (month 02 has 28 days)");
  CHECK(ParseDate("2027-02-29").status().IsFailedPrecondition());
  CHECK(ParseDate("2026-04-31").status().IsFailedPrecondition());
  CHECK(ParseDate("2026-13-01").status().message() == "month must be 01 to 12, not 13");
  CHECK(ParseDate("2026-00-10").status().IsFailedPrecondition());
  CHECK(ParseDate("2026-01-00").status().IsFailedPrecondition());
  CHECK(ParseDate("2026-1-01").status().IsFailedPrecondition());
  CHECK(ParseDate("26-01-01").status().IsFailedPrecondition());
  CHECK(ParseDate("2026/01/01").status().IsFailedPrecondition());
  CHECK(ParseDate("2026-01-01T00:00:00Z").status().IsFailedPrecondition());
  CHECK(IsLeapYear(2024));
  CHECK_FALSE(IsLeapYear(2100));
  CHECK(DaysInMonth(2024, 2) == 29);
}

TEST_CASE("days since the epoch and GS1 YYMMDD") {
  CHECK(DaysSinceEpoch({1970, 1, 1}) == 0);
  CHECK(DaysSinceEpoch({1969, 12, 31}) == -1);
  CHECK(DaysSinceEpoch({2000, 3, 1}) == 11017);
  CHECK(DaysSinceEpoch({2028, 11, 1}) - DaysSinceEpoch({2028, 10, 31}) == 1);
  CHECK(DaysSinceEpoch({2029, 1, 1}) - DaysSinceEpoch({2028, 1, 1}) == 366);
  CHECK(DateToYymmdd({2028, 10, 31}) == "281031");
  CHECK(DateToYymmdd({2100, 1, 5}) == "000105");
}

TEST_CASE("RFC 3339 date-times to Unix milliseconds") {
  CHECK(*ParseRfc3339Millis("2026-11-02T14:05:00Z") == 1793628300000);
  CHECK(*ParseRfc3339Millis("2026-11-03T09:30:00.000-06:00") == 1793719800000);
  CHECK(*ParseRfc3339Millis("2026-11-03T15:30:00Z") == 1793719800000);
  CHECK(*ParseRfc3339Millis("2000-02-29T00:00:00Z") == 951782400000);
  CHECK(*ParseRfc3339Millis("1969-12-31T23:59:59.999Z") == -1);
  CHECK(*ParseRfc3339Millis("1970-01-01T00:00:00.1234567+00:00") == 123);
  CHECK(*ParseRfc3339Millis("1970-01-01T05:30:00+05:30") == 0);
  CHECK(*ParseRfc3339Millis("1970-01-01T00:00:00-00:00") == 0);
  for (std::string_view bad :
       {"2026-11-02T14:05:00", "2026-11-02 14:05:00Z", "2026-11-02t14:05:00z",
        "2026-11-02T24:00:00Z", "2026-11-02T14:60:00Z", "2026-11-02T23:59:60Z",
        "2026-11-02T14:05:00.Z", "2026-11-02T14:05:00.1234567890Z", "2026-11-02T14:05:00+0600",
        "2026-11-02T14:05:00+24:00", "2026-02-30T14:05:00Z", "2026-11-02T14:05Z",
        "2026-11-02T14:05:00ZZ", ""}) {
    CAPTURE(bad);
    CHECK(ParseRfc3339Millis(bad).status().IsFailedPrecondition());
  }
  CHECK(ParseRfc3339Millis("2026-11-02T14:05:00").status().message().find("offset") !=
        std::string::npos);
}

TEST_CASE("time zone offsets ±hh:mm") {
  CHECK(CheckTimeZoneOffset("-06:00").ok());
  CHECK(CheckTimeZoneOffset("+05:45").ok());
  CHECK(CheckTimeZoneOffset("+00:00").ok());
  CHECK(CheckTimeZoneOffset("Z").IsFailedPrecondition());
  CHECK(CheckTimeZoneOffset("-6:00").IsFailedPrecondition());
  CHECK(CheckTimeZoneOffset("-06:60").IsFailedPrecondition());
  CHECK(CheckTimeZoneOffset("06:00").IsFailedPrecondition());
}

TEST_CASE("NDC: 10 digits 4-4-2, 5-3-2, 5-4-1 with hyphens, or 11 digits 5-4-2") {
  CHECK(*NdcToHipaa11("0002-7597-01") == "00002759701");
  CHECK(*NdcToHipaa11("50090-347-01") == "50090034701");
  CHECK(*NdcToHipaa11("60505-2653-1") == "60505265301");
  CHECK(*NdcToHipaa11("60505-2653-01") == "60505265301");
  CHECK(*NdcToHipaa11("60505265301") == "60505265301");
  CHECK(CheckNdc("0002-7597-01").ok());
  Status plain10 = CheckNdc("0002759701");  // ambiguous without hyphens
  CHECK(plain10.IsFailedPrecondition());
  CHECK(plain10.message().find("4-4-2, 5-3-2 or 5-4-1") != std::string::npos);
  CHECK(CheckNdc("002-7597-01").IsFailedPrecondition());
  CHECK(CheckNdc("0002-7597-0A").IsFailedPrecondition());
  CHECK(CheckNdc("0002--7597-01").IsFailedPrecondition());
  CHECK(CheckNdc("0002-7597").IsFailedPrecondition());
}

TEST_CASE("HS codes") {
  for (std::string_view good : {"2939.42", "293942", "2939.42.00", "2939.42.00.10", "2939.42.0010",
                                "29394200", "2939420010", "0101.21"}) {
    CAPTURE(good);
    CHECK(CheckHsCode(good).ok());
  }
  for (std::string_view bad : {"2939.4", "29394", "2939-42", "2939.42.", "2939.42.000", "29.39.42",
                               "2939420", "2939.42.00.10.10", ""}) {
    CAPTURE(bad);
    CHECK(CheckHsCode(bad).IsFailedPrecondition());
  }
  CHECK(CheckHsCode("7701.10").message() ==
        "HS chapter 77 does not exist (chapters are 01 to 97, 77 is reserved)");
  CHECK(CheckHsCode("9801.00").IsFailedPrecondition());
  CHECK(CheckHsCode("0001.00").IsFailedPrecondition());
}

TEST_CASE("UN/LOCODE: country + 3 of A-Z 2-9") {
  CHECK(CheckUnLocode("USLRD").ok());
  CHECK(CheckUnLocode("MXNLD").ok());
  CHECK(CheckUnLocode("CAYVR").ok());
  CHECK(CheckUnLocode("DEX29").ok());
  CHECK(CheckUnLocode("USLR1").IsFailedPrecondition());  // 1 excluded
  CHECK(CheckUnLocode("USLR0").IsFailedPrecondition());  // 0 excluded
  CHECK(CheckUnLocode("UKLON").message().find("country code") != std::string::npos);
  CHECK(CheckUnLocode("USLRDX").IsFailedPrecondition());
  CHECK(CheckUnLocode("uslrd").IsFailedPrecondition());
  CHECK(CheckUnLocode("US LRD").IsFailedPrecondition());
}

TEST_CASE("GS1 Digital Link percent-encoding of AI values") {
  CHECK(PercentEncodeAiValue("LOT42A") == "LOT42A");
  CHECK(PercentEncodeAiValue("A-b.c_d") == "A-b.c_d");
  CHECK(PercentEncodeAiValue("A/B%C") == "A%2FB%25C");
  CHECK(PercentEncodeAiValue("!\"&'()*+,:;<=>?") ==
        "%21%22%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F");
  CHECK(*PercentDecodeAiValue("A%2FB%25C") == "A/B%C");
  CHECK(*PercentDecodeAiValue("LOT42A") == "LOT42A");
  CHECK(PercentDecodeAiValue("A/B").status().IsInvalidArgument());
  CHECK(PercentDecodeAiValue("A%2fB").status().IsInvalidArgument());  // lower-case hex
  CHECK(PercentDecodeAiValue("A%41").status().IsInvalidArgument());   // 'A' need not be encoded
  CHECK(PercentDecodeAiValue("A%2").status().IsInvalidArgument());
  CHECK(PercentDecodeAiValue("A%").status().IsInvalidArgument());
  // Every set-82 value round-trips.
  std::string all;
  for (int c = 0; c < 128; ++c) {
    if (IsCset82(static_cast<char>(c))) all += static_cast<char>(c);
  }
  CHECK(*PercentDecodeAiValue(PercentEncodeAiValue(all)) == all);
}

TEST_CASE("canonical Digital Link URIs") {
  CHECK(ProductSubjectId("07501234000017", "LOT42A", "SN000123") ==
        "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123");
  CHECK(ProductSubjectId("07501234000017", "L/1", "S 1") ==
        "https://id.gs1.org/01/07501234000017/10/L%2F1/21/S%201");
  CHECK(ConsignmentSubjectId("375012345000000013") == "https://id.gs1.org/00/375012345000000013");
  CHECK(SgtinEpc("07501234000017", "SN000123") ==
        "https://id.gs1.org/01/07501234000017/21/SN000123");
  CHECK(SgtinLotSerialPath("07501234000017", "LOT42A", "SN000123") ==
        "/01/07501234000017/10/LOT42A/21/SN000123");
  CHECK(SsccPath("375012345000000013") == "/00/375012345000000013");
}

}  // namespace
}  // namespace frontera::ledger::gs1
