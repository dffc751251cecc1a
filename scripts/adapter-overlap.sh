#!/usr/bin/env bash
# Counts the distinct non-trivial lines (24+ characters, comments and
# imports aside) that stand identically in the non-test files of both
# storage adapters: what is written twice instead of once in storesql.
#
#   bash scripts/adapter-overlap.sh [-v]     # -v lists the lines
set -euo pipefail
cd "$(dirname "$0")/.."
lines() {
  git ls-files "internal/$1/*.go" | grep -v '_test\.go$' | xargs cat |
    sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' |
    grep -vE '^(//|import|"|\))' | awk 'length($0) >= 24' | sort -u
}
common=$(comm -12 <(lines sqlite) <(lines postgres))
[ "${1:-}" = "-v" ] && printf '%s\n' "$common"
printf '%s\n' "$common" | grep -c . || true
