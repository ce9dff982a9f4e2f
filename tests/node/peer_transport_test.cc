// Peer transport over loopback: validators exchange ordered payloads; a
// stranger, an impostor or another network is refused; oversized, corrupted
// or garbage input closes the connection without harm; links recover.
#include "node/peer_transport.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/sha256.h"

namespace frontera::node {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Polls `condition` until it holds or `timeout` passes; true if it held.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = 10000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A loopback port nobody listens on right now, outside the ephemeral range:
// otherwise another transport's outbound connection may take it as its source
// port before the transport meant to listen there has started.
uint16_t FreePort() {
  unsigned ephemeral_low = 32768;
  unsigned ephemeral_high = 60999;
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  range >> ephemeral_low >> ephemeral_high;
  const bool below = ephemeral_low > 12000;
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<unsigned> pick(below ? 10000 : ephemeral_high + 1,
                                               below ? ephemeral_low - 1 : 65535);
  asio::io_context io;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const auto port = static_cast<uint16_t>(pick(rng));
    tcp::acceptor acceptor(io);
    boost::system::error_code ec;
    acceptor.open(tcp::v4(), ec);
    if (!ec) acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    if (!ec) return port;
  }
  FAIL("no free loopback port outside the ephemeral range");
  return 0;
}

// What one transport's Handler received.
class Inbox {
 public:
  PeerTransport::Handler Handler() {
    return [this](uint64_t from, std::string payload) {
      std::lock_guard<std::mutex> lock(mu_);
      messages_.emplace_back(from, std::move(payload));
    };
  }
  std::vector<std::pair<uint64_t, std::string>> Messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_.size();
  }
  bool Contains(const std::string& payload) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [from, p] : messages_) {
      if (p == payload) return true;
    }
    return false;
  }
  // Payloads from `from`, in arrival order.
  std::vector<std::string> From(uint64_t from) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [f, p] : messages_) {
      if (f == from) out.push_back(p);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<uint64_t, std::string>> messages_;
};

// Three validators' identities and reserved loopback ports.
struct Network {
  Network() {
    for (int i = 0; i < 3; ++i) {
      keys.push_back(crypto::KeyPair::Generate());
      ports.push_back(FreePort());
    }
  }
  crypto::Sha256Digest network_id = crypto::Sha256(std::string_view("frontera test network"));
  std::vector<std::string> names = {"us-cbp", "mx-anam", "ca-cbsa"};
  std::vector<crypto::KeyPair> keys;
  std::vector<uint16_t> ports;

  static uint64_t Id(size_t index) { return index + 1; }
  PeerEndpoint Endpoint(size_t index) const {
    return PeerEndpoint{Id(index), names[index], "127.0.0.1", ports[index],
                        keys[index].public_key()};
  }
  std::vector<PeerEndpoint> Endpoints(std::initializer_list<size_t> indexes) const {
    std::vector<PeerEndpoint> out;
    for (size_t index : indexes) out.push_back(Endpoint(index));
    return out;
  }
  PeerTransportOptions Options(size_t self) const {
    PeerTransportOptions o;
    o.self_id = Id(self);
    o.self_name = names[self];
    o.key = &keys[self];
    o.network_id = network_id;
    o.listen_port = ports[self];
    o.reconnect_backoff_min_ms = 5;
    o.reconnect_backoff_max_ms = 100;
    o.handshake_timeout_ms = 2000;
    for (size_t j = 0; j < names.size(); ++j) {
      if (j != self) o.peers.push_back(Endpoint(j));
    }
    return o;
  }
};

std::unique_ptr<PeerTransport> MustStart(PeerTransportOptions options,
                                         PeerTransport::Handler handler) {
  auto t = PeerTransport::Start(std::move(options), std::move(handler));
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  return std::move(t).value();
}

PeerTransport::PeerState StateOf(const PeerTransport& t, uint64_t id) {
  for (const auto& s : t.Peers()) {
    if (s.id == id) return s;
  }
  FAIL("no peer " << id);
  return {};
}

bool Linked(const PeerTransport& from, uint64_t from_id, const PeerTransport& to, uint64_t to_id) {
  return StateOf(from, to_id).connected_out && StateOf(to, from_id).connected_in;
}

// Sends numbered probes from `from` to `to_id` until `inbox` holds one: after
// a connection was reset, frames written to the dead socket may be lost.
bool ProbeUntilDelivered(PeerTransport& from, uint64_t to_id, const Inbox& inbox,
                         const std::string& prefix) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (int k = 0; std::chrono::steady_clock::now() < deadline; ++k) {
    const std::string probe = prefix + std::to_string(k);
    from.Send(to_id, probe);
    if (WaitUntil([&] { return inbox.Contains(probe); }, 100ms)) return true;
  }
  return false;
}

TEST_CASE("EncodeHello and DecodeHello round trip; DecodeHello refuses malformed hellos") {
  Hello hello;
  hello.network_id = crypto::Sha256(std::string_view("net"));
  hello.name = "us-cbp";
  for (size_t i = 0; i < 32; ++i) hello.ephemeral_key[i] = static_cast<uint8_t>(i * 7);
  const std::string body = EncodeHello(hello);
  CHECK(body.size() == kHelloFixedBytes + 6);
  CHECK(body.substr(0, 13) == "FRONTERA-PEER");
  auto decoded = DecodeHello(body);
  REQUIRE(decoded.ok());
  CHECK(decoded->version == kPeerProtocolVersion);
  CHECK(decoded->network_id == hello.network_id);
  CHECK(decoded->name == "us-cbp");
  CHECK(decoded->ephemeral_key == hello.ephemeral_key);

  hello.name = std::string(kPeerNameBytesMax, 'n');
  CHECK(DecodeHello(EncodeHello(hello)).ok());
  CHECK(EncodeHello(hello).size() <= kHelloBytesMax);

  CHECK_FALSE(DecodeHello("").ok());
  CHECK_FALSE(DecodeHello(body.substr(0, kHelloFixedBytes - 1)).ok());
  std::string bad = body;
  bad[0] = 'G';
  CHECK(DecodeHello(bad).status().message().find("not a FRONTERA-PEER hello") != std::string::npos);
  bad = body;
  bad[14] = 2;  // version 2
  CHECK(DecodeHello(bad).status().message() ==
        "the peer speaks peer protocol version 2; this node speaks version 1 (fronterad "
        "--version prints it)");
  bad = body;
  bad[13 + 2 + 32] = 7;  // name length 7, body holds 6
  CHECK(DecodeHello(bad).status().message().find("name length") != std::string::npos);
  bad[13 + 2 + 32] = 0;
  CHECK_FALSE(DecodeHello(bad).ok());
  CHECK_FALSE(DecodeHello(body + "x").ok());
}

TEST_CASE("DecodeFrameHeader checks length and version before anything is read") {
  const auto header = EncodeFrameHeader(100);
  const std::string five(reinterpret_cast<const char*>(header.data()), header.size());
  auto decoded = DecodeFrameHeader(five, 1024);
  REQUIRE(decoded.ok());
  CHECK(decoded->length == 100 + kFrameOverheadBytes);
  CHECK(decoded->version == kPeerFrameVersion);

  CHECK(DecodeFrameHeader(five, 99).status().message().find("exceeds frame_bytes_max 99") !=
        std::string::npos);
  CHECK(DecodeFrameHeader(five, 100).ok());
  CHECK_FALSE(DecodeFrameHeader(five.substr(0, 4), 1024).ok());
  CHECK_FALSE(DecodeFrameHeader(five + "x", 1024).ok());
  CHECK(DecodeFrameHeader(std::string("\0\0\0\x10\x01", 5), 1024)
            .status()
            .message()
            .find("shorter than its tag") != std::string::npos);
  CHECK(DecodeFrameHeader(std::string("\0\0\0\x11\x01", 5), 1024).ok());  // empty payload
  CHECK(DecodeFrameHeader(std::string("\0\0\0\x20\x02", 5), 1024)
            .status()
            .message()
            .find("unknown frame version 2") != std::string::npos);
  CHECK_FALSE(DecodeFrameHeader(std::string("\xff\xff\xff\xff\x01", 5), 1 << 30).ok());
}

