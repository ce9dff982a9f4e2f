// DSCSA flags on the ledger (docs/ledger.md#flags): an agency flags an item
// suspect, illegitimate or recalled with an inspecting event; the item cannot
// move while a flag is in force; only the agency that raised a flag, or a
// majority of the agencies, clears it; the co-signed note covers the flags in
// force.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ledger/state_machine.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

const std::string kCert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
const std::string kSuspect = "https://frontera.example/ns/v1/disposition/suspect";

int serial = 0;

// An inspecting event about the example unit that sets or clears `flags`.
Json FlagEvent(const std::string& key, const std::vector<std::string>& flags,
               const std::string& reason) {
  Json e = Fixture("shipping-event.json");
  e.erase("proof");
  e.erase("sourceList");
  e.erase("destinationList");
  e.erase("disposition");
  e["bizStep"] = "inspecting";
  e["eventID"] = "urn:uuid:00000000-0000-4000-c000-0000000000" + std::to_string(10 + ++serial);
  e["persistentDisposition"][key] = flags;
  if (!reason.empty()) e["frontera:reason"] = reason;
  return e;
}

Json Moving(const std::string& biz_step) {
  Json e = Fixture("shipping-event.json");
  e.erase("proof");
  e["bizStep"] = biz_step;
  e["eventID"] = "urn:uuid:00000000-0000-4000-c000-0000000001" + std::to_string(10 + ++serial);
  return e;
}

struct Ledger : PostingLedger {
  Ledger() {
    REQUIRE(PostingLedger::Post(Fixture("pharma-credential.json"), DocumentKind::kCredential).ok());
  }
  Status Post(const Json& doc, DocumentKind kind = DocumentKind::kEvent,
              const std::string& cert = kCert) {
    return PostingLedger::Post(doc, kind, cert);
  }
};

TEST_CASE("an agency flags an item suspect: it cannot move until the agency clears it") {
  Ledger l;
  // Not the holder's to decide, nor anyone's but an agency's.
  Status by_holder =
      l.Post(SignedBy(FlagEvent("set", {kSuspect}, "seal broken"), KeyOf("mx-manufacturer")));
  CHECK(by_holder.IsPermissionDenied());
  // A flag needs a reason, and rides an inspecting event.
  CHECK(l.Post(SignedBy(FlagEvent("set", {kSuspect}, ""), KeyOf("us-cbp"))).IsInvalidArgument());
  Json shipping_flag = FlagEvent("set", {kSuspect}, "seal broken");
  shipping_flag["bizStep"] = "departing";
  Status on_departing = l.Post(SignedBy(shipping_flag, KeyOf("us-cbp")));
  CHECK(on_departing.IsFailedPrecondition());
  CHECK(on_departing.field_errors()[0].pointer == "/bizStep");
  Json unknown = FlagEvent("set", {"damaged"}, "dented");
  Status not_a_flag = l.Post(SignedBy(unknown, KeyOf("us-cbp")));
  CHECK(not_a_flag.field_errors()[0].pointer == "/persistentDisposition/set/0");

  REQUIRE(l.Post(SignedBy(FlagEvent("set", {kSuspect}, "seal broken"), KeyOf("us-cbp"))).ok());
  auto view = l.sm->CertificateView(kCert);
  REQUIRE(view.ok());
  CHECK((*view)["flags"] == Json::array({"suspect"}));
  CHECK((*view)["flagged"]["suspect"]["reason"] == "seal broken");
  CHECK((*view)["flagged"]["suspect"]["by"] ==
        Json::array({Fixture("parties.json")["parties"]["us-cbp"]["did"]}));
  CHECK(
      l.Post(SignedBy(FlagEvent("set", {kSuspect}, "again"), KeyOf("mx-anam"))).IsAlreadyExists());

  Status moving = l.Post(SignedBy(Moving("shipping"), KeyOf("mx-manufacturer")));
  CHECK(moving.IsFailedPrecondition());
  CHECK(moving.message().find("flagged suspect") != std::string::npos);

  // Another agency alone may not clear it; the one that raised it may.
  CHECK(l.Post(SignedBy(FlagEvent("unset", {kSuspect}, "fine"), KeyOf("mx-anam")))
            .IsPermissionDenied());
  CHECK(l.Post(SignedBy(FlagEvent("unset", {"recalled"}, "fine"), KeyOf("us-cbp")))
            .IsFailedPrecondition());
  REQUIRE(l.Post(SignedBy(FlagEvent("unset", {kSuspect}, "contents match"), KeyOf("us-cbp"))).ok());
  view = l.sm->CertificateView(kCert);
  CHECK((*view)["flags"] == Json::array());
  CHECK(l.Post(SignedBy(Moving("shipping"), KeyOf("mx-manufacturer"))).ok());
}

TEST_CASE("a majority of the agencies clears another agency's flag; the note covers flags") {
  Ledger l;
  REQUIRE(l.Post(SignedBy(FlagEvent("set", {"recalled", kSuspect}, "lot under recall"),
                          KeyOf("us-cbp")))
              .ok());
  // The note covers the flags in force: two of them.
  CHECK(l.sm->RevocationsBody().find("\n2\n") != std::string::npos);
  const StateMachine::Revocations published = l.sm->LatestRevocations();
  REQUIRE(published.flags.size() == 2);
  CHECK(published.flags[0].item == "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123");

  // A proof set is for clearing a flag only.
  Status set_on_move =
      l.Post(SignedBySet(Moving("departing"), {KeyOf("mx-anam"), KeyOf("ca-cbsa")}));
  CHECK(set_on_move.IsFailedPrecondition());
  Status two = l.Post(SignedBySet(FlagEvent("unset", {kSuspect}, "cleared by majority"),
                                  {KeyOf("mx-anam"), KeyOf("ca-cbsa")}));
  REQUIRE_MESSAGE(two.ok(), two.ToString());
  auto view = l.sm->CertificateView(kCert);
  CHECK((*view)["flags"] == Json::array({"recalled"}));

  // The flags are ledger state: a reopened state machine has them.
  const std::string body = l.sm->RevocationsBody();
  l.Reopen();
  CHECK(l.sm->RevocationsBody() == body);
  REQUIRE(l.sm->LatestRevocations().flags.size() == 1);
  CHECK(l.sm->LatestRevocations().flags[0].flag == "recalled");
}

}  // namespace
}  // namespace frontera::ledger
