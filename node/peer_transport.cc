// node::PeerTransport (node/peer_transport.h; its options are checked in
// node/peer_transport_options.cc).
//
// Why this file is over 700 lines: it is one class, Impl, the io thread's
// connection manager, whose parts (dial, accept, handshake, the listener's
// admission caps, framing and the send queues) share one set of io-thread
// state and one reasoning about which connection may touch what. Split
// across files it would need that state exposed in a header for no reader's
// gain; the design comment in node/peer_transport.h is the map.
#include "node/peer_transport.h"

#include <pthread.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/binary.h"
#include "common/check.h"
#include "common/mutex.h"

namespace frontera::node {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kAuthContext = "FRONTERA-PEER-AUTH-V1";
constexpr uint8_t kRoleDialer = 1;
constexpr uint8_t kRoleAcceptor = 2;
constexpr size_t kLengthBytes = 4;
constexpr size_t kTagBytes = crypto_aead_chacha20poly1305_ietf_ABYTES;
constexpr size_t kAuthBytes = crypto_sign_BYTES;
// A write gathers queued frames up to this many bytes (at least one frame), so
// a burst of small Raft messages costs one syscall, and a buffer that grew for
// a large frame is released afterwards.
constexpr size_t kWriteBatchBytes = 1 << 20;
constexpr size_t kWriteBatchFramesMax = 256;
constexpr size_t kBufferKeepBytes = 1 << 20;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

static_assert(kTagBytes == 16 && kFrameOverheadBytes == 1 + kTagBytes);
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12);
static_assert(crypto_kx_PUBLICKEYBYTES == 32);
static_assert(kFrameHeaderBytes == kLengthBytes + 1);

using EphemeralKey = std::array<uint8_t, crypto_kx_PUBLICKEYBYTES>;

std::string Be32String(size_t v) {
  std::string out;
  BinaryWriter(out).U32(static_cast<uint32_t>(v));
  return out;
}

// The 96-bit frame counter as an RFC 8439 §2.8 nonce. Keys are fresh for every
// connection (ephemeral crypto_kx), so a counter restarting at 0 on a new
// connection never repeats a (key, nonce) pair.
std::array<uint8_t, 12> CounterNonce(uint64_t counter) {
  std::array<uint8_t, 12> nonce{};
  for (int i = 11; i >= 4; --i, counter >>= 8) nonce[i] = static_cast<uint8_t>(counter);
  return nonce;
}

std::string OwnHello(const crypto::Sha256Digest& network_id, std::string_view name,
                     const EphemeralKey& ephemeral) {
  Hello hello;
  hello.network_id = network_id;
  hello.name = std::string(name);
  hello.ephemeral_key = ephemeral;
  return EncodeHello(hello);
}

// What each side signs: both hellos (so both fresh ephemeral keys) and the
// signer's role, under a context string of its own so that the signature can
// never be taken for a signature of another Frontera format.
crypto::Sha256Digest Transcript(uint8_t role, std::string_view dialer_hello,
                                std::string_view acceptor_hello) {
  crypto::Sha256Hasher hasher;
  hasher.Update(kAuthContext);
  const uint8_t role_byte[1] = {role};
  hasher.Update(ByteView(role_byte, 1));
  hasher.Update(Be32String(dialer_hello.size()));
  hasher.Update(dialer_hello);
  hasher.Update(Be32String(acceptor_hello.size()));
  hasher.Update(acceptor_hello);
  return hasher.Finish();
}

// Names from the network are untrusted: keep logs one line of printable ASCII.
std::string Printable(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, 64)) {
    out.push_back(ch >= 0x20 && ch < 0x7f ? ch : '?');
  }
  return out;
}

struct Peer;

// One TCP connection, outbound (dialer: sends) or inbound (acceptor: reads).
// Touched only on the io thread.
struct Connection {
  enum class Role { kDialer, kAcceptor };

  Connection(tcp::socket s, Role r, Peer* p)
      : socket(std::move(s)), timer(socket.get_executor()), role(r), peer(p) {}
  ~Connection() {
    sodium_memzero(ephemeral_secret.data(), ephemeral_secret.size());
    sodium_memzero(key.data(), key.size());
  }

  tcp::socket socket;
  asio::steady_timer timer;  // connect + handshake deadline
  const Role role;
  // Dialer: the validator dialed. Acceptor: null until the dialer's hello
  // names a known validator, then that one (authenticated only once
  // `established`).
  Peer* peer;
  std::string remote;  // address for logs
  // Acceptor, for admission (peer_transport.h, "Listener admission"):
  asio::ip::address remote_address;
  uint64_t accept_sequence = 0;     // order of accept: smaller is older
  uint64_t handshake_bytes_in = 0;  // handshake bytes read so far
  bool evicted = false;             // closed to make room for a newer connection
  bool tcp_connected = false;
  bool established = false;  // handshake complete; `key` is set
  bool closed = false;
  bool writing = false;              // dialer: an async_write is in flight
  bool counted_handshaking = false;  // acceptor: unauthenticated, counted in inbound_handshaking_
  EphemeralKey ephemeral_public{};
  std::array<uint8_t, crypto_kx_SECRETKEYBYTES> ephemeral_secret{};
  EphemeralKey peer_ephemeral{};
  std::string own_hello;
  std::string peer_hello;
  // Dialer: its tx key; acceptor: its rx key (the same key: dialer → acceptor).
  std::array<uint8_t, crypto_kx_SESSIONKEYBYTES> key{};
  uint64_t nonce_counter = 0;  // frames sealed (dialer) or opened (acceptor)
  std::array<uint8_t, kFrameHeaderBytes> header{};
  std::string read_buffer;
  std::string write_buffer;
  std::array<uint8_t, 1> watch_byte{};
};

