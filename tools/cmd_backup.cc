#include "tools/cmd_backup.h"

#include <memory>
#include <utility>

#include "api/problem.h"
#include "tools/node_api.h"

namespace frontera::tools {

using crypto::Json;

int RunBackup(const BackupOptions& options, const CommandEnv& env) {
  api::ClientOptions client;
  client.ca_file = env.ca_file;
  // Checkpoints flush the stores first: seconds on a large ledger.
  client.read_timeout_ms = 600'000;
  auto transport = env.nodes.Connect(options.ops, client);
  if (!transport.ok()) return Fail(env, "--ops " + options.ops, transport.status());
  Node ops(options.ops, std::move(*transport));
  Result<Json> answer = ops.PostEmpty("/v1/backup");
  if (!answer.ok()) return Fail(env, "POST " + options.ops + "/v1/backup", answer.status());
  if (options.json) {
    env.out << answer->dump(2) << "\n";
    return kExitOk;
  }
  if (!answer->is_object() || JsonText(*answer, "path").empty()) {
    return Fail(env, "POST " + options.ops + "/v1/backup",
                Status::InvalidArgument("the answer names no backup \"path\""));
  }
  // A member that is missing or not a number reads "?".
  auto number = [](const Json& object, const char* key) -> std::string {
    if (!object.is_object() || !object.contains(key) || !object[key].is_number_unsigned()) {
      return "?";
    }
    return std::to_string(object[key].get<uint64_t>());
  };
  const Json ledger = answer->value("ledger", Json::object());
  env.out << "backup of " << JsonText(*answer, "validator") << " written to "
          << JsonText(*answer, "path") << " on its host (block " << number(ledger, "block_height")
          << ", tree size " << number(ledger, "tree_size") << ", Raft log index "
          << number(ledger, "applied_index") << ") in " << number(*answer, "took_ms") << " ms\n";
  if (const Json& removed = (*answer)["removed"]; removed.is_array() && !removed.empty()) {
    env.out << "removed " << removed.size() << " older backup(s) ([backup] keep_max)\n";
  }
  env.out << "keep separately (not in the backup):\n";
  if (const Json& keep = (*answer)["keep_separately"]; keep.is_object()) {
    for (const auto& [what, where] : keep.items()) {
      if (!where.is_string() || where.get<std::string>().empty()) continue;
      env.out << "  " << what << "  " << where.get<std::string>() << "\n";
    }
  }
  env.out << "restore: docs/operations.md#restore\n";
  return kExitOk;
}

}  // namespace frontera::tools
