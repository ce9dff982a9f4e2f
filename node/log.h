// Operator log lines (docs/operations.md#logs): one line per decision an
// operator would want to see — a peer refused, a snapshot verified or
// refused, a divergence — with the validator's name, a timestamp and a
// level. Nothing per request at info level.
//
// Thread-safety: thread-safe.
#pragma once

#include <string_view>

namespace frontera::node {

void LogInfo(std::string_view node, std::string_view text);
void LogWarning(std::string_view node, std::string_view text);
void LogError(std::string_view node, std::string_view text);

}  // namespace frontera::node
