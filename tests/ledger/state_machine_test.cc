// The ledger state machine on its own: determinism, rules inside one block,
// time taken from the proposal and never going back, recovery of its summary,
// and blocks made (never an abort) from proposals of hostile documents.
#include "ledger/state_machine.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/jcs.h"
#include "crypto/merkle.h"
#include "ledger/voter_chain.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

using crypto::Json;

TEST_CASE("two validators applying the same proposals reach the same blocks and root") {
  crypto::InitCrypto();
  Proposal p1{kNov30,
              {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
               Doc(DocumentKind::kCredential, Fixture("precursor-credential.json"))}};
  Proposal p2{kNov30 + 1000,
              {Doc(DocumentKind::kEvent, Fixture("shipping-event.json"),
                   "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70")}};
  std::vector<crypto::Hash> block_hashes;
  std::vector<crypto::Hash> roots;
  for (int node = 0; node < 2; ++node) {
    TempStore store;
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    Block b1 = ApplyAndWrite(**sm, store.get(), 1, p1);
    Block b2 = ApplyAndWrite(**sm, store.get(), 2, p2);
    CHECK(b1.outcomes.size() == 2);
    CHECK_MESSAGE(b1.outcomes[0].status.ok(), b1.outcomes[0].status.ToString());
    CHECK(b2.outcomes[0].status.ok());
    CHECK(b2.previous_hash == b1.ComputeHash());
    CHECK(b2.tree_size == 3);
    block_hashes.push_back(b2.ComputeHash());
    roots.push_back(b2.root);
  }
  CHECK(block_hashes[0] == block_hashes[1]);
  CHECK(roots[0] == roots[1]);
  // The independent implementation's root of the same three documents.
  CHECK(Base64Encode(roots[0]) == Fixture("leaf-hashes.json")["root"].get<std::string>());
}

TEST_CASE("the second certificate for one serial in the same block is rejected, alone") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  Proposal p{kNov30,
             {Doc(DocumentKind::kCredential,
                  PharmaWithSerial("urn:uuid:00000000-0000-4000-8000-000000000001", "S1")),
              Doc(DocumentKind::kCredential,
                  PharmaWithSerial("urn:uuid:00000000-0000-4000-8000-000000000002", "S1")),
              Doc(DocumentKind::kCredential,
                  PharmaWithSerial("urn:uuid:00000000-0000-4000-8000-000000000003", "S2"))}};
  Block b = ApplyAndWrite(**sm, store.get(), 1, p);
  REQUIRE(b.outcomes.size() == 3);
  CHECK(b.outcomes[0].status.ok());
  CHECK(b.outcomes[1].status.IsAlreadyExists());
  CHECK(b.outcomes[2].status.ok());
  CHECK(b.outcomes[2].leaf_index == 1);
  CHECK(b.tree_size == 2);
  CHECK((*sm)->Summary().documents_rejected == 1);
}

