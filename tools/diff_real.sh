#!/usr/bin/env bash
# The differential tester against real SalesMan servers on this machine, in parallel shards
# (a developer tool; `make test` and CI never need it).
#
#   tools/diff_real.sh [--shards K] [--seed S] [--seeds N] [--out DIR] [mockcrm diff options...]
#
# Shard k (0..K-1) has its own real SalesMan (ORACLE_DIR=$DIFF_REAL_DIR/real-k, HTTP port 8190+k, DB port
# 3390+k; built from SALESMAN_MIRROR the first time, a few seconds once the first one exists), its own mockcrm
# (`mockcrm serve --port 0`) and its own contiguous range of the seeds S..S+N-1; it writes $OUT/shard-k/
# (report.md, report.json, minimal scenarios). Every other option goes to each `mockcrm diff` as is
# (--methods, --time-budget, --shrink-time...). The last line sums the shards: "N steps, M divergences".
#
# Environment: SALESMAN_MIRROR (first build only), DIFF_REAL_DIR (default
# ${TMPDIR:-/tmp}/mockcrm-diff-real), BIN (default .venv/bin).
# Exit status: 0 when no shard found a divergence outside the allowlist, 1 when one did, 2 on a setup error.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${BIN:-$ROOT/.venv/bin}
BASE=${DIFF_REAL_DIR:-${TMPDIR:-/tmp}/mockcrm-diff-real}
SHARDS=2 SEED=1 SEEDS=10 OUT=$ROOT/diff-real-out
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shards) SHARDS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) PASS+=("$1"); shift ;;
  esac
done
[ "$SHARDS" -ge 1 ] && [ "$SEEDS" -ge "$SHARDS" ] || { echo "diff_real: need 1 <= --shards <= --seeds" >&2; exit 2; }
mkdir -p "$OUT" "$BASE"

pids=() mocks=()
cleanup() { for p in "${mocks[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

per=$(( SEEDS / SHARDS )) extra=$(( SEEDS % SHARDS )) first=$SEED
for k in $(seq 0 $(( SHARDS - 1 ))); do
  n=$(( per + (k < extra ? 1 : 0) ))
  export ORACLE_DIR=$BASE/real-$k ORACLE_HTTP_PORT=$(( 8190 + k )) ORACLE_DB_PORT=$(( 3390 + k ))
  export ORACLE_HOOK_PORT=$(( 18790 + k )) ORACLE_HOOK_LOG=$BASE/real-$k/hooks.jsonl
  bash tools/real.sh up > "$OUT/real-$k.log" 2>&1 || { echo "diff_real: real SalesMan $k did not start, see $OUT/real-$k.log" >&2; exit 2; }
  # a mockcrm on a port the kernel picks; its banner's first line names the URL
  "$BIN/mockcrm" serve --port 0 --quiet > "$OUT/mock-$k.log" 2>&1 &
  mocks+=($!)
  for _ in $(seq 1 100); do grep -q '^mockcrm .* at http' "$OUT/mock-$k.log" && break; sleep 0.1; done
  url=$(sed -n 's|^mockcrm .* at \(http://[^/]*\)/.*|\1|p' "$OUT/mock-$k.log" | head -1)
  [ -n "$url" ] || { echo "diff_real: mockcrm $k did not start, see $OUT/mock-$k.log" >&2; exit 2; }
  echo "shard $k: seeds $first..$(( first + n - 1 )), real http://127.0.0.1:$ORACLE_HTTP_PORT, mockcrm $url"
  "$BIN/mockcrm" diff --a "http://127.0.0.1:$ORACLE_HTTP_PORT" --b "$url" \
    --reset-a "ORACLE_DIR=$ORACLE_DIR ORACLE_HTTP_PORT=$ORACLE_HTTP_PORT ORACLE_DB_PORT=$ORACLE_DB_PORT bash $ROOT/tools/real.sh reset --hook-port {hook_port}" \
    --hook-quiet 0.05 --seed "$first" --seeds "$n" --out "$OUT/shard-$k" "${PASS[@]}" > "$OUT/shard-$k.log" 2>&1 &
  pids+=($!)
  first=$(( first + n ))
done

status=0 steps=0 divs=0
for k in "${!pids[@]}"; do
  wait "${pids[$k]}" || status=$(( $? == 1 ? (status > 1 ? status : 1) : 2 ))
  last=$(tail -1 "$OUT/shard-$k.log")
  echo "shard $k: $last"
  if [[ $last =~ ^([0-9]+)\ steps,\ ([0-9]+)\ divergence ]]; then
    steps=$(( steps + BASH_REMATCH[1] )) divs=$(( divs + BASH_REMATCH[2] ))
  else
    status=2
  fi
done
echo "reports: $OUT/shard-*/report.md"
echo "$steps steps, $divs divergences"
exit $status
