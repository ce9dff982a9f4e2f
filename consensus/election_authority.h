// ElectionAuthority: signed votes, so that a validator can claim to lead a
// term only with the votes of a majority (an election certificate).
//
// Raft trusts its peers: a follower obeys any node that sends it an Append
// of a later term. Among validators run by different agencies one of them
// may lie, so with an authority configured the core asks for proof:
//  - a voter signs each vote it grants (Statement kVote: "I vote for
//    candidate C in term T") and the candidate keeps the signatures;
//  - a leader attaches the majority of signed votes that elected it to its
//    Append, Heartbeat and Snapshot messages, and a node accepts a sender as
//    the leader of a term only after it checked that certificate once;
//  - a leadership transfer is signed too (kTransfer: "I, leader of T, ask C
//    to campaign for T + 1"), since a transfer election may bypass the
//    leader lease: a validator cannot pretend the leader asked it to run.
// The links between validators already authenticate the sender of each
// message; the signatures are what lets a node check statements another
// node relays (the votes in a certificate, the leader's transfer request).
//
// Thread-safety: implementations must be safe to call from the thread that
// drives the core; they hold no state the core changes.
#pragma once

#include <string>
#include <string_view>

#include "consensus/types.h"

namespace frontera::consensus {

class ElectionAuthority {
 public:
  virtual ~ElectionAuthority() = default;
  // This node's signature over `statement`.
  virtual std::string Sign(const Statement& statement) const = 0;
  // True iff `signature` is `signer`'s signature over `statement`; false for
  // a signer that is not a voter.
  virtual bool Verify(NodeId signer, const Statement& statement,
                      std::string_view signature) const = 0;
};

}  // namespace frontera::consensus
