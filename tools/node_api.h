// The CLI's requests to a node, over a transport seam that tests replace with
// an in-memory fake (no network, no process).
//
// A NodeTransport makes one exchange; its Status means that no answer came
// (connection refused, timeout, DNS), never an HTTP status. Node turns
// answers into values and RFC 9457 problems into a Status as api::Client does
// (api/problem.h StatusFromProblem), and remembers whether the latest exchange
// got no answer, so that a command can tell "the node is unreachable" from
// "the node said no" (both may be kUnavailable: a 503 is an answer).
//
// Thread-safety: a Node and its transport are used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "common/result.h"
#include "crypto/json.h"
#include "crypto/merkle.h"
#include "tools/builders.h"
#include "tools/verify.h"

namespace frontera::tools {

class NodeTransport {
 public:
  virtual ~NodeTransport() = default;
  // GET `path` (starting with "/"), asking for `accept` ("" for any).
  virtual Result<api::HttpAnswer> Get(const std::string& path, const std::string& accept) = 0;
  // POST `body` as `content_type` to `path`.
  virtual Result<api::HttpAnswer> Post(const std::string& path, const std::string& body,
                                       const std::string& content_type) = 0;
};

// Opens transports to nodes by base URL ("http://127.0.0.1:7001").
class NodeConnector {
 public:
  virtual ~NodeConnector() = default;
  // kInvalidArgument for a malformed URL; opening does not contact the node.
  virtual Result<std::unique_ptr<NodeTransport>> Connect(const std::string& base_url,
                                                         const api::ClientOptions& options) = 0;
};

// Transports over api::Client (HTTP, the loadable module of http_transport.h).
NodeConnector& DefaultNodeConnector();

class Node {
 public:
  Node(std::string base_url, std::unique_ptr<NodeTransport> transport);

  const std::string& base_url() const { return base_url_; }

  // The answer's JSON on 2xx; otherwise the problem as a Status.
  Result<crypto::Json> GetJson(const std::string& path);
  // The answer's body on 2xx; otherwise the problem as a Status.
  Result<std::string> GetText(const std::string& path);
  // Any answer, no mapping.
  Result<api::HttpAnswer> GetRaw(const std::string& path, const std::string& accept);
  // POST a JSON document; the answer's JSON on 2xx, otherwise the problem.
  Result<crypto::Json> PostJson(const std::string& path, const crypto::Json& body);
  // POST without a body (POST /v1/backup); as PostJson.
  Result<crypto::Json> PostEmpty(const std::string& path);

  // The failure of the latest exchange when it got no answer (the node is
  // unreachable); Ok when it was answered, whatever the HTTP status.
  const Status& unreachable() const { return unreachable_; }

 private:
  Result<api::HttpAnswer> Remember(Result<api::HttpAnswer> answer);

  std::string base_url_;
  std::unique_ptr<NodeTransport> transport_;
  Status unreachable_;
};

// Connects to `base_url`; errors carry "--node <url>".
Result<std::unique_ptr<Node>> ConnectNode(NodeConnector& connector, const std::string& base_url,
                                          const api::ClientOptions& options = {});

// "/v1/certificates/<id percent-encoded>".
std::string CertificatePath(const std::string& id);

// The EPC of the item a GET /v1/certificates/{id} answer certifies, from
// either view (docs/api.md §10): the SGTIN of its GTIN and serial, or the
// SSCC's URI. kInvalidArgument naming the member when the answer carries
// neither well formed.
Result<std::string> ItemEpcOfAnswer(const crypto::Json& certificate);

// GET /v1/parties/{did}. kNotFound says the DID is not a registered party.
Result<PartyRecord> FetchParty(Node& node, const std::string& did);
// The same answer as the node's JSON.
Result<crypto::Json> FetchPartyJson(Node& node, const std::string& did);

// Every party GET /v1/parties?role=&country= lists (empty: any), page after
// page in DID order, as one JSON array. kInvalidArgument when a page is not
// {parties, next}, or when a page's next does not move past the one before.
Result<crypto::Json> FetchParties(Node& node, const std::string& role, const std::string& country);

// GET /v1/validators: {validators: [...], voters: [names], observers:
// [names]} (the ledger's validators and observers, removed ones included,
// and the Raft membership of the answering node). kInvalidArgument when the
// answer is not that shape.
Result<crypto::Json> FetchValidators(Node& node);

// The "resolver" member of GET /v1/validators (the genesis resolver; the
// detailed /v1/status is on the operational listener only). kUnavailable
// when the node does not say.
Result<std::string> FetchResolver(Node& node);

// GET /v1/certificates/{id} and its /proof as Evidence. kNotFound when the
// node does not know the certificate.
Result<Evidence> FetchEvidence(Node& node, const std::string& id);

// GET /v1/proofs/consistency between two tree sizes; empty when there is
// nothing to prove (an empty first tree, or equal sizes).
Result<std::vector<crypto::Hash>> FetchConsistency(Node& node, uint64_t first, uint64_t second);

}  // namespace frontera::tools
