// What `frontera verify` checks (docs/cli.md#verify): everything a skeptic
// checks about one certificate, trusting nothing but the genesis file.
//
// The checks work on data already fetched (Evidence), not on HTTP, so that
// tests feed documents, proofs and checkpoints in memory and the CLI can fetch
// them from any node (or, later, from a file). Checks, in order:
//   1 signature  the credential is well formed (ledger::ParseCredential), its
//                Data Integrity proof verifies, its signer is its issuer, and
//                it is the certificate asked for
//   2 issuer     the issuer is a genesis party with role manufacturer or
//                shipper, not suspended; a product's GTIN is under one of the
//                party's GS1 company prefixes
//   3 inclusion  SHA-256(0x00 ‖ JCS(credential)) equals the node's leaf hash
//                and the RFC 9162 inclusion proof leads to the checkpoint root
//   4 checkpoint the checkpoint's origin is the genesis network and a majority
//                of `genesis.validators` signed it (the voters: ledger::WithVoters)
//   5 custody    every event verifies, is signed by a genesis party, certifies
//                this certificate and its item, and the custody chain holds
//   6 status     not revoked, within validFrom/validUntil and before expiry
//
// Verdicts (and exit codes), ranked by ledger::Decide: failures of 1, 2 or 5,
// or not yet valid → NOT AUTHENTIC (1); else of 3 or 4 → NOT ON LEDGER (4);
// else revoked → REVOKED (2), read RECALLED when its reason is a recall; else
// past validUntil or expiry → EXPIRED (3); else AUTHENTIC (0).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "ledger/genesis.h"
#include "ledger/verdict.h"
#include "tools/exit_codes.h"

