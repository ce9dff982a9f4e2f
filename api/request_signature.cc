#include "api/request_signature.h"

#include <cctype>
#include <charconv>
#include <variant>
#include <vector>

#include "api/option_check.h"
#include "api/routes.h"
#include "common/check.h"
#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/sha256.h"

namespace frontera::api {
namespace {

constexpr std::string_view kSignatureInputPointer = "/headers/signature-input";
constexpr std::string_view kSignaturePointer = "/headers/signature";
constexpr std::string_view kContentDigestPointer = "/headers/content-digest";

Status Refuse(std::string_view pointer, const std::string& reason) {
  return Status::InvalidArgument("the request's signature is refused: " + reason,
                                 {{std::string(pointer), reason}});
}

// ---------------------------------------------------------------------------
// The subset of RFC 8941 structured fields that signatures use: dictionaries
// whose members are inner lists or byte sequences, with parameters whose
// values are integers, strings, tokens, byte sequences or booleans.
// Decimals are not part of any field here and are refused.

struct ByteSequence {
  Bytes bytes;
};
struct Token {
  std::string text;
};
using BareItem = std::variant<int64_t, std::string, Token, ByteSequence, bool>;
using Parameters = std::vector<std::pair<std::string, BareItem>>;
struct Item {
  BareItem value;
  Parameters params;
};
struct InnerList {
  std::vector<Item> items;
  Parameters params;
  std::string_view text;  // the member value as sent, for error messages
};
using MemberValue = std::variant<Item, InnerList>;
using Dictionary = std::vector<std::pair<std::string, MemberValue>>;

class FieldParser {
 public:
  FieldParser(std::string_view text, std::string_view field) : text_(text), field_(field) {}

  // RFC 8941 §4.2: leading and trailing SP are discarded, then a dictionary.
  Result<Dictionary> ParseDictionary() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    while (!text_.empty() && text_.back() == ' ') text_.remove_suffix(1);
    Dictionary dictionary;
    if (pos_ == text_.size()) return Error("the field is empty");
    while (true) {
      Result<std::string> key = ParseKey();
      if (!key.ok()) return key.status();
      for (const auto& [name, value] : dictionary) {
        if (name == *key) return Error("the member \"" + *key + "\" appears twice");
      }
      if (Peek() == '=') {
        ++pos_;
        if (Peek() == '(') {
          Result<InnerList> list = ParseInnerList();
          if (!list.ok()) return list.status();
          dictionary.emplace_back(*std::move(key), *std::move(list));
        } else {
          Result<Item> item = ParseItem();
          if (!item.ok()) return item.status();
          dictionary.emplace_back(*std::move(key), *std::move(item));
        }
      } else {
        Result<Parameters> params = ParseParameters();
        if (!params.ok()) return params.status();
        dictionary.emplace_back(*std::move(key), Item{true, *std::move(params)});
      }
      SkipOws();
      if (pos_ == text_.size()) return dictionary;
      if (text_[pos_] != ',') return Error(Unexpected("\",\" between members"));
      ++pos_;
      SkipOws();
      if (pos_ == text_.size()) return Error("the field ends with \",\"");
    }
  }

