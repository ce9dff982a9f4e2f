#include "ledger/label.h"

#include <algorithm>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/sha256.h"
#include "ledger/gs1.h"

namespace frontera::ledger {

namespace {

constexpr std::string_view kScheme = "https://";
constexpr size_t kKidBytes = 8;
constexpr size_t kHostBytesMax = 253;  // RFC 1035 §2.3.4, as text without the root dot
constexpr size_t kHostLabelBytesMax = 63;

Status LabelError(std::string reason) {
  return Status::InvalidArgument("invalid label: " + reason, {{"", reason}});
}

bool IsHostChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// host[:port] in the only form labels are written: lower-case DNS name or
// dotted IPv4 (RFC 3986 §3.2.2 reg-name restricted to LDH labels, RFC 1123
// §2.1), optional decimal port 1..65535 without leading zeros. One resolver
// then has one spelling, and the signed part is the same for every verifier.
Status CheckResolver(std::string_view resolver) {
  std::string_view host = resolver;
  size_t colon = resolver.find(':');
  if (colon != std::string_view::npos) {
    host = resolver.substr(0, colon);
    std::string_view port = resolver.substr(colon + 1);
    bool digits =
        !port.empty() && port.size() <= 5 &&
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || port[0] == '0' || std::stoi(std::string(port)) > 65535) {
      return Status::InvalidArgument("resolver port must be a number 1 to 65535");
    }
  }
  if (host.empty() || host.size() > kHostBytesMax) {
    return Status::InvalidArgument("resolver host must be 1 to 253 characters");
  }
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || part.size() > kHostLabelBytesMax || part.front() == '-' ||
        part.back() == '-' || !std::all_of(part.begin(), part.end(), IsHostChar)) {
      return Status::InvalidArgument(
          "resolver host must be a lower-case DNS name (letters, digits, '-', '.'), e.g. "
          "verify.frontera.example");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return Status::Ok();
}

// Takes the text up to `delimiter` (or to the end) from the front of `rest`.
std::string_view TakeUntil(std::string_view& rest, char delimiter) {
  size_t end = rest.find(delimiter);
  std::string_view token = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  return token;
}

// Consumes `literal` from the front of `rest`; false if it is not there.
bool Consume(std::string_view& rest, std::string_view literal) {
  if (!rest.starts_with(literal)) return false;
  rest.remove_prefix(literal.size());
  return true;
}

// GS1 General Specifications, AI 17 (expiration date): YYMMDD; DD "00"
// stands for the last day of the month.
Status CheckYymmdd(std::string_view text) {
  if (text.size() != 6 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("17= must be a date YYMMDD");
  }
  int month = (text[2] - '0') * 10 + (text[3] - '0');
  int day = (text[4] - '0') * 10 + (text[5] - '0');
  if (month < 1 || month > 12) {
    return Status::InvalidArgument("17= " + std::string(text) + " has no month 01 to 12");
  }
  // The century is not written; 29 February is a day of some year every YY
  // can name (2000 is a leap year), so February is bounded by 29.
  int days_max = month == 2 ? 29 : gs1::DaysInMonth(2001, month);
  if (day > days_max) {
    return Status::InvalidArgument("17= " + std::string(text) + " is not a day of the calendar");
  }
  return Status::Ok();
}

}  // namespace

