#!/usr/bin/env bash
# Load test: the service's hot paths against bare net/http baselines doing
# the same job, measured with wrk in the same run, reported as ratios.
#
#   bash loadtest/run.sh            # 10 s per measurement
#   DURATION=30s bash loadtest/run.sh
#
# Targets (DEVELOPERS.md): catalog reads >= 80% of a bare handler serving the
# same bytes; a durable lead create >= 50% of a bare, non-durable INSERT.
# Needs wrk (apt-get install wrk). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/partnership" ./cmd/partnership
go build -o "$work/baseline" ./loadtest/baseline

SVC=127.0.0.1:18181
BASE=127.0.0.1:19191
PARTNERSHIP_LOG_LEVEL=warn "$work/partnership" serve --demo --data-dir "$work/data" --addr $SVC >"$work/demo.txt" 2>"$work/service.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://$SVC/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
KEY=$(sed -n 's/^ *export KEY=//p' "$work/demo.txt")
CPFL=$(sed -n 's/.*energy_utility_public_id=\([0-9a-f-]*\).*/\1/p' "$work/demo.txt" | head -n 1)

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
p99() { sed -n 's/^ *99% *\(.*\)$/\1/p'; }

# measure_read NAME PATH HEADER: the service, then a bare handler serving
# the very bytes the service answered.
measure_read() {
  local name=$1 path=$2 header=$3
  "$work/baseline" -addr $BASE -bytes-from "http://$SVC$path" -header "$header" &
  local bpid=$!
  sleep 0.5
  local svc base
  svc=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "$header" "http://$SVC$path")
  base=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://$BASE$path")
  kill $bpid; wait $bpid 2>/dev/null || true
  report "$name" "$svc" "$base" 80
}

report() {
  local name=$1 svc=$2 base=$3 target=$4
  local s b
  s=$(echo "$svc" | rps); b=$(echo "$base" | rps)
  printf '%-24s service %8.0f req/s (p99 %8s)  baseline %8.0f req/s (p99 %8s)  ratio %5.1f%% (target >= %d%%)\n' \
    "$name" "$s" "$(echo "$svc" | p99)" "$b" "$(echo "$base" | p99)" "$(echo "$s $b" | awk '{print 100*$1/$2}')" "$target"
}

echo "wrk -t2 -c$CONNS -d$DURATION on $(nproc) cores; service on SQLite with synchronous=FULL"
measure_read "GD operation areas" "/distribuited-generation/operation-areas?state=SP&city=S%C3%A3o%20Paulo" "Authorization: Bearer $KEY"
measure_read "GD plans" "/distribuited-generation/plans?energy_utility_public_id=$CPFL" "Authorization: Bearer $KEY"
measure_read "ISP provider" "/api/v2/providers" "Origin: http://localhost:8080"

# Lead create: durable (fsynced, group commit) vs a bare INSERT with
# synchronous=OFF, both decoding the same JSON bodies.
"$work/baseline" -addr $BASE -insert-db "$work/bare.db" &
bpid=$!
sleep 0.5
svc=$(KEY=$KEY wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s loadtest/lead.lua "http://$SVC/sales-conversion/leads")
base=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -s loadtest/lead.lua "http://$BASE/")
kill $bpid; wait $bpid 2>/dev/null || true
report "lead create (durable)" "$svc" "$base" 50
echo "lead create answers by status (service /metrics):"
curl -s "http://$SVC/metrics" | grep 'route="POST /sales-conversion/leads"' | grep http_requests_total | sed 's/^/  /'
if grep -q '"level":"ERROR"' "$work/service.log"; then
  echo "service errors (first 5):"
  grep '"level":"ERROR"' "$work/service.log" | head -n 5 | cut -c1-400 | sed 's/^/  /'
fi
