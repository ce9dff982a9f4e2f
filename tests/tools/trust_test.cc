#include "tools/trust.h"

#include <doctest/doctest.h>

#include <fstream>
#include <optional>

#include "tests/tools/cli_fakes.h"
#include "tests/tools/label_support.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::BundleMaker;
using testing::LabelGenesis;

crypto::Hash GenesisHash() { return LabelGenesis().hash; }

std::string Refusal(const Json& bundle) {
  auto verified = VerifyTrustBundle(bundle, GenesisHash());
  return verified.ok() ? "" : verified.status().ToString();
}

// Every single-byte change of `text` (each byte XOR 0x01, which keeps ASCII
// ASCII and breaks UTF-8 sequences) put back by `put`, must be refused.
template <typename Put>
void EveryByteRefused(const std::string& text, Put put) {
  for (size_t i = 0; i < text.size(); ++i) {
    std::string changed = text;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    std::string refusal = Refusal(put(changed));
    INFO("byte ", i, " of ", text);
    CHECK_FALSE(refusal.empty());
  }
}

TEST_CASE("a good bundle is accepted with its checkpoint and revocations") {
  BundleMaker maker;
  maker.revocations.push_back({"urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70",
                               "https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123", 4,
                               "Lot LOT42A recalled: contamination found at release testing"});
  auto bundle = VerifyTrustBundle(maker.Make(), GenesisHash());
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
  CHECK(bundle->format_version == 4);
  CHECK(bundle->reasons_known);
  CHECK(bundle->tree_size == 6);
  CHECK(bundle->genesis.network == testing::kLabelNetwork);
  CHECK(bundle->checkpoint_signers.size() == 3);
  REQUIRE(bundle->revocations.size() == 1);
  CHECK(bundle->revocations[0].reason ==
        "Lot LOT42A recalled: contamination found at release testing");
  CHECK(bundle->FindRevocation("https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123") !=
        nullptr);
  CHECK(bundle->FindRevocation("https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000124") ==
        nullptr);
  std::string shown = RenderTrustBundle(*bundle, 0);
  CHECK(shown.find("tree size 6") != std::string::npos);
  CHECK(shown.find("revocations  1") != std::string::npos);
  CHECK(shown.find("reason \"Lot LOT42A recalled: contamination found at release testing\"") !=
        std::string::npos);
}

TEST_CASE("the revocation digest sorts lines bytewise and depends on every entry") {
  std::vector<RevocationEntry> a = {{"urn:b", "https://id.gs1.org/00/1", 1, "recall"},
                                    {"urn:a", "https://id.gs1.org/00/2", 2, "said \"no\"\nthen ü"}};
  std::vector<RevocationEntry> b = {a[1], a[0]};
  CHECK(RevocationDigest(a) == RevocationDigest(b));
  // The reason as an RFC 8785 string: quotes and line ends escaped, other
  // characters as they are.
  CHECK(RevocationDigest(a) == crypto::Sha256(std::string_view(
                                   "urn:a https://id.gs1.org/00/2 2 \"said \\\"no\\\"\\nthen ü\"\n"
                                   "urn:b https://id.gs1.org/00/1 1 \"recall\"\n")));
  b[0].item += "3";
  CHECK(RevocationDigest(a) != RevocationDigest(b));
  std::vector<RevocationEntry> c = a;
  c[0].leaf_index = 5;  // the leaf index is covered too
  CHECK(RevocationDigest(a) != RevocationDigest(c));
  std::vector<RevocationEntry> d = a;
  d[0].reason = "recalled";  // and the reason
  CHECK(RevocationDigest(a) != RevocationDigest(d));
  CHECK(RevocationNoteText("n", 7, a).starts_with("n revocations/4\n7\n2\n"));
  CHECK(RevocationNoteText("n", 7, a, 3).starts_with("n revocations/3\n7\n2\n"));
  CHECK(RevocationNoteText("n", 7, a, 2).starts_with("n revocations/2\n7\n2\n"));

  // Format 1, as bundles synced before reasons hold it: no reason in the
  // lines, and the note's first line without "/2".
  CHECK(RevocationDigest(a, 1) ==
        crypto::Sha256(std::string_view(
            "urn:a https://id.gs1.org/00/2 2\nurn:b https://id.gs1.org/00/1 1\n")));
  CHECK(RevocationDigest(a, 1) == RevocationDigest(d, 1));
  CHECK(RevocationNoteText("n", 7, a, 1).starts_with("n revocations\n7\n2\n"));
}

