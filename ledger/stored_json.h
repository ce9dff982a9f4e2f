// Reading fields of JSON this ledger stored (blocks, the summary) from a
// store that may have come from another node: a missing or mistyped field is
// kCorruption naming `what` and the field, never an exception or an abort.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"

namespace frontera::ledger {

// The unsigned integer field `name` of `object`.
Result<uint64_t> StoredUint(const crypto::Json& object, const char* name, std::string_view what);
// The field `name` of `object`: standard base64 of a SHA-256 hash.
Result<crypto::Hash> StoredHash(const crypto::Json& object, const char* name,
                                std::string_view what);

}  // namespace frontera::ledger
