#include "tools/scan.h"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>

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

struct StbiFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

Result<GreyImage> DecodeImage(ByteView file_bytes) {
  if (file_bytes.size() > kImageBytesMax || file_bytes.size() > INT32_MAX) {
    return Status::InvalidArgument("image larger than " + std::to_string(kImageBytesMax) +
                                   " bytes");
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
