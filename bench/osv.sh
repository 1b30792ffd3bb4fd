#!/usr/bin/env bash
# OSV database benchmark: generates a synthetic all.zip of 200,000
# advisories (crates/shipgate-deps/benches/support/synthetic.rs, also used by
# the criterion bench), times its import (advisories/s), reports the index
# size, and times matching a 5,000-package inventory on the warm index.
#
#   bench/osv.sh                 # 200,000 advisories
#   ADVISORIES=50000 bench/osv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ADVISORIES=${ADVISORIES:-200000}
WORK=${WORK:-/var/tmp/shipgate-bench/osv}
mkdir -p "$WORK"
rm -rf "$WORK/db"
cargo build --release -p shipgate-deps --example osv_timing
TARGET=${CARGO_TARGET_DIR:-target}
"$TARGET/release/examples/osv_timing" generate "$ADVISORIES" "$WORK/all.zip"
echo "dump: $ADVISORIES advisories, $(( $(stat -c %s "$WORK/all.zip") / 1048576 )) MiB zipped"
"$TARGET/release/examples/osv_timing" run "$WORK/all.zip" "$WORK/db" "$ADVISORIES"
