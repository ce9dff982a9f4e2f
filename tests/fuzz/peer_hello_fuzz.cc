// Fuzzes node::DecodeHello (node/peer_wire.h): the first bytes any TCP client
// sends a validator, before it is authenticated. Properties: no input crashes,
// leaks or runs long; a decoded hello has a name of 1..kPeerNameBytesMax bytes
// and our version, re-encodes to the same bytes, and decodes back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "node/peer_wire.h"

namespace frontera::node {
namespace {

void FuzzOne(std::string_view input) {
  Result<Hello> hello = DecodeHello(input);
  if (!hello.ok()) return;
  FRONTERA_CHECK(input.size() <= kHelloBytesMax) << "a hello of " << input.size() << " bytes";
  FRONTERA_CHECK(!hello->name.empty() && hello->name.size() <= kPeerNameBytesMax);
  FRONTERA_CHECK(hello->version == kPeerProtocolVersion);
  const std::string encoded = EncodeHello(*hello);
  FRONTERA_CHECK(encoded == input) << "a decoded hello re-encodes to other bytes";
  Result<Hello> again = DecodeHello(encoded);
  FRONTERA_CHECK(again.ok()) << "a re-encoded hello does not decode: " << again.status().ToString();
  FRONTERA_CHECK(again->version == hello->version && again->network_id == hello->network_id &&
                 again->name == hello->name && again->ephemeral_key == hello->ephemeral_key)
      << "a hello changed across encode and decode";
}

}  // namespace
}  // namespace frontera::node

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::node::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
