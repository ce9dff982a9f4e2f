#include "ledger/item_filter.h"

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <string>
#include <utility>

#include "common/binary.h"
#include "common/bytes.h"
#include "common/encoding.h"
#include "crypto/sha256.h"
#include "ledger/gs1.h"

namespace frontera::ledger {
namespace {

// Fixed-point numbers with 16 fractional bits: the geometry is computed in
// integers so that every validator, whatever its libm, finds the same one.
constexpr uint64_t kQ16One = uint64_t{1} << 16;
// log2(3.33) and log2(10^6), rounded to Q16.
constexpr uint64_t kLog2Of3_33Q16 = 113739;
constexpr uint64_t kLog2OfMillionQ16 = 1306235;
// The paper's largest useful segment for 3-wise filters: 2^18 fingerprints.
constexpr uint32_t kSegmentLengthLog2Max = 18;
constexpr uint32_t kSegmentLengthLog2Min = 2;

// log2(n) in Q16, rounded down, by repeated squaring of the mantissa.
// REQUIRES: n >= 1.
uint64_t Log2Q16(uint64_t n) {
  const int whole = std::bit_width(n) - 1;
  // The mantissa n / 2^whole in [1, 2), with 30 fractional bits: its square
  // is below 2^62 and fits.
  constexpr int kFrac = 30;
  uint64_t m = whole <= kFrac ? n << (kFrac - whole) : n >> (whole - kFrac);
  uint64_t result = static_cast<uint64_t>(whole) << 16;
  for (int bit = 15; bit >= 0; --bit) {
    m = (m * m) >> kFrac;
    if (m >= (uint64_t{2} << kFrac)) {
      m >>= 1;
      result |= uint64_t{1} << bit;
    }
  }
  return result;
}

// A bijective 64-bit mixer (the MurmurHash3 finalizer): every input bit
// affects every output bit.
uint64_t Mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t KeyHash(uint64_t key, uint64_t seed) { return Mix64(key + seed); }

// The fingerprint of a key hash: its top byte after a multiplication by an
// odd constant, so that it depends on all bits of the hash and not only on
// those that chose the positions.
uint8_t Fingerprint(uint64_t hash) {
  return static_cast<uint8_t>((hash * 0x9e3779b97f4a7c15ULL) >> 56);
}

// The three positions of a key hash (Graf & Lemire §3): the first anywhere in
// the first segment_count segments, the second in the segment after it and
// the third in the one after that, each at an offset of its own within its
// segment.
std::array<uint64_t, 3> Positions(uint64_t hash, const ItemFilter::Geometry& g) {
  const uint64_t length = uint64_t{1} << g.segment_length_log2;
  const uint64_t mask = length - 1;
  const uint64_t span = uint64_t{g.segment_count} << g.segment_length_log2;
  const uint64_t p0 = static_cast<uint64_t>((static_cast<unsigned __int128>(hash) * span) >> 64);
  // XOR with an offset below `length` stays within the segment.
  const uint64_t p1 = (p0 + length) ^ ((hash >> 18) & mask);
  const uint64_t p2 = (p0 + 2 * length) ^ (hash & mask);
  return {p0, p1, p2};
}

// The first 8 bytes of SHA-256, under a domain name, of the sorted distinct
// keys: the seeds come from them, so that no one can prepare keys that
// defeat the seeds of a set they do not wholly choose.
uint64_t SeedBase(const std::vector<uint64_t>& sorted_keys) {
  crypto::Sha256Hasher hasher;
  hasher.Update(std::string_view("frontera-item-filter/1\n"));
  std::string chunk;
  chunk.reserve(8 * 4096);
  BinaryWriter writer(chunk);
  writer.U64(sorted_keys.size());
  for (uint64_t key : sorted_keys) {
    writer.U64(key);
    if (chunk.size() >= 8 * 4096) {
      hasher.Update(chunk);
      chunk.clear();
    }
  }
  hasher.Update(chunk);
  const crypto::Sha256Digest digest = hasher.Finish();
  return LoadBigEndian64(reinterpret_cast<const char*>(digest.data()));
}

// Attempt `attempt`'s seed: the attempts of one set get distinct seeds.
uint64_t SeedFor(uint64_t base, uint32_t attempt) { return Mix64(base + attempt); }

// One attempt at assigning fingerprints for `hashes` (the key hashes under
// one seed, distinct since Mix64 is a bijection): peels the 3-hypergraph of
// positions (Graf & Lemire §3, Algorithm 3) and assigns fingerprints in the
// reverse of the peeling order. False when the hypergraph has a core that
// does not peel; another seed is then tried.
bool Assign(const std::vector<uint64_t>& hashes, const ItemFilter::Geometry& g,
            std::string& fingerprints) {
  const size_t slots = g.array_length;
  // 32-bit counts: a set chosen to crowd one position cannot overflow them.
  std::vector<uint32_t> count(slots, 0);
  std::vector<uint64_t> xor_hash(slots, 0);
  for (uint64_t h : hashes) {
    for (uint64_t p : Positions(h, g)) {
      ++count[p];
      xor_hash[p] ^= h;
    }
  }
  std::vector<uint32_t> ready;
  for (size_t p = 0; p < slots; ++p) {
    if (count[p] == 1) ready.push_back(static_cast<uint32_t>(p));
  }
  // The slots in peeling order; xor_hash of a peeled slot keeps the hash of
  // the one key it was peeled with (no other key touches it afterwards).
  std::vector<uint32_t> order;
  order.reserve(hashes.size());
  while (!ready.empty()) {
    const uint32_t slot = ready.back();
    ready.pop_back();
    if (count[slot] != 1) continue;
    const uint64_t h = xor_hash[slot];
    order.push_back(slot);
    count[slot] = 0;
    for (uint64_t p : Positions(h, g)) {
      if (p == slot) continue;
      --count[p];
      xor_hash[p] ^= h;
      if (count[p] == 1) ready.push_back(static_cast<uint32_t>(p));
    }
  }
  if (order.size() != hashes.size()) return false;
  fingerprints.assign(slots, '\0');
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const uint64_t h = xor_hash[*it];
    uint8_t value = Fingerprint(h);
    for (uint64_t p : Positions(h, g)) {
      if (p != *it) value ^= static_cast<uint8_t>(fingerprints[p]);
    }
    fingerprints[*it] = static_cast<char>(value);
  }
  return true;
}

}  // namespace

