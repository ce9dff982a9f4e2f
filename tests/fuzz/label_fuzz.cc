// Fuzzes ledger::ParseLabel (ledger/label.h), the QR label an inspector
// scans and the resolver receives, and the GS1 Digital Link pieces under it
// (ledger/gs1.h): AI value percent-decoding, dates and date-times. Input: the
// label text. Properties: no input crashes, leaks or runs long; a label that
// parses is within kLabelBytesMax and is written back, from its parts, to
// exactly its own text (one label, one text: the AI values, kid and sig
// have one encoding each), its identifiers pass their checks, and it
// verifies under the fuzz key only if its kid is that key's; a percent-
// decoded value re-encodes to its segment; encoding any bytes decodes back;
// a date-time ParseRfc3339Millis accepts is one the proof checker accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "common/encoding.h"
#include "crypto/data_integrity.h"
#include "ledger/gs1.h"
#include "ledger/label.h"
#include "tests/fuzz/fuzz_entry.h"
#include "tests/fuzz/fuzz_keys.h"

namespace frontera::ledger {
namespace {

void CheckLabel(std::string_view input) {
  static const crypto::PublicKey key = fuzz::NoteSignerKey().public_key();
  Result<Label> label = ParseLabel(input);
  if (!label.ok()) {
    FRONTERA_CHECK(label.status().field_errors().size() == 1)
        << "a refused label has no single reason: " << label.status().ToString();
    return;
  }
  FRONTERA_CHECK(input.size() <= kLabelBytesMax);
  std::string path;
  if (label->is_consignment()) {
    FRONTERA_CHECK(gs1::CheckSscc(label->sscc).ok());
    FRONTERA_CHECK(label->gtin.empty() && label->expiry_yymmdd.empty());
    path = gs1::SsccPath(label->sscc) + "?kid=" + label->kid;
  } else {
    FRONTERA_CHECK(gs1::CheckGtin14(label->gtin).ok());
    FRONTERA_CHECK(gs1::CheckCset82Value(label->lot, "lot").ok());
    FRONTERA_CHECK(gs1::CheckCset82Value(label->serial, "serial").ok());
    path = gs1::SgtinLotSerialPath(label->gtin, label->lot, label->serial) +
           "?17=" + label->expiry_yymmdd + "&kid=" + label->kid;
  }
  FRONTERA_CHECK(path == label->signed_part)
      << "signed part " << label->signed_part << " rebuilt as " << path;
  const std::string sig = Base64UrlEncode(label->signature);
  const std::string rebuilt = "https://" + label->resolver + path + "&sig=" + sig;
  FRONTERA_CHECK(rebuilt == input) << "label " << input << " rebuilt from its parts as " << rebuilt;
  Result<Bytes> kid = Base64UrlDecode(label->kid);
  FRONTERA_CHECK(kid.ok() && Base64UrlEncode(*kid) == label->kid);
  if (VerifyLabel(*label, key).ok()) FRONTERA_CHECK(label->kid == LabelKid(key));
}

void CheckAiValue(std::string_view input) {
  Result<std::string> value = gs1::PercentDecodeAiValue(input);
  if (value.ok()) {
    FRONTERA_CHECK(gs1::PercentEncodeAiValue(*value) == input)
        << "segment " << input << " decodes to a value with another encoding";
  }
  const std::string encoded = gs1::PercentEncodeAiValue(input);
  Result<std::string> decoded = gs1::PercentDecodeAiValue(encoded);
  FRONTERA_CHECK(decoded.ok() && *decoded == input) << "an encoded value does not decode back";
}

void CheckDates(std::string_view input) {
  Result<gs1::CivilDate> date = gs1::ParseDate(input);
  if (date.ok()) {
    FRONTERA_CHECK(date->month >= 1 && date->month <= 12);
    FRONTERA_CHECK(date->day >= 1 && date->day <= gs1::DaysInMonth(date->year, date->month));
    FRONTERA_CHECK(gs1::DateToYymmdd(*date).size() == 6);
  }
  Result<int64_t> millis = gs1::ParseRfc3339Millis(input);
  if (millis.ok()) {
    FRONTERA_CHECK(crypto::IsRfc3339DateTime(input))
        << input << " is a date-time for the ledger but not for proofs";
  }
  Result<std::string> gtin = gs1::NormalizeGtin(input);
  if (gtin.ok()) {
    FRONTERA_CHECK(gs1::CheckGtin14(*gtin).ok() && gtin->ends_with(input)) << *gtin;
  }
}

void FuzzOne(std::string_view input) {
  CheckLabel(input);
  CheckAiValue(input);
  CheckDates(input);
}

}  // namespace
}  // namespace frontera::ledger

FRONTERA_FUZZ_TEXT_TARGET(frontera::ledger::FuzzOne)
