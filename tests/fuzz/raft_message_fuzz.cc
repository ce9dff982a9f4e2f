// Fuzzes consensus::DecodeMessage, the decoder of every Raft message a peer
// sends (consensus/codec.h). Properties: no input crashes, leaks or runs
// long; a message that decodes re-encodes to the very same bytes (the format
// gives each value exactly one encoding) and decodes back to an equal value;
// the small limits never accept what the default ones refuse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "consensus/codec.h"

namespace frontera::consensus {
namespace {

// Limits small enough that the fuzzer reaches both bounds quickly.
constexpr DecodeLimits kSmallLimits{.max_entries = 2, .max_bytes = 256};

void CheckRoundTrip(std::string_view input, const Message& message) {
  const std::string encoded = EncodeMessage(message);
  FRONTERA_CHECK(encoded == input) << "a decoded message re-encodes to other bytes ("
                                   << encoded.size() << " vs " << input.size() << ")";
  Result<Message> again = DecodeMessage(encoded);
  FRONTERA_CHECK(again.ok()) << "a re-encoded message does not decode: "
                             << again.status().ToString();
  FRONTERA_CHECK(*again == message) << "a message changed across encode and decode";
}

void FuzzOne(std::string_view input) {
  Result<Message> message = DecodeMessage(input);
  if (message.ok()) CheckRoundTrip(input, *message);
  Result<Message> small = DecodeMessage(input, kSmallLimits);
  if (small.ok()) {
    FRONTERA_CHECK(message.ok()) << "accepted under small limits, refused under the defaults";
    FRONTERA_CHECK(small->entries.size() <= kSmallLimits.max_entries);
    FRONTERA_CHECK(input.size() <= kSmallLimits.max_bytes);
    FRONTERA_CHECK(*small == *message);
  }
}

}  // namespace
}  // namespace frontera::consensus

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::consensus::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
