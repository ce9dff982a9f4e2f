// Fuzzes the trust bundle as the CLI loads it (tools/trust.h LoadTrustFile:
// the file read, ParseJson, VerifyTrustBundle against the trusted genesis
// hash, synced_at): an inspector's offline root of truth, copied between
// machines. The trusted genesis is tests/fuzz/fuzz_network.h's, whose one
// validator signed the seed bundles (make_corpus). Input: the file's bytes.
// Properties: no input crashes, leaks or runs long; a bundle that loads
// holds the trusted genesis, a checkpoint signed by a majority of its
// voters, and revocations each found by its item; it verifies again, as
// loaded and in canonical form (RFC 8785), to the same bundle, and is
// consistent with itself.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "common/check.h"
#include "crypto/jcs.h"
#include "crypto/json.h"
#include "ledger/gs1.h"
#include "tests/fuzz/fuzz_network.h"
#include "tools/trust.h"

namespace frontera::tools {
namespace {

// Everything VerifyTrustBundle derives from the document.
std::string Describe(const TrustBundle& b) {
  std::string out = std::to_string(b.format_version) + " " + std::to_string(b.tree_size) + " " +
                    std::string(reinterpret_cast<const char*>(b.root.data()), b.root.size());
  for (const std::string& signer : b.checkpoint_signers) out += " " + signer;
  for (const RevocationEntry& e : b.revocations) {
    out +=
        "\n" + e.certificate + " " + e.item + " " + std::to_string(e.leaf_index) + " " + e.reason;
  }
  for (const ledger::RegistryEntry& e : b.registry) out += "\n" + ledger::RegistryLine(e);
  out += "\nflags " + std::to_string(b.flags.size()) + " voters " +
         std::to_string(b.voters.size()) + " links " + std::to_string(b.voter_changes.size());
  return out;
}

const std::string& TempPath() {
  static const std::string path = [] {
    std::string pattern = "/tmp/trust_bundle_fuzz.XXXXXX";
    const int fd = mkstemp(pattern.data());
    FRONTERA_CHECK(fd >= 0) << "mkstemp";
    close(fd);
    return pattern;
  }();
  static const bool cleanup = [] {
    std::atexit([] { unlink(TempPath().c_str()); });
    return true;
  }();
  (void)cleanup;
  return path;
}

void FuzzOne(std::string_view input) {
  static const crypto::Hash trusted = fuzz::FuzzGenesisHash();
  {
    std::ofstream out(TempPath(), std::ios::binary | std::ios::trunc);
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
    FRONTERA_CHECK(out.good()) << "cannot write " << TempPath();
  }
  Result<TrustBundle> bundle = LoadTrustFile(TempPath(), trusted);
  if (!bundle.ok()) return;

  FRONTERA_CHECK(bundle->genesis.hash == trusted);
  FRONTERA_CHECK(!bundle->voters.empty());
  FRONTERA_CHECK(bundle->checkpoint_signers.size() >= bundle->voters.size() / 2 + 1)
      << bundle->checkpoint_signers.size() << " signers of " << bundle->voters.size() << " voters";
  for (const std::string& signer : bundle->checkpoint_signers) {
    bool voter = false;
    for (const ledger::Validator& v : bundle->voters) voter = voter || v.name == signer;
    FRONTERA_CHECK(voter) << "checkpoint signer " << signer << " is not a voter";
  }
  for (const RevocationEntry& e : bundle->revocations) {
    FRONTERA_CHECK(bundle->FindRevocation(e.item) != nullptr) << e.item;
  }
  // "synced_at" is information only: kept when it is a date, dropped when it
  // is not (a file whose synced_at said second 80 loaded without one).
  if (!bundle->synced_at.empty()) {
    FRONTERA_CHECK(ledger::gs1::ParseRfc3339Millis(bundle->synced_at).ok()) << bundle->synced_at;
  }

  const std::string described = Describe(*bundle);
  Result<TrustBundle> again = VerifyTrustBundle(bundle->document, trusted);
  FRONTERA_CHECK(again.ok()) << "a loaded bundle does not verify again: "
                             << again.status().ToString();
  FRONTERA_CHECK(Describe(*again) == described);
  Result<std::string> canonical = crypto::Canonicalize(bundle->document);
  FRONTERA_CHECK(canonical.ok()) << canonical.status().ToString();
  Result<crypto::Json> reparsed = crypto::ParseJson(*canonical);
  FRONTERA_CHECK(reparsed.ok()) << reparsed.status().ToString();
  Result<TrustBundle> from_canonical = VerifyTrustBundle(*reparsed, trusted);
  FRONTERA_CHECK(from_canonical.ok())
      << "a bundle's canonical form does not verify: " << from_canonical.status().ToString();
  FRONTERA_CHECK(Describe(*from_canonical) == described);
  FRONTERA_CHECK(CheckBundleConsistency(*bundle, *again, {}).ok());
  FRONTERA_CHECK(!RenderTrustBundle(*bundle, bundle->synced_at_millis).empty());
}

}  // namespace
}  // namespace frontera::tools

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  frontera::crypto::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::tools::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
