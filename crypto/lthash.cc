#include "crypto/lthash.h"

#include <sodium.h>

#include <algorithm>

#include "common/check.h"

namespace frontera::crypto {

namespace {

// BLAKE2b personalization of the element digest (16 bytes), so that the
// digest is of no use as any other BLAKE2b output.
constexpr unsigned char kDigestPersonal[crypto_generichash_blake2b_PERSONALBYTES + 1] =
    "frontera-lth16d1";
static_assert(crypto_stream_chacha20_ietf_KEYBYTES == 32);
constexpr unsigned char kExpandNonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {};

}  // namespace

std::array<uint16_t, LtHash16::kLanes> LtHash16::Expand(std::string_view element) {
  // Hash first, then expand from the 32-byte digest: the expansion costs the
  // same for every element, and a long element is read once.
  unsigned char digest[crypto_stream_chacha20_ietf_KEYBYTES];
  crypto_generichash_blake2b_state state;
  // The only failure is a parameter size out of range: ours are constants.
  FRONTERA_CHECK(crypto_generichash_blake2b_init_salt_personal(&state, nullptr, 0, sizeof digest,
                                                               nullptr, kDigestPersonal) == 0);
  crypto_generichash_blake2b_update(&state, reinterpret_cast<const unsigned char*>(element.data()),
                                    element.size());
  crypto_generichash_blake2b_final(&state, digest, sizeof digest);
  // The extendable output: the ChaCha20 keystream under the digest, a PRG
  // (several times faster here than BLAKE2b in counter mode, and the
  // expansion is most of the cost of a state write).
  unsigned char expansion[kBytes];
  crypto_stream_chacha20_ietf(expansion, sizeof expansion, kExpandNonce, digest);
  std::array<uint16_t, kLanes> lanes;
  for (size_t i = 0; i < kLanes; ++i) {
    lanes[i] = static_cast<uint16_t>(expansion[2 * i] | (expansion[2 * i + 1] << 8));
  }
  return lanes;
}

void LtHash16::Add(std::string_view element) {
  const std::array<uint16_t, kLanes> e = Expand(element);
  // uint16_t arithmetic wraps modulo 2^16 once narrowed back: the lane sum.
  for (size_t i = 0; i < kLanes; ++i) lanes_[i] = static_cast<uint16_t>(lanes_[i] + e[i]);
}

void LtHash16::Remove(std::string_view element) {
  const std::array<uint16_t, kLanes> e = Expand(element);
  for (size_t i = 0; i < kLanes; ++i) lanes_[i] = static_cast<uint16_t>(lanes_[i] - e[i]);
}

void LtHash16::Add(const LtHash16& other) {
  for (size_t i = 0; i < kLanes; ++i) {
    lanes_[i] = static_cast<uint16_t>(lanes_[i] + other.lanes_[i]);
  }
}

void LtHash16::Subtract(const LtHash16& other) {
  for (size_t i = 0; i < kLanes; ++i) {
    lanes_[i] = static_cast<uint16_t>(lanes_[i] - other.lanes_[i]);
  }
}

bool LtHash16::IsZero() const {
  return std::all_of(lanes_.begin(), lanes_.end(), [](uint16_t lane) { return lane == 0; });
}

std::string LtHash16::ToBytes() const {
  std::string out(kBytes, '\0');
  for (size_t i = 0; i < kLanes; ++i) {
    out[2 * i] = static_cast<char>(lanes_[i] & 0xff);
    out[2 * i + 1] = static_cast<char>(lanes_[i] >> 8);
  }
  return out;
}

Result<LtHash16> LtHash16::FromBytes(std::string_view bytes) {
  if (bytes.size() != kBytes) {
    return Status::Corruption("an LtHash16 is " + std::to_string(kBytes) + " bytes, not " +
                              std::to_string(bytes.size()));
  }
  LtHash16 out;
  for (size_t i = 0; i < kLanes; ++i) {
    out.lanes_[i] = static_cast<uint16_t>(static_cast<uint8_t>(bytes[2 * i]) |
                                          (static_cast<uint8_t>(bytes[2 * i + 1]) << 8));
  }
  return out;
}

}  // namespace frontera::crypto
