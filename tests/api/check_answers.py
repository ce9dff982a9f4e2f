#!/usr/bin/env python3
"""Validates recorded HTTP answers against api/openapi.json.

  check_answers.py OPENAPI_JSON ANSWERS_JSON

ANSWERS_JSON is a list of {"operationId", "status", "content_type", "body"}
(body: the answer's text). Each answer's body is validated against the schema
the document gives for that operation, status (or "default") and media type.
Prints one line per failure and exits 1 if any; exits 2 when a tool is
missing (Debian: python3-jsonschema). Used by tests/e2e/openapi_test.cc.
"""
import copy
import json
import sys

try:
    from jsonschema import Draft202012Validator
except ImportError:
    print("check_answers.py: the jsonschema module is missing (apt-get install python3-jsonschema)")
    sys.exit(2)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        document = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        answers = json.load(f)
    operations = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                operations[operation["operationId"]] = (method, path, operation)
    failures = 0
    checked = 0
    for answer in answers:
        op_id, status = answer["operationId"], str(answer["status"])
        if op_id not in operations:
            print(f"{op_id}: no such operation in the document")
            failures += 1
            continue
        method, path, operation = operations[op_id]
        responses = operation["responses"]
        response = responses.get(status) or responses.get("default")
        if response is None:
            print(f"{op_id} ({method} {path}): status {status} is not documented")
            failures += 1
            continue
        # Follow a response $ref (#/components/responses/...).
        while "$ref" in response:
            node = document
            for part in response["$ref"][2:].split("/"):
                node = node[part]
            response = node
        media = answer["content_type"].split(";")[0].strip()
        content = response.get("content", {})
        if media not in content:
            print(f"{op_id} {status}: media type {media} is not documented "
                  f"(documented: {', '.join(content) or 'none'})")
            failures += 1
            continue
        schema = content[media].get("schema")
        if schema is None or not media.endswith("json"):
            checked += 1
            continue
        # The whole document as the root, so that local $refs resolve.
        root = copy.copy(document)
        root.pop("$schema", None)
        root["$ref"] = "#/__answer_schema"
        root["__answer_schema"] = schema
        body = json.loads(answer["body"])
        errors = sorted(Draft202012Validator(root).iter_errors(body), key=lambda e: list(e.path))
        for error in errors[:5]:
            where = "/" + "/".join(str(p) for p in error.path)
            print(f"{op_id} {status}: at {where}: {error.message[:300]}")
        failures += bool(errors)
        checked += 1
    print(f"check_answers.py: {checked} answers match the document, {failures} do not")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