TEST_CASE("changing any byte of the checkpoint note refuses the bundle") {
  Json bundle = BundleMaker().Make();
  EveryByteRefused(bundle["checkpoint"].get<std::string>(), [&](const std::string& changed) {
    Json copy = bundle;
    copy["checkpoint"] = changed;
    return copy;
  });
}

TEST_CASE("changing any byte of the revocation note refuses the bundle") {
  BundleMaker maker;
  maker.revocations.push_back({"urn:uuid:1", "https://id.gs1.org/00/375012340000000016", 2});
  Json bundle = maker.Make();
  EveryByteRefused(bundle["revocations"]["note"].get<std::string>(),
                   [&](const std::string& changed) {
                     Json copy = bundle;
                     copy["revocations"]["note"] = changed;
                     return copy;
                   });
}

TEST_CASE("changing any byte of an entry, or dropping one, refuses the bundle") {
  BundleMaker maker;
  maker.revocations.push_back({"urn:uuid:1", "https://id.gs1.org/00/375012340000000016", 2});
  maker.revocations.push_back({"urn:uuid:2", "https://id.gs1.org/00/375012340000000023", 3});
  Json bundle = maker.Make();
  for (const char* member : {"certificate", "item", "reason"}) {
    EveryByteRefused(bundle["revocations"]["entries"][1][member].get<std::string>(),
                     [&](const std::string& changed) {
                       Json copy = bundle;
                       copy["revocations"]["entries"][1][member] = changed;
                       return copy;
                     });
  }
  Json dropped = bundle;
  dropped["revocations"]["entries"].erase(0);
  CHECK(Refusal(dropped).find("entry count") != std::string::npos);
  Json edited = bundle;
  edited["revocations"]["entries"][0]["certificate"] = "urn:uuid:9";
  CHECK(Refusal(edited).find("digest") != std::string::npos);
  Json beyond = bundle;
  beyond["revocations"]["entries"][0]["leaf_index"] = 6;  // not covered by the digest
  CHECK(Refusal(beyond).find("beyond the checkpoint's tree size") != std::string::npos);
}

TEST_CASE("a revocation's reason is signed: altering or dropping it refuses the bundle") {
  BundleMaker maker;
  maker.revocations.push_back(
      {"urn:uuid:1", "https://id.gs1.org/00/375012340000000016", 2, "damaged in transit"});
  Json bundle = maker.Make();
  REQUIRE(Refusal(bundle).empty());
  // A revocation turned into a recall (or back) is caught by the digest.
  Json recall = bundle;
  recall["revocations"]["entries"][0]["reason"] = "recall: contamination";
  CHECK(Refusal(recall).find("digest") != std::string::npos);
  Json missing = bundle;
  missing["revocations"]["entries"][0].erase("reason");
  CHECK(Refusal(missing).find("/revocations/entries/0/reason") != std::string::npos);
  Json not_text = bundle;
  not_text["revocations"]["entries"][0]["reason"] = 7;
  CHECK(Refusal(not_text).find("/revocations/entries/0/reason") != std::string::npos);
}

