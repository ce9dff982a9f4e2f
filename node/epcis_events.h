// The EPCIS 2.0 events query over the ledger (docs/api.md §12): finds the
// candidate events through the ledger's indexes, cuts each to the view its
// reader may see (node/record_access.h), keeps those that match and stops at
// a page or at the page's work bound, whichever comes first.
//
// Thread-safety: reads the state machine's committed state (thread-safe).
#pragma once

#include <cstddef>

#include "api/backend.h"
#include "ledger/state_machine.h"

namespace frontera::node {

// Events one page may read from the ledger before it is answered (its
// bound on work): a page that reached it without filling up ends there, with
// a token to go on.
inline constexpr size_t kEpcisScanEntriesMax = 10'000;

// The page of `query` (parsed by api::ParseEpcisQuery) for `reader`. Events
// of the EPCs that MATCH_epc (else MATCH_anyEPC) names come in ledger order,
// through the certificates of those items; every other query walks the
// time index in (eventTime, leaf) order within GE_eventTime and
// LT_eventTime. At most `scan_entries_max` events are read.
// REQUIRES: scan_entries_max >= 1.
Result<api::EpcisPage> QueryEpcisEvents(const ledger::StateMachine& sm,
                                        const api::EpcisQuery& query, const api::Reader& reader,
                                        size_t scan_entries_max = kEpcisScanEntriesMax);

}  // namespace frontera::node
