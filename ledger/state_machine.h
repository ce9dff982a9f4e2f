// StateMachine: the ledger's deterministic state machine (docs/ledger.md).
//
// It applies committed proposals to the ledger state: every document is parsed,
// its proof verified (or found in the signature cache, which holds only
// documents this node already verified), and checked against the rules and the
// state as it stands after the previous documents of the same block. Accepted
// documents become leaves of the RFC 6962 log; each proposal becomes a
// hash-chained block. Validation depends only on the stored state, the genesis
// and the proposal (its time included) — never on a local clock, thread timing
// or hash-map order — so every validator reaches the same state and roots.
// Whatever a committed proposal holds, Apply makes a block: a document the
// rules refuse (malformed bytes, non-UTF-8 ids, oversized fields) becomes a
// refused outcome, the same on every node, never an abort.
//
// Implemented in ledger/state_machine.cc (open and load), state_machine_check.cc
// (admission checks), state_machine_apply.cc (Apply, Publish),
// state_machine_checkpoints.cc (checkpoint and revocation notes) and
// state_machine_reads.cc (reads), state_machine_items.cc (the certified-item
// filter) and state_machine_tiles.cc (the log as tlog tiles), with
// ledger/state_machine_internal.h.
//
// Thread-safety: Apply/StageCheckpoint/Publish are called by one thread (the
// apply thread). Admit and the read methods are thread-safe and may run
// concurrently with Apply; they see the state as of the last written block.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "ledger/block.h"
#include "ledger/documents.h"
#include "ledger/flags.h"
#include "ledger/genesis.h"
#include "ledger/item_filter.h"
#include "ledger/lifecycle.h"
#include "ledger/merkle_log.h"
#include "ledger/notice.h"
#include "ledger/registry.h"
#include "ledger/signature_cache.h"
#include "ledger/state_root.h"
#include "ledger/tlog_tiles.h"
#include "ledger/validators.h"
#include "ledger/voter_chain.h"
#include "storage/kv_store.h"

namespace frontera::ledger {

// A document parsed, its document-only rules checked and its proof verified:
// everything that depends on its bytes alone, so a node computes it once and
// reuses it when it applies the block that carries the document.
struct ParsedDocument {
  DocumentKind kind = DocumentKind::kCredential;
  crypto::Hash leaf_hash{};  // SHA-256(0x00 ‖ canonical text)
  std::string signer;        // DID of the proof's verification method
  // Every signer, in proof order (signers[0] == signer); more than one only
  // for a revocation with a proof set (a majority of the agencies).
  std::vector<std::string> signers;
  std::optional<Credential> credential;
  std::optional<Event> event;
  std::optional<Revocation> revocation;
  std::optional<RegistryChange> registry;
  std::optional<Notice> notice;
};

// A document that passed admission, ready to propose.
struct AdmittedDocument {
  ProposedDocument proposed;
  std::shared_ptr<const ParsedDocument> parsed;
};

struct StateMachineOptions {
  size_t events_per_certificate_max = 1000;
  size_t signature_cache_entries = 200000;
  // History entries one party may gather (registration, suspensions,
  // reinstatements, key changes) before further changes are refused.
  size_t registry_changes_per_party_max = 1000;
  // Validators and observers a network may ever have had (the genesis's
  // included; removed ones count, since names and keys are not reused).
  size_t validators_max = 64;
  // Follow-ups one illegitimate-product notice may gather.
  size_t notice_follow_ups_max = 100;
  // Open notices that may hold one certificate's flag at once.
  size_t notices_per_certificate_max = 100;
  Status Validate() const;
};

// The inclusion proof of a certificate against the latest checkpoint.
struct CertificateProof {
  uint64_t leaf_index = 0;
  crypto::Hash leaf_hash{};
  uint64_t tree_size = 0;
  std::vector<crypto::Hash> inclusion;
  std::string checkpoint;
};

class StateMachine {
 public:
  // REQUIRES: store outlives the state machine.
  static Result<std::unique_ptr<StateMachine>> Open(storage::KvStore* store, Genesis genesis,
                                                    const StateMachineOptions& options);

