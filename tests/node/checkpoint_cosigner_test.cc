// Checkpoint co-signing among validators (docs/consensus.md#checkpoint-co-signing):
// a note is handed out only once the block's voters (a majority of them, and
// of those before when the block changed them) signed this node's own bodies;
// anything else is refused or never counted.
#include "node/checkpoint_cosigner.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "crypto/signed_note.h"
#include "ledger/genesis.h"
#include "ledger/voter_chain.h"
#include "node/state_note.h"

namespace frontera::node {
namespace {

[[maybe_unused]] const bool kCryptoReady = (crypto::InitCrypto(), true);

constexpr char kNetwork[] = "frontera.test/cosign";

crypto::KeyPair KeyFromSeedByte(uint8_t byte) {
  crypto::Seed seed;
  seed.fill(byte);
  return crypto::KeyPair::FromSeed(seed);
}

ledger::Validator MakeValidator(const std::string& name, const crypto::KeyPair& key) {
  ledger::Validator v;
  v.name = name;
  v.public_key = key.public_key();
  return v;
}

// Three validators in genesis order us-cbp, mx-anam, ca-cbsa (Quorum() == 2),
// with keys from fixed seeds.
struct ThreeValidators {
  crypto::KeyPair us = KeyFromSeedByte(0x11);
  crypto::KeyPair mx = KeyFromSeedByte(0x22);
  crypto::KeyPair ca = KeyFromSeedByte(0x33);
  ledger::Genesis genesis;

  ThreeValidators() {
    genesis.network = kNetwork;
    genesis.validators = {MakeValidator("us-cbp", us), MakeValidator("mx-anam", mx),
                          MakeValidator("ca-cbsa", ca)};
  }

