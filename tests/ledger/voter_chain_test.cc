// The voters who co-sign each block's notes and the chain of links that hands
// that duty on (ledger/voter_chain.h, docs/formats.md §11): voters by block
// from the records' history; a link counts only when the voters before it and
// the voters it names both signed it; anything else in a chain is refused.
#include "ledger/voter_chain.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/did_key.h"
#include "crypto/signed_note.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

constexpr char kNet[] = "frontera.test/voters";

Validator VoterOf(const std::string& name, const crypto::KeyPair& key) {
  return Validator{name, DidOfKey(key), key.public_key(), "", ""};
}

ValidatorRecord RecordOf(const Validator& v, ValidatorRole role) {
  ValidatorRecord r;
  r.name = v.name;
  r.did = v.did;
  r.public_key = v.public_key;
  r.role = role;
  return r;
}

void Changed(ValidatorRecord& r, const std::string& action, uint64_t block) {
  r.history.push_back({{"action", action}, {"block", block}, {"leaf_index", block * 10}});
  if (action == "ValidatorPromotion") r.role = ValidatorRole::kVoter;
  if (action == "ValidatorRemoval") r.status = ValidatorStatus::kRemoved;
}

std::vector<std::string> Names(const Voters& voters) {
  std::vector<std::string> out;
  for (const Validator& v : voters) out.push_back(v.name);
  return out;
}

using NameList = std::vector<std::string>;

TEST_CASE("the voters after each block follow additions, promotions and removals") {
  const crypto::KeyPair a = NewKey(0xa1), b = NewKey(0xb1), c = NewKey(0xc1), d = NewKey(0xd1),
                        e = NewKey(0xe1);
  std::vector<ValidatorRecord> set = {RecordOf(VoterOf("a", a), ValidatorRole::kVoter),
                                      RecordOf(VoterOf("b", b), ValidatorRole::kVoter),
                                      RecordOf(VoterOf("c", c), ValidatorRole::kVoter)};
  // d joins as an observer at block 5 and is promoted at 9; a is removed at
  // 12; e joins as a voter at 15; an observer joining changes no voters.
  set.push_back(RecordOf(VoterOf("d", d), ValidatorRole::kObserver));
  Changed(set.back(), "ValidatorAddition", 5);
  Changed(set.back(), "ValidatorPromotion", 9);
  Changed(set[0], "ValidatorRemoval", 12);
  set.push_back(RecordOf(VoterOf("e", e), ValidatorRole::kVoter));
  Changed(set.back(), "ValidatorAddition", 15);

  CHECK(Names(VotersAfter(set, 0)) == NameList{"a", "b", "c"});
  CHECK(Names(VotersAfter(set, 5)) == NameList{"a", "b", "c"});
  CHECK(Names(VotersAfter(set, 8)) == NameList{"a", "b", "c"});
  CHECK(Names(VotersAfter(set, 9)) == NameList{"a", "b", "c", "d"});
  CHECK(Names(VotersAfter(set, 11)) == NameList{"a", "b", "c", "d"});
  CHECK(Names(VotersAfter(set, 12)) == NameList{"b", "c", "d"});
  CHECK(Names(VotersAfter(set, 15)) == NameList{"b", "c", "d", "e"});
  CHECK(VoterChangeHeights(set) == std::vector<uint64_t>{9, 12, 15});
}

// A revocations/4 note body naming `voters`, at `tree_size`.
std::string NoteText(const Voters& voters, uint64_t tree_size, const std::string& net = kNet) {
  const std::string empty = Base64Encode(crypto::Sha256(std::string_view()));
  return net + " revocations/4\n" + std::to_string(tree_size) + "\n0\n" + empty + "\n0\n" + empty +
         "\n0\n" + empty + "\n" + std::to_string(voters.size()) + "\n" +
         Base64Encode(VotersDigest(voters)) + "\n";
}

struct Chain {
  crypto::KeyPair a = NewKey(0x11), b = NewKey(0x12), c = NewKey(0x13), d = NewKey(0x14);
  Genesis genesis;
  Voters abc, abcd, bcd;

  Chain() {
    genesis.network = kNet;
    genesis.validators = {VoterOf("a", a), VoterOf("b", b), VoterOf("c", c)};
    abc = genesis.validators;
    abcd = abc;
    abcd.push_back(VoterOf("d", d));
    bcd = {abcd[1], abcd[2], abcd[3]};
  }

  const crypto::KeyPair* Key(const std::string& name) const {
    return name == "a" ? &a : name == "b" ? &b : name == "c" ? &c : &d;
  }
  VoterChange Link(uint64_t height, const Voters& voters, const NameList& signers,
                   const std::string& net = kNet) const {
    std::vector<std::pair<std::string, const crypto::KeyPair*>> keys;
    for (const std::string& s : signers) keys.emplace_back(s, Key(s));
    return {height, crypto::SignNote(NoteText(voters, height * 2, net), keys), voters};
  }
};

