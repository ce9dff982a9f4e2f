// The member rules every document kind shares (ledger/document_fields.h):
// bounded sizes, the whole-document check, URIs, urn:uuid, did:key, bounded
// text, @context and the proof member.
#include "ledger/document_fields.h"

#include <string>
#include <string_view>

#include "crypto/data_integrity.h"
#include "crypto/did_key.h"

namespace frontera::ledger::document_fields {

namespace {

// Bounded everything (docs/formats.md §2 "Limits"): every string and array
// of the document, including members the ledger does not interpret, since
// they are signed, stored and served.
void CheckLimits(const Json& value, const std::string& pointer, size_t depth, Fields& fields) {
  if (depth > kDepthMax) {
    fields.Broken(pointer, "is nested deeper than " + std::to_string(kDepthMax) + " levels");
    return;
  }
  if (value.is_string()) {
    size_t n = CharCount(value.get_ref<const std::string&>());
    if (n > kStringCharsMax) {
      fields.Broken(pointer, "must be at most " + std::to_string(kStringCharsMax) +
                                 " characters, not " + std::to_string(n));
    }
  } else if (value.is_array()) {
    if (value.size() > kArrayItemsMax) {
      fields.Broken(pointer, "must have at most " + std::to_string(kArrayItemsMax) +
                                 " items, not " + std::to_string(value.size()));
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) {
      CheckLimits(value[i], Child(pointer, i), depth + 1, fields);
    }
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      std::string child = Child(pointer, key);
      if (CharCount(key) > kStringCharsMax) {
        fields.Broken(child, "member name must be at most " + std::to_string(kStringCharsMax) +
                                 " characters");
      }
      CheckLimits(member, child, depth + 1, fields);
    }
  }
}

}  // namespace

Status CheckDocument(const Json& document, std::string_view document_kind) {
  if (!document.is_object()) {
    return Status::InvalidArgument(std::string(document_kind) + " must be a JSON object",
                                   {{"", "must be a JSON object"}});
  }
  Fields limits(document_kind);
  CheckLimits(document, "", 0, limits);
  return limits.Finish();
}

Status CheckUri(std::string_view uri, size_t max_chars) {
  std::string reason = "must be an absolute URI (scheme:…, visible ASCII, no spaces), at most " +
                       std::to_string(max_chars) + " characters";
  if (uri.empty() || uri.size() > max_chars) return Status::FailedPrecondition(reason);
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == uri.size()) {
    return Status::FailedPrecondition(reason);
  }
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(uri[0])) return Status::FailedPrecondition(reason);
  for (char c : uri.substr(0, colon)) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
      return Status::FailedPrecondition(reason);
    }
  }
  for (char c : uri) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F ||
        std::string_view("<>\"{}|\\^`").find(c) != std::string_view::npos) {
      return Status::FailedPrecondition(reason);
    }
  }
  return Status::Ok();
}

Status CheckUrnUuid(std::string_view text) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  static const std::string kReason =
      "must be urn:uuid: followed by a UUID (8-4-4-4-12 hexadecimal digits)";
  if (!text.starts_with(kPrefix) || text.size() != kPrefix.size() + 36) {
    return Status::FailedPrecondition(kReason);
  }
  std::string_view uuid = text.substr(kPrefix.size());
  for (size_t i = 0; i < uuid.size(); ++i) {
    char c = uuid[i];
    bool hyphen_position = i == 8 || i == 13 || i == 18 || i == 23;
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (hyphen_position ? c != '-' : !hex) return Status::FailedPrecondition(kReason);
  }
  return Status::Ok();
}

Status CheckDidKey(std::string_view did) {
  Result<crypto::PublicKey> key = crypto::PublicKeyFromDidKey(did);
  if (key.ok()) return Status::Ok();
  return Status::FailedPrecondition("must be an Ed25519 did:key (did:key:z6Mk…): " +
                                    key.status().message());
}

std::optional<std::string> BoundedText(Fields& fields, const Json& object, std::string_view pointer,
                                       std::string_view key, Need need, size_t max_chars) {
  std::optional<std::string> value = fields.Text(object, pointer, key, need);
  if (value && !fields.Length(Child(pointer, key), *value, 1, max_chars)) return std::nullopt;
  return value;
}

void CheckContext(Fields& fields, const Json& document, std::string_view first,
                  std::span<const std::string_view> required) {
  const Json* context = fields.Member(document, "", "@context", Need::kRequired, Kind::kArray);
  if (context == nullptr) return;
  if (context->empty()) {
    fields.Broken("/@context", "must not be empty");
    return;
  }
  for (size_t i = 0; i < context->size(); ++i) {
    const Json& item = (*context)[i];
    if (!item.is_string() && !item.is_object()) {
      fields.Malformed(Child("/@context", i), "must be a string or an object");
    }
  }
  if (!first.empty() && (*context)[0] != first) {
    fields.Broken("/@context/0", "must be " + std::string(first));
  }
  for (std::string_view name : required) {
    if (std::find(context->begin(), context->end(), name) == context->end()) {
      fields.Broken("/@context", "must include " + std::string(name));
    }
  }
}

std::string ReadProofOrSet(Fields& fields, const Json& document) {
  auto it = document.find("proof");
  if (it == document.end() || !it->is_array()) return ReadProof(fields, document);
  if (it->empty() || it->size() > crypto::kProofSetMax) {
    fields.Malformed(
        "/proof", "a proof set must hold 1 to " + std::to_string(crypto::kProofSetMax) + " proofs");
    return "";
  }
  std::string first;
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string pointer = Child("/proof", i);
    if (!(*it)[i].is_object()) {
      fields.Malformed(pointer, "must be a proof object");
      continue;
    }
    std::optional<std::string> method =
        BoundedText(fields, (*it)[i], pointer, "verificationMethod", Need::kRequired, kIdCharsMax);
    if (i == 0) first = method.value_or("");
  }
  return first;
}

std::string ReadProof(Fields& fields, const Json& document) {
  const Json* proof = fields.Member(document, "", "proof", Need::kRequired, Kind::kObject);
  if (proof == nullptr) return "";
  std::optional<std::string> method =
      BoundedText(fields, *proof, "/proof", "verificationMethod", Need::kRequired, kIdCharsMax);
  return method.value_or("");
}

}  // namespace frontera::ledger::document_fields
