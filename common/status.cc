#include "common/status.h"

namespace frontera {

namespace {
const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}
const std::vector<FieldError>& EmptyErrors() {
  static const std::vector<FieldError>* empty = new std::vector<FieldError>();
  return *empty;
}
}  // namespace

Status::Status(Code code, std::string_view msg, std::vector<FieldError> errors)
    : rep_(std::make_shared<const Rep>(Rep{code, std::string(msg), std::move(errors)})) {}

const std::string& Status::message() const { return rep_ ? rep_->message : EmptyString(); }

const std::vector<FieldError>& Status::field_errors() const {
  return rep_ ? rep_->field_errors : EmptyErrors();
}

Status Status::WithContext(std::string_view prefix, std::string_view pointer_prefix) const {
  if (ok()) return *this;
  std::string msg(prefix);
  msg += ": ";
  msg += rep_->message;
  std::vector<FieldError> errors = rep_->field_errors;
  for (FieldError& e : errors) e.pointer = std::string(pointer_prefix) + e.pointer;
  return Status(rep_->code, msg, std::move(errors));
}

std::string_view Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kFailedPrecondition:
      return "FailedPrecondition";
    case Code::kPermissionDenied:
      return "PermissionDenied";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kResourceExhausted:
      return "ResourceExhausted";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kCorruption:
      return "Corruption";
    case Code::kIOError:
      return "IOError";
    case Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  if (!rep_->field_errors.empty()) {
    out += " [";
    bool first = true;
    for (const FieldError& e : rep_->field_errors) {
      if (!first) out += "; ";
      first = false;
      out += e.pointer.empty() ? "(document)" : e.pointer;
      out += ": ";
      out += e.reason;
    }
    out += "]";
  }
  return out;
}

}  // namespace frontera
