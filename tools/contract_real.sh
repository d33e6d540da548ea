#!/usr/bin/env bash
# The contract suite against the real SalesMan on this machine (a developer tool; `make test` and CI never need it).
#
#   tools/contract_real.sh [PYTEST ARGS...]     e.g. -x, -k client, --contract-readonly
#
# 1. brings the real SalesMan up (tools/real.sh up: builds it the first time, which needs SALESMAN_MIRROR);
# 2. resets it to the fresh install with its webhook rows pointing at the suite's receiver (reset --hook-port N);
# 3. runs contract/ against it: apikey, admin + manager logins, --contract-hook-url http://127.0.0.1:N/hook/ and
#    --contract-undeletable (leads are fine: the instance is reset before every run);
# 4. the report goes to $REPORT_DIR (default contract-real-report/): contract-report.json and .md.
#
# Environment: SALESMAN_MIRROR (first build only), every ORACLE_* of
# tools/real-salesman/common.sh (port, data dir...), SALESMAN_APIKEY (default: the one build.sh sets),
# CONTRACT_HOOK_PORT (default: a free port), REPORT_DIR, PY (default .venv/bin/python).
# Exit status: the suite's (0 when every check passed, i.e. no divergence outside contract/allowlist.json).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PY:-$ROOT/.venv/bin/python}
REPORT_DIR=${REPORT_DIR:-$ROOT/contract-real-report}
APIKEY=${SALESMAN_APIKEY:-VaSeZvkTfh5HMjJpNnge1W7Bloim0S}
# a free port for the suite's webhook receiver (the kernel picks it; the suite binds it a few seconds later)
HOOK_PORT=${CONTRACT_HOOK_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}

bash tools/real.sh up
bash tools/real.sh reset --hook-port "$HOOK_PORT"
URL=$(bash tools/real.sh url)
mkdir -p "$REPORT_DIR"
echo "== contract suite against $URL (webhooks to 127.0.0.1:$HOOK_PORT), report in $REPORT_DIR"

# only the options below choose the target: SALESMAN_* from the caller's environment must not override them
for v in SALESMAN_URL SALESMAN_APIKEY SALESMAN_LOGIN SALESMAN_LOGIN2 SALESMAN_HOOK_URL; do unset "$v"; done
"$PY" -m pytest contract -q -p no:cacheprovider \
  --contract-url "$URL" \
  --contract-apikey "$APIKEY" \
  --contract-login admin@example.com \
  --contract-login2 manager@example.com \
  --contract-hook-url "http://127.0.0.1:$HOOK_PORT/hook/" \
  --contract-undeletable \
  --contract-report-dir "$REPORT_DIR" \
  "$@"
