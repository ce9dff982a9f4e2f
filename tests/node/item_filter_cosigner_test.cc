// Co-signing the item filter note (docs/formats.md §16): a note is handed
// out only once a majority of its voters signed this node's own note of the
// same tree size; a signature over another filter is refused and never
// counted.
#include "node/item_filter_cosigner.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/ed25519.h"
#include "crypto/signed_note.h"
#include "ledger/item_filter.h"

namespace frontera::node {
namespace {

[[maybe_unused]] const bool kCryptoReady = (crypto::InitCrypto(), true);

constexpr char kNetwork[] = "frontera.test/filter";

crypto::KeyPair KeyFromSeedByte(uint8_t byte) {
  crypto::Seed seed;
  seed.fill(byte);
  return crypto::KeyPair::FromSeed(seed);
}

struct Three {
  crypto::KeyPair us = KeyFromSeedByte(0x11);
  crypto::KeyPair mx = KeyFromSeedByte(0x22);
  crypto::KeyPair ca = KeyFromSeedByte(0x33);
  ledger::Voters voters;
  FakeClock clock{1'811'840'400'000};
  Three() {
    voters = {{"us-cbp", "", us.public_key(), "", ""},
              {"mx-anam", "", mx.public_key(), "", ""},
              {"ca-cbsa", "", ca.public_key(), "", ""}};
  }
  ItemFilterCosigner Make(const std::string& name, const crypto::KeyPair& key) {
    return ItemFilterCosigner(kNetwork, name, &key, voters, 4, &clock);
  }
};

ledger::ItemFilter Filter(std::vector<uint64_t> keys) {
  auto f = ledger::ItemFilter::Build(std::move(keys));
  REQUIRE(f.ok());
  return std::move(f).value();
}

TEST_CASE("a filter note is published once a majority signed the same note") {
  Three t;
  ItemFilterCosigner us = t.Make("us-cbp", t.us);
  ItemFilterCosigner mx = t.Make("mx-anam", t.mx);
  const ledger::ItemFilter filter = Filter({1, 2, 3});
  const std::string encoded = filter.Encode();
  auto own_us = us.AddOwn(7, filter, encoded, t.voters);
  REQUIRE(own_us);
  CHECK_FALSE(us.Latest());  // one of three signed
  CHECK(us.OwnUnfinished().has_value());
  // mx's signature arrives before us built nothing else: checked on arrival.
  auto own_mx = mx.AddOwn(7, filter, encoded, t.voters);
  REQUIRE(own_mx);
  REQUIRE(us.AddPeer(*own_mx).ok());
  auto latest = us.Latest();
  REQUIRE(latest);
  CHECK(latest->tree_size == 7);
  CHECK(latest->item_count == 3);
  CHECK(*latest->filter_base64 == Base64Encode(AsBytes(encoded)));
  CHECK_FALSE(us.OwnUnfinished());

  // The note verifies with the voters' keys and names the filter's hash.
  auto note = crypto::ParseNote(latest->note);
  REQUIRE(note.ok());
  auto body = ledger::ParseItemFilterNoteText(note->text, kNetwork);
  REQUIRE(body.ok());
  CHECK(body->sha256 == crypto::Sha256(AsBytes(encoded)));
  std::vector<crypto::NoteVerifier> verifiers;
  for (const auto& v : t.voters) verifiers.push_back({v.name, v.public_key});
  CHECK(crypto::VerifiedCosigners(*note, verifiers).size() == 2);
}

TEST_CASE("signatures that arrive before this node built are checked once it has") {
  Three t;
  ItemFilterCosigner us = t.Make("us-cbp", t.us);
  ItemFilterCosigner ca = t.Make("ca-cbsa", t.ca);
  const ledger::ItemFilter filter = Filter({10, 20});
  const std::string encoded = filter.Encode();
  auto own_ca = ca.AddOwn(5, filter, encoded, t.voters);
  REQUIRE(own_ca);
  REQUIRE(us.AddPeer(*own_ca).ok());  // kept, unverified
  CHECK_FALSE(us.Latest());
  REQUIRE(us.AddOwn(5, filter, encoded, t.voters));
  REQUIRE(us.Latest());
  CHECK(us.Latest()->tree_size == 5);
  // Older tree sizes are superseded and ignored.
  CHECK(us.AddPeer(*own_ca).ok());
  CHECK_FALSE(us.AddOwn(4, filter, encoded, t.voters));
}

TEST_CASE("a signature over another filter, or by a non-voter, is refused and not counted") {
  Three t;
  ItemFilterCosigner us = t.Make("us-cbp", t.us);
  ItemFilterCosigner mx = t.Make("mx-anam", t.mx);
  const ledger::ItemFilter honest = Filter({1, 2, 3});
  const ledger::ItemFilter other = Filter({1, 2, 3, 4});  // one item more: another hash
  REQUIRE(us.AddOwn(9, honest, honest.Encode(), t.voters));
  auto own_mx = mx.AddOwn(9, other, other.Encode(), t.voters);
  REQUIRE(own_mx);
  Status s = us.AddPeer(*own_mx);
  CHECK(s.IsInvalidArgument());
  CHECK_FALSE(us.Latest());

  ItemFilterSignature stranger = *own_mx;
  stranger.signer = "xx-nobody";
  CHECK(us.AddPeer(stranger).IsPermissionDenied());
  ItemFilterSignature self = *own_mx;
  self.signer = "us-cbp";
  CHECK(us.AddPeer(self).IsPermissionDenied());
  CHECK_FALSE(us.Latest());
}

TEST_CASE("an item filter signature encodes and decodes; malformed bytes are refused") {
  ItemFilterSignature m{123, "mx-anam", 1'811'840'400, {}};
  m.signature.fill(0xab);
  const std::string bytes = EncodeItemFilterSignature(m);
  auto back = DecodeItemFilterSignature(bytes);
  REQUIRE(back.ok());
  CHECK(back->tree_size == 123);
  CHECK(back->signer == "mx-anam");
  CHECK(back->signed_at == 1'811'840'400);
  CHECK(back->signature == m.signature);
  CHECK_FALSE(DecodeItemFilterSignature(bytes.substr(0, bytes.size() - 1)).ok());
  CHECK_FALSE(DecodeItemFilterSignature(bytes + "x").ok());
  std::string version = bytes;
  version[0] = 2;
  CHECK_FALSE(DecodeItemFilterSignature(version).ok());
  CHECK_FALSE(DecodeItemFilterSignature("").ok());
}

}  // namespace
}  // namespace frontera::node
