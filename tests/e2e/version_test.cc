// The binaries' --version, fronterad's start-up exit code for a bad flag, and
// `fronterad --check-config` (docs/operations.md#versions, #install): each runs
// a binary for a moment, no node is started.
#include "common/version.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

namespace fs = std::filesystem;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void CheckVersionText(const std::string& program, const std::string& out) {
  CHECK_MESSAGE(out.rfind(program + " " + std::string(version::Release()) + "\n", 0) == 0, out);
  CHECK_MESSAGE(Has(out, "\ncommit: " + std::string(version::GitCommit()) + "\n"), out);
  CHECK(Has(out, "\ndata directory format: 1\n"));
  CHECK(Has(out, "\npeer protocol: 1\n"));
  CHECK(Has(out, "\ntrust bundle format: 4\n"));
  CHECK(Has(out, "\nHTTP API: v1\n"));
}

TEST_CASE("fronterad --version and frontera --version print the versions and exit 0") {
  std::string out;
  CHECK(RunCommand({BinaryPath("node/fronterad"), "--version"}, &out) == 0);
  CheckVersionText("fronterad", out);
  CHECK(RunCommand({BinaryPath("tools/frontera"), "--version"}, &out) == 0);
  CheckVersionText("frontera", out);
  CHECK(std::string(version::Release()) == "0.9.0");
}

TEST_CASE("fronterad exits 2 on a bad flag, as on any start-up error") {
  std::string out;
  CHECK(RunCommand({BinaryPath("node/fronterad"), "--no-such-flag"}, &out) == 2);
  CHECK_MESSAGE(Has(out, "--no-such-flag"), out);
  CHECK(RunCommand({BinaryPath("node/fronterad"), "--config"}, &out) == 2);
  CHECK(RunCommand({BinaryPath("node/fronterad")}, &out) == 2);
  CHECK(Has(out, "give --config FILE or --dev DIR"));
}

// In `dir`: node.pem and node.key, a self-signed P-256 certificate for
// 127.0.0.1 and its key, and other.key, a key of no certificate.
void MakeCertificate(const std::string& dir) {
  std::string out;
  REQUIRE_MESSAGE(RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                              "/CN=us-cbp", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                              dir + "/node.key", "-out", dir + "/node.pem"},
                             &out) == 0,
                  out);
  REQUIRE_MESSAGE(RunCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                              "ec_paramgen_curve:P-256", "-out", dir + "/other.key"},
                             &out) == 0,
                  out);
}

TEST_CASE("fronterad --check-config: 0 for a good config, 2 and the reason for a bad one") {
  const std::string tls =
      "host = \"127.0.0.1\"\ntls_cert_file = \"node.pem\"\ntls_key_file = \"node.key\"\n";
  TestNetwork net;
  MakeCertificate(net.dir());
  const std::string fronterad = BinaryPath("node/fronterad");
  std::string out;

  // The harness's config (plain HTTP on loopback), then the same with HTTPS.
  CHECK_MESSAGE(RunCommand({fronterad, "--check-config", net.config_path()}, &out) == 0, out);
  CHECK(Has(out, net.config_path() + " is good"));
  std::ofstream(net.config_path(), std::ios::app) << tls;
  CHECK_MESSAGE(RunCommand({fronterad, "--check-config", net.config_path()}, &out) == 0, out);
  // Nothing was started or created: no data directory.
  CHECK_FALSE(fs::exists(net.dir() + "/data"));

  struct Case {
    std::string what;
    std::string config;  // replaces node.toml
    std::string message;
  };
  const std::string node =
      "[node]\nname = \"us-cbp\"\ndata_dir = \"data\"\ngenesis_file = \"genesis.json\"\n";
  const std::vector<Case> cases = {
      {"a key file that is missing", node + "key_file = \"keys/none.key\"\n[api]\n" + tls,
       "node.key_file"},
      {"the key of another party", node + "key_file = \"keys/mx-anam.key\"\n[api]\n" + tls,
       "is not the key genesis lists for validator us-cbp"},
      {"a value out of range", node + "key_file = \"keys/us-cbp.key\"\n[api]\nport = 70000\n" + tls,
       "api.port"},
      {"no TLS off loopback",
       node +
           "key_file = \"keys/us-cbp.key\"\n[api]\nhost = \"0.0.0.0\"\nallow_plain_http = true\n",
       "allow_plain_http"},
      {"a certificate that is missing",
       node + "key_file = \"keys/us-cbp.key\"\n[api]\ntls_cert_file = \"none.pem\"\n"
              "tls_key_file = \"node.key\"\n",
       "cannot load tls_cert_file"},
      {"a TLS key of another certificate",
       node + "key_file = \"keys/us-cbp.key\"\n[api]\ntls_cert_file = \"node.pem\"\n"
              "tls_key_file = \"other.key\"\n",
       "cannot load tls_key_file"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const std::string path = net.dir() + "/bad.toml";
    std::ofstream(path, std::ios::trunc) << c.config;
    CHECK(RunCommand({fronterad, "--check-config", path}, &out) == 2);
    CHECK_MESSAGE(Has(out, "fronterad: "), out);
    CHECK_MESSAGE(Has(out, c.message), out);
    CHECK_FALSE(fs::exists(net.dir() + "/data"));
  }
  CHECK(RunCommand({fronterad, "--check-config", net.dir() + "/none.toml"}, &out) == 2);

  // A data directory of a newer release is found, and left as it is.
  fs::create_directories(net.dir() + "/data");
  CHECK(RunCommand({fronterad, "--check-config", net.config_path()}, &out) == 0);
  CHECK_FALSE(fs::exists(net.dir() + "/data/FORMAT"));
  std::ofstream(net.dir() + "/data/FORMAT") << "2\n";
  CHECK(RunCommand({fronterad, "--check-config", net.config_path()}, &out) == 2);
  CHECK_MESSAGE(Has(out, "is of format 2; this build of fronterad"), out);
}

TEST_CASE("fronterad refuses to start on a data directory of a newer format") {
  TestNetwork net;
  fs::create_directories(net.dir() + "/data");
  std::ofstream(net.dir() + "/data/FORMAT") << "2\n";
  std::string out;
  CHECK(RunCommand({BinaryPath("node/fronterad"), "--config", net.config_path()}, &out) == 2);
  CHECK_MESSAGE(Has(out, "is of format 2; this build of fronterad (" +
                             std::string(version::Release()) + ") reads data directory format 1"),
                out);
  CHECK(fs::directory_iterator(net.dir() + "/data")->path().filename() == "FORMAT");
}

}  // namespace
}  // namespace frontera::e2e
