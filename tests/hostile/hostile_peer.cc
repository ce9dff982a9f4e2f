// hostile_peer: a validator gone bad, for the end-to-end tests
// (tests/e2e/hostile_test.cc). It holds one genesis validator's real key,
// completes the real authenticated peer handshake (node::PeerTransport), and
// then sends the honest validators well-authenticated but hostile payloads:
// everything a compromised validator could send, none of which may crash,
// stall or mislead an honest node.
//
//   hostile_peer --genesis G --key K --name ca-cbsa
//       --peer us-cbp=127.0.0.1:7101 --peer mx-anam=127.0.0.1:7102
//       --listen 127.0.0.1:7103 --attack all --duration-ms 1000
//
// Attacks (--attack, repeatable; `all` runs 1..9 in turn):
//   forward-bad-utf8  forward frames (kind 3) whose documents have a
//                     certificate id that is not UTF-8, a bad kind, a body
//                     that is not JSON; forward bodies that do not decode
//   term-max          Raft messages with term 2^64-1 and current term + 2^40
//   two-leaders       appends, heartbeats and snapshot messages claiming the
//                     current term (a second leader): forged entries that
//                     commit at once, entries with gaps, an append whose
//                     prev entry conflicts with a committed one, commit 2^63
//   snapshot-forge    snapshot chunks of a fabricated directory and the
//                     kSnapshot message for a huge index; then the first
//                     chunk of another snapshot again and again (wipes a
//                     real transfer in progress)
//   cosign-flood      6,000 co-signatures for far-future heights, signed with
//                     this validator's key
//   future-time       appends whose proposals carry a block time in 2031.
//                     (A real leader whose clock says 2031 is the lead
//                     engineer's unit test: this program is never leader.)
//   conn-flood        70 idle TCP connections to each honest peer port
//                     (no handshake), renewed every 3 s
//   inbox-flood       frames of --frame-bytes as fast as the link takes them
//                     (at most --flood-bytes-max per peer)
//   claim-leadership  appends and heartbeats of a later term (and of the
//                     current one) whose election certificate holds this
//                     validator's own signed vote, a garbage signature of
//                     another, or nothing; transfer elections (force) and
//                     TimeoutNow with a transfer this validator signed
//                     itself; a later term in an AppendResponse to the leader
//   capture           (not in `all`) wins the vote of an honest node whose
//                     leader failed by claiming a complete log, then leads
//                     it and commits nothing (a stalled hostile leader)
//   fuzz              random well-framed payloads: a random kind byte, and
//                     real messages with flipped bits, truncated, or random
//
// Where the honest nodes stand (term, leader, commit index) is read from
// the Raft messages they send here and, when the test hands them over
// (--status NAME=URL), from their operational listeners' GET /v1/status: a
// better-informed attacker than a real one, which cannot reach those
// loopback listeners (docs/operations.md#operational-listener).
//
// Prints one line per attack ("attack NAME: ...") on standard output. Exit
// status: 0 when every attack ran, 1 on a usage or setup error (bad flags,
// no handshake with any peer within 10 s).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "consensus/codec.h"
#include "consensus/types.h"
#include "crypto/jcs.h"
#include "crypto/json.h"
#include "crypto/key_file.h"
#include "ledger/block.h"
#include "ledger/genesis.h"
#include "node/checkpoint_cosigner.h"
#include "node/election_signer.h"
#include "node/peer_transport.h"
#include "node/snapshot_transfer.h"

namespace frontera::hostile {
namespace {

using consensus::Entry;
using consensus::EntryType;
using consensus::Message;
using consensus::MessageType;
using SteadyClock = std::chrono::steady_clock;

constexpr uint64_t kTermMax = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kTermLeap = uint64_t{1} << 40;
// 2031-01-01T00:00:00Z.
constexpr int64_t kYear2031UnixMs = 1924992000000;
constexpr int kConnectionsPerPeer = 70;
constexpr auto kConnectionRenewal = std::chrono::seconds(3);
constexpr int kCosignMessages = 6000;
constexpr auto kHandshakeWait = std::chrono::seconds(10);
constexpr auto kDrainWait = std::chrono::seconds(5);

// Peer frame kinds (node/validator_internal.h).
constexpr char kKindRaft = 1;
constexpr char kKindCosign = 2;
constexpr char kKindForward = 3;
constexpr char kKindSnapshotChunk = 4;

struct Target {
  uint64_t id = 0;
  std::string name;
  std::string host;
  uint16_t port = 0;
  std::string status_url;  // its operational listener, or empty: not known
};

// What one honest node says about itself.
struct NodeView {
  bool answered = false;
  uint64_t term = 0;
  uint64_t commit_index = 0;
  bool leader = false;
  bool leaderless = false;  // a follower that knows no leader (answered only)
};

// What the honest nodes sent this program (transport thread → attacks).
class Observed {
 public:
  void Note(uint64_t from, std::string_view payload) {
    ++frames_;
    if (payload.empty() || payload[0] != kKindRaft) return;
    auto m = consensus::DecodeMessage(payload.substr(1));
    if (!m.ok()) return;
    std::lock_guard<std::mutex> lock(mu_);
    term_[from] = std::max(term_[from], m->term);
    if (m->type == MessageType::kAppend || m->type == MessageType::kHeartbeat) {
      leader_ = from;
    }
    if (m->type == MessageType::kVoteResponse && !m->reject && m->proof.size() == 1 &&
        m->term >= votes_[from].first) {
      votes_[from] = {m->term, m->proof.front()};
    }
  }
  // The latest vote `id` granted this program, signed: (term, signature).
  std::optional<std::pair<uint64_t, consensus::SignedStatement>> vote(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = votes_.find(id);
    if (it == votes_.end()) return std::nullopt;
    return it->second;
  }
  uint64_t term(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    return term_[id];
  }
  std::optional<uint64_t> leader() {
    std::lock_guard<std::mutex> lock(mu_);
    if (leader_ == 0) return std::nullopt;
    return leader_;
  }
  uint64_t frames() const { return frames_.load(); }

