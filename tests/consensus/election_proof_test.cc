// The Raft core with an ElectionAuthority (consensus/election_authority.h):
// a node follows a leader only on a majority's signed votes, counts only
// signed votes, and lets a transfer election through the leader lease only
// with the leader's signed request. The authority here is a test double
// whose "signature" names the signer and the statement: what matters is
// which statements the core asks for and checks, not the cryptography (the
// validators' Ed25519 signer is tested in tests/node).
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/codec.h"
#include "consensus/election_authority.h"
#include "consensus/raft.h"
#include "tests/consensus/single_node_support.h"
#include "tests/consensus/test_network.h"

namespace frontera::consensus {
namespace {

using test::Append;
using test::CheckRefused;
using test::MakeConfig;
using test::Msg;
using test::Node;

class FakeAuthority final : public ElectionAuthority {
 public:
  // Signers 1 to `last` have keys.
  explicit FakeAuthority(NodeId self, NodeId last = 3) : self_(self), last_(last) {}
  static std::string SignatureOf(NodeId signer, const Statement& statement) {
    return "signed by " + std::to_string(signer) + ": " + EncodeStatement(statement);
  }
  std::string Sign(const Statement& statement) const override {
    return SignatureOf(self_, statement);
  }
  bool Verify(NodeId signer, const Statement& statement,
              std::string_view signature) const override {
    return signer >= 1 && signer <= last_ && signature == SignatureOf(signer, statement);
  }

