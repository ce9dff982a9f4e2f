#include "consensus/types.h"

#include <algorithm>

namespace frontera::consensus {

bool Membership::IsVoter(NodeId id) const {
  return std::binary_search(voters.begin(), voters.end(), id);
}

bool Membership::IsLearner(NodeId id) const {
  return std::binary_search(learners.begin(), learners.end(), id);
}

namespace {

void Insert(std::vector<NodeId>& ids, NodeId id) {
  ids.insert(std::upper_bound(ids.begin(), ids.end(), id), id);
}

void Erase(std::vector<NodeId>& ids, NodeId id) { std::erase(ids, id); }

}  // namespace

std::optional<Membership> NextMembershipStep(const Membership& current, const Membership& target) {
  if (current == target) return std::nullopt;
  Membership next = current;
  for (NodeId id : current.learners) {
    if (!target.Contains(id)) {
      Erase(next.learners, id);
      return next;
    }
  }
  const auto add_learner = [&](NodeId id) {
    if (current.Contains(id)) return false;
    Insert(next.learners, id);
    return true;
  };
  for (NodeId id : target.voters) {
    if (add_learner(id)) return next;
  }
  for (NodeId id : target.learners) {
    if (add_learner(id)) return next;
  }
  for (NodeId id : target.voters) {
    if (current.IsLearner(id)) {
      Erase(next.learners, id);
      Insert(next.voters, id);
      return next;
    }
  }
  for (NodeId id : current.voters) {
    if (target.IsLearner(id) && current.voters.size() > 1) {
      Erase(next.voters, id);
      Insert(next.learners, id);
      return next;
    }
  }
  for (NodeId id : current.voters) {
    if (!target.Contains(id) && current.voters.size() > 1) {
      Erase(next.voters, id);
      return next;
    }
  }
  return std::nullopt;
}

size_t Membership::VoterDifference(const Membership& other) const {
  size_t difference = 0;
  for (NodeId id : voters) difference += other.IsVoter(id) ? 0 : 1;
  for (NodeId id : other.voters) difference += IsVoter(id) ? 0 : 1;
  return difference;
}

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kPreVote:
      return "PreVote";
    case MessageType::kPreVoteResponse:
      return "PreVoteResponse";
    case MessageType::kVote:
      return "Vote";
    case MessageType::kVoteResponse:
      return "VoteResponse";
    case MessageType::kAppend:
      return "Append";
    case MessageType::kAppendResponse:
      return "AppendResponse";
    case MessageType::kHeartbeat:
      return "Heartbeat";
    case MessageType::kHeartbeatResponse:
      return "HeartbeatResponse";
    case MessageType::kSnapshot:
      return "Snapshot";
    case MessageType::kReadIndex:
      return "ReadIndex";
    case MessageType::kReadIndexResponse:
      return "ReadIndexResponse";
    case MessageType::kTimeoutNow:
      return "TimeoutNow";
  }
  return "Unknown";
}

}  // namespace frontera::consensus
