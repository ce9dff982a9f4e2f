// `frontera notice file|export` (tools/cmd_notice.h) against fake nodes: the
// notice built from flags and signed, and the fields of Form FDA 3911, one
// record per product, as JSON and as RFC 4180 CSV.
#include "tools/cmd_notice.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/data_integrity.h"
#include "ledger/notice.h"
#include "tests/tools/cli_fakes.h"
#include "tools/exit_codes.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::FixtureDid;
using testing::kNode;
using testing::RunCli;
using testing::TempDir;
using testing::TestEnv;
using testing::WriteFixtureKey;

const std::string kNotice = "urn:uuid:5e000000-0000-4000-8000-000000000001";
const std::string kFollowUp = "urn:uuid:5e000000-0000-4000-8000-000000000002";
const std::string kTermination = "urn:uuid:5e000000-0000-4000-8000-000000000003";

Json Subject(const std::string& gtin, const std::string& serial) {
  return {{"id", "https://id.gs1.org/01/" + gtin + "/10/LOT42A/21/" + serial},
          {"gtin", gtin},
          {"lot", "LOT42A"},
          {"serial", serial},
          {"expiry", "2028-10-31"},
          {"productName", "Amoxicillin 500 mg capsules"},
          {"strengthDosageForm", "500 mg, capsule"},
          {"containerSize", "30 capsules"},
          {"manufacturer",
           {{"id", FixtureDid("mx-manufacturer")},
            {"name", "Laboratorios Ejemplo S.A. de C.V."},
            {"gln", "7501234000017"},
            {"countryOfOrigin", "MX"}}}};
}

// A GET /v1/notices/{id} answer: an initial notice about a U.S. product (its
// NDC in the GTIN) and a Mexican one, a follow-up and a termination.
Json NoticeView() {
  const Json context = {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"};
  Json initial = {
      {"@context", context},
      {"type", "IllegitimateProductNotice"},
      {"id", kNotice},
      {"issuer", FixtureDid("us-distributor")},
      {"noticeType", "initial"},
      {"certificates", {"urn:uuid:c1", "urn:uuid:c2"}},
      {"classification", "intentional_adulteration"},
      {"dateOfDetermination", "2026-11-29"},
      {"description", "Seal \"tampered\", capsules discoloured,\nsee photos"},
      {"quantity", {{"value", 12}}},
      {"primaryIngredients", "amoxicillin"},
      {"contact", {{"name", "Ruiz, Ana"}, {"phone", "+1 555 0100"}, {"email", "qa@example.com"}}}};
  Json follow_up = {{"@context", context},
                    {"type", "IllegitimateProductNotice"},
                    {"id", kFollowUp},
                    {"issuer", FixtureDid("us-distributor")},
                    {"noticeType", "follow_up"},
                    {"initialNotice", kNotice},
                    {"incidentNumber", "IN-2026-0042"},
                    {"quantity", {{"value", 2.5}, {"uom", "KGM"}}},
                    {"description", "Lab confirms adulteration"}};
  Json termination = {{"@context", context},
                      {"type", "IllegitimateProductNotice"},
                      {"id", kTermination},
                      {"issuer", FixtureDid("us-cbp")},
                      {"noticeType", "termination"},
                      {"initialNotice", kNotice},
                      {"incidentNumber", "IN-2026-0042"},
                      {"description", "Product destroyed under FDA supervision"}};
  auto ledger = [](uint64_t leaf, const std::string& time) {
    return Json{{"leaf_index", leaf}, {"block", leaf}, {"time", time}};
  };
  Json us = Subject("00300027597010", "SN1");
  Json mx = Subject("07501234000017", "SN2");
  return {{"id", kNotice},
          {"status", "terminated"},
          {"classification", "intentional_adulteration"},
          {"filer",
           {{"did", FixtureDid("us-distributor")},
            {"name", "Distribuidora Ejemplo, Inc."},
            {"role", "distributor"},
            {"country", "US"},
            {"gln", "0031234500004"}}},
          {"parties", {FixtureDid("us-distributor"), FixtureDid("us-distributor")}},
          {"initial", {{"document", initial}, {"ledger", ledger(7, "2026-11-30T10:00:01.000Z")}}},
          {"follow_ups",
           {{{"document", follow_up}, {"ledger", ledger(8, "2026-12-01T09:00:00.000Z")}}}},
          {"termination",
           {{"document", termination}, {"ledger", ledger(9, "2026-12-05T09:00:00.000Z")}}},
          {"certificates",
           {{{"id", "urn:uuid:c1"}, {"status", "active"}, {"credentialSubject", us}},
            {{"id", "urn:uuid:c2"}, {"status", "active"}, {"credentialSubject", mx}}}}};
}

TEST_CASE("Form 3911 records of an initial notification: every field, one per product") {
  auto records = Form3911Records(NoticeView(), kNotice);
  REQUIRE_MESSAGE(records.ok(), records.status().ToString());
  REQUIRE(records->size() == 2);
  const Json& r = (*records)[0];
  // Every column, and nothing else.
  CHECK(r.size() == Form3911Columns().size());
  for (const std::string& column : Form3911Columns()) {
    CAPTURE(column);
    CHECK(r.contains(column));
  }
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"notice_id", kNotice},
      {"report_id", kNotice},
      {"report_type", "Initial Notification"},
      {"incident_number", ""},
      {"date_of_initial_notification", "2026-11-30"},
      {"date_determined_illegitimate", "2026-11-29"},
      {"classification", "Intentional adulteration"},
      {"product_name", "Amoxicillin 500 mg capsules"},
      {"primary_ingredients", "amoxicillin"},
      {"strength_dosage_form", "500 mg, capsule"},
      {"container_size", "30 capsules"},
      {"quantity", "12"},
      {"quantity_unit", ""},
      {"ndc", "0002759701"},
      {"serial_number", "SN1"},
      {"lot_number", "LOT42A"},
      {"expiration_date", "2028-10-31"},
      {"description", "Seal \"tampered\", capsules discoloured,\nsee photos"},
      {"termination_reason", ""},
      {"gtin", "00300027597010"},
      {"certificate", "urn:uuid:c1"},
      {"manufacturer", "Laboratorios Ejemplo S.A. de C.V."},
      {"company_name", "Distribuidora Ejemplo, Inc."},
      {"company_country", "US"},
      {"company_gln", "0031234500004"},
      {"company_category", "Wholesale distributor"},
      {"company_did", FixtureDid("us-distributor")},
      {"contact_name", "Ruiz, Ana"},
      {"contact_phone", "+1 555 0100"},
      {"contact_email", "qa@example.com"},
  };
  for (const auto& [column, value] : expected) {
    CAPTURE(column);
    CHECK(r[column] == value);
  }
  // A product outside the U.S. NDC system has no NDC; one whose certificate
  // says its NDC reports that.
  CHECK((*records)[1]["ndc"] == "");
  CHECK((*records)[1]["serial_number"] == "SN2");
  Json with_ndc = NoticeView();
  with_ndc["certificates"][1]["credentialSubject"]["ndc"] = "0002-7597-01";
  CHECK((*Form3911Records(with_ndc, kNotice))[1]["ndc"] == "0002-7597-01");
}

