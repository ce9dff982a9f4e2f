// node::Validator, the voter chain (ledger/voter_chain.h): a node keeps the
// link of every block that changed the voters, which it co-signs with its
// peers as it applies the block. A node that was down or far behind then
// never receives the peers' signatures for that block: it asks its peers for
// the link, checks what comes back against its own ledger and the links
// below it, and keeps it. It also asks for links above its ledger: those,
// checked from the genesis through the links it holds, tell it today's
// voters, whose election certificates it then counts (a node that missed a
// voter's removal and the election after it could not follow the new
// leader otherwise). Asks and answers are peer frames like any other:
// bounded, rate-limited, and refused with a reason when wrong.
#include <algorithm>
#include <chrono>

#include "common/binary.h"
#include "ledger/voter_chain.h"
#include "node/log.h"
#include "node/peer_transport.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

using validator_internal::Envelope;
using validator_internal::PeerKind;

namespace {

// How often a node missing a link asks for it, and how often it answers one
// peer.
constexpr auto kLinkAskInterval = std::chrono::seconds(2);
constexpr auto kLinkAnswerInterval = std::chrono::milliseconds(500);
// Received links waiting for the apply thread; more are dropped (asked again).
constexpr size_t kReceivedLinksMax = 16;
// The largest link frame: a note of kVotersMax signatures and its voters.
constexpr size_t kLinkFrameBytesMax = 256 << 10;

}  // namespace

void Validator::OnVoterChangeAsk(uint64_t from, std::string_view body) {
  BinaryReader r(body, "voter change ask");
  uint64_t height = 0;
  if (Status s = r.U64("height", height); !s.ok() || !r.End().ok()) {
    return RefusePeer(from, "voter_change", "an ask that is not one 8-byte height");
  }
  {
    const auto now = std::chrono::steady_clock::now();
    MutexLock lock(link_answer_mu_);
    auto [it, fresh] = link_answered_.try_emplace(from, now);
    if (!fresh && now - it->second < kLinkAnswerInterval) return;
    it->second = now;
  }
  Result<std::vector<ledger::VoterChange>> links = CurrentLedger()->sm->VoterChanges();
  if (!links.ok() || !transport_) return;
  // The lowest link at or above the height asked for (links are by height).
  for (const ledger::VoterChange& link : *links) {
    if (link.height < height) continue;
    transport_->Send(from, Envelope(PeerKind::kVoterChange, ledger::VoterChangeJson(link).dump()));
    return;
  }
}

void Validator::OnVoterChange(uint64_t from, std::string_view body) {
  if (body.size() > kLinkFrameBytesMax) {
    return RefusePeer(from, "voter_change",
                      "a link of more than " + std::to_string(kLinkFrameBytesMax) + " bytes");
  }
  auto json = crypto::ParseJson(body);
  if (!json.ok()) return RefusePeer(from, "voter_change", "a link that is not JSON");
  auto link = ledger::VoterChangeFromJson(*json, "link");
  if (!link.ok()) return RefusePeer(from, "voter_change", link.status().message());
  {
    MutexLock lock(apply_mu_);
    if (received_links_.size() >= kReceivedLinksMax) return;
    received_links_.emplace_back(from, std::move(link).value());
    cosigned_waiting_ = true;
  }
  apply_cv_.notify_one();
}

void Validator::KeepVoterChanges(const Ledger& ledger,
                                 const std::vector<ledger::VoterChange>& links) {
  if (links.empty()) return;
  storage::WriteBatch batch;
  Status s = ledger::StageVoterChanges(*ledger.store, links, batch);
  if (s.ok()) s = ledger.store->Write(batch, /*sync=*/false);
  FRONTERA_CHECK(s.ok()) << "voter chain write failed: " << s.ToString();
  WriteVoterChangesToSnapshots(ledger);
}

