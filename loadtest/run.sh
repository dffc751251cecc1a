#!/usr/bin/env bash
# Load test: the service's hot paths against bare net/http baselines doing
# the same job, measured with wrk in the same run, reported as ratios.
#
#   bash loadtest/run.sh                      # 3 rounds of 5 s per side
#   ROUNDS=5 DURATION=10s bash loadtest/run.sh
#
# Service and baseline alternate, round after round, and the medians are
# compared: on a shared 2-core machine one run of either side can be off by
# a third.
#
# Targets (DEVELOPERS.md): catalog reads >= 80% of a bare handler serving the
# same bytes; a durable lead create >= 50% of a bare, non-durable INSERT;
# the storefront page >= 50% of GET /api/v2/providers.
# Needs wrk (apt-get install wrk). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/partnership" ./cmd/partnership
go build -o "$work/baseline" ./loadtest/baseline

SVC=127.0.0.1:18181
BASE=127.0.0.1:19191
PARTNERSHIP_METRICS_TOKEN=loadtest PARTNERSHIP_LOG_LEVEL=warn "$work/partnership" serve --demo --data-dir "$work/data" --addr $SVC >"$work/demo.txt" 2>"$work/service.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://$SVC/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
KEY=$(sed -n 's/^ *export KEY=//p' "$work/demo.txt")
CPFL=$(sed -n 's/.*energy_utility_public_id=\([0-9a-f-]*\).*/\1/p' "$work/demo.txt" | head -n 1)

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
p99() { sed -n 's/^ *99% *\(.*\)$/\1/p'; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# compare NAME TARGET SERVICE_CMD BASELINE_CMD: alternate the two wrk runs
# ROUNDS times and report the medians.
compare() {
  local name=$1 target=$2 svc_cmd=$3 base_cmd=$4 out svc_rps="" base_rps="" svc_p99="" base_p99=""
  for _ in $(seq 1 "$ROUNDS"); do
    out=$(eval "$svc_cmd"); svc_rps+="$(echo "$out" | rps)"$'\n'; svc_p99=$(echo "$out" | p99)
    out=$(eval "$base_cmd"); base_rps+="$(echo "$out" | rps)"$'\n'; base_p99=$(echo "$out" | p99)
  done
  local s b
  s=$(printf '%s' "$svc_rps" | median); b=$(printf '%s' "$base_rps" | median)
  printf '%-24s service %8.0f req/s (p99 %8s)  baseline %8.0f req/s (p99 %8s)  ratio %5.1f%% (target >= %d%%)\n' \
    "$name" "$s" "$svc_p99" "$b" "$base_p99" "$(echo "$s $b" | awk '{print 100*$1/$2}')" "$target"
}

WRK="wrk -t2 -c$CONNS -d$DURATION --latency"

# measure_read NAME PATH HEADER: the service against a bare handler serving
# the very bytes the service answered.
measure_read() {
  local name=$1 path=$2 header=$3
  "$work/baseline" -addr $BASE -bytes-from "http://$SVC$path" -header "$header" &
  local bpid=$!
  sleep 0.5
  compare "$name" 80 "$WRK -H '$header' 'http://$SVC$path'" "$WRK 'http://$BASE$path'"
  kill $bpid; wait $bpid 2>/dev/null || true
}

echo "wrk -t2 -c$CONNS -d$DURATION, median of $ROUNDS alternating rounds, $(nproc) cores; service on SQLite with synchronous=FULL"
measure_read "GD operation areas" "/distribuited-generation/operation-areas?state=SP&city=S%C3%A3o%20Paulo" "Authorization: Bearer $KEY"
measure_read "GD plans" "/distribuited-generation/plans?energy_utility_public_id=$CPFL" "Authorization: Bearer $KEY"
measure_read "ISP provider" "/api/v2/providers" "Origin: http://localhost:8080"
# The storefront's home page (HTML rendered per request, a CSRF cookie
# set for each new visitor) against the API answering the same catalog,
# both on the service: "baseline" here is GET /api/v2/providers. Target
# (issue 15): at least half.
compare "storefront page vs API" 50 "$WRK 'http://$SVC/loja/conecte-fibra'" \
  "$WRK -H 'Origin: http://localhost:8080' 'http://$SVC/api/v2/providers'"

# Lead create: durable (fsynced, group commit) vs a bare INSERT with
# synchronous=OFF, both decoding the same JSON bodies.
"$work/baseline" -addr $BASE -insert-db "$work/bare.db" &
bpid=$!
sleep 0.5
compare "lead create (durable)" 50 "KEY=$KEY $WRK -s loadtest/lead.lua http://$SVC/sales-conversion/leads" \
  "$WRK -s loadtest/lead.lua http://$BASE/"
kill $bpid; wait $bpid 2>/dev/null || true
echo "lead create answers by status (service /metrics; a rare 409 is two random CPFs colliding):"
curl -s -H "Authorization: Bearer loadtest" "http://$SVC/metrics" | grep 'route="POST /sales-conversion/leads"' | grep http_requests_total | sed 's/^/  /'
if grep -q '"level":"ERROR"' "$work/service.log"; then
  echo "service errors (first 5):"
  grep '"level":"ERROR"' "$work/service.log" | head -n 5 | cut -c1-400 | sed 's/^/  /'
fi
