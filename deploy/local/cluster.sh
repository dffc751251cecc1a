#!/usr/bin/env bash
# A local cluster: three stateless replicas of the service behind HAProxy,
# sharing one PostgreSQL database, one S3 bucket and one secret key.
#
#   bash deploy/local/cluster.sh up       start it (a fresh database every time) and print the demo
#   bash deploy/local/cluster.sh status   what runs, and whether each replica is ready
#   bash deploy/local/cluster.sh down     stop what up started (by its recorded PIDs), drop its database
#
#   balancer   http://127.0.0.1:18100   round robin, health checks on /readyz every second
#              http://127.0.0.1:18109   the same, to replica 1 alone (for bench.sh's 1-replica runs)
#   replicas   http://127.0.0.1:18101 … 18103
#   S3         Versity Gateway on 127.0.0.1:18190 (scripts/s3.sh), bucket partnership
#
# Needs the machine's PostgreSQL on 127.0.0.1:5432 (trust auth, as .ci/run sets
# it up; PGURL overrides the server URL) and Go. HAProxy comes from Debian's
# package, installed with apt-get when missing. State (binary, logs, PIDs, the
# secret key, the objects) lives in deploy/local/.state/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."

state=deploy/local/.state
pids=$state/pids
pgurl=${PGURL:-postgres://postgres@127.0.0.1:5432}
lb=127.0.0.1:18100
lb_one=127.0.0.1:18109
replicas=(127.0.0.1:18101 127.0.0.1:18102 127.0.0.1:18103)
export S3_ADDR=127.0.0.1:18190 S3_STATE_DIR=$state/s3 S3_BUCKET=partnership

say() { printf 'cluster: %s\n' "$*" >&2; }

# alive NAME PID EXE: the PID still runs the program it was recorded for.
alive() { kill -0 "$2" 2>/dev/null && [ "$(readlink "/proc/$2/exe" 2>/dev/null)" = "$3" ]; }

# record NAME PID EXE: the program is named, not read from /proc, which
# may still show the shell that has not exec'd it yet.
record() { echo "$1 $2 $(readlink -f "$3")" >>"$pids"; }

wait_ready() {
  for _ in $(seq 1 150); do
    curl -fs -o /dev/null --max-time 1 "http://$1/readyz" && return 0
    sleep 0.2
  done
  say "$1 not ready after 30 s"
  return 1
}

ensure_haproxy() {
  command -v haproxy >/dev/null && return
  say "installing HAProxy (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq haproxy >/dev/null
}

haproxy_cfg() {
  cat <<CFG
global
    # Each connection holds two descriptors (client and server side).
    maxconn 8000
defaults
    mode http
    timeout connect 2s
    timeout client 2m
    timeout server 2m
    # Connections to the replicas are kept alive and reused (HAProxy's
    # default http-keep-alive, http-reuse safe): a new TCP connection per
    # request would be most of the balancer's cost. A draining replica
    # turns keep-alives off, so they move elsewhere.
    # Only a connection that could not be made is retried, on another
    # replica: that request never reached a server. One a replica took
    # and died on is not (it may have been a write): a 502. Health checks
    # take a dead replica out within 2 s.
    retries 2
    retry-on conn-failure
    option redispatch 1
frontend all
    bind $lb
    default_backend replicas
frontend one
    bind $lb_one
    default_backend replica1
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    default-server inter 1s fall 2 rise 1
CFG
  local i=1
  for r in "${replicas[@]}"; do
    echo "    server r$i $r check"
    i=$((i + 1))
  done
  cat <<CFG
backend replica1
    option httpchk GET /readyz
    server r1 ${replicas[0]} check inter 1s fall 2 rise 1
CFG
}

up() {
  if [ -s "$pids" ]; then
    say "already up (see status), or not cleanly down: run down first"
    exit 1
  fi
  command -v psql >/dev/null || { say "psql is missing: the machine's PostgreSQL is needed"; exit 1; }
  ensure_haproxy
  mkdir -p "$state"
  : >"$pids"
  # A failed start leaves nothing running.
  trap 'say "up failed: stopping what it started"; down' ERR

  say "building the service"
  go build -o "$state/partnership" ./cmd/partnership
  bin=$(readlink -f "$state/partnership")

  db=partnership_cluster_$(date +%s)
  psql "$pgurl/postgres" -Atqc "CREATE DATABASE $db" >/dev/null
  echo "$db" >"$state/database"
  say "database $db"

  eval "$(bash scripts/s3.sh start)"
  record s3 "$(cat "$S3_STATE_DIR/versitygw.pid")" "$(go env GOPATH)/bin/versitygw"

  # One secret key for every replica: what one seals, all open.
  if [ ! -s "$state/secret.key" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$state/secret.key")
  fi
  export PARTNERSHIP_SECRET_KEY
  PARTNERSHIP_SECRET_KEY=$(cat "$state/secret.key")
  export DATABASE_URL="$pgurl/$db?sslmode=disable"
  export PARTNERSHIP_BLOB_URL="s3://$S3_BUCKET?endpoint=http://$S3_ADDR&region=us-east-1"
  export PARTNERSHIP_PUBLIC_URL="http://$lb"
  export PARTNERSHIP_DRAIN_DELAY=3s
  export PARTNERSHIP_LOG_LEVEL=${PARTNERSHIP_LOG_LEVEL:-warn}
  # bench.sh and kill.sh send everything with one partner key: they ask for
  # a rate limit out of wrk's reach (PARTNERSHIP_RATE_LIMIT=1000000000).
  export PARTNERSHIP_RATE_LIMIT=${PARTNERSHIP_RATE_LIMIT:-1200}

  local i=1
  for r in "${replicas[@]}"; do
    mkdir -p "$state/replica$i"
    demo=()
    # The first replica loads the demo data, once, before the others start.
    [ "$i" = 1 ] && demo=(--demo)
    "$bin" serve "${demo[@]}" --addr "$r" --data-dir "$state/replica$i" \
      >"$state/replica$i/stdout.log" 2>"$state/replica$i/stderr.log" </dev/null &
    record "replica$i" $! "$bin"
    wait_ready "$r"
    say "replica $i on http://$r"
    i=$((i + 1))
  done

  haproxy_cfg >"$state/haproxy.cfg"
  haproxy -f "$state/haproxy.cfg" -db >"$state/haproxy.log" 2>&1 </dev/null &
  record haproxy $! "$(command -v haproxy)"
  wait_ready "$lb"
  say "HAProxy on http://$lb"

  trap - ERR
  echo "Cluster up: http://$lb → ${replicas[*]} (database $db, S3 bucket $S3_BUCKET on $S3_ADDR)"
  echo "The demo, loaded through replica 1; every link and curl goes through the balancer:"
  sed -n '/^$/,$p' "$state/replica1/stdout.log"
}

status() {
  if [ ! -s "$pids" ]; then
    echo "down"
    return
  fi
  while read -r name pid exe; do
    if alive "$name" "$pid" "$exe"; then state_word=running; else state_word=gone; fi
    echo "$name pid $pid $state_word"
  done <"$pids"
  for r in "$lb" "${replicas[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$r/readyz" || true)
    echo "http://$r/readyz $code"
  done
  [ -f "$state/database" ] && echo "database $(cat "$state/database")"
  return 0
}

down() {
  if [ ! -s "$pids" ]; then
    say "not up (nothing recorded)"
    return
  fi
  # Reverse order: the balancer first, S3 last.
  tac "$pids" | while read -r name pid exe; do
    if [ "$name" = s3 ]; then
      bash scripts/s3.sh stop || true
      continue
    fi
    if alive "$name" "$pid" "$exe"; then
      kill "$pid"
      for _ in $(seq 1 100); do alive "$name" "$pid" "$exe" || break; sleep 0.1; done
      if alive "$name" "$pid" "$exe"; then kill -9 "$pid" || true; fi
      say "stopped $name (pid $pid)"
    fi
  done
  if [ -f "$state/database" ]; then
    db=$(cat "$state/database")
    psql "$pgurl/postgres" -Atqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null && say "dropped database $db"
    rm -f "$state/database"
  fi
  rm -f "$pids"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: bash deploy/local/cluster.sh up|down|status" >&2
    exit 2
    ;;
esac
