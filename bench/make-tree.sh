#!/usr/bin/env bash
# Materialises a large real source tree for the secrets benchmark from what is
# on this machine offline: the cargo registry sources plus any extra corpus
# directories given as arguments. Copies are repeated under numbered prefixes
# until the tree reaches the target size.
set -euo pipefail
out=${TREE:-/var/tmp/shipgate-bench/tree}
target_mb=${TARGET_MB:-320}
registry=${CARGO_HOME:-$HOME/.cargo}/registry/src
rm -rf "$out" && mkdir -p "$out"
copy=0
size_mb() { du -sm "$out" | cut -f1; }
while [ "$(size_mb)" -lt "$target_mb" ]; do
    copy=$((copy + 1))
    mkdir -p "$out/copy$copy"
    cp -r "$registry"/. "$out/copy$copy/registry"
    for extra in "$@"; do
        cp -r "$extra" "$out/copy$copy/$(basename "$extra")"
    done
done
echo "tree: $out, $(size_mb) MB, $(find "$out" -type f | wc -l) files"
