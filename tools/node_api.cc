#include "tools/node_api.h"

#include <utility>

#include "api/problem.h"
#include "ledger/gs1.h"
#include "tools/trust.h"

namespace frontera::tools {
namespace {

using crypto::Json;

bool Is2xx(int status) { return status >= 200 && status <= 299; }

class ClientTransport final : public NodeTransport {
 public:
  explicit ClientTransport(std::unique_ptr<api::Client> client) : client_(std::move(client)) {}

  Result<api::HttpAnswer> Get(const std::string& path, const std::string& accept) override {
    return client_->GetRaw(path, accept);
  }
  Result<api::HttpAnswer> Post(const std::string& path, const std::string& body,
                               const std::string& content_type) override {
    return client_->PostRaw(path, body, content_type);
  }

 private:
  std::unique_ptr<api::Client> client_;
};

class ClientConnector final : public NodeConnector {
 public:
  Result<std::unique_ptr<NodeTransport>> Connect(const std::string& base_url,
                                                 const api::ClientOptions& options) override {
    FRONTERA_ASSIGN_OR_RETURN(std::unique_ptr<api::Client> client,
                              api::Client::Create(base_url, options));
    return std::unique_ptr<NodeTransport>(new ClientTransport(std::move(client)));
  }
};

}  // namespace

NodeConnector& DefaultNodeConnector() {
  static ClientConnector connector;
  return connector;
}

Node::Node(std::string base_url, std::unique_ptr<NodeTransport> transport)
    : base_url_(std::move(base_url)), transport_(std::move(transport)) {}

Result<api::HttpAnswer> Node::Remember(Result<api::HttpAnswer> answer) {
  unreachable_ = answer.ok() ? Status::Ok() : answer.status();
  return answer;
}

Result<Json> Node::GetJson(const std::string& path) {
  FRONTERA_ASSIGN_OR_RETURN(api::HttpAnswer answer,
                            Remember(transport_->Get(path, "application/json")));
  return api::JsonOfAnswer(answer);
}

Result<std::string> Node::GetText(const std::string& path) {
  FRONTERA_ASSIGN_OR_RETURN(api::HttpAnswer answer, Remember(transport_->Get(path, "")));
  if (!Is2xx(answer.status)) return api::StatusFromProblem(answer.status, answer.body);
  return std::move(answer.body);
}

Result<api::HttpAnswer> Node::GetRaw(const std::string& path, const std::string& accept) {
  return Remember(transport_->Get(path, accept));
}

Result<Json> Node::PostJson(const std::string& path, const Json& body) {
  std::string text;
  try {
    text = body.dump();
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("the document cannot be sent as JSON: ") + e.what());
  }
  FRONTERA_ASSIGN_OR_RETURN(api::HttpAnswer answer,
                            Remember(transport_->Post(path, text, "application/json")));
  return api::JsonOfAnswer(answer);
}

Result<Json> Node::PostEmpty(const std::string& path) {
  FRONTERA_ASSIGN_OR_RETURN(api::HttpAnswer answer, Remember(transport_->Post(path, "", "")));
  return api::JsonOfAnswer(answer);
}

Result<std::unique_ptr<Node>> ConnectNode(NodeConnector& connector, const std::string& base_url,
                                          const api::ClientOptions& options) {
  auto transport = connector.Connect(base_url, options);
  if (!transport.ok()) return transport.status().WithContext("--node " + base_url);
  return std::make_unique<Node>(base_url, std::move(*transport));
}

Result<std::string> ItemEpcOfAnswer(const crypto::Json& certificate) {
  // The item's identifiers are in the public view too, so a reader that
  // sees only that one (a suspended party, say) still names the item and
  // lets the node decide what it may do.
  const crypto::Json credential = certificate.value("credential", crypto::Json::object());
  const crypto::Json subject = credential.value("credentialSubject", crypto::Json::object());
  auto text = [&](const char* name) {
    return subject.contains(name) && subject[name].is_string() ? subject[name].get<std::string>()
                                                               : std::string();
  };
  if (!text("sscc").empty()) {
    FRONTERA_RETURN_IF_ERROR(ledger::gs1::CheckSscc(text("sscc"))
                                 .WithContext("the node's certificate: credentialSubject.sscc"));
    return ledger::gs1::ConsignmentSubjectId(text("sscc"));
  }
  FRONTERA_RETURN_IF_ERROR(ledger::gs1::CheckGtin14(text("gtin"))
                               .WithContext("the node's certificate: credentialSubject.gtin"));
  if (text("serial").empty()) {
    return Status::InvalidArgument("the node's certificate names no serial",
                                   {{"/credential/credentialSubject/serial", "is required"}});
  }
  return ledger::gs1::SgtinEpc(text("gtin"), text("serial"));
}