TEST_CASE("a format 1 bundle (before reasons) still verifies, with its reasons unknown") {
  // What a build before revocation reasons stored: entries without "reason",
  // the note's first line "<network> revocations", lines without reasons.
  BundleMaker maker;
  maker.format_version = 1;
  maker.revocations.push_back({"urn:uuid:1", "https://id.gs1.org/00/375012340000000016", 2});
  Json v1 = maker.Make();
  REQUIRE(v1["format"] == "frontera-trust-bundle/1");
  REQUIRE(!v1["revocations"]["entries"][0].contains("reason"));
  REQUIRE(v1["revocations"]["note"].get<std::string>().starts_with(
      std::string(testing::kLabelNetwork) + " revocations\n6\n1\n"));
  auto bundle = VerifyTrustBundle(v1, GenesisHash());
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
  CHECK(bundle->format_version == 1);
  CHECK_FALSE(bundle->reasons_known);
  REQUIRE(bundle->revocations.size() == 1);
  CHECK(bundle->revocations[0].reason.empty());
  CHECK(bundle->FindRevocation("https://id.gs1.org/00/375012340000000016") != nullptr);
  CHECK(RenderTrustBundle(*bundle, 0).find("run frontera trust sync") != std::string::npos);

  // Stored and loaded again, as an inspector's existing file is.
  testing::TempDir dir;
  std::string path = dir.Sub("trust.json");
  REQUIRE(WriteTrustFile(path, *bundle, "2026-12-01T09:00:00Z").ok());
  auto loaded = LoadTrustFile(path, GenesisHash());
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  CHECK_FALSE(loaded->reasons_known);
  CHECK(loaded->revocations.size() == 1);

  // A reason added to a format 1 entry was not signed by anyone.
  Json added = v1;
  added["revocations"]["entries"][0]["reason"] = "recall";
  CHECK(Refusal(added).find("/revocations/entries/0/reason") != std::string::npos);
  // A format 2 bundle relabelled format 1 (to drop its reasons) is refused:
  // its note says "revocations/2".
  maker.format_version = 2;
  Json relabelled = maker.Make();
  relabelled["format"] = "frontera-trust-bundle/1";
  relabelled["revocations"]["entries"][0].erase("reason");
  CHECK(Refusal(relabelled).find("origin line") != std::string::npos);
  // And a format 1 note cannot pass as format 2.
  Json upgraded = v1;
  upgraded["format"] = "frontera-trust-bundle/2";
  upgraded["revocations"]["entries"][0]["reason"] = "";
  CHECK(Refusal(upgraded).find("origin line") != std::string::npos);
  Json unknown = v1;
  unknown["format"] = "frontera-trust-bundle/5";
  CHECK(Refusal(unknown).find("/format") != std::string::npos);
}

TEST_CASE("a revocation note for another tree size is refused") {
  BundleMaker maker;
  Json bundle = maker.Make();
  bundle["revocations"]["note"] = testing::SignedBy(
      RevocationNoteText(testing::kLabelNetwork, 5, {}), {"us-cbp", "mx-anam", "ca-cbsa"});
  CHECK(Refusal(bundle).find("tree size") != std::string::npos);
}

TEST_CASE("a bundle with another genesis is refused") {
  BundleMaker maker;
  maker.genesis["network"] = "frontera.example/elsewhere";
  CHECK(Refusal(maker.Make()).find("not to the trusted genesis file's") != std::string::npos);
  Json bundle = BundleMaker().Make();
  bundle["genesis"]["parties"][1]["name"] = "Someone Else";
  CHECK(Refusal(bundle).find("hashes to") != std::string::npos);
  Json wrong_hash = BundleMaker().Make();
  wrong_hash["genesis_hash"] = Base64Encode(crypto::Sha256(std::string_view("x")));
  CHECK(Refusal(wrong_hash).find("genesis_hash") != std::string::npos);
}

TEST_CASE("a checkpoint or revocation note signed by a minority is refused") {
  BundleMaker minority;
  minority.checkpoint_signers = {"mx-anam"};
  CHECK(Refusal(minority.Make()).find("only 1 of 3") != std::string::npos);
  BundleMaker revocations;
  revocations.revocation_signers = {"ca-cbsa"};
  CHECK(Refusal(revocations.Make()).find("revocation note: only 1 of 3") != std::string::npos);
  BundleMaker quorum;
  quorum.checkpoint_signers = {"us-cbp", "ca-cbsa"};
  quorum.revocation_signers = {"mx-anam", "ca-cbsa"};
  CHECK(Refusal(quorum.Make()).empty());
  // Keys that are not validators do not count, however many sign.
  BundleMaker strangers;
  strangers.checkpoint_signers = {"mx-manufacturer", "mx-carrier", "us-cbp"};
  CHECK(Refusal(strangers.Make()).find("only 1 of 3") != std::string::npos);
}

