// Test support for api/ tests: a scripted Backend, and a raw HTTP/1.1
// connection for requests api::Client cannot make (wrong methods, chunked
// bodies, several requests on one connection, reading headers).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/backend.h"
#include "crypto/did_key.h"
#include "crypto/ed25519.h"

namespace frontera::api::testing {

// Records every call and answers with scripted results. Thread-safe.
class FakeBackend : public Backend {
 public:
  struct Call {
    std::string method;  // "IssueCertificate", "GetProof", ...
    std::string id;      // certificate id or did, when the method takes one
    Json document;       // body of a write
    uint64_t first = 0, second = 0, height = 0;
    std::string reader;  // the reader's DID on reads that take one; "" anonymous
  };
  static Call MakeCall(std::string method, std::string id = "", Json document = nullptr) {
    Call call;
    call.method = std::move(method);
    call.id = std::move(id);
    call.document = std::move(document);
    return call;
  }

  FakeBackend() {
    receipt_.id = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
    receipt_.status = "active";
    receipt_.leaf_index = 7;
    receipt_.leaf_hash.fill(0xab);
    receipt_.block_height = 3;
    write_result_ = receipt_;
  }

  // Scripting (call before the requests that use them).
  void SetWriteResult(Result<Receipt> r) {
    Locked([&] { write_result_ = std::move(r); });
  }
  void SetReadJson(Result<Json> r) {
    Locked([&] { read_json_ = std::move(r); });
  }
  void SetProof(Result<InclusionProofView> r) {
    Locked([&] { proof_ = std::move(r); });
  }
  void SetCheckpoint(Result<std::string> r) {
    Locked([&] { checkpoint_ = std::move(r); });
  }
  void SetTlogTile(Result<std::string> r) {
    Locked([&] { tlog_tile_ = std::move(r); });
  }
  void SetConsistency(Result<ConsistencyProofView> r) {
    Locked([&] { consistency_ = std::move(r); });
  }
  void SetTrustBundle(Result<Json> r) {
    Locked([&] { trust_bundle_ = std::move(r); });
  }
  void SetLabelCheck(Result<Json> r) {
    Locked([&] { label_check_ = std::move(r); });
  }
  void SetHealthy(bool healthy) {
    Locked([&] { healthy_ = healthy; });
  }
  void SetMetrics(MetricSet m) {
    Locked([&] { metrics_ = std::move(m); });
  }
  void SetStatusJson(Json j) {
    Locked([&] { status_json_ = std::move(j); });
  }
  // Makes GetStatus throw, breaking the Backend contract, to test the net.
  void SetStatusThrows(bool throws) {
    Locked([&] { status_throws_ = throws; });
  }
  // Makes each write wait until `n` writes are in progress at once (or 10 s
  // pass, which fails the write with kInternal).
  void RequireConcurrentWrites(int n) {
    Locked([&] { concurrent_writes_required_ = n; });
  }

  // Lets every waiting and later write through at once.
  void ReleaseWrites() {
    std::lock_guard<std::mutex> lock(mu_);
    reached_ = true;
    cv_.notify_all();
  }

