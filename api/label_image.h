// Label images: the QR label of a certificate (docs/formats.md §8 "QR label")
// drawn as SVG or PNG, with its human-readable text under the symbol. Served
// by GET /v1/certificates/{id}/qr.svg and qr.png (docs/api.md "Labels").
//
// The symbol is a QR code (ISO/IEC 18004) at error correction level Q whose
// data is exactly the bytes of the label URI in byte mode (the URI is ASCII,
// so no ECI is written), surrounded by a quiet zone of
// kLabelQuietZoneModules light modules. Under it, clear of the quiet zone,
// the GS1 element strings in human-readable interpretation:
//   product:      "(01) 07501234000017  (10) LOT42A"
//                 "(21) SN000123  (17) 281031"
//   consignment:  "(00) 375012345000000013"
// Lot and serial are shown decoded (as ledger::ParseLabel gives them).
//
// Thread-safety: pure functions; safe to call from any number of threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace frontera::api {

// Light modules around the symbol on every side. ISO/IEC 18004 §6.3.8 asks
// for at least 4.
inline constexpr int kLabelQuietZoneModules = 4;

// Side of one module in PNG pixels: the accepted range and the default.
inline constexpr int kLabelModulePxMin = 2;
inline constexpr int kLabelModulePxMax = 40;
inline constexpr int kLabelModulePxDefault = 8;

// The dark and light modules of the label's QR symbol, without quiet zone.
struct QrSymbol {
  int size = 0;            // modules per side: 21 + 4 × (version − 1)
  std::vector<bool> dark;  // size × size, row-major, true = dark module
  // x is the column, y the row. REQUIRES: 0 <= x < size, 0 <= y < size.
  bool IsDark(int x, int y) const { return dark[static_cast<size_t>(y * size + x)]; }
};

// Encodes `label_uri` as a QR symbol at error correction level Q.
// Errors: kInvalidArgument when `label_uri` is not a label
// (ledger::ParseLabel's error, pointer ""); kInternal if the encoder fails.
Result<QrSymbol> EncodeLabelQr(std::string_view label_uri);

// The human-readable lines printed under the symbol (see above): two for a
// product label, one for a consignment label. Errors: kInvalidArgument when
// `label_uri` is not a label.
Result<std::vector<std::string>> LabelTextLines(std::string_view label_uri);

// An SVG 1.1 document (UTF-8): a white background, the dark modules as one
// <path> drawn with shape-rendering="crispEdges", one module = one user unit,
// and one <text> block (monospace) with LabelTextLines, XML-escaped.
// Errors: as EncodeLabelQr.
Result<std::string> RenderLabelSvg(std::string_view label_uri);

// A PNG (8-bit grayscale) of the same label: modules of `module_px` pixels,
// the text rasterised with stb_easy_font under the quiet zone, scaled with
// the modules. The image is at least as wide as the symbol with its quiet
// zone, wider only when the text needs it.
// Errors: kInvalidArgument when `module_px` is outside
// [kLabelModulePxMin, kLabelModulePxMax] (pointer "/module_px") or as
// EncodeLabelQr; kInternal if the PNG encoder fails.
Result<std::string> RenderLabelPng(std::string_view label_uri,
                                   int module_px = kLabelModulePxDefault);

// Escapes & < > " ' for XML and HTML text and attribute values.
std::string EscapeMarkup(std::string_view text);

}  // namespace frontera::api
