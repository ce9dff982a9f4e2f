// RFC 8785 JSON Canonicalization Scheme.
//
// Object members sorted by their names' UTF-16 code units; strings escaped as
// ECMAScript JSON.stringify does (only \b \t \n \f \r \" \\ and \u00xx for
// other controls, lowercase hex); numbers in ECMAScript Number::toString form
// (shortest round-trip, exponent rules of ES2015 §7.1.12.1); no whitespace.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "common/result.h"
#include "crypto/json.h"

namespace frontera::crypto {

// The canonical UTF-8 text of `value`. Fails (kInvalidArgument) on a number
// that is not finite or a string that is not valid UTF-8.
Result<std::string> Canonicalize(const Json& value);

// Appends the canonical form of `value` to `out` (same contract; on failure
// `out` holds a partial result and must be discarded).
Status CanonicalizeTo(const Json& value, std::string& out);

}  // namespace frontera::crypto
