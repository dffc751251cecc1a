# Shared by the scripts that start a test server in the background
# (mailpit.sh, s3.sh): the PID file, the wait until it answers, the stop.
# The sourcing script sets say(), answers() and env_lines(), and the
# variables bin, pidfile and logfile.

# go_install MODULE PACKAGE VERSION: make sure $bin is PACKAGE at VERSION,
# installed from the Go module proxy (a build of its own: the service's
# go.mod is not touched).
go_install() {
  local installed
  # Not installed yet: go version fails, which must not stop the script
  # (set -e with pipefail), only lead to the install.
  installed=$(go version -m "$bin" 2>/dev/null | awk -v m="$1" '$1 == "mod" && $2 == m { print $3 }') || true
  if [ -x "$bin" ] && [ "$installed" = "$3" ]; then
    return
  fi
  say "installing $2@$3 (go install)"
  go install "$2@$3"
}

# port_free HOST:PORT: nothing accepts connections there.
port_free() { ! (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

# free_addr prints a loopback address whose port nothing listens on, for
# when the default one is taken by a server this script did not start
# (another checkout's, say): the tests then use that one, through env.
free_addr() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    if port_free "127.0.0.1:$port"; then
      echo "127.0.0.1:$port"
      return
    fi
  done
  say "no free port found on 127.0.0.1"
  return 1
}

# running_pid prints the PID of the server this script started, if it
# still runs; a PID left from an earlier run may have been reused by
# another program, so the executable must be ours.
running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$bin")" ] || return 1
  echo "$pid"
}

# await PID: wait up to 10 s for the server to answer, then print the
# variables the tests read; fail with its log if it exits or never answers.
await() {
  local pid=$1
  for _ in $(seq 1 100); do
    if answers; then
      env_lines
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      say "exited before answering; its log:"
      cat "$logfile" >&2 || true
      rm -f "$pidfile"
      exit 1
    fi
    sleep 0.1
  done
  say "no answer after 10 s; its log:"
  cat "$logfile" >&2 || true
  exit 1
}

# stop: stop the server this script started, and nothing else.
stop() {
  local pid
  if ! pid=$(running_pid); then
    say "not running (nothing started by this script)"
    rm -f "$pidfile"
    return
  fi
  kill "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop in 10 s: killing it"
    kill -9 "$pid" || true
  fi
  rm -f "$pidfile"
  say "stopped (pid $pid)"
}
