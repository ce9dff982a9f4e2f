#include "crypto/jcs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace frontera::crypto {

namespace {

using Member = std::pair<std::string_view, const Json*>;

// RFC 8785 §3.2.3: names are compared as arrays of UTF-16 code units. UTF-8
// byte order equals code point order, which differs from UTF-16 order in one
// place only: supplementary characters (UTF-8 lead bytes F0..F4, UTF-16
// surrogates D800..DFFF) sort before U+E000..U+FFFF (lead bytes EE, EF). The
// first differing byte of two valid UTF-8 strings is either a lead byte in
// both or a continuation byte in both (they share the bytes before it), so it
// suffices to move EE and EF above F4 when comparing that byte.
unsigned Utf16Rank(uint8_t byte) { return (byte == 0xEE || byte == 0xEF) ? byte + 0x10u : byte; }

bool Utf16Less(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto ca = static_cast<uint8_t>(a[i]);
    auto cb = static_cast<uint8_t>(b[i]);
    if (ca != cb) return Utf16Rank(ca) < Utf16Rank(cb);
  }
  return a.size() < b.size();
}

// Only names with a supplementary character (a byte >= F0) can make the
// UTF-16 order differ from the byte order that std::map already keeps.
bool HasSupplementary(std::string_view s) {
  for (char c : s) {
    if (static_cast<uint8_t>(c) >= 0xF0) return true;
  }
  return false;
}

constexpr char kHex[] = "0123456789abcdef";

Status InvalidUtf8() {
  return Status::InvalidArgument("string is not valid UTF-8; RFC 8785 §3.2.2.2 requires Unicode");
}

// Length of the well-formed UTF-8 sequence at s[i] (Unicode 15 Table 3-7,
// which excludes overlong forms and surrogates), or 0 if there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned {
    return k < s.size() ? static_cast<uint8_t>(s[k]) : 0x100u;
  };
  auto cont = [&](size_t k, unsigned lo, unsigned hi) {
    unsigned c = at(k);
    return c >= lo && c <= hi;
  };
  unsigned c = at(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
    unsigned hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80;
    unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2, 0x80, 0xBF) && cont(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// RFC 8785 §3.2.2.2 (ECMAScript JSON.stringify QuoteJSONString): escape only
// '"', '\\' and the C0 controls, with the short forms where they exist and
// lower-case \u00xx otherwise; everything else is copied as UTF-8.
Status AppendString(std::string_view s, std::string& out) {
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) return InvalidUtf8();
      i += len;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return Status::Ok();
}

// RFC 8785 §3.2.2.3: the ECMAScript Number::toString of a double (ES2015
// §7.1.12.1). std::to_chars without a precision yields the shortest digit
// string that round-trips, choosing the closest (and on a tie the even)
// candidate, which is exactly the s, k, n of the ECMAScript algorithm; only
// the layout rules remain.
Status AppendDouble(double v, std::string& out) {
  if (!std::isfinite(v)) {
    return Status::InvalidArgument("number is not finite; RFC 8785 §3.2.2.3 has no form for it");
  }
  if (v == 0) {  // step 2: +0 and -0 both print "0"
    out += '0';
    return Status::Ok();
  }
  if (v < 0) {  // step 3
    out += '-';
    v = -v;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  if (ec != std::errc()) return Status::Internal("to_chars failed on a finite double");
  // buf holds "d[.ddd]e±xx": collect the digits s (k of them) and the
  // exponent, so that the value is 0.s × 10^n with n = exponent + 1.
  char digits[32];
  int k = 0;
  const char* p = buf;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exponent = 0;
  ++p;  // skip 'e'
  bool negative_exponent = *p == '-';
  ++p;  // skip the sign, which to_chars always writes
  std::from_chars(p, end, exponent);
  if (negative_exponent) exponent = -exponent;
  int n = exponent + 1;

  if (k <= n && n <= 21) {  // step 6: integer, padded with zeros
    out.append(digits, k);
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {  // step 7: decimal point inside the digits
    out.append(digits, n);
    out += '.';
    out.append(digits + n, k - n);
  } else if (-6 < n && n <= 0) {  // step 8: 0.000ddd
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out.append(digits, k);
  } else {  // steps 9 and 10: exponential form
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits + 1, k - 1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    char exp_buf[8];
    auto [exp_end, exp_ec] = std::to_chars(exp_buf, exp_buf + sizeof(exp_buf), std::abs(n - 1));
    (void)exp_ec;
    out.append(exp_buf, exp_end);
  }
  return Status::Ok();
}

// I-JSON numbers are IEEE 754 doubles (RFC 8785 §3.2.2.3): integers beyond
// 2^53 are printed as the double they round to, exactly as ECMAScript would.
constexpr uint64_t kExactIntegerMax = uint64_t{1} << 53;

template <typename Int>
void AppendInteger(Int v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  out.append(buf, end);
}

Status AppendValue(const Json& value, std::string& out, int depth);

Status AppendMembers(std::vector<Member>& members, std::string& out, int depth) {
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return Utf16Less(a.first, b.first); });
  out += '{';
  bool first = true;
  for (const Member& m : members) {
    if (!first) out += ',';
    first = false;
    if (Status s = AppendString(m.first, out); !s.ok()) return s;
    out += ':';
    if (Status s = AppendValue(*m.second, out, depth + 1); !s.ok()) return s;
  }
  out += '}';
  return Status::Ok();
}

