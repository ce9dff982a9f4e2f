// Multi-step Raft stories with golden output, in the style of etcd raft's
// testdata/*.txt. Each file in tests/consensus/scenarios/ is a list of blocks:
//
//   # optional comment lines
//   command args
//   ----
//   output lines (none blank)
//   <blank line>
//
// The interpreter runs every command against a cluster of real Raft cores over
// MemoryStorage and a network it controls, renders the file again with the
// actual output, and compares it with the stored text. With
// FRONTERA_REWRITE_GOLDEN=1 it rewrites the files instead; review the diff by
// eye: each file must tell its story (see its comments).
//
// Commands:
//   cluster N [key=value...]  N nodes; keys: election_ticks, heartbeat_ticks,
//                             max_entries_per_append, max_inflight_appends,
//                             pre_vote, check_quorum (0/1), seed
//   tick <id|all> [xK]        K ticks (default 1)
//   campaign <id>             ticks <id> until its election timeout fires
//                             (it sends (pre-)vote requests or leads)
//   propose <id> <data>       Raft::Propose
//   deliver [xK]              K rounds (default 1); a round delivers, in
//                             order, the messages pending when it starts
//   stabilize                 rounds until no message is pending
//   partition a b | c ...     only nodes in the same group can talk
//   heal                      removes the partition
//   drop <a>-><b>             discards pending messages from a to b
//   compact <id> <index>      Raft::Compact (and the node's storage)
//   transfer <id> <target>    Raft::TransferLeadership
//   read-index <id> <ctx>     Raft::ReadIndex
//   restart <id>              rebuilds the node's core from its storage
//   status                    role, term, commit, applied, last of each node
//   log [id]                  the log of one node or of every node
//
// After every step the interpreter persists each node's Ready (snapshot,
// hard state and entries before messages), queues its messages, and prints
// what changed: role/term/leader, commit index, snapshot, transfer and the
// read states handed out. A kSnapshot message is "streamed" when delivered
// (ReportSnapshot(ok)) and reported failed when the partition drops it.
// Every message a partition drops is reported to its sender
// (ReportUnreachable), as a transport whose connection broke does.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "consensus/log_storage.h"
#include "consensus/raft.h"

namespace frontera::consensus {
namespace {

std::string RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "Follower";
    case Role::kPreCandidate:
      return "PreCandidate";
    case Role::kCandidate:
      return "Candidate";
    case Role::kLeader:
      return "Leader";
  }
  return "Unknown";
}

std::string DescribeEntries(const std::vector<Entry>& entries) {
  std::string out = "[";
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (i > 0) out += ", ";
    out += std::to_string(e.index) + "/" + std::to_string(e.term) + " " +
           (e.type == EntryType::kNoop ? std::string("noop") : e.data);
  }
  return out + "]";
}

std::string DescribeSnapshot(const SnapshotMeta& s) {
  return std::to_string(s.index) + "/" + std::to_string(s.term);
}

std::string DescribeMessage(const Message& m) {
  std::ostringstream o;
  o << m.from << "->" << m.to << " " << MessageTypeName(m.type) << " t" << m.term;
  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      o << " last=" << m.index << "/" << m.log_term << (m.force ? " force" : "");
      break;
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      o << (m.reject ? " rejected" : " granted");
      break;
    case MessageType::kAppend:
      o << " prev=" << m.index << "/" << m.log_term << " " << DescribeEntries(m.entries)
        << " commit=" << m.commit;
      break;
    case MessageType::kAppendResponse:
      if (m.reject) {
        o << " reject index=" << m.index << " hint=" << m.reject_hint << "/" << m.log_term;
      } else {
        o << " index=" << m.index;
      }
      break;
    case MessageType::kHeartbeat:
      o << " commit=" << m.commit;
      if (m.context != 0) o << " ctx=" << m.context;
      break;
    case MessageType::kHeartbeatResponse:
      if (m.context != 0) o << " ctx=" << m.context;
      break;
    case MessageType::kSnapshot:
      o << " snapshot=" << DescribeSnapshot(m.snapshot);
      break;
    case MessageType::kReadIndex:
      o << " ctx=" << m.context;
      break;
    case MessageType::kReadIndexResponse:
      o << " ctx=" << m.context;
      if (m.reject) {
        o << " rejected";
      } else {
        o << " index=" << m.index;
      }
      break;
    case MessageType::kTimeoutNow:
      break;
  }
  return o.str();
}

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

