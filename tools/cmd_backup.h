// `frontera backup`: asks a running validator to write a backup of its data
// on its own host (POST /v1/backup on its operational listener) and prints
// where it is and what to keep beside it (docs/cli.md#backup,
// docs/operations.md#backups).
#pragma once

#include <string>

#include "tools/cli_common.h"

namespace frontera::tools {

struct BackupOptions {
  std::string ops;  // URL of the validator's operational listener ([ops])
  bool json = false;
};

// Prints "backup of <validator> written to <path> ..." and the files its
// MANIFEST.json says to keep separately; with --json the node's answer.
// Exit 0 when written; the node's refusal (busy, retry) or an unreachable
// listener otherwise.
int RunBackup(const BackupOptions& options, const CommandEnv& env);

}  // namespace frontera::tools
