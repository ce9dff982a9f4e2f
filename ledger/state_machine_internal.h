// What the state machine's files share and no one else needs
// (ledger/state_machine.h is the interface): the key layout of its state in
// the ledger store, the views through which the rules read that state, and a
// checked document as Check hands it to Apply. Included only by
// ledger/state_machine*.cc.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "crypto/json.h"
#include "ledger/state_machine.h"
#include "storage/keys.h"
#include "storage/kv_store.h"

namespace frontera::ledger {

// Key layout: docs/ledger.md#state-layout.
inline const std::string kMetaApplied = "ledger/applied_index";
inline const std::string kMetaCheckpoint = "ledger/checkpoint";
inline const std::string kMetaRevocationsNote = "ledger/revocations_note";
inline const std::string kMetaCheckpointTreeSize = "ledger/checkpoint_tree_size";
// The co-signed links of the voter chain (ledger/voter_chain.h), a JSON array.
inline const std::string kMetaVoterChanges = "ledger/voter_changes";
// kIndex: certificate id → {item, leaf_index, reason} of its revocation.
inline constexpr std::string_view kRevPrefix = "rev/";
inline constexpr std::string_view kCertPrefix = "c/";  // kState: certificate record (JSON)
inline constexpr std::string_view kDocPrefix = "d/";   // kState: leaf index → kind ‖ JCS text
inline constexpr std::string_view kIdPrefix = "id/";   // kIndex: document id → leaf index
inline constexpr std::string_view kGtinPrefix = "gtin/";  // kIndex: gtin/serial → certificate id
inline constexpr std::string_view kSsccPrefix = "sscc/";  // kIndex: sscc → certificate id
// kIndex: certificate id → JSON array of its flag changes [{leaf_index,
// flags: [{flag, leaf_index, reason}]}] (the flags in force after each).
inline constexpr std::string_view kFlagPrefix = "flag/";
// kIndex: the events by time (the EPCIS query, docs/api.md §12): "evt/" +
// eventTime as Unix milliseconds (8 bytes BE, biased by 2^63 so that earlier
// times sort first) + leaf index (8 bytes BE) → certificate id.
inline constexpr std::string_view kEventTimePrefix = "evt/";
// The registry (ledger/registry.h): kState party records and history, the
// agencies in good standing, and kIndex GS1 company prefixes of registered
// parties (exact, and every shorter start of one) → the party's origin DID.
inline constexpr std::string_view kPartyPrefix = "p/";            // did → PartyRecord JSON
inline constexpr std::string_view kPartyHistoryPrefix = "ph/";    // origin/n (8 bytes BE) → JSON
inline const std::string kAgenciesKey = "registry/agencies";      // sorted JSON array of DIDs
inline constexpr std::string_view kCompanyPrefixPrefix = "gcp/";  // prefix → origin
inline constexpr std::string_view kCompanyPrefixStartPrefix = "gcps/";  // start → origin

inline std::string Be64(uint64_t v) { return storage::EncodeUint64(v); }
// A signed time as an unsigned number of the same order (the sign bit
// flipped), and back.
inline uint64_t EventTimeOrder(int64_t ms) {
  return static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63);
}
inline int64_t EventTimeFromOrder(uint64_t order) {
  return static_cast<int64_t>(order ^ (uint64_t{1} << 63));
}
inline std::string Key(std::string_view prefix, std::string_view rest) {
  std::string k(prefix);
  k += rest;
  return k;
}

inline std::string DocKey(uint64_t leaf_index) { return Key(kDocPrefix, Be64(leaf_index)); }
inline std::string EventTimeKey(int64_t event_time_ms, uint64_t leaf_index) {
  return Key(kEventTimePrefix, Be64(EventTimeOrder(event_time_ms)) + Be64(leaf_index));
}
inline std::string PartyHistoryKey(std::string_view origin, uint64_t n) {
  return Key(kPartyHistoryPrefix, std::string(origin) + "/" + Be64(n));
}

// The certificate id named with an event or revocation (the request path, or
// the proposal) goes into keys, records and the block as it is: it must be
// text that JSON can carry, and bounded like every identifier.
Status CheckCertificateId(std::string_view id);

// Read access to ledger state; Get returns nullopt for a missing key.
class StateMachine::View {
 public:
  virtual ~View() = default;
  virtual Result<std::optional<std::string>> Get(storage::Column column,
                                                 const std::string& key) const = 0;
};

// The state as written to the store.
class StateMachine::StoreView final : public View {
 public:
  explicit StoreView(const storage::KvStore* store) : store_(store) {}
  Result<std::optional<std::string>> Get(storage::Column column,
                                         const std::string& key) const override {
    return store_->Get(column, key);
  }

 private:
  const storage::KvStore* store_;
};

// The store plus the writes staged by the block being applied, so that a
// document sees the effects of the documents before it in the same block.
class StateMachine::StagedView final : public View {
 public:
  StagedView(const storage::KvStore* store, storage::WriteBatch& batch)
      : store_(store), batch_(batch) {}
  Result<std::optional<std::string>> Get(storage::Column column,
                                         const std::string& key) const override {
    auto it = overlay_.find({column, key});
    if (it != overlay_.end()) return std::optional<std::string>(it->second);
    return store_->Get(column, key);
  }
  void Put(storage::Column column, const std::string& key, std::string value) {
    batch_.Put(column, key, value);
    overlay_[{column, key}] = std::move(value);
  }

 private:
  const storage::KvStore* store_;
  storage::WriteBatch& batch_;
  std::map<std::pair<storage::Column, std::string>, std::string> overlay_;
};

// The document stored for `leaf` (kState DocKey: a kind byte, then its JCS
// text), parsed. kCorruption when it is missing or does not parse: every
// leaf's document is written with its leaf.
Result<Json> ReadStoredDocument(const storage::KvStore& store, uint64_t leaf);

struct StateMachine::CheckedDocument {
  const ParsedDocument* parsed = nullptr;
  std::string certificate_id;
  std::string document_id;
  Json record;  // the certificate record before this document (events, revocations)
};

}  // namespace frontera::ledger
