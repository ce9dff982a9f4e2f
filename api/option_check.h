// The range check of the API's option structs' Validate() (ServerOptions,
// SignatureOptions): one error at "/<field>" naming the value and the range.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace frontera::api {

inline void CheckOptionRange(std::vector<FieldError>& errors, std::string_view field,
                             long long value, long long low, long long high) {
  if (value >= low && value <= high) return;
  errors.push_back({"/" + std::string(field), std::string(field) + " = " + std::to_string(value) +
                                                  " is outside [" + std::to_string(low) + ", " +
                                                  std::to_string(high) + "]"});
}

}  // namespace frontera::api
