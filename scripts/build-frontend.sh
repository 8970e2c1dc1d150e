#!/usr/bin/env bash
# Builds the frontend (frontend/): installs its packages, type-checks, builds the plugin
# package (frontend/plugin/dist) and the demo app (frontend/app/dist) with @backstage/cli.
# A build whose sources have not changed since the last one is reused: the stamp
# frontend/app/dist/.sources holds the hash of everything the build reads.
# `--force` builds anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
supported_node >/dev/null

cd frontend
[ -d node_modules/@backstage/cli ] || npm ci --no-audit --no-fund --loglevel=error

sources=$(find package.json package-lock.json tsconfig.json plugin/package.json plugin/src \
  app/package.json app/src app/public app/app-config.yaml -type f -print0 |
  sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
stamp=app/dist/.sources
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sources" ] &&
  [ -f plugin/dist/index.esm.js ]; then
  echo "frontend: reusing the build of these sources (frontend/app/dist)"
  exit 0
fi
start=$SECONDS
npx tsc
(cd plugin && npx backstage-cli package build)
(cd app && npx backstage-cli package build --config app-config.yaml >/dev/null)
echo "$sources" >"$stamp"
echo "frontend: built the plugin and the demo app in $((SECONDS - start)) s"
