#include "common/version.h"

// FRONTERA_RELEASE is defined for this file only (common/CMakeLists.txt), so a
// new release recompiles one file.
#ifndef FRONTERA_RELEASE
#error "FRONTERA_RELEASE must be defined by the build"
#endif

namespace frontera::version {

std::string_view Release() { return FRONTERA_RELEASE; }

std::string VersionText(std::string_view program) {
  std::string out;
  out += std::string(program) + " " + std::string(Release()) + "\n";
  out += "commit: " + std::string(GitCommit()) + "\n";
  out += "data directory format: " + std::to_string(kDataFormat) + "\n";
  out += "peer protocol: " + std::to_string(kPeerProtocol) + "\n";
  out += "trust bundle format: " + std::to_string(kTrustBundleFormat) + "\n";
  out += "HTTP API: " + std::string(kHttpApi);
  return out;
}

}  // namespace frontera::version
