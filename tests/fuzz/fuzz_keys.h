// The fixed key the signed-note fuzzer verifies against and make_corpus
// signs its seed notes with, so that seeds reach signature verification.
// A test key: never use it for anything else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/ed25519.h"

namespace frontera::fuzz {

inline constexpr std::string_view kNoteSignerName = "fuzz.example/validator-1";

inline crypto::KeyPair NoteSignerKey() {
  crypto::Seed seed{};
  for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(0xf0 ^ i);
  return crypto::KeyPair::FromSeed(seed);
}

}  // namespace frontera::fuzz
