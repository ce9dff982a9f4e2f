#include "tools/cli_common.h"

#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "tools/exit_codes.h"
#include "tools/remote.h"

namespace frontera::tools {

int Fail(const CommandEnv& env, std::string_view what, const Status& status) {
  env.err << "frontera: " << what << ": " << DescribeError(status) << "\n";
  return ExitCodeFor(status);
}

int Usage(const CommandEnv& env, std::string_view message) {
  env.err << "frontera: " << message << "\n";
  return kExitUsage;
}

int FailDocument(const CommandEnv& env, std::string_view what, const Status& status,
                 const FlagsByPointer& flags) {
  int code = Fail(env, what, status);
  for (const FieldError& error : status.field_errors()) {
    auto flag = flags.find(error.pointer);
    if (flag != flags.end()) {
      env.err << "  (" << error.pointer << " comes from " << flag->second << ")\n";
    }
  }
  return code;
}

int FailOutput(const CommandEnv& env, std::string_view flag, const Status& status,
               std::string_view exists_note) {
  if (status.IsAlreadyExists()) {
    env.err << "frontera: " << flag << " " << status.message() << exists_note << "\n";
    return kExitCantCreate;
  }
  return Fail(env, flag, status);
}

Result<crypto::KeyPair> LoadKey(const std::string& path, std::string_view flag) {
  auto key = crypto::LoadKeyFile(path);
  if (!key.ok()) return key.status().WithContext(flag);
  return key;
}

Result<std::string> DidOfKeyFile(const std::string& path) {
  auto key = crypto::LoadKeyFile(path);
  if (!key.ok()) return key.status();
  return crypto::DidKeyFromPublicKey(key->public_key());
}

Result<std::string> DidOrKeyFile(const std::string& text) {
  if (text.starts_with("did:key:")) return text;
  return DidOfKeyFile(text);
}

std::string JsonText(const crypto::Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<std::string> PartyDidOrFail(const CommandEnv& env, std::string_view flag,
                                          const std::string& did, const std::string& key_file,
                                          int* exit_code) {
  const std::string key_flag = std::string(flag) + "-key";
  if (!did.empty() && !key_file.empty()) {
    *exit_code =
        Usage(env, "give " + std::string(flag) + " DID or " + key_flag + " FILE, not both");
    return std::nullopt;
  }
  if (key_file.empty()) return did;
  auto from_file = DidOfKeyFile(key_file);
  if (!from_file.ok()) {
    *exit_code = Fail(env, key_flag, from_file.status());
    return std::nullopt;
  }
  return *from_file;
}

std::string NowRfc3339(const CommandEnv& env) { return FormatRfc3339(env.clock.NowUnixMillis()); }

std::unique_ptr<Node> ConnectOrFail(const CommandEnv& env, const std::string& url, int* exit_code,
                                    const std::optional<crypto::KeyPair>& signing_key) {
  api::ClientOptions options;
  options.signing_key = signing_key;
  options.ca_file = env.ca_file;
  auto node = ConnectNode(env.nodes, url, options);
  if (!node.ok()) {
    *exit_code = Fail(env, "--node", node.status());
    return nullptr;
  }
  return std::move(*node);
}

int PostDocument(const CommandEnv& env, Node& node, const std::string& path,
                 const crypto::Json& document, bool json_output, const FlagsByPointer& flags) {
  auto answer = node.PostJson(path, document);
  if (!answer.ok()) {
    return FailDocument(env, "the node rejected the document (POST " + path + ")", answer.status(),
                        flags);
  }
  if (json_output) {
    env.out << answer->dump(2) << "\n";
  } else {
    env.out << RenderReceipt(*answer) << "\n";
  }
  return kExitOk;
}

}  // namespace frontera::tools
