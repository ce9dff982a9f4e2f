// PeerTransportOptions::Validate (node/peer_transport.h): every option's
// range, and the peer list's consistency (no self, no repeats), each refusal
// naming the option.
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/ed25519.h"
#include "node/peer_transport.h"

namespace frontera::node {
namespace {

template <typename T>
Status CheckRange(std::string_view field, T value, T lo, T hi) {
  if (value >= lo && value <= hi) return Status::Ok();
  std::string message = "peer transport option " + std::string(field) + " = " +
                        std::to_string(value) + " is out of range [" + std::to_string(lo) + ", " +
                        std::to_string(hi) + "]";
  return Status::InvalidArgument(message, {{"/" + std::string(field), message}});
}

Status Invalid(const std::string& field, const std::string& what) {
  std::string message = "peer transport option " + field + " " + what;
  return Status::InvalidArgument(message, {{"/" + field, message}});
}

}  // namespace

Status PeerTransportOptions::Validate() const {
  if (key == nullptr) return Invalid("key", "is required (the validator's genesis key pair)");
  if (self_name.empty() || self_name.size() > kPeerNameBytesMax) {
    return Invalid("self_name", "must be 1 to 255 bytes");
  }
  if (listen_host.empty()) return Invalid("listen_host", "is required");
  FRONTERA_RETURN_IF_ERROR(CheckRange<uint64_t>("frame_bytes_max", frame_bytes_max,
                                                uint64_t{1} << 10, uint64_t{1} << 30));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange<uint64_t>("send_queue_frames_max", send_queue_frames_max, 1, uint64_t{1} << 20));
  FRONTERA_RETURN_IF_ERROR(CheckRange<uint64_t>("send_queue_bytes_max", send_queue_bytes_max,
                                                frame_bytes_max, uint64_t{64} << 30));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange<uint32_t>("reconnect_backoff_min_ms", reconnect_backoff_min_ms, 1, 60000));
  FRONTERA_RETURN_IF_ERROR(CheckRange<uint32_t>(
      "reconnect_backoff_max_ms", reconnect_backoff_max_ms, reconnect_backoff_min_ms, 600000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange<uint32_t>("handshake_timeout_ms", handshake_timeout_ms, 10, 60000));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange<uint64_t>("inbound_handshakes_max", inbound_handshakes_max, 1, 65536));
  FRONTERA_RETURN_IF_ERROR(CheckRange<uint64_t>("inbound_handshakes_per_address_max",
                                                inbound_handshakes_per_address_max, 1,
                                                inbound_handshakes_max));
  for (size_t i = 0; i < peers.size(); ++i) {
    const PeerEndpoint& peer = peers[i];
    const std::string field = "peers[" + std::to_string(i) + "]";
    if (peer.name.empty() || peer.name.size() > kPeerNameBytesMax) {
      return Invalid(field + ".name", "must be 1 to 255 bytes");
    }
    if (peer.host.empty()) return Invalid(field + ".host", "is required");
    if (peer.port == 0) return Invalid(field + ".port", "must not be 0");
    if (peer.id == self_id) {
      return Invalid(field + ".id",
                     "is this validator's own id (self_id); list only other validators");
    }
    if (peer.name == self_name) {
      return Invalid(field + ".name", "is this validator's own name (self_name)");
    }
    if (peer.public_key == key->public_key()) {
      return Invalid(field + ".public_key", "is this validator's own key");
    }
    for (size_t j = 0; j < i; ++j) {
      const std::string other = "peers[" + std::to_string(j) + "]";
      if (peers[j].id == peer.id) return Invalid(field + ".id", "repeats " + other + ".id");
      if (peers[j].name == peer.name) return Invalid(field + ".name", "repeats " + other + ".name");
      if (peers[j].public_key == peer.public_key) {
        return Invalid(field + ".public_key", "repeats " + other + ".public_key");
      }
    }
  }
  return Status::Ok();
}

}  // namespace frontera::node