void Validator::RepairVoterChain(const std::shared_ptr<Ledger>& ledger) {
  std::vector<std::pair<uint64_t, ledger::VoterChange>> received;
  {
    MutexLock lock(apply_mu_);
    received.swap(received_links_);
  }
  const auto now = std::chrono::steady_clock::now();
  if (received.empty() && now - last_link_ask_ < kLinkAskInterval) return;
  Result<std::vector<ledger::ValidatorRecord>> records = ledger->sm->Validators();
  Result<std::vector<ledger::VoterChange>> held = ledger->sm->VoterChanges();
  if (!records.ok() || !held.ok()) return;
  const std::vector<uint64_t> heights = ledger::VoterChangeHeights(*records);
  const uint64_t applied = ledger->sm->Summary().block_height;
  const auto holds = [&](uint64_t h) {
    return std::any_of(held->begin(), held->end(),
                       [&](const ledger::VoterChange& c) { return c.height == h; });
  };

  const bool chain_complete = held->size() == heights.size();
  bool future_changed = false;
  std::vector<ledger::VoterChange> added;
  for (auto& [from, link] : received) {
    if (holds(link.height)) continue;
    if (link.height > applied) {
      // Above this ledger: checked from the genesis through every link this
      // node holds and the later ones it received; kept in memory only.
      if (!chain_complete ||
          (!future_links_.empty() && link.height <= future_links_.back().height)) {
        continue;
      }
      std::vector<ledger::VoterChange> chain = *held;
      chain.insert(chain.end(), future_links_.begin(), future_links_.end());
      chain.push_back(link);
      auto followed = ledger::FollowVoterChanges(genesis_, chain, "link");
      if (!followed.ok()) {
        RefusePeer(from, "voter_change", followed.status().message());
        continue;
      }
      LogInfo(config_.name, "the link of block " + std::to_string(link.height) +
                                " of the voter chain, above the ledger applied here (block " +
                                std::to_string(applied) + "), names the voters " +
                                ledger::VotersJson(link.voters).dump());
      future_links_.push_back(std::move(link));
      future_changed = true;
      continue;
    }
    if (!std::binary_search(heights.begin(), heights.end(), link.height) || link.height > applied) {
      RefusePeer(from, "voter_change",
                 "a link of block " + std::to_string(link.height) +
                     ", which did not change the voters of the ledger applied here");
      continue;
    }
    if (!ledger::SameVoters(link.voters, ledger::VotersAfter(*records, link.height))) {
      RefusePeer(from, "voter_change",
                 "a link of block " + std::to_string(link.height) +
                     " naming voters the ledger applied here does not give");
      continue;
    }
    // Checked from the genesis through the links below it; while one of
    // those is missing too, it waits (the lowest is asked for first).
    std::vector<ledger::VoterChange> chain;
    for (const ledger::VoterChange& c : *held) {
      if (c.height < link.height) chain.push_back(c);
    }
    if (std::count_if(heights.begin(), heights.end(), [&](uint64_t h) {
          return h < link.height;
        }) != static_cast<std::ptrdiff_t>(chain.size())) {
      continue;
    }
    chain.push_back(link);
    auto followed = ledger::FollowVoterChanges(genesis_, chain, "link");
    if (!followed.ok()) {
      RefusePeer(from, "voter_change", followed.status().message());
      continue;
    }
    held->push_back(link);
    std::sort(held->begin(), held->end(),
              [](const ledger::VoterChange& a, const ledger::VoterChange& b) {
                return a.height < b.height;
              });
    added.push_back(std::move(link));
  }
  KeepVoterChanges(*ledger, added);
  for (const ledger::VoterChange& link : added) {
    LogInfo(config_.name, "received the link of block " + std::to_string(link.height) +
                              " of the voter chain from a peer");
  }

  // Links the ledger has reached are its own now (kept as above once their
  // co-signatures or a peer's copy arrive).
  const size_t before = future_links_.size();
  std::erase_if(future_links_, [&](const ledger::VoterChange& c) { return c.height <= applied; });
  if (future_changed || future_links_.size() != before) {
    MutexLock lock(members_mu_);
    attested_voters_ = future_links_.empty() ? ledger::Voters{} : future_links_.back().voters;
    ++attested_generation_;
  }

  // Ask for the lowest link missing (its co-signatures may still be on
  // their way: a peer that holds it answers), else for the first link above
  // what this node knows.
  if (now - last_link_ask_ < kLinkAskInterval) return;
  last_link_ask_ = now;
  uint64_t ask_height =
      std::max(applied, future_links_.empty() ? 0 : future_links_.back().height) + 1;
  for (uint64_t h : heights) {
    if (!holds(h)) {
      ask_height = h;
      break;
    }
  }
  std::string ask;
  BinaryWriter(ask).U64(ask_height);
  if (transport_) {
    for (consensus::NodeId id : PeerIds()) {
      transport_->Send(id, Envelope(PeerKind::kVoterChangeAsk, ask));
    }
  }
}

}  // namespace frontera::node
