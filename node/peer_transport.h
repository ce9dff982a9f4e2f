// PeerTransport: authenticated, encrypted, ordered links between validators.
// The Raft driver hands it opaque payloads (encoded Raft messages and the
// like) addressed to a validator id; it delivers payloads from other
// validators to a Handler. Delivery is at most once and in order per
// (sender, receiver) pair; a frame may be lost when a connection breaks, which
// Raft tolerates (it retransmits).
//
// Design (docs/consensus.md#peer-transport):
//
// Connections. One Boost.Asio io_context thread per transport. Each node DIALS
// every peer and uses that outbound connection only to SEND; it ACCEPTS
// inbound connections and only READS from them. Each direction of a pair is
// therefore one TCP stream, ordered by TCP, and no tie-breaking between two
// simultaneous connections is ever needed. After the handshake a dialer keeps a
// read pending on its outbound socket only to notice that the acceptor closed
// it (any byte received there is a protocol violation and closes it too). A
// newer authenticated inbound connection from a validator replaces (closes) an
// older one, which must then be dead. A dial that reaches its own socket (TCP
// simultaneous open on a local port where nothing listens) is a failed
// connect, not a peer.
//
// Listener admission (an outsider must not lock validators out). Every inbound
// connection is unauthenticated from accept until its auth verifies, and is
// closed if that takes longer than handshake_timeout_ms counted FROM ACCEPT
// (default 2 s), so an idle connection holds a slot for at most that long.
// Unauthenticated inbound connections are capped twice: at most
// inbound_handshakes_per_address_max from one remote IP address and at most
// inbound_handshakes_max in all. A connection that arrives when a cap is full
// is NOT refused: it takes the slot of the unauthenticated connection (of the
// same address when the per-address cap is full, of any address otherwise)
// that has shown the least progress, which is the fewest handshake bytes
// received (bytes read plus bytes waiting in the kernel), the oldest among
// equals; the victim is closed and counted in connections_evicted(). Why a
// genuine validator gets in: its dialer sends its whole hello in the first
// round trip, and answers the acceptor's hello with its auth at once, so
// from one round trip after its connect it has more bytes in than any idle
// or slow connection, which are evicted before it; a flood from ONE address
// (even the validator's own, behind a NAT) only evicts its own connections
// once that address's cap is full, and cannot push out the handshakes of
// other addresses; connections that do nothing die at the deadline. What it
// does not stop: an attacker who sends valid-looking hellos (validator names
// are public) as fast as a validator competes with it for slots on equal
// terms; each such connection still dies at the deadline or at its bad auth;
// and a flood from the validator's own address that replaces its evicted
// connections faster than inbound_handshakes_per_address_max per round trip
// can evict the validator's connection before its hello lands (it retries).
// Inbound connections closed before authentication for any other reason
// (deadline, malformed hello, unknown name, bad signature) are counted in
// connections_refused().
//
// Handshake (all integers big-endian; each message is a plaintext frame
// `u32 length ‖ body`; a hello body is at most kHelloBytesMax bytes, an auth
// body exactly 64):
//   hello = "FRONTERA-PEER" (13 bytes) ‖ u16 protocol version (1) ‖
//           network_id (32: the genesis hash) ‖ u8 name length (1..255) ‖
//           validator name ‖ X25519 ephemeral public key (32, crypto_kx_keypair,
//           fresh for every connection)
//   transcript(role) = SHA-256("FRONTERA-PEER-AUTH-V1" ‖ u8 role ‖
//           u32 len ‖ dialer hello body ‖ u32 len ‖ acceptor hello body),
//           role = 1 for the dialer's signature, 2 for the acceptor's
//   auth  = Ed25519 signature by the signer's genesis validator key over the
//           32-byte transcript(role)
// Order: dialer → hello; acceptor checks it (magic, version, network id, the
// name is a known validator other than itself) and → hello; dialer checks it
// (same, and the name is the validator it dialed) and → auth; acceptor
// verifies it with the genesis key of the name the dialer claimed and → auth;
// dialer verifies it with the key of the validator it dialed. So the acceptor
// reveals nothing signed to an unauthenticated dialer, each signature covers
// both fresh ephemeral keys (no replay, no key substitution), and the role byte
// stops a signature from being reflected. The hello encoding and its checks
// are node/peer_wire.h (DecodeHello). Any failure, or no completion within
// handshake_timeout_ms of the TCP connect (dialer) or accept (acceptor),
// closes the connection and counts a handshake failure: against the validator dialed (outbound) or
// the validator whose name the dialer claimed (inbound), otherwise in
// anonymous_handshake_failures(). Logs name the reason and the remote address,
// never key material.
// Session keys: crypto_kx (X25519, then BLAKE2b-512 of the shared secret and
// both public keys), the dialer as client. Only the dialer → acceptor key is
// used: the dialer's tx key equals the acceptor's rx key. Keys and ephemeral
// secrets live per connection and are wiped when it closes.
//
// Data frames (dialer → acceptor only):
//   u32 length ‖ u8 frame version (1) ‖ ciphertext
//   length = 1 + ciphertext bytes; ciphertext = payload ‖ 16-byte Poly1305 tag
//   ciphertext = crypto_aead_chacha20poly1305_ietf(key, nonce, payload,
//                associated data = the 5 header bytes)
//   nonce = 96-bit big-endian frame counter of the connection, from 0
// The receiver checks length against frame_bytes_max + kFrameOverheadBytes and
// the version BEFORE allocating (node/peer_wire.h DecodeFrameHeader); an
// oversized frame, an unknown version or a tag that does not verify (any bit flipped in transit)
// closes the connection and counts in frames_rejected; the dialer then reconnects.
//
// Outbound queue: one per peer, bounded by send_queue_frames_max and
// send_queue_bytes_max. When full, Send drops the NEW frame (returns false and
// counts it in frames_dropped): the caller learns at once, and the frames
// already queued stay in order. Frames queued while the peer is unreachable
// stay queued and are sent, in order, once a connection is authenticated. A
// writer on the io thread drains the queue in batches; the frames of a write
// that fails are lost and counted in frames_dropped.
//
// Back-pressure for bulk senders (snapshot chunks): SendWhenRoom blocks its
// caller until the frame fits in the BULK SHARE of the queue, which is half
// of send_queue_bytes_max and half of send_queue_frames_max (at least one
// frame), then queues it like Send; the other half stays free for Raft
// messages sent with Send, so heartbeats and votes are not dropped while a
// snapshot streams. An empty queue always admits one bulk frame, so a frame
// larger than half the byte cap still goes out (keep send_queue_bytes_max
// >= 2 x frame_bytes_max to keep the Raft half whole). Frames sent either way
// share the one ordered stream.
//
// Reconnect: a failed connect, handshake or connection is retried after a
// delay drawn uniformly from [backoff / 2, backoff] (never below
// reconnect_backoff_min_ms), where backoff starts at reconnect_backoff_min_ms,
// doubles after every failed attempt up to reconnect_backoff_max_ms, and
// returns to the minimum after a successful handshake.
//
// Changing peers: SetPeers replaces the peer set while the transport runs
// (validators added or removed by a Raft membership change). The change is
// applied on the io thread between two handlers, so no connection is half-way
// through a step. A peer listed with the same id, name, key, host and port
// keeps its Peer: connections, queue and counters. Any other listed peer is
// new, and dialed at once; its inbound handshakes are accepted from then on.
// A peer no longer listed is closed in both directions (handshakes naming it
// included), its queue dropped, and from then on Send to it fails and a hello
// naming it is refused as an unknown validator. A changed key, host or port
// is a removal and an addition: the old key no longer authenticates. A
// removed Peer is not freed but retired until the transport is destroyed:
// handlers already queued for it (a write's completion, a timer, a posted
// Pump) still point at it, and find it retired, so start nothing.
//
// Thread-safety: Send, Peers, listen_port and the counters are safe from any
// thread, including from inside the Handler. SendWhenRoom and SetPeers are
// safe from any thread EXCEPT the io thread (the Handler runs there): they
// wait for the io thread (to drain the queue; to apply the change). SetPeers
// calls, and SetPeers and Stop, are serialised. Stop (and the destructor)
// must not be called from the Handler.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "node/peer_wire.h"

