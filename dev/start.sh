#!/usr/bin/env bash
# Starts the demo: installs and builds what it needs, then a real Backstage backend on
# localhost:${PORT:-7007} with this plugin, the catalog and the `platform` demo actions, and
# the Backstage frontend of frontend/app (the page at /mcp-actions, the consent page).
set -euo pipefail
cd "$(dirname "$0")/.."

# A pinned token must pass Backstage's rule for static tokens (backend.auth.externalAccess):
# at least 8 characters, no spaces. Said here in one line, before anything is installed or
# started, rather than as the backend's stack traces.
token_rule=""
if [[ "${MCP_DEMO_TOKEN:-}" =~ [[:space:]] ]]; then
  token_rule="must have no spaces"
elif [ -n "${MCP_DEMO_TOKEN:-}" ] && [ "${#MCP_DEMO_TOKEN}" -lt 8 ]; then
  token_rule="must be at least 8 characters long; it has ${#MCP_DEMO_TOKEN}"
fi
if [ -n "$token_rule" ]; then
  echo "npm run demo: MCP_DEMO_TOKEN $token_rule (Backstage's rule for static tokens). Pin another, or unset it for a random one." >&2
  exit 2
fi

source scripts/lib/tools.sh
# Backstage supports Node 22 and 24: an older node on PATH is replaced by the official Node 22.
supported_node
# The frontend (its own packages and @backstage/cli builds) in parallel with the backend's
# install and the Rust build: on a fresh clone both are minutes of mostly waiting.
bash scripts/build-frontend.sh > >(sed -u 's/^/[frontend] /') 2>&1 &
frontend=$!
trap 'kill "$frontend" 2>/dev/null || true' EXIT
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build:native:dev
npm run --silent build:ts
wait "$frontend" || { echo "the frontend build failed (above)" >&2; exit 1; }
trap - EXIT

export PORT="${PORT:-7007}"
# A fresh random token each start unless you pin one.
export MCP_DEMO_TOKEN="${MCP_DEMO_TOKEN:-demo-$(node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("base64url"))')}"

cd dev
exec node backend.js --config app-config.yaml
