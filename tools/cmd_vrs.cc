#include "tools/cmd_vrs.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "api/response_signature.h"
#include "common/encoding.h"
#include "ledger/genesis.h"
#include "tools/bench.h"
#include "tools/exit_codes.h"
#include "tools/files.h"
#include "tools/node_api.h"

namespace frontera::tools {

using crypto::Json;

namespace {

// The response fields the evidence keeps: what the signature covers, and
// the media type.
constexpr const char* kKeptHeaders[] = {"content-type", "content-digest", "frontera-checkpoint",
                                        "signature-input", "signature"};

// "scheme://authority" and the origin-form target of an absolute URL.
Result<std::pair<std::string, std::string>> SplitUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos ||
      (url.substr(0, scheme) != "http" && url.substr(0, scheme) != "https")) {
    return Status::InvalidArgument("URL must start with http:// or https://: " + url);
  }
  size_t path = url.find('/', scheme + 3);
  if (path == std::string::npos) {
    return Status::InvalidArgument("URL names no path (such as /vrs/gtin/…): " + url);
  }
  return std::make_pair(url.substr(0, path), url.substr(path));
}

// Checks a kept answer: the signature, and that its key is a genesis
// validator's. The validator's name on success.
Result<std::string> CheckEvidence(const Json& evidence, const ledger::Genesis& genesis,
                                  api::VerifiedResponse* verified) {
  if (!evidence.is_object() || !evidence["request"].is_object() ||
      !evidence["request"]["target"].is_string() || !evidence["status"].is_number_integer() ||
      !evidence["headers"].is_object() || !evidence["body"].is_string()) {
    return Status::InvalidArgument(
        "not an answer kept by `frontera vrs get --save` (request.target, status, headers, body)");
  }
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : evidence["headers"].items()) {
    if (value.is_string()) headers[name] = value.get<std::string>();
  }
  FRONTERA_ASSIGN_OR_RETURN(
      *verified, api::VerifyResponseSignature(
                     headers, evidence["status"].get<int>(), evidence["body"].get<std::string>(),
                     evidence["request"].value("method", std::string("GET")),
                     evidence["request"]["target"].get<std::string>()));
  for (const ledger::Validator& v : genesis.validators) {
    if (v.did == verified->keyid) return v.name;
  }
  return Status::PermissionDenied("the answer is signed by " + verified->keyid +
                                  ", which is not a validator of network " + genesis.network);
}

void PrintVerified(const CommandEnv& env, const Json& evidence, const std::string& validator,
                   const api::VerifiedResponse& verified) {
  env.out << "signed by validator " << validator << " (" << verified.keyid << ")\n"
          << "at checkpoint " << api::CheckpointHeaderValue(verified.checkpoint)
          << " (tree size, root), created " << verified.created_s << "\n"
          << "HTTP " << evidence["status"].get<int>() << "\n";
  Json body = Json::parse(evidence["body"].get<std::string>(), nullptr, false);
  env.out << (body.is_discarded() ? evidence["body"].get<std::string>() : body.dump(2)) << "\n";
}