  // An inner list alone ("(…);p=…"), the whole text.
  Result<InnerList> ParseWholeInnerList() {
    Result<InnerList> list = ParseInnerList();
    if (!list.ok()) return list.status();
    if (pos_ != text_.size()) return Error(Unexpected("the end after the inner list"));
    return list;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void SkipOws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  Status Error(const std::string& reason) const {
    return Refuse(field_, "header " + std::string(field_.substr(field_.rfind('/') + 1)) +
                              " is not a valid structured field (RFC 8941): " + reason);
  }
  std::string Unexpected(std::string_view expected) const {
    if (pos_ >= text_.size()) return "expected " + std::string(expected) + " at the end";
    std::string shown = std::isprint(static_cast<unsigned char>(text_[pos_]))
                            ? std::string(1, text_[pos_])
                            : "byte " + std::to_string(static_cast<unsigned char>(text_[pos_]));
    return "expected " + std::string(expected) + " at offset " + std::to_string(pos_) +
           ", found '" + shown + "'";
  }

  // §4.2.3.3: lcalpha / "*", then lcalpha / DIGIT / "_" / "-" / "." / "*".
  Result<std::string> ParseKey() {
    const size_t start = pos_;
    char c = Peek();
    if (!((c >= 'a' && c <= 'z') || c == '*')) return Error(Unexpected("a lower-case key"));
    ++pos_;
    while (pos_ < text_.size()) {
      c = text_[pos_];
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
          c == '*') {
        ++pos_;
      } else {
        break;
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // §4.2.1.2.
  Result<InnerList> ParseInnerList() {
    const size_t start = pos_;
    if (Peek() != '(') return Error(Unexpected("\"(\""));
    ++pos_;
    InnerList list;
    while (true) {
      while (Peek() == ' ') ++pos_;
      if (Peek() == ')') {
        ++pos_;
        Result<Parameters> params = ParseParameters();
        if (!params.ok()) return params.status();
        list.params = *std::move(params);
        list.text = text_.substr(start, pos_ - start);
        return list;
      }
      if (list.items.size() == kCoveredComponentsMax) {
        return Error("an inner list has more than " + std::to_string(kCoveredComponentsMax) +
                     " items");
      }
      Result<Item> item = ParseItem();
      if (!item.ok()) return item.status();
      list.items.push_back(*std::move(item));
      if (Peek() != ' ' && Peek() != ')') return Error(Unexpected("\" \" or \")\""));
    }
  }

  Result<Item> ParseItem() {
    Result<BareItem> value = ParseBareItem();
    if (!value.ok()) return value.status();
    Result<Parameters> params = ParseParameters();
    if (!params.ok()) return params.status();
    return Item{*std::move(value), *std::move(params)};
  }

  // §4.2.3.2.
  Result<Parameters> ParseParameters() {
    Parameters params;
    while (Peek() == ';') {
      ++pos_;
      while (Peek() == ' ') ++pos_;
      Result<std::string> key = ParseKey();
      if (!key.ok()) return key.status();
      BareItem value = true;
      if (Peek() == '=') {
        ++pos_;
        Result<BareItem> parsed = ParseBareItem();
        if (!parsed.ok()) return parsed.status();
        value = *std::move(parsed);
      }
      for (const auto& [name, unused] : params) {
        if (name == *key) return Error("the parameter \"" + *key + "\" appears twice");
      }
      params.emplace_back(*std::move(key), std::move(value));
    }
    return params;
  }

  // §4.2.3.1.
  Result<BareItem> ParseBareItem() {
    const char c = Peek();
    if (c == '-' || (c >= '0' && c <= '9')) return ParseInteger();
    if (c == '"') return ParseString();
    if (c == ':') return ParseByteSequence();
    if (c == '?') return ParseBoolean();
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*') return ParseToken();
    return Error(Unexpected("an item (integer, string, token, byte sequence or boolean)"));
  }

  // §4.2.4, integers only: at most 15 digits.
  Result<BareItem> ParseInteger() {
    const size_t start = pos_;
    bool negative = false;
    if (Peek() == '-') {
      negative = true;
      ++pos_;
    }
    const size_t digits_start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    const size_t digits = pos_ - digits_start;
    if (digits == 0) return Error("a \"-\" without digits at offset " + std::to_string(start));
    if (digits > 15) return Error("an integer has more than 15 digits");
    if (Peek() == '.') return Error("decimals are not used in these fields");
    int64_t value = 0;
    std::from_chars(text_.data() + digits_start, text_.data() + pos_, value);
    return BareItem{negative ? -value : value};
  }

  // §4.2.5: printable ASCII; "\" escapes only "\"" and "\\".
  Result<BareItem> ParseString() {
    ++pos_;
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ == text_.size()) return Error("a string ends inside an escape");
        const char next = text_[pos_++];
        if (next != '"' && next != '\\')
          return Error("a string escapes a character other than \\ and \"");
        out.push_back(next);
      } else if (c == '"') {
        return BareItem{std::move(out)};
      } else if (c < 0x20 || c > 0x7e) {
        return Error("a string holds a character outside printable ASCII");
      } else {
        out.push_back(c);
      }
    }
    return Error("a string is not closed");
  }

