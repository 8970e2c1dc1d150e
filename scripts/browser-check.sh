#!/usr/bin/env bash
# The page in a real browser, on a real app: `bash scripts/browser-check.sh`.
#
# An app made by @backstage/create-app, with the backend plugin and the frontend plugin added
# from their release tarballs (release/, `npm run release:pack`) as an adopter adds them, its
# frontend built with the app's own scripts and served by its backend. Headless Chromium
# (Debian's package, driven by playwright-core) signs in as the guest and checks the page at
# /mcp-actions: the servers, a tool list, each client's text and the copy button, a running
# task cancelled, the Usage tab (own and everyone's, charts, CSV download), a pending
# confirmation confirmed, the secrets form of a tool call that needs a secret; then an MCP SDK client logs in through @backstage/plugin-auth's real
# consent page, approved once and cancelled once. One PNG per view goes to SCREENSHOTS_DIR
# (default release/screenshots/); any console error of the page fails the check. The last
# line says `N passed, M failed`.
#
# Environment: BROWSER_CHECK_DIR (default $TMPDIR/mcp-browser-check), SCREENSHOTS_DIR,
# BROWSER_CHECK_KEEP_APP=1 (reuse an app made by an earlier run, for working on the check).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/lib/tools.sh
source scripts/lib/app.sh
start=$SECONDS
phase() { printf '  %-56s %4d s\n' "$1" $((SECONDS - start)); }

