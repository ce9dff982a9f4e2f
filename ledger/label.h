// The QR label of a certificate (docs/formats.md §8 "QR label"): a GS1
// Digital Link URI on the network's resolver that an inspector can verify
// offline with the issuer's public key.
//
//   https://{resolver}/01/{gtin}/10/{lot}/21/{serial}?17={YYMMDD}&kid={kid}&sig={sig}
//   https://{resolver}/00/{sscc}?kid={kid}&sig={sig}
//
// kid = base64url (RFC 4648 §5, unpadded) of the first 8 bytes of
// SHA-256(issuer public key); sig = base64url of the issuer's Ed25519
// signature over the UTF-8 bytes from the first '/' of the path up to, not
// including, "&sig=" (the "signed part").
//
// Thread-safety: pure functions; Label is a value.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "ledger/documents.h"

namespace frontera::ledger {

// Longest label accepted. The longest well-formed label is 530 bytes
// ("https://", a 253-byte host and a 6-byte ":port", lot and serial of 20
// characters each fully percent-encoded, kid and sig); a QR code version 40 at
// error correction level Q holds 1,663 bytes.
inline constexpr size_t kLabelBytesMax = 640;

struct Label {
  std::string uri;       // the whole label as given
  std::string resolver;  // host[:port] of the resolver, e.g. "verify.frontera.example"

  // Product label (AI 01 path); all empty for a consignment label.
  std::string gtin;           // 14 digits, check digit valid
  std::string lot;            // decoded AI 10 value
  std::string serial;         // decoded AI 21 value
  std::string expiry_yymmdd;  // AI 17 query value, YYMMDD

  // Consignment label (AI 00 path); empty for a product label.
  std::string sscc;  // 18 digits, check digit valid

  std::string kid;                // as written (11 base64url characters)
  crypto::Signature signature{};  // decoded sig
  std::string signed_part;        // "/01/…&kid=…" or "/00/…?kid=…"

  bool is_consignment() const { return !sscc.empty(); }
};

// Parses a label strictly: "https://", a lower-case host name (letters,
// digits, '-', '.') with an optional ":port", exactly one of the two paths
// above with AI values in canonical percent-encoding (gs1::PercentDecodeAiValue),
// the query keys in exactly the order shown, a 17= date of GS1 form (YYMMDD,
// DD 00 meaning the month's last day), kid of 8 bytes and sig of 64 bytes,
// no fragment, at most kLabelBytesMax bytes. GTIN and SSCC check digits and
// the character set 82 of lot and serial are checked.
// Errors: kInvalidArgument with one FieldError whose pointer is "" (callers
// prefix the pointer of the member that held the label with
// Status::WithContext) and whose reason says what is wrong.
Result<Label> ParseLabel(std::string_view uri);

// base64url(first 8 bytes of SHA-256(public_key)).
std::string LabelKid(const crypto::PublicKey& public_key);

// Builds and signs the label of `credential` on `resolver` (host[:port], as
// ParseLabel accepts) with the issuer's key: the product path from gtin, lot,
// serial and expiry (as YYMMDD), or the consignment path from sscc, by
// credential.type. Used by the issuer at issue time; the key never leaves it.
// Errors: kInvalidArgument if `resolver` is not a valid host[:port];
// kFailedPrecondition if the identifiers of `credential` are not valid (check
// digits, character set 82, expiry date), or if credential.issuer is set and
// is not the did:key of `issuer`.
Result<std::string> BuildLabel(std::string_view resolver, const Credential& credential,
                               const crypto::KeyPair& issuer);

// OK iff label.kid is LabelKid(issuer) and label.signature is issuer's valid
// Ed25519 signature of label.signed_part. kFailedPrecondition otherwise, with
// a FieldError (pointer "") saying which of the two failed.
Status VerifyLabel(const Label& label, const crypto::PublicKey& issuer);

// OK iff the label names the credential's item: for a product credential the
// same gtin, lot, serial and expiry (YYMMDD of credential.expiry); for a
// consignment credential the same sscc. kFailedPrecondition otherwise, with
// one FieldError (pointer "") per differing identifier.
Status CheckLabelMatches(const Label& label, const Credential& credential);

}  // namespace frontera::ledger
