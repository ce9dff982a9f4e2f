// Who may see a record's commercial details (docs/api.md#two-views): an
// agency, and the parties the record names, compared by their origin DID
// (the DID a party was first registered under), as the registry compares
// parties, so a party that changed its key still sees its records. The
// reader must sign with its current DID and be active: a retired key or a
// suspended party gets the public view.
//
// Thread-safety: reads the state machine's committed state (thread-safe).
#pragma once

#include "api/reader.h"
#include "crypto/json.h"
#include "ledger/state_machine.h"

namespace frontera::node {

// True when `reader` is an active agency.
bool IsAgencyReader(const ledger::StateMachine& sm, const api::Reader& reader);

// True when `reader` may see the full view of `certificate` (a
// Backend::GetCertificate answer): an active agency, or an active party
// that is, or has the same origin as, a DID the certificate names
// (api::NamedDids).
bool MaySeeDetails(const ledger::StateMachine& sm, const api::Reader& reader,
                   const crypto::Json& certificate);

// True when `reader` may see the full view of an EPCIS event as the ledger
// holds it (docs/api.md §12): an active agency, or an active party that is,
// or has the same origin as, a DID the event names (api::EpcisEventDids:
// its signers, sources and destinations).
bool MaySeeEventDetails(const ledger::StateMachine& sm, const api::Reader& reader,
                        const crypto::Json& event);

// True when `reader` may read `notice` (a StateMachine::NoticeView): an
// active agency, an active party with the origin of one of the notice's
// `parties` (its filer, the signers of its follow-ups and termination), or
// one that may see the full view of one of its certificates.
bool MaySeeNotice(const ledger::StateMachine& sm, const api::Reader& reader,
                  const crypto::Json& notice);

}  // namespace frontera::node
