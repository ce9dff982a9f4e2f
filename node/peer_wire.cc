#include "node/peer_wire.h"

#include <algorithm>

#include "common/binary.h"
#include "common/bytes.h"
#include "common/check.h"

namespace frontera::node {

std::string EncodeHello(const Hello& hello) {
  FRONTERA_CHECK(!hello.name.empty() && hello.name.size() <= kPeerNameBytesMax)
      << "hello name of " << hello.name.size() << " bytes";
  std::string out;
  out.reserve(kHelloFixedBytes + hello.name.size());
  BinaryWriter w(out);
  w.Raw(kPeerMagic);
  w.U16(hello.version);
  w.Raw(AsChars(hello.network_id));
  w.U8(static_cast<uint8_t>(hello.name.size()));
  w.Raw(hello.name);
  w.Raw(AsChars(hello.ephemeral_key));
  return out;
}

Result<Hello> DecodeHello(std::string_view body) {
  if (body.size() < kHelloFixedBytes || body.substr(0, kPeerMagic.size()) != kPeerMagic) {
    return Status::InvalidArgument("not a FRONTERA-PEER hello");
  }
  BinaryReader r(body.substr(kPeerMagic.size()), "hello", kPeerMagic.size());
  Hello hello;
  FRONTERA_RETURN_IF_ERROR(r.U16("version", hello.version));
  if (hello.version != kPeerProtocolVersion) {
    // The acceptor logs this as the handshake's failure: say both versions,
    // so an operator mid-upgrade sees which side runs which release.
    return Status::InvalidArgument("the peer speaks peer protocol version " +
                                   std::to_string(hello.version) + "; this node speaks version " +
                                   std::to_string(kPeerProtocolVersion) +
                                   " (fronterad --version prints it)");
  }
  std::string_view network_id, name, key;
  uint8_t name_bytes = 0;
  FRONTERA_RETURN_IF_ERROR(r.Raw("network id", hello.network_id.size(), network_id));
  FRONTERA_RETURN_IF_ERROR(r.U8("name length", name_bytes));
  // The fixed part was checked above, so this comparison also proves that the
  // name and the key lie inside `body`.
  if (name_bytes == 0 || body.size() != kHelloFixedBytes + name_bytes) {
    return Status::InvalidArgument("malformed hello: name length does not match the hello size");
  }
  FRONTERA_RETURN_IF_ERROR(r.Raw("name", name_bytes, name));
  FRONTERA_RETURN_IF_ERROR(r.Raw("ephemeral key", hello.ephemeral_key.size(), key));
  FRONTERA_RETURN_IF_ERROR(r.End());
  std::copy(network_id.begin(), network_id.end(), reinterpret_cast<char*>(hello.network_id.data()));
  hello.name.assign(name);
  std::copy(key.begin(), key.end(), reinterpret_cast<char*>(hello.ephemeral_key.data()));
  return hello;
}

std::array<uint8_t, kFrameHeaderBytes> EncodeFrameHeader(size_t payload_bytes) {
  const uint64_t length = uint64_t{payload_bytes} + kFrameOverheadBytes;
  FRONTERA_CHECK(length <= UINT32_MAX) << "frame payload of " << payload_bytes << " bytes";
  std::array<uint8_t, kFrameHeaderBytes> header{};
  StoreBigEndian32(reinterpret_cast<char*>(header.data()), static_cast<uint32_t>(length));
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
  header.length = LoadBigEndian32(five_bytes.data());
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
