#!/usr/bin/env bash
# The adopter's install, proven on a real app: `bash scripts/install-check.sh [22] [24]`.
#
# For each Node major (default 22 and 24): an app made by @backstage/create-app, the release
# tarballs from release/ (npm run release:pack) added to its backend with Yarn 4 and no Rust
# toolchain on PATH, the official plugin's import line swapped for ours, the backend started
# the way the app starts it (`yarn workspace backend start`), and the MCP SDK client listing
# the catalog's and the scaffolder's actions and calling one on the app's example data.
#
# One app per Node version, made fresh every run in INSTALL_CHECK_DIR: rebuilding one app's
# native modules for the other Node would save only create-app and Yarn's resolution and fetch
# (about 10-25 s of the ~100 s), the builds being most of `yarn install`, and Node 24 needs a
# different better-sqlite3 (below). Reused between runs, under MCP_TOOLS_DIR
# (~/.cache/mcp-actions-rs): Node, Yarn and Yarn's package cache (yarn-global).
#
# Environment: INSTALL_CHECK_DIR (default $TMPDIR/mcp-install-check), INSTALL_CHECK_PORT (a
# fixed first port; default: a free one per Node), INSTALL_CHECK_START_TIMEOUT (seconds, 180).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/lib/tools.sh
source scripts/lib/app.sh
start=$SECONDS

majors=("$@")
[ "${#majors[@]}" -gt 0 ] || majors=(22 24)
for major in "${majors[@]}"; do
  case "$major" in 22 | 24) ;; *) echo "usage: $0 [22|24 ...] (Node majors Backstage supports)" >&2; exit 2 ;; esac
done
work="${INSTALL_CHECK_DIR:-${TMPDIR:-/tmp}/mcp-install-check}"
start_timeout="${INSTALL_CHECK_START_TIMEOUT:-180}"

main_tgz=$(ls release/mcp-actions-rs-plugin-mcp-actions-backend-[0-9]*.tgz 2>/dev/null | head -n 1 || true)
if [ -z "$main_tgz" ]; then
  echo "no main package tarball in release/: run \`npm run release:pack\` first" >&2
  exit 1
fi
main_tgz="$repo/$main_tgz"
[ -d node_modules/@modelcontextprotocol/sdk ] || npm ci --no-audit --no-fund
apt_ensure curl
mkdir -p "$work"

# The main package carries no binary and nothing Yarn would build: no install scripts, no
# binding.gyp (Yarn builds a package that has one even without scripts).
if tar -tzf "$main_tgz" | grep -E '\.node$|/binding\.gyp$'; then
  echo "$(basename "$main_tgz") holds the files above: the binaries belong in the platform packages" >&2
  exit 1
fi
tar -xzOf "$main_tgz" package/package.json | node -e '
  const s = JSON.parse(require("fs").readFileSync(0, "utf8")).scripts ?? {};
  const bad = ["preinstall", "install", "postinstall"].filter(k => k in s);
  if (bad.length) { console.error(`the main package has ${bad.join(", ")} scripts: an install would run them`); process.exit(1); }
'

# The platform packages are not on the registry: every one the main package names resolves to
# its tarball in release/ (Yarn resolves them all, then installs only the one for this machine).
resolutions=$(platform_resolutions "$main_tgz" "$repo/release")

