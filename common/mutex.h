// Mutex and MutexLock: std::mutex with clang's thread-safety annotations, so
// that the compiler checks every GUARDED_BY member is touched under its lock
// (clang -Wthread-safety; the sanitizer build of ./test.sh is a clang build).
// With other compilers the annotations expand to nothing.
//
//   Mutex mu_;
//   std::deque<Item> queue_ GUARDED_BY(mu_);
//   void Push(Item item) EXCLUDES(mu_) {
//     MutexLock lock(mu_);
//     queue_.push_back(std::move(item));
//   }
//   void Drain() REQUIRES(mu_);  // the caller holds mu_
//
// Condition variables wait on lock.native(); a predicate that reads guarded
// members says so: cv.wait(lock.native(), [&]() REQUIRES(mu_) { ... }).
//
// Thread-safety: Mutex is what it says; a MutexLock belongs to one thread.
#pragma once

#include <mutex>

#if defined(__clang__)
#define FRONTERA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FRONTERA_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(name) FRONTERA_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY FRONTERA_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(mu) FRONTERA_THREAD_ANNOTATION(guarded_by(mu))
#define PT_GUARDED_BY(mu) FRONTERA_THREAD_ANNOTATION(pt_guarded_by(mu))
#define REQUIRES(...) FRONTERA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) FRONTERA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) FRONTERA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) FRONTERA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ACQUIRED_BEFORE(...) FRONTERA_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) FRONTERA_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
// For the rare function the analysis cannot follow; say why beside it.
#define NO_THREAD_SAFETY_ANALYSIS FRONTERA_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace frontera {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // For std::condition_variable's waits, which release the mutex while they
  // sleep and hold it again when they return.
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace frontera
