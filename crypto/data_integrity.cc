#include "crypto/data_integrity.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"

namespace frontera::crypto {

namespace {

constexpr std::string_view kProofType = "DataIntegrityProof";
constexpr std::string_view kCryptosuite = "eddsa-jcs-2022";
constexpr std::string_view kAssertionMethod = "assertionMethod";
// A 64-byte signature is at most 88 base58 characters; refuse longer text
// before the quadratic decoder sees it.
constexpr size_t kProofValueCharsMax = 100;

using HashData = std::array<uint8_t, 64>;

Status Invalid(const std::string& pointer, const std::string& reason) {
  return Status::InvalidArgument(
      "Data Integrity proof rejected: " + (pointer.empty() ? "document" : pointer) + ": " + reason,
      {FieldError{pointer, reason}});
}

const Json* FindMember(const Json& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// The string member `name` of the proof, or an error naming /proof/<name>.
Result<std::string_view> ProofString(const Json& proof, std::string_view name,
                                     std::string_view what) {
  const Json* member = FindMember(proof, name);
  std::string pointer = "/proof/" + std::string(name);
  if (member == nullptr) return Invalid(pointer, "missing; expected " + std::string(what));
  if (!member->is_string()) return Invalid(pointer, "must be a string: " + std::string(what));
  return std::string_view(member->get_ref<const std::string&>());
}

Status ExpectString(const Json& proof, std::string_view name, std::string_view expected) {
  Result<std::string_view> value = ProofString(proof, name, "\"" + std::string(expected) + "\"");
  if (!value.ok()) return value.status();
  if (*value != expected) {
    return Invalid("/proof/" + std::string(name), std::string(name) + " must be " +
                                                      std::string(expected) + ", got \"" +
                                                      std::string(*value) + "\"");
  }
  return Status::Ok();
}

// Data Integrity EdDSA Cryptosuites v1.0 §3.3.4 (Hashing): SHA-256 of the
// canonical proof configuration followed by SHA-256 of the canonical
// document. The proof configuration (§3.3.5) is the proof without proofValue;
// the transformed document (§3.3.3) is the document without proof, with its
// @context replaced by `context` when verification requires it (§3.3.2 step 4).
// Both are canonicalized in place: the document is never copied.
Result<HashData> ComputeHashData(const Json& proof, const Json& document, const Json* context) {
  HashData hash_data;
  std::string canonical;
  const JcsMemberEdit proof_edits[] = {{"proofValue", nullptr}};
  if (Status s = CanonicalizeObjectTo(proof, proof_edits, canonical); !s.ok()) {
    return Invalid("/proof", "cannot be canonicalized (RFC 8785): " + s.message());
  }
  Sha256Digest proof_hash = Sha256(canonical);
  canonical.clear();
  const JcsMemberEdit document_edits[] = {{"proof", nullptr}, {"@context", context}};
  std::span<const JcsMemberEdit> edits(document_edits, context != nullptr ? 2 : 1);
  if (Status s = CanonicalizeObjectTo(document, edits, canonical); !s.ok()) {
    return Invalid("", "document cannot be canonicalized (RFC 8785): " + s.message());
  }
  Sha256Digest document_hash = Sha256(canonical);
  std::copy(proof_hash.begin(), proof_hash.end(), hash_data.begin());
  std::copy(document_hash.begin(), document_hash.end(), hash_data.begin() + 32);
  return hash_data;
}

// Views a JSON-LD @context (a single context or an array of them) as a list.
std::span<const Json> ContextList(const Json& context) {
  if (context.is_array()) {
    const auto& elements = context.get_ref<const Json::array_t&>();
    return std::span<const Json>(elements.data(), elements.size());
  }
  return std::span<const Json>(&context, 1);
}

bool DigitsAt(std::string_view text, size_t pos, size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

bool IsRfc3339DateTime(std::string_view text) {
  // RFC 3339 §5.6: full-date "T" partial-time time-offset.
  int year, month, day, hour, minute, second;
  if (!DigitsAt(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !DigitsAt(text, 5, 2, month) || text[7] != '-' || !DigitsAt(text, 8, 2, day) ||
      text[10] != 'T' || !DigitsAt(text, 11, 2, hour) || text[13] != ':' ||
      !DigitsAt(text, 14, 2, minute) || text[16] != ':' || !DigitsAt(text, 17, 2, second)) {
    return false;
  }
  // §5.7: month 1-12, mday by month and leap year, hour 0-23, minute 0-59,
  // second 0-60 (60 only for a leap second).
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  size_t pos = 19;
  if (text[pos] == '.') {  // time-secfrac = "." 1*DIGIT
    size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return false;
  }
  if (pos < text.size() && text[pos] == 'Z') return pos + 1 == text.size();
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int offset_hour, offset_minute;
    return text.size() == pos + 6 && DigitsAt(text, pos + 1, 2, offset_hour) &&
           text[pos + 3] == ':' && DigitsAt(text, pos + 4, 2, offset_minute) && offset_hour <= 23 &&
           offset_minute <= 59;
  }
  return false;
}

Result<Json> CreateProof(const Json& unsecured, const ProofOptions& options, const KeyPair& key) {
  if (!unsecured.is_object()) return Invalid("", "document to secure must be a JSON object");
  if (unsecured.contains("proof")) {
    return Invalid("/proof", "document already has a proof; remove it before signing again");
  }
  if (!IsRfc3339DateTime(options.created)) {
    return Invalid("/proof/created",
                   "created must be an RFC 3339 date-time such as "
                   "2026-11-02T14:05:00Z, got \"" +
                       options.created + "\"");
  }
  if (options.proof_purpose != kAssertionMethod) {
    return Invalid("/proof/proofPurpose",
                   "proofPurpose must be assertionMethod (the only purpose verified here)");
  }
  Result<VerificationMethodRef> method = ParseVerificationMethod(options.verification_method);
  if (!method.ok()) return Invalid("/proof/verificationMethod", method.status().message());
  if (method->public_key != key.public_key()) {
    return Invalid("/proof/verificationMethod",
                   "verification method names a different key than the signing key");
  }

  // §3.3.1 Create Proof: the proof options, with the document's @context
  // copied in when present (step 2), form the proof configuration.
  Json proof = Json::object();
  proof["type"] = kProofType;
  proof["cryptosuite"] = kCryptosuite;
  proof["created"] = options.created;
  proof["verificationMethod"] = options.verification_method;
  proof["proofPurpose"] = options.proof_purpose;
  if (options.include_context) {
    if (const Json* context = FindMember(unsecured, "@context")) proof["@context"] = *context;
  }
  Result<HashData> hash_data = ComputeHashData(proof, unsecured, nullptr);
  if (!hash_data.ok()) return hash_data.status();
  // §3.3.6 Proof Serialization: the Ed25519 signature, as multibase base58btc.
  Signature signature = key.Sign(ByteView(hash_data->data(), hash_data->size()));
  proof["proofValue"] = "z" + Base58Encode(signature);

  Json secured = unsecured;
  secured["proof"] = std::move(proof);
  return secured;
}

Result<Json> AddProof(const Json& document, const ProofOptions& options, const KeyPair& key) {
  if (!document.is_object()) return Invalid("", "document to secure must be a JSON object");
  const Json* existing = FindMember(document, "proof");
  if (existing == nullptr) return CreateProof(document, options, key);
  if (!existing->is_object() && !existing->is_array()) {
    return Invalid("/proof", "must be a proof object or a proof set");
  }
  Json proofs = existing->is_array() ? *existing : Json::array({*existing});
  if (proofs.size() >= kProofSetMax) {
    return Invalid("/proof",
                   "a proof set holds at most " + std::to_string(kProofSetMax) + " proofs");
  }
  // Each proof of a set signs the document without any proof.
  Json unsecured = document;
  unsecured.erase("proof");
  FRONTERA_ASSIGN_OR_RETURN(Json signed_alone, CreateProof(unsecured, options, key));
  proofs.push_back(std::move(signed_alone["proof"]));
  unsecured["proof"] = std::move(proofs);
  return unsecured;
}

Result<std::vector<VerifiedProof>> VerifyProofs(const Json& secured) {
  if (!secured.is_object()) return Invalid("", "secured document must be a JSON object");
  const Json* proof = FindMember(secured, "proof");
  if (proof == nullptr || !proof->is_array()) {
    FRONTERA_ASSIGN_OR_RETURN(VerifiedProof one, VerifyProof(secured));
    return std::vector<VerifiedProof>{std::move(one)};
  }
  if (proof->empty() || proof->size() > kProofSetMax) {
    return Invalid("/proof", "a proof set holds 1 to " + std::to_string(kProofSetMax) + " proofs");
  }
  std::vector<VerifiedProof> out;
  Json alone = secured;
  for (size_t i = 0; i < proof->size(); ++i) {
    alone["proof"] = (*proof)[i];
    Result<VerifiedProof> verified = VerifyProof(alone);
    if (!verified.ok()) {
      // The same error, pointing into this proof of the set.
      const std::string at = "/proof/" + std::to_string(i);
      std::vector<FieldError> errors = verified.status().field_errors();
      for (FieldError& e : errors) {
        if (e.pointer.rfind("/proof", 0) == 0) e.pointer = at + e.pointer.substr(6);
      }
      if (errors.empty()) return verified.status();
      return Invalid(errors[0].pointer, errors[0].reason);
    }
    out.push_back(std::move(verified).value());
  }
  return out;
}

std::vector<std::string> ProofSignerDids(const Json& document) {
  std::vector<std::string> out;
  const Json* proof = document.is_object() ? FindMember(document, "proof") : nullptr;
  if (proof == nullptr) return out;
  auto add = [&](const Json& one) {
    const Json* method = one.is_object() ? FindMember(one, "verificationMethod") : nullptr;
    if (method == nullptr || !method->is_string()) return;
    const std::string& text = method->get_ref<const std::string&>();
    out.push_back(text.substr(0, text.find('#')));
  };
  if (proof->is_array()) {
    for (const Json& one : *proof) add(one);
  } else {
    add(*proof);
  }
  return out;
}

Result<VerifiedProof> VerifyProof(const Json& secured) {
  if (!secured.is_object()) return Invalid("", "secured document must be a JSON object");
  const Json* proof = FindMember(secured, "proof");
  if (proof == nullptr) return Invalid("/proof", "missing; the document carries no proof");
  if (proof->is_array()) {
    return Invalid("/proof", "must be a single proof object (proof sets are not supported)");
  }
  if (!proof->is_object()) return Invalid("/proof", "must be a proof object");

  // §3.3.5 Proof Configuration and §2.1: the proof's type and cryptosuite.
  FRONTERA_RETURN_IF_ERROR(ExpectString(*proof, "type", kProofType));
  FRONTERA_RETURN_IF_ERROR(ExpectString(*proof, "cryptosuite", kCryptosuite));
  FRONTERA_RETURN_IF_ERROR(ExpectString(*proof, "proofPurpose", kAssertionMethod));

  Result<std::string_view> verification_method =
      ProofString(*proof, "verificationMethod", "a did:key verification method");
  if (!verification_method.ok()) return verification_method.status();
  Result<VerificationMethodRef> method = ParseVerificationMethod(*verification_method);
  if (!method.ok()) return Invalid("/proof/verificationMethod", method.status().message());

  std::string created;
  if (const Json* value = FindMember(*proof, "created")) {
    // §3.3.5 step 3: created, when present, must be a dateTimeStamp.
    if (!value->is_string() || !IsRfc3339DateTime(value->get_ref<const std::string&>())) {
      return Invalid("/proof/created",
                     "created must be an RFC 3339 date-time with an offset, "
                     "such as 2026-11-02T14:05:00Z");
    }
    created = value->get<std::string>();
  }

  Result<std::string_view> proof_value =
      ProofString(*proof, "proofValue", "a multibase base58btc signature");
  if (!proof_value.ok()) return proof_value.status();
  if (proof_value->empty() || (*proof_value)[0] != 'z') {
    return Invalid("/proof/proofValue", "proofValue must be multibase base58btc (start with 'z')");
  }
  if (proof_value->size() > kProofValueCharsMax) {
    return Invalid("/proof/proofValue", "proofValue is too long for an Ed25519 signature");
  }
  Result<Bytes> signature_bytes = Base58Decode(proof_value->substr(1));
  if (!signature_bytes.ok()) {
    return Invalid("/proof/proofValue",
                   "proofValue is not base58btc: " + signature_bytes.status().message());
  }
  Result<Signature> signature = SignatureFromBytes(*signature_bytes);
  if (!signature.ok()) {
    return Invalid("/proof/proofValue", "proofValue must decode to 64 bytes, got " +
                                            std::to_string(signature_bytes->size()));
  }

  // §3.3.2 Verify Proof step 4: a proof that carries @context binds the
  // document's @context; the document is then hashed with the proof's
  // @context. The specification lets the document's list only start with the
  // proof's, but entries appended after signing would change what the
  // document means without touching the signature, so Frontera requires the
  // same list (a single context equals a one-element list).
  const Json* proof_context = FindMember(*proof, "@context");
  if (proof_context != nullptr) {
    const Json* document_context = FindMember(secured, "@context");
    if (document_context == nullptr) {
      return Invalid("/@context", "missing, but the proof's @context requires it");
    }
    std::span<const Json> expected = ContextList(*proof_context);
    std::span<const Json> actual = ContextList(*document_context);
    if (!std::equal(expected.begin(), expected.end(), actual.begin(), actual.end())) {
      return Invalid("/@context",
                     "must be the same list as /proof/@context (entries added, removed or "
                     "reordered after signing)");
    }
  }

  Result<HashData> hash_data = ComputeHashData(*proof, secured, proof_context);
  if (!hash_data.ok()) return hash_data.status();
  if (!Verify(method->public_key, ByteView(hash_data->data(), hash_data->size()), *signature)) {
    return Invalid("/proof/proofValue",
                   "signature does not verify: the document or its proof was changed, or it was "
                   "signed by another key");
  }
  return VerifiedProof{method->public_key, method->did, std::string(*verification_method),
                       std::move(created), std::string(kAssertionMethod)};
}

}  // namespace frontera::crypto
