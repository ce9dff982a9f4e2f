// ItemFilterCosigner: gathers the voters' signatures on the item filter note
// (ledger/item_filter.h, docs/formats.md §16) and hands out the newest note a
// majority of them signed, with its filter, for the trust bundle.
//
// Which tree sizes get a filter is decided by the ledger alone (the first
// block of each item_filter.interval_s of block time, node/validator.h), so
// every validator builds the same filter at the same tree sizes, each in its
// own background thread, signs its own note and sends the signature to its
// peers. A peer's signature is checked against this node's own note of that
// tree size, so a signature over anything else is never counted; signatures
// for a tree size this node has not built yet wait (one per signer and tree
// size, for at most `pending_tree_sizes_max` tree sizes, from the voters this
// node last built for) and are checked once it has.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "crypto/ed25519.h"
#include "ledger/item_filter.h"
#include "ledger/voter_chain.h"

namespace frontera::node {

// One validator's signature on its item filter note of `tree_size`: a C2SP
// tlog-cosignature v1 made at `signed_at` (POSIX seconds).
struct ItemFilterSignature {
  uint64_t tree_size = 0;
  std::string signer;  // validator name, 1..255 bytes
  uint64_t signed_at = 0;
  crypto::Signature signature{};
};
// Layout: version u8 (1) | tree_size u64 BE | signer length u8 | signer |
// signed_at u64 BE | signature (64).
std::string EncodeItemFilterSignature(const ItemFilterSignature& message);
// kInvalidArgument naming the field for malformed input (another version,
// an empty signer, a time above crypto::kCosignatureTimeMax, short or
// trailing bytes).
Result<ItemFilterSignature> DecodeItemFilterSignature(std::string_view bytes);

// A filter whose note a majority of its voters signed.
struct CosignedItemFilter {
  uint64_t tree_size = 0;
  uint64_t item_count = 0;
  std::string note;                                  // the signed note, signatures in voter order
  std::shared_ptr<const std::string> filter_base64;  // base64 of ItemFilter::Encode()
  ledger::Voters voters;                             // whose majority signed it
};

class ItemFilterCosigner {
 public:
  // `key` is `self`'s and outlives this; `clock` too (nullptr: the system
  // clock), which gives the time this node's signatures carry. Until the
  // first AddOwn, peers' signatures are taken from `initial_voters`.
  // REQUIRES: pending_tree_sizes_max >= 1.
  ItemFilterCosigner(std::string network, std::string self, const crypto::KeyPair* key,
                     ledger::Voters initial_voters, size_t pending_tree_sizes_max,
                     const Clock* clock = nullptr);

  // This node built `filter` (encoded as `encoded`) for the first tree_size
  // leaves; `voters` sign it (the voters after the block of that tree size).
  // Returns this node's signature to send to the peers, or nullopt when this
  // node is not one of the voters (it then collects theirs only) or a newer
  // filter was published already.
  std::optional<ItemFilterSignature> AddOwn(uint64_t tree_size, const ledger::ItemFilter& filter,
                                            const std::string& encoded, ledger::Voters voters);

  // A peer's signature. kPermissionDenied for a signer that is not a voter
  // (or is this node); kInvalidArgument when it does not verify against this
  // node's note of that tree size. Signatures for tree sizes at or below the
  // newest published one are ignored (Ok).
  Status AddPeer(const ItemFilterSignature& message);

  // The newest filter a majority of its voters signed, if any.
  std::optional<CosignedItemFilter> Latest() const;

  // This node's own signature on its newest note that has no majority yet,
  // to send again (a peer that was down missed it); nullopt when none.
  std::optional<ItemFilterSignature> OwnUnfinished() const;

 private:
  struct Pending {
    bool built = false;
    std::string body;  // the note text, once built
    uint64_t item_count = 0;
    std::shared_ptr<const std::string> filter_base64;
    ledger::Voters voters;
    std::map<std::string, ItemFilterSignature> signatures;  // verified, by signer
    std::map<std::string, ItemFilterSignature> unverified;  // before built, by signer
  };

  bool Verifies(const Pending& pending, const ItemFilterSignature& message) const;
  // Publishes `tree_size` when its voters' majority signed. REQUIRES: built.
  void MaybeComplete(uint64_t tree_size, Pending& pending) REQUIRES(mu_);
  void Trim() REQUIRES(mu_);

  const std::string network_;
  const std::string self_;
  const crypto::KeyPair* const key_;
  const size_t pending_tree_sizes_max_;
  const Clock* const clock_;

  mutable Mutex mu_;
  std::map<uint64_t, Pending> pending_ GUARDED_BY(mu_);  // by tree size, above latest_'s
  // The voters of the newest filter this node built: whose signatures for
  // tree sizes not built yet are kept.
  ledger::Voters known_ GUARDED_BY(mu_);
  std::optional<CosignedItemFilter> latest_ GUARDED_BY(mu_);
};

}  // namespace frontera::node