TEST_CASE("a chain of links leads from the genesis validators to the voters of today") {
  Chain c;
  // d promoted at block 4 (signed by a majority of abc and of abcd), then a
  // removed at block 9 (a majority of abcd and of bcd).
  std::vector<VoterChange> chain = {c.Link(4, c.abcd, {"a", "b", "d"}),
                                    c.Link(9, c.bcd, {"b", "c", "d"})};
  auto voters = FollowVoterChanges(c.genesis, chain, "/voter_changes");
  REQUIRE_MESSAGE(voters.ok(), voters.status().ToString());
  CHECK(Names(*voters) == NameList{"b", "c", "d"});
  // No links: the genesis validators.
  auto none = FollowVoterChanges(c.genesis, {}, "/voter_changes");
  REQUIRE(none.ok());
  CHECK(Names(*none) == NameList{"a", "b", "c"});
  // The JSON form reads back.
  auto back = VoterChangeFromJson(VoterChangeJson(chain[1]), "/x");
  REQUIRE(back.ok());
  CHECK(*back == chain[1]);
}

TEST_CASE("a link the voters before it did not sign, or that names other voters, is refused") {
  Chain c;
  const auto refused = [&](const std::vector<VoterChange>& chain, const std::string& reason) {
    auto voters = FollowVoterChanges(c.genesis, chain, "/voter_changes");
    CHECK_FALSE(voters.ok());
    CHECK_MESSAGE(voters.status().message().find(reason) != std::string::npos,
                  voters.status().ToString());
  };
  SUBCASE("the new voters alone sign their own arrival") {
    // d and one old voter: a majority of abcd needs 3, of abc 2.
    refused({c.Link(4, c.abcd, {"c", "d"})}, "/voter_changes/0/note (block 4)");
  }
  SUBCASE("the old voters alone hand over to a set that never signed") {
    refused({c.Link(4, c.bcd, {"a", "b"})}, "a majority of the 3 voters (2) and of the 3 voters");
  }
  SUBCASE("a second link skipping the voters of the first") {
    // After abcd, a link signed by b and c only is not a majority of abcd.
    refused({c.Link(4, c.abcd, {"a", "b", "d"}), c.Link(9, c.bcd, {"b", "c"})},
            "/voter_changes/1/note");
  }
  SUBCASE("voters that are not the ones the note names") {
    VoterChange link = c.Link(4, c.abcd, {"a", "b", "c", "d"});
    link.voters = c.bcd;
    refused({link}, "/voter_changes/0/voters are not the voters its note names");
  }
  SUBCASE("heights out of order") {
    refused({c.Link(9, c.abcd, {"a", "b", "d"}), c.Link(4, c.bcd, {"b", "c", "d"})},
            "/voter_changes/1/height must be above");
  }
  SUBCASE("a note of another network") {
    refused({c.Link(4, c.abcd, {"a", "b", "d"}, "frontera.test/other")},
            "not a revocations/4 note of frontera.test/voters");
  }
  SUBCASE("a signature altered after signing") {
    VoterChange link = c.Link(4, c.abcd, {"a", "b", "d"});
    link.note[link.note.size() - 3] ^= 1;
    refused({link}, "/voter_changes/0");
  }
}

TEST_CASE("a voter list read from JSON is checked") {
  Chain c;
  CHECK(VotersFromJson(VotersJson(c.abcd), "/voters").ok());
  CHECK(VotersFromJson(Json::array(), "/voters").status().IsInvalidArgument());
  Json repeated = VotersJson(c.abc);
  repeated.push_back(repeated[0]);
  CHECK(VotersFromJson(repeated, "/voters").status().message().find("/voters/3 repeats") !=
        std::string::npos);
  Json bad_did = VotersJson(c.abc);
  bad_did[1]["did"] = "did:web:example.com";
  CHECK(VotersFromJson(bad_did, "/voters").status().message().find("/voters/1/did") !=
        std::string::npos);
  Json bad_name = VotersJson(c.abc);
  bad_name[2]["name"] = "two words";
  CHECK(VotersFromJson(bad_name, "/voters").status().message().find("/voters/2/name") !=
        std::string::npos);
}

TEST_CASE("a block's revocations note names the voters after it") {
  PostingLedger l;
  const auto voters_line = [&] {
    const std::string body = l.sm->RevocationsBody();
    auto stated = ParseNoteVoters(body, ExampleGenesis().network);
    REQUIRE_MESSAGE(stated.ok(), (stated.status().ToString() + "\n" + body));
    return *stated;
  };
  NoteVoters before = voters_line();
  CHECK(before.count == ExampleGenesis().validators.size());
  CHECK(before.digest == VotersDigest(ExampleGenesis().validators));

  const crypto::KeyPair key = NewKey(0x77);
  Json add = {
      {"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
      {"type", "ValidatorAddition"},
      {"id", "urn:uuid:00000000-0000-4000-b000-000000000901"},
      {"validator",
       {{"did", DidOfKey(key)}, {"name", "second"}, {"role", "voter"}, {"peer", "10.0.0.9:7100"}}}};
  const std::vector<crypto::KeyPair> agencies = {KeyOf("us-cbp"), KeyOf("ca-cbsa")};
  add["issuer"] = DidOfKey(agencies[0]);
  Status s = l.Post(SignedBySet(add, agencies), DocumentKind::kParty);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  NoteVoters after = voters_line();
  Voters expected = ExampleGenesis().validators;
  expected.push_back(Validator{"second", DidOfKey(key), key.public_key(), "", ""});
  CHECK(after.count == expected.size());
  CHECK(after.digest == VotersDigest(expected));
  auto set = l.sm->Validators();
  REQUIRE(set.ok());
  CHECK(VoterChangeHeights(*set) == std::vector<uint64_t>{l.sm->Summary().block_height});
}

}  // namespace
}  // namespace frontera::ledger
