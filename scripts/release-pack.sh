#!/usr/bin/env bash
# `npm run release:pack`: builds the addon for every target this machine can cross-build and
# writes the release tarballs into release/:
#   - one platform package per target (npm/<platform>/ with its .node: os, cpu, libc set);
#   - the main package (JS, typings, config schema; no .node), whose optionalDependencies name
#     every platform package packed beside it, at the same version (the napi-rs convention).
#
#   scripts/release-pack.sh [--targets T1,T2,...] [--skip-build] [--no-lto]
#
# --targets     Rust target triples to build (default: every `napi.targets` entry that can be
#               built here: all but Windows MSVC, whose SDK cannot be downloaded here).
# --skip-build  pack the .node files already in npm/*/ (the release workflow's publish job,
#               which collects them from native runners).
# --no-lto      faster builds for checks (same code, larger and slightly slower binaries).
#
# Every target is built with cargo-zigbuild (`napi build -x`), the host's one too, and the
# glibc ones against glibc 2.28 (the `.2.28` suffix), the floor of Node 22 itself, whatever
# this machine has.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh

targets=""
skip_build=false
for arg in "$@"; do
  case "$arg" in
    --targets=*) targets="${arg#--targets=}" ;;
    --targets) echo "use --targets=T1,T2" >&2; exit 2 ;;
    --skip-build) skip_build=true ;;
    --no-lto) export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 ;;
    *) echo "unknown option: $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done

# The platform name of a target triple: the suffix of its npm package and .node file.
platform_of() {
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux-x64-gnu ;;
    aarch64-unknown-linux-gnu) echo linux-arm64-gnu ;;
    x86_64-unknown-linux-musl) echo linux-x64-musl ;;
    aarch64-unknown-linux-musl) echo linux-arm64-musl ;;
    aarch64-apple-darwin) echo darwin-arm64 ;;
    x86_64-apple-darwin) echo darwin-x64 ;;
    x86_64-pc-windows-msvc) echo win32-x64-msvc ;;
    *) echo "no platform package for target $1 (add it to package.json napi.targets and npm/)" >&2; return 1 ;;
  esac
}

all_targets=$(node -p 'require("./package.json").napi.targets.join(" ")')
if [ -z "$targets" ]; then
  targets=""
  for t in $all_targets; do
    case "$t" in
      *-windows-msvc) echo "skipping $t: the MSVC SDK cannot be fetched here; the release workflow builds it on Windows" ;;
      *) targets="$targets $t" ;;
    esac
  done
else
  targets="${targets//,/ }"
fi

binary=$(node -p 'require("./package.json").napi.binaryName')
version=$(node -p 'require("./package.json").version')
start=$SECONDS

if ! $skip_build; then
  venv=$(py_venv)
  # `napi build -x` looks for `zig` on PATH; the ziglang wheel names it python-zig.
  mkdir -p "$venv/zigbin"
  printf '#!/bin/sh\nexec "%s/bin/python-zig" "$@"\n' "$venv" >"$venv/zigbin/zig"
  chmod +x "$venv/zigbin/zig"
  export PATH="$venv/zigbin:$venv/bin:$PATH"
  [ -d node_modules ] || npm ci --no-audit --no-fund
  for t in $targets; do
    rustup target list --installed | grep -qx "$t" || rustup target add "$t"
  done
  for t in $targets; do
    p=$(platform_of "$t")
    t0=$SECONDS
    out=$(mktemp -d)
    echo "=== build $t"
    # The generated loader and typings are the committed ones; this build writes its copies
    # into a scratch folder and keeps only the binary.
    build_target="$t"
    case "$t" in *-linux-gnu) build_target="$t.2.28" ;; esac
    npx napi build --platform --release --target "$build_target" -x --output-dir "$out" --no-js --dts index.d.ts
    mv "$out/$binary.$p.node" "npm/$p/"
    rm -rf "$out"
    echo "built npm/$p/$binary.$p.node in $((SECONDS - t0)) s"
  done
fi

echo "=== build the shim"
npm run --silent build:ts

rm -rf release
mkdir -p release
packed=()
for dir in npm/*/; do
  p=$(basename "$dir")
  if [ ! -f "$dir$binary.$p.node" ]; then
    echo "no $binary.$p.node: $p is not packed"
    continue
  fi
  (cd release && npm pack --silent "../$dir" >/dev/null)
  packed+=("$p")
done
if [ "${#packed[@]}" -eq 0 ]; then
  echo "no platform binary in npm/*/: nothing to release" >&2
  exit 1
fi

# The main package from a staging folder: the files package.json lists, and a package.json
# without the repository's scripts and dev tooling, whose optionalDependencies name the
# platform packages packed above.
stage=$(mktemp -d)
node -e '
  const fs = require("fs");
  const [stage, version, ...platforms] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  for (const f of pkg.files) fs.cpSync(f, `${stage}/${f}`, { recursive: true });
  delete pkg.scripts;
  delete pkg.devDependencies;
  delete pkg.allowScripts;
  pkg.optionalDependencies = Object.fromEntries(
    platforms.map(p => [`${pkg.name}-${p}`, version]));
  fs.writeFileSync(`${stage}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
' "$stage" "$version" "${packed[@]}"
(cd release && npm pack --silent "$stage" >/dev/null)
rm -rf "$stage"

# The frontend plugin: built with @backstage/cli, packed the way Backstage packs plugins
# (its prepack script points main and types at dist/).
bash scripts/build-frontend.sh
(cd frontend/plugin && npm pack --silent --pack-destination ../../release >/dev/null)

apt_ensure file
echo "=== release/ ($((SECONDS - start)) s)"
for f in release/*.tgz; do
  node_file=$(tar -tzf "$f" | grep '\.node$' || true)
  if [ -n "$node_file" ]; then
    tmp=$(mktemp -d)
    tar -xzf "$f" -C "$tmp" "$node_file"
    echo "$(basename "$f")  $(du -k "$f" | cut -f1) KiB  $(file -b "$tmp/$node_file" | cut -d, -f1-2)"
    rm -rf "$tmp"
  else
    echo "$(basename "$f")  $(du -k "$f" | cut -f1) KiB  (no .node)"
  fi
done
