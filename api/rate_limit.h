// RateLimiter: a token bucket per key (a client's IP address), in a table
// of bounded size. Each key may make `burst` requests at once and
// `rate_per_s` per second on average; a request finding its bucket empty
// is refused with the whole seconds until a token is back (the 429's
// Retry-After, RFC 6585 §4). When the table is full, the key used least
// recently is forgotten: it comes back later with a full bucket, so the
// table bounds memory, not what a client spread over more addresses than
// `keys_max` can do.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/mutex.h"

namespace frontera::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: rate_per_s > 0, burst >= 1, keys_max >= 1.
  RateLimiter(double rate_per_s, double burst, size_t keys_max);

  // Takes a token from `key`'s bucket at `now`. 0: admitted; otherwise the
  // request is refused and the result is the seconds (>= 1, rounded up) until
  // the bucket holds a token again. REQUIRES: `now` does not go back for a key.
  int Take(std::string_view key, Clock::time_point now);

  // Keys held now (<= keys_max).
  size_t size() const;

 private:
  struct Bucket {
    double tokens;  // in [0, burst_]
    Clock::time_point updated;
    std::list<std::string>::iterator lru;  // position in lru_
  };

  const double rate_per_s_;
  const double burst_;
  const size_t keys_max_;
  mutable Mutex mu_;
  // Most recently used first; the table's keys, in use order.
  std::list<std::string> lru_ GUARDED_BY(mu_);
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
};

}  // namespace frontera::api
