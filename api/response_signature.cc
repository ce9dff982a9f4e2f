#include "api/response_signature.h"

#include <cctype>
#include <charconv>
#include <vector>

#include "api/request_signature.h"
#include "api/routes.h"
#include "common/encoding.h"
#include "crypto/did_key.h"

namespace frontera::api {
namespace {

// The covered components, in order (docs/api.md#signed-answers).
constexpr std::string_view kCoveredComponents =
    "(\"@status\" \"content-digest\" \"frontera-checkpoint\" \"@method\";req \"@path\";req "
    "\"@query\";req)";

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::string* Header(const std::map<std::string, std::string>& headers,
                          std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (Lower(n) == name) return &v;
  }
  return nullptr;
}

Status Refuse(std::string_view header, const std::string& reason) {
  return Status::InvalidArgument("the answer's signature does not verify: " + reason,
                                 {{"/headers/" + std::string(header), reason}});
}

// "label=" prefix of a dictionary member with one member only.
std::optional<std::string_view> MemberValue(std::string_view field) {
  const std::string prefix = std::string(kResponseSignatureLabel) + "=";
  if (!field.starts_with(prefix)) return std::nullopt;
  return field.substr(prefix.size());
}

}  // namespace

std::string ResponseSignatureParams(int64_t created_s, std::string_view keyid) {
  return std::string(kCoveredComponents) + ";created=" + std::to_string(created_s) + ";keyid=\"" +
         std::string(keyid) + "\";alg=\"" + std::string(kSignatureAlgorithm) + "\"";
}

std::string ResponseSignatureBase(const SignedResponseParts& parts, std::string_view params) {
  const Target target = SplitTarget(parts.request_target);
  std::string base;
  base += "\"@status\": " + std::to_string(parts.status) + "\n";
  base += "\"content-digest\": " + ContentDigest(parts.body) + "\n";
  base += "\"frontera-checkpoint\": " + CheckpointHeaderValue(parts.checkpoint) + "\n";
  base += "\"@method\";req: " + std::string(parts.request_method) + "\n";
  base += "\"@path\";req: " + (target.path.empty() ? std::string("/") : std::string(target.path)) +
          "\n";
  base += "\"@query\";req: ?" + std::string(target.query) + "\n";
  base += "\"@signature-params\": " + std::string(params);
  return base;
}

std::map<std::string, std::string> ResponseSignatureHeaders(const SignedResponseParts& parts,
                                                            std::string_view params,
                                                            const crypto::Signature& signature) {
  const std::string label(kResponseSignatureLabel);
  return {{"Content-Digest", ContentDigest(parts.body)},
          {std::string(kCheckpointHeader), CheckpointHeaderValue(parts.checkpoint)},
          {"Signature-Input", label + "=" + std::string(params)},
          {"Signature", label + "=:" + Base64Encode(ByteView(signature)) + ":"}};
}

Result<VerifiedResponse> VerifyResponseSignature(const std::map<std::string, std::string>& headers,
                                                 int status, std::string_view body,
                                                 std::string_view request_method,
                                                 std::string_view request_target) {
  const std::string* input = Header(headers, "signature-input");
  const std::string* signature_field = Header(headers, "signature");
  const std::string* digest = Header(headers, "content-digest");
  const std::string* checkpoint_field = Header(headers, "frontera-checkpoint");
  if (input == nullptr) return Refuse("signature-input", "the answer has no Signature-Input");
  if (signature_field == nullptr) return Refuse("signature", "the answer has no Signature");
  if (digest == nullptr) return Refuse("content-digest", "the answer has no Content-Digest");
  if (checkpoint_field == nullptr) {
    return Refuse("frontera-checkpoint", "the answer has no Frontera-Checkpoint");
  }
  if (*digest != ContentDigest(body)) {
    return Refuse("content-digest", "the body's SHA-256 is not the one the answer names");
  }
  VerifiedResponse out;
  FRONTERA_ASSIGN_OR_RETURN(out.checkpoint, ParseCheckpointHeaderValue(*checkpoint_field));

  std::optional<std::string_view> params = MemberValue(*input);
  if (!params || !params->starts_with(kCoveredComponents)) {
    return Refuse("signature-input", "must be frontera=" + std::string(kCoveredComponents) +
                                         ";created=…;keyid=…;alg=\"ed25519\"");
  }
  // The parameters: ;name=value with an integer or a plain quoted string.
  std::string_view rest = params->substr(kCoveredComponents.size());
  std::string alg;
  bool has_created = false;
  while (!rest.empty()) {
    if (rest.front() != ';') return Refuse("signature-input", "malformed parameters");
    rest.remove_prefix(1);
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return Refuse("signature-input", "malformed parameters");
    const std::string name(rest.substr(0, eq));
    rest.remove_prefix(eq + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      size_t close = rest.find('"', 1);
      if (close == std::string_view::npos) {
        return Refuse("signature-input", "unterminated string");
      }
      value = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
    } else {
      size_t end = rest.find(';');
      value = std::string(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    }
    if (name == "created") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out.created_s);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return Refuse("signature-input", "created must be an integer");
      }
      has_created = true;
    } else if (name == "keyid") {
      out.keyid = value;
    } else if (name == "alg") {
      alg = value;
    } else {
      return Refuse("signature-input", "unknown parameter " + name);
    }
  }
  if (!has_created || out.keyid.empty()) {
    return Refuse("signature-input", "created and keyid are required");
  }
  if (alg != kSignatureAlgorithm) return Refuse("signature-input", "alg must be \"ed25519\"");
  Result<crypto::PublicKey> key = crypto::PublicKeyFromDidKey(out.keyid);
  if (!key.ok()) return Refuse("signature-input", "keyid is not an Ed25519 did:key");

  std::optional<std::string_view> signature_text = MemberValue(*signature_field);
  if (!signature_text || signature_text->size() < 2 || signature_text->front() != ':' ||
      signature_text->back() != ':') {
    return Refuse("signature", "must be frontera=:<base64>:");
  }
  Result<Bytes> signature_bytes =
      Base64Decode(signature_text->substr(1, signature_text->size() - 2));
  if (!signature_bytes.ok()) return Refuse("signature", "not base64");
  Result<crypto::Signature> signature = crypto::SignatureFromBytes(*signature_bytes);
  if (!signature.ok()) return Refuse("signature", "not a 64-byte Ed25519 signature");

  SignedResponseParts parts{status, body, out.checkpoint, request_method, request_target};
  const std::string base = ResponseSignatureBase(parts, *params);
  if (!crypto::Verify(*key, base, *signature)) {
    return Refuse("signature", "the Ed25519 signature of " + out.keyid +
                                   " does not match the status, body, checkpoint and request");
  }
  return out;
}

}  // namespace frontera::api
