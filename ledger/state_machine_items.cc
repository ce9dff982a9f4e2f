// The filter of the items certified on the ledger (CertifiedItemFilter,
// docs/formats.md §16): what a trust bundle carries so that an offline
// verifier can tell an item the ledger holds from one it never saw.
#include <optional>
#include <string>
#include <vector>

#include "crypto/json.h"
#include "ledger/item_filter.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "storage/keys.h"

namespace frontera::ledger {

using storage::Column;

Result<ItemFilter> BuildCertifiedItemFilter(const storage::KvStore& store, uint64_t tree_size) {
  // Every credential the ledger accepted has a certificate record, kept when
  // it is revoked or flagged, and its leaf index says whether it is in the
  // first tree_size leaves. The store has no other list of items with their
  // lot (the gtin/ index omits it), so this reads every record once, in
  // certificate-id order; Build makes the bytes independent of that order.
  std::vector<uint64_t> keys;
  std::optional<std::string> bad;
  Status scanned =
      store.Scan(Column::kState, kCertPrefix, storage::PrefixSuccessor(kCertPrefix),
                 storage::KvStore::kNoLimit, [&](std::string_view key, std::string_view value) {
                   auto record = crypto::ParseJson(value);
                   const Json* item = nullptr;
                   const Json* leaf = nullptr;
                   if (record.ok() && record->is_object()) {
                     auto i = record->find("item");
                     auto l = record->find("ledger");
                     if (i != record->end() && i->is_string()) item = &*i;
                     if (l != record->end() && l->is_object()) {
                       auto li = l->find("leaf_index");
                       if (li != l->end() && li->is_number_unsigned()) leaf = &*li;
                     }
                   }
                   if (item == nullptr || leaf == nullptr) {
                     bad = std::string(key.substr(kCertPrefix.size()));
                     return false;
                   }
                   if (leaf->get<uint64_t>() < tree_size) {
                     keys.push_back(ItemKey(item->get_ref<const std::string&>()));
                   }
                   return true;
                 });
  FRONTERA_RETURN_IF_ERROR(scanned);
  if (bad) return Status::Corruption("the certificate record of " + *bad + " is malformed");
  return ItemFilter::Build(std::move(keys));
}

Result<ItemFilter> StateMachine::CertifiedItemFilter(uint64_t tree_size) const {
  const uint64_t published = Summary().tree_size;
  if (tree_size > published) {
    return Status::FailedPrecondition("no item filter at tree size " + std::to_string(tree_size) +
                                      ": the ledger holds " + std::to_string(published) +
                                      " leaves");
  }
  return BuildCertifiedItemFilter(*store_, tree_size);
}

}  // namespace frontera::ledger
