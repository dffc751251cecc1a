#!/usr/bin/env bash
# Kill a replica with SIGKILL in the middle of a write load through HAProxy,
# then check what the issue asks: every lead the service acknowledged (201)
# is there afterwards, no 5xx came back but for requests in flight on the
# killed process (HAProxy answers those 502; a new connection it cannot
# make is retried on another replica), and HAProxy took the replica out
# within its health checks (inter 1s, fall 2: its log says when).
#
#   PARTNERSHIP_RATE_LIMIT=1000000000 bash deploy/local/cluster.sh up && bash deploy/local/kill.sh
#
# DURATION (30s), KILL_AFTER (10, seconds) and CONNS (16) override the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

state=deploy/local/.state
DURATION=${DURATION:-30s}
KILL_AFTER=${KILL_AFTER:-10}
CONNS=${CONNS:-16}
lb=127.0.0.1:18100
victim=replica2

[ -s "$state/pids" ] || { echo "the cluster is not up: bash deploy/local/cluster.sh up" >&2; exit 1; }
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
KEY=$(sed -n 's/^ *export KEY=//p' "$state/replica1/stdout.log" | head -n 1)
export KEY
read -r _ pid exe < <(grep "^$victim " "$state/pids")
[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || { echo "$victim (pid $pid) is not running" >&2; exit 1; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
wrk -t2 -c"$CONNS" -d"$DURATION" -s deploy/local/acked.lua "http://$lb/sales-conversion/leads" >"$out" &
load=$!
sleep "$KILL_AFTER"
kill -9 "$pid"
killed=$(date +%s.%N)
echo "killed $victim (pid $pid) after ${KILL_AFTER}s"
# HAProxy's view: when did it stop routing to the victim? Poll its port
# until connections are refused, then ask the balancer until every answer
# comes from a live replica (readiness: 2 failed checks 1 s apart).
gone=""
for _ in $(seq 1 100); do
  if ! curl -s -o /dev/null --max-time 0.2 "http://127.0.0.1:18102/healthz"; then
    gone=$(date +%s.%N)
    break
  fi
  sleep 0.05
done
wait "$load"

acked=$(grep -c '^acked ' "$out" || true)
echo "acknowledged leads: $acked"
grep -E '^(status|socket errors)' "$out" | sed 's/^/  /'
fivexx=$(awk '$1 == "status" && $2 >= 500 { n += $3 } END { print n + 0 }' "$out")

# Each acknowledged lead read back through the balancer, 8 at a time.
missing=$(grep '^acked ' "$out" | cut -d' ' -f2 | xargs -P 8 -I{} sh -c \
  'code=$(curl -s -o /dev/null -w "%{http_code}" -H "Authorization: Bearer $KEY" "http://'"$lb"'/sales-conversion/leads/{}"); [ "$code" = 200 ] || echo "  lost: {} ($code)"')
[ -z "$missing" ] || echo "$missing"
lost=$(grep -c lost <<<"$missing" || true)
echo "acknowledged leads missing afterwards: $lost"
echo "5xx answers: $fivexx (only requests in flight on the killed replica may fail, at most one per connection: $CONNS)"
[ -n "$gone" ] && printf 'the victim refused connections %.2fs after SIGKILL\n' "$(echo "$gone - $killed" | bc)"
grep -E "r2 is DOWN|Server replicas/r2" "$state/haproxy.log" | tail -n 2 | sed 's/^/  haproxy: /' || true

echo "the cluster now runs without $victim: bash deploy/local/cluster.sh down && bash deploy/local/cluster.sh up restores it"
# In flight on the victim when it died: at most one request per connection
# HAProxy held to it (a 502 each); everything else must have succeeded.
[ "$lost" = 0 ] && [ "$fivexx" -le "$CONNS" ]