  const crypto::KeyPair* Key(const std::string& name) const {
    if (name == "us-cbp") return &us;
    if (name == "mx-anam") return &mx;
    return &ca;
  }
};

// The checkpoint body of block `height` as every validator computes it; a
// different `salt` gives the body of a diverging ledger.
std::string CheckpointBody(uint64_t height, const std::string& salt = "") {
  crypto::Checkpoint c;
  c.origin = kNetwork;
  c.tree_size = height * 3;
  c.root = crypto::Sha256("root of block " + std::to_string(height) + salt);
  return crypto::FormatCheckpointBody(c);
}

// Heights kept above the applied one in most tests (the window test sets its own).
constexpr uint64_t kWindow = 1000;
// The applied height passed with peers' messages in most tests.
constexpr uint64_t kApplied = 100;

std::string StateBody(uint64_t height, const std::string& salt = "") {
  StateNoteBody b;
  b.origin = std::string(kNetwork) + "/state";
  b.height = height;
  b.log_index = height + 2;
  b.log_term = 1;
  b.block_hash = crypto::Sha256("block " + std::to_string(height));
  b.tree_size = height * 3;
  b.log_root = crypto::Sha256("root of block " + std::to_string(height));
  b.state_root = crypto::Sha256("state of block " + std::to_string(height) + salt);
  return FormatStateNoteBody(b);
}

std::string RevocationsBody(uint64_t height, const std::string& salt = "") {
  return std::string(kNetwork) + " revocations\n" + std::to_string(height * 3) + "\n" +
         Base64Encode(crypto::Sha256("revocations of block " + std::to_string(height) + salt)) +
         "\n";
}

// The quorum of a block that changed nothing: a majority of the genesis
// validators.
ledger::NoteQuorum Unchanged(const ledger::Genesis& genesis) {
  return {genesis.validators, genesis.validators};
}

// A state note's body once its signatures met the genesis validators' quorum.
Result<StateNoteBody> VerifyState(const std::string& note, const ledger::Genesis& genesis) {
  FRONTERA_ASSIGN_OR_RETURN(ParsedStateNote parsed, ParseStateNote(note, genesis.network));
  FRONTERA_RETURN_IF_ERROR(ledger::VerifyNoteQuorum(parsed.note, Unchanged(genesis)).status());
  return parsed.body;
}

// The message validator `name` sends after applying block `height`, made by
// its own cosigner (as the peer would).
CosignMessage PeerMessage(const ThreeValidators& net, const std::string& name, uint64_t height,
                          const std::string& checkpoint_salt = "",
                          const std::string& revocations_salt = "",
                          const std::string& state_salt = "") {
  CheckpointCosigner peer(net.genesis, name, net.Key(name), 16, kWindow);
  return peer
      .SignApplied(height, height * 3, CheckpointBody(height, checkpoint_salt),
                   RevocationsBody(height, revocations_salt), StateBody(height, state_salt),
                   Unchanged(net.genesis))
      .value();
}

// Applies block `height` on `cosigner` with the common bodies.
CosignMessage Apply(CheckpointCosigner& cosigner, uint64_t height, const ledger::Genesis& genesis) {
  return cosigner
      .SignApplied(height, height * 3, CheckpointBody(height), RevocationsBody(height),
                   StateBody(height), Unchanged(genesis))
      .value();
}

// The names whose valid signature is on `note`, in genesis order, and the
// names on its signature lines in the order they appear.
struct NoteSigners {
  std::vector<std::string> verified;
  std::vector<std::string> lines;
  std::string text;
};

NoteSigners SignersOf(const std::string& encoded, const ledger::Genesis& genesis) {
  auto note = crypto::ParseNote(encoded);
  REQUIRE_MESSAGE(note.ok(), note.status().ToString());
  NoteSigners out;
  out.verified = crypto::VerifiedSigners(*note, genesis.NoteVerifiers());
  for (const crypto::NoteSignature& s : note->signatures) out.lines.push_back(s.name);
  out.text = note->text;
  return out;
}

using Names = std::vector<std::string>;

TEST_CASE("the node's own signature is sent to peers and is not a quorum of three") {
  ThreeValidators net;
  REQUIRE(net.genesis.Quorum() == 2);
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  CosignMessage own = Apply(cosigner, 1, net.genesis);
  CHECK(own.height == 1);
  CHECK(own.signer == "us-cbp");
  // tlog-cosignatures: over "cosignature/v1\ntime <signed_at>\n" and the body.
  CHECK(crypto::Verify(net.us.public_key(),
                       crypto::CosignatureMessage(own.signed_at, CheckpointBody(1)),
                       own.checkpoint_signature));
  CHECK(crypto::Verify(net.us.public_key(),
                       crypto::CosignatureMessage(own.signed_at, RevocationsBody(1)),
                       own.revocations_signature));
  CHECK_FALSE(crypto::Verify(net.us.public_key(), CheckpointBody(1), own.checkpoint_signature));
  CHECK_FALSE(cosigner.TakeCosigned().has_value());
}

TEST_CASE("own and one peer signature give notes signed by exactly those two, in genesis order") {
  ThreeValidators net;
  // This node is last in genesis and the peer first: the notes must follow
  // genesis order, not arrival order.
  CheckpointCosigner cosigner(net.genesis, "ca-cbsa", &net.ca, 8, kWindow);
  Apply(cosigner, 7, net.genesis);
  Status s = cosigner.AddPeerSignatures(PeerMessage(net, "us-cbp", 7), kApplied);
  REQUIRE_MESSAGE(s.ok(), s.ToString());

  auto cosigned = cosigner.TakeCosigned();
  REQUIRE(cosigned.has_value());
  CHECK(cosigned->height == 7);
  CHECK(cosigned->tree_size == 21);

  NoteSigners checkpoint = SignersOf(cosigned->checkpoint_note, net.genesis);
  CHECK(checkpoint.text == CheckpointBody(7));
  CHECK(checkpoint.verified == Names{"us-cbp", "ca-cbsa"});
  CHECK(checkpoint.lines == Names{"us-cbp", "ca-cbsa"});

  NoteSigners revocations = SignersOf(cosigned->revocations_note, net.genesis);
  CHECK(revocations.text == RevocationsBody(7));
  CHECK(revocations.verified == Names{"us-cbp", "ca-cbsa"});
  CHECK(revocations.lines == Names{"us-cbp", "ca-cbsa"});

  // The checkpoint note is a valid tlog-checkpoint of this block.
  auto body = crypto::ParseCheckpointBody(checkpoint.text);
  REQUIRE(body.ok());
  CHECK(body->origin == kNetwork);
  CHECK(body->tree_size == 21);
}

TEST_CASE("a repeated peer signature counts once; past a quorum, signatures are not checked") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "mx-anam", &net.mx, 8, kWindow);
  Apply(cosigner, 2, net.genesis);
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 2), kApplied).ok());
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 2), kApplied).ok());
  // The quorum (2 of 3) is there: a third signature costs no verification,
  // and is not counted even when it is bad.
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "us-cbp", 2, "diverged"), kApplied).ok());
  auto cosigned = cosigner.TakeCosigned();
  REQUIRE(cosigned.has_value());
  NoteSigners checkpoint = SignersOf(cosigned->checkpoint_note, net.genesis);
  CHECK(checkpoint.lines == Names{"mx-anam", "ca-cbsa"});
  CHECK(checkpoint.verified == Names{"mx-anam", "ca-cbsa"});
}

