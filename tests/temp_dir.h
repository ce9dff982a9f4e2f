// A fresh directory under /tmp for a test, removed with everything in it at
// scope exit. The one temporary directory of every test folder.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace frontera::testing {

class TempDir {
 public:
  // `prefix` names the directory (/tmp/frontera-<prefix>-XXXXXX).
  explicit TempDir(const std::string& prefix = "test") {
    std::string pattern = "/tmp/frontera-" + prefix + "-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace frontera::testing
