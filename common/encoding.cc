#include "common/encoding.h"

#include <array>

namespace frontera {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kBase58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr size_t kBase58TextMax = 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::array<int8_t, 256> ReverseTable(const char* alphabet, size_t n) {
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (size_t i = 0; i < n; ++i) table[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return table;
}

std::string Base64EncodeWith(ByteView data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

Result<Bytes> Base64DecodeWith(std::string_view text, const std::array<int8_t, 256>& table,
                               bool padded) {
  if (padded) {
    if (text.size() % 4 != 0)
      return Status::InvalidArgument("base64 length is not a multiple of 4");
    size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    text.remove_suffix(pad);
  } else if (text.size() % 4 == 1) {
    return Status::InvalidArgument("base64url length is impossible");
  }
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = table[static_cast<uint8_t>(c)];
    if (v < 0) return Status::InvalidArgument("invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero: one byte string, one encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Status::InvalidArgument("base64 has non-zero trailing bits");
  }
  return out;
}

}  // namespace

std::string HexEncode(ByteView data) {
  std::string out;
  out.reserve(data.size() * 2);
  for (uint8_t b : data) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return Status::InvalidArgument("hex has an odd number of digits");
  Bytes out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidArgument("invalid hex digit");
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string Base64Encode(ByteView data) { return Base64EncodeWith(data, kBase64Std, true); }

Result<Bytes> Base64Decode(std::string_view text) {
  static const auto table = ReverseTable(kBase64Std, 64);
  return Base64DecodeWith(text, table, true);
}

std::string Base64UrlEncode(ByteView data) { return Base64EncodeWith(data, kBase64Url, false); }

Result<Bytes> Base64UrlDecode(std::string_view text) {
  static const auto table = ReverseTable(kBase64Url, 64);
  return Base64DecodeWith(text, table, false);
}

std::string Base58Encode(ByteView data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  // Base-256 to base-58 by repeated multiply-add; digits little-endian.
  std::vector<uint8_t> digits;
  digits.reserve(data.size() * 138 / 100 + 1);
  for (size_t i = zeros; i < data.size(); ++i) {
    uint32_t carry = data[i];
    for (uint8_t& d : digits) {
      carry += uint32_t{d} << 8;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out += kBase58[*it];
  return out;
}

Result<Bytes> Base58Decode(std::string_view text) {
  static const auto table = ReverseTable(kBase58, 58);
  if (text.size() > kBase58TextMax) return Status::InvalidArgument("base58 text is too long");
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  std::vector<uint8_t> bytes;  // little-endian base 256
  bytes.reserve(text.size());
  for (size_t i = zeros; i < text.size(); ++i) {
    int v = table[static_cast<uint8_t>(text[i])];
    if (v < 0) return Status::InvalidArgument("invalid base58 character");
    uint32_t carry = static_cast<uint32_t>(v);
    for (uint8_t& b : bytes) {
      carry += uint32_t{b} * 58;
      b = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  Bytes out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

}  // namespace frontera