 private:
  NodeId self_;
  NodeId last_;
};

RaftConfig SignedConfig() {
  RaftConfig config = MakeConfig(1);
  config.authority = std::make_shared<FakeAuthority>(1);
  return config;
}

SignedStatement Vote(NodeId voter, uint64_t term, NodeId candidate) {
  return SignedStatement{
      voter, FakeAuthority::SignatureOf(voter, Statement{StatementKind::kVote, term, candidate})};
}

SignedStatement Transfer(NodeId leader, uint64_t term, NodeId candidate) {
  return SignedStatement{leader, FakeAuthority::SignatureOf(
                                     leader, Statement{StatementKind::kTransfer, term, candidate})};
}

TEST_CASE("a node follows a leader of a new term only on a majority's signed votes") {
  Node node({1, 1}, 1, 0, SignedConfig());
  Message claim = Append(2, 2, 2, 1, {});
  CheckRefused(node, claim, "on 0 signed votes; a majority is 2");
  claim.proof = {Vote(2, 2, 2)};
  CheckRefused(node, claim, "on 1 signed votes; a majority is 2");
  claim.proof = {Vote(2, 2, 2), Vote(2, 2, 2)};
  CheckRefused(node, claim, "two votes of node 2");
  claim.proof = {Vote(2, 2, 2), Vote(3, 2, 3)};  // node 3 voted for itself
  CheckRefused(node, claim, "the vote of node 3 in its election certificate does not verify");
  claim.proof = {Vote(2, 2, 2), Vote(3, 1, 2)};  // a vote of another term
  CheckRefused(node, claim, "does not verify");
  // One signer this node does not know as a voter is skipped (the leader's
  // membership may have one voter more); a second is a lie.
  claim.proof = {Vote(2, 2, 2), Vote(9, 2, 2)};
  CheckRefused(node, claim, "on 1 signed votes; a majority is 2");
  claim.proof = {Vote(2, 2, 2), Vote(9, 2, 2), Vote(8, 2, 2)};
  CheckRefused(node, claim, "signed by node 8, not a voter");
  claim.proof = {Vote(2, 2, 2), Vote(3, 2, 2), Vote(1, 2, 2), Vote(3, 2, 2), Vote(9, 2, 2)};
  CheckRefused(node, claim, "5 signatures for 3 voters");

  claim.proof = {Vote(3, 2, 2), Vote(2, 2, 2)};
  node.Accept(claim);
  CHECK(node.raft().leader() == 2);
  CHECK(node.raft().current_term() == 2);
  node.Drain();
  // Known as the leader of term 2, node 2 needs no proof for the rest of it.
  Message heartbeat = Msg(MessageType::kHeartbeat, 2, 2);
  node.Accept(heartbeat);
  CHECK(node.raft().leader() == 2);
}

TEST_CASE("a restarted or candidate node checks the certificate of its own term's leader") {
  Node node({1, 1}, 2, 0, SignedConfig());  // term 2, leader not known
  Message heartbeat = Msg(MessageType::kHeartbeat, 3, 2);
  CheckRefused(node, heartbeat, "on 0 signed votes");
  heartbeat.proof = {Vote(1, 2, 3), Vote(3, 2, 3)};
  node.Accept(heartbeat);
  CHECK(node.raft().leader() == 3);
}

TEST_CASE("a certificate also counts among the attested voters, never among strangers") {
  // This node's log knows voters {1, 2, 3}; since, 4 was added and 3
  // removed, which a verified voter chain tells it: voters {1, 2, 4}.
  RaftConfig config = MakeConfig(1);
  config.authority = std::make_shared<FakeAuthority>(1, 5);
  Node node({1, 1}, 1, 0, config);
  Message claim = Append(2, 2, 2, 1, {});
  claim.proof = {Vote(2, 2, 2), Vote(4, 2, 2)};
  CheckRefused(node, claim, "on 1 signed votes; a majority is 2");
  node.raft().SetAttestedVoters({4, 2, 1});
  // A stranger's vote counts in neither list.
  Message stranger = claim;
  stranger.proof = {Vote(4, 2, 2), Vote(5, 2, 2)};
  CheckRefused(node, stranger, "on 0 signed votes; a majority is 2");
  // A vote that does not verify is refused whichever list names its signer.
  Message forged = claim;
  forged.proof = {Vote(2, 2, 2), Vote(4, 1, 2)};
  CheckRefused(node, forged, "the vote of node 4 in its election certificate does not verify");
  node.Accept(claim);
  CHECK(node.raft().leader() == 2);
  CHECK(node.raft().current_term() == 2);
}

TEST_CASE("a candidate counts only signed votes and leads with their certificate") {
  Node node({1, 1}, 1, 0, SignedConfig());
  for (int i = 0; i < 100 && node.raft().role() == Role::kFollower; ++i) node.raft().Tick();
  node.Accept(Msg(MessageType::kPreVoteResponse, 2, 2));
  REQUIRE(node.raft().role() == Role::kCandidate);
  // Its own vote requests need no proof; its vote for itself is signed.
  for (const Message& m : node.Drain()) CHECK(m.proof.empty());

  Message granted = Msg(MessageType::kVoteResponse, 2, 2);
  CheckRefused(node, granted, "does not carry the signed vote of node 2");
  granted.proof = {Vote(3, 2, 1)};
  CheckRefused(node, granted, "does not carry the signed vote of node 2");
  granted.proof = {Vote(2, 2, 3)};
  CheckRefused(node, granted, "the signed vote of node 2 does not verify");
  granted.proof = {Vote(2, 2, 1)};
  node.Accept(granted);
  REQUIRE(node.raft().role() == Role::kLeader);
  size_t appends = 0;
  for (const Message& m : node.Drain()) {
    if (m.type != MessageType::kAppend) continue;
    ++appends;
    CHECK(m.proof == std::vector<SignedStatement>{Vote(1, 2, 1), Vote(2, 2, 1)});
  }
  CHECK(appends == 2);
}

TEST_CASE("a voter signs the votes it grants, not its refusals") {
  Node node({1, 1}, 1, 0, SignedConfig());
  Message request = Msg(MessageType::kVote, 2, 2);
  request.index = 2;
  request.log_term = 1;
  node.Accept(request);
  std::vector<Message> out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].reject);
  CHECK(out[0].proof == std::vector<SignedStatement>{Vote(1, 2, 2)});
  Message second = request;
  second.from = 3;
  node.Accept(second);
  out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].reject);
  CHECK(out[0].proof.empty());
}

TEST_CASE("a transfer election passes the lease only with the leader's signed request") {
  Message forced = Msg(MessageType::kVote, 3, 2);
  forced.force = true;
  forced.index = 2;
  forced.log_term = 1;
  for (const std::vector<SignedStatement>& proof : {std::vector<SignedStatement>{},
                                                    {Transfer(3, 1, 3)},
                                                    {Transfer(2, 1, 1)},
                                                    {Transfer(2, 2, 3)},
                                                    {Vote(2, 1, 3)}}) {
    Node node({1, 1}, 1, 0, SignedConfig());
    node.Follow(2, 1, 0, {Vote(2, 1, 2), Vote(3, 1, 2)});
    forced.proof = proof;
    node.Accept(forced);  // an ordinary vote request: ignored in the lease
    CHECK(node.raft().current_term() == 1);
    CHECK(node.raft().leader() == 2);
  }
  Node node({1, 1}, 1, 0, SignedConfig());
  node.Follow(2, 1, 0, {Vote(2, 1, 2), Vote(3, 1, 2)});
  forced.proof = {Transfer(2, 1, 3)};
  node.Accept(forced);
  CHECK(node.raft().current_term() == 2);
  const std::vector<Message> out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].reject);
}

