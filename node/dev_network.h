// A single-validator development network (`fronterad --dev DIR`): fresh keys
// for the three agencies (US CBP validates), a Mexican manufacturer, a Mexican
// carrier and a US distributor; the genesis; and the validator's config.
#pragma once

#include <string>

#include "common/result.h"

namespace frontera::node {

// Creates DIR/keys/*.key, DIR/genesis.json and DIR/us-cbp.toml unless
// DIR/us-cbp.toml exists already; returns the config's path. The API listens
// on 127.0.0.1:`api_port`.
Result<std::string> EnsureDevNetwork(const std::string& dir, int api_port);

}  // namespace frontera::node