TEST_CASE("FindIdentical finds a document held byte for byte, and nothing else") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  const std::string cert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  const ProposedDocument credential =
      Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"));
  const ProposedDocument event = Doc(DocumentKind::kEvent, Fixture("shipping-event.json"), cert);
  CHECK_FALSE((*sm)->FindIdentical(credential));  // nothing on the ledger yet
  ApplyAndWrite(**sm, store.get(), 1, Proposal{kNov30, {credential}});
  const Block b2 = ApplyAndWrite(**sm, store.get(), 2, Proposal{kNov30 + 1000, {event}});

  auto held = (*sm)->FindIdentical(credential);
  REQUIRE(held);
  CHECK(held->certificate_id == cert);
  CHECK(held->leaf_index == 0);
  CHECK(held->block_height == 1);
  CHECK(held->status == "active");
  CHECK(held->leaf_hash == crypto::LeafHash(AsBytes(credential.canonical)));
  auto held_event = (*sm)->FindIdentical(event);
  REQUIRE(held_event);
  CHECK(held_event->certificate_id == cert);
  CHECK(held_event->leaf_index == 1);
  CHECK(held_event->block_height == 2);
  CHECK(held_event->leaf_hash == b2.outcomes[0].leaf_hash);

  // The same id with other bytes: not identical (a duplicate, refused).
  Json changed = Fixture("pharma-credential.json");
  changed["validFrom"] = "2026-01-01T00:00:00Z";
  CHECK_FALSE((*sm)->FindIdentical(Doc(DocumentKind::kCredential, changed)));
  // The same event about another certificate, or as another kind: not held.
  CHECK_FALSE((*sm)->FindIdentical(
      Doc(DocumentKind::kEvent, Fixture("shipping-event.json"), "urn:uuid:other")));
  CHECK_FALSE((*sm)->FindIdentical(
      Doc(DocumentKind::kRevocation, Fixture("pharma-credential.json"), cert)));
  // Not a document at all.
  CHECK_FALSE((*sm)->FindIdentical({DocumentKind::kCredential, "", "not json"}));

  // The event's leaf is proved by index, against the co-signed checkpoint.
  auto proof = (*sm)->ProveLeaf(1);
  REQUIRE_MESSAGE(proof.ok(), proof.status().ToString());
  CHECK(proof->leaf_hash == b2.outcomes[0].leaf_hash);
  CHECK(proof->tree_size == 2);
  CHECK(crypto::VerifyInclusion(proof->leaf_hash, 1, 2, proof->inclusion, b2.root));
  CHECK((*sm)->ProveLeaf(2).status().IsNotFound());
}

TEST_CASE("validity is judged at the proposal's time, not the local clock") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  // validUntil of the fixture is 2028-10-31T23:59:59Z: a block dated 2029
  // rejects it whatever today's date is.
  const int64_t kYear2029 = 1861920000000;
  Proposal late{kYear2029, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}};
  Block b = ApplyAndWrite(**sm, store.get(), 1, late);
  CHECK(b.outcomes[0].status.IsFailedPrecondition());
  CHECK(b.tree_size == 0);
}

TEST_CASE("a document that is not its own canonical text is rejected at apply") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  Proposal p{kNov30, {{DocumentKind::kCredential, "", Fixture("pharma-credential.json").dump(2)}}};
  Block b = ApplyAndWrite(**sm, store.get(), 1, p);
  CHECK(b.outcomes[0].status.IsInvalidArgument());
  CHECK(b.tree_size == 0);
}

TEST_CASE("the summary and checkpoint survive a reopen") {
  crypto::InitCrypto();
  TempStore store;
  crypto::Hash root;
  {
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    Proposal p{kNov30, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}};
    root = ApplyAndWrite(**sm, store.get(), 7, p).root;
  }
  store.Open();
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  CHECK((*sm)->applied_index() == 7);
  CHECK((*sm)->Summary().root == root);
  CHECK((*sm)->Summary().certificates == 1);
  CHECK((*sm)->LatestCheckpoint() == "note 7\n");
  auto view = (*sm)->CertificateView("urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70");
  REQUIRE(view.ok());
  CHECK((*view)["credential"] == Fixture("pharma-credential.json"));
}

