// Development networks. A single-validator development network (`fronterad --dev DIR`): fresh keys
// for the three agencies (US CBP validates), a Mexican manufacturer, a Mexican
// carrier and a US distributor; the genesis; and the validator's config.
#pragma once

#include <string>

#include "common/result.h"

namespace frontera::node {

// Creates DIR/keys/*.key, DIR/genesis.json and DIR/us-cbp.toml unless
// DIR/us-cbp.toml exists already; returns the config's path. The API listens
// on 127.0.0.1:`api_port`, the operational listener on
// 127.0.0.1:DevOpsPort(api_port).
Result<std::string> EnsureDevNetwork(const std::string& dir, int api_port);

// The operational listener's port beside API port `api_port`: api_port + 200
// (7001 → 7201, as in config/*.toml), or 0 (a free port) when api_port is 0
// or the sum would exceed 65535.
int DevOpsPort(int api_port);

// The local three-agency network that ./run.sh starts from config/*.toml:
// creates DIR/keys/*.key and DIR/genesis.json (validators us-cbp, mx-anam and
// ca-cbsa with APIs at https://127.0.0.1:7001-7003 and peer links on
// 7101-7103) unless DIR/genesis.json exists. The TLS certificates are
// run.sh's (its local CA in DIR/ca/).
Status EnsureLocalNetwork(const std::string& dir);

}  // namespace frontera::node
