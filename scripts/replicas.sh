#!/usr/bin/env bash
# Two replicas of the demo backend on one PostgreSQL, behind a round-robin load balancer, all
# on loopback: what an adopter who outgrows one backend runs. Shows that MCP tasks are shared
# through the database (created on one replica, read, polled and cancelled on any), that a
# killed replica's task reads failed through the other, that stateless legacy and 2026-07-28
# calls go on while a replica stops and starts, and that legacy SSE sessions need affinity.
#
#   bash scripts/replicas.sh        (run by .ci/run; installs postgresql and haproxy if missing)
#
# Stops only what it started, by PID. Prints the numbers; exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/lib/tools.sh
step() { printf '\n=== %s\n' "$*"; }

step "Debian packages: postgresql, haproxy"
apt_ensure postgresql haproxy
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
use_node 22
[ -d node_modules ] || npm ci --no-audit --no-fund
if [ ! -f dist/index.js ] || ! ls ./*.node >/dev/null 2>&1; then
  npm run --silent build:native:dev
  npm run --silent build:ts
fi

work=$(mktemp -d /tmp/mcp-replicas.XXXXXX)
chmod 755 "$work"
pids=()
pg_started=""
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  if [ -n "$pg_started" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log "$work"/sock/*.log; do
      [ -f "$log" ] || continue
      printf '\n--- tail of %s\n' "$(basename "$log")"
      tail -n 25 "$log" | cut -c1-300
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
wait_ready() { # URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -sf -o /dev/null "$1"; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "not ready after $2 s: $1" >&2; return 1; fi
    sleep 0.3
  done
}

step "a throwaway PostgreSQL cluster on loopback"
pg_port=$(free_port)
mkdir -p "$work/pg" "$work/sock"
chown postgres "$work/pg" "$work/sock"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >"$work/initdb.log"
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/sock/postgres.log" -w \
  -o "-p $pg_port -k $work/sock -c listen_addresses=127.0.0.1" start >/dev/null
pg_started=1
psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc \
  "CREATE USER backstage PASSWORD 'backstage' CREATEDB" >/dev/null
echo "PostgreSQL on 127.0.0.1:$pg_port"

# Both replicas: the demo's app-config, plus PostgreSQL and short task timings.
cat >"$work/replica.yaml" <<EOF
backend:
  database:
    client: pg
    connection:
      host: 127.0.0.1
      port: $pg_port
      user: backstage
      password: backstage
mcpActions:
  # Held across both replicas (drive.mjs limits): users' health checks, 40 a day (a long
  # fixed window, so that no boundary passes during the check).
  rateLimits:
    - name: replicas-health
      principal: 'user:*'
      tool: platform.get-service-health
      limit: 40
      window: 1d
  tasks:
    heartbeatSeconds: 1
    pollIntervalSeconds: 0.5
  servers:
    tight:
      name: backstage-tight
      description: A tiny result budget, so that a catalog query is kept in the database
      results:
        maxChars: 300
EOF
token="replicas-$(node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("hex"))')"
# One mcpActions.secrets.encryptionKey for both: what a user submits through one opens on the other.
secrets_key=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))')
port_a=$(free_port)
port_b=$(free_port)
started=""
start_replica() { # NAME PORT: starts it; its PID in $started
  (cd dev && PORT=$2 MCP_DEMO_TOKEN=$token MCP_DEMO_SECRETS_KEY=$secrets_key exec node backend.js --config app-config.yaml \
    --config "$work/replica.yaml" >>"$work/replica-$1.log" 2>&1) &
  started=$!
  pids+=("$started")
}
stop_pid() { # PID SIGNAL: and wait until it is gone
  kill "-$2" "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
}

step "two demo backends sharing it"
start_replica a "$port_a"
pid_a=$started
wait_ready "http://127.0.0.1:$port_a/.backstage/health/v1/readiness" 90
start_replica b "$port_b"
pid_b=$started
wait_ready "http://127.0.0.1:$port_b/.backstage/health/v1/readiness" 90
echo "replica a on :$port_a (pid $pid_a), replica b on :$port_b (pid $pid_b)"

step "haproxy in front, round robin"
lb_port=$(free_port)
cat >"$work/haproxy.cfg" <<EOF
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A replica that is stopping refuses new requests (connection refused, or Backstage's 503
  # "Service is shutting down" before it ran anything): send them to the other one. Only
  # those: every MCP call is a POST, and a retry after an empty response (a replica that died
  # while the call ran) could run a tool with side effects twice.
  option redispatch
  option http-buffer-request
  retries 2
  retry-on conn-failure 503
frontend mcp
  bind 127.0.0.1:$lb_port
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /.backstage/health/v1/readiness
  default-server inter 300ms fall 1 rise 2
  http-response set-header X-Replica %s
  server a 127.0.0.1:$port_a check
  server b 127.0.0.1:$port_b check
EOF
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=("$!")
wait_ready "http://127.0.0.1:$lb_port/.backstage/health/v1/readiness" 20
echo "load balancer on :$lb_port"

export LB="http://127.0.0.1:$lb_port" A="http://127.0.0.1:$port_a" B="http://127.0.0.1:$port_b"
export TOKEN="$token"
drive() { node scripts/replicas/drive.mjs "$@"; }

step "a task through the load balancer; cancel through the other replica"
drive tasks

step "a call that needs a secret asks on a, the user answers through b, the retry on a runs"
drive secrets

step "a rate limit holds for the deployment: one caller on both replicas at once; usage shows on both"
drive limits

step "a confirmation asked on one replica is answered and used on the other, once"
drive confirm

step "mixed load through the load balancer while replica b stops and starts"
drive load 14 >"$work/load.json" &
load_pid=$!
pids+=("$load_pid")
sleep 4
stop_pid "$pid_b" TERM
echo "replica b stopped (SIGTERM) at $(date +%T)"
sleep 2
start_replica b "$port_b"
pid_b=$started
wait_ready "http://127.0.0.1:$port_b/.backstage/health/v1/readiness" 90
echo "replica b started again at $(date +%T)"
wait "$load_pid"
drive report "$work/load.json"

step "legacy SSE sessions need affinity"
drive affinity

step "a replica killed in the middle of a task"
export PID_A="$pid_a"
drive kill

step "done"
