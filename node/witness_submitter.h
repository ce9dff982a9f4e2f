// WitnessSubmitter: submits this validator's published checkpoints to the
// witnesses its genesis lists, through C2SP tlog-witness add-checkpoint
// (crypto/tlog_witness.h, docs/consensus.md#witnesses), and hands the
// cosignatures that verify against the genesis keys to the validator, which
// publishes them on the checkpoint.
//
// Every validator submits the checkpoints it publishes itself (not only the
// leader): each serves the checkpoint, so each needs the cosignatures. The
// witness keeps one size per log; the validators' submissions of one same
// checkpoint all succeed (a witness cosigns its recorded size again), and a
// 409 from another validator's newer submission is answered by resending
// from the witness's size.
//
// One thread per witness, at most `requests_in_flight_max` requests at once
// over all of them, each bounded by its timeouts; a witness that fails is
// retried with exponential backoff, and only the newest checkpoint is ever
// sent (a newer one replaces one waiting). Nothing here blocks the caller:
// a witness that is down, slow or lies costs a thread of its own and a log
// line when its state changes.
//
// Thread-safety: thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "ledger/genesis.h"

namespace frontera::node {

// [witness] in the node config (node/config.h validates the ranges).
struct WitnessConfig {
  int64_t connect_timeout_ms = 2000;     // [10, 60000]
  int64_t request_timeout_ms = 5000;     // a witness's answer, [10, 600000]
  int64_t retry_backoff_min_ms = 500;    // first wait after a failure, [10, 600000]
  int64_t retry_backoff_max_ms = 30000;  // backoff doubles up to this, [min, 3600000]
  // add-checkpoint requests in flight at once over all witnesses, [1, 64].
  size_t requests_in_flight_max = 4;
};
inline constexpr size_t kWitnessRequestsInFlightLimit = 64;
// The longest answer read from a witness: its cosignature lines are a few
// hundred bytes; a witness that sends more is cut off (api::ClientOptions).
inline constexpr size_t kWitnessAnswerBytesMax = 64 << 10;

// A witness's answer as the HTTP seam gives it.
struct WitnessHttpAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
};

class WitnessSubmitter {
 public:
  // RFC 9162 consistency proof between two sizes of this node's log.
  using ProofFn = std::function<Result<std::vector<crypto::Hash>>(uint64_t first, uint64_t second)>;
  // The witness cosigned the checkpoint whose note text is `text`.
  using CosignedFn =
      std::function<void(const std::string& text, std::vector<crypto::NoteSignature> cosignatures)>;
  // POSTs `body` to `url`; kUnavailable when no answer came. Called from the
  // witness's own thread only. nullptr: HTTP through api::Client.
  using PostFn =
      std::function<Result<WitnessHttpAnswer>(const std::string& url, const std::string& body)>;

  // `self` and `key` (outliving this) sign the checkpoint as the log for the
  // witness (a signed-note Ed25519 line: what a witness verifies); the note
  // submitted is the published one with that line added.
  WitnessSubmitter(std::string self, const crypto::KeyPair* key,
                   std::vector<ledger::Witness> witnesses, const WitnessConfig& config,
                   ProofFn proof, CosignedFn cosigned, PostFn post = nullptr);
  ~WitnessSubmitter();  // stops and joins the threads (waits for requests in flight)

  // The newest checkpoint this node published (a co-signed note).
  void Submit(const std::string& checkpoint_note);

  struct WitnessState {
    std::string name;
    uint64_t cosigned = 0;            // cosignatures received and verified
    uint64_t failed = 0;              // requests without one (no answer, refusal, bad answer)
    uint64_t cosigned_tree_size = 0;  // of the last cosignature
    bool up = false;                  // the last request got a cosignature
  };
  std::vector<WitnessState> States() const;

 private:
  struct Slot;
  void Run(Slot& slot);
  // One checkpoint to one witness, through 409s: true once cosigned (or
  // nothing to do), false after a failure.
  bool Deliver(Slot& slot, const std::string& note);
  void Failed(Slot& slot, const std::string& reason);
  // Sleeps up to `ms`; false when stopping.
  bool Wait(int64_t ms);

  const std::string self_;
  const crypto::KeyPair* const key_;
  const WitnessConfig config_;
  const ProofFn proof_;
  const CosignedFn cosigned_;
  const PostFn post_;
  std::counting_semaphore<kWitnessRequestsInFlightLimit> in_flight_;

  mutable Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Slot>> slots_;  // fixed after construction
  std::vector<std::thread> threads_;
};

}  // namespace frontera::node
