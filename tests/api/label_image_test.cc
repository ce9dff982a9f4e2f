#include "api/label_image.h"

#define ZX_USE_UTF8
#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <ZXing/Result.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/api/label_test_support.h"

// The test decodes PNGs with stb_image; static so it cannot clash with any
// other copy in the program.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

namespace frontera::api {
namespace {

using testing::DecodeWithZbar;
using testing::ReadExample;
using testing::TempPath;

struct Gray {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;
  uint8_t at(int x, int y) const { return pixels[static_cast<size_t>(y * width + x)]; }
};

Gray DecodePng(const std::string& png) {
  int width = 0, height = 0, channels = 0;
  unsigned char* data =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                            static_cast<int>(png.size()), &width, &height, &channels, 1);
  REQUIRE(data != nullptr);
  Gray gray;
  gray.width = width;
  gray.height = height;
  gray.pixels.assign(data, data + static_cast<size_t>(width) * static_cast<size_t>(height));
  stbi_image_free(data);
  return gray;
}

ZXing::Result ReadWithZxing(const Gray& gray) {
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode);
  return ZXing::ReadBarcode(
      ZXing::ImageView(gray.pixels.data(), gray.width, gray.height, ZXing::ImageFormat::Lum),
      hints);
}

// The dark modules of an SVG label's <path>: each subpath is
// "M{x} {y}h{run}v1h-{run}z", a run of dark modules on one row.
std::vector<std::vector<bool>> ModulesOfSvgPath(const std::string& svg, int width, int height) {
  std::smatch path;
  REQUIRE(std::regex_search(svg, path, std::regex("<path [^>]*d=\"([^\"]*)\"")));
  std::string d = path[1];
  std::vector<std::vector<bool>> grid(static_cast<size_t>(height),
                                      std::vector<bool>(static_cast<size_t>(width)));
  std::regex run("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z");
  size_t covered = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), run); it != std::sregex_iterator();
       ++it) {
    int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), n = std::stoi((*it)[3]);
    CHECK(std::stoi((*it)[4]) == n);
    REQUIRE(y < height);
    REQUIRE(x + n <= width);
    for (int i = 0; i < n; ++i) grid[static_cast<size_t>(y)][static_cast<size_t>(x + i)] = true;
    covered += static_cast<size_t>(it->length());
  }
  CHECK(covered == d.size());  // nothing in the path but module runs
  return grid;
}

TEST_CASE("the PNG label decodes with zbarimg to exactly the label URI") {
  for (const char* fixture : {"pharma-credential.json", "precursor-credential.json"}) {
    CAPTURE(fixture);
    std::string uri = testing::LabelOfExample(fixture);
    Result<std::string> png = RenderLabelPng(uri);
    REQUIRE(png.ok());
    CHECK(png->starts_with("\x89PNG\r\n\x1a\n"));
    std::string path = TempPath("label.png");
    std::ofstream(path, std::ios::binary) << *png;
    CHECK(DecodeWithZbar(path) == uri);
    std::filesystem::remove(path);
  }
  CHECK(
      ReadExample("label-uri.txt").starts_with(testing::LabelOfExample("pharma-credential.json")));
}

TEST_CASE("ZXing's reader finds a QR code at error correction level Q, 8-bit gray") {
  std::string uri = testing::LabelOfExample("pharma-credential.json");
  Result<std::string> png = RenderLabelPng(uri);
  REQUIRE(png.ok());
  // IHDR: bit depth 8, colour type 0 (grayscale), PNG spec §11.2.2.
  REQUIRE(png->size() > 26);
  CHECK(static_cast<uint8_t>((*png)[24]) == 8);
  CHECK(static_cast<uint8_t>((*png)[25]) == 0);
  ZXing::Result result = ReadWithZxing(DecodePng(*png));
  REQUIRE(result.isValid());
  CHECK(result.format() == ZXing::BarcodeFormat::QRCode);
  CHECK(result.text() == uri);
  CHECK(result.ecLevel() == "Q");
}

