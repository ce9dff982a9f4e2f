// Fuzzes node::DecodeFrameHeader (node/peer_wire.h): the 5 bytes a validator
// reads, and sizes its read buffer from, before it can authenticate a frame.
// Input: u64 frame_bytes_max (big-endian) ‖ header bytes (any length, so that
// the size check is fuzzed too); an input of under 8 bytes is all header,
// with a 1 MiB maximum. Properties: no input crashes, leaks or runs long; the
// verdict equals the documented rule; an accepted header promises a payload
// within frame_bytes_max and is what EncodeFrameHeader writes for it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/check.h"
#include "node/peer_wire.h"

namespace frontera::node {
namespace {

void FuzzOne(std::string_view input) {
  size_t frame_bytes_max = size_t{1} << 20;
  std::string_view header_bytes = input;
  if (input.size() >= 8) {
    uint64_t max = 0;
    for (size_t i = 0; i < 8; ++i) max = (max << 8) | static_cast<uint8_t>(input[i]);
    frame_bytes_max = static_cast<size_t>(max);
    header_bytes = input.substr(8);
  }
  Result<FrameHeader> header = DecodeFrameHeader(header_bytes, frame_bytes_max);

  // The rule of peer_wire.h, restated independently.
  bool expected = header_bytes.size() == kFrameHeaderBytes;
  uint64_t length = 0;
  if (expected) {
    for (size_t i = 0; i < 4; ++i) length = (length << 8) | static_cast<uint8_t>(header_bytes[i]);
    expected = length >= kFrameOverheadBytes && length - kFrameOverheadBytes <= frame_bytes_max &&
               static_cast<uint8_t>(header_bytes[4]) == kPeerFrameVersion;
  }
  FRONTERA_CHECK(header.ok() == expected)
      << "DecodeFrameHeader says " << (header.ok() ? "ok" : header.status().ToString())
      << " for length " << length << " and frame_bytes_max " << frame_bytes_max;
  if (!header.ok()) return;

  FRONTERA_CHECK(header->length == length && header->version == kPeerFrameVersion);
  const size_t payload_bytes = header->length - kFrameOverheadBytes;
  const auto encoded = EncodeFrameHeader(payload_bytes);
  FRONTERA_CHECK(std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()) ==
                 header_bytes)
      << "EncodeFrameHeader(" << payload_bytes << ") differs from the decoded header";
}

}  // namespace
}  // namespace frontera::node

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::node::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
