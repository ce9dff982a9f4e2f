// The libFuzzer entry points of a target whose inputs are text and whose
// checks need libsodium initialized: FRONTERA_FUZZ_TEXT_TARGET(fn) defines
// LLVMFuzzerInitialize and LLVMFuzzerTestOneInput, which hands each input to
// `void fn(std::string_view)`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/ed25519.h"

#define FRONTERA_FUZZ_TEXT_TARGET(fn)                                       \
  extern "C" int LLVMFuzzerInitialize(int*, char***) {                      \
    frontera::crypto::InitCrypto();                                         \
    return 0;                                                               \
  }                                                                         \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    fn(std::string_view(reinterpret_cast<const char*>(data), size));        \
    return 0;                                                               \
  }