TEST_CASE("Form 3911 records of a follow-up and of a request for termination") {
  auto follow_up = Form3911Records(NoticeView(), kFollowUp);
  REQUIRE(follow_up.ok());
  const Json& f = (*follow_up)[0];
  CHECK(f["report_type"] == "Follow-Up Notification");
  CHECK(f["report_id"] == kFollowUp);
  CHECK(f["incident_number"] == "IN-2026-0042");
  CHECK(f["quantity"] == "2.5");
  CHECK(f["quantity_unit"] == "KGM");
  CHECK(f["description"] == "Lab confirms adulteration");
  // The initial notice's facts stay: when, what, who to call.
  CHECK(f["date_determined_illegitimate"] == "2026-11-29");
  CHECK(f["classification"] == "Intentional adulteration");
  CHECK(f["contact_email"] == "qa@example.com");

  auto termination = Form3911Records(NoticeView(), kTermination);
  REQUIRE(termination.ok());
  const Json& t = (*termination)[1];
  CHECK(t["report_type"] == "Request for Termination");
  CHECK(t["termination_reason"] == "Product destroyed under FDA supervision");
  CHECK(t["description"] == "");
  CHECK(t["quantity"] == "12");

  CHECK(Form3911Records(NoticeView(), "urn:uuid:other").status().IsNotFound());
  CHECK(Form3911Records(Json{{"id", kNotice}}, kNotice).status().IsInvalidArgument());
}