TEST_CASE("the symbol has a 4-module quiet zone and scales with module_px") {
  std::string uri = testing::LabelOfExample("pharma-credential.json");
  Result<QrSymbol> symbol = EncodeLabelQr(uri);
  REQUIRE(symbol.ok());
  CHECK((symbol->size - 21) % 4 == 0);
  for (int module_px : {kLabelModulePxMin, 3, kLabelModulePxDefault, kLabelModulePxMax}) {
    CAPTURE(module_px);
    Result<std::string> png = RenderLabelPng(uri, module_px);
    REQUIRE(png.ok());
    Gray gray = DecodePng(*png);
    int qr_px = (symbol->size + 2 * kLabelQuietZoneModules) * module_px;
    CHECK(gray.width >= qr_px);
    CHECK(gray.height > qr_px);
    int qr_left = (gray.width - qr_px) / 2;
    int quiet_px = kLabelQuietZoneModules * module_px;
    // Every pixel of the quiet zone ring is light; every module is drawn as
    // a solid module_px square of its colour.
    for (int y = 0; y < qr_px; ++y) {
      for (int x = 0; x < qr_px; ++x) {
        int mx = (x - quiet_px) / module_px, my = (y - quiet_px) / module_px;
        bool in_symbol = x >= quiet_px && y >= quiet_px && mx < symbol->size && my < symbol->size;
        bool dark = in_symbol && symbol->IsDark(mx, my);
        if ((gray.at(qr_left + x, y) == 0) != dark) {
          FAIL("pixel (" << x << ", " << y << ") is " << int(gray.at(qr_left + x, y)));
        }
      }
    }
    // The finder pattern's corner is the first dark module.
    CHECK(symbol->IsDark(0, 0));
  }
  // Left and right of the symbol, down the whole symbol height: light.
  Gray gray = DecodePng(*RenderLabelPng(uri, kLabelModulePxMin));
  int qr_px = (symbol->size + 2 * kLabelQuietZoneModules) * kLabelModulePxMin;
  int qr_left = (gray.width - qr_px) / 2;
  for (int y = 0; y < qr_px; ++y) {
    for (int x = 0; x < qr_left; ++x) {
      REQUIRE(gray.at(x, y) == 255);
      REQUIRE(gray.at(gray.width - 1 - x, y) == 255);
    }
  }
  // ...and the text under it is drawn: some dark pixels below the quiet zone.
  bool text_drawn = false;
  for (int y = qr_px; y < gray.height && !text_drawn; ++y) {
    for (int x = 0; x < gray.width && !text_drawn; ++x) text_drawn = gray.at(x, y) == 0;
  }
  CHECK(text_drawn);
}

TEST_CASE("module_px outside 2..40 is refused with a pointer") {
  std::string uri = testing::LabelOfExample("pharma-credential.json");
  for (int module_px : {-1, 0, 1, 41, 1000}) {
    CAPTURE(module_px);
    Result<std::string> png = RenderLabelPng(uri, module_px);
    REQUIRE_FALSE(png.ok());
    CHECK(png.status().IsInvalidArgument());
    REQUIRE(png.status().field_errors().size() == 1);
    CHECK(png.status().field_errors()[0].pointer == "/module_px");
  }
}

TEST_CASE("a string that is not a label is refused by every renderer") {
  for (std::string bad : {std::string(""), std::string("https://example.com/"),
                          std::string("https://verify.frontera.example/01/07501234000018/10/A/21/"
                                      "B?17=281031&kid=LbhMZpGvVU4&sig=x")}) {
    CAPTURE(bad);
    CHECK(RenderLabelPng(bad).status().IsInvalidArgument());
    CHECK(RenderLabelSvg(bad).status().IsInvalidArgument());
    CHECK(EncodeLabelQr(bad).status().IsInvalidArgument());
    CHECK(LabelTextLines(bad).status().IsInvalidArgument());
  }
}

