#!/usr/bin/env bash
# Every check and every test: `npm test`. Installs and builds what it needs on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

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

step "vitest (binding, end to end through a real Backstage backend, demo)"
npx vitest run

printf '\nRust tests passed: %s\n' "$rust_passed"
