// `frontera status`: every validator's view of the Raft cluster, gathered
// from their /v1/status (docs/cli.md#status).
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace frontera::tools {

// One validator as `frontera status` found it.
struct ValidatorStatus {
  std::string name;
  std::string api;  // its API URL from genesis
  std::string ops;  // the operational listener asked; empty: not asked
  bool reachable = false;
  std::string error;      // why not, when asked and unreachable
  nlohmann::json status;  // its GET /v1/status answer, when reachable
};

// The table printed by `frontera status`: one row per validator with its
// role, term, commit and applied indexes, replication lag (the leader's
// last index minus the validator's match index, when the leader answered;
// else commit - applied) and the leader's last contact with it. A
// validator not asked (no operational listener given) has role "not asked"
// and only what the leader reports of it.
std::string RenderClusterStatus(const std::vector<ValidatorStatus>& validators);

// The Raft membership as two lines, "voters: a, b, c\n" and
// "observers: d\n" ("none" for an empty list), from arrays of names (a
// /v1/status answer's raft.voters and raft.observers, or GET /v1/validators'
// voters and observers). Members that are not strings are skipped.
std::string RenderMembership(const nlohmann::json& voters, const nlohmann::json& observers);

// RenderMembership of a /v1/status answer's raft.voters and raft.observers;
// "" when the answer has no raft.voters array (a node from before the
// validators were on the ledger).
std::string RenderStatusMembership(const nlohmann::json& status);

// The same as JSON: {"leader": name|null, "validators": [{name, api, ops,
// asked, reachable, role, term, commit_index, applied_index, lag,
// last_contact_ms, error}]} (ops is null and role "not asked" for a
// validator not asked).
nlohmann::json ClusterStatusJson(const std::vector<ValidatorStatus>& validators);

}  // namespace frontera::tools