TEST_CASE("three validators exchange payloads both ways, in order per pair") {
  Network net;
  Inbox inbox[3];
  std::unique_ptr<PeerTransport> t[3];
  for (size_t i = 0; i < 3; ++i) t[i] = MustStart(net.Options(i), inbox[i].Handler());
  for (size_t i = 0; i < 3; ++i) CHECK(t[i]->listen_port() == net.ports[i]);

  constexpr int kMessages = 300;
  for (int k = 0; k < kMessages; ++k) {
    for (size_t i = 0; i < 3; ++i) {
      for (size_t j = 0; j < 3; ++j) {
        if (i == j) continue;
        REQUIRE(t[i]->Send(Network::Id(j),
                           std::to_string(i) + ">" + std::to_string(j) + "#" + std::to_string(k)));
      }
    }
  }
  for (size_t j = 0; j < 3; ++j) {
    REQUIRE(WaitUntil([&] { return inbox[j].size() == 2 * kMessages; }));
  }
  for (size_t j = 0; j < 3; ++j) {
    for (size_t i = 0; i < 3; ++i) {
      if (i == j) continue;
      std::vector<std::string> got = inbox[j].From(Network::Id(i));
      REQUIRE(got.size() == kMessages);
      for (int k = 0; k < kMessages; ++k) {
        CHECK(got[k] == std::to_string(i) + ">" + std::to_string(j) + "#" + std::to_string(k));
      }
    }
  }

  SUBCASE("an 8 MiB payload arrives intact") {
    std::string big(8 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
    REQUIRE(t[0]->Send(Network::Id(2), big));
    REQUIRE(t[0]->Send(Network::Id(2), "after the big one"));
    REQUIRE(WaitUntil([&] { return inbox[2].size() == 2 * kMessages + 2; }));
    auto from_us = inbox[2].From(Network::Id(0));
    CHECK(from_us[kMessages] == big);
    CHECK(from_us[kMessages + 1] == "after the big one");
  }

  SUBCASE("counters describe the traffic") {
    auto us = t[0]->Peers();
    REQUIRE(us.size() == 2);
    CHECK(us[0].name == "mx-anam");
    CHECK(us[1].name == "ca-cbsa");
    // The sender counts a frame once its write completes, which may be
    // after the receiver already has it.
    REQUIRE(WaitUntil([&] {
      for (const auto& s : t[0]->Peers()) {
        if (s.frames_sent != kMessages) return false;
      }
      return true;
    }));
    us = t[0]->Peers();
    for (const auto& s : us) {
      CHECK(s.connected_out);
      CHECK(s.connected_in);
      CHECK(s.frames_sent == kMessages);
      CHECK(s.frames_received == kMessages);
      CHECK(s.frames_queued == 0);
      CHECK(s.frames_dropped == 0);
      CHECK(s.frames_rejected == 0);
      CHECK(s.handshake_failures == 0);
      CHECK(s.last_received_ms_ago >= 0);
    }
  }
}

TEST_CASE("an impostor, a stranger and another network are refused") {
  Network net;
  Inbox inbox_us;
  std::mutex log_mu;
  std::vector<std::string> log;
  PeerTransportOptions us_options = net.Options(0);
  us_options.log = [&](std::string_view line) {
    std::lock_guard<std::mutex> lock(log_mu);
    log.emplace_back(line);
  };
  auto us = MustStart(us_options, inbox_us.Handler());
  const crypto::KeyPair stranger_key = crypto::KeyPair::Generate();

  // A dialer that claims `name` with `key` on `network_id`, knowing only us.
  auto start_dialer = [&](const std::string& name, const crypto::KeyPair& key,
                          const crypto::Sha256Digest& network_id, Inbox& inbox) {
    PeerTransportOptions o;
    o.self_id = 99;
    o.self_name = name;
    o.key = &key;
    o.network_id = network_id;
    o.reconnect_backoff_min_ms = 5;
    o.reconnect_backoff_max_ms = 50;
    o.peers.push_back(net.Endpoint(0));
    return MustStart(o, inbox.Handler());
  };
  auto failures_for = [&](size_t index) {
    return StateOf(*us, Network::Id(index)).handshake_failures;
  };

  SUBCASE("a key that does not match the claimed name") {
    Inbox inbox;
    auto impostor = start_dialer("mx-anam", stranger_key, net.network_id, inbox);
    CHECK(impostor->Send(Network::Id(0), "forged"));
    REQUIRE(WaitUntil([&] { return failures_for(1) >= 2; }));
    // The impostor sees its handshakes fail too (we close on it).
    REQUIRE(WaitUntil([&] { return StateOf(*impostor, Network::Id(0)).handshake_failures >= 1; }));
    CHECK_FALSE(StateOf(*impostor, Network::Id(0)).connected_out);
    CHECK_FALSE(StateOf(*us, Network::Id(1)).connected_in);
    std::lock_guard<std::mutex> lock(log_mu);
    bool logged = false;
    for (const auto& line : log) {
      logged = logged || line.find("signature does not verify") != std::string::npos;
    }
    CHECK(logged);
  }
  SUBCASE("an unknown validator name") {
    Inbox inbox;
    auto stranger = start_dialer("xx-nobody", stranger_key, net.network_id, inbox);
    CHECK(stranger->Send(Network::Id(0), "hello from nobody"));
    REQUIRE(WaitUntil([&] { return us->anonymous_handshake_failures() >= 2; }));
    CHECK(failures_for(1) == 0);
    CHECK(failures_for(2) == 0);
  }
  SUBCASE("the right key on another network") {
    Inbox inbox;
    const auto other_network = crypto::Sha256(std::string_view("another network"));
    auto foreigner = start_dialer("mx-anam", net.keys[1], other_network, inbox);
    CHECK(foreigner->Send(Network::Id(0), "from another network"));
    REQUIRE(WaitUntil([&] { return failures_for(1) >= 2; }));
    CHECK_FALSE(StateOf(*us, Network::Id(1)).connected_in);
  }
  SUBCASE("an acceptor that is not the validator we dialed") {
    // Listening on ca-cbsa's port, it answers as ca-cbsa with a wrong key.
    PeerTransportOptions o;
    o.self_id = Network::Id(2);
    o.self_name = "ca-cbsa";
    o.key = &stranger_key;
    o.network_id = net.network_id;
    o.listen_port = net.ports[2];
    o.peers.push_back(net.Endpoint(0));
    o.peers[0].port = FreePort();  // it does not dial us back
    Inbox inbox;
    auto impostor = MustStart(o, inbox.Handler());
    CHECK(us->Send(Network::Id(2), "for ca-cbsa only"));
    REQUIRE(WaitUntil([&] { return failures_for(2) >= 2; }));
    CHECK_FALSE(StateOf(*us, Network::Id(2)).connected_out);
    CHECK(StateOf(*us, Network::Id(2)).frames_sent == 0);
    CHECK(inbox.size() == 0);
  }
  CHECK(inbox_us.size() == 0);
  for (const auto& s : us->Peers()) CHECK(s.frames_received == 0);
}

TEST_CASE("a frame over frame_bytes_max is refused; the sender reconnects and small frames flow") {
  Network net;
  Inbox inbox[2];
  PeerTransportOptions sender = net.Options(0);
  sender.frame_bytes_max = 4 << 20;
  PeerTransportOptions receiver = net.Options(1);
  receiver.frame_bytes_max = 1 << 20;
  auto a = MustStart(sender, inbox[0].Handler());
  auto b = MustStart(receiver, inbox[1].Handler());
  REQUIRE(WaitUntil([&] { return Linked(*a, Network::Id(0), *b, Network::Id(1)); }));

  const std::string too_big((1 << 20) + 1, 'x');
  REQUIRE(a->Send(Network::Id(1), too_big));
  REQUIRE(WaitUntil([&] { return StateOf(*b, Network::Id(0)).frames_rejected == 1; }));
  CHECK(ProbeUntilDelivered(*a, Network::Id(1), inbox[1], "small-"));
  for (const auto& [from, payload] : inbox[1].Messages()) CHECK(payload.size() < too_big.size());
  // A payload larger than the sender's own limit is never queued.
  CHECK_FALSE(a->Send(Network::Id(1), std::string((4 << 20) + 1, 'y')));
}

// Opens a raw TCP connection to `port`, writes `bytes`, and reports whether
// the node closed it (read hits EOF or a reset) within 5 s.
bool RawClientIsDropped(uint16_t port, const std::string& bytes) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  boost::system::error_code ec;
  if (!bytes.empty()) asio::write(socket, asio::buffer(bytes), ec);
  // Plain recv with SO_RCVTIMEO: Asio's blocking read would wait past it.
  const int fd = socket.native_handle();
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::array<char, 256> buffer;
  for (;;) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
    if (n < 0) return false;  // timed out: still open
  }
}

