#include "tests/e2e/fault_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <list>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/check.h"

namespace frontera::e2e {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunkBytes = 64 * 1024;

Status ErrnoStatus(std::string_view call) {
  return Status::IOError("fault proxy: " + std::string(call) + ": " + std::strerror(errno));
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// The proxy forwards each read as soon as it can; Nagle's algorithm would hold
// small writes back for up to a delayed-ACK period (RFC 896, RFC 1122 §4.2.3.4)
// and add tens of milliseconds that the real link does not have.
void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// SO_LINGER with a zero timeout makes close() abort the connection: the kernel
// sends RST instead of FIN (RFC 9293 §3.10.4 ABORT), so the peer learns at once
// that the link is cut rather than reading an orderly end of stream, and no
// TIME_WAIT socket is left behind.
void CloseWithReset(int fd) {
  if (fd < 0) return;
  linger abort_on_close{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  close(fd);
}

struct Chunk {
  Clock::time_point due;  // not written before this (kDelay)
  std::string bytes;
  size_t offset = 0;  // bytes[0, offset) already written
};

// One direction of a connection: bytes read from one socket and waiting to be
// written to the other.
struct Flow {
  std::deque<Chunk> queue;  // in arrival order; due times are not decreasing in practice
  size_t queued_bytes = 0;  // unwritten bytes in queue; < kQueuedBytesMax + kReadChunkBytes
  bool eof = false;         // the source sent FIN
  bool shut = false;        // FIN forwarded: shutdown(SHUT_WR) done on the destination

  bool HeadDue(Clock::time_point now) const { return !queue.empty() && queue.front().due <= now; }
  void Discard() {
    queue.clear();
    queued_bytes = 0;
  }
};

struct Connection {
  int client_fd = -1;
  int target_fd = -1;       // -1 when accepted in kBlackhole (never connected)
  bool connecting = false;  // non-blocking connect to the target in progress
  bool blackholed = false;  // open during kBlackhole: its streams have gaps
  bool closed = false;      // both sockets closed; erased at the end of the pass
  Flow up;                  // client → target
  Flow down;                // target → client
  size_t client_poll = 0;   // index of client_fd in this pass's pollfd array
  size_t target_poll = 0;   // index of target_fd, when target_fd >= 0
};

}  // namespace

// The loop thread's state. Only that thread touches it; it reaches the proxy
// for the requested mode (under mu_) and the counters (atomics).
struct FaultProxy::Loop {
  explicit Loop(FaultProxy* owner) : proxy(owner), buffer(kReadChunkBytes) {}

  void Run();
  void ApplyMode(Mode new_mode, std::chrono::milliseconds new_delay);
  void AcceptAll();
  short ClientEvents(const Connection& c, Clock::time_point now) const;
  short TargetEvents(const Connection& c, Clock::time_point now) const;
  void Service(Connection& c, short client_revents, short target_revents);
  // Reads once from `fd` into `flow`. False when the connection was closed.
  bool ReadInto(Connection& c, int fd, Flow& flow);
  // Writes the due head of `flow` to `fd`. False when the connection was closed.
  bool Flush(Connection& c, Flow& flow, int fd, std::atomic<uint64_t>& forwarded);
  void Close(Connection& c, bool with_reset);

  FaultProxy* proxy;
  std::list<Connection> connections;  // ≤ kConnectionsMax
  Mode mode = Mode::kPass;
  std::chrono::milliseconds delay{0};
  std::vector<char> buffer;
};

void FaultProxy::Loop::Close(Connection& c, bool with_reset) {
  if (c.closed) return;
  if (with_reset) {
    CloseWithReset(c.client_fd);
    CloseWithReset(c.target_fd);
  } else {
    close(c.client_fd);
    if (c.target_fd >= 0) close(c.target_fd);
  }
  c.client_fd = c.target_fd = -1;
  c.closed = true;
  proxy->open_connections_.fetch_sub(1);
}

void FaultProxy::Loop::ApplyMode(Mode new_mode, std::chrono::milliseconds new_delay) {
  Mode old_mode = mode;
  mode = new_mode;
  delay = new_delay;
  for (Connection& c : connections) {
    if (c.closed) continue;
    if (new_mode == Mode::kDrop ||
        (old_mode == Mode::kBlackhole && new_mode != Mode::kBlackhole && c.blackholed)) {
      Close(c, /*with_reset=*/true);
      proxy->reset_.fetch_add(1);
    } else if (new_mode == Mode::kBlackhole) {
      // What was queued but not yet delivered is lost in the partition too.
      c.blackholed = true;
      proxy->bytes_blackholed_.fetch_add(c.up.queued_bytes + c.down.queued_bytes);
      c.up.Discard();
      c.down.Discard();
    }
  }
}

void FaultProxy::Loop::AcceptAll() {
  for (;;) {
    int fd = accept4(proxy->listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN: backlog drained; anything else is retried on the next pass
    }
    if (mode == Mode::kDrop || connections.size() >= kConnectionsMax) {
      CloseWithReset(fd);
      proxy->refused_.fetch_add(1);
      continue;
    }
    SetNoDelay(fd);
    Connection& c = connections.emplace_back();
    c.client_fd = fd;
    proxy->accepted_.fetch_add(1);
    proxy->open_connections_.fetch_add(1);
    if (mode == Mode::kBlackhole) {
      // A silent partition: the handshake with the proxy succeeds but nothing
      // reaches the target, so it is not even contacted.
      c.blackholed = true;
      continue;
    }
    int target = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (target < 0) {
      Close(c, /*with_reset=*/true);
      proxy->target_connect_failures_.fetch_add(1);
      continue;
    }
    c.target_fd = target;
    sockaddr_in addr = Loopback(proxy->target_port_);
    if (connect(target, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      SetNoDelay(target);
    } else if (errno == EINPROGRESS) {
      c.connecting = true;
    } else {
      Close(c, /*with_reset=*/true);
      proxy->target_connect_failures_.fetch_add(1);
    }
  }
}

short FaultProxy::Loop::ClientEvents(const Connection& c, Clock::time_point now) const {
  short events = 0;
  if (!c.up.eof && c.up.queued_bytes < kQueuedBytesMax) events |= POLLIN;
  if (c.down.HeadDue(now)) events |= POLLOUT;
  return events;
}

short FaultProxy::Loop::TargetEvents(const Connection& c, Clock::time_point now) const {
  if (c.connecting) return POLLOUT;  // connect(2): writable when the handshake ends
  short events = 0;
  if (!c.down.eof && c.down.queued_bytes < kQueuedBytesMax) events |= POLLIN;
  if (c.up.HeadDue(now)) events |= POLLOUT;
  return events;
}

bool FaultProxy::Loop::ReadInto(Connection& c, int fd, Flow& flow) {
  ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
    // The peer reset (or the socket failed): pass the abort on to the other side.
    Close(c, /*with_reset=*/true);
    return false;
  }
  if (n == 0) {
    if (c.blackholed) {
      // The stream already has a gap; a peer that gives up ends it.
      Close(c, /*with_reset=*/true);
      return false;
    }
    flow.eof = true;
    return true;
  }
  if (c.blackholed) {
    proxy->bytes_blackholed_.fetch_add(static_cast<uint64_t>(n));
    return true;
  }
  flow.queue.push_back(Chunk{Clock::now() + delay, std::string(buffer.data(), n), 0});
  flow.queued_bytes += static_cast<size_t>(n);
  return true;
}

bool FaultProxy::Loop::Flush(Connection& c, Flow& flow, int fd, std::atomic<uint64_t>& forwarded) {
  Clock::time_point now = Clock::now();
  while (flow.HeadDue(now)) {
    Chunk& chunk = flow.queue.front();
    ssize_t n = send(fd, chunk.bytes.data() + chunk.offset, chunk.bytes.size() - chunk.offset,
                     MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;  // POLLOUT resumes it
      Close(c, /*with_reset=*/true);
      return false;
    }
    chunk.offset += static_cast<size_t>(n);
    flow.queued_bytes -= static_cast<size_t>(n);
    forwarded.fetch_add(static_cast<uint64_t>(n));
    if (chunk.offset < chunk.bytes.size()) return true;  // socket buffer full
    flow.queue.pop_front();
  }
  // A half-close is forwarded only after every byte before it (RFC 9293
  // §3.6: FIN is sequenced after the data).
  if (flow.eof && flow.queue.empty() && !flow.shut) {
    shutdown(fd, SHUT_WR);
    flow.shut = true;
  }
  return true;
}

void FaultProxy::Loop::Service(Connection& c, short client_revents, short target_revents) {
  constexpr short kReadable = POLLIN | POLLHUP | POLLERR;
  if (c.connecting && target_revents != 0) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(c.target_fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      Close(c, /*with_reset=*/true);
      proxy->target_connect_failures_.fetch_add(1);
      return;
    }
    c.connecting = false;
    SetNoDelay(c.target_fd);
    target_revents = 0;  // the writability was the handshake's
  }
  // While the handshake runs, the client's bytes are queued (up to the limit).
  if ((client_revents & kReadable) && !ReadInto(c, c.client_fd, c.up)) return;
  if ((target_revents & kReadable) && !ReadInto(c, c.target_fd, c.down)) return;
  // Writes are tried whenever something is due, not only on POLLOUT, so that
  // a chunk just read goes out in the same pass.
  if (c.target_fd >= 0 && !c.connecting && !Flush(c, c.up, c.target_fd, proxy->bytes_to_target_)) {
    return;
  }
  if (!Flush(c, c.down, c.client_fd, proxy->bytes_to_client_)) return;
  if (c.up.shut && c.down.shut) Close(c, /*with_reset=*/false);
}

void FaultProxy::Loop::Run() {
  std::vector<pollfd> fds;
  uint64_t applied = 0;
  for (;;) {
    Mode requested_mode;
    std::chrono::milliseconds requested_delay;
    uint64_t requested;
    {
      std::lock_guard lock(proxy->mu_);
      if (proxy->stopping_) break;
      requested = proxy->requested_generation_;
      requested_mode = proxy->mode_;
      requested_delay = proxy->delay_;
    }
    if (requested != applied) {
      ApplyMode(requested_mode, requested_delay);
      applied = requested;
      {
        std::lock_guard lock(proxy->mu_);
        proxy->applied_generation_ = applied;
      }
      proxy->applied_cv_.notify_all();
    }
    connections.remove_if([](const Connection& c) { return c.closed; });

    Clock::time_point now = Clock::now();
    int timeout_ms = -1;
    auto wait_for = [&](const Flow& flow) {
      if (flow.queue.empty() || flow.queue.front().due <= now) return;
      auto until_due =
          std::chrono::ceil<std::chrono::milliseconds>(flow.queue.front().due - now).count();
      int ms = static_cast<int>(std::min<int64_t>(until_due, 60'000));
      if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = ms;
    };
    fds.clear();
    fds.push_back(pollfd{proxy->wake_read_fd_, POLLIN, 0});
    fds.push_back(pollfd{proxy->listen_fd_, POLLIN, 0});
    for (Connection& c : connections) {
      // An entry with nothing to wait for gets fd -1 (ignored by poll, POSIX):
      // otherwise a socket shut both ways would report POLLHUP on every pass.
      short client_events = ClientEvents(c, now);
      c.client_poll = fds.size();
      fds.push_back(pollfd{client_events ? c.client_fd : -1, client_events, 0});
      if (c.target_fd >= 0) {
        short target_events = TargetEvents(c, now);
        c.target_poll = fds.size();
        fds.push_back(pollfd{target_events ? c.target_fd : -1, target_events, 0});
      }
      wait_for(c.up);
      wait_for(c.down);
    }
    int ready = poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0) {
      FRONTERA_CHECK(errno == EINTR) << "fault proxy: poll: " << std::strerror(errno);
      continue;
    }
    if (fds[0].revents != 0) {
      char drain[64];
      while (read(proxy->wake_read_fd_, drain, sizeof drain) > 0) {
      }
    }
    for (Connection& c : connections) {
      if (c.closed) continue;
      short target_revents = c.target_fd >= 0 ? fds[c.target_poll].revents : 0;
      Service(c, fds[c.client_poll].revents, target_revents);
    }
    // After the existing connections, so that the indices above stay valid.
    if (fds[1].revents != 0) AcceptAll();
  }
  for (Connection& c : connections) Close(c, /*with_reset=*/true);
  connections.clear();
}

FaultProxy::FaultProxy(int listen_fd, int wake_read_fd, int wake_write_fd, uint16_t port,
                       uint16_t target_port)
    : port_(port),
      target_port_(target_port),
      listen_fd_(listen_fd),
      wake_read_fd_(wake_read_fd),
      wake_write_fd_(wake_write_fd) {}

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(uint16_t target_port) {
  FRONTERA_CHECK(target_port != 0) << "fault proxy needs a target port";
  int listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) return ErrnoStatus("socket");
  sockaddr_in addr = Loopback(0);  // port 0: the kernel picks a free one
  socklen_t length = sizeof addr;
  if (bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd, 128) != 0 ||
      getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    Status status = ErrnoStatus("listen on 127.0.0.1");
    close(listen_fd);
    return status;
  }
  int wake[2];
  if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) {
    Status status = ErrnoStatus("pipe2");
    close(listen_fd);
    return status;
  }
  std::unique_ptr<FaultProxy> proxy(
      new FaultProxy(listen_fd, wake[0], wake[1], ntohs(addr.sin_port), target_port));
  try {
    proxy->thread_ = std::thread([raw = proxy.get()] { raw->Run(); });
  } catch (const std::system_error& error) {
    // The destructor closes the descriptors; there is no thread to join.
    return Status::IOError(std::string("fault proxy: starting its thread: ") + error.what());
  }
  return proxy;
}

