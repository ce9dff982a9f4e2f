#include "node/epcis_events.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "api/epcis_query.h"
#include "common/check.h"
#include "node/record_access.h"

namespace frontera::node {

using Entry = ledger::StateMachine::EventEntry;

Result<api::EpcisPage> QueryEpcisEvents(const ledger::StateMachine& sm,
                                        const api::EpcisQuery& query, const api::Reader& reader,
                                        size_t scan_entries_max) {
  FRONTERA_CHECK(scan_entries_max >= 1);
  api::EpcisPage page;
  const bool agency = IsAgencyReader(sm, reader);
  // The view first, then the filters on it: a filter on a member the reader
  // may not see never matches, so no one learns a withheld value by asking.
  auto consider = [&](const Entry& entry) {
    const bool full = agency || MaySeeEventDetails(sm, reader, entry.document);
    api::Json view = full ? api::FullEpcisEvent(entry.document, entry.leaf_index)
                          : api::PublicEpcisEvent(entry.document, entry.leaf_index);
    if (api::EpcisEventMatches(query, view)) page.events.push_back(std::move(view));
  };

  if (api::EpcisByItem(query)) {
    const std::vector<std::string>& epcs = query.epcs.empty() ? query.any_epcs : query.epcs;
    std::vector<uint64_t> leaves;
    for (const std::string& epc : epcs) {
      FRONTERA_ASSIGN_OR_RETURN(std::vector<uint64_t> of_item, sm.EventLeavesOfItem(epc));
      leaves.insert(leaves.end(), of_item.begin(), of_item.end());
    }
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    auto it = query.after ? std::upper_bound(leaves.begin(), leaves.end(), query.after->leaf_index)
                          : leaves.begin();
    size_t read = 0;
    for (; it != leaves.end(); ++it) {
      if (page.events.size() == query.per_page || read == scan_entries_max) {
        page.next = api::EpcisCursor{false, 0, *std::prev(it)};
        break;
      }
      FRONTERA_ASSIGN_OR_RETURN(Entry entry, sm.EventAt(*it));
      ++read;
      consider(entry);
    }
    return page;
  }

  const int64_t ge = query.ge_event_time_ms.value_or(std::numeric_limits<int64_t>::min());
  const int64_t lt = query.lt_event_time_ms.value_or(std::numeric_limits<int64_t>::max());
  std::optional<ledger::StateMachine::EventTimeCursor> cursor;
  if (query.after) {
    cursor =
        ledger::StateMachine::EventTimeCursor{query.after->event_time_ms, query.after->leaf_index};
  }
  size_t read = 0;
  while (true) {
    const size_t ask = std::min(scan_entries_max - read, query.per_page);
    FRONTERA_ASSIGN_OR_RETURN(ledger::StateMachine::EventScan scan,
                              sm.EventsByTime(ge, lt, cursor, ask));
    for (size_t i = 0; i < scan.entries.size(); ++i) {
      const Entry& entry = scan.entries[i];
      consider(entry);
      ++read;
      cursor = ledger::StateMachine::EventTimeCursor{entry.event_time_ms, entry.leaf_index};
      const bool more = i + 1 < scan.entries.size() || scan.more;
      if ((page.events.size() == query.per_page || read == scan_entries_max) && more) {
        page.next = api::EpcisCursor{true, entry.event_time_ms, entry.leaf_index};
        return page;
      }
    }
    if (!scan.more || read == scan_entries_max) return page;
  }
}

}  // namespace frontera::node
