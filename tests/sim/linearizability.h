// A linearizability checker for the ledger's product registry, as clients
// see it: the Wing–Gong search with Lowe's memoization (the algorithm behind
// Porcupine and Knossos), written for the cluster simulator.
//
// The model. The ledger accepts at most one product credential per (GTIN,
// serial) ("product key"); issuing a second one, under any id, is refused as
// already existing, and a lookup by product key (StateMachine::FindProduct)
// answers the id that holds it. Keys are independent of each other, so a
// history is checked one key at a time (a history is linearizable iff each
// key's sub-history is: Herlihy and Wing's locality), which keeps every
// search small. Per key the state is the holding id ("" for none):
//   - kIssue(id) answered kAccepted: the key was free; it now holds id. Or
//     it held id already: the same document posted twice (at two nodes,
//     before either copy committed) is answered with the one receipt.
//   - kIssue(id) answered kExists: the key was held.
//   - kIssue(id) answered kUnknown (never answered: the proposal was lost or
//     is still in flight, so it may take effect at any later time or never):
//     takes the key if free, else changes nothing.
//   - kLookup answered `value`: the key holds `value`.
//
// Time is the simulator's step counter. An operation is called at `call` and
// answered at `ret` (kNever for an unanswered one). Two operations are
// ordered only when one's `ret` is strictly before the other's `call`:
// operations of the same step are concurrent, so the check never blames an
// order the step counter cannot see.
//
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace frontera::sim {

inline constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

struct RegistryOp {
  enum class Kind { kIssue, kLookup };
  enum class Outcome { kAccepted, kExists, kUnknown };  // kIssue only
  Kind kind = Kind::kLookup;
  uint64_t call = 0;
  uint64_t ret = kNever;
  std::string value;  // kIssue: the id issued; kLookup: the id answered ("" for none)
  Outcome outcome = Outcome::kUnknown;
  std::string Describe() const;
};

struct LinearizabilityVerdict {
  enum class Kind {
    kLinearizable,
    kViolation,  // no order explains the answers
    kGaveUp,     // the search passed its step budget: no verdict
  };
  Kind kind = Kind::kLinearizable;
  uint64_t search_steps = 0;
  // kViolation: the operations of the key, in call order, for the report.
  std::string explanation;
};

// Checks one product key's history. `max_search_steps` bounds the work
// (each step tries one operation at one point of the search).
LinearizabilityVerdict CheckRegistryKey(const std::vector<RegistryOp>& ops,
                                        uint64_t max_search_steps);

}  // namespace frontera::sim
