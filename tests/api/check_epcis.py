#!/usr/bin/env python3
"""Validates EPCIS query answers against GS1's EPCIS 2.0 JSON Schema.

  check_epcis.py SCHEMA_JSON ANSWERS_JSON

ANSWERS_JSON is a list of {"name", "body"} (body: the answer's text, an
EPCISQueryDocument). Each body must be a JSON object of type
EPCISQueryDocument that the schema accepts with its "uri" and "date-time"
formats checked: without them the schema's propertyNames rules (every member
an EPCIS term or a URI) accept any name. Prints one line per failure and
exits 1 if any; exits 2 when a tool is missing (Debian: python3-jsonschema,
python3-rfc3987). Used by tests/node/epcis_events_test.cc and
tests/e2e/openapi_test.cc.
"""
import json
import re
import sys

try:
    import jsonschema
    from jsonschema import Draft7Validator, FormatChecker
except ImportError:
    print("check_epcis.py: the jsonschema module is missing (apt-get install python3-jsonschema)")
    sys.exit(2)

# RFC 3339 §5.6 date-time (upper- or lower-case T and Z, as the RFC allows).
DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$")


def main():
    checker = FormatChecker()
    if "uri" not in checker.checkers:
        print("check_epcis.py: URI formats cannot be checked (apt-get install python3-rfc3987)")
        sys.exit(2)

    @checker.checks("date-time")
    def is_date_time(instance):
        return not isinstance(instance, str) or DATE_TIME.match(instance) is not None

    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        answers = json.load(f)
    validator = Draft7Validator(schema, format_checker=checker)
    failures = 0
    for answer in answers:
        body = json.loads(answer["body"])
        problems = []
        if not isinstance(body, dict) or body.get("type") != "EPCISQueryDocument":
            problems.append("not an EPCISQueryDocument")
        else:
            errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
            for error in errors[:5]:
                where = "/" + "/".join(str(p) for p in error.path)
                problems.append(f"at {where}: {error.message[:300]}")
        for problem in problems:
            print(f"{answer['name']}: {problem}")
        failures += bool(problems)
    print(f"check_epcis.py: {len(answers) - failures} answers match the EPCIS 2.0 schema, "
          f"{failures} do not")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
