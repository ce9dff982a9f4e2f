#include "common/binary.h"

#include <limits>

#include "common/check.h"

namespace frontera {

void StoreBigEndian32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
}

void StoreBigEndian64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
}

uint32_t LoadBigEndian32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint64_t LoadBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void BinaryWriter::U16(uint16_t v) {
  out_.push_back(static_cast<char>(v >> 8));
  out_.push_back(static_cast<char>(v & 0xff));
}

void BinaryWriter::U32(uint32_t v) {
  char b[4];
  StoreBigEndian32(b, v);
  out_.append(b, 4);
}

void BinaryWriter::U64(uint64_t v) {
  char b[8];
  StoreBigEndian64(b, v);
  out_.append(b, 8);
}

void BinaryWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void BinaryWriter::Bytes32(std::string_view bytes) {
  FRONTERA_CHECK(bytes.size() <= std::numeric_limits<uint32_t>::max())
      << "a length-prefixed field of " << bytes.size() << " bytes";
  U32(static_cast<uint32_t>(bytes.size()));
  out_.append(bytes);
}

void BinaryWriter::VarintBytes(std::string_view bytes) {
  Varint(bytes.size());
  out_.append(bytes);
}

size_t BinaryWriter::Reserve32() {
  const size_t at = out_.size();
  out_.append(4, '\0');
  return at;
}

void BinaryWriter::Patch32(size_t at, uint32_t v) {
  FRONTERA_CHECK(at + 4 <= out_.size())
      << "patching bytes " << at << ".." << at + 4 << " of " << out_.size();
  StoreBigEndian32(out_.data() + at, v);
}

Status BinaryReader::Error(std::string_view field, std::string_view problem) const {
  return Status::InvalidArgument(std::string(what_) + ": " + std::string(field) + " at byte " +
                                 std::to_string(offset()) + ": " + std::string(problem));
}

Status BinaryReader::U8(std::string_view field, uint8_t& out) {
  if (remaining() < 1) return Error(field, "truncated");
  out = static_cast<uint8_t>(in_[pos_++]);
  return Status::Ok();
}

Status BinaryReader::U16(std::string_view field, uint16_t& out) {
  if (remaining() < 2) return Error(field, "truncated");
  out = static_cast<uint16_t>((static_cast<uint8_t>(in_[pos_]) << 8) |
                              static_cast<uint8_t>(in_[pos_ + 1]));
  pos_ += 2;
  return Status::Ok();
}

Status BinaryReader::U32(std::string_view field, uint32_t& out) {
  if (remaining() < 4) return Error(field, "truncated");
  out = LoadBigEndian32(in_.data() + pos_);
  pos_ += 4;
  return Status::Ok();
}

Status BinaryReader::U64(std::string_view field, uint64_t& out) {
  if (remaining() < 8) return Error(field, "truncated");
  out = LoadBigEndian64(in_.data() + pos_);
  pos_ += 8;
  return Status::Ok();
}

Status BinaryReader::Varint(std::string_view field, uint64_t& out) {
  const size_t start = pos_;
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= in_.size()) {
      pos_ = start;
      return Error(field, "truncated varint");
    }
    const auto b = static_cast<uint8_t>(in_[pos_++]);
    if (i == 9 && b > 1) {
      pos_ = start;
      return Error(field, "varint exceeds 64 bits");
    }
    value |= uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80u) == 0) {
      // A last byte of 0 after the first adds nothing: not the shortest form.
      if (b == 0 && i > 0) {
        pos_ = start;
        return Error(field, "varint is not in shortest form");
      }
      out = value;
      return Status::Ok();
    }
  }
  FRONTERA_CHECK(false) << "unreachable: the 10th varint byte ends the loop";
  return Status::Internal("varint");
}

Status BinaryReader::Raw(std::string_view field, uint64_t n, std::string_view& out) {
  if (n > remaining()) {
    return Error(field, "length " + std::to_string(n) + " exceeds the " +
                            std::to_string(remaining()) + " bytes left");
  }
  out = in_.substr(pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return Status::Ok();
}

Status BinaryReader::Bytes32(std::string_view field, size_t max, std::string_view& out) {
  const size_t start = pos_;
  uint32_t n = 0;
  FRONTERA_RETURN_IF_ERROR(U32(field, n));
  return BoundedRaw(field, start, n, max, out);
}

Status BinaryReader::VarintBytes(std::string_view field, size_t max, std::string_view& out) {
  const size_t start = pos_;
  uint64_t n = 0;
  FRONTERA_RETURN_IF_ERROR(Varint(field, n));
  return BoundedRaw(field, start, n, max, out);
}

Status BinaryReader::BoundedRaw(std::string_view field, size_t start, uint64_t n, size_t max,
                                std::string_view& out) {
  if (n > max) {
    pos_ = start;
    return Error(field,
                 "length " + std::to_string(n) + " exceeds the limit of " + std::to_string(max));
  }
  Status s = Raw(field, n, out);
  if (!s.ok()) pos_ = start;  // nothing consumed, the length included
  return s;
}

std::string_view BinaryReader::Rest() {
  std::string_view rest = in_.substr(pos_);
  pos_ = in_.size();
  return rest;
}

Status BinaryReader::End() const {
  if (remaining() == 0) return Status::Ok();
  return Error("end", std::to_string(remaining()) + " unexpected trailing bytes");
}

Status AsCorruption(const Status& s) {
  if (s.ok()) return s;
  return Status::Corruption(s.message());
}

}  // namespace frontera
