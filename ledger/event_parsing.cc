// ParseEvent (ledger/documents.h): an EPCIS 2.0 ObjectEvent, a movement or a
// customs act, with its business step, EPCs, parties and quantities
// (docs/formats.md).
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/document_fields.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"
#include "ledger/lifecycle.h"

namespace frontera::ledger {

// The shared member rules (ledger/document_fields.h).
using document_fields::BoundedText;
using document_fields::CheckContext;
using document_fields::CheckDidKey;
using document_fields::CheckDocument;
using document_fields::CheckedText;
using document_fields::CheckUri;
using document_fields::Child;
using document_fields::Fields;
using document_fields::JoinNames;
using document_fields::kIdCharsMax;
using document_fields::Kind;
using document_fields::kReasonCharsMax;
using document_fields::Need;
using document_fields::ReadProofOrSet;

namespace {

constexpr std::string_view kEpcisContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

// CBV 2.0 business step values used by Frontera, then Frontera's own customs
// acts (docs/formats.md "Customs vocabulary").
constexpr std::array<std::pair<std::string_view, EventKind>, 8> kBizSteps = {{
    {"shipping", EventKind::kShipping},
    {"departing", EventKind::kDeparting},
    {"arriving", EventKind::kArriving},
    {"receiving", EventKind::kReceiving},
    {"inspecting", EventKind::kInspecting},
    {"https://frontera.example/ns/v1/bizstep/customs_hold", EventKind::kCustomsHold},
    {"https://frontera.example/ns/v1/bizstep/customs_release", EventKind::kCustomsRelease},
    {"https://frontera.example/ns/v1/bizstep/joint_inspection", EventKind::kJointInspection},
}};

// The dispositions that are DSCSA flags: CBV 2.0's "recalled", and
// Frontera's "suspect" and "illegitimate" (DSCSA, FD&C Act §581(21), (8)),
// which CBV has no word for.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kFlags = {{
    {"https://frontera.example/ns/v1/disposition/suspect", "suspect"},
    {"https://frontera.example/ns/v1/disposition/illegitimate", "illegitimate"},
    {"recalled", "recalled"},
}};

// persistentDisposition: {"set": [...], "unset": [...]}, each value a flag.
void ReadFlags(Fields& fields, const Json& event, Event& out) {
  const Json* pd =
      fields.Member(event, "", "persistentDisposition", Need::kOptional, Kind::kObject);
  if (pd == nullptr) return;
  for (const auto& [key, list] :
       {std::pair{"set", &out.flags_set}, std::pair{"unset", &out.flags_unset}}) {
    const Json* values =
        fields.Member(*pd, "/persistentDisposition", key, Need::kOptional, Kind::kArray);
    if (values == nullptr) continue;
    for (size_t i = 0; i < values->size(); ++i) {
      const std::string ptr = Child(Child("/persistentDisposition", key), i);
      const Json& v = (*values)[i];
      std::optional<std::string> flag =
          v.is_string() ? FlagName(v.get<std::string>()) : std::nullopt;
      if (!flag) {
        std::vector<std::string_view> names;
        for (const auto& entry : kFlags) names.push_back(entry.first);
        fields.Broken(ptr, "must be one of " + JoinNames(names));
        continue;
      }
      if (std::find(list->begin(), list->end(), *flag) != list->end()) {
        fields.Broken(ptr, "repeats " + *flag);
        continue;
      }
      list->push_back(*flag);
    }
  }
  for (size_t i = 0; i < out.flags_unset.size(); ++i) {
    if (std::find(out.flags_set.begin(), out.flags_set.end(), out.flags_unset[i]) !=
        out.flags_set.end()) {
      fields.Broken(Child("/persistentDisposition/unset", i),
                    "sets and clears " + out.flags_unset[i] + " at once");
    }
  }
  if (out.flags_set.empty() && out.flags_unset.empty()) {
    fields.Broken("/persistentDisposition", "must set or clear at least one flag");
  }
}

// CBV 2.0 source/destination type "possessing_party", in the bare form
// EPCIS 2.0 JSON writes, the CBV 2.0 URI and the CBV 1.x URN.
constexpr std::array<std::string_view, 3> kPossessingParty = {
    "possessing_party",
    "https://ref.gs1.org/cbv/SDT-possessing_party",
    "urn:epcglobal:cbv:sdt:possessing_party",
};

