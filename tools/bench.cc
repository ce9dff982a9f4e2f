#include "tools/bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "api/client.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "crypto/did_key.h"
#include "ledger/gs1.h"
#include "tools/node_api.h"
#include "tools/remote.h"

namespace frontera::tools {

Result<std::string> MakeGtin14(std::string_view company_prefix, uint64_t item_reference) {
  bool digits = company_prefix.size() >= 4 && company_prefix.size() <= 12 &&
                company_prefix.find_first_not_of("0123456789") == std::string_view::npos;
  if (!digits) {
    return Status::InvalidArgument("GS1 company prefix \"" + std::string(company_prefix) +
                                   "\" must be 4 to 12 digits");
  }
  size_t width = 12 - company_prefix.size();
  // A 12-digit prefix leaves no room for an item reference: only 0 fits.
  std::string reference = width == 0 && item_reference == 0 ? "" : std::to_string(item_reference);
  if (reference.size() > width) {
    return Status::InvalidArgument("item reference " + reference + " does not fit in " +
                                   std::to_string(width) + " digits after prefix " +
                                   std::string(company_prefix));
  }
  // Indicator digit 0: the trade item itself, not a grouping (GS1 GS §3.3.2).
  std::string data =
      "0" + std::string(company_prefix) + std::string(width - reference.size(), '0') + reference;
  return data + ledger::gs1::CheckDigit(data);
}

LatencySummary Summarize(std::vector<double> latencies_ms) {
  LatencySummary summary;
  if (latencies_ms.empty()) return summary;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto rank = [&](double p) {
    size_t k = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(latencies_ms.size())));
    return latencies_ms[std::clamp<size_t>(k, 1, latencies_ms.size()) - 1];
  };
  summary.p50_ms = rank(50);
  summary.p90_ms = rank(90);
  summary.p99_ms = rank(99);
  summary.max_ms = latencies_ms.back();
  return summary;
}

Result<std::vector<crypto::Json>> PresignCredentials(const PartyRecord& issuer,
                                                     const crypto::KeyPair& key, size_t count,
                                                     std::string_view run_tag,
                                                     int64_t now_unix_millis) {
  if (issuer.prefixes.empty()) {
    return Status::FailedPrecondition(issuer.info.name +
                                      " has no GS1 company prefix; bench issues products under "
                                      "the first prefix of the key's party");
  }
  const std::string& prefix = issuer.prefixes.front();
  uint64_t references = 1;
  for (size_t i = prefix.size(); i < 12; ++i) references *= 10;
  std::string now = FormatRfc3339(now_unix_millis);
  // One year of shelf life keeps every credential valid during the run.
  std::string expiry = FormatRfc3339(now_unix_millis + int64_t{366} * 86400000).substr(0, 10);
  std::vector<crypto::Json> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    ProductFields f;
    f.id = NewUrnUuid();
    f.valid_from = now;
    FRONTERA_ASSIGN_OR_RETURN(f.gtin, MakeGtin14(prefix, i % references));
    f.lot = "BENCH";
    // AI 21 allows 20 characters of CSET 82; the run tag keeps runs apart.
    f.serial = std::string(run_tag) + std::to_string(i);
    f.expiry = expiry;
    f.product_name = "Benchmark product";
    f.strength_dosage_form = "1 unit";
    f.container_size = "1 unit";
    f.manufacturer = issuer.info;
    FRONTERA_ASSIGN_OR_RETURN(crypto::Json signed_credential,
                              SignDocument(BuildProductCredential(f), key, now));
    auto parsed = ledger::ParseCredential(signed_credential);
    if (!parsed.ok()) return parsed.status().WithContext("bench credential " + f.serial);
    out.push_back(std::move(signed_credential));
  }
  return out;
}

crypto::Json BenchResultJson(const BenchResult& r) {
  crypto::Json json{
      {"node", r.node},
      {"n", r.n},
      {"concurrency", r.concurrency},
      {"seconds", r.seconds},
      {"throughput_per_s", r.throughput_per_s},
      {"latency_ms",
       {{"p50", r.latency.p50_ms},
        {"p90", r.latency.p90_ms},
        {"p99", r.latency.p99_ms},
        {"max", r.latency.max_ms}}},
      {"errors", r.errors},
  };
  if (!r.first_error.empty()) json["first_error"] = r.first_error;
  return json;
}

