// Counts refusals by (who, why) and says when one deserves a log line: the
// first of each pair, then at most one line per pair every interval, with the
// count so far. A flood of refused peer messages or documents logs a few
// lines, not one per refusal, and the counts are exported as metrics.
//
// Thread-safety: thread-safe (a leaf lock, held for a few statements).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "common/mutex.h"

namespace frontera::node {

class RefusalCounter {
 public:
  using Key = std::pair<std::string, std::string>;  // (who or what, why)
  using Clock = std::chrono::steady_clock;

  explicit RefusalCounter(Clock::duration log_interval) : log_interval_(log_interval) {}

  // Counts one refusal of `key` at `now`. Returns the count so far when a log
  // line is due (the first refusal of the pair, or `log_interval` after the
  // last line for it), 0 otherwise.
  uint64_t Count(const Key& key, Clock::time_point now) EXCLUDES(mu_);

  // Every pair counted so far and its count.
  std::map<Key, uint64_t> Counts() const EXCLUDES(mu_);

 private:
  const Clock::duration log_interval_;
  mutable Mutex mu_;
  std::map<Key, uint64_t> counts_ GUARDED_BY(mu_);
  std::map<Key, Clock::time_point> logged_ GUARDED_BY(mu_);
};

}  // namespace frontera::node