// A leader that is buggy or hostile can commit anything the proposal
// encoding carries. Every validator must still make the same block, with
// such documents refused, and never abort (an abort would repeat at every
// restart, on every validator).
Proposal HostileProposal() {
  Json cut_quote = Fixture("pharma-credential.json");
  // A rule quotes the first 16 bytes of a bad country code: 15 letters and a
  // two-byte character, cut in half by a byte-wise quote.
  cut_quote["credentialSubject"]["manufacturer"]["countryOfOrigin"] = "AAAAAAAAAAAAAAA\u00e9";
  Json long_id = Fixture("pharma-credential.json");
  long_id["id"] = "urn:uuid:" + std::string(2000, 'a');
  Proposal p{kNov30, {}};
  // Certificate ids that are not UTF-8, or too long, with an event and a
  // revocation (they name a certificate in the path).
  p.documents.push_back(Doc(DocumentKind::kEvent, Fixture("shipping-event.json"), "urn:\xff\xfe"));
  p.documents.push_back({DocumentKind::kRevocation, "\xc3", "{}"});
  p.documents.push_back(
      Doc(DocumentKind::kEvent, Fixture("shipping-event.json"), std::string(300, 'x')));
  // Not UTF-8 inside the document; not JSON at all; JSON that is not an
  // object; an empty document; a deeply nested one.
  p.documents.push_back({DocumentKind::kCredential, "", "{\"id\":\"urn:\xff\"}"});
  p.documents.push_back({DocumentKind::kCredential, "", std::string("\x00\x01garbage", 9)});
  p.documents.push_back({DocumentKind::kEvent, "urn:uuid:x", "[1,2,3]"});
  p.documents.push_back({DocumentKind::kRevocation, "", ""});
  p.documents.push_back(
      {DocumentKind::kCredential, "", std::string(5000, '[') + std::string(5000, ']')});
  // Well-formed JSON whose fields break the rules in unusual ways.
  p.documents.push_back(Doc(DocumentKind::kCredential, cut_quote));
  p.documents.push_back(Doc(DocumentKind::kCredential, long_id));
  // And one good document: the block goes on.
  p.documents.push_back(Doc(DocumentKind::kCredential, Fixture("precursor-credential.json")));
  return p;
}

TEST_CASE("a proposal of hostile documents makes a block that refuses them, the same everywhere") {
  crypto::InitCrypto();
  const Proposal p = HostileProposal();
  // Through the log encoding, as validators receive it.
  auto decoded = DecodeProposal(EncodeProposal(p));
  REQUIRE(decoded.ok());
  // An unknown kind, which only a Proposal built in memory can carry.
  decoded->documents.insert(decoded->documents.begin(), {static_cast<DocumentKind>(9), "", "{}"});
  std::vector<crypto::Hash> block_hashes;
  std::vector<std::vector<std::string>> reasons(2);
  for (int node = 0; node < 2; ++node) {
    TempStore store;
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    Block b = ApplyAndWrite(**sm, store.get(), 1, *decoded);
    REQUIRE(b.outcomes.size() == decoded->documents.size());
    for (size_t i = 0; i + 1 < b.outcomes.size(); ++i) {
      const DocumentOutcome& o = b.outcomes[i];
      CHECK_MESSAGE(!o.status.ok(), "document " << i);
      CHECK_MESSAGE(crypto::IsWellFormedUtf8(o.status.message()), "document " << i);
      CHECK_MESSAGE(crypto::IsWellFormedUtf8(o.certificate_id), "document " << i);
      reasons[node].push_back(o.status.ToString());
    }
    CHECK(b.outcomes[0].status.IsInvalidArgument());  // kind 9
    CHECK(b.outcomes[1].status.IsInvalidArgument());  // id not UTF-8
    CHECK(b.outcomes[1].certificate_id.empty());
    CHECK(b.outcomes[3].status.IsInvalidArgument());  // id too long
    // The country code is quoted up to a character boundary, not mid-'é'.
    CHECK_MESSAGE(
        b.outcomes[9].status.message().find("not \"AAAAAAAAAAAAAAA\"") != std::string::npos,
        b.outcomes[9].status.message());
    CHECK(b.outcomes.back().status.ok());
    CHECK(b.tree_size == 1);
    CHECK((*sm)->Summary().documents_rejected == decoded->documents.size() - 1);
    block_hashes.push_back(b.ComputeHash());
    // The stored block is the one hashed, and the store verifies.
    auto roots = RecomputeRoots(*store.get());
    REQUIRE_MESSAGE(roots.ok(), roots.status().ToString());
    CHECK(roots->block_hash == block_hashes.back());
  }
  CHECK(block_hashes[0] == block_hashes[1]);
  CHECK(reasons[0] == reasons[1]);
}