  // §4.2.6.
  Result<BareItem> ParseToken() {
    const size_t start = pos_;
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      const bool tchar = std::isalnum(static_cast<unsigned char>(c)) ||
                         std::string_view("!#$%&'*+-.^_`|~:/").find(c) != std::string_view::npos;
      if (!tchar) break;
      ++pos_;
    }
    return BareItem{Token{std::string(text_.substr(start, pos_ - start))}};
  }

  // §4.2.7: ":" base64 ":".
  Result<BareItem> ParseByteSequence() {
    ++pos_;
    const size_t end = text_.find(':', pos_);
    if (end == std::string_view::npos) return Error("a byte sequence is not closed with \":\"");
    std::string_view encoded = text_.substr(pos_, end - pos_);
    for (char c : encoded) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') {
        return Error("a byte sequence holds a character outside base64");
      }
    }
    Result<Bytes> bytes = Base64Decode(encoded);
    if (!bytes.ok()) return Error("a byte sequence is not valid base64");
    pos_ = end + 1;
    return BareItem{ByteSequence{*std::move(bytes)}};
  }

  // §4.2.8.
  Result<BareItem> ParseBoolean() {
    ++pos_;
    const char c = Peek();
    if (c != '0' && c != '1') return Error(Unexpected("\"0\" or \"1\" after \"?\""));
    ++pos_;
    return BareItem{c == '1'};
  }

  std::string_view text_;
  std::string_view field_;
  size_t pos_ = 0;
};

// RFC 8941 §4.1: serialization of the items signatures use.
void SerializeBareItem(const BareItem& item, std::string& out) {
  if (const auto* i = std::get_if<int64_t>(&item)) {
    out += std::to_string(*i);
  } else if (const auto* s = std::get_if<std::string>(&item)) {
    out.push_back('"');
    for (char c : *s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  } else if (const auto* t = std::get_if<Token>(&item)) {
    out += t->text;
  } else if (const auto* b = std::get_if<ByteSequence>(&item)) {
    out += ":" + Base64Encode(b->bytes) + ":";
  } else {
    out += std::get<bool>(item) ? "?1" : "?0";
  }
}

void SerializeParameters(const Parameters& params, std::string& out) {
  for (const auto& [key, value] : params) {
    out += ";" + key;
    if (const auto* b = std::get_if<bool>(&value); b != nullptr && *b) continue;
    out.push_back('=');
    SerializeBareItem(value, out);
  }
}

std::string SerializeInnerList(const InnerList& list) {
  std::string out = "(";
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out.push_back(' ');
    SerializeBareItem(list.items[i].value, out);
    SerializeParameters(list.items[i].params, out);
  }
  out.push_back(')');
  SerializeParameters(list.params, out);
  return out;
}

// ---------------------------------------------------------------------------