Result<Label> ParseLabel(std::string_view uri) {
  if (uri.size() > kLabelBytesMax) {
    return LabelError("label is longer than " + std::to_string(kLabelBytesMax) + " bytes");
  }
  Label label;
  label.uri = std::string(uri);
  std::string_view rest = uri;
  if (!Consume(rest, kScheme)) return LabelError("label must start with https://");

  std::string_view resolver = TakeUntil(rest, '/');
  Status resolver_ok = CheckResolver(resolver);
  if (!resolver_ok.ok()) return LabelError(resolver_ok.message());
  label.resolver = std::string(resolver);
  if (rest.empty()) return LabelError("label has no Digital Link path (/01/… or /00/…)");
  if (rest.find('#') != std::string_view::npos) return LabelError("label must not have a fragment");

  size_t sig_at = rest.find("&sig=");
  if (sig_at == std::string_view::npos) return LabelError("label has no &sig= parameter");
  std::string_view signed_part = rest.substr(0, sig_at);
  std::string_view sig_text = rest.substr(sig_at + 5);
  size_t question = signed_part.find('?');
  if (question == std::string_view::npos) {
    return LabelError("label has no query (?…kid=…&sig=…)");
  }
  label.signed_part = std::string(signed_part);
  // GS1 Digital Link URI syntax: the primary key, then its key qualifiers in
  // the order the standard fixes (AI 10 before AI 21 for AI 01).
  std::string_view path = signed_part.substr(0, question);
  std::string_view query = signed_part.substr(question + 1);

  if (Consume(path, "/01/")) {
    std::string_view gtin = TakeUntil(path, '/');
    Status gtin_ok = gs1::CheckGtin14(gtin);
    if (!gtin_ok.ok()) return LabelError(gtin_ok.message());
    if (!Consume(path, "/10/"))
      return LabelError("label path must be /01/{gtin}/10/{lot}/21/{serial}");
    std::string_view lot = TakeUntil(path, '/');
    if (!Consume(path, "/21/"))
      return LabelError("label path must be /01/{gtin}/10/{lot}/21/{serial}");
    std::string_view serial = path;
    if (serial.find('/') != std::string_view::npos) {
      return LabelError("label path must end after /21/{serial}");
    }
    Result<std::string> lot_value = gs1::PercentDecodeAiValue(lot);
    if (!lot_value.ok()) return LabelError("lot: " + lot_value.status().message());
    Result<std::string> serial_value = gs1::PercentDecodeAiValue(serial);
    if (!serial_value.ok()) return LabelError("serial: " + serial_value.status().message());
    Status lot_ok = gs1::CheckCset82Value(*lot_value, "lot");
    if (!lot_ok.ok()) return LabelError(lot_ok.message());
    Status serial_ok = gs1::CheckCset82Value(*serial_value, "serial");
    if (!serial_ok.ok()) return LabelError(serial_ok.message());
    label.gtin = std::string(gtin);
    label.lot = std::move(*lot_value);
    label.serial = std::move(*serial_value);

    if (!Consume(query, "17=")) return LabelError("product label query must start with 17=");
    std::string_view expiry = TakeUntil(query, '&');
    Status expiry_ok = CheckYymmdd(expiry);
    if (!expiry_ok.ok()) return LabelError(expiry_ok.message());
    label.expiry_yymmdd = std::string(expiry);
    if (!Consume(query, "&kid=")) return LabelError("product label query must be 17=…&kid=…&sig=…");
  } else if (Consume(path, "/00/")) {
    Status sscc_ok = gs1::CheckSscc(path);
    if (!sscc_ok.ok()) return LabelError(sscc_ok.message());
    label.sscc = std::string(path);
    if (!Consume(query, "kid=")) return LabelError("consignment label query must be kid=…&sig=…");
  } else {
    return LabelError("label path must start with /01/{gtin} or /00/{sscc}");
  }

  Result<Bytes> kid = Base64UrlDecode(query);
  if (!kid.ok() || kid->size() != kKidBytes) {
    return LabelError("kid must be base64url of 8 bytes (11 characters)");
  }
  label.kid = std::string(query);
  Result<Bytes> sig = Base64UrlDecode(sig_text);
  if (!sig.ok() || sig->size() != label.signature.size()) {
    return LabelError("sig must be base64url of a 64-byte Ed25519 signature (86 characters)");
  }
  std::copy(sig->begin(), sig->end(), label.signature.begin());
  return label;
}

std::string LabelKid(const crypto::PublicKey& public_key) {
  crypto::Sha256Digest digest = crypto::Sha256(ByteView(public_key));
  return Base64UrlEncode(ByteView(digest.data(), kKidBytes));
}

