#include "tools/genesis_builder.h"

#include <toml++/toml.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <utility>

#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "ledger/genesis.h"
#include "tools/files.h"

namespace frontera::tools {
namespace {

using crypto::Json;

// Collects "file:line: reason" messages; the first few are reported together
// so that one run shows most mistakes of a description.
class Problems {
 public:
  explicit Problems(const std::string& source_path) : source_path_(source_path) {}

  void Add(const toml::source_region& where, const std::string& reason) {
    std::string at = source_path_;
    if (where.begin.line > 0) at += ":" + std::to_string(where.begin.line);
    errors_.push_back(at + ": " + reason);
  }
  bool empty() const { return errors_.empty(); }
  Status ToStatus() const {
    std::string message;
    for (const std::string& e : errors_) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }

 private:
  std::string source_path_;
  std::vector<std::string> errors_;
};

// A string value at `key` of `table`; records a problem when it is missing (if
// required) or not a string.
std::optional<std::string> GetString(const toml::table& table, std::string_view key, bool required,
                                     std::string_view what, Problems& problems) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    if (required) {
      problems.Add(table.source(),
                   std::string(what) + ": missing `" + std::string(key) + " = \"…\"`");
    }
    return std::nullopt;
  }
  if (const auto* s = node->as_string()) return s->get();
  problems.Add(node->source(), std::string(what) + ": `" + std::string(key) + "` must be a string");
  return std::nullopt;
}

// `max_bundle_age`: a duration "<n>d", "<n>h", "<n>min" or "<n>s" (or a
// whole number of seconds), in seconds; ParseGenesis checks the range.
std::optional<uint64_t> GetDuration(const toml::node& node, Problems& problems) {
  if (const auto* n = node.as_integer()) {
    if (n->get() >= 0) return static_cast<uint64_t>(n->get());
  } else if (const auto* s = node.as_string()) {
    const std::string& text = s->get();
    size_t digits = 0;
    while (digits < text.size() && digits < 12 && text[digits] >= '0' && text[digits] <= '9') {
      ++digits;
    }
    const std::string unit = text.substr(digits);
    const uint64_t scale = unit == "d"     ? 86400
                           : unit == "h"   ? 3600
                           : unit == "min" ? 60
                           : unit == "s"   ? 1
                                           : 0;
    if (digits > 0 && digits < 12 && scale != 0) return std::stoull(text.substr(0, digits)) * scale;
  }
  problems.Add(node.source(),
               "`max_bundle_age` must be a duration such as \"7d\", \"36h\", \"90min\" or "
               "\"3600s\"");
  return std::nullopt;
}

// The did of an entry: its `did`, or the did of the key file named by `key`
// (relative to `base_dir`). Exactly one of them must be given.
std::optional<std::string> EntryDid(const toml::table& table, std::string_view what,
                                    const std::filesystem::path& base_dir, Problems& problems) {
  auto did = GetString(table, "did", false, what, problems);
  auto key = GetString(table, "key", false, what, problems);
  if (did && key) {
    problems.Add(table.source(), std::string(what) + ": give either `key` or `did`, not both");
    return std::nullopt;
  }
  if (did) {
    if (!crypto::PublicKeyFromDidKey(*did).ok()) {
      problems.Add(table.get("did")->source(),
                   std::string(what) + ": `did` must be an Ed25519 did:key (did:key:z6Mk…)");
      return std::nullopt;
    }
    return did;
  }
  if (key) {
    std::filesystem::path path(*key);
    if (path.is_relative()) path = base_dir / path;
    auto loaded = crypto::LoadKeyFile(path.string());
    if (!loaded.ok()) {
      problems.Add(table.get("key")->source(),
                   std::string(what) + ": cannot use key file: " + loaded.status().ToString());
      return std::nullopt;
    }
    return crypto::DidKeyFromPublicKey(loaded->public_key());
  }
  problems.Add(table.source(), std::string(what) + ": missing `key = \"path\"` or `did = \"…\"`");
  return std::nullopt;
}

