// The validator's signature on a VRS answer: an HTTP Message Signature
// (RFC 9421) on the *response*, so that a requestor can prove later what it
// was told, and at which checkpoint (docs/api.md#signed-answers).
//
//   Content-Digest: sha-256=:<base64 SHA-256 of the body>:
//   Frontera-Checkpoint: <tree size> <base64 root hash>
//   Signature-Input: frontera=("@status" "content-digest" "frontera-checkpoint"
//                    "@method";req "@path";req "@query";req);created=1700000000;
//                    keyid="did:key:z6Mk…";alg="ed25519"
//   Signature: frontera=:<base64 Ed25519 signature of the signature base>:
//
// The ";req" components (RFC 9421 §2.4) are the request's: the answer is
// bound to the question (GTIN, lot, serial, exp, reqGLN, corrUUID) as well
// as to its status, body and checkpoint. The covered components are fixed:
// a verifier refuses any other list.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "api/vrs.h"
#include "common/result.h"
#include "crypto/ed25519.h"

namespace frontera::api {

inline constexpr std::string_view kResponseSignatureLabel = "frontera";

// What a response signature covers.
struct SignedResponseParts {
  int status = 200;
  std::string_view body;
  VrsCheckpoint checkpoint;
  std::string_view request_method;  // "GET"
  std::string_view request_target;  // origin-form as sent: path [ "?" query ]
};

// The serialized signature parameters (the Signature-Input member's value).
std::string ResponseSignatureParams(int64_t created_s, std::string_view keyid);
// The signature base (RFC 9421 §2.5) of `parts` under `params`.
std::string ResponseSignatureBase(const SignedResponseParts& parts, std::string_view params);

// The header fields (name → value) that carry a signature made over
// ResponseSignatureBase: Content-Digest, Frontera-Checkpoint,
// Signature-Input, Signature.
std::map<std::string, std::string> ResponseSignatureHeaders(const SignedResponseParts& parts,
                                                            std::string_view params,
                                                            const crypto::Signature& signature);

// What a verified answer proves.
struct VerifiedResponse {
  std::string keyid;  // the signer's did:key
  int64_t created_s = 0;
  VrsCheckpoint checkpoint;
};

// Checks the signature of a response: `headers` its fields (names in any
// case), `status` and `body` as received, and the request it answered. The
// Content-Digest must match the body, the covered components must be this
// profile's, the keyid a did:key whose key made the signature.
// kInvalidArgument naming what does not hold.
Result<VerifiedResponse> VerifyResponseSignature(const std::map<std::string, std::string>& headers,
                                                 int status, std::string_view body,
                                                 std::string_view request_method,
                                                 std::string_view request_target);

}  // namespace frontera::api