namespace frontera::tools {

// The verdict is ledger/verdict.h's, shared with the validator and the
// resolver page.
using ledger::Verdict;
using ledger::VerdictName;
// The process exit code of a verdict (its enum value).
inline int ExitCodeOf(Verdict verdict) { return static_cast<int>(verdict); }
static_assert(static_cast<int>(Verdict::kStaleBundle) == kExitStaleBundle);
static_assert(static_cast<int>(Verdict::kDecommissioned) == kExitDecommissioned);

// Everything the verifier looks at, as fetched from a node.
struct Evidence {
  std::string requested_id;  // the id the user asked about
  crypto::Json credential;   // the signed credential
  // The node answered the public view (docs/api.md#two-views): `credential`
  // has no proof and only the label's members of its subject, `events` is
  // empty, and the leaf hash cannot be recomputed here.
  bool public_view = false;
  std::string status;                // the node's status: "active" | "revoked"
  std::vector<crypto::Json> events;  // signed EPCIS events, in ledger order
  std::string revocation_reason;     // "reason" of the node's revocation document, or empty
  crypto::Json flags = crypto::Json::array();  // the node's flags, shown as is
  // The DSCSA flag in force a verdict names (ledger::MostSevereFlag of the
  // answer's "flagged"), its reason and the agency that raised it; empty
  // when none.
  std::string flag;
  std::string flag_reason;
  std::string flagged_by;
  // The pack's lifecycle the answer states (ledger::LifecycleOfCertificate).
  ledger::PackLifecycle lifecycle;
  // GET /v1/certificates/{id}/proof:
  uint64_t leaf_index = 0;
  crypto::Hash leaf_hash{};
  uint64_t tree_size = 0;
  std::vector<crypto::Hash> inclusion;
  std::string checkpoint;  // signed note
};

// The signed event in an entry of the certificate answer's "events": the entry
// itself when it has a proof, else its "document" or "event" member (the node
// wraps each as {"document": {…}, "ledger": {…}}); nullptr when there is none.
// The result points into `entry`.
const crypto::Json* UnwrapEvent(const crypto::Json& entry);

// Builds Evidence from the answers of GET /v1/certificates/{id} ({credential,
// status, events, flags, ledger}; an event may be the signed document itself
// or an object carrying it as "event" or "document") and GET
// /v1/certificates/{id}/proof. kInvalidArgument naming the member when an
// answer has the wrong shape.
Result<Evidence> EvidenceFromAnswers(std::string requested_id, const crypto::Json& certificate,
                                     const crypto::Json& proof);

struct Check {
  std::string name;   // "signature", "issuer", …
  std::string title;  // one line for humans
  bool passed = false;
  std::vector<std::string> reasons;  // why it failed, or facts worth showing when it passed
};

struct CheckpointReport {
  bool valid = false;   // parses, origin matches, signed by a quorum
  bool parsed = false;  // a signed note with a checkpoint body; the fields below are set
  std::string origin;
  uint64_t tree_size = 0;
  crypto::Hash root{};
  std::vector<std::string> signers;  // voters whose signature verifies
  size_t quorum = 0;
  // The time a quorum of the signatures vouches for (QuorumSignedTime), if
  // a quorum of them are timestamped cosignatures.
  std::optional<uint64_t> signed_time;
  std::vector<std::string> reasons;  // what is wrong, when !valid
};

struct NoteSigners {
  std::vector<std::string> signers;                  // voters whose signature verifies
  std::vector<crypto::VerifiedSignature> signed_by;  // the same, with their signed times
  std::vector<std::string> reasons;                  // signature lines that name a voter but fail
};

// The time a quorum of signatures vouches for: the `quorum`-th newest signed
// time (`quorum` of the signers signed at or after it, so fewer than a quorum
// of wrong clocks cannot move it forward), or nullopt when fewer than `quorum`
// of them carry a time (plain 0x01 signatures, or too few signers).
std::optional<uint64_t> QuorumSignedTime(const std::vector<crypto::VerifiedSignature>& signed_by,
                                         size_t quorum);

// The voters (`genesis.validators`: the genesis's, or those of a later block
// by ledger::WithVoters) that signed `note`. Stricter than C2SP signed-note
// (which ignores lines of unknown keys): a line carrying the name of a voter
// whose key id or signature does not verify is a forgery on a permissioned
// network, and is reported in `reasons`; callers refuse the note.
NoteSigners CheckNoteSigners(const ledger::Genesis& genesis, const crypto::Note& note);

// Checks a signed-note checkpoint against the voters `genesis.validators`
// (docs/ledger.md "Checkpoints": valid when a majority of them signed it and
// no line naming one fails to verify, see CheckNoteSigners).
CheckpointReport VerifyCheckpoint(const ledger::Genesis& genesis, std::string_view note);

struct Report {
  std::string id;
  Verdict verdict = Verdict::kNotAuthentic;
  std::string revocation_reason;  // when kRevoked
  std::string flag;               // when kFlagged: the flag and its reason
  std::string flag_reason;
  ledger::PackLifecycle lifecycle;  // when kDecommissioned: the state, where and when
  // What the certificate names, for people: "Amoxicillin 500 mg capsules
  // (GTIN 07501234000017, lot LOT42A, serial SN000123), expires 2028-10-31"
  // or "Pseudoephedrine hydrochloride, 200 KGM (SSCC …)"; empty when the
  // credential does not parse.
  std::string subject;
  ledger::LabelVerdict Outcome() const {
    return {verdict, revocation_reason, flag, flag_reason, lifecycle};
  }
  std::vector<Check> checks;  // in the order of the header comment
};

// Runs every check; `now_unix_millis` decides validity and expiry.
Report VerifyEvidence(const ledger::Genesis& genesis, const Evidence& evidence,
                      int64_t now_unix_millis);

// What the public view lets a reader check (evidence.public_view): the
// node's leaf for the certificate is in a checkpoint a majority signed
// (checks "inclusion", "checkpoint"), and its status and dates ("status").
// The credential's proof, issuer and custody are not shown, so the verdict
// vouches for the ledger's record, not for the document: callers pair it
// with the label's own signature (VerifyLabelOnline).
Report VerifyPublicEvidence(const ledger::Genesis& genesis, const Evidence& evidence,
                            int64_t now_unix_millis);

// The report of a certificate the node does not know (HTTP 404).
Report NotOnLedgerReport(const std::string& id, const std::string& reason);

// The certificate's subject in one line for people (see Report::subject),
// from the credential's JSON; "" when it names no product or consignment.
std::string DescribeSubject(const crypto::Json& credential);

// Human form: one line per check with ✓ or ✗ and indented reasons, then the
// verdict.
std::string RenderReport(const Report& report);
// Machine form: {"id", "verdict", "exit_code", "checks": [{name, title,
// passed, reasons}]}.
// The checks as [{name, title, passed, reasons}] (the "checks" of --json).
crypto::Json ChecksJson(const std::vector<Check>& checks);
crypto::Json ReportJson(const Report& report);
// {verdict, recalled, revocation_reason, flag, flag_reason, exit_code}: the
// members the CLI's JSON reports share (null where the verdict has none).
crypto::Json VerdictJson(const ledger::LabelVerdict& outcome);

}  // namespace frontera::tools
