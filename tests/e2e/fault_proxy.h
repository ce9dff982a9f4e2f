// FaultProxy: a loopback TCP proxy that stands on one link of a test cluster
// (a client → validator, or validator → validator) and can cut, stall or slow
// that link on command. One proxy per link to be faulted; point the peer's
// address at port() instead of the target's.
//
//   auto proxy = FaultProxy::Start(target_port);   // REQUIRE(proxy.ok())
//   ... configure the peer with (*proxy)->port() ...
//   (*proxy)->SetMode(FaultProxy::Mode::kDrop);     // partition: link cut
//   (*proxy)->SetMode(FaultProxy::Mode::kPass);     // healed: reconnects work
//
// Modes, and what a peer on either side notices:
//   kPass       bytes are forwarded both ways as they arrive; half-closes (FIN)
//               are forwarded; a reset on one side resets the other.
//   kDrop       every open connection is reset (RST) on both sides when the
//               mode is set, and each new connection is accepted and reset at
//               once: the peer sees ECONNRESET / EOF quickly, as after a crash
//               of the other end.
//   kBlackhole  connections stay open and new ones are accepted, but no byte
//               crosses in either direction: what arrives is read and
//               discarded, so senders never block and receivers wait forever,
//               as in a silent partition. The discarded bytes leave a gap in
//               each stream, so when the proxy leaves kBlackhole every
//               connection that was open in it is reset; new connections then
//               follow the new mode.
//   kDelay      as kPass, but each chunk read is forwarded `delay` after it
//               arrived (order kept); chunks already queued keep their time
//               when the mode changes to kPass.
//
// The target need not listen yet when the proxy starts: a connection whose
// target refuses is reset (counted in target_connect_failures).
//
// Limits: at most kConnectionsMax open connections (more are reset at
// accept and counted as refused); at most kQueuedBytesMax bytes queued per
// direction of a connection (the proxy stops reading that side until the
// other drains, so a slow receiver slows the sender as TCP would).
//
// Thread-safety: all public methods may be called from any thread. One
// internal thread runs a poll(2) loop over every socket; SetMode waits until
// that thread has applied the mode, so a fault is in effect when it returns.
// All sockets are close-on-exec (fronterad children spawned by tests do not
// inherit them) and sends use MSG_NOSIGNAL (no SIGPIPE).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "common/result.h"

namespace frontera::e2e {

class FaultProxy {
 public:
  enum class Mode { kPass, kDrop, kBlackhole, kDelay };

  static constexpr size_t kConnectionsMax = 256;
  static constexpr size_t kQueuedBytesMax = 1 << 20;

  // Totals since Start. Each field is read atomically on its own; the set
  // is not a snapshot of one instant. A count is raised after what it counts
  // has happened (a connection counted in `reset` is already closed and no
  // longer in open_connections).
  struct Counters {
    uint64_t accepted = 0;                 // connections accepted and kept
    uint64_t refused = 0;                  // reset at accept (kDrop, or over the limit)
    uint64_t reset = 0;                    // open connections reset by kDrop or leaving kBlackhole
    uint64_t target_connect_failures = 0;  // the target refused or was unreachable
    uint64_t bytes_to_target = 0;          // forwarded client → target
    uint64_t bytes_to_client = 0;          // forwarded target → client
    uint64_t bytes_blackholed = 0;         // read and discarded in kBlackhole
    uint64_t open_connections = 0;         // currently open (gauge)
  };

  // Listens on 127.0.0.1 on a free port and forwards to 127.0.0.1:target_port,
  // in kPass. kIOError when a socket, the listener or the thread cannot be
  // set up (the message names the call and errno's text).
  // REQUIRES: target_port != 0.
  static Result<std::unique_ptr<FaultProxy>> Start(uint16_t target_port);

  // Stops (see Stop).
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // The port the proxy listens on (127.0.0.1). Fixed for the proxy's life.
  uint16_t port() const { return port_; }
  uint16_t target_port() const { return target_port_; }

  // Switches the link to `mode` (see the table above) and returns once the
  // loop has applied it: after SetMode(kDrop) returns, every connection that
  // was open has been reset. `delay` is the forwarding delay of kDelay.
  // REQUIRES: delay > 0 when mode == kDelay, delay == 0 otherwise.
  // After Stop, only records the mode.
  void SetMode(Mode mode, std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  Mode mode() const;

  Counters counters() const;

  // Closes the listener and every connection (reset on both sides) and joins
  // the loop thread. Prompt: the loop is woken through a pipe, it does not
  // wait for a timeout. Idempotent.
  void Stop();

 private:
  struct Loop;  // the loop thread's own state (sockets, queues); see .cc

  FaultProxy(int listen_fd, int wake_read_fd, int wake_write_fd, uint16_t port,
             uint16_t target_port);
  void Run();
  void Wake();

  const uint16_t port_;
  const uint16_t target_port_;
  // Owned by the loop thread while it runs; closed by Stop after the join.
  int listen_fd_;
  int wake_read_fd_;
  int wake_write_fd_;  // written (non-blocking) by any thread to wake the loop

  mutable std::mutex mu_;
  std::condition_variable applied_cv_;
  Mode mode_ = Mode::kPass;             // GUARDED_BY(mu_)
  std::chrono::milliseconds delay_{0};  // GUARDED_BY(mu_)
  uint64_t requested_generation_ = 0;   // GUARDED_BY(mu_); bumped by SetMode
  uint64_t applied_generation_ = 0;     // GUARDED_BY(mu_); ≤ requested
  bool stopping_ = false;               // GUARDED_BY(mu_)
  bool loop_exited_ = false;            // GUARDED_BY(mu_)
  std::once_flag stop_once_;

  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> reset_{0};
  std::atomic<uint64_t> target_connect_failures_{0};
  std::atomic<uint64_t> bytes_to_target_{0};
  std::atomic<uint64_t> bytes_to_client_{0};
  std::atomic<uint64_t> bytes_blackholed_{0};
  std::atomic<uint64_t> open_connections_{0};

  std::thread thread_;  // runs Run(); joined by Stop
};

}  // namespace frontera::e2e
