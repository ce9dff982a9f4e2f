// Fuzzes node::ParseStateNoteBody, node::ParseStateNote and
// ledger::VerifyNoteQuorum
// (node/state_note.h): a state note body arrives in every peer's
// co-signature message, and a whole note inside every snapshot a follower
// receives. Properties: no input crashes, leaks or runs long; a body that
// parses formats back to the same bytes; a note never verifies without a
// majority's signatures (the fuzzer holds no validator key).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "crypto/ed25519.h"
#include "ledger/genesis.h"
#include "ledger/voter_chain.h"
#include "node/state_note.h"

namespace frontera::node {
namespace {

const ledger::Genesis& Network() {
  static const ledger::Genesis genesis = [] {
    crypto::InitCrypto();
    ledger::Genesis g;
    g.network = "frontera.fuzz/net";
    for (uint8_t i = 1; i <= 3; ++i) {
      crypto::Seed seed;
      seed.fill(i);
      ledger::Validator v;
      v.name = "v" + std::to_string(i);
      v.public_key = crypto::KeyPair::FromSeed(seed).public_key();
      g.validators.push_back(v);
    }
    return g;
  }();
  return genesis;
}

void FuzzOne(std::string_view input) {
  Result<StateNoteBody> body = ParseStateNoteBody(input);
  if (body.ok()) {
    FRONTERA_CHECK(FormatStateNoteBody(*body) == input)
        << "a parsed state note body formats to other bytes";
  }
  // Signatures made with keys the fuzzer does not have cannot appear: no
  // input may verify.
  Result<ParsedStateNote> note = ParseStateNote(input, Network().network);
  if (!note.ok()) return;
  const ledger::NoteQuorum quorum{Network().validators, Network().validators};
  FRONTERA_CHECK(!ledger::VerifyNoteQuorum(note->note, quorum).ok())
      << "a note verified without keys";
}

}  // namespace
}  // namespace frontera::node

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::node::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