namespace frontera::node {

// One OTHER validator: where to dial it and the key it must prove.
struct PeerEndpoint {
  uint64_t id = 0;                 // the validator's id in the Raft configuration
  std::string name;                // its name in genesis (1..255 bytes)
  std::string host;                // name or address to dial
  uint16_t port = 0;               // != 0
  crypto::PublicKey public_key{};  // its genesis Ed25519 key
};

struct PeerTransportOptions {
  uint64_t self_id = 0;
  std::string self_name;                 // this validator's name in genesis
  const crypto::KeyPair* key = nullptr;  // REQUIRES: non-null; outlives the transport
  crypto::Sha256Digest network_id{};     // genesis hash: peers of another network are refused
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;                  // 0: the system picks a free port (see listen_port())
  std::vector<PeerEndpoint> peers;           // ids, names and keys distinct, none is self
  size_t frame_bytes_max = 64 << 20;         // payload bytes, [1 KiB, 1 GiB]
  size_t send_queue_frames_max = 4096;       // per peer, [1, 1,048,576]
  size_t send_queue_bytes_max = 256 << 20;   // per peer, [frame_bytes_max, 64 GiB]
  uint32_t reconnect_backoff_min_ms = 50;    // [1, 60000]
  uint32_t reconnect_backoff_max_ms = 2000;  // [reconnect_backoff_min_ms, 600000]
  // Connect + handshake, from connect (dialer) or accept (acceptor), [10, 60000].
  uint32_t handshake_timeout_ms = 2000;
  // Unauthenticated inbound connections at once, in all, [1, 65536].
  size_t inbound_handshakes_max = 64;
  // ... and from one remote IP address, [1, inbound_handshakes_max].
  size_t inbound_handshakes_per_address_max = 4;
  // Receives one line per connection event (established, lost, refused and
  // why). Called on the io thread; may be empty (silent).
  std::function<void(std::string_view line)> log;