  // Checks a submitted document against the current state, signature
  // included, without changing anything, and returns it ready to propose.
  // `now_unix_ms` stands in for the block time (the final check happens at
  // Apply with the proposal's time). Thread-safe.
  Result<AdmittedDocument> Admit(DocumentKind kind, const std::string& certificate_id,
                                 const crypto::Json& document, int64_t now_unix_ms) const;

  // Applies the proposal committed at `log_index` and stages every write into
  // `batch` (documents, indexes, Merkle nodes, the block, the applied index,
  // the running state hash). `parsed`, when given, holds what this node's
  // admission computed for each document of the proposal (same order): valid
  // because it depends only on the documents' bytes. Without it every
  // document is parsed and verified.
  // The block's time is max(previous block's time, proposal time): a leader
  // whose clock is behind cannot move the ledger's time back. A proposal
  // time outside [1970-01-01, 9999-12-31] refuses every document of the
  // proposal (kInvalidArgument) and the block keeps the previous block's
  // time.
  // REQUIRES: log_index > applied_index(); `batch` holds no kState/kIndex
  // operations yet; apply thread only.
  Block Apply(uint64_t log_index, const Proposal& proposal,
              const std::vector<const ParsedDocument*>* parsed, storage::WriteBatch& batch);

  // Makes the state applied so far visible to readers once its batch is
  // written. Apply thread.
  void Publish();

  // The checkpoint and revocations notes for `tree_size`, signed by a
  // majority of validators (docs/consensus.md#checkpoint-co-signing).
  // Staging writes them into `batch`; publishing makes them what
  // LatestCheckpoint, LatestRevocations and ProveCertificate answer with.
  // REQUIRES: tree_size <= the published tree size and >= the tree size of
  // the last published checkpoint. Thread-safe; callers serialize the two
  // calls of one checkpoint against those of another.
  void StageCheckpoint(uint64_t tree_size, const std::string& checkpoint_note,
                       const std::string& revocations_note, storage::WriteBatch& batch) const;
  void PublishCheckpoint(uint64_t tree_size, const std::string& checkpoint_note,
                         const std::string& revocations_note);
  // The tree size of the latest published checkpoint (0 before the first).
  uint64_t checkpoint_tree_size() const;
  // Adds witnesses' cosignatures (verified by the caller against the
  // genesis's witness keys) to the latest published checkpoint when its
  // note text is `text`, replacing an older line of the same witness; for
  // any other text (a newer checkpoint was published meanwhile) does
  // nothing. Held in memory only: after a restart the witnesses are asked
  // again (docs/consensus.md#witnesses). Thread-safe.
  void AddCheckpointCosignatures(const std::string& text,
                                 const std::vector<crypto::NoteSignature>& cosignatures);

  uint64_t applied_index() const;
  const Genesis& genesis() const { return genesis_; }

