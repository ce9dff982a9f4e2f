#include "api/problem.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace frontera::api {
namespace {

using Json = nlohmann::json;

TEST_CASE("a problem serialises every RFC 9457 member") {
  Problem problem = ProblemFromStatus(
      Status::FailedPrecondition("the credential expired",
                                 {{"/credentialSubject/expiry", "is before validFrom"}}),
      InputKind::kDocument);
  Json body = Json::parse(problem.ToJsonText());
  CHECK(body ==
        Json{{"type", "https://frontera.example/problems/rule-violation"},
             {"title", "Ledger rule violated"},
             {"status", 422},
             {"detail", "the credential expired"},
             {"errors",
              {{{"pointer", "/credentialSubject/expiry"}, {"reason", "is before validFrom"}}}}});
}

TEST_CASE("Status codes map to HTTP statuses and types") {
  struct Case {
    Status status;
    int http;
    std::string_view slug;
  };
  const Case cases[] = {
      {Status::InvalidArgument("x"), 400, "invalid-document"},
      {Status::PermissionDenied("x"), 403, "not-authorized"},
      {Status::NotFound("x"), 404, "not-found"},
      {Status::AlreadyExists("x"), 409, "duplicate"},
      {Status::ResourceExhausted("x"), 429, "too-many-requests"},
      {Status::FailedPrecondition("x"), 422, "rule-violation"},
      {Status::Unavailable("x"), 503, "unavailable"},
      {Status::Corruption("x"), 500, "internal"},
      {Status::IOError("x"), 500, "internal"},
      {Status::Internal("x"), 500, "internal"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.http);
    Problem problem = ProblemFromStatus(c.status, InputKind::kDocument);
    CHECK(problem.status == c.http);
    CHECK(ProblemSlug(problem.type) == c.slug);
    CHECK(ProblemHttpStatus(problem.type) == c.http);
  }
  CHECK(ProblemFromStatus(Status::InvalidArgument("x"), InputKind::kParameters).type ==
        ProblemType::kInvalidParameter);
  CHECK(ProblemFromStatus(Status::IOError("disk"), InputKind::kDocument).detail == "IOError: disk");
}

TEST_CASE("transport statuses get their own types, others a generic one") {
  CHECK(ProblemForHttpStatus(413, "big").type == ProblemType::kPayloadTooLarge);
  CHECK(ProblemForHttpStatus(415, "x").type == ProblemType::kUnsupportedMediaType);
  CHECK(ProblemForHttpStatus(405, "x").type == ProblemType::kMethodNotAllowed);
  CHECK(ProblemForHttpStatus(414, "x").status == 414);
  CHECK(ProblemForHttpStatus(400, "x").type == ProblemType::kMalformedRequest);
  Problem other = ProblemForHttpStatus(416, "range");
  CHECK(other.type == ProblemType::kHttpError);
  CHECK(other.status == 416);
  CHECK(Json::parse(other.ToJsonText())["status"] == 416);
  CHECK(ProblemForHttpStatus(404, "").detail == "Not found");
}

TEST_CASE("invalid UTF-8 in a detail does not break the problem") {
  Problem problem = ProblemForHttpStatus(400, "bad byte \xff here");
  Json body = Json::parse(problem.ToJsonText());
  CHECK(body["detail"] == "bad byte \xEF\xBF\xBD here");
}

TEST_CASE("a problem answer becomes a Status with title, detail and field errors") {
  Problem problem = ProblemFromStatus(
      Status::AlreadyExists("serial SN000123 is certified", {{"/credentialSubject/serial", "dup"}}),
      InputKind::kDocument);
  Status status = StatusFromProblem(409, problem.ToJsonText());
  CHECK(status.IsAlreadyExists());
  CHECK(status.message() == "Duplicate document: serial SN000123 is certified");
  CHECK(status.field_errors() == std::vector<FieldError>{{"/credentialSubject/serial", "dup"}});

  CHECK(StatusFromProblem(400, "{}").IsInvalidArgument());
  CHECK(StatusFromProblem(403, "{}").IsPermissionDenied());
  CHECK(StatusFromProblem(404, "{}").IsNotFound());
  CHECK(StatusFromProblem(405, "{}").IsInvalidArgument());
  CHECK(StatusFromProblem(413, "{}").IsResourceExhausted());
  CHECK(StatusFromProblem(415, "{}").IsInvalidArgument());
  CHECK(StatusFromProblem(422, "{}").IsFailedPrecondition());
  CHECK(StatusFromProblem(429, "{}").IsResourceExhausted());
  CHECK(StatusFromProblem(500, "{}").IsUnavailable());
  CHECK(StatusFromProblem(503, "{}").IsUnavailable());
  CHECK(StatusFromProblem(302, "").code() == Status::Code::kInternal);
}

TEST_CASE("a non-problem error body is quoted, shortened") {
  Status status = StatusFromProblem(502, "<html>" + std::string(500, 'x') + "</html>");
  CHECK(status.IsUnavailable());
  CHECK(status.message().starts_with("HTTP 502: <html>xxx"));
  CHECK(status.message().size() == std::string("HTTP 502: ").size() + 200);
}

}  // namespace
}  // namespace frontera::api
