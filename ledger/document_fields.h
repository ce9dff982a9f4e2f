// What the parsers of ledger/documents.h share and no one else needs: the
// document limits (docs/formats.md §2), the contexts, the Fields collector of
// field errors, and the rules every document kind applies to its members
// (limits, URIs, urn:uuid, did:key, text, @context, proof). Included only by
// ledger/document_fields.cc and the ledger/*_parsing.cc files.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "ledger/documents.h"

namespace frontera::ledger::document_fields {

// Limits (docs/formats.md "Limits").
inline constexpr size_t kStringCharsMax = 1024;             // every string of a document
inline constexpr size_t kArrayItemsMax = 100;               // every array of a document
inline constexpr size_t kDepthMax = 32;                     // as crypto::JsonLimits
inline constexpr size_t kIdCharsMax = kIdentifierCharsMax;  // identifiers (URIs)
inline constexpr size_t kTextCharsMax = 200;                // names and descriptions
inline constexpr size_t kReasonCharsMax = 500;              // revocation reason

inline constexpr std::string_view kVcContextV2 = "https://www.w3.org/ns/credentials/v2";
inline constexpr std::string_view kFronteraContext = "https://frontera.example/ns/v1";

// The pointer of member `key` under `pointer` (RFC 6901 escaping).
inline std::string Child(std::string_view pointer, std::string_view key) {
  std::string out(pointer);
  crypto::AppendJsonPointerToken(key, out);
  return out;
}

inline std::string Child(std::string_view pointer, size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

// Characters are Unicode code points; the text is valid UTF-8 (the JSON
// parser guarantees it), so counting non-continuation bytes counts them.
inline size_t CharCount(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

inline std::string JoinNames(std::span<const std::string_view> names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

enum class Need { kRequired, kOptional };
enum class Kind { kString, kObject, kArray, kNumber };

inline std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "a string";
    case Kind::kObject:
      return "an object";
    case Kind::kArray:
      return "an array";
    case Kind::kNumber:
      return "a number";
  }
  return "a value";
}

inline bool IsKind(const Json& value, Kind kind) {
  switch (kind) {
    case Kind::kString:
      return value.is_string();
    case Kind::kObject:
      return value.is_object();
    case Kind::kArray:
      return value.is_array();
    case Kind::kNumber:
      return value.is_number();
  }
  return false;
}

// Collects the field errors of one document: shape errors (kInvalidArgument)
// and rule errors (kFailedPrecondition), so that a shipper sees every problem
// of a submission at once.
class Fields {
 public:
  explicit Fields(std::string_view document_kind) : document_kind_(document_kind) {}

  void Malformed(std::string pointer, std::string reason) {
    malformed_.push_back({std::move(pointer), std::move(reason)});
  }
  void Broken(std::string pointer, std::string reason) {
    broken_.push_back({std::move(pointer), std::move(reason)});
  }
  // Records `status` (a gs1:: check result) as a rule error; true if OK.
  bool Check(const std::string& pointer, const Status& status) {
    if (status.ok()) return true;
    Broken(pointer, status.message());
    return false;
  }
  bool malformed() const { return !malformed_.empty(); }
  bool broken() const { return !broken_.empty(); }

  // The member `key` of `object` (at `pointer`) if present and of `kind`;
  // nullptr otherwise, recording a shape error when it is required or of
  // another type.
  const Json* Member(const Json& object, std::string_view pointer, std::string_view key, Need need,
                     Kind kind) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (need == Need::kRequired) Malformed(Child(pointer, key), "is required");
      return nullptr;
    }
    if (!IsKind(*it, kind)) {
      Malformed(Child(pointer, key), "must be " + std::string(KindName(kind)));
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::string> Text(const Json& object, std::string_view pointer,
                                  std::string_view key, Need need) {
    const Json* value = Member(object, pointer, key, need, Kind::kString);
    if (value == nullptr) return std::nullopt;
    return value->get<std::string>();
  }

  // A string of min_chars..max_chars characters; true if it fits.
  bool Length(const std::string& pointer, std::string_view value, size_t min_chars,
              size_t max_chars) {
    size_t n = CharCount(value);
    if (n < min_chars || n > max_chars) {
      Broken(pointer, n == 0 ? "must not be empty"
                             : "must be " + std::to_string(min_chars) + " to " +
                                   std::to_string(max_chars) + " characters, not " +
                                   std::to_string(n));
      return false;
    }
    return true;
  }

  // Returns OK, or the first-kind error: shape errors first, since a rule
  // cannot be judged on a malformed document.
  Status Finish() const {
    if (!malformed_.empty()) {
      return Status::InvalidArgument(Summary("malformed", malformed_), malformed_);
    }
    if (!broken_.empty()) {
      return Status::FailedPrecondition(Summary("rejected", broken_), broken_);
    }
    return Status::Ok();
  }

 private:
  std::string Summary(std::string_view verdict, const std::vector<FieldError>& errors) const {
    std::string out = std::string(document_kind_) + " " + std::string(verdict) + ": " +
                      (errors[0].pointer.empty() ? "(document)" : errors[0].pointer) + ": " +
                      errors[0].reason;
    if (errors.size() > 1) out += " (and " + std::to_string(errors.size() - 1) + " more)";
    return out;
  }

  std::string document_kind_;
  std::vector<FieldError> malformed_;
  std::vector<FieldError> broken_;
};

// Not an object, or over a limit: the document is not looked at further.
Status CheckDocument(const Json& document, std::string_view document_kind);

// RFC 3986 §4.3 absolute-URI: scheme ":" followed by something, written with
// visible ASCII only (no whitespace, no characters RFC 3986 excludes).
Status CheckUri(std::string_view uri, size_t max_chars = kIdCharsMax);

// RFC 9562 §4: "urn:uuid:" and 8-4-4-4-12 hexadecimal digits.
Status CheckUrnUuid(std::string_view text);

Status CheckDidKey(std::string_view did);

// A required text member checked for length; empty optional if absent or bad.
std::optional<std::string> BoundedText(Fields& fields, const Json& object, std::string_view pointer,
                                       std::string_view key, Need need, size_t max_chars);

// A text member that must pass `check` (a gs1:: or local rule).
template <typename CheckFn>
std::optional<std::string> CheckedText(Fields& fields, const Json& object, std::string_view pointer,
                                       std::string_view key, Need need, CheckFn check) {
  std::optional<std::string> value = fields.Text(object, pointer, key, need);
  if (value && !fields.Check(Child(pointer, key), check(*value))) return std::nullopt;
  return value;
}

// "@context": an array whose items are strings (URLs) or objects (embedded
// contexts, VC 2.0 §4.3); `first`, if not empty, must be item 0, and every
// name in `required` must appear.
void CheckContext(Fields& fields, const Json& document, std::string_view first,
                  std::span<const std::string_view> required);

// "proof": required object; its verificationMethod is returned as written
// (the Data Integrity verifier interprets it).
std::string ReadProof(Fields& fields, const Json& document);

// "proof": a proof object, or a proof set of 1 to crypto::kProofSetMax proof
// objects (documents a majority of agencies sign); the first proof's
// verificationMethod as written.
std::string ReadProofOrSet(Fields& fields, const Json& document);

}  // namespace frontera::ledger::document_fields
