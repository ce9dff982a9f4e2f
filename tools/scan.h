// Reading labels from images and scanners (docs/cli.md#verify): a PNG or JPEG
// photo decoded with stb_image, searched with ZXing-cpp for QR codes and
// (GS1) DataMatrix symbols.
//
// Thread-safety: pure functions (ZXing and stb_image keep no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"

namespace frontera::tools {

// Largest image accepted, in pixels (a 50-megapixel photo) and in bytes.
inline constexpr int64_t kImagePixelsMax = 50'000'000;
inline constexpr size_t kImageBytesMax = 64u << 20;

// A grey image, one byte per pixel, rows top to bottom.
struct GreyImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height
};

// Decodes a PNG or JPEG file's bytes to grey. kInvalidArgument when it is not
// an image stb_image reads or is larger than kImagePixelsMax.
Result<GreyImage> DecodeImage(ByteView file_bytes);

// The texts of the QR and DataMatrix symbols found in `image`, in ZXing's
// order (at most 8). kNotFound when there is none.
Result<std::vector<std::string>> ReadSymbols(const GreyImage& image);

// Reads `path` (at most kImageBytesMax) and returns the text of its first
// symbol. kNotFound (naming the path) when the image holds no QR or
// DataMatrix symbol; the errors of ReadTextFile and DecodeImage otherwise.
Result<std::string> ScanImageFile(const std::string& path);

// True when the first bytes are a PNG or JPEG signature (PNG spec §5.2;
// JPEG SOI marker FF D8 FF).
bool LooksLikeImage(std::string_view first_bytes);

// A scanner's line without its line end and surrounding blanks (handheld
// scanners type the symbol's text and then CR, LF or CR LF).
std::string TrimScannedLine(std::string_view line);

}  // namespace frontera::tools
