#include "consensus/raft.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/check.h"

namespace frontera::consensus {

Status RaftConfig::Validate() const {
  if (id == kNoNode) return Status::InvalidArgument("raft config: id must be non-zero");
  if (peers.empty()) return Status::InvalidArgument("raft config: peers must list every voter");
  std::set<NodeId> seen;
  for (NodeId peer : peers) {
    if (peer == kNoNode) return Status::InvalidArgument("raft config: peers contains id 0");
    if (!seen.insert(peer).second) {
      return Status::InvalidArgument("raft config: peers lists node " + std::to_string(peer) +
                                     " twice");
    }
  }
  if (!seen.contains(id)) {
    return Status::InvalidArgument("raft config: peers must include this node's id " +
                                   std::to_string(id));
  }
  if (heartbeat_ticks < 1) {
    return Status::InvalidArgument("raft config: heartbeat_ticks must be >= 1");
  }
  if (election_ticks < 2 * heartbeat_ticks) {
    return Status::InvalidArgument("raft config: election_ticks must be >= 2 * heartbeat_ticks");
  }
  if (max_inflight_appends < 1 || max_inflight_appends > 1024) {
    return Status::InvalidArgument("raft config: max_inflight_appends must be in [1, 1024]");
  }
  if (max_entries_per_append < 1 || max_entries_per_append > 65536) {
    return Status::InvalidArgument("raft config: max_entries_per_append must be in [1, 65536]");
  }
  if (max_uncommitted_entries < 1 || max_uncommitted_entries > (1u << 20)) {
    return Status::InvalidArgument("raft config: max_uncommitted_entries must be in [1, 1048576]");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Raft>> Raft::Create(const RaftConfig& config, const LogStorage& storage) {
  FRONTERA_RETURN_IF_ERROR(config.Validate());
  std::unique_ptr<Raft> raft(new Raft(config));
  const HardState hs = storage.GetHardState();
  const uint64_t last = storage.LastIndex();
  Result<std::vector<Entry>> entries = storage.Entries(1, last + 1);
  if (!entries.ok()) return entries.status();
  for (uint64_t i = 0; i < entries->size(); ++i) {
    const Entry& e = (*entries)[i];
    if (e.index != i + 1 || (i > 0 && e.term < (*entries)[i - 1].term) ||
        e.term > hs.current_term) {
      return Status::Corruption("stored raft log is inconsistent at index " +
                                std::to_string(i + 1));
    }
  }
  if (hs.commit_index > last) {
    return Status::Corruption("stored commit_index " + std::to_string(hs.commit_index) +
                              " is beyond the last log index " + std::to_string(last));
  }
  if (config.applied_index > hs.commit_index) {
    return Status::Corruption("applied_index " + std::to_string(config.applied_index) +
                              " is beyond the stored commit_index");
  }
  raft->log_ = std::move(entries).value();
  raft->stable_index_ = last;
  raft->current_term_ = hs.current_term;
  raft->voted_for_ = hs.voted_for;
  raft->commit_index_ = hs.commit_index;
  raft->applied_index_ = config.applied_index;
  raft->persisted_hard_state_ = hs;
  raft->checked_term_ = hs.current_term;
  raft->checked_commit_ = hs.commit_index;
  return raft;
}

Raft::Raft(const RaftConfig& config) : config_(config) {
  // Mix the id into the seed so that nodes of one cluster given the same seed
  // still draw different timeouts (§5.2: randomization splits votes).
  rng_state_ = config.seed ^ (config.id * 0x9E3779B97F4A7C15ULL);
  ResetRandomizedElectionTimeout();
}

uint64_t Raft::NextRandom() {
  // splitmix64: small, fast and fully determined by the seed.
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_ticks_ = config_.election_ticks + NextRandom() % config_.election_ticks;
}

uint64_t Raft::TermAt(uint64_t index) const {
  if (index == 0 || index > log_.size()) return 0;
  return log_[index - 1].term;
}

uint64_t Raft::MatchIndex(NodeId peer) const {
  if (role_ != Role::kLeader) return 0;
  auto it = progress_.find(peer);
  return it == progress_.end() ? 0 : it->second.match;
}

void Raft::BecomeFollower(uint64_t term, NodeId leader) {
  FRONTERA_CHECK(term >= current_term_) << "term would go back from " << current_term_;
  if (term > current_term_) {
    current_term_ = term;
    voted_for_ = kNoNode;
  }
  role_ = Role::kFollower;
  leader_ = leader;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  progress_.clear();
  votes_.clear();
  ResetRandomizedElectionTimeout();
}

void Raft::BecomePreCandidate() {
  // Thesis §9.6: a pre-candidate keeps its term and vote; it only asks whether
  // it could win, so a partitioned node cannot inflate its term.
  role_ = Role::kPreCandidate;
  leader_ = kNoNode;
  election_elapsed_ = 0;
  votes_.clear();
  progress_.clear();
  ResetRandomizedElectionTimeout();
}

void Raft::BecomeCandidate() {
  // Raft §5.2: increment the term and vote for self.
  role_ = Role::kCandidate;
  current_term_ += 1;
  voted_for_ = config_.id;
  leader_ = kNoNode;
  election_elapsed_ = 0;
  votes_.clear();
  progress_.clear();
  ResetRandomizedElectionTimeout();
}

void Raft::BecomeLeader() {
  role_ = Role::kLeader;
  leader_ = config_.id;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  votes_.clear();
  progress_.clear();
  for (NodeId peer : config_.peers) {
    Progress& pr = progress_[peer];
    pr.next = last_index() + 1;
    pr.recent_active = true;
  }
  // Raft §8 / §5.4.2: a no-op of the new term lets the leader commit (through
  // counting replicas of an entry of its own term) everything before it.
  Entry noop;
  noop.term = current_term_;
  noop.index = last_index() + 1;
  noop.type = EntryType::kNoop;
  AppendToLog({noop});
  progress_[config_.id].match = last_index();
  progress_[config_.id].next = last_index() + 1;
  MaybeCommit();
  BroadcastAppend(/*send_if_empty=*/true);
}

void Raft::Campaign(bool pre) {
  if (pre) {
    BecomePreCandidate();
  } else {
    BecomeCandidate();
  }
  const uint64_t term = pre ? current_term_ + 1 : current_term_;
  votes_[config_.id] = true;
  if (votes_.size() >= Quorum()) {  // A cluster of one.
    if (pre) {
      BecomeCandidate();
    }
    BecomeLeader();
    return;
  }
  for (NodeId peer : config_.peers) {
    if (peer == config_.id) continue;
    Message m;
    m.type = pre ? MessageType::kPreVote : MessageType::kVote;
    m.to = peer;
    m.term = term;
    m.index = last_index();
    m.log_term = LastTerm();
    Send(std::move(m));
  }
}

void Raft::Tick() {
  if (role_ == Role::kLeader) {
    ++heartbeat_elapsed_;
    ++election_elapsed_;
    if (election_elapsed_ >= config_.election_ticks) {
      election_elapsed_ = 0;
      if (config_.check_quorum) {
        // Thesis §6.2: a leader that has not heard from a quorum within an
        // election timeout steps down so clients can find the real leader.
        uint64_t active = 0;
        for (auto& [peer, pr] : progress_) {
          if (peer == config_.id || pr.recent_active) ++active;
          pr.recent_active = false;
        }
        if (active < Quorum()) {
          BecomeFollower(current_term_, kNoNode);
          return;
        }
      }
    }
    if (heartbeat_elapsed_ >= config_.heartbeat_ticks) {
      heartbeat_elapsed_ = 0;
      BroadcastHeartbeat();
    }
    return;
  }
  ++election_elapsed_;
  if (election_elapsed_ >= randomized_election_ticks_) {
    // Raft §5.2: a follower that hears nothing for an election timeout starts
    // an election (a stalled candidate starts a new one).
    // A stalled candidate runs PreVote again first (§9.6).
    Campaign(config_.pre_vote);
  }
}

Status Raft::Propose(std::string data) {
  if (role_ != Role::kLeader) {
    if (leader_ != kNoNode) {
      return Status::Unavailable("node " + std::to_string(config_.id) +
                                 " is not the leader; the leader is node " +
                                 std::to_string(leader_));
    }
    return Status::Unavailable("node " + std::to_string(config_.id) +
                               " is not the leader and no leader is known; retry later");
  }
  if (last_index() - commit_index_ >= config_.max_uncommitted_entries) {
    return Status::ResourceExhausted(
        "raft: " + std::to_string(last_index() - commit_index_) +
        " entries are waiting to commit (max_uncommitted_entries); retry later");
  }
  Entry e;
  e.term = current_term_;
  e.index = last_index() + 1;
  e.type = EntryType::kNormal;
  e.data = std::move(data);
  AppendToLog({std::move(e)});
  progress_[config_.id].match = last_index();
  progress_[config_.id].next = last_index() + 1;
  MaybeCommit();
  BroadcastAppend(/*send_if_empty=*/false);
  return Status::Ok();
}

void Raft::Send(Message message) {
  message.from = config_.id;
  if (message.term == 0) message.term = current_term_;
  outbox_.push_back(std::move(message));
}

void Raft::AppendToLog(std::vector<Entry> entries) {
  for (Entry& e : entries) {
    FRONTERA_CHECK(e.index >= 1 && e.index <= last_index() + 1) << "gap at index " << e.index;
    if (e.index <= last_index()) {
      if (TermAt(e.index) == e.term) continue;  // Already have it (§5.3 Log Matching).
      // Raft §5.3: delete the conflicting entry and all that follow it.
      FRONTERA_CHECK(e.index > commit_index_)
          << "truncating committed entry " << e.index << " (commit " << commit_index_ << ")";
      log_.resize(e.index - 1);
      stable_index_ = std::min(stable_index_, e.index - 1);
    }
    log_.push_back(std::move(e));
  }
}

void Raft::SendAppend(NodeId to, bool send_if_empty) {
  Progress& pr = progress_[to];
  if (pr.probing && pr.probe_sent) return;
  if (!pr.probing && pr.inflight.size() >= config_.max_inflight_appends) return;
  Message m;
  m.type = MessageType::kAppend;
  m.to = to;
  m.index = pr.next - 1;
  m.log_term = TermAt(m.index);
  m.commit = commit_index_;
  const uint64_t hi = std::min<uint64_t>(last_index(), m.index + config_.max_entries_per_append);
  for (uint64_t i = pr.next; i <= hi; ++i) m.entries.push_back(log_[i - 1]);
  if (m.entries.empty() && !send_if_empty && !pr.probing) return;
  if (pr.probing) {
    pr.probe_sent = true;
  } else if (!m.entries.empty()) {
    // Pipelining: optimistically advance next; bounded by max_inflight_appends.
    pr.next = m.entries.back().index + 1;
    pr.inflight.push_back(m.entries.back().index);
  }
  Send(std::move(m));
}

void Raft::BroadcastAppend(bool send_if_empty) {
  for (NodeId peer : config_.peers) {
    if (peer != config_.id) SendAppend(peer, send_if_empty);
  }
}

void Raft::BroadcastHeartbeat() {
  for (NodeId peer : config_.peers) {
    if (peer == config_.id) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = peer;
    // The follower may not have our entries up to commit_index yet.
    m.commit = std::min(progress_[peer].match, commit_index_);
    Send(std::move(m));
  }
}

bool Raft::MaybeCommit() {
  std::vector<uint64_t> matches;
  for (const auto& [peer, pr] : progress_) matches.push_back(pr.match);
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const uint64_t quorum_index = matches[Quorum() - 1];
  // Raft §5.4.2: never commit an entry of an earlier term by counting
  // replicas; only one of the current term commits (and with it its prefix).
  if (quorum_index > commit_index_ && TermAt(quorum_index) == current_term_) {
    commit_index_ = quorum_index;
    return true;
  }
  return false;
}

Status Raft::Step(const Message& m) {
  if (m.to != config_.id) {
    return Status::InvalidArgument("message for node " + std::to_string(m.to) +
                                   " delivered to node " + std::to_string(config_.id));
  }
  if (m.from == config_.id ||
      std::find(config_.peers.begin(), config_.peers.end(), m.from) == config_.peers.end()) {
    return Status::InvalidArgument("message from unknown peer " + std::to_string(m.from));
  }
  const bool is_vote_request = m.type == MessageType::kPreVote || m.type == MessageType::kVote;
  if (m.term > current_term_) {
    if (is_vote_request && config_.check_quorum && leader_ != kNoNode &&
        election_elapsed_ < config_.election_ticks) {
      // Thesis §4.2.3: while we heard from a leader within the minimum
      // election timeout, ignore (pre-)vote requests; a removed or partitioned
      // server must not depose a working leader.
      return Status::Ok();
    }
    if (m.type == MessageType::kPreVote || (m.type == MessageType::kPreVoteResponse && !m.reject)) {
      // Thesis §9.6: a pre-vote does not change anyone's term. A granted
      // pre-vote response carries the term we asked about.
    } else if (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat) {
      BecomeFollower(m.term, m.from);
    } else {
      // Raft §5.1: a higher term makes this node a follower of that term.
      BecomeFollower(m.term, kNoNode);
    }
  } else if (m.term < current_term_) {
    // Raft §5.1: a message with a stale term is rejected. Answer stale
    // leaders so they learn the newer term and step down, and stale
    // pre-candidates so they stop.
    if (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat) {
      Message r;
      r.type = MessageType::kAppendResponse;
      r.to = m.from;
      r.index = m.index;
      r.reject = true;
      r.reject_hint = last_index();
      Send(std::move(r));
    } else if (m.type == MessageType::kPreVote) {
      Message r;
      r.type = MessageType::kPreVoteResponse;
      r.to = m.from;
      r.reject = true;
      Send(std::move(r));
    }
    return Status::Ok();
  }

  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      HandleVoteRequest(m);
      break;
    case MessageType::kPreVoteResponse:
    case MessageType::kVoteResponse:
      HandleVoteResponse(m);
      break;
    case MessageType::kAppend:
      HandleAppend(m);
      break;
    case MessageType::kHeartbeat:
      HandleHeartbeat(m);
      break;
    case MessageType::kAppendResponse:
      HandleAppendResponse(m);
      break;
    case MessageType::kHeartbeatResponse:
      HandleHeartbeatResponse(m);
      break;
  }
  return Status::Ok();
}

void Raft::HandleVoteRequest(const Message& m) {
  const bool pre = m.type == MessageType::kPreVote;
  // Raft §5.2: at most one vote per term, first come first served (a repeat
  // request from the same candidate gets the same answer). A pre-vote for a
  // later term commits to nothing, so it may be granted freely (§9.6).
  const bool can_vote = voted_for_ == m.from || (voted_for_ == kNoNode && leader_ == kNoNode) ||
                        (pre && m.term > current_term_);
  // Raft §5.4.1: grant only to a candidate whose log is at least as
  // up-to-date: later last term, or same last term and at least as long.
  const bool up_to_date =
      m.log_term > LastTerm() || (m.log_term == LastTerm() && m.index >= last_index());
  Message r;
  r.type = pre ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  r.to = m.from;
  if (can_vote && up_to_date) {
    r.term = m.term;
    if (!pre) {
      voted_for_ = m.from;
      election_elapsed_ = 0;
    }
  } else {
    r.term = current_term_;
    r.reject = true;
  }
  Send(std::move(r));
}

void Raft::HandleVoteResponse(const Message& m) {
  const bool pre = m.type == MessageType::kPreVoteResponse;
  if (pre ? role_ != Role::kPreCandidate : role_ != Role::kCandidate) return;
  votes_.emplace(m.from, !m.reject);
  uint64_t granted = 0;
  uint64_t rejected = 0;
  for (const auto& [peer, vote] : votes_) (vote ? granted : rejected) += 1;
  if (granted >= Quorum()) {
    if (pre) {
      Campaign(/*pre=*/false);  // Pre-vote quorum: now run the real election (§9.6).
    } else {
      BecomeLeader();  // Raft §5.2: a majority of votes wins.
    }
  } else if (rejected >= Quorum()) {
    BecomeFollower(current_term_, kNoNode);
  }
}

void Raft::HandleAppend(const Message& m) {
  // Raft §5.2 election safety: one leader per term, so a leader never hears
  // an append of its own term.
  FRONTERA_CHECK(role_ != Role::kLeader) << "two leaders in term " << m.term;
  if (role_ != Role::kFollower) BecomeFollower(m.term, m.from);
  leader_ = m.from;
  election_elapsed_ = 0;
  Message r;
  r.type = MessageType::kAppendResponse;
  r.to = m.from;
  // Raft §5.3: reject unless our log has an entry at prev_log_index whose term
  // matches prev_log_term.
  if (m.index > last_index()) {
    r.index = m.index;
    r.reject = true;
    r.reject_hint = last_index();
    r.log_term = 0;
    Send(std::move(r));
    return;
  }
  if (TermAt(m.index) != m.log_term) {
    // Back-off hint (§5.3 optimisation): skip the whole conflicting term.
    const uint64_t conflict_term = TermAt(m.index);
    uint64_t first = m.index;
    while (first > 1 && TermAt(first - 1) == conflict_term) --first;
    FRONTERA_CHECK(m.index > commit_index_) << "committed entry " << m.index << " conflicts";
    r.index = m.index;
    r.reject = true;
    r.reject_hint = first;
    r.log_term = conflict_term;
    Send(std::move(r));
    return;
  }
  AppendToLog(m.entries);
  const uint64_t last_new = m.index + m.entries.size();
  // Raft Figure 2: commitIndex = min(leaderCommit, index of last new entry).
  commit_index_ = std::max(commit_index_, std::min(m.commit, last_new));
  r.index = last_new;
  Send(std::move(r));
}

void Raft::HandleHeartbeat(const Message& m) {
  FRONTERA_CHECK(role_ != Role::kLeader) << "two leaders in term " << m.term;
  if (role_ != Role::kFollower) BecomeFollower(m.term, m.from);
  leader_ = m.from;
  election_elapsed_ = 0;
  // The leader sends min(commit, our match), so these entries match its log.
  commit_index_ = std::max(commit_index_, std::min(m.commit, last_index()));
  Message r;
  r.type = MessageType::kHeartbeatResponse;
  r.to = m.from;
  Send(std::move(r));
}

void Raft::HandleAppendResponse(const Message& m) {
  if (role_ != Role::kLeader) return;
  Progress& pr = progress_[m.from];
  pr.recent_active = true;
  if (m.reject) {
    // Ignore stale rejections (duplicated or reordered responses).
    if (pr.probing ? m.index != pr.next - 1 : m.index <= pr.match) return;
    const uint64_t hint = m.log_term == 0 ? m.reject_hint + 1 : m.reject_hint;
    pr.next = std::max(pr.match + 1, std::min(hint, m.index));
    pr.probing = true;
    pr.probe_sent = false;
    pr.inflight.clear();
    SendAppend(m.from, /*send_if_empty=*/true);
    return;
  }
  while (!pr.inflight.empty() && pr.inflight.front() <= m.index) pr.inflight.pop_front();
  if (m.index > pr.match) {
    pr.match = m.index;
    if (pr.probing) {
      pr.probing = false;
      pr.inflight.clear();
      pr.next = pr.match + 1;
    } else {
      pr.next = std::max(pr.next, pr.match + 1);
    }
    if (MaybeCommit()) {
      BroadcastAppend(/*send_if_empty=*/true);
      return;
    }
  } else if (pr.probing) {
    pr.probe_sent = false;
  }
  while (pr.next <= last_index() &&
         (pr.probing ? !pr.probe_sent : pr.inflight.size() < config_.max_inflight_appends)) {
    const uint64_t before = outbox_.size();
    SendAppend(m.from, /*send_if_empty=*/false);
    if (outbox_.size() == before) break;
  }
}

void Raft::HandleHeartbeatResponse(const Message& m) {
  if (role_ != Role::kLeader) return;
  Progress& pr = progress_[m.from];
  pr.recent_active = true;
  if (pr.match < last_index()) {
    // Appends may have been lost: resume from the last known match. This
    // restarts the pipeline once per heartbeat when a follower lags.
    pr.probing = true;
    pr.probe_sent = false;
    pr.inflight.clear();
    pr.next = pr.match + 1;
    SendAppend(m.from, /*send_if_empty=*/true);
  }
}

bool Raft::HasReady() const {
  const HardState hs{current_term_, voted_for_, commit_index_};
  return hs != persisted_hard_state_ || stable_index_ < last_index() || !outbox_.empty() ||
         applied_index_ < commit_index_;
}

Ready Raft::GetReady() {
  Ready rd;
  const HardState hs{current_term_, voted_for_, commit_index_};
  if (hs != persisted_hard_state_) rd.hard_state = hs;
  rd.entries.assign(log_.begin() + static_cast<std::ptrdiff_t>(stable_index_), log_.end());
  rd.committed_entries.assign(log_.begin() + static_cast<std::ptrdiff_t>(applied_index_),
                              log_.begin() + static_cast<std::ptrdiff_t>(commit_index_));
  rd.messages = std::move(outbox_);
  outbox_.clear();
  return rd;
}

void Raft::Advance(const Ready& ready) {
  if (ready.hard_state) persisted_hard_state_ = *ready.hard_state;
  if (!ready.entries.empty()) {
    const Entry& last = ready.entries.back();
    // Only if nothing persisted was replaced since GetReady.
    if (last.index <= last_index() && TermAt(last.index) == last.term &&
        ready.entries.front().index <= stable_index_ + 1) {
      stable_index_ = std::max(stable_index_, last.index);
    }
  }
  if (!ready.committed_entries.empty()) {
    FRONTERA_CHECK(ready.committed_entries.back().index <= commit_index_);
    applied_index_ = std::max(applied_index_, ready.committed_entries.back().index);
  }
}

void Raft::CheckInvariants() {
  FRONTERA_CHECK(current_term_ >= checked_term_)
      << "node " << config_.id << ": term went back from " << checked_term_;
  FRONTERA_CHECK(commit_index_ >= checked_commit_)
      << "node " << config_.id << ": commit went back from " << checked_commit_;
  FRONTERA_CHECK(commit_index_ <= last_index())
      << "node " << config_.id << ": commit " << commit_index_ << " > last " << last_index();
  FRONTERA_CHECK(applied_index_ <= commit_index_) << "node " << config_.id;
  FRONTERA_CHECK(stable_index_ <= last_index()) << "node " << config_.id;
  for (uint64_t i = 0; i < log_.size(); ++i) {
    FRONTERA_CHECK(log_[i].index == i + 1) << "node " << config_.id << ": index gap at " << i + 1;
    FRONTERA_CHECK(log_[i].term <= current_term_)
        << "node " << config_.id << ": entry " << i + 1 << " from a future term";
    FRONTERA_CHECK(i == 0 || log_[i].term >= log_[i - 1].term)
        << "node " << config_.id << ": terms decrease at " << i + 1;
  }
  if (role_ == Role::kLeader) {
    FRONTERA_CHECK(leader_ == config_.id && voted_for_ == config_.id) << "node " << config_.id;
    FRONTERA_CHECK(LastTerm() == current_term_)
        << "node " << config_.id << ": leader without an entry of its term";
    // Raft §8: the first entry of the leader's term is its no-op.
    uint64_t first = last_index();
    while (first > 1 && TermAt(first - 1) == current_term_) --first;
    FRONTERA_CHECK(log_[first - 1].type == EntryType::kNoop)
        << "node " << config_.id << ": leader's term does not start with a no-op";
    for (const auto& [peer, pr] : progress_) {
      FRONTERA_CHECK(pr.match < pr.next && pr.match <= last_index())
          << "node " << config_.id << ": bad progress for " << peer;
      FRONTERA_CHECK(pr.inflight.size() <= config_.max_inflight_appends);
    }
  }
  if (role_ == Role::kCandidate) FRONTERA_CHECK(voted_for_ == config_.id);
  checked_term_ = current_term_;
  checked_commit_ = commit_index_;
}

}  // namespace frontera::consensus