// What the interpreter last printed about one node; a change is reported.
struct Observed {
  std::string role;  // "Leader t2", "Follower t2 lead=1", ...
  uint64_t commit = 0;
  SnapshotMeta snapshot;
  NodeId transferee = kNoNode;
  bool operator==(const Observed&) const = default;
};

class Cluster {
 public:
  // Runs one command line; returns its output lines, or an "error: ..."
  // line for a command the interpreter does not understand.
  std::vector<std::string> Run(const std::string& line) {
    out_.clear();
    const std::vector<std::string> w = Split(line);
    if (w.empty()) return {"error: empty command"};
    const std::string& cmd = w[0];
    if (cmd == "cluster") {
      CmdCluster(w);
    } else if (nodes_.empty()) {
      out_.push_back("error: run `cluster N` first");
    } else if (cmd == "tick" && (w.size() == 2 || w.size() == 3)) {
      const int times = w.size() == 3 ? Times(w[2]) : 1;
      for (int i = 0; i < times; ++i) {
        for (NodeId id : Targets(w[1])) {
          nodes_.at(id)->Tick();
          Process();
        }
      }
    } else if (cmd == "campaign" && w.size() == 2) {
      const NodeId id = Id(w[1]);
      int ticks = 0;
      auto campaigning = [&] {
        return nodes_.at(id)->role() == Role::kLeader ||
               std::any_of(queue_.begin(), queue_.end(), [&](const Message& m) {
                 return m.from == id &&
                        (m.type == MessageType::kPreVote || m.type == MessageType::kVote);
               });
      };
      while (ticks < 100 && !campaigning()) {
        nodes_.at(id)->Tick();
        ++ticks;
        Process();
      }
      out_.push_back("(" + std::to_string(ticks) + " ticks)");
    } else if (cmd == "propose" && w.size() == 3) {
      Report(nodes_.at(Id(w[1]))->Propose(w[2]));
    } else if (cmd == "deliver" && w.size() <= 2) {
      const int rounds = w.size() == 2 ? Times(w[1]) : 1;
      for (int i = 0; i < rounds && !queue_.empty(); ++i) DeliverRound();
      if (out_.empty()) out_.push_back("(no messages)");
    } else if (cmd == "stabilize" && w.size() == 1) {
      for (int i = 0; i < 100 && !queue_.empty(); ++i) DeliverRound();
      if (out_.empty()) out_.push_back("(no messages)");
    } else if (cmd == "partition") {
      CmdPartition(w);
    } else if (cmd == "heal" && w.size() == 1) {
      group_.clear();
      out_.push_back("ok");
    } else if (cmd == "drop" && w.size() == 2) {
      CmdDrop(w[1]);
    } else if (cmd == "compact" && w.size() == 3) {
      const NodeId id = Id(w[1]);
      Status s = nodes_.at(id)->Compact(std::stoull(w[2]));
      if (s.ok()) s = storage_.at(id).Compact(nodes_.at(id)->snapshot());
      Report(s);
    } else if (cmd == "transfer" && w.size() == 3) {
      Report(nodes_.at(Id(w[1]))->TransferLeadership(std::stoull(w[2])));
    } else if (cmd == "read-index" && w.size() == 3) {
      Report(nodes_.at(Id(w[1]))->ReadIndex(std::stoull(w[2])));
    } else if (cmd == "restart" && w.size() == 2) {
      // A crash and restart: the core is rebuilt from what it persisted; its
      // state machine (applied index) is durable too.
      const NodeId id = Id(w[1]);
      RaftConfig c = configs_.at(id);
      c.applied_index = nodes_.at(id)->applied_index();
      Result<std::unique_ptr<Raft>> r = Raft::Create(c, storage_.at(id));
      REQUIRE(r.ok());
      nodes_[id] = std::move(r).value();
      out_.push_back(StatusLine(*nodes_[id]));
    } else if (cmd == "status" && w.size() == 1) {
      for (const auto& [id, raft] : nodes_) out_.push_back(StatusLine(*raft));
    } else if (cmd == "log" && w.size() <= 2) {
      for (NodeId id : Targets(w.size() == 2 ? w[1] : "all")) {
        const Raft& raft = *nodes_.at(id);
        out_.push_back(std::to_string(id) + ": snapshot=" + DescribeSnapshot(raft.snapshot()) +
                       " " + DescribeEntries(raft.log()));
      }
    } else {
      out_.push_back("error: unknown command or wrong arguments: " + line);
    }
    if (!nodes_.empty()) Process();  // What a proposal, compaction or read set off.
    if (out_.empty()) out_.push_back("ok");
    // Repeats (a leader's heartbeats while cut off) print once with a count.
    std::vector<std::string> collapsed;
    size_t repeats = 0;
    for (size_t i = 0; i < out_.size(); ++i) {
      if (i + 1 < out_.size() && out_[i + 1] == out_[i]) {
        ++repeats;
        continue;
      }
      collapsed.push_back(repeats == 0 ? out_[i]
                                       : out_[i] + " (x" + std::to_string(repeats + 1) + ")");
      repeats = 0;
    }
    return collapsed;
  }