  // Reads (thread-safe), as of the last published block.
  Result<crypto::Json> CertificateView(const std::string& id) const;
  Result<CertificateProof> ProveCertificate(const std::string& id) const;
  // The inclusion proof of any leaf (an event's, a revocation's) against the
  // latest co-signed checkpoint. kNotFound beyond the log; kUnavailable when
  // the leaf is not yet under a co-signed checkpoint.
  Result<CertificateProof> ProveLeaf(uint64_t leaf_index) const;
  // A document the ledger holds byte for byte: the same kind and canonical
  // text under its id (a credential's or revocation's "id", an event's
  // "eventID"), about the same certificate. A write sent again after it
  // committed (its answer was lost, or its first copy committed in a block
  // this node installed from a snapshot) is answered with this receipt, not
  // refused as a duplicate (docs/api.md, "Retries"). nullopt when the ledger
  // holds no document under that id, or another one.
  struct HeldDocument {
    std::string certificate_id;
    uint64_t leaf_index = 0;
    crypto::Hash leaf_hash{};
    uint64_t block_height = 0;
    std::string status;  // the certificate's status now
  };
  std::optional<HeldDocument> FindIdentical(const ProposedDocument& document) const;
  // The validators and observers as of the applied state: the genesis's,
  // changed by the validator documents (ledger/validators.h).
  Result<std::vector<ValidatorRecord>> Validators() const;
  // Counts the validator changes this instance applied and published (the
  // block is in the store): a node re-reads Validators() when it moved.
  uint64_t validator_changes() const { return validator_changes_.load(); }
  std::string LatestCheckpoint() const;  // empty before the first block
  // A C2SP tlog-tiles resource of the tree of the latest published
  // checkpoint (ledger/tlog_tiles.h, state_machine_tiles.cc): a tile's
  // hashes, 32 bytes each, or an entry bundle of the leaves' documents (each
  // the canonical text whose RFC 6962 leaf hash is the leaf). kNotFound when
  // that tree holds fewer than tile.width hashes there, or when a document
  // of the bundle is longer than a bundle can carry (kBundleEntryBytesMax).
  Result<std::string> TlogTile(const TileAddress& tile) const;
  Result<std::vector<crypto::Hash>> ConsistencyProof(uint64_t first, uint64_t second) const;
  Result<crypto::Json> BlockJson(uint64_t height) const;
  // A party as registered now (any DID it ever signed with): its fields,
  // status, registering agency and history of registry changes.
  Result<crypto::Json> PartyJson(const std::string& did) const;
  // The registry record of `did` as of the last published block (the
  // genesis's when nothing changed it); nullopt when it is not registered.
  std::optional<PartyRecord> FindParty(std::string_view did) const;
  // {parties, next}: the registered parties of `role` and `country` (empty:
  // any) whose DID sorts after `after`, in DID order, at most `limit`; `next`
  // is the last DID listed when more match, else null.
  crypto::Json PartiesJson(std::string_view role, std::string_view country, std::string_view after,
                           size_t limit) const;
  // An illegitimate-product notice (docs/api.md, GET /v1/notices/{id}): the
  // initial notice `id` names (itself, or the one a follow-up or
  // termination names), with its follow-ups, termination, status, filer and
  // the certificates it concerns (ledger/state_machine_notices.cc).
  // kNotFound when no notice has that id.
  Result<crypto::Json> NoticeView(const std::string& id) const;
  LedgerSummary Summary() const;
  // The roots after the last published block, from the running values (no
  // store reads); what RecomputeRoots finds in this node's store. Thread-safe.
  Result<LedgerRoots> Roots() const;
  // The body of the checkpoint for the current tree, to be signed.
  std::string CheckpointBody() const;

  // The revocation list (docs/formats.md#trust-bundle): one entry per revoked
  // certificate, sorted by certificate id, and the body of the note that
  // validators sign over it at the current tree size. Apply thread for the
  // body; the published list and note are read with LatestRevocations.
  using RegistryEntry = ledger::RegistryEntry;
  struct RevocationEntry {
    std::string certificate;
    std::string item;  // the credential's subject id (GS1 Digital Link)
    uint64_t leaf_index = 0;
    std::string reason;  // the revocation document's "reason", as signed
  };
  // "<network> revocations/4\n<tree_size>\n<count>\n<base64 digest>\n
  // <registry count>\n<base64 registry digest>\n<flag count>\n<base64 flag
  // digest>\n": the digest over the sorted lines "<certificate> <item>
  // <leaf_index> <reason as a JCS string>\n", the registry digest over
  // ledger::RegistryLine of each DID the registry changed, the flag digest
  // over ledger::FlagLine of each flag in force (tools/trust.h).
  // Format 4 adds "<voter count>\n<base64 voter digest>\n": the voters after
  // this block (ledger/voter_chain.h), who sign the next block's notes.
  std::string RevocationsBody() const;
  // The links of the voter chain this node holds (kMeta, written by the node
  // as each is co-signed, see StageVoterChanges), ascending by height.
  Result<std::vector<VoterChange>> VoterChanges() const;
  // The published revocations note and the entries it covers (those whose
  // revocation is a leaf of the checkpoint's tree).
  struct Revocations {
    // The checkpoint the note is for (read with it, under one lock: the two
    // always have the same tree size).
    std::string checkpoint;
    std::string note;
    std::vector<RevocationEntry> entries;
    // The registry entries the note covers (see RegistryEntry).
    std::vector<RegistryEntry> registry;
    // The DSCSA flags in force at the checkpoint.
    std::vector<FlagEntry> flags;
  };
  Revocations LatestRevocations() const;

