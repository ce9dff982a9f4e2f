// The EPCIS 2.0 events query (api/epcis_query.h): its parameters, each
// filter, the page token, the two views of an event, and GET /epcis/events
// as the server answers it (headers, Link, QueryParameterException).
#include "api/epcis_query.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "api/server.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;
using testing::RawAnswer;
using testing::RawConnection;

Json ShippingEvent() {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/shipping-event.json");
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

EpcisQuery Parse(std::string_view query) {
  Result<EpcisQuery> parsed = ParseEpcisQuery(query);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  return *parsed;
}

// The pointer of the only field error of a refused query.
std::string Refused(std::string_view query) {
  Result<EpcisQuery> parsed = ParseEpcisQuery(query);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().IsInvalidArgument());
  REQUIRE(parsed.status().field_errors().size() == 1);
  return parsed.status().field_errors()[0].pointer;
}

TEST_CASE("the query's parameters parse; perPage defaults to 30; the token is kept out") {
  const EpcisQuery none = Parse("");
  CHECK(none.per_page == 30);
  CHECK_FALSE(none.after.has_value());
  CHECK_FALSE(EpcisByItem(none));

  const EpcisQuery q = Parse(
      "EQ_bizStep=shipping|receiving&GE_eventTime=2026-11-03T09:30:00.000-06:00"
      "&LT_eventTime=2026-11-04T00:00:00Z&perPage=2&EQ_action=OBSERVE&eventType=ObjectEvent"
      "&EQ_disposition=in_transit&EQ_readPoint=https://id.gs1.org/414/7501234000017"
      "&EQ_bizLocation=https://id.gs1.org/414/1&EQ_eventID=urn:uuid:1"
      "&EQ_persistentDisposition_set=recalled&EQ_persistentDisposition_unset=recalled");
  CHECK(q.biz_steps == std::vector<std::string>{"shipping", "receiving"});
  CHECK(q.ge_event_time_ms == 1793719800000);
  CHECK(q.lt_event_time_ms == 1793750400000);
  CHECK(q.per_page == 2);
  CHECK(q.actions == std::vector<std::string>{"OBSERVE"});
  CHECK(q.event_types == std::vector<std::string>{"ObjectEvent"});
  CHECK(q.read_points == std::vector<std::string>{"https://id.gs1.org/414/7501234000017"});
  CHECK(q.persistent_set == std::vector<std::string>{"recalled"});
  CHECK_FALSE(EpcisByItem(q));

  const EpcisQuery by_item = Parse(
      "MATCH_epc=https://id.gs1.org/01/07501234000017/21/SN000123&nextPageToken=l0000000000000007");
  CHECK(EpcisByItem(by_item));
  REQUIRE(by_item.after.has_value());
  CHECK(by_item.after->leaf_index == 7);
  CHECK(by_item.query_without_token ==
        "MATCH_epc=https://id.gs1.org/01/07501234000017/21/SN000123");
  CHECK(EpcisByItem(Parse("MATCH_anyEPC=https://id.gs1.org/00/375012345000000013")));
}

TEST_CASE("a bad, unknown, unsupported or repeated parameter is refused by name") {
  CHECK(Refused("EQ_bizstep=shipping") == "/query/EQ_bizstep");  // names are case-sensitive
  CHECK(Refused("limit=3") == "/query/limit");
  CHECK(Refused("orderBy=eventTime") == "/query/orderBy");
  CHECK(Refused("GE_recordTime=2026-11-03T09:30:00Z") == "/query/GE_recordTime");
  CHECK(Refused("EQ_source_possessing_party=did:key:z6Mk") == "/query/EQ_source_possessing_party");
  CHECK(Refused("GE_eventTime=2026-11-03") == "/query/GE_eventTime");
  CHECK(Refused("LT_eventTime=yesterday") == "/query/LT_eventTime");
  CHECK(Refused("EQ_action=MOVE") == "/query/EQ_action");
  CHECK(Refused("perPage=0") == "/query/perPage");
  CHECK(Refused("perPage=1001") == "/query/perPage");
  CHECK(Refused("perPage=1x") == "/query/perPage");
  CHECK(Refused("nextPageToken=abc") == "/query/nextPageToken");
  CHECK(Refused("EQ_bizStep=shipping&EQ_bizStep=receiving") == "/query/EQ_bizStep");
  CHECK(Refused("EQ_bizStep=shipping||receiving") == "/query/EQ_bizStep");
  CHECK(Refused("EQ_bizStep=") == "/query/EQ_bizStep");
  CHECK(Refused("EQ_eventID=%zz") == "/query/EQ_eventID");
  std::string many = "EQ_eventID=a";
  for (int i = 0; i < 20; ++i) many += "|a";
  CHECK(Refused(many) == "/query/EQ_eventID");
  CHECK(Refused("EQ_eventID=" + std::string(257, 'a')) == "/query/EQ_eventID");
  // A token of the other plan: a time cursor for a query by EPC, and back.
  const std::string time_token = EncodePageToken({true, 5, 6});
  CHECK(Refused("MATCH_epc=https://id.gs1.org/00/375012345000000013&nextPageToken=" + time_token) ==
        "/query/nextPageToken");
  CHECK(Refused("nextPageToken=" + EncodePageToken({false, 0, 6})) == "/query/nextPageToken");
  // Every problem is named, not only the first.
  Result<EpcisQuery> two = ParseEpcisQuery("perPage=0&foo=1");
  REQUIRE_FALSE(two.ok());
  CHECK(two.status().field_errors().size() == 2);
}

