// Fuzzes ledger::DecodeProposal and ledger::ProposalTime (ledger/block.h):
// every validator decodes the proposal in each committed log entry, which a
// faulty or hostile leader wrote. Properties: no input crashes, leaks or runs
// long; ProposalTime agrees with DecodeProposal whenever the latter succeeds;
// a decoded proposal re-encodes to the same bytes and decodes back to the
// same proposal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "ledger/block.h"

namespace frontera::ledger {
namespace {

bool SameProposal(const Proposal& a, const Proposal& b) {
  if (a.time_unix_ms != b.time_unix_ms || a.documents.size() != b.documents.size()) return false;
  for (size_t i = 0; i < a.documents.size(); ++i) {
    const ProposedDocument& x = a.documents[i];
    const ProposedDocument& y = b.documents[i];
    if (x.kind != y.kind || x.certificate_id != y.certificate_id || x.canonical != y.canonical) {
      return false;
    }
  }
  return true;
}

void FuzzOne(std::string_view input) {
  Result<int64_t> time = ProposalTime(input);
  Result<Proposal> proposal = DecodeProposal(input);
  if (!proposal.ok()) return;
  FRONTERA_CHECK(time.ok()) << "a proposal decodes but its time does not";
  FRONTERA_CHECK(*time == proposal->time_unix_ms);
  const std::string encoded = EncodeProposal(*proposal);
  // The format has one encoding per proposal: nothing is skipped or padded.
  FRONTERA_CHECK(encoded == input) << "a decoded proposal re-encodes to other bytes";
  Result<Proposal> again = DecodeProposal(encoded);
  FRONTERA_CHECK(again.ok()) << "a re-encoded proposal does not decode: "
                             << again.status().ToString();
  FRONTERA_CHECK(SameProposal(*again, *proposal)) << "a proposal changed across encode/decode";
}

}  // namespace
}  // namespace frontera::ledger

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::ledger::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
