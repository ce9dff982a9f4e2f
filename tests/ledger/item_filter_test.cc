#include "ledger/item_filter.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/binary.h"
#include "ledger/gs1.h"

namespace frontera::ledger {
namespace {

std::vector<uint64_t> RandomKeys(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> keys(n);
  for (uint64_t& k : keys) k = rng();
  return keys;
}

ItemFilter MustBuild(std::vector<uint64_t> keys) {
  auto filter = ItemFilter::Build(std::move(keys));
  REQUIRE_MESSAGE(filter.ok(), filter.status().ToString());
  return std::move(filter).value();
}

}  // namespace

TEST_CASE("every inserted key is found, and about 1/256 of 1M non-members") {
  const std::vector<uint64_t> keys = RandomKeys(1'000'000, 1);
  const ItemFilter filter = MustBuild(keys);
  CHECK(filter.item_count() == keys.size());
  size_t missing = 0;
  for (uint64_t k : keys) missing += filter.Contains(k) ? 0 : 1;
  CHECK(missing == 0);

  // Non-members: another stream (a collision with the 1M keys has
  // probability about 2^-24).
  const std::vector<uint64_t> others = RandomKeys(1'000'000, 2);
  size_t false_positives = 0;
  for (uint64_t k : others) false_positives += filter.Contains(k) ? 1 : 0;
  const double rate = static_cast<double>(false_positives) / static_cast<double>(others.size());
  MESSAGE("false-positive rate on 1M non-members: " << rate << " (" << false_positives
                                                    << "), 1/256 = " << 1.0 / 256);
  // 1/256 = 0.0039; the binomial standard deviation over 1M is 0.00006.
  CHECK(rate > 0.0030);
  CHECK(rate < 0.0050);
  // About 9 bits an item (Graf & Lemire: 1.125 n fingerprints for large n).
  const double bits = 8.0 * static_cast<double>(filter.fingerprint_bytes()) / 1e6;
  MESSAGE("bits per item at 1M: " << bits);
  CHECK(bits < 9.3);
}

TEST_CASE("the same set in another order, or repeated, gives the same bytes") {
  std::vector<uint64_t> keys = RandomKeys(50'000, 3);
  const std::string encoded = MustBuild(keys).Encode();
  std::vector<uint64_t> shuffled = keys;
  std::mt19937_64 rng(4);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  CHECK(MustBuild(shuffled).Encode() == encoded);
  std::vector<uint64_t> repeated = keys;
  repeated.insert(repeated.end(), keys.begin(), keys.begin() + 1000);
  std::reverse(repeated.begin(), repeated.end());
  const ItemFilter with_repeats = MustBuild(repeated);
  CHECK(with_repeats.item_count() == keys.size());
  CHECK(with_repeats.Encode() == encoded);
  // One key more is another set, another filter.
  keys.push_back(12345);
  CHECK(MustBuild(keys).Encode() != encoded);
}

TEST_CASE("an encoding decodes to the same filter, whatever its size") {
  for (size_t n : {0, 1, 2, 3, 10, 100, 1000, 20000}) {
    CAPTURE(n);
    const std::vector<uint64_t> keys = RandomKeys(n, 10 + n);
    const ItemFilter filter = MustBuild(keys);
    const std::string encoded = filter.Encode();
    CHECK(encoded.size() == 22 + filter.fingerprint_bytes());
    auto decoded = ItemFilter::Decode(encoded);
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
    CHECK(*decoded == filter);
    for (uint64_t k : keys) CHECK(decoded->Contains(k));
  }
}

TEST_CASE("the empty set finds nothing; a one-item set finds its item") {
  const ItemFilter empty = MustBuild({});
  CHECK(empty.item_count() == 0);
  CHECK(empty.fingerprint_bytes() == 0);
  CHECK(empty.false_positive_rate() == 0.0);
  CHECK(empty == ItemFilter());
  for (uint64_t k : RandomKeys(10'000, 5)) CHECK_FALSE(empty.Contains(k));

  const uint64_t item = ItemKey(gs1::ProductSubjectId("07501234000017", "LOT42A", "SN1"));
  const ItemFilter one = MustBuild({item});
  CHECK(one.item_count() == 1);
  CHECK(one.Contains(item));
  CHECK(one.false_positive_rate() == kItemFilterFalsePositiveRate);
  size_t false_positives = 0;
  for (uint64_t k : RandomKeys(100'000, 6)) false_positives += one.Contains(k) ? 1 : 0;
  CHECK(false_positives < 1000);  // about 390 expected
}

TEST_CASE("the geometry follows the paper's sizing and fits every set") {
  CHECK(ItemFilter::GeometryFor(0) == ItemFilter::Geometry{2, 0, 0});
  CHECK(ItemFilter::GeometryFor(1) == ItemFilter::Geometry{2, 1, 12});
  // 10M: segments of 2^floor(log_3.33(10^7) + 2.25) = 2^15, 1.125 n slots.
  const ItemFilter::Geometry ten_million = ItemFilter::GeometryFor(10'000'000);
  CHECK(ten_million.segment_length_log2 == 15);
  CHECK(ten_million.segment_count == 342);
  CHECK(ten_million.array_length == 11'272'192);  // 344 segments, >= 1.125 n
  // Never longer than 2^18, and never fewer slots than items.
  CHECK(ItemFilter::GeometryFor(kItemFilterItemsMax).segment_length_log2 == 18);
  for (uint64_t n = 1; n < 5000; n += 7) {
    const ItemFilter::Geometry g = ItemFilter::GeometryFor(n);
    CHECK(g.array_length == (uint64_t{g.segment_count} + 2) << g.segment_length_log2);
    CHECK(g.array_length > n);
  }
}

TEST_CASE("item keys are SHA-256 of the canonical Digital Link URI, the same from each side") {
  // SHA-256("https://id.gs1.org/00/106141411234567891") starts 53ffc3a0b6f29af2
  // (`printf %s URI | sha256sum`).
  CHECK(ItemKey("https://id.gs1.org/00/106141411234567891") == 0x53ffc3a0b6f29af2ULL);
  Credential consignment;
  consignment.type = CredentialType::kPrecursor;
  consignment.sscc = "106141411234567891";
  CHECK(ItemKey(consignment) == ItemKey("https://id.gs1.org/00/106141411234567891"));
  Credential product;
  product.type = CredentialType::kProduct;
  product.gtin = "07501234000017";
  product.lot = "LOT 42/A";
  product.serial = "SN1";
  CHECK(ItemKey(product) == ItemKey("https://id.gs1.org/01/07501234000017/10/LOT%2042%2FA/21/SN1"));
  Label label;
  label.gtin = product.gtin;
  label.lot = product.lot;
  label.serial = product.serial;
  CHECK(ItemKey(label) == ItemKey(product));
  // The lot is part of the identity: another lot is another key.
  label.lot = "LOT42B";
  CHECK(ItemKey(label) != ItemKey(product));
}

TEST_CASE("the decoder refuses truncated, oversized and inconsistent input") {
  const ItemFilter filter = MustBuild(RandomKeys(1000, 7));
  const std::string good = filter.Encode();
  REQUIRE(ItemFilter::Decode(good).ok());

  SUBCASE("every truncation") {
    for (size_t n = 0; n < good.size(); ++n) {
      auto r = ItemFilter::Decode(std::string_view(good).substr(0, n));
      CHECK_MESSAGE(r.status().IsInvalidArgument(), n);
    }
  }
  SUBCASE("trailing bytes") {
    auto r = ItemFilter::Decode(good + "x");
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().find("trailing") != std::string::npos);
  }
  SUBCASE("more than the limit") {
    ItemFilterLimits limits;
    limits.bytes_max = good.size() - 1;
    REQUIRE(limits.Validate().ok());
    auto r = ItemFilter::Decode(good, limits);
    CHECK(r.status().IsResourceExhausted());
    limits.bytes_max = ItemFilterLimits::kBytesMax + 1;
    CHECK(limits.Validate().IsInvalidArgument());
  }
  SUBCASE("another version") {
    std::string bad = good;
    bad[0] = 2;
    auto r = ItemFilter::Decode(bad);
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().find("version") != std::string::npos);
  }
  SUBCASE("an item count the array does not fit") {
    std::string bad = good;
    StoreBigEndian32(bad.data() + 1, 100000);
    auto r = ItemFilter::Decode(bad);
    CHECK(r.status().IsInvalidArgument());
    StoreBigEndian32(bad.data() + 1, 0xffffffff);
    r = ItemFilter::Decode(bad);
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().find("item_count") != std::string::npos);
  }
  SUBCASE("a geometry that does not follow from the item count") {
    std::string bad = good;
    bad[13] = static_cast<char>(bad[13] + 1);  // segment_length_log2
    auto r = ItemFilter::Decode(bad);
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().find("segment_length_log2") != std::string::npos);
    bad = good;
    StoreBigEndian32(bad.data() + 14, LoadBigEndian32(bad.data() + 14) + 1);  // segment_count
    r = ItemFilter::Decode(bad);
    CHECK(r.status().message().find("segment_count") != std::string::npos);
  }
  SUBCASE("a fingerprint count other than the array's") {
    std::string bad = good;
    StoreBigEndian32(bad.data() + 18, LoadBigEndian32(bad.data() + 18) - 1);
    bad.pop_back();
    auto r = ItemFilter::Decode(bad);
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().find("fingerprint_count") != std::string::npos);
    StoreBigEndian32(bad.data() + 18, 0xffffffff);
    CHECK(ItemFilter::Decode(bad).status().IsInvalidArgument());
  }
  SUBCASE("random bytes never crash the decoder") {
    std::mt19937_64 rng(8);
    for (int i = 0; i < 2000; ++i) {
      std::string junk = good.substr(0, rng() % 40);
      for (char& c : junk) {
        if (rng() % 4 == 0) c = static_cast<char>(rng());
      }
      auto r = ItemFilter::Decode(junk);
      if (r.ok()) CHECK(r->Encode() == junk);
    }
  }
}

TEST_CASE("the item filter note names the network, tree size, count and hash, and parses back") {
  const ItemFilter filter = MustBuild({1, 2, 3});
  const std::string encoded = filter.Encode();
  const ItemFilterNote note = ItemFilterNoteOf(filter, encoded, 42);
  CHECK(note.tree_size == 42);
  CHECK(note.item_count == 3);
  const std::string text = ItemFilterNoteText("example.net", note);
  CHECK(text.starts_with("example.net item-filter/1\n42\n3\n"));
  auto parsed = ParseItemFilterNoteText(text, "example.net");
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(*parsed == note);
  // Another network's note, another kind, or a changed line is refused.
  CHECK_FALSE(ParseItemFilterNoteText(text, "other.net").ok());
  CHECK_FALSE(ParseItemFilterNoteText("example.net revocations/4\n42\n3\n" +
                                          text.substr(text.rfind('\n', text.size() - 2) + 1),
                                      "example.net")
                  .ok());
  CHECK_FALSE(ParseItemFilterNoteText(text + "extra\n", "example.net").ok());
  CHECK_FALSE(ParseItemFilterNoteText(text.substr(0, text.size() - 1), "example.net").ok());
  std::string leading_zero = text;
  leading_zero.replace(leading_zero.find("\n42\n"), 4, "\n042");
  CHECK_FALSE(ParseItemFilterNoteText(leading_zero, "example.net").ok());
  CHECK_FALSE(
      ParseItemFilterNoteText("example.net item-filter/1\n42\n3\nAAAA\n", "example.net").ok());
}

}  // namespace frontera::ledger
