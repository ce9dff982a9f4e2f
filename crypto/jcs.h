// RFC 8785 JSON Canonicalization Scheme.
//
// Object members sorted by their names' UTF-16 code units; strings escaped as
// ECMAScript JSON.stringify does (only \b \t \n \f \r \" \\ and \u00xx for
// other controls, lowercase hex); numbers in ECMAScript Number::toString form
// (shortest round-trip, exponent rules of ES2015 §7.1.12.1); no whitespace.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/json.h"

namespace frontera::crypto {

// The canonical UTF-8 text of `value`. Fails (kInvalidArgument) on a number
// that is not finite, a string that is not valid UTF-8, or nesting deeper than
// kJcsDepthMax (a guard against stack exhaustion on built values).
Result<std::string> Canonicalize(const Json& value);

// Appends the canonical form of `value` to `out` (same contract; on failure
// `out` holds a partial result and must be discarded).
Status CanonicalizeTo(const Json& value, std::string& out);

// Deepest nesting Canonicalize accepts (ParseJson documents are far shallower).
inline constexpr int kJcsDepthMax = 512;

// True iff `text` is well-formed UTF-8 (Unicode Table 3-7: no overlong forms,
// no surrogates, nothing above U+10FFFF) — the strings JCS accepts.
bool IsWellFormedUtf8(std::string_view text);

// One change to the top-level members of an object, applied while
// canonicalizing it (the object itself is not copied or modified).
struct JcsMemberEdit {
  std::string_view name;
  const Json* value;  // nullptr: leave the member out; otherwise use this value
                      // (the member is added if the object lacks it). Not owned.
};

// Appends the canonical form of `object` as if `edits` had been applied to its
// top-level members. Used by Data Integrity proofs to hash "the document
// without its proof" and "the proof without proofValue" without a deep copy.
// REQUIRES: object.is_object(); edit names are distinct.
// Same failure contract as CanonicalizeTo.
Status CanonicalizeObjectTo(const Json& object, std::span<const JcsMemberEdit> edits,
                            std::string& out);

}  // namespace frontera::crypto
