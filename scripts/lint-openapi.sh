#!/usr/bin/env bash
# Lints the OpenAPI document exactly as the service serves it (the parts in
# api/ merged by api.Document) with the tools partners use: Redocly CLI
# (recommended rules) and Spectral (spectral:oas), both pinned in
# tools/openapi-lint/package-lock.json. Then checks that the generated Go
# client in internal/apiclient is current. Exits non-zero on any linter error
# or a stale client; warnings are printed, not fatal.
#
#   bash scripts/lint-openapi.sh
#
# Needs Go and Node.js (npm). The linters are installed with `npm ci` into
# tools/openapi-lint/node_modules (git-ignored) when missing or older than the
# lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

tools=tools/openapi-lint
if [ ! -f "$tools/node_modules/.package-lock.json" ] ||
  [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
  log "installing the linters (npm ci)"
  npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log "exporting the served document"
go run ./api/cmd/openapi-dump >"$tmp/openapi.yaml"

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
status=0

log "redocly lint (recommended)"
"$tools/node_modules/.bin/redocly" lint --config "$tools/redocly.yaml" --max-problems 1000 \
  "$tmp/openapi.yaml" || status=1

log "spectral lint (spectral:oas)"
"$tools/node_modules/.bin/spectral" lint --ruleset "$tools/.spectral.yaml" --fail-severity error \
  "$tmp/openapi.yaml" || status=1

log "generated client is current (go generate ./internal/apiclient)"
if [ -f internal/apiclient/generate.go ]; then
  mkdir "$tmp/before"
  cp internal/apiclient/openapi.json internal/apiclient/client.gen.go "$tmp/before/"
  go generate ./internal/apiclient
  for f in openapi.json client.gen.go; do
    if ! cmp -s "$tmp/before/$f" "internal/apiclient/$f"; then
      echo "internal/apiclient/$f was stale (now regenerated): commit the result of go generate ./internal/apiclient" >&2
      status=1
    fi
  done
fi

exit "$status"
