// The DSCSA flags in force on certificates (suspect, illegitimate, recalled),
// as the co-signed revocations note covers them for offline verifiers
// (docs/formats.md §11): one entry per flag in force.
//
// Thread-safety: pure functions and values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/json.h"
#include "crypto/merkle.h"

namespace frontera::ledger {

struct FlagEntry {
  std::string certificate;  // the certificate's id
  std::string item;         // its credential's subject id (GS1 Digital Link)
  std::string flag;         // "suspect" | "illegitimate" | "recalled"
  uint64_t leaf_index = 0;  // of the event that raised it
  std::string reason;       // the event's "frontera:reason"
};

// "<certificate> <item> <flag> <leaf_index> <reason as a JCS string>\n".
// REQUIRES: the reason is well-formed UTF-8.
std::string FlagLine(const FlagEntry& entry);
// SHA-256 of the entries' lines sorted bytewise and concatenated.
crypto::Hash FlagDigest(const std::vector<FlagEntry>& entries);
// SHA-256 of `lines` sorted bytewise and concatenated: how the co-signed
// note digests its lists (flags here, the registry in ledger/registry.h).
crypto::Hash SortedLinesDigest(std::vector<std::string> lines);
// {certificate, item, flag, leaf_index, reason}.
crypto::Json FlagEntryJson(const FlagEntry& entry);

}  // namespace frontera::ledger
