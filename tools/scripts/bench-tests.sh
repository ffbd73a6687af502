#!/usr/bin/env bash
# Times the test command as a whole process on a fresh clone of HEAD, and prints the figures the
# README's benchmark table quotes: cold runs (no Nx cache), cached runs (nothing changed), and
# affected runs after a change to one regional stack's composition. Each figure is printed per
# run, then as a median.
#
#   tools/scripts/bench-tests.sh [runs]     # default 3 runs of each
#
# Needs what `npm run setup` installs (MariaDB, mariadb-backup, shellcheck); takes about
# (runs x 3) minutes on two cores. Everything runs on loopback.
set -euo pipefail
runs="${1:-3}"
source_root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/txn-dr-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT
export CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CHECKPOINT_DISABLE=1
# A cache of this clone's own, so that "cold" is cold and "cached" is this clone's cache only.
export NX_CACHE_DIRECTORY="$work/nx-cache" NX_WORKSPACE_DATA_DIRECTORY="$work/nx-data"

git clone --quiet "$source_root" "$work/clone"
cd "$work/clone"
npm ci --no-audit --no-fund --loglevel=error >/dev/null

seconds() { local start end; start=$(date +%s.%N); "$@" >"$work/last.log" 2>&1 || { tail -40 "$work/last.log"; echo "bench: '$*' failed" >&2; exit 1; }; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", b - a }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
report() { local name="$1"; shift; printf '%-52s' "$name"; printf ' %6.1f' "$@"; printf '   median %6.1f\n' "$(printf '%s\n' "$@" | median)"; }

test_all() { npx nx run-many -t typecheck lint test "$@"; }
regional=libs/infra/regional/src/regional-stack.ts

cold=(); cached=(); affected=()
# Cold: an empty cache each time (the last one fills it for the cached runs).
for i in $(seq "$runs"); do rm -rf "$NX_CACHE_DIRECTORY" "$NX_WORKSPACE_DATA_DIRECTORY"; t=$(seconds test_all) || exit 1; cold+=("$t"); done
for i in $(seq "$runs"); do t=$(seconds test_all) || exit 1; cached+=("$t"); done
for i in $(seq "$runs"); do
  # A change no earlier run has seen, so every affected task runs again.
  echo "// bench change $i $$" >> "$regional"
  t=$(seconds npx nx affected -t typecheck lint test --files="$regional") || exit 1
  affected+=("$t")
  git checkout --quiet -- "$regional"
done
tests="$(node tools/scripts/jest-summary.mjs reports/jest)"

echo "$(nproc) cores, Node $(node --version), $(git rev-parse --short HEAD), $tests (last full run)"
report "npm test, cold (no Nx cache)" "${cold[@]}"
report "npm test, cached (nothing changed)" "${cached[@]}"
report "affected by a change to $(basename "$regional")" "${affected[@]}"
