// Operator log lines (docs/operations.md#logs): one line per decision an
// operator would want to see — a peer refused, a snapshot verified or
// refused, a divergence — with the validator's name, a timestamp and a
// level. Nothing per request at info level.
//
// Thread-safety: thread-safe.
#pragma once

#include <string_view>

namespace frontera::node {

// The levels `[log] level` may name, from the most verbose: "debug", "info",
// "warning", "error".
bool IsLogLevel(std::string_view level);
// Sets the level below which lines are dropped, and the line format:
// "2026-12-06T04:20:00.123Z info [us-cbp] text" (UTC). fronterad calls it once
// at start, before any thread logs. REQUIRES: IsLogLevel(level).
void ConfigureLogging(std::string_view level);

void LogDebug(std::string_view node, std::string_view text);
void LogInfo(std::string_view node, std::string_view text);
void LogWarning(std::string_view node, std::string_view text);
void LogError(std::string_view node, std::string_view text);

}  // namespace frontera::node
