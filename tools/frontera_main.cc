// `frontera`: the command-line client of a Frontera network (docs/cli.md).
// The flags are defined in tools/cli_app.cc and each command's body is a
// function of the frontera_tools library (tools/cmd_*.h) where tests reach
// it; this file only supplies the real seams: the standard streams, the
// system clock, HTTP and the operating system's file system.

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "common/clock.h"
#include "common/files.h"
#include "crypto/ed25519.h"
#include "tools/cli_app.h"
#include "tools/node_api.h"

int main(int argc, char** argv) {
  using namespace frontera;
  crypto::InitCrypto();
  tools::CliArgs args;
  std::unique_ptr<CLI::App> app = tools::MakeApp(args);
  // no-color.org: colour only on a terminal, and never when NO_COLOR is set
  // to a non-empty value.
  const char* no_color = std::getenv("NO_COLOR");
  args.verify.colour = ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
  SystemClock clock;
  const tools::CommandEnv env{
      std::cout, std::cerr, std::cin, clock, tools::DefaultNodeConnector(), DefaultFileSystem()};
  return tools::ParseAndRun(*app, args, argc, argv, env);
}
