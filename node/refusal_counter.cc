#include "node/refusal_counter.h"

namespace frontera::node {

uint64_t RefusalCounter::Count(const Key& key, Clock::time_point now) {
  MutexLock lock(mu_);
  const uint64_t count = ++counts_[key];
  auto [it, first] = logged_.try_emplace(key, now);
  if (!first && now - it->second < log_interval_) return 0;
  it->second = now;
  return count;
}

std::map<RefusalCounter::Key, uint64_t> RefusalCounter::Counts() const {
  MutexLock lock(mu_);
  return counts_;
}

}  // namespace frontera::node