TEST_CASE("admission refuses a certificate id that is not UTF-8 or too long") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  const Json event = Fixture("shipping-event.json");
  CHECK((*sm)->Admit(DocumentKind::kEvent, "urn:\xff", event, kNov30).status().IsInvalidArgument());
  CHECK((*sm)
            ->Admit(DocumentKind::kEvent, std::string(257, 'x'), event, kNov30)
            .status()
            .IsInvalidArgument());
}

TEST_CASE("a block's time never goes back; a time no date can express refuses the proposal") {
  crypto::InitCrypto();
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(sm.ok());
  // validUntil of the fixture is 2028-10-31T23:59:59Z.
  const int64_t kYear2029 = 1861920000000;
  Block b1 = ApplyAndWrite(**sm, store.get(), 1, Proposal{kYear2029, {}});
  CHECK(b1.time_unix_ms == kYear2029);
  // A later leader whose clock says 2026: the block keeps 2029, and the
  // credential is judged (expired) at 2029.
  Block b2 = ApplyAndWrite(
      **sm, store.get(), 2,
      Proposal{kNov30, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}});
  CHECK(b2.time_unix_ms == kYear2029);
  CHECK(b2.outcomes[0].status.IsFailedPrecondition());
  // Out of range either way: every document refused, the time unchanged.
  uint64_t index = b2.log_index;
  for (int64_t bad : {int64_t{-1}, int64_t{253402300800000}, INT64_MAX, INT64_MIN}) {
    Block b = ApplyAndWrite(
        **sm, store.get(), ++index,
        Proposal{bad, {Doc(DocumentKind::kCredential, Fixture("precursor-credential.json"))}});
    CHECK(b.time_unix_ms == kYear2029);
    CHECK(b.outcomes[0].status.IsInvalidArgument());
    CHECK(b.tree_size == 0);
  }
  // The last block's time survives a reopen.
  const uint64_t applied = (*sm)->applied_index();
  sm = Result<std::unique_ptr<StateMachine>>(Status::Internal("closed"));
  store.Open();
  auto reopened = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(reopened.ok());
  Block later = ApplyAndWrite(**reopened, store.get(), applied + 1, Proposal{kNov30, {}});
  CHECK(later.time_unix_ms == kYear2029);
}

