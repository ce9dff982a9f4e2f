#include "api/http_transport.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

namespace frontera::api {

namespace {

std::vector<std::string> Candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("FRONTERA_HTTP_MODULE"); env != nullptr && *env != '\0') {
    out.emplace_back(env);
  }
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / kHttpModuleName).string());
    out.push_back((exe.parent_path().parent_path() / "lib" / kHttpModuleName).string());
  }
  out.emplace_back(kHttpModuleName);  // LD_LIBRARY_PATH and the system's paths
  return out;
}

Result<HttpTransportFactory> Load() {
  std::string tried;
  for (const std::string& path : Candidates()) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      tried += "\n  " + path + ": " + ::dlerror();
      continue;
    }
    void* symbol = ::dlsym(handle, kHttpTransportFactorySymbol);
    if (symbol == nullptr) {
      return Status::Unavailable(path + " has no " + std::string(kHttpTransportFactorySymbol));
    }
    // The module exports the factory as a variable; the handle stays open for
    // the life of the process.
    return *reinterpret_cast<const HttpTransportFactory*>(symbol);
  }
  return Status::Unavailable(std::string("cannot load the HTTP module ") + kHttpModuleName +
                             " (install it beside the program or in ../lib):" + tried);
}

}  // namespace

Result<HttpTransportFactory> LoadHttpTransport() {
  static const Result<HttpTransportFactory>* loaded = new Result<HttpTransportFactory>(Load());
  return *loaded;
}

}  // namespace frontera::api
