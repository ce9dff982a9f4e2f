// What every `frontera` command body shares (docs/cli.md): the seams it runs
// against, and the way it reports a failure (a line on the error stream and
// the exit code of tools/exit_codes.h).
//
// Thread-safety: a CommandEnv is used by one command at a time.
#pragma once

#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/files.h"
#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "tools/node_api.h"

namespace frontera::tools {

// The first validator of the local network ./run.sh starts (HTTPS, its CA in
// .frontera/network/ca/ca.pem: --ca-file / FRONTERA_CA).
inline constexpr char kDefaultNode[] = "https://127.0.0.1:7001";

// The seams of a command body: where it prints, what time it is, how it
// reaches nodes and writes files. Tests pass string streams, a FakeClock and
// a fake NodeConnector.
struct CommandEnv {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
  const Clock& clock;
  NodeConnector& nodes;
  FileSystem& fs;
  // --ca-file / FRONTERA_CA: the PEM certificate authorities trusted for
  // https:// nodes (api::ClientOptions::ca_file); empty: the system's.
  std::string ca_file = {};
};

// Prints "frontera: <what>: <error>" and returns the exit code for it.
int Fail(const CommandEnv& env, std::string_view what, const Status& status);

// Prints "frontera: <message>" and returns kExitUsage.
int Usage(const CommandEnv& env, std::string_view message);

// Flags the user typed, by the JSON pointer they end up at, so that a
// rejection of the built document names the flag to fix.
using FlagsByPointer = std::map<std::string, std::string>;

// Fail, then "  (<pointer> comes from <flag>)" for each field error whose
// pointer `flags` names.
int FailDocument(const CommandEnv& env, std::string_view what, const Status& status,
                 const FlagsByPointer& flags);

// Prints "frontera: <flag> <message>" for an output file that exists or
// cannot be created and returns kExitCantCreate (kAlreadyExists) or the code
// of the status.
int FailOutput(const CommandEnv& env, std::string_view flag, const Status& status,
               std::string_view exists_note = "");

// The key file at `path`; errors carry `flag`.
Result<crypto::KeyPair> LoadKey(const std::string& path, std::string_view flag = "--key");

// The did:key of the key file at `path` (as `frontera keygen` writes it);
// errors name the path (kNotFound, kInvalidArgument for a file that is not a
// valid key file).
Result<std::string> DidOfKeyFile(const std::string& path);

// A party or validator given as its did:key, or as a key file (the DID of
// its key, as DidOfKeyFile).
Result<std::string> DidOrKeyFile(const std::string& text);

// The string member `key` of `object`, or "" when absent or not a string.
std::string JsonText(const crypto::Json& object, const char* key);

// The DID of a party given as `<flag> DID` or `<flag>-key FILE` (the DID of
// that key file): "" when neither is given. On a mistake prints it, naming
// the flag, and returns nullopt with `*exit_code` set: both flags given is a
// usage error, a key file that cannot be read fails as Fail does.
std::optional<std::string> PartyDidOrFail(const CommandEnv& env, std::string_view flag,
                                          const std::string& did, const std::string& key_file,
                                          int* exit_code);

// The current time as proofs carry it ("2026-11-02T14:05:00Z").
std::string NowRfc3339(const CommandEnv& env);

// Connects to `url`; on failure prints it (as --node) and returns null with
// `*exit_code` set.
// With `signing_key`, every request is signed as that key (docs/api.md §9):
// reads get the full view where its party may see it.
std::unique_ptr<Node> ConnectOrFail(const CommandEnv& env, const std::string& url, int* exit_code,
                                    const std::optional<crypto::KeyPair>& signing_key = {});

// POSTs `document` to `path` and prints the receipt (or with `json_output`
// the answer); a rejection names the flags of its field errors.
int PostDocument(const CommandEnv& env, Node& node, const std::string& path,
                 const crypto::Json& document, bool json_output, const FlagsByPointer& flags);

}  // namespace frontera::tools
