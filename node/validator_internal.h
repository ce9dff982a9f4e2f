// What the files of node::Validator share and nothing else includes: the
// peer frame kinds and their envelope, the name of the file that points at
// the ledger directory in use, a held document's receipt, a Raft role's name.
// Included only by node/validator*.cc (the class is declared in
// node/validator.h; its member functions are defined across those files).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/backend.h"
#include "consensus/raft.h"
#include "ledger/state_machine.h"

namespace frontera::node::validator_internal {

// Peer frames start with one byte naming what follows (docs/consensus.md#peer-messages).
enum class PeerKind : uint8_t {
  kRaft = 1,                 // a consensus::Message (consensus/codec.h)
  kCosign = 2,               // a CosignMessage (node/checkpoint_cosigner.h)
  kForward = 3,              // documents for the leader to propose (ledger::EncodeProposal)
  kSnapshotChunk = 4,        // node/snapshot_transfer.h
  kVoterChangeAsk = 5,       // u64 BE: the block whose voter-chain link is asked for
  kVoterChange = 6,          // a link, JSON (ledger::VoterChangeJson)
  kItemFilterSignature = 7,  // an ItemFilterSignature (node/item_filter_cosigner.h)
};
// Raft-thread events from this node's own threads (never on the wire).
constexpr uint8_t kLocalSnapshotReport = 0x81;

inline const std::string kStatePointer = "STATE";  // names the ledger directory in use

// Makes the files under `dir` and its entry durable (syncfs of its file
// system). kIOError naming `dir` when it fails.
Status SyncTree(const std::string& dir);

inline std::string Envelope(PeerKind kind, std::string_view body) {
  std::string out;
  out.reserve(1 + body.size());
  out.push_back(static_cast<char>(kind));
  out.append(body);
  return out;
}

inline api::Receipt ReceiptOf(const ledger::StateMachine::HeldDocument& held) {
  api::Receipt r;
  r.id = held.certificate_id;
  r.status = held.status;
  r.leaf_index = held.leaf_index;
  r.leaf_hash = held.leaf_hash;
  r.block_height = held.block_height;
  return r;
}

inline std::string RoleName(consensus::Role role) {
  switch (role) {
    case consensus::Role::kFollower:
      return "follower";
    case consensus::Role::kPreCandidate:
      return "pre-candidate";
    case consensus::Role::kCandidate:
      return "candidate";
    case consensus::Role::kLeader:
      return "leader";
  }
  return "unknown";
}

}  // namespace frontera::node::validator_internal
