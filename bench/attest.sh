#!/usr/bin/env bash
# Release-integrity benchmark, whole processes, in one run:
#
#   hashing a 1 GiB artifact: `shipgate provenance` (SHA-256 only, and
#   SHA-256 + SHA-512 on two threads) against sha256sum and sha512sum on
#   the same file, page cache warm;
#   `shipgate verify` of one artifact against 10,000 signed attestations.
#
# The in-process figures (sign + verify 10,000 envelopes, hashing
# throughput without process start) come from
# `cargo bench -p shipgate-attest`.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-/var/tmp/shipgate-bench/attest}
RUNS=${RUNS:-5}
mkdir -p "$WORK"

cargo build --release -p shipgate
SG=$PWD/target/release/shipgate
export SHIPGATE_KEY_PASSWORD=bench SOURCE_DATE_EPOCH=1767225600

if [ ! -f "$WORK/artifact-1g.bin" ]; then
    head -c 1073741824 /dev/urandom > "$WORK/artifact-1g.bin"
fi
# An unencrypted PKCS#8 key, so the timings hold hashing and signing, not
# the scrypt key derivation that guards the encrypted key at rest.
rm -f "$WORK/bench.key" "$WORK/bench.pub"
"$SG" key generate -q --output "$WORK/bench"
openssl pkcs8 -in "$WORK/bench.key" -passin pass:bench -out "$WORK/plain.key" -nocrypt 2>/dev/null \
    || openssl pkey -in "$WORK/bench.key" -passin pass:bench -out "$WORK/plain.key"

ART=$WORK/artifact-1g.bin
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/hash.md" \
    -n "sha256sum" "sha256sum $ART" \
    -n "shipgate provenance --sha256-only" "$SG provenance -q --platform local --sha256-only --key $WORK/plain.key -o $WORK/p.jsonl $ART" \
    -n "sha512sum" "sha512sum $ART" \
    -n "shipgate provenance (sha256 + sha512)" "$SG provenance -q --platform local --key $WORK/plain.key -o $WORK/p.jsonl $ART"

# 10,000 attestations about one small artifact, then one verify over all.
head -c 4096 /dev/urandom > "$WORK/small.bin"
"$SG" provenance -q --platform local --key "$WORK/plain.key" -o "$WORK/one.jsonl" "$WORK/small.bin"
python3 - "$WORK/one.jsonl" "$WORK/many.jsonl" <<'PY'
import sys
line = open(sys.argv[1]).readline()
with open(sys.argv[2], "w") as out:
    out.write(line * 10000)
PY
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/verify.md" \
    -n "shipgate verify, 10,000 attestations" \
    "$SG verify -q --key $WORK/bench.pub --attestations $WORK/many.jsonl $WORK/small.bin"
cat "$WORK/hash.md" "$WORK/verify.md"
