// Reader: who sent a request, as its HTTP Message Signature proved
// (api/request_signature.h). The Backend picks the view of a record by it
// (docs/api.md#two-views).
#pragma once

#include <string>

namespace frontera::api {

struct Reader {
  // The verified keyid: an Ed25519 did:key. Empty: the request was not
  // signed (the public view).
  std::string did;
  bool anonymous() const { return did.empty(); }
};

}  // namespace frontera::api
