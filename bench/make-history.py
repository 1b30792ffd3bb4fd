#!/usr/bin/env python3
"""Builds a git repository with many commits for the history benchmark.

Real source files from the cargo registry are committed once, then each of
COMMITS commits edits a few of them, so the repository holds tens of
thousands of unique blobs, the shape of a busy monorepo's history. A few
commits add fake credentials so the scanners have something to find. The
stream goes through `git fast-import`, which writes 10,000 commits in seconds.
"""
import os
import random
import subprocess
import sys
from pathlib import Path

commits = int(os.environ.get("COMMITS", "10000"))
pool_size = int(os.environ.get("POOL", "3000"))
out = Path(sys.argv[1] if len(sys.argv) > 1 else "/var/tmp/shipgate-bench/history-repo")
registry = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo")) / "registry" / "src"

rng = random.Random(7)
files = sorted(p for p in registry.rglob("*.rs") if p.is_file() and p.stat().st_size < 200_000)
pool = rng.sample(files, min(pool_size, len(files)))
contents = {f"src/{i:05d}.rs": p.read_bytes() for i, p in enumerate(pool)}


def token(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

subprocess.run(["rm", "-rf", str(out)], check=True)
subprocess.run(["git", "init", "-q", str(out)], check=True)
proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=out, stdin=subprocess.PIPE)
w = proc.stdin


def data(payload: bytes):
    w.write(b"data %d\n" % len(payload))
    w.write(payload)
    w.write(b"\n")


def commit(n, changes):
    ts = 1_600_000_000 + n * 600
    w.write(b"commit refs/heads/main\n")
    w.write(b"committer Bench Author <bench@example.invalid> %d +0000\n" % ts)
    data(b"change %d" % n)
    # fast-import continues a branch from its current tip, so no `from` is needed.
    for path, payload in changes:
        w.write(b"M 100644 inline %s\n" % path.encode())
        data(payload)


commit(0, list(contents.items()))
paths = list(contents)
for n in range(1, commits):
    changes = []
    for path in rng.sample(paths, 3):
        contents[path] += b"// revision %d\n" % n
        changes.append((path, contents[path]))
    if n % 1000 == 0:
        leak = f'const TOKEN: &str = "ghp_{token(ALNUM, 36)}";\nconst KEY: &str = "AKIA{token(UPPER, 16)}";\n'
        changes.append((f"leaks/leak{n}.rs", leak.encode()))
    commit(n, changes)
w.close()
if proc.wait() != 0:
    sys.exit("git fast-import failed")
subprocess.run(["git", "checkout", "-q", "main"], cwd=out, check=True)
print(f"history repo: {out}, {commits} commits")