work="${BROWSER_CHECK_DIR:-${TMPDIR:-/tmp}/mcp-browser-check}"
shots="${SCREENSHOTS_DIR:-$repo/release/screenshots}"
case "$shots" in /*) ;; *) shots="$repo/$shots" ;; esac
app="$work/app"
log="$work/backend.log"
pid_file="$work/backend.pid"
mkdir -p "$work" "$shots"

use_node 22 >/dev/null
apt_ensure chromium openssl curl
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
echo "=== browser check: $(chromium --version 2>/dev/null | head -n 1), node $(node --version)"

main_tgz=$(ls "$repo"/release/mcp-actions-rs-plugin-mcp-actions-backend-[0-9]*.tgz 2>/dev/null | head -n 1 || true)
[ -n "$main_tgz" ] || { echo "no backend tarball in release/: run \`npm run release:pack\` first" >&2; exit 1; }
frontend_tgz=$(ls "$repo"/release/mcp-actions-rs-plugin-mcp-actions-[0-9]*.tgz 2>/dev/null | head -n 1 || true)
[ -n "$frontend_tgz" ] || { echo "no frontend plugin tarball in release/: run \`npm run release:pack\` first" >&2; exit 1; }

yarn_bin=$(yarn_home)
export PATH="$yarn_bin:$PATH"
export YARN_ENABLE_GLOBAL_CACHE=true YARN_GLOBAL_FOLDER="$MCP_TOOLS_DIR/yarn-global"
export YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_PROGRESS_BARS=0 YARN_ENABLE_IMMUTABLE_INSTALLS=false

cleanup() { stop_backend "$pid_file"; }
trap cleanup EXIT
trap 'echo "browser check: interrupted" >&2; exit 130' INT TERM

# step NAME LOGFILE TIMEOUT COMMAND...: the command, its output in LOGFILE, shown on failure.
step() {
  local name="$1" out="$2" limit="$3" rc=0
  shift 3
  timeout "$limit" "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    tail -n 40 "$out" | sed 's/^/    | /' >&2
    echo "  FAILED: $name: exit code $rc (log: $out)" >&2
    exit 1
  fi
}

if [ "${BROWSER_CHECK_KEEP_APP:-}" = 1 ] && [ -d "$app/node_modules" ]; then
  echo "  reusing the app in $app (BROWSER_CHECK_KEEP_APP=1)"
else
  rm -rf "$app"
  echo myapp | step create-app "$work/create-app.log" 600 \
    npx --yes @backstage/create-app@0.9.2 --path "$app" --skip-install
  phase "create-app"
  (cd "$app" && step "yarn install" "$work/yarn-install.log" 1800 yarn install </dev/null)
  phase "yarn install (the app as generated)"
fi

cd "$app"
# As an adopter installs them: the backend plugin (its platform package from release/ too)
# and the frontend plugin, each into its package; the backend's import line swapped.
add_resolutions "$(platform_resolutions "$main_tgz" "$repo/release")"
step "yarn add (backend)" "$work/yarn-add-backend.log" 600 \
  yarn --cwd packages/backend add "@mcp-actions-rs/plugin-mcp-actions-backend@file:$main_tgz" </dev/null
step "yarn add (frontend)" "$work/yarn-add-frontend.log" 600 \
  yarn --cwd packages/app add "@mcp-actions-rs/plugin-mcp-actions@file:$frontend_tgz" </dev/null
phase "yarn add (both plugins, from release/)"
index=packages/backend/src/index.ts
sed -i "s|import('@backstage/plugin-mcp-actions-backend')|import('@mcp-actions-rs/plugin-mcp-actions-backend')|" "$index"
# Version skew of the template's signals plugin without its lockfile seed (install-check.sh).
sed -i "/import('@backstage\/plugin-signals-backend')/d" "$index"
cp "$repo/scripts/browser-check/browserCheckActions.ts" packages/backend/src/browserCheckActions.ts
grep -q "browserCheckActions" "$index" ||
  sed -i "s|^backend.start();|backend.add(import('./browserCheckActions'));\nbackend.start();|" "$index"
grep -q "import('./browserCheckActions')" "$index" || { echo "  FAILED: could not add the browser-check actions to $index" >&2; exit 1; }

port=$(free_port)
callback_port=$(free_port)
cimd_port=$(free_port)
base="http://127.0.0.1:$port"
# The MCP client's client ID metadata document is served over HTTPS on loopback (MCP SDKs only
# present an HTTPS one) with a certificate made here; the backend, which fetches it, trusts
# that certificate on top of the usual roots (NODE_EXTRA_CA_CERTS). Nothing else about TLS.
cimd="$work/cimd"
mkdir -p "$cimd"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$cimd/key.pem" \
  -out "$cimd/cert.pem" -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cat >app-config.local.yaml <<YAML
app:
  baseUrl: $base
  # The template's signals frontend needs the signals backend, left out above.
  packages:
    exclude: ['@backstage/plugin-signals']
backend:
  baseUrl: $base
  listen:
    host: 127.0.0.1
    port: $port
  cors:
    origin: $base
  actions:
    pluginSources: [catalog, scaffolder, browser-check]
auth:
  clientIdMetadataDocuments:
    enabled: true
    allowedClientIdPatterns: ['https://127.0.0.1:$cimd_port/*']
mcpActions:
  tasks:
    always: ['browser-check:wait']
  confirm:
    - name: restarts
      tool: browser-check.restart
  rateLimits:
    - name: echo-per-day
      tool: browser-check.echo
      limit: 2
      window: 1d
  secrets:
    encryptionKey: $(openssl rand -base64 32)
YAML

t=$SECONDS
step "yarn workspace app build" "$work/app-build.log" 1200 yarn workspace app build </dev/null
app_build=$((SECONDS - t))
phase "yarn workspace app build (the frontend, ${app_build} s)"

NODE_EXTRA_CA_CERTS="$cimd/cert.pem" setsid yarn workspace backend start >"$log" 2>&1 </dev/null &
echo $! >"$pid_file"
deadline=$((SECONDS + 180))
until curl -sf -o /dev/null "$base/mcp-actions" && curl -s -o /dev/null "$base/api/mcp-actions/v1"; do
  if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    tail -n 40 "$log" | sed 's/^/    | /' >&2
    echo "  FAILED: the backend did not serve the app on $base within 180 s (log: $log)" >&2
    exit 1
  fi
  sleep 1
done
phase "yarn workspace backend start (until it serves the app)"

cd "$repo"
report="$work/report.json"
rc=0
BROWSER_CHECK_URL="$base" BROWSER_CHECK_CALLBACK_PORT="$callback_port" \
  BROWSER_CHECK_CIMD_PORT="$cimd_port" BROWSER_CHECK_CIMD_DIR="$cimd" SCREENSHOTS_DIR="$shots" \
  npx vitest run --config scripts/browser-check/vitest.config.mts \
  --reporter=default --reporter=json --outputFile.json="$report" || rc=$?
phase "the browser checks"
echo "  screenshots: $(ls "$shots"/*.png 2>/dev/null | wc -l) PNG in $shots"
echo "  timings: app build ${app_build} s, all $((SECONDS - start)) s"
if [ ! -f "$report" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const failed = r.numFailedTests + (r.numTotalTests === 0 ? 1 : 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
' "$report" || rc=1
exit "$rc"
