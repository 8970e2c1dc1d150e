# Shared by the scripts that make an app with @backstage/create-app and run its backend
# (install-check.sh, browser-check.sh). Source it after tools.sh.

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

# free_port: a TCP port free on 127.0.0.1 right now.
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); })'
}

# kill_tree PID: PID and its descendants (found by parent PID), children first.
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill -TERM "$1" 2>/dev/null || true
}

# The backend runs in its own session (setsid), its PID in a file: stopped by process group
# on every exit, failures and signals included.
stop_backend() {
  local pid_file="$1" pid
  pid=$(cat "$pid_file" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  # The whole group, while any of it lives (the leader, Yarn, may be gone before the backend).
  if kill -TERM -- "-$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

# platform_resolutions MAIN_TGZ RELEASE_DIR: Yarn `resolutions` (JSON) that point every
# platform package the main package names at its tarball in RELEASE_DIR (they are not on the
# registry; Yarn resolves them all, then installs only the one for this machine).
platform_resolutions() {
  node -e '
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
' "$1" "$2"
}
