// Result<T>: either a value or a non-OK Status. Use for functions that return a
// value and can fail for operating reasons.
#pragma once

#include <utility>
#include <variant>

#include "common/check.h"
#include "common/status.h"

namespace frontera {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    FRONTERA_CHECK(!std::get<Status>(v_).ok()) << "Result built from an OK Status";
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; OK when this holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // REQUIRES: ok().
  const T& value() const& {
    Require();
    return std::get<T>(v_);
  }
  T& value() & {
    Require();
    return std::get<T>(v_);
  }
  T&& value() && {
    Require();
    return std::get<T>(std::move(v_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void Require() const {
    FRONTERA_CHECK(ok()) << "value() of a failed Result: " << std::get<Status>(v_).ToString();
  }
  std::variant<T, Status> v_;
};

}  // namespace frontera

// Evaluates `rexpr` (a Result<T>); on error returns its Status, otherwise
// moves the value into `lhs` (which may be a declaration: `auto x`).
#define FRONTERA_ASSIGN_OR_RETURN(lhs, rexpr) \
  FRONTERA_ASSIGN_OR_RETURN_IMPL_(FRONTERA_CONCAT_(frontera_result_, __LINE__), lhs, rexpr)
#define FRONTERA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                    \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()
#define FRONTERA_CONCAT_(a, b) FRONTERA_CONCAT_INNER_(a, b)
#define FRONTERA_CONCAT_INNER_(a, b) a##b