  // Event reads for the EPCIS query (docs/api.md §12), as of the last
  // published block.
  struct EventEntry {
    uint64_t leaf_index = 0;
    std::string certificate_id;  // the event's certificationInfo
    int64_t event_time_ms = 0;   // eventTime in Unix milliseconds (UTC)
    crypto::Json document;       // the signed event as the ledger holds it
  };
  // A place in the order of EventsByTime: after this event.
  struct EventTimeCursor {
    int64_t event_time_ms = 0;
    uint64_t leaf_index = 0;
  };
  struct EventScan {
    std::vector<EventEntry> entries;
    bool more = false;  // the range holds events beyond the last one returned
  };
  // The events whose eventTime is in [ge_ms, lt_ms), in (eventTime, leaf
  // index) order, after `after` when given: at most `max_entries`, each one
  // index entry and one document read (the "evt/" index). Thread-safe.
  Result<EventScan> EventsByTime(int64_t ge_ms, int64_t lt_ms,
                                 const std::optional<EventTimeCursor>& after,
                                 size_t max_entries) const;
  // The leaf indexes of the events of the certificate whose item is `epc`
  // (the canonical EPC of ItemEpc: "https://id.gs1.org/01/{gtin}/21/{serial}"
  // or "https://id.gs1.org/00/{sscc}"), in ledger order: two reads (the item
  // index, the certificate record). Empty when no certificate has that item,
  // or `epc` is not in that form. Thread-safe.
  Result<std::vector<uint64_t>> EventLeavesOfItem(std::string_view epc) const;
  // The event at `leaf_index`; kNotFound when that leaf is not an event.
  Result<EventEntry> EventAt(uint64_t leaf_index) const;

  // The certificate id of a product (GTIN, serial) or consignment (SSCC);
  // kNotFound when none is on the ledger. Thread-safe.
  Result<std::string> FindProduct(const std::string& gtin, const std::string& serial) const;
  Result<std::string> FindConsignment(const std::string& sscc) const;
  // The id of a certificate of `gtin` (the one with the lowest serial):
  // whether the ledger knows the product at all (DSCSA verification answers
  // only GTINs on the ledger). kNotFound when none. Thread-safe.
  Result<std::string> FindAnyProductOfGtin(const std::string& gtin) const;
  // The lifecycle of a product certificate's pack (ledger/lifecycle.h):
  // active, or decommissioned with where (GLN) and when (block time).
  // kNotFound when there is no certificate `id`. Reads one record.
  // Thread-safe.
  Result<PackLifecycle> PackLifecycleOf(const std::string& id) const;

  // The filter of every item certified in the first `tree_size` leaves of
  // the log (docs/formats.md §16): each credential accepted there, revoked
  // or flagged since or not, by ItemKey of its credentialSubject.id. The
  // same bytes on every validator at the same tree size. kFailedPrecondition
  // when tree_size is beyond the published tree. Reads every certificate
  // record once (ledger/state_machine_items.cc). Thread-safe.
  Result<ItemFilter> CertifiedItemFilter(uint64_t tree_size) const;

 private:
  class View;
  class StoreView;
  class StagedView;
  struct CheckedDocument;

  StateMachine(storage::KvStore* store, Genesis genesis, const StateMachineOptions& options,
               std::unique_ptr<MerkleLog> merkle);