  const Receipt& receipt() const { return receipt_; }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  int write_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const Call& c : calls_) {
      if (c.method == "IssueCertificate" || c.method == "RecordEvent" || c.method == "Revoke" ||
          c.method == "ChangeRegistry" || c.method == "FileNotice") {
        ++n;
      }
    }
    return n;
  }

  Result<Receipt> IssueCertificate(const Json& credential) override {
    return Write(MakeCall("IssueCertificate", "", credential));
  }
  Result<Receipt> RecordEvent(const std::string& id, const Json& event) override {
    return Write(MakeCall("RecordEvent", id, event));
  }
  Result<Receipt> Revoke(const std::string& id, const Json& revocation) override {
    return Write(MakeCall("Revoke", id, revocation));
  }
  Result<Receipt> ChangeRegistry(const Json& document) override {
    return Write(MakeCall("ChangeRegistry", "", document));
  }
  Result<Receipt> FileNotice(const Json& notice) override {
    return Write(MakeCall("FileNotice", "", notice));
  }
  Result<Json> GetNotice(const std::string& id, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetNotice", id));
    calls_.back().reader = reader.did;
    return read_json_;
  }
  Result<Json> GetCertificate(const std::string& id, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetCertificate", id));
    calls_.back().reader = reader.did;
    return read_json_;
  }
  Result<InclusionProofView> GetProof(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetProof", id));
    return proof_;
  }
  Result<InclusionProofView> GetLeafProof(uint64_t leaf_index) override {
    std::lock_guard<std::mutex> lock(mu_);
    Call call = MakeCall("GetLeafProof");
    call.first = leaf_index;
    calls_.push_back(call);
    return proof_;
  }
  Result<std::string> GetCheckpoint() override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetCheckpoint"));
    return checkpoint_;
  }
  // The call's id is the tile's path (ledger::TilePath).
  Result<std::string> GetTlogTile(const ledger::TileAddress& tile, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    Call call = MakeCall("GetTlogTile", ledger::TilePath(tile));
    call.reader = reader.did;
    calls_.push_back(call);
    return tlog_tile_;
  }
  Result<ConsistencyProofView> GetConsistency(uint64_t first, uint64_t second) override {
    std::lock_guard<std::mutex> lock(mu_);
    Call call = MakeCall("GetConsistency");
    call.first = first;
    call.second = second;
    calls_.push_back(call);
    return consistency_;
  }
  Result<Json> GetBlock(uint64_t height, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    Call call = MakeCall("GetBlock");
    call.height = height;
    call.reader = reader.did;
    calls_.push_back(call);
    return read_json_;
  }
  Result<Json> ListParties(const PartiesQuery& query) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("ListParties", query.role + "|" + query.country + "|" + query.after +
                                                 "|" + std::to_string(query.limit)));
    return read_json_;
  }
  Result<Json> GetParty(const std::string& did) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetParty", did));
    return read_json_;
  }
  Result<Json> ListValidators() override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("ListValidators"));
    return read_json_;
  }
  Result<Json> GetAudit(const AuditQueryParams& query, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetAudit", query.reader + "|" + query.record + "|" +
                                              std::to_string(query.after) + "|" +
                                              std::to_string(query.limit)));
    calls_.back().reader = reader.did;
    return read_json_;
  }
  Result<Json> GetTrustBundle() override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetTrustBundle"));
    return trust_bundle_;
  }
  // The call's id is the label URI as the server built it.
  Result<Json> CheckLabel(const std::string& label_uri, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("CheckLabel", label_uri));
    calls_.back().reader = reader.did;
    return label_check_;
  }
  void SetEpcisPage(Result<EpcisPage> page) {
    Locked([&] { epcis_page_ = std::move(page); });
  }
  // The call's id is the query as parsed, without the token.
  Result<EpcisPage> QueryEvents(const EpcisQuery& query, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("QueryEvents", query.query_without_token));
    calls_.back().reader = reader.did;
    return epcis_page_;
  }
  // DSCSA verification: the requestor decided by api::DecideRequestor over
  // the scripted parties of the GLN, the answer by api::DeriveVerification
  // over the scripted pack facts; signed with vrs_key(). The call's id is
  // "gtin/lot/serial/exp/context/reqGLN/corrUUID" as parsed.
  void SetVrsParties(std::vector<ledger::PartyRecord> parties) {
    Locked([&] { vrs_parties_ = std::move(parties); });
  }
  void SetVrsFacts(Result<VrsPackFacts> facts) {
    Locked([&] { vrs_facts_ = std::move(facts); });
  }
  const crypto::KeyPair& vrs_key() const { return vrs_key_; }
  static VrsCheckpoint vrs_checkpoint() {
    VrsCheckpoint c;
    c.tree_size = 42;
    c.root.fill(0x5a);
    return c;
  }
  Result<VrsAnswer> AnswerVrs(const VrsRequest& request, const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("AnswerVrs", request.gtin + "/" + request.lot + "/" + request.serial +
                                               "/" + request.exp + "/" + request.context + "/" +
                                               request.req_gln + "/" + request.corr_uuid));
    calls_.back().reader = reader.did;
    if (!vrs_facts_.ok()) return vrs_facts_.status();
    VrsAnswer answer = VrsPreamble(request.req_gln, reader);
    answer.body =
        VerificationAnswerJson("7501234000017", request.corr_uuid, "2026-12-08T01:02:03.456Z",
                               DeriveVerification(request, *vrs_facts_));
    return answer;
  }
  Result<VrsAnswer> AnswerVrsConnectivity(const VrsConnectivityRequest& request,
                                          const Reader& reader) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("AnswerVrsConnectivity", request.gtin + "/" + request.req_gln));
    calls_.back().reader = reader.did;
    if (!vrs_facts_.ok()) return vrs_facts_.status();
    VrsAnswer answer = VrsPreamble(request.req_gln, reader);
    answer.body = Json{{"responderGLN", "7501234000017"}, {"data", {{"connected", true}}}};
    return answer;
  }
  crypto::Signature SignVrsAnswer(std::string_view signature_base) override {
    return vrs_key_.Sign(signature_base);
  }
  // Counted rather than recorded in calls(), which lists the reads themselves.
  Status AwaitLinearizableRead() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++read_barriers_;
    return read_barrier_;
  }
  void SetReadBarrier(Status s) {
    Locked([&] { read_barrier_ = std::move(s); });
  }
  int read_barriers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return read_barriers_;
  }
  Json GetStatus() override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetStatus"));
    if (status_throws_) throw std::runtime_error("status exploded");
    return status_json_;
  }
  bool Healthy() override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("Healthy"));
    return healthy_;
  }
  MetricSet GetMetrics() override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("GetMetrics"));
    return metrics_;
  }
  Result<Json> Backup() override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(MakeCall("Backup"));
    return Json{{"path", "/data/backups/20261207T231502.123Z"}};
  }

 private:
  template <typename F>
  void Locked(F f) {
    std::lock_guard<std::mutex> lock(mu_);
    f();
  }

  VrsAnswer VrsPreamble(const std::string& req_gln, const Reader& reader) const {
    VrsAnswer answer;
    answer.signer_did = crypto::DidKeyFromPublicKey(vrs_key_.public_key());
    answer.checkpoint = vrs_checkpoint();
    answer.requestor = DecideRequestor(req_gln, vrs_parties_, reader);
    return answer;
  }

  Result<Receipt> Write(Call call) {
    std::unique_lock<std::mutex> lock(mu_);
    calls_.push_back(std::move(call));
    ++writes_in_progress_;
    cv_.notify_all();
    bool reached = cv_.wait_for(lock, std::chrono::seconds(10), [this] {
      return writes_in_progress_ >= concurrent_writes_required_ || reached_;
    });
    if (reached) reached_ = true;
    --writes_in_progress_;
    if (!reached) return Status::Internal("concurrent writes never reached the required count");
    return write_result_;
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Receipt receipt_;
  std::vector<Call> calls_;
  Result<Receipt> write_result_ = Status::Internal("set in the constructor");
  Result<Json> read_json_ = Json{{"credential", {{"id", "x"}}}, {"status", "active"}};
  Result<InclusionProofView> proof_ = Status::NotFound("no proof scripted");
  Result<std::string> checkpoint_ = Status::NotFound("no checkpoint scripted");
  Result<std::string> tlog_tile_ = Status::NotFound("no tile scripted");
  Result<ConsistencyProofView> consistency_ = Status::NotFound("no proof scripted");
  Result<Json> trust_bundle_ = Status::NotFound("no trust bundle scripted");
  Result<Json> label_check_ = Status::NotFound("no label check scripted");
  Result<EpcisPage> epcis_page_ = EpcisPage{};
  std::vector<ledger::PartyRecord> vrs_parties_;
  Result<VrsPackFacts> vrs_facts_ = Status::NotFound("no certificate for GTIN");
  crypto::KeyPair vrs_key_ = crypto::KeyPair::FromSeed(crypto::Seed{7});
  Json status_json_ = Json{{"role", "leader"}};
  bool healthy_ = true;
  bool status_throws_ = false;
  Status read_barrier_;
  int read_barriers_ = 0;
  MetricSet metrics_;
  int concurrent_writes_required_ = 1;
  int writes_in_progress_ = 0;
  bool reached_ = false;  // once reached, later writes do not wait
};

