// The text the CLI prints about a node's answers (HTTP API: docs/api.md):
// pure functions. The requests themselves are tools/node_api.h's.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "api/client.h"
#include "common/result.h"
#include "crypto/json.h"
#include "tools/builders.h"
#include "tools/verify.h"

namespace frontera::tools {

// A failed operation as the user should read it: the message, then one line
// "  at <pointer>: <reason>" per field error (the server's RFC 9457 problem
// `errors`).
std::string DescribeError(const Status& status);

// "<id> <status>: leaf <i> (hash <b64>), block <h>" for the answer of a write
// ({id, status, ledger: {leaf_index, leaf_hash, block}}).
std::string RenderReceipt(const crypto::Json& answer);

// The answer of GET /v1/certificates/{id} for people: the certificate's
// identifiers, status, flags and its events as a timeline.
std::string RenderCertificate(const crypto::Json& answer);

// A checkpoint report for people: origin, size, root and who signed.
std::string RenderCheckpoint(const CheckpointReport& report, bool against_genesis);

}  // namespace frontera::tools
