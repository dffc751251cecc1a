#!/usr/bin/env bash
# Versity Gateway, a real S3-protocol server on a local directory (its posix
# backend), for the object-storage tests and the local cluster.
#
#   bash scripts/s3.sh start   install it if missing, start it, create the bucket, wait until it answers
#   bash scripts/s3.sh stop    stop the gateway that start started (and nothing else)
#   bash scripts/s3.sh env     print the variables the tests and the service read
#
# It is installed from the Go module proxy with `go install` (a separate
# module build: the service's go.mod is not touched) into $(go env GOPATH)/bin,
# and listens on 127.0.0.1:7070 (S3_ADDR overrides it; when another program
# holds that port and S3_ADDR is unset, a free one) with a fixed local
# root key pair. The objects live under .ci/state/s3/root/<bucket>/ (the
# posix backend needs extended attributes, which ext4, xfs and tmpfs have);
# its PID and log live in .ci/state/s3/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

version=v1.8.0
state=${S3_STATE_DIR:-.ci/state/s3}
# The address start picked last (it differs from the default when that was
# taken), unless S3_ADDR names one.
addr=${S3_ADDR:-$(cat "$state/addr" 2>/dev/null || echo 127.0.0.1:7070)}
bucket=${S3_BUCKET:-partnership}
access=${S3_ACCESS_KEY:-partnership-local}
secret=${S3_SECRET_KEY:-partnership-local-secret}
pidfile=$state/versitygw.pid
logfile=$state/versitygw.log
bin="$(go env GOPATH)/bin/versitygw"

# shellcheck source=lib/daemon.sh
. scripts/lib/daemon.sh

say() { printf 's3: %s\n' "$*" >&2; }

ensure_installed() { go_install github.com/versity/versitygw github.com/versity/versitygw/cmd/versitygw "$version"; }

# Any HTTP answer (an anonymous request is refused with 403) means it serves.
answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$addr/" 2>/dev/null) || return 1
  [ "$code" != 000 ]
}

start() {
  ensure_installed
  if pid=$(running_pid); then
    say "already running (pid $pid)"
  else
    if ! port_free "$addr"; then
      [ -z "${S3_ADDR:-}" ] || { say "something already listens on $addr (S3_ADDR): not starting another"; exit 1; }
      taken=$addr
      addr=$(free_addr)
      say "$taken is taken by another program: using $addr"
    fi
    mkdir -p "$state/root"
    echo "$addr" >"$state/addr"
    rm -f "$pidfile"
    # A bucket of the posix backend is a directory under the root.
    mkdir -p "$state/root/$bucket"
    ROOT_ACCESS_KEY_ID=$access ROOT_SECRET_ACCESS_KEY=$secret \
      "$bin" --port "$addr" --quiet posix "$state/root" >"$logfile" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
    say "started (pid $pid), http://$addr, bucket $bucket, log $logfile"
  fi
  await "$pid"
}

env_lines() {
  echo "export AWS_ACCESS_KEY_ID=$access"
  echo "export AWS_SECRET_ACCESS_KEY=$secret"
  echo "export PARTNERSHIP_TEST_S3_URL='s3://$bucket?endpoint=http://$addr&region=us-east-1'"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  *)
    echo "usage: bash scripts/s3.sh start|stop|env" >&2
    exit 2
    ;;
esac
