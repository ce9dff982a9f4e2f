#include "api/record_views.h"

#include <string_view>

namespace frontera::api {
namespace {

using Json = crypto::Json;

void CopyMember(const Json& from, Json& to, const char* name) {
  if (from.is_object() && from.contains(name)) to[name] = from[name];
}

bool IsDid(const Json& value) {
  return value.is_string() && value.get<std::string>().starts_with("did:");
}

// A verificationMethod "did:…#fragment" → its DID.
std::string SignerDid(const Json& document) {
  if (!document.is_object() || !document.contains("proof")) return "";
  const Json& proof = document["proof"];
  if (!proof.is_object() || !proof.contains("verificationMethod")) return "";
  const Json& method = proof["verificationMethod"];
  if (!method.is_string()) return "";
  const std::string text = method.get<std::string>();
  return text.substr(0, text.find('#'));
}

}  // namespace

Json PublicCertificate(const Json& certificate) {
  if (!certificate.is_object()) return certificate;
  Json out = Json::object();
  for (const char* name : {"id", "type", "status", "flags", "held_by", "flagged", "revocation",
                           "lifecycle", "ledger"}) {
    CopyMember(certificate, out, name);
  }
  // Where and when a pack was decommissioned is public (a verifier needs
  // it); which party's key signed it is not.
  if (out.contains("lifecycle") && out["lifecycle"].is_object()) out["lifecycle"].erase("by");
  if (certificate.contains("credential") && certificate["credential"].is_object()) {
    const Json& credential = certificate["credential"];
    Json public_credential = Json::object();
    for (const char* name : {"@context", "id", "type", "issuer", "validFrom", "validUntil"}) {
      CopyMember(credential, public_credential, name);
    }
    Json subject = Json::object();
    if (credential.contains("credentialSubject")) {
      for (const char* name : kPublicSubjectMembers) {
        CopyMember(credential["credentialSubject"], subject, name);
      }
    }
    public_credential["credentialSubject"] = std::move(subject);
    out["credential"] = std::move(public_credential);
  }
  const size_t events = certificate.contains("events") && certificate["events"].is_array()
                            ? certificate["events"].size()
                            : 0;
  out["events"] = Json::array();
  out["events_withheld"] = events;
  out["custody"] = nullptr;
  out["view"] = "public";
  return out;
}

Json PublicBlock(const Json& block) {
  if (!block.is_object()) return block;
  Json out = block;
  if (out.contains("documents") && out["documents"].is_array()) {
    for (Json& document : out["documents"]) {
      if (!document.is_object()) continue;
      document.erase("certificate");
      document.erase("reason");
    }
  }
  out["view"] = "public";
  return out;
}

Json PublicLabelCheck(const Json& check) {
  if (!check.is_object()) return check;
  Json out = check;
  if (check.contains("certificate") && check["certificate"].is_object()) {
    out["certificate"] = PublicCertificate(check["certificate"]);
  }
  std::string issuer;
  if (check.contains("issuer") && check["issuer"].is_object() && check["issuer"].contains("did") &&
      check["issuer"]["did"].is_string()) {
    issuer = check["issuer"]["did"].get<std::string>();
  }
  Json parties = Json::object();
  if (check.contains("parties") && check["parties"].is_object()) {
    for (const auto& [did, party] : check["parties"].items()) {
      const bool agency = party.is_object() && party.contains("role") && party["role"] == "agency";
      if (agency || did == issuer) parties[did] = party;
    }
  }
  out["parties"] = std::move(parties);
  out["view"] = "public";
  return out;
}

std::vector<std::string> NamedDids(const Json& certificate) {
  std::vector<std::string> dids;
  auto add = [&dids](const Json& value) {
    if (IsDid(value)) dids.push_back(value.get<std::string>());
  };
  if (!certificate.is_object()) return dids;
  if (certificate.contains("credential") && certificate["credential"].is_object()) {
    const Json& credential = certificate["credential"];
    if (credential.contains("issuer")) add(credential["issuer"]);
    if (credential.contains("credentialSubject") && credential["credentialSubject"].is_object()) {
      for (const auto& [name, member] : credential["credentialSubject"].items()) {
        if (member.is_object() && member.contains("id")) add(member["id"]);
      }
    }
  }
  if (certificate.contains("custody") && certificate["custody"].is_object()) {
    for (const char* name : {"custodian", "in_transit_to"}) {
      if (certificate["custody"].contains(name)) add(certificate["custody"][name]);
    }
  }
  if (certificate.contains("events") && certificate["events"].is_array()) {
    for (const Json& entry : certificate["events"]) {
      if (!entry.is_object() || !entry.contains("document")) continue;
      const Json& event = entry["document"];
      if (std::string signer = SignerDid(event); !signer.empty()) dids.push_back(signer);
      for (const char* list : {"sourceList", "destinationList"}) {
        if (!event.is_object() || !event.contains(list) || !event[list].is_array()) continue;
        for (const Json& item : event[list]) {
          for (const char* field : {"source", "destination"}) {
            if (item.is_object() && item.contains(field)) add(item[field]);
          }
        }
      }
    }
  }
  return dids;
}

}  // namespace frontera::api
