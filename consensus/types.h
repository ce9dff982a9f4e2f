// The values the Raft core exchanges with its driver: log entries, the hard
// state that must be durable, and the messages between peers (Raft paper §5,
// with PreVote from the thesis §9.6).
//
// Thread-safety: plain values; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frontera::consensus {

// A voter's id. 0 means "none" (no leader known, no vote cast).
using NodeId = uint64_t;
inline constexpr NodeId kNoNode = 0;

enum class EntryType : uint8_t {
  kNormal,  // carries an application command in `data`
  kNoop,    // appended by a new leader for its term (Raft §8); `data` is empty
  kConfig,  // a membership change: `data` is an encoded ConfigChange (codec.h)
};

// The servers of one configuration (thesis §4). Voters elect the leader and
// form its quorums; learners (the validators' observers, and a new validator
// catching up before it votes) receive the log but neither vote nor count.
struct Membership {
  std::vector<NodeId> voters;    // Sorted, distinct, non-zero; empty: none recorded.
  std::vector<NodeId> learners;  // Sorted, distinct, non-zero; none a voter.
  bool IsVoter(NodeId id) const;
  bool IsLearner(NodeId id) const;
  bool Contains(NodeId id) const { return IsVoter(id) || IsLearner(id); }
  // How many voters are in one of the two sets and not the other.
  size_t VoterDifference(const Membership& other) const;
  bool operator==(const Membership&) const = default;
};

// The next single-server step from `current` toward `target` (thesis §4.1),
// or nullopt when they are equal. Steps in this order, so that the cluster
// never has fewer voters than it needs on the way: remove a learner the
// target lacks; add a missing member as a learner (a voter catches up
// before it votes); promote a learner the target makes a voter; demote a
// voter the target makes a learner; remove a voter the target lacks. Each
// step moves one voter at most. REQUIRES: target has a voter.
std::optional<Membership> NextMembershipStep(const Membership& current, const Membership& target);

// What a kConfig entry carries: the membership from that entry on, and what
// the application recorded with it (Frontera: the governance document that
// asked for the change), opaque to the core.
struct ConfigChange {
  Membership membership = {};
  std::string context;
  bool operator==(const ConfigChange&) const = default;
};

// One log entry. Indexes start at 1; index 0 with term 0 is the empty prefix.
struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;
  bool operator==(const Entry&) const = default;
};

// State that must be durable before any message that depends on it is sent.
struct HardState {
  uint64_t current_term = 0;   // Monotonic.
  NodeId voted_for = kNoNode;  // Candidate voted for in current_term.
  uint64_t commit_index = 0;   // Monotonic; <= last log index.
  // The leader of current_term as this node learned it (its election
  // certificate checked), itself once it leads; kNoNode until then. Kept
  // across a restart: the certificate was counted among the voters of that
  // time, which a later membership change may no longer make a majority.
  NodeId term_leader = kNoNode;
  bool operator==(const HardState&) const = default;
};

enum class MessageType : uint8_t {
  kPreVote,
  kPreVoteResponse,
  kVote,
  kVoteResponse,
  kAppend,
  kAppendResponse,
  kHeartbeat,
  kHeartbeatResponse,
  kSnapshot,           // leader → follower whose next entry was compacted away
  kReadIndex,          // follower → leader: ReadIndex request (thesis §6.4)
  kReadIndexResponse,  // leader → follower: the read index for `context`
  kTimeoutNow,         // leader → transferee: campaign now (thesis §3.10)
};

// The point a state-machine snapshot covers: every entry up to and including
// `index` (whose term is `term`) is in it.
struct SnapshotMeta {
  uint64_t index = 0;
  uint64_t term = 0;
  // The membership in effect at `index` (its last kConfig entry, or the
  // initial one); empty in a snapshot point recorded before membership
  // changes existed, when the initial membership holds.
  Membership membership = {};
  bool operator==(const SnapshotMeta&) const = default;
};

// The answer to a ReadIndex request: once the state machine has applied
// `index`, a read that started before the request sees every write
// acknowledged before it (linearizable; thesis §6.4).
struct ReadState {
  uint64_t context = 0;  // The caller's request id.
  uint64_t index = 0;
  bool operator==(const ReadState&) const = default;
};

std::string_view MessageTypeName(MessageType type);

// What a signature in an election proof says (see ElectionAuthority).
enum class StatementKind : uint8_t {
  kVote = 1,      // The signer votes for `candidate` in `term` (Raft §5.2).
  kTransfer = 2,  // The signer, leader of `term`, asks `candidate` to campaign
                  // for term + 1 at once (thesis §3.10).
};

struct Statement {
  StatementKind kind = StatementKind::kVote;
  uint64_t term = 0;
  NodeId candidate = kNoNode;
  bool operator==(const Statement&) const = default;
};

// One validator's signature over a Statement, as a message carries it.
struct SignedStatement {
  NodeId signer = kNoNode;
  std::string signature;
  bool operator==(const SignedStatement&) const = default;
};

// One peer message. Field meaning per type:
//  kPreVote/kVote: term = proposed/candidate term; index/log_term = the
//    candidate's last log index and term.
//  k*VoteResponse: term = the voter's term (for a granted PreVote, the term
//    asked about); reject = refused.
//  kAppend: index/log_term = prev_log_index/prev_log_term; entries follow it;
//    commit = leader's commit_index.
//  kAppendResponse: success: index = last index known to match. Reject:
//    index = the rejected prev_log_index; reject_hint = the follower's last
//    index (log_term = 0, log too short) or the first index of the conflicting
//    term (log_term = that term).
//  kHeartbeat: commit = min(leader commit, follower's match index);
//    context = the ReadIndex round it confirms (0: none).
//  kHeartbeatResponse: context echoes the heartbeat's; reject = the
//    heartbeat's commit is beyond what this follower has confirmed to match
//    the leader's log in this term (e.g. it restarted): probe it.
//  kSnapshot: snapshot = what the leader's snapshot covers; the driver
//    streams the snapshot data alongside and steps the message into the
//    receiver's core only once the data is complete and staged.
//  kReadIndex: context = the request id (follower → leader).
//  kReadIndexResponse: context = the request id; index = the read index;
//    reject = the leader could not serve it (not leader yet / not committed
//    in its term).
//  kTimeoutNow: term = the leader's term (leadership transfer).
//  kVote/kPreVote with force = true: a transfer election; voters grant it
//    even when they heard from a leader recently (thesis §3.10).
//  proof (only with an ElectionAuthority; empty otherwise):
//    granted kVoteResponse: the voter's kVote statement for (term, to);
//    kAppend/kHeartbeat/kSnapshot: the sender's election certificate, kVote
//      statements for (term, from) by a majority of the voters;
//    kTimeoutNow: the leader's kTransfer statement for (term, to);
//    kVote with force: the kTransfer statement of the leader of term - 1
//      that the candidate received in its kTimeoutNow.
struct Message {
  MessageType type = MessageType::kHeartbeat;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  uint64_t term = 0;
  uint64_t log_term = 0;
  uint64_t index = 0;
  std::vector<Entry> entries;
  uint64_t commit = 0;
  bool reject = false;
  uint64_t reject_hint = 0;
  uint64_t context = 0;
  bool force = false;
  SnapshotMeta snapshot;
  std::vector<SignedStatement> proof;
  bool operator==(const Message&) const = default;
};

}  // namespace frontera::consensus
