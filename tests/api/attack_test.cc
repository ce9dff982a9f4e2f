// The API under attack (issue 12, "Abuse limits"): a legitimate client on
// 127.0.0.1 writes while attackers on 127.0.0.2 and up hold slow requests,
// send oversized headers, invalid UTF-8, duplicate keys, numbers out of
// range, path traversal targets, and flood over the rate limit. Every
// legitimate write must succeed; its latency without and with the attack is
// printed (figures, not assertions: timing on a shared machine flakes).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "api/server.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;
using testing::RawAnswer;
using testing::RawConnection;
using Clock = std::chrono::steady_clock;

constexpr int kWrites = 300;           // legitimate writes per phase
constexpr int kSlowConnections = 150;  // slow-header connections
constexpr int kSlowAddresses = 10;     // spread over 127.0.0.2 … 127.0.0.11
constexpr const char* kFloodAddress = "127.0.0.20";

struct Latency {
  double p50_ms = 0;
  double p99_ms = 0;
};

Latency Percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&ms](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))];
  };
  return {at(0.50), at(0.99)};
}

// kWrites writes over one keep-alive connection; counts the 201s.
Latency LegitimateWrites(int port, int& succeeded) {
  auto client = Client::Create("http://127.0.0.1:" + std::to_string(port));
  REQUIRE(client.ok());
  std::vector<double> ms;
  succeeded = 0;
  for (int i = 0; i < kWrites; ++i) {
    const auto start = Clock::now();
    auto answer = (*client)->PostRaw("/v1/certificates", R"({"n":)" + std::to_string(i) + "}",
                                     "application/json");
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (answer.ok() && answer->status == 201) ++succeeded;
    // A busy client, but under its address's rate limit.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return Percentiles(std::move(ms));
}

std::string Post(const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_CASE("legitimate writes succeed while the API is attacked") {
  FakeBackend backend;
  // Reads of ids that do not exist: a traversal target is only an id.
  backend.SetReadJson(Status::NotFound("no such record"));
  ServerOptions options;
  options.threads = 8;
  options.request_timeout_s = 5;
  options.rate_per_address_per_s = 300;
  options.rate_burst_per_address = 300;
  auto created = HttpServer::Create(&backend, options);
  REQUIRE(created.ok());
  std::unique_ptr<HttpServer> server = std::move(created).value();
  REQUIRE(server->Start().ok());
  const int port = server->port();

  int base_ok = 0;
  const Latency base = LegitimateWrites(port, base_ok);
  CHECK(base_ok == kWrites);

  std::atomic<bool> stop{false};
  std::atomic<int> refused_429{0}, answered_4xx{0}, answered_other{0};
  auto tally = [&](const RawAnswer& answer) {
    if (answer.status == 429) {
      ++refused_429;
    } else if (answer.status >= 400 && answer.status < 500) {
      ++answered_4xx;
    } else if (answer.status != 0) {
      ++answered_other;  // a 2xx or 5xx to an attack would be a finding
    }
  };
  std::vector<std::thread> attackers;
  // 150 connections that send a header line every 500 ms, reconnecting when
  // the request deadline closes them.
  attackers.emplace_back([&] {
    std::vector<std::unique_ptr<RawConnection>> slow;
    std::vector<std::string> sources;
    for (int i = 0; i < kSlowConnections; ++i) {
      sources.push_back("127.0.0." + std::to_string(2 + i % kSlowAddresses));
    }
    for (int i = 0; i < kSlowConnections; ++i) {
      slow.push_back(std::make_unique<RawConnection>(port, sources[i].c_str()));
      slow.back()->Send("POST /v1/certificates HTTP/1.1\r\nHost: t\r\n");
    }
    for (int round = 0; !stop; ++round) {
      for (int i = 0; i < kSlowConnections && !stop; ++i) {
        if (!slow[i]->Send("X-Slow-" + std::to_string(round) + ": 1\r\n")) {
          slow[i] = std::make_unique<RawConnection>(port, sources[i].c_str());
          slow[i]->Send("POST /v1/certificates HTTP/1.1\r\nHost: t\r\n");
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  });
  // Malformed input, each kind on its own connection from its own address.
  const std::vector<std::string> hostile = {
      "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n",
      Post("/v1/certificates", "{\"name\":\"\xff\xfe\xc0\xaf\"}"),
      Post("/v1/certificates", R"({"id":"a","id":"b"})"),
      Post("/v1/certificates", R"({"n":1e400,"m":18446744073709551616})"),
      "GET /v1/certificates/..%2F..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET /../../../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n",
      "GET /v1/parties/%2e%2e%2f%2e%2e%2fetc HTTP/1.1\r\nHost: t\r\n\r\n",
  };
  for (size_t kind = 0; kind < hostile.size(); ++kind) {
    attackers.emplace_back([&, kind] {
      const std::string source = "127.0.0." + std::to_string(30 + kind);
      while (!stop) {
        RawConnection connection(port, source.c_str());
        tally(connection.Exchange(hostile[kind]));
      }
    });
  }
  // A flood of reads from one address over four connections, far over its
  // rate.
  for (int flooder = 0; flooder < 4; ++flooder)
    attackers.emplace_back([&] {
      auto fresh = std::make_unique<RawConnection>(port, kFloodAddress);
      while (!stop) {
        RawAnswer answer = fresh->Exchange("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        if (answer.status == 0) {
          fresh = std::make_unique<RawConnection>(port, kFloodAddress);
          continue;
        }
        if (answer.status != 200) tally(answer);
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the attack build up

  int attack_ok = 0;
  const Latency attacked = LegitimateWrites(port, attack_ok);
  stop = true;
  for (std::thread& t : attackers) t.join();

  CHECK(attack_ok == kWrites);
  CHECK(refused_429 > 0);
  CHECK(answered_4xx > 0);
  CHECK(answered_other == 0);
  // Only the legitimate writes reached the Backend, and a traversal target
  // reached it only as an id to look up.
  CHECK(backend.write_calls() == 2 * kWrites);
  bool traversal_as_id = false;
  for (const FakeBackend::Call& call : backend.calls()) {
    traversal_as_id |= call.method == "GetCertificate" && call.id == "../../../etc/passwd";
  }
  CHECK(traversal_as_id);
  std::printf(
      "attack test: %d legitimate writes per phase; without attack p50 %.2f ms p99 %.2f ms; "
      "under attack p50 %.2f ms p99 %.2f ms (p99 ratio %.2f); attacker answers: %d rate-limited "
      "(429), %d other 4xx, %d other\n",
      kWrites, base.p50_ms, base.p99_ms, attacked.p50_ms, attacked.p99_ms,
      attacked.p99_ms / std::max(base.p99_ms, 0.001), refused_429.load(), answered_4xx.load(),
      answered_other.load());
}

}  // namespace
}  // namespace frontera::api
