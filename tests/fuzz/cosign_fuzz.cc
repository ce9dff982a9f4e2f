// Fuzzes node::DecodeCosign (node/checkpoint_cosigner.h): every validator
// decodes its peers' co-signature messages. Properties: no input crashes,
// leaks or runs long; a decoded message re-encodes to the same bytes (which
// also proves EncodeCosign's own preconditions hold for anything decoded),
// and those decode to the same message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "node/checkpoint_cosigner.h"

namespace frontera::node {
namespace {

void FuzzOne(std::string_view input) {
  Result<CosignMessage> message = DecodeCosign(input);
  if (!message.ok()) return;
  // The struct grows fields over time; comparing encodings covers them all.
  const std::string encoded = EncodeCosign(*message);
  FRONTERA_CHECK(encoded == input) << "a decoded co-signature re-encodes to other bytes";
  Result<CosignMessage> again = DecodeCosign(encoded);
  FRONTERA_CHECK(again.ok()) << "a re-encoded co-signature does not decode: "
                             << again.status().ToString();
  FRONTERA_CHECK(again->height == message->height && again->signer == message->signer);
  FRONTERA_CHECK(EncodeCosign(*again) == encoded) << "a co-signature changed across encode/decode";
}

}  // namespace
}  // namespace frontera::node

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::node::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
