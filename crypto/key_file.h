// Key files (docs/cli.md#key-files): one Ed25519 key pair as a JSON object
//   {"did": "did:key:z6Mk…", "verificationMethod": "did:key:z6Mk…#z6Mk…",
//    "publicKeyHex": "<64 hex>", "seedHex": "<64 hex>"}
// The seed is the secret: files are created with mode 0600 and never
// overwritten. Loading re-derives the public key from the seed and rejects a
// file whose other members disagree with it (a hand-edited or mixed-up file).
//
// Thread-safety: pure functions apart from the file system.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"

namespace frontera::crypto {

// The JSON form of `key`'s key file.
Json KeyFileJson(const KeyPair& key);

// The key pair of a key file's JSON. Errors (kInvalidArgument) carry the
// member's pointer, e.g. "/seedHex".
Result<KeyPair> KeyPairFromKeyFileJson(const Json& document);

// Parses a seed written as 64 hex digits (either case).
Result<Seed> ParseSeedHex(std::string_view hex);

// Creates `path` with mode 0600 holding `key`'s key file. kAlreadyExists when
// `path` exists (nothing is overwritten, not even through a symbolic link),
// kIOError when it cannot be written.
Status WriteKeyFile(const std::string& path, const KeyPair& key);

// Reads a key file (at most 64 KiB). Errors name the path.
Result<KeyPair> LoadKeyFile(const std::string& path);

}  // namespace frontera::crypto
