#include "api/epcis_query.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "api/routes.h"
#include "ledger/gs1.h"

namespace frontera::api {
namespace {

using Json = crypto::Json;

// The fixed-name parameters of the REST binding's GET /events that this
// repository does not serve: each is refused by name rather than ignored,
// since ignoring a filter answers more than was asked.
constexpr std::array<std::string_view, 40> kUnservedParameters = {"GE_recordTime",
                                                                  "LT_recordTime",
                                                                  "WD_readPoint",
                                                                  "WD_bizLocation",
                                                                  "EQ_transformationID",
                                                                  "MATCH_parentID",
                                                                  "MATCH_inputEPC",
                                                                  "MATCH_outputEPC",
                                                                  "MATCH_epcClass",
                                                                  "MATCH_inputEPCClass",
                                                                  "MATCH_outputEPCClass",
                                                                  "MATCH_anyEPCClass",
                                                                  "EQ_quantity",
                                                                  "GT_quantity",
                                                                  "GE_quantity",
                                                                  "LT_quantity",
                                                                  "LE_quantity",
                                                                  "EXISTS_errorDeclaration",
                                                                  "GE_errorDeclarationTime",
                                                                  "LT_errorDeclarationTime",
                                                                  "EQ_errorReason",
                                                                  "EQ_correctiveEventID",
                                                                  "orderBy",
                                                                  "orderDirection",
                                                                  "eventCountLimit",
                                                                  "maxEventCount",
                                                                  "GE_startTime",
                                                                  "LT_startTime",
                                                                  "GE_endTime",
                                                                  "LT_endTime",
                                                                  "EQ_type",
                                                                  "EQ_deviceID",
                                                                  "EQ_dataProcessingMethod",
                                                                  "EQ_microorganism",
                                                                  "EQ_chemicalSubstance",
                                                                  "EQ_bizRules",
                                                                  "EQ_stringValue",
                                                                  "EQ_hexBinaryValue",
                                                                  "EQ_uriValue",
                                                                  "EQ_booleanValue"};

// The prefixes of the standard's parameter families whose names carry a
// field name (EQ_fieldname, GT_fieldname, EXISTS_fieldname, EQ_INNER_…,
// EQ_source_type, …, EPCIS 2.0 §8.2.7.1).
constexpr std::array<std::string_view, 9> kFamilyPrefixes = {
    "EQ_", "GT_", "GE_", "LT_", "LE_", "EXISTS_", "MATCH_", "WD_", "EQATTR_"};

std::string Hex16(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[i] = kDigits[value & 0xf];
    value >>= 4;
  }
  return out;
}

std::optional<uint64_t> ParseHex16(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  return value;
}

bool Contains(const std::vector<std::string>& values, const Json& member) {
  return member.is_string() &&
         std::find(values.begin(), values.end(), member.get<std::string>()) != values.end();
}

// An "id" member's value (readPoint, bizLocation).
const Json* IdOf(const Json& event, const char* name) {
  if (!event.contains(name) || !event[name].is_object() || !event[name].contains("id")) {
    return nullptr;
  }
  return &event[name]["id"];
}

bool AnyInList(const std::vector<std::string>& values, const Json& event, const char* name) {
  if (!event.contains(name) || !event[name].is_array()) return false;
  return std::any_of(event[name].begin(), event[name].end(),
                     [&](const Json& item) { return Contains(values, item); });
}

bool PersistentMatches(const std::vector<std::string>& values, const Json& event,
                       const char* which) {
  if (!event.contains("persistentDisposition") || !event["persistentDisposition"].is_object()) {
    return false;
  }
  return AnyInList(values, event["persistentDisposition"], which);
}

std::string SignerDid(const Json& proof) {
  if (!proof.is_object() || !proof.contains("verificationMethod") ||
      !proof["verificationMethod"].is_string()) {
    return "";
  }
  const std::string method = proof["verificationMethod"].get<std::string>();
  return method.substr(0, method.find('#'));
}

}  // namespace