 private:
  NodeId Id(const std::string& word) {
    const NodeId id = std::stoull(word);
    REQUIRE_MESSAGE(nodes_.contains(id), "no node " << word);
    return id;
  }
  std::vector<NodeId> Targets(const std::string& word) {
    if (word != "all") return {Id(word)};
    std::vector<NodeId> ids;
    for (const auto& [id, raft] : nodes_) ids.push_back(id);
    return ids;
  }
  static int Times(const std::string& word) {
    REQUIRE_MESSAGE((word.size() > 1 && word[0] == 'x'), "expected xN, got " << word);
    return std::stoi(word.substr(1));
  }
  void Report(const Status& s) { out_.push_back(s.ok() ? "ok" : "error: " + s.ToString()); }

  void CmdCluster(const std::vector<std::string>& w) {
    REQUIRE(w.size() >= 2);
    const size_t n = std::stoull(w[1]);
    std::vector<NodeId> ids;
    for (NodeId id = 1; id <= n; ++id) ids.push_back(id);
    RaftConfig base;
    base.peers = ids;
    base.election_ticks = 10;
    base.heartbeat_ticks = 1;
    base.max_entries_per_append = 8;
    base.max_inflight_appends = 4;
    base.seed = 1;
    for (size_t i = 2; i < w.size(); ++i) {
      const size_t eq = w[i].find('=');
      REQUIRE_MESSAGE(eq != std::string::npos, "expected key=value, got " << w[i]);
      const std::string key = w[i].substr(0, eq);
      const uint64_t value = std::stoull(w[i].substr(eq + 1));
      if (key == "election_ticks") {
        base.election_ticks = static_cast<uint32_t>(value);
      } else if (key == "heartbeat_ticks") {
        base.heartbeat_ticks = static_cast<uint32_t>(value);
      } else if (key == "max_entries_per_append") {
        base.max_entries_per_append = static_cast<uint32_t>(value);
      } else if (key == "max_inflight_appends") {
        base.max_inflight_appends = static_cast<uint32_t>(value);
      } else if (key == "pre_vote") {
        base.pre_vote = value != 0;
      } else if (key == "check_quorum") {
        base.check_quorum = value != 0;
      } else if (key == "seed") {
        base.seed = value;
      } else {
        FAIL("unknown cluster option " << key);
      }
    }
    nodes_.clear();
    configs_.clear();
    storage_.clear();
    seen_.clear();
    queue_.clear();
    group_.clear();
    for (NodeId id : ids) {
      RaftConfig c = base;
      c.id = id;
      configs_[id] = c;
      Result<std::unique_ptr<Raft>> r = Raft::Create(c, storage_[id]);
      REQUIRE(r.ok());
      nodes_[id] = std::move(r).value();
      seen_[id] = Observe(*nodes_[id]);
    }
    for (const auto& [id, raft] : nodes_) out_.push_back(StatusLine(*raft));
  }

