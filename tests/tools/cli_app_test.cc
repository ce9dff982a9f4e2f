// The `frontera` command line (tools/cli_app.h): every command's help has an
// example and the exit codes, every flag a description, and parsing fills
// the option structs and refuses bad combinations before any body runs.
#include "tools/cli_app.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "tests/tools/cli_fakes.h"
#include "tools/exit_codes.h"

namespace frontera::tools {
namespace {

using testing::RunCli;
using testing::TestEnv;

// Every command, its subcommands included, depth first.
void ForEachCommand(CLI::App* app, const std::function<void(CLI::App*)>& visit) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    visit(sub);
    ForEachCommand(sub, visit);
  }
}

TEST_CASE("every command's help has an example and the exit codes; every flag a description") {
  CliArgs args;
  std::unique_ptr<CLI::App> app = MakeApp(args);
  std::string top = app->help();
  CHECK(top.find("Example") != std::string::npos);
  CHECK(top.find("Exit codes") != std::string::npos);
  int commands = 0;
  ForEachCommand(app.get(), [&](CLI::App* command) {
    ++commands;
    std::string help = command->help();
    CAPTURE(command->get_name());
    CAPTURE(help);
    CHECK(help.find("Example") != std::string::npos);
    CHECK(help.find("Exit codes") != std::string::npos);
    CHECK(help.find("  64  ") != std::string::npos);
    for (const CLI::Option* option : command->get_options()) {
      CAPTURE(option->get_name());
      CHECK_FALSE(option->get_description().empty());
    }
  });
  CHECK(commands >= 15);
}

TEST_CASE("parsing fills the option structs") {
  CliArgs args;
  std::unique_ptr<CLI::App> app = MakeApp(args);
  // CLI11 takes a vector of arguments last first.
  app->parse(std::vector<std::string>{"--json", "c.key", "--to-key", "m.key", "--key", "http://x:1",
                                      "--node", "urn:uuid:1", "shipping", "event"});
  CHECK(args.commands.event->parsed());
  CHECK(args.event.step == "shipping");
  CHECK(args.event.certificate_id == "urn:uuid:1");
  CHECK(args.event.to_key == "c.key");
  CHECK(args.event.to.empty());
  CHECK(args.event.node == "http://x:1");
  CHECK(args.event.json);
}

TEST_CASE("bad flag combinations are usage errors (64) before any request") {
  TestEnv t;
  CHECK(RunCli(t, {"event", "shipping", "urn:uuid:1", "--key", "k", "--to", "did:key:z", "--to-key",
                   "c.key"}) == kExitUsage);
  CHECK(RunCli(t, {"show", "urn:uuid:1", "--label", "--json"}) == kExitUsage);
  CHECK(RunCli(t, {"issue"}) == kExitUsage);
  CHECK(RunCli(t, {}) == kExitUsage);
  CHECK(t.nodes.nodes.empty());
  TestEnv help;
  CHECK(RunCli(help, {"show", "--help"}) == kExitOk);
  CHECK(help.out.str().find("frontera show --label") != std::string::npos);
}

TEST_CASE("--ca-file and FRONTERA_CA name the CA trusted for https:// nodes") {
  frontera::testing::TempDir dir("ca");
  const std::string ca = dir.Sub("network-ca.crt");
  std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\n";
  const std::string node = "https://node.test:7001";
  {
    TestEnv t;
    RunCli(t, {"--ca-file", ca, "checkpoint", "--node", node});
    CHECK(t.nodes.last_ca_file == ca);
  }
  {
    TestEnv t;  // after the command's name too
    RunCli(t, {"checkpoint", "--node", node, "--ca-file", ca});
    CHECK(t.nodes.last_ca_file == ca);
  }
  {
    TestEnv t;
    ::setenv("FRONTERA_CA", ca.c_str(), 1);
    RunCli(t, {"checkpoint", "--node", node});
    ::unsetenv("FRONTERA_CA");
    CHECK(t.nodes.last_ca_file == ca);
  }
  {
    TestEnv t;  // none: the system's authorities
    RunCli(t, {"checkpoint", "--node", node});
    CHECK(t.nodes.last_ca_file.empty());
  }
  TestEnv missing;
  CHECK(RunCli(missing, {"--ca-file", dir.Sub("absent.crt"), "checkpoint", "--node", node}) ==
        kExitUsage);
  CHECK(missing.err.str().find("absent.crt") != std::string::npos);
  CHECK(missing.nodes.nodes.empty());
}

}  // namespace
}  // namespace frontera::tools
