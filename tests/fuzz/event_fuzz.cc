// Fuzzes ledger::ParseEvent (ledger/event_parsing.cc) and the proof
// verification on the parsed text: what POST /v1/events reads. Input: the
// JSON text. Properties: no input crashes, leaks or runs long; the document
// and its canonical form (RFC 8785) parse to the same event and agree on its
// proofs, which re-verify (tests/fuzz/document_fuzz.h); a parsed event has
// an id, a certificate and at least one EPC, and every flag it sets or
// clears is a DSCSA flag whose disposition maps back to it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/check.h"
#include "ledger/documents.h"
#include "tests/fuzz/document_fuzz.h"
#include "tests/fuzz/fuzz_entry.h"

namespace frontera::ledger {
namespace {

std::string Describe(const Event& e) {
  std::string out;
  auto add = [&out](std::string_view field) {
    out += std::to_string(field.size());
    out += ':';
    out += field;
  };
  for (std::string_view field :
       {std::string_view(e.event_id), std::string_view(e.biz_step), std::string_view(e.event_time),
        std::string_view(e.certificate_id), std::string_view(e.source_party),
        std::string_view(e.destination_party), std::string_view(e.read_point),
        std::string_view(e.biz_location), std::string_view(e.reason),
        std::string_view(e.proof_verification_method)}) {
    add(field);
  }
  for (const std::vector<std::string>* list : {&e.epc_list, &e.flags_set, &e.flags_unset}) {
    add(std::to_string(list->size()));
    for (const std::string& item : *list) add(item);
  }
  add(std::to_string(static_cast<int>(e.kind)));
  return out;
}

void FuzzOne(std::string_view input) {
  std::optional<fuzz::DocumentPair> pair = fuzz::ParseDocument(input);
  if (!pair) return;
  fuzz::CheckProofsAgree(*pair);

  Result<Event> event = ParseEvent(pair->original);
  Result<Event> canonical = ParseEvent(pair->canonical);
  FRONTERA_CHECK(event.ok() == canonical.ok())
      << "an event and its canonical form disagree: "
      << (event.ok() ? canonical.status() : event.status()).ToString();
  if (!event.ok()) {
    FRONTERA_CHECK(!event.status().field_errors().empty())
        << "a refusal names no field: " << event.status().ToString();
    return;
  }
  FRONTERA_CHECK(Describe(*event) == Describe(*canonical));
  FRONTERA_CHECK(!event->event_id.empty() && !event->certificate_id.empty());
  FRONTERA_CHECK(!event->epc_list.empty());
  if (event->kind == EventKind::kShipping) FRONTERA_CHECK(!event->destination_party.empty());
  for (const std::vector<std::string>* flags : {&event->flags_set, &event->flags_unset}) {
    for (const std::string& flag : *flags) {
      const std::optional<std::string> disposition = FlagDisposition(flag);
      FRONTERA_CHECK(disposition.has_value()) << "an event sets the unknown flag " << flag;
      FRONTERA_CHECK(FlagName(*disposition) == flag) << flag;
    }
  }
  for (const std::string& flag : event->flags_unset) {
    FRONTERA_CHECK(std::find(event->flags_set.begin(), event->flags_set.end(), flag) ==
                   event->flags_set.end())
        << "an event sets and clears " << flag;
  }
  if (!event->flags_set.empty() || !event->flags_unset.empty()) {
    FRONTERA_CHECK(!event->reason.empty()) << "a flag without a reason";
  }
}

}  // namespace
}  // namespace frontera::ledger

FRONTERA_FUZZ_TEXT_TARGET(frontera::ledger::FuzzOne)
