// The EPCIS 2.0 events query over a real ledger (node/epcis_events.h): two
// certified units, five events signed by the parties that may record them,
// found by time, by bizStep, by EPC, in pages, each in its reader's view;
// and real answers validated against GS1's EPCIS 2.0 JSON Schema by
// tests/api/check_epcis.py.
#include "node/epcis_events.h"

#include <doctest/doctest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "api/epcis_query.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::node {
namespace {

using ledger::DidOfKey;
using ledger::DocumentKind;
using ledger::Fixture;
using ledger::KeyOf;
using ledger::SignedBy;

const std::string kCertA = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";  // SN000123
const std::string kCertB = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f71";  // SN000124
const std::string kEpcA = "https://id.gs1.org/01/07501234000017/21/SN000123";
const std::string kEpcB = "https://id.gs1.org/01/07501234000017/21/SN000124";
const std::string kDock = "https://id.gs1.org/414/7501234000017";

api::Reader ReaderOf(const std::string& party) { return api::Reader{DidOfKey(KeyOf(party))}; }

// An event about `cert`'s item from the shipping fixture, without its
// parties, disposition and readPoint unless `keep_parties`.
crypto::Json Event(const std::string& id_suffix, const std::string& cert, const std::string& epc,
                   const std::string& biz_step, const std::string& time, const std::string& offset,
                   bool keep_parties = false) {
  crypto::Json e = Fixture("shipping-event.json");
  e.erase("proof");
  if (!keep_parties) {
    e.erase("sourceList");
    e.erase("destinationList");
    e.erase("disposition");
    e.erase("readPoint");
  }
  e["eventID"] = "urn:uuid:00000000-0000-4000-e000-0000000000" + id_suffix;
  e["certificationInfo"] = cert;
  e["epcList"] = {epc};
  e["bizStep"] = biz_step;
  e["eventTime"] = time;
  e["eventTimeZoneOffset"] = offset;
  return e;
}

// Leaves: 0 and 1 the credentials, then the events 2..6. By time: leaf 4
// (Nov 2), 2 (Nov 3), 3 (Nov 4), 5 (Nov 5), 6 (Nov 6).
struct Network {
  ledger::PostingLedger ledger;
  Network() {
    REQUIRE(ledger.Post(Fixture("pharma-credential.json"), DocumentKind::kCredential).ok());
    REQUIRE(
        ledger.Post(ledger::PharmaWithSerial(kCertB, "SN000124"), DocumentKind::kCredential).ok());
    // 2: A shipped by the manufacturer to the carrier (readPoint, parties).
    crypto::Json shipped = Event("12", kCertA, kEpcA, "shipping", "2026-11-03T09:30:00.000-06:00",
                                 "-06:00", /*keep_parties=*/true);
    Post(SignedBy(shipped, KeyOf("mx-manufacturer")), kCertA);
    // 3: A inspected by CBP at a location.
    crypto::Json inspected =
        Event("13", kCertA, kEpcA, "inspecting", "2026-11-04T10:00:00Z", "+00:00");
    inspected["bizLocation"] = {{"id", kDock}};
    Post(SignedBy(inspected, KeyOf("us-cbp")), kCertA);
    // 4: B inspected by ANAM, earliest of all.
    Post(SignedBy(Event("14", kCertB, kEpcB, "inspecting", "2026-11-02T08:00:00Z", "+00:00"),
                  KeyOf("mx-anam")),
         kCertB);
    // 5: B departing, by its manufacturer (its custodian).
    Post(SignedBy(Event("15", kCertB, kEpcB, "departing", "2026-11-05T12:00:00+01:00", "+01:00"),
                  KeyOf("mx-manufacturer")),
         kCertB);
    // 6: A received by the carrier it was shipped to.
    Post(SignedBy(Event("16", kCertA, kEpcA, "receiving", "2026-11-06T00:00:00Z", "+00:00"),
                  KeyOf("mx-carrier")),
         kCertA);
  }
  void Post(const crypto::Json& event, const std::string& cert) {
    Status s = ledger.Post(event, DocumentKind::kEvent, cert);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  api::EpcisPage Query(std::string_view text, const api::Reader& reader = {},
                       size_t scan_entries_max = kEpcisScanEntriesMax) {
    Result<api::EpcisQuery> query = api::ParseEpcisQuery(text);
    REQUIRE_MESSAGE(query.ok(), query.status().ToString());
    Result<api::EpcisPage> page = QueryEpcisEvents(*ledger.sm, *query, reader, scan_entries_max);
    REQUIRE_MESSAGE(page.ok(), page.status().ToString());
    return *page;
  }
};

std::vector<uint64_t> Leaves(const api::EpcisPage& page) {
  std::vector<uint64_t> leaves;
  for (const api::Json& e : page.events) leaves.push_back(e["frontera:leafIndex"].get<uint64_t>());
  return leaves;
}

using L = std::vector<uint64_t>;

TEST_CASE("without filters every event comes, in eventTime order, with no next page") {
  Network n;
  api::EpcisPage page = n.Query("");
  CHECK(Leaves(page) == L{4, 2, 3, 5, 6});
  CHECK_FALSE(page.next.has_value());
}

TEST_CASE("GE_eventTime and LT_eventTime bound the time index, offsets read as instants") {
  Network n;
  // 2026-11-05T12:00:00+01:00 is 11:00Z: inside [Nov 3 15:30Z, Nov 5 11:00:00.001Z).
  CHECK(
      Leaves(n.Query("GE_eventTime=2026-11-03T15:30:00Z&LT_eventTime=2026-11-05T11:00:00.001Z")) ==
      L{2, 3, 5});
  CHECK(Leaves(n.Query("GE_eventTime=2026-11-03T15:30:00.001Z")) == L{3, 5, 6});
  CHECK(Leaves(n.Query("LT_eventTime=2026-11-03T09:30:00-06:00")) == L{4});
  CHECK(Leaves(n.Query("GE_eventTime=2026-11-07T00:00:00Z")).empty());
  CHECK(Leaves(n.Query("GE_eventTime=2026-11-06T00:00:00Z&LT_eventTime=2026-11-03T00:00:00Z"))
            .empty());
}

TEST_CASE("EQ_bizStep, EQ_action, eventType and EQ_eventID filter the events") {
  Network n;
  CHECK(Leaves(n.Query("EQ_bizStep=inspecting")) == L{4, 3});
  CHECK(Leaves(n.Query("EQ_bizStep=shipping|receiving")) == L{2, 6});
  CHECK(Leaves(n.Query("EQ_bizStep=destroying")).empty());
  CHECK(Leaves(n.Query("EQ_action=OBSERVE")).size() == 5);
  CHECK(Leaves(n.Query("EQ_action=ADD")).empty());
  CHECK(Leaves(n.Query("eventType=ObjectEvent")).size() == 5);
  CHECK(Leaves(n.Query("eventType=AggregationEvent")).empty());
  CHECK(Leaves(n.Query("EQ_eventID=urn:uuid:00000000-0000-4000-e000-000000000015")) == L{5});
  CHECK(Leaves(n.Query("EQ_disposition=in_transit")) == L{2});
}

TEST_CASE("MATCH_epc finds the events of an item through its certificate, in ledger order") {
  Network n;
  CHECK(Leaves(n.Query("MATCH_epc=" + kEpcA)) == L{2, 3, 6});
  CHECK(Leaves(n.Query("MATCH_anyEPC=" + kEpcB)) == L{4, 5});
  CHECK(Leaves(n.Query("MATCH_epc=" + kEpcB + "|" + kEpcA)) == L{2, 3, 4, 5, 6});
  CHECK(Leaves(n.Query("MATCH_epc=" + kEpcA + "&EQ_bizStep=receiving")) == L{6});
  CHECK(Leaves(n.Query("MATCH_epc=" + kEpcA + "&LT_eventTime=2026-11-04T00:00:00Z")) == L{2});
  // Not on the ledger, or not an item's EPC in its canonical form.
  CHECK(Leaves(n.Query("MATCH_epc=https://id.gs1.org/01/07501234000017/21/SN999")).empty());
  CHECK(Leaves(n.Query("MATCH_epc=urn:epc:id:sgtin:7501234.000001.SN000123")).empty());
  CHECK(Leaves(n.Query("MATCH_epc=https://id.gs1.org/00/375012345000000013")).empty());
}

// Follows the next pages of `first` until the last; every page at most
// per_page long.
std::vector<uint64_t> AllPages(Network& n, const std::string& first, size_t per_page,
                               size_t scan_entries_max, int* pages) {
  std::vector<uint64_t> all;
  std::string query = first;
  *pages = 0;
  while (true) {
    api::EpcisPage page = n.Query(query, {}, scan_entries_max);
    ++*pages;
    REQUIRE(page.events.size() <= per_page);
    for (uint64_t leaf : Leaves(page)) all.push_back(leaf);
    if (!page.next) return all;
    REQUIRE(*pages < 20);
    query =
        first + (first.empty() ? "" : "&") + "nextPageToken=" + api::EncodePageToken(*page.next);
  }
}

TEST_CASE("pages chain by nextPageToken: each event once, in order, at most perPage each") {
  Network n;
  int pages = 0;
  CHECK(AllPages(n, "perPage=2", 2, kEpcisScanEntriesMax, &pages) == L{4, 2, 3, 5, 6});
  CHECK(pages == 3);
  CHECK(AllPages(n, "perPage=1&MATCH_epc=" + kEpcA, 1, kEpcisScanEntriesMax, &pages) == L{2, 3, 6});
  CHECK(pages == 3);
  // A page that fills on the range's last event has no next.
  api::EpcisPage exact = n.Query("perPage=5");
  CHECK(exact.events.size() == 5);
  CHECK_FALSE(exact.next.has_value());
  api::EpcisPage first = n.Query("perPage=2");
  REQUIRE(first.next.has_value());
  CHECK(first.next->by_time);
  CHECK(first.next->leaf_index == 2);
}

TEST_CASE("a page stops at its work bound, short or empty, and says where to go on") {
  Network n;
  // Two reads a page: "receiving" is the last event by time, so the first
  // two pages are empty but not the end.
  api::EpcisPage empty = n.Query("EQ_bizStep=receiving", {}, 2);
  CHECK(empty.events.empty());
  REQUIRE(empty.next.has_value());
  int pages = 0;
  CHECK(AllPages(n, "EQ_bizStep=receiving", 30, 2, &pages) == L{6});
  CHECK(pages == 3);
  CHECK(AllPages(n, "EQ_bizStep=inspecting&MATCH_epc=" + kEpcA + "|" + kEpcB, 30, 1, &pages) ==
        L{3, 4});
  CHECK(pages == 5);
}

TEST_CASE("the full view goes to agencies and the parties an event names; filters see the view") {
  Network n;
  auto views = [&](const api::Reader& reader) {
    std::vector<std::string> out;
    const api::EpcisPage page = n.Query("", reader);
    for (const api::Json& e : page.events) out.push_back(e["frontera:view"].get<std::string>());
    return out;
  };
  using V = std::vector<std::string>;
  // By time: 4 (ANAM), 2 (manufacturer → carrier), 3 (CBP), 5 (manufacturer), 6 (carrier).
  CHECK(views({}) == V{"public", "public", "public", "public", "public"});
  CHECK(views(ReaderOf("ca-cbsa")) == V{"full", "full", "full", "full", "full"});
  CHECK(views(ReaderOf("mx-carrier")) == V{"public", "full", "public", "public", "full"});
  CHECK(views(ReaderOf("mx-manufacturer")) == V{"public", "full", "public", "full", "public"});
  CHECK(views(ReaderOf("us-distributor")) == V{"public", "public", "public", "public", "public"});
  // A key the registry does not list reads as anyone.
  CHECK(views(api::Reader{DidOfKey(ledger::NewKey(0x77))})[0] == "public");

  const api::EpcisPage anonymous = n.Query("EQ_bizStep=shipping");
  REQUIRE(anonymous.events.size() == 1);
  CHECK_FALSE(anonymous.events[0].contains("sourceList"));
  CHECK_FALSE(anonymous.events[0].contains("readPoint"));
  CHECK_FALSE(anonymous.events[0].contains("proof"));
  const api::EpcisPage agency = n.Query("EQ_bizStep=shipping", ReaderOf("us-cbp"));
  CHECK(agency.events[0]["sourceList"][0]["source"] == DidOfKey(KeyOf("mx-manufacturer")));
  // Probing a withheld member finds nothing; its reader finds it.
  CHECK(n.Query("EQ_readPoint=" + kDock).events.empty());
  CHECK(Leaves(n.Query("EQ_readPoint=" + kDock, ReaderOf("mx-carrier"))) == L{2});
  CHECK(n.Query("EQ_bizLocation=" + kDock).events.empty());
  CHECK(Leaves(n.Query("EQ_bizLocation=" + kDock, ReaderOf("us-cbp"))) == L{3});
}

TEST_CASE("the index survives a restart: the same answers from the reopened store") {
  Network n;
  const std::vector<uint64_t> before = Leaves(n.Query("GE_eventTime=2026-11-03T00:00:00Z"));
  n.ledger.Reopen();
  CHECK(Leaves(n.Query("GE_eventTime=2026-11-03T00:00:00Z")) == before);
  CHECK(before == L{2, 3, 5, 6});
}

// Runs tests/api/check_epcis.py on `answers` ({name, body}); its output.
int CheckAgainstSchema(const crypto::Json& answers, std::string* output) {
  testing::TempDir dir("epcis");
  const std::string path = dir.Sub("answers.json");
  std::ofstream(path) << answers.dump();
  const std::string command = "/usr/bin/python3 " + std::string(FRONTERA_SOURCE_DIR) +
                              "/tests/api/check_epcis.py " + std::string(FRONTERA_FIXTURES_DIR) +
                              "/epcis/EPCIS-JSON-Schema.json " + path + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (size_t n = ::fread(buffer, 1, sizeof(buffer), pipe)) output->append(buffer, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("real answers validate against GS1's EPCIS 2.0 JSON Schema; a bad one does not") {
  Network n;
  auto document = [](const api::EpcisPage& page) {
    return api::EpcisQueryDocument(page.events, "2026-11-30T10:00:00Z").dump();
  };
  const api::EpcisPage paged = n.Query("perPage=2");
  REQUIRE(paged.next.has_value());
  crypto::Json answers = crypto::Json::array();
  answers.push_back({{"name", "public view"}, {"body", document(n.Query(""))}});
  answers.push_back({{"name", "full view"}, {"body", document(n.Query("", ReaderOf("us-cbp")))}});
  answers.push_back({{"name", "empty"}, {"body", document(n.Query("EQ_bizStep=destroying"))}});
  answers.push_back({{"name", "a page with a next token"}, {"body", document(paged)}});
  std::string output;
  const int code = CheckAgainstSchema(answers, &output);
  REQUIRE_MESSAGE(code != 2, output);
  CHECK_MESSAGE(code == 0, output);
  CHECK(output.find("4 answers match the EPCIS 2.0 schema, 0 do not") != std::string::npos);

  // The check has teeth: the signed event as the ledger holds it carries a
  // "proof" member, which is neither an EPCIS term nor a URI, and an event
  // without its action is not an ObjectEvent.
  crypto::Json with_proof = crypto::Json::parse(document(n.Query("", ReaderOf("us-cbp"))));
  with_proof["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["proof"] =
      Fixture("shipping-event.json")["proof"];
  crypto::Json without_action = crypto::Json::parse(document(n.Query("")));
  without_action["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0].erase("action");
  std::string refused;
  CHECK(CheckAgainstSchema(
            crypto::Json::array({{{"name", "proof"}, {"body", with_proof.dump()}},
                                 {{"name", "action"}, {"body", without_action.dump()}}}),
            &refused) == 1);
  CHECK_MESSAGE(refused.find("0 answers match the EPCIS 2.0 schema, 2 do not") != std::string::npos,
                refused);
}

}  // namespace
}  // namespace frontera::node
