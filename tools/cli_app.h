// The `frontera` command line (docs/cli.md): every command's CLI11 flags,
// descriptions and help footers (an example and the exit codes), filling the
// option structs of the command bodies, and the dispatch to the body that was
// asked for. frontera_main.cc parses and calls Dispatch; tests build the same
// app to check its help.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "tools/cli_common.h"
#include "tools/cmd_backup.h"
#include "tools/cmd_issue.h"
#include "tools/cmd_ledger.h"
#include "tools/cmd_notice.h"
#include "tools/cmd_party.h"
#include "tools/cmd_setup.h"
#include "tools/cmd_validator.h"
#include "tools/cmd_verify.h"
#include "tools/cmd_vrs.h"

namespace frontera::tools {

// The flags of every command, filled by parsing, with the subcommands that
// say which one was given.
struct CliArgs {
  std::string ca_file;  // --ca-file / FRONTERA_CA, for every command that asks a node
  KeygenOptions keygen;
  GenesisOptions genesis;
  IssueOptions issue;
  std::string issue_file;
  PharmaOptions pharma;
  PrecursorOptions precursor;
  EventOptions event;
  RevokeOptions revoke;
  ShowOptions show;
  AuditCommandOptions audit;
  CheckpointOptions checkpoint;
  StatusOptions status;
  BackupOptions backup;
  VerifyOptions verify;
  TrustOptions trust;
  LabelOptions label;
  BenchCommandOptions bench;
  NoticeFileOptions notice_file;
  NoticeExportOptions notice_export;
  PartyListOptions party_list;
  PartyShowOptions party_show;
  PartyChangeOptions party_add;
  PartyChangeOptions party_suspend;
  PartyChangeOptions party_reinstate;
  PartyChangeOptions party_rotate;
  ValidatorListOptions validator_list;
  ValidatorChangeOptions validator_add;
  ValidatorChangeOptions validator_promote;
  ValidatorChangeOptions validator_remove;
  VrsGetOptions vrs_get;
  VrsCheckOptions vrs_check;
  VrsBenchOptions vrs_bench;

  struct Commands {
    CLI::App* keygen = nullptr;
    CLI::App* genesis = nullptr;
    CLI::App* issue = nullptr;
    CLI::App* pharma = nullptr;
    CLI::App* precursor = nullptr;
    CLI::App* event = nullptr;
    CLI::App* revoke = nullptr;
    CLI::App* show = nullptr;
    CLI::App* audit = nullptr;
    CLI::App* checkpoint = nullptr;
    CLI::App* status = nullptr;
    CLI::App* backup = nullptr;
    CLI::App* verify = nullptr;
    CLI::App* trust_sync = nullptr;
    CLI::App* trust_show = nullptr;
    CLI::App* label = nullptr;
    CLI::App* bench = nullptr;
    CLI::App* notice_file = nullptr;
    CLI::App* notice_export = nullptr;
    CLI::App* party_list = nullptr;
    CLI::App* party_show = nullptr;
    CLI::App* party_add = nullptr;
    CLI::App* party_suspend = nullptr;
    CLI::App* party_reinstate = nullptr;
    CLI::App* party_rotate = nullptr;
    CLI::App* validator_list = nullptr;
    CLI::App* validator_add = nullptr;
    CLI::App* validator_promote = nullptr;
    CLI::App* validator_remove = nullptr;
    CLI::App* vrs_get = nullptr;
    CLI::App* vrs_check = nullptr;
    CLI::App* vrs_bench = nullptr;
  } commands;
};

// The app; `args` must outlive it (parsing writes into it).
std::unique_ptr<CLI::App> MakeApp(CliArgs& args);

// Runs the command `args.commands` says was parsed; its exit code.
int Dispatch(const CliArgs& args, const CommandEnv& env);

// Parses `argc`/`argv` with `app` (help and parse errors are printed by
// CLI11: 0 for --help, kExitUsage otherwise) and dispatches.
int ParseAndRun(CLI::App& app, const CliArgs& args, int argc, char** argv, const CommandEnv& env);

}  // namespace frontera::tools
