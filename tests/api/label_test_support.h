// Test support for the label tests: fixture labels, a label whose lot holds
// markup characters, temporary files, and the independent QR decoder
// `zbarimg` (Debian zbar-tools).
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace frontera::api::testing {

// A product label that parses (ledger::ParseLabel) but whose lot is
// A<&>'" — all in GS1 character set 82 — canonically percent-encoded. Its
// signature is the fixture's and does not verify; parsing does not check it.
inline constexpr const char* kLabelWithMarkup =
    "https://verify.frontera.example/01/07501234000017/10/A%3C%26%3E%27%22/21/SN000123"
    "?17=281031&kid=LbhMZpGvVU4&sig=bdffMq95vYY8PxRTYKMqWCIOYWWIQ3eerL4ZISUK1pFYsK1arL7lc48gt4"
    "TpBebMDEiNHzGg6y_uzbsFELzwAA";

inline std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// credentialSubject.label of an example credential.
inline std::string LabelOfExample(const std::string& credential_file) {
  nlohmann::json credential = nlohmann::json::parse(ReadExample(credential_file));
  return credential["credentialSubject"]["label"].get<std::string>();
}

// A file name in the temporary directory, unique within this process run.
inline std::string TempPath(const std::string& suffix) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("frontera-api-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1)) + "-" + suffix))
      .string();
}

// What `zbarimg --raw -q` reads from the image file at `path`: the symbol's
// data without the newline zbarimg appends; "" when it finds nothing.
inline std::string DecodeWithZbar(const std::string& path) {
  std::string command = "zbarimg --raw -q '" + path + "' 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace frontera::api::testing
