// CRC32C, the checksum of Frontera's records and of RocksDB's WAL records.
#include "common/crc32c.h"

#include <doctest/doctest.h>

#include <string>

namespace frontera {
namespace {

TEST_CASE("CRC32C matches the RFC 3720 §B.4 test vectors") {
  CHECK(Crc32c("123456789") == 0xE3069283u);
  CHECK(Crc32c(std::string(32, '\0')) == 0x8A9136AAu);
  CHECK(Crc32c(std::string(32, '\xff')) == 0x62A8AB43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  CHECK(Crc32c(ascending) == 0x46DD794Eu);
  CHECK(Crc32c(descending) == 0x113FDB5Cu);
  CHECK(Crc32c("") == 0u);
}

TEST_CASE("CRC32C can be computed in pieces split anywhere") {
  std::string data;
  for (int i = 0; i < 100; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  const uint32_t whole = Crc32c(data);
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    CAPTURE(cut);
    const std::string_view v(data);
    CHECK(Crc32cExtend(Crc32c(v.substr(0, cut)), v.substr(cut)) == whole);
  }
}

}  // namespace
}  // namespace frontera