TEST_CASE("human-readable text: product in two lines, consignment in one") {
  Result<std::vector<std::string>> product =
      LabelTextLines(testing::LabelOfExample("pharma-credential.json"));
  REQUIRE(product.ok());
  CHECK(*product ==
        std::vector<std::string>{"(01) 07501234000017  (10) LOT42A", "(21) SN000123  (17) 281031"});
  Result<std::vector<std::string>> consignment =
      LabelTextLines(testing::LabelOfExample("precursor-credential.json"));
  REQUIRE(consignment.ok());
  CHECK(*consignment == std::vector<std::string>{"(00) 375012345000000013"});
  // Lot and serial are shown decoded.
  Result<std::vector<std::string>> decoded = LabelTextLines(testing::kLabelWithMarkup);
  REQUIRE(decoded.ok());
  CHECK((*decoded)[0] == "(01) 07501234000017  (10) A<&>'\"");
}

TEST_CASE("the SVG label: one crisp path of the symbol's modules, escaped text") {
  std::string uri = testing::LabelOfExample("pharma-credential.json");
  Result<std::string> svg = RenderLabelSvg(uri);
  REQUIRE(svg.ok());
  Result<QrSymbol> symbol = EncodeLabelQr(uri);
  REQUIRE(symbol.ok());

  std::smatch view_box;
  REQUIRE(std::regex_search(*svg, view_box, std::regex("viewBox=\"0 0 (\\d+) (\\d+)\"")));
  int width = std::stoi(view_box[1]), height = std::stoi(view_box[2]);
  int qr_side = symbol->size + 2 * kLabelQuietZoneModules;
  CHECK(width >= qr_side);
  CHECK(height > qr_side);

  // Exactly one <path>, and no rectangle but the background.
  CHECK(svg->find("<path") == svg->rfind("<path"));
  CHECK(svg->find("<rect") == svg->rfind("<rect"));
  CHECK(svg->find("shape-rendering=\"crispEdges\"") != std::string::npos);
  CHECK(svg->find("<script") == std::string::npos);

  std::vector<std::vector<bool>> grid = ModulesOfSvgPath(*svg, width, height);
  int left = (width - qr_side) / 2 + kLabelQuietZoneModules;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      int mx = x - left, my = y - kLabelQuietZoneModules;
      bool dark =
          mx >= 0 && my >= 0 && mx < symbol->size && my < symbol->size && symbol->IsDark(mx, my);
      if (grid[static_cast<size_t>(y)][static_cast<size_t>(x)] != dark) {
        FAIL("module (" << x << ", " << y << ") differs from the symbol");
      }
    }
  }
  CHECK(svg->find(">(01) 07501234000017  (10) LOT42A</tspan>") != std::string::npos);
  CHECK(svg->find(">(21) SN000123  (17) 281031</tspan>") != std::string::npos);

  // The modules of the path, drawn 4 pixels each into a PGM, decode with
  // zbarimg (which reads PGM) to the URI: the SVG's symbol is the label.
  const int scale = 4;
  std::string pgm =
      "P5\n" + std::to_string(width * scale) + " " + std::to_string(qr_side * scale) + "\n255\n";
  for (int y = 0; y < qr_side * scale; ++y) {
    for (int x = 0; x < width * scale; ++x) {
      pgm.push_back(grid[static_cast<size_t>(y / scale)][static_cast<size_t>(x / scale)] ? '\x00'
                                                                                         : '\xff');
    }
  }
  std::string path = TempPath("label.pgm");
  std::ofstream(path, std::ios::binary) << pgm;
  CHECK(DecodeWithZbar(path) == uri);
  std::filesystem::remove(path);
}

TEST_CASE("the SVG escapes markup in lot and serial") {
  Result<std::string> svg = RenderLabelSvg(testing::kLabelWithMarkup);
  REQUIRE(svg.ok());
  CHECK(svg->find("(10) A&lt;&amp;&gt;&#39;&quot;</tspan>") != std::string::npos);
  CHECK(svg->find("A<&") == std::string::npos);
  // The <title> repeats the URI, whose '&' separators are escaped too.
  CHECK(svg->find("?17=281031&amp;kid=") != std::string::npos);
}

TEST_CASE("the SVG of a consignment label has one line of text") {
  Result<std::string> svg = RenderLabelSvg(testing::LabelOfExample("precursor-credential.json"));
  REQUIRE(svg.ok());
  CHECK(svg->find(">(00) 375012345000000013</tspan></text>") != std::string::npos);
  CHECK(svg->find("<tspan") == svg->rfind("<tspan"));
}

}  // namespace
}  // namespace frontera::api