Status ItemFilterLimits::Validate() const {
  if (bytes_max < kBytesMin || bytes_max > kBytesMax) {
    return Status::InvalidArgument("item filter bytes_max " + std::to_string(bytes_max) +
                                   " is outside [" + std::to_string(kBytesMin) + ", " +
                                   std::to_string(kBytesMax) + "]");
  }
  return Status::Ok();
}

uint64_t ItemKey(std::string_view canonical_uri) {
  const crypto::Sha256Digest digest = crypto::Sha256(canonical_uri);
  return LoadBigEndian64(reinterpret_cast<const char*>(digest.data()));
}

uint64_t ItemKey(const Credential& credential) {
  if (credential.type == CredentialType::kPrecursor) {
    return ItemKey(gs1::ConsignmentSubjectId(credential.sscc));
  }
  return ItemKey(gs1::ProductSubjectId(credential.gtin, credential.lot, credential.serial));
}

uint64_t ItemKey(const Label& label) {
  if (label.is_consignment()) return ItemKey(gs1::ConsignmentSubjectId(label.sscc));
  return ItemKey(gs1::ProductSubjectId(label.gtin, label.lot, label.serial));
}

ItemFilter::Geometry ItemFilter::GeometryFor(uint64_t item_count) {
  Geometry g;
  if (item_count == 0) {
    g.segment_length_log2 = kSegmentLengthLog2Min;
    return g;
  }
  // Graf & Lemire §4 (3-wise): segment length 2^floor(log_3.33(n) + 2.25),
  // at most 2^18; array of about n * max(1.125, 0.875 + 0.25 log(10^6) /
  // log(n)) fingerprints, in whole segments, at least three of them.
  const uint64_t log2_n = Log2Q16(item_count);
  const uint64_t log2_length = (log2_n * kQ16One / kLog2Of3_33Q16 + 9 * kQ16One / 4) >> 16;
  g.segment_length_log2 = static_cast<uint32_t>(
      std::clamp<uint64_t>(log2_length, kSegmentLengthLog2Min, kSegmentLengthLog2Max));
  uint64_t capacity = 0;
  if (item_count > 1) {
    const uint64_t factor = std::max<uint64_t>(
        9 * kQ16One / 8, 7 * kQ16One / 8 + kLog2OfMillionQ16 / 4 * kQ16One / log2_n);
    capacity = (item_count * factor + kQ16One / 2) >> 16;
  }
  const uint64_t length = uint64_t{1} << g.segment_length_log2;
  const uint64_t segments = (capacity + length - 1) / length;
  g.segment_count = static_cast<uint32_t>(segments > 3 ? segments - 2 : 1);
  g.array_length = (uint64_t{g.segment_count} + 2) << g.segment_length_log2;
  return g;
}

