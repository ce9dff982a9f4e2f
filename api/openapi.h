// The API contract as a file: api/openapi.json, an OpenAPI 3.1 document with
// a JSON Schema for every document and every answer, compiled into the
// server and served at GET /v1/openapi.json. Tests compare it with the
// router (tests/api/openapi_test.cc) and validate a running node's answers
// against its schemas (tests/e2e/openapi_test.cc).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace frontera::api {

// The text of api/openapi.json, as built.
std::string_view OpenApiDocument();

// The router's routes as (method, path pattern) pairs, e.g. ("GET",
// "/v1/certificates/{id}"). HEAD is answered wherever GET is.
std::vector<std::pair<std::string, std::string>> RouteTable();

}  // namespace frontera::api