struct Peer {
  Peer(asio::io_context& io, PeerEndpoint e, uint32_t backoff)
      : endpoint(std::move(e)), resolver(io), reconnect_timer(io), backoff_ms(backoff) {}

  const PeerEndpoint endpoint;

  // Guarded by Impl::mu_. Not annotated: the analysis cannot name another
  // object's lock; the Impl methods that touch these take mu_ or say
  // REQUIRES(mu_).
  std::deque<std::string> queue;  // ≤ send_queue_frames_max frames
  size_t queue_bytes = 0;         // sum of queue sizes; ≤ send_queue_bytes_max
  bool pump_posted = false;       // a Pump is posted to the io thread
  bool connected_out = false;
  bool connected_in = false;
  std::optional<SteadyClock::time_point> last_received;
  uint64_t frames_sent = 0;
  uint64_t frames_received = 0;
  uint64_t frames_dropped = 0;
  uint64_t frames_rejected = 0;
  uint64_t handshake_failures = 0;

  // io thread only:
  // Removed from the peer set by SetPeers: nothing is started for it any
  // more (no dial, no reconnect, no write); handlers still pending see this.
  bool retired = false;
  tcp::resolver resolver;
  asio::steady_timer reconnect_timer;
  uint32_t backoff_ms;              // next reconnect delay bound, [min, max]
  std::shared_ptr<Connection> out;  // current outbound connection, dialing or established
  std::shared_ptr<Connection> in;   // current established inbound connection
};

}  // namespace