namespace {

struct Shared {
  const std::vector<crypto::Json>* documents;
  std::atomic<size_t> next{0};
  size_t end = 0;
  Mutex mu;
  std::vector<double> latencies_ms GUARDED_BY(mu);
  size_t errors GUARDED_BY(mu) = 0;
  std::string first_error GUARDED_BY(mu);
};

// Sends documents [shared.next, shared.end) over `client` until none is left.
void Worker(api::Client& client, Shared& shared) {
  std::vector<double> mine;
  size_t errors = 0;
  std::string first_error;
  for (size_t i = shared.next++; i < shared.end; i = shared.next++) {
    auto start = std::chrono::steady_clock::now();
    auto answer = client.PostJson("/v1/certificates", (*shared.documents)[i]);
    auto stop = std::chrono::steady_clock::now();
    if (answer.ok()) {
      mine.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    } else {
      if (errors++ == 0) first_error = DescribeError(answer.status());
    }
  }
  MutexLock lock(shared.mu);
  shared.latencies_ms.insert(shared.latencies_ms.end(), mine.begin(), mine.end());
  if (errors > 0 && shared.errors == 0) shared.first_error = first_error;
  shared.errors += errors;
}

// Runs one worker per client. The same keep-alive connections serve the
// warm-up and the measured phase, as a long-running client's would.
void RunPhase(std::vector<std::unique_ptr<api::Client>>& clients, Shared& shared) {
  std::vector<std::thread> threads;
  threads.reserve(clients.size());
  for (auto& client : clients) {
    threads.emplace_back([&client, &shared] { Worker(*client, shared); });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace

Result<BenchResult> RunBench(const BenchOptions& options, const crypto::KeyPair& key) {
  FRONTERA_CHECK(options.n > 0 && options.concurrency > 0) << "bench needs n and concurrency";
  api::ClientOptions client_options;
  client_options.ca_file = options.ca_file;
  FRONTERA_ASSIGN_OR_RETURN(std::unique_ptr<Node> node,
                            ConnectNode(DefaultNodeConnector(), options.node, client_options));
  FRONTERA_ASSIGN_OR_RETURN(PartyRecord issuer,
                            FetchParty(*node, crypto::DidKeyFromPublicKey(key.public_key())));
  SystemClock clock;
  // A short random tag makes serials unique per run without a registry of runs.
  std::string run_tag = "B" + NewUrnUuid().substr(9, 8);
  FRONTERA_ASSIGN_OR_RETURN(
      std::vector<crypto::Json> documents,
      PresignCredentials(issuer, key, options.warmup + options.n, run_tag, clock.NowUnixMillis()));
  BenchResult result;
  result.node = options.node;
  result.n = options.n;
  result.concurrency = options.concurrency;

  std::vector<std::unique_ptr<api::Client>> clients;
  for (size_t t = 0; t < options.concurrency; ++t) {
    FRONTERA_ASSIGN_OR_RETURN(auto c, api::Client::Create(options.node, client_options));
    clients.push_back(std::move(c));
  }
  if (options.warmup > 0) {
    Shared warmup;
    warmup.documents = &documents;
    warmup.end = options.warmup;
    RunPhase(clients, warmup);
  }
  Shared measured;
  measured.documents = &documents;
  measured.next = options.warmup;
  measured.end = options.warmup + options.n;
  auto start = std::chrono::steady_clock::now();
  RunPhase(clients, measured);
  auto stop = std::chrono::steady_clock::now();

  result.seconds = std::chrono::duration<double>(stop - start).count();
  MutexLock lock(measured.mu);  // the workers have finished; the lock is for the checker
  result.throughput_per_s =
      result.seconds > 0 ? static_cast<double>(measured.latencies_ms.size()) / result.seconds : 0;
  result.latency = Summarize(std::move(measured.latencies_ms));
  result.errors = measured.errors;
  result.first_error = measured.first_error;
  return result;
}

}  // namespace frontera::tools