TEST_CASE("a peer signature over a different body is refused and not counted") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  Apply(cosigner, 4, net.genesis);

  SUBCASE("a different checkpoint body") {
    Status s = cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 4, "diverged"), kApplied);
    CHECK(s.IsInvalidArgument());
    CHECK(s.message().find("mx-anam") != std::string::npos);
  }
  SUBCASE("a different revocations body") {
    Status s = cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 4, "", "diverged"), kApplied);
    CHECK(s.IsInvalidArgument());
  }
  SUBCASE("the signatures of another block") {
    CosignMessage other = PeerMessage(net, "mx-anam", 3);
    other.height = 4;
    CHECK(cosigner.AddPeerSignatures(other, kApplied).IsInvalidArgument());
  }
  SUBCASE("another validator's signatures under this signer's name") {
    CosignMessage stolen = PeerMessage(net, "ca-cbsa", 4);
    stolen.signer = "mx-anam";
    CHECK(cosigner.AddPeerSignatures(stolen, kApplied).IsInvalidArgument());
  }
  CHECK_FALSE(cosigner.TakeCosigned().has_value());

  // The same peer's honest signature is still accepted afterwards.
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 4), kApplied).ok());
  auto cosigned = cosigner.TakeCosigned();
  REQUIRE(cosigned.has_value());
  CHECK(SignersOf(cosigned->checkpoint_note, net.genesis).verified == Names{"us-cbp", "mx-anam"});
}

TEST_CASE("a signer that is not a peer validator is refused") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  CosignMessage own = Apply(cosigner, 5, net.genesis);

  SUBCASE("this node itself") {
    Status s = cosigner.AddPeerSignatures(own, kApplied);
    CHECK(s.IsPermissionDenied());
    CHECK(s.message().find("us-cbp") != std::string::npos);
  }
  SUBCASE("a name not in genesis, with valid signatures of its own key") {
    crypto::KeyPair stranger = KeyFromSeedByte(0x44);
    CosignMessage m;
    m.height = 5;
    m.signer = "xx-stranger";
    m.checkpoint_signature = stranger.Sign(CheckpointBody(5));
    m.revocations_signature = stranger.Sign(RevocationsBody(5));
    Status s = cosigner.AddPeerSignatures(m, kApplied);
    CHECK(s.IsPermissionDenied());
    CHECK(s.message().find("xx-stranger") != std::string::npos);
  }
  SUBCASE("a stranger for a height not applied yet") {
    CosignMessage m = PeerMessage(net, "mx-anam", 6);
    m.signer = "";
    CHECK(cosigner.AddPeerSignatures(m, kApplied).IsPermissionDenied());
  }
  CHECK_FALSE(cosigner.TakeCosigned().has_value());
}

TEST_CASE("signatures that arrive before this node applied the block count once it applies") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);

  SUBCASE("a good early signature") {
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 9), kApplied).ok());
    // Kept but not a quorum: this node has not signed (or even seen) block 9.
    CHECK_FALSE(cosigner.TakeCosigned().has_value());
    Apply(cosigner, 9, net.genesis);
    auto cosigned = cosigner.TakeCosigned();
    REQUIRE(cosigned.has_value());
    CHECK(cosigned->height == 9);
    CHECK(SignersOf(cosigned->checkpoint_note, net.genesis).verified == Names{"us-cbp", "mx-anam"});
  }
  SUBCASE("a bad early signature is not counted, a good one beside it is") {
    // Accepted for now: it cannot be checked before this node has the bodies.
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 9, "diverged"), kApplied).ok());
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 9), kApplied).ok());
    Apply(cosigner, 9, net.genesis);
    auto cosigned = cosigner.TakeCosigned();
    REQUIRE(cosigned.has_value());
    NoteSigners checkpoint = SignersOf(cosigned->checkpoint_note, net.genesis);
    CHECK(checkpoint.lines == Names{"us-cbp", "mx-anam"});
    CHECK(SignersOf(cosigned->revocations_note, net.genesis).lines == Names{"us-cbp", "mx-anam"});
  }
  SUBCASE("only a bad early signature: no quorum") {
    CHECK(
        cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 9, "", "diverged"), kApplied).ok());
    Apply(cosigner, 9, net.genesis);
    CHECK_FALSE(cosigner.TakeCosigned().has_value());
    // The peer's honest signature, sent again, completes it.
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 9), kApplied).ok());
    CHECK(cosigner.TakeCosigned().has_value());
  }
  SUBCASE("a peer's later early message replaces its earlier one") {
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 9, "diverged"), kApplied).ok());
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 9), kApplied).ok());
    Apply(cosigner, 9, net.genesis);
    auto cosigned = cosigner.TakeCosigned();
    REQUIRE(cosigned.has_value());
    CHECK(SignersOf(cosigned->checkpoint_note, net.genesis).verified == Names{"us-cbp", "mx-anam"});
  }
}

