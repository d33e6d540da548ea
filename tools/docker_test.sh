#!/usr/bin/env bash
# make docker-test: build the image on the offline base, run it like a CI service container,
# run the contract suite against it, check start and stop times, remove it.
#   SHARED=../shared  PYTHON=.venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-../shared}
PY=${PY:-.venv/bin/python}
IMAGE=${IMAGE:-mockcrm:test}
APIKEY=VaSeZvkTfh5HMjJpNnge1W7Bloim0S

base_log=$(mktemp)
bash "$SHARED/tools/docker-offline-base.sh" | tee "$base_log"
BASE=$(sed -n 's/^ready: *//p' "$base_log" | tail -n 1)
rm -f "$base_log"
[ -n "$BASE" ] || { echo "docker-test: the base script printed no 'ready: <tag>'" >&2; exit 1; }

docker build --quiet --network host --build-arg "PYTHON_IMAGE=$BASE" -t "$IMAGE" . >/dev/null
size=$(docker image inspect -f '{{.Size}}' "$IMAGE")

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
HOOK_PORT=$(free_port)
CID=$(docker create --network host \
  -e MOCKCRM_PORT="$PORT" \
  -e MOCKCRM_WEBHOOKS="[{\"event\":\"*\",\"url\":\"http://127.0.0.1:$HOOK_PORT/hook/{event}\"}]" \
  "$IMAGE")
cleanup() { docker rm -f "$CID" >/dev/null 2>&1 || true; }
trap cleanup EXIT

now() { "$PY" -c 'import time; print(time.monotonic())'; }
t0=$(now)
docker start "$CID" >/dev/null
status=starting
for _ in $(seq 1 300); do
  status=$(docker inspect -f '{{.State.Health.Status}}' "$CID")
  [ "$status" = healthy ] && break
  [ "$(docker inspect -f '{{.State.Running}}' "$CID")" = true ] || break
  sleep 0.05
done
t1=$(now)
if [ "$status" != healthy ]; then
  docker logs "$CID" >&2 || true
  echo "docker-test: container not healthy ($status)" >&2
  exit 1
fi

SALESMAN_URL="http://127.0.0.1:$PORT" SALESMAN_APIKEY=$APIKEY \
  SALESMAN_LOGIN=admin@example.com SALESMAN_LOGIN2=manager@example.com \
  SALESMAN_HOOK_URL="http://127.0.0.1:$HOOK_PORT" \
  "$PY" -m pytest -q -p no:cacheprovider contract

t2=$(now)
docker stop -t 10 "$CID" >/dev/null
t3=$(now)
code=$(docker inspect -f '{{.State.ExitCode}}' "$CID")
"$PY" - "$size" "$t0" "$t1" "$t2" "$t3" "$code" <<'PYEOF'
import sys
size, t0, t1, t2, t3, code = sys.argv[1:]
healthy, stop = float(t1) - float(t0), float(t3) - float(t2)
print(f"docker-test: image {int(size) / 1e6:.0f} MB, healthy {healthy:.2f} s after start, "
      f"stopped {stop:.2f} s after SIGTERM (exit {code})")
problems = []
if healthy > 2:
    problems.append(f"healthy after {healthy:.2f} s (goal: 2 s)")
if stop > 2:
    problems.append(f"stopped after {stop:.2f} s (goal: 2 s)")
if code != "0":
    problems.append(f"exit code {code}")
if problems:
    sys.exit("docker-test: " + "; ".join(problems))
PYEOF
