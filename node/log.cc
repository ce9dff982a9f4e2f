#include "node/log.h"

#include <spdlog/spdlog.h>

namespace frontera::node {

// spdlog's default logger (stdout, with a timestamp and level), which
// fronterad's service manager (or ./run.sh) appends to the node's log file.
void LogInfo(std::string_view node, std::string_view text) { spdlog::info("[{}] {}", node, text); }

void LogWarning(std::string_view node, std::string_view text) {
  spdlog::warn("[{}] {}", node, text);
}

void LogError(std::string_view node, std::string_view text) {
  spdlog::error("[{}] {}", node, text);
}

}  // namespace frontera::node
