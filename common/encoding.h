// Text encodings of bytes: hex, base64 (RFC 4648 §4, padded), base64url
// (RFC 4648 §5, unpadded), base58btc (the Bitcoin alphabet, as multibase 'z').
//
// Decoders are strict: they reject characters outside the alphabet, wrong
// padding, and non-canonical trailing bits, so that one byte string has exactly
// one accepted text form (a signature cannot be re-encoded to dodge a
// duplicate check).
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"

namespace frontera {

std::string HexEncode(ByteView data);            // lowercase
Result<Bytes> HexDecode(std::string_view text);  // accepts upper and lower case

std::string Base64Encode(ByteView data);
Result<Bytes> Base64Decode(std::string_view text);

std::string Base64UrlEncode(ByteView data);
Result<Bytes> Base64UrlDecode(std::string_view text);

std::string Base58Encode(ByteView data);
// REQUIRES: text.size() <= 1024 (longer inputs are rejected, bounding the
// quadratic decoder).
Result<Bytes> Base58Decode(std::string_view text);

}  // namespace frontera
