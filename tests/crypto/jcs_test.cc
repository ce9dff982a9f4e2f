#include "crypto/jcs.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "crypto/json.h"

namespace frontera::crypto {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("RFC 8785 vectors in tests/fixtures/jcs") {
  std::filesystem::path dir = std::filesystem::path(FRONTERA_FIXTURES_DIR) / "jcs";
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "input")) {
    if (entry.path().extension() != ".json") continue;
    std::string name = entry.path().filename().string();
    CAPTURE(name);
    Result<Json> input = ParseJson(ReadFile(entry.path()));
    REQUIRE(input.ok());
    Result<std::string> canonical = Canonicalize(*input);
    REQUIRE(canonical.ok());
    CHECK(*canonical == ReadFile(dir / "output" / name));
    // Canonicalization is idempotent.
    CHECK(Canonicalize(ParseJson(*canonical).value()).value() == *canonical);
    ++cases;
  }
  CHECK(cases >= 50);
}

Json DoubleFromBits(uint64_t bits) { return Json(std::bit_cast<double>(bits)); }

TEST_CASE("RFC 8785 Appendix B numbers from their IEEE 754 bit patterns") {
  const std::pair<uint64_t, const char*> kCases[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const auto& [bits, expected] : kCases) {
    CAPTURE(bits);
    CHECK(Canonicalize(DoubleFromBits(bits)).value() == expected);
  }
}

TEST_CASE("NaN and infinities have no canonical form") {
  CHECK(Canonicalize(DoubleFromBits(0x7fffffffffffffff)).status().IsInvalidArgument());
  CHECK_FALSE(Canonicalize(Json(std::numeric_limits<double>::infinity())).ok());
  CHECK_FALSE(Canonicalize(Json::array({1, -std::numeric_limits<double>::infinity()})).ok());
}

TEST_CASE("integers beyond 2^53 print as the double they round to") {
  CHECK(Canonicalize(Json(int64_t{9007199254740993})).value() == "9007199254740992");
  CHECK(Canonicalize(Json(INT64_MIN)).value() == "-9223372036854776000");
  CHECK(Canonicalize(Json(UINT64_MAX)).value() == "18446744073709552000");
  CHECK(Canonicalize(Json(int64_t{-9007199254740992})).value() == "-9007199254740992");
}

TEST_CASE("strings that are not valid UTF-8 are rejected, in values and names") {
  CHECK(Canonicalize(Json("\xFF")).status().IsInvalidArgument());
  CHECK_FALSE(Canonicalize(Json("\xED\xA0\x80")).ok());             // surrogate
  CHECK_FALSE(Canonicalize(Json("\xF4\x90\x80\x80")).ok());         // above U+10FFFF
  CHECK_FALSE(Canonicalize(Json::object({{"\xC1\xBF", 1}})).ok());  // overlong
  CHECK(Canonicalize(Json("\xF4\x8F\xBF\xBF")).ok());               // U+10FFFF itself
}

TEST_CASE("member names sort by UTF-16 code units, not UTF-8 bytes") {
  // U+1F600 (UTF-16 D83D DE00) sorts before U+E000 and U+FB33 although its
  // UTF-8 lead byte F0 is larger than EE and EF.
  Json v = Json::object({{"\xEE\x80\x80", 1},
                         {"\xF0\x9F\x98\x80", 2},
                         {"\xEF\xAC\xB3", 3},
                         {"\xED\x9F\xBF", 4},
                         {"z", 5}});
  CHECK(Canonicalize(v).value() ==
        "{\"z\":5,\"\xED\x9F\xBF\":4,\"\xF0\x9F\x98\x80\":2,\"\xEE\x80\x80\":1,"
        "\"\xEF\xAC\xB3\":3}");
}

TEST_CASE("CanonicalizeTo appends to the buffer") {
  std::string out = "prefix:";
  REQUIRE(CanonicalizeTo(Json::object({{"b", 1}, {"a", "x"}}), out).ok());
  CHECK(out == "prefix:{\"a\":\"x\",\"b\":1}");
}

TEST_CASE("CanonicalizeObjectTo omits, replaces and adds top-level members without copying") {
  Json doc = ParseJson(R"({"proof": {"x": 1}, "b": 2, "@context": ["a", "b"], "z": {"proof": 3}})")
                 .value();
  Json context = Json::array({"a"});
  Json added = Json("new");
  std::string out;
  const JcsMemberEdit omit[] = {{"proof", nullptr}};
  REQUIRE(CanonicalizeObjectTo(doc, omit, out).ok());
  CHECK(out == R"({"@context":["a","b"],"b":2,"z":{"proof":3}})");

  out.clear();
  const JcsMemberEdit edits[] = {
      {"proof", nullptr}, {"@context", &context}, {"\xF0\x9F\x98\x80", &added}};
  REQUIRE(CanonicalizeObjectTo(doc, edits, out).ok());
  CHECK(out == "{\"@context\":[\"a\"],\"b\":2,\"z\":{\"proof\":3},\"\xF0\x9F\x98\x80\":\"new\"}");

  out.clear();
  const JcsMemberEdit absent[] = {{"missing", nullptr}};
  REQUIRE(CanonicalizeObjectTo(doc, absent, out).ok());
  CHECK(out == Canonicalize(doc).value());
}

TEST_CASE("nesting beyond kJcsDepthMax is rejected instead of exhausting the stack") {
  Json deep = 1;
  for (int i = 0; i < kJcsDepthMax + 1; ++i) deep = Json::array({std::move(deep)});
  CHECK(Canonicalize(deep).status().IsInvalidArgument());
  Json ok = 1;
  for (int i = 0; i < 100; ++i) ok = Json::array({std::move(ok)});
  CHECK(Canonicalize(ok).ok());
}

TEST_CASE("IsWellFormedUtf8") {
  CHECK(IsWellFormedUtf8(""));
  CHECK(IsWellFormedUtf8("ascii \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(IsWellFormedUtf8("\x80"));
  CHECK_FALSE(IsWellFormedUtf8("\xE0\x80\x80"));  // overlong
  CHECK_FALSE(IsWellFormedUtf8("\xF0\x9F\x98"));  // truncated
}

}  // namespace
}  // namespace frontera::crypto