const std::string* FindHeader(const HttpRequestView& request, const std::string& name) {
  if (request.headers == nullptr) return nullptr;
  auto it = request.headers->find(name);
  return it == request.headers->end() ? nullptr : &it->second;
}

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The covered components of a signature, checked against the profile, and
// the signature base built from them (RFC 9421 §2.5).
Result<std::string> BuildBase(const HttpRequestView& request, const InnerList& input) {
  std::string base;
  std::set<std::string> seen;
  const Target target = SplitTarget(request.target);
  for (const Item& item : input.items) {
    const auto* name = std::get_if<std::string>(&item.value);
    if (name == nullptr) {
      return Refuse(kSignatureInputPointer, "a covered component is not a string");
    }
    if (!item.params.empty()) {
      return Refuse(kSignatureInputPointer,
                    "covered component \"" + *name + "\" has parameters; none are supported");
    }
    if (!seen.insert(*name).second) {
      return Refuse(kSignatureInputPointer, "covered component \"" + *name + "\" appears twice");
    }
    std::string value;
    if (*name == "@method") {
      value = std::string(request.method);
    } else if (*name == "@path") {
      // §2.2.6: an empty path is "/".
      value = target.path.empty() ? "/" : std::string(target.path);
    } else if (*name == "@query") {
      // §2.2.7: "?" and the query as sent, "?" alone when there is none.
      value = "?" + std::string(target.query);
    } else if (name->starts_with("@")) {
      return Refuse(kSignatureInputPointer,
                    "covered component \"" + *name +
                        "\" is not supported; cover \"@method\", \"@path\" and \"@query\"");
    } else {
      for (char c : *name) {
        if (c >= 'A' && c <= 'Z') {
          return Refuse(kSignatureInputPointer,
                        "covered component \"" + *name + "\" must be lower-case (§2.1)");
        }
      }
      const std::string* header = FindHeader(request, *name);
      if (header == nullptr) {
        return Refuse(kSignatureInputPointer,
                      "covered header field \"" + *name + "\" is not in the request");
      }
      value = std::string(TrimOws(*header));
    }
    for (char c : value) {
      if (c == '\n' || c == '\r') {
        return Refuse(kSignatureInputPointer,
                      "covered component \"" + *name + "\" holds a line break");
      }
    }
    base += "\"" + *name + "\": " + value + "\n";
  }
  base += "\"@signature-params\": " + SerializeInnerList(input);
  return base;
}

std::string_view TypeName(const BareItem& item) {
  if (std::holds_alternative<int64_t>(item)) return "an integer";
  if (std::holds_alternative<std::string>(item)) return "a string";
  if (std::holds_alternative<Token>(item)) return "a token";
  if (std::holds_alternative<ByteSequence>(item)) return "a byte sequence";
  return "a boolean";
}

Result<Dictionary> ParseField(const HttpRequestView& request, const std::string& name,
                              std::string_view pointer, size_t bytes_max) {
  const std::string* value = FindHeader(request, name);
  FRONTERA_CHECK(value != nullptr) << name;
  if (value->size() > bytes_max) {
    return Refuse(pointer, "header " + name + " has " + std::to_string(value->size()) +
                               " bytes; at most " + std::to_string(bytes_max) +
                               " are accepted (signature_field_bytes_max)");
  }
  return FieldParser(*value, pointer).ParseDictionary();
}

}  // namespace

Status SignatureOptions::Validate() const {
  std::vector<FieldError> errors;
  auto check = [&errors](std::string_view field, long long value, long long low, long long high) {
    CheckOptionRange(errors, field, value, low, high);
  };
  check("signature_window_s", window_s, 10, 3600);
  check("signature_replay_entries_max", static_cast<long long>(replay_entries_max), 1000,
        10'000'000);
  check("signature_field_bytes_max", static_cast<long long>(field_bytes_max), 256, 65536);
  if (errors.empty()) return Status::Ok();
  std::string message = "invalid request signature options:";
  for (const FieldError& e : errors) message += " " + e.reason + ";";
  message.pop_back();
  return Status::InvalidArgument(message, std::move(errors));
}

RequestVerifier::RequestVerifier(SignatureOptions options) : options_(std::move(options)) {
  FRONTERA_CHECK(options_.Validate().ok()) << options_.Validate().ToString();
}