Result<std::string> BuildLabel(std::string_view resolver, const Credential& credential,
                               const crypto::KeyPair& issuer) {
  FRONTERA_RETURN_IF_ERROR(CheckResolver(resolver));
  if (!credential.issuer.empty() &&
      credential.issuer != crypto::DidKeyFromPublicKey(issuer.public_key())) {
    return Status::FailedPrecondition("the label must be signed by the credential's issuer " +
                                      credential.issuer);
  }
  std::string signed_part;
  if (credential.type == CredentialType::kProduct) {
    FRONTERA_RETURN_IF_ERROR(gs1::CheckGtin14(credential.gtin));
    FRONTERA_RETURN_IF_ERROR(gs1::CheckCset82Value(credential.lot, "lot"));
    FRONTERA_RETURN_IF_ERROR(gs1::CheckCset82Value(credential.serial, "serial"));
    FRONTERA_ASSIGN_OR_RETURN(gs1::CivilDate expiry, gs1::ParseDate(credential.expiry));
    signed_part = gs1::SgtinLotSerialPath(credential.gtin, credential.lot, credential.serial) +
                  "?17=" + gs1::DateToYymmdd(expiry) + "&kid=" + LabelKid(issuer.public_key());
  } else {
    FRONTERA_RETURN_IF_ERROR(gs1::CheckSscc(credential.sscc));
    signed_part = gs1::SsccPath(credential.sscc) + "?kid=" + LabelKid(issuer.public_key());
  }
  crypto::Signature signature = issuer.Sign(signed_part);
  return std::string(kScheme) + std::string(resolver) + signed_part +
         "&sig=" + Base64UrlEncode(ByteView(signature));
}

Status VerifyLabel(const Label& label, const crypto::PublicKey& issuer) {
  std::string expected_kid = LabelKid(issuer);
  if (label.kid != expected_kid) {
    std::string reason =
        "kid " + label.kid + " names another key than the issuer's (" + expected_kid + ")";
    return Status::FailedPrecondition("label not signed by the issuer: " + reason, {{"", reason}});
  }
  if (!crypto::Verify(issuer, label.signed_part, label.signature)) {
    std::string reason = "sig is not the issuer's signature of the label (altered or forged)";
    return Status::FailedPrecondition("label signature does not verify", {{"", reason}});
  }
  return Status::Ok();
}

Status CheckLabelMatches(const Label& label, const Credential& credential) {
  std::vector<FieldError> errors;
  auto compare = [&errors](std::string_view what, std::string_view in_label,
                           std::string_view in_credential) {
    if (in_label != in_credential) {
      errors.push_back({"", std::string(what) + " in the label is \"" + std::string(in_label) +
                                "\" but the credential says \"" + std::string(in_credential) +
                                "\""});
    }
  };
  if (credential.type == CredentialType::kProduct) {
    if (label.is_consignment()) {
      errors.push_back({"", "a product credential needs a /01/ label, not a /00/ (SSCC) label"});
    } else {
      compare("GTIN", label.gtin, credential.gtin);
      compare("lot", label.lot, credential.lot);
      compare("serial", label.serial, credential.serial);
      Result<gs1::CivilDate> expiry = gs1::ParseDate(credential.expiry);
      compare("expiry (17=)", label.expiry_yymmdd,
              expiry.ok() ? gs1::DateToYymmdd(*expiry) : credential.expiry);
    }
  } else if (!label.is_consignment()) {
    errors.push_back({"", "a consignment credential needs a /00/ (SSCC) label, not a /01/ label"});
  } else {
    compare("SSCC", label.sscc, credential.sscc);
  }
  if (errors.empty()) return Status::Ok();
  std::string message = "label does not match the credential: " + errors.front().reason;
  return Status::FailedPrecondition(message, std::move(errors));
}

}  // namespace frontera::ledger
