// Fuzzes the RFC 9421 request-signature verifier (api/request_signature.h):
// Signature-Input, Signature and Content-Digest come from any client.
// The first byte picks how the input is used:
//   0  the three header values, the target and the body, raw (one per line);
//   1  a request signed with a fixed key whose Signature-Input is replaced;
//   2  … whose Signature is replaced;
//   3  a request signed with the fixed key for the input's target and body.
// Properties: no input crashes, leaks or runs long; a request that verifies
// names a did:key reader, and verifying it again is refused (its nonce is
// spent); a request without signature fields is anonymous.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/request_signature.h"
#include "common/check.h"
#include "crypto/did_key.h"
#include "tests/fuzz/fuzz_entry.h"
#include "tests/fuzz/fuzz_keys.h"

namespace frontera::api {
namespace {

constexpr int64_t kNowS = 1'796'000'000;  // the verifier's clock, and the signer's
constexpr size_t kPartBytesMax = 8192;

std::vector<std::string_view> Lines(std::string_view text, size_t count) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < count) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) break;
    parts.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  parts.push_back(text);
  while (parts.size() < count) parts.emplace_back();
  for (std::string_view& part : parts) part = part.substr(0, kPartBytesMax);
  return parts;
}

void FuzzOne(std::string_view input) {
  if (input.empty()) return;
  const int mode = static_cast<unsigned char>(input[0]) % 4;
  const std::vector<std::string_view> parts = Lines(input.substr(1), 5);
  std::map<std::string, std::string> headers;
  std::string method = "GET";
  std::string target = "/v1/certificates/urn%3Auuid%3A1";
  std::string body;
  if (mode == 0) {
    const char* names[] = {"signature-input", "signature", "content-digest"};
    for (size_t i = 0; i < 3; ++i) {
      if (!parts[i].empty()) headers[names[i]] = std::string(parts[i]);
    }
    if (!parts[3].empty()) target = "/" + std::string(parts[3]);
    body = std::string(parts[4]);
    if (!body.empty()) method = "POST";
  } else {
    // SignRequest's precondition: the client signs only targets it encoded.
    for (char c : parts[0]) {
      if (c <= 0x20 || c >= 0x7f) return;
    }
    target = "/" + std::string(parts[0]);
    body = std::string(parts[1]);
    if (!body.empty()) method = "POST";
    headers = SignRequest(fuzz::NoteSignerKey(), method, target, body, kNowS,
                          "fuzz-nonce-0123456789abcdef");
    if (mode == 1) headers["signature-input"] = std::string(parts[2]);
    if (mode == 2) headers["signature"] = std::string(parts[2]);
  }

  RequestVerifier verifier(SignatureOptions{});
  const HttpRequestView request{method, target, &headers, body};
  Result<Reader> first = verifier.Verify(request, kNowS);
  const bool signed_fields = headers.contains("signature-input") || headers.contains("signature");
  if (!signed_fields) FRONTERA_CHECK(first.ok() && first->anonymous());
  if (!first.ok() || first->anonymous()) return;
  FRONTERA_CHECK(first->did.starts_with("did:key:z")) << first->did;
  if (mode == 3) {
    FRONTERA_CHECK(first->did == crypto::DidKeyFromPublicKey(fuzz::NoteSignerKey().public_key()));
  }
  Result<Reader> again = verifier.Verify(request, kNowS);
  FRONTERA_CHECK(!again.ok()) << "a verified signature was accepted twice: " << first->did;
}

}  // namespace
}  // namespace frontera::api

FRONTERA_FUZZ_TEXT_TARGET(frontera::api::FuzzOne)
