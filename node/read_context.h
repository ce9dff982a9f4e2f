// Contexts that name this process's ReadIndex rounds (thesis §6.4).
//
// A leader echoes a read's context in its answer, and an answer can arrive
// after the follower that asked restarted (the transport delivers what was in
// flight). If every incarnation counted from 1, the new one would take the
// old incarnation's answer for its own read and serve a state that may miss
// a write acknowledged before the read began. Each process therefore starts
// its count at a random point of a 2^62-wide range: two incarnations overlap
// only if a start falls within the other's handful of reads.
#pragma once

#include <cstdint>

namespace frontera::node {

// A random first context in [1, 2^62]; a process counts up from it (2^62
// reads at a million a second last 146,000 years, so it never wraps).
uint64_t FirstReadContext();

}  // namespace frontera::node
