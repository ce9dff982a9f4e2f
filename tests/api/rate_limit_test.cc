#include "api/rate_limit.h"

#include <doctest/doctest.h>

namespace frontera::api {
namespace {

using Clock = RateLimiter::Clock;
using std::chrono::milliseconds;

TEST_CASE("a bucket admits its burst at once, then the rate") {
  RateLimiter limiter(/*rate_per_s=*/10, /*burst=*/3, /*keys_max=*/100);
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) CHECK(limiter.Take("127.0.0.2", t0) == 0);
  // Empty: the next token is 100 ms away, announced as 1 s (whole seconds).
  CHECK(limiter.Take("127.0.0.2", t0) == 1);
  CHECK(limiter.Take("127.0.0.2", t0 + milliseconds(50)) == 1);
  // 10 per second: one token per 100 ms.
  CHECK(limiter.Take("127.0.0.2", t0 + milliseconds(100)) == 0);
  CHECK(limiter.Take("127.0.0.2", t0 + milliseconds(150)) == 1);
  // Refill stops at the burst.
  CHECK(limiter.Take("127.0.0.2", t0 + milliseconds(10'000)) == 0);
  CHECK(limiter.Take("127.0.0.2", t0 + milliseconds(10'000)) == 0);
  CHECK(limiter.Take("127.0.0.2", t0 + milliseconds(10'000)) == 0);
  CHECK(limiter.Take("127.0.0.2", t0 + milliseconds(10'000)) == 1);
}

TEST_CASE("each key has its own bucket") {
  RateLimiter limiter(1, 1, 100);
  const Clock::time_point t0{};
  CHECK(limiter.Take("a", t0) == 0);
  CHECK(limiter.Take("a", t0) == 1);
  CHECK(limiter.Take("b", t0) == 0);
}

TEST_CASE("Retry-After rounds the wait up to whole seconds") {
  RateLimiter limiter(/*rate_per_s=*/0.25, /*burst=*/1, 100);  // one per 4 s
  const Clock::time_point t0{};
  CHECK(limiter.Take("a", t0) == 0);
  CHECK(limiter.Take("a", t0) == 4);
  CHECK(limiter.Take("a", t0 + milliseconds(2500)) == 2);
}

TEST_CASE("the table keeps at most keys_max keys and forgets the least recently used") {
  RateLimiter limiter(1, 1, 2);
  const Clock::time_point t0{};
  CHECK(limiter.Take("a", t0) == 0);
  CHECK(limiter.Take("b", t0) == 0);
  CHECK(limiter.Take("a", t0) == 1);  // "a" is now the most recently used
  CHECK(limiter.Take("c", t0) == 0);  // evicts "b"
  CHECK(limiter.size() == 2);
  CHECK(limiter.Take("a", t0) == 1);  // "a" was kept, still empty
  CHECK(limiter.Take("b", t0) == 0);  // "b" was forgotten: a full bucket again
  CHECK(limiter.size() == 2);
}

}  // namespace
}  // namespace frontera::api
