// Backend: what the HTTP adapter needs from a validator. node/ implements it;
// tests implement fakes. Every method is thread-safe (the HTTP server calls
// them from many threads at once).
//
// Writes block until the document is committed (durable on a quorum) and
// applied, or fail; they never acknowledge what is not durable.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/epcis_query.h"
#include "api/metrics.h"
#include "api/reader.h"
#include "api/routes.h"
#include "api/vrs.h"
#include "common/result.h"
#include "crypto/ed25519.h"
#include "crypto/merkle.h"
#include "ledger/tlog_tiles.h"

namespace frontera::api {

using Json = nlohmann::json;

// Where an accepted document sits in the ledger.
struct Receipt {
  // The certificate id (for events and revocations: the certificate's); the
  // party's DID for a registry document.
  std::string id;
  // The certificate's status after the write ("active" | "revoked"); the
  // party's ("active" | "suspended") for a registry document.
  std::string status;
  uint64_t leaf_index = 0;
  crypto::Hash leaf_hash{};
  uint64_t block_height = 0;
};

struct InclusionProofView {
  uint64_t leaf_index = 0;
  crypto::Hash leaf_hash{};
  uint64_t tree_size = 0;
  std::vector<crypto::Hash> inclusion;
  std::string checkpoint;  // signed note of tree_size, the proof's target
};

struct ConsistencyProofView {
  uint64_t first = 0;
  uint64_t second = 0;
  std::vector<crypto::Hash> proof;
};

// A page of GET /epcis/events (docs/api.md §12).
struct EpcisPage {
  // The matching events, each in the view its reader may see
  // (api::FullEpcisEvent or api::PublicEpcisEvent), at most perPage.
  std::vector<Json> events;
  // Where the next page starts; nullopt when no event is left to visit.
  std::optional<EpcisCursor> next;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // POST /v1/certificates. Errors: kInvalidArgument (400), kFailedPrecondition
  // (422), kPermissionDenied (403), kAlreadyExists (409), kUnavailable (503).
  virtual Result<Receipt> IssueCertificate(const Json& credential) = 0;
  // POST /v1/certificates/{id}/events; kNotFound when the certificate is unknown.
  virtual Result<Receipt> RecordEvent(const std::string& certificate_id, const Json& event) = 0;
  // POST /v1/certificates/{id}/revocation.
  virtual Result<Receipt> Revoke(const std::string& certificate_id, const Json& revocation) = 0;
  // POST /v1/parties: a registry document (register, suspend, reinstate,
  // change a key). The receipt's id is the party's DID (the new key's, for
  // a key change) and its status the party's standing.
  virtual Result<Receipt> ChangeRegistry(const Json& document) = 0;
  // POST /v1/notices: an illegitimate-product notice (docs/formats.md §18).
  // The receipt's id is the initial notice's id, its status the notice's
  // ("open" | "terminated").
  virtual Result<Receipt> FileNotice(const Json& notice) = 0;

