#!/usr/bin/env bash
# Runs the journeys that `serve --demo` prints, against a fresh data dir, and
# writes every response body (with ids, keys and times masked) to stdout, so
# two builds can be compared: a refactor must leave the output unchanged.
#
#   bash scripts/demo-journeys.sh [BINARY] > journeys.txt
#
# Without BINARY it builds ./cmd/partnership. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

bin=${1:-}
if [ -z "$bin" ]; then
  bin=$work/partnership
  go build -o "$bin" ./cmd/partnership
fi
addr=127.0.0.1:${PORT:-18557}
"$bin" serve --demo --data-dir "$work/data" --addr "$addr" >"$work/demo.txt" 2>"$work/service.log" &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://$addr/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# The printed commands: curl lines, their continuations and the shell
# assignments; "label: curl ..." lines keep only the command.
sed -nE 's/^ +([a-z (]+\)?: )?((curl|export|TOKEN=|ID=).*)$/\2/p; s/^ +(-d .*)$/\1/p' "$work/demo.txt" |
  sed -E 's/^curl /curl -sS -w "\\n[%{http_code}]\\n" /' >"$work/journeys.sh"
bash "$work/journeys.sh" 2>&1 |
  sed -E 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/<uuid>/g;
          s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)?/<time>/g;
          s/"(token|id)":"[^"]+"/"\1":"<masked>"/g'
