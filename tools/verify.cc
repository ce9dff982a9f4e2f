#include "tools/verify.h"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <optional>

#include "common/encoding.h"
#include "crypto/data_integrity.h"
#include "crypto/jcs.h"
#include "crypto/signed_note.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"

namespace frontera::tools {
namespace {

using crypto::Json;

Status ShapeError(std::string_view pointer, std::string_view reason) {
  return Status::InvalidArgument("unexpected answer from the node",
                                 {FieldError{std::string(pointer), std::string(reason)}});
}

Result<crypto::Hash> HashFromBase64(const Json& value, std::string_view pointer) {
  if (!value.is_string()) return ShapeError(pointer, "must be a base64 string");
  auto bytes = Base64Decode(value.get<std::string>());
  if (!bytes.ok() || bytes->size() != crypto::Hash{}.size()) {
    return ShapeError(pointer, "must be a base64 SHA-256 hash (32 bytes)");
  }
  crypto::Hash hash;
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

Result<uint64_t> Unsigned(const Json& object, const char* name) {
  auto member = object.find(name);
  if (member != object.end() && member->is_number_unsigned()) return member->get<uint64_t>();
  // JSON has one number type; a value built in memory may be held as signed.
  if (member != object.end() && member->is_number_integer() && member->get<int64_t>() >= 0) {
    return static_cast<uint64_t>(member->get<int64_t>());
  }
  return ShapeError(std::string("/") + name, "must be a non-negative integer");
}

// A short form of a DID for messages: the genesis name when known.
std::string Who(const ledger::Genesis& genesis, const std::string& did) {
  const ledger::Party* party = genesis.FindParty(did);
  if (party == nullptr) return did;
  return party->name + " (" + std::string(ledger::RoleName(party->role)) + ")";
}

// The key `did`'s party signs with now: `did`, or the last of the keys that
// replaced it (ledger::WithRegistry records each replacement).
std::string CurrentKey(const ledger::Genesis& genesis, std::string did) {
  for (size_t hops = 0; hops <= genesis.parties.size(); ++hops) {
    const ledger::Party* party = genesis.FindParty(did);
    if (party == nullptr || party->successor.empty()) break;
    did = party->successor;
  }
  return did;
}

// Whether two DIDs are keys of one party (the ledger treats them as one).
bool SameParty(const ledger::Genesis& genesis, const std::string& a, const std::string& b) {
  return a == b || (!a.empty() && !b.empty() && CurrentKey(genesis, a) == CurrentKey(genesis, b));
}

bool IsAgency(const ledger::Genesis& genesis, const std::string& did) {
  const ledger::Party* party = genesis.FindParty(did);
  return party != nullptr && party->role == ledger::Role::kAgency;
}

std::string StepName(ledger::EventKind kind) {
  switch (kind) {
    case ledger::EventKind::kShipping:
      return "shipping";
    case ledger::EventKind::kDeparting:
      return "departing";
    case ledger::EventKind::kArriving:
      return "arriving";
    case ledger::EventKind::kReceiving:
      return "receiving";
    case ledger::EventKind::kInspecting:
      return "inspecting";
    case ledger::EventKind::kCustomsHold:
      return "customs hold";
    case ledger::EventKind::kCustomsRelease:
      return "customs release";
    case ledger::EventKind::kJointInspection:
      return "joint inspection";
    case ledger::EventKind::kLifecycle:
      return "pack lifecycle act";
  }
  return "event";
}

struct CredentialFacts {
  std::optional<ledger::Credential> parsed;
  std::string signer;  // did of the verified proof, or empty
};

Check CheckSignature(const Evidence& evidence, CredentialFacts& facts) {
  Check check{"signature", "credential signed by its issuer", true, {}};
  auto fail = [&](std::string reason) {
    check.passed = false;
    check.reasons.push_back(std::move(reason));
  };
  auto parsed = ledger::ParseCredential(evidence.credential);
  if (!parsed.ok()) {
    fail("credential is not well formed: " + parsed.status().ToString());
  } else {
    facts.parsed = *parsed;
  }
  auto proof = crypto::VerifyProof(evidence.credential);
  if (!proof.ok()) {
    fail("Data Integrity proof does not verify: " + proof.status().ToString());
  } else {
    facts.signer = proof->controller;
    if (facts.parsed && proof->controller != facts.parsed->issuer) {
      fail("signed by " + proof->controller + ", not by the issuer " + facts.parsed->issuer);
    }
    if (proof->proof_purpose != "assertionMethod") {
      fail("proofPurpose is \"" + proof->proof_purpose + "\", not assertionMethod");
    }
  }
  if (facts.parsed && facts.parsed->id != evidence.requested_id) {
    fail("the node answered with credential " + facts.parsed->id + ", not " +
         evidence.requested_id);
  }
  if (check.passed) check.reasons.push_back("eddsa-jcs-2022 proof by " + facts.signer);
  return check;
}

Check CheckIssuer(const ledger::Genesis& genesis, const CredentialFacts& facts) {
  Check check{"issuer", "issuer registered and allowed to issue", true, {}};
  auto fail = [&](std::string reason) {
    check.passed = false;
    check.reasons.push_back(std::move(reason));
  };
  if (!facts.parsed) {
    fail("cannot check the issuer of a malformed credential");
    return check;
  }
  const ledger::Credential& credential = *facts.parsed;
  const ledger::Party* party = genesis.FindParty(credential.issuer);
  if (party == nullptr) {
    fail("issuer " + credential.issuer + " is not a party of network " + genesis.network);
    return check;
  }
  if (party->role != ledger::Role::kManufacturer && party->role != ledger::Role::kShipper) {
    fail(party->name + " has role " + std::string(ledger::RoleName(party->role)) +
         "; only a manufacturer or shipper issues certificates");
  }
  // The ledger took the certificate while its issuer was in good standing
  // (the inclusion check proves it is there); a suspension since stops new
  // ones, not this one.
  if (party->suspended) {
    check.reasons.push_back(party->name +
                            " is suspended now; this certificate was recorded "
                            "before");
  }
  if (credential.type == ledger::CredentialType::kProduct) {
    // A GTIN-14 is indicator digit ‖ GS1 company prefix ‖ item reference ‖
    // check digit (GS1 General Specifications §3.3.2); GTIN-8/12/13 are
    // left-padded with zeros, so in every case the company prefix starts at
    // the second digit.
    std::string_view body = std::string_view(credential.gtin).substr(1);
    bool under = std::any_of(party->prefixes.begin(), party->prefixes.end(),
                             [&](const std::string& p) { return body.starts_with(p); });
    if (!under) {
      std::string prefixes;
      for (const std::string& p : party->prefixes) prefixes += (prefixes.empty() ? "" : ", ") + p;
      fail("GTIN " + credential.gtin + " is not under a GS1 company prefix of " + party->name +
           " (" + (prefixes.empty() ? "none registered" : prefixes) + ")");
    }
  }
  if (check.passed) {
    check.reasons.push_back(party->name + ", " + std::string(ledger::RoleName(party->role)) + ", " +
                            party->country);
  }
  return check;
}

Check CheckInclusion(const Evidence& evidence, const CheckpointReport& checkpoint) {
  Check check{"inclusion", "credential is a leaf of the ledger's Merkle tree", true, {}};
  auto fail = [&](std::string reason) {
    check.passed = false;
    check.reasons.push_back(std::move(reason));
  };
  crypto::Hash leaf_hash = evidence.leaf_hash;
  if (evidence.public_view) {
    // The credential is not shown whole: the leaf is the one the node names.
    check.title = "the node's leaf for it is in the ledger's Merkle tree";
  } else {
    auto canonical = crypto::Canonicalize(evidence.credential);
    if (!canonical.ok()) {
      fail("cannot canonicalize the credential: " + canonical.status().ToString());
      return check;
    }
    // RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ leaf); the leaf is the JCS
    // form of the signed document (docs/storage.md "Merkle log").
    leaf_hash = crypto::LeafHash(AsBytes(*canonical));
    if (leaf_hash != evidence.leaf_hash) {
      fail("leaf hash computed here " + Base64Encode(leaf_hash) + " differs from the node's " +
           Base64Encode(evidence.leaf_hash));
    }
  }
  if (checkpoint.parsed) {
    if (evidence.tree_size != checkpoint.tree_size) {
      fail("proof is for tree size " + std::to_string(evidence.tree_size) +
           " but the checkpoint is of size " + std::to_string(checkpoint.tree_size));
    } else if (!crypto::VerifyInclusion(leaf_hash, evidence.leaf_index, evidence.tree_size,
                                        evidence.inclusion, checkpoint.root)) {
      fail("inclusion proof of leaf " + std::to_string(evidence.leaf_index) +
           " does not lead to the checkpoint root " + Base64Encode(checkpoint.root));
    }
  } else {
    fail("no checkpoint to check the inclusion proof against");
  }
  if (check.passed) {
    check.reasons.push_back("leaf " + std::to_string(evidence.leaf_index) + " of " +
                            std::to_string(evidence.tree_size) + ", hash " +
                            Base64Encode(leaf_hash));
    if (evidence.public_view) {
      check.reasons.push_back(
          "the hash is the node's: the credential it hashes is in the full view (--key)");
    }
  }
  return check;
}

Check CheckCheckpoint(const CheckpointReport& checkpoint) {
  Check check{"checkpoint", "checkpoint co-signed by a majority of genesis validators",
              checkpoint.valid, checkpoint.reasons};
  std::string signers;
  for (const std::string& s : checkpoint.signers) signers += (signers.empty() ? "" : ", ") + s;
  check.reasons.push_back("signed by " + std::to_string(checkpoint.signers.size()) + " of the " +
                          "validators (quorum " + std::to_string(checkpoint.quorum) +
                          "): " + (signers.empty() ? "none" : signers));
  return check;
}

Check CheckCustody(const ledger::Genesis& genesis, const Evidence& evidence,
                   const CredentialFacts& facts) {
  Check check{"custody", "events signed by registered parties; custody chain consistent", true, {}};
  auto fail = [&](size_t i, std::string reason) {
    check.passed = false;
    check.reasons.push_back("event " + std::to_string(i + 1) + ": " + std::move(reason));
  };
  if (!facts.parsed) {
    if (!evidence.events.empty()) {
      check.passed = false;
      check.reasons.push_back("cannot check events of a malformed credential");
    }
    return check;
  }
  const std::string item_epc = ledger::ItemEpc(*facts.parsed);
  // The issuer holds the goods until it ships them; each shipping hands them
  // to the party it names (CBV 2.0 §8.3 possessing_party).
  std::string custodian = facts.parsed->issuer;
  std::string shipped_to;         // destination of the latest shipping, or empty
  std::string held_by;            // the agency whose hold is in force, or empty
  std::string decommissioned_by;  // the party whose decommissioning is in force, or empty
  for (size_t i = 0; i < evidence.events.size(); ++i) {
    const Json& document = evidence.events[i];
    auto proof = crypto::VerifyProof(document);
    if (!proof.ok()) {
      fail(i, "proof does not verify: " + proof.status().ToString());
      continue;
    }
    auto event = ledger::ParseEvent(document);
    if (!event.ok()) {
      fail(i, "not a well-formed event: " + event.status().ToString());
      continue;
    }
    const std::string& signer = proof->controller;
    std::string line =
        event->event_time + " " + StepName(event->kind) + " by " + Who(genesis, signer);
    const ledger::Party* party = genesis.FindParty(signer);
    if (party == nullptr) {
      fail(i, StepName(event->kind) + " signed by " + signer + ", not a registered party");
      continue;
    }
    // The ledger took the event while its signer was in good standing.
    if (party->suspended) line += " (" + party->name + " is suspended now)";
    if (event->certificate_id != facts.parsed->id) {
      fail(i, "certificationInfo is " + event->certificate_id + ", not this certificate");
    }
    if (std::find(event->epc_list.begin(), event->epc_list.end(), item_epc) ==
        event->epc_list.end()) {
      fail(i, "epcList does not name this item (" + item_epc + ")");
    }
    switch (event->kind) {
      case ledger::EventKind::kShipping:
        if (!SameParty(genesis, signer, custodian)) {
          fail(i, "shipping by " + Who(genesis, signer) + ", but the custodian is " +
                      Who(genesis, custodian));
        }
        if (!event->source_party.empty() && event->source_party != signer) {
          fail(i, "shipping names source " + event->source_party + ", not its signer");
        }
        if (event->destination_party.empty()) {
          fail(i, "shipping does not name the next custodian");
        } else {
          if (genesis.FindParty(event->destination_party) == nullptr) {
            fail(i, "shipped to " + event->destination_party + ", not a registered party");
          }
          custodian = event->destination_party;
          shipped_to = event->destination_party;
          line += " → " + Who(genesis, event->destination_party);
        }
        break;
      case ledger::EventKind::kReceiving:
        if (shipped_to.empty()) {
          fail(i, "receiving by " + Who(genesis, signer) + " before any shipping");
        } else if (!SameParty(genesis, signer, shipped_to)) {
          fail(i, "receiving by " + Who(genesis, signer) + ", but it was shipped to " +
                      Who(genesis, shipped_to));
        }
        custodian = signer;
        break;
      case ledger::EventKind::kDeparting:
      case ledger::EventKind::kArriving:
      case ledger::EventKind::kInspecting:
        if (!SameParty(genesis, signer, custodian) && !IsAgency(genesis, signer)) {
          fail(i, StepName(event->kind) + " by " + Who(genesis, signer) +
                      ", neither the custodian (" + Who(genesis, custodian) + ") nor an agency");
        }
        break;
      case ledger::EventKind::kCustomsHold:
      case ledger::EventKind::kCustomsRelease:
      case ledger::EventKind::kJointInspection:
        if (!IsAgency(genesis, signer)) {
          fail(i, StepName(event->kind) + " by " + Who(genesis, signer) +
                      "; only a customs agency performs customs acts");
        }
        if (event->kind == ledger::EventKind::kCustomsHold) held_by = signer;
        if (event->kind == ledger::EventKind::kCustomsRelease) {
          if (!held_by.empty() && !SameParty(genesis, signer, held_by)) {
            fail(i, "release by " + Who(genesis, signer) + ", but the hold was placed by " +
                        Who(genesis, held_by) + ", which alone releases it");
          }
          held_by.clear();
        }
        break;
      case ledger::EventKind::kLifecycle: {
        // docs/ledger.md#pack-lifecycle: the holder dispenses, the issuer or
        // an agency records the other states, the same party undoes.
        const ledger::PackState target = event->lifecycle_target;
        line +=
            ": " + std::string(ledger::PackStateName(target)) + " at GLN " + event->lifecycle_gln;
        if (target == ledger::PackState::kDispensed && !SameParty(genesis, signer, custodian)) {
          fail(i, "dispensing by " + Who(genesis, signer) + ", but the custodian is " +
                      Who(genesis, custodian));
        } else if (target == ledger::PackState::kActive && !decommissioned_by.empty() &&
                   !SameParty(genesis, signer, decommissioned_by)) {
          fail(i, "undone by " + Who(genesis, signer) + ", but decommissioned by " +
                      Who(genesis, decommissioned_by));
        } else if (target != ledger::PackState::kDispensed &&
                   target != ledger::PackState::kActive &&
                   !SameParty(genesis, signer, facts.parsed->issuer) &&
                   !IsAgency(genesis, signer)) {
          fail(i, std::string(ledger::PackStateName(target)) + " recorded by " +
                      Who(genesis, signer) + ", neither the issuer nor an agency");
        }
        decommissioned_by = target == ledger::PackState::kActive ? "" : signer;
        break;
      }
    }
    if (check.passed) check.reasons.push_back(line);
  }
  if (check.passed) {
    if (evidence.events.empty()) check.reasons.push_back("no events recorded");
    check.reasons.push_back("custodian now: " + Who(genesis, custodian));
    if (!held_by.empty()) {
      check.reasons.push_back("under customs hold by " + Who(genesis, held_by) +
                              " (no release recorded)");
    }
  }
  return check;
}

struct StatusFacts {
  bool revoked = false;
  bool flagged = false;
  bool expired = false;
  bool not_yet_valid = false;
};

// `validity`: of the credential's dates; null when they cannot be read.
Check CheckStatus(const Evidence& evidence, const ledger::Validity* validity, StatusFacts& out) {
  Check check{"status", "not revoked, within its validity period", true, {}};
  auto fail = [&](std::string reason) {
    check.passed = false;
    check.reasons.push_back(std::move(reason));
  };
  if (evidence.status == "revoked") {
    out.revoked = true;
    fail(evidence.revocation_reason.empty()
             ? "revoked on the ledger"
             : "revoked on the ledger: " + evidence.revocation_reason);
  } else if (evidence.status != "active") {
    fail("the node reports unknown status \"" + evidence.status + "\"");
  }
  if (!evidence.flag.empty()) {
    out.flagged = true;
    fail("flagged " + evidence.flag + " by " + evidence.flagged_by +
         (evidence.flag_reason.empty() ? "" : ": " + evidence.flag_reason));
  }
  if (validity != nullptr) {
    out.not_yet_valid = validity->not_yet_valid;
    out.expired = validity->expired;
    for (const std::string& reason : validity->reasons) fail(reason);
  }
  if (evidence.flags.is_array()) {
    for (const Json& flag : evidence.flags) {
      check.reasons.push_back("flag: " +
                              (flag.is_string() ? flag.get<std::string>() : flag.dump()));
    }
  }
  if (check.passed) check.reasons.insert(check.reasons.begin(), "active");
  return check;
}

// Sets the report's verdict (ledger::Decide) from whether the document is
// authentic and on the ledger, and from the status the node reported.
void SetVerdict(Report& report, const Evidence& evidence, const StatusFacts& status, bool authentic,
                bool on_ledger) {
  ledger::LabelVerdict outcome = ledger::Decide({.authentic = authentic,
                                                 .on_ledger = on_ledger,
                                                 .revoked = status.revoked,
                                                 .revocation_reason = evidence.revocation_reason,
                                                 .flag = evidence.flag,
                                                 .flag_reason = evidence.flag_reason,
                                                 .expired = status.expired,
                                                 .lifecycle = evidence.lifecycle});
  report.verdict = outcome.verdict;
  report.lifecycle = outcome.lifecycle;
  report.revocation_reason = outcome.revocation_reason;
  report.flag = outcome.flag;
  report.flag_reason = outcome.flag_reason;
}

}  // namespace

const Json* UnwrapEvent(const Json& entry) {
  if (!entry.is_object()) return nullptr;
  if (entry.contains("proof")) return &entry;
  for (const char* name : {"document", "event"}) {
    auto member = entry.find(name);
    if (member != entry.end() && member->is_object()) return &*member;
  }
  return nullptr;
}

Result<Evidence> EvidenceFromAnswers(std::string requested_id, const Json& certificate,
                                     const Json& proof) {
  Evidence evidence;
  evidence.requested_id = std::move(requested_id);
  if (!certificate.is_object()) return ShapeError("", "certificate answer must be an object");
  auto credential = certificate.find("credential");
  if (credential == certificate.end() || !credential->is_object()) {
    return ShapeError("/credential", "must be the signed credential object");
  }
  evidence.credential = *credential;
  auto status = certificate.find("status");
  if (status == certificate.end() || !status->is_string()) {
    return ShapeError("/status", "must be a string");
  }
  evidence.status = status->get<std::string>();
  evidence.public_view = certificate.value("view", "") == "public";
  if (auto events = certificate.find("events"); events != certificate.end()) {
    if (!events->is_array()) return ShapeError("/events", "must be an array");
    for (size_t i = 0; i < events->size(); ++i) {
      const Json& entry = (*events)[i];
      if (!entry.is_object()) return ShapeError("/events/" + std::to_string(i), "not an object");
      const Json* event = UnwrapEvent(entry);
      if (event == nullptr) return ShapeError("/events/" + std::to_string(i), "not a signed event");
      evidence.events.push_back(*event);
    }
  }
  if (auto flags = certificate.find("flags"); flags != certificate.end() && !flags->is_null()) {
    evidence.flags = flags->is_array() ? *flags : Json::array({*flags});
  }
  if (auto flagged = certificate.find("flagged");
      flagged != certificate.end() && flagged->is_object()) {
    std::vector<std::string> names;
    for (const auto& [name, entry] : flagged->items()) names.push_back(name);
    evidence.flag = ledger::MostSevereFlag(names);
    if (!evidence.flag.empty()) {
      const Json& entry = (*flagged)[evidence.flag];
      if (entry.is_object() && entry.contains("reason") && entry["reason"].is_string()) {
        evidence.flag_reason = entry["reason"].get<std::string>();
      }
      if (entry.is_object() && entry.contains("by") && entry["by"].is_array() &&
          !entry["by"].empty() && entry["by"][0].is_string()) {
        evidence.flagged_by = entry["by"][0].get<std::string>();
      }
    }
  }

  FRONTERA_ASSIGN_OR_RETURN(evidence.lifecycle, ledger::LifecycleOfCertificate(certificate));

  if (auto revocation = certificate.find("revocation");
      revocation != certificate.end() && revocation->is_object()) {
    const Json* document = UnwrapEvent(*revocation);
    if (document != nullptr && document->contains("reason") && (*document)["reason"].is_string()) {
      evidence.revocation_reason = (*document)["reason"].get<std::string>();
    }
  }

  if (!proof.is_object()) return ShapeError("", "proof answer must be an object");
  FRONTERA_ASSIGN_OR_RETURN(evidence.leaf_index, Unsigned(proof, "leaf_index"));
  FRONTERA_ASSIGN_OR_RETURN(evidence.tree_size, Unsigned(proof, "tree_size"));
  FRONTERA_ASSIGN_OR_RETURN(evidence.leaf_hash,
                            HashFromBase64(proof.value("leaf_hash", Json()), "/leaf_hash"));
  auto inclusion = proof.find("inclusion");
  if (inclusion == proof.end() || !inclusion->is_array()) {
    return ShapeError("/inclusion", "must be an array of base64 hashes");
  }
  if (inclusion->size() > 64) return ShapeError("/inclusion", "longer than 64 hashes");
  for (size_t i = 0; i < inclusion->size(); ++i) {
    FRONTERA_ASSIGN_OR_RETURN(crypto::Hash hash,
                              HashFromBase64((*inclusion)[i], "/inclusion/" + std::to_string(i)));
    evidence.inclusion.push_back(hash);
  }
  auto checkpoint = proof.find("checkpoint");
  if (checkpoint == proof.end() || !checkpoint->is_string()) {
    return ShapeError("/checkpoint", "must be the signed note text");
  }
  evidence.checkpoint = checkpoint->get<std::string>();
  return evidence;
}

std::optional<uint64_t> QuorumSignedTime(const std::vector<crypto::VerifiedSignature>& signed_by,
                                         size_t quorum) {
  std::vector<uint64_t> times;
  for (const crypto::VerifiedSignature& s : signed_by) {
    if (s.time) times.push_back(*s.time);
  }
  if (quorum == 0 || times.size() < quorum) return std::nullopt;
  std::sort(times.begin(), times.end(), std::greater<>());
  return times[quorum - 1];
}

NoteSigners CheckNoteSigners(const ledger::Genesis& genesis, const crypto::Note& note) {
  NoteSigners out;
  out.signed_by = crypto::VerifiedCosigners(note, genesis.NoteVerifiers());
  for (const crypto::VerifiedSignature& s : out.signed_by) out.signers.push_back(s.name);
  for (const crypto::NoteSignature& line : note.signatures) {
    const ledger::Validator* validator = genesis.FindValidator(line.name);
    if (validator == nullptr) continue;  // C2SP signed-note: unknown keys are ignored
    // A timestamped line is a tlog-cosignature (key type 0x04), else 0x01.
    const crypto::NoteSignatureType type =
        line.time ? crypto::NoteSignatureType::kCosignatureV1 : crypto::NoteSignatureType::kEd25519;
    if (line.key_id != crypto::NoteKeyId(line.name, validator->public_key, type)) {
      out.reasons.push_back("signature line of validator " + line.name +
                            " has a key id that is not its key");
    } else if (std::find(out.signers.begin(), out.signers.end(), line.name) == out.signers.end()) {
      out.reasons.push_back("signature of validator " + line.name + " does not verify");
    }
  }
  return out;
}

CheckpointReport VerifyCheckpoint(const ledger::Genesis& genesis, std::string_view note_text) {
  CheckpointReport report;
  report.quorum = genesis.Quorum();
  auto note = crypto::ParseNote(note_text);
  if (!note.ok()) {
    report.reasons.push_back("not a signed note: " + note.status().ToString());
    return report;
  }
  auto body = crypto::ParseCheckpointBody(note->text);
  if (!body.ok()) {
    report.reasons.push_back("not a checkpoint: " + body.status().ToString());
    return report;
  }
  report.parsed = true;
  report.origin = body->origin;
  report.tree_size = body->tree_size;
  report.root = body->root;
  NoteSigners signers = CheckNoteSigners(genesis, *note);
  report.signers = signers.signers;
  report.signed_time = QuorumSignedTime(signers.signed_by, report.quorum);
  report.reasons.insert(report.reasons.end(), signers.reasons.begin(), signers.reasons.end());
  bool origin_ok = body->origin == genesis.network;
  if (!origin_ok) {
    report.reasons.push_back("origin is \"" + body->origin + "\", not the genesis network \"" +
                             genesis.network + "\"");
  }
  bool quorum_ok = report.signers.size() >= report.quorum;
  if (!quorum_ok) {
    report.reasons.push_back("only " + std::to_string(report.signers.size()) + " of " +
                             std::to_string(genesis.validators.size()) +
                             " voters signed; a majority is " + std::to_string(report.quorum));
  }
  report.valid = origin_ok && quorum_ok && signers.reasons.empty();
  return report;
}

Report VerifyEvidence(const ledger::Genesis& genesis, const Evidence& evidence,
                      int64_t now_unix_millis) {
  Report report;
  report.id = evidence.requested_id;
  CredentialFacts facts;
  CheckpointReport checkpoint = VerifyCheckpoint(genesis, evidence.checkpoint);
  StatusFacts status;
  report.checks.push_back(CheckSignature(evidence, facts));
  report.checks.push_back(CheckIssuer(genesis, facts));
  report.checks.push_back(CheckInclusion(evidence, checkpoint));
  report.checks.push_back(CheckCheckpoint(checkpoint));
  report.checks.push_back(CheckCustody(genesis, evidence, facts));
  std::optional<ledger::Validity> validity;
  if (facts.parsed) {
    const ledger::Credential& c = *facts.parsed;
    validity = ledger::CheckValidity(c.valid_from, c.valid_until, c.expiry, now_unix_millis);
  }
  report.checks.push_back(CheckStatus(evidence, validity ? &*validity : nullptr, status));

  auto passed = [&](size_t index) { return report.checks[index].passed; };
  // An unknown status string fails the status check without a known cause:
  // the node's answer cannot be trusted to vouch for authenticity.
  bool unknown_status =
      !passed(5) && !status.revoked && !status.flagged && !status.expired && !status.not_yet_valid;
  SetVerdict(report, evidence, status,
             passed(0) && passed(1) && passed(4) && !status.not_yet_valid && !unknown_status,
             passed(2) && passed(3));
  if (passed(0)) report.subject = DescribeSubject(evidence.credential);
  return report;
}

Report NotOnLedgerReport(const std::string& id, const std::string& reason) {
  Report report;
  report.id = id;
  report.verdict = Verdict::kNotOnLedger;
  report.checks.push_back(
      Check{"inclusion", "credential is a leaf of the ledger's Merkle tree", false, {reason}});
  return report;
}

std::string DescribeSubject(const Json& credential) {
  auto text = [](const Json& object, std::initializer_list<const char*> path) -> std::string {
    const Json* at = &object;
    for (const char* key : path) {
      if (!at->is_object()) return "";
      auto it = at->find(key);
      if (it == at->end()) return "";
      at = &*it;
    }
    if (at->is_string()) return at->get<std::string>();
    if (at->is_number()) return at->dump();
    return "";
  };
  if (!credential.is_object()) return "";
  const Json& subject = credential.value("credentialSubject", Json::object());
  if (std::string sscc = text(subject, {"sscc"}); !sscc.empty()) {
    std::string name = text(subject, {"substance", "name"});
    std::string quantity = text(subject, {"quantity", "value"});
    std::string out = name.empty() ? "consignment" : name;
    if (!quantity.empty()) out += ", " + quantity + " " + text(subject, {"quantity", "uom"});
    return out + " (SSCC " + sscc + ")";
  }
  std::string gtin = text(subject, {"gtin"});
  if (gtin.empty()) return "";
  std::string name = text(subject, {"productName"});
  std::string out = (name.empty() ? std::string("product") : name) + " (GTIN " + gtin + ", lot " +
                    text(subject, {"lot"}) + ", serial " + text(subject, {"serial"}) + ")";
  if (std::string expiry = text(subject, {"expiry"}); !expiry.empty()) {
    out += ", expires " + expiry;
  }
  return out;
}

std::string RenderReport(const Report& report) {
  std::string out = "certificate " + report.id + "\n";
  if (!report.subject.empty()) out += report.subject + "\n";
  for (const Check& check : report.checks) {
    out += std::string(check.passed ? "  ✓ " : "  ✗ ") + check.title + "\n";
    for (const std::string& reason : check.reasons) out += "      " + reason + "\n";
  }
  out += report.Outcome().Sentence() + "\n";
  return out;
}

Json ChecksJson(const std::vector<Check>& checks) {
  Json out = Json::array();
  for (const Check& check : checks) {
    out.push_back({{"name", check.name},
                   {"title", check.title},
                   {"passed", check.passed},
                   {"reasons", check.reasons}});
  }
  return out;
}

Json VerdictJson(const ledger::LabelVerdict& outcome) {
  const bool revoked = outcome.verdict == Verdict::kRevoked;
  const bool flagged = outcome.verdict == Verdict::kFlagged;
  return Json{
      {"verdict", VerdictName(outcome.verdict)},
      {"recalled", outcome.recalled()},
      {"revocation_reason", revoked ? Json(outcome.revocation_reason) : Json()},
      {"flag", flagged ? Json(outcome.flag) : Json()},
      {"flag_reason", flagged ? Json(outcome.flag_reason) : Json()},
      {"lifecycle",
       outcome.verdict == Verdict::kDecommissioned ? outcome.lifecycle.ToViewJson() : Json()},
      {"exit_code", ExitCodeOf(outcome.verdict)}};
}

Json ReportJson(const Report& report) {
  Json out = VerdictJson(report.Outcome());
  out["id"] = report.id;
  out["subject"] = report.subject;
  out["checks"] = ChecksJson(report.checks);
  return out;
}

Report VerifyPublicEvidence(const ledger::Genesis& genesis, const Evidence& evidence,
                            int64_t now_unix_millis) {
  Report report;
  report.id = evidence.requested_id;
  CheckpointReport checkpoint = VerifyCheckpoint(genesis, evidence.checkpoint);
  report.checks.push_back(CheckInclusion(evidence, checkpoint));
  report.checks.push_back(CheckCheckpoint(checkpoint));
  // The public view keeps the credential's dates and the item's expiry.
  const Json& credential = evidence.credential;
  auto text = [](const Json& object, const char* name) {
    return object.is_object() && object.contains(name) && object[name].is_string()
               ? object[name].get<std::string>()
               : std::string();
  };
  const Json& subject = credential.is_object() && credential.contains("credentialSubject")
                            ? credential["credentialSubject"]
                            : Json::object();
  ledger::Validity validity =
      ledger::CheckValidity(text(credential, "validFrom"), text(credential, "validUntil"),
                            text(subject, "expiry"), now_unix_millis);
  StatusFacts status;
  report.checks.push_back(CheckStatus(evidence, &validity, status));
  const bool unknown_status = !report.checks[2].passed && !status.revoked && !status.flagged &&
                              !status.expired && !status.not_yet_valid;
  SetVerdict(report, evidence, status, !status.not_yet_valid && !unknown_status,
             report.checks[0].passed && report.checks[1].passed);
  report.subject = DescribeSubject(credential);
  return report;
}

}  // namespace frontera::tools
