// docs/alerts.yml against a real network: three validators are scraped
// (GET /metrics) while healthy and in fault states, and the scraped samples
// become a `promtool test rules` file. Each scrape is one sample of the input
// series, one minute apart in the rule test's time, so a few seconds of real
// scrapes stand for the minutes the rules' windows and `for` clauses need.
//
// The faults: a follower cut off from its peers (FronteraNoLeader and
// FronteraCheckpointStalled on it, FronteraPeerDown on every node,
// FronteraLagGrowing on the leader for that peer, while the two others keep
// committing), then that follower restarted with ops.disk_free_alert_bytes
// above the free space of any disk (FronteraDiskFilling: the real free
// space against the node's own threshold). The apply-lag half of
// FronteraLagGrowing has no real fault here: nothing slows an apply thread.
//
// Every exposition is also checked: each family has HELP and TYPE before its
// samples, and `promtool check metrics` accepts it. promtool comes from the
// Debian package prometheus (scripts/deps.sh); without it the test fails.
#include <doctest/doctest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "tests/e2e/cluster.h"

namespace frontera::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// A sample: its name and label block as written ("{a=\"b\"}" or ""), value.
struct Sample {
  std::string name;
  std::string labels;
  std::string value;
};

// Parses an exposition, checking what the text format 0.0.4 and our
// convention require: every sample belongs to a family announced by a HELP
// and a TYPE line before it; histogram samples are _bucket, _sum, _count.
std::vector<Sample> ParseExposition(const std::string& text, const std::string& node) {
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::vector<Sample> samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    INFO(node << ": " << line);
    if (line.empty()) continue;
    if (line.starts_with("# HELP ")) {
      const std::string rest = line.substr(7);
      const size_t space = rest.find(' ');
      REQUIRE(space != std::string::npos);  // a help text follows the name
      REQUIRE(space + 1 < rest.size());
      helped.insert(rest.substr(0, space));
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      CHECK((type == "counter" || type == "gauge" || type == "histogram"));
      CHECK(types.count(name) == 0);  // one TYPE line per family
      types[name] = type;
      continue;
    }
    REQUIRE(line[0] != '#');
    Sample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (i < line.size() && line[i] == '{') {
      const size_t open = i;
      bool quoted = false;
      for (; i < line.size(); ++i) {
        if (quoted && line[i] == '\\') {
          ++i;
        } else if (line[i] == '"') {
          quoted = !quoted;
        } else if (!quoted && line[i] == '}') {
          break;
        }
      }
      REQUIRE(i < line.size());
      s.labels = line.substr(open, i - open + 1);
      ++i;
    }
    REQUIRE(i < line.size());
    REQUIRE(line[i] == ' ');
    s.value = line.substr(i + 1);
    char* end = nullptr;
    std::strtod(s.value.c_str(), &end);
    CHECK((*end == '\0' && !s.value.empty()));
    std::string family = s.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (family.ends_with(suffix)) {
        const std::string base = family.substr(0, family.size() - std::strlen(suffix));
        if (types.count(base) && types[base] == "histogram") family = base;
      }
    }
    CHECK_MESSAGE(helped.count(family), "no HELP before a sample of " << family);
    CHECK_MESSAGE(types.count(family), "no TYPE before a sample of " << family);
    samples.push_back(std::move(s));
  }
  return samples;
}

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// What the scrapes of one phase saw: per node name, one parsed exposition per
// scrape.
using Scrapes = std::map<std::string, std::vector<std::vector<Sample>>>;

// Issues credentials to the nodes marked up, one at a time, until stopped.
class Issuer {
 public:
  explicit Issuer(TestCluster& cluster) : cluster_(cluster) {
    for (int i = 0; i < cluster.size(); ++i) up_[i] = true;
    thread_ = std::thread([this] { Run(); });
  }
  ~Issuer() {
    stop_ = true;
    thread_.join();
  }
  void SetUp(int node, bool up) { up_[node] = up; }

