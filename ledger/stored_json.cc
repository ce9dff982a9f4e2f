#include "ledger/stored_json.h"

#include <algorithm>
#include <string>

#include "common/encoding.h"

namespace frontera::ledger {

Result<uint64_t> StoredUint(const crypto::Json& object, const char* name, std::string_view what) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_unsigned()) {
    return Status::Corruption(std::string(what) + ": \"" + name +
                              "\" is missing or not an unsigned integer");
  }
  return it->get<uint64_t>();
}

Result<crypto::Hash> StoredHash(const crypto::Json& object, const char* name,
                                std::string_view what) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return Status::Corruption(std::string(what) + ": \"" + name + "\" is missing or not a string");
  }
  auto bytes = Base64Decode(it->get_ref<const std::string&>());
  crypto::Hash h{};
  if (!bytes.ok() || bytes->size() != h.size()) {
    return Status::Corruption(std::string(what) + ": \"" + name +
                              "\" is not a base64 SHA-256 hash");
  }
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

}  // namespace frontera::ledger
