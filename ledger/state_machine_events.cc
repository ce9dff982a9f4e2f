// StateMachine's event reads for the EPCIS query (docs/api.md §12): the
// events by time through the "evt/" index that Apply writes, the events of
// one item through its certificate, and one event by its leaf. All
// thread-safe, as of the last published block.
#include <optional>
#include <string>
#include <vector>

#include "ledger/gs1.h"
#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"
#include "storage/keys.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

// The index key's two numbers; kCorruption for a key of another length.
Result<StateMachine::EventTimeCursor> DecodeEventTimeKey(std::string_view key) {
  key.remove_prefix(kEventTimePrefix.size());
  if (key.size() != 16) return Status::Corruption("an event time index key is not 16 bytes");
  FRONTERA_ASSIGN_OR_RETURN(uint64_t order, storage::DecodeUint64(key.substr(0, 8)));
  FRONTERA_ASSIGN_OR_RETURN(uint64_t leaf, storage::DecodeUint64(key.substr(8)));
  return StateMachine::EventTimeCursor{EventTimeFromOrder(order), leaf};
}

}  // namespace

Result<StateMachine::EventEntry> StateMachine::EventAt(uint64_t leaf_index) const {
  FRONTERA_ASSIGN_OR_RETURN(auto stored, store_->Get(Column::kState, DocKey(leaf_index)));
  if (!stored || stored->empty() ||
      static_cast<DocumentKind>((*stored)[0]) != DocumentKind::kEvent) {
    return Status::NotFound("leaf " + std::to_string(leaf_index) + " is not an event");
  }
  auto document = crypto::ParseJson(std::string_view(*stored).substr(1));
  if (!document.ok()) {
    return Status::Corruption("the event of leaf " + std::to_string(leaf_index) +
                              " does not parse");
  }
  EventEntry entry;
  entry.leaf_index = leaf_index;
  entry.document = std::move(document).value();
  // The ledger took the event, so these members are there and read.
  const Json& info = entry.document["certificationInfo"];
  const Json& time = entry.document["eventTime"];
  if (!info.is_string() || !time.is_string()) {
    return Status::Corruption("the event of leaf " + std::to_string(leaf_index) +
                              " lacks certificationInfo or eventTime");
  }
  entry.certificate_id = info.get<std::string>();
  Result<int64_t> ms = gs1::ParseRfc3339Millis(time.get<std::string>());
  if (!ms.ok()) {
    return Status::Corruption("the event of leaf " + std::to_string(leaf_index) +
                              " has an eventTime that does not read");
  }
  entry.event_time_ms = *ms;
  return entry;
}

Result<StateMachine::EventScan> StateMachine::EventsByTime(
    int64_t ge_ms, int64_t lt_ms, const std::optional<EventTimeCursor>& after,
    size_t max_entries) const {
  EventScan scan;
  if (ge_ms >= lt_ms || max_entries == 0) return scan;
  std::string begin = EventTimeKey(ge_ms, 0);
  if (after) {
    // Just past the cursor's key: the key with one more leaf.
    std::string next = EventTimeKey(after->event_time_ms, after->leaf_index);
    next.push_back('\0');
    if (next > begin) begin = std::move(next);
  }
  const std::string end = EventTimeKey(lt_ms, 0);
  if (begin >= end) return scan;
  std::vector<uint64_t> leaves;
  Status decode;
  // One more than asked, to tell whether the range goes on.
  FRONTERA_RETURN_IF_ERROR(store_->Scan(Column::kIndex, begin, end, max_entries + 1,
                                        [&](std::string_view key, std::string_view) {
                                          Result<EventTimeCursor> at = DecodeEventTimeKey(key);
                                          if (!at.ok()) {
                                            decode = at.status();
                                            return false;
                                          }
                                          leaves.push_back(at->leaf_index);
                                          return true;
                                        }));
  FRONTERA_RETURN_IF_ERROR(decode);
  if (leaves.size() > max_entries) {
    scan.more = true;
    leaves.resize(max_entries);
  }
  for (uint64_t leaf : leaves) {
    Result<EventEntry> entry = EventAt(leaf);
    if (entry.status().IsNotFound()) {
      return Status::Corruption("the event time index names leaf " + std::to_string(leaf) +
                                ", which is not an event");
    }
    FRONTERA_RETURN_IF_ERROR(entry.status());
    scan.entries.push_back(std::move(entry).value());
  }
  return scan;
}

Result<std::vector<uint64_t>> StateMachine::EventLeavesOfItem(std::string_view epc) const {
  std::vector<uint64_t> leaves;
  const std::string product = std::string(gs1::kIdGs1Org) + "/01/";
  const std::string consignment = std::string(gs1::kIdGs1Org) + "/00/";
  std::optional<std::string> index_key;
  if (epc.starts_with(product)) {
    // "/01/" + 14-digit GTIN + "/21/" + the serial, percent-encoded as
    // SgtinEpc writes it.
    std::string_view rest = epc.substr(product.size());
    if (rest.size() < 19 || rest.substr(14, 4) != "/21/") return leaves;
    const std::string_view gtin = rest.substr(0, 14);
    Result<std::string> serial = gs1::PercentDecodeAiValue(rest.substr(18));
    if (!gs1::CheckGtin14(gtin).ok() || !serial.ok()) return leaves;
    if (gs1::SgtinEpc(gtin, *serial) != epc) return leaves;
    index_key = Key(kGtinPrefix, std::string(gtin) + "/" + *serial);
  } else if (epc.starts_with(consignment)) {
    const std::string_view sscc = epc.substr(consignment.size());
    if (!gs1::CheckSscc(sscc).ok()) return leaves;
    index_key = Key(kSsccPrefix, sscc);
  } else {
    return leaves;
  }
  FRONTERA_ASSIGN_OR_RETURN(auto certificate_id, store_->Get(Column::kIndex, *index_key));
  if (!certificate_id) return leaves;
  FRONTERA_ASSIGN_OR_RETURN(auto record_text,
                            store_->Get(Column::kState, Key(kCertPrefix, *certificate_id)));
  if (!record_text) {
    return Status::Corruption("the item index names certificate " + *certificate_id +
                              ", which has no record");
  }
  const Json record = Json::parse(*record_text);
  for (const Json& position : record["events"]) {
    leaves.push_back(position["leaf_index"].get<uint64_t>());
  }
  return leaves;
}

}  // namespace frontera::ledger
