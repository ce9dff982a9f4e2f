// The one-validator network of the trust bundle fuzzer: its genesis, whose
// hash is the fuzzer's root of trust, and whose validator is the key of
// fuzz_keys.h, with which make_corpus signs the seed bundles' notes.
// Test keys only.
#pragma once

#include <string>

#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "tests/fuzz/fuzz_keys.h"

namespace frontera::fuzz {

inline constexpr char kFuzzNetwork[] = "fuzz.example/net";

inline crypto::Json FuzzGenesisJson() {
  const std::string did = crypto::DidKeyFromPublicKey(NoteSignerKey().public_key());
  return {{"network", kFuzzNetwork},
          {"created", "2026-11-01T00:00:00Z"},
          {"resolver", "verify.fuzz.example"},
          {"validators", {{{"name", std::string(kNoteSignerName)}, {"did", did}}}},
          {"parties",
           {{{"did", did}, {"name", "Fuzz Agency"}, {"role", "agency"}, {"country", "US"}}}}};
}

inline crypto::Hash FuzzGenesisHash() {
  return crypto::Sha256(crypto::Canonicalize(FuzzGenesisJson()).value());
}

}  // namespace frontera::fuzz
