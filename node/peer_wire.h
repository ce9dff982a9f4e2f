// The plaintext parts of the peer wire (node/peer_transport.h describes the
// whole protocol; docs/consensus.md#peer-transport): the handshake hello and
// the 5-byte header of a data frame. Pure functions over bytes, with no
// sockets and no keys, so that every byte a peer controls before
// authentication is parsed here and can be fuzzed in isolation.
//
// All integers are big-endian.
//   hello        = "FRONTERA-PEER" (13 bytes) ‖ u16 protocol version (1) ‖
//                  network_id (32) ‖ u8 name length (1..255) ‖ name ‖
//                  X25519 ephemeral public key (32)
//   frame header = u32 length ‖ u8 frame version (1)
//                  length = 1 + ciphertext bytes = 1 + payload bytes + 16
//
// Thread-safety: every function here is pure and safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/version.h"

namespace frontera::node {

inline constexpr std::string_view kPeerMagic = "FRONTERA-PEER";
// The only hello version this node speaks.
inline constexpr uint16_t kPeerProtocolVersion = version::kPeerProtocol;
// The only data frame version this node speaks.
inline constexpr uint8_t kPeerFrameVersion = 1;
// Longest validator name on the wire.
inline constexpr size_t kPeerNameBytesMax = 255;
// Bytes of a hello besides the name: magic, version, network id, name length
// and ephemeral key.
inline constexpr size_t kHelloFixedBytes = 13 + 2 + 32 + 1 + 32;
// Largest hello body accepted (the largest valid hello is 335 bytes).
inline constexpr size_t kHelloBytesMax = 512;
// A data frame's header: u32 length ‖ u8 version.
inline constexpr size_t kFrameHeaderBytes = 4 + 1;
// Bytes a data frame carries beyond its payload: version byte and the
// 16-byte Poly1305 tag (the length prefix is not counted in `length`).
inline constexpr size_t kFrameOverheadBytes = 1 + 16;

static_assert(kHelloBytesMax >= kHelloFixedBytes + kPeerNameBytesMax);

struct Hello {
  uint16_t version = kPeerProtocolVersion;
  std::array<uint8_t, 32> network_id{};  // the genesis hash
  std::string name;                      // 1..kPeerNameBytesMax bytes; not checked for content
  std::array<uint8_t, 32> ephemeral_key{};
};

// The hello body (without its u32 length prefix).
// REQUIRES: 1 <= hello.name.size() <= kPeerNameBytesMax.
std::string EncodeHello(const Hello& hello);

// Parses a hello body. kInvalidArgument, saying which, when: the magic is
// wrong or the body is shorter than kHelloFixedBytes; the version is not
// kPeerProtocolVersion; the name is empty or its length byte disagrees with
// the body's size. Never reads past `body`. Whether the name is a known
// validator and the network id ours is the caller's check.
Result<Hello> DecodeHello(std::string_view body);

struct FrameHeader {
  uint32_t length = 0;  // bytes after the length field: version ‖ ciphertext ‖ tag
  uint8_t version = kPeerFrameVersion;
};

// The 5 header bytes of a data frame carrying `payload_bytes`.
// REQUIRES: payload_bytes + kFrameOverheadBytes fits in a u32.
std::array<uint8_t, kFrameHeaderBytes> EncodeFrameHeader(size_t payload_bytes);

// Parses and checks a data frame header BEFORE anything is allocated for the
// frame. kInvalidArgument when `five_bytes` is not kFrameHeaderBytes long,
// when length < kFrameOverheadBytes (shorter than its tag), when the payload
// (length - kFrameOverheadBytes) exceeds `frame_bytes_max`, or when the
// version is not kPeerFrameVersion. On success the caller reads exactly
// `length - 1` more bytes.
Result<FrameHeader> DecodeFrameHeader(std::string_view five_bytes, size_t frame_bytes_max);

}  // namespace frontera::node
