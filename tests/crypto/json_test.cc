#include "crypto/json.h"

#include <doctest/doctest.h>

#include <string>

namespace frontera::crypto {
namespace {

// The single field error of a rejected parse.
FieldError ErrorOf(const Result<Json>& result) {
  REQUIRE_FALSE(result.ok());
  REQUIRE(result.status().field_errors().size() == 1);
  return result.status().field_errors()[0];
}

TEST_CASE("ParseJson accepts well-formed documents and scalars") {
  Result<Json> doc = ParseJson(R"( {"a": [1, -2, 3.5, "x", true, null], "b": {"c": {}}} )");
  REQUIRE(doc.ok());
  CHECK((*doc)["a"][1] == -2);
  CHECK((*doc)["a"][2] == 3.5);
  CHECK((*doc)["b"]["c"].is_object());
  CHECK(ParseJson("42").value() == 42);
  CHECK(ParseJson(R"("\u00e9")").value() == "\xC3\xA9");
  CHECK(ParseJson("[]").value().is_array());
}

TEST_CASE("I-JSON: a duplicate member name is rejected with its pointer") {
  FieldError top = ErrorOf(ParseJson(R"({"a": 1, "b": 2, "a": 3})"));
  CHECK(top.pointer == "/a");
  CHECK(top.reason == "duplicate member name");

  FieldError nested = ErrorOf(ParseJson(R"({"x": [0, {"b": 1, "b": 2}]})"));
  CHECK(nested.pointer == "/x/1/b");

  // Names are compared after unescaping: "\u0061" is "a".
  FieldError escaped = ErrorOf(ParseJson(R"({"a": 1, "\u0061": 2})"));
  CHECK(escaped.pointer == "/a");

  // The same name in different objects is fine.
  CHECK(ParseJson(R"({"a": {"a": 1}, "b": {"a": 2}})").ok());
}

TEST_CASE("error pointers escape ~ and / (RFC 6901 §3)") {
  FieldError e = ErrorOf(ParseJson(R"({"a/b": {"c~d": 1, "c~d": 2}})"));
  CHECK(e.pointer == "/a~1b/c~0d");
}

TEST_CASE("error messages name the byte offset") {
  Result<Json> dup = ParseJson(R"({"a":1,"a":2})");
  REQUIRE_FALSE(dup.ok());
  // Just past the duplicate name's closing quote.
  CHECK(dup.status().message().find("byte offset 10") != std::string::npos);
  Result<Json> syntax = ParseJson(R"({"a": tru})");
  REQUIRE_FALSE(syntax.ok());
  CHECK(syntax.status().IsInvalidArgument());
  CHECK(syntax.status().message().find("byte offset") != std::string::npos);
}

TEST_CASE("nesting deeper than depth_max is rejected where it happens") {
  JsonLimits limits;
  limits.depth_max = 3;
  CHECK(ParseJson(R"({"a": [{"b": 1}]})", limits).ok());  // exactly 3 levels
  FieldError object_too_deep = ErrorOf(ParseJson(R"({"a": [{"b": {"c": 1}}]})", limits));
  CHECK(object_too_deep.pointer == "/a/0/b");
  CHECK(object_too_deep.reason.find("deeper than 3") != std::string::npos);
  FieldError array_too_deep = ErrorOf(ParseJson(R"([1, [2, [3, 4, [5]]]])", limits));
  CHECK(array_too_deep.pointer == "/1/1/2");
  // The default limit stops pathological nesting.
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  CHECK(ErrorOf(ParseJson(deep)).reason.find("deeper than 32") != std::string::npos);
}

TEST_CASE("a document larger than text_bytes_max is kResourceExhausted") {
  JsonLimits limits;
  limits.text_bytes_max = 10;
  CHECK(ParseJson(R"({"a":"12"})", limits).ok());  // 10 bytes
  Result<Json> big = ParseJson(R"({"a":"123"})", limits);
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().IsResourceExhausted());
}

TEST_CASE("text after the value is rejected") {
  CHECK(ParseJson("{} ").ok());  // whitespace is fine
  CHECK_FALSE(ParseJson("{} {}").ok());
  CHECK_FALSE(ParseJson(R"({"a":1}x)").ok());
  CHECK_FALSE(ParseJson("1 2").ok());
  CHECK_FALSE(ParseJson("").ok());
}

TEST_CASE("invalid UTF-8 and lone surrogates are rejected") {
  CHECK_FALSE(ParseJson("\"\xFF\"").ok());          // not UTF-8 at all
  CHECK_FALSE(ParseJson("\"\xC0\x80\"").ok());      // overlong NUL
  CHECK_FALSE(ParseJson("\"\xED\xA0\x80\"").ok());  // encoded surrogate
  CHECK_FALSE(ParseJson("\"\xE2\x82\"").ok());      // truncated sequence
  CHECK_FALSE(ParseJson(R"("\ud800")").ok());       // lone high surrogate escape
  CHECK_FALSE(ParseJson(R"("\udc00")").ok());       // lone low surrogate escape
  CHECK_FALSE(ParseJson("{\"\xFF\": 1}").ok());     // in a member name
  CHECK(ParseJson(R"("\ud83d\ude00")").ok());       // a proper pair
}

TEST_CASE("other strictness: BOM, comments, non-finite numbers, bare control characters") {
  CHECK_FALSE(ParseJson("\xEF\xBB\xBF{}").ok());
  CHECK_FALSE(ParseJson("{/* c */}").ok());
  CHECK_FALSE(ParseJson("[1e400]").ok());
  CHECK_FALSE(ParseJson("[NaN]").ok());
  CHECK_FALSE(ParseJson("\"a\tb\"").ok());
  CHECK_FALSE(ParseJson("[1,]").ok());
  CHECK_FALSE(ParseJson("[01]").ok());
}

// Found by tests/fuzz/json_jcs_fuzz: nlohmann's lexer reads a NUL byte as the
// end of the input, so a value followed by NUL and anything at all (here
// invalid UTF-8) was accepted, and the bytes after it were never looked at.
TEST_CASE("a NUL byte is refused wherever it is, with its offset") {
  using namespace std::string_literals;
  for (const std::string& text :
       {"1\0"s, "{\"a\":1}\0\xb1garbage"s, "[1]\0\0"s, " \0{}"s, "\0"s, "\"a\0b\""s}) {
    Result<Json> parsed = ParseJson(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
    REQUIRE(parsed.status().field_errors().size() == 1);
    CHECK(parsed.status().field_errors()[0].reason.find("NUL") != std::string::npos);
  }
  Result<Json> trailing = ParseJson("{\"a\":1}\0x"s);
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.status().message().find("byte offset 7") != std::string::npos);
  CHECK(ParseJson(R"({"a":"\u0000"})").ok());  // an escaped U+0000 is text
}

}  // namespace
}  // namespace frontera::crypto
