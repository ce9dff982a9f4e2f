// ReadIndex contexts are unique to a process incarnation: an answer meant
// for a read of this validator's previous incarnation, delivered after it
// restarted, never completes a read of the new one (issue 9, defect 2).
#include "node/read_context.h"

#include <doctest/doctest.h>

#include <vector>

#include "tests/consensus/single_node_support.h"

namespace frontera::node {
namespace {

using consensus::Message;
using consensus::MessageType;
using consensus::ReadState;
using consensus::test::Msg;

// Node 1 of {1, 2, 3}, a follower of node 2 in term 2 with three entries
// committed; `context` is the first read context of this incarnation.
struct Incarnation {
  consensus::test::Node node{{1, 2, 2}, 2, 3};
  uint64_t context = FirstReadContext();

  Incarnation() {
    Message heartbeat = Msg(MessageType::kHeartbeat, 2, 2);
    heartbeat.commit = 3;
    node.Accept(heartbeat);
    node.Drain();
  }
  // Asks the leader for a read index; returns the request sent.
  Message AskRead() {
    REQUIRE(node.raft().ReadIndex(context).ok());
    for (Message& m : node.Drain()) {
      if (m.type == MessageType::kReadIndex) return m;
    }
    FAIL("no ReadIndex request was sent");
    return {};
  }
  std::vector<ReadState> TakeReadStates() {
    std::vector<ReadState> out;
    while (node.raft().HasReady()) {
      consensus::Ready rd = node.raft().GetReady();
      out.insert(out.end(), rd.read_states.begin(), rd.read_states.end());
      node.raft().Advance(rd);
    }
    return out;
  }
};

Message Answer(const Message& request, uint64_t index) {
  Message r = Msg(MessageType::kReadIndexResponse, 2, 2);
  r.context = request.context;
  r.index = index;
  return r;
}

TEST_CASE("first read contexts are in [1, 2^62] and differ between incarnations") {
  std::vector<uint64_t> seen;
  for (int i = 0; i < 64; ++i) {
    const uint64_t c = FirstReadContext();
    CHECK(c >= 1);
    CHECK(c <= (uint64_t{1} << 62));
    for (uint64_t s : seen) CHECK(c != s);
    seen.push_back(c);
  }
}

TEST_CASE("a restarted follower ignores the answer to its previous incarnation's read") {
  Message stale_answer;
  {
    Incarnation before;
    stale_answer = Answer(before.AskRead(), 3);
  }  // the process stops; the leader's answer is still in flight
  Incarnation after;
  const Message request = after.AskRead();
  CHECK(request.context != stale_answer.context);
  after.node.Accept(stale_answer);
  CHECK(after.TakeReadStates().empty());
  // Its own answer completes its read.
  after.node.Accept(Answer(request, 3));
  const std::vector<ReadState> states = after.TakeReadStates();
  REQUIRE(states.size() == 1);
  CHECK(states[0] == ReadState{request.context, 3});
}

}  // namespace
}  // namespace frontera::node
