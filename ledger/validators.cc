// Validator records (ledger/validators.h).
#include "ledger/validators.h"

#include <string>

#include "crypto/did_key.h"
#include "crypto/sha256.h"

namespace frontera::ledger {

using crypto::Json;

std::string_view ValidatorRoleName(ValidatorRole role) {
  return role == ValidatorRole::kVoter ? "voter" : "observer";
}

std::string_view ValidatorStatusName(ValidatorStatus status) {
  return status == ValidatorStatus::kActive ? "active" : "removed";
}

Json ValidatorRecord::ToJson() const {
  Json j = {{"name", name},
            {"did", did},
            {"role", std::string(ValidatorRoleName(role))},
            {"status", std::string(ValidatorStatusName(status))},
            {"raft_id", raft_id},
            {"leaf_index", leaf_index},
            {"changed_by", changed_by},
            {"history", history}};
  if (!peer.empty()) j["peer"] = peer;
  if (!api.empty()) j["api"] = api;
  return j;
}

Result<ValidatorRecord> ValidatorRecord::FromJson(const Json& json) {
  const auto corrupt = [] { return Status::Corruption("a stored validator record is malformed"); };
  if (!json.is_object() || !json["name"].is_string() || !json["did"].is_string() ||
      !json["role"].is_string() || !json["status"].is_string() ||
      !json["raft_id"].is_number_unsigned() || !json["leaf_index"].is_number_unsigned() ||
      !json["changed_by"].is_array()) {
    return corrupt();
  }
  ValidatorRecord r;
  r.name = json["name"].get<std::string>();
  r.did = json["did"].get<std::string>();
  auto key = crypto::PublicKeyFromDidKey(r.did);
  if (!key.ok()) return corrupt();
  r.public_key = *key;
  const std::string role = json["role"].get<std::string>();
  const std::string status = json["status"].get<std::string>();
  if ((role != "voter" && role != "observer") || (status != "active" && status != "removed")) {
    return corrupt();
  }
  r.role = role == "voter" ? ValidatorRole::kVoter : ValidatorRole::kObserver;
  r.status = status == "active" ? ValidatorStatus::kActive : ValidatorStatus::kRemoved;
  r.raft_id = json["raft_id"].get<uint64_t>();
  r.leaf_index = json["leaf_index"].get<uint64_t>();
  for (const Json& by : json["changed_by"]) {
    if (!by.is_string()) return corrupt();
    r.changed_by.push_back(by.get<std::string>());
  }
  if (json.contains("history")) {
    if (!json["history"].is_array()) return corrupt();
    r.history = json["history"];
  }
  r.peer = json.value("peer", "");
  r.api = json.value("api", "");
  return r;
}

uint64_t GenesisRaftId(size_t position) { return position + 1; }

uint64_t RaftIdForDid(std::string_view did) {
  const crypto::Sha256Digest h = crypto::Sha256(did);
  uint64_t low = 0;
  for (int i = 0; i < 4; ++i) low = (low << 8) | h[i];
  return (uint64_t{1} << 32) + low;
}

Status CheckPeerAddress(std::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("must be host:port");
  }
  std::string_view host = address.substr(0, colon);
  const std::string_view port = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return Status::InvalidArgument("must be host:port");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return Status::InvalidArgument("an IPv6 host must be in brackets: [host]:port");
  }
  if (host.size() > 253) return Status::InvalidArgument("the host is longer than 253 characters");
  for (char c : host) {
    if (c <= ' ' || c > '~') return Status::InvalidArgument("the host must be visible ASCII");
  }
  if (port.empty() || port.size() > 5) return Status::InvalidArgument("the port must be 1..65535");
  uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return Status::InvalidArgument("the port must be 1..65535");
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value == 0 || value > 65535 || port[0] == '0') {
    return Status::InvalidArgument("the port must be 1..65535");
  }
  return Status::Ok();
}

std::vector<ValidatorRecord> GenesisValidators(const Genesis& genesis) {
  std::vector<ValidatorRecord> out;
  for (size_t i = 0; i < genesis.validators.size(); ++i) {
    const Validator& v = genesis.validators[i];
    ValidatorRecord r;
    r.name = v.name;
    r.did = v.did;
    r.public_key = v.public_key;
    r.peer = v.peer_addr;
    r.api = v.api_url;
    r.raft_id = GenesisRaftId(i);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace frontera::ledger
