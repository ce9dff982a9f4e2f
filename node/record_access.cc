#include "node/record_access.h"

#include <optional>
#include <string>
#include <vector>

#include "api/epcis_query.h"
#include "api/record_views.h"

namespace frontera::node {
namespace {

std::optional<ledger::PartyRecord> ActiveReader(const ledger::StateMachine& sm,
                                                const api::Reader& reader) {
  if (reader.anonymous()) return std::nullopt;
  std::optional<ledger::PartyRecord> record = sm.FindParty(reader.did);
  if (!record || record->status != ledger::PartyStatus::kActive) return std::nullopt;
  return record;
}

}  // namespace

bool IsAgencyReader(const ledger::StateMachine& sm, const api::Reader& reader) {
  std::optional<ledger::PartyRecord> record = ActiveReader(sm, reader);
  return record && record->party.role == ledger::Role::kAgency;
}

namespace {

// An active agency, or an active party among `dids` (by origin).
bool AgencyOrNamed(const ledger::StateMachine& sm, const api::Reader& reader,
                   const std::vector<std::string>& dids) {
  std::optional<ledger::PartyRecord> record = ActiveReader(sm, reader);
  if (!record) return false;
  if (record->party.role == ledger::Role::kAgency) return true;
  for (const std::string& did : dids) {
    if (did == reader.did) return true;
    std::optional<ledger::PartyRecord> named = sm.FindParty(did);
    if (named && named->origin == record->origin) return true;
  }
  return false;
}

}  // namespace

bool MaySeeDetails(const ledger::StateMachine& sm, const api::Reader& reader,
                   const crypto::Json& certificate) {
  return AgencyOrNamed(sm, reader, api::NamedDids(certificate));
}

bool MaySeeEventDetails(const ledger::StateMachine& sm, const api::Reader& reader,
                        const crypto::Json& event) {
  return AgencyOrNamed(sm, reader, api::EpcisEventDids(event));
}

bool MaySeeNotice(const ledger::StateMachine& sm, const api::Reader& reader,
                  const crypto::Json& notice) {
  std::vector<std::string> parties;
  for (const crypto::Json& did : notice["parties"]) parties.push_back(did.get<std::string>());
  if (AgencyOrNamed(sm, reader, parties)) return true;
  for (const crypto::Json& certificate : notice["certificates"]) {
    auto view = sm.CertificateView(certificate["id"].get<std::string>());
    if (view.ok() && MaySeeDetails(sm, reader, *view)) return true;
  }
  return false;
}

}  // namespace frontera::node