// A revocation of `cert` by the example manufacturer, with `reason`.
Json SignedRevocation(const std::string& cert, const std::string& reason) {
  crypto::KeyPair key = KeyOf("mx-manufacturer");
  Json doc = {
      {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
      {"type", "CredentialRevocation"},
      {"id", "urn:uuid:3f1c2a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b"},
      {"credential", cert},
      {"issuer", crypto::DidKeyFromPublicKey(key.public_key())},
      {"reason", reason}};
  crypto::ProofOptions options;
  options.created = "2026-11-30T10:00:00Z";
  options.verification_method = crypto::VerificationMethodFromPublicKey(key.public_key());
  auto signed_doc = crypto::CreateProof(doc, options, key);
  REQUIRE(signed_doc.ok());
  return *signed_doc;
}

TEST_CASE("the revocations note covers each revocation's reason, and a reload keeps it") {
  crypto::InitCrypto();
  TempStore store;
  const std::string cert = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
  const std::string item = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123";
  // A quote, a newline and a non-ASCII letter: the line holds the reason's
  // JCS string form, so it stays one line.
  const std::string reason = "Lot LOT42A recalled:\n\"contaminación\" at release testing";
  const std::string line = cert + " " + item + " 1 " +
                           "\"Lot LOT42A recalled:\\n\\\"contaminación\\\" at release testing\"\n";
  // The registry lines follow (none changed since the genesis), then the
  // flags' (none in force), then the voters' (the genesis validators).
  const std::string empty = "0\n" + Base64Encode(crypto::Sha256(std::string_view())) + "\n";
  const Voters voters = ExampleGenesis().validators;
  const std::string no_registry = empty + empty + std::to_string(voters.size()) + "\n" +
                                  Base64Encode(VotersDigest(voters)) + "\n";
  const std::string body = "frontera.example/north-america-1 revocations/4\n2\n1\n" +
                           Base64Encode(crypto::Sha256(std::string_view(line))) + "\n" +
                           no_registry;
  {
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE(sm.ok());
    ApplyAndWrite(
        **sm, store.get(), 1,
        Proposal{kNov30, {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json"))}});
    CHECK((*sm)->RevocationsBody() == "frontera.example/north-america-1 revocations/4\n1\n0\n" +
                                          Base64Encode(crypto::Sha256(std::string_view())) + "\n" +
                                          no_registry);
    Block b = ApplyAndWrite(
        **sm, store.get(), 2,
        Proposal{kNov30 + 1000,
                 {Doc(DocumentKind::kRevocation, SignedRevocation(cert, reason), cert)}});
    REQUIRE_MESSAGE(b.outcomes[0].status.ok(), b.outcomes[0].status.ToString());
    CHECK((*sm)->RevocationsBody() == body);
    StateMachine::Revocations published = (*sm)->LatestRevocations();
    REQUIRE(published.entries.size() == 1);
    CHECK(published.entries[0].item == item);
    CHECK(published.entries[0].leaf_index == 1);
    CHECK(published.entries[0].reason == reason);
  }
  store.Open();
  {
    auto sm = StateMachine::Open(store.get(), ExampleGenesis(), {});
    REQUIRE_MESSAGE(sm.ok(), sm.status().ToString());
    CHECK((*sm)->RevocationsBody() == body);
    StateMachine::Revocations published = (*sm)->LatestRevocations();
    REQUIRE(published.entries.size() == 1);
    CHECK(published.entries[0].reason == reason);
  }
  // An index entry without its reason is corrupt, like any malformed entry.
  storage::WriteBatch batch;
  batch.Put(storage::Column::kIndex, "rev/" + cert, Json{{"item", item}, {"leaf_index", 1}}.dump());
  REQUIRE(store.get()->Write(batch, true).ok());
  store.Open();
  auto reopened = StateMachine::Open(store.get(), ExampleGenesis(), {});
  CHECK(reopened.status().IsCorruption());
}

TEST_CASE("the party list filters by role and country, in DID order, a page at a time") {
  TempStore store;
  auto sm = StateMachine::Open(store.get(), ExampleGenesis(), StateMachineOptions{});
  REQUIRE(sm.ok());
  const Json agencies = (*sm)->PartiesJson("agency", "", "", 100);
  REQUIRE(agencies["parties"].size() == 3);
  CHECK(agencies["next"].is_null());
  std::vector<std::string> dids;
  for (const Json& p : agencies["parties"]) {
    CHECK(p["role"] == "agency");
    CHECK(p["registered_by"] == "genesis");
    dids.push_back(p["did"]);
  }
  CHECK(std::is_sorted(dids.begin(), dids.end()));

  const Json mexican = (*sm)->PartiesJson("", "MX", "", 100);
  CHECK(mexican["parties"].size() == 3);  // the manufacturer, the carrier, ANAM
  const Json licensed = (*sm)->PartiesJson("distributor", "US", "", 100);
  REQUIRE(licensed["parties"].size() == 1);
  CHECK(licensed["parties"][0]["licences"][0]["casRn"] == "345-78-8");

  // Pages of two: every party once, in order, the last page without next.
  std::vector<std::string> paged;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    const Json answer = (*sm)->PartiesJson("", "", after, 2);
    for (const Json& p : answer["parties"]) paged.push_back(p["did"]);
    if (answer["next"].is_null()) break;
    CHECK(answer["parties"].size() == 2);
    after = answer["next"];
  }
  CHECK(paged.size() == 6);
  CHECK(std::is_sorted(paged.begin(), paged.end()));
  CHECK(std::adjacent_find(paged.begin(), paged.end()) == paged.end());
}

}  // namespace
}  // namespace frontera::ledger
