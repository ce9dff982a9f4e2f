#include "node/peer_wire.h"

#include <algorithm>

#include "common/check.h"

namespace frontera::node {

std::string EncodeHello(const Hello& hello) {
  FRONTERA_CHECK(!hello.name.empty() && hello.name.size() <= kPeerNameBytesMax)
      << "hello name of " << hello.name.size() << " bytes";
  std::string out;
  out.reserve(kHelloFixedBytes + hello.name.size());
  out.append(kPeerMagic);
  out.push_back(static_cast<char>(hello.version >> 8));
  out.push_back(static_cast<char>(hello.version & 0xff));
  out.append(reinterpret_cast<const char*>(hello.network_id.data()), hello.network_id.size());
  out.push_back(static_cast<char>(hello.name.size()));
  out.append(hello.name);
  out.append(reinterpret_cast<const char*>(hello.ephemeral_key.data()), hello.ephemeral_key.size());
  return out;
}

Result<Hello> DecodeHello(std::string_view body) {
  if (body.size() < kHelloFixedBytes || body.substr(0, kPeerMagic.size()) != kPeerMagic) {
    return Status::InvalidArgument("not a FRONTERA-PEER hello");
  }
  auto byte = [&](size_t i) { return static_cast<uint8_t>(body[i]); };
  size_t at = kPeerMagic.size();
  Hello hello;
  hello.version = static_cast<uint16_t>((byte(at) << 8) | byte(at + 1));
  at += 2;
  if (hello.version != kPeerProtocolVersion) {
    return Status::InvalidArgument("peer protocol version " + std::to_string(hello.version) +
                                   " is not supported (this node speaks " +
                                   std::to_string(kPeerProtocolVersion) + ")");
  }
  std::copy_n(body.begin() + static_cast<std::ptrdiff_t>(at), hello.network_id.size(),
              reinterpret_cast<char*>(hello.network_id.data()));
  at += hello.network_id.size();
  const size_t name_bytes = byte(at++);
  // The fixed part was checked above, so this comparison also proves that the
  // name and the key lie inside `body`.
  if (name_bytes == 0 || body.size() != kHelloFixedBytes + name_bytes) {
    return Status::InvalidArgument("malformed hello: name length does not match the hello size");
  }
  hello.name.assign(body.substr(at, name_bytes));
  at += name_bytes;
  std::copy_n(body.begin() + static_cast<std::ptrdiff_t>(at), hello.ephemeral_key.size(),
              reinterpret_cast<char*>(hello.ephemeral_key.data()));
  return hello;
}

std::array<uint8_t, kFrameHeaderBytes> EncodeFrameHeader(size_t payload_bytes) {
  const uint64_t length = uint64_t{payload_bytes} + kFrameOverheadBytes;
  FRONTERA_CHECK(length <= UINT32_MAX) << "frame payload of " << payload_bytes << " bytes";
  std::array<uint8_t, kFrameHeaderBytes> header{};
  for (size_t i = 0; i < 4; ++i) header[i] = static_cast<uint8_t>(length >> (24 - 8 * i));
  header[4] = kPeerFrameVersion;
  return header;
}

Result<FrameHeader> DecodeFrameHeader(std::string_view five_bytes, size_t frame_bytes_max) {
  if (five_bytes.size() != kFrameHeaderBytes) {
    return Status::InvalidArgument("frame header of " + std::to_string(five_bytes.size()) +
                                   " bytes (a header is " + std::to_string(kFrameHeaderBytes) +
                                   ")");
  }
  FrameHeader header;
  for (size_t i = 0; i < 4; ++i) {
    header.length = (header.length << 8) | static_cast<uint8_t>(five_bytes[i]);
  }
  header.version = static_cast<uint8_t>(five_bytes[4]);
  if (header.length < kFrameOverheadBytes) {
    return Status::InvalidArgument("frame of " + std::to_string(header.length) +
                                   " bytes is shorter than its tag");
  }
  if (header.length - kFrameOverheadBytes > frame_bytes_max) {
    return Status::InvalidArgument(
        "frame payload of " + std::to_string(header.length - kFrameOverheadBytes) +
        " bytes exceeds frame_bytes_max " + std::to_string(frame_bytes_max));
  }
  if (header.version != kPeerFrameVersion) {
    return Status::InvalidArgument("unknown frame version " + std::to_string(header.version));
  }
  return header;
}

}  // namespace frontera::node
