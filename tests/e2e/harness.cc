#include "tests/e2e/harness.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "tests/example_party.h"

extern char** environ;

namespace frontera::e2e {

namespace fs = std::filesystem;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Json FixtureJson(const std::string& name) { return Json::parse(ReadFixture(name)); }

const std::map<std::string, ExampleParty>& ExampleParties() {
  static const auto* parties = [] {
    crypto::InitCrypto();
    auto* out = new std::map<std::string, ExampleParty>();
    Json doc = FixtureJson("parties.json");
    for (const auto& [name, p] : doc["parties"].items()) {
      auto seed = crypto::ParseSeedHex(p["testSeedHex"].get<std::string>());
      REQUIRE(seed.ok());
      ExampleParty party{p["did"].get<std::string>(), crypto::KeyPair::FromSeed(*seed)};
      REQUIRE(crypto::DidKeyFromPublicKey(party.key.public_key()) == party.did);
      out->emplace(name, std::move(party));
    }
    return out;
  }();
  return *parties;
}

Json Sign(const Json& unsigned_doc, const std::string& party, const std::string& created) {
  const ExampleParty& p = ExampleParties().at(party);
  crypto::ProofOptions options;
  options.created = created;
  options.verification_method = crypto::VerificationMethodFromPublicKey(p.key.public_key());
  auto signed_doc = crypto::CreateProof(unsigned_doc, options, p.key);
  REQUIRE_MESSAGE(signed_doc.ok(), signed_doc.status().ToString());
  return *signed_doc;
}

Json Revocation(const std::string& id, const std::string& certificate,
                const std::string& issuer_party, const std::string& reason) {
  return Json{
      {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
      {"type", "CredentialRevocation"},
      {"id", id},
      {"credential", certificate},
      {"issuer", ExampleParties().at(issuer_party).did},
      {"reason", reason}};
}

Json WriteExamplePartyKeys(const std::string& dir) {
  fs::create_directories(dir + "/keys");
  Json parties = Json::array();
  Json fixture = FixtureJson("parties.json");
  for (const auto& [name, p] : fixture["parties"].items()) {
    REQUIRE(
        crypto::WriteKeyFile(dir + "/keys/" + name + ".key", ExampleParties().at(name).key).ok());
    parties.push_back(testing::ExampleGenesisParty(name, p));
  }
  return parties;
}

TestNetwork::TestNetwork(const std::string& extra_config) {
  Json parties = WriteExamplePartyKeys(dir());
  Json genesis = {
      {"network", "frontera.example/north-america-1"},
      {"created", "2026-11-01T00:00:00Z"},
      {"resolver", "verify.frontera.example"},
      {"validators", {{{"name", "us-cbp"}, {"did", ExampleParties().at("us-cbp").did}}}},
      {"parties", parties}};
  std::ofstream(genesis_path()) << genesis.dump(2);
  std::ofstream(config_path()) << "[node]\nname = \"us-cbp\"\ndata_dir = \"data\"\n"
                               << "key_file = \"keys/us-cbp.key\"\n"
                               << "genesis_file = \"genesis.json\"\n"
                               << "[api]\nport = 0\nallow_plain_http = true\n"
                               << extra_config;
}

std::string BinaryPath(const std::string& relative) {
  // FRONTERA_E2E_BINARY_DIR: run another build's binaries (test.sh runs the
  // cluster tests against its ThreadSanitizer build of fronterad).
  const char* other = std::getenv("FRONTERA_E2E_BINARY_DIR");
  const std::string dir = other != nullptr && *other != '\0' ? other : FRONTERA_BINARY_DIR;
  return dir + "/" + relative;
}

NodeProcess::NodeProcess(const std::string& config_path, const std::string& port_file)
    : NodeProcess(std::vector<std::string>{"--config", config_path}, port_file) {}

NodeProcess::NodeProcess(const std::vector<std::string>& node_args, const std::string& port_file) {
  fs::remove(port_file);
  std::vector<std::string> args = {BinaryPath("node/fronterad")};
  args.insert(args.end(), node_args.begin(), node_args.end());
  args.push_back("--port-file");
  args.push_back(port_file);
  const std::string ops_port_file = port_file + ".ops";
  fs::remove(ops_port_file);
  args.push_back("--ops-port-file");
  args.push_back(ops_port_file);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string log = port_file + ".log";
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    if (in >> port_) {
      // fronterad writes the operational port file before the API's.
      std::ifstream ops(ops_port_file);
      REQUIRE_MESSAGE(static_cast<bool>(ops >> ops_port_), "no port in " << ops_port_file);
      return;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream l(log);
      std::ostringstream text;
      text << l.rdbuf();
      FAIL("fronterad exited at start: " << text.str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("fronterad did not start listening within 30 s");
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) Kill();
}

std::unique_ptr<api::Client> NodeProcess::Client() const {
  auto c = api::Client::Create(url());
  REQUIRE(c.ok());
  return std::move(c).value();
}

std::unique_ptr<api::Client> NodeProcess::OpsClient(int read_timeout_ms) const {
  api::ClientOptions options;
  options.read_timeout_ms = read_timeout_ms;
  auto c = api::Client::Create(ops_url(), options);
  REQUIRE(c.ok());
  return std::move(c).value();
}

void NodeProcess::Kill() {
  REQUIRE(pid_ > 0);
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int NodeProcess::Terminate() {
  REQUIRE(pid_ > 0);
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunCommand(const std::vector<std::string>& args, std::string* output,
               const std::map<std::string, std::string>& env) {
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  std::vector<std::string> args_copy = args;
  std::vector<char*> argv;
  for (auto& a : args_copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipefd[1], 2);
  posix_spawn_file_actions_addclose(&actions, pipefd[0]);
  pid_t pid;
  REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(pipefd[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int Cli::Run(std::vector<std::string> args, std::string* out, const std::string& stdin_text) const {
  args.insert(args.begin(), BinaryPath("tools/frontera"));
  std::map<std::string, std::string> env = {
      {"FRONTERA_NODE", node}, {"FRONTERA_GENESIS", genesis}, {"NO_COLOR", "1"}};
  if (!trust.empty()) env["FRONTERA_TRUST"] = trust;
  if (stdin_text.empty()) return RunCommand(args, out, env);
  // Scanner input: the lines come through a file on standard input.
  TempDir dir;
  std::string input = dir.path() + "/scans.txt";
  std::ofstream(input) << stdin_text;
  std::string line = "exec";
  for (const std::string& a : args) line += " '" + a + "'";
  line += " < '" + input + "'";
  return RunCommand({"/bin/sh", "-c", line}, out, env);
}

}  // namespace frontera::e2e