TEST_CASE("a bundle's item filter is read when a majority signed its note over its bytes") {
  BundleMaker maker;
  maker.filter_items =
      std::vector<std::string>{"https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123",
                               "https://id.gs1.org/00/106141411234567891"};
  auto bundle = VerifyTrustBundle(maker.Make(), GenesisHash());
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
  REQUIRE(bundle->item_filter.has_value());
  CHECK(bundle->item_filter_tree_size == 5);
  CHECK(bundle->item_filter->item_count() == 2);
  CHECK(bundle->item_filter->Contains(
      ledger::ItemKey("https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN000123")));
  CHECK(RenderTrustBundle(*bundle, 0).find("2 certified items as of checkpoint 5") !=
        std::string::npos);

  // Without one (an older validator's bundle) it still verifies.
  auto plain = VerifyTrustBundle(BundleMaker().Make(), GenesisHash());
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->item_filter.has_value());

  SUBCASE("a filter edited after signing is refused") {
    Json edited = maker.Make();
    auto bytes = Base64Decode(edited["item_filter"]["filter"].get<std::string>()).value();
    bytes.back() ^= 0x01;
    edited["item_filter"]["filter"] = Base64Encode(bytes);
    CHECK(Refusal(edited).find("the filter was altered") != std::string::npos);
  }
  SUBCASE("a filter of other items, under the honest note, is refused") {
    BundleMaker other = maker;
    other.filter_items->push_back("https://id.gs1.org/01/07501234000017/10/LOT42A/21/SN999999");
    Json swapped = maker.Make();
    swapped["item_filter"]["filter"] = other.Make()["item_filter"]["filter"];
    CHECK_FALSE(Refusal(swapped).empty());
  }
  SUBCASE("every byte of the note is signed") {
    const std::string note = maker.Make()["item_filter"]["note"].get<std::string>();
    EveryByteRefused(note, [&](const std::string& changed) {
      Json b = maker.Make();
      b["item_filter"]["note"] = changed;
      return b;
    });
  }
  SUBCASE("a note signed by a minority of the voters is refused") {
    BundleMaker minority = maker;
    minority.filter_signers = {"mx-anam"};
    CHECK(Refusal(minority.Make()).find("item filter note: only 1 of 3") != std::string::npos);
    BundleMaker strangers = maker;
    strangers.filter_signers = {"mx-manufacturer", "mx-carrier", "us-cbp"};
    CHECK(Refusal(strangers.Make()).find("item filter note") != std::string::npos);
  }
  SUBCASE("a filter beyond the checkpoint's tree size is refused") {
    BundleMaker ahead = maker;
    ahead.filter_tree_size = 7;
    CHECK(Refusal(ahead.Make()).find("beyond the checkpoint's 6") != std::string::npos);
  }
  SUBCASE("a malformed or oversized member is refused as such") {
    Json b = maker.Make();
    b["item_filter"] = "not an object";
    CHECK(Refusal(b).find("/item_filter") != std::string::npos);
    b = maker.Make();
    b["item_filter"]["filter"] = std::string((kBundleItemFilterBytesMax + 2) / 3 * 4 + 4, 'A');
    CHECK(Refusal(b).find("kBundleItemFilterBytesMax") != std::string::npos);
    b = maker.Make();
    b["item_filter"]["filter"] = "***";
    CHECK(Refusal(b).find("must be base64") != std::string::npos);
  }
}

// The agencies add us-cbp-2 at block 3 and remove ca-cbsa at block 5: the
// bundle's two links lead from the genesis validators to today's voters.
struct ChangedVoters {
  ledger::Voters genesis = testing::LabelGenesis().validators;
  ledger::Voters four = {genesis[0], genesis[1], genesis[2], testing::AddedValidator("us-cbp-2")};
  ledger::Voters today = {genesis[0], genesis[1], four[3]};

  ledger::VoterChange Link(uint64_t height, const ledger::Voters& after,
                           const std::vector<std::string>& signers) const {
    return {height,
            testing::SignedBy(RevocationNoteText(testing::kLabelNetwork, height, {},
                                                 kTrustBundleVersion, {}, {}, after),
                              signers),
            after};
  }
  BundleMaker Maker() const {
    BundleMaker maker;
    maker.voter_changes = {Link(3, four, {"us-cbp", "mx-anam", "us-cbp-2"}),
                           Link(5, today, {"us-cbp", "mx-anam", "us-cbp-2"})};
    maker.voters = today;
    maker.checkpoint_signers = {"mx-anam", "us-cbp-2"};
    maker.revocation_signers = {"us-cbp-2", "us-cbp"};
    return maker;
  }
};

