// CheckpointCosigner: gathers the validators' signatures on the checkpoint,
// revocations and state notes of each block (node/state_note.h), and hands
// out the notes once the block's voters signed the same bodies: a majority of
// the voters after it, and of those before it when the block changed them
// (ledger/voter_chain.h, docs/consensus.md#checkpoint-co-signing).
//
// Every validator applies the same blocks and so computes the same bodies;
// each signs its own after applying a block and sends the signatures to its
// peers. A peer's signature is checked against this node's own body of the
// same block, so a signature over anything else is never counted. Signatures
// for blocks this node has not applied yet wait until it has, only within a
// window of heights above the block this node applied (a peer cannot evict
// real signatures with far-future ones). A peer whose state note differs
// from this node's is remembered: when a majority of the validators signed
// one same state body that differs from this node's, this node diverged
// (Divergence()). The notes of a block that changed the voters are kept until
// they are complete, however many later blocks complete first: they are the
// links of the voter chain (TakeVoterChanges()).
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "crypto/ed25519.h"
#include "ledger/genesis.h"
#include "ledger/voter_chain.h"

namespace frontera::node {

// One validator's signatures on one block's notes, as sent to its peers: C2SP
// tlog-cosignature v1 signatures (crypto/signed_note.h) of the three bodies,
// all made at `signed_at`, the signer's wall clock when it signed (what an
// offline verifier judges a bundle's age by; it plays no part in validating
// blocks).
struct CosignMessage {
  uint64_t height = 0;
  std::string signer;      // validator name (signed-note key name)
  uint64_t signed_at = 0;  // POSIX seconds, <= crypto::kCosignatureTimeMax
  crypto::Signature checkpoint_signature{};
  crypto::Signature revocations_signature{};
  crypto::Signature state_signature{};
  std::string state_body;  // the signer's own state note body, <= kStateNoteBodyBytesMax
};
std::string EncodeCosign(const CosignMessage& message);
// kInvalidArgument for malformed input (wrong version, sizes that do not
// add up, a time above crypto::kCosignatureTimeMax).
Result<CosignMessage> DecodeCosign(std::string_view bytes);

// Co-signed notes ready to publish.
struct CosignedCheckpoint {
  uint64_t height = 0;
  uint64_t tree_size = 0;
  std::string checkpoint_note;   // C2SP note with the block's quorum, in voter order
  std::string revocations_note;  // the same for the revocations body
  std::string state_note;        // the same for the state body
};

// This node's state differs from the one a majority of validators signed.
struct Divergence {
  uint64_t height = 0;
  std::string own_state_body;
  std::string majority_state_body;
};

class CheckpointCosigner {
 public:
  // `key` is `self`'s and outlives this object. Until the first
  // SignApplied, peers' signatures are taken from the genesis validators.
  // `pending_heights_max` bounds the blocks kept waiting for signatures
  // (older ones are dropped). `window_heights` bounds how far above the
  // applied height a peer's signatures are kept. `clock` (outlives this;
  // nullptr: the system clock) gives the time this node's cosignatures carry.
  CheckpointCosigner(const ledger::Genesis& genesis, std::string self, const crypto::KeyPair* key,
                     size_t pending_heights_max, uint64_t window_heights,
                     const Clock* clock = nullptr);

  // This node applied block `height` (tree size `tree_size`) whose notes have
  // these bodies and need `quorum`: signs them and returns the message to
  // send to every peer, or nullopt when this node is not one of the block's
  // voters (an observer: it collects the voters' signatures only). Heights
  // only grow (a restart or snapshot may skip some).
  std::optional<CosignMessage> SignApplied(uint64_t height, uint64_t tree_size,
                                           std::string checkpoint_body,
                                           std::string revocations_body, std::string state_body,
                                           ledger::NoteQuorum quorum);

  // A peer's signatures. kPermissionDenied for a signer that is not one of
  // the block's voters (or is this node); kInvalidArgument when the signatures do not
  // verify against this node's bodies for that height. Once a height has a
  // quorum, further signatures for it are neither checked nor counted. Signatures for a
  // height not applied yet are kept (within the bound) and checked later;
  // those for heights already published are ignored. Refused for a
  // height more than window_heights above `applied_height` (this node's
  // applied block height), which is not kept (kResourceExhausted).
  Status AddPeerSignatures(const CosignMessage& message, uint64_t applied_height);

  // Keeps `height` until its state note has a quorum, even after newer
  // checkpoints are taken (a snapshot at that block needs its note). Call
  // before SignApplied for that height.
  void Pin(uint64_t height);
  // The state notes of pinned heights that reached a quorum (then unpinned),
  // by height.
  std::vector<std::pair<uint64_t, std::string>> TakePinnedStateNotes();

  // Set once a majority of validators signed a state body for a height this
  // node applied that differs from this node's own.
  std::optional<Divergence> divergence() const;

  // The highest block with a quorum of signatures that is newer than the
  // last one taken, if any. Older blocks are forgotten, except those that
  // changed the voters (until TakeVoterChanges took them).
  std::optional<CosignedCheckpoint> TakeCosigned();
  // The complete revocations notes of blocks that changed the voters, not
  // taken before: the links of the voter chain, by height.
  std::vector<ledger::VoterChange> TakeVoterChanges();

 private:
  struct Pending {
    bool applied = false;
    ledger::NoteQuorum quorum;  // once applied
    uint64_t tree_size = 0;
    std::string checkpoint_body;
    std::string revocations_body;
    std::string state_body;
    std::map<std::string, CosignMessage> signatures;  // verified, by signer
    // Peers that signed a different state body (their signature on their
    // own body verified), by that body.
    std::map<std::string, std::vector<std::string>> disagreeing;
    std::vector<CosignMessage> unverified;  // arrived before this node applied
  };

  static bool Complete(const Pending& pending);
  bool VerifyAgainst(const Pending& pending, const CosignMessage& message) const;
  // A peer's verified signatures on a state body other than ours: counted
  // towards a divergence. REQUIRES: pending.applied.
  void NoteDisagreement(uint64_t height, Pending& pending, const CosignMessage& message)
      REQUIRES(mu_);
  enum class NoteKind { kCheckpoint, kRevocations, kState };
  std::string FormatNote(const std::string& body, const Pending& pending, NoteKind kind) const;
  void Trim() REQUIRES(mu_);
  // Forgets `height` once taken and neither pinned nor a link.
  void EraseIfDone(uint64_t height) REQUIRES(mu_);

  const std::string self_;
  const crypto::KeyPair* const key_;
  const Clock* const clock_;
  const size_t pending_heights_max_;
  const uint64_t window_heights_;

  mutable Mutex mu_;
  std::map<uint64_t, Pending> pending_ GUARDED_BY(mu_);  // by height
  bool taken_any_ GUARDED_BY(mu_) = false;
  uint64_t taken_height_ GUARDED_BY(mu_) = 0;  // last height handed out, if taken_any_
  std::set<uint64_t> pins_ GUARDED_BY(mu_);    // kept in pending_ until their state note is taken
  std::set<uint64_t> links_ GUARDED_BY(mu_);   // voter changes, kept until TakeVoterChanges
  // The voters of the last block applied: whose signatures for blocks not
  // applied yet are kept.
  ledger::NoteQuorum known_ GUARDED_BY(mu_);
  std::optional<Divergence> divergence_ GUARDED_BY(mu_);
};

}  // namespace frontera::node
