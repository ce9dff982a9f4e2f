// Strict JSON parsing (I-JSON, RFC 7493) for documents that will be signed or
// hashed: rejects duplicate object keys, invalid UTF-8 and lone surrogates,
// text after the value, nesting deeper than a limit, and inputs longer than a
// limit. The error names the byte offset and, for duplicates and depth, the
// JSON pointer of the offending member.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/result.h"

namespace frontera::crypto {

using Json = nlohmann::json;

struct JsonLimits {
  size_t text_bytes_max = 1 << 20;  // whole document
  size_t depth_max = 32;            // nesting of objects and arrays
};

// Returns kInvalidArgument with a FieldError {pointer, reason} on failure
// (kResourceExhausted when text_bytes_max is exceeded).
Result<Json> ParseJson(std::string_view text, const JsonLimits& limits = {});

// Appends "/" and `token` escaped as an RFC 6901 reference token ("~" → "~0",
// "/" → "~1") to `out`: one step deeper in a JSON pointer.
void AppendJsonPointerToken(std::string_view token, std::string& out);

}  // namespace frontera::crypto
