"""Checks SBOM files with the reference libraries of both formats.

CycloneDX files (those with "bomFormat") are validated with
cyclonedx-python-lib's strict JSON validator for the file's specVersion;
SPDX files (those with "spdxVersion") are parsed with spdx-tools and
checked with its full document validation. Prints every problem and exits
non-zero when there is any.

Usage: python interop.py FILE...
"""

import json
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document


def check_cyclonedx(path, text, document):
    version = SchemaVersion.from_version(document.get("specVersion", ""))
    error = JsonStrictValidator(version).validate_str(text)
    return [] if error is None else [str(error)]


def check_spdx(path):
    document = parse_file(path)
    return [message.validation_message for message in validate_full_spdx_document(document)]


def check(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return "unknown", [f"not JSON: {error}"]
    if "bomFormat" in document:
        return "CycloneDX", check_cyclonedx(path, text, document)
    if "spdxVersion" in document:
        return "SPDX", check_spdx(path)
    return "unknown", ["neither a CycloneDX nor an SPDX document"]


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failures = 0
    for path in paths:
        try:
            kind, problems = check(path)
        except Exception as error:  # a parser crash is a failed check, not a script crash
            kind, problems = "unreadable", [f"{type(error).__name__}: {error}"]
        if problems:
            failures += 1
            print(f"FAIL {path} ({kind})")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"ok   {path} ({kind})")
    print(f"SBOM interop: {len(paths) - failures} of {len(paths)} files valid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