  // OK, or kInvalidArgument naming the first bad field ("peers[1].port").
  Status Validate() const;
};

class PeerTransport {
 public:
  // Called on the io thread with each payload received from validator
  // `from_id`, in the order that validator sent them. Must not throw and
  // should return quickly (it holds up all receiving); it may call Send.
  using Handler = std::function<void(uint64_t from_id, std::string payload)>;

  // Validates `options`, binds the listening socket (so listen_port() is known
  // on return), starts the io thread, and begins dialing every peer.
  // Errors: kInvalidArgument (bad options or empty handler), kIOError (cannot
  // resolve or bind listen_host:listen_port).
  static Result<std::unique_ptr<PeerTransport>> Start(PeerTransportOptions options,
                                                      Handler handler);

  ~PeerTransport();  // Stop()
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  // The bound TCP port.
  uint16_t listen_port() const;

  // Queues `payload` for validator `to_id`. True when queued; false when
  // dropped: unknown peer, payload larger than frame_bytes_max, the peer's
  // queue full (counted in frames_dropped), or the transport stopped. True
  // does not mean delivered.
  bool Send(uint64_t to_id, std::string payload);

  // Like Send, for bulk data: waits until `payload` fits in the bulk share of
  // to_id's queue (see "Back-pressure" above) and queues it. True when
  // queued; false, with nothing queued, when the peer is unknown, the payload
  // is larger than frame_bytes_max or `timeout` passed without room (both
  // counted in frames_dropped), or the transport stopped (before or while
  // waiting).
  // REQUIRES: not called on the io thread (not from the Handler): it would
  // wait for itself.
  bool SendWhenRoom(uint64_t to_id, std::string payload, std::chrono::milliseconds timeout);

  struct PeerState {
    uint64_t id = 0;
    std::string name;
    bool connected_out = false;         // an authenticated outbound (sending) connection is up
    bool connected_in = false;          // an authenticated inbound (receiving) connection is up
    int64_t last_received_ms_ago = -1;  // since the last frame delivered; -1: never
    uint64_t frames_queued = 0;         // waiting to be written now
    uint64_t frames_sent = 0;           // written to the socket (not proof of delivery)
    uint64_t frames_received = 0;       // authenticated and delivered to the Handler
    uint64_t frames_dropped = 0;        // refused by Send, or lost in a failed write
    uint64_t frames_rejected = 0;       // inbound frames refused: too large, bad version, bad tag
    uint64_t handshake_failures = 0;
  };
  // One entry per current peer, in the order given to the last SetPeers (of
  // options.peers before any).
  std::vector<PeerState> Peers() const;

  // Replaces the set of peers with `peers` (validated like options.peers:
  // ids, names and keys distinct, none is self, port != 0, name 1..255
  // bytes). A peer whose id, name, key, host and port are unchanged keeps its
  // connections, queue and counters. A new peer is dialed at once and its
  // inbound connections are accepted from now on. A peer no longer listed is
  // closed (both directions), its queued frames dropped, and Send to it
  // returns false; an inbound handshake naming it is refused as an unknown
  // validator. A peer whose key, host or port changed is replaced (closed,
  // then dialed anew). InvalidArgument naming the bad field
  // ("peers[1].port") with nothing changed; FailedPrecondition after Stop.
  // Returns once the change is applied (see "Changing peers" above).
  // REQUIRES: not called on the io thread (not from the Handler): it waits
  // for the io thread.
  Status SetPeers(std::vector<PeerEndpoint> peers);

  // Inbound handshakes that failed before the dialer named a known validator
  // (garbage, unknown or own name, deadline before a hello, evicted).
  uint64_t anonymous_handshake_failures() const;

  // Unauthenticated inbound connections closed for any reason but eviction:
  // handshake deadline, malformed hello, unknown name, bad signature.
  uint64_t connections_refused() const;

  // Unauthenticated inbound connections closed to make room for a newer one
  // (see "Listener admission" above).
  uint64_t connections_evicted() const;

  // Closes every connection, drops queued frames, joins the io thread; no
  // Handler call starts after Stop begins. Idempotent. REQUIRES: not called
  // from the Handler.
  void Stop();

 private:
  class Impl;
  explicit PeerTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontera::node
