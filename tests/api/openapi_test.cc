// The API contract file (api/openapi.json) against the router: every route
// is documented with its methods, and every documented operation is a route.
#include "api/openapi.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <string>
#include <utility>

#include "crypto/json.h"

namespace frontera::api {
namespace {

using crypto::Json;

Json Document() {
  Json doc = Json::parse(OpenApiDocument(), nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(doc.is_object(), "api/openapi.json does not parse");
  return doc;
}

TEST_CASE("the OpenAPI document is 3.1 and names every operation") {
  const Json doc = Document();
  CHECK(doc["openapi"] == "3.1.0");
  CHECK(doc["info"]["version"] == "1");
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      CAPTURE(path);
      CAPTURE(method);
      REQUIRE(operation.contains("operationId"));
      CHECK(operation_ids.insert(operation["operationId"].get<std::string>()).second);
      CHECK(operation.contains("responses"));
    }
  }
  CHECK(operation_ids.size() >= 19);
}

TEST_CASE("the document's operations are exactly the router's routes, HEAD beside every GET") {
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& [method, pattern] : RouteTable()) {
    routed.insert({method, pattern});
    if (method == "GET") routed.insert({"HEAD", pattern});
  }
  std::set<std::pair<std::string, std::string>> documented;
  const Json doc = Document();  // outlives the loop over its members
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      documented.insert({upper, path});
    }
  }
  for (const auto& route : routed) {
    CHECK_MESSAGE(documented.contains(route),
                  route.first << " " << route.second << " is routed but not documented");
  }
  for (const auto& operation : documented) {
    CHECK_MESSAGE(routed.contains(operation),
                  operation.first << " " << operation.second << " is documented but not routed");
  }
}

TEST_CASE("every $ref in the document resolves inside it") {
  const Json doc = Document();
  size_t refs = 0;
  std::function<void(const Json&)> walk = [&](const Json& node) {
    if (node.is_object()) {
      if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string()) {
        const std::string target = ref->get<std::string>();
        CAPTURE(target);
        REQUIRE(target.rfind("#/", 0) == 0);
        CHECK(doc.contains(Json::json_pointer(target.substr(1))));
        ++refs;
      }
      for (const auto& [key, value] : node.items()) walk(value);
    } else if (node.is_array()) {
      for (const Json& value : node) walk(value);
    }
  };
  walk(doc);
  CHECK(refs > 50);
}

}  // namespace
}  // namespace frontera::api