std::string EncodePageToken(const EpcisCursor& cursor) {
  if (cursor.by_time) {
    return "t" + Hex16(static_cast<uint64_t>(cursor.event_time_ms) ^ (uint64_t{1} << 63)) +
           Hex16(cursor.leaf_index);
  }
  return "l" + Hex16(cursor.leaf_index);
}

std::optional<EpcisCursor> DecodePageToken(std::string_view token) {
  EpcisCursor cursor;
  if (token.size() == 33 && token[0] == 't') {
    std::optional<uint64_t> order = ParseHex16(token.substr(1, 16));
    std::optional<uint64_t> leaf = ParseHex16(token.substr(17));
    if (!order || !leaf) return std::nullopt;
    cursor.by_time = true;
    cursor.event_time_ms = static_cast<int64_t>(*order ^ (uint64_t{1} << 63));
    cursor.leaf_index = *leaf;
    return cursor;
  }
  if (token.size() == 17 && token[0] == 'l') {
    std::optional<uint64_t> leaf = ParseHex16(token.substr(1));
    if (!leaf) return std::nullopt;
    cursor.by_time = false;
    cursor.leaf_index = *leaf;
    return cursor;
  }
  return std::nullopt;
}

bool EpcisByItem(const EpcisQuery& query) { return !query.epcs.empty() || !query.any_epcs.empty(); }

