// In-memory seams for the tests of the `frontera` command bodies
// (tools/cmd_*.h): a fake node per base URL that answers from a table and
// records what was asked, and a CommandEnv over string streams and a fake
// clock. No network, no process.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/client.h"
#include "common/clock.h"
#include "common/files.h"
#include "crypto/json.h"
#include "crypto/key_file.h"
#include "tests/tools/test_support.h"
#include "tools/cli_app.h"
#include "tools/cli_common.h"
#include "tools/node_api.h"

namespace frontera::tools::testing {

struct Request {
  std::string method;  // "GET" or "POST"
  std::string path;
  std::string body;
};

// One node: answers by "GET /path" or "POST /path"; 404 problem otherwise.
struct FakeNode {
  std::map<std::string, api::HttpAnswer> answers;
  // When set, every exchange fails with it: no answer (refused, timeout, DNS).
  std::optional<Status> no_answer;
  std::vector<Request> requests;

  void Answer(const std::string& request, int status, const crypto::Json& body) {
    answers[request] = {status, "application/json", body.dump()};
  }
  void AnswerText(const std::string& request, const std::string& body) {
    answers[request] = {200, "text/plain", body};
  }
  void Problem(const std::string& request, int status, const std::string& title) {
    answers[request] = {
        status, "application/problem+json",
        crypto::Json{{"type", "about:blank"}, {"title", title}, {"status", status}}.dump()};
  }
  const Request* Find(const std::string& method, const std::string& path) const {
    for (const Request& r : requests) {
      if (r.method == method && r.path == path) return &r;
    }
    return nullptr;
  }
};

class FakeTransport final : public NodeTransport {
 public:
  explicit FakeTransport(FakeNode* node) : node_(node) {}
  Result<api::HttpAnswer> Get(const std::string& path, const std::string&) override {
    return Exchange("GET", path, "");
  }
  Result<api::HttpAnswer> Post(const std::string& path, const std::string& body,
                               const std::string&) override {
    return Exchange("POST", path, body);
  }

 private:
  Result<api::HttpAnswer> Exchange(const std::string& method, const std::string& path,
                                   const std::string& body) {
    node_->requests.push_back({method, path, body});
    if (node_->no_answer) return *node_->no_answer;
    auto answer = node_->answers.find(method + " " + path);
    if (answer != node_->answers.end()) return answer->second;
    return api::HttpAnswer{404, "application/problem+json",
                           R"({"type":"about:blank","title":"Not Found","status":404,)"
                           R"("detail":"no such thing"})"};
  }
  FakeNode* node_;
};

class FakeConnector final : public NodeConnector {
 public:
  std::map<std::string, FakeNode> nodes;  // by base URL
  std::string last_ca_file;               // ClientOptions::ca_file of the last Connect
  Result<std::unique_ptr<NodeTransport>> Connect(const std::string& base_url,
                                                 const api::ClientOptions& options) override {
    last_ca_file = options.ca_file;
    if (base_url.find("://") == std::string::npos) {
      return Status::InvalidArgument("base URL \"" + base_url + "\" has no scheme");
    }
    return std::unique_ptr<NodeTransport>(new FakeTransport(&nodes[base_url]));
  }
};

inline constexpr char kNode[] = "http://node.test:7001";

// 2027-06-01T12:00:00Z, when the fixture label is valid.
inline constexpr int64_t kTestNow = 1811851200000;

struct TestEnv {
  std::ostringstream out, err;
  std::istringstream in;
  FakeClock clock{kTestNow};
  FakeConnector nodes;

  CommandEnv env() { return CommandEnv{out, err, in, clock, nodes, DefaultFileSystem()}; }
  FakeNode& node() { return nodes.nodes[kNode]; }
};

inline api::HttpAnswer JsonAnswer(const crypto::Json& body) {
  return {200, "application/json", body.dump()};
}

// Writes the fixture party's key file in `dir`; its path.
inline std::string WriteFixtureKey(const TempDir& dir, const std::string& party) {
  std::string path = dir.path() + "/" + party + ".key";
  // Written once per directory: key files are never overwritten.
  if (!std::filesystem::exists(path)) REQUIRE(crypto::WriteKeyFile(path, FixtureKey(party)).ok());
  return path;
}

inline std::string PartyPath(const std::string& did) {
  return "/v1/parties/" + api::Client::EncodePathSegment(did);
}

// `frontera ARGS…` parsed and run as main does, against `t`'s fakes.
inline int RunCli(TestEnv& t, std::vector<std::string> args) {
  CliArgs cli;
  std::unique_ptr<CLI::App> app = MakeApp(cli);
  args.insert(args.begin(), "frontera");
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  return ParseAndRun(*app, cli, static_cast<int>(argv.size()), argv.data(), t.env());
}

inline crypto::Json Receipt(const std::string& id) {
  return {{"id", id},
          {"status", "active"},
          {"ledger", {{"leaf_index", 7}, {"leaf_hash", "abc="}, {"block", 3}}}};
}

}  // namespace frontera::tools::testing
