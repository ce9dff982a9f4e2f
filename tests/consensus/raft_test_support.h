// Helpers shared by the Raft core's test files: a small cluster's config and
// logs built from a list of terms.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "consensus/raft.h"

namespace frontera::consensus::test {

// Node `id` of a cluster of `peers`: election timeout 10 ticks, heartbeat
// every tick, 4 appends in flight of up to 8 entries, election timeouts
// drawn from `seed`.
inline RaftConfig MakeTestConfig(NodeId id, std::vector<NodeId> peers, uint64_t seed) {
  RaftConfig c;
  c.id = id;
  c.peers = std::move(peers);
  c.election_ticks = 10;
  c.heartbeat_ticks = 1;
  c.max_inflight_appends = 4;
  c.max_entries_per_append = 8;
  c.seed = seed;
  return c;
}

// A message with only its header set.
inline Message MakeMessage(MessageType type, NodeId from, NodeId to, uint64_t term) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

// Entries first_index, first_index + 1, … with these terms; entry i holds
// "e<i>".
inline std::vector<Entry> Terms(const std::vector<uint64_t>& terms, uint64_t first_index = 1) {
  std::vector<Entry> out;
  for (size_t i = 0; i < terms.size(); ++i) {
    Entry e;
    e.term = terms[i];
    e.index = first_index + i;
    e.data = "e" + std::to_string(first_index + i);
    out.push_back(e);
  }
  return out;
}

}  // namespace frontera::consensus::test