TEST_CASE("a bundle's voter chain decides whose signatures count") {
  ChangedVoters changed;
  auto bundle = VerifyTrustBundle(changed.Maker().Make(), GenesisHash());
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
  CHECK(bundle->voters.size() == 3);
  CHECK(bundle->voters[2].name == "us-cbp-2");
  CHECK(bundle->voter_changes.size() == 2);
  CHECK(bundle->checkpoint_signers == std::vector<std::string>{"mx-anam", "us-cbp-2"});
  std::string shown = RenderTrustBundle(*bundle, 0);
  CHECK(shown.find("us-cbp-2") != std::string::npos);
  CHECK(shown.find("2 voter changes") != std::string::npos);

  // The removed agency's key no longer counts, even with a voter beside it.
  BundleMaker removed = changed.Maker();
  removed.checkpoint_signers = {"ca-cbsa", "us-cbp"};
  CHECK(Refusal(removed.Make()).find("only 1 of 3 voters signed") != std::string::npos);
  // Without the links, the added key is nobody's.
  BundleMaker unlinked = changed.Maker();
  unlinked.voter_changes.clear();
  CHECK(Refusal(unlinked.Make()).find("not those its voter chain leads to") != std::string::npos);
  // A bundle claiming voters its chain does not lead to.
  Json claimed = changed.Maker().Make();
  claimed["voters"] = ledger::VotersJson(changed.four);
  CHECK(Refusal(claimed).find("not those its voter chain leads to") != std::string::npos);
  // A link signed by the newcomer and a single old voter: not a majority of
  // the voters before it.
  BundleMaker forged = changed.Maker();
  forged.voter_changes[0] = changed.Link(3, changed.four, {"us-cbp", "us-cbp-2"});
  CHECK(Refusal(forged.Make()).find("/voter_changes/0/note (block 3)") != std::string::npos);
  // Any byte of a link's note changed.
  Json good = changed.Maker().Make();
  EveryByteRefused(good["voter_changes"][1]["note"].get<std::string>(),
                   [&](const std::string& text) {
                     Json copy = good;
                     copy["voter_changes"][1]["note"] = text;
                     return copy;
                   });
  // The chain is not part of an older format.
  BundleMaker format3;
  format3.format_version = 3;
  Json older = format3.Make();
  older["voters"] = ledger::VotersJson(changed.genesis);
  CHECK(Refusal(older).find("/voters") != std::string::npos);
  // And a format 3 bundle (synced before the chain) still verifies, against
  // the genesis validators.
  auto v3 = VerifyTrustBundle(format3.Make(), GenesisHash());
  REQUIRE_MESSAGE(v3.ok(), v3.status().ToString());
  CHECK(v3->format_version == 3);
  CHECK(v3->voters.size() == 3);
}

TEST_CASE("a new checkpoint must be consistent with the stored one") {
  BundleMaker old_maker;
  old_maker.leaves = testing::FillerLeaves(5);
  BundleMaker new_maker;
  new_maker.leaves = testing::FillerLeaves(9);
  TrustBundle old_bundle = VerifyTrustBundle(old_maker.Make(), GenesisHash()).value();
  TrustBundle new_bundle = VerifyTrustBundle(new_maker.Make(), GenesisHash()).value();
  auto proof = crypto::ConsistencyProof(5, 9, testing::PerfectOf(new_maker.leaves));
  REQUIRE(proof.ok());
  CHECK(CheckBundleConsistency(old_bundle, new_bundle, *proof).ok());
  CHECK(CheckBundleConsistency(old_bundle, old_bundle, {}).ok());

  // A fork: the same size 9, but leaf 3 rewritten. Validly signed by all, and
  // still refused, whatever proof the node offers.
  BundleMaker fork_maker;
  fork_maker.leaves = testing::FillerLeaves(9);
  fork_maker.leaves[3] = crypto::LeafHash(AsBytes(std::string("rewritten")));
  TrustBundle fork = VerifyTrustBundle(fork_maker.Make(), GenesisHash()).value();
  auto fork_proof = crypto::ConsistencyProof(5, 9, testing::PerfectOf(fork_maker.leaves));
  REQUIRE(fork_proof.ok());
  Status forked = CheckBundleConsistency(old_bundle, fork, *fork_proof);
  CHECK(forked.message().find("forked or rewritten") != std::string::npos);
  CHECK_FALSE(CheckBundleConsistency(old_bundle, fork, *proof).ok());
  // Going back in time is refused too.
  CHECK(CheckBundleConsistency(new_bundle, old_bundle, {}).message().find("older") !=
        std::string::npos);
}

