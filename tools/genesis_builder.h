// Builds a network's genesis document (docs/formats.md#genesis) from a TOML
// description (docs/cli.md#genesis):
//
//   network  = "frontera.example/north-america-1"
//   resolver = "verify.frontera.example"
//   created  = "2026-11-30T00:00:00Z"
//   max_bundle_age = "7d"         # optional: "<n>d", "<n>h", "<n>min", "<n>s"
//   [[validator]]
//   name = "us-cbp"
//   key  = "keys/us-cbp.key"      # or did = "did:key:…"
//   api  = "http://127.0.0.1:7001"
//   peer = "127.0.0.1:7101"       # optional
//   [[party]]
//   name = "…"; role = "manufacturer"; country = "MX"; gln = "7501234000017"
//   prefixes = ["7501234"]; key = "keys/mx-manufacturer.key"  # or did = "…"
//
// Relative key paths are relative to the TOML file's directory; only the
// public half of a key file is used. Every error cites "file:line: what".
//
// Thread-safety: pure functions apart from reading the key files.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/json.h"

namespace frontera::tools {

// The genesis JSON described by `toml_text`, read from `source_path` (used in
// error messages and to resolve relative key paths). The result is checked
// with ledger::ParseGenesis before it is returned. Errors: kInvalidArgument
// with "source_path:line: reason" for the description; the ParseGenesis error
// (with field pointers into the genesis JSON) when the result is not valid.
Result<crypto::Json> BuildGenesisJson(std::string_view toml_text, const std::string& source_path);

// Reads `path` and builds its genesis JSON.
Result<crypto::Json> BuildGenesisFromFile(const std::string& path);

}  // namespace frontera::tools