TEST_CASE("page tokens round-trip, negative times and large leaves included") {
  for (const EpcisCursor& cursor : {EpcisCursor{true, 1793719800000, 0},
                                    EpcisCursor{true, -5, UINT64_MAX}, EpcisCursor{false, 0, 42}}) {
    std::optional<EpcisCursor> back = DecodePageToken(EncodePageToken(cursor));
    REQUIRE(back.has_value());
    CHECK(*back == cursor);
  }
  CHECK_FALSE(DecodePageToken("t0000").has_value());
  CHECK_FALSE(DecodePageToken("l000000000000000G").has_value());
  CHECK_FALSE(DecodePageToken("x0000000000000000").has_value());
}

TEST_CASE("each parameter filters on its member; every parameter given must match") {
  const Json event = FullEpcisEvent(ShippingEvent(), 2);
  auto matches = [&](std::string_view query) { return EpcisEventMatches(Parse(query), event); };
  CHECK(matches(""));
  CHECK(matches("eventType=AggregationEvent|ObjectEvent"));
  CHECK_FALSE(matches("eventType=AggregationEvent"));
  CHECK(matches("GE_eventTime=2026-11-03T15:30:00Z"));  // the same instant, another offset
  CHECK_FALSE(matches("GE_eventTime=2026-11-03T15:30:00.001Z"));
  CHECK(matches("LT_eventTime=2026-11-03T15:30:00.001Z"));
  CHECK_FALSE(matches("LT_eventTime=2026-11-03T09:30:00-06:00"));  // LT is strict
  CHECK(matches("EQ_action=ADD|OBSERVE"));
  CHECK_FALSE(matches("EQ_action=ADD"));
  CHECK(matches("EQ_bizStep=receiving|shipping"));
  CHECK_FALSE(matches("EQ_bizStep=receiving"));
  CHECK(matches("EQ_disposition=in_transit"));
  CHECK_FALSE(matches("EQ_disposition=active"));
  CHECK(matches("EQ_readPoint=https://id.gs1.org/414/7501234000017"));
  CHECK_FALSE(matches("EQ_readPoint=https://id.gs1.org/414/0000000000000"));
  CHECK_FALSE(matches("EQ_bizLocation=https://id.gs1.org/414/7501234000017"));  // it has none
  CHECK(matches("MATCH_epc=https://id.gs1.org/01/07501234000017/21/SN000123"));
  CHECK_FALSE(matches("MATCH_epc=https://id.gs1.org/01/07501234000017/21/SN000124"));
  CHECK(matches("MATCH_anyEPC=https://id.gs1.org/01/07501234000017/21/SN000123"));
  CHECK(matches("EQ_eventID=urn:uuid:5e2a9c1b-3d4f-4a6b-8c7d-9e0f1a2b3c4d"));
  CHECK_FALSE(matches("EQ_eventID=urn:uuid:5e2a9c1b-3d4f-4a6b-8c7d-9e0f1a2b3c4e"));
  CHECK_FALSE(matches("EQ_persistentDisposition_set=recalled"));
  CHECK_FALSE(matches("EQ_bizStep=shipping&EQ_disposition=active"));

  Json flagging = event;
  flagging["persistentDisposition"] = {{"set", {"recalled"}}};
  CHECK(EpcisEventMatches(Parse("EQ_persistentDisposition_set=recalled"), flagging));
  CHECK_FALSE(EpcisEventMatches(Parse("EQ_persistentDisposition_unset=recalled"), flagging));
  Json located = event;
  located["bizLocation"] = {{"id", "https://id.gs1.org/414/1"}};
  CHECK(EpcisEventMatches(Parse("EQ_bizLocation=https://id.gs1.org/414/1"), located));
}