TEST_CASE("raw TCP clients sending garbage are dropped and the node keeps working") {
  Network net;
  Inbox inbox[2];
  PeerTransportOptions a_options = net.Options(0);
  a_options.handshake_timeout_ms = 200;
  auto a = MustStart(a_options, inbox[0].Handler());
  auto b = MustStart(net.Options(1), inbox[1].Handler());

  // "GET " read as a length is far beyond kHelloBytesMax.
  CHECK(RawClientIsDropped(a->listen_port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  // A well-formed length with a body that is not a hello.
  std::string not_hello = std::string("\0\0\0\x28", 4) + std::string(40, '\x5a');
  CHECK(RawClientIsDropped(a->listen_port(), not_hello));
  // Silence: dropped at the handshake deadline.
  CHECK(RawClientIsDropped(a->listen_port(), ""));
  CHECK(WaitUntil([&] { return a->anonymous_handshake_failures() == 3; }));

  REQUIRE(a->Send(Network::Id(1), "still here"));
  REQUIRE(b->Send(Network::Id(0), "so am I"));
  CHECK(WaitUntil([&] { return inbox[1].Contains("still here") && inbox[0].Contains("so am I"); }));
}

TEST_CASE("a dialer of another peer protocol version is refused, and the log says both versions") {
  Network net;
  std::mutex log_mu;
  std::vector<std::string> log;
  PeerTransportOptions a_options = net.Options(0);
  a_options.log = [&](std::string_view line) {
    std::lock_guard<std::mutex> lock(log_mu);
    log.emplace_back(line);
  };
  Inbox inbox;
  auto a = MustStart(a_options, inbox.Handler());
  // A validator of a later release: its hello is well formed but of version 2.
  Hello hello;
  hello.version = kPeerProtocolVersion + 1;
  hello.network_id = net.network_id;
  hello.name = "mx-anam";
  const std::string body = EncodeHello(hello);
  const uint32_t n = static_cast<uint32_t>(body.size());
  const std::string frame = std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                                        static_cast<char>(n >> 8), static_cast<char>(n)} +
                            body;
  CHECK(RawClientIsDropped(a->listen_port(), frame));
  CHECK(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(log_mu);
    for (const auto& line : log) {
      if (line.find("handshake") != std::string::npos &&
          line.find("failed: the peer speaks peer protocol version 2; this node speaks version "
                    "1") != std::string::npos) {
        return true;
      }
    }
    return false;
  }));
}

// An idle raw TCP connection from `source` (any 127/8 address) to `port`.
std::unique_ptr<tcp::socket> RawConnect(asio::io_context& io, uint16_t port,
                                        const char* source = "127.0.0.1") {
  auto socket = std::make_unique<tcp::socket>(io);
  socket->open(tcp::v4());
  socket->bind(tcp::endpoint(asio::ip::make_address(source), 0));
  socket->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return socket;
}

// Whether the other end has closed `socket`, without waiting.
bool ClosedByPeer(tcp::socket& socket) {
  char byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// An outsider that keeps `held` idle connections from 127.0.0.1 open to each
// target port: every `every` it replaces those the node closed at once, and
// renews each before `renew_after` (so before the handshake deadline).
class IdleFlood {
 public:
  IdleFlood(size_t held, std::chrono::microseconds every, std::chrono::milliseconds renew_after)
      : held_(held), every_(every), renew_after_(renew_after) {
    thread_ = std::thread([this] { Run(); });
  }
  ~IdleFlood() {
    stop_ = true;
    thread_.join();
  }
  void Target(uint16_t port) {
    std::lock_guard<std::mutex> lock(mu_);
    ports_.push_back(port);
  }
  uint64_t opened() const { return opened_; }

 private:
  struct Held {
    std::unique_ptr<tcp::socket> socket;
    std::chrono::steady_clock::time_point opened;
  };

  void Run() {
    asio::io_context io;
    std::map<uint16_t, std::vector<Held>> held;
    auto next = std::chrono::steady_clock::now();
    while (!stop_) {
      std::vector<uint16_t> ports;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ports = ports_;
      }
      const auto now = std::chrono::steady_clock::now();
      for (uint16_t port : ports) {
        std::vector<Held>& sockets = held[port];
        sockets.resize(held_);
        for (Held& h : sockets) {
          if (h.socket && !ClosedByPeer(*h.socket) && now - h.opened < renew_after_) continue;
          h.socket.reset();  // closes it first: the attacker renews, it does not add
          auto socket = std::make_unique<tcp::socket>(io);
          boost::system::error_code ec;
          socket->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
          if (ec) continue;
          ++opened_;
          h = Held{std::move(socket), now};
        }
      }
      // A pace, not a synchronisation: how often the attacker looks.
      next += every_;
      std::this_thread::sleep_until(next);
    }
  }

  const size_t held_;
  const std::chrono::microseconds every_;
  const std::chrono::milliseconds renew_after_;
  std::mutex mu_;
  std::vector<uint16_t> ports_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> opened_{0};
  std::thread thread_;
};

TEST_CASE("the default handshake deadline is short") {
  CHECK(PeerTransportOptions{}.handshake_timeout_ms <= 2000);
  CHECK(PeerTransportOptions{}.inbound_handshakes_per_address_max <=
        PeerTransportOptions{}.inbound_handshakes_max);
}