TEST_CASE("a TimeoutNow needs the leader's signed transfer, which the campaign carries") {
  Node node({1, 1}, 1, 0, SignedConfig());
  node.Follow(2, 1, 0, {Vote(2, 1, 2), Vote(3, 1, 2)});
  Message timeout = Msg(MessageType::kTimeoutNow, 2, 1);
  CheckRefused(node, timeout, "does not carry the signed transfer of node 2");
  timeout.proof = {Transfer(2, 1, 3)};
  CheckRefused(node, timeout, "the signed transfer of node 2 does not verify");
  timeout.proof = {Transfer(2, 1, 1)};
  node.Accept(timeout);
  CHECK(node.raft().role() == Role::kCandidate);
  size_t requests = 0;
  for (const Message& m : node.Drain()) {
    if (m.type != MessageType::kVote) continue;
    ++requests;
    CHECK(m.force);
    CHECK(m.proof == std::vector<SignedStatement>{Transfer(2, 1, 1)});
  }
  CHECK(requests == 2);
}

TEST_CASE("a leader signs its transfer request") {
  Node node({1, 1}, 1, 0, SignedConfig());
  for (int i = 0; i < 100 && node.raft().role() == Role::kFollower; ++i) node.raft().Tick();
  node.Accept(Msg(MessageType::kPreVoteResponse, 2, 2));
  Message granted = Msg(MessageType::kVoteResponse, 2, 2);
  granted.proof = {Vote(2, 2, 1)};
  node.Accept(granted);
  REQUIRE(node.raft().role() == Role::kLeader);
  node.Drain();
  Message ack = Msg(MessageType::kAppendResponse, 3, 2);
  ack.index = node.raft().last_index();
  node.Accept(ack);
  node.Drain();
  REQUIRE(node.raft().TransferLeadership(3).ok());
  size_t timeouts = 0;
  for (const Message& m : node.Drain()) {
    if (m.type != MessageType::kTimeoutNow) continue;
    ++timeouts;
    CHECK(m.to == 3);
    CHECK(m.proof == std::vector<SignedStatement>{Transfer(1, 2, 3)});
  }
  CHECK(timeouts == 1);
}

}  // namespace
}  // namespace frontera::consensus

