#include "tools/scan.h"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "common/check.h"
#include "tools/files.h"

// stb_image is a single-header library: this is the one translation unit that
// holds its implementation, static so that no other copy (Debian's libstb)
// can collide with it, and limited to the two formats a camera produces.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace frontera::tools {
namespace {

constexpr int kSymbolsMax = 8;

// Debian 12's stb_image (2022-09-08) does not bound the symbol count of a
// JPEG Huffman table: a DHT whose 16 code-length counts add up to more than
// 256 writes past stbi__huffman's arrays (found by tests/fuzz/label_image_fuzz).
// JPEG allows at most 256 symbols per table (ITU-T T.81 §B.2.4.2), so such a
// file is refused before stb_image sees it. Walks the marker segments the
// way a decoder does, skipping entropy-coded data (where 0xFF is followed by
// 0x00 or a restart marker); true when every DHT table is well-formed.
bool JpegHuffmanTablesFit(ByteView bytes) {
  const size_t size = bytes.size();
  size_t pos = 0;  // SOI is a marker like the others (stb_image skips fill bytes before it)
  while (pos + 1 < size) {
    if (bytes[pos] != 0xFF) {  // stb_image looks for the next marker byte by byte
      ++pos;
      continue;
    }
    while (pos + 1 < size && bytes[pos + 1] == 0xFF) ++pos;  // fill bytes
    if (pos + 1 >= size) return true;
    const uint8_t marker = bytes[pos + 1];
    pos += 2;
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD9 || pos + 2 > size) return true;  // EOI, or no length
    const size_t length = size_t{bytes[pos]} << 8 | bytes[pos + 1];
    if (length < 2) {
      pos += 2;
      continue;
    }
    const size_t end = std::min(size, pos + length);
    if (marker == 0xC4) {
      size_t at = pos + 2;
      while (at < end) {
        // stb_image reads a truncated file's missing bytes as zeros.
        size_t symbols = 0;
        for (size_t i = 1; i <= 16 && at + i < size; ++i) symbols += bytes[at + i];
        if (symbols > 256) return false;
        at += 17 + symbols;
      }
    }
    pos = end;
    if (marker == 0xDA) {  // SOS: entropy-coded data up to the next marker
      while (pos + 1 < size && !(bytes[pos] == 0xFF && bytes[pos + 1] != 0x00 &&
                                 !(bytes[pos + 1] >= 0xD0 && bytes[pos + 1] <= 0xD7))) {
        ++pos;
      }
    }
  }
  return true;
}

struct StbiFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

Result<GreyImage> DecodeImage(ByteView file_bytes) {
  if (file_bytes.size() > kImageBytesMax || file_bytes.size() > INT32_MAX) {
    return Status::InvalidArgument("image larger than " + std::to_string(kImageBytesMax) +
                                   " bytes");
  }
  // Before stb_image reads anything: its header parser reads the tables too.
  if (!file_bytes.empty() && file_bytes[0] == 0xFF && !JpegHuffmanTablesFit(file_bytes)) {
    return Status::InvalidArgument(
        "cannot decode the image: a JPEG Huffman table has more than 256 symbols");
  }
  int width = 0, height = 0, channels = 0;
  const auto* data = reinterpret_cast<const stbi_uc*>(file_bytes.data());
  int length = static_cast<int>(file_bytes.size());
  // Check the dimensions before decoding, so a small file that claims a huge
  // image cannot make us allocate it.
  if (stbi_info_from_memory(data, length, &width, &height, &channels) == 0) {
    return Status::InvalidArgument(std::string("not a PNG or JPEG image: ") +
                                   stbi_failure_reason());
  }
  if (width <= 0 || height <= 0 || int64_t{width} * height > kImagePixelsMax) {
    return Status::InvalidArgument("image of " + std::to_string(width) + "×" +
                                   std::to_string(height) + " pixels is larger than " +
                                   std::to_string(kImagePixelsMax));
  }
  // One channel: stb_image converts colour to luminance (ITU-R BT.601
  // weights), which is what a barcode reader binarizes anyway.
  std::unique_ptr<stbi_uc, StbiFree> pixels(
      stbi_load_from_memory(data, length, &width, &height, &channels, 1));
  if (pixels == nullptr) {
    return Status::InvalidArgument(std::string("cannot decode the image: ") +
                                   stbi_failure_reason());
  }
  GreyImage image;
  image.width = width;
  image.height = height;
  image.pixels.assign(pixels.get(), pixels.get() + static_cast<size_t>(width) * height);
  return image;
}

Result<std::vector<std::string>> ReadSymbols(const GreyImage& image) {
  FRONTERA_CHECK(image.pixels.size() == static_cast<size_t>(image.width) * image.height);
  ZXing::ImageView view(image.pixels.data(), image.width, image.height, ZXing::ImageFormat::Lum);
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode | ZXing::BarcodeFormat::DataMatrix);
  hints.setTryHarder(true);
  hints.setTryRotate(true);
  hints.setMaxNumberOfSymbols(kSymbolsMax);
  std::vector<std::string> texts;
  for (const ZXing::Result& result : ZXing::ReadBarcodes(view, hints)) {
    if (result.isValid()) texts.push_back(result.text());
  }
  if (texts.empty()) return Status::NotFound("no QR code or DataMatrix symbol found");
  return texts;
}

Result<std::string> ScanImageFile(const std::string& path) {
  auto bytes = ReadTextFile(path, kImageBytesMax);
  if (!bytes.ok()) return bytes.status();
  auto image = DecodeImage(AsBytes(*bytes));
  if (!image.ok()) return image.status().WithContext(path);
  auto texts = ReadSymbols(*image);
  if (!texts.ok()) {
    return Status::NotFound(path + ": " + texts.status().message() +
                            " (a sharper, closer, evenly lit photo helps)");
  }
  return texts->front();
}

bool LooksLikeImage(std::string_view first_bytes) {
  return first_bytes.starts_with("\x89PNG\r\n\x1a\n") || first_bytes.starts_with("\xff\xd8\xff");
}

std::string TrimScannedLine(std::string_view line) {
  size_t begin = line.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = line.find_last_not_of(" \t\r\n");
  return std::string(line.substr(begin, end - begin + 1));
}

}  // namespace frontera::tools
