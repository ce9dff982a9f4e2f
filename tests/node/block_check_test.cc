// A follower's check of a leader's blocks (docs/security.md#block-time).
#include "node/block_check.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ledger/block.h"

namespace frontera::node {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15
constexpr int64_t kMinute = 60'000;

consensus::Entry Block(uint64_t index, int64_t time_unix_ms, size_t padding = 0) {
  ledger::Proposal p;
  p.time_unix_ms = time_unix_ms;
  ledger::ProposedDocument d;
  d.certificate_id = std::string(padding, 'x');
  d.canonical = "{}";
  p.documents.push_back(d);
  consensus::Entry e;
  e.index = index;
  e.term = 2;
  e.type = consensus::EntryType::kNormal;
  e.data = ledger::EncodeProposal(p);
  return e;
}

BlockCheckLimits Limits() {
  BlockCheckLimits l;
  l.entry_bytes_max = 4096;
  l.time_skew_max_ms = kMinute;
  return l;
}

TEST_CASE("blocks within the clock bound and in time order are acknowledged") {
  CHECK(CheckLeaderBlocks({Block(5, kNow - 10), Block(6, kNow), Block(7, kNow + kMinute)}, 4,
                          kNow - 1000, kNow, Limits())
            .ok());
}

TEST_CASE("a leader with a clock in 2031 gets no acknowledgement") {
  const int64_t in_2031 = 1'924'992'000'000;
  Status s = CheckLeaderBlocks({Block(5, kNow), Block(6, in_2031)}, 4, kNow - 1000, kNow, Limits());
  CHECK(s.IsInvalidArgument());
  CHECK(s.message().find("log index 6") != std::string::npos);
  CHECK(s.message().find("ahead of this node's clock") != std::string::npos);
  // Just past the bound is refused too.
  CHECK_FALSE(CheckLeaderBlocks({Block(5, kNow + kMinute + 1)}, 4, 0, kNow, Limits()).ok());
}

TEST_CASE("a block time before the previous block is refused") {
  CHECK(CheckLeaderBlocks({Block(5, kNow - 5000)}, 4, kNow - 1000, kNow, Limits())
            .message()
            .find("before the previous block") != std::string::npos);
  CHECK_FALSE(CheckLeaderBlocks({Block(5, kNow), Block(6, kNow - 1)}, 4, 0, kNow, Limits()).ok());
}

TEST_CASE("an oversized block is refused; committed entries are not judged again") {
  CHECK(CheckLeaderBlocks({Block(5, kNow, 8000)}, 4, 0, kNow, Limits())
            .message()
            .find("the limit is 4096") != std::string::npos);
  // Entries up to the commit index are final: an old far-future block there
  // (committed by a majority) is not a reason to refuse what follows.
  CHECK(
      CheckLeaderBlocks({Block(4, kNow + 10 * kMinute, 8000), Block(5, kNow)}, 4, 0, kNow, Limits())
          .ok());
}

TEST_CASE("an entry that is no proposal passes: every node skips it alike") {
  consensus::Entry junk;
  junk.index = 5;
  junk.term = 2;
  junk.type = consensus::EntryType::kNormal;
  junk.data = "not a proposal";
  CHECK(CheckLeaderBlocks({junk, Block(6, kNow)}, 4, 0, kNow, Limits()).ok());
}

}  // namespace
}  // namespace frontera::node
