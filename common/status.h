// Status: the outcome of an operation that can fail for operating reasons
// (bad input, missing key, disk full, peer gone). Programmer errors are
// FRONTERA_CHECK failures instead (see check.h).
//
// A Status is a value: cheap to copy when OK, and it may carry the field errors
// of a rejected document ({JSON pointer, reason}) so that every adapter (HTTP,
// CLI) can say exactly where the input was wrong.
//
// Thread-safety: immutable after construction; safe to share.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace frontera {

// One problem with one field of an input document.
struct FieldError {
  std::string pointer;  // RFC 6901 JSON pointer into the input ("" = whole document).
  std::string reason;   // What is wrong and, where useful, what is expected.
  bool operator==(const FieldError&) const = default;
};

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,     // malformed input: not JSON, wrong type, missing field (HTTP 400)
    kFailedPrecondition,  // well-formed input that breaks a ledger rule (HTTP 422)
    kPermissionDenied,    // signer not allowed to do this (HTTP 403)
    kNotFound,            // (HTTP 404)
    kAlreadyExists,       // duplicate id or identifier (HTTP 409)
    kResourceExhausted,   // a limit was hit: body size, queue depth (HTTP 413/429/503)
    kUnavailable,         // try again later: no leader, shutting down (HTTP 503)
    kCorruption,          // stored data does not verify
    kIOError,             // the disk or the network failed
    kInternal,            // a bug surfaced as an error rather than a crash
  };

  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string_view msg, std::vector<FieldError> errors = {}) {
    return Status(Code::kInvalidArgument, msg, std::move(errors));
  }
  static Status FailedPrecondition(std::string_view msg, std::vector<FieldError> errors = {}) {
    return Status(Code::kFailedPrecondition, msg, std::move(errors));
  }
  static Status PermissionDenied(std::string_view msg, std::vector<FieldError> errors = {}) {
    return Status(Code::kPermissionDenied, msg, std::move(errors));
  }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg, {}); }
  static Status AlreadyExists(std::string_view msg, std::vector<FieldError> errors = {}) {
    return Status(Code::kAlreadyExists, msg, std::move(errors));
  }
  static Status ResourceExhausted(std::string_view msg, std::vector<FieldError> errors = {}) {
    return Status(Code::kResourceExhausted, msg, std::move(errors));
  }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg, {}); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg, {}); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg, {}); }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg, {}); }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsFailedPrecondition() const { return code() == Code::kFailedPrecondition; }
  bool IsPermissionDenied() const { return code() == Code::kPermissionDenied; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsAlreadyExists() const { return code() == Code::kAlreadyExists; }
  bool IsResourceExhausted() const { return code() == Code::kResourceExhausted; }
  bool IsUnavailable() const { return code() == Code::kUnavailable; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsIOError() const { return code() == Code::kIOError; }

  // The human-readable message; empty when OK.
  const std::string& message() const;
  // Field errors attached to this status (may be empty even when not OK).
  const std::vector<FieldError>& field_errors() const;

  // Returns a copy whose message is "<prefix>: <message>" and whose field
  // pointers are prefixed with pointer_prefix (for nested documents).
  Status WithContext(std::string_view prefix, std::string_view pointer_prefix = "") const;

  // "InvalidArgument: message [/a/b: reason; ...]", or "OK".
  std::string ToString() const;
  static std::string_view CodeName(Code code);

 private:
  struct Rep {
    Code code;
    std::string message;
    std::vector<FieldError> field_errors;
  };
  Status(Code code, std::string_view msg, std::vector<FieldError> errors);

  std::shared_ptr<const Rep> rep_;  // null when OK
};

}  // namespace frontera

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define FRONTERA_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::frontera::Status frontera_status_ = (expr);        \
    if (!frontera_status_.ok()) return frontera_status_; \
  } while (0)