Status AppendObject(const Json& value, std::string& out, int depth) {
  const auto& members = value.get_ref<const Json::object_t&>();
  bool needs_sort = false;
  for (const auto& [name, member] : members) {
    if (HasSupplementary(name)) {
      needs_sort = true;
      break;
    }
  }
  if (needs_sort) {
    std::vector<Member> sorted;
    sorted.reserve(members.size());
    for (const auto& [name, member] : members) sorted.emplace_back(name, &member);
    return AppendMembers(sorted, out, depth);
  }
  // Common case: std::map's byte order already is the UTF-16 order.
  out += '{';
  bool first = true;
  for (const auto& [name, member] : members) {
    if (!first) out += ',';
    first = false;
    if (Status s = AppendString(name, out); !s.ok()) return s;
    out += ':';
    if (Status s = AppendValue(member, out, depth + 1); !s.ok()) return s;
  }
  out += '}';
  return Status::Ok();
}

Status AppendValue(const Json& value, std::string& out, int depth) {
  if (depth > kJcsDepthMax) {
    return Status::InvalidArgument("value nests deeper than " + std::to_string(kJcsDepthMax) +
                                   " levels");
  }
  switch (value.type()) {
    case Json::value_t::null:
      out += "null";
      return Status::Ok();
    case Json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return Status::Ok();
    case Json::value_t::number_integer: {
      int64_t v = value.get<int64_t>();
      uint64_t magnitude =
          v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      if (magnitude <= kExactIntegerMax) {
        AppendInteger(v, out);
        return Status::Ok();
      }
      return AppendDouble(static_cast<double>(v), out);
    }
    case Json::value_t::number_unsigned: {
      uint64_t v = value.get<uint64_t>();
      if (v <= kExactIntegerMax) {
        AppendInteger(v, out);
        return Status::Ok();
      }
      return AppendDouble(static_cast<double>(v), out);
    }
    case Json::value_t::number_float:
      return AppendDouble(value.get<double>(), out);
    case Json::value_t::string:
      return AppendString(value.get_ref<const std::string&>(), out);
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& element : value.get_ref<const Json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        if (Status s = AppendValue(element, out, depth + 1); !s.ok()) return s;
      }
      out += ']';
      return Status::Ok();
    }
    case Json::value_t::object:
      return AppendObject(value, out, depth);
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  return Status::InvalidArgument("value has no JSON form (binary or discarded)");
}

}  // namespace

bool IsWellFormedUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (static_cast<uint8_t>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

Status CanonicalizeTo(const Json& value, std::string& out) { return AppendValue(value, out, 0); }

Result<std::string> Canonicalize(const Json& value) {
  std::string out;
  if (Status s = CanonicalizeTo(value, out); !s.ok()) return s;
  return out;
}

Status CanonicalizeObjectTo(const Json& object, std::span<const JcsMemberEdit> edits,
                            std::string& out) {
  FRONTERA_CHECK(object.is_object()) << "CanonicalizeObjectTo needs an object";
  const auto& members = object.get_ref<const Json::object_t&>();
  std::vector<Member> edited;
  edited.reserve(members.size() + edits.size());
  for (const auto& [name, member] : members) {
    bool edited_away = std::any_of(edits.begin(), edits.end(),
                                   [&](const JcsMemberEdit& e) { return e.name == name; });
    if (!edited_away) edited.emplace_back(name, &member);
  }
  for (const JcsMemberEdit& e : edits) {
    if (e.value != nullptr) edited.emplace_back(e.name, e.value);
  }
  return AppendMembers(edited, out, 0);
}

}  // namespace frontera::crypto