TEST_CASE("TakeCosigned hands out the highest quorate block, then never an older one") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  for (uint64_t h = 1; h <= 3; ++h) Apply(cosigner, h, net.genesis);
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 1), kApplied).ok());
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 2), kApplied).ok());
  // Block 3 has only this node's signature.

  auto first = cosigner.TakeCosigned();
  REQUIRE(first.has_value());
  CHECK(first->height == 2);
  CHECK(first->tree_size == 6);
  CHECK(SignersOf(first->checkpoint_note, net.genesis).text == CheckpointBody(2));
  CHECK(SignersOf(first->checkpoint_note, net.genesis).verified == Names{"us-cbp", "ca-cbsa"});

  // Block 1 was quorate too but is older than what was handed out.
  CHECK_FALSE(cosigner.TakeCosigned().has_value());

  // Block 3, still pending, completes later.
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 3), kApplied).ok());
  auto second = cosigner.TakeCosigned();
  REQUIRE(second.has_value());
  CHECK(second->height == 3);
  CHECK_FALSE(cosigner.TakeCosigned().has_value());
}

TEST_CASE("heights at or below the last taken are ignored") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  Apply(cosigner, 5, net.genesis);
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 5), kApplied).ok());
  REQUIRE(cosigner.TakeCosigned().has_value());

  // Late signatures for published or older blocks, good or bad, are dropped
  // without an error (peers send them in good faith).
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 5), kApplied).ok());
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 5, "diverged"), kApplied).ok());
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 4), kApplied).ok());
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 4), kApplied).ok());
  CHECK_FALSE(cosigner.TakeCosigned().has_value());

  // Signing an old height again (a replay after restart) publishes nothing.
  CosignMessage again = Apply(cosigner, 4, net.genesis);
  CHECK(again.signer == "us-cbp");
  CHECK(crypto::Verify(net.us.public_key(),
                       crypto::CosignatureMessage(again.signed_at, CheckpointBody(4)),
                       again.checkpoint_signature));
  CHECK_FALSE(cosigner.TakeCosigned().has_value());

  // Newer blocks still work.
  Apply(cosigner, 6, net.genesis);
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 6), kApplied).ok());
  auto next = cosigner.TakeCosigned();
  REQUIRE(next.has_value());
  CHECK(next->height == 6);
}

TEST_CASE("more than pending_heights_max blocks waiting keeps the newest") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 2, kWindow);

  SUBCASE("applied blocks") {
    for (uint64_t h = 1; h <= 3; ++h) Apply(cosigner, h, net.genesis);
    // Block 1 was dropped: its peer signature cannot complete it.
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 1), kApplied).ok());
    CHECK_FALSE(cosigner.TakeCosigned().has_value());
    // Blocks 2 and 3 were kept.
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 2), kApplied).ok());
    auto two = cosigner.TakeCosigned();
    REQUIRE(two.has_value());
    CHECK(two->height == 2);
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 3), kApplied).ok());
    auto three = cosigner.TakeCosigned();
    REQUIRE(three.has_value());
    CHECK(three->height == 3);
  }
  SUBCASE("signatures for blocks not applied yet") {
    for (uint64_t h = 1; h <= 4; ++h) {
      CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", h), kApplied).ok());
    }
    // Block 2 applied now is older than the two waiting: it is dropped with
    // its early signature.
    Apply(cosigner, 2, net.genesis);
    CHECK_FALSE(cosigner.TakeCosigned().has_value());
    // 3 and 4 are the newest two: their early signatures were kept.
    Apply(cosigner, 3, net.genesis);
    auto three = cosigner.TakeCosigned();
    REQUIRE(three.has_value());
    CHECK(three->height == 3);
    Apply(cosigner, 4, net.genesis);
    auto four = cosigner.TakeCosigned();
    REQUIRE(four.has_value());
    CHECK(four->height == 4);
  }
}

TEST_CASE("height 0, the empty tree, is co-signed like any other") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "mx-anam", &net.mx, 4, kWindow);
  crypto::Checkpoint empty;
  empty.origin = kNetwork;
  empty.tree_size = 0;
  empty.root = crypto::Sha256(std::string_view());  // RFC 9162 §2.1.1: MTH({}) = SHA-256()
  const std::string body = crypto::FormatCheckpointBody(empty);
  const std::string revocations = std::string(kNetwork) + " revocations\n0\n";
  cosigner.SignApplied(0, 0, body, revocations, StateBody(0), Unchanged(net.genesis));

  CheckpointCosigner peer(net.genesis, "us-cbp", &net.us, 4, kWindow);
  CHECK(cosigner
            .AddPeerSignatures(
                *peer.SignApplied(0, 0, body, revocations, StateBody(0), Unchanged(net.genesis)),
                kApplied)
            .ok());
  auto cosigned = cosigner.TakeCosigned();
  REQUIRE(cosigned.has_value());
  CHECK(cosigned->height == 0);
  CHECK(cosigned->tree_size == 0);
  NoteSigners note = SignersOf(cosigned->checkpoint_note, net.genesis);
  CHECK(note.text == body);
  CHECK(note.verified == Names{"us-cbp", "mx-anam"});
  CHECK_FALSE(cosigner.TakeCosigned().has_value());

  // Block 1 follows.
  Apply(cosigner, 1, net.genesis);
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 1), kApplied).ok());
  auto one = cosigner.TakeCosigned();
  REQUIRE(one.has_value());
  CHECK(one->height == 1);
}

