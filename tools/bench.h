// `frontera bench` (docs/cli.md#bench): submits pre-signed product
// credentials over concurrent keep-alive connections and reports throughput
// and latency percentiles as JSON. A benchmark, not a test: it measures a
// running network.
//
// Thread-safety: RunBench starts and joins its own threads; the other
// functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "tools/builders.h"

namespace frontera::tools {

// The GTIN-14 "0" ‖ company_prefix ‖ item_reference ‖ check digit, with the
// item reference zero-padded to fill 12 digits after the prefix and the check
// digit of ledger::gs1::CheckDigit.
// kInvalidArgument when the prefix is not 4-12 digits or item_reference does
// not fit.
Result<std::string> MakeGtin14(std::string_view company_prefix, uint64_t item_reference);

struct LatencySummary {
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles (the smallest value with at least p% of the values
// at or below it). All zero for no values.
LatencySummary Summarize(std::vector<double> latencies_ms);

// `count` signed ProductAuthenticityCredentials of `issuer` (whose key is
// `key`): GTINs under the issuer's first prefix, serials unique to `run_tag`,
// no label. Each is checked with ledger::ParseCredential. kFailedPrecondition
// when the issuer has no GS1 company prefix.
Result<std::vector<crypto::Json>> PresignCredentials(const PartyRecord& issuer,
                                                     const crypto::KeyPair& key, size_t count,
                                                     std::string_view run_tag,
                                                     int64_t now_unix_millis);

struct BenchOptions {
  std::string node;     // base URL
  std::string ca_file;  // for an https node: the PEM CAs trusted (--ca-file / FRONTERA_CA)
  size_t n = 10000;     // measured requests
  size_t concurrency = 64;
  size_t warmup = 200;  // unmeasured requests sent first
};

struct BenchResult {
  std::string node;
  size_t n = 0;
  size_t concurrency = 0;
  double seconds = 0;
  double throughput_per_s = 0;
  LatencySummary latency;
  size_t errors = 0;
  std::string first_error;  // empty when errors == 0
};

// {node, n, concurrency, seconds, throughput_per_s, latency_ms: {p50, p90,
// p99, max}, errors[, first_error]}.
crypto::Json BenchResultJson(const BenchResult& result);

// Fetches the key's party, pre-signs n + warmup credentials, sends the warmup
// ones, then the measured ones over `concurrency` connections (one
// api::Client per thread). Fails only when the run cannot start (node
// unreachable, party unknown); request failures are counted in the result.
// REQUIRES: options.n > 0, options.concurrency > 0.
Result<BenchResult> RunBench(const BenchOptions& options, const crypto::KeyPair& key);

}  // namespace frontera::tools