  void CmdPartition(const std::vector<std::string>& w) {
    group_.clear();
    int group = 1;
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i] == "|") {
        ++group;
      } else {
        group_[Id(w[i])] = group;
      }
    }
    // A node left out of every group is alone.
    for (const auto& [id, raft] : nodes_) {
      if (!group_.contains(id)) group_[id] = ++group;
    }
    out_.push_back("ok");
  }

  void CmdDrop(const std::string& arrow) {
    const size_t pos = arrow.find("->");
    REQUIRE_MESSAGE(pos != std::string::npos, "expected a->b, got " << arrow);
    const NodeId from = Id(arrow.substr(0, pos));
    const NodeId to = Id(arrow.substr(pos + 2));
    std::vector<Message> kept;
    for (Message& m : queue_) {
      if (m.from == from && m.to == to) {
        out_.push_back("dropped " + DescribeMessage(m));
        if (m.type == MessageType::kSnapshot) nodes_.at(from)->ReportSnapshot(to, false);
      } else {
        kept.push_back(std::move(m));
      }
    }
    queue_ = std::move(kept);
    if (out_.empty()) out_.push_back("(no messages)");
    Process();
  }

  bool Connected(NodeId a, NodeId b) const {
    if (group_.empty()) return true;
    return group_.at(a) == group_.at(b);
  }

  void DeliverRound() {
    std::vector<Message> round = std::move(queue_);
    queue_.clear();
    for (const Message& m : round) {
      if (!Connected(m.from, m.to)) {
        out_.push_back(DescribeMessage(m) + " (dropped: partition)");
        // As a transport over broken connections does: the sender learns.
        if (m.type == MessageType::kSnapshot) nodes_.at(m.from)->ReportSnapshot(m.to, false);
        nodes_.at(m.from)->ReportUnreachable(m.to);
        Process();
        continue;
      }
      out_.push_back(DescribeMessage(m));
      REQUIRE(nodes_.at(m.to)->Step(m).ok());
      if (m.type == MessageType::kSnapshot) nodes_.at(m.from)->ReportSnapshot(m.to, true);
      Process();
    }
  }

  // Persists every node's Ready, queues its messages, and prints changes.
  void Process() {
    for (auto& [id, raft] : nodes_) {
      while (raft->HasReady()) {
        Ready rd = raft->GetReady();
        if (rd.snapshot) {
          storage_.at(id).InstallSnapshot(*rd.snapshot);
          out_.push_back("  " + std::to_string(id) + ": installs snapshot " +
                         DescribeSnapshot(*rd.snapshot));
        }
        if (rd.hard_state) storage_.at(id).SetHardState(*rd.hard_state);
        REQUIRE(storage_.at(id).Append(rd.entries).ok());
        for (const ReadState& r : rd.read_states) {
          out_.push_back("  " + std::to_string(id) + ": read state ctx=" +
                         std::to_string(r.context) + " index=" + std::to_string(r.index));
        }
        for (Message& m : rd.messages) queue_.push_back(std::move(m));
        raft->Advance(rd);
      }
      raft->CheckInvariants();
      const Observed now = Observe(*raft);
      Observed& before = seen_[id];
      const std::string prefix = "  " + std::to_string(id) + ": ";
      if (now.role != before.role) out_.push_back(prefix + before.role + " -> " + now.role);
      if (now.commit != before.commit) {
        out_.push_back(prefix + "commit " + std::to_string(before.commit) + " -> " +
                       std::to_string(now.commit));
      }
      if (now.snapshot != before.snapshot) {
        out_.push_back(prefix + "snapshot " + DescribeSnapshot(before.snapshot) + " -> " +
                       DescribeSnapshot(now.snapshot));
      }
      if (now.transferee != before.transferee) {
        out_.push_back(prefix +
                       (now.transferee == kNoNode
                            ? std::string("leadership transfer ended")
                            : "transferring leadership to " + std::to_string(now.transferee)));
      }
      before = now;
    }
  }

  static Observed Observe(const Raft& raft) {
    Observed o;
    o.role = RoleName(raft.role()) + " t" + std::to_string(raft.current_term());
    if (raft.role() == Role::kFollower && raft.leader() != kNoNode) {
      o.role += " lead=" + std::to_string(raft.leader());
    }
    o.commit = raft.commit_index();
    o.snapshot = raft.snapshot();
    o.transferee = raft.lead_transferee();
    return o;
  }

  static std::string StatusLine(const Raft& raft) {
    return std::to_string(raft.id()) + ": " + RoleName(raft.role()) +
           " term=" + std::to_string(raft.current_term()) +
           " lead=" + std::to_string(raft.leader()) +
           " commit=" + std::to_string(raft.commit_index()) +
           " applied=" + std::to_string(raft.applied_index()) +
           " last=" + std::to_string(raft.last_index()) +
           " snapshot=" + DescribeSnapshot(raft.snapshot());
  }

  std::map<NodeId, RaftConfig> configs_;
  std::map<NodeId, MemoryStorage> storage_;
  std::map<NodeId, std::unique_ptr<Raft>> nodes_;
  std::map<NodeId, Observed> seen_;
  std::map<NodeId, int> group_;  // Empty: everyone connected.
  std::vector<Message> queue_;   // Pending messages, in the order sent.
  std::vector<std::string> out_;
};