 private:
  void Run() {
    for (uint64_t n = 0; !stop_; ++n) {
      const int node = static_cast<int>(n % static_cast<uint64_t>(cluster_.size()));
      if (!up_[node]) continue;
      auto answer = cluster_.Client(node, 5000)
                        ->PostJson("/v1/certificates", ProductCredential("A" + std::to_string(n)));
      if (!answer.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  TestCluster& cluster_;
  std::atomic<bool> stop_{false};
  std::array<std::atomic<bool>, 3> up_{};
  std::thread thread_;
};

class AlertsFixture {
 public:
  AlertsFixture() : promtool_(FindOnPath("promtool")), cluster_(3) {
    REQUIRE_MESSAGE(!promtool_.empty(),
                    "promtool not found: install the Debian package prometheus (scripts/deps.sh)");
  }

  TestCluster& cluster() { return cluster_; }

  std::string Metrics(int i) {
    auto answer = cluster_.OpsClient(i, 5000)->GetText("/metrics");
    REQUIRE_MESSAGE(answer.ok(), answer.status().ToString());
    return *answer;
  }

  // The value of `name` with exactly `labels` on node i, or nullopt.
  std::optional<double> Value(int i, const std::string& name, const std::string& labels = "") {
    for (const Sample& s : ParseExposition(Metrics(i), cluster_.name(i))) {
      if (s.name == name && s.labels == labels) return std::strtod(s.value.c_str(), nullptr);
    }
    return std::nullopt;
  }

  // Waits until `done` holds, up to `timeout_ms`.
  template <typename F>
  bool WaitFor(F done, int timeout_ms = 20000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // `count` scrapes of the nodes in `nodes`, `gap_ms` apart; each exposition
  // is also checked by promtool check metrics.
  Scrapes Scrape(const std::vector<int>& nodes, int count, int gap_ms = 200) {
    Scrapes out;
    for (int k = 0; k < count; ++k) {
      for (int i : nodes) {
        const std::string text = Metrics(i);
        if (k == 0) CheckWithPromtool(text, cluster_.name(i));
        out[cluster_.name(i)].push_back(ParseExposition(text, cluster_.name(i)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
    }
    return out;
  }

  void CheckWithPromtool(const std::string& text, const std::string& node) {
    const std::string path = cluster_.dir() + "/metrics-" + node + ".txt";
    std::ofstream(path) << text;
    std::string output;
    const int rc = RunCommand({"/bin/sh", "-c", promtool_ + " check metrics < " + path}, &output);
    CHECK_MESSAGE(rc == 0, node << ": promtool check metrics: " << output);
  }

  // Runs `promtool test rules` on a file of `groups` against docs/alerts.yml.
  void TestRules(const std::string& groups) {
    const std::string path = cluster_.dir() + "/alerts_test.yml";
    std::ofstream(path) << "rule_files:\n  - " << FRONTERA_SOURCE_DIR << "/docs/alerts.yml\n"
                        << "evaluation_interval: 1m\ntests:\n"
                        << groups;
    std::string output;
    const int rc = RunCommand({promtool_, "test", "rules", path}, &output);
    CHECK_MESSAGE(rc == 0, "promtool test rules " << path << ":\n" << output);
  }

 private:
  std::string promtool_;
  TestCluster cluster_;
};

// The annotations of each alert of docs/alerts.yml, as written there
// ("summary" and "runbook" lines, YAML scalars kept verbatim).
std::map<std::string, std::map<std::string, std::string>> AlertAnnotations() {
  std::ifstream in(std::string(FRONTERA_SOURCE_DIR) + "/docs/alerts.yml");
  REQUIRE(in.good());
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string line, alert;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    const std::string trimmed = line.substr(first);
    if (trimmed.starts_with("- alert: ")) alert = trimmed.substr(9);
    for (const char* key : {"summary", "runbook"}) {
      const std::string prefix = std::string(key) + ": ";
      if (trimmed.starts_with(prefix)) out[alert][key] = trimmed.substr(prefix.size());
    }
  }
  return out;
}

const char* const kAlerts[] = {"FronteraNoLeader", "FronteraPeerDown", "FronteraLagGrowing",
                               "FronteraCheckpointStalled", "FronteraDiskFilling"};

// One promtool test group: every sample of `scrapes` as an input series
// (labels instance=<node>, job="frontera"; "_" where a scrape lacked it), and
// at the last scrape's time each alert of kAlerts expected to fire exactly
// for the label sets `firing` gives it (none for the others).
std::string TestGroup(
    const std::string& name, const Scrapes& scrapes,
    const std::map<std::string, std::vector<std::map<std::string, std::string>>>& firing,
    const std::set<std::string>& families = {}) {
  static const auto annotations = AlertAnnotations();
  std::ostringstream out;
  out << "  - name: " << name << "\n    interval: 1m\n    input_series:\n";
  size_t scrape_count = 0;
  for (const auto& [node, list] : scrapes) {
    scrape_count = list.size();
    // series selector → values per scrape
    std::map<std::string, std::vector<std::string>> series;
    for (size_t k = 0; k < list.size(); ++k) {
      for (const Sample& s : list[k]) {
        if (!families.empty() && !families.count(s.name)) continue;
        std::string labels = s.labels.empty() ? "{" : s.labels.substr(0, s.labels.size() - 1) + ",";
        labels += "instance=\"" + node + "\",job=\"frontera\"}";
        auto& values = series[s.name + labels];
        values.resize(list.size(), "_");
        values[k] = s.value;
      }
    }
    for (const auto& [selector, values] : series) {
      std::string quoted;
      for (char c : selector) quoted += c == '\'' ? std::string("''") : std::string(1, c);
      out << "      - series: '" << quoted << "'\n        values: '";
      for (size_t k = 0; k < values.size(); ++k) out << (k ? " " : "") << values[k];
      out << "'\n";
    }
  }
  out << "    alert_rule_test:\n";
  for (const char* alert : kAlerts) {
    out << "      - alertname: " << alert << "\n        eval_time: " << scrape_count - 1
        << "m\n        exp_alerts:";
    auto it = firing.find(alert);
    if (it == firing.end() || it->second.empty()) {
      out << " []\n";
      continue;
    }
    out << "\n";
    REQUIRE(annotations.count(alert));
    for (const auto& labels : it->second) {
      out << "          - exp_labels:\n";
      for (const auto& [k, v] : labels) out << "              " << k << ": \"" << v << "\"\n";
      out << "              job: \"frontera\"\n            exp_annotations:\n";
      for (const auto& [k, v] : annotations.at(alert))
        out << "              " << k << ": " << v << "\n";
    }
  }
  return out.str();
}

TEST_CASE("docs/alerts.yml: each alert fires on a real network's metrics, none while healthy") {
  AlertsFixture f;
  TestCluster& cluster = f.cluster();
  const auto started = Clock::now();
  cluster.StartAll();
  std::optional<int> leader = cluster.WaitForLeader();
  REQUIRE(leader);
  const int cut = (*leader + 1) % 3;  // a follower
  const std::string cut_name = cluster.name(cut);
  std::vector<int> all = {0, 1, 2};
  std::string groups;
  {
    Issuer issuer(cluster);
    // Healthy, under load: every link up, every node applied something.
    REQUIRE(f.WaitFor([&] {
      for (int i : all) {
        if (f.Value(i, "frontera_peers_connected") != 2.0) return false;
        if (f.Value(i, "frontera_checkpoint_cosigned_tree_size").value_or(0) < 1) return false;
      }
      return true;
    }));
    // 11 scrapes: 10 minutes of rule time, enough for every window and `for`.
    groups += TestGroup("healthy", f.Scrape(all, 11), {});

    // A follower cut off from both peers while the others keep committing.
    issuer.SetUp(cut, false);
    cluster.Isolate(cut, true);
    const std::string cut_peer = "{peer=\"" + cut_name + "\"}";
    REQUIRE(f.WaitFor([&] {
      if (f.Value(cut, "frontera_raft_leader_known") != 0.0) return false;
      for (int i : all) {
        if (f.Value(i, "frontera_peers_connected") != (i == cut ? 0.0 : 1.0)) return false;
      }
      // The rule wants the lag above 10 entries for its whole window.
      return f.Value(*leader, "frontera_raft_peer_lag_entries", cut_peer).value_or(0) > 12;
    }));
    const Scrapes isolated = f.Scrape(all, 11);
    std::map<std::string, std::vector<std::map<std::string, std::string>>> firing;
    auto labels = [](const std::string& node, const std::string& severity,
                     const std::string& peer = "") {
      std::map<std::string, std::string> l = {{"instance", node}, {"severity", severity}};
      if (!peer.empty()) l["peer"] = peer;
      return l;
    };
    firing["FronteraNoLeader"] = {labels(cut_name, "critical")};
    for (int i : all) {
      for (int j : all) {
        if (i != j && (i == cut || j == cut)) {
          firing["FronteraPeerDown"].push_back(labels(cluster.name(i), "warning", cluster.name(j)));
        }
      }
    }
    firing["FronteraLagGrowing"] = {labels(cluster.name(*leader), "warning", cut_name)};
    firing["FronteraCheckpointStalled"] = {labels(cut_name, "warning")};
    groups += TestGroup("follower cut off", isolated, firing);
    cluster.Isolate(cut, false);
  }

  // The same follower restarted with a disk alert threshold above any
  // filesystem's free space: the real free space is below it.
  cluster.Terminate(cut);
  std::ofstream(cluster.dir() + "/" + cut_name + ".toml", std::ios::app)
      << "[ops]\ndisk_free_alert_bytes = " << (int64_t{1} << 60) << "\n";
  cluster.Start(cut);
  const Scrapes disk = f.Scrape(all, 7);
  for (const auto& [node, list] : disk) {
    INFO(node);
    for (const auto& samples : list) {
      bool free_seen = false;
      for (const Sample& s : samples) free_seen |= s.name == "frontera_data_dir_free_bytes";
      CHECK(free_seen);
    }
  }
  groups +=
      TestGroup("disk filling", disk,
                {{"FronteraDiskFilling", {{{"instance", cut_name}, {"severity", "critical"}}}}},
                {"frontera_data_dir_free_bytes", "frontera_data_dir_free_alert_bytes"});
  f.TestRules(groups);
  MESSAGE("alerts test took "
          << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()
          << " ms after the cluster was written");
}

}  // namespace
}  // namespace frontera::e2e