Result<ItemFilter> ItemFilter::Build(std::vector<uint64_t> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() > kItemFilterItemsMax) {
    return Status::InvalidArgument("an item filter holds at most " +
                                   std::to_string(kItemFilterItemsMax) + " items, not " +
                                   std::to_string(keys.size()));
  }
  ItemFilter filter;
  filter.item_count_ = keys.size();
  filter.geometry_ = GeometryFor(keys.size());
  if (keys.empty()) return filter;
  const uint64_t base = SeedBase(keys);
  std::vector<uint64_t> hashes(keys.size());
  for (uint32_t attempt = 0; attempt < kBuildAttemptsMax; ++attempt) {
    const uint64_t seed = SeedFor(base, attempt);
    for (size_t i = 0; i < keys.size(); ++i) hashes[i] = KeyHash(keys[i], seed);
    if (Assign(hashes, filter.geometry_, filter.fingerprints_)) {
      filter.seed_ = seed;
      return filter;
    }
  }
  return Status::ResourceExhausted("no item filter of " + std::to_string(keys.size()) +
                                   " items after " + std::to_string(kBuildAttemptsMax) + " seeds");
}

std::string ItemFilter::Encode() const {
  std::string out;
  out.reserve(22 + fingerprints_.size());
  BinaryWriter w(out);
  w.U8(kItemFilterVersion);
  w.U32(static_cast<uint32_t>(item_count_));
  w.U64(seed_);
  w.U8(static_cast<uint8_t>(geometry_.segment_length_log2));
  w.U32(geometry_.segment_count);
  w.Bytes32(fingerprints_);
  return out;
}