// sourceList / destinationList: returns the possessing_party, if any.
std::string ReadPartyList(Fields& fields, const Json& event, std::string_view key,
                          std::string_view party_member) {
  const Json* list = fields.Member(event, "", key, Need::kOptional, Kind::kArray);
  if (list == nullptr) return "";
  const std::string lptr = Child("", key);
  std::string party;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string iptr = Child(lptr, i);
    const Json& entry = (*list)[i];
    if (!entry.is_object()) {
      fields.Malformed(iptr, "must be an object {type, " + std::string(party_member) + "}");
      continue;
    }
    auto type = fields.Text(entry, iptr, "type", Need::kRequired);
    auto value = fields.Text(entry, iptr, party_member, Need::kRequired);
    if (!type || !value) continue;
    if (!fields.Length(Child(iptr, "type"), *type, 1, kIdCharsMax)) continue;
    if (std::find(kPossessingParty.begin(), kPossessingParty.end(), *type) ==
        kPossessingParty.end()) {
      fields.Check(Child(iptr, party_member), CheckUri(*value));
      continue;
    }
    // Frontera names the parties of custody by their did:key, the key that
    // signs their events (docs/formats.md "Events").
    if (!fields.Check(Child(iptr, party_member), CheckDidKey(*value))) continue;
    if (!party.empty()) {
      fields.Broken(iptr, "a second possessing_party; a list names at most one");
      continue;
    }
    party = *value;
  }
  return party;
}

// A lifecycle act (docs/formats.md §6.3) says what became of the pack, with
// the disposition its step pairs with, and where: the premises' GLN, which an
// undo must name again.
void ReadLifecycle(Fields& fields, const std::optional<std::string>& disposition, Event& event) {
  const std::string_view expected = LifecycleDisposition(event.lifecycle_target);
  if (!disposition || *disposition != expected) {
    fields.Broken("/disposition", event.biz_step + " records disposition " + std::string(expected));
  }
  const bool at_biz_location = !event.biz_location.empty();
  if (!at_biz_location && event.read_point.empty()) {
    fields.Broken("/bizLocation", event.biz_step +
                                      " names the premises: bizLocation (or readPoint) "
                                      "https://id.gs1.org/414/{gln}");
    return;
  }
  event.lifecycle_gln_pointer = at_biz_location ? "/bizLocation/id" : "/readPoint/id";
  auto gln = GlnOfLocation(at_biz_location ? event.biz_location : event.read_point);
  if (!gln.ok()) {
    fields.Broken(event.lifecycle_gln_pointer, gln.status().message());
    return;
  }
  event.lifecycle_gln = *gln;
}

}  // namespace

std::optional<std::string> FlagName(std::string_view disposition) {
  for (const auto& [value, name] : kFlags) {
    if (value == disposition) return std::string(name);
  }
  return std::nullopt;
}

std::optional<std::string> FlagDisposition(std::string_view name) {
  for (const auto& [value, flag] : kFlags) {
    if (flag == name) return std::string(value);
  }
  return std::nullopt;
}