 private:
  std::atomic<uint64_t> frames_{0};
  std::mutex mu_;
  std::map<uint64_t, uint64_t> term_;
  uint64_t leader_ = 0;  // the last node seen sending appends or heartbeats
  std::map<uint64_t, std::pair<uint64_t, consensus::SignedStatement>> votes_;
};

struct Context {
  uint64_t self_id = 0;
  std::string self_name;
  const crypto::KeyPair* key = nullptr;
  crypto::Sha256Digest network_id{};
  std::vector<Target> targets;
  node::PeerTransport* transport = nullptr;
  Observed* observed = nullptr;
  std::mt19937_64 rng;
  std::chrono::milliseconds duration{1000};
  size_t frame_bytes = 4 << 20;
  uint64_t flood_bytes_max = uint64_t{1} << 30;
  std::string forged_canonical;          // JCS of a credential no honest node was asked to commit
  std::map<uint64_t, uint64_t> sent;     // frames queued, by target id
  std::map<uint64_t, uint64_t> refused;  // frames Send dropped (queue full), by target id
};

NodeView Look(const Context& ctx, const Target& t) {
  NodeView v;
  api::ClientOptions options;
  options.connect_timeout_ms = 1000;
  options.read_timeout_ms = 2000;
  auto client = t.status_url.empty()
                    ? Result<std::unique_ptr<api::Client>>(Status::Unavailable("no --status URL"))
                    : api::Client::Create(t.status_url, options);
  if (client.ok()) {
    auto s = (*client)->GetJson("/v1/status");
    if (s.ok()) {
      v.answered = true;
      v.term = (*s)["raft"]["term"].get<uint64_t>();
      v.commit_index = (*s)["raft"]["commit_index"].get<uint64_t>();
      v.leader = (*s)["role"] == "leader";
      v.leaderless = !v.leader && (*s)["raft"]["leader"].is_null();
    }
  }
  if (!v.answered) {
    // Down or slow: fall back on what it last sent here.
    v.term = ctx.observed->term(t.id);
    v.leader = ctx.observed->leader() == t.id;
  }
  return v;
}

uint64_t QueuedFrames(const Context& ctx, uint64_t id) {
  for (const auto& p : ctx.transport->Peers()) {
    if (p.id == id) return p.frames_queued;
  }
  return 0;
}

// Queues `payload` for `id`. A full queue is a refusal the attack counts,
// not a reason to stop.
void SendTo(Context& ctx, uint64_t id, std::string payload) {
  if (ctx.transport->Send(id, std::move(payload))) {
    ++ctx.sent[id];
  } else {
    ++ctx.refused[id];
  }
}

std::string RaftFrame(const Message& m) {
  std::string out(1, kKindRaft);
  consensus::AppendMessage(m, out);
  return out;
}

std::string WithKind(char kind, std::string_view body) {
  std::string out(1, kind);
  out.append(body);
  return out;
}

Message MessageTo(const Context& ctx, uint64_t to, MessageType type, uint64_t term) {
  Message m;
  m.type = type;
  m.from = ctx.self_id;
  m.to = to;
  m.term = term;
  return m;
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t r = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(r >> (8 * j));
  }
  return out;
}

ledger::Proposal ForgedProposal(const Context& ctx, int64_t time_unix_ms) {
  ledger::Proposal p;
  p.time_unix_ms = time_unix_ms;
  p.documents.push_back({ledger::DocumentKind::kCredential, "", ctx.forged_canonical});
  return p;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An append that a follower at `commit_index` takes whatever its log holds:
// prev (0, 0) is below its commit point, so the core skips as many entries
// as it has committed and checks the rest against its own commit point
// (raft.cc HandleAppend). `tail` lands right after commit_index.
Message AppendAfterCommit(const Context& ctx, uint64_t to, uint64_t term, uint64_t commit_index,
                          std::vector<std::string> tail) {
  Message m = MessageTo(ctx, to, MessageType::kAppend, term);
  m.index = 0;
  m.log_term = 0;
  for (uint64_t i = 1; i <= commit_index; ++i) {
    m.entries.push_back({1, i, EntryType::kNoop, ""});
  }
  uint64_t index = commit_index;
  for (std::string& data : tail) {
    m.entries.push_back({term, ++index, EntryType::kNormal, std::move(data)});
  }
  m.commit = index;  // commit them at once
  return m;
}

// Paces a loop of rounds until `deadline`; bounded by `rounds_max`.
template <typename F>
void Rounds(Context& ctx, std::chrono::milliseconds interval, int rounds_max, F round) {
  const auto deadline = SteadyClock::now() + ctx.duration;
  for (int r = 0; r < rounds_max && SteadyClock::now() < deadline; ++r) {
    const auto next = SteadyClock::now() + interval;
    round(r);
    std::this_thread::sleep_until(std::min(next, deadline));
  }
}

// --- 1 ---------------------------------------------------------------------
void ForwardBadUtf8(Context& ctx) {
  ledger::Proposal bad;
  bad.time_unix_ms = NowUnixMs();
  bad.documents.push_back({ledger::DocumentKind::kEvent, "urn:uuid:\xff\xfe-not-utf8",
                           R"({"type":"ObjectEvent","eventTime":"2026-11-30T10:00:00Z"})"});
  bad.documents.push_back({ledger::DocumentKind::kRevocation, "\xc3\x28", "{}"});
  bad.documents.push_back({ledger::DocumentKind::kEvent, "\xed\xa0\x80", "\xff\xfe\xfd"});
  bad.documents.push_back({ledger::DocumentKind::kCredential, "", "{\"id\":\"urn:uuid:\xff\"}"});
  bad.documents.push_back({ledger::DocumentKind::kCredential, "", "not json at all"});
  bad.documents.push_back({static_cast<ledger::DocumentKind>(77), "x", "{}"});
  bad.documents.push_back({ledger::DocumentKind::kCredential, "", std::string(20000, '[')});
  bad.documents.push_back({ledger::DocumentKind::kCredential, "",
                           R"({"id":"urn:uuid:12345678-1234-4123-8123-123456789abc","proof":1})"});
  const std::string good_body = ledger::EncodeProposal(bad);
  std::vector<std::string> undecodable = {
      "",                                         // no magic
      "FRB2",                                     // truncated header
      good_body.substr(0, good_body.size() / 2),  // truncated documents
      std::string("FRB2") + std::string(8, '\0') + std::string("\xff\xff\xff\xff", 4),  // 4G docs
      good_body + "trailing",
  };
  Rounds(ctx, std::chrono::milliseconds(100), 1000, [&](int round) {
    for (const Target& t : ctx.targets) {
      // To everyone: only the leader proposes what it is forwarded.
      SendTo(ctx, t.id, WithKind(kKindForward, good_body));
      SendTo(ctx, t.id, WithKind(kKindForward, undecodable[round % undecodable.size()]));
    }
  });
}

// --- 2 ---------------------------------------------------------------------
void TermMax(Context& ctx) {
  Rounds(ctx, std::chrono::milliseconds(50), 1000, [&](int round) {
    for (const Target& t : ctx.targets) {
      const NodeView v = Look(ctx, t);
      const uint64_t term = round % 2 == 0 ? kTermMax : v.term + kTermLeap;
      for (MessageType type :
           {MessageType::kHeartbeatResponse, MessageType::kAppendResponse, MessageType::kVote,
            MessageType::kPreVote, MessageType::kAppend, MessageType::kHeartbeat,
            MessageType::kVoteResponse, MessageType::kTimeoutNow, MessageType::kReadIndex}) {
        Message m = MessageTo(ctx, t.id, type, term);
        m.index = kTermMax;
        m.log_term = kTermMax;
        m.commit = kTermMax;
        m.reject_hint = kTermMax;
        SendTo(ctx, t.id, RaftFrame(m));
      }
    }
  });
}

// --- 3 ---------------------------------------------------------------------
void TwoLeaders(Context& ctx) {
  Rounds(ctx, std::chrono::milliseconds(100), 1000, [&](int round) {
    for (const Target& t : ctx.targets) {
      const NodeView v = Look(ctx, t);
      if (v.term == 0) continue;
      const uint64_t to = t.id;
      switch (round % 5) {
        case 0: {
          // Forged blocks, committed at once by the "leader" of this term.
          std::vector<std::string> tail = {ledger::EncodeProposal(ForgedProposal(ctx, NowUnixMs())),
                                           "not a proposal: applying it must not happen"};
          SendTo(ctx, to, RaftFrame(AppendAfterCommit(ctx, to, v.term, v.commit_index, tail)));
          break;
        }
        case 1: {
          // Indices with gaps and going backwards.
          Message m = MessageTo(ctx, to, MessageType::kAppend, v.term);
          m.index = v.commit_index;
          m.log_term = v.term;
          for (uint64_t gap : {1, 3, 2, 1000}) {
            m.entries.push_back({v.term, v.commit_index + gap, EntryType::kNoop, ""});
          }
          m.commit = v.commit_index + 1000;
          SendTo(ctx, to, RaftFrame(m));
          break;
        }
        case 2: {
          // prev is the follower's last committed entry, with a term it
          // does not have: a conflict inside the committed prefix.
          Message m = MessageTo(ctx, to, MessageType::kAppend, v.term);
          m.index = v.commit_index;
          m.log_term = v.term + 7;
          m.entries.push_back({v.term, v.commit_index + 1, EntryType::kNoop, ""});
          SendTo(ctx, to, RaftFrame(m));
          break;
        }
        case 3: {
          Message m = MessageTo(ctx, to, MessageType::kHeartbeat, v.term);
          m.commit = uint64_t{1} << 63;
          SendTo(ctx, to, RaftFrame(m));
          break;
        }
        case 4: {
          Message m = MessageTo(ctx, to, MessageType::kSnapshot, v.term);
          m.snapshot = {uint64_t{1} << 62, v.term};
          SendTo(ctx, to, RaftFrame(m));
          Message empty = MessageTo(ctx, to, MessageType::kAppend, v.term);
          empty.index = v.commit_index;
          empty.log_term = v.term;
          SendTo(ctx, to, RaftFrame(empty));
          break;
        }
      }
    }
  });
}

// --- 4 ---------------------------------------------------------------------
void SnapshotForge(Context& ctx) {
  struct File {
    std::string name;
    std::string data;
  };
  const std::vector<File> files = {
      {"CURRENT", "MANIFEST-000099\n"},
      {"MANIFEST-000099", RandomBytes(ctx.rng, 4096)},
      {"000042.sst", RandomBytes(ctx.rng, 64 << 10)},
      {"OPTIONS-000007", "[Version]\n  rocksdb_version=0.0.0\n"},
  };
  auto chunks = [&](const consensus::SnapshotMeta& meta) {
    std::vector<std::string> out;
    for (size_t i = 0; i < files.size(); ++i) {
      node::SnapshotChunk c;
      c.snapshot = meta;
      c.file_number = static_cast<uint32_t>(i);
      c.file_count = static_cast<uint32_t>(files.size());
      c.file_name = files[i].name;
      c.file_size = files[i].data.size();
      c.offset = 0;
      c.data = files[i].data;
      out.push_back(WithKind(kKindSnapshotChunk, node::EncodeSnapshotChunk(c)));
    }
    return out;
  };
  Rounds(ctx, std::chrono::milliseconds(50), 10000, [&](int round) {
    for (const Target& t : ctx.targets) {
      const NodeView v = Look(ctx, t);
      if (round % 4 == 0) {
        // A fabricated directory, then the message that installs it.
        const consensus::SnapshotMeta meta{(uint64_t{1} << 62) + static_cast<uint64_t>(round),
                                           std::max<uint64_t>(v.term, 1)};
        for (std::string& c : chunks(meta)) SendTo(ctx, t.id, std::move(c));
        Message m = MessageTo(ctx, t.id, MessageType::kSnapshot, std::max<uint64_t>(v.term, 1));
        m.snapshot = meta;
        SendTo(ctx, t.id, RaftFrame(m));
      } else {
        // "Start afresh" chunks: each one discards whatever was staged.
        node::SnapshotChunk c;
        c.snapshot = {v.commit_index + 1, v.term};
        c.file_number = 0;
        c.file_count = 1000;
        c.file_name = "CURRENT";
        c.file_size = 1 << 20;
        c.offset = 0;
        c.data = "x";
        for (int i = 0; i < 20; ++i) {
          SendTo(ctx, t.id, WithKind(kKindSnapshotChunk, node::EncodeSnapshotChunk(c)));
        }
      }
    }
  });
}

// --- 5 ---------------------------------------------------------------------
void CosignFlood(Context& ctx) {
  const auto deadline = SteadyClock::now() + ctx.duration;
  const uint64_t base = uint64_t{1} << 20;
  for (int i = 0; i < kCosignMessages && SteadyClock::now() < deadline; ++i) {
    node::CosignMessage m;
    m.height = i % 10 == 9 ? (uint64_t{1} << 63) + static_cast<uint64_t>(i)
                           : base + static_cast<uint64_t>(i);
    m.signer = ctx.self_name;
    const std::string body = "forged checkpoint body " + std::to_string(m.height);
    m.checkpoint_signature = ctx.key->Sign(body);
    m.revocations_signature = ctx.key->Sign(body + " revocations");
    const std::string frame = WithKind(kKindCosign, node::EncodeCosign(m));
    for (const Target& t : ctx.targets) SendTo(ctx, t.id, frame);
    if (i % 256 == 255) {
      // Let the link drain rather than overflow our own queue.
      for (const Target& t : ctx.targets) {
        for (int w = 0; w < 200 && QueuedFrames(ctx, t.id) > 1024; ++w) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    }
  }
  // And someone else's name in our frames: the sender is not the signer.
  node::CosignMessage other;
  other.height = base;
  other.signer = ctx.targets.front().name;
  for (const Target& t : ctx.targets) {
    SendTo(ctx, t.id, WithKind(kKindCosign, node::EncodeCosign(other)));
  }
}

// --- 6 ---------------------------------------------------------------------
void FutureTime(Context& ctx) {
  Rounds(ctx, std::chrono::milliseconds(100), 1000, [&](int round) {
    for (const Target& t : ctx.targets) {
      const NodeView v = Look(ctx, t);
      if (v.term == 0) continue;
      ledger::Proposal p;
      p.time_unix_ms = kYear2031UnixMs + round;
      std::vector<std::string> tail = {ledger::EncodeProposal(p)};
      if (round % 2 == 0) {
        // Claims the node's own term (refused as a second leader, or not).
        SendTo(ctx, t.id, RaftFrame(AppendAfterCommit(ctx, t.id, v.term, v.commit_index, tail)));
      } else {
        // A plain append at a later term: an election it never won.
        Message m = MessageTo(ctx, t.id, MessageType::kAppend, v.term + 1);
        m.index = v.commit_index;
        m.log_term = v.term;
        m.entries.push_back({v.term + 1, v.commit_index + 1, EntryType::kNormal, tail.front()});
        m.commit = v.commit_index + 1;
        SendTo(ctx, t.id, RaftFrame(m));
      }
    }
  });
}

// --- 7 ---------------------------------------------------------------------
int RawConnect(const Target& t) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(t.port);
  if (::inet_pton(AF_INET, t.host.c_str(), &addr.sin_addr) != 1) return -1;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void ConnFlood(Context& ctx, uint64_t* opened) {
  const auto deadline = SteadyClock::now() + ctx.duration;
  std::vector<int> fds;
  auto close_all = [&] {
    for (int fd : fds) ::close(fd);
    fds.clear();
  };
  for (int renewal = 0; renewal < 1000 && SteadyClock::now() < deadline; ++renewal) {
    close_all();
    for (const Target& t : ctx.targets) {
      for (int i = 0; i < kConnectionsPerPeer; ++i) {
        const int fd = RawConnect(t);
        if (fd >= 0) {
          fds.push_back(fd);
          ++*opened;
        }
      }
    }
    // Idle: the handshake never starts.
    std::this_thread::sleep_until(std::min(SteadyClock::now() + kConnectionRenewal, deadline));
  }
  close_all();
}

// --- 8 ---------------------------------------------------------------------
void InboxFlood(Context& ctx) {
  const auto deadline = SteadyClock::now() + ctx.duration;
  std::string body = RandomBytes(ctx.rng, ctx.frame_bytes);
  std::map<uint64_t, uint64_t> bytes;
  const char kinds[] = {kKindRaft, kKindForward, kKindSnapshotChunk, kKindCosign, 0x7f};
  for (int i = 0; i < 1000000 && SteadyClock::now() < deadline; ++i) {
    bool any = false;
    for (const Target& t : ctx.targets) {
      if (bytes[t.id] >= ctx.flood_bytes_max) continue;
      any = true;
      // Keep a few frames queued: as fast as the link drains, no faster.
      if (QueuedFrames(ctx, t.id) >= 4) continue;
      body[0] = kinds[i % sizeof(kinds)];
      SendTo(ctx, t.id, body);
      bytes[t.id] += body.size();
    }
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// --- fuzz ------------------------------------------------------------------
// --- 9 ---------------------------------------------------------------------
void ClaimLeadership(Context& ctx) {
  const node::ElectionSigner signer(ctx.network_id, *ctx.key, {});
  const auto own = [&](consensus::StatementKind kind, uint64_t term) {
    return consensus::SignedStatement{ctx.self_id,
                                      signer.Sign(consensus::Statement{kind, term, ctx.self_id})};
  };
  Rounds(ctx, std::chrono::milliseconds(50), 100000, [&](int round) {
    for (const Target& t : ctx.targets) {
      const NodeView v = Look(ctx, t);
      const uint64_t term = v.term + (round % 4 == 0 ? 0 : 1 + ctx.rng() % 3);
      const uint64_t other = ctx.targets[(&t - ctx.targets.data() + 1) % ctx.targets.size()].id;
      Message m = MessageTo(ctx, t.id,
                            round % 2 == 0 ? MessageType::kAppend : MessageType::kHeartbeat, term);
      m.index = v.commit_index;
      m.log_term = v.term;
      m.commit = v.commit_index;
      switch (round % 3) {
        case 0:
          m.proof = {own(consensus::StatementKind::kVote, term)};
          break;
        case 1:
          m.proof = {own(consensus::StatementKind::kVote, term),
                     consensus::SignedStatement{other, RandomBytes(ctx.rng, 64)}};
          break;
        default:
          break;
      }
      SendTo(ctx, t.id, RaftFrame(m));
      // A transfer election nobody asked for, up to date with any log.
      Message vote = MessageTo(ctx, t.id, MessageType::kVote, v.term + 1);
      vote.force = true;
      vote.index = std::numeric_limits<uint64_t>::max() - 1;
      vote.log_term = v.term;
      vote.proof = {own(consensus::StatementKind::kTransfer, v.term)};
      SendTo(ctx, t.id, RaftFrame(vote));
      Message timeout = MessageTo(ctx, t.id, MessageType::kTimeoutNow, v.term);
      timeout.proof = vote.proof;
      SendTo(ctx, t.id, RaftFrame(timeout));
      if (v.leader) {
        // A later term from a peer silent in the leader's term: at most once
        // per raft.stuck_peer_periods it costs a one-round-trip re-election.
        Message later = MessageTo(ctx, t.id, MessageType::kAppendResponse, v.term + 1);
        later.reject = true;
        SendTo(ctx, t.id, RaftFrame(later));
      }
    }
  });
}

// --- capture (not in `all`) -------------------------------------------------
// Waits for an honest node that knows no leader (its leader failed), wins
// its vote by claiming a log as complete as any, and then leads it with the
// certificate of that vote and its own: heartbeats, and never a commit. A
// follower must leave such a leader (raft.leader_stall_ms).
void Capture(Context& ctx) {
  const node::ElectionSigner signer(ctx.network_id, *ctx.key, {});
  std::map<uint64_t, uint64_t> asked;  // target → the last term asked for
  Rounds(ctx, std::chrono::milliseconds(25), 1000000, [&](int round) {
    for (const Target& t : ctx.targets) {
      if (auto vote = ctx.observed->vote(t.id)) {
        const uint64_t term = vote->first;
        Message heartbeat = MessageTo(ctx, t.id, MessageType::kHeartbeat, term);
        heartbeat.proof = {
            consensus::SignedStatement{
                ctx.self_id, signer.Sign(consensus::Statement{consensus::StatementKind::kVote, term,
                                                              ctx.self_id})},
            vote->second};
        SendTo(ctx, t.id, RaftFrame(heartbeat));
      }
      if (round % 4 != 0) continue;
      const NodeView v = Look(ctx, t);
      if (!v.leaderless || asked[t.id] > v.term) continue;
      Message request = MessageTo(ctx, t.id, MessageType::kVote, v.term + 1);
      request.index = std::numeric_limits<uint64_t>::max() - 1;
      request.log_term = v.term;
      SendTo(ctx, t.id, RaftFrame(request));
      asked[t.id] = v.term + 1;
    }
  });
}

void Fuzz(Context& ctx) {
  std::vector<std::string> seeds;
  {
    Message hb = MessageTo(ctx, 0, MessageType::kHeartbeat, 1);
    seeds.push_back(RaftFrame(hb));
    Message app = MessageTo(ctx, 0, MessageType::kAppend, 1);
    app.entries.push_back(
        {1, 1, EntryType::kNormal, ledger::EncodeProposal(ForgedProposal(ctx, NowUnixMs()))});
    seeds.push_back(RaftFrame(app));
    Message vote = MessageTo(ctx, 0, MessageType::kVote, 2);
    seeds.push_back(RaftFrame(vote));
    node::CosignMessage cosign;
    cosign.height = 5;
    cosign.signer = ctx.self_name;
    seeds.push_back(WithKind(kKindCosign, node::EncodeCosign(cosign)));
    seeds.push_back(WithKind(kKindForward, ledger::EncodeProposal(ForgedProposal(ctx, 0))));
    node::SnapshotChunk chunk;
    chunk.snapshot = {10, 1};
    chunk.file_count = 1;
    chunk.file_name = "CURRENT";
    chunk.file_size = 4;
    chunk.data = "abcd";
    seeds.push_back(WithKind(kKindSnapshotChunk, node::EncodeSnapshotChunk(chunk)));
  }
  std::map<uint64_t, uint64_t> terms;
  Rounds(ctx, std::chrono::milliseconds(2), 100000, [&](int round) {
    for (const Target& t : ctx.targets) {
      if (round % 50 == 0) terms[t.id] = Look(ctx, t).term;
      std::string p = seeds[ctx.rng() % seeds.size()];
      if (p[0] == kKindRaft && p.size() > 6) {
        // Address it to the target so that it passes the from/to check.
        Message m;
        auto decoded = consensus::DecodeMessage(std::string_view(p).substr(1));
        if (decoded.ok()) {
          m = std::move(decoded).value();
          m.to = t.id;
          m.term = ctx.rng() % 4 == 0 ? ctx.rng() : terms[t.id] + ctx.rng() % 3;
          p = RaftFrame(m);
        }
      }
      switch (ctx.rng() % 4) {
        case 0:  // flip bits
          for (int i = 0, n = 1 + static_cast<int>(ctx.rng() % 8); i < n; ++i) {
            const size_t at = 1 + ctx.rng() % (p.size() - 1);
            p[at] = static_cast<char>(p[at] ^ (1 << (ctx.rng() % 8)));
          }
          break;
        case 1:  // truncate
          p.resize(1 + ctx.rng() % p.size());
          break;
        case 2:  // random body
          p = p.substr(0, 1) + RandomBytes(ctx.rng, ctx.rng() % 512);
          break;
        default:  // random kind byte
          p[0] = static_cast<char>(ctx.rng() % 256);
          break;
      }
      SendTo(ctx, t.id, std::move(p));
    }
  });
}

const std::vector<std::string>& AllAttacks() {
  static const std::vector<std::string> kAll = {
      "forward-bad-utf8", "term-max",   "two-leaders", "snapshot-forge",  "cosign-flood",
      "future-time",      "conn-flood", "inbox-flood", "claim-leadership"};
  return kAll;
}

bool WaitHandshakes(const Context& ctx) {
  const auto deadline = SteadyClock::now() + kHandshakeWait;
  while (SteadyClock::now() < deadline) {
    bool any = false;
    for (const auto& p : ctx.transport->Peers()) any = any || p.connected_out;
    if (any) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Waits (bounded) until what was queued has been written, so the attack
// reaches the peers before this process exits.
void Drain(const Context& ctx) {
  const auto deadline = SteadyClock::now() + kDrainWait;
  while (SteadyClock::now() < deadline) {
    bool queued = false;
    for (const auto& p : ctx.transport->Peers()) queued = queued || p.frames_queued > 0;
    if (!queued) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void RunAttack(Context& ctx, const std::string& attack) {
  ctx.sent.clear();
  ctx.refused.clear();
  const auto start = SteadyClock::now();
  uint64_t connections = 0;
  if (attack == "forward-bad-utf8") {
    ForwardBadUtf8(ctx);
  } else if (attack == "term-max") {
    TermMax(ctx);
  } else if (attack == "two-leaders") {
    TwoLeaders(ctx);
  } else if (attack == "snapshot-forge") {
    SnapshotForge(ctx);
  } else if (attack == "cosign-flood") {
    CosignFlood(ctx);
  } else if (attack == "future-time") {
    FutureTime(ctx);
  } else if (attack == "conn-flood") {
    ConnFlood(ctx, &connections);
  } else if (attack == "inbox-flood") {
    InboxFlood(ctx);
  } else if (attack == "claim-leadership") {
    ClaimLeadership(ctx);
  } else if (attack == "capture") {
    Capture(ctx);
  } else if (attack == "fuzz") {
    Fuzz(ctx);
  }
  Drain(ctx);
  std::ostringstream line;
  line << "attack " << attack << ": "
       << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count()
       << " ms";
  for (const Target& t : ctx.targets) {
    line << "; " << t.name << " frames queued " << ctx.sent[t.id] << " refused "
         << ctx.refused[t.id];
  }
  if (attack == "conn-flood") line << "; raw connections opened " << connections;
  line << "; frames received from honest nodes " << ctx.observed->frames();
  std::cout << line.str() << std::endl;
}

int Main(int argc, char** argv) {
  CLI::App app{"hostile_peer: a hostile validator for the end-to-end tests"};
  std::string genesis_path, key_path, name, listen;
  std::vector<std::string> peers, attacks, status_urls;
  int duration_ms = 1000;
  size_t frame_bytes = 4 << 20;
  uint64_t flood_bytes_max = uint64_t{1} << 30;
  uint64_t seed = 0;
  std::string forge_path;
  app.add_option("--genesis", genesis_path, "genesis.json of the network")->required();
  app.add_option("--key", key_path, "key file of the validator impersonated")->required();
  app.add_option("--name", name, "that validator's name in genesis")->required();
  app.add_option("--peer", peers, "NAME=HOST:PORT of an honest validator's peer port")->required();
  app.add_option("--status", status_urls,
                 "NAME=URL of an honest validator's operational listener (/v1/status)");
  app.add_option("--listen", listen, "HOST:PORT to accept the honest nodes' links on")->required();
  app.add_option("--attack", attacks, "attack to run (repeatable), `all` or `fuzz`")->required();
  app.add_option("--duration-ms", duration_ms, "length of each attack")
      ->check(CLI::Range(1, 600000));
  app.add_option("--frame-bytes", frame_bytes, "payload size for inbox-flood")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30));
  app.add_option("--flood-bytes-max", flood_bytes_max, "inbox-flood bytes per peer, at most");
  app.add_option("--seed", seed, "seed of the random payloads (0: pick one and print it)");
  app.add_option("--forge", forge_path,
                 "a signed credential (JSON) to put in forged blocks and snapshots");
  CLI11_PARSE(app, argc, argv);

  auto genesis = ledger::LoadGenesisFile(genesis_path);
  if (!genesis.ok()) {
    std::cerr << "hostile_peer: --genesis: " << genesis.status().ToString() << "\n";
    return 1;
  }
  auto key = crypto::LoadKeyFile(key_path);
  if (!key.ok()) {
    std::cerr << "hostile_peer: --key: " << key.status().ToString() << "\n";
    return 1;
  }
  Context ctx;
  ctx.self_name = name;
  ctx.key = &*key;
  ctx.network_id = genesis->hash;
  ctx.duration = std::chrono::milliseconds(duration_ms);
  ctx.frame_bytes = frame_bytes;
  ctx.flood_bytes_max = flood_bytes_max;
  if (seed == 0) seed = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
  ctx.rng.seed(seed);
  std::cout << "hostile_peer: seed " << seed << std::endl;

  node::PeerTransportOptions options;
  std::map<std::string, std::pair<std::string, uint16_t>> addresses;
  auto split = [](const std::string& text) -> std::optional<std::pair<std::string, uint16_t>> {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    const int port = std::atoi(text.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return std::nullopt;
    return std::make_pair(text.substr(0, colon), static_cast<uint16_t>(port));
  };
  for (const std::string& p : peers) {
    const size_t eq = p.find('=');
    auto hp = eq == std::string::npos ? std::nullopt : split(p.substr(eq + 1));
    if (!hp) {
      std::cerr << "hostile_peer: --peer \"" << p << "\" is not NAME=HOST:PORT\n";
      return 1;
    }
    addresses[p.substr(0, eq)] = *hp;
  }
  std::map<std::string, std::string> status_by_name;
  for (const std::string& u : status_urls) {
    const size_t eq = u.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == u.size()) {
      std::cerr << "hostile_peer: --status \"" << u << "\" is not NAME=URL\n";
      return 1;
    }
    status_by_name[u.substr(0, eq)] = u.substr(eq + 1);
  }
  for (size_t i = 0; i < genesis->validators.size(); ++i) {
    const ledger::Validator& v = genesis->validators[i];
    // Raft ids follow the genesis order (node/validator.cc, Validator::Open).
    if (v.name == name) ctx.self_id = i + 1;
    auto it = addresses.find(v.name);
    if (it == addresses.end()) continue;
    ctx.targets.push_back(
        {i + 1, v.name, it->second.first, it->second.second, status_by_name[v.name]});
    options.peers.push_back({i + 1, v.name, it->second.first, it->second.second, v.public_key});
  }
  if (ctx.self_id == 0 || ctx.targets.size() != addresses.size()) {
    std::cerr << "hostile_peer: --name and every --peer must name validators of the genesis\n";
    return 1;
  }
  auto listen_at = split(listen);
  if (!listen_at) {
    std::cerr << "hostile_peer: --listen \"" << listen << "\" is not HOST:PORT\n";
    return 1;
  }

  if (!forge_path.empty()) {
    std::ifstream in(forge_path);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = crypto::Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    auto canonical = doc.is_discarded() ? Result<std::string>(Status::InvalidArgument("not JSON"))
                                        : crypto::Canonicalize(doc);
    if (!canonical.ok()) {
      std::cerr << "hostile_peer: --forge " << forge_path << ": " << canonical.status().ToString()
                << "\n";
      return 1;
    }
    ctx.forged_canonical = *canonical;
  } else {
    ctx.forged_canonical = R"({"id":"urn:uuid:0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"})";
  }

  Observed observed;
  ctx.observed = &observed;
  options.self_id = ctx.self_id;
  options.self_name = name;
  options.key = &*key;
  options.network_id = genesis->hash;
  options.listen_host = listen_at->first;
  options.listen_port = listen_at->second;
  options.frame_bytes_max = std::max<size_t>(frame_bytes, 64 << 20);
  options.send_queue_frames_max = 1 << 16;
  options.send_queue_bytes_max = options.frame_bytes_max * 8;
  options.reconnect_backoff_min_ms = 20;
  options.reconnect_backoff_max_ms = 200;
  auto transport = node::PeerTransport::Start(
      std::move(options),
      [&observed](uint64_t from, std::string payload) { observed.Note(from, payload); });
  if (!transport.ok()) {
    std::cerr << "hostile_peer: " << transport.status().ToString() << "\n";
    return 1;
  }
  ctx.transport = transport->get();
  if (!WaitHandshakes(ctx)) {
    std::cerr << "hostile_peer: no handshake with any peer within 10 s\n";
    return 1;
  }
  std::vector<std::string> plan;
  for (const std::string& a : attacks) {
    if (a == "all") {
      plan.insert(plan.end(), AllAttacks().begin(), AllAttacks().end());
    } else if (a == "fuzz" || a == "capture" ||
               std::find(AllAttacks().begin(), AllAttacks().end(), a) != AllAttacks().end()) {
      plan.push_back(a);
    } else {
      std::cerr << "hostile_peer: --attack \"" << a << "\" is unknown\n";
      return 1;
    }
  }
  for (const std::string& a : plan) RunAttack(ctx, a);
  (*transport)->Stop();
  std::cout << "hostile_peer: done" << std::endl;
  return 0;
}

}  // namespace
}  // namespace frontera::hostile

int main(int argc, char** argv) { return frontera::hostile::Main(argc, argv); }
