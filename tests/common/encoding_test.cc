#include "common/encoding.h"

#include <doctest/doctest.h>

namespace frontera {
namespace {

TEST_CASE("hex round trip and rejects bad digits") {
  Bytes data = {0x00, 0x01, 0xab, 0xff};
  CHECK(HexEncode(data) == "0001abff");
  CHECK(HexDecode("0001ABff").value() == data);
  CHECK_FALSE(HexDecode("0g").ok());
  CHECK_FALSE(HexDecode("abc").ok());
}

TEST_CASE("base64 RFC 4648 §10 test vectors") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* encoded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(Base64Encode(AsBytes(plain[i])) == encoded[i]);
    CHECK(Base64Decode(encoded[i]).value() == ToBytes(plain[i]));
  }
}

TEST_CASE("base64 decoding is strict") {
  CHECK_FALSE(Base64Decode("Zg=").ok());     // bad length
  CHECK_FALSE(Base64Decode("Zh==").ok());    // non-zero trailing bits
  CHECK_FALSE(Base64Decode("Z!==").ok());    // bad character
  CHECK_FALSE(Base64Decode("Zm9v\n").ok());  // no whitespace
}

TEST_CASE("base64url has no padding and its own alphabet") {
  Bytes data = {0xfb, 0xff};
  CHECK(Base64UrlEncode(data) == "-_8");
  CHECK(Base64UrlDecode("-_8").value() == data);
  CHECK_FALSE(Base64UrlDecode("+/8").ok());
  CHECK_FALSE(Base64UrlDecode("-_8=").ok());
}

TEST_CASE("base58btc: leading zeros and known values") {
  CHECK(Base58Encode(AsBytes("Hello World!")) == "2NEpo7TZRRrLZSi2U");
  Bytes zeros = {0, 0, 1};
  CHECK(Base58Encode(zeros) == "112");
  CHECK(Base58Decode("112").value() == zeros);
  CHECK(Base58Decode("2NEpo7TZRRrLZSi2U").value() == ToBytes("Hello World!"));
  CHECK_FALSE(Base58Decode("0OIl").ok());
  CHECK(Base58Decode("").value().empty());
}

}  // namespace
}  // namespace frontera
