// `frontera vrs` (docs/cli.md#vrs): DSCSA verification from the requestor's
// side.
//   vrs get URL --genesis G [--save FILE]   asks a validator, checks the
//       answer's signature (api/response_signature.h) against the genesis's
//       validators, prints the answer, and keeps it as evidence;
//   vrs check FILE --genesis G              checks a kept answer again, later;
//   vrs bench --node URL --target T         open-loop constant rate, then
//       closed-loop maximum: p50/p99 and throughput of each.
//
// Thread-safety: RunVrsBench starts and joins its own threads.
#pragma once

#include <cstddef>
#include <string>

#include "crypto/json.h"
#include "tools/cli_common.h"

namespace frontera::tools {

struct VrsGetOptions {
  std::string url;      // http(s)://host[:port]/vrs/… (or a resolver path with linkType)
  std::string genesis;  // genesis file: whose validators may sign answers
  std::string save;     // when set: the answer kept here as evidence (a new file)
};

struct VrsCheckOptions {
  std::string file;  // an answer kept by `vrs get --save`
  std::string genesis;
};

struct VrsBenchOptions {
  std::string node;          // base URL
  std::string target;        // path and query of the request sent again and again
  double rate_per_s = 1000;  // open loop: requests started per second
  double seconds = 10;       // each phase's length
  size_t concurrency = 64;   // connections (both phases)
};

// The evidence file: {request: {method, target, url}, status, headers:
// {content-type, content-digest, frontera-checkpoint, signature-input,
// signature}, body}. Exit 0 when the signature verifies and its key is a
// genesis validator's, whatever the answer says; 65 when it does not.
int RunVrsGet(const VrsGetOptions& options, const CommandEnv& env);
int RunVrsCheck(const VrsCheckOptions& options, const CommandEnv& env);
// Prints {open_loop: {...}, closed_loop: {...}} (docs/PERFORMANCE.md#vrs).
int RunVrsBench(const VrsBenchOptions& options, const CommandEnv& env);

}  // namespace frontera::tools