TEST_CASE("a single validator's own signature is a quorum") {
  crypto::KeyPair key = KeyFromSeedByte(0x55);
  ledger::Genesis genesis;
  genesis.network = kNetwork;
  genesis.validators = {MakeValidator("us-cbp", key)};
  REQUIRE(genesis.Quorum() == 1);
  CheckpointCosigner cosigner(genesis, "us-cbp", &key, 4, kWindow);
  CosignMessage own = *cosigner.SignApplied(3, 9, CheckpointBody(3), RevocationsBody(3),
                                            StateBody(3), Unchanged(genesis));
  CHECK(cosigner.AddPeerSignatures(own, kApplied).IsPermissionDenied());

  auto cosigned = cosigner.TakeCosigned();
  REQUIRE(cosigned.has_value());
  CHECK(cosigned->height == 3);
  CHECK(cosigned->tree_size == 9);
  CHECK(SignersOf(cosigned->checkpoint_note, genesis).verified == Names{"us-cbp"});
  CHECK(SignersOf(cosigned->revocations_note, genesis).verified == Names{"us-cbp"});
}

TEST_CASE("EncodeCosign and DecodeCosign round trip") {
  ThreeValidators net;
  CosignMessage m = PeerMessage(net, "mx-anam", 0x0102030405060708ULL);
  auto decoded = DecodeCosign(EncodeCosign(m));
  REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
  CHECK(decoded->height == m.height);
  CHECK(decoded->signer == "mx-anam");
  CHECK(decoded->checkpoint_signature == m.checkpoint_signature);
  CHECK(decoded->revocations_signature == m.revocations_signature);

  // A decoded message is accepted by a cosigner that applied the block.
  ThreeValidators again;
  CheckpointCosigner cosigner(again.genesis, "us-cbp", &again.us, 4, kWindow);
  Apply(cosigner, 2, net.genesis);
  auto wire = DecodeCosign(EncodeCosign(PeerMessage(net, "ca-cbsa", 2)));
  REQUIRE(wire.ok());
  CHECK(cosigner.AddPeerSignatures(*wire, kApplied).ok());
  CHECK(cosigner.TakeCosigned().has_value());

  // The largest height and a 255-byte name survive too.
  CosignMessage extreme;
  extreme.height = UINT64_MAX;
  extreme.signer = std::string(255, 'n');
  extreme.checkpoint_signature.fill(0xff);
  extreme.revocations_signature.fill(0x01);
  auto back = DecodeCosign(EncodeCosign(extreme));
  REQUIRE(back.ok());
  CHECK(back->height == UINT64_MAX);
  CHECK(back->signer == extreme.signer);
  CHECK(back->checkpoint_signature == extreme.checkpoint_signature);
  CHECK(back->revocations_signature == extreme.revocations_signature);
}

TEST_CASE("DecodeCosign refuses every truncation, a wrong length and a wrong version") {
  ThreeValidators net;
  const std::string wire = EncodeCosign(PeerMessage(net, "ca-cbsa", 12));
  REQUIRE(wire.size() == 1 + 8 + 1 + 7 + 8 + 192 + 2 + StateBody(12).size());
  for (size_t n = 0; n < wire.size(); ++n) {
    CAPTURE(n);
    auto decoded = DecodeCosign(std::string_view(wire).substr(0, n));
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().IsInvalidArgument());
  }
  CHECK(DecodeCosign(wire + '\0').status().IsInvalidArgument());
  CHECK(DecodeCosign(wire + wire).status().IsInvalidArgument());

  // The name length claims one byte more or less than the message holds.
  for (int delta : {-1, 1}) {
    std::string bad = wire;
    bad[9] = static_cast<char>(static_cast<uint8_t>(bad[9]) + delta);
    CHECK(DecodeCosign(bad).status().IsInvalidArgument());
  }
  // Versions 1 (before state notes) and 2 (before signed times) are refused
  // with the version this node speaks.
  for (uint8_t version : {0, 1, 2, 4, 255}) {
    std::string bad = wire;
    bad[0] = static_cast<char>(version);
    CAPTURE(static_cast<int>(version));
    CHECK(DecodeCosign(bad).status().IsInvalidArgument());
  }
  // A state body longer than the limit is refused before it is copied.
  CosignMessage long_body = PeerMessage(net, "ca-cbsa", 12);
  std::string bad = EncodeCosign(long_body);
  const size_t length_at = 1 + 8 + 1 + 7 + 8 + 192;
  bad[length_at] = static_cast<char>(0xff);
  CHECK(DecodeCosign(bad).status().message().find("longer than") != std::string::npos);
  // A signed time above 2^63 - 1 (tlog-cosignature's bound) is refused.
  std::string late = wire;
  late[1 + 8 + 1 + 7] = static_cast<char>(0x80);
  CHECK(DecodeCosign(late).status().message().find("2^63") != std::string::npos);
}

