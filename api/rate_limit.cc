#include "api/rate_limit.h"

#include <algorithm>
#include <cmath>

#include "common/check.h"

namespace frontera::api {

RateLimiter::RateLimiter(double rate_per_s, double burst, size_t keys_max)
    : rate_per_s_(rate_per_s), burst_(burst), keys_max_(keys_max) {
  FRONTERA_CHECK(rate_per_s > 0 && burst >= 1 && keys_max >= 1)
      << "RateLimiter(" << rate_per_s << ", " << burst << ", " << keys_max << ")";
}

int RateLimiter::Take(std::string_view key, Clock::time_point now) {
  MutexLock lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= keys_max_) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.emplace_front(key);
    it = buckets_.emplace(lru_.front(), Bucket{burst_, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    const double elapsed_s =
        std::max(0.0, std::chrono::duration<double>(now - it->second.updated).count());
    it->second.tokens = std::min(burst_, it->second.tokens + elapsed_s * rate_per_s_);
    it->second.updated = now;
  }
  Bucket& bucket = it->second;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  const double wait_s = (1.0 - bucket.tokens) / rate_per_s_;
  return std::max(1, static_cast<int>(std::ceil(wait_s)));
}

size_t RateLimiter::size() const {
  MutexLock lock(mu_);
  return buckets_.size();
}

}  // namespace frontera::api
