#!/usr/bin/env bash
# A new contributor's `git clone … && npm install` must resolve: plain `npm install` (not only
# `npm ci`) with the lockfile and without it, resolved for real but nothing written or built
# (`--dry-run`). An ERESOLVE (a peer range that our dependencies do not meet) fails this.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
supported_node >/dev/null

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp package.json "$scratch/"
for lock in with without; do
  if [ "$lock" = with ]; then cp package-lock.json "$scratch/"; else rm -f "$scratch/package-lock.json"; fi
  if ! (cd "$scratch" && npm install --dry-run --ignore-scripts --no-audit --no-fund >"$scratch/log" 2>&1); then
    cat "$scratch/log" >&2
    echo "npm install ($lock the lockfile) does not resolve on a fresh clone" >&2
    exit 1
  fi
  echo "npm install resolves $lock the lockfile"
done