TEST_CASE("the consistency answer is checked for the sizes asked") {
  Json answer = {
      {"first", 5}, {"second", 9}, {"proof", Json::array({Base64Encode(crypto::Hash{})})}};
  auto proof = ParseConsistencyAnswer(answer, 5, 9);
  REQUIRE(proof.ok());
  CHECK(proof->size() == 1);
  CHECK_FALSE(ParseConsistencyAnswer(answer, 4, 9).ok());
  answer["proof"] = Json::array({"not base64"});
  CHECK_FALSE(ParseConsistencyAnswer(answer, 5, 9).ok());
}

TEST_CASE("a stored bundle is re-verified when loaded; an edited one is refused") {
  testing::TempDir dir;
  std::string path = dir.Sub("sub/trust.json");
  TrustBundle bundle = VerifyTrustBundle(BundleMaker().Make(), GenesisHash()).value();
  REQUIRE(WriteTrustFile(path, bundle, "2027-06-01T09:00:00Z").ok());
  auto loaded = LoadTrustFile(path, GenesisHash());
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  CHECK(loaded->synced_at == "2027-06-01T09:00:00Z");
  CHECK(loaded->tree_size == 6);
  std::string shown = RenderTrustBundle(*loaded, loaded->synced_at_millis + 3 * 3600 * 1000);
  CHECK(shown.find("(3 h ago, by a quorum of the voters; maximum age 7 d)") != std::string::npos);
  CHECK(shown.find("synced       2027-06-01T09:00:00Z (as this file says; not signed)") !=
        std::string::npos);
  // Replacing is allowed (and atomic); the newer bundle wins.
  REQUIRE(WriteTrustFile(path, bundle, "2027-06-02T09:00:00Z").ok());
  CHECK(LoadTrustFile(path, GenesisHash())->synced_at == "2027-06-02T09:00:00Z");

  std::string text = ReadTextFile(path).value();
  size_t at = text.find("\"mx-anam\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 9, "\"mx-anan\"");
  std::string edited = dir.Sub("edited.json");
  REQUIRE(WriteNewFile(edited, text, 0600).ok());
  auto refused = LoadTrustFile(edited, GenesisHash());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().ToString().find("hashes to") != std::string::npos);
  CHECK(LoadTrustFile(dir.Sub("missing.json"), GenesisHash()).status().IsNotFound());
}

// The freshness of offline verification (docs/cli.md#offline-freshness).

TrustBundle Verified(const BundleMaker& maker) {
  auto bundle = VerifyTrustBundle(maker.Make(), ledger::ParseGenesis(maker.genesis).value().hash);
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
  return *bundle;
}

// Writes `maker`'s bundle as a file, bypassing WriteTrustFile: what copying
// a file over the stored one does.
void CopyOver(const std::string& path, const BundleMaker& maker, const std::string& synced_at) {
  Json document = maker.Make();
  document["synced_at"] = synced_at;
  std::ofstream(path, std::ios::trunc) << document.dump(2) << "\n";
}