Result<ItemFilter> ItemFilter::Decode(std::string_view bytes, const ItemFilterLimits& limits) {
  FRONTERA_CHECK(limits.Validate().ok()) << limits.Validate().ToString();
  if (bytes.size() > limits.bytes_max) {
    return Status::ResourceExhausted("item filter: " + std::to_string(bytes.size()) +
                                     " bytes, more than the limit of " +
                                     std::to_string(limits.bytes_max));
  }
  BinaryReader r(bytes, "item filter");
  uint8_t version = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("version", version));
  if (version != kItemFilterVersion) {
    return r.Error("version", "is " + std::to_string(version) + ", this build reads " +
                                  std::to_string(kItemFilterVersion));
  }
  uint32_t item_count = 0;
  FRONTERA_RETURN_IF_ERROR(r.U32("item_count", item_count));
  if (item_count > kItemFilterItemsMax) {
    return r.Error("item_count", std::to_string(item_count) + " is more than " +
                                     std::to_string(kItemFilterItemsMax));
  }
  ItemFilter filter;
  filter.item_count_ = item_count;
  filter.geometry_ = GeometryFor(item_count);
  FRONTERA_RETURN_IF_ERROR(r.U64("seed", filter.seed_));
  uint8_t segment_length_log2 = 0;
  FRONTERA_RETURN_IF_ERROR(r.U8("segment_length_log2", segment_length_log2));
  if (segment_length_log2 != filter.geometry_.segment_length_log2) {
    return r.Error("segment_length_log2", "is " + std::to_string(segment_length_log2) +
                                              ", a filter of " + std::to_string(item_count) +
                                              " items has " +
                                              std::to_string(filter.geometry_.segment_length_log2));
  }
  uint32_t segment_count = 0;
  FRONTERA_RETURN_IF_ERROR(r.U32("segment_count", segment_count));
  if (segment_count != filter.geometry_.segment_count) {
    return r.Error("segment_count", "is " + std::to_string(segment_count) + ", a filter of " +
                                        std::to_string(item_count) + " items has " +
                                        std::to_string(filter.geometry_.segment_count));
  }
  uint32_t fingerprint_count = 0;
  FRONTERA_RETURN_IF_ERROR(r.U32("fingerprint_count", fingerprint_count));
  if (fingerprint_count != filter.geometry_.array_length) {
    return r.Error("fingerprint_count", "is " + std::to_string(fingerprint_count) +
                                            ", a filter of " + std::to_string(item_count) +
                                            " items has " +
                                            std::to_string(filter.geometry_.array_length));
  }
  std::string_view fingerprints;
  FRONTERA_RETURN_IF_ERROR(r.Raw("fingerprints", fingerprint_count, fingerprints));
  FRONTERA_RETURN_IF_ERROR(r.End());
  filter.fingerprints_.assign(fingerprints);
  return filter;
}

bool ItemFilter::Contains(uint64_t key) const {
  if (item_count_ == 0) return false;
  const uint64_t h = KeyHash(key, seed_);
  uint8_t value = Fingerprint(h);
  for (uint64_t p : Positions(h, geometry_)) value ^= static_cast<uint8_t>(fingerprints_[p]);
  return value == 0;
}

}  // namespace frontera::ledger

namespace frontera::ledger {
namespace {

// A decimal u64 as the note writes it: digits only, no leading zero.
bool ParseNoteNumber(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

}  // namespace

std::string ItemFilterNoteText(std::string_view network, const ItemFilterNote& note) {
  return std::string(network) + " " + kItemFilterNoteKind + "\n" + std::to_string(note.tree_size) +
         "\n" + std::to_string(note.item_count) + "\n" + Base64Encode(note.sha256) + "\n";
}

ItemFilterNote ItemFilterNoteOf(const ItemFilter& filter, std::string_view encoded,
                                uint64_t tree_size) {
  return {tree_size, filter.item_count(), crypto::Sha256(AsBytes(encoded))};
}

Result<ItemFilterNote> ParseItemFilterNoteText(std::string_view text, std::string_view network) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size() && lines.size() <= 4) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      return Status::InvalidArgument("item filter note: its last line has no line end");
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.size() != 4 || start != text.size()) {
    return Status::InvalidArgument("item filter note: it must have exactly 4 lines");
  }
  const std::string first = std::string(network) + " " + kItemFilterNoteKind;
  if (lines[0] != first) {
    return Status::InvalidArgument("item filter note: its first line is not \"" + first + "\"");
  }
  ItemFilterNote note;
  if (!ParseNoteNumber(lines[1], note.tree_size)) {
    return Status::InvalidArgument("item filter note: line 2 (tree size) is not a decimal number");
  }
  if (!ParseNoteNumber(lines[2], note.item_count)) {
    return Status::InvalidArgument("item filter note: line 3 (item count) is not a decimal number");
  }
  auto hash = Base64Decode(lines[3]);
  if (!hash.ok() || hash->size() != note.sha256.size() || Base64Encode(*hash) != lines[3]) {
    return Status::InvalidArgument(
        "item filter note: line 4 is not the base64 SHA-256 of a filter (32 bytes)");
  }
  std::copy(hash->begin(), hash->end(), note.sha256.begin());
  return note;
}

}  // namespace frontera::ledger