TEST_CASE("co-signatures carry the signer's clock as a tlog-cosignature time") {
  ThreeValidators net;
  FakeClock us_clock(1'800'000'000'123);
  FakeClock mx_clock(1'800'000'042'999);
  CheckpointCosigner us(net.genesis, "us-cbp", &net.us, 8, kWindow, &us_clock);
  CheckpointCosigner mx(net.genesis, "mx-anam", &net.mx, 8, kWindow, &mx_clock);
  CosignMessage own = Apply(us, 7, net.genesis);
  CHECK(own.signed_at == 1'800'000'000);
  CosignMessage peer = Apply(mx, 7, net.genesis);
  CHECK(peer.signed_at == 1'800'000'042);
  auto wire = DecodeCosign(EncodeCosign(peer));
  REQUIRE(wire.ok());
  CHECK(wire->signed_at == 1'800'000'042);
  // A peer message whose time was changed in transit does not verify.
  CosignMessage moved = peer;
  moved.signed_at += 1;
  CHECK(us.AddPeerSignatures(moved, kApplied).IsInvalidArgument());
  REQUIRE(us.AddPeerSignatures(*wire, kApplied).ok());
  auto cosigned = us.TakeCosigned();
  REQUIRE(cosigned.has_value());
  // Every note carries each signer's own time, in the cosignature/v1 form.
  for (const std::string* encoded :
       {&cosigned->checkpoint_note, &cosigned->revocations_note, &cosigned->state_note}) {
    auto note = crypto::ParseNote(*encoded);
    REQUIRE(note.ok());
    for (const crypto::NoteSignature& s : note->signatures) {
      const crypto::KeyPair* key = net.Key(s.name);
      CHECK(s.key_id == crypto::NoteKeyId(s.name, key->public_key(),
                                          crypto::NoteSignatureType::kCosignatureV1));
    }
    std::vector<crypto::VerifiedSignature> signed_by =
        crypto::VerifiedCosigners(*note, net.genesis.NoteVerifiers());
    REQUIRE(signed_by.size() == 2);
    CHECK(signed_by[0].name == "us-cbp");
    CHECK(signed_by[0].time == std::optional<uint64_t>(1'800'000'000));
    CHECK(signed_by[1].name == "mx-anam");
    CHECK(signed_by[1].time == std::optional<uint64_t>(1'800'000'042));
  }
}

}  // namespace
}  // namespace frontera::node

namespace frontera::node {
namespace {

TEST_CASE(
    "co-signatures far above the applied height are refused, so they cannot evict real ones") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, /*window_heights=*/4);
  // A hostile peer floods heights beyond the window: refused, nothing kept.
  for (uint64_t h = 100; h < 5000; ++h) {
    CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", h), /*applied_height=*/10)
              .IsResourceExhausted());
  }
  // Real signatures for the next block still arrive and count.
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 11), 10).ok());
  Apply(cosigner, 11, net.genesis);
  auto cosigned = cosigner.TakeCosigned();
  REQUIRE(cosigned.has_value());
  CHECK(cosigned->height == 11);
}

TEST_CASE("the state note is co-signed with the checkpoint and verifies against genesis") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  Apply(cosigner, 5, net.genesis);
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 5), 5).ok());
  auto cosigned = cosigner.TakeCosigned();
  REQUIRE(cosigned.has_value());
  auto body = VerifyState(cosigned->state_note, net.genesis);
  REQUIRE_MESSAGE(body.ok(), body.status().ToString());
  CHECK(FormatStateNoteBody(*body) == StateBody(5));

  // One signature is not a majority.
  CheckpointCosigner alone(net.genesis, "mx-anam", &net.mx, 8, kWindow);
  auto own = *alone.SignApplied(5, 15, CheckpointBody(5), RevocationsBody(5), StateBody(5),
                                Unchanged(net.genesis));
  crypto::Note note;
  note.text = StateBody(5);
  note.signatures.push_back(
      {"mx-anam",
       crypto::NoteKeyId("mx-anam", net.mx.public_key(), crypto::NoteSignatureType::kCosignatureV1),
       own.state_signature, own.signed_at});
  REQUIRE(crypto::VerifiedSigners(note, net.genesis.NoteVerifiers()) == Names{"mx-anam"});
  CHECK(VerifyState(crypto::FormatNote(note), net.genesis).status().IsPermissionDenied());
  // A body changed after signing does not verify either.
  std::string forged = cosigned->state_note;
  forged[forged.find("/state\n") + 7] = '9';
  CHECK_FALSE(VerifyState(forged, net.genesis).ok());
}