TEST_CASE("Form 3911 CSV: a header of the columns, RFC 4180 quoting, CRLF") {
  auto records = Form3911Records(NoticeView(), kNotice);
  REQUIRE(records.ok());
  const std::string csv = Form3911Csv(*records);
  std::string header;
  for (const std::string& column : Form3911Columns()) {
    header += (header.empty() ? "" : ",") + column;
  }
  REQUIRE(csv.starts_with(header + "\r\n"));
  // Commas, quotes and line breaks are quoted, quotes doubled; plain fields
  // are written as they are.
  CHECK(csv.find(",\"Seal \"\"tampered\"\", capsules discoloured,\nsee photos\",") !=
        std::string::npos);
  CHECK(csv.find(",\"Ruiz, Ana\",+1 555 0100,qa@example.com\r\n") != std::string::npos);
  CHECK(csv.find(",\"500 mg, capsule\",30 capsules,12,,0002759701,SN1,LOT42A,2028-10-31,") !=
        std::string::npos);
  // Three lines (header and two products), each ended by CRLF.
  size_t lines = 0;
  for (size_t at = csv.find("\r\n"); at != std::string::npos; at = csv.find("\r\n", at + 2)) {
    ++lines;
  }
  CHECK(lines == 3);
  CHECK(csv.ends_with("\r\n"));
}

TEST_CASE("notice export reads the notice signed by --key and writes CSV or JSON") {
  TempDir dir;
  const std::string key = WriteFixtureKey(dir, "us-cbp");
  TestEnv t;
  t.node().Answer("GET /v1/notices/" + api::Client::EncodePathSegment(kFollowUp), 200,
                  NoticeView());
  int code =
      RunCli(t, {"notice", "export", kFollowUp, "--node", kNode, "--key", key, "--format", "csv"});
  REQUIRE_MESSAGE(code == kExitOk, t.err.str());
  CHECK(t.out.str() == Form3911Csv(*Form3911Records(NoticeView(), kFollowUp)));

  TestEnv json;
  json.nodes.nodes[kNode] = t.node();
  REQUIRE(RunCli(json, {"notice", "export", kFollowUp, "--node", kNode, "--key", key}) == kExitOk);
  CHECK(Json::parse(json.out.str()) == *Form3911Records(NoticeView(), kFollowUp));

  TestEnv refused;
  refused.node().Problem("GET /v1/notices/" + api::Client::EncodePathSegment(kNotice), 403,
                         "Forbidden");
  CHECK(RunCli(refused, {"notice", "export", kNotice, "--node", kNode, "--key", key}) ==
        kExitNoPermission);
  TestEnv bad_format;
  CHECK(RunCli(bad_format, {"notice", "export", kNotice, "--node", kNode, "--key", key, "--format",
                            "xml"}) == kExitUsage);
}

TEST_CASE("notice file builds and signs the notice from flags and posts it") {
  TempDir dir;
  const std::string key = WriteFixtureKey(dir, "us-distributor");
  TestEnv t;
  t.node().Answer("POST /v1/notices", 201,
                  Json{{"id", kNotice},
                       {"status", "open"},
                       {"leaf_index", 7},
                       {"leaf_hash", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="},
                       {"block", 3}});
  int code = RunCli(t, {"notice",
                        "file",
                        "--node",
                        kNode,
                        "--key",
                        key,
                        "--id",
                        kNotice,
                        "--certificate",
                        "urn:uuid:c1",
                        "--certificate",
                        "urn:uuid:c2",
                        "--classification",
                        "counterfeit",
                        "--determined",
                        "2026-11-29",
                        "--quantity",
                        "12",
                        "--description",
                        "Foil print differs",
                        "--contact-name",
                        "Ana Ruiz",
                        "--contact-phone",
                        "+1 555 0100",
                        "--contact-email",
                        "qa@example.com"});
  REQUIRE_MESSAGE(code == kExitOk, t.err.str());
  const testing::Request* posted = t.node().Find("POST", "/v1/notices");
  REQUIRE(posted != nullptr);
  const Json notice = Json::parse(posted->body);
  auto parsed = ledger::ParseNotice(notice);
  REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
  CHECK(parsed->issuer == FixtureDid("us-distributor"));
  CHECK(parsed->certificates == std::vector<std::string>{"urn:uuid:c1", "urn:uuid:c2"});
  CHECK(notice["quantity"] == Json{{"value", 12}});
  CHECK(crypto::VerifyProof(notice).ok());

  // A mistake is named by its flag, and nothing is posted.
  TestEnv wrong;
  code = RunCli(wrong, {"notice",
                        "file",
                        "--node",
                        kNode,
                        "--key",
                        key,
                        "--certificate",
                        "urn:uuid:c1",
                        "--classification",
                        "damaged",
                        "--determined",
                        "2026-11-29",
                        "--quantity",
                        "12",
                        "--description",
                        "x",
                        "--contact-name",
                        "A",
                        "--contact-phone",
                        "1",
                        "--contact-email",
                        "a@b"});
  CHECK(code == kExitDataError);
  CHECK(wrong.err.str().find("--classification") != std::string::npos);
  CHECK(wrong.node().requests.empty());
}

}  // namespace
}  // namespace frontera::tools
