// Issue 14, independent witnesses: a validator whose genesis lists a witness
// submits its checkpoints to it through C2SP tlog-witness add-checkpoint (the
// witness is tests/e2e/tlog_witness.py, an independent implementation that
// checks the log's signature and the consistency proofs), publishes the
// cosignature on GET /v1/checkpoint and in the trust bundle, and
// `frontera trust sync|verify --witnesses K` require them.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/encoding.h"
#include "crypto/key_file.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_witness.h"
#include "tests/e2e/harness.h"

extern char** environ;

namespace frontera::e2e {
namespace {

constexpr char kWitnessName[] = "witness.example/w1";
constexpr char kOrigin[] = "frontera.example/north-america-1";

// tests/e2e/tlog_witness.py as a child process, stopped (SIGTERM) at the end.
class PythonWitness {
 public:
  PythonWitness(const std::string& dir, const crypto::Seed& seed)
      : port_file_(dir + "/witness.port") {
    const crypto::PublicKey log_key = ExampleParties().at("us-cbp").key.public_key();
    std::vector<std::string> args = {
        "/usr/bin/python3", std::string(FRONTERA_SOURCE_DIR) + "/tests/e2e/tlog_witness.py",
        "--name",           kWitnessName,
        "--seed-hex",       HexEncode(ByteView(seed.data(), seed.size())),
        "--origin",         kOrigin,
        "--log-key",        "us-cbp=" + Base64Encode(ByteView(log_key.data(), log_key.size())),
        "--port-file",      port_file_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log = dir + "/witness.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!(std::ifstream(port_file_) >> port_)) {
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "the witness did not start");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~PythonWitness() { Stop(); }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string port_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// The served checkpoint's note, once `done` holds for it (deadline 20 s).
template <typename Pred>
std::string WaitForCheckpoint(const NodeProcess& node, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    auto text = node.Client()->GetText("/v1/checkpoint");
    if (text.ok()) {
      auto note = crypto::ParseNote(*text);
      if (note.ok() && done(*note)) return *text;
    }
    REQUIRE_MESSAGE(
        std::chrono::steady_clock::now() < deadline,
        "checkpoint not as expected: " << (text.ok() ? *text : text.status().ToString()));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

uint64_t TreeSize(const crypto::Note& note) {
  auto body = crypto::ParseCheckpointBody(note.text);
  REQUIRE(body.ok());
  return body->tree_size;
}

std::vector<std::string> IssueArgs(const std::string& keys, const std::string& cert,
                                   const std::string& serial) {
  return {"issue",
          "pharma",
          "--key",
          keys + "mx-manufacturer.key",
          "--id",
          cert,
          "--gtin",
          "07501234000017",
          "--lot",
          "LOT7",
          "--serial",
          serial,
          "--expiry",
          "2029-01-31",
          "--product-name",
          "Metformin 850 mg tablets",
          "--strength-dosage-form",
          "850 mg, tablet",
          "--container-size",
          "60 tablets"};
}

TEST_CASE("checkpoints carry the genesis witness's cosignature; verify --witnesses requires it") {
  TestNetwork net(
      "[ledger]\nitem_filter_interval_s = 0\n"
      "[witness]\nconnect_timeout_ms = 500\nrequest_timeout_ms = 2000\n"
      "retry_backoff_min_ms = 50\nretry_backoff_max_ms = 200\n");
  crypto::Seed seed{};
  seed.fill(0x5a);
  const crypto::KeyPair witness_key = crypto::KeyPair::FromSeed(seed);
  PythonWitness witness(net.dir(), seed);
  {
    std::ifstream in(net.genesis_path());
    Json genesis = Json::parse(in);
    genesis["witnesses"] = {
        {{"name", kWitnessName},
         {"key", crypto::FormatCosignerVkey(kWitnessName, witness_key.public_key())},
         {"url", witness.url()}}};
    std::ofstream(net.genesis_path()) << genesis.dump(2);
  }
  NodeProcess node(net.config_path(), net.dir() + "/port");
  Cli cli{node.url(), net.genesis_path(), net.dir() + "/trust.json"};
  const std::string keys = net.dir() + "/keys/";
  const std::vector<crypto::NoteVerifier> witnesses = {{kWitnessName, witness_key.public_key()}};
  auto witnessed = [&](const crypto::Note& n) {
    return crypto::VerifiedWitnesses(n, witnesses).size() == 1;
  };
  std::string out;

  // A certificate, so that the witness sees a tree grow (a consistency proof
  // from the size it recorded, which it checks).
  const std::string cert = "urn:uuid:5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4e";
  WaitForCheckpoint(node, witnessed);
  REQUIRE_MESSAGE(cli.Run(IssueArgs(keys, cert, "SNW1"), &out) == 0, out);
  auto agency_key = crypto::LoadKeyFile(keys + "us-cbp.key");
  REQUIRE(agency_key.ok());
  auto agency = node.Client();
  agency->SetSigningKey(*agency_key);
  auto view = agency->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(cert));
  REQUIRE(view.ok());
  const std::string label = (*view)["credential"]["credentialSubject"]["label"].get<std::string>();

  // The checkpoint over the certificate, cosigned by the witness and served
  // with the validator's own signature.
  const std::string first = WaitForCheckpoint(
      node, [&](const crypto::Note& n) { return TreeSize(n) >= 1 && witnessed(n); });
  const uint64_t first_size = TreeSize(*crypto::ParseNote(first));
  // One more: the witness checks a consistency proof from the size it
  // recorded.
  REQUIRE_MESSAGE(
      cli.Run(IssueArgs(keys, "urn:uuid:5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "SNW0"), &out) == 0,
      out);
  const std::string note_text = WaitForCheckpoint(
      node, [&](const crypto::Note& n) { return TreeSize(n) > first_size && witnessed(n); });
  CHECK(note_text.find("\xE2\x80\x94 witness.example/w1 ") != std::string::npos);
  CHECK(note_text.find("\xE2\x80\x94 us-cbp ") != std::string::npos);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    auto bundle = node.Client()->GetJson("/v1/trust-bundle");
    REQUIRE(bundle.ok());
    auto note = crypto::ParseNote((*bundle)["checkpoint"].get<std::string>());
    if (bundle->contains("item_filter") && note.ok() && witnessed(*note) &&
        TreeSize(*note) > first_size) {
      break;
    }
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "bundle: " << bundle->dump());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  int code = cli.Run({"trust", "sync", "--witnesses", "1"}, &out);
  REQUIRE_MESSAGE(code == 0, out);
  CHECK(out.find("1 of 1 witnesses cosigned") != std::string::npos);
  code = cli.Run({"verify", "--payload", label, "--witnesses", "1"}, &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find("AUTHENTIC") != std::string::npos);
  // Two are more than the genesis lists.
  code = cli.Run({"verify", "--payload", label, "--witnesses", "2"}, &out);
  CHECK_MESSAGE(code == 79, out);
  CHECK(out.find("WITNESSES MISSING") != std::string::npos);
  {
    auto metrics = node.OpsClient()->GetText("/metrics");
    REQUIRE(metrics.ok());
    CHECK(metrics->find("frontera_witness_up{witness=\"witness.example/w1\"} 1") !=
          std::string::npos);
  }

  // The witness stops: the validator goes on (a write is answered, a new
  // checkpoint published), and the new checkpoint has no witness cosignature.
  witness.Stop();
  REQUIRE_MESSAGE(
      cli.Run(IssueArgs(keys, "urn:uuid:5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4f", "SNW2"), &out) == 0,
      out);
  const uint64_t before = TreeSize(*crypto::ParseNote(note_text));
  WaitForCheckpoint(node, [&](const crypto::Note& n) { return TreeSize(n) > before; });
  code = cli.Run({"trust", "sync", "--witnesses", "1"}, &out);
  CHECK_MESSAGE(code == 79, out);
  CHECK(out.find("WITNESSES MISSING") != std::string::npos);
  // Stored without the requirement, the bundle then fails it offline.
  REQUIRE_MESSAGE(cli.Run({"trust", "sync"}, &out) == 0, out);
  code = cli.Run({"verify", "--payload", label, "--witnesses", "1"}, &out);
  CHECK_MESSAGE(code == 79, out);
  CHECK(out.find("carries valid cosignatures of 0 witness(es)") != std::string::npos);
  CHECK(cli.Run({"verify", "--payload", label}, &out) == 0);
  const auto metrics_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto metrics = node.OpsClient()->GetText("/metrics");
    REQUIRE(metrics.ok());
    if (metrics->find("frontera_witness_up{witness=\"witness.example/w1\"} 0") !=
            std::string::npos &&
        metrics->find("frontera_witness_failures_total{witness=\"witness.example/w1\"} 0") ==
            std::string::npos) {
      break;
    }
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < metrics_deadline, *metrics);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace
}  // namespace frontera::e2e