std::string CertificatePath(const std::string& id) {
  return "/v1/certificates/" + api::Client::EncodePathSegment(id);
}

Result<Json> FetchPartyJson(Node& node, const std::string& did) {
  auto answer = node.GetJson("/v1/parties/" + api::Client::EncodePathSegment(did));
  if (!answer.ok()) {
    if (answer.status().IsNotFound()) {
      return Status::NotFound(did + " is not a registered party of this network");
    }
    return answer.status().WithContext("GET /v1/parties/" + did);
  }
  return answer;
}

Result<Json> FetchParties(Node& node, const std::string& role, const std::string& country) {
  Json all = Json::array();
  std::string after;
  for (;;) {
    std::string path = "/v1/parties?limit=1000";
    if (!role.empty()) path += "&role=" + api::Client::EncodePathSegment(role);
    if (!country.empty()) path += "&country=" + api::Client::EncodePathSegment(country);
    if (!after.empty()) path += "&after=" + api::Client::EncodePathSegment(after);
    FRONTERA_ASSIGN_OR_RETURN(Json page, node.GetJson(path));
    if (!page.is_object() || !page.contains("parties") || !page["parties"].is_array() ||
        !page.contains("next") || !(page["next"].is_null() || page["next"].is_string())) {
      return Status::InvalidArgument("GET " + path + ": the answer is not {parties, next}");
    }
    for (Json& party : page["parties"]) all.push_back(std::move(party));
    if (page["next"].is_null()) return all;
    // Each page starts after the last one: a node that answers the same
    // cursor again would keep this loop going.
    const std::string next = page["next"].get<std::string>();
    if (next <= after) {
      return Status::InvalidArgument("GET " + path + ": next " + next + " does not move forward");
    }
    after = next;
  }
}

Result<PartyRecord> FetchParty(Node& node, const std::string& did) {
  FRONTERA_ASSIGN_OR_RETURN(Json answer, FetchPartyJson(node, did));
  auto record = PartyRecordFromJson(answer);
  if (!record.ok()) return record.status().WithContext("GET /v1/parties/" + did);
  return record;
}

Result<Json> FetchValidators(Node& node) {
  auto answer = node.GetJson("/v1/validators");
  if (!answer.ok()) return answer.status().WithContext("GET /v1/validators");
  if (!answer->is_object()) {
    return Status::InvalidArgument("GET /v1/validators: the answer is not a JSON object");
  }
  for (const char* member : {"validators", "voters", "observers"}) {
    if (!answer->contains(member) || !(*answer)[member].is_array()) {
      return Status::InvalidArgument(std::string("GET /v1/validators: the answer has no \"") +
                                     member + "\" array");
    }
  }
  return answer;
}

Result<std::string> FetchResolver(Node& node) {
  FRONTERA_ASSIGN_OR_RETURN(Json answer, node.GetJson("/v1/validators"));
  if (!answer.is_object() || !answer.contains("resolver") || !answer["resolver"].is_string() ||
      answer["resolver"].get<std::string>().empty()) {
    return Status::Unavailable(
        "the node's /v1/validators does not name the resolver; pass --resolver HOST or "
        "--no-label");
  }
  return answer["resolver"].get<std::string>();
}

Result<Evidence> FetchEvidence(Node& node, const std::string& id) {
  std::string path = CertificatePath(id);
  auto certificate = node.GetJson(path);
  if (!certificate.ok()) return certificate.status().WithContext("GET " + path);
  auto proof = node.GetJson(path + "/proof");
  if (!proof.ok()) return proof.status().WithContext("GET " + path + "/proof");
  auto evidence = EvidenceFromAnswers(id, *certificate, *proof);
  if (!evidence.ok()) return evidence.status().WithContext("answer of " + path);
  return evidence;
}

Result<std::vector<crypto::Hash>> FetchConsistency(Node& node, uint64_t first, uint64_t second) {
  if (first == 0 || first >= second) return std::vector<crypto::Hash>{};
  auto answer = node.GetJson("/v1/proofs/consistency?first=" + std::to_string(first) +
                             "&second=" + std::to_string(second));
  if (!answer.ok()) return answer.status().WithContext("GET /v1/proofs/consistency");
  return ParseConsistencyAnswer(*answer, first, second);
}

}  // namespace frontera::tools