TEST_CASE("validators connect and exchange frames through a renewed flood of idle connections") {
  Network net;
  Inbox inbox[2];
  // More idle connections than the global cap, each renewed long before the
  // handshake deadline, all from the validators' own address.
  IdleFlood flood(/*held=*/100, /*every=*/1ms, /*renew_after=*/1500ms);
  auto a = MustStart(net.Options(0), inbox[0].Handler());
  flood.Target(a->listen_port());
  REQUIRE(WaitUntil([&] { return a->connections_evicted() >= 50; }));
  auto b = MustStart(net.Options(1), inbox[1].Handler());
  flood.Target(b->listen_port());
  REQUIRE(WaitUntil([&] { return b->connections_evicted() >= 50; }));

  // b dialed a while a's listener was flooded since long before.
  REQUIRE(WaitUntil([&] { return Linked(*b, Network::Id(1), *a, Network::Id(0)); }, 10000ms));
  REQUIRE(WaitUntil([&] { return Linked(*a, Network::Id(0), *b, Network::Id(1)); }, 10000ms));
  CHECK(ProbeUntilDelivered(*a, Network::Id(1), inbox[1], "a>b "));
  CHECK(ProbeUntilDelivered(*b, Network::Id(0), inbox[0], "b>a "));
  CHECK(flood.opened() > 100);
  // The flood never named a validator, so no validator is charged for it.
  CHECK(StateOf(*a, Network::Id(1)).frames_rejected == 0);
}

TEST_CASE("a full per-address cap evicts that address's least advanced handshake") {
  Network net;
  Inbox inbox;
  PeerTransportOptions o = net.Options(0);
  o.peers.clear();
  o.handshake_timeout_ms = 60000;  // nothing here may end by the deadline
  o.inbound_handshakes_max = 8;
  o.inbound_handshakes_per_address_max = 3;
  auto a = MustStart(o, inbox.Handler());
  asio::io_context io;

  // A dialer that has sent part of its hello has shown progress.
  auto started = RawConnect(io, a->listen_port());
  asio::write(*started, asio::buffer(std::string("\0\0\0\x60"
                                                 "FRONTERA",
                                                 12)));
  auto other_address = RawConnect(io, a->listen_port(), "127.0.0.2");
  std::vector<std::unique_ptr<tcp::socket>> idle;
  for (int i = 0; i < 10; ++i) idle.push_back(RawConnect(io, a->listen_port()));
  // 127.0.0.1 holds 3 slots: `started` and the two newest idle ones.
  REQUIRE(WaitUntil([&] { return a->connections_evicted() == 8; }));
  CHECK_FALSE(ClosedByPeer(*started));
  CHECK_FALSE(ClosedByPeer(*other_address));
  for (int i = 0; i < 8; ++i) CHECK(ClosedByPeer(*idle[i]));
  CHECK_FALSE(ClosedByPeer(*idle[8]));
  CHECK_FALSE(ClosedByPeer(*idle[9]));
  CHECK(a->connections_refused() == 0);

  SUBCASE("a full global cap evicts the oldest idle handshake of any address") {
    // 4 open now; 4 more from new addresses fill the cap of 8, then 2 more
    // evict the two oldest idle ones: other_address, then idle[8].
    std::vector<std::unique_ptr<tcp::socket>> more;
    const char* sources[] = {"127.0.0.3", "127.0.0.4", "127.0.0.5",
                             "127.0.0.6", "127.0.0.7", "127.0.0.8"};
    for (const char* source : sources) more.push_back(RawConnect(io, a->listen_port(), source));
    REQUIRE(WaitUntil([&] { return a->connections_evicted() == 10; }));
    CHECK(ClosedByPeer(*other_address));
    CHECK(ClosedByPeer(*idle[8]));
    CHECK_FALSE(ClosedByPeer(*started));
    CHECK_FALSE(ClosedByPeer(*idle[9]));
    for (auto& socket : more) CHECK_FALSE(ClosedByPeer(*socket));
  }
}

TEST_CASE("an idle inbound connection is closed at the deadline counted from accept") {
  Network net;
  Inbox inbox;
  PeerTransportOptions o = net.Options(0);
  o.peers.clear();
  o.handshake_timeout_ms = 300;
  auto a = MustStart(o, inbox.Handler());
  asio::io_context io;
  const auto begin = std::chrono::steady_clock::now();
  auto idle = RawConnect(io, a->listen_port());
  REQUIRE(WaitUntil([&] { return ClosedByPeer(*idle); }));
  CHECK(std::chrono::steady_clock::now() - begin >= 300ms);
  CHECK(a->connections_refused() == 1);
  CHECK(a->connections_evicted() == 0);
}

// A TCP relay that forwards a dialer's stream to an acceptor frame by frame
// and, when armed, flips one ciphertext bit of the next data frame (the first
// two frames of each connection are the hello and the auth).
class FlippingRelay {
 public:
  explicit FlippingRelay(uint16_t target_port)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        target_(asio::ip::make_address("127.0.0.1"), target_port) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FlippingRelay() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  // Arms a flip of one ciphertext bit, or of the frame's version byte.
  void ArmFlip(bool version_byte = false) {
    flip_version_ = version_byte;
    armed_ = true;
  }
  int flipped() const { return flipped_; }