Result<Event> ParseEvent(const Json& document) {
  FRONTERA_RETURN_IF_ERROR(CheckDocument(document, "event"));
  Fields fields("event");
  Event event;

  // EPCIS 2.0 JSON/JSON-LD binding: the EPCIS context is included.
  const std::array<std::string_view, 1> contexts = {kEpcisContext};
  CheckContext(fields, document, "", contexts);

  CheckedText(fields, document, "", "type", Need::kRequired, [](std::string_view v) {
    return v == "ObjectEvent" ? Status::Ok()
                              : Status::FailedPrecondition(
                                    "must be ObjectEvent (the only EPCIS event type "
                                    "the ledger records)");
  });
  event.event_id =
      CheckedText(fields, document, "", "eventID", Need::kRequired, [](std::string_view v) {
        return CheckUri(v);
      }).value_or("");
  event.event_time =
      CheckedText(fields, document, "", "eventTime", Need::kRequired, [](std::string_view v) {
        return gs1::ParseRfc3339Millis(v).status();
      }).value_or("");
  CheckedText(fields, document, "", "eventTimeZoneOffset", Need::kRequired,
              gs1::CheckTimeZoneOffset);

  if (const Json* epcs = fields.Member(document, "", "epcList", Need::kRequired, Kind::kArray)) {
    if (epcs->empty()) fields.Broken("/epcList", "must name at least one EPC");
    for (size_t i = 0; i < epcs->size(); ++i) {
      const Json& epc = (*epcs)[i];
      if (!epc.is_string()) {
        fields.Malformed(Child("/epcList", i), "must be a string");
        continue;
      }
      if (fields.Check(Child("/epcList", i), CheckUri(epc.get<std::string>()))) {
        event.epc_list.push_back(epc.get<std::string>());
      }
    }
  }

  CheckedText(fields, document, "", "action", Need::kRequired, [](std::string_view v) {
    return v == "OBSERVE" || v == "ADD" || v == "DELETE"
               ? Status::Ok()
               : Status::FailedPrecondition("must be one of OBSERVE, ADD, DELETE");
  });

  std::optional<EventKind> kind;
  if (auto biz_step = fields.Text(document, "", "bizStep", Need::kRequired)) {
    for (const auto& [name, value] : kBizSteps) {
      if (*biz_step == name) kind = value;
    }
    if (std::optional<PackState> target = LifecycleTargetOfBizStep(*biz_step)) {
      kind = EventKind::kLifecycle;
      event.lifecycle_target = *target;
    }
    if (!kind) {
      std::vector<std::string_view> names;
      for (const auto& entry : kBizSteps) names.push_back(entry.first);
      fields.Broken("/bizStep", "must be one of " + JoinNames(names) +
                                    " or a lifecycle step (docs/formats.md §6.3)");
    }
    event.biz_step = *biz_step;
  }
  event.kind = kind.value_or(EventKind::kShipping);

  auto disposition = fields.Text(document, "", "disposition", Need::kOptional);
  for (std::string_view key : {"readPoint", "bizLocation"}) {
    const Json* place = fields.Member(document, "", key, Need::kOptional, Kind::kObject);
    if (place == nullptr) continue;
    auto id = CheckedText(fields, *place, Child("", key), "id", Need::kRequired,
                          [](std::string_view v) { return CheckUri(v); });
    (key == "readPoint" ? event.read_point : event.biz_location) = id.value_or("");
  }
  if (kind == EventKind::kLifecycle) ReadLifecycle(fields, disposition, event);

  event.source_party = ReadPartyList(fields, document, "sourceList", "source");
  event.destination_party = ReadPartyList(fields, document, "destinationList", "destination");
  if (kind == EventKind::kShipping && event.destination_party.empty() && !fields.malformed()) {
    fields.Broken("/destinationList",
                  "shipping must name the receiving party: a destinationList entry of type "
                  "possessing_party with its did:key");
  }

  if (const Json* quantities =
          fields.Member(document, "", "quantityList", Need::kOptional, Kind::kArray)) {
    for (size_t i = 0; i < quantities->size(); ++i) {
      const std::string iptr = Child("/quantityList", i);
      const Json& entry = (*quantities)[i];
      if (!entry.is_object()) {
        fields.Malformed(iptr, "must be an object {epcClass, quantity, uom}");
        continue;
      }
      CheckedText(fields, entry, iptr, "epcClass", Need::kRequired,
                  [](std::string_view v) { return CheckUri(v); });
      const Json* quantity = fields.Member(entry, iptr, "quantity", Need::kRequired, Kind::kNumber);
      CheckedText(fields, entry, iptr, "uom", Need::kOptional, gs1::CheckUnitCode);
      if (quantity == nullptr) continue;
      if (!(quantity->get<double>() > 0)) {
        fields.Broken(iptr + "/quantity", "must be a number greater than 0");
      } else if (!entry.contains("uom") && !quantity->is_number_integer() &&
                 !quantity->is_number_unsigned()) {
        // EPCIS 2.0 QuantityElement: without uom the quantity counts instances.
        fields.Broken(iptr + "/quantity", "must be a whole number when uom is absent");
      }
    }
  }

  event.certificate_id = CheckedText(fields, document, "", "certificationInfo", Need::kRequired,
                                     [](std::string_view v) { return CheckUri(v); })
                             .value_or("");
  ReadFlags(fields, document, event);
  const bool flags = !event.flags_set.empty() || !event.flags_unset.empty();
  event.reason = BoundedText(fields, document, "", "frontera:reason",
                             flags ? Need::kRequired : Need::kOptional, kReasonCharsMax)
                     .value_or("");
  if (flags && kind && *kind != EventKind::kInspecting && !fields.malformed()) {
    fields.Broken("/bizStep", "a flag is raised or cleared by an inspecting event");
  }
  // A proof set: a majority of the agencies clearing another agency's flag.
  event.proof_verification_method = ReadProofOrSet(fields, document);

  FRONTERA_RETURN_IF_ERROR(fields.Finish());
  return event;
}

}  // namespace frontera::ledger