TEST_CASE("an older bundle copied over a newer one is refused at load, naming both sizes") {
  testing::TempDir dir;
  const std::string path = dir.Sub("trust.json");
  BundleMaker newer;
  newer.leaves = testing::FillerLeaves(9);
  BundleMaker older;
  older.leaves = testing::FillerLeaves(5);
  older.checkpoint_cosigned_at = older.revocations_cosigned_at =
      testing::kFixtureCosignedAt - 86400;
  REQUIRE(WriteTrustFile(path, Verified(newer), "2027-06-01T09:00:00Z").ok());
  REQUIRE(LoadTrustFile(path, GenesisHash()).ok());
  // The state file beside it remembers the newest checkpoint.
  auto seen = ReadSeenCheckpoint(SeenCheckpointPath(path), GenesisHash());
  REQUIRE(seen.ok());
  REQUIRE(seen->has_value());
  CHECK((*seen)->tree_size == 9);
  CHECK((*seen)->signed_time == testing::kFixtureCosignedAt);

  // Whatever the file says (a later synced_at), the older checkpoint is refused.
  CopyOver(path, older, "2027-06-05T09:00:00Z");
  auto refused = LoadTrustFile(path, GenesisHash());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsFailedPrecondition());
  CHECK(refused.status().message().find("tree size 5") != std::string::npos);
  CHECK(refused.status().message().find("tree size 9") != std::string::npos);
  // `trust sync` cannot store it either.
  CHECK(WriteTrustFile(path, Verified(older), "2027-06-05T09:00:00Z").IsFailedPrecondition());
  // The memory is per network: another genesis's bundle is not compared.
  auto other = ReadSeenCheckpoint(SeenCheckpointPath(path), crypto::Hash{});
  REQUIRE(other.ok());
  CHECK_FALSE(other->has_value());

  // A newer one is taken and remembered.
  BundleMaker newest;
  newest.leaves = testing::FillerLeaves(12);
  CopyOver(path, newest, "2027-06-01T09:00:00Z");
  REQUIRE(LoadTrustFile(path, GenesisHash()).ok());
  CHECK(ReadSeenCheckpoint(SeenCheckpointPath(path), GenesisHash())->value().tree_size == 12);
  CopyOver(path, newer, "2027-06-01T09:00:00Z");
  CHECK(LoadTrustFile(path, GenesisHash()).status().message().find("tree size 12") !=
        std::string::npos);
}

TEST_CASE("a checkpoint of the size seen but another root is refused as a fork") {
  testing::TempDir dir;
  const std::string path = dir.Sub("trust.json");
  BundleMaker seen;
  seen.leaves = testing::FillerLeaves(9);
  REQUIRE(WriteTrustFile(path, Verified(seen), "2027-06-01T09:00:00Z").ok());
  BundleMaker fork;
  fork.leaves = testing::FillerLeaves(9, "fork ");
  CopyOver(path, fork, "2027-06-01T09:00:00Z");
  auto refused = LoadTrustFile(path, GenesisHash());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("forked") != std::string::npos);
}

TEST_CASE("a state file that is not one is refused, not ignored") {
  testing::TempDir dir;
  const std::string path = dir.Sub("trust.json");
  REQUIRE(WriteTrustFile(path, Verified(BundleMaker()), "2027-06-01T09:00:00Z").ok());
  std::ofstream(SeenCheckpointPath(path), std::ios::trunc) << "{\"format\": \"other\"}";
  auto refused = LoadTrustFile(path, GenesisHash());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("not a trust state file") != std::string::npos);
}

