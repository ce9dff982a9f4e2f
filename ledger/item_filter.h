// ItemFilter: a compact, immutable set of the items certified on the ledger
// (docs/formats.md §16 "Certified-item filter"), for an offline verifier that
// carries it in its trust bundle and asks "was this item on the ledger at the
// bundle's checkpoint?".
//
// It is a binary fuse filter (Graf & Lemire, "Binary Fuse Filters: Fast and
// Smaller Than Xor Filters", ACM JEA 2022) with 3 positions per key and 8-bit
// fingerprints: about 9.0 bits an item for large sets, and a key that is
// not in the set is reported present with probability about 1/256
// (kItemFilterFalsePositiveRate). A key that is in the set is always reported
// present.
//
// The keys are 64-bit digests of an item's canonical GS1 Digital Link URI
// (ItemKey). Build is deterministic: the same set of keys, in any order and
// with any repetitions, gives the same Encode() bytes on every machine (no
// floating point, no clock, no randomness but seeds derived from the set
// itself), because validators co-sign the filter's hash.
//
// Thread-safety: an ItemFilter is an immutable value; the functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/sha256.h"
#include "ledger/documents.h"
#include "ledger/label.h"

namespace frontera::ledger {

// The first byte of the encoding (docs/formats.md §16).
inline constexpr uint8_t kItemFilterVersion = 1;
// Most distinct items one filter holds (its encoding is then about 225 MB).
inline constexpr size_t kItemFilterItemsMax = 200'000'000;
// The probability that Contains answers true for a key not in the set, for a
// filter of at least one item (an empty filter answers false always).
inline constexpr double kItemFilterFalsePositiveRate = 1.0 / 256.0;

// What a decoder of untrusted filter bytes accepts.
struct ItemFilterLimits {
  // Largest encoding accepted. Range [64 bytes, 256 MiB]; the default holds
  // about 59 million items.
  size_t bytes_max = 64u << 20;
  static constexpr size_t kBytesMin = 64;
  static constexpr size_t kBytesMax = 256u << 20;
  // kInvalidArgument naming the field and its range when out of range.
  Status Validate() const;
};

// The filter key of an item: the first 8 bytes, read big-endian, of
// SHA-256 of its canonical GS1 Digital Link URI on id.gs1.org as UTF-8:
//   product:     "https://id.gs1.org/01/{gtin}/10/{lot}/21/{serial}"
//   consignment: "https://id.gs1.org/00/{sscc}"
// (gs1::ProductSubjectId / gs1::ConsignmentSubjectId: lot and serial in
// canonical percent-encoding), which is a credential's credentialSubject.id.
uint64_t ItemKey(std::string_view canonical_uri);
// The key of a credential's item (from its gtin, lot and serial, or sscc).
uint64_t ItemKey(const Credential& credential);
// The key of the item a label names (from its gtin, lot and serial, or sscc).
uint64_t ItemKey(const Label& label);

class ItemFilter {
 public:
  // The empty filter: Contains is false for every key.
  ItemFilter() = default;

  // Builds the filter of the set of `keys` (order and duplicates do not
  // matter). kInvalidArgument when the set has more than kItemFilterItemsMax
  // distinct keys; kResourceExhausted in the (astronomically unlikely) case
  // that none of the kBuildAttemptsMax seeds gives a filter.
  static Result<ItemFilter> Build(std::vector<uint64_t> keys);

  // Reads an encoding made by Encode, from an untrusted source. Refuses
  // (never crashes) input that is longer than limits.bytes_max
  // (kResourceExhausted), truncated, of another version, with trailing
  // bytes, or whose geometry does not follow from its item count
  // (kInvalidArgument naming the field and byte offset).
  // REQUIRES: limits.Validate().ok().
  static Result<ItemFilter> Decode(std::string_view bytes,
                                   const ItemFilterLimits& limits = ItemFilterLimits());

  // The encoding (docs/formats.md §16); Decode(Encode()) is an equal filter.
  std::string Encode() const;

  // True when `key` is in the set; true with probability about
  // kItemFilterFalsePositiveRate for a key that is not.
  bool Contains(uint64_t key) const;

  // Distinct keys the filter was built from.
  uint64_t item_count() const { return item_count_; }
  // Bytes of the fingerprint array (the encoding adds a 22-byte header).
  size_t fingerprint_bytes() const { return fingerprints_.size(); }
  // kItemFilterFalsePositiveRate, or 0 for the empty filter.
  double false_positive_rate() const {
    return item_count_ == 0 ? 0.0 : kItemFilterFalsePositiveRate;
  }

  bool operator==(const ItemFilter&) const = default;

  // Seeds tried by Build before it gives up.
  static constexpr uint32_t kBuildAttemptsMax = 100;

  // The array geometry of a filter of `item_count` keys: segments of
  // 2^segment_length_log2 fingerprints, segment_count + 2 of them.
  // Exposed for tests and the format documentation.
  struct Geometry {
    uint32_t segment_length_log2 = 0;
    uint32_t segment_count = 0;
    uint64_t array_length = 0;  // (segment_count + 2) << segment_length_log2, or 0
    bool operator==(const Geometry&) const = default;
  };
  static Geometry GeometryFor(uint64_t item_count);

 private:
  uint64_t item_count_ = 0;
  uint64_t seed_ = 0;
  Geometry geometry_ = GeometryFor(0);
  // geometry_.array_length fingerprints; the xor of a key's three is its
  // fingerprint.
  std::string fingerprints_;
};

// The body of the item filter note (docs/formats.md §16), which the voters
// co-sign like a checkpoint:
//   "<network> item-filter/1\n<tree_size>\n<item_count>\n<base64 SHA-256 of the encoding>\n"
struct ItemFilterNote {
  uint64_t tree_size = 0;         // the filter holds the items of the first tree_size leaves
  uint64_t item_count = 0;        // ItemFilter::item_count()
  crypto::Sha256Digest sha256{};  // of ItemFilter::Encode()
  bool operator==(const ItemFilterNote&) const = default;
};
// The second word of the note's first line.
inline constexpr char kItemFilterNoteKind[] = "item-filter/1";
std::string ItemFilterNoteText(std::string_view network, const ItemFilterNote& note);
// The note of `encoded` (an ItemFilter::Encode() of `filter`) at tree_size.
ItemFilterNote ItemFilterNoteOf(const ItemFilter& filter, std::string_view encoded,
                                uint64_t tree_size);
// Parses a note body of `network` (untrusted text). kInvalidArgument naming
// the line that is not as specified (another network, another kind, a
// number with a sign or a leading zero, a hash of another size, more or
// fewer lines).
Result<ItemFilterNote> ParseItemFilterNoteText(std::string_view text, std::string_view network);

}  // namespace frontera::ledger
