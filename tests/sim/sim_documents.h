// The documents the cluster simulator proposes: a genesis naming the example
// parties of tests/fixtures/examples (test-only keys) and a fixed pool of
// signed documents, built once per process (Ed25519 is deterministic, so every
// run and every seed sees the same bytes).
//
// The pool is chosen so that the ledger's verdicts depend on the order the
// log gives them: product credentials of which some pairs share a GTIN and
// serial under different ids (the second one applied must be rejected,
// identically on every node), and events about those credentials (a shipping,
// customs hold and release, an inspection) that are accepted or refused
// depending on what the log applied before them.
//
// Thread-safety: SimDocuments() is safe to call from any thread (a function
// static); the returned pool is immutable.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "ledger/block.h"
#include "ledger/genesis.h"

namespace frontera::sim {

struct SimDocumentPool {
  ledger::Genesis genesis;  // validators us-cbp, mx-anam, ca-cbsa; the six example parties
  // Ready to put in a Proposal: kind, certificate id (events) and JCS text.
  std::vector<ledger::ProposedDocument> documents;
  // Credential id → "gtin/serial" of every product credential in `documents`.
  std::map<std::string, std::string> product_key;
  // Index in `documents` → id of the product credential there.
  std::map<size_t, std::string> credential_at;
  // How many distinct "gtin/serial" values the product credentials carry
  // (fewer than the credentials: some pairs are duplicates).
  size_t distinct_products = 0;
};

// The pool; built on first use (about 30 signatures). Fails the running test
// (doctest REQUIRE) if a fixture is missing or a document does not build.
const SimDocumentPool& SimDocuments();

}  // namespace frontera::sim