// The tables of the array of tables `key` ([[key]]).
std::vector<const toml::table*> TablesOf(const toml::table& root, std::string_view key,
                                         Problems& problems) {
  std::vector<const toml::table*> tables;
  const toml::node* node = root.get(key);
  if (node == nullptr) return tables;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    problems.Add(node->source(), "`" + std::string(key) + "` must be written as [[" +
                                     std::string(key) + "]] tables");
    return tables;
  }
  for (const toml::node& element : *array) {
    if (const toml::table* table = element.as_table()) {
      tables.push_back(table);
    } else {
      problems.Add(element.source(), "each `" + std::string(key) + "` must be a table");
    }
  }
  return tables;
}

}  // namespace

Result<Json> BuildGenesisJson(std::string_view toml_text, const std::string& source_path) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_path);
  } catch (const toml::parse_error& error) {
    // toml++ reports the position of the syntax error (TOML v1.0.0).
    return Status::InvalidArgument(source_path + ":" + std::to_string(error.source().begin.line) +
                                   ":" + std::to_string(error.source().begin.column) + ": " +
                                   std::string(error.description()));
  }
  Problems problems(source_path);
  std::filesystem::path base_dir = std::filesystem::path(source_path).parent_path();

  Json genesis = Json::object();
  for (const char* key : {"network", "resolver", "created"}) {
    if (auto value = GetString(root, key, true, "top level", problems)) genesis[key] = *value;
  }
  if (const toml::node* age = root.get("max_bundle_age")) {
    if (auto seconds = GetDuration(*age, problems)) genesis["max_bundle_age_seconds"] = *seconds;
  }
  if (const toml::node* quorum = root.get("witness_quorum")) {
    if (const auto* n = quorum->as_integer(); n != nullptr && n->get() >= 0) {
      genesis["witness_quorum"] = n->get();
    } else {
      problems.Add(quorum->source(), "`witness_quorum` must be a whole number (0 or more)");
    }
  }
  static constexpr std::string_view kKnownTop[] = {"network",   "resolver",      "created",
                                                   "validator", "party",         "max_bundle_age",
                                                   "witness",   "witness_quorum"};
  for (const auto& [key, node] : root) {
    bool known = false;
    for (std::string_view k : kKnownTop) known = known || key.str() == k;
    if (!known) problems.Add(node.source(), "unknown key `" + std::string(key.str()) + "`");
  }

  Json validators = Json::array();
  std::vector<const toml::table*> validator_tables = TablesOf(root, "validator", problems);
  if (validator_tables.empty() && root.get("validator") == nullptr) {
    problems.Add(root.source(), "at least one [[validator]] is required");
  }
  for (size_t i = 0; i < validator_tables.size(); ++i) {
    const toml::table& t = *validator_tables[i];
    std::string what = "validator #" + std::to_string(i + 1);
    Json v = Json::object();
    if (auto name = GetString(t, "name", true, what, problems)) {
      v["name"] = *name;
      what = "validator \"" + *name + "\"";
    }
    if (auto did = EntryDid(t, what, base_dir, problems)) v["did"] = *did;
    if (auto api = GetString(t, "api", true, what, problems)) v["api"] = *api;
    if (auto peer = GetString(t, "peer", false, what, problems)) v["peer"] = *peer;
    validators.push_back(std::move(v));
  }
  genesis["validators"] = std::move(validators);

  Json parties = Json::array();
  std::vector<const toml::table*> party_tables = TablesOf(root, "party", problems);
  for (const toml::table* table : party_tables) {
    const toml::table& t = *table;
    std::string what = "party #" + std::to_string(parties.size() + 1);
    Json p = Json::object();
    if (auto name = GetString(t, "name", true, what, problems)) {
      p["name"] = *name;
      what = "party \"" + *name + "\"";
    }
    if (auto did = EntryDid(t, what, base_dir, problems)) p["did"] = *did;
    if (auto role = GetString(t, "role", true, what, problems)) {
      if (!ledger::RoleFromName(*role)) {
        problems.Add(t.get("role")->source(),
                     what +
                         ": role must be one of manufacturer, shipper, carrier, distributor, "
                         "pharmacy, importer, agency");
      }
      p["role"] = *role;
    }
    if (auto country = GetString(t, "country", true, what, problems)) p["country"] = *country;
    if (auto gln = GetString(t, "gln", false, what, problems)) p["gln"] = *gln;
    if (const toml::node* node = t.get("prefixes")) {
      const toml::array* array = node->as_array();
      Json prefixes = Json::array();
      if (array == nullptr) {
        problems.Add(node->source(), what + ": `prefixes` must be an array of strings");
      } else {
        for (const toml::node& element : *array) {
          if (const auto* s = element.as_string()) {
            prefixes.push_back(s->get());
          } else {
            problems.Add(element.source(), what + ": each prefix must be a string of digits");
          }
        }
      }
      p["prefixes"] = std::move(prefixes);
    }
    if (t.get("licence") != nullptr) {
      Json licences = Json::array();
      for (const toml::table* l : TablesOf(t, "licence", problems)) {
        const std::string lwhat = what + " licence";
        Json licence = Json::object();
        for (const auto& [key, member] :
             {std::pair{"cas", "casRn"}, std::pair{"number", "number"},
              std::pair{"valid_from", "validFrom"}, std::pair{"valid_until", "validUntil"}}) {
          // Dates may be TOML dates (2026-01-01) or strings.
          const toml::node* node = l->get(key);
          if (const auto* date = node ? node->as_date() : nullptr) {
            char text[16];
            std::snprintf(text, sizeof text, "%04d-%02d-%02d", static_cast<int>(date->get().year),
                          static_cast<int>(date->get().month), static_cast<int>(date->get().day));
            licence[member] = text;
          } else if (auto value = GetString(*l, key, true, lwhat, problems)) {
            licence[member] = *value;
          }
        }
        licences.push_back(std::move(licence));
      }
      p["licences"] = std::move(licences);
    }
    parties.push_back(std::move(p));
  }
  genesis["parties"] = std::move(parties);

  // [[witness]]: name, key (its verifier key), url (docs/formats.md §17).
  std::vector<const toml::table*> witness_tables = TablesOf(root, "witness", problems);
  if (!witness_tables.empty()) {
    Json witnesses = Json::array();
    for (size_t i = 0; i < witness_tables.size(); ++i) {
      const std::string what = "witness #" + std::to_string(i + 1);
      Json w = Json::object();
      for (const char* key : {"name", "key", "url"}) {
        if (auto value = GetString(*witness_tables[i], key, true, what, problems)) w[key] = *value;
      }
      witnesses.push_back(std::move(w));
    }
    genesis["witnesses"] = std::move(witnesses);
  }
  if (!problems.empty()) return problems.ToStatus();

  // The description is only a convenience: the ledger's own parser decides
  // what a genesis is, so check the result with it before anyone signs on it.
  auto parsed = ledger::ParseGenesis(genesis);
  if (!parsed.ok()) {
    // Map each field error back to the TOML table it came from, so the user
    // is told which line to fix (e.g. a GLN with a wrong check digit).
    Problems mapped(source_path);
    for (const FieldError& error : parsed.status().field_errors()) {
      toml::source_region where = root.source();
      auto index_after = [&](std::string_view prefix) -> std::optional<size_t> {
        if (error.pointer.rfind(prefix, 0) != 0) return std::nullopt;
        size_t index = 0;
        size_t pos = prefix.size();
        if (pos >= error.pointer.size()) return std::nullopt;
        for (; pos < error.pointer.size() && error.pointer[pos] != '/'; ++pos) {
          char c = error.pointer[pos];
          if (c < '0' || c > '9') return std::nullopt;
          index = index * 10 + static_cast<size_t>(c - '0');
        }
        return index;
      };
      if (auto i = index_after("/validators/"); i && *i < validator_tables.size()) {
        where = validator_tables[*i]->source();
      } else if (auto j = index_after("/parties/"); j && *j < party_tables.size()) {
        where = party_tables[*j]->source();
      } else if (auto k = index_after("/witnesses/"); k && *k < witness_tables.size()) {
        where = witness_tables[*k]->source();
      } else if (error.pointer == "/max_bundle_age_seconds") {
        if (const toml::node* node = root.get("max_bundle_age")) where = node->source();
      } else if (!error.pointer.empty()) {
        if (const toml::node* node = root.get(error.pointer.substr(1))) where = node->source();
      }
      mapped.Add(where, "genesis " + error.pointer + ": " + error.reason);
    }
    if (mapped.empty()) return parsed.status().WithContext(source_path);
    return mapped.ToStatus();
  }
  return genesis;
}

Result<Json> BuildGenesisFromFile(const std::string& path) {
  FRONTERA_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return BuildGenesisJson(text, path);
}

}  // namespace frontera::tools
