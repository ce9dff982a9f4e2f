#include "common/status.h"

#include <doctest/doctest.h>

#include "common/result.h"

namespace frontera {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd", {{"/x", "must be even"}});
  return x / 2;
}

Status UseHalf(int x, int& out) {
  FRONTERA_ASSIGN_OR_RETURN(out, Half(x));
  return Status::Ok();
}

TEST_CASE("status carries code, message and field errors") {
  Status s = Status::FailedPrecondition("rule", {{"/a", "bad"}});
  CHECK(s.IsFailedPrecondition());
  CHECK(s.ToString() == "FailedPrecondition: rule [/a: bad]");
  Status c = s.WithContext("credential", "/credentialSubject");
  CHECK(c.message() == "credential: rule");
  CHECK(c.field_errors()[0].pointer == "/credentialSubject/a");
  CHECK(Status::Ok().ok());
}

TEST_CASE("result propagates errors through FRONTERA_ASSIGN_OR_RETURN") {
  int out = 0;
  CHECK(UseHalf(4, out).ok());
  CHECK(out == 2);
  Status s = UseHalf(3, out);
  CHECK(s.IsInvalidArgument());
  CHECK(s.field_errors().at(0).pointer == "/x");
}

}  // namespace
}  // namespace frontera