class PeerTransport::Impl {
 public:
  Impl(PeerTransportOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {
    MutexLock lock(mu_);
    for (const PeerEndpoint& endpoint : options_.peers) {
      peers_.push_back(std::make_unique<Peer>(io_, endpoint, options_.reconnect_backoff_min_ms));
    }
    IndexPeersLocked();
    uint64_t seed = 0;
    crypto::RandomBytes(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&seed), sizeof(seed)));
    rng_.seed(seed);
  }

  ~Impl() { Stop(); }

  Status Listen() {
    error_code ec;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(options_.listen_host, std::to_string(options_.listen_port),
                                    tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return Status::IOError("peer transport: cannot resolve listen_host \"" +
                             options_.listen_host + "\": " + ec.message());
    }
    const tcp::endpoint endpoint = results.begin()->endpoint();
    const std::string where = options_.listen_host + ":" + std::to_string(options_.listen_port);
    acceptor_.open(endpoint.protocol(), ec);
    // SO_REUSEADDR: a restarted validator must be able to take its port back
    // while connections of its previous run sit in TIME_WAIT.
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) port_ = acceptor_.local_endpoint(ec).port();
    if (ec) {
      return Status::IOError("peer transport: cannot listen on " + where + ": " + ec.message());
    }
    return Status::Ok();
  }

  void Run() {
    asio::post(io_, [this] {
      Accept();
      for (Peer* peer : CurrentPeers()) Dial(peer);
    });
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "peer-io");  // shows in top -H and perf
      io_thread_id_ = std::this_thread::get_id();
      io_.run();
    });
  }

  void Stop() {
    MutexLock stop_lock(stop_mu_);
    if (!thread_.joinable()) return;
    FRONTERA_CHECK(std::this_thread::get_id() != thread_.get_id())
        << "PeerTransport::Stop called from its Handler";
    {
      MutexLock lock(mu_);
      stopping_ = true;
      for (auto& peer : peers_) {
        peer->queue.clear();
        peer->queue_bytes = 0;
        peer->connected_out = false;
        peer->connected_in = false;
      }
    }
    room_cv_.notify_all();
    // Closing everything on the io thread completes every pending operation
    // (with operation_aborted); handlers see stopping_ and start nothing new,
    // so run() returns once the last one has run.
    asio::post(io_, [this] { CloseAll(); });
    thread_.join();
  }

  uint16_t listen_port() const { return port_; }

  bool Send(uint64_t to_id, std::string payload) {
    Peer* peer = nullptr;
    {
      MutexLock lock(mu_);
      if (stopping_) return false;
      peer = ListedLocked(to_id);
      if (peer == nullptr) return false;
      if (payload.size() > options_.frame_bytes_max ||
          peer->queue.size() >= options_.send_queue_frames_max ||
          peer->queue_bytes + payload.size() > options_.send_queue_bytes_max) {
        ++peer->frames_dropped;
        return false;
      }
      if (!EnqueueLocked(peer, std::move(payload))) return true;
    }
    // `peer` may be removed by now: it stays alive (retired_), and the Pump
    // finds it without a connection.
    PostPump(peer);
    return true;
  }

  bool SendWhenRoom(uint64_t to_id, std::string payload, std::chrono::milliseconds timeout) {
    FRONTERA_CHECK(std::this_thread::get_id() != io_thread_id_.load())
        << "PeerTransport::SendWhenRoom called on the io thread (from the Handler?)";
    const auto deadline = SteadyClock::now() + timeout;
    Peer* peer = nullptr;
    {
      MutexLock lock(mu_);
      if (stopping_) return false;
      peer = ListedLocked(to_id);
      if (peer == nullptr) return false;
      if (payload.size() > options_.frame_bytes_max) {
        ++peer->frames_dropped;
        return false;
      }
      // A peer removed (or replaced) by SetPeers while we wait is gone: its
      // queue was dropped, so give up like for an unknown peer.
      const bool room = room_cv_.wait_until(lock.native(), deadline, [&]() REQUIRES(mu_) {
        return stopping_ || ListedLocked(to_id) != peer || BulkFitsLocked(*peer, payload.size());
      });
      if (stopping_ || ListedLocked(to_id) != peer) return false;
      if (!room) {
        ++peer->frames_dropped;
        return false;
      }
      if (!EnqueueLocked(peer, std::move(payload))) return true;
    }
    PostPump(peer);
    return true;
  }

  std::vector<PeerState> Peers() const {
    std::vector<PeerState> states;
    const auto now = SteadyClock::now();
    MutexLock lock(mu_);
    for (const auto& peer : peers_) {
      PeerState s;
      s.id = peer->endpoint.id;
      s.name = peer->endpoint.name;
      s.connected_out = peer->connected_out;
      s.connected_in = peer->connected_in;
      s.last_received_ms_ago =
          peer->last_received
              ? std::chrono::duration_cast<std::chrono::milliseconds>(now - *peer->last_received)
                    .count()
              : -1;
      s.frames_queued = peer->queue.size();
      s.frames_sent = peer->frames_sent;
      s.frames_received = peer->frames_received;
      s.frames_dropped = peer->frames_dropped;
      s.frames_rejected = peer->frames_rejected;
      s.handshake_failures = peer->handshake_failures;
      states.push_back(std::move(s));
    }
    return states;
  }

  Status SetPeers(std::vector<PeerEndpoint> peers) {
    FRONTERA_CHECK(std::this_thread::get_id() != io_thread_id_.load())
        << "PeerTransport::SetPeers called on the io thread (from the Handler?)";
    // The checks of options.peers, against the same self_id, self_name and key.
    PeerTransportOptions candidate = options_;
    candidate.peers = std::move(peers);
    FRONTERA_RETURN_IF_ERROR(candidate.Validate());
    // Held until the io thread has applied the change: Stop waits for it, so
    // the io thread cannot leave run() with our handler still queued.
    MutexLock stop_lock(stop_mu_);
    if (!thread_.joinable() || stopping_) {
      return Status::FailedPrecondition("peer transport: SetPeers after Stop");
    }
    std::promise<void> applied;
    asio::post(io_, [this, &candidate, &applied] {
      ApplyPeers(candidate.peers);
      applied.set_value();
    });
    applied.get_future().wait();
    return Status::Ok();
  }

  uint64_t anonymous_handshake_failures() const { return anonymous_failures_.load(); }
  uint64_t connections_refused() const { return connections_refused_.load(); }
  uint64_t connections_evicted() const { return connections_evicted_.load(); }

 private:
  using ConnectionPtr = std::shared_ptr<Connection>;

  void Log(const std::string& line) {
    if (options_.log) options_.log("peer transport " + options_.self_name + ": " + line);
  }

  // The listed peer with id `id`, or null.
  Peer* ListedLocked(uint64_t id) const REQUIRES(mu_) {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }

  // Rebuilds by_id_ and by_name_ from peers_.
  void IndexPeersLocked() REQUIRES(mu_) {
    by_id_.clear();
    by_name_.clear();
    for (const auto& peer : peers_) {
      by_id_[peer->endpoint.id] = peer.get();
      by_name_[peer->endpoint.name] = peer.get();
    }
  }

  std::vector<Peer*> CurrentPeers() const {
    MutexLock lock(mu_);
    std::vector<Peer*> out;
    for (const auto& peer : peers_) out.push_back(peer.get());
    return out;
  }

  static bool SameEndpoint(const PeerEndpoint& a, const PeerEndpoint& b) {
    return a.id == b.id && a.name == b.name && a.host == b.host && a.port == b.port &&
           a.public_key == b.public_key;
  }

  // SetPeers, on the io thread: no handler of any connection runs meanwhile,
  // so a removed Peer is never taken away from under one. An unchanged peer
  // keeps its Peer (connections, queue, counters); any other is retired and,
  // if still listed, replaced by a new Peer dialed at once.
  void ApplyPeers(const std::vector<PeerEndpoint>& endpoints) {
    std::vector<Peer*> added;
    std::vector<std::unique_ptr<Peer>> removed;
    {
      MutexLock lock(mu_);
      std::vector<std::unique_ptr<Peer>> next;
      for (const PeerEndpoint& endpoint : endpoints) {
        auto kept = std::find_if(peers_.begin(), peers_.end(), [&](const auto& peer) {
          return peer != nullptr && SameEndpoint(peer->endpoint, endpoint);
        });
        if (kept != peers_.end()) {
          next.push_back(std::move(*kept));
          continue;
        }
        next.push_back(std::make_unique<Peer>(io_, endpoint, options_.reconnect_backoff_min_ms));
        added.push_back(next.back().get());
      }
      for (auto& peer : peers_) {
        if (peer == nullptr) continue;  // moved to `next`
        // From here Send finds no such peer; frames queued for it are dropped.
        peer->queue.clear();
        peer->queue_bytes = 0;
        peer->connected_out = false;
        peer->connected_in = false;
        removed.push_back(std::move(peer));
      }
      peers_ = std::move(next);
      IndexPeersLocked();
    }
    room_cv_.notify_all();  // SendWhenRoom callers waiting on a removed peer give up
    for (auto& peer : removed) {
      Log("peer \"" + peer->endpoint.name + "\" removed");
      Retire(peer.get());
      // Kept alive until the transport is destroyed: handlers already queued
      // (a write's completion, a timer, a posted Pump) still point at it.
      retired_.push_back(std::move(peer));
    }
    for (Peer* peer : added) {
      Log("peer \"" + peer->endpoint.name + "\" added at " + peer->endpoint.host + ":" +
          std::to_string(peer->endpoint.port));
      Dial(peer);
    }
  }

  // Closes both directions of a removed peer, and any handshake that names
  // it, and stops its dialing for good.
  void Retire(Peer* peer) {
    peer->retired = true;
    peer->resolver.cancel();
    peer->reconnect_timer.cancel();
    const std::set<ConnectionPtr> connections = connections_;  // Close erases
    for (const ConnectionPtr& c : connections) {
      if (c->peer == peer) Close(c, "the validator was removed from the peer set");
    }
  }

  // Whether a bulk frame of `bytes` fits in the bulk share of `peer`'s queue
  // (peer_transport.h, "Back-pressure").
  bool BulkFitsLocked(const Peer& peer, size_t bytes) const REQUIRES(mu_) {
    if (peer.queue.empty()) return true;
    const size_t frames_share = std::max<size_t>(1, options_.send_queue_frames_max / 2);
    const size_t bytes_share = options_.send_queue_bytes_max / 2;
    return peer.queue.size() < frames_share && peer.queue_bytes + bytes <= bytes_share;
  }

  // Appends `payload` to the queue; true when the caller must PostPump (none
  // is posted yet). REQUIRES: the payload fits.
  bool EnqueueLocked(Peer* peer, std::string payload) REQUIRES(mu_) {
    peer->queue_bytes += payload.size();
    peer->queue.push_back(std::move(payload));
    if (peer->pump_posted) return false;
    peer->pump_posted = true;
    return true;
  }

  void PostPump(Peer* peer) {
    asio::post(io_, [this, peer] {
      {
        MutexLock lock(mu_);
        peer->pump_posted = false;
      }
      Pump(peer);
    });
  }

  std::string Who(const Connection& c) const {
    if (c.role == Connection::Role::kDialer) {
      return "outbound to \"" + c.peer->endpoint.name + "\" at " + c.remote;
    }
    if (c.peer != nullptr) return "inbound from \"" + c.peer->endpoint.name + "\" at " + c.remote;
    return "inbound from " + c.remote;
  }

  void CloseAll() {
    error_code ignored;
    acceptor_.close(ignored);
    accept_retry_timer_.cancel();
    {
      MutexLock lock(mu_);
      for (auto& peer : peers_) {
        peer->resolver.cancel();
        peer->reconnect_timer.cancel();
      }
    }
    const std::set<ConnectionPtr> connections = connections_;  // Close erases
    for (const ConnectionPtr& c : connections) Close(c, "transport stopping");
  }

  // Closes `c` once, counts a failed handshake, and for an outbound
  // connection schedules the next dial. Takes `c` by value: erasing it from
  // connections_ must not destroy it under our feet.
  void Close(ConnectionPtr c, const std::string& reason) {
    if (c->closed) return;
    c->closed = true;
    error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
    c->timer.cancel();
    connections_.erase(c);
    if (c->counted_handshaking) {
      c->counted_handshaking = false;
      --inbound_handshaking_;
    }
    if (stopping_) return;
    Peer* peer = c->peer;
    if (c->established) {
      Log("connection " + Who(*c) + " closed: " + reason);
    } else if (c->tcp_connected) {
      if (c->role == Connection::Role::kAcceptor) {
        ++(c->evicted ? connections_evicted_ : connections_refused_);
      }
      if (peer != nullptr) {
        MutexLock lock(mu_);
        ++peer->handshake_failures;
      } else {
        ++anonymous_failures_;
      }
      if (peer != nullptr || !AnonymousLogSuppressed()) {
        Log("handshake " + Who(*c) + " failed: " + reason + SuppressedNote());
      }
    } else {
      Log("cannot connect " + Who(*c) + ": " + reason);
    }
    if (c->role == Connection::Role::kDialer) {
      if (peer->out == c) {
        peer->out.reset();
        MutexLock lock(mu_);
        peer->connected_out = false;
      }
      ScheduleReconnect(peer);
    } else if (peer != nullptr && peer->in == c) {
      peer->in.reset();
      MutexLock lock(mu_);
      peer->connected_in = false;
    }
  }

  // Anonymous handshake failures (a flood) log at most one line per second;
  // the next line says how many were left out.
  bool AnonymousLogSuppressed() {
    const auto now = SteadyClock::now();
    if (now - last_anonymous_log_ < std::chrono::seconds(1)) {
      ++anonymous_logs_suppressed_;
      return true;
    }
    last_anonymous_log_ = now;
    return false;
  }
  std::string SuppressedNote() {
    if (anonymous_logs_suppressed_ == 0) return "";
    const std::string note =
        " (" + std::to_string(anonymous_logs_suppressed_) + " similar lines left out)";
    anonymous_logs_suppressed_ = 0;
    return note;
  }

  void StartDeadline(const ConnectionPtr& c) {
    c->timer.expires_after(std::chrono::milliseconds(options_.handshake_timeout_ms));
    c->timer.async_wait([this, c](error_code ec) {
      if (ec || c->closed || c->established) return;
      Close(c, c->tcp_connected ? "handshake timed out" : "connect timed out");
    });
  }

  // Writes one plaintext handshake frame (u32 length ‖ body), then `next`.
  void WritePlain(const ConnectionPtr& c, std::string_view body, std::function<void()> next) {
    c->write_buffer = Be32String(body.size());
    c->write_buffer.append(body);
    asio::async_write(c->socket, asio::buffer(c->write_buffer),
                      [this, c, next = std::move(next)](error_code ec, size_t) {
                        if (c->closed || stopping_) return;
                        if (ec) return Close(c, "write failed: " + ec.message());
                        next();
                      });
  }

  // Reads one plaintext handshake frame of [min_bytes, max_bytes] into
  // c->read_buffer, then `next`. The bound is checked before allocating.
  void ReadPlain(const ConnectionPtr& c, size_t min_bytes, size_t max_bytes,
                 std::function<void()> next) {
    asio::async_read(
        c->socket, asio::buffer(c->header.data(), kLengthBytes),
        [this, c, min_bytes, max_bytes, next = std::move(next)](error_code ec, size_t) mutable {
          if (c->closed || stopping_) return;
          if (ec) return Close(c, ReadError(ec));
          const size_t length = LoadBigEndian32(reinterpret_cast<const char*>(c->header.data()));
          c->handshake_bytes_in += kLengthBytes;
          if (length < min_bytes || length > max_bytes) {
            return Close(c, "handshake message of " + std::to_string(length) +
                                " bytes is outside [" + std::to_string(min_bytes) + ", " +
                                std::to_string(max_bytes) + "]");
          }
          c->read_buffer.resize(length);
          asio::async_read(c->socket, asio::buffer(c->read_buffer),
                           [this, c, next = std::move(next)](error_code ec, size_t n) {
                             if (c->closed || stopping_) return;
                             if (ec) return Close(c, ReadError(ec));
                             c->handshake_bytes_in += n;
                             next();
                           });
        });
  }

  static std::string ReadError(const error_code& ec) {
    if (ec == asio::error::eof) return "the peer closed the connection";
    return "read failed: " + ec.message();
  }

  // ---- Dialer side -------------------------------------------------------

  void Dial(Peer* peer) {
    if (stopping_ || peer->retired) return;
    peer->resolver.async_resolve(
        peer->endpoint.host, std::to_string(peer->endpoint.port),
        [this, peer](error_code ec, tcp::resolver::results_type results) {
          if (stopping_ || peer->retired) return;
          const std::string where = peer->endpoint.host + ":" + std::to_string(peer->endpoint.port);
          if (ec) {
            Log("cannot resolve \"" + peer->endpoint.name + "\" at " + where + ": " + ec.message());
            return ScheduleReconnect(peer);
          }
          auto c = std::make_shared<Connection>(tcp::socket(io_), Connection::Role::kDialer, peer);
          c->remote = where;
          connections_.insert(c);
          peer->out = c;
          StartDeadline(c);
          asio::async_connect(c->socket, results, [this, c](error_code ec, const tcp::endpoint&) {
            if (c->closed || stopping_) return;
            if (ec) return Close(c, ec.message());
            // Dialing a port in the ephemeral range of this host where nothing
            // listens can pick that very port as the source and connect to
            // itself (TCP simultaneous open, RFC 9293 §3.5): not a peer.
            error_code local_ec;
            error_code remote_ec;
            const tcp::endpoint local = c->socket.local_endpoint(local_ec);
            const tcp::endpoint remote = c->socket.remote_endpoint(remote_ec);
            if (!local_ec && !remote_ec && local == remote) {
              return Close(c, "connected to itself (nothing listens there)");
            }
            c->tcp_connected = true;
            error_code ignored;
            c->socket.set_option(tcp::no_delay(true), ignored);
            crypto_kx_keypair(c->ephemeral_public.data(), c->ephemeral_secret.data());
            c->own_hello = OwnHello(options_.network_id, options_.self_name, c->ephemeral_public);
            WritePlain(c, c->own_hello, [this, c] {
              ReadPlain(c, 1, kHelloBytesMax, [this, c] { DialerOnHello(c); });
            });
          });
        });
  }

  void DialerOnHello(const ConnectionPtr& c) {
    auto hello = DecodeHello(c->read_buffer);
    if (!hello.ok()) return Close(c, hello.status().message());
    if (hello->network_id != options_.network_id) {
      return Close(c, "the acceptor is on another network (its network_id differs from genesis)");
    }
    if (hello->name != c->peer->endpoint.name) {
      return Close(c, "the acceptor says it is \"" + Printable(hello->name) + "\"");
    }
    c->peer_hello = std::move(c->read_buffer);
    c->peer_ephemeral = hello->ephemeral_key;
    const crypto::Signature signature =
        options_.key->Sign(Transcript(kRoleDialer, c->own_hello, c->peer_hello));
    WritePlain(c, AsChars(signature),
               [this, c] { ReadPlain(c, kAuthBytes, kAuthBytes, [this, c] { DialerOnAuth(c); }); });
  }

  void DialerOnAuth(const ConnectionPtr& c) {
    auto signature = crypto::SignatureFromBytes(AsBytes(c->read_buffer));
    FRONTERA_CHECK(signature.ok()) << "ReadPlain returned " << c->read_buffer.size() << " bytes";
    if (!crypto::Verify(c->peer->endpoint.public_key,
                        Transcript(kRoleAcceptor, c->own_hello, c->peer_hello), *signature)) {
      return Close(c, "the acceptor's signature does not verify with the genesis key of \"" +
                          c->peer->endpoint.name + "\"");
    }
    // crypto_kx: the dialer is the client; its tx key is the acceptor's rx key.
    std::array<uint8_t, crypto_kx_SESSIONKEYBYTES> unused_rx{};
    const int kx =
        crypto_kx_client_session_keys(unused_rx.data(), c->key.data(), c->ephemeral_public.data(),
                                      c->ephemeral_secret.data(), c->peer_ephemeral.data());
    sodium_memzero(unused_rx.data(), unused_rx.size());
    if (kx != 0) return Close(c, "the acceptor's ephemeral key is unusable");
    Established(c);
  }

  // Nothing may arrive on an outbound connection: a completed read means the
  // acceptor closed it (or broke the protocol), so reconnect.
  void WatchOutbound(const ConnectionPtr& c) {
    c->socket.async_read_some(asio::buffer(c->watch_byte), [this, c](error_code ec, size_t) {
      if (c->closed || stopping_) return;
      Close(c, ec ? ReadError(ec) : "the acceptor sent data on a send-only connection");
    });
  }

  void ScheduleReconnect(Peer* peer) {
    if (stopping_ || peer->retired) return;
    const uint32_t bound = peer->backoff_ms;
    const uint32_t low = std::max(bound / 2, options_.reconnect_backoff_min_ms);
    std::uniform_int_distribution<uint32_t> jitter(std::min(low, bound), bound);
    const uint32_t delay_ms = jitter(rng_);
    peer->backoff_ms = static_cast<uint32_t>(
        std::min<uint64_t>(uint64_t{bound} * 2, options_.reconnect_backoff_max_ms));
    peer->reconnect_timer.expires_after(std::chrono::milliseconds(delay_ms));
    peer->reconnect_timer.async_wait([this, peer](error_code ec) {
      if (ec || stopping_ || peer->retired) return;
      Dial(peer);
    });
  }

  // Writes a batch of queued frames on the established outbound connection.
  void Pump(Peer* peer) {
    if (stopping_ || peer->retired) return;
    ConnectionPtr c = peer->out;
    if (!c || !c->established || c->writing) return;
    std::vector<std::string> batch;
    {
      MutexLock lock(mu_);
      size_t bytes = 0;
      while (!peer->queue.empty() && batch.size() < kWriteBatchFramesMax &&
             (batch.empty() || bytes + peer->queue.front().size() <= kWriteBatchBytes)) {
        bytes += peer->queue.front().size();
        peer->queue_bytes -= peer->queue.front().size();
        batch.push_back(std::move(peer->queue.front()));
        peer->queue.pop_front();
      }
    }
    if (batch.empty()) return;
    room_cv_.notify_all();  // SendWhenRoom callers wait for exactly this
    size_t total = 0;
    for (const std::string& payload : batch)
      total += kFrameHeaderBytes + payload.size() + kTagBytes;
    if (c->write_buffer.capacity() > kBufferKeepBytes && total <= kBufferKeepBytes) {
      std::string().swap(c->write_buffer);
    }
    c->write_buffer.resize(total);
    auto* out = reinterpret_cast<uint8_t*>(c->write_buffer.data());
    for (const std::string& payload : batch) {
      // The header is the AEAD's associated data: a length or version changed
      // in transit fails the tag like a flipped ciphertext bit does.
      const auto header = EncodeFrameHeader(payload.size());
      std::memcpy(out, header.data(), header.size());
      FRONTERA_CHECK(c->nonce_counter < std::numeric_limits<uint64_t>::max());
      const auto nonce = CounterNonce(c->nonce_counter++);
      unsigned long long sealed_bytes = 0;
      crypto_aead_chacha20poly1305_ietf_encrypt(
          out + kFrameHeaderBytes, &sealed_bytes, reinterpret_cast<const uint8_t*>(payload.data()),
          payload.size(), out, kFrameHeaderBytes, nullptr, nonce.data(), c->key.data());
      out += kFrameHeaderBytes + sealed_bytes;
    }
    c->writing = true;
    asio::async_write(c->socket, asio::buffer(c->write_buffer),
                      [this, peer, c, frames = batch.size()](error_code ec, size_t) {
                        c->writing = false;
                        if (ec) {
                          {
                            MutexLock lock(mu_);
                            peer->frames_dropped += frames;
                          }
                          return Close(c, "write failed: " + ec.message());
                        }
                        {
                          MutexLock lock(mu_);
                          peer->frames_sent += frames;
                        }
                        Pump(peer);
                      });
  }

  // ---- Acceptor side -----------------------------------------------------

  void Accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (stopping_) return;
      if (ec) {
        // Out of descriptors and the like: try again shortly rather than spin.
        Log("accept failed: " + ec.message());
        accept_retry_timer_.expires_after(kAcceptRetryDelay);
        accept_retry_timer_.async_wait([this](error_code ec) {
          if (!ec && !stopping_) Accept();
        });
        return;
      }
      OnAccepted(std::move(socket));
      Accept();
    });
  }

  void OnAccepted(tcp::socket socket) {
    error_code ec;
    const tcp::endpoint endpoint = socket.remote_endpoint(ec);
    if (ec) {
      // Gone before we looked (reset by the remote): nothing to admit.
      ++connections_refused_;
      socket.close(ec);
      return;
    }
    const asio::ip::address address = endpoint.address();
    // A full cap evicts the least advanced handshake rather than refusing
    // the newcomer, which may be the validator that the others lock out.
    size_t from_address = 0;
    for (const ConnectionPtr& other : connections_) {
      if (other->counted_handshaking && other->remote_address == address) ++from_address;
    }
    if (from_address >= options_.inbound_handshakes_per_address_max) {
      Evict(LeastAdvancedHandshake(&address),
            "evicted: inbound_handshakes_per_address_max (" +
                std::to_string(options_.inbound_handshakes_per_address_max) +
                ") unauthenticated connections from " + address.to_string());
    } else if (inbound_handshaking_ >= options_.inbound_handshakes_max) {
      Evict(LeastAdvancedHandshake(nullptr), "evicted: inbound_handshakes_max (" +
                                                 std::to_string(options_.inbound_handshakes_max) +
                                                 ") unauthenticated connections");
    }
    const std::string remote = address.to_string() + ":" + std::to_string(endpoint.port());
    auto c = std::make_shared<Connection>(std::move(socket), Connection::Role::kAcceptor, nullptr);
    c->remote = remote;
    c->remote_address = address;
    c->accept_sequence = ++accept_sequence_;
    c->tcp_connected = true;
    c->counted_handshaking = true;
    ++inbound_handshaking_;
    connections_.insert(c);
    error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    StartDeadline(c);
    ReadPlain(c, 1, kHelloBytesMax, [this, c] { AcceptorOnHello(c); });
  }

  // The unauthenticated inbound connection (from `address` when non-null)
  // with the fewest handshake bytes in, read or waiting in the kernel (an
  // honest dialer's bytes arrive in its first round trip); the oldest among
  // equals. REQUIRES: there is one.
  ConnectionPtr LeastAdvancedHandshake(const asio::ip::address* address) {
    ConnectionPtr victim;
    uint64_t victim_bytes = 0;
    for (const ConnectionPtr& c : connections_) {
      if (!c->counted_handshaking || (address != nullptr && c->remote_address != *address)) {
        continue;
      }
      error_code ec;
      const size_t waiting = c->socket.available(ec);
      const uint64_t bytes = c->handshake_bytes_in + (ec ? 0 : waiting);
      if (!victim || bytes < victim_bytes ||
          (bytes == victim_bytes && c->accept_sequence < victim->accept_sequence)) {
        victim = c;
        victim_bytes = bytes;
      }
    }
    FRONTERA_CHECK(victim != nullptr) << "a full admission cap with no handshake to evict";
    return victim;
  }

  void Evict(const ConnectionPtr& c, const std::string& reason) {
    c->evicted = true;
    Close(c, reason);
  }

  void AcceptorOnHello(const ConnectionPtr& c) {
    auto hello = DecodeHello(c->read_buffer);
    if (!hello.ok()) return Close(c, hello.status().message());
    if (hello->name == options_.self_name) {
      return Close(c, "the dialer claims this validator's own name");
    }
    Peer* peer = nullptr;
    {
      MutexLock lock(mu_);
      auto it = by_name_.find(hello->name);
      if (it != by_name_.end()) peer = it->second;
    }
    // Looked up in the current peer set: a validator removed by SetPeers is
    // unknown from then on.
    if (peer == nullptr) {
      return Close(c, "unknown validator name \"" + Printable(hello->name) + "\"");
    }
    // From here failures count against the validator the dialer claims to be;
    // it is authenticated only by its signature below.
    c->peer = peer;
    if (hello->network_id != options_.network_id) {
      return Close(c, "the dialer is on another network (its network_id differs from genesis)");
    }
    c->peer_hello = std::move(c->read_buffer);
    c->peer_ephemeral = hello->ephemeral_key;
    crypto_kx_keypair(c->ephemeral_public.data(), c->ephemeral_secret.data());
    c->own_hello = OwnHello(options_.network_id, options_.self_name, c->ephemeral_public);
    WritePlain(c, c->own_hello, [this, c] {
      ReadPlain(c, kAuthBytes, kAuthBytes, [this, c] { AcceptorOnAuth(c); });
    });
  }

  void AcceptorOnAuth(const ConnectionPtr& c) {
    auto signature = crypto::SignatureFromBytes(AsBytes(c->read_buffer));
    FRONTERA_CHECK(signature.ok()) << "ReadPlain returned " << c->read_buffer.size() << " bytes";
    if (!crypto::Verify(c->peer->endpoint.public_key,
                        Transcript(kRoleDialer, c->peer_hello, c->own_hello), *signature)) {
      return Close(c, "the dialer's signature does not verify with the genesis key of \"" +
                          c->peer->endpoint.name + "\"");
    }
    // crypto_kx: the acceptor is the server; its rx key is the dialer's tx key.
    std::array<uint8_t, crypto_kx_SESSIONKEYBYTES> unused_tx{};
    const int kx =
        crypto_kx_server_session_keys(c->key.data(), unused_tx.data(), c->ephemeral_public.data(),
                                      c->ephemeral_secret.data(), c->peer_ephemeral.data());
    sodium_memzero(unused_tx.data(), unused_tx.size());
    if (kx != 0) return Close(c, "the dialer's ephemeral key is unusable");
    // Only an authenticated dialer gets the acceptor's signature.
    const crypto::Signature signature_out =
        options_.key->Sign(Transcript(kRoleAcceptor, c->peer_hello, c->own_hello));
    WritePlain(c, AsChars(signature_out), [this, c] { Established(c); });
  }

  void Established(const ConnectionPtr& c) {
    c->established = true;
    c->timer.cancel();
    sodium_memzero(c->ephemeral_secret.data(), c->ephemeral_secret.size());
    c->own_hello.clear();
    c->peer_hello.clear();
    Peer* peer = c->peer;
    Log("connected " + Who(*c));
    if (c->role == Connection::Role::kDialer) {
      peer->backoff_ms = options_.reconnect_backoff_min_ms;
      {
        MutexLock lock(mu_);
        peer->connected_out = true;
      }
      WatchOutbound(c);
      Pump(peer);
      return;
    }
    c->counted_handshaking = false;
    --inbound_handshaking_;
    // The validator dialed again, so its previous connection is dead.
    if (peer->in && peer->in != c) Close(peer->in, "replaced by a newer connection");
    peer->in = c;
    {
      MutexLock lock(mu_);
      peer->connected_in = true;
    }
    ReadFrame(c);
  }

  void Reject(const ConnectionPtr& c, const std::string& reason) {
    {
      MutexLock lock(mu_);
      ++c->peer->frames_rejected;
    }
    Close(c, reason);
  }

  void ReadFrame(const ConnectionPtr& c) {
    if (c->closed || stopping_) return;
    asio::async_read(c->socket, asio::buffer(c->header), [this, c](error_code ec, size_t) {
      if (c->closed || stopping_) return;
      if (ec) return Close(c, ReadError(ec));
      // Checked before allocating: a peer cannot make us reserve more than
      // frame_bytes_max + overhead.
      auto header = DecodeFrameHeader(AsChars(c->header), options_.frame_bytes_max);
      if (!header.ok()) return Reject(c, header.status().message());
      const size_t length = header->length;
      if (c->read_buffer.capacity() > kBufferKeepBytes && length <= kBufferKeepBytes) {
        std::string().swap(c->read_buffer);
      }
      c->read_buffer.resize(length - 1);
      asio::async_read(c->socket, asio::buffer(c->read_buffer), [this, c](error_code ec, size_t) {
        if (c->closed || stopping_) return;
        if (ec) return Close(c, ReadError(ec));
        std::string payload(c->read_buffer.size() - kTagBytes, '\0');
        FRONTERA_CHECK(c->nonce_counter < std::numeric_limits<uint64_t>::max());
        const auto nonce = CounterNonce(c->nonce_counter);
        unsigned long long opened_bytes = 0;
        // RFC 8439 §2.8: the Poly1305 tag authenticates header and ciphertext;
        // any bit flipped in transit fails here, and the stream is then of
        // no further use (its nonce sequence is broken), so close it.
        if (crypto_aead_chacha20poly1305_ietf_decrypt(
                reinterpret_cast<uint8_t*>(payload.data()), &opened_bytes, nullptr,
                reinterpret_cast<const uint8_t*>(c->read_buffer.data()), c->read_buffer.size(),
                c->header.data(), c->header.size(), nonce.data(), c->key.data()) != 0) {
          return Reject(c, "frame failed authentication (corrupted or tampered in transit)");
        }
        ++c->nonce_counter;
        Peer* peer = c->peer;
        {
          MutexLock lock(mu_);
          ++peer->frames_received;
          peer->last_received = SteadyClock::now();
        }
        handler_(peer->endpoint.id, std::move(payload));
        ReadFrame(c);
      });
    });
  }

  const PeerTransportOptions options_;
  const Handler handler_;
  asio::io_context io_{1};  // declared first: destroyed after everything using it
  tcp::acceptor acceptor_{io_};
  asio::steady_timer accept_retry_timer_{io_};
  uint16_t port_ = 0;  // set by Listen, then constant

  // The current peer set: changed only on the io thread (SetPeers), under
  // mu_; read under mu_ from any thread.
  std::vector<std::unique_ptr<Peer>> peers_ GUARDED_BY(mu_);  // in SetPeers order
  std::unordered_map<uint64_t, Peer*> by_id_ GUARDED_BY(mu_);
  std::unordered_map<std::string, Peer*> by_name_ GUARDED_BY(mu_);

  // io thread only:
  // Peers removed by SetPeers, destroyed with the transport (after the io
  // thread is joined): a few hundred bytes each, and membership changes are
  // rare, whereas knowing when the last handler of a Peer has run would need
  // every handler to own it.
  std::vector<std::unique_ptr<Peer>> retired_;
  std::set<ConnectionPtr> connections_;  // every open connection
  size_t inbound_handshaking_ = 0;       // ≤ options_.inbound_handshakes_max
  uint64_t accept_sequence_ = 0;         // inbound connections accepted so far
  SteadyClock::time_point last_anonymous_log_{};
  uint64_t anonymous_logs_suppressed_ = 0;
  std::mt19937_64 rng_;  // reconnect jitter

  mutable Mutex mu_;                             // guards the peer set and Peer's guarded fields
  std::condition_variable room_cv_;              // with mu_: a queue shrank, or stopping_
  std::atomic<bool> stopping_{false};            // written under mu_; set once
  std::atomic<std::thread::id> io_thread_id_{};  // set by the io thread as it starts
  std::atomic<uint64_t> anonymous_failures_{0};
  std::atomic<uint64_t> connections_refused_{0};
  std::atomic<uint64_t> connections_evicted_{0};
  Mutex stop_mu_;  // serialises Stop and SetPeers; taken before mu_
  std::thread thread_;
};

