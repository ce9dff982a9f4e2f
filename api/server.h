// HttpServer: Frontera's HTTP API v1 (contract in docs/api.md, routes in §2)
// over a Backend. Each request is decoded, answered by exactly one Backend
// call, and encoded; every non-2xx answer is an RFC 9457 problem (problem.h).
//
// Thread-safety: Create, Start, Stop and the destructor are called by the
// owner, never concurrently with each other. port() may be called from any
// thread after Start returned OK. One I/O thread reads and writes every
// connection; requests read whole are answered on `threads` worker threads,
// which call the Backend concurrently.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "api/backend.h"
#include "api/request_signature.h"
#include "api/routes.h"
#include "common/result.h"
#include "common/status.h"

namespace frontera::api {

struct ServerOptions {
  std::string host = "127.0.0.1";  // address to bind: IPv4/IPv6 literal or name
  int port = 0;                    // 0 = pick a free port (see HttpServer::port())
  // Largest accepted request body; larger ones are answered 413 before they
  // are buffered (chunked bodies are cut off at this size).
  size_t body_bytes_max = size_t{1} << 20;
  // Deepest nesting of objects and arrays accepted in a request body.
  size_t json_depth_max = 32;
  // Worker threads: the Backend calls in progress at once (writes block
  // until committed). Connections do not hold a worker while they are read
  // or idle.
  size_t threads = 64;
  // Requests served on one connection before the server closes it.
  int keep_alive_max_count = 10000;
  // An idle keep-alive connection is closed after this long without the
  // first byte of a next request.
  int keep_alive_timeout_s = 30;
  // Deadline for one whole request, headers and body, from its first byte
  // (for a connection's first request, from the accept); also for writing
  // the answer. Not per read: a client trickling bytes is cut off at it.
  int request_timeout_s = 10;
  // Largest request line plus header fields; larger ones are answered 431.
  size_t header_bytes_max = 16 * 1024;
  // Open connections in total and from one remote address. A connection
  // over either cap is closed as soon as it is accepted, before any read.
  size_t connections_max = 4096;
  size_t connections_per_address_max = 256;
  // Requests read whole and handed to the workers (waiting or in progress);
  // beyond it a request is answered 503 with Retry-After at once.
  size_t requests_pending_max = 1024;
  // The listen socket's backlog: connections the kernel queues before accept.
  int listen_backlog = 1024;
  // Requests per second from one remote address, on average, and at once
  // (a token bucket); beyond them 429 with Retry-After. The buckets of at
  // most rate_addresses_max addresses are kept; the least recently seen is
  // forgotten first.
  int rate_per_address_per_s = 500;
  int rate_burst_per_address = 1000;
  size_t rate_addresses_max = 100'000;
  // Requests per second signed by one key (docs/api.md §9), on average and
  // at once; beyond them 429 with Retry-After. The buckets of at most
  // rate_addresses_max keys are kept.
  int rate_per_key_per_s = 200;
  int rate_burst_per_key = 400;
  // HTTPS: the server's certificate chain and private key, PEM files read
  // by Start (kIOError when they cannot be loaded). Both empty: plain HTTP;
  // whether that is acceptable is the caller's policy (the node allows it
  // only on loopback, node/config.h).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Host[:port] of the network's Digital Link resolver: the resolver routes
  // rebuild the scanned label URI with it. Empty: those routes answer 404.
  std::string resolver_host;
  // Which routes this server answers (api/routes.h ServedOn): the public API
  // answers /v1/status and /metrics 404 operational-endpoint; the
  // operational listener serves only /healthz, /v1/status and /metrics and
  // answers every other path 404 not-found.
  Surface surface = Surface::kPublic;
  // Request signatures (docs/api.md §9): the window, the replay cache, the
  // field sizes.
  SignatureOptions signatures;

  // OK when every field is in range; otherwise kInvalidArgument naming the
  // field, its value and the accepted range (field errors point at "/<field>").
  Status Validate() const;
};

// Loads a certificate chain and its private key (PEM) as HttpServer::Start
// does for HTTPS, and drops them: Ok when Start would accept them,
// kIOError naming the file and what is wrong otherwise (`fronterad
// --check-config`).
Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file);

class HttpServer {
 public:
  // REQUIRES: backend != nullptr; it must outlive the server. Fails with
  // kInvalidArgument when options.Validate() fails. Nothing is bound yet.
  static Result<std::unique_ptr<HttpServer>> Create(Backend* backend, ServerOptions options);
  // Stops the server if it is running.
  ~HttpServer();

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port and starts accepting on a background thread. Returns once
  // the socket listens: a connection made after Start returns is served.
  // kIOError when the address cannot be bound. REQUIRES: Start not called before.
  Status Start();
  // The bound port. REQUIRES: Start returned OK.
  int port() const;
  // Stops accepting, lets requests in progress finish (Backend calls are not
  // interrupted), closes connections and joins every thread. Idempotent; a
  // no-op when Start was never called or failed.
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontera::api
