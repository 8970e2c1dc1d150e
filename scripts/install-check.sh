#!/usr/bin/env bash
# The adopter's install, proven on a real app: `bash scripts/install-check.sh [22] [24]`.
#
# For each Node major (default 22 and 24): an app made by @backstage/create-app, the release
# tarballs from release/ (npm run release:pack) added to its backend with Yarn 4 and no Rust
# toolchain on PATH, the official plugin's import line swapped for ours, the backend started
# the way the app starts it (`yarn workspace backend start`), and the MCP SDK client listing
# the catalog's and the scaffolder's actions and calling one on the app's example data.
#
# Reused between runs, under MCP_TOOLS_DIR (~/.cache/mcp-actions-rs): Node, Yarn and Yarn's
# package cache. The app itself is made fresh every run, in INSTALL_CHECK_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/lib/tools.sh

majors=("$@")
[ "${#majors[@]}" -gt 0 ] || majors=(22 24)
work="${INSTALL_CHECK_DIR:-${TMPDIR:-/tmp}/mcp-install-check}"
port_base="${INSTALL_CHECK_PORT:-7207}"

main_tgz=$(ls release/mcp-actions-rs-plugin-mcp-actions-backend-[0-9]*.tgz 2>/dev/null | head -n 1 || true)
if [ -z "$main_tgz" ]; then
  echo "no main package tarball in release/: run \`npm run release:pack\` first" >&2
  exit 1
fi
main_tgz="$repo/$main_tgz"
[ -d node_modules/@modelcontextprotocol/sdk ] || npm ci --no-audit --no-fund
apt_ensure curl

