// Fuzzes crypto::ParseJson (crypto/json.h) and crypto::Canonicalize
// (crypto/jcs.h): every document a client posts, every file the CLI reads and
// every bundle an inspector loads goes through them, and signatures and hashes
// are over the canonical form. Properties: no input crashes, leaks or runs
// long; a text ParseJson accepts is well-formed UTF-8, within the limits, and
// names no member twice (counted independently with nlohmann's SAX parser);
// the accepted value canonicalizes, and its canonical text parses back to a
// value with the very same canonical text (a fixed point); tighter limits
// never accept what the defaults refuse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "crypto/jcs.h"
#include "crypto/json.h"

namespace frontera::crypto {
namespace {

constexpr JsonLimits kSmallLimits{.text_bytes_max = 512, .depth_max = 4};

// Counts the member names nlohmann's own parser reads, and the deepest
// nesting, without building anything: ParseJson must have kept every one.
class MemberCounter : public nlohmann::json_sax<Json> {
 public:
  size_t keys = 0;
  size_t depth = 0;
  size_t depth_max = 0;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(size_t) override { return Open(); }
  bool key(string_t&) override {
    ++keys;
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(size_t) override { return Open(); }
  bool end_array() override { return Close(); }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool Open() {
    depth_max = std::max(depth_max, ++depth);
    return true;
  }
  bool Close() {
    --depth;
    return true;
  }
};

size_t CountMembers(const Json& value) {
  size_t count = 0;
  if (value.is_object()) {
    count += value.size();
    for (const auto& [name, member] : value.items()) count += CountMembers(member);
  } else if (value.is_array()) {
    for (const Json& element : value) count += CountMembers(element);
  }
  return count;
}

void FuzzOne(std::string_view input) {
  Result<Json> value = ParseJson(input);
  Result<Json> small = ParseJson(input, kSmallLimits);
  if (small.ok()) {
    FRONTERA_CHECK(value.ok()) << "accepted under small limits, refused by default: "
                               << value.status().ToString();
    FRONTERA_CHECK(input.size() <= kSmallLimits.text_bytes_max);
    FRONTERA_CHECK(*small == *value);
  }
  if (!value.ok()) return;

  // Raw bytes outside strings are ASCII, inside them UTF-8: the whole text
  // is well-formed UTF-8, or it must have been refused.
  FRONTERA_CHECK(IsWellFormedUtf8(input)) << "ParseJson accepted invalid UTF-8";
  FRONTERA_CHECK(input.size() <= JsonLimits{}.text_bytes_max);
  MemberCounter counter;
  const bool sax_ok = Json::sax_parse(input, &counter);
  FRONTERA_CHECK(sax_ok) << "ParseJson accepted what nlohmann's parser refuses";
  FRONTERA_CHECK(counter.depth_max <= JsonLimits{}.depth_max)
      << "ParseJson accepted nesting " << counter.depth_max;
  FRONTERA_CHECK(counter.keys == CountMembers(*value))
      << "ParseJson dropped a duplicate member name (" << counter.keys << " names read, "
      << CountMembers(*value) << " kept)";

  Result<std::string> canonical = Canonicalize(*value);
  FRONTERA_CHECK(canonical.ok()) << "an accepted document does not canonicalize: "
                                 << canonical.status().ToString();
  FRONTERA_CHECK(IsWellFormedUtf8(*canonical));
  // The canonical text has no whitespace and the shortest number forms, so
  // it is never longer than the input by more than escapes add (\u00xx for a
  // control character written raw cannot occur: JSON forbids raw controls).
  Result<Json> reparsed = ParseJson(*canonical);
  FRONTERA_CHECK(reparsed.ok()) << "canonical text does not parse: "
                                << reparsed.status().ToString();
  Result<std::string> again = Canonicalize(*reparsed);
  FRONTERA_CHECK(again.ok()) << again.status().ToString();
  FRONTERA_CHECK(*again == *canonical) << "canonical text is not a fixed point:\n"
                                       << *canonical << "\n"
                                       << *again;
}

}  // namespace
}  // namespace frontera::crypto

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::crypto::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