  // GET /v1/certificates/{id} → {credential, status, events, flags, ledger}:
  // the full view ("view": "full") when `reader` is an agency or a party the
  // certificate names, else the public view (api/record_views.h).
  virtual Result<Json> GetCertificate(const std::string& id, const Reader& reader) = 0;
  // GET /v1/notices/{id} → {id, status, classification, filer, parties,
  // initial, follow_ups, termination, certificates}: the notice `id` names
  // (an initial notice, or the one a follow-up or termination follows), for
  // an agency `reader` or a party the notice or one of its certificates
  // names (docs/api.md#two-views); kPermissionDenied for anyone else.
  virtual Result<Json> GetNotice(const std::string& id, const Reader& reader) = 0;
  // GET /v1/certificates/{id}/proof: proof of the credential's leaf against
  // the latest checkpoint.
  virtual Result<InclusionProofView> GetProof(const std::string& id) = 0;
  // GET /v1/proofs/inclusion?leaf_index=N: proof of any leaf (an event's, a
  // revocation's) against the latest checkpoint; kNotFound beyond the log.
  virtual Result<InclusionProofView> GetLeafProof(uint64_t leaf_index) = 0;
  // GET /v1/checkpoint: the latest valid checkpoint as a signed note.
  virtual Result<std::string> GetCheckpoint() = 0;
  // GET /tlog/tile/…: a C2SP tlog-tiles resource of the tree of the latest
  // checkpoint (docs/api.md#13-transparency-log-tiles): a hash tile for anyone;
  // an entry bundle, which holds the documents themselves, for an agency
  // `reader` only (kPermissionDenied otherwise), as a block's certificate
  // ids are. kNotFound when that tree lacks the resource.
  virtual Result<std::string> GetTlogTile(const ledger::TileAddress& tile,
                                          const Reader& reader) = 0;
  // GET /v1/proofs/consistency; kInvalidArgument unless 0 < first <= second <=
  // the latest checkpoint's tree size.
  virtual Result<ConsistencyProofView> GetConsistency(uint64_t first, uint64_t second) = 0;
  // GET /v1/blocks/{height}: with certificate ids for an agency `reader`,
  // leaf hashes only for everyone else (api::PublicBlock).
  virtual Result<Json> GetBlock(uint64_t height, const Reader& reader) = 0;
  // GET /v1/parties?role=&country=&after=&limit= → {parties, next}: the
  // matching parties in DID order after `after`, at most `limit`; `next` is
  // the last one's DID when more match, else null.
  virtual Result<Json> ListParties(const PartiesQuery& query) = 0;
  // GET /v1/parties/{did}: the party as registered now, with its history.
  virtual Result<Json> GetParty(const std::string& did) = 0;
  // GET /v1/validators → {validators, voters, observers}: every validator the
  // ledger lists (genesis's and added, removed ones too) with its role and
  // status, and the names of the voters and observers of the Raft
  // membership this node uses.
  virtual Result<Json> ListValidators() = 0;
  // GET /v1/audit → {entries: [{seq, time, reader, what, record}], next}:
  // this validator's trail of full-view reads (docs/api.md#audit-trail), for
  // an agency `reader` only (kPermissionDenied otherwise); `next` is the
  // last entry's seq when the page is full, else null.
  virtual Result<Json> GetAudit(const AuditQueryParams& query, const Reader& reader) = 0;
  // GET /v1/trust-bundle: what an inspector needs offline (docs/formats.md §11,
  // "Trust bundle"): the genesis, the latest valid checkpoint, and the
  // revocation list with its validator-signed note of the same tree size.
  virtual Result<Json> GetTrustBundle() = 0;
  // The Digital Link resolver (GET /01/{gtin}/10/{lot}/21/{serial}?17=…&kid=…&sig=…
  // and GET /00/{sscc}?kid=…&sig=…): checks a scanned label URI against the
  // ledger and answers {verdict, reasons, label, issuer, certificate}
  // (docs/api.md#resolver). kInvalidArgument when `label_uri` is not a label.
  // The certificate and parties in the public view unless `reader` may see
  // the full one (api::PublicLabelCheck).
  virtual Result<Json> CheckLabel(const std::string& label_uri, const Reader& reader) = 0;
  // GET /epcis/events: the events on the ledger that match `query`, a page
  // at most query.per_page long (it may be shorter, even empty, when the
  // page's work bound was reached first; `next` then says where to go on).
  // Each event in the full view when `reader` is an agency or a party the
  // event names, else in the public view; a filter on a member the view
  // withholds does not match.
  virtual Result<EpcisPage> QueryEvents(const EpcisQuery& query, const Reader& reader) = 0;
  // DSCSA verification (api/vrs.h, docs/api.md#vrs): the answer to a
  // verification request, or the refusal of its requestor (VrsAnswer's
  // requestor), with the co-signed checkpoint it was made at and the
  // validator's DID. kNotFound when no certificate on the ledger has the
  // GTIN; kUnavailable before the first checkpoint.
  virtual Result<VrsAnswer> AnswerVrs(const VrsRequest& request, const Reader& reader) = 0;
  // GET /vrs/checkConnectivity: the same for a connectivity check.
  virtual Result<VrsAnswer> AnswerVrsConnectivity(const VrsConnectivityRequest& request,
                                                  const Reader& reader) = 0;
  // The validator's Ed25519 signature (its checkpoint co-signing key, the
  // one VrsAnswer::signer_did names) of a VRS answer's signature base
  // (api/response_signature.h).
  virtual crypto::Signature SignVrsAnswer(std::string_view signature_base) = 0;
  // Linearizable reads (docs/api.md#read-consistency): waits until this
  // node has applied every write acknowledged anywhere before the call
  // (Raft ReadIndex), so the read that follows sees them. The HTTP adapter
  // calls it before every ledger read unless the client asks for a local
  // read. kUnavailable when no leader confirms a read index in time.
  virtual Status AwaitLinearizableRead() = 0;
  // GET /v1/status: node and ledger state.
  virtual Json GetStatus() = 0;
  // GET /healthz: true while the node can serve.
  virtual bool Healthy() = 0;
  // GET /metrics: the node's metric families (the HTTP server adds its own).
  virtual MetricSet GetMetrics() = 0;
  // POST /v1/backup (operational listener only): writes a backup of the
  // node's data on its host, where its config says; answers what it wrote
  // ({path, ledger, raft_log, keep_separately, ...}, docs/api.md#backup).
  virtual Result<Json> Backup() = 0;
};

}  // namespace frontera::api
