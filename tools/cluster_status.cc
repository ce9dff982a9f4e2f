#include "tools/cluster_status.h"

#include <cstdio>
#include <sstream>

namespace frontera::tools {

namespace {

using Json = nlohmann::json;

// The leader's status, when one reachable validator says it leads.
const Json* LeaderStatus(const std::vector<ValidatorStatus>& validators) {
  for (const ValidatorStatus& v : validators) {
    if (v.reachable && v.status.value("role", "") == "leader") return &v.status;
  }
  return nullptr;
}

// The leader's view of `name`: its entry in the leader's raft.peers.
const Json* PeerView(const Json* leader, const std::string& name) {
  if (leader == nullptr || !leader->contains("raft")) return nullptr;
  const Json& raft = (*leader)["raft"];
  if (!raft.contains("peers") || !raft["peers"].is_array()) return nullptr;
  for (const Json& p : raft["peers"]) {
    if (p.value("name", "") == name) return &p;
  }
  return nullptr;
}

struct Row {
  std::string name, role, term, commit, applied, lag, contact, api;
};

// What the leader reports of a validator: its lag and last contact.
void FillFromLeader(Row& r, const Json* leader) {
  if (const Json* p = PeerView(leader, r.name)) {
    if (p->contains("lag")) r.lag = std::to_string((*p)["lag"].get<uint64_t>());
    if (p->contains("last_contact_ms") && !(*p)["last_contact_ms"].is_null()) {
      r.contact = std::to_string((*p)["last_contact_ms"].get<int64_t>()) + " ms ago";
    } else if (p->contains("last_contact_ms")) {
      r.contact = "never";
    }
  }
}

Row MakeRow(const ValidatorStatus& v, const Json* leader) {
  Row r{v.name, v.ops.empty() ? "not asked" : "unreachable", "-", "-", "-", "-", "-", v.api};
  if (v.ops.empty()) FillFromLeader(r, leader);
  if (!v.reachable) return r;
  const Json raft = v.status.value("raft", Json::object());
  r.role = v.status.value("role", "?");
  r.term = std::to_string(raft.value("term", uint64_t{0}));
  const uint64_t commit = raft.value("commit_index", uint64_t{0});
  const uint64_t applied = raft.value("applied_index", uint64_t{0});
  r.commit = std::to_string(commit);
  r.applied = std::to_string(applied);
  r.lag = std::to_string(commit >= applied ? commit - applied : 0);
  FillFromLeader(r, leader);
  if (r.role == "leader") r.contact = "(leader)";
  return r;
}

}  // namespace

std::string RenderClusterStatus(const std::vector<ValidatorStatus>& validators) {
  const Json* leader = LeaderStatus(validators);
  std::vector<Row> rows = {
      {"VALIDATOR", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "LAST CONTACT", "API"}};
  for (const ValidatorStatus& v : validators) rows.push_back(MakeRow(v, leader));
  std::vector<size_t> widths(8, 0);
  for (const Row& r : rows) {
    const std::string* cells[] = {&r.name,    &r.role, &r.term,    &r.commit,
                                  &r.applied, &r.lag,  &r.contact, &r.api};
    for (size_t i = 0; i < 8; ++i) widths[i] = std::max(widths[i], cells[i]->size());
  }
  std::ostringstream out;
  for (const Row& r : rows) {
    const std::string* cells[] = {&r.name,    &r.role, &r.term,    &r.commit,
                                  &r.applied, &r.lag,  &r.contact, &r.api};
    for (size_t i = 0; i < 8; ++i) {
      out << *cells[i];
      if (i + 1 < 8) out << std::string(widths[i] - cells[i]->size() + 2, ' ');
    }
    out << "\n";
  }
  std::string not_asked;
  for (const ValidatorStatus& v : validators) {
    if (v.ops.empty()) {
      not_asked += (not_asked.empty() ? "" : ", ") + v.name;
    } else if (!v.reachable) {
      out << v.name << ": " << v.error << "\n";
    }
  }
  if (!not_asked.empty()) {
    out << "not asked (no operational listener given with --ops or --ops-dir): " << not_asked
        << "\n";
  }
  if (leader == nullptr) out << "no validator answered as leader\n";
  return out.str();
}

std::string RenderMembership(const Json& voters, const Json& observers) {
  auto names = [](const Json& list) {
    std::string out;
    if (list.is_array()) {
      for (const Json& name : list) {
        if (name.is_string()) out += (out.empty() ? "" : ", ") + name.get<std::string>();
      }
    }
    return out.empty() ? std::string("none") : out;
  };
  return "voters: " + names(voters) + "\nobservers: " + names(observers) + "\n";
}

std::string RenderStatusMembership(const Json& status) {
  if (!status.is_object() || !status.contains("raft") || !status["raft"].is_object()) return "";
  const Json& raft = status["raft"];
  if (!raft.contains("voters") || !raft["voters"].is_array()) return "";
  return RenderMembership(raft["voters"], raft.value("observers", Json::array()));
}

Json ClusterStatusJson(const std::vector<ValidatorStatus>& validators) {
  const Json* leader = LeaderStatus(validators);
  std::string leader_name;
  for (const ValidatorStatus& v : validators) {
    if (leader != nullptr && &v.status == leader) leader_name = v.name;
  }
  Json out = {{"leader", leader ? Json(leader_name) : Json(nullptr)},
              {"validators", Json::array()}};
  for (const ValidatorStatus& v : validators) {
    Row r = MakeRow(v, leader);
    Json j = {{"name", v.name},
              {"api", v.api},
              {"ops", v.ops.empty() ? Json(nullptr) : Json(v.ops)},
              {"asked", !v.ops.empty()},
              {"reachable", v.reachable}};
    if (v.ops.empty()) {
      j["role"] = r.role;
      const Json* p = PeerView(leader, v.name);
      if (p != nullptr && p->contains("lag")) j["lag"] = (*p)["lag"];
      j["last_contact_ms"] =
          p && p->contains("last_contact_ms") ? (*p)["last_contact_ms"] : Json(nullptr);
    } else if (!v.reachable) {
      j["error"] = v.error;
    } else {
      const Json raft = v.status.value("raft", Json::object());
      j["role"] = r.role;
      j["term"] = raft.value("term", uint64_t{0});
      j["commit_index"] = raft.value("commit_index", uint64_t{0});
      j["applied_index"] = raft.value("applied_index", uint64_t{0});
      j["lag"] = std::stoull(r.lag);
      const Json* p = PeerView(leader, v.name);
      j["last_contact_ms"] =
          p && p->contains("last_contact_ms") ? (*p)["last_contact_ms"] : Json(nullptr);
    }
    out["validators"].push_back(std::move(j));
  }
  return out;
}

}  // namespace frontera::tools