struct Block {
  std::vector<std::string> comments;  // Lines before the command, kept verbatim.
  std::string command;
};

std::vector<Block> Parse(const std::string& text) {
  std::vector<Block> blocks;
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  Block pending;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty()) continue;
    if (line[0] == '#') {
      pending.comments.push_back(line);
      continue;
    }
    pending.command = line;
    blocks.push_back(std::move(pending));
    pending = Block();
    if (i + 1 < lines.size() && lines[i + 1] == "----") {
      ++i;
      while (i + 1 < lines.size() && !lines[i + 1].empty()) ++i;  // the old output
    }
  }
  return blocks;
}

std::string Render(const std::vector<Block>& blocks) {
  Cluster cluster;
  std::string out;
  for (const Block& block : blocks) {
    for (const std::string& c : block.comments) out += c + "\n";
    out += block.command + "\n----\n";
    for (const std::string& line : cluster.Run(block.command)) out += line + "\n";
    out += "\n";
  }
  return out;
}

// The first line where two texts differ, for a readable failure.
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::istringstream a(want);
  std::istringstream b(got);
  std::string la;
  std::string lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "none";
    if (!more_a || !more_b || la != lb) {
      return "line " + std::to_string(line) + ":\n  golden: " + (more_a ? la : "<end>") +
             "\n  actual: " + (more_b ? lb : "<end>");
    }
  }
}

std::filesystem::path ScenarioDir() {
  // FRONTERA_FIXTURES_DIR is tests/fixtures; the scenarios sit beside it.
  return std::filesystem::path(FRONTERA_FIXTURES_DIR).parent_path() / "consensus" / "scenarios";
}

TEST_CASE("scenario interpreter renders commands and their output") {
  const std::string text =
      "# a one-node cluster elects itself\n"
      "cluster 1\n"
      "----\n"
      "stale output\n"
      "\n"
      "campaign 1\n"
      "bogus 1\n";
  const std::vector<Block> blocks = Parse(text);
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].comments.size() == 1);
  CHECK(blocks[0].command == "cluster 1");
  CHECK(blocks[1].command == "campaign 1");
  const std::string rendered = Render(blocks);
  CHECK(rendered.find("stale output") == std::string::npos);
  CHECK(rendered.find("1: Follower t0 -> Leader t1") != std::string::npos);
  CHECK(rendered.find("error: unknown command or wrong arguments: bogus 1") != std::string::npos);
  CHECK(Parse(rendered).size() == 3);
  CHECK(Render(Parse(rendered)) == rendered);  // rendering is a fixed point
}

TEST_CASE("scenarios match their golden output") {
  const bool rewrite = std::getenv("FRONTERA_REWRITE_GOLDEN") != nullptr &&
                       std::string(std::getenv("FRONTERA_REWRITE_GOLDEN")) == "1";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(ScenarioDir())) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 6);
  for (const std::filesystem::path& file : files) {
    CAPTURE(file.string());
    std::ifstream in(file);
    REQUIRE(in.good());
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string golden = buffer.str();
    const std::string actual = Render(Parse(golden));
    CHECK_MESSAGE(actual.find("error: unknown command") == std::string::npos, actual);
    if (rewrite) {
      std::ofstream(file) << actual;
      continue;
    }
    CHECK_MESSAGE(actual == golden, "output differs from the golden file at "
                                        << FirstDifference(golden, actual)
                                        << "\n(rerun with FRONTERA_REWRITE_GOLDEN=1 and review "
                                           "the diff)");
  }
}

}  // namespace
}  // namespace frontera::consensus