Result<Reader> RequestVerifier::Verify(const HttpRequestView& request, int64_t now_s) {
  const bool has_input = FindHeader(request, "signature-input") != nullptr;
  const bool has_signature = FindHeader(request, "signature") != nullptr;
  if (!has_input && !has_signature) return Reader{};
  if (!has_input) {
    return Refuse(kSignatureInputPointer, "the request has a Signature but no Signature-Input");
  }
  if (!has_signature) {
    return Refuse(kSignaturePointer, "the request has a Signature-Input but no Signature");
  }
  Result<Dictionary> inputs =
      ParseField(request, "signature-input", kSignatureInputPointer, options_.field_bytes_max);
  if (!inputs.ok()) return inputs.status();
  Result<Dictionary> signatures =
      ParseField(request, "signature", kSignaturePointer, options_.field_bytes_max);
  if (!signatures.ok()) return signatures.status();
  if (inputs->size() != 1) {
    return Refuse(
        kSignatureInputPointer,
        "exactly one signature is accepted; Signature-Input has " + std::to_string(inputs->size()));
  }
  if (signatures->size() != 1) {
    return Refuse(kSignaturePointer, "exactly one signature is accepted; Signature has " +
                                         std::to_string(signatures->size()));
  }
  const auto& [label, input_value] = inputs->front();
  if (signatures->front().first != label) {
    return Refuse(kSignaturePointer, "Signature's label \"" + signatures->front().first +
                                         "\" is not Signature-Input's \"" + label + "\"");
  }
  const InnerList* input = std::get_if<InnerList>(&input_value);
  if (input == nullptr) {
    return Refuse(kSignatureInputPointer, "the member \"" + label + "\" is not an inner list");
  }
  const Item* signature_item = std::get_if<Item>(&signatures->front().second);
  const ByteSequence* signature_bytes =
      signature_item ? std::get_if<ByteSequence>(&signature_item->value) : nullptr;
  if (signature_bytes == nullptr) {
    return Refuse(kSignaturePointer, "the member \"" + label + "\" is not a byte sequence");
  }
  Result<crypto::Signature> signature = crypto::SignatureFromBytes(signature_bytes->bytes);
  if (!signature.ok()) {
    return Refuse(kSignaturePointer, "the signature has " +
                                         std::to_string(signature_bytes->bytes.size()) +
                                         " bytes; Ed25519 signatures have 64");
  }

  // The parameters (RFC 9421 §2.3).
  std::optional<int64_t> created;
  std::optional<int64_t> expires;
  std::string keyid;
  std::string nonce;
  std::string alg;
  for (const auto& [name, value] : input->params) {
    auto want = [&](bool ok, std::string_view type) -> Status {
      if (ok) return Status::Ok();
      return Refuse(kSignatureInputPointer, "parameter " + name + " must be " + std::string(type) +
                                                ", not " + std::string(TypeName(value)));
    };
    if (name == "created" || name == "expires") {
      FRONTERA_RETURN_IF_ERROR(want(std::holds_alternative<int64_t>(value), "an integer"));
      (name == "created" ? created : expires) = std::get<int64_t>(value);
    } else if (name == "keyid" || name == "nonce" || name == "alg" || name == "tag") {
      FRONTERA_RETURN_IF_ERROR(want(std::holds_alternative<std::string>(value), "a string"));
      const std::string& text = std::get<std::string>(value);
      if (name == "keyid") keyid = text;
      if (name == "nonce") nonce = text;
      if (name == "alg") alg = text;
    } else {
      return Refuse(kSignatureInputPointer,
                    "parameter " + name +
                        " is not known; use created, keyid, nonce, alg, and optionally expires "
                        "and tag");
    }
  }
  if (!created) return Refuse(kSignatureInputPointer, "parameter created is missing");
  if (keyid.empty()) return Refuse(kSignatureInputPointer, "parameter keyid is missing");
  if (nonce.empty()) return Refuse(kSignatureInputPointer, "parameter nonce is missing");
  if (alg.empty()) return Refuse(kSignatureInputPointer, "parameter alg is missing");
  if (alg != kSignatureAlgorithm) {
    return Refuse(kSignatureInputPointer, "alg \"" + alg + "\" is not supported; use \"ed25519\"");
  }
  if (nonce.size() < kNonceBytesMin || nonce.size() > kNonceBytesMax) {
    return Refuse(kSignatureInputPointer, "nonce has " + std::to_string(nonce.size()) +
                                              " characters; " + std::to_string(kNonceBytesMin) +
                                              " to " + std::to_string(kNonceBytesMax) +
                                              " are accepted");
  }
  Result<crypto::PublicKey> public_key = crypto::PublicKeyFromDidKey(keyid);
  if (!public_key.ok()) {
    return Refuse(kSignatureInputPointer,
                  "keyid \"" + keyid.substr(0, 128) +
                      "\" is not a key this node knows: it must be an Ed25519 did:key (" +
                      public_key.status().message() + ")");
  }

  // The covered components this profile requires.
  std::set<std::string> covered;
  for (const Item& item : input->items) {
    if (const auto* s = std::get_if<std::string>(&item.value)) covered.insert(*s);
  }
  for (std::string_view required : {"@method", "@path", "@query"}) {
    if (!covered.contains(std::string(required))) {
      return Refuse(kSignatureInputPointer,
                    "the signature does not cover \"" + std::string(required) +
                        "\"; cover \"@method\", \"@path\", \"@query\" and, with a body, "
                        "\"content-digest\"");
    }
  }
  const std::string* digest_field = FindHeader(request, "content-digest");
  if (!request.body.empty() && !covered.contains("content-digest")) {
    return Refuse(kSignatureInputPointer,
                  "the request has a body but the signature does not cover \"content-digest\"");
  }
  if (covered.contains("content-digest") && digest_field != nullptr) {
    // RFC 9530 §2: a dictionary of algorithm → digest; this node checks sha-256.
    Result<Dictionary> digests =
        ParseField(request, "content-digest", kContentDigestPointer, options_.field_bytes_max);
    if (!digests.ok()) return digests.status();
    const ByteSequence* sha256 = nullptr;
    for (const auto& [algorithm, value] : *digests) {
      if (algorithm != "sha-256") continue;
      const Item* item = std::get_if<Item>(&value);
      sha256 = item ? std::get_if<ByteSequence>(&item->value) : nullptr;
      if (sha256 == nullptr) {
        return Refuse(kContentDigestPointer, "sha-256 must be a byte sequence");
      }
    }
    if (sha256 == nullptr) {
      return Refuse(kContentDigestPointer, "Content-Digest has no sha-256 digest");
    }
    const crypto::Sha256Digest actual = crypto::Sha256(request.body);
    if (sha256->bytes.size() != actual.size() ||
        !std::equal(actual.begin(), actual.end(), sha256->bytes.begin())) {
      return Refuse(kContentDigestPointer,
                    "the sha-256 Content-Digest does not match the body received");
    }
  }

  // The window, by this node's clock (not ledger validation).
  const int64_t skew = now_s - *created;
  if (skew > options_.window_s || skew < -options_.window_s) {
    return Refuse(
        kSignatureInputPointer,
        "created = " + std::to_string(*created) + " is " + std::to_string(skew < 0 ? -skew : skew) +
            " s " + (skew < 0 ? "ahead of" : "behind") + " this node's clock (" +
            std::to_string(now_s) +
            "); accepted within signature_window_s = " + std::to_string(options_.window_s));
  }
  if (expires && now_s > *expires) {
    return Refuse(kSignatureInputPointer, "the signature expired at " + std::to_string(*expires) +
                                              " (now " + std::to_string(now_s) + ")");
  }

  Result<std::string> base = BuildBase(request, *input);
  if (!base.ok()) return base.status();
  if (!crypto::Verify(*public_key, *base, *signature)) {
    return Refuse(kSignaturePointer,
                  "the Ed25519 signature does not verify with keyid's key over the signature base "
                  "of this request (RFC 9421 §2.5): the method, path, query or a covered field "
                  "differs from what was signed, or another key signed it");
  }

  // Only a verified signature spends its nonce: an attacker cannot block a
  // nonce without the key.
  Result<bool> fresh = Remember(keyid + " " + nonce, *created + options_.window_s, now_s);
  if (!fresh.ok()) return fresh.status();
  if (!*fresh) {
    return Refuse(kSignatureInputPointer,
                  "nonce \"" + nonce +
                      "\" was already used by this key within the window: a "
                      "replayed request");
  }
  return Reader{keyid};
}