Result<std::unique_ptr<PeerTransport>> PeerTransport::Start(PeerTransportOptions options,
                                                            Handler handler) {
  FRONTERA_RETURN_IF_ERROR(options.Validate());
  if (!handler) return Status::InvalidArgument("peer transport: a Handler is required");
  crypto::InitCrypto();
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  FRONTERA_RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<PeerTransport>(new PeerTransport(std::move(impl)));
}

PeerTransport::PeerTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PeerTransport::~PeerTransport() { Stop(); }
uint16_t PeerTransport::listen_port() const { return impl_->listen_port(); }
bool PeerTransport::Send(uint64_t to_id, std::string payload) {
  return impl_->Send(to_id, std::move(payload));
}
bool PeerTransport::SendWhenRoom(uint64_t to_id, std::string payload,
                                 std::chrono::milliseconds timeout) {
  return impl_->SendWhenRoom(to_id, std::move(payload), timeout);
}
std::vector<PeerTransport::PeerState> PeerTransport::Peers() const { return impl_->Peers(); }
Status PeerTransport::SetPeers(std::vector<PeerEndpoint> peers) {
  return impl_->SetPeers(std::move(peers));
}
uint64_t PeerTransport::anonymous_handshake_failures() const {
  return impl_->anonymous_handshake_failures();
}
uint64_t PeerTransport::connections_refused() const { return impl_->connections_refused(); }
uint64_t PeerTransport::connections_evicted() const { return impl_->connections_evicted(); }
void PeerTransport::Stop() { impl_->Stop(); }

}  // namespace frontera::node