TEST_CASE("a pinned height keeps its state note after newer checkpoints are taken") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  cosigner.Pin(3);
  Apply(cosigner, 3, net.genesis);
  Apply(cosigner, 4, net.genesis);
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 4), 4).ok());
  auto taken = cosigner.TakeCosigned();
  REQUIRE(taken.has_value());
  CHECK(taken->height == 4);
  CHECK(cosigner.TakePinnedStateNotes().empty());  // 3 has no quorum yet
  // The peer's signature for 3 arrives late: still counted, since 3 is pinned.
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 3), 4).ok());
  auto notes = cosigner.TakePinnedStateNotes();
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].first == 3);
  auto body = VerifyState(notes[0].second, net.genesis);
  REQUIRE(body.ok());
  CHECK(body->height == 3);
  CHECK(cosigner.TakePinnedStateNotes().empty());
  CHECK_FALSE(cosigner.TakeCosigned().has_value());  // 3 is older than the taken 4
}

TEST_CASE("a majority signing another state than ours is a divergence") {
  ThreeValidators net;
  CheckpointCosigner cosigner(net.genesis, "us-cbp", &net.us, 8, kWindow);
  Apply(cosigner, 7, net.genesis);
  // One peer alone disagreeing is not a majority (it may be the faulty one).
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "mx-anam", 7, "", "", "other"), 7)
            .IsInvalidArgument());
  CHECK_FALSE(cosigner.divergence().has_value());
  // The second peer signs the same other state: we are the odd one out.
  CHECK(cosigner.AddPeerSignatures(PeerMessage(net, "ca-cbsa", 7, "", "", "other"), 7)
            .IsInvalidArgument());
  auto d = cosigner.divergence();
  REQUIRE(d.has_value());
  CHECK(d->height == 7);
  CHECK(d->own_state_body == StateBody(7));
  CHECK(d->majority_state_body == StateBody(7, "other"));
  CHECK_FALSE(cosigner.TakeCosigned().has_value());
}

// A fourth voter joins at block 2: that block's notes need a majority of the
// three voters before it and of the four after.
struct FourthVoter {
  ThreeValidators net;
  crypto::KeyPair us2 = KeyFromSeedByte(0x44);
  ledger::Voters three = net.genesis.validators;
  ledger::Voters four = {three[0], three[1], three[2], MakeValidator("us-cbp-2", us2)};

  const crypto::KeyPair* Key(const std::string& name) const {
    return name == "us-cbp-2" ? &us2 : net.Key(name);
  }
  ledger::NoteQuorum QuorumOf(uint64_t height) const {
    if (height < 2) return {three, three};
    if (height == 2) return {three, four};
    return {four, four};
  }
  CosignMessage Sign(CheckpointCosigner& cosigner, uint64_t height) const {
    return cosigner
        .SignApplied(height, height * 3, CheckpointBody(height), RevocationsBody(height),
                     StateBody(height), QuorumOf(height))
        .value();
  }
  CosignMessage Peer(const std::string& name, uint64_t height) const {
    CheckpointCosigner peer(net.genesis, name, Key(name), 16, kWindow);
    return Sign(peer, height);
  }
};

TEST_CASE("a block that changed the voters needs both majorities, and is kept as a link") {
  FourthVoter f;
  CheckpointCosigner cosigner(f.net.genesis, "us-cbp", &f.net.us, 8, kWindow);
  f.Sign(cosigner, 2);
  f.Sign(cosigner, 3);
  // Block 2 with mx-anam too: a majority of the three before (2 of 3) but
  // not of the four after (2 of 4).
  CHECK(cosigner.AddPeerSignatures(f.Peer("mx-anam", 2), kApplied).ok());
  CHECK_FALSE(cosigner.TakeCosigned().has_value());
  // The newcomer signs block 2, which counts for the four only: 3 of 4.
  CHECK(cosigner.AddPeerSignatures(f.Peer("us-cbp-2", 2), kApplied).ok());
  // Block 3 completes too (3 of the 4), and is what TakeCosigned hands out.
  CHECK(cosigner.AddPeerSignatures(f.Peer("mx-anam", 3), kApplied).ok());
  CHECK(cosigner.AddPeerSignatures(f.Peer("us-cbp-2", 3), kApplied).ok());
  auto taken = cosigner.TakeCosigned();
  REQUIRE(taken.has_value());
  CHECK(taken->height == 3);
  // Block 2 is older, but is the link from the three to the four.
  auto links = cosigner.TakeVoterChanges();
  REQUIRE(links.size() == 1);
  CHECK(links[0].height == 2);
  CHECK(ledger::SameVoters(links[0].voters, f.four));
  auto note = crypto::ParseNote(links[0].note);
  REQUIRE(note.ok());
  CHECK(note->text == RevocationsBody(2));
  auto signers = ledger::VerifyNoteQuorum(*note, f.QuorumOf(2));
  REQUIRE_MESSAGE(signers.ok(), signers.status().ToString());
  // Written in the order of the voters before, then the newcomer.
  CHECK(*signers == Names{"us-cbp", "mx-anam", "us-cbp-2"});
  // Taken once.
  CHECK(cosigner.TakeVoterChanges().empty());
}