TEST_CASE("the public view of an event keeps what happened and when, not who, where or how much") {
  const Json signed_event = ShippingEvent();
  const Json view = PublicEpcisEvent(signed_event, 2);
  CHECK(view["frontera:view"] == "public");
  CHECK(view["frontera:leafIndex"] == 2);
  for (const char* member : {"eventID", "eventTime", "eventTimeZoneOffset", "epcList", "action",
                             "bizStep", "disposition", "certificationInfo", "type", "@context"}) {
    CHECK_MESSAGE(view[member] == signed_event[member], member);
  }
  for (const char* withheld : {"readPoint", "sourceList", "destinationList", "proof"}) {
    CHECK_MESSAGE(!view.contains(withheld), withheld);
  }
  // A filter on a withheld member does not match the public view.
  CHECK_FALSE(EpcisEventMatches(Parse("EQ_readPoint=https://id.gs1.org/414/7501234000017"), view));

  const Json full = FullEpcisEvent(signed_event, 2);
  CHECK(full["frontera:view"] == "full");
  CHECK(full["sourceList"] == signed_event["sourceList"]);
  CHECK(full["readPoint"] == signed_event["readPoint"]);
  CHECK_FALSE(full.contains("proof"));

  // Who the event names: its signer, its source and its destination.
  const std::vector<std::string> dids = EpcisEventDids(signed_event);
  CHECK(dids ==
        std::vector<std::string>{"did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3",
                                 "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3",
                                 "did:key:z6MkvCPjuBZY1edsdAQRr4G3m4dXqEuKSGhBgVgnzrJf8TWr"});
  Json proof_set = signed_event;
  proof_set["proof"] = Json::array({signed_event["proof"], signed_event["proof"]});
  proof_set["proof"][1]["verificationMethod"] = "did:key:z6MkOther#z6MkOther";
  CHECK(EpcisEventDids(proof_set)[1] == "did:key:z6MkOther");
}

TEST_CASE("the query document is an EPCISQueryDocument holding the events") {
  const Json doc =
      EpcisQueryDocument({PublicEpcisEvent(ShippingEvent(), 2)}, "2026-11-30T10:00:00Z");
  CHECK(doc["type"] == "EPCISQueryDocument");
  CHECK(doc["schemaVersion"] == "2.0");
  CHECK(doc["creationDate"] == "2026-11-30T10:00:00Z");
  CHECK(doc["@context"][0] == std::string(kEpcisContext));
  CHECK(doc["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery");
  CHECK(doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"].size() == 1);
}

// ---------------------------------------------------------------------------
// GET /epcis/events through the server.

struct Server {
  Server() {
    auto created = HttpServer::Create(&backend, ServerOptions{});
    REQUIRE(created.ok());
    server = std::move(created).value();
    REQUIRE(server->Start().ok());
  }
  RawAnswer Get(const std::string& target, const std::string& accept = "") {
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: test\r\n";
    if (!accept.empty()) request += "Accept: " + accept + "\r\n";
    RawConnection connection(server->port());
    REQUIRE(connection.connected());
    return connection.Exchange(request + "\r\n");
  }
  FakeBackend backend;
  std::unique_ptr<HttpServer> server;
};

TEST_CASE("GET /epcis/events answers an EPCISQueryDocument with the GS1 headers and a next link") {
  Server s;
  EpcisPage page;
  page.events.push_back(PublicEpcisEvent(ShippingEvent(), 2));
  page.next = EpcisCursor{true, 1793719800000, 2};
  s.backend.SetEpcisPage(page);
  RawAnswer a = s.Get("/epcis/events?EQ_bizStep=shipping&perPage=1");
  REQUIRE(a.status == 200);
  CHECK(a.header("content-type") == "application/json");
  CHECK(a.header("gs1-epcis-version") == "2.0.0");
  CHECK(a.header("gs1-cbv-version") == "2.0.0");
  CHECK(a.header("link") == "</epcis/events?EQ_bizStep=shipping&perPage=1&nextPageToken=" +
                                EncodePageToken(*page.next) + ">; rel=\"next\"");
  const Json body = Json::parse(a.body);
  CHECK(body["type"] == "EPCISQueryDocument");
  CHECK(body["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["bizStep"] == "shipping");
  REQUIRE(s.backend.calls().size() == 1);
  CHECK(s.backend.calls()[0].method == "QueryEvents");
  CHECK(s.backend.calls()[0].id == "EQ_bizStep=shipping&perPage=1");

  // A byte a URI may not hold as it is goes into the link percent-encoded.
  RawAnswer odd = s.Get("/epcis/events?EQ_bizStep=a^b");
  REQUIRE(odd.status == 200);
  CHECK(odd.header("link").starts_with("</epcis/events?EQ_bizStep=a%5Eb&nextPageToken="));

  // The last page has no link; JSON-LD is answered to who asks for it.
  s.backend.SetEpcisPage(EpcisPage{});
  RawAnswer last = s.Get("/epcis/events", "application/ld+json");
  REQUIRE(last.status == 200);
  CHECK(last.header("link").empty());
  CHECK(last.header("content-type") == "application/ld+json");
  CHECK(Json::parse(last.body)["epcisBody"]["queryResults"]["resultsBody"]["eventList"].empty());
}

TEST_CASE(
    "a bad query is a QueryParameterException naming the parameter; the Backend is not asked") {
  Server s;
  RawAnswer a = s.Get("/epcis/events?EQ_bizStep=shipping&colour=red");
  CHECK(a.status == 400);
  CHECK(a.header("content-type") == "application/problem+json");
  const Json problem = Json::parse(a.body);
  CHECK(problem["type"] == "epcisException:QueryParameterException");
  CHECK(problem["status"] == 400);
  CHECK(problem["errors"][0]["pointer"] == "/query/colour");
  CHECK(problem["detail"].get<std::string>().find("colour") != std::string::npos);
  CHECK(s.backend.calls().empty());
}

}  // namespace
}  // namespace frontera::api
