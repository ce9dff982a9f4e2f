#include "api/label_image.h"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "common/check.h"
#include "ledger/label.h"

// stb_image_write is header-only; its implementation lives in this one file.
// STB_IMAGE_WRITE_STATIC gives every function internal linkage, so another
// library of the program (or libstb itself) may carry its own copy without a
// duplicate symbol at link time.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
// stb_easy_font is all static functions already (v1.1).
#include <stb/stb_easy_font.h>

namespace frontera::api {
namespace {

// zxing-cpp 1.4's MultiFormatWriter takes an "ECC level" 0..8 and maps it to
// the QR level as (level - 1) / 2 over {L, M, Q, H}: 5 and 6 both mean Q.
// label_image_test decodes a symbol and checks that the reader reports "Q".
constexpr int kZxingEccLevelQ = 6;

constexpr uint8_t kLight = 255;
constexpr uint8_t kDark = 0;

// SVG text metrics, in modules: the font size, the distance between
// baselines, and the space below the last line. A monospace advance is 0.6 em
// in the common fonts (DejaVu Sans Mono, Liberation Mono, Courier).
constexpr int kSvgFontSize = 3;
constexpr int kSvgLineAdvance = 4;
constexpr int kSvgBottomPad = 2;
constexpr double kMonospaceAdvanceEm = 0.6;

// stb_easy_font draws glyphs of about 12 font pixels per line (its own
// stb_easy_font_height) with an advance near 6; the generous vertex buffer
// bound follows its documentation ("~270 bytes per character").
constexpr size_t kEasyFontBytesPerChar = 300;
constexpr size_t kEasyFontVertexBytes = 16;  // x, y, z floats + 4 colour bytes

Result<ledger::Label> Parse(std::string_view label_uri) {
  Result<ledger::Label> label = ledger::ParseLabel(label_uri);
  if (!label.ok()) {
    return Status::InvalidArgument("not a label: " + label.status().message(),
                                   label.status().field_errors());
  }
  return label;
}

std::vector<std::string> LinesOf(const ledger::Label& label) {
  // GS1 General Specifications §4.15 (human readable interpretation): each
  // element string as "(AI) data", AI in parentheses.
  if (label.is_consignment()) return {"(00) " + label.sscc};
  std::string second = "(21) " + label.serial;
  if (!label.expiry_yymmdd.empty()) second += "  (17) " + label.expiry_yymmdd;
  return {"(01) " + label.gtin + "  (10) " + label.lot, second};
}

Result<QrSymbol> EncodeParsed(const ledger::Label& label) {
  QrSymbol symbol;
  try {
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
    // Margin 0 and a requested size of 0×0: the writer returns one bit per
    // module, and the quiet zone is added by the renderers below.
    writer.setEccLevel(kZxingEccLevelQ).setMargin(0);
    ZXing::BitMatrix matrix = writer.encode(label.uri, 0, 0);
    FRONTERA_CHECK(matrix.width() == matrix.height() && matrix.width() >= 21 &&
                   (matrix.width() - 21) % 4 == 0)
        << "ZXing returned a " << matrix.width() << "x" << matrix.height()
        << " matrix, not a QR symbol of one bit per module";
    symbol.size = matrix.width();
    symbol.dark.resize(static_cast<size_t>(symbol.size) * static_cast<size_t>(symbol.size));
    for (int y = 0; y < symbol.size; ++y) {
      for (int x = 0; x < symbol.size; ++x) {
        symbol.dark[static_cast<size_t>(y * symbol.size + x)] = matrix.get(x, y);
      }
    }
  } catch (const std::exception& e) {
    // A label is at most ledger::kLabelBytesMax ASCII bytes, which always
    // fits a QR symbol at level Q; reaching this is a library failure.
    return Status::Internal(std::string("the QR encoder failed: ") + e.what());
  }
  return symbol;
}

// A length in half units ("12" or "12.5"), so that centred text needs no
// floating-point formatting.
std::string Halves(int twice) {
  std::string out = std::to_string(twice / 2);
  if (twice % 2 != 0) out += ".5";
  return out;
}

// One quad of stb_easy_font's output as a pixel rectangle [x0, x1) × [y0, y1).
struct Rect {
  int x0, y0, x1, y1;
};

// The quads of `line` drawn at the origin, in font pixels.
std::vector<Rect> EasyFontQuads(const std::string& line) {
  std::string text = line;  // stb_easy_font takes a mutable char*
  std::vector<float> buffer((text.size() * kEasyFontBytesPerChar + 1024) / sizeof(float));
  int quads = stb_easy_font_print(0, 0, text.data(), nullptr, buffer.data(),
                                  static_cast<int>(buffer.size() * sizeof(float)));
  std::vector<Rect> rects;
  const auto* bytes = reinterpret_cast<const unsigned char*>(buffer.data());
  for (int q = 0; q < quads; ++q) {
    float min_x = 1e9f, min_y = 1e9f, max_x = -1e9f, max_y = -1e9f;
    for (int v = 0; v < 4; ++v) {
      float xy[2];
      std::memcpy(
          xy, bytes + (static_cast<size_t>(q) * 4 + static_cast<size_t>(v)) * kEasyFontVertexBytes,
          sizeof(xy));
      min_x = std::min(min_x, xy[0]);
      max_x = std::max(max_x, xy[0]);
      min_y = std::min(min_y, xy[1]);
      max_y = std::max(max_y, xy[1]);
    }
    rects.push_back({static_cast<int>(std::lround(min_x)), static_cast<int>(std::lround(min_y)),
                     static_cast<int>(std::lround(max_x)), static_cast<int>(std::lround(max_y))});
  }
  return rects;
}

void AppendBytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                             static_cast<size_t>(size));
}

}  // namespace