Result<bool> RequestVerifier::Remember(const std::string& key, int64_t expiry_s, int64_t now_s) {
  MutexLock lock(mu_);
  while (!expiries_.empty() && expiries_.begin()->first < now_s) {
    nonces_.erase(expiries_.begin()->second);
    expiries_.erase(expiries_.begin());
  }
  if (nonces_.contains(key)) return false;
  if (nonces_.size() >= options_.replay_entries_max) {
    // Forgetting a live nonce would let its request be replayed.
    return Status::ResourceExhausted(
        "this node remembers " + std::to_string(nonces_.size()) +
        " signature nonces (signature_replay_entries_max); retry in a few seconds");
  }
  nonces_.emplace(key, expiry_s);
  expiries_.emplace(expiry_s, key);
  return true;
}

size_t RequestVerifier::ReplayEntries() const {
  MutexLock lock(mu_);
  return nonces_.size();
}

Problem UnauthenticatedProblem(const Status& refusal) {
  if (!refusal.IsInvalidArgument()) return ProblemFromStatus(refusal, InputKind::kParameters);
  Problem problem = ProblemForHttpStatus(401, refusal.message());
  problem.errors = refusal.field_errors();
  return problem;
}

std::string ContentDigest(std::string_view body) {
  const crypto::Sha256Digest digest = crypto::Sha256(body);
  return "sha-256=:" + Base64Encode(ByteView(digest)) + ":";
}

