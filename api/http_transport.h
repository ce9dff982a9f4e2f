// HttpTransport: one keep-alive HTTP connection, the part of api::Client that
// needs cpp-httplib (and through it OpenSSL, brotli, zlib).
//
// It is built as a loadable module (libfrontera_http.so) and loaded on the
// first Client::Create, so that a command that never touches the network —
// `frontera verify` of a label offline — starts without loading those
// libraries (loading them is most of its run time, docs/PERFORMANCE.md).
//
// Thread-safety: one transport per thread, like Client.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "api/client.h"
#include "common/result.h"

namespace frontera::api {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // One exchange: a transport failure is kUnavailable, any HTTP status an
  // answer. `body` is sent (with `content_type`) when method is "POST".
  // `headers` are added as they are (the request signature's fields).
  virtual Result<HttpAnswer> Send(std::string_view method, const std::string& path,
                                  const std::string* body, const std::string& content_type,
                                  const std::string& accept,
                                  const std::map<std::string, std::string>& headers) = 0;
};

// Creates a transport to `base_url` ("scheme://host[:port]"). `ca_file` and
// `answer_bytes_max`: ClientOptions'. An answer whose body runs past
// answer_bytes_max is kResourceExhausted, and the connection is dropped.
using HttpTransportFactory = Result<std::unique_ptr<HttpTransport>> (*)(const std::string& base_url,
                                                                        int connect_timeout_ms,
                                                                        int read_timeout_ms,
                                                                        size_t answer_bytes_max,
                                                                        const std::string& ca_file);

// The module's entry point, looked up by this name.
inline constexpr char kHttpTransportFactorySymbol[] = "frontera_http_transport_factory";
inline constexpr char kHttpModuleName[] = "libfrontera_http.so";

// Loads the module once (thread-safe) and returns its factory. Looks in
// $FRONTERA_HTTP_MODULE, then beside the executable, then in ../lib from it,
// then on the dynamic loader's path. kUnavailable, naming where it looked,
// when it is nowhere.
Result<HttpTransportFactory> LoadHttpTransport();

}  // namespace frontera::api
