// <data_dir>/FORMAT (node/data_format.h, docs/operations.md#data-directory).
#include "node/data_format.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/temp_dir.h"

namespace frontera::node {
namespace {

namespace fs = std::filesystem;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("a new data directory gets FORMAT 1") {
  testing::TempDir dir("format");
  REQUIRE(CheckDataFormat(dir.path()).ok());
  CHECK(Read(dir.Sub("FORMAT")) == "1\n");
  // Opened again: still good, unchanged.
  REQUIRE(CheckDataFormat(dir.path()).ok());
  CHECK(Read(dir.Sub("FORMAT")) == "1\n");
}

TEST_CASE("FormatAbsent::kLeaveAsIs checks a data directory and writes nothing") {
  testing::TempDir dir("format");
  REQUIRE(CheckDataFormat(dir.path(), FormatAbsent::kLeaveAsIs).ok());
  CHECK_FALSE(fs::exists(dir.Sub("FORMAT")));
  std::ofstream(dir.Sub("FORMAT")) << "3\n";
  CHECK(CheckDataFormat(dir.path(), FormatAbsent::kLeaveAsIs).message().find("is of format 3") !=
        std::string::npos);
}

TEST_CASE("a data directory of an earlier release, without FORMAT, counts as format 1") {
  testing::TempDir dir("format");
  fs::create_directories(dir.Sub("raft"));
  fs::create_directories(dir.Sub("state"));
  std::ofstream(dir.Sub("raft/CURRENT")) << "MANIFEST-000001\n";
  REQUIRE(CheckDataFormat(dir.path()).ok());
  CHECK(Read(dir.Sub("FORMAT")) == "1\n");
  CHECK(fs::exists(dir.Sub("raft/CURRENT")));
}

TEST_CASE("a data directory of a newer or unknown format is refused, and left as it is") {
  testing::TempDir dir("format");
  std::ofstream(dir.Sub("FORMAT")) << "2\n";
  Status s = CheckDataFormat(dir.path());
  CHECK(s.code() == Status::Code::kFailedPrecondition);
  CHECK_MESSAGE(
      s.message().find("data directory " + dir.path() +
                       " is of format 2; this build "
                       "of fronterad (0.9.0) reads data directory format 1 (it was "
                       "written by a newer release: run that release)") != std::string::npos,
      s.message());
  CHECK(Read(dir.Sub("FORMAT")) == "2\n");

  for (const std::string text : {"", "one\n", "1.5\n", "-1\n", "99999999999999999999\n"}) {
    CAPTURE(text);
    std::ofstream(dir.Sub("FORMAT"), std::ios::trunc) << text;
    s = CheckDataFormat(dir.path());
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK_MESSAGE(s.message().find("reads data directory format 1") != std::string::npos,
                  s.message());
    CHECK(Read(dir.Sub("FORMAT")) == text);
  }
  std::ofstream(dir.Sub("FORMAT"), std::ios::trunc) << "0\n";
  s = CheckDataFormat(dir.path());
  CHECK(s.message().find("is of format 0; this build") != std::string::npos);
  CHECK(s.message().find("newer release") == std::string::npos);
}

}  // namespace
}  // namespace frontera::node
