#include "ledger/lifecycle.h"

#include <array>

#include "common/check.h"
#include "common/clock.h"
#include "ledger/gs1.h"

namespace frontera::ledger {

using crypto::Json;

namespace {

struct Act {
  PackState target;
  std::string_view biz_step;
  std::string_view disposition;
};

// docs/formats.md §6.3: CBV 2.0 words where CBV has them, Frontera's
// vocabulary where it has none. One row per act, the undo last.
constexpr std::array<Act, 8> kActs = {{
    {PackState::kDispensed, "dispensing", "dispensed"},
    {PackState::kDestroyed, "destroying", "destroyed"},
    {PackState::kSampled, "sampling", "https://frontera.example/ns/v1/disposition/sampled"},
    // CBV has no step for a theft; its general decommissioning is EMVS's word.
    {PackState::kStolen, "decommissioning", "stolen"},
    {PackState::kExported, "https://frontera.example/ns/v1/bizstep/exporting",
     "https://frontera.example/ns/v1/disposition/exported"},
    {PackState::kFreeSample, "https://frontera.example/ns/v1/bizstep/free_sampling",
     "https://frontera.example/ns/v1/disposition/free_sample"},
    {PackState::kLocked, "https://frontera.example/ns/v1/bizstep/locking",
     "https://frontera.example/ns/v1/disposition/locked"},
    {PackState::kActive, "https://frontera.example/ns/v1/bizstep/undo_decommissioning", "active"},
}};

constexpr std::array<std::pair<PackState, std::string_view>, 8> kNames = {{
    {PackState::kActive, "active"},
    {PackState::kDispensed, "dispensed"},
    {PackState::kExported, "exported"},
    {PackState::kSampled, "sampled"},
    {PackState::kFreeSample, "free_sample"},
    {PackState::kLocked, "locked"},
    {PackState::kDestroyed, "destroyed"},
    {PackState::kStolen, "stolen"},
}};

constexpr std::string_view kGlnPrefix = "https://id.gs1.org/414/";

const Act& ActOf(PackState target) {
  for (const Act& act : kActs) {
    if (act.target == target) return act;
  }
  FRONTERA_CHECK(false) << "no act leads to state " << static_cast<int>(target);
  return kActs[0];
}

// Dispensing, exporting and sampling put the pack into a patient's or
// another market's hands: not while an agency or the issuer says it must not
// be. Destroying, reporting a theft and locking record what happened to a
// pack whatever else is in force.
bool HandsOver(PackState target) {
  return target == PackState::kDispensed || target == PackState::kExported ||
         target == PackState::kSampled || target == PackState::kFreeSample;
}

std::string StateWords(PackState state) {
  std::string words(PackStateName(state));
  for (char& c : words) c = c == '_' ? ' ' : c;
  return words;
}

Status Decommissioning(const PackLifecycle& now, PackState target, const LifecycleFacts& facts) {
  const std::string verb(LifecycleBizStep(target));
  if (target == PackState::kDispensed) {
    // EMVS: the pharmacy that supplies the pack to the patient.
    if (!facts.signer_holds) {
      return Status::PermissionDenied(
          "only the party holding the pack dispenses it" +
              (facts.in_transit_to.empty()
                   ? std::string()
                   : " (it is in transit to " + facts.in_transit_to + ": receive it first)"),
          {{"/proof/verificationMethod", "not the holder of the pack"}});
    }
  } else if (!facts.signer_is_issuer && !facts.signer_is_agency) {
    return Status::PermissionDenied(
        "only the certificate's issuer or an agency records a pack " + StateWords(target),
        {{"/proof/verificationMethod", "not the issuer or an agency"}});
  }
  if (now.decommissioned()) {
    return Status::FailedPrecondition(
        "the pack is already " + StateWords(now.state) + " (at GLN " + now.gln + ", " +
            FormatRfc3339(now.time_unix_ms) + ")" +
            (IsTerminal(now.state) ? ": nothing follows" : ": undo that first"),
        {{"/bizStep", "the pack is " + std::string(PackStateName(now.state))}});
  }
  if (HandsOver(target)) {
    if (facts.revoked) {
      return Status::FailedPrecondition(
          "the certificate is revoked: the pack cannot be " + StateWords(target),
          {{"/bizStep", "the certificate is revoked"}});
    }
    if (facts.held) {
      return Status::FailedPrecondition(
          "the pack is under customs hold: it cannot be " + StateWords(target),
          {{"/bizStep", "under customs hold"}});
    }
    if (!facts.flags.empty()) {
      return Status::FailedPrecondition(
          "the pack is flagged " + facts.flags + ": it cannot be " + StateWords(target),
          {{"/bizStep", "flagged " + facts.flags}});
    }
  }
  return Status::Ok();
}

Status Undo(const PackLifecycle& now, const std::string& gln, const std::string& location_pointer,
            int64_t block_time_unix_ms, const LifecycleFacts& facts) {
  if (!now.decommissioned()) {
    return Status::FailedPrecondition("the pack is not decommissioned: there is nothing to undo",
                                      {{"/bizStep", "the pack is active"}});
  }
  if (IsTerminal(now.state)) {
    return Status::FailedPrecondition(
        "the pack is " + StateWords(now.state) + ": that is never undone",
        {{"/bizStep", "the pack is " + std::string(PackStateName(now.state))}});
  }
  if (!facts.signer_decommissioned) {
    return Status::PermissionDenied(
        "only the party that decommissioned the pack (" + now.by + ") undoes it",
        {{"/proof/verificationMethod", "not the party that decommissioned the pack"}});
  }
  if (gln != now.gln) {
    return Status::FailedPrecondition(
        "a decommissioning is undone at the premises that made it, GLN " + now.gln,
        {{location_pointer, "must name GLN " + now.gln}});
  }
  // Block time, never a clock: every validator judges the same window.
  if (block_time_unix_ms - now.time_unix_ms >= kUndoWindowMillis) {
    return Status::FailedPrecondition(
        "the pack was " + StateWords(now.state) + " at " + FormatRfc3339(now.time_unix_ms) +
            ", 10 days or more ago: too late to undo",
        {{"/bizStep",
          "the 10-day window ended " + FormatRfc3339(now.time_unix_ms + kUndoWindowMillis)}});
  }
  if (facts.expired) {
    return Status::FailedPrecondition(
        "the pack expired on " + facts.expiry + ": it cannot return to the supply chain",
        {{"/epcList", "expired on " + facts.expiry}});
  }
  if (facts.recalled) {
    return Status::FailedPrecondition("the pack is recalled: it cannot return to the supply chain",
                                      {{"/epcList", "recalled"}});
  }
  return Status::Ok();
}

}  // namespace

std::string_view PackStateName(PackState state) {
  for (const auto& [value, name] : kNames) {
    if (value == state) return name;
  }
  return "active";
}

std::optional<PackState> ParsePackState(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

bool IsTerminal(PackState state) {
  return state == PackState::kDestroyed || state == PackState::kStolen;
}

std::optional<PackState> LifecycleTargetOfBizStep(std::string_view biz_step) {
  for (const Act& act : kActs) {
    if (act.biz_step == biz_step) return act.target;
  }
  return std::nullopt;
}

std::string_view LifecycleBizStep(PackState target) { return ActOf(target).biz_step; }

std::string_view LifecycleDisposition(PackState target) { return ActOf(target).disposition; }

Result<std::string> GlnOfLocation(std::string_view location_id) {
  if (location_id.substr(0, kGlnPrefix.size()) != kGlnPrefix) {
    return Status::FailedPrecondition("must be https://id.gs1.org/414/{gln}, the premises' GLN");
  }
  const std::string_view gln = location_id.substr(kGlnPrefix.size());
  if (Status s = gs1::CheckGln(gln); !s.ok()) {
    return Status::FailedPrecondition("the GLN: " + s.message());
  }
  return std::string(gln);
}

Json PackLifecycle::ToRecordJson() const {
  return {{"state", PackStateName(state)}, {"by", by},       {"gln", gln},
          {"time_unix_ms", time_unix_ms},  {"block", block}, {"leaf_index", leaf_index}};
}

Json PackLifecycle::ToViewJson() const {
  if (!decommissioned()) {
    return {{"state", "active"}, {"gln", nullptr},        {"time", nullptr},
            {"block", nullptr},  {"leaf_index", nullptr}, {"by", nullptr}};
  }
  return {{"state", PackStateName(state)},
          {"gln", gln},
          {"time", FormatRfc3339(time_unix_ms)},
          {"block", block},
          {"leaf_index", leaf_index},
          {"by", by}};
}

Result<PackLifecycle> LifecycleOfRecord(const Json& record) {
  PackLifecycle out;
  auto member = record.find("lifecycle");
  if (member == record.end()) return out;
  const Json& j = *member;
  auto bad = [] {
    return Status::Corruption("a certificate record's lifecycle does not read back");
  };
  if (!j.is_object() || !j.contains("state") || !j["state"].is_string()) return bad();
  std::optional<PackState> state = ParsePackState(j["state"].get<std::string>());
  if (!state) return bad();
  for (const char* text : {"by", "gln"}) {
    if (!j.contains(text) || !j[text].is_string()) return bad();
  }
  for (const char* number : {"time_unix_ms", "block", "leaf_index"}) {
    if (!j.contains(number) || !j[number].is_number_integer()) return bad();
  }
  out.state = *state;
  out.by = j["by"].get<std::string>();
  out.gln = j["gln"].get<std::string>();
  out.time_unix_ms = j["time_unix_ms"].get<int64_t>();
  out.block = j["block"].get<uint64_t>();
  out.leaf_index = j["leaf_index"].get<uint64_t>();
  return out;
}

Result<PackLifecycle> LifecycleOfCertificate(const Json& certificate) {
  PackLifecycle out;
  if (!certificate.is_object()) {
    return Status::InvalidArgument("a certificate must be an object", {{"", "not an object"}});
  }
  auto member = certificate.find("lifecycle");
  if (member == certificate.end() || member->is_null()) return out;
  const Json& j = *member;
  auto bad = [](const std::string& pointer, const std::string& reason) {
    return Status::InvalidArgument("the certificate's lifecycle: " + pointer + " " + reason,
                                   {{pointer, reason}});
  };
  if (!j.is_object()) return bad("/lifecycle", "must be an object");
  if (!j.contains("state") || !j["state"].is_string()) {
    return bad("/lifecycle/state", "must be a string");
  }
  std::optional<PackState> state = ParsePackState(j["state"].get<std::string>());
  if (!state) return bad("/lifecycle/state", "must be a pack state (active, dispensed, …)");
  out.state = *state;
  if (!out.decommissioned()) return out;
  for (const char* text : {"gln", "time", "by"}) {
    if (!j.contains(text) || !j[text].is_string()) {
      // The public view leaves out who decommissioned the pack.
      if (std::string_view(text) == "by" && !j.contains(text)) continue;
      return bad("/lifecycle/" + std::string(text), "must be a string");
    }
  }
  auto time = gs1::ParseRfc3339Millis(j["time"].get<std::string>());
  if (!time.ok()) return bad("/lifecycle/time", "must be an RFC 3339 date-time");
  out.gln = j["gln"].get<std::string>();
  out.time_unix_ms = *time;
  out.by = j.value("by", "");
  if (j.contains("block") && j["block"].is_number_unsigned())
    out.block = j["block"].get<uint64_t>();
  if (j.contains("leaf_index") && j["leaf_index"].is_number_unsigned()) {
    out.leaf_index = j["leaf_index"].get<uint64_t>();
  }
  return out;
}

Status CheckLifecycleAct(const PackLifecycle& now, PackState target, const std::string& gln,
                         const std::string& location_pointer, int64_t block_time_unix_ms,
                         const LifecycleFacts& facts) {
  if (!facts.product) {
    return Status::FailedPrecondition(
        "a pack's lifecycle is recorded on product certificates (GTIN + serial) only",
        {{"/bizStep", "not a product certificate"}});
  }
  if (target == PackState::kActive) {
    return Undo(now, gln, location_pointer, block_time_unix_ms, facts);
  }
  return Decommissioning(now, target, facts);
}

void RecordLifecycle(Json& record, PackState target, const std::string& by, const std::string& gln,
                     int64_t time_unix_ms, uint64_t block, uint64_t leaf_index) {
  if (target == PackState::kActive) {
    record.erase("lifecycle");
    return;
  }
  record["lifecycle"] =
      PackLifecycle{target, by, gln, time_unix_ms, block, leaf_index}.ToRecordJson();
}

Status CheckMayMove(const PackLifecycle& now) {
  if (!now.decommissioned()) return Status::Ok();
  return Status::FailedPrecondition(
      "the pack is " + StateWords(now.state) + " (at GLN " + now.gln + ", " +
          FormatRfc3339(now.time_unix_ms) + "): it cannot move" +
          (IsTerminal(now.state) ? "" : " until the decommissioning is undone"),
      {{"/bizStep", "the pack is " + std::string(PackStateName(now.state))}});
}

}  // namespace frontera::ledger