Result<std::string> SignatureBase(const HttpRequestView& request,
                                  std::string_view signature_input_member) {
  Result<InnerList> input =
      FieldParser(signature_input_member, kSignatureInputPointer).ParseWholeInnerList();
  if (!input.ok()) return input.status();
  return BuildBase(request, *input);
}

std::map<std::string, std::string> SignRequest(const crypto::KeyPair& key, std::string_view method,
                                               std::string_view target, std::string_view body,
                                               int64_t created_s, std::string_view nonce) {
  std::map<std::string, std::string> fields;
  InnerList input;
  for (std::string_view component : {"@method", "@path", "@query"}) {
    input.items.push_back(Item{std::string(component), {}});
  }
  if (!body.empty()) {
    fields["content-digest"] = ContentDigest(body);
    input.items.push_back(Item{std::string("content-digest"), {}});
  }
  input.params = {{"created", created_s},
                  {"keyid", crypto::DidKeyFromPublicKey(key.public_key())},
                  {"nonce", std::string(nonce)},
                  {"alg", std::string(kSignatureAlgorithm)}};
  HttpRequestView request{method, target, &fields, body};
  Result<std::string> base = BuildBase(request, input);
  FRONTERA_CHECK(base.ok()) << base.status().ToString();
  const crypto::Signature signature = key.Sign(*base);
  const std::string label = "frontera";
  fields["signature-input"] = label + "=" + SerializeInnerList(input);
  fields["signature"] = label + "=:" + Base64Encode(ByteView(signature)) + ":";
  return fields;
}

std::string RandomNonce() {
  std::array<uint8_t, 16> bytes{};
  crypto::RandomBytes(bytes);
  std::string encoded = Base64UrlEncode(ByteView(bytes));
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return encoded;
}

}  // namespace frontera::api
