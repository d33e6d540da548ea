#!/usr/bin/env bash
# The real SalesMan CRM beside the mock (a developer tool; CI never needs it).
#
#   tools/real.sh up                 build it (first time, needs SALESMAN_MIRROR) or start it
#   tools/real.sh reset [ARGS]       back to the fresh install (ARGS go to reset.sh, e.g. --hook-port N)
#   tools/real.sh record NAME...     record contract/scenarios/NAME.json into contract/golden/NAME.jsonl
#   tools/real.sh url                print its base URL
#
# The scripts are tools/real-salesman (README.md there) and tools/record.py; every ORACLE_* variable
# of tools/real-salesman/common.sh is passed through, so several instances can run side by side.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RS=$ROOT/tools/real-salesman
export ORACLE_DIR=${ORACLE_DIR:-${TMPDIR:-/tmp}/salesman-real}
export ORACLE_HTTP_PORT=${ORACLE_HTTP_PORT:-8090}
export ORACLE_HOOK_LOG=${ORACLE_HOOK_LOG:-$ORACLE_DIR/hooks.jsonl}
URL=http://127.0.0.1:$ORACLE_HTTP_PORT

case "${1:-}" in
  up)
    if [ -f "$ORACLE_DIR/fresh.sql" ]; then
      bash "$RS/start.sh"
    else
      [ -n "${SALESMAN_MIRROR:-}" ] || {
        echo "real.sh: set SALESMAN_MIRROR to a bare git mirror of vladandreevg/salesmancrm" >&2; exit 2; }
      bash "$RS/build.sh"
    fi ;;
  reset) shift; bash "$RS/reset.sh" "$@" ;;
  url) echo "$URL" ;;
  record)
    shift
    [ $# -gt 0 ] || { echo "real.sh record: name a scenario of contract/scenarios" >&2; exit 2; }
    only=()
    for n in "$@"; do only+=(--only "$n"); done
    SALESMAN_URL=$URL SALESMAN_APIKEY=${SALESMAN_APIKEY:-VaSeZvkTfh5HMjJpNnge1W7Bloim0S} \
    SALESMAN_LOGIN=admin@example.com SALESMAN_LOGIN2=manager@example.com SALESMAN_LOGIN3=manager2@example.com \
    ORACLE_RESET="bash '$RS/reset.sh'" \
      python3 "$ROOT/tools/record.py" --scenarios "$ROOT/contract/scenarios" --out "$ROOT/contract/golden" "${only[@]}" ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