# This machine's platform package, named the way napi-rs names them, and its tarball.
platform=$(node -e '
  const { platform, arch } = process;
  const libc = platform !== "linux" ? "" : process.report.getReport().header.glibcVersionRuntime ? "-gnu" : "-musl";
  process.stdout.write(`${platform}-${arch}${libc}`);
')
platform_name="@mcp-actions-rs/plugin-mcp-actions-backend-$platform"
platform_tgz=$(node -p 'JSON.parse(process.argv[1])[process.argv[2]]?.replace(/^file:/, "") ?? ""' "$resolutions" "$platform_name")
if [ -z "$platform_tgz" ]; then
  echo "the main package's optionalDependencies do not name $platform_name (this machine's platform)" >&2
  exit 1
fi
platform_node=$(tar -tzf "$platform_tgz" | grep -E '^package/[^/]+\.node$' || true)
[ "$(printf '%s\n' "$platform_node" | grep -c .)" = 1 ] ||
  { echo "$(basename "$platform_tgz") should hold exactly one .node, holds: ${platform_node:-none}" >&2; exit 1; }
platform_sha=$(tar -xzOf "$platform_tgz" "$platform_node" | sha256sum | cut -d' ' -f1)

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

sub=""
cleanup() {
  [ -z "$sub" ] || kill_tree "$sub"
  local m
  for m in "${majors[@]}"; do stop_backend "$work/backend-node$m.pid"; done
  return 0
}
trap cleanup EXIT
trap 'echo "install check: interrupted" >&2; exit 130' INT TERM

summary=()
check_node() {
  local major="$1"
  local app="$work/app-node$major" log="$work/backend-node$major.log" pid_file="$work/backend-node$major.pid"
  local token="install-check-$RANDOM$RANDOM$RANDOM"
  local port="${INSTALL_CHECK_PORT:+$((INSTALL_CHECK_PORT + $2))}"
  rm -f "$work/phases-node$major"

  echo "=== Node $major"
  (
    t0=$SECONDS
    phases=""
    phase() {
      phases="$phases, $1 $((SECONDS - t0)) s"
      printf '  %-50s %4d s\n' "$1" $((SECONDS - t0))
      t0=$SECONDS
    }
    # step NAME LOGFILE TIMEOUT COMMAND...: the command, its output in LOGFILE, shown on failure.
    step() {
      local name="$1" out="$2" limit="$3" rc=0
      shift 3
      timeout "$limit" "$@" >"$out" 2>&1 || rc=$?
      if [ "$rc" != 0 ]; then
        tail -n 40 "$out" | sed 's/^/    | /' >&2
        [ "$rc" != 124 ] || echo "  FAILED: $name: no end after $limit s (log: $out)" >&2
        [ "$rc" = 124 ] || echo "  FAILED: $name: exit code $rc (log: $out)" >&2
        exit 1
      fi
    }
    fail() { echo "  FAILED: $*" >&2; exit 1; }

    node_dir=$(node_home "$major")
    export PATH="$yarn_bin:$node_dir/bin:$no_rust_path" npm_config_nodedir="$node_dir"
    [ "$major" -lt 24 ] || export YARN_HTTP_RETRY=0
    for tool in cargo rustc rustup; do
      if command -v "$tool" >/dev/null; then fail "$tool is on PATH: $(command -v "$tool")"; fi
    done
    echo "  node $(node --version), yarn $(yarn --version), no cargo/rustc/rustup on PATH"
    phase "tools (Node, Yarn)"

    rm -rf "$app"
    echo myapp | step create-app "$work/create-app-node$major.log" 600 \
      npx --yes @backstage/create-app@0.9.2 --path "$app" --skip-install
    phase "create-app"

    cd "$app"
    if [ "$major" -ge 24 ]; then
      # The template asks for better-sqlite3 ^12, whose objects abort Node 24.19+ when the
      # garbage collector frees them (node::ObjectWrap's new cleanup hook; better-sqlite3 13
      # is Node-API and fixed): any Backstage app on Node 24 with SQLite needs 13, ours or not.
      add_resolutions '{"better-sqlite3": "^13.2.0"}'
      echo "  resolutions: better-sqlite3 ^13.2.0 (12.x aborts on Node 24.19+)"
    fi
    step "yarn install" "$work/yarn-install-node$major.log" 1800 yarn install </dev/null
    phase "yarn install (the app as generated)"

    add_resolutions "$resolutions"
    step "yarn add" "$work/yarn-add-node$major.log" 600 \
      yarn --cwd packages/backend add "@mcp-actions-rs/plugin-mcp-actions-backend@file:$main_tgz" </dev/null
    # Installed: the platform package for this machine, next to ours, with the very binary of
    # its tarball; no other platform's; nothing of ours built (no Rust on PATH in any case).
    main_dir=$(node -p 'path.dirname(require.resolve("@mcp-actions-rs/plugin-mcp-actions-backend/package.json", { paths: ["packages/backend"] }))')
    platform_dir=$(node -p 'path.dirname(require.resolve(process.argv[1] + "/package.json", { paths: [process.argv[2]] }))' "$platform_name" "$main_dir" 2>/dev/null) ||
      fail "$platform_name is not installed where the main package can require it"
    installed="$platform_dir/$(basename "$platform_node")"
    [ -f "$installed" ] || fail "$installed is missing"
    [ "$(sha256sum "$installed" | cut -d' ' -f1)" = "$platform_sha" ] ||
      fail "$installed differs from the .node in $(basename "$platform_tgz")"
    others=$(find node_modules packages/backend/node_modules -type d -path '*/@mcp-actions-rs/plugin-mcp-actions-backend-*' \
      -prune ! -name "plugin-mcp-actions-backend-$platform" -print 2>/dev/null || true)
    [ -z "$others" ] || fail "platform packages for other machines were installed: $others"
    stray=$(find "$main_dir" -name '*.node' 2>/dev/null || true)
    [ -z "$stray" ] || fail "the main package's folder holds a binary after install: $stray"
    if sed -e 's/\x1b\[[0-9;]*m//g' "$work/yarn-add-node$major.log" | grep -E 'YN0007.*@mcp-actions-rs'; then
      fail "Yarn built one of our packages (above)"
    fi
    echo "  installed: ${installed#"$app"/} (sha256 of the tarball's), no other platform, nothing of ours built"
    phase "yarn add (the plugin, from release/)"

    # The one line an adopter changes.
    index=packages/backend/src/index.ts
    grep -q "import('@backstage/plugin-mcp-actions-backend')" "$index" ||
      fail "the generated backend no longer adds @backstage/plugin-mcp-actions-backend"
    sed -i "s|import('@backstage/plugin-mcp-actions-backend')|import('@mcp-actions-rs/plugin-mcp-actions-backend')|" "$index"
    # Without the lockfile seed (GitHub is unreachable here) the template's signals plugin
    # resolves to a version its backend-defaults cannot serve
    # (httpRouter.addWebSocketHandler is not a function): left out, it is not ours.
    sed -i "/import('@backstage\/plugin-signals-backend')/d" "$index"
    [ "$(grep -c "import('@mcp-actions-rs/plugin-mcp-actions-backend')" "$index")" = 1 ] ||
      fail "$index does not add @mcp-actions-rs/plugin-mcp-actions-backend exactly once"
    ! grep -q "plugin-mcp-actions-backend')" <(grep -v '@mcp-actions-rs/' "$index") ||
      fail "$index still adds the official plugin"

    [ -n "$port" ] || port=$(free_port)
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

    setsid yarn workspace backend start >"$log" 2>&1 </dev/null &
    echo $! >"$pid_file"
    deadline=$((SECONDS + start_timeout))
    until curl -s -o /dev/null "http://127.0.0.1:$port/api/mcp-actions/v1"; do
      if [ $SECONDS -ge $deadline ] || ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        tail -n 40 "$log" | sed 's/^/    | /' >&2
        fail "the backend did not answer on port $port within $start_timeout s (log: $log)"
      fi
      sleep 1
    done
    phase "yarn workspace backend start (until it answers)"

    node "$repo/scripts/install-check/client.mjs" "http://127.0.0.1:$port/api/mcp-actions/v1" "$token" |
      sed 's/^/  /'
    phase "MCP SDK client: list, call"

    # No warning or error from the plugin's logger, nor any error line about it (a failed
    # startup is logged by the `backstage` logger), in the backend's log (colours stripped).
    plain=$(sed -e 's/\x1b\[[0-9;]*m//g' "$log")
    if grep -E ' mcp-actions (error|warn) |^\S+ \S+ error .*mcp-actions' <<<"$plain"; then
      fail "the backend logged the plugin's errors or warnings above (log: $log)"
    fi
    grep -qE "Plugin initialization (in progress|complete), newly initialized: ('[^']*', )*'mcp-actions'" <<<"$plain" ||
      fail "the backend never reported mcp-actions initialized (log: $log)"
    echo "  log: $(grep -cE '^\S+ mcp-actions ' <<<"$plain" || true) lines from the plugin, none at warn or error; it initialized"
    echo "${phases#, }" >"$work/phases-node$major"
  ) &
  sub=$!
  local rc=0
  wait "$sub" || rc=$?
  sub=""
  stop_backend "$pid_file"
  if [ "$rc" != 0 ]; then
    echo "=== install check FAILED on Node $major (after $((SECONDS - start)) s; logs in $work)" >&2
    exit 1
  fi
  summary+=("Node $major: $(cat "$work/phases-node$major")")
}

# Called plainly, never in a condition (`if`, `||`): there bash ignores `set -e` in the whole
# call, the subshell's commands included.
i=0
for major in "${majors[@]}"; do
  check_node "$major" "$i"
  i=$((i + 1))
done
printf '%s\n' "${summary[@]}"
echo "=== install check passed: Node ${majors[*]}, $((SECONDS - start)) s in all"
