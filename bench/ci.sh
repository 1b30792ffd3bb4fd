#!/usr/bin/env bash
# CI-audit benchmark: shipgate against zizmor on the same real-world GitHub
# workflows and actions, every audit on (auditor persona) for both. Wall time
# with hyperfine, peak RSS with GNU time. Results land in $WORK/ci-results.md.
#
#   python3 -m venv /opt/peers && /opt/peers/bin/pip install zizmor
#   apt-get install -y hyperfine time
#   bench/ci.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-/opt/peers/bin}
WORK=${WORK:-/var/tmp/shipgate-bench}
CORPUS=${CORPUS:-../shared/corpus/workflows}
RUNS=${RUNS:-10}
SET=$WORK/ci-corpus
mkdir -p "$WORK"
results=$WORK/ci-results.md

cargo build --release -p shipgate
SG=$PWD/target/release/shipgate

# zizmor aborts the whole run on the first file it cannot load, so the shared
# set keeps only the GitHub files zizmor loads on its own.
if [ ! -d "$SET" ]; then
    mkdir -p "$SET"
    (cd "$CORPUS" && find . -type f \( -path '*/.github/workflows/*' -o -name 'action.yml' -o -name 'action.yaml' \) \
        \( -name '*.yml' -o -name '*.yaml' \) -print0 | cpio -0pdm --quiet "$SET")
    rejected=0
    while IFS= read -r -d '' file; do
        if ! "$PEERS/zizmor" --offline --quiet --format json "$file" >/dev/null 2>&1; then
            # exit codes 10-14 report findings; anything else is a load failure
            code=0; "$PEERS/zizmor" --offline --quiet --format json "$file" >/dev/null 2>&1 || code=$?
            if [ "$code" -lt 10 ] || [ "$code" -gt 14 ]; then
                rm "$file"; rejected=$((rejected + 1))
            fi
        fi
    done < <(find "$SET" -type f -print0)
    echo "$rejected files zizmor cannot load were left out" > "$WORK/ci-rejected.txt"
fi
files=$(find "$SET" -type f | wc -l)
kb=$(du -sk "$SET" | cut -f1)

sg="$SG scan $SET --scanners ci --auditor --format json -o $WORK/shipgate-ci.json --fail-on never --quiet"
zz="$PEERS/zizmor --offline --persona auditor --format json --quiet --no-exit-codes $SET"
hyperfine --warmup 2 --runs "$RUNS" -i --export-json "$WORK/ci.json" -n shipgate "$sg" -n zizmor "bash -c '$zz > $WORK/zizmor.json'"

peak_rss_mb() {
    /usr/bin/time -f "%M" -o "$WORK/rss" "$@" >/dev/null 2>&1 || true
    echo $(( $(tail -n1 "$WORK/rss") / 1024 ))
}
mean() { python3 -c "import json;d=json.load(open('$WORK/ci.json'));print(next(r['mean'] for r in d['results'] if r['command']=='$1'))"; }
sg_mean=$(mean shipgate)
zz_mean=$(mean zizmor)
{
    echo "## CI audits: $files GitHub workflow and action files ($kb KiB), $(cat "$WORK/ci-rejected.txt")"
    echo
    echo "| tool | mean wall (s) | peak RSS (MB) | findings |"
    echo "|---|---|---|---|"
    printf '| shipgate | %.3f | %s | %s |\n' "$sg_mean" "$(peak_rss_mb $sg)" \
        "$(python3 -c "import json;print(len(json.load(open('$WORK/shipgate-ci.json'))['findings']))")"
    printf '| zizmor | %.3f | %s | %s |\n' "$zz_mean" "$(peak_rss_mb $zz)" \
        "$(python3 -c "import json;print(len(json.load(open('$WORK/zizmor.json'))))")"
    echo
    printf 'shipgate is %.1fx faster than zizmor\n' "$(python3 -c "print($zz_mean/$sg_mean)")"
} | tee "$results"
