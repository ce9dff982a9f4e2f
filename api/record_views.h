// The two views of a record (docs/api.md#two-views): the public view answers
// what a label needs (product identity, issuer, status, flags, verdict,
// ledger proof); the full view adds the commercial details (named parties,
// quantities, routes, permits, notification references, custody, events)
// and goes only to agencies and to the parties named on the record. The node
// decides who may see the full view (it knows the registry); these pure
// functions cut a full answer down to the public one, so every route cuts
// the same way.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "crypto/json.h"

namespace frontera::api {

// The credentialSubject members the public sees: the item's identity as a
// label carries it. Everything else in the subject is private.
inline constexpr const char* kPublicSubjectMembers[] = {"id",     "gtin",        "lot",  "serial",
                                                        "expiry", "productName", "sscc", "label"};

// A Backend::GetCertificate answer as the public sees it: the credential's
// id, type, issuer, dates and public subject members (no proof: what it
// signs is not all shown), status, flags, the holding and flagging
// agencies, the revocation, the ledger position; events emptied (their
// count in "events_withheld"), custody null. Marked "view": "public".
crypto::Json PublicCertificate(const crypto::Json& certificate);

// A Backend::GetBlock answer as the public sees it: each document's leaf
// hash, index and outcome, without its certificate id or rejection reason.
crypto::Json PublicBlock(const crypto::Json& block);

// A Backend::CheckLabel answer as the public sees it: the certificate's
// public view, and of the parties only the issuer and agencies (those who
// hold, flag or revoke).
crypto::Json PublicLabelCheck(const crypto::Json& check);

// The DIDs a certificate names (a Backend::GetCertificate answer): its
// issuer, each subject member's "id" that is a DID (exporter, importer,
// consignee, manufacturer, …), the custodian and the party it is in transit
// to, and each event's signer, sources and destinations. May repeat.
std::vector<std::string> NamedDids(const crypto::Json& certificate);

}  // namespace frontera::api