TEST_CASE("a link waits for its signatures however many blocks complete after it") {
  FourthVoter f;
  CheckpointCosigner cosigner(f.net.genesis, "us-cbp", &f.net.us, 8, kWindow);
  f.Sign(cosigner, 2);
  CHECK(cosigner.AddPeerSignatures(f.Peer("mx-anam", 2), kApplied).ok());
  // Twenty later blocks (more than pending_heights_max) complete and are taken.
  for (uint64_t h = 3; h <= 22; ++h) {
    f.Sign(cosigner, h);
    CHECK(cosigner.AddPeerSignatures(f.Peer("mx-anam", h), kApplied).ok());
    CHECK(cosigner.AddPeerSignatures(f.Peer("ca-cbsa", h), kApplied).ok());
    auto taken = cosigner.TakeCosigned();
    REQUIRE(taken.has_value());
    CHECK(taken->height == h);
  }
  CHECK(cosigner.TakeVoterChanges().empty());
  // The newcomer's signature on block 2 arrives at last.
  CHECK(cosigner.AddPeerSignatures(f.Peer("us-cbp-2", 2), kApplied).ok());
  auto links = cosigner.TakeVoterChanges();
  REQUIRE(links.size() == 1);
  CHECK(links[0].height == 2);
  CHECK_FALSE(cosigner.TakeCosigned().has_value());
}

TEST_CASE("the newcomer's signature does not count for a block before it joined") {
  FourthVoter f;
  CheckpointCosigner cosigner(f.net.genesis, "us-cbp", &f.net.us, 8, kWindow);
  f.Sign(cosigner, 1);
  // us-cbp-2 signs block 1 as if it had been a voter then.
  CheckpointCosigner early(f.net.genesis, "us-cbp-2", &f.us2, 8, kWindow);
  CosignMessage message =
      early.SignApplied(1, 3, CheckpointBody(1), RevocationsBody(1), StateBody(1), {f.four, f.four})
          .value();
  CHECK(cosigner.AddPeerSignatures(message, kApplied).IsPermissionDenied());
  CHECK_FALSE(cosigner.TakeCosigned().has_value());
}

TEST_CASE("a node that is not among a block's voters signs nothing but collects the notes") {
  FourthVoter f;
  // us-cbp-2 before it joined the voters (an observer at block 1).
  CheckpointCosigner observer(f.net.genesis, "us-cbp-2", &f.us2, 8, kWindow);
  CHECK_FALSE(
      observer.SignApplied(1, 3, CheckpointBody(1), RevocationsBody(1), StateBody(1), f.QuorumOf(1))
          .has_value());
  CHECK(observer.AddPeerSignatures(f.Peer("mx-anam", 1), kApplied).ok());
  CHECK(observer.AddPeerSignatures(f.Peer("ca-cbsa", 1), kApplied).ok());
  auto taken = observer.TakeCosigned();
  REQUIRE(taken.has_value());
  CHECK(SignersOf(taken->checkpoint_note, f.net.genesis).verified == Names{"mx-anam", "ca-cbsa"});
}

TEST_CASE("state note bodies parse only in their exact format") {
  auto ok = ParseStateNoteBody(StateBody(9));
  REQUIRE(ok.ok());
  CHECK(ok->height == 9);
  CHECK(ok->log_index == 11);
  CHECK_FALSE(ParseStateNoteBody("x/state\n1\n").ok());
  CHECK_FALSE(ParseStateNoteBody(StateBody(9) + "extra\n").ok());
  std::string leading_zero = StateBody(9);
  leading_zero.replace(leading_zero.find("\n9\n"), 3, "\n09\n");
  CHECK_FALSE(ParseStateNoteBody(leading_zero).ok());
  CHECK_FALSE(ParseStateNoteBody(std::string(2000, 'a')).ok());
}

}  // namespace
}  // namespace frontera::node