namespace frontera::consensus {
namespace {

// With an authority the peers are untrusted, and three more rules keep one
// of them from pushing a node's term away from the others' or from holding
// it under a leader that stalls (docs/security.md).

Message VoteRequest(NodeId from, uint64_t term, uint64_t last_index, uint64_t last_term) {
  Message m = Msg(MessageType::kVote, from, term);
  m.index = last_index;
  m.log_term = last_term;
  return m;
}

TEST_CASE("untrusted peers: a follower that granted a vote holds a lease for that candidate") {
  Node node({1, 1}, 1, 0, SignedConfig());
  node.Accept(VoteRequest(2, 2, 2, 1));
  node.Drain();
  REQUIRE(node.raft().current_term() == 2);
  node.Accept(VoteRequest(3, 3, 2, 1));  // another candidate: ignored
  CHECK(node.raft().current_term() == 2);
  CHECK(node.Drain().empty());
  node.Accept(VoteRequest(2, 3, 2, 1));  // the same candidate, again: heard
  CHECK(node.raft().current_term() == 3);
  // Trusted peers (no authority): the vote holds no lease.
  Node trusted({1, 1}, 1);
  trusted.Accept(VoteRequest(2, 2, 2, 1));
  trusted.Accept(VoteRequest(3, 3, 2, 1));
  CHECK(trusted.raft().current_term() == 3);
}

TEST_CASE("untrusted peers: a follower ignores a later term in an answer it did not ask for") {
  for (MessageType type :
       {MessageType::kAppendResponse, MessageType::kVoteResponse, MessageType::kPreVoteResponse,
        MessageType::kReadIndex, MessageType::kReadIndexResponse}) {
    CAPTURE(MessageTypeName(type));
    Node node({1, 1}, 1, 0, SignedConfig());
    Message m = Msg(type, 3, 9);
    m.reject = true;
    node.Accept(m);
    CHECK(node.raft().current_term() == 1);
  }
  Node trusted({1, 1}, 1);
  Message m = Msg(MessageType::kAppendResponse, 3, 9);
  m.reject = true;
  trusted.Accept(m);
  CHECK(trusted.raft().current_term() == 9);
}

TEST_CASE("untrusted peers: a vote refused for the candidate's log does not move the term") {
  Node node({1, 2}, 2, 0, SignedConfig());
  node.Accept(VoteRequest(3, 9, 5, 1));  // last term 1 < 2: not up to date
  CHECK(node.raft().current_term() == 2);
  const std::vector<Message> out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == MessageType::kVoteResponse);
  CHECK(out[0].reject);
  CHECK(out[0].term == 2);
  Node trusted({1, 2}, 2);
  trusted.Accept(VoteRequest(3, 9, 5, 1));
  CHECK(trusted.raft().current_term() == 9);
}

TEST_CASE("a follower that distrusts its leader campaigns and ignores that node for a while") {
  Node node({1, 1}, 1, 0, SignedConfig());
  node.Follow(2, 1, 0, {Vote(2, 1, 2), Vote(3, 1, 2)});
  node.raft().DistrustLeader();
  CHECK(node.raft().distrusted() == 2);
  CHECK(node.raft().leader() == kNoNode);
  node.raft().Tick();
  CHECK(node.raft().role() == Role::kPreCandidate);
  node.Drain();
  // Node 2's heartbeats and vote requests are ignored, not followed.
  node.Accept(Msg(MessageType::kHeartbeat, 2, 1));
  CHECK(node.raft().leader() == kNoNode);
  node.Accept(VoteRequest(2, 3, 2, 1));
  CHECK(node.raft().current_term() == 1);
  CHECK(node.Drain().empty());
  // Node 3 can win this node's vote.
  node.Accept(VoteRequest(3, 2, 2, 1));
  CHECK(node.raft().current_term() == 2);
  const std::vector<Message> out = node.Drain();
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].reject);
  // The distrust ends after stuck_peer_periods election timeouts.
  const RaftConfig config = SignedConfig();
  for (uint64_t t = 0; t < uint64_t{config.stuck_peer_periods} * config.election_ticks; ++t) {
    node.raft().Tick();
    node.Drain();
  }
  CHECK(node.raft().distrusted() == kNoNode);
}

TEST_CASE("a restarted follower still follows the leader it checked, after the voters changed") {
  // Node 1 leads term 1 on the votes of 1 and 2 (node 3 was cut off): a
  // majority of {1, 2, 3}. Then node 4 joins and is promoted: 2 of {1, 2, 3,
  // 4} are no majority, yet node 1 still leads the term.
  test::Network net(3);
  for (NodeId id = 1; id <= 3; ++id)
    net.config(id).authority = std::make_shared<FakeAuthority>(id, 4);
  net.Start();
  net.Isolate(3);
  net.Elect(1);
  net.Heal();
  net.TickAll(2);
  const Membership three{{1, 2, 3}, {}};
  REQUIRE(net.node(1).ProposeMembership({{1, 2, 3}, {4}}, "add 4").ok());
  net.AddNode(4, three);
  net.Settle();
  net.TickAll(3);
  REQUIRE(net.node(1).ProposeMembership({{1, 2, 3, 4}, {}}, "promote 4").ok());
  net.Settle();
  REQUIRE(net.node(2).membership() == Membership{{1, 2, 3, 4}, {}});
  // Node 2 restarts: it knows node 1 leads term 1 from its hard state and
  // follows its heartbeats (counting the certificate again among four
  // voters would refuse them).
  CHECK(net.storage(2).GetHardState().term_leader == 1);
  net.Restart(2);
  net.TickAll(2);
  CHECK(net.node(2).leader() == 1);
  CHECK(net.node(2).current_term() == 1);
  REQUIRE(net.node(1).Propose("after the restart").ok());
  net.Settle();
  CHECK(net.node(2).commit_index() == net.node(1).commit_index());
}

}  // namespace
}  // namespace frontera::consensus
