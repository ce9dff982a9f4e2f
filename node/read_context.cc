#include "node/read_context.h"

#include <array>

#include "crypto/ed25519.h"

namespace frontera::node {

uint64_t FirstReadContext() {
  std::array<uint8_t, 8> bytes{};
  crypto::RandomBytes(bytes);
  uint64_t v = 0;
  for (uint8_t b : bytes) v = (v << 8) | b;
  return (v >> 2) + 1;
}

}  // namespace frontera::node
