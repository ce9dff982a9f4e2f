// `frontera verify` and `frontera trust sync|show`: an inspector's checks of
// labels and certificates, offline against a trust bundle or online against a
// node (docs/cli.md#trust, #verify). Each returns its exit code: the verdict
// (0-4, verify.h) or an error code (64+, exit_codes.h).
#pragma once

#include <string>

#include "tools/cli_common.h"

namespace frontera::tools {

struct TrustOptions {
  std::string node = kDefaultNode;
  std::string genesis;  // the root of trust
  std::string path;     // bundle file; empty: DefaultTrustPath()
  // --witnesses K: witness cosignatures required on the checkpoint, beyond
  // the genesis's witness_quorum (CheckWitnessQuorum).
  size_t witnesses = 0;
};

// Fetches the node's bundle, verifies it against the genesis and its
// consistency with the stored one, and stores it.
int RunTrustSync(const TrustOptions& options, const CommandEnv& env);
// Prints the stored bundle and its age.
int RunTrustShow(const TrustOptions& options, const CommandEnv& env);

struct VerifyOptions {
  // An image file, a label URI, "-" (one label per line on env.in) or a
  // certificate id (with --online).
  std::string target;
  std::string payload;  // the label URI as scanned
  std::string node = kDefaultNode;
  std::string genesis;
  std::string trust;  // bundle file; empty: DefaultTrustPath()
  std::string key;    // the inspector's key file (for --record)
  bool online = false;
  bool json = false;
  bool record = false;
  bool colour = false;  // ANSI colours in the human report
  // --witnesses K: offline, the bundle's checkpoint must carry K witness
  // cosignatures (or the genesis's witness_quorum, if more).
  size_t witnesses = 0;
};

// When `online` and the node cannot be reached (no answer at all, not a
// problem answered), a label is verified offline against the stored bundle
// after a notice line (a "notice" member with --json); without a bundle the
// network error stands.
int RunVerify(const VerifyOptions& options, const CommandEnv& env);

}  // namespace frontera::tools
