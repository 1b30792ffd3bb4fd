#!/usr/bin/env bash
# Agreement with cargo-audit on the real RustSec advisory database.
#
# cargo-audit reads RustSec's own format (a git checkout of
# rustsec/advisory-db); shipgate reads the same advisories in OSV form (the
# crates.io dump OSV publishes, built from that repository). Both are run on
# every Cargo.lock given, and the (advisory, package, version) triples each
# reports are compared. Informational advisories (unmaintained, unsound) are
# warnings in cargo-audit and are left out on both sides.
#
#   cargo install cargo-audit --locked
#   git clone https://github.com/rustsec/advisory-db /var/tmp/advisory-db
#   curl -LO https://osv-vulnerabilities.storage.googleapis.com/crates.io/all.zip
#   bench/cargo-audit-compare.sh /var/tmp/advisory-db all.zip path/to/Cargo.lock...
#
# The test suite runs the same comparison on the fixture database in
# tests/fixtures/rustsec (cargo-audit's output recorded there), so this
# script is the full-size version of an agreement that is checked on every
# change.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
    sed -n '2,18p' "$0"
    exit 2
fi
ADVISORY_DB=$1
OSV_DUMP=$2
shift 2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cargo build --release -p shipgate
SG=$PWD/target/release/shipgate
"$SG" db import --db "$WORK/db" "$OSV_DUMP"

status=0
for lock in "$@"; do
    dir=$WORK/project
    rm -rf "$dir" && mkdir -p "$dir" && cp "$lock" "$dir/Cargo.lock"
    cargo audit --db "$ADVISORY_DB" --no-fetch --json --file "$dir/Cargo.lock" > "$WORK/audit.json" || true
    python3 - "$WORK/audit.json" > "$WORK/audit.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for v in report["vulnerabilities"]["list"]:
    print(v["advisory"]["id"], v["package"]["name"], v["package"]["version"])
PY
    "$SG" scan "$dir" --scanners deps --db "$WORK/db" --format json --fail-on never -q > "$WORK/sg.json"
    python3 - "$WORK/sg.json" > "$WORK/sg.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for f in report["findings"]:
    if f["rule_id"] == "deps/vulnerable-package":
        d = f["properties"]
        if d["advisory"].startswith("RUSTSEC-"):
            print(d["advisory"], d["package"], d["version"])
PY
    sort -u -o "$WORK/audit.txt" "$WORK/audit.txt"
    sort -u -o "$WORK/sg.txt" "$WORK/sg.txt"
    if diff -u "$WORK/audit.txt" "$WORK/sg.txt" > "$WORK/diff.txt"; then
        echo "$lock: agree ($(wc -l < "$WORK/sg.txt") finding(s))"
    else
        echo "$lock: DIFFER (- cargo-audit, + shipgate)"
        cat "$WORK/diff.txt"
        status=1
    fi
done
exit $status