Result<EpcisQuery> ParseEpcisQuery(std::string_view query) {
  EpcisQuery out;
  std::vector<FieldError> errors;
  // The pairs as sent, to rebuild the next page's query without the token.
  std::vector<std::string_view> kept;
  std::map<std::string, std::vector<std::string>> values;
  for (std::string_view rest = query; !rest.empty();) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, eq));
    std::optional<std::string> value =
        PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name) {
      errors.push_back({"/query/" + std::string(pair.substr(0, eq)),
                        "a parameter name with a malformed percent-encoding"});
      continue;
    }
    if (!value) {
      errors.push_back({"/query/" + *name, "malformed percent-encoding"});
      continue;
    }
    if (*name != "nextPageToken") kept.push_back(pair);
    values[*name].push_back(std::move(*value));
  }
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.query_without_token += '&';
    out.query_without_token += kept[i];
  }

  auto list = [&](const std::string& name, const std::string& value,
                  std::vector<std::string>& into) {
    std::string_view rest = value;
    while (true) {
      const std::string_view item = rest.substr(0, rest.find('|'));
      if (item.empty()) {
        errors.push_back({"/query/" + name, "a value of the pipe-delimited list is empty"});
        return;
      }
      if (item.size() > kEpcisValueBytesMax) {
        errors.push_back({"/query/" + name, "a value is longer than " +
                                                std::to_string(kEpcisValueBytesMax) + " bytes"});
        return;
      }
      into.emplace_back(item);
      if (item.size() == rest.size()) break;
      rest.remove_prefix(item.size() + 1);
    }
    if (into.size() > kEpcisValuesMax) {
      errors.push_back(
          {"/query/" + name, "lists more than " + std::to_string(kEpcisValuesMax) + " values"});
    }
  };
  auto time = [&](const std::string& name, const std::string& value, std::optional<int64_t>& into) {
    Result<int64_t> ms = ledger::gs1::ParseRfc3339Millis(value);
    if (!ms.ok()) {
      errors.push_back({"/query/" + name,
                        "must be an RFC 3339 date-time with its offset, such as "
                        "2026-11-03T09:30:00.000-06:00 (" +
                            ms.status().message() + ")"});
      return;
    }
    into = *ms;
  };
  const std::map<std::string_view, std::vector<std::string>*> lists = {
      {"eventType", &out.event_types},
      {"EQ_action", &out.actions},
      {"EQ_bizStep", &out.biz_steps},
      {"EQ_disposition", &out.dispositions},
      {"EQ_persistentDisposition_set", &out.persistent_set},
      {"EQ_persistentDisposition_unset", &out.persistent_unset},
      {"EQ_readPoint", &out.read_points},
      {"EQ_bizLocation", &out.biz_locations},
      {"MATCH_epc", &out.epcs},
      {"MATCH_anyEPC", &out.any_epcs},
      {"EQ_eventID", &out.event_ids}};

  for (const auto& [name, given] : values) {
    const std::string pointer = "/query/" + name;
    if (given.size() > 1) {
      errors.push_back({pointer, "given more than once (list several values with |)"});
      continue;
    }
    const std::string& value = given[0];
    if (auto it = lists.find(name); it != lists.end()) {
      list(name, value, *it->second);
    } else if (name == "GE_eventTime") {
      time(name, value, out.ge_event_time_ms);
    } else if (name == "LT_eventTime") {
      time(name, value, out.lt_event_time_ms);
    } else if (name == "perPage") {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n < 1 ||
          n > kEpcisPerPageMax) {
        errors.push_back(
            {pointer, "must be a whole number from 1 to " + std::to_string(kEpcisPerPageMax)});
      } else {
        out.per_page = static_cast<size_t>(n);
      }
    } else if (name == "nextPageToken") {
      out.after = DecodePageToken(value);
      if (!out.after) {
        errors.push_back({pointer,
                          "is not a token this repository gave (pass the Link "
                          "header's next URL as it is)"});
      }
    } else if (std::find(kUnservedParameters.begin(), kUnservedParameters.end(), name) !=
               kUnservedParameters.end()) {
      errors.push_back({pointer,
                        "is an EPCIS 2.0 query parameter this repository does not "
                        "support (docs/api.md §12 lists those it does)"});
    } else if (std::any_of(kFamilyPrefixes.begin(), kFamilyPrefixes.end(),
                           [&](std::string_view p) { return name.starts_with(p); })) {
      errors.push_back({pointer,
                        "is not a query parameter this repository supports (EPCIS "
                        "2.0 parameters on extension fields, sources, destinations "
                        "and transactions are not served)"});
    } else {
      errors.push_back({pointer, "is not an EPCIS 2.0 query parameter"});
    }
  }
  for (const std::string& action : out.actions) {
    if (action != "ADD" && action != "OBSERVE" && action != "DELETE") {
      errors.push_back({"/query/EQ_action",
                        "must list ADD, OBSERVE or DELETE, not \"" + action.substr(0, 64) + "\""});
      break;
    }
  }
  if (out.after && out.after->by_time == EpcisByItem(out)) {
    errors.push_back({"/query/nextPageToken",
                      "belongs to a query of other parameters (pass the "
                      "Link header's next URL as it is)"});
  }
  if (!errors.empty()) {
    return Status::InvalidArgument("the query of GET /epcis/events is not valid",
                                   std::move(errors));
  }
  return out;
}

