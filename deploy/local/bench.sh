#!/usr/bin/env bash
# The cluster under load, through HAProxy, with 1 and with 3 replicas on
# PostgreSQL: catalog reads and the durable lead create, measured with wrk
# in the same run, with one replica reached directly as the balancer-free
# reference. On a 2-core machine expect no speed-up from 3 replicas (they
# share the cores with PostgreSQL, the S3 server, HAProxy and wrk); what it
# shows is that nothing breaks (no non-2xx answers) and what the balancer
# costs.
#
#   PARTNERSHIP_RATE_LIMIT=1000000000 bash deploy/local/cluster.sh up && bash deploy/local/bench.sh
#
# (wrk uses one partner key: with the default per-key rate limit nearly every
# answer would be a 429, which the non-2xx column shows.)
#
# Needs wrk (apt-get install -y wrk; installed when missing). DURATION (10s),
# CONNS (32) and ROUNDS (3, alternating, medians reported) override the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

state=deploy/local/.state
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
ROUNDS=${ROUNDS:-3}
direct=127.0.0.1:18101
one=127.0.0.1:18109
all=127.0.0.1:18100

[ -s "$state/pids" ] || { echo "the cluster is not up: bash deploy/local/cluster.sh up" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
KEY=$(sed -n 's/^ *export KEY=//p' "$state/replica1/stdout.log" | head -n 1)
CPFL=$(sed -n 's/.*energy_utility_public_id=\([0-9a-f-]*\).*/\1/p' "$state/replica1/stdout.log" | head -n 1)
[ -n "$KEY" ] && [ -n "$CPFL" ] || { echo "no demo key in $state/replica1/stdout.log" >&2; exit 1; }

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'; }
p99() { sed -n 's/^ *99% *\(.*\)$/\1/p'; }
non2xx() { sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

WRK="wrk -t2 -c$CONNS -d$DURATION --latency"

# measure NAME WRK_ARGS...: ROUNDS rounds over the three targets, alternating,
# then the median req/s, the last p99 and the non-2xx total of each.
measure() {
  local name=$1 path=$2
  shift 2
  declare -A r=() p=() bad=()
  for _ in $(seq 1 "$ROUNDS"); do
    for target in "$direct" "$one" "$all"; do
      out=$($WRK "$@" "http://$target$path")
      r[$target]+="$(echo "$out" | rps) "
      p[$target]=$(echo "$out" | p99)
      bad[$target]=$(( ${bad[$target]:-0} + $(echo "$out" | non2xx | grep . || echo 0) ))
    done
  done
  printf '%s\n' "$name"
  for target in "$direct" "$one" "$all"; do
    case $target in
      "$direct") label="replica 1 direct  " ;;
      "$one") label="HAProxy, 1 replica" ;;
      "$all") label="HAProxy, 3 replicas" ;;
    esac
    med=$(echo "${r[$target]}" | tr ' ' '\n' | grep . | median)
    printf '  %s  %10s req/s  p99 %8s  non-2xx %s\n' "$label" "$med" "${p[$target]}" "${bad[$target]}"
  done
}

echo "wrk -t2 -c$CONNS -d$DURATION, median of $ROUNDS alternating rounds, $(nproc) cores; PostgreSQL, S3 (Versity Gateway)"
measure "GD plans (read)" "/distribuited-generation/plans?energy_utility_public_id=$CPFL" -H "Authorization: Bearer $KEY"
export KEY
measure "lead create (durable write)" "/sales-conversion/leads" -s loadtest/lead.lua