  // Parses a document, checks its document-only rules and its proof (unless
  // the signature cache has these bytes).
  Result<ParsedDocument> ParseAndVerify(DocumentKind kind, const crypto::Json& document,
                                        const std::string& canonical) const;
  // Checks a parsed document against `view` (the ledger rules) at `time_unix_ms`.
  Result<CheckedDocument> Check(const View& view, const ParsedDocument& parsed,
                                const std::string& certificate_id, int64_t time_unix_ms) const;
  // The parties a credential names are bound to its issuer (signed by
  // `issuer`): a product's manufacturer is the issuer, as registered; a
  // precursor consignment's exporter is the issuer, and its importer and
  // consignee are registered parties that may take delivery of precursors.
  Status CheckNamedParties(const View& view, const Credential& c, const Party& issuer) const;
  // The DSCSA flags an event raises or clears (docs/ledger.md#flags), against
  // the certificate's flags in force (`flagged`), signed by `signer` (its
  // first signer).
  Status CheckFlags(const View& view, const ParsedDocument& parsed, const Party& signer,
                    const crypto::Json& flagged) const;
  // The lifecycle rules (ledger/lifecycle.h) of a kLifecycle event signed by
  // `signer` on the certificate `record`, at `time_unix_ms`
  // (ledger/state_machine_lifecycle.cc).
  Status CheckLifecycleEvent(const View& view, const ParsedDocument& parsed, const Party& signer,
                             const crypto::Json& record, int64_t time_unix_ms) const;
  // OK when `signers` (distinct DIDs) are registered agencies in good standing
  // and a majority of them (of the agencies not suspended).
  // `rule` says who may sign, for the refusal ("only the certificate's
  // issuer revokes it, or a majority of the agencies").
  Status CheckAgencyMajority(const View& view, const std::vector<std::string>& signers,
                             const std::string& rule) const;
  // The registry (ledger/registry.h) as `view` holds it.
  Result<std::optional<PartyRecord>> FindParty(const View& view, std::string_view did) const;
  // Whether `did` and `other` are keys of the same party (one replaced the other).
  Result<bool> SameParty(const View& view, const std::string& did, const std::string& other) const;
  // The DIDs of the agencies in good standing, sorted.
  Result<std::vector<std::string>> Agencies(const View& view) const;
  // The registry rules of a PartyRegistration, PartySuspension,
  // PartyReinstatement or PartyKeyRotation signed by `signer`.
  Status CheckRegistryChange(const View& view, const ParsedDocument& parsed,
                             const PartyRecord& signer) const;
  // The writes of an accepted registry document at `leaf` of block `height`;
  // returns the standing of the party it is about ("active", "suspended").
  std::string ApplyRegistryChange(StagedView& view, const ParsedDocument& parsed, uint64_t leaf,
                                  uint64_t height);
  Status LoadRegistry();
  Result<std::vector<ValidatorRecord>> ValidatorSet(const View& view) const;
  Status CheckValidatorChange(const View& view, const ParsedDocument& parsed) const;
  std::string ApplyValidatorChange(StagedView& view, const ParsedDocument& parsed, uint64_t leaf,
                                   uint64_t height);
  std::optional<HeldDocument> FindValidatorDocument(const crypto::Json& document,
                                                    uint64_t leaf) const;
  // After an event that raised or cleared flags at `leaf`: the certificate's
  // flags in force (its `record`) into the kIndex history and flags_.
  void RecordFlags(StagedView& view, const std::string& certificate_id, const crypto::Json& record,
                   uint64_t leaf);
  Status LoadFlags();
  // FindIdentical of a registry document held at `leaf`.
  std::optional<HeldDocument> FindRegistryDocument(const crypto::Json& document,
                                                   uint64_t leaf) const;
  // The rules of an illegitimate-product notice signed by `signer`
  // (docs/ledger.md#notices), and the writes of an accepted one at `leaf` of
  // `block` (the notice record, the flags it raises or clears); returns the
  // notice's status ("open", "terminated"). ledger/state_machine_notices.cc.
  Status CheckNotice(const View& view, const ParsedDocument& parsed, const PartyRecord& signer,
                     int64_t time_unix_ms) const;
  std::string ApplyNotice(StagedView& view, const ParsedDocument& parsed, uint64_t leaf,
                          const Block& block);
  std::optional<HeldDocument> FindNoticeDocument(const crypto::Json& document, uint64_t leaf) const;
  Status LoadMeta();
  // The certificate record of `id`; kNotFound when there is none.
  Status LoadRecord(const View& view, const std::string& id, crypto::Json& record) const;

