#include "crypto/sha256.h"

#include <doctest/doctest.h>

#include <string>

#include "common/encoding.h"

namespace frontera::crypto {
namespace {

// FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): one block, two blocks, and
// the empty message.
TEST_CASE("SHA-256 known answers") {
  CHECK(HexEncode(Sha256(std::string_view(""))) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexEncode(Sha256(std::string_view("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(HexEncode(
            Sha256(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("incremental hashing equals one-shot hashing for every split") {
  std::string message;
  for (int i = 0; i < 200; ++i) message += static_cast<char>(i * 7);
  Sha256Digest expected = Sha256(std::string_view(message));
  for (size_t split = 0; split <= message.size(); split += 13) {
    Sha256Hasher hasher;
    hasher.Update(std::string_view(message).substr(0, split));
    hasher.Update(AsBytes(std::string_view(message).substr(split)));
    CHECK(hasher.Finish() == expected);
  }
  Sha256Hasher many;
  for (char c : message) many.Update(std::string_view(&c, 1));
  CHECK(many.Finish() == expected);
}

TEST_CASE("a million 'a' (FIPS 180-4 long message)") {
  Sha256Hasher hasher;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) hasher.Update(chunk);
  CHECK(HexEncode(hasher.Finish()) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace frontera::crypto
