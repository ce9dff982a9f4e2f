// Clock seam. Only the leader's proposer and the edges (HTTP, CLI) read a
// clock; ledger validation never does (it uses the time carried in the block).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace frontera {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, UTC.
  virtual int64_t NowUnixMillis() const = 0;
};

// The system's real-time clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowUnixMillis() const override;
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_unix_millis) : now_(now_unix_millis) {}
  int64_t NowUnixMillis() const override { return now_.load(); }
  void Set(int64_t now_unix_millis) { now_.store(now_unix_millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

// RFC 3339 UTC timestamp with second precision: "2026-11-02T14:05:00Z".
std::string FormatRfc3339(int64_t unix_millis);

}  // namespace frontera
