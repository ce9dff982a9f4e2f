// FaultProxy: what a peer on each side of a proxied link notices in each mode.
// The "client" connects to the proxy, the "server" is the target's accepted
// socket; both are plain blocking sockets with timeouts, so a broken proxy
// fails a check instead of hanging the suite.
#include "tests/e2e/fault_proxy.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace frontera::e2e {
namespace {

using std::chrono::milliseconds;
using Mode = FaultProxy::Mode;

// An owned descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Blocking I/O gives up after 10 s instead of hanging the suite.
void SetTimeouts(const Fd& fd) {
  timeval limit{10, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
}

// A listener on 127.0.0.1; its port in *port.
Fd ListenLoopback(uint16_t* port) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in addr = Loopback(0);
  socklen_t length = sizeof addr;
  REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(fd.get(), 16) == 0);
  REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &length) == 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

// A port on which nothing listens (bound once, then released).
uint16_t UnusedPort() {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = Loopback(0);
  socklen_t length = sizeof addr;
  REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &length) == 0);
  return ntohs(addr.sin_port);
}

Fd ConnectLoopback(uint16_t port) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in addr = Loopback(port);
  REQUIRE(connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  SetTimeouts(fd);
  return fd;
}

// The next connection on `listener`, or an invalid Fd after timeout_ms.
Fd AcceptWithin(const Fd& listener, int timeout_ms) {
  pollfd p{listener.get(), POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return Fd();
  Fd fd(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (fd.valid()) SetTimeouts(fd);
  return fd;
}

// True when every byte was sent.
bool SendAll(const Fd& fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Up to n bytes: fewer when the stream ends, fails or times out first.
std::string ReadExactly(const Fd& fd, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = recv(fd.get(), out.data() + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

enum class Seen { kData, kEof, kReset, kNothing };

// What arrives on `fd` within timeout_ms: some bytes (appended to *data when
// given), an orderly end of stream, a reset, or nothing.
Seen WaitFor(const Fd& fd, int timeout_ms, std::string* data = nullptr) {
  pollfd p{fd.get(), POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return Seen::kNothing;
  char buffer[4096];
  ssize_t n = recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
  if (n > 0) {
    if (data != nullptr) data->append(buffer, static_cast<size_t>(n));
    return Seen::kData;
  }
  if (n == 0) return Seen::kEof;
  return errno == EAGAIN ? Seen::kNothing : Seen::kReset;
}

bool IsCut(Seen seen) { return seen == Seen::kEof || seen == Seen::kReset; }

// True when a new connection to `port` is cut (reset or ended) within
// timeout_ms. The proxy may abort it so fast that the reset lands before the
// connecting thread runs again: the kernel completed the handshake, the proxy
// accepted and reset, and connect() then reports ECONNRESET. That is the same
// cut, seen one step earlier, so it counts.
bool ConnectIsCut(uint16_t port, int timeout_ms) {
  Fd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.valid());
  sockaddr_in addr = Loopback(port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    bool reset = errno == ECONNRESET;
    if (!reset) MESSAGE("connect: " << std::strerror(errno));
    return reset;
  }
  SetTimeouts(fd);
  return IsCut(WaitFor(fd, timeout_ms));
}

// Polls `condition` until it holds or timeout_ms pass.
bool WaitUntil(const std::function<bool()>& condition, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + milliseconds(timeout_ms);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// Pseudo-random bytes (a 64-bit LCG, Knuth's MMIX constants), so that a lost,
// duplicated or reordered chunk shows as a mismatch.
std::string Pattern(size_t n, uint64_t seed) {
  std::string out(n, '\0');
  uint64_t state = seed;
  for (char& c : out) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    c = static_cast<char>(state >> 56);
  }
  return out;
}

size_t OpenDescriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd"))
    ++count;
  return count;
}

// A target listener, a proxy in front of it, and one connection through it.
struct Link {
  Link() {
    listener = ListenLoopback(&target_port);
    auto started = FaultProxy::Start(target_port);
    REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    proxy = std::move(started).value();
    client = ConnectLoopback(proxy->port());
    server = AcceptWithin(listener, 5000);
    REQUIRE(server.valid());
  }
  // Opens another connection through the proxy; *server_side is the target's
  // end, invalid when the target was not contacted within timeout_ms.
  Fd Connect(Fd* server_side, int timeout_ms = 2000) {
    Fd fd = ConnectLoopback(proxy->port());
    *server_side = AcceptWithin(listener, timeout_ms);
    return fd;
  }

  uint16_t target_port = 0;
  Fd listener;
  std::unique_ptr<FaultProxy> proxy;
  Fd client;
  Fd server;
};

// One short message each way: true when both arrive intact.
bool RoundTrip(const Fd& client, const Fd& server) {
  return SendAll(client, "ping") && ReadExactly(server, 4) == "ping" && SendAll(server, "pong") &&
         ReadExactly(client, 4) == "pong";
}

TEST_CASE("fault proxy: kPass forwards bytes both ways, in order, and forwards half-closes") {
  Link link;
  CHECK(link.proxy->mode() == Mode::kPass);
  REQUIRE(SendAll(link.client, "hello target"));
  CHECK(ReadExactly(link.server, 12) == "hello target");
  REQUIRE(SendAll(link.server, "hello client"));
  CHECK(ReadExactly(link.client, 12) == "hello client");

  // 3 MiB each way at once: more than a direction may queue (1 MiB), so the
  // proxy must stop reading and resume without losing or reordering a byte.
  const std::string up = Pattern(3 << 20, 1);
  const std::string down = Pattern(3 << 20, 2);
  bool up_sent = false;
  bool down_sent = false;
  std::string up_received;
  std::thread client_writer([&] { up_sent = SendAll(link.client, up); });
  std::thread server_writer([&] { down_sent = SendAll(link.server, down); });
  std::thread server_reader([&] { up_received = ReadExactly(link.server, up.size()); });
  std::string down_received = ReadExactly(link.client, down.size());
  client_writer.join();
  server_writer.join();
  server_reader.join();
  CHECK(up_sent);
  CHECK(down_sent);
  CHECK(up_received.size() == up.size());
  CHECK(up_received == up);
  CHECK(down_received.size() == down.size());
  CHECK(down_received == down);

  // The client's FIN reaches the server as an end of stream, and the server
  // can still answer on its half.
  REQUIRE(shutdown(link.client.get(), SHUT_WR) == 0);
  CHECK(WaitFor(link.server, 5000) == Seen::kEof);
  REQUIRE(SendAll(link.server, "after fin"));
  CHECK(ReadExactly(link.client, 9) == "after fin");
  REQUIRE(shutdown(link.server.get(), SHUT_WR) == 0);
  CHECK(WaitFor(link.client, 5000) == Seen::kEof);

  FaultProxy::Counters counters = link.proxy->counters();
  CHECK(counters.accepted == 1);
  CHECK(counters.bytes_to_target == 12 + up.size());
  CHECK(counters.bytes_to_client == 12 + down.size() + 9);
  CHECK(counters.bytes_blackholed == 0);
  CHECK(WaitUntil([&] { return link.proxy->counters().open_connections == 0; }, 5000));
}

TEST_CASE("fault proxy: kDrop cuts open connections on both sides and resets new ones") {
  Link link;
  REQUIRE(RoundTrip(link.client, link.server));
  link.proxy->SetMode(Mode::kDrop);
  CHECK(link.proxy->mode() == Mode::kDrop);
  // SetMode returned, so the cut has happened: both ends see it promptly.
  CHECK(IsCut(WaitFor(link.client, 2000)));
  CHECK(IsCut(WaitFor(link.server, 2000)));

  CHECK(ConnectIsCut(link.proxy->port(), 2000));
  CHECK_FALSE(AcceptWithin(link.listener, 300).valid());  // the target was never contacted

  FaultProxy::Counters counters = link.proxy->counters();
  CHECK(counters.reset == 1);
  CHECK(counters.refused == 1);
  CHECK(counters.open_connections == 0);

  // Healed: new connections flow again.
  link.proxy->SetMode(Mode::kPass);
  Fd healed_server;
  Fd healed = link.Connect(&healed_server);
  REQUIRE(healed_server.valid());
  CHECK(RoundTrip(healed, healed_server));
}

TEST_CASE("fault proxy: kBlackhole holds connections open and lets no byte through") {
  Link link;
  REQUIRE(RoundTrip(link.client, link.server));
  link.proxy->SetMode(Mode::kBlackhole);
  REQUIRE(SendAll(link.client, "lost up"));
  REQUIRE(SendAll(link.server, "lost down"));
  // The proxy reads both (senders do not block) ...
  CHECK(WaitUntil([&] { return link.proxy->counters().bytes_blackholed == 7 + 9; }, 5000));
  // ... and neither end hears anything, not even an end of stream.
  CHECK(WaitFor(link.server, 200) == Seen::kNothing);
  CHECK(WaitFor(link.client, 200) == Seen::kNothing);

  // A new connection is accepted and held; the target never sees it.
  Fd late_server;
  Fd late = link.Connect(&late_server, 300);
  CHECK_FALSE(late_server.valid());
  REQUIRE(SendAll(late, "also lost"));
  CHECK(WaitUntil([&] { return link.proxy->counters().bytes_blackholed == 7 + 9 + 9; }, 5000));
  CHECK(WaitFor(late, 200) == Seen::kNothing);

  FaultProxy::Counters counters = link.proxy->counters();
  CHECK(counters.accepted == 2);
  CHECK(counters.open_connections == 2);
  CHECK(counters.bytes_to_target == 4);  // only the round trip before the fault
  CHECK(counters.bytes_to_client == 4);
}

TEST_CASE("fault proxy: leaving kBlackhole resets the held connections and new ones flow") {
  Link link;
  link.proxy->SetMode(Mode::kBlackhole);
  Fd held_server;
  Fd held = link.Connect(&held_server, 300);
  CHECK_FALSE(held_server.valid());
  REQUIRE(SendAll(link.client, "gap"));
  CHECK(WaitUntil([&] { return link.proxy->counters().bytes_blackholed == 3; }, 5000));

  link.proxy->SetMode(Mode::kPass);
  // Their streams lost bytes: both are reset rather than resumed with a gap.
  CHECK(IsCut(WaitFor(link.client, 2000)));
  CHECK(IsCut(WaitFor(link.server, 2000)));
  CHECK(IsCut(WaitFor(held, 2000)));
  CHECK(link.proxy->counters().reset == 2);

  Fd healed_server;
  Fd healed = link.Connect(&healed_server);
  REQUIRE(healed_server.valid());
  CHECK(RoundTrip(healed, healed_server));
  CHECK(link.proxy->counters().open_connections == 1);
}

TEST_CASE("fault proxy: kDelay holds each direction back by the delay, in order") {
  Link link;
  const milliseconds delay(150);
  link.proxy->SetMode(Mode::kDelay, delay);
  auto start = std::chrono::steady_clock::now();
  REQUIRE(SendAll(link.client, "one"));
  REQUIRE(SendAll(link.client, "two"));
  CHECK(ReadExactly(link.server, 6) == "onetwo");
  auto one_way = std::chrono::steady_clock::now() - start;
  CHECK(one_way >= delay);
  REQUIRE(SendAll(link.server, "back"));
  CHECK(ReadExactly(link.client, 4) == "back");
  CHECK(std::chrono::steady_clock::now() - start >= 2 * delay);

  link.proxy->SetMode(Mode::kPass);
  CHECK(RoundTrip(link.client, link.server));
}

TEST_CASE("fault proxy: a target that does not listen gets the client reset") {
  auto started = FaultProxy::Start(UnusedPort());
  REQUIRE(started.ok());
  std::unique_ptr<FaultProxy> proxy = std::move(started).value();
  CHECK(ConnectIsCut(proxy->port(), 2000));
  CHECK(WaitUntil([&] { return proxy->counters().target_connect_failures == 1; }, 2000));
  CHECK(proxy->counters().open_connections == 0);
}

TEST_CASE("fault proxy: Stop is prompt, cuts every connection and leaks no descriptor") {
  size_t before = OpenDescriptors();
  {
    Link link;
    Fd other_server;
    Fd other = link.Connect(&other_server);
    REQUIRE(other_server.valid());
    link.proxy->SetMode(Mode::kBlackhole);
    REQUIRE(SendAll(link.client, "held"));

    auto start = std::chrono::steady_clock::now();
    link.proxy->Stop();
    CHECK(std::chrono::steady_clock::now() - start < milliseconds(1000));
    CHECK(IsCut(WaitFor(link.client, 2000)));
    CHECK(IsCut(WaitFor(other, 2000)));
    CHECK(IsCut(WaitFor(other_server, 2000)));
    CHECK(link.proxy->counters().open_connections == 0);

    // Stopped: SetMode only records, and a second Stop is harmless.
    link.proxy->SetMode(Mode::kPass);
    CHECK(link.proxy->mode() == Mode::kPass);
    link.proxy->Stop();
  }
  CHECK(OpenDescriptors() == before);
}

}  // namespace
}  // namespace frontera::e2e