# The platform packages are not on the registry: every one the main package names resolves to
# its tarball in release/ (Yarn resolves them all, then installs only the one for this machine).
resolutions=$(node -e '
  const fs = require("fs"), path = require("path");
  const [tgz, dir] = process.argv.slice(1);
  const pkg = JSON.parse(require("child_process").execFileSync("tar", ["-xzOf", tgz, "package/package.json"]));
  const out = {};
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const file = path.join(dir, `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
    if (!fs.existsSync(file)) throw new Error(`release/ has no tarball for ${name}@${version}`);
    out[name] = `file:${file}`;
  }
  process.stdout.write(JSON.stringify(out));
' "$main_tgz" "$repo/release")

# PATH without any Rust toolchain: the addon must come prebuilt.
no_rust_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e cargo -e rustup | paste -sd: -)

yarn_bin=$(yarn_home)
export YARN_ENABLE_GLOBAL_CACHE=true YARN_GLOBAL_FOLDER="$MCP_TOOLS_DIR/yarn-global"
export YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_PROGRESS_BARS=0
# The app is new, so its lockfile is written now; Yarn makes installs immutable when CI=true.
export YARN_ENABLE_IMMUTABLE_INSTALLS=false
# Yarn 4.13 (the app's pinned Yarn) on Node 24 crashes in `yarn add`'s fetch step with "The
# `onCancel` handler was attached after the promise settled" (its HTTP client's retry path,
# yarnpkg/berry#7245); Yarn 4.18 does not. With retries off (Node 24 only) the same step passes.

# add_resolutions JSON: merged into the root package.json's `resolutions` of the app in the
# current folder.
add_resolutions() {
  node -e '
    const fs = require("fs");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    pkg.resolutions = { ...pkg.resolutions, ...JSON.parse(process.argv[1]) };
    fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
  ' "$1"
}

summary=()
backend_pid=""
stop_backend() {
  if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
    kill -TERM -- "-$backend_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$backend_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$backend_pid" 2>/dev/null || true
  fi
  backend_pid=""
}
trap stop_backend EXIT

check_node() {
  local major="$1" port="$2"
  local app="$work/app-node$major" log="$work/backend-node$major.log"
  local token="install-check-$RANDOM$RANDOM$RANDOM"
  local t0 phases=""
  phase() { phases="$phases $1=$(($SECONDS - t0))s"; printf '  %-42s %4d s\n' "$1" $((SECONDS - t0)); t0=$SECONDS; }

  echo "=== Node $major"
  local node_dir
  node_dir=$(node_home "$major")
  (
    export PATH="$yarn_bin:$node_dir/bin:$no_rust_path" npm_config_nodedir="$node_dir"
    [ "$major" -lt 24 ] || export YARN_HTTP_RETRY=0
    for tool in cargo rustc rustup; do
      if command -v "$tool" >/dev/null; then echo "$tool is on PATH: $(command -v "$tool")" >&2; exit 1; fi
    done
    echo "  node $(node --version), yarn $(yarn --version), no cargo/rustc/rustup on PATH"
    t0=$SECONDS

    rm -rf "$app"
    mkdir -p "$work"
    echo myapp | npx --yes @backstage/create-app@0.9.2 --path "$app" --skip-install >"$work/create-app-node$major.log" 2>&1 ||
      { cat "$work/create-app-node$major.log"; exit 1; }
    phase "create-app"

    cd "$app"
    if [ "$major" -ge 24 ]; then
      # The template asks for better-sqlite3 ^12, whose objects abort Node 24.19+ when the
      # garbage collector frees them (node::ObjectWrap's new cleanup hook; better-sqlite3 13
      # is Node-API and fixed): any Backstage app on Node 24 with SQLite needs 13, ours or not.
      add_resolutions '{"better-sqlite3": "^13.2.0"}'
      echo "  resolutions: better-sqlite3 ^13.2.0 (12.x aborts on Node 24.19+)"
    fi
    yarn install >"$work/yarn-install-node$major.log" 2>&1 || { tail -n 40 "$work/yarn-install-node$major.log"; exit 1; }
    phase "yarn install (the app as generated)"

    add_resolutions "$resolutions"
    yarn --cwd packages/backend add "@mcp-actions-rs/plugin-mcp-actions-backend@file:$main_tgz" \
      >"$work/yarn-add-node$major.log" 2>&1 || { tail -n 40 "$work/yarn-add-node$major.log"; exit 1; }
    local platform_pkg
    platform_pkg=$(node -p 'require.resolve("@mcp-actions-rs/plugin-mcp-actions-backend-linux-x64-gnu/package.json", { paths: [require.resolve("@mcp-actions-rs/plugin-mcp-actions-backend/package.json", { paths: ["packages/backend"] })] })')
    ls "$(dirname "$platform_pkg")"/*.node >/dev/null
    if find . -path '*/@mcp-actions-rs/plugin-mcp-actions-backend-linux-arm64-gnu' -print -quit | grep -q .; then
      echo "the linux-arm64-gnu package was installed on an x64 machine" >&2
      exit 1
    fi
    if find node_modules/@mcp-actions-rs packages/backend/node_modules/@mcp-actions-rs -name '*.node' 2>/dev/null |
      grep -v '/plugin-mcp-actions-backend-linux-x64-gnu/' | grep -q .; then
      echo "a .node outside the linux-x64-gnu platform package was installed" >&2
      exit 1
    fi
    echo "  installed: $(dirname "$platform_pkg" | sed "s|$app/||")/$(basename "$(ls "$(dirname "$platform_pkg")"/*.node)")"
    phase "yarn add (the plugin, from release/)"

    # The one line an adopter changes.
    local index=packages/backend/src/index.ts
    grep -q "import('@backstage/plugin-mcp-actions-backend')" "$index" ||
      { echo "the generated backend no longer adds @backstage/plugin-mcp-actions-backend" >&2; exit 1; }
    sed -i "s|import('@backstage/plugin-mcp-actions-backend')|import('@mcp-actions-rs/plugin-mcp-actions-backend')|" "$index"
    # Without the lockfile seed (GitHub is unreachable here) the template's signals plugin
    # resolves to a version its backend-defaults cannot serve
    # (httpRouter.addWebSocketHandler is not a function): left out, it is not ours.
    sed -i "/import('@backstage\/plugin-signals-backend')/d" "$index"
    grep -c "import('@mcp-actions-rs/plugin-mcp-actions-backend')" "$index" | grep -qx 1

    cat >app-config.local.yaml <<YAML
backend:
  baseUrl: http://127.0.0.1:$port
  listen:
    host: 127.0.0.1
    port: $port
  auth:
    externalAccess:
      - type: static
        options:
          token: $token
          subject: install-check
  actions:
    pluginSources:
      - catalog
      - scaffolder
YAML

    setsid yarn workspace backend start >"$log" 2>&1 &
    echo $! >"$work/backend.pid"
    local deadline=$((SECONDS + 180))
    until curl -s -o /dev/null "http://127.0.0.1:$port/api/mcp-actions/v1"; do
      if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$work/backend.pid")" 2>/dev/null; then
        echo "the backend did not answer on port $port:" >&2
        tail -n 40 "$log" >&2
        exit 1
      fi
      sleep 1
    done
    phase "yarn workspace backend start (until it answers)"

    node "$repo/scripts/install-check/client.mjs" "http://127.0.0.1:$port/api/mcp-actions/v1" "$token" |
      sed 's/^/  /'
    phase "MCP SDK client: list, call"

    # No error from the plugin in the backend's log (colours stripped).
    if sed -e 's/\x1b\[[0-9;]*m//g' "$log" | grep -E ' mcp-actions (error|warn) '; then
      echo "the plugin logged the errors or warnings above" >&2
      exit 1
    fi
    sed -e 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'Plugin initialization complete' | sed 's/^/  log: /'
    echo "  log: $(sed -e 's/\x1b\[[0-9;]*m//g' "$log" | grep -cE '^\S+ mcp-actions ' || true) lines from the plugin, none at warn or error"
    echo "$phases" >"$work/phases-node$major"
  ) &
  local sub=$!
  wait "$sub" || { backend_pid=$(cat "$work/backend.pid" 2>/dev/null || true); stop_backend; return 1; }
  backend_pid=$(cat "$work/backend.pid")
  stop_backend
  summary+=("Node $major:$(cat "$work/phases-node$major")")
}

i=0
for major in "${majors[@]}"; do
  check_node "$major" $((port_base + i))
  i=$((i + 1))
done
echo "=== install check passed"
printf '%s\n' "${summary[@]}"