FaultProxy::~FaultProxy() { Stop(); }

void FaultProxy::Run() {
  Loop loop(this);
  loop.Run();
  {
    std::lock_guard lock(mu_);
    loop_exited_ = true;
  }
  applied_cv_.notify_all();
}

// REQUIRES: mu_ held, so that Stop cannot close the pipe between the check
// and the write (the number could be reused by another descriptor).
void FaultProxy::Wake() {
  if (wake_write_fd_ < 0) return;
  char byte = 1;
  // Full pipe (EAGAIN): a wake-up is already pending, which is all we need.
  [[maybe_unused]] ssize_t written = write(wake_write_fd_, &byte, 1);
}

void FaultProxy::SetMode(Mode mode, std::chrono::milliseconds delay) {
  FRONTERA_CHECK(mode == Mode::kDelay ? delay.count() > 0 : delay.count() == 0)
      << "delay " << delay.count() << " ms with mode " << static_cast<int>(mode);
  std::unique_lock lock(mu_);
  mode_ = mode;
  delay_ = delay;
  uint64_t generation = ++requested_generation_;
  if (stopping_ || loop_exited_ || !thread_.joinable()) return;
  Wake();
  applied_cv_.wait(lock, [&] { return applied_generation_ >= generation || loop_exited_; });
}

FaultProxy::Mode FaultProxy::mode() const {
  std::lock_guard lock(mu_);
  return mode_;
}

FaultProxy::Counters FaultProxy::counters() const {
  Counters c;
  c.accepted = accepted_.load();
  c.refused = refused_.load();
  c.reset = reset_.load();
  c.target_connect_failures = target_connect_failures_.load();
  c.bytes_to_target = bytes_to_target_.load();
  c.bytes_to_client = bytes_to_client_.load();
  c.bytes_blackholed = bytes_blackholed_.load();
  c.open_connections = open_connections_.load();
  return c;
}

void FaultProxy::Stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      Wake();
    }
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mu_);
    for (int* fd : {&listen_fd_, &wake_read_fd_, &wake_write_fd_}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
    loop_exited_ = true;
  });
  applied_cv_.notify_all();
}

}  // namespace frontera::e2e
