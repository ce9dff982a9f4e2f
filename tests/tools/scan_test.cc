#include "tools/scan.h"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/tools/test_support.h"

// The test writes the images it then reads: stb_image_write, static so that it
// cannot collide with another copy.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace frontera::tools {
namespace {

std::string FixtureLabel() {
  return TrimScannedLine(ReadTextFile(testing::FixturePath("label-uri.txt")).value());
}

// The symbol for `text` as a grey image, `scale` pixels per module, with a
// quiet zone (4 modules for QR, ISO/IEC 18004 §6.3.8; ZXing's default margin
// for DataMatrix).
GreyImage Symbol(const std::string& text, ZXing::BarcodeFormat format, int scale) {
  ZXing::MultiFormatWriter writer(format);
  writer.setMargin(format == ZXing::BarcodeFormat::QRCode ? 4 : 2);
  ZXing::BitMatrix modules = writer.encode(text, 0, 0);
  GreyImage image;
  image.width = modules.width() * scale;
  image.height = modules.height() * scale;
  image.pixels.resize(static_cast<size_t>(image.width) * image.height);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      image.pixels[static_cast<size_t>(y) * image.width + x] =
          modules.get(x / scale, y / scale) ? 0 : 255;
    }
  }
  return image;
}

void Append(void* context, void* data, int size) {
  auto* out = static_cast<std::string*>(context);
  out->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

std::string Png(const GreyImage& image) {
  std::string out;
  REQUIRE(stbi_write_png_to_func(Append, &out, image.width, image.height, 1, image.pixels.data(),
                                 image.width) != 0);
  return out;
}

std::string Jpeg(const GreyImage& image, int quality) {
  std::string out;
  REQUIRE(stbi_write_jpg_to_func(Append, &out, image.width, image.height, 1, image.pixels.data(),
                                 quality) != 0);
  return out;
}

std::string DecodeText(const std::string& file_bytes) {
  auto image = DecodeImage(AsBytes(file_bytes));
  REQUIRE_MESSAGE(image.ok(), image.status().ToString());
  auto texts = ReadSymbols(*image);
  REQUIRE_MESSAGE(texts.ok(), texts.status().ToString());
  return texts->front();
}

// A 1000×1000 "photo": an uneven grey background (light falling off to one
// corner), the label scaled and off centre, its black not quite black and its
// white not quite white, and pixel noise of ±12 from a fixed-seed generator.
GreyImage Photo(const GreyImage& label, int offset_x, int offset_y) {
  GreyImage photo;
  photo.width = photo.height = 1000;
  photo.pixels.resize(1000 * 1000);
  uint32_t state = 12345;
  auto noise = [&]() {
    state = state * 1664525u + 1013904223u;  // Numerical Recipes LCG
    return static_cast<int>((state >> 24) % 25) - 12;
  };
  for (int y = 0; y < 1000; ++y) {
    for (int x = 0; x < 1000; ++x) {
      int value = 170 - (x + y) / 25;
      int lx = x - offset_x, ly = y - offset_y;
      if (lx >= 0 && ly >= 0 && lx < label.width && ly < label.height) {
        value = label.pixels[static_cast<size_t>(ly) * label.width + lx] == 0 ? 40 : 215;
      }
      photo.pixels[static_cast<size_t>(y) * 1000 + x] =
          static_cast<uint8_t>(std::clamp(value + noise(), 0, 255));
    }
  }
  return photo;
}

TEST_CASE("a QR label written as PNG and JPEG decodes to exactly the URI") {
  std::string label = FixtureLabel();
  GreyImage symbol = Symbol(label, ZXing::BarcodeFormat::QRCode, 4);
  CHECK(DecodeText(Png(symbol)) == label);
  CHECK(DecodeText(Jpeg(symbol, 85)) == label);
}

TEST_CASE("a DataMatrix label written as PNG and JPEG decodes to exactly the URI") {
  std::string label = FixtureLabel();
  GreyImage symbol = Symbol(label, ZXing::BarcodeFormat::DataMatrix, 5);
  CHECK(DecodeText(Png(symbol)) == label);
  CHECK(DecodeText(Jpeg(symbol, 90)) == label);
}

TEST_CASE("a 1000x1000 photo-like image of a label decodes, from a file") {
  std::string label = FixtureLabel();
  GreyImage photo = Photo(Symbol(label, ZXing::BarcodeFormat::QRCode, 5), 310, 180);
  testing::TempDir dir;
  std::string path = dir.Sub("photo.jpg");
  REQUIRE(WriteNewFile(path, Jpeg(photo, 80), 0600).ok());
  auto scanned = ScanImageFile(path);
  REQUIRE_MESSAGE(scanned.ok(), scanned.status().ToString());
  CHECK(*scanned == label);
}

TEST_CASE("an image with no symbol, or no image at all, is reported") {
  GreyImage blank;
  blank.width = blank.height = 64;
  blank.pixels.assign(64 * 64, 200);
  testing::TempDir dir;
  std::string path = dir.Sub("blank.png");
  REQUIRE(WriteNewFile(path, Png(blank), 0600).ok());
  auto scanned = ScanImageFile(path);
  CHECK(scanned.status().IsNotFound());
  CHECK(scanned.status().message().find("blank.png") != std::string::npos);
  CHECK(DecodeImage(AsBytes(std::string("not an image"))).status().code() ==
        Status::Code::kInvalidArgument);
  CHECK(ScanImageFile(dir.Sub("missing.png")).status().IsNotFound());
}

// Found by tests/fuzz/label_image_fuzz: a DHT segment whose code-length
// counts add up to 257 made Debian's stb_image write past its Huffman table
// (UBSan: index 257 out of bounds for stbi_uc[257]).
TEST_CASE("a JPEG Huffman table of more than 256 symbols is refused before decoding") {
  // SOI, DHT (length 2 + 17 + 257, class 0 table 0, 16 codes of each of
  // lengths 1..15 and 17 of length 16), the symbols, EOI.
  std::vector<uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xC4, 0x01, 0x14, 0x00};
  for (int i = 0; i < 15; ++i) jpeg.push_back(16);
  jpeg.push_back(17);
  for (int i = 0; i < 257; ++i) jpeg.push_back(static_cast<uint8_t>(i));
  jpeg.insert(jpeg.end(), {0xFF, 0xD9});
  auto refused = DecodeImage(jpeg);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("more than 256 symbols") != std::string::npos);
  // The same in a file that ends inside the table (stb_image reads what is
  // missing as zeros): the fuzzer's second find.
  const std::vector<uint8_t> truncated = {0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                          0xFF, 0xC4, 0xFF, 0xFF, 0x01, 0x00, 0x00,
                                          0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  CHECK_FALSE(DecodeImage(truncated).ok());
  // And after fill bytes before SOI, which stb_image skips (the third).
  const std::vector<uint8_t> filled = {0xFF, 0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xC4, 0xC4, 0x00,
                                       0x00, 0xC4, 0xE0, 0x00, 0xC4, 0x00, 0x00, 0x00, 0x00};
  CHECK_FALSE(DecodeImage(filled).ok());
  // And after bytes that are no marker, which stb_image skips to the next
  // 0xFF (the fourth).
  const std::vector<uint8_t> skipped = {0xFF, 0xD8, 0x00, 0x2B, 0x00, 0xFF, 0xC4, 0x01,
                                        0x00, 0x00, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  CHECK_FALSE(DecodeImage(skipped).ok());
}

TEST_CASE("image signatures and scanner lines") {
  CHECK(LooksLikeImage(std::string("\x89PNG\r\n\x1a\n....", 12)));
  CHECK(LooksLikeImage("\xff\xd8\xff\xe0"));
  CHECK_FALSE(LooksLikeImage("https://verify.frontera.example/01/"));
  CHECK(TrimScannedLine("  https://a/b\r\n") == "https://a/b");
  CHECK(TrimScannedLine("\r\n") == "");
}

}  // namespace
}  // namespace frontera::tools
