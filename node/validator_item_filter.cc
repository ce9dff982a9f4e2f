// node::Validator, the certified-item filter of trust bundles
// (docs/formats.md §16): which blocks get a filter, the background thread
// that builds and signs it, the peers' signatures, and what the trust bundle
// carries.
#include <algorithm>
#include <chrono>

#include "common/encoding.h"
#include "crypto/signed_note.h"
#include "node/log.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

using validator_internal::Envelope;
using validator_internal::PeerKind;

void Validator::ScheduleItemFilter(const std::shared_ptr<Ledger>& ledger, uint64_t block_height,
                                   uint64_t tree_size, int64_t previous_block_time_ms,
                                   int64_t block_time_ms) {
  // The first block of each interval of block time: block times are in the
  // ledger, so every validator picks the same blocks (at most one per
  // interval) and so builds, and signs, the same filters. A block that
  // follows a quiet spell is always one, so a filter trails the ledger by
  // the blocks of one interval at most while it is busy.
  // Interval 0: every block (a small network, where a build costs nothing).
  const int64_t interval_ms = int64_t{config_.item_filter.interval_s} * 1000;
  if (block_time_ms <= 0 || tree_size == 0 ||
      (interval_ms > 0 && previous_block_time_ms > 0 &&
       block_time_ms / interval_ms <= previous_block_time_ms / interval_ms)) {
    return;
  }
  ItemFilterJob job{block_height, tree_size, NoteQuorumOf(ledger, block_height).after, ledger};
  {
    MutexLock lock(filter_mu_);
    filter_due_ = std::move(job);
  }
  filter_cv_.notify_one();
}

void Validator::ItemFilterLoop() {
  const auto resend_interval = std::chrono::seconds(std::max(config_.item_filter.interval_s, 1));
  for (;;) {
    std::optional<ItemFilterJob> job;
    {
      MutexLock lock(filter_mu_);
      filter_cv_.wait_for(lock.native(), resend_interval, [&]() REQUIRES(filter_mu_) {
        return filter_stopping_ || filter_due_.has_value();
      });
      if (filter_stopping_) return;
      job = std::exchange(filter_due_, std::nullopt);
    }
    std::optional<ItemFilterSignature> own;
    if (!job) {
      // Idle: a peer that was down when this node signed gets it again.
      own = filter_cosigner_->OwnUnfinished();
    } else {
      const auto start = std::chrono::steady_clock::now();
      auto filter = job->ledger->sm->CertifiedItemFilter(job->tree_size);
      if (!filter.ok()) {
        LogWarning(config_.name, "no item filter at tree size " + std::to_string(job->tree_size) +
                                     ": " + filter.status().ToString());
        continue;
      }
      const std::string encoded = filter->Encode();
      const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
      ++filter_builds_;
      filter_build_millis_ = static_cast<uint64_t>(millis);
      LogInfo(config_.name, "item filter of block " + std::to_string(job->block_height) +
                                " (tree size " + std::to_string(job->tree_size) +
                                "): " + std::to_string(filter->item_count()) + " items, " +
                                std::to_string(encoded.size()) + " bytes, built in " +
                                std::to_string(millis) + " ms");
      own = filter_cosigner_->AddOwn(job->tree_size, *filter, encoded, std::move(job->voters));
    }
    if (!own || !transport_) continue;
    const std::string frame =
        Envelope(PeerKind::kItemFilterSignature, EncodeItemFilterSignature(*own));
    for (consensus::NodeId id : PeerIds()) transport_->Send(id, frame);
  }
}

void Validator::OnItemFilterSignature(uint64_t from, std::string_view body) {
  auto message = DecodeItemFilterSignature(body);
  if (!message.ok()) return RefusePeer(from, "item_filter", message.status().message());
  if (PeerName(from) != message->signer) {
    return RefusePeer(from, "item_filter",
                      "an item filter signature in the name of " + message->signer);
  }
  if (Status s = filter_cosigner_->AddPeer(*message); !s.ok()) {
    RefusePeer(from, "item_filter", s.message());
  }
}

api::Json Validator::ItemFilterJson(const ledger::Voters& voters,
                                    uint64_t checkpoint_tree_size) const {
  std::optional<CosignedItemFilter> latest = filter_cosigner_->Latest();
  // A verifier counts the bundle's voters' signatures: a filter signed by
  // the voters before a change waits for the next one.
  if (!latest || latest->tree_size > checkpoint_tree_size ||
      !ledger::SameVoters(latest->voters, voters)) {
    return nullptr;
  }
  return api::Json{{"note", latest->note}, {"filter", *latest->filter_base64}};
}

}  // namespace frontera::node
