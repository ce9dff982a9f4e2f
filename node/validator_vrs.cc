// node::Validator, DSCSA verification (docs/api.md#vrs): the facts of a
// verification request gathered from the ledger, decided by the pure
// functions of api/vrs.h, and the signature of the answer with this
// validator's key.
#include <optional>
#include <string>
#include <vector>

#include "api/vrs.h"
#include "crypto/did_key.h"
#include "crypto/signed_note.h"
#include "ledger/verdict.h"
#include "node/validator.h"

namespace frontera::node {

namespace {

// The responder: the GLN of the party that issued `cert` (the manufacturer
// the network answers for), as registered; else the one the credential
// names for its manufacturer; else "".
std::string ResponderGln(const ledger::StateMachine& sm, const api::Json& cert) {
  const api::Json& credential = cert["credential"];
  if (credential["issuer"].is_string()) {
    if (auto issuer = sm.FindParty(credential["issuer"].get<std::string>())) {
      if (!issuer->party.gln.empty()) return issuer->party.gln;
    }
  }
  const api::Json& subject = credential["credentialSubject"];
  if (subject.contains("manufacturer") && subject["manufacturer"].is_object()) {
    return subject["manufacturer"].value("gln", std::string());
  }
  return "";
}

}  // namespace

Result<api::VrsAnswer> Validator::VrsPreamble(const std::string& req_gln, const api::Reader& reader,
                                              const ledger::StateMachine& sm) {
  FRONTERA_RETURN_IF_ERROR(Serving());
  api::VrsAnswer answer;
  answer.signer_did = crypto::DidKeyFromPublicKey(key_.public_key());
  const std::string note_text = sm.LatestCheckpoint();
  if (note_text.empty()) return Status::Unavailable("no checkpoint yet: retry in a moment");
  FRONTERA_ASSIGN_OR_RETURN(crypto::Note note, crypto::ParseNote(note_text));
  FRONTERA_ASSIGN_OR_RETURN(crypto::Checkpoint checkpoint, crypto::ParseCheckpointBody(note.text));
  answer.checkpoint = {checkpoint.tree_size, checkpoint.root};
  answer.requestor = api::DecideRequestor(req_gln, gln_directory_.Find(sm, req_gln), reader);
  return answer;
}

Result<api::VrsAnswer> Validator::AnswerVrs(const api::VrsRequest& request,
                                            const api::Reader& reader) {
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  const ledger::StateMachine& sm = *ledger->sm;
  FRONTERA_ASSIGN_OR_RETURN(api::VrsAnswer answer, VrsPreamble(request.req_gln, reader, sm));
  if (answer.requestor.verdict != api::RequestorVerdict::kEntitled) return answer;
  const int64_t now_ms = clock_->NowUnixMillis();

  // Only products on the ledger are answered (a VRS answers for its
  // manufacturers' GTINs only).
  FRONTERA_ASSIGN_OR_RETURN(std::string any_id, sm.FindAnyProductOfGtin(request.gtin));
  api::VrsPackFacts facts;
  Result<std::string> id = sm.FindProduct(request.gtin, request.serial);
  if (!id.ok() && !id.status().IsNotFound()) return id.status();
  FRONTERA_ASSIGN_OR_RETURN(api::Json cert, sm.CertificateView(id.ok() ? *id : any_id));
  if (id.ok()) {
    facts.on_ledger = true;
    const api::Json& subject = cert["credential"]["credentialSubject"];
    facts.lot = subject.value("lot", std::string());
    const std::string expiry = subject.value("expiry", std::string());
    if (auto day = ledger::gs1::ParseDate(expiry); day.ok()) facts.expiry = *day;
    // The pack's expiry against the time of the verification, not the
    // ledger's last block: a pack expires whether or not anything is written.
    facts.expired = ledger::CheckValidity("", "", expiry, now_ms).expired;
    if (cert["status"] == "revoked") {
      facts.revoked = true;
      if (cert["revocation"].is_object()) {
        facts.recall =
            ledger::IsRecall(cert["revocation"]["document"].value("reason", std::string()));
      }
    }
    const api::Json flagged = cert.value("flagged", api::Json::object());
    facts.flag_recalled = flagged.contains("recalled");
    facts.flag_suspect = flagged.contains("suspect");
    facts.flag_illegitimate = flagged.contains("illegitimate");
    FRONTERA_ASSIGN_OR_RETURN(ledger::PackLifecycle lifecycle, sm.PackLifecycleOf(*id));
    facts.pack_state = lifecycle.state;
  }
  answer.body = api::VerificationAnswerJson(ResponderGln(sm, cert), request.corr_uuid,
                                            api::Rfc3339Millis(now_ms),
                                            api::DeriveVerification(request, facts));
  return answer;
}

Result<api::VrsAnswer> Validator::AnswerVrsConnectivity(const api::VrsConnectivityRequest& request,
                                                        const api::Reader& reader) {
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  const ledger::StateMachine& sm = *ledger->sm;
  FRONTERA_ASSIGN_OR_RETURN(api::VrsAnswer answer, VrsPreamble(request.req_gln, reader, sm));
  if (answer.requestor.verdict != api::RequestorVerdict::kEntitled) return answer;
  FRONTERA_ASSIGN_OR_RETURN(std::string any_id, sm.FindAnyProductOfGtin(request.gtin));
  FRONTERA_ASSIGN_OR_RETURN(api::Json cert, sm.CertificateView(any_id));
  const std::string responder = ResponderGln(sm, cert);
  answer.body = {{"responderGLN", responder.empty() ? api::Json(nullptr) : api::Json(responder)},
                 {"verificationTimestamp", api::Rfc3339Millis(clock_->NowUnixMillis())},
                 {"data", {{"gtin", request.gtin}, {"connected", true}}}};
  return answer;
}

crypto::Signature Validator::SignVrsAnswer(std::string_view signature_base) {
  return key_.Sign(signature_base);
}

}  // namespace frontera::node
