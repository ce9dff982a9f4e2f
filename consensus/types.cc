#include "consensus/types.h"

#include <algorithm>

namespace frontera::consensus {

bool Membership::IsVoter(NodeId id) const {
  return std::binary_search(voters.begin(), voters.end(), id);
}

bool Membership::IsLearner(NodeId id) const {
  return std::binary_search(learners.begin(), learners.end(), id);
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
