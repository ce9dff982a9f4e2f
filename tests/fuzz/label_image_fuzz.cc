// Fuzzes the label image readers (tools/scan.h): DecodeImage (stb_image's
// PNG and JPEG decoders, under production's kImageBytesMax and
// kImagePixelsMax) and ReadSymbols (ZXing-cpp's QR and DataMatrix readers),
// as `frontera verify photo.png` runs them on a photo from anyone. Input:
// the file's bytes. Properties: no input crashes, leaks or runs long; a
// decoded image is within the pixel limit and holds width × height pixels;
// a label read from it parses, and drawing that label again
// (api/label_image.h RenderLabelPng) gives an image from which the same
// label is read (render and scan are inverses).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/label_image.h"
#include "common/bytes.h"
#include "common/check.h"
#include "ledger/label.h"
#include "tools/scan.h"

namespace frontera::tools {
namespace {

void FuzzOne(ByteView input) {
  Result<GreyImage> image = DecodeImage(input);
  if (!image.ok()) return;
  FRONTERA_CHECK(image->width > 0 && image->height > 0);
  FRONTERA_CHECK(int64_t{image->width} * image->height <= kImagePixelsMax);
  FRONTERA_CHECK(image->pixels.size() == static_cast<size_t>(image->width) * image->height);

  Result<std::vector<std::string>> texts = ReadSymbols(*image);
  if (!texts.ok()) return;
  FRONTERA_CHECK(!texts->empty() && texts->size() <= 8);
  for (const std::string& text : *texts) {
    if (!ledger::ParseLabel(text).ok()) continue;
    Result<std::string> png = api::RenderLabelPng(text, api::kLabelModulePxMin);
    FRONTERA_CHECK(png.ok()) << "a scanned label does not render: " << png.status().ToString();
    Result<GreyImage> drawn = DecodeImage(AsBytes(*png));
    FRONTERA_CHECK(drawn.ok()) << drawn.status().ToString();
    Result<std::vector<std::string>> read = ReadSymbols(*drawn);
    FRONTERA_CHECK(read.ok() && read->size() == 1 && read->front() == text)
        << "a label rendered and scanned again reads differently: " << text;
  }
}

}  // namespace
}  // namespace frontera::tools

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::tools::FuzzOne(frontera::ByteView(data, size));
  return 0;
}
