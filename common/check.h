// FRONTERA_CHECK: assertions for programmer errors and corrupt state. They stay
// on in release builds: crash loudly rather than sign a wrong root.
//
//   FRONTERA_CHECK(index <= last_index) << "index " << index;
#pragma once

#include <sstream>

namespace frontera::internal {

// Collects the message of a failed check and aborts in its destructor.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Lets the ternary in FRONTERA_CHECK have type void on both arms.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace frontera::internal

#define FRONTERA_CHECK(condition)                 \
  (condition) ? (void)0                           \
              : ::frontera::internal::Voidify() & \
                    ::frontera::internal::CheckFailure(__FILE__, __LINE__, #condition).stream()
