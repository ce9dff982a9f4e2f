// A pack's life after its certificate (EU FMD / EMVS, docs/ledger.md#pack-lifecycle):
// a product certificate's item is active until a party decommissions it —
// dispensed, exported, sampled, free_sample, locked, destroyed or stolen —
// and a decommissioning that is not terminal may be undone by the party that
// made it, at the same premises, within 10 days of block time, unless the
// pack has expired or is recalled.
//
// This file holds the vocabulary (the EPCIS bizStep and disposition of each
// act, docs/formats.md §6.3), the pack's lifecycle as a certificate record
// and view carry it, and the transition rules as pure functions of facts the
// state machine establishes (who the signer is to the pack, what else is in
// force). The state machine calls them from state_machine_lifecycle.cc;
// readers (the verdict, VRS answers) read a pack's state with
// LifecycleOfCertificate or StateMachine::PackLifecycleOf.
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/json.h"

namespace frontera::ledger {

enum class PackState {
  kActive,
  kDispensed,
  kExported,
  kSampled,
  kFreeSample,
  kLocked,
  kDestroyed,  // terminal
  kStolen,     // terminal
};

// "active", "dispensed", "exported", "sampled", "free_sample", "locked",
// "destroyed", "stolen".
std::string_view PackStateName(PackState state);
// The inverse of PackStateName; nullopt for any other text.
std::optional<PackState> ParsePackState(std::string_view name);
// Destroyed and stolen: never undone, and nothing follows them.
bool IsTerminal(PackState state);

// EU FMD: a decommissioning may be undone within 10 days. A rule of the
// ledger (the same on every validator), not a node's setting.
inline constexpr int64_t kUndoWindowMillis = int64_t{10} * 24 * 60 * 60 * 1000;

// The business step that records a lifecycle act, by the state it leads to
// (kActive: the undo). nullopt when `biz_step` is not one.
std::optional<PackState> LifecycleTargetOfBizStep(std::string_view biz_step);
// The bizStep and disposition an event that leads to `target` carries.
std::string_view LifecycleBizStep(PackState target);
std::string_view LifecycleDisposition(PackState target);

// The GLN of a location id written `https://id.gs1.org/414/{gln}` (a
// readPoint's or bizLocation's); kFailedPrecondition for another form or a
// bad check digit.
Result<std::string> GlnOfLocation(std::string_view location_id);

// A pack's lifecycle. When active, the other members are empty / 0.
struct PackLifecycle {
  PackState state = PackState::kActive;
  std::string by;            // DID that signed the decommissioning
  std::string gln;           // where: the premises it named
  int64_t time_unix_ms = 0;  // when: the time of its block
  uint64_t block = 0;        // the height of that block
  uint64_t leaf_index = 0;   // the decommissioning event's leaf

  bool decommissioned() const { return state != PackState::kActive; }
  // The certificate record's member: {state, by, gln, time_unix_ms, block,
  // leaf_index}.
  crypto::Json ToRecordJson() const;
  // The certificate view's member "lifecycle": {state, gln, time (RFC 3339),
  // block, leaf_index, by}; the others null when active.
  crypto::Json ToViewJson() const;
};

// The lifecycle a certificate record holds (no "lifecycle" member: active).
// kCorruption when the member does not read back.
Result<PackLifecycle> LifecycleOfRecord(const crypto::Json& record);
// The lifecycle a certificate view (GET /v1/certificates/{id}, full or
// public) states; a view without the member (an older node) is active.
// kInvalidArgument naming the pointer when the member is malformed (a
// node's answer is untrusted input).
Result<PackLifecycle> LifecycleOfCertificate(const crypto::Json& certificate);

// Who the signer of a lifecycle event is to the pack, and what else is in
// force on it, as the state machine finds them at the event's block.
struct LifecycleFacts {
  bool product = true;        // a product certificate (GTIN + serial)
  bool signer_holds = false;  // the signer is the custodian, not in transit
  std::string in_transit_to;  // the addressee while in transit, else empty
  bool signer_is_issuer = false;
  bool signer_is_agency = false;
  bool signer_decommissioned = false;  // the signer made the decommissioning in force
  bool revoked = false;
  bool held = false;      // under customs hold
  std::string flags;      // the DSCSA flags in force, ", "-joined; empty for none
  bool recalled = false;  // flagged recalled, or revoked for a recall
  bool expired = false;   // the product's expiry has passed at block time
  std::string expiry;     // the product's expiry date, for the refusal
};

// Whether an event leading to `target` (kActive: undo) at premises `gln`, in
// a block of time `block_time_unix_ms`, is allowed on a pack whose lifecycle
// is `now`. kPermissionDenied for the wrong party, kFailedPrecondition for
// the wrong state, premises or time; each refusal names its pointer into the
// event (`location_pointer` is the id the premises came from).
Status CheckLifecycleAct(const PackLifecycle& now, PackState target, const std::string& gln,
                         const std::string& location_pointer, int64_t block_time_unix_ms,
                         const LifecycleFacts& facts);

// Writes an accepted lifecycle event into the certificate `record`: the
// pack decommissioned into `target` by `by` at `gln` in block `block` of time
// `time_unix_ms` (event leaf `leaf_index`), or active again (kActive: the
// member is removed, so that records of active packs stay as they were).
void RecordLifecycle(crypto::Json& record, PackState target, const std::string& by,
                     const std::string& gln, int64_t time_unix_ms, uint64_t block,
                     uint64_t leaf_index);

// Whether a movement (shipping, departing, arriving, receiving) is allowed:
// kFailedPrecondition at /bizStep while the pack is decommissioned.
Status CheckMayMove(const PackLifecycle& now);

}  // namespace frontera::ledger
