#!/usr/bin/env bash
# Mailpit, a real SMTP server with an HTTP API, for the mail tests.
#
#   bash scripts/mailpit.sh start   install it if missing, start it, wait until it answers
#   bash scripts/mailpit.sh stop    stop the Mailpit that start started (and nothing else)
#   bash scripts/mailpit.sh env     print the variables the tests read
#
# It is installed from the Go module proxy with `go install` (a separate
# module build: the service's go.mod is not touched) into $(go env GOPATH)/bin,
# and listens on 127.0.0.1 only, without authentication: SMTP on 1025, the
# HTTP API on 8025 (MAILPIT_SMTP_ADDR / MAILPIT_HTTP_ADDR override them; when
# another program holds them and no override is set, free ones).
# Its PID and log live in .ci/state/mailpit/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.33.1
state=${MAILPIT_STATE_DIR:-.ci/state/mailpit}
# The addresses start picked last (they differ from the defaults when those
# were taken), unless the variables name them.
read -r picked_smtp picked_http 2>/dev/null <"$state/addrs" || true
smtp_addr=${MAILPIT_SMTP_ADDR:-${picked_smtp:-127.0.0.1:1025}}
http_addr=${MAILPIT_HTTP_ADDR:-${picked_http:-127.0.0.1:8025}}
pidfile=$state/mailpit.pid
logfile=$state/mailpit.log
bin="$(go env GOPATH)/bin/mailpit"

# shellcheck source=lib/daemon.sh
. scripts/lib/daemon.sh

say() { printf 'mailpit: %s\n' "$*" >&2; }

ensure_installed() { go_install github.com/axllent/mailpit github.com/axllent/mailpit "$version"; }

answers() {
  curl -fsS -o /dev/null --max-time 2 "http://$http_addr/api/v1/info" 2>/dev/null
}

start() {
  ensure_installed
  if pid=$(running_pid); then
    say "already running (pid $pid)"
  else
    if ! port_free "$smtp_addr" || ! port_free "$http_addr"; then
      [ -z "${MAILPIT_SMTP_ADDR:-}${MAILPIT_HTTP_ADDR:-}" ] || { say "$smtp_addr or $http_addr is taken (MAILPIT_*_ADDR): not starting another"; exit 1; }
      smtp_addr=$(free_addr)
      http_addr=$(free_addr)
      say "the default ports are taken by another program: using SMTP $smtp_addr, API $http_addr"
    fi
    mkdir -p "$state"
    echo "$smtp_addr $http_addr" >"$state/addrs"
    rm -f "$pidfile"
    "$bin" --smtp "$smtp_addr" --listen "$http_addr" \
      --disable-version-check --smtp-disable-rdns --max 5000 --quiet \
      >"$logfile" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
    say "started (pid $pid), SMTP $smtp_addr, API http://$http_addr, log $logfile"
  fi
  await "$pid"
}

env_lines() {
  echo "export PARTNERSHIP_TEST_SMTP_URL=smtp://$smtp_addr"
  echo "export PARTNERSHIP_TEST_MAILPIT_API=http://$http_addr"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  *)
    echo "usage: bash scripts/mailpit.sh start|stop|env" >&2
    exit 2
    ;;
esac
