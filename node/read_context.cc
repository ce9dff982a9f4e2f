#include "node/read_context.h"

#include <array>

#include "common/binary.h"
#include "crypto/ed25519.h"

namespace frontera::node {

uint64_t FirstReadContext() {
  std::array<uint8_t, 8> bytes{};
  crypto::RandomBytes(bytes);
  const uint64_t v = LoadBigEndian64(reinterpret_cast<const char*>(bytes.data()));
  return (v >> 2) + 1;
}

}  // namespace frontera::node
