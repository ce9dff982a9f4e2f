#include "node/log.h"

#include <spdlog/spdlog.h>

#include "common/check.h"

namespace frontera::node {

bool IsLogLevel(std::string_view level) {
  return level == "debug" || level == "info" || level == "warning" || level == "error";
}

void ConfigureLogging(std::string_view level) {
  FRONTERA_CHECK(IsLogLevel(level)) << "log level " << level;
  spdlog::set_level(level == "debug"     ? spdlog::level::debug
                    : level == "info"    ? spdlog::level::info
                    : level == "warning" ? spdlog::level::warn
                                         : spdlog::level::err);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
}

void LogDebug(std::string_view node, std::string_view text) {
  spdlog::debug("[{}] {}", node, text);
}

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