struct PhaseResult {
  size_t sent = 0;
  size_t errors = 0;
  std::string first_error;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

Json PhaseJson(const PhaseResult& r, double rate_per_s) {
  LatencySummary s = Summarize(r.latencies_ms);
  Json j = {
      {"requests", r.sent},
      {"errors", r.errors},
      {"seconds", r.seconds},
      {"throughput_per_s", r.seconds > 0 ? (r.sent - r.errors) / r.seconds : 0},
      {"latency_ms", {{"p50", s.p50_ms}, {"p90", s.p90_ms}, {"p99", s.p99_ms}, {"max", s.max_ms}}}};
  if (rate_per_s > 0) j["rate_per_s"] = rate_per_s;
  if (r.errors > 0) j["first_error"] = r.first_error;
  return j;
}

// One phase over `transports`: open loop when rate_per_s > 0 (request i
// is due at start + i / rate and its latency counts from then, so a slow
// answer delays nothing but itself: no coordinated omission), closed loop
// otherwise (each connection sends its next request when answered).
PhaseResult RunPhase(std::vector<std::unique_ptr<NodeTransport>>& transports,
                     const std::string& target, double rate_per_s, double seconds) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  const size_t total = rate_per_s > 0 ? static_cast<size_t>(rate_per_s * seconds) : SIZE_MAX;
  std::atomic<size_t> next{0};
  std::mutex mu;
  PhaseResult result;
  std::vector<std::thread> threads;
  for (auto& transport : transports) {
    threads.emplace_back([&, t = transport.get()] {
      std::vector<double> latencies;
      size_t errors = 0;
      std::string first_error;
      while (true) {
        const size_t i = next.fetch_add(1);
        if (i >= total) break;
        Clock::time_point due = Clock::now();
        if (rate_per_s > 0) {
          due = start + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(static_cast<double>(i) / rate_per_s));
          std::this_thread::sleep_until(due);
        } else if (due >= end) {
          break;
        }
        Result<api::HttpAnswer> answer = t->Get(target, "application/json");
        latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
        if (!answer.ok() || answer->status != 200) {
          if (errors++ == 0) {
            first_error = answer.ok() ? "HTTP " + std::to_string(answer->status) + ": " +
                                            answer->body.substr(0, 300)
                                      : answer.status().ToString();
          }
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      result.sent += latencies.size();
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first_error;
      result.latencies_ms.insert(result.latencies_ms.end(), latencies.begin(), latencies.end());
    });
  }
  for (std::thread& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace

int RunVrsGet(const VrsGetOptions& options, const CommandEnv& env) {
  Result<std::pair<std::string, std::string>> url = SplitUrl(options.url);
  if (!url.ok()) return Usage(env, url.status().message());
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(options.genesis);
  if (!genesis.ok()) return Fail(env, "--genesis " + options.genesis, genesis.status());
  api::ClientOptions client;
  client.ca_file = env.ca_file;
  auto transport = env.nodes.Connect(url->first, client);
  if (!transport.ok()) return Fail(env, url->first, transport.status());
  Result<api::HttpAnswer> answer = (*transport)->Get(url->second, "application/json");
  if (!answer.ok()) return Fail(env, "GET " + options.url, answer.status());
  Json evidence = {{"request", {{"method", "GET"}, {"target", url->second}, {"url", options.url}}},
                   {"status", answer->status},
                   {"headers", Json::object()},
                   {"body", answer->body}};
  for (const char* name : kKeptHeaders) {
    auto it = answer->headers.find(name);
    if (it != answer->headers.end()) evidence["headers"][name] = it->second;
  }
  api::VerifiedResponse verified;
  Result<std::string> validator = CheckEvidence(evidence, *genesis, &verified);
  if (!validator.ok()) {
    env.err << "HTTP " << answer->status << "\n" << answer->body << "\n";
    return Fail(env, "GET " + options.url, validator.status());
  }
  if (!options.save.empty()) {
    if (Status s = WriteNewFile(options.save, evidence.dump(2) + "\n", 0644, env.fs); !s.ok()) {
      return FailOutput(env, "--save", s, "keep answers in new files");
    }
  }
  PrintVerified(env, evidence, *validator, verified);
  if (!options.save.empty()) env.out << "kept in " << options.save << "\n";
  return kExitOk;
}

int RunVrsCheck(const VrsCheckOptions& options, const CommandEnv& env) {
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile(options.genesis);
  if (!genesis.ok()) return Fail(env, "--genesis " + options.genesis, genesis.status());
  Result<std::string> text = ReadTextFile(options.file);
  if (!text.ok()) return Fail(env, options.file, text.status());
  Json evidence = Json::parse(*text, nullptr, false);
  api::VerifiedResponse verified;
  Result<std::string> validator = CheckEvidence(evidence, *genesis, &verified);
  if (!validator.ok()) return Fail(env, options.file, validator.status());
  PrintVerified(env, evidence, *validator, verified);
  return kExitOk;
}

int RunVrsBench(const VrsBenchOptions& options, const CommandEnv& env) {
  if (options.concurrency == 0 || options.seconds <= 0 || options.rate_per_s <= 0) {
    return Usage(env, "-c, --seconds and --rate must be positive");
  }
  if (options.target.empty() || options.target.front() != '/') {
    return Usage(env, "--target must be a path and query, such as /vrs/gtin/…?…");
  }
  api::ClientOptions client;
  client.ca_file = env.ca_file;
  std::vector<std::unique_ptr<NodeTransport>> transports;
  for (size_t i = 0; i < options.concurrency; ++i) {
    auto transport = env.nodes.Connect(options.node, client);
    if (!transport.ok()) return Fail(env, "--node " + options.node, transport.status());
    transports.push_back(std::move(*transport));
  }
  // One request first: a run against a wrong target stops here, not after
  // thousands of errors.
  Result<api::HttpAnswer> first = transports[0]->Get(options.target, "application/json");
  if (!first.ok()) return Fail(env, "--node " + options.node, first.status());
  if (first->status != 200) {
    return Fail(env, "GET " + options.target,
                Status::InvalidArgument("answered HTTP " + std::to_string(first->status) + ": " +
                                        first->body.substr(0, 300)));
  }
  PhaseResult open = RunPhase(transports, options.target, options.rate_per_s, options.seconds);
  PhaseResult closed = RunPhase(transports, options.target, 0, options.seconds);
  Json out = {{"node", options.node},
              {"target", options.target},
              {"concurrency", options.concurrency},
              {"open_loop", PhaseJson(open, options.rate_per_s)},
              {"closed_loop", PhaseJson(closed, 0)}};
  env.out << out.dump(2) << "\n";
  return kExitOk;
}

}  // namespace frontera::tools