Result<QrSymbol> EncodeLabelQr(std::string_view label_uri) {
  FRONTERA_ASSIGN_OR_RETURN(ledger::Label label, Parse(label_uri));
  return EncodeParsed(label);
}

Result<std::vector<std::string>> LabelTextLines(std::string_view label_uri) {
  FRONTERA_ASSIGN_OR_RETURN(ledger::Label label, Parse(label_uri));
  return LinesOf(label);
}

Result<std::string> RenderLabelSvg(std::string_view label_uri) {
  FRONTERA_ASSIGN_OR_RETURN(ledger::Label label, Parse(label_uri));
  FRONTERA_ASSIGN_OR_RETURN(QrSymbol symbol, EncodeParsed(label));
  std::vector<std::string> lines = LinesOf(label);

  const int quiet = kLabelQuietZoneModules;
  const int qr_side = symbol.size + 2 * quiet;
  size_t longest = 0;
  for (const std::string& line : lines) longest = std::max(longest, line.size());
  // Widen the picture (never narrow the quiet zone) when the text is wider
  // than the symbol; by an even amount so the symbol stays on whole units.
  int text_width = static_cast<int>(
      std::ceil(static_cast<double>(longest) * kMonospaceAdvanceEm * kSvgFontSize));
  int width = qr_side;
  if (text_width + 2 > width) width += (text_width + 2 - width + 1) / 2 * 2;
  const int offset = (width - qr_side) / 2 + quiet;
  const int height = qr_side + static_cast<int>(lines.size()) * kSvgLineAdvance + kSvgBottomPad;

  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) + "\" width=\"" +
         std::to_string(width * kLabelModulePxDefault) + "\" height=\"" +
         std::to_string(height * kLabelModulePxDefault) + "\">\n";
  svg += "<title>" + EscapeMarkup(label.uri) + "</title>\n";
  svg += "<rect width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
         "\" fill=\"#fff\"/>\n";
  // One subpath per horizontal run of dark modules keeps the path short and
  // lets crispEdges snap every edge to the pixel grid.
  svg += "<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"";
  for (int y = 0; y < symbol.size; ++y) {
    int x = 0;
    while (x < symbol.size) {
      if (!symbol.IsDark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < symbol.size && symbol.IsDark(x + run, y)) ++run;
      svg += "M" + std::to_string(offset + x) + " " + std::to_string(quiet + y) + "h" +
             std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  svg += "\"/>\n";
  svg += "<text font-family=\"monospace\" font-size=\"" + std::to_string(kSvgFontSize) +
         "\" text-anchor=\"middle\" fill=\"#000\" xml:space=\"preserve\" "
         "style=\"white-space:pre\">";
  // The two spaces between element strings are kept: xml:space for SVG 1.1
  // renderers, white-space for SVG 2 ones.
  for (size_t i = 0; i < lines.size(); ++i) {
    int baseline = qr_side + kSvgFontSize + static_cast<int>(i) * kSvgLineAdvance;
    svg += "<tspan x=\"" + Halves(width) + "\" y=\"" + std::to_string(baseline) + "\">" +
           EscapeMarkup(lines[i]) + "</tspan>";
  }
  svg += "</text>\n</svg>\n";
  return svg;
}

Result<std::string> RenderLabelPng(std::string_view label_uri, int module_px) {
  if (module_px < kLabelModulePxMin || module_px > kLabelModulePxMax) {
    return Status::InvalidArgument(
        "module_px = " + std::to_string(module_px) + " is outside [" +
            std::to_string(kLabelModulePxMin) + ", " + std::to_string(kLabelModulePxMax) + "]",
        {{"/module_px", "must be " + std::to_string(kLabelModulePxMin) + " to " +
                            std::to_string(kLabelModulePxMax) + " pixels per module"}});
  }
  FRONTERA_ASSIGN_OR_RETURN(ledger::Label label, Parse(label_uri));
  FRONTERA_ASSIGN_OR_RETURN(QrSymbol symbol, EncodeParsed(label));
  std::vector<std::string> lines = LinesOf(label);

  const int quiet_px = kLabelQuietZoneModules * module_px;
  const int qr_px = symbol.size * module_px + 2 * quiet_px;

  // The text as quads in font pixels, one line under the other.
  std::vector<std::vector<Rect>> line_quads;
  int text_width = 0;
  int line_height = 0;
  for (const std::string& line : lines) {
    line_quads.push_back(EasyFontQuads(line));
    for (const Rect& r : line_quads.back()) {
      text_width = std::max(text_width, r.x1);
      line_height = std::max(line_height, r.y1);
    }
  }
  line_height += 3;  // leading between lines, in font pixels
  // Scale the font with the modules (a font pixel of about a third of a
  // module reads well beside the symbol) but keep the text within the
  // symbol's width when it can be; scale 1 is the floor.
  int scale = std::max(1, module_px / 3);
  if (text_width > 0) {
    scale = std::max(1, std::min(scale, (qr_px - 2 * module_px) / text_width));
  }
  const int width = std::max(qr_px, text_width * scale + 2 * module_px);
  const int text_top = qr_px;  // the quiet zone above stays clear of text
  const int height =
      text_top + static_cast<int>(lines.size()) * line_height * scale + 2 * module_px;

  std::vector<uint8_t> pixels(static_cast<size_t>(width) * static_cast<size_t>(height), kLight);
  auto fill = [&](int x0, int y0, int x1, int y1) {
    x0 = std::clamp(x0, 0, width);
    x1 = std::clamp(x1, 0, width);
    y0 = std::clamp(y0, 0, height);
    y1 = std::clamp(y1, 0, height);
    for (int y = y0; y < y1; ++y) {
      std::fill(pixels.begin() + static_cast<ptrdiff_t>(y) * width + x0,
                pixels.begin() + static_cast<ptrdiff_t>(y) * width + x1, kDark);
    }
  };
  const int qr_left = (width - qr_px) / 2 + quiet_px;
  for (int y = 0; y < symbol.size; ++y) {
    for (int x = 0; x < symbol.size; ++x) {
      if (!symbol.IsDark(x, y)) continue;
      int px = qr_left + x * module_px;
      int py = quiet_px + y * module_px;
      fill(px, py, px + module_px, py + module_px);
    }
  }
  for (size_t i = 0; i < line_quads.size(); ++i) {
    int line_width = 0;
    for (const Rect& r : line_quads[i]) line_width = std::max(line_width, r.x1);
    int left = (width - line_width * scale) / 2;
    int top = text_top + static_cast<int>(i) * line_height * scale + module_px;
    for (const Rect& r : line_quads[i]) {
      fill(left + r.x0 * scale, top + r.y0 * scale, left + r.x1 * scale, top + r.y1 * scale);
    }
  }

  std::string png;
  if (stbi_write_png_to_func(&AppendBytes, &png, width, height, 1, pixels.data(), width) == 0) {
    return Status::Internal("the PNG encoder failed on a " + std::to_string(width) + "x" +
                            std::to_string(height) + " image");
  }
  return png;
}

std::string EscapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";  // valid in both XML and HTML (&apos; is not HTML 4)
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace frontera::api
