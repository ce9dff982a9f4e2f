// Writes the seed corpus of every fuzzer: a few valid encodings each, built
// with the real encoders, into <corpus dir>/<fuzzer>/seed-<n>. Run by hand when
// a format changes (tests/fuzz/README.md); the output is checked in.
//   make_corpus tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/label_image.h"
#include "common/check.h"
#include "common/encoding.h"
#include "consensus/codec.h"
#include "crypto/data_integrity.h"
#include "crypto/did_key.h"
#include "crypto/ed25519.h"
#include "crypto/jcs.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "ledger/block.h"
#include "ledger/documents.h"
#include "ledger/label.h"
#include "node/checkpoint_cosigner.h"
#include "node/peer_wire.h"
#include "node/snapshot_transfer.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tests/fuzz/fuzz_network.h"
#include "tools/genesis_builder.h"
#include "tools/trust.h"

namespace frontera::fuzz {
namespace {

namespace fs = std::filesystem;

void WriteSeeds(const fs::path& root, std::string_view fuzzer,
                const std::vector<std::string>& seeds) {
  const fs::path dir = root / fuzzer;
  fs::create_directories(dir);
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream out(dir / ("seed-" + std::to_string(i)), std::ios::binary | std::ios::trunc);
    out.write(seeds[i].data(), static_cast<std::streamsize>(seeds[i].size()));
    FRONTERA_CHECK(out.good()) << "cannot write " << (dir / fuzzer).string();
  }
  std::printf("%s: %zu seeds\n", std::string(fuzzer).c_str(), seeds.size());
}

std::vector<std::string> RaftMessages() {
  using namespace consensus;
  std::vector<std::string> seeds;
  Message heartbeat{.type = MessageType::kHeartbeat, .from = 1, .to = 2, .term = 3, .commit = 7};
  heartbeat.context = 5;
  seeds.push_back(EncodeMessage(heartbeat));
  Message append{.type = MessageType::kAppend,
                 .from = 1,
                 .to = 3,
                 .term = 4,
                 .log_term = 3,
                 .index = 9,
                 .commit = 8};
  append.entries = {Entry{.term = 4, .index = 10, .type = EntryType::kNoop},
                    Entry{.term = 4, .index = 11, .type = EntryType::kNormal, .data = "FRB2..."}};
  seeds.push_back(EncodeMessage(append));
  Message reject{.type = MessageType::kAppendResponse,
                 .from = 3,
                 .to = 1,
                 .term = 4,
                 .log_term = 2,
                 .index = 9,
                 .reject = true,
                 .reject_hint = 6};
  seeds.push_back(EncodeMessage(reject));
  Message vote{.type = MessageType::kPreVote,
               .from = 2,
               .to = 1,
               .term = 300,
               .log_term = 299,
               .index = 70000,
               .force = true};
  seeds.push_back(EncodeMessage(vote));
  Message snapshot{.type = MessageType::kSnapshot, .from = 1, .to = 2, .term = 5};
  snapshot.snapshot = SnapshotMeta{.index = 1u << 20, .term = 5};
  seeds.push_back(EncodeMessage(snapshot));
  // A heartbeat with an election certificate (two signed votes).
  heartbeat.proof = {SignedStatement{.signer = 1, .signature = std::string(64, '\x11')},
                     SignedStatement{.signer = 3, .signature = std::string(64, '\x33')}};
  seeds.push_back(EncodeMessage(heartbeat));
  return seeds;
}

std::vector<std::string> Proposals() {
  using namespace ledger;
  std::vector<std::string> seeds;
  seeds.push_back(EncodeProposal(Proposal{.time_unix_ms = 1733320000000}));
  Proposal one{.time_unix_ms = 1733320000123};
  one.documents.push_back({DocumentKind::kCredential, "", R"({"id":"urn:uuid:1","type":["VC"]})"});
  seeds.push_back(EncodeProposal(one));
  Proposal three{.time_unix_ms = -1};
  three.documents.push_back({DocumentKind::kCredential, "", R"({"a":1})"});
  three.documents.push_back({DocumentKind::kEvent, "urn:uuid:1", R"({"type":"ObjectEvent"})"});
  three.documents.push_back({DocumentKind::kRevocation, "urn:uuid:1", R"({"reason":"recall"})"});
  seeds.push_back(EncodeProposal(three));
  return seeds;
}

std::vector<std::string> SnapshotChunks() {
  using node::SnapshotChunk;
  std::vector<std::string> seeds;
  SnapshotChunk first{.snapshot = {.index = 100, .term = 3},
                      .file_number = 0,
                      .file_count = 3,
                      .file_name = "000012.sst",
                      .file_size = 10,
                      .offset = 0,
                      .data = "0123456789"};
  seeds.push_back(node::EncodeSnapshotChunk(first));
  SnapshotChunk middle = first;
  middle.file_number = 1;
  middle.file_name = "MANIFEST-000005";
  middle.file_size = 1000;
  middle.offset = 500;
  middle.data = std::string(16, 'x');
  seeds.push_back(node::EncodeSnapshotChunk(middle));
  SnapshotChunk empty = first;
  empty.file_number = 2;
  empty.file_name = "CURRENT";
  empty.file_size = 0;
  empty.data.clear();
  seeds.push_back(node::EncodeSnapshotChunk(empty));
  return seeds;
}

std::vector<std::string> Cosigns() {
  const crypto::KeyPair key = NoteSignerKey();
  std::vector<std::string> seeds;
  node::CosignMessage message;
  message.height = 42;
  message.signer = std::string(kNoteSignerName);
  message.checkpoint_signature = key.Sign("fuzz.example/log\n1\nAAAA\n");
  message.revocations_signature = key.Sign("fuzz.example/revocations\n0\n");
  seeds.push_back(node::EncodeCosign(message));
  message.height = 1;
  message.signer = "v";
  seeds.push_back(node::EncodeCosign(message));
  return seeds;
}

std::vector<std::string> Hellos() {
  std::vector<std::string> seeds;
  node::Hello hello;
  for (size_t i = 0; i < hello.network_id.size(); ++i)
    hello.network_id[i] = static_cast<uint8_t>(i);
  hello.ephemeral_key.fill(0x09);
  hello.name = "validator-1";
  seeds.push_back(node::EncodeHello(hello));
  hello.name = std::string(node::kPeerNameBytesMax, 'n');
  seeds.push_back(node::EncodeHello(hello));
  return seeds;
}

std::vector<std::string> FrameHeaders() {
  // u64 frame_bytes_max (big-endian) ‖ 5 header bytes; see peer_frame_fuzz.cc.
  auto with_max = [](uint64_t max, size_t payload_bytes) {
    std::string seed;
    for (int shift = 56; shift >= 0; shift -= 8) seed.push_back(static_cast<char>(max >> shift));
    const auto header = node::EncodeFrameHeader(payload_bytes);
    seed.append(reinterpret_cast<const char*>(header.data()), header.size());
    return seed;
  };
  return {with_max(1 << 20, 0), with_max(1 << 20, 1 << 20), with_max(64, 4096)};
}

std::vector<std::string> SignedNotes() {
  const crypto::KeyPair key = NoteSignerKey();
  const crypto::KeyPair other = crypto::KeyPair::FromSeed(crypto::Seed{});
  crypto::Checkpoint checkpoint{.origin = "fuzz.example/log", .tree_size = 12};
  for (size_t i = 0; i < checkpoint.root.size(); ++i) checkpoint.root[i] = static_cast<uint8_t>(i);
  const std::string body = crypto::FormatCheckpointBody(checkpoint);
  checkpoint.extensions = {"extension line"};
  const std::string extended = crypto::FormatCheckpointBody(checkpoint);
  return {
      body,
      crypto::SignNote(body, {{std::string(kNoteSignerName), &key}}),
      crypto::SignNote(extended, {{"other", &other}, {std::string(kNoteSignerName), &key}}),
      crypto::SignNote("free text — not a checkpoint\n", {{std::string(kNoteSignerName), &key}}),
  };
}

// A document signed with the fuzz key (eddsa-jcs-2022), as JSON text.
std::string Signed(const crypto::Json& document) {
  const crypto::KeyPair key = NoteSignerKey();
  const std::string did = crypto::DidKeyFromPublicKey(key.public_key());
  crypto::ProofOptions options{.created = "2026-11-02T14:05:00Z",
                               .verification_method = did + "#" + did.substr(8)};
  Result<crypto::Json> secured = crypto::CreateProof(document, options, key);
  FRONTERA_CHECK(secured.ok()) << secured.status().ToString();
  return secured->dump();
}

std::string FuzzDid() { return crypto::DidKeyFromPublicKey(NoteSignerKey().public_key()); }

crypto::Json Contexts() {
  return crypto::Json::array(
      {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"});
}

std::vector<std::string> RevocationsAndRegistry() {
  const std::string did = FuzzDid();
  const std::string other =
      crypto::DidKeyFromPublicKey(crypto::KeyPair::FromSeed(crypto::Seed{}).public_key());
  const crypto::Json revocation = {{"@context", Contexts()},
                                   {"type", "CredentialRevocation"},
                                   {"id", "urn:uuid:0b7e2f4c-61a9-4c55-9d0e-7a3f2b8c1d20"},
                                   {"credential", "urn:uuid:5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"},
                                   {"issuer", did},
                                   {"reason", "recall: contamination"}};
  const crypto::Json registration = {
      {"@context", Contexts()},
      {"type", "PartyRegistration"},
      {"id", "urn:uuid:1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"},
      {"issuer", did},
      {"party",
       {{"did", other}, {"name", "Fuzz Carrier"}, {"role", "carrier"}, {"country", "MX"}}}};
  const crypto::Json suspension = {{"@context", Contexts()},
                                   {"type", "PartySuspension"},
                                   {"id", "urn:uuid:2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"},
                                   {"issuer", did},
                                   {"party", other},
                                   {"reason", "licence expired"}};
  const crypto::Json rotation = {{"@context", Contexts()},
                                 {"type", "PartyKeyRotation"},
                                 {"id", "urn:uuid:3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a7b"},
                                 {"issuer", did},
                                 {"party", other},
                                 {"newKey", did}};
  const crypto::Json addition = {{"@context", Contexts()},
                                 {"type", "ValidatorAddition"},
                                 {"id", "urn:uuid:4f5a6b7c-8d9e-4f0a-9b1c-2d3e4f5a6b7c"},
                                 {"issuer", did},
                                 {"validator",
                                  {{"did", other},
                                   {"name", "fuzz-2"},
                                   {"role", "voter"},
                                   {"peer", "127.0.0.1:7102"},
                                   {"api", "http://127.0.0.1:7002"}}}};
  std::vector<std::string> seeds = {Signed(revocation), Signed(registration), Signed(suspension),
                                    Signed(rotation), Signed(addition)};
  // Seeds that reach the property checks: every one parses and verifies.
  for (size_t i = 0; i < seeds.size(); ++i) {
    const crypto::Json document = crypto::ParseJson(seeds[i]).value();
    FRONTERA_CHECK(crypto::VerifyProofs(document).ok());
    const Status parsed = i == 0 ? ledger::ParseRevocation(document).status()
                                 : ledger::ParseRegistryDocument(document).status();
    FRONTERA_CHECK(parsed.ok()) << "seed " << i << ": " << parsed.ToString();
  }
  return seeds;
}

std::vector<std::string> Events() {
  crypto::Json event = {{"@context",
                         {"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                          "https://frontera.example/ns/v1"}},
                        {"type", "ObjectEvent"},
                        {"eventID", "urn:uuid:6f3b0d2c-4e5a-4b7c-9d8e-0f1a2b3c4d5e"},
                        {"eventTime", "2026-11-04T11:00:00Z"},
                        {"eventTimeZoneOffset", "+00:00"},
                        {"epcList", {"https://id.gs1.org/01/07501234000017/21/SN000123"}},
                        {"action", "OBSERVE"},
                        {"bizStep", "inspecting"},
                        {"persistentDisposition",
                         {{"set", {ledger::FlagDisposition("suspect").value()}},
                          {"unset", {ledger::FlagDisposition("recalled").value()}}}},
                        {"frontera:reason", "seal broken"},
                        {"certificationInfo", "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70"}};
  const std::string seed = Signed(event);
  const Status parsed = ledger::ParseEvent(crypto::ParseJson(seed).value()).status();
  FRONTERA_CHECK(parsed.ok()) << "event seed: " << parsed.ToString();
  return {seed};
}

ledger::Credential LabelledProduct() {
  ledger::Credential credential;
  credential.type = ledger::CredentialType::kProduct;
  credential.gtin = "07501234000017";
  credential.lot = "LOT42/A";
  credential.serial = "SN000123";
  credential.expiry = "2028-10-31";
  return credential;
}

std::vector<std::string> Labels() {
  const crypto::KeyPair key = NoteSignerKey();
  ledger::Credential consignment;
  consignment.type = ledger::CredentialType::kPrecursor;
  consignment.sscc = "375012345000000013";
  std::vector<std::string> seeds;
  for (const ledger::Credential& credential : {LabelledProduct(), consignment}) {
    Result<std::string> label = ledger::BuildLabel("verify.fuzz.example:8443", credential, key);
    FRONTERA_CHECK(label.ok()) << label.status().ToString();
    FRONTERA_CHECK(ledger::ParseLabel(*label).ok());
    seeds.push_back(*label);
  }
  seeds.push_back("2026-11-02T14:05:00.123+05:30");
  seeds.push_back("LOT42%2FA");
  return seeds;
}

std::vector<std::string> LabelImages() {
  std::vector<std::string> seeds;
  for (const std::string& label : Labels()) {
    if (!ledger::ParseLabel(label).ok()) continue;
    Result<std::string> png = api::RenderLabelPng(label, api::kLabelModulePxMin);
    FRONTERA_CHECK(png.ok()) << png.status().ToString();
    seeds.push_back(*png);
  }
  return seeds;
}

std::vector<std::string> TrustBundles() {
  using crypto::Json;
  const crypto::KeyPair key = NoteSignerKey();
  const std::string signer(kNoteSignerName);
  Result<ledger::Genesis> genesis = ledger::ParseGenesis(FuzzGenesisJson());
  FRONTERA_CHECK(genesis.ok()) << genesis.status().ToString();
  std::vector<crypto::Hash> leaves;
  for (int i = 0; i < 5; ++i)
    leaves.push_back(crypto::LeafHash(AsBytes("leaf " + std::to_string(i))));
  const crypto::Checkpoint checkpoint{
      kFuzzNetwork, leaves.size(), crypto::RootFromLeafHashes(leaves), {}};
  const std::vector<tools::RevocationEntry> revocations = {
      {"urn:uuid:5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
       "https://id.gs1.org/01/07501234000017/21/SN000123", 3, "recall: contamination"}};
  const std::string note =
      tools::RevocationNoteText(kFuzzNetwork, leaves.size(), revocations,
                                tools::kTrustBundleVersion, {}, {}, genesis->validators);
  Json entries = Json::array();
  for (const tools::RevocationEntry& e : revocations) {
    entries.push_back({{"certificate", e.certificate},
                       {"item", e.item},
                       {"leaf_index", e.leaf_index},
                       {"reason", e.reason}});
  }
  Json bundle = {
      {"format", tools::kTrustBundleFormat},
      {"genesis", FuzzGenesisJson()},
      {"genesis_hash", Base64Encode(FuzzGenesisHash())},
      {"checkpoint", crypto::SignNote(crypto::FormatCheckpointBody(checkpoint), {{signer, &key}})},
      {"revocations",
       {{"note", crypto::SignNote(note, {{signer, &key}})},
        {"entries", entries},
        {"registry", Json::array()},
        {"flags", Json::array()}}},
      {"voters", ledger::VotersJson(genesis->validators)},
      {"voter_changes", Json::array()},
      {"synced_at", "2026-12-01T10:00:00Z"}};
  Result<tools::TrustBundle> verified = tools::VerifyTrustBundle(bundle, FuzzGenesisHash());
  FRONTERA_CHECK(verified.ok()) << "the seed bundle does not verify: "
                                << verified.status().ToString();
  return {bundle.dump()};
}

std::vector<std::string> Configs() {
  std::vector<std::string> seeds = {
      FuzzGenesisJson().dump(2),
      "network = \"fuzz.example/net\"\nresolver = \"verify.fuzz.example\"\n"
      "created = \"2026-11-30T00:00:00Z\"\n[[validator]]\nname = \"v1\"\ndid = \"" +
          FuzzDid() +
          "\"\napi = \"http://127.0.0.1:7001\"\npeer = \"127.0.0.1:7101\"\n"
          "[[party]]\nname = \"Agency\"\nrole = \"agency\"\ncountry = \"US\"\ndid = \"" +
          FuzzDid() + "\"\n"};
  const Result<crypto::Json> built = tools::BuildGenesisJson(seeds[1], "/fuzz/genesis.toml");
  FRONTERA_CHECK(built.ok()) << "genesis TOML seed: " << built.status().ToString();
  return seeds;
}

}  // namespace
}  // namespace frontera::fuzz

int main(int argc, char** argv) {
  using namespace frontera::fuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus <corpus dir, e.g. tests/fuzz/corpus>\n");
    return 64;
  }
  frontera::crypto::InitCrypto();
  const std::filesystem::path root = argv[1];
  WriteSeeds(root, "raft_message_fuzz", RaftMessages());
  WriteSeeds(root, "proposal_fuzz", Proposals());
  WriteSeeds(root, "snapshot_chunk_fuzz", SnapshotChunks());
  WriteSeeds(root, "cosign_fuzz", Cosigns());
  WriteSeeds(root, "peer_hello_fuzz", Hellos());
  WriteSeeds(root, "peer_frame_fuzz", FrameHeaders());
  WriteSeeds(root, "signed_note_fuzz", SignedNotes());
  WriteSeeds(root, "revocation_registry_fuzz", RevocationsAndRegistry());
  WriteSeeds(root, "event_fuzz", Events());
  WriteSeeds(root, "label_fuzz", Labels());
  WriteSeeds(root, "label_image_fuzz", LabelImages());
  WriteSeeds(root, "trust_bundle_fuzz", TrustBundles());
  WriteSeeds(root, "config_fuzz", Configs());
  return 0;
}
