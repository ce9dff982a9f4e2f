#include "tools/time_util.h"

#include <cstdio>
#include <ctime>

namespace frontera::tools {

std::string Rfc3339Offset(std::string_view text) {
  char last = text.back();  // RFC 3339 §4.2: "Z" is the offset +00:00
  if (last == 'Z' || last == 'z') return "+00:00";
  return std::string(text.substr(text.size() - 6));
}

std::string FormatOffset(int offset_minutes) {
  char sign = offset_minutes < 0 ? '-' : '+';
  int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, magnitude / 60, magnitude % 60);
  return buf;
}

std::string FormatRfc3339WithOffset(int64_t unix_millis, int offset_minutes) {
  int64_t local_millis = unix_millis + int64_t{offset_minutes} * 60000;
  int64_t millis = ((local_millis % 1000) + 1000) % 1000;
  std::time_t secs = static_cast<std::time_t>((local_millis - millis) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf + FormatOffset(offset_minutes);
}

int LocalUtcOffsetMinutes(int64_t unix_millis) {
  std::time_t secs = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  return static_cast<int>(tm.tm_gmtoff / 60);
}

}  // namespace frontera::tools
