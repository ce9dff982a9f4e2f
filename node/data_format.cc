#include "node/data_format.h"

#include <filesystem>

#include "common/files.h"
#include "common/version.h"

namespace frontera::node {
namespace {

namespace fs = std::filesystem;

// Longest FORMAT file read: a number and a newline; anything longer is not
// a FORMAT this build wrote.
constexpr size_t kFormatFileBytesMax = 32;

std::string Reads() {
  return "this build of fronterad (" + std::string(version::Release()) +
         ") reads data directory format " + std::to_string(version::kDataFormat);
}

}  // namespace

Status CheckDataFormat(const std::string& dir, FormatAbsent absent) {
  const fs::path path = fs::path(dir) / kDataFormatFile;
  Result<std::string> read = ReadSmallFile(path.string(), kFormatFileBytesMax);
  if (read.status().IsNotFound()) {
    // A new directory, or one of format 1 made before FORMAT existed: both
    // are of this build's format (a later format always has the file).
    if (absent == FormatAbsent::kLeaveAsIs) return Status::Ok();
    return ReplaceFile(path.string(), std::to_string(version::kDataFormat) + "\n", 0644);
  }
  // A file longer than any FORMAT holds no format number this build knows.
  if (!read.ok() && !read.status().IsResourceExhausted()) return read.status();
  std::string text = read.ok() ? *read : std::string();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  const bool is_number = !text.empty() && text.size() <= 9 &&
                         text.find_first_not_of("0123456789") == std::string::npos;
  if (!is_number) {
    return Status::FailedPrecondition("data directory " + dir + " has an unknown format (" +
                                      path.string() + " holds no format number); " + Reads());
  }
  const int format = std::stoi(text);
  if (format != version::kDataFormat) {
    return Status::FailedPrecondition(
        "data directory " + dir + " is of format " + std::to_string(format) + "; " + Reads() +
        (format > version::kDataFormat ? " (it was written by a newer release: run that release)"
                                       : ""));
  }
  return Status::Ok();
}

}  // namespace frontera::node
