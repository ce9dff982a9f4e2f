#include "tools/remote.h"

#include "common/encoding.h"

namespace frontera::tools {
namespace {

using crypto::Json;

std::string Str(const Json& object, const char* name) {
  if (!object.is_object()) return "";
  auto member = object.find(name);
  if (member == object.end()) return "";
  return member->is_string() ? member->get<std::string>() : member->dump();
}

}  // namespace

std::string DescribeError(const Status& status) {
  std::string out =
      status.message().empty() ? std::string(Status::CodeName(status.code())) : status.message();
  for (const FieldError& error : status.field_errors()) {
    out += "\n  at " + (error.pointer.empty() ? std::string("(document)") : error.pointer) + ": " +
           error.reason;
  }
  return out;
}

std::string RenderReceipt(const Json& answer) {
  const Json ledger = answer.is_object() ? answer.value("ledger", Json::object()) : Json::object();
  return Str(answer, "id") + " " + Str(answer, "status") + ": leaf " + Str(ledger, "leaf_index") +
         " (hash " + Str(ledger, "leaf_hash") + "), block " + Str(ledger, "block");
}

std::string RenderCertificate(const Json& answer) {
  std::string out;
  const Json credential =
      answer.is_object() ? answer.value("credential", Json::object()) : Json::object();
  const Json subject = credential.is_object()
                           ? credential.value("credentialSubject", Json::object())
                           : Json::object();
  std::string type;
  if (credential.is_object() && credential.contains("type") && credential["type"].is_array()) {
    for (const Json& t : credential["type"]) {
      if (t.is_string() && t != "VerifiableCredential") type = t.get<std::string>();
    }
  }
  out += "certificate  " + Str(credential, "id") + "\n";
  out += "type         " + type + "\n";
  out += "status       " + Str(answer, "status") + "\n";
  out += "issuer       " + Str(credential, "issuer") + "\n";
  out += "item         " + Str(subject, "id") + "\n";
  if (!Str(subject, "productName").empty()) {
    // The public view names the product only (docs/api.md#two-views).
    std::string product = Str(subject, "productName");
    for (const char* name : {"strengthDosageForm", "containerSize"}) {
      if (!Str(subject, name).empty()) product += ", " + Str(subject, name);
    }
    out += "product      " + product + "\n";
    out += "lot/expiry   " + Str(subject, "lot") + " / " + Str(subject, "expiry") + "\n";
  }
  if (subject.is_object() && subject.contains("substance")) {
    const Json& substance = subject["substance"];
    const Json quantity = subject.value("quantity", Json::object());
    out += "substance    " + Str(substance, "name") + " (CAS " + Str(substance, "casRn") +
           ", Table " + Str(substance, "unTable") + "), " + Str(quantity, "value") + " " +
           Str(quantity, "uom") + "\n";
    out += "route        " + Str(subject.value("exporter", Json::object()), "name") + " → " +
           Str(subject.value("consignee", Json::object()), "name") + " via " +
           Str(subject, "pointOfEntry") + "\n";
  }
  out += "valid        " + Str(credential, "validFrom") + " – " +
         (Str(credential, "validUntil").empty() ? "(open)" : Str(credential, "validUntil")) + "\n";
  const Json ledger = answer.is_object() ? answer.value("ledger", Json::object()) : Json::object();
  if (ledger.is_object() && !ledger.empty()) {
    out +=
        "ledger       leaf " + Str(ledger, "leaf_index") + ", block " + Str(ledger, "block") + "\n";
  }
  const Json flags = answer.is_object() ? answer.value("flags", Json::array()) : Json::array();
  if (flags.is_array() && !flags.empty()) {
    out += "flags\n";
    const std::string held_by = Str(answer, "held_by");
    for (const Json& flag : flags) {
      out += "  ! " + (flag.is_string() ? flag.get<std::string>() : flag.dump());
      // The agency whose hold it is (it alone releases it).
      if (flag == "customs_hold" && !held_by.empty()) out += " by " + held_by;
      // A DSCSA flag: the agency that raised it (it alone clears it) and why.
      const Json flagged = answer.value("flagged", Json::object());
      if (flag.is_string() && flagged.is_object() && flagged.contains(flag.get<std::string>())) {
        const Json& entry = flagged[flag.get<std::string>()];
        if (entry.is_object() && entry.value("by", Json::array()).is_array() &&
            !entry["by"].empty() && entry["by"][0].is_string()) {
          out += " by " + entry["by"][0].get<std::string>();
        }
        if (!Str(entry, "reason").empty()) out += " — " + Str(entry, "reason");
      }
      out += "\n";
    }
  }
  const Json events = answer.is_object() ? answer.value("events", Json::array()) : Json::array();
  out += "timeline\n";
  if (!events.is_array() || events.empty()) out += "  (no events)\n";
  if (events.is_array()) {
    for (const Json& entry : events) {
      const Json* unwrapped = UnwrapEvent(entry);
      if (unwrapped == nullptr) continue;
      const Json& event = *unwrapped;
      std::string signer = Str(event.value("proof", Json::object()), "verificationMethod");
      signer = signer.substr(0, signer.find('#'));
      std::string line = "  " + Str(event, "eventTime") + "  " + Str(event, "bizStep");
      if (event.is_object() && event.contains("destinationList") &&
          event["destinationList"].is_array() && !event["destinationList"].empty()) {
        line += " → " + Str(event["destinationList"][0], "destination");
      }
      line += "  by " + signer;
      if (event.is_object() && event.contains("readPoint")) {
        line += "  at " + Str(event["readPoint"], "id");
      }
      out += line + "\n";
    }
  }
  return out;
}

std::string RenderCheckpoint(const CheckpointReport& report, bool against_genesis) {
  std::string out;
  if (report.parsed) {
    out += "origin     " + report.origin + "\n";
    out += "tree_size  " + std::to_string(report.tree_size) + "\n";
    out += "root       " + Base64Encode(report.root) + "\n";
  }
  if (against_genesis) {
    std::string signers;
    for (const std::string& s : report.signers) signers += (signers.empty() ? "" : ", ") + s;
    out += "signers    " + (signers.empty() ? std::string("none") : signers) + " (" +
           std::to_string(report.signers.size()) + ", quorum " + std::to_string(report.quorum) +
           ")\n";
    for (const std::string& reason : report.reasons) out += "  ✗ " + reason + "\n";
    out += report.valid ? "✓ valid checkpoint\n" : "✗ NOT a valid checkpoint\n";
  }
  return out;
}

}  // namespace frontera::tools
