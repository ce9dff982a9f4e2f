// HTTP Message Signatures (RFC 9421) for the API's readers and writers, and
// Content-Digest (RFC 9530): how a client proves which party sends a request,
// and how a node checks it. Format and decisions: docs/api.md#signed-requests.
//
// The profile, in short:
//   Signature-Input: frontera=("@method" "@path" "@query" "content-digest");
//                    created=1700000000;keyid="did:key:z6Mk…";nonce="…";alg="ed25519"
//   Signature: frontera=:<base64 Ed25519 signature of the signature base>:
//   Content-Digest: sha-256=:<base64 SHA-256 of the body>:
// - exactly one signature per request; its label is free but must be the
//   same in both fields;
// - covered components: "@method", "@path" and "@query" always (not
//   "@target-uri": behind a TLS-terminating proxy the node cannot know the
//   scheme and authority the client used, while the path and query are the
//   bytes it serves); "content-digest" whenever the request has a body, and
//   then the digest must match the body; any other header field the request
//   carries may be covered too;
// - parameters: created (within the node's signature window of its own
//   clock), keyid (the signer's did:key: a registered party signs with the
//   DID the registry lists for it now), nonce (refused when seen again within
//   the window), alg ("ed25519"); expires and tag are allowed; nothing else.
//
// A request with neither field is anonymous (the public view). A request
// with either field must carry a valid signature, or it is refused with the
// reason (HTTP 401).
//
// Nothing here knows an HTTP library: the server builds an HttpRequestView
// from whatever transport it uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "api/problem.h"
#include "api/reader.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "crypto/ed25519.h"

namespace frontera::api {

// One request as received, whatever the transport.
struct HttpRequestView {
  std::string_view method;  // as sent ("GET")
  std::string_view target;  // origin-form as sent: path [ "?" query ]
  // Field names lower-cased; a field sent more than once has its values
  // joined with ", " in the order received (RFC 9110 §5.3).
  const std::map<std::string, std::string>* headers = nullptr;
  std::string_view body;
};

inline constexpr std::string_view kSignatureAlgorithm = "ed25519";
// A nonce: 16 to 128 printable ASCII characters (the CLI sends 22 base64url
// characters of 16 random bytes).
inline constexpr size_t kNonceBytesMin = 16;
inline constexpr size_t kNonceBytesMax = 128;
// Components one signature may cover.
inline constexpr size_t kCoveredComponentsMax = 16;

struct SignatureOptions {
  // created must be within this many seconds of the node's clock, either
  // way; a nonce is remembered until its signature's window closes.
  // [api] signature_window_s, [10, 3600].
  int64_t window_s = 300;
  // Nonces remembered at once; when full, new signatures are refused (503)
  // until old ones expire. [api] signature_replay_entries_max, [1000, 10^7].
  size_t replay_entries_max = 100000;
  // Longest Signature-Input, Signature or Content-Digest value accepted.
  // [api] signature_field_bytes_max, [256, 65536].
  size_t field_bytes_max = 4096;

  // OK when every field is in range; otherwise kInvalidArgument naming it.
  Status Validate() const;
};

// Checks requests' signatures and remembers their nonces.
//
// Thread-safety: Verify may be called from any number of threads at once.
class RequestVerifier {
 public:
  // REQUIRES: options.Validate() is OK.
  explicit RequestVerifier(SignatureOptions options);

  // The reader of `request` at the node's time `now_s` (Unix seconds):
  // anonymous without signature fields, the signer's DID for a valid
  // signature. Failures, each with the reason and the header it is about
  // (pointer "/headers/signature-input" …): kInvalidArgument for a refused
  // signature (answer 401, UnauthenticatedProblem), kResourceExhausted when
  // the replay cache is full. A refused signature records nothing.
  Result<Reader> Verify(const HttpRequestView& request, int64_t now_s) EXCLUDES(mu_);

  // Nonces remembered now (tests, metrics).
  size_t ReplayEntries() const EXCLUDES(mu_);

 private:
  // Records keyid+nonce until expiry_s; false when it is already there.
  Result<bool> Remember(const std::string& key, int64_t expiry_s, int64_t now_s) EXCLUDES(mu_);

  const SignatureOptions options_;
  mutable Mutex mu_;
  // Each remembered nonce ("<keyid> <nonce>") and when it may be forgotten;
  // the set orders the same entries by expiry. Both hold the same entries.
  std::unordered_map<std::string, int64_t> nonces_ GUARDED_BY(mu_);
  std::set<std::pair<int64_t, std::string>> expiries_ GUARDED_BY(mu_);
};

// The 401 problem for a refused signature (kInvalidArgument of Verify), or
// the matching problem of any other failure.
Problem UnauthenticatedProblem(const Status& refusal);

// RFC 9530: "sha-256=:<base64>:" of `body`.
std::string ContentDigest(std::string_view body);

// The signature base (RFC 9421 §2.5) of `request` for the covered
// components and the serialized signature parameters ("(…);created=…"),
// as Verify builds it. Errors name the component that cannot be resolved.
Result<std::string> SignatureBase(const HttpRequestView& request,
                                  std::string_view signature_input_member);

// Client side: the header fields that sign a request as `key` (field name →
// value: "content-digest" when body is not empty, "signature-input",
// "signature"). `created_s` is the client's clock, `nonce` fresh per request
// (RandomNonce()). REQUIRES: `target` is origin-form of visible ASCII (the
// client percent-encodes what it puts in a path or query), `nonce` 16 to 128
// visible ASCII characters without '"' or '\\'.
std::map<std::string, std::string> SignRequest(const crypto::KeyPair& key, std::string_view method,
                                               std::string_view target, std::string_view body,
                                               int64_t created_s, std::string_view nonce);
// 16 random bytes, base64url without padding (22 characters).
std::string RandomNonce();

}  // namespace frontera::api