struct RawAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One TCP connection to 127.0.0.1:port; requests are written verbatim. Reads
// time out after 10 s so that a broken server fails a test, not hangs it.
class RawConnection {
 public:
  // `source`: the local IPv4 address to connect from (any 127.0.0.0/8
  // address is the loopback interface), so that tests can be several clients.
  explicit RawConnection(int port, const char* source = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (source != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      ::inet_pton(AF_INET, source, &local.sin_addr);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one response (Content-Length framed, as the server always sends).
  // status 0 when the connection closed or timed out first.
  // `head`: the answer to a HEAD request, which has no body whatever its
  // Content-Length says (RFC 9110 §9.3.2).
  RawAnswer Read(bool head_request = false) {
    RawAnswer answer;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return answer;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    answer.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      answer.headers[name] = value;
      pos = next + 2;
    }
    size_t length = !head_request && answer.headers.count("content-length")
                        ? std::stoul(answer.headers["content-length"])
                        : 0;
    while (buffer_.size() < length) {
      if (!Fill()) return RawAnswer{};
    }
    answer.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return answer;
  }

  // True once the server has closed the connection (end of stream or
  // reset), waiting at most `wait_ms`; bytes the server sent are kept.
  bool ClosedByServer(int wait_ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            until - std::chrono::steady_clock::now())
                            .count();
      if (::poll(&p, 1, static_cast<int>(std::max<long long>(left, 0))) <= 0) return false;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
      if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    }
    return false;
  }

  RawAnswer Exchange(const std::string& request) {
    if (!Send(request)) return RawAnswer{};
    return Read(request.starts_with("HEAD "));
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

}  // namespace frontera::api::testing
