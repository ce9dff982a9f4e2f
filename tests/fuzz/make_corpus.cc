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

#include "common/check.h"
#include "consensus/codec.h"
#include "crypto/ed25519.h"
#include "crypto/signed_note.h"
#include "ledger/block.h"
#include "node/checkpoint_cosigner.h"
#include "node/peer_wire.h"
#include "node/snapshot_transfer.h"
#include "tests/fuzz/fuzz_keys.h"

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
  return 0;
}
