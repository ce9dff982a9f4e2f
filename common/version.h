// The versions a build of Frontera carries, in one place: the release, the
// git commit it was built from, and the version of each format or protocol
// another program or another release must agree on (docs/operations.md#versions).
// `fronterad --version`, `frontera --version` and the node's
// frontera_build_info metric print them from here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace frontera::version {

// The data directory's layout (docs/operations.md#data-directory): written
// to <data_dir>/FORMAT, checked at start (node/data_format.h).
inline constexpr int kDataFormat = 1;
// The peer link's hello (node/peer_wire.h, docs/consensus.md): a validator
// refuses a peer that speaks another version.
inline constexpr uint16_t kPeerProtocol = 1;
// The trust bundle the CLI writes (tools/trust.h, docs/formats.md); it reads
// this one and the earlier ones.
inline constexpr int kTrustBundleFormat = 4;
// The HTTP API's path prefix (docs/api.md).
inline constexpr std::string_view kHttpApi = "v1";

// The release, from CMake's project(VERSION), e.g. "0.9.0".
std::string_view Release();
// The git commit the build was made from (12 hex digits), with "-dirty" when
// tracked files differed from it, or "unknown" outside a git checkout.
std::string_view GitCommit();

// What `<program> --version` prints: one fact per line (no newline after
// the last; CLI11 adds it).
std::string VersionText(std::string_view program);

}  // namespace frontera::version
