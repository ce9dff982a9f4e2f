#include "tests/sim/linearizability.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>
#include <utility>

namespace frontera::sim {
namespace {

// The model's transition: false when `op`'s answer is impossible in `state`.
bool Apply(const RegistryOp& op, const std::string& state, std::string* next) {
  *next = state;
  if (op.kind == RegistryOp::Kind::kLookup) return op.value == state;
  switch (op.outcome) {
    case RegistryOp::Outcome::kAccepted:
      // The same document posted twice (at two validators, before either
      // copy committed) is one credential: both clients get its receipt.
      if (!state.empty() && state != op.value) return false;
      *next = op.value;
      return true;
    case RegistryOp::Outcome::kExists:
      return !state.empty();
    case RegistryOp::Outcome::kUnknown:
      if (state.empty()) *next = op.value;
      // Never answered: where the key is held it would change nothing, and
      // the end of the history is as good a place for it (nothing orders it
      // before anything). Trying it there too would only make the search
      // go through every subset of such no-ops.
      return op.ret != kNever || state.empty();
  }
  return false;
}

// The history as one list of call and return events in time order (a call
// before a return of the same step: they are concurrent), doubly linked so
// that an operation's two events are taken out and put back in O(1).
class EventList {
 public:
  explicit EventList(const std::vector<RegistryOp>& ops) {
    struct Event {
      uint64_t time;
      bool is_return;
      size_t op;
    };
    std::vector<Event> events;
    for (size_t i = 0; i < ops.size(); ++i) {
      events.push_back({ops[i].call, false, i});
      events.push_back({ops[i].ret, true, i});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return std::tie(a.time, a.is_return, a.op) < std::tie(b.time, b.is_return, b.op);
    });
    // Node 0 is the head; event k is node k + 1.
    nodes_.resize(events.size() + 1);
    call_node_.resize(ops.size());
    return_node_.resize(ops.size());
    for (size_t k = 0; k < events.size(); ++k) {
      Node& n = nodes_[k + 1];
      n.op = events[k].op;
      n.is_return = events[k].is_return;
      n.prev = k;
      n.next = k + 2 < nodes_.size() ? k + 2 : kEnd;
      (n.is_return ? return_node_ : call_node_)[n.op] = k + 1;
    }
    nodes_[0].next = events.empty() ? kEnd : 1;
  }

  static constexpr size_t kEnd = 0;  // "no next node" (the head is never a next)

  size_t First() const { return nodes_[0].next; }
  size_t Next(size_t node) const { return nodes_[node].next; }
  size_t Op(size_t node) const { return nodes_[node].op; }
  bool IsReturn(size_t node) const { return nodes_[node].is_return; }
  size_t CallOf(size_t op) const { return call_node_[op]; }

  // Takes op's call and return out of the list.
  void Lift(size_t op) {
    Unlink(call_node_[op]);
    Unlink(return_node_[op]);
  }
  // Puts them back; REQUIRES: the reverse order of the Lift calls.
  void Unlift(size_t op) {
    Relink(return_node_[op]);
    Relink(call_node_[op]);
  }

 private:
  struct Node {
    size_t op = 0;
    bool is_return = false;
    size_t prev = 0;
    size_t next = kEnd;
  };
  void Unlink(size_t k) {
    nodes_[nodes_[k].prev].next = nodes_[k].next;
    if (nodes_[k].next != kEnd) nodes_[nodes_[k].next].prev = nodes_[k].prev;
  }
  void Relink(size_t k) {
    nodes_[nodes_[k].prev].next = k;
    if (nodes_[k].next != kEnd) nodes_[nodes_[k].next].prev = k;
  }
  std::vector<Node> nodes_;
  std::vector<size_t> call_node_;
  std::vector<size_t> return_node_;
};

std::string Explain(const std::vector<RegistryOp>& ops) {
  std::vector<size_t> order(ops.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ops[a].call < ops[b].call; });
  std::string text;
  for (size_t i : order) text += "  " + ops[i].Describe() + "\n";
  return text;
}

}  // namespace

std::string RegistryOp::Describe() const {
  std::string text;
  if (kind == Kind::kLookup) {
    text = "lookup -> " + (value.empty() ? std::string("(none)") : value);
  } else {
    const char* answer = outcome == Outcome::kAccepted ? "accepted"
                         : outcome == Outcome::kExists ? "already exists"
                                                       : "unanswered";
    text = "issue " + value + " -> " + answer;
  }
  return text + " [call " + std::to_string(call) + ", return " +
         (ret == kNever ? std::string("never") : std::to_string(ret)) + "]";
}

LinearizabilityVerdict CheckRegistryKey(const std::vector<RegistryOp>& ops,
                                        uint64_t max_search_steps) {
  LinearizabilityVerdict verdict;
  EventList list(ops);
  std::vector<bool> linearized(ops.size(), false);
  // Lowe's memoization: a (set of linearized operations, state) pair seen
  // before leads nowhere new.
  std::set<std::pair<std::vector<bool>, std::string>> seen;
  struct Choice {
    size_t op;
    std::string state_before;
  };
  std::vector<Choice> stack;
  std::string state;
  // Unanswered issues may be left out: placed at the end, after every
  // answer, they contradict nothing (see Apply).
  auto required = [](const RegistryOp& op) {
    return op.kind == RegistryOp::Kind::kLookup ||
           !(op.outcome == RegistryOp::Outcome::kUnknown && op.ret == kNever);
  };
  size_t required_left = static_cast<size_t>(std::count_if(ops.begin(), ops.end(), required));
  size_t node = list.First();
  while (required_left > 0) {
    if (++verdict.search_steps > max_search_steps) {
      verdict.kind = LinearizabilityVerdict::Kind::kGaveUp;
      return verdict;
    }
    if (node != EventList::kEnd && !list.IsReturn(node)) {
      // Try to linearize this operation here.
      const size_t op = list.Op(node);
      std::string next;
      if (Apply(ops[op], state, &next)) {
        linearized[op] = true;
        if (seen.emplace(linearized, next).second) {
          stack.push_back({op, std::move(state)});
          state = std::move(next);
          list.Lift(op);
          if (required(ops[op])) --required_left;
          node = list.First();
          continue;
        }
        linearized[op] = false;
      }
      node = list.Next(node);
      continue;
    }
    // A return (or the end) reached with its operation not linearized: the
    // last choice was wrong. Undo it and try the next operation after it.
    if (stack.empty()) {
      verdict.kind = LinearizabilityVerdict::Kind::kViolation;
      verdict.explanation = Explain(ops);
      return verdict;
    }
    Choice last = std::move(stack.back());
    stack.pop_back();
    linearized[last.op] = false;
    state = std::move(last.state_before);
    list.Unlift(last.op);
    if (required(ops[last.op])) ++required_left;
    node = list.Next(list.CallOf(last.op));
  }
  return verdict;
}

}  // namespace frontera::sim