  storage::KvStore* const store_;
  const Genesis genesis_;
  const StateMachineOptions options_;
  mutable SignatureCache signature_cache_;

  // Owned by the apply thread; readers only call its const proof methods,
  // which read stored nodes of published tree sizes.
  std::unique_ptr<MerkleLog> merkle_;

  mutable Mutex mu_;
  // Guarded by mu_: the state as of the last published block.
  LedgerSummary published_;
  std::string checkpoint_ GUARDED_BY(mu_);             // co-signed note of checkpoint_tree_size_
  std::string revocations_note_ GUARDED_BY(mu_);       // co-signed note of checkpoint_tree_size_
  uint64_t checkpoint_tree_size_ GUARDED_BY(mu_) = 0;  // <= published_.tree_size
  std::vector<RevocationEntry> revocations_published_ GUARDED_BY(mu_);
  // Apply thread only.
  LedgerSummary applying_;
  // The LtHash16 of kState and kIndex with every applied block staged;
  // StateRoot(state_lthash_) == applying_.state_root.
  crypto::LtHash16 state_lthash_;
  // The time of the last applied block (0 before the first). Monotonic.
  int64_t block_time_unix_ms_ = 0;
  std::map<std::string, RevocationEntry> revocations_;  // by certificate id, as applied
  bool revocations_changed_ = false;                    // since the last Publish
  // Every state of every DID the registry changed, oldest first, as applied;
  // the published copy answers LatestRevocations as of the checkpoint.
  std::map<std::string, std::vector<RegistryEntry>> registry_;
  bool registry_changed_ = false;            // since the last Publish
  uint64_t validator_changes_applying_ = 0;  // apply thread; published by Publish
  std::atomic<uint64_t> validator_changes_{0};
  // The voters RevocationsBody names, read again when validator_changes_
  // moved (apply thread).
  mutable Voters body_voters_;
  mutable uint64_t body_voters_changes_ = UINT64_MAX;
  std::map<std::string, std::vector<RegistryEntry>> registry_published_ GUARDED_BY(mu_);
  // By certificate: its flags in force after each event that changed them,
  // oldest first (the leaf of that event, the flags); the published copy
  // answers LatestRevocations as of the checkpoint.
  using FlagHistory = std::vector<std::pair<uint64_t, std::vector<FlagEntry>>>;
  std::map<std::string, FlagHistory> flags_;
  bool flags_changed_ = false;
  std::map<std::string, FlagHistory> flags_published_ GUARDED_BY(mu_);
};

// Reads of a ledger store not opened as a StateMachine (a received
// snapshot's): its validator set (the genesis's when nothing changed it) and
// the links of the voter chain it holds. kCorruption when stored text does
// not read back.
Result<std::vector<ValidatorRecord>> ReadValidators(const storage::KvStore& store,
                                                    const Genesis& genesis);
Result<std::vector<VoterChange>> ReadVoterChanges(const storage::KvStore& store);
// Stages `added` among the links `store` holds (kMeta; a height held already
// is kept as it is): the node calls it as each link is co-signed, and for the
// links a snapshot came with. Not part of the state roots.
Status StageVoterChanges(const storage::KvStore& store, const std::vector<VoterChange>& added,
                         storage::WriteBatch& batch);
// CertifiedItemFilter of a ledger store not opened as a StateMachine. The
// caller makes sure the store holds at least `tree_size` leaves.
// kCorruption when a certificate record does not read back.
Result<ItemFilter> BuildCertifiedItemFilter(const storage::KvStore& store, uint64_t tree_size);

}  // namespace frontera::ledger
