// The flags of the co-signed note (ledger/flags.h).
#include "ledger/flags.h"

#include <algorithm>

#include "common/check.h"
#include "crypto/jcs.h"
#include "crypto/sha256.h"

namespace frontera::ledger {

std::string FlagLine(const FlagEntry& e) {
  auto reason = crypto::Canonicalize(crypto::Json(e.reason));
  FRONTERA_CHECK(reason.ok()) << "flag reason of " << e.certificate << ": "
                              << reason.status().ToString();
  return e.certificate + " " + e.item + " " + e.flag + " " + std::to_string(e.leaf_index) + " " +
         *reason + "\n";
}

crypto::Hash SortedLinesDigest(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());  // bytewise: char_traits<char> compares unsigned
  crypto::Sha256Hasher hasher;
  for (const std::string& line : lines) hasher.Update(line);
  return hasher.Finish();
}

crypto::Hash FlagDigest(const std::vector<FlagEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const FlagEntry& e : entries) lines.push_back(FlagLine(e));
  return SortedLinesDigest(std::move(lines));
}

crypto::Json FlagEntryJson(const FlagEntry& e) {
  return {{"certificate", e.certificate},
          {"item", e.item},
          {"flag", e.flag},
          {"leaf_index", e.leaf_index},
          {"reason", e.reason}};
}

}  // namespace frontera::ledger
