// The linearizability checker on small histories whose verdict is known by
// hand: each violation is one a broken read path produces.
#include "tests/sim/linearizability.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace frontera::sim {
namespace {

using Kind = LinearizabilityVerdict::Kind;
constexpr uint64_t kBudget = 1'000'000;

RegistryOp Issue(std::string id, RegistryOp::Outcome outcome, uint64_t call, uint64_t ret) {
  RegistryOp op;
  op.kind = RegistryOp::Kind::kIssue;
  op.value = std::move(id);
  op.outcome = outcome;
  op.call = call;
  op.ret = ret;
  return op;
}

RegistryOp Lookup(std::string answer, uint64_t call, uint64_t ret) {
  RegistryOp op;
  op.kind = RegistryOp::Kind::kLookup;
  op.value = std::move(answer);
  op.call = call;
  op.ret = ret;
  return op;
}

constexpr auto kAccepted = RegistryOp::Outcome::kAccepted;
constexpr auto kExists = RegistryOp::Outcome::kExists;
constexpr auto kUnknown = RegistryOp::Outcome::kUnknown;

Kind Verdict(const std::vector<RegistryOp>& ops) { return CheckRegistryKey(ops, kBudget).kind; }

TEST_CASE("an empty history and a sequential one are linearizable") {
  CHECK(Verdict({}) == Kind::kLinearizable);
  CHECK(Verdict({Lookup("", 1, 2), Issue("a", kAccepted, 3, 4), Lookup("a", 5, 6),
                 Issue("b", kExists, 7, 8), Lookup("a", 9, 10)}) == Kind::kLinearizable);
}

TEST_CASE("a lookup after an acknowledged issue that misses it is a stale read") {
  const LinearizabilityVerdict v =
      CheckRegistryKey({Issue("a", kAccepted, 1, 4), Lookup("", 5, 6)}, kBudget);
  CHECK(v.kind == Kind::kViolation);
  CHECK(v.explanation.find("lookup -> (none) [call 5, return 6]") != std::string::npos);
}

TEST_CASE("a lookup concurrent with the issue may see either state") {
  CHECK(Verdict({Issue("a", kAccepted, 1, 10), Lookup("", 2, 3), Lookup("a", 4, 5)}) ==
        Kind::kLinearizable);
  // Same step: concurrent, never ordered by the checker.
  CHECK(Verdict({Issue("a", kAccepted, 1, 5), Lookup("", 5, 7)}) == Kind::kLinearizable);
}

TEST_CASE("two lookups that see the key taken and then free again are refused") {
  // Each alone could be concurrent with the issue; together the second
  // undoes what the first saw (a read served from a node behind the first).
  CHECK(Verdict({Issue("a", kAccepted, 1, 20), Lookup("a", 2, 3), Lookup("", 4, 5)}) ==
        Kind::kViolation);
}

TEST_CASE("the second issue of a key is refused as existing, never accepted") {
  CHECK(Verdict({Issue("a", kAccepted, 1, 2), Issue("b", kAccepted, 3, 4)}) == Kind::kViolation);
  // The same document twice is one credential: both get its receipt.
  CHECK(Verdict({Issue("a", kAccepted, 1, 2), Issue("a", kAccepted, 3, 4)}) == Kind::kLinearizable);
  CHECK(Verdict({Issue("b", kExists, 1, 2), Issue("a", kAccepted, 3, 4)}) == Kind::kViolation);
  // Concurrent issues: the one answered "exists" came second.
  CHECK(Verdict({Issue("a", kAccepted, 1, 10), Issue("b", kExists, 2, 5), Lookup("a", 11, 12)}) ==
        Kind::kLinearizable);
}

TEST_CASE("an unanswered issue may take effect at any later time, or never") {
  CHECK(Verdict({Issue("a", kUnknown, 1, kNever), Lookup("", 2, 3), Lookup("a", 4, 5)}) ==
        Kind::kLinearizable);
  CHECK(Verdict({Issue("a", kUnknown, 1, kNever), Lookup("", 2, 3)}) == Kind::kLinearizable);
  // But not before it was made, and not undone once seen.
  CHECK(Verdict({Lookup("a", 1, 2), Issue("a", kUnknown, 3, kNever)}) == Kind::kViolation);
  CHECK(Verdict({Issue("a", kUnknown, 1, kNever), Lookup("a", 2, 3), Lookup("", 4, 5)}) ==
        Kind::kViolation);
  // An unanswered issue does not take a key someone else holds.
  CHECK(Verdict({Issue("a", kAccepted, 1, 2), Issue("b", kUnknown, 3, kNever),
                 Lookup("b", 4, 5)}) == Kind::kViolation);
}

TEST_CASE("many concurrent unanswered issues stay within a small search") {
  std::vector<RegistryOp> ops;
  for (uint64_t i = 0; i < 40; ++i) {
    ops.push_back(Issue("id" + std::to_string(i), kUnknown, i, kNever));
    ops.push_back(Lookup("", i, i));
  }
  ops.push_back(Issue("final", kAccepted, 100, 101));
  ops.push_back(Lookup("final", 102, 103));
  const LinearizabilityVerdict v = CheckRegistryKey(ops, kBudget);
  CHECK(v.kind == Kind::kLinearizable);
  CHECK(v.search_steps < 100'000);
  MESSAGE("search steps: " << v.search_steps);
}

TEST_CASE("the search gives up, without a verdict, past its budget") {
  std::vector<RegistryOp> ops;
  for (uint64_t i = 0; i < 10; ++i) ops.push_back(Lookup("", 1, 2));
  ops.push_back(Issue("a", kAccepted, 3, 4));
  CHECK(CheckRegistryKey(ops, 5).kind == Kind::kGaveUp);
}

}  // namespace
}  // namespace frontera::sim
