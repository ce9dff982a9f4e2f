#include "node/witness_submitter.h"

#include <algorithm>
#include <chrono>

#include "api/client.h"
#include "common/check.h"
#include "crypto/tlog_witness.h"
#include "node/log.h"

namespace frontera::node {

namespace {

// 409s answered in a row for one checkpoint before it counts as a failure:
// each names the witness's newer size, so only validators racing each other
// (or a witness that lies about its size) make more than one or two.
constexpr int kConflictsMax = 4;

}  // namespace

struct WitnessSubmitter::Slot {
  ledger::Witness witness;
  crypto::NoteVerifier verifier;
  // Guarded by WitnessSubmitter::mu_:
  std::string pending;  // the newest note not yet delivered; empty: none
  WitnessState state;
  // The slot's thread only:
  uint64_t witness_size = 0;  // the witness's recorded size, as last learned (0: unknown)
  std::unique_ptr<api::Client> client;
  bool reported_down = false;  // a failure was logged since the last success
};

WitnessSubmitter::WitnessSubmitter(std::string self, const crypto::KeyPair* key,
                                   std::vector<ledger::Witness> witnesses,
                                   const WitnessConfig& config, ProofFn proof, CosignedFn cosigned,
                                   PostFn post)
    : self_(std::move(self)),
      key_(key),
      config_(config),
      proof_(std::move(proof)),
      cosigned_(std::move(cosigned)),
      post_(std::move(post)),
      in_flight_(static_cast<std::ptrdiff_t>(
          std::clamp<size_t>(config.requests_in_flight_max, 1, kWitnessRequestsInFlightLimit))) {
  FRONTERA_CHECK(key_ != nullptr) << "witness submitter without a key";
  for (ledger::Witness& w : witnesses) {
    auto slot = std::make_unique<Slot>();
    slot->verifier = {w.name, w.public_key};
    slot->state.name = w.name;
    slot->witness = std::move(w);
    slots_.push_back(std::move(slot));
  }
  for (auto& slot : slots_) {
    threads_.emplace_back([this, s = slot.get()] { Run(*s); });
  }
}

WitnessSubmitter::~WitnessSubmitter() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WitnessSubmitter::Submit(const std::string& checkpoint_note) {
  {
    MutexLock lock(mu_);
    for (auto& slot : slots_) slot->pending = checkpoint_note;
  }
  cv_.notify_all();
}

std::vector<WitnessSubmitter::WitnessState> WitnessSubmitter::States() const {
  MutexLock lock(mu_);
  std::vector<WitnessState> out;
  for (const auto& slot : slots_) out.push_back(slot->state);
  return out;
}

bool WitnessSubmitter::Wait(int64_t ms) {
  MutexLock lock(mu_);
  cv_.wait_for(lock.native(), std::chrono::milliseconds(ms),
               [&]() REQUIRES(mu_) { return stopping_; });
  return !stopping_;
}

void WitnessSubmitter::Run(Slot& slot) {
  int64_t backoff_ms = config_.retry_backoff_min_ms;
  while (true) {
    std::string note;
    {
      MutexLock lock(mu_);
      cv_.wait(lock.native(), [&]() REQUIRES(mu_) { return stopping_ || !slot.pending.empty(); });
      if (stopping_) return;
      note = slot.pending;
    }
    if (Deliver(slot, note)) {
      backoff_ms = config_.retry_backoff_min_ms;
      MutexLock lock(mu_);
      // A newer note may have come meanwhile: keep it.
      if (slot.pending == note) slot.pending.clear();
      continue;
    }
    if (!Wait(backoff_ms)) return;
    backoff_ms = std::min(backoff_ms * 2, config_.retry_backoff_max_ms);
  }
}

void WitnessSubmitter::Failed(Slot& slot, const std::string& reason) {
  {
    MutexLock lock(mu_);
    ++slot.state.failed;
    slot.state.up = false;
  }
  // One line when a witness goes from working to failing, not one per retry.
  if (!slot.reported_down) {
    slot.reported_down = true;
    LogWarning(self_, "witness " + slot.witness.name + " (" + slot.witness.url +
                          ") gave no cosignature: " + reason +
                          "; retrying with backoff (docs/operations.md#witnesses)");
  }
}

bool WitnessSubmitter::Deliver(Slot& slot, const std::string& published) {
  auto note = crypto::ParseNote(published, 1000);
  auto checkpoint = note.ok() ? crypto::ParseCheckpointBody(note->text)
                              : Result<crypto::Checkpoint>(note.status());
  // The published note is this node's own: it always parses.
  FRONTERA_CHECK(checkpoint.ok()) << "published checkpoint: " << checkpoint.status().ToString();
  const uint64_t tree_size = checkpoint->tree_size;
  // tlog-witness: the witness verifies a signature of the log by a key it
  // trusts for the origin; the validators' cosignatures are of type 0x04, so
  // this validator adds a signed-note Ed25519 signature of its own.
  std::string submitted = published;
  submitted += crypto::NoteSignatureLine(note->text, self_, *key_);
  submitted += '\n';

  for (int conflicts = 0; conflicts <= kConflictsMax; ++conflicts) {
    if (slot.witness_size > tree_size) {
      // The witness already cosigned a larger tree (another validator is
      // ahead of this one, or the witness lies about its size): this
      // checkpoint cannot be proved to it. Its size is asked again next
      // time, so a false one cannot silence it for good.
      const uint64_t size = slot.witness_size;
      slot.witness_size = 0;
      Failed(slot, "it has cosigned a larger tree (" + std::to_string(size) +
                       ") than this validator's checkpoint (" + std::to_string(tree_size) + ")");
      return false;
    }
    std::vector<crypto::Hash> proof;
    if (slot.witness_size != 0 && slot.witness_size != tree_size) {
      auto p = proof_(slot.witness_size, tree_size);
      if (!p.ok()) {
        Failed(slot, "no consistency proof from " + std::to_string(slot.witness_size) + " to " +
                         std::to_string(tree_size) + ": " + p.status().message());
        slot.witness_size = 0;  // ask again
        return false;
      }
      proof = std::move(p).value();
    }
    if (proof.size() > crypto::kWitnessProofLinesMax) {
      Failed(slot, "the consistency proof has more than 63 hashes");
      return false;
    }
    const std::string body = crypto::AddCheckpointBody(slot.witness_size, proof, submitted);
    const std::string url = slot.witness.url + "/add-checkpoint";
    Result<WitnessHttpAnswer> answer = Status::Unavailable("not sent");
    in_flight_.acquire();
    if (post_) {
      answer = post_(url, body);
    } else {
      // scheme://host[:port] and the prefix's path.
      const size_t slash = slot.witness.url.find('/', slot.witness.url.find("://") + 3);
      const std::string base = slot.witness.url.substr(0, slash);
      const std::string path =
          (slash == std::string::npos ? "" : slot.witness.url.substr(slash)) + "/add-checkpoint";
      if (!slot.client) {
        api::ClientOptions options;
        options.connect_timeout_ms = static_cast<int>(config_.connect_timeout_ms);
        options.read_timeout_ms = static_cast<int>(config_.request_timeout_ms);
        options.answer_bytes_max = kWitnessAnswerBytesMax;
        auto client = api::Client::Create(base, options);
        if (client.ok()) {
          slot.client = std::move(client).value();
        } else {
          answer = client.status();
        }
      }
      if (slot.client) {
        auto raw = slot.client->PostRaw(path, body, "text/plain; charset=utf-8");
        if (raw.ok()) {
          answer = WitnessHttpAnswer{raw->status, raw->content_type, raw->body};
        } else {
          answer = raw.status();
          slot.client.reset();  // a new connection next time
        }
      }
    }
    in_flight_.release();
    if (!answer.ok()) {
      Failed(slot, answer.status().message());
      return false;
    }
    auto read = crypto::ReadAddCheckpointAnswer(answer->status, answer->content_type, answer->body,
                                                note->text, slot.verifier);
    if (!read.ok()) {
      Failed(slot, read.status().message());
      return false;
    }
    switch (read->kind) {
      case crypto::AddCheckpointAnswer::Kind::kConflict:
        slot.witness_size = read->witness_size;
        continue;
      case crypto::AddCheckpointAnswer::Kind::kRefused:
        Failed(slot, read->reason);
        return false;
      case crypto::AddCheckpointAnswer::Kind::kCosigned:
        break;
    }
    slot.witness_size = tree_size;
    {
      MutexLock lock(mu_);
      ++slot.state.cosigned;
      slot.state.cosigned_tree_size = tree_size;
      slot.state.up = true;
    }
    if (slot.reported_down) {
      slot.reported_down = false;
      LogInfo(self_, "witness " + slot.witness.name + " cosigns again (tree size " +
                         std::to_string(tree_size) + ")");
    }
    cosigned_(note->text, std::move(read->cosignatures));
    return true;
  }
  Failed(slot, "answered 409 " + std::to_string(kConflictsMax + 1) +
                   " times in a row with a size this node could not prove from");
  return false;
}

}  // namespace frontera::node
