// The CLI's conversations with a node (HTTP API: docs/api.md), and the text it
// prints about their answers. Fetch* functions make one or two requests with
// the given client and turn the answer into a typed value; Render* functions
// are pure.
//
// Thread-safety: a Client is used by one thread at a time (api/client.h); the
// functions here add no shared state.
#pragma once

#include <string>

#include "api/client.h"
#include "common/result.h"
#include "crypto/json.h"
#include "tools/builders.h"
#include "tools/verify.h"

namespace frontera::tools {

// GET /v1/parties/{did}. kNotFound says the DID is not a registered party.
Result<PartyRecord> FetchParty(api::Client& client, const std::string& did);

// The Digital Link resolver host of the network: the "resolver" member of
// GET /v1/status. kUnavailable when the node does not say.
Result<std::string> FetchResolver(api::Client& client);

// GET /v1/certificates/{id} and GET /v1/certificates/{id}/proof as Evidence
// for VerifyEvidence. kNotFound when the node does not know the certificate.
Result<Evidence> FetchEvidence(api::Client& client, const std::string& id);

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