TEST_CASE("the bundle's age is what a quorum of co-signatures vouches for") {
  using crypto::VerifiedSignature;
  CHECK(QuorumSignedTime({{"a", 100}, {"b", 300}, {"c", 200}}, 2) == std::optional<uint64_t>(200));
  // One validator with a clock far ahead cannot make the bundle look fresh.
  CHECK(QuorumSignedTime({{"a", 100}, {"b", 9'000'000'000}, {"c", 90}}, 2) ==
        std::optional<uint64_t>(100));
  CHECK(QuorumSignedTime({{"a", std::nullopt}, {"b", 300}, {"c", 200}}, 2) ==
        std::optional<uint64_t>(200));
  CHECK_FALSE(QuorumSignedTime({{"a", std::nullopt}, {"b", 300}, {"c", std::nullopt}}, 2));

  // The bundle is as fresh as its older note.
  BundleMaker maker;
  maker.revocations_cosigned_at = testing::kFixtureCosignedAt - 3600;
  CHECK(Verified(maker).signed_time == testing::kFixtureCosignedAt - 3600);
  // Plain signatures (a bundle from before timestamped co-signatures): the
  // age is unknown, so it is stale.
  BundleMaker plain;
  plain.checkpoint_cosigned_at = std::nullopt;
  TrustBundle untimed = Verified(plain);
  CHECK_FALSE(untimed.signed_time.has_value());
  BundleAge age = CheckBundleAge(untimed, testing::kTestNow);
  CHECK(age.stale);
  CHECK(age.reason.find("no signed time") != std::string::npos);
}

TEST_CASE("stale is older than the genesis's max_bundle_age, by the signed time alone") {
  const int64_t signed_millis = static_cast<int64_t>(testing::kFixtureCosignedAt) * 1000;
  TrustBundle bundle = Verified(BundleMaker());
  CHECK(bundle.genesis.MaxBundleAgeSeconds() == 7 * 24 * 3600);
  CHECK_FALSE(CheckBundleAge(bundle, signed_millis + 7 * 86'400'000LL).stale);
  BundleAge stale = CheckBundleAge(bundle, signed_millis + 7 * 86'400'000LL + 1000);
  CHECK(stale.stale);
  CHECK(stale.reason.find("7 d ago") != std::string::npos);
  // A genesis with its own maximum.
  BundleMaker strict;
  strict.genesis["max_bundle_age_seconds"] = 3600;
  TrustBundle strict_bundle = Verified(strict);
  CHECK(CheckBundleAge(strict_bundle, signed_millis + 2 * 3'600'000).stale);
  CHECK_FALSE(CheckBundleAge(strict_bundle, signed_millis + 1'800'000).stale);
  // A time ahead of the verifier's clock is not stale (age 0).
  CHECK(CheckBundleAge(bundle, signed_millis - 60'000).age_millis == 0);
}

TEST_CASE("synced_at is information only: editing it changes nothing") {
  testing::TempDir dir;
  const std::string path = dir.Sub("trust.json");
  // Signatures made 3 h before testing::kTestNow; the file claims a sync 64 days ago.
  CopyOver(path, BundleMaker(), "2027-03-29T12:00:00Z");
  auto loaded = LoadTrustFile(path, GenesisHash());
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  BundleAge age = CheckBundleAge(*loaded, testing::kTestNow);
  CHECK_FALSE(age.stale);
  CHECK(age.age_millis == 3 * 3'600'000);
  CHECK(RenderTrustBundle(*loaded, testing::kTestNow).find("(3 h ago, by a quorum") !=
        std::string::npos);
  // Nor does a missing or mangled one; and a bundle co-signed 64 days ago is
  // stale whatever its synced_at claims.
  CopyOver(path, BundleMaker(), "yesterday");
  REQUIRE(LoadTrustFile(path, GenesisHash()).ok());
  BundleMaker old;
  old.checkpoint_cosigned_at = old.revocations_cosigned_at =
      testing::kFixtureCosignedAt - 64 * 86400;
  TrustBundle old_bundle = Verified(old);
  old_bundle.synced_at = "2027-06-01T11:00:00Z";
  old_bundle.synced_at_millis = testing::kTestNow - 3'600'000;
  CHECK(CheckBundleAge(old_bundle, testing::kTestNow).stale);
  CHECK(RenderTrustBundle(old_bundle, testing::kTestNow).find("STALE") != std::string::npos);
}

// Found while writing tests/fuzz/trust_bundle_fuzz: the file was read up to
// 256 MiB but parsed with ParseJson's default limit of 1 MiB, so a bundle of
// more than some 7,000 revocations could be synced and never loaded.
TEST_CASE("a stored bundle larger than 1 MiB loads") {
  BundleMaker maker;
  for (int i = 0; i < 12000; ++i) {
    maker.revocations.push_back(
        {"urn:uuid:00000000-0000-4000-8000-" + std::to_string(100000000000 + i),
         "https://id.gs1.org/01/07501234000017/21/S" + std::to_string(i),
         static_cast<uint64_t>(i % 5), "recalled"});
  }
  TrustBundle bundle = VerifyTrustBundle(maker.Make(), GenesisHash()).value();
  testing::TempDir dir;
  std::string path = dir.Sub("trust.json");
  REQUIRE(WriteTrustFile(path, bundle, "2027-06-01T09:00:00Z").ok());
  REQUIRE(ReadTextFile(path).value().size() > (size_t{1} << 20));
  auto loaded = LoadTrustFile(path, GenesisHash());
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  CHECK(loaded->revocations.size() == 12000);
}

TEST_CASE("ages read in the largest whole unit") {
  CHECK(DescribeAge(-5) == "0 s");
  CHECK(DescribeAge(42'000) == "42 s");
  CHECK(DescribeAge(3 * 60'000 + 5) == "3 min");
  CHECK(DescribeAge(3 * 3'600'000 + 59 * 60'000) == "3 h");
  CHECK(DescribeAge(50 * 3'600'000LL) == "2 d");
}

}  // namespace
}  // namespace frontera::tools
