#!/usr/bin/env bash
# SBOM benchmark: `shipgate sbom` on the largest corpus lockfiles, side by
# side with the peers that read the same input, in the same run.
#
#   yarn.lock, 4,000 packages (getsentry/sentry-javascript): shipgate vs cdxgen
#   requirements.txt of the largest uv.lock's pins: shipgate vs cyclonedx-py
#
#   npm install --prefix /opt/cdxgen @cyclonedx/cdxgen
#   /opt/peers/bin/pip install cyclonedx-bom
#   bench/sbom.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus/lockfiles}
WORK=${WORK:-/var/tmp/shipgate-bench/sbom}
CDXGEN=${CDXGEN:-/opt/cdxgen/node_modules/.bin/cdxgen}
CYCLONEDX_PY=${CYCLONEDX_PY:-/opt/peers/bin/cyclonedx-py}
RUNS=${RUNS:-10}
mkdir -p "$WORK/yarn" "$WORK/pnpm" "$WORK/requirements"

cargo build --release -p shipgate
SG=$PWD/target/release/shipgate

cp "$CORPUS/getsentry__sentry-javascript/yarn.lock" "$WORK/yarn/"
echo '{"name":"bench-yarn","version":"1.0.0"}' > "$WORK/yarn/package.json"
cp "$CORPUS/nodejs__nodejs.org/pnpm-lock.yaml" "$WORK/pnpm/"
# The same pins as a requirements file (one per name: a real one cannot pin a
# name twice), the input cyclonedx-py reads offline.
"$SG" deps list --format json "$CORPUS/microsoft__semantic-kernel/python" \
    | python3 -c 'import json,sys; inv=json.load(sys.stdin); pins={p["name"].lower():p["version"] for l in inv["lockfiles"] for p in l["packages"] if p["ecosystem"]=="PyPI" and p.get("source",{}).get("type")=="registry"}; print("\n".join(n+"=="+v for n,v in sorted(pins.items())))' \
    > "$WORK/requirements/requirements.txt"
echo "requirements.txt: $(wc -l < "$WORK/requirements/requirements.txt") pins"

export SOURCE_DATE_EPOCH=1767225600
hyperfine --warmup 2 --runs "$RUNS" --export-markdown "$WORK/sbom-own.md" \
    -n "shipgate yarn.lock (4,000 packages)" "$SG sbom -q -o $WORK/sg-yarn.json $WORK/yarn" \
    -n "shipgate pnpm-lock.yaml (1,922 packages)" "$SG sbom -q -o $WORK/sg-pnpm.json $WORK/pnpm" \
    -n "shipgate spdx yarn.lock" "$SG sbom -q --format spdx -o $WORK/sg-yarn.spdx.json $WORK/yarn"

if [ -x "$CYCLONEDX_PY" ]; then
    hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/sbom-cyclonedx-py.md" \
        -n "shipgate requirements.txt" "$SG sbom -q -o $WORK/sg-req.json $WORK/requirements" \
        -n "cyclonedx-py requirements" "$CYCLONEDX_PY requirements $WORK/requirements/requirements.txt -o $WORK/py-req.json"
fi
if [ -x "$CDXGEN" ]; then
    # cdxgen is slow enough that three runs say what there is to say.
    (cd "$WORK/yarn" && FETCH_LICENSE=false hyperfine --runs 3 --export-markdown "$WORK/sbom-cdxgen.md" \
        -n "shipgate yarn.lock" "$SG sbom -q -o $WORK/sg-yarn.json ." \
        -n "cdxgen yarn.lock" "$CDXGEN -t js --no-install-deps --no-recurse -o $WORK/cdxgen-yarn.json .")
fi
python3 - "$WORK" <<'PY'
import json, sys, os
w = sys.argv[1]
for name in ["sg-yarn.json", "cdxgen-yarn.json", "sg-req.json", "py-req.json"]:
    path = os.path.join(w, name)
    if os.path.exists(path):
        print(f"{name}: {len(json.load(open(path)).get('components', []))} components")
PY