 private:
  struct Session {
    explicit Session(asio::io_context& io) : client(io), server(io) {}
    tcp::socket client;
    tcp::socket server;
    std::array<uint8_t, 4> length{};
    std::vector<uint8_t> frame;
    int frame_index = 0;
    std::array<uint8_t, 4096> back{};
    void Close() {
      boost::system::error_code ignored;
      client.close(ignored);
      server.close(ignored);
    }
  };

  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<Session>(io_);
      s->client = std::move(socket);
      s->server.async_connect(target_, [this, s](boost::system::error_code ec) {
        if (ec) return s->Close();
        Forward(s);
        Back(s);
      });
      Accept();
    });
  }

  void Forward(std::shared_ptr<Session> s) {
    asio::async_read(s->client, asio::buffer(s->length), [this, s](auto ec, size_t) {
      if (ec) return s->Close();
      const uint32_t n = (uint32_t{s->length[0]} << 24) | (uint32_t{s->length[1]} << 16) |
                         (uint32_t{s->length[2]} << 8) | s->length[3];
      s->frame.assign(s->length.begin(), s->length.end());
      s->frame.resize(4 + n);
      asio::async_read(s->client, asio::buffer(s->frame.data() + 4, n), [this, s](auto ec, size_t) {
        if (ec) return s->Close();
        if (s->frame_index++ >= 2 && armed_.exchange(false)) {
          // frame = u32 length ‖ u8 version ‖ ciphertext
          s->frame[flip_version_ ? 4 : s->frame.size() / 2] ^= 0x10;
          ++flipped_;
        }
        asio::async_write(s->server, asio::buffer(s->frame), [this, s](auto ec, size_t) {
          if (ec) return s->Close();
          Forward(s);
        });
      });
    });
  }

  void Back(std::shared_ptr<Session> s) {
    s->server.async_read_some(asio::buffer(s->back), [this, s](auto ec, size_t n) {
      if (ec) return s->Close();
      asio::async_write(s->client, asio::buffer(s->back.data(), n), [this, s](auto ec, size_t) {
        if (ec) return s->Close();
        Back(s);
      });
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::endpoint target_;
  std::atomic<bool> armed_{false};
  std::atomic<bool> flip_version_{false};
  std::atomic<int> flipped_{0};
  std::thread thread_;
};

TEST_CASE("a bit flipped in transit: the frame is not delivered, the link resets and recovers") {
  Network net;
  Inbox inbox[2];
  FlippingRelay relay(net.ports[1]);
  PeerTransportOptions a_options = net.Options(0);
  a_options.peers[0].port = relay.port();  // us-cbp reaches mx-anam through the relay
  auto a = MustStart(a_options, inbox[0].Handler());
  auto b = MustStart(net.Options(1), inbox[1].Handler());
  REQUIRE(WaitUntil([&] { return Linked(*a, Network::Id(0), *b, Network::Id(1)); }));

  REQUIRE(a->Send(Network::Id(1), "before"));
  REQUIRE(WaitUntil([&] { return inbox[1].Contains("before"); }));
  bool version_byte = false;
  SUBCASE("in the ciphertext") {}
  SUBCASE("in the version byte") { version_byte = true; }
  relay.ArmFlip(version_byte);
  REQUIRE(a->Send(Network::Id(1), "tampered"));
  REQUIRE(WaitUntil([&] { return StateOf(*b, Network::Id(0)).frames_rejected == 1; }));
  CHECK(relay.flipped() == 1);
  CHECK(ProbeUntilDelivered(*a, Network::Id(1), inbox[1], "after-"));
  CHECK_FALSE(inbox[1].Contains("tampered"));
  CHECK(StateOf(*b, Network::Id(0)).handshake_failures == 0);
}

TEST_CASE("reconnect: frames queued while a peer is down are delivered when it returns") {
  Network net;
  Inbox inbox_a;
  auto a = MustStart(net.Options(0), inbox_a.Handler());
  auto b_inbox = std::make_unique<Inbox>();
  auto b = MustStart(net.Options(1), b_inbox->Handler());
  REQUIRE(a->Send(Network::Id(1), "first"));
  REQUIRE(WaitUntil([&] { return b_inbox->Contains("first"); }));

  b.reset();
  REQUIRE(WaitUntil([&] { return !StateOf(*a, Network::Id(1)).connected_out; }));
  CHECK(a->Send(Network::Id(1), "queued-1"));
  CHECK(a->Send(Network::Id(1), "queued-2"));
  CHECK(StateOf(*a, Network::Id(1)).frames_queued == 2);

  b_inbox = std::make_unique<Inbox>();
  b = MustStart(net.Options(1), b_inbox->Handler());
  REQUIRE(WaitUntil([&] { return b_inbox->size() == 2; }));
  CHECK(b_inbox->From(Network::Id(0)) == std::vector<std::string>{"queued-1", "queued-2"});
  REQUIRE(b->Send(Network::Id(0), "back"));
  CHECK(WaitUntil([&] { return inbox_a.Contains("back"); }));
  CHECK(StateOf(*a, Network::Id(1)).frames_queued == 0);
}

TEST_CASE("the send queue is bounded: beyond it Send returns false and counts the drop") {
  Network net;  // mx-anam and ca-cbsa never start
  Inbox inbox;

  SUBCASE("by frames") {
    PeerTransportOptions o = net.Options(0);
    o.send_queue_frames_max = 4;
    auto a = MustStart(o, inbox.Handler());
    for (int i = 0; i < 4; ++i) CHECK(a->Send(Network::Id(1), "m" + std::to_string(i)));
    CHECK_FALSE(a->Send(Network::Id(1), "one too many"));
    CHECK_FALSE(a->Send(Network::Id(1), "and another"));
    auto s = StateOf(*a, Network::Id(1));
    CHECK(s.frames_queued == 4);
    CHECK(s.frames_dropped == 2);
    CHECK_FALSE(s.connected_out);
    CHECK(StateOf(*a, Network::Id(2)).frames_dropped == 0);  // per peer
  }
  SUBCASE("by bytes, by frame size, by peer, after Stop") {
    PeerTransportOptions o = net.Options(0);
    o.frame_bytes_max = 1024;
    o.send_queue_bytes_max = 2048;
    auto a = MustStart(o, inbox.Handler());
    CHECK(a->Send(Network::Id(1), std::string(1000, 'a')));
    CHECK(a->Send(Network::Id(1), std::string(1000, 'b')));
    CHECK_FALSE(a->Send(Network::Id(1), std::string(100, 'c')));
    CHECK_FALSE(a->Send(Network::Id(2), std::string(1025, 'd')));
    CHECK_FALSE(a->Send(42, "nobody"));
    CHECK(StateOf(*a, Network::Id(1)).frames_dropped == 1);
    CHECK(StateOf(*a, Network::Id(2)).frames_dropped == 1);
    a->Stop();
    a->Stop();  // idempotent
    CHECK_FALSE(a->Send(Network::Id(2), "late"));
    CHECK(StateOf(*a, Network::Id(2)).frames_queued == 0);
  }
}

TEST_CASE("SendWhenRoom waits for room in the bulk half of the queue; Send keeps the other half") {
  Network net;  // mx-anam starts late; ca-cbsa never starts
  Inbox inbox[2];
  PeerTransportOptions o = net.Options(0);
  o.frame_bytes_max = 1024;
  o.send_queue_bytes_max = 4096;
  o.send_queue_frames_max = 64;
  auto a = MustStart(o, inbox[0].Handler());
  const uint64_t b_id = Network::Id(1);

  // The bulk share is 2048 bytes: two frames of 1000 fit, a third does not.
  CHECK(a->SendWhenRoom(b_id, "bulk0" + std::string(995, 'x'), 1000ms));
  CHECK(a->SendWhenRoom(b_id, "bulk1" + std::string(995, 'x'), 1000ms));
  const auto begin = std::chrono::steady_clock::now();
  CHECK_FALSE(a->SendWhenRoom(b_id, "late" + std::string(996, 'x'), 50ms));
  CHECK(std::chrono::steady_clock::now() - begin >= 50ms);
  CHECK(StateOf(*a, b_id).frames_dropped == 1);
  // Raft traffic still fits in the other half.
  CHECK(a->Send(b_id, "heartbeat"));
  CHECK(StateOf(*a, b_id).frames_queued == 3);
  // Oversized, or to an unknown peer: refused at once.
  CHECK_FALSE(a->SendWhenRoom(b_id, std::string(1025, 'o'), 10000ms));
  CHECK_FALSE(a->SendWhenRoom(42, "nobody", 10000ms));

  // A bulk sender blocked on a full queue proceeds once the peer is up and
  // the queue drains; nothing is dropped and the order holds.
  std::atomic<int> bulk_sent{0};
  std::thread sender([&] {
    for (int k = 2; k < 40; ++k) {
      if (!a->SendWhenRoom(b_id, "bulk" + std::to_string(k) + std::string(990, 'x'), 10000ms)) {
        return;
      }
      ++bulk_sent;
    }
  });
  auto b = MustStart(net.Options(1), inbox[1].Handler());
  sender.join();
  CHECK(bulk_sent == 38);
  REQUIRE(WaitUntil([&] { return inbox[1].size() == 41; }));
  const std::vector<std::string> got = inbox[1].From(Network::Id(0));
  CHECK(got[0].substr(0, 5) == "bulk0");
  CHECK(got[1].substr(0, 5) == "bulk1");
  CHECK(got[2] == "heartbeat");
  for (int k = 2; k < 40; ++k) {
    CHECK(got[static_cast<size_t>(k + 1)].substr(0, 4 + std::to_string(k).size()) ==
          "bulk" + std::to_string(k));
  }
  CHECK(StateOf(*a, b_id).frames_dropped == 2);  // the timed-out and the oversized frame

  SUBCASE("Stop wakes a waiting bulk sender") {
    const uint64_t c_id = Network::Id(2);
    CHECK(a->SendWhenRoom(c_id, std::string(1000, 'c'), 1000ms));
    CHECK(a->SendWhenRoom(c_id, std::string(1000, 'c'), 1000ms));
    std::atomic<bool> done{false};
    std::atomic<bool> result{true};
    std::thread waiter([&] {
      result = a->SendWhenRoom(c_id, std::string(1000, 'c'), 60000ms);
      done = true;
    });
    const auto stop_begin = std::chrono::steady_clock::now();
    // Stop may begin before or while the waiter waits: false either way.
    a->Stop();
    waiter.join();
    CHECK(done);
    CHECK_FALSE(result);
    CHECK(std::chrono::steady_clock::now() - stop_begin < 10s);
  }
}

// A transport's log lines, kept for the test to read.
class LogLines {
 public:
  std::function<void(std::string_view)> Sink() {
    return [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
    };
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_.size();
  }
  // Whether a line from the `from`-th on contains every one of `parts`.
  bool Has(std::initializer_list<std::string_view> parts, size_t from = 0) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = from; i < lines_.size(); ++i) {
      bool all = true;
      for (std::string_view part : parts) all = all && lines_[i].find(part) != std::string::npos;
      if (all) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

std::vector<std::string> Numbered(const std::string& prefix, int begin, int end) {
  std::vector<std::string> out;
  for (int k = begin; k < end; ++k) out.push_back(prefix + std::to_string(k));
  return out;
}

std::vector<std::string> PeerNames(const PeerTransport& t) {
  std::vector<std::string> names;
  for (const auto& s : t.Peers()) names.push_back(s.name);
  return names;
}

TEST_CASE(
    "PeerTransport::SetPeers adds a validator: it is dialed, its handshakes are accepted, frames "
    "flow") {
  Network net;
  Inbox inbox[3];
  std::unique_ptr<PeerTransport> t[3];
  // us-cbp and mx-anam know only each other; ca-cbsa knows both.
  PeerTransportOptions a_options = net.Options(0);
  a_options.peers = net.Endpoints({1});
  PeerTransportOptions b_options = net.Options(1);
  b_options.peers = net.Endpoints({0});
  t[0] = MustStart(a_options, inbox[0].Handler());
  t[1] = MustStart(b_options, inbox[1].Handler());
  t[2] = MustStart(net.Options(2), inbox[2].Handler());
  const uint64_t a = Network::Id(0), b = Network::Id(1), c = Network::Id(2);

  for (const std::string& p : Numbered("c>a#", 0, 5)) REQUIRE(t[2]->Send(a, p));
  for (const std::string& p : Numbered("c>b#", 0, 5)) REQUIRE(t[2]->Send(b, p));
  // ca-cbsa's hellos name a validator they do not know: refused, like a stranger.
  REQUIRE(WaitUntil([&] {
    return t[0]->anonymous_handshake_failures() >= 2 && t[1]->anonymous_handshake_failures() >= 2;
  }));
  CHECK(t[0]->connections_refused() >= 2);
  CHECK(inbox[0].From(c).empty());
  CHECK(inbox[1].From(c).empty());
  CHECK(StateOf(*t[2], a).frames_queued == 5);  // kept while unreachable
  CHECK_FALSE(t[0]->Send(c, "not yet a peer"));
  CHECK(PeerNames(*t[0]) == std::vector<std::string>{"mx-anam"});

  REQUIRE(t[0]->SetPeers(net.Endpoints({1, 2})).ok());
  REQUIRE(t[1]->SetPeers(net.Endpoints({0, 2})).ok());
  CHECK(PeerNames(*t[0]) == std::vector<std::string>{"mx-anam", "ca-cbsa"});
  for (const std::string& p : Numbered("c>a#", 5, 10)) REQUIRE(t[2]->Send(a, p));
  for (const std::string& p : Numbered("c>b#", 5, 10)) REQUIRE(t[2]->Send(b, p));
  for (const std::string& p : Numbered("a>c#", 0, 10)) REQUIRE(t[0]->Send(c, p));
  for (const std::string& p : Numbered("b>c#", 0, 10)) REQUIRE(t[1]->Send(c, p));
  REQUIRE(WaitUntil([&] {
    return inbox[0].From(c).size() == 10 && inbox[1].From(c).size() == 10 &&
           inbox[2].From(a).size() == 10 && inbox[2].From(b).size() == 10;
  }));
  // The frames queued while ca-cbsa was refused come first, in order.
  CHECK(inbox[0].From(c) == Numbered("c>a#", 0, 10));
  CHECK(inbox[1].From(c) == Numbered("c>b#", 0, 10));
  CHECK(inbox[2].From(a) == Numbered("a>c#", 0, 10));
  CHECK(inbox[2].From(b) == Numbered("b>c#", 0, 10));
  CHECK(StateOf(*t[0], c).handshake_failures == 0);
  CHECK(StateOf(*t[0], b).handshake_failures == 0);
}

TEST_CASE(
    "PeerTransport::SetPeers removes a validator: both directions close and stay closed; the "
    "others keep "
    "their links") {
  Network net;
  Inbox inbox[3];
  LogLines a_log;
  std::unique_ptr<PeerTransport> t[3];
  PeerTransportOptions a_options = net.Options(0);
  a_options.log = a_log.Sink();
  t[0] = MustStart(a_options, inbox[0].Handler());
  t[1] = MustStart(net.Options(1), inbox[1].Handler());
  t[2] = MustStart(net.Options(2), inbox[2].Handler());
  const uint64_t a = Network::Id(0), b = Network::Id(1), c = Network::Id(2);

  for (const std::string& p : Numbered("a>b#", 0, 10)) REQUIRE(t[0]->Send(b, p));
  for (const std::string& p : Numbered("b>a#", 0, 10)) REQUIRE(t[1]->Send(a, p));
  REQUIRE(t[2]->Send(a, "c>a before"));
  REQUIRE(t[0]->Send(c, "a>c before"));
  REQUIRE(WaitUntil([&] {
    return inbox[1].From(a).size() == 10 && inbox[0].From(b).size() == 10 &&
           inbox[0].Contains("c>a before") && inbox[2].Contains("a>c before") &&
           StateOf(*t[0], b).frames_sent == 10;
  }));

  // Another thread keeps sending to ca-cbsa across the change: once SetPeers
  // has returned, Send refuses (and must not touch the removed peer).
  std::atomic<bool> removed{false};
  std::atomic<bool> stop_sending{false};
  std::atomic<int> sent_after_removal{0};
  std::thread sender([&] {
    while (!stop_sending) {
      const bool after = removed;
      if (t[0]->Send(c, "a>c background") && after) ++sent_after_removal;
      std::this_thread::sleep_for(50us);  // a pace, not a synchronisation
    }
  });
  const size_t log_mark = a_log.size();
  const uint64_t refused_before = t[0]->anonymous_handshake_failures();
  REQUIRE(t[0]->SetPeers(net.Endpoints({1})).ok());
  removed = true;
  const size_t from_c = inbox[0].From(c).size();
  CHECK_FALSE(t[0]->Send(c, "a>c after removal"));
  CHECK(PeerNames(*t[0]) == std::vector<std::string>{"mx-anam"});

  // ca-cbsa sees both its links closed, redials, and is refused as unknown.
  REQUIRE(WaitUntil([&] { return !StateOf(*t[2], a).connected_in; }));
  for (const std::string& p : Numbered("c>a late#", 0, 5)) t[2]->Send(a, p);
  REQUIRE(WaitUntil([&] { return t[0]->anonymous_handshake_failures() >= refused_before + 2; }));
  stop_sending = true;
  sender.join();
  CHECK(sent_after_removal == 0);
  CHECK(inbox[0].From(c).size() == from_c);
  CHECK_FALSE(StateOf(*t[2], a).connected_out);
  CHECK_FALSE(inbox[2].Contains("a>c after removal"));
  CHECK(a_log.Has({"\"ca-cbsa\" removed"}, log_mark));

  // mx-anam's links were kept: its Peer counts on from 10, with no new handshake.
  for (const std::string& p : Numbered("a>b#", 10, 20)) REQUIRE(t[0]->Send(b, p));
  for (const std::string& p : Numbered("b>a#", 10, 20)) REQUIRE(t[1]->Send(a, p));
  REQUIRE(WaitUntil([&] {
    return inbox[1].From(a).size() == 20 && inbox[0].From(b).size() == 20 &&
           StateOf(*t[0], b).frames_sent == 20;
  }));
  CHECK(inbox[1].From(a) == Numbered("a>b#", 0, 20));
  CHECK(inbox[0].From(b) == Numbered("b>a#", 0, 20));
  const auto kept = StateOf(*t[0], b);
  CHECK(kept.frames_received == 20);
  CHECK(kept.handshake_failures == 0);
  CHECK(kept.connected_out);
  CHECK(kept.connected_in);
  CHECK(StateOf(*t[1], a).handshake_failures == 0);
  CHECK_FALSE(a_log.Has({"\"mx-anam\"", "closed"}, log_mark));
  CHECK_FALSE(a_log.Has({"connected", "\"mx-anam\""}, log_mark));
}

TEST_CASE(
    "PeerTransport::SetPeers refuses a bad peer list, naming the field, and changes nothing") {
  Network net;  // ca-cbsa never starts
  Inbox inbox[2];
  auto a = MustStart(net.Options(0), inbox[0].Handler());
  auto b = MustStart(net.Options(1), inbox[1].Handler());
  REQUIRE(WaitUntil([&] { return Linked(*a, Network::Id(0), *b, Network::Id(1)); }));
  const std::vector<std::string> before = PeerNames(*a);

  // Each list changes mx-anam validly before its bad entry: none of it may stick.
  const std::vector<std::pair<std::string, std::function<std::vector<PeerEndpoint>()>>> cases = {
      {"peers[1].id",
       [&] {
         auto peers = net.Endpoints({2, 1});
         peers[1].id = peers[0].id;
         return peers;
       }},
      {"peers[1].id",
       [&] {
         return net.Endpoints({1, 0});
       }},  // self
      {"peers[1].port",
       [&] {
         auto peers = net.Endpoints({2, 1});
         peers[0].port = FreePort();
         peers[1].port = 0;
         return peers;
       }},
      {"peers[0].name",
       [&] {
         auto peers = net.Endpoints({1});
         peers[0].name = std::string(256, 'n');
         return peers;
       }},
      {"peers[1].public_key",
       [&] {
         auto peers = net.Endpoints({2, 1});
         peers[1].public_key = peers[0].public_key;
         return peers;
       }},
  };
  for (const auto& [field, make] : cases) {
    CAPTURE(field);
    const Status s = a->SetPeers(make());
    REQUIRE_FALSE(s.ok());
    CHECK(s.IsInvalidArgument());
    CHECK(s.message().find(field) != std::string::npos);
    REQUIRE(s.field_errors().size() == 1);
    CHECK(s.field_errors()[0].pointer == "/" + field);
    CHECK(PeerNames(*a) == before);
  }
  CHECK(ProbeUntilDelivered(*a, Network::Id(1), inbox[1], "a>b "));
  CHECK(ProbeUntilDelivered(*b, Network::Id(0), inbox[0], "b>a "));
  CHECK(StateOf(*a, Network::Id(1)).handshake_failures == 0);
  CHECK(StateOf(*b, Network::Id(0)).handshake_failures == 0);

  a->Stop();
  const Status stopped = a->SetPeers(net.Endpoints({1}));
  CHECK(stopped.IsFailedPrecondition());
  CHECK(PeerNames(*a) == before);
}

TEST_CASE(
    "PeerTransport::SetPeers with a changed key replaces the peer: the old key is refused, the new "
    "one "
    "accepted") {
  Network net;  // ca-cbsa never starts
  Inbox inbox_a;
  LogLines a_log;
  PeerTransportOptions a_options = net.Options(0);
  a_options.log = a_log.Sink();
  auto a = MustStart(a_options, inbox_a.Handler());
  Inbox inbox_old;
  auto old_b = MustStart(net.Options(1), inbox_old.Handler());
  const uint64_t a_id = Network::Id(0), b_id = Network::Id(1);
  REQUIRE(a->Send(b_id, "to the old key"));
  REQUIRE(old_b->Send(a_id, "from the old key"));
  REQUIRE(WaitUntil([&] {
    return inbox_old.Contains("to the old key") && inbox_a.Contains("from the old key") &&
           StateOf(*a, b_id).frames_sent == 1;
  }));

  const crypto::KeyPair new_key = crypto::KeyPair::Generate();
  std::vector<PeerEndpoint> peers = net.Endpoints({1, 2});
  peers[0].public_key = new_key.public_key();
  const size_t log_mark = a_log.size();
  REQUIRE(a->SetPeers(peers).ok());
  // A new Peer: its counters start over.
  CHECK(StateOf(*a, b_id).frames_sent == 0);
  CHECK(StateOf(*a, b_id).frames_received == 0);

  // The validator still holding the old key is now an impostor, both ways.
  REQUIRE(old_b->Send(a_id, "old key after the change"));
  REQUIRE(a->Send(b_id, "only for the new key"));
  REQUIRE(WaitUntil([&] {
    return a_log.Has({"the dialer's signature does not verify", "\"mx-anam\""}, log_mark) &&
           a_log.Has({"the acceptor's signature does not verify", "\"mx-anam\""}, log_mark);
  }));
  CHECK(StateOf(*a, b_id).handshake_failures >= 2);
  CHECK_FALSE(StateOf(*a, b_id).connected_in);
  CHECK_FALSE(StateOf(*a, b_id).connected_out);
  old_b.reset();
  CHECK_FALSE(inbox_a.Contains("old key after the change"));
  CHECK_FALSE(inbox_old.Contains("only for the new key"));

  // The same validator with its new key, on the same port.
  Inbox inbox_new;
  PeerTransportOptions new_options = net.Options(1);
  new_options.key = &new_key;
  auto new_b = MustStart(new_options, inbox_new.Handler());
  REQUIRE(WaitUntil([&] { return inbox_new.Contains("only for the new key"); }));
  REQUIRE(new_b->Send(a_id, "from the new key"));
  REQUIRE(WaitUntil([&] { return inbox_a.Contains("from the new key"); }));
  CHECK(Linked(*a, a_id, *new_b, b_id));
  CHECK(Linked(*new_b, b_id, *a, a_id));
}

TEST_CASE("PeerTransport::SetPeers with a changed port redials the peer at its new address") {
  Network net;  // ca-cbsa never starts
  Inbox inbox_a;
  auto a = MustStart(net.Options(0), inbox_a.Handler());
  const uint64_t a_id = Network::Id(0), b_id = Network::Id(1);
  // mx-anam moves before it ever starts: it listens on a new port.
  PeerTransportOptions b_options = net.Options(1);
  b_options.listen_port = FreePort();
  Inbox inbox_b;
  auto b = MustStart(b_options, inbox_b.Handler());
  REQUIRE(a->Send(b_id, "queued for the old address"));
  REQUIRE(WaitUntil([&] { return Linked(*b, b_id, *a, a_id); }));  // b dials a: a's port is kept
  CHECK_FALSE(StateOf(*a, b_id).connected_out);

  std::vector<PeerEndpoint> peers = net.Endpoints({1, 2});
  peers[0].port = b_options.listen_port;
  REQUIRE(a->SetPeers(peers).ok());
  REQUIRE(a->Send(b_id, "to the new address"));
  REQUIRE(WaitUntil([&] { return inbox_b.Contains("to the new address"); }));
  CHECK(StateOf(*a, b_id).connected_out);
  // The replaced peer's queue was dropped with it.
  CHECK(inbox_b.From(a_id) == std::vector<std::string>{"to the new address"});
}

TEST_CASE(
    "PeerTransport::SendWhenRoom waiting on a peer that SetPeers removes returns false at once") {
  Network net;  // mx-anam and ca-cbsa never start
  Inbox inbox;
  PeerTransportOptions o = net.Options(0);
  o.frame_bytes_max = 1024;
  o.send_queue_bytes_max = 2048;
  auto a = MustStart(o, inbox.Handler());
  const uint64_t c_id = Network::Id(2);
  CHECK(a->SendWhenRoom(c_id, std::string(1000, 'c'), 1000ms));  // fills the bulk share
  std::atomic<bool> done{false};
  std::atomic<bool> result{true};
  std::thread waiter([&] {
    result = a->SendWhenRoom(c_id, std::string(1000, 'c'), 60000ms);
    done = true;
  });
  // Removed before or while the waiter waits: false either way, long before 60 s.
  const auto begin = std::chrono::steady_clock::now();
  REQUIRE(a->SetPeers(net.Endpoints({1})).ok());
  waiter.join();
  CHECK(done);
  CHECK_FALSE(result);
  CHECK(std::chrono::steady_clock::now() - begin < 10s);
  CHECK_FALSE(a->SendWhenRoom(c_id, "gone", 10ms));
}

TEST_CASE("PeerTransport::SetPeers from another thread while Send runs and Stop begins") {
  Network net;
  Inbox inbox[3];
  auto a = MustStart(net.Options(0), inbox[0].Handler());
  auto b = MustStart(net.Options(1), inbox[1].Handler());
  auto c = MustStart(net.Options(2), inbox[2].Handler());
  std::atomic<bool> stop{false};
  std::thread sender([&] {
    for (int k = 0; !stop; ++k) {
      a->Send(Network::Id(1 + k % 2), "k" + std::to_string(k));
      a->Peers();
      std::this_thread::sleep_for(50us);  // a pace, not a synchronisation
    }
  });
  std::atomic<int> applied{0};
  std::atomic<int> refused{0};
  std::thread changer([&] {
    for (int round = 0; round < 40; ++round) {
      const Status s = a->SetPeers(round % 2 == 0 ? net.Endpoints({1}) : net.Endpoints({2, 1}));
      if (s.ok()) {
        ++applied;
      } else if (s.IsFailedPrecondition()) {
        ++refused;
      }
    }
  });
  REQUIRE(WaitUntil([&] { return applied >= 20; }));
  a->Stop();
  changer.join();
  stop = true;
  sender.join();
  CHECK(applied + refused == 40);
  CHECK_FALSE(a->Send(Network::Id(1), "after Stop"));
}

TEST_CASE("transports start and stop promptly, many times") {
  Network net;
  const auto begin = std::chrono::steady_clock::now();
  for (int round = 0; round < 20; ++round) {
    Inbox inbox[2];
    auto a = MustStart(net.Options(0), inbox[0].Handler());
    auto b = MustStart(net.Options(1), inbox[1].Handler());
    REQUIRE(a->Send(Network::Id(1), "r" + std::to_string(round)));
    if (round % 2 == 0) {
      REQUIRE(WaitUntil([&] { return inbox[1].size() == 1; }));
    }
  }
  CHECK(std::chrono::steady_clock::now() - begin < 20s);
}

TEST_CASE("Start refuses a port in use, options without a handler, and bad options") {
  Network net;
  Inbox inbox;
  auto a = MustStart(net.Options(0), inbox.Handler());
  auto clash = PeerTransport::Start(net.Options(0), inbox.Handler());
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.status().IsIOError());
  CHECK(clash.status().message().find(std::to_string(net.ports[0])) != std::string::npos);

  auto no_handler = PeerTransport::Start(net.Options(1), nullptr);
  REQUIRE_FALSE(no_handler.ok());
  CHECK(no_handler.status().IsInvalidArgument());

  PeerTransportOptions bad = net.Options(1);
  bad.frame_bytes_max = 10;
  auto invalid = PeerTransport::Start(bad, inbox.Handler());
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.status().IsInvalidArgument());
}

TEST_CASE("Options::Validate names the field that is out of range") {
  Network net;
  CHECK(net.Options(0).Validate().ok());
  {
    PeerTransportOptions o = net.Options(0);
    o.peers.clear();  // a single-validator network has nobody to talk to
    CHECK(o.Validate().ok());
  }
  const std::vector<std::pair<std::string, std::function<void(PeerTransportOptions&)>>> cases = {
      {"key", [](auto& o) { o.key = nullptr; }},
      {"self_name", [](auto& o) { o.self_name = ""; }},
      {"self_name", [](auto& o) { o.self_name = std::string(256, 'n'); }},
      {"listen_host", [](auto& o) { o.listen_host = ""; }},
      {"frame_bytes_max", [](auto& o) { o.frame_bytes_max = 1023; }},
      {"frame_bytes_max", [](auto& o) { o.frame_bytes_max = (size_t{1} << 30) + 1; }},
      {"send_queue_frames_max", [](auto& o) { o.send_queue_frames_max = 0; }},
      {"send_queue_frames_max", [](auto& o) { o.send_queue_frames_max = (1 << 20) + 1; }},
      {"send_queue_bytes_max", [](auto& o) { o.send_queue_bytes_max = o.frame_bytes_max - 1; }},
      {"send_queue_bytes_max", [](auto& o) { o.send_queue_bytes_max = (size_t{64} << 30) + 1; }},
      {"reconnect_backoff_min_ms", [](auto& o) { o.reconnect_backoff_min_ms = 0; }},
      {"reconnect_backoff_max_ms",
       [](auto& o) { o.reconnect_backoff_max_ms = o.reconnect_backoff_min_ms - 1; }},
      {"reconnect_backoff_max_ms", [](auto& o) { o.reconnect_backoff_max_ms = 600001; }},
      {"handshake_timeout_ms", [](auto& o) { o.handshake_timeout_ms = 9; }},
      {"handshake_timeout_ms", [](auto& o) { o.handshake_timeout_ms = 60001; }},
      {"inbound_handshakes_max", [](auto& o) { o.inbound_handshakes_max = 0; }},
      {"inbound_handshakes_max", [](auto& o) { o.inbound_handshakes_max = 65537; }},
      {"inbound_handshakes_per_address_max",
       [](auto& o) { o.inbound_handshakes_per_address_max = 0; }},
      {"inbound_handshakes_per_address_max",
       [](auto& o) { o.inbound_handshakes_per_address_max = o.inbound_handshakes_max + 1; }},
      {"peers[0].name", [](auto& o) { o.peers[0].name = ""; }},
      {"peers[1].host", [](auto& o) { o.peers[1].host = ""; }},
      {"peers[1].port", [](auto& o) { o.peers[1].port = 0; }},
      {"peers[0].id", [](auto& o) { o.peers[0].id = o.self_id; }},
      {"peers[0].name", [](auto& o) { o.peers[0].name = o.self_name; }},
      {"peers[0].public_key", [](auto& o) { o.peers[0].public_key = o.key->public_key(); }},
      {"peers[1].id", [](auto& o) { o.peers[1].id = o.peers[0].id; }},
      {"peers[1].name", [](auto& o) { o.peers[1].name = o.peers[0].name; }},
      {"peers[1].public_key", [](auto& o) { o.peers[1].public_key = o.peers[0].public_key; }},
  };
  for (const auto& [field, mutate] : cases) {
    CAPTURE(field);
    PeerTransportOptions o = net.Options(0);
    mutate(o);
    Status s = o.Validate();
    REQUIRE_FALSE(s.ok());
    CHECK(s.IsInvalidArgument());
    CHECK(s.message().find(field) != std::string::npos);
    REQUIRE(s.field_errors().size() == 1);
    CHECK(s.field_errors()[0].pointer == "/" + field);
  }
}

}  // namespace
}  // namespace frontera::node
