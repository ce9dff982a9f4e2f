// The one binary codec: big-endian fixed-width integers, strict varints,
// length-prefixed bytes, and a reader that never reads past its input.
#include "common/binary.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace frontera {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 0xf]);
  }
  return out;
}

TEST_CASE("fixed-width integers are big-endian: byte order is numeric order") {
  std::string out;
  BinaryWriter w(out);
  w.U8(0xab);
  w.U16(0xa1b2);
  w.U32(0x01020304);
  w.U64(0x0102030405060708);
  CHECK(Hex(out) == "aba1b2010203040102030405060708");
  BinaryReader r(out, "test");
  uint8_t a = 0;
  uint16_t h = 0;
  uint32_t b = 0;
  uint64_t c = 0;
  REQUIRE(r.U8("a", a).ok());
  REQUIRE(r.U16("h", h).ok());
  CHECK(h == 0xa1b2);
  REQUIRE(r.U32("b", b).ok());
  REQUIRE(r.U64("c", c).ok());
  CHECK(r.End().ok());
  CHECK(a == 0xab);
  CHECK(b == 0x01020304u);
  CHECK(c == 0x0102030405060708u);
  // Encoded numbers compare as strings the way the numbers compare.
  for (uint64_t x : {uint64_t{0}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 40}) {
    std::string lo, hi;
    BinaryWriter(lo).U64(x);
    BinaryWriter(hi).U64(x + 1);
    CHECK(lo < hi);
  }
}

TEST_CASE("varints are LEB128, shortest form only, at most 64 bits") {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, max}) {
    std::string out;
    BinaryWriter(out).Varint(v);
    CHECK(out.size() == VarintLength(v));
    BinaryReader r(out, "test");
    uint64_t back = 1;
    REQUIRE(r.Varint("v", back).ok());
    CHECK(back == v);
    CHECK(r.End().ok());
  }
  std::string three;
  BinaryWriter(three).Varint(300);
  CHECK(Hex(three) == "ac02");
  uint64_t v = 0;
  CHECK(BinaryReader(std::string("\x80\x00", 2), "t")
            .Varint("v", v)
            .message()
            .find("shortest form") != std::string::npos);
  CHECK(BinaryReader(std::string(9, '\xff') + "\x02", "t")
            .Varint("v", v)
            .message()
            .find("exceeds 64 bits") != std::string::npos);
  CHECK(BinaryReader("\x80", "t").Varint("v", v).message().find("truncated varint") !=
        std::string::npos);
}

TEST_CASE("errors name the record, the field and the byte offset") {
  const std::string in = "\x01\x02";
  BinaryReader r(in, "snapshot chunk", 100);
  uint8_t b = 0;
  REQUIRE(r.U8("version", b).ok());
  uint32_t n = 0;
  const Status s = r.U32("file number", n);
  CHECK(s.IsInvalidArgument());
  CHECK(s.message() == "snapshot chunk: file number at byte 101: truncated");
  CHECK(AsCorruption(s).IsCorruption());
  CHECK(AsCorruption(s).message() == s.message());
  CHECK(AsCorruption(Status::Ok()).ok());
}

TEST_CASE("length-prefixed bytes are bounded by the limit and the input") {
  std::string out;
  BinaryWriter w(out);
  w.Bytes32("hello");
  w.VarintBytes("world!");
  CHECK(Hex(out.substr(0, 4)) == "00000005");
  BinaryReader r(out, "test");
  std::string_view a, b;
  REQUIRE(r.Bytes32("a", 5, a).ok());
  REQUIRE(r.VarintBytes("b", 6, b).ok());
  CHECK(a == "hello");
  CHECK(b == "world!");
  CHECK(r.End().ok());

  BinaryReader over_limit(out, "test");
  const Status s = over_limit.Bytes32("a", 4, a);
  CHECK(s.message().find("exceeds the limit of 4") != std::string::npos);
  CHECK(over_limit.offset() == 0);  // nothing consumed

  // A length that claims more than the input holds: refused, nothing read.
  std::string lying;
  BinaryWriter(lying).U32(1u << 30);
  lying += "abc";
  BinaryReader short_input(lying, "test");
  CHECK(short_input.Bytes32("a", size_t{1} << 31, a).message().find("exceeds the 3 bytes left") !=
        std::string::npos);
  CHECK(short_input.offset() == 0);
}

TEST_CASE("every truncation of an encoding fails cleanly, and trailing bytes are refused") {
  std::string out;
  BinaryWriter w(out);
  w.U8(7);
  w.U32(70000);
  w.Varint(1u << 20);
  w.Bytes32("payload");
  w.U64(42);
  auto read_all = [](std::string_view in) {
    BinaryReader r(in, "test");
    uint8_t a;
    uint32_t b;
    uint64_t c, e;
    std::string_view d;
    FRONTERA_RETURN_IF_ERROR(r.U8("a", a));
    FRONTERA_RETURN_IF_ERROR(r.U32("b", b));
    FRONTERA_RETURN_IF_ERROR(r.Varint("c", c));
    FRONTERA_RETURN_IF_ERROR(r.Bytes32("d", 100, d));
    FRONTERA_RETURN_IF_ERROR(r.U64("e", e));
    return r.End();
  };
  CHECK(read_all(out).ok());
  for (size_t cut = 0; cut < out.size(); ++cut) {
    CAPTURE(cut);
    CHECK(read_all(std::string_view(out).substr(0, cut)).IsInvalidArgument());
  }
  const Status trailing = read_all(out + "x");
  CHECK(trailing.message().find("1 unexpected trailing bytes") != std::string::npos);
}

TEST_CASE("a reserved word is patched after what follows is written") {
  std::string out = "x";
  BinaryWriter w(out);
  const size_t at = w.Reserve32();
  w.Raw("body");
  w.Patch32(at, 0xdeadbeef);
  CHECK(Hex(out) == "78deadbeef626f6479");
  BinaryReader r(out, "test");
  std::string_view x, rest;
  REQUIRE(r.Raw("x", 1, x).ok());
  uint32_t word = 0;
  REQUIRE(r.U32("word", word).ok());
  CHECK(word == 0xdeadbeefu);
  CHECK(r.Rest() == "body");
  CHECK(r.End().ok());
}

}  // namespace
}  // namespace frontera
