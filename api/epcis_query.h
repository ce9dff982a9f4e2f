// The EPCIS 2.0 events query of the GS1 REST binding (GET /epcis/events,
// docs/api.md §12): its query parameters, whether an event matches them,
// the two views of an event, the page token, and the EPCISQueryDocument that
// answers. Pure functions: the node finds the candidate events on the ledger
// (node/epcis_events.h) and api/server.cc writes the answer.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"

namespace frontera::api {

// perPage: the OpenAPI's default, and the most one page holds.
inline constexpr size_t kEpcisPerPageDefault = 30;
inline constexpr size_t kEpcisPerPageMax = 1000;
// Values one pipe-delimited parameter may list, and the bytes of one value.
inline constexpr size_t kEpcisValuesMax = 20;
inline constexpr size_t kEpcisValueBytesMax = 256;

// The EPCIS 2.0 and CBV 2.0 versions this repository speaks (the
// GS1-EPCIS-Version and GS1-CBV-Version headers of every answer).
inline constexpr std::string_view kEpcisVersion = "2.0.0";
inline constexpr std::string_view kCbvVersion = "2.0.0";
inline constexpr std::string_view kEpcisContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

// Where a page ends: the last event it visited, in the order of the plan
// that found it (by eventTime through the ledger's time index, or by leaf
// index through the certificates of the EPCs asked for).
struct EpcisCursor {
  bool by_time = true;
  int64_t event_time_ms = 0;  // by_time only
  uint64_t leaf_index = 0;
  bool operator==(const EpcisCursor&) const = default;
};

// The nextPageToken of a cursor ("t" + 16 hex digits of the time's order +
// 16 of the leaf, or "l" + 16 of the leaf), and back (nullopt for anything
// else).
std::string EncodePageToken(const EpcisCursor& cursor);
std::optional<EpcisCursor> DecodePageToken(std::string_view token);

// A parsed query. Each list is a parameter's pipe-delimited values (empty:
// the parameter was not given); an event must match every parameter given,
// and one value of each.
struct EpcisQuery {
  std::vector<std::string> event_types;       // eventType
  std::optional<int64_t> ge_event_time_ms;    // GE_eventTime
  std::optional<int64_t> lt_event_time_ms;    // LT_eventTime
  std::vector<std::string> actions;           // EQ_action: ADD, OBSERVE, DELETE
  std::vector<std::string> biz_steps;         // EQ_bizStep
  std::vector<std::string> dispositions;      // EQ_disposition
  std::vector<std::string> persistent_set;    // EQ_persistentDisposition_set
  std::vector<std::string> persistent_unset;  // EQ_persistentDisposition_unset
  std::vector<std::string> read_points;       // EQ_readPoint
  std::vector<std::string> biz_locations;     // EQ_bizLocation
  std::vector<std::string> epcs;              // MATCH_epc
  std::vector<std::string> any_epcs;          // MATCH_anyEPC
  std::vector<std::string> event_ids;         // EQ_eventID
  size_t per_page = kEpcisPerPageDefault;     // perPage
  std::optional<EpcisCursor> after;           // nextPageToken
  // The query as received without nextPageToken, for the next page's link.
  std::string query_without_token;
};

// Whether the events of `query` are found through the certificates of the
// EPCs it names (MATCH_epc, else MATCH_anyEPC), in ledger order, rather
// than through the time index, in eventTime order.
bool EpcisByItem(const EpcisQuery& query);

// Parses the query string of GET /epcis/events. Every parameter at most
// once. A name the standard does not define, one it defines that this
// repository does not serve (recordTime, orderBy, quantities, …), a bad
// time, action, perPage (1..kEpcisPerPageMax) or token (or one of the other
// plan: see EpcisByItem), an empty value, and
// more than kEpcisValuesMax values or kEpcisValueBytesMax bytes are
// kInvalidArgument with one field error per parameter at /query/<name>.
Result<EpcisQuery> ParseEpcisQuery(std::string_view query);

// Whether `event` (in the view its reader gets: a filter on a member the
// view withholds never matches) matches every parameter of `query`; the
// page token and size are not filters.
bool EpcisEventMatches(const EpcisQuery& query, const crypto::Json& event);

// The event members anyone sees: what happened to the item and when, and
// the flags agencies set in public; the parties, places, quantities and
// transactions are withheld (docs/api.md §10).
inline constexpr const char* kEpcisPublicMembers[] = {
    "@context",          "type",           "eventID", "eventTime",   "eventTimeZoneOffset",
    "epcList",           "action",         "bizStep", "disposition", "persistentDisposition",
    "certificationInfo", "frontera:reason"};

// An event as the ledger holds it → its EPCIS form in the full view: every
// member but the proof (EPCIS has no member for it; the signed event is
// served with its certificate), with "frontera:leafIndex" (its leaf in the
// ledger's log, for GET /v1/proofs/inclusion) and "frontera:view": "full".
crypto::Json FullEpcisEvent(const crypto::Json& event, uint64_t leaf_index);
// The public view: kEpcisPublicMembers only, "frontera:leafIndex" and
// "frontera:view": "public".
crypto::Json PublicEpcisEvent(const crypto::Json& event, uint64_t leaf_index);

// The DIDs an event names: its signers (the verificationMethod of each
// proof) and the parties of its sourceList and destinationList. May repeat.
std::vector<std::string> EpcisEventDids(const crypto::Json& event);

// The answer of GET /epcis/events: an EPCISQueryDocument holding `events`
// (already in their views), created at `creation_date` (RFC 3339).
crypto::Json EpcisQueryDocument(std::vector<crypto::Json> events, std::string_view creation_date);

// The problem+json body of a QueryParameterException (EPCIS 2.0 REST
// binding): type "epcisException:QueryParameterException", status 400, the
// detail and Frontera's "errors" naming each parameter.
std::string EpcisQueryProblem(const Status& status);

}  // namespace frontera::api