bool EpcisEventMatches(const EpcisQuery& query, const Json& event) {
  if (!event.is_object()) return false;
  auto member = [&](const char* name) -> const Json& {
    static const Json kNull;
    return event.contains(name) ? event[name] : kNull;
  };
  if (!query.event_types.empty() && !Contains(query.event_types, member("type"))) return false;
  if (query.ge_event_time_ms || query.lt_event_time_ms) {
    const Json& time = member("eventTime");
    if (!time.is_string()) return false;
    Result<int64_t> ms = ledger::gs1::ParseRfc3339Millis(time.get<std::string>());
    if (!ms.ok()) return false;
    if (query.ge_event_time_ms && *ms < *query.ge_event_time_ms) return false;
    if (query.lt_event_time_ms && *ms >= *query.lt_event_time_ms) return false;
  }
  if (!query.actions.empty() && !Contains(query.actions, member("action"))) return false;
  if (!query.biz_steps.empty() && !Contains(query.biz_steps, member("bizStep"))) return false;
  if (!query.dispositions.empty() && !Contains(query.dispositions, member("disposition"))) {
    return false;
  }
  if (!query.persistent_set.empty() && !PersistentMatches(query.persistent_set, event, "set")) {
    return false;
  }
  if (!query.persistent_unset.empty() &&
      !PersistentMatches(query.persistent_unset, event, "unset")) {
    return false;
  }
  if (!query.read_points.empty()) {
    const Json* id = IdOf(event, "readPoint");
    if (id == nullptr || !Contains(query.read_points, *id)) return false;
  }
  if (!query.biz_locations.empty()) {
    const Json* id = IdOf(event, "bizLocation");
    if (id == nullptr || !Contains(query.biz_locations, *id)) return false;
  }
  // An ObjectEvent carries its EPCs in epcList only: MATCH_anyEPC's other
  // lists (childEPCs, parentID, input and output) are not among its members.
  if (!query.epcs.empty() && !AnyInList(query.epcs, event, "epcList")) return false;
  if (!query.any_epcs.empty() && !AnyInList(query.any_epcs, event, "epcList")) return false;
  if (!query.event_ids.empty() && !Contains(query.event_ids, member("eventID"))) return false;
  return true;
}

Json FullEpcisEvent(const Json& event, uint64_t leaf_index) {
  Json out = event;
  out.erase("proof");
  out["frontera:leafIndex"] = leaf_index;
  out["frontera:view"] = "full";
  return out;
}

Json PublicEpcisEvent(const Json& event, uint64_t leaf_index) {
  Json out = Json::object();
  for (const char* name : kEpcisPublicMembers) {
    if (event.contains(name)) out[name] = event[name];
  }
  out["frontera:leafIndex"] = leaf_index;
  out["frontera:view"] = "public";
  return out;
}

std::vector<std::string> EpcisEventDids(const Json& event) {
  std::vector<std::string> dids;
  if (!event.is_object()) return dids;
  if (event.contains("proof")) {
    const Json& proof = event["proof"];
    if (proof.is_array()) {
      for (const Json& one : proof) {
        if (std::string did = SignerDid(one); !did.empty()) dids.push_back(did);
      }
    } else if (std::string did = SignerDid(proof); !did.empty()) {
      dids.push_back(did);
    }
  }
  for (const auto& [list, field] :
       {std::pair{"sourceList", "source"}, std::pair{"destinationList", "destination"}}) {
    if (!event.contains(list) || !event[list].is_array()) continue;
    for (const Json& item : event[list]) {
      if (item.is_object() && item.contains(field) && item[field].is_string() &&
          item[field].get<std::string>().starts_with("did:")) {
        dids.push_back(item[field].get<std::string>());
      }
    }
  }
  return dids;
}

Json EpcisQueryDocument(std::vector<Json> events, std::string_view creation_date) {
  return Json{{"@context", {std::string(kEpcisContext), "https://frontera.example/ns/v1"}},
              {"type", "EPCISQueryDocument"},
              {"schemaVersion", "2.0"},
              {"creationDate", std::string(creation_date)},
              {"epcisBody",
               {{"queryResults",
                 {{"queryName", "SimpleEventQuery"},
                  {"resultsBody", {{"eventList", Json(std::move(events))}}}}}}}};
}

std::string EpcisQueryProblem(const Status& status) {
  Json errors = Json::array();
  for (const FieldError& e : status.field_errors()) {
    errors.push_back({{"pointer", e.pointer}, {"reason", e.reason}});
  }
  std::string detail = status.message();
  if (!status.field_errors().empty()) {
    detail += ": " + status.field_errors()[0].pointer.substr(std::string("/query/").size()) + " " +
              status.field_errors()[0].reason;
  }
  return Json{{"type", "epcisException:QueryParameterException"},
              {"title", "Invalid EPCIS query parameter"},
              {"status", 400},
              {"detail", detail},
              {"errors", errors}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace frontera::api
