#!/usr/bin/env python3
"""Benchmark the test-facing costs: reset with 1,000 records, in-thread server start,
cold start of a ``mockcrm serve`` process (both servers) to its first answer, per-test
fixture overhead (HTTP reset + helper).  Not a test: prints figures.

    python bench/control_bench.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from mockcrm import Backend, MockCRMServer, Settings
from mockcrm.pytest_plugin import MockCRM, ServerHandle


def ms(samples: list[float]) -> str:
    s = sorted(samples)
    return f"median {statistics.median(s) * 1000:.3f} ms, p90 {s[int(len(s) * 0.9)] * 1000:.3f} ms (n={len(s)})"


def fill(backend: Backend, n: int) -> None:
    account = backend.accounts[1]
    for i in range(n):
        account.tables["clientcat"].insert({"title": f"Клиент {i}", "iduser": "1", "recv": ";" * 15})


def cold_start(server: str) -> float:
    """Seconds from spawning ``mockcrm serve`` to its first answer (polled every 2 ms)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, "-m", "mockcrm", "serve", "--port", str(port), "--server", server, "--quiet"]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__mockcrm/health", timeout=5) as r:
                    r.read()
                return time.perf_counter() - started
            except OSError:
                if proc.poll() is not None or time.perf_counter() - started > 30:
                    raise SystemExit(f"bench: mockcrm serve --server {server} did not start") from None
                time.sleep(0.002)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    results: dict[str, str] = {}

    backend = Backend(Settings(log_requests=False))
    fill(backend, 1000)
    backend._start = backend._copy(backend.accounts)  # the 1,000 records are the start state
    samples = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        backend.reset()
        samples.append(time.perf_counter() - t)
    results["reset with 1,000 records (in process)"] = ms(samples)

    samples = []
    for _ in range(max(5, args.rounds // 20)):
        t = time.perf_counter()
        srv = MockCRMServer(Settings(log_requests=False)).start()
        with urllib.request.urlopen(srv.url + "/__mockcrm/health", timeout=10) as r:
            r.read()
        samples.append(time.perf_counter() - t)
        srv.stop()
    results["in-thread server start to first answer"] = ms(samples)

    for server in ("werkzeug", "waitress"):
        samples = [cold_start(server) for _ in range(5)]
        results[f"cold start: mockcrm serve --server {server} to first answer"] = ms(samples)

    with MockCRMServer(Settings(log_requests=False)) as srv:
        handle = ServerHandle(srv.url, srv.backend)
        samples = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            handle.control("/reset", "POST", {})
            MockCRM(handle).close()
            samples.append(time.perf_counter() - t)
        results["per-test fixture overhead (reset over HTTP + helper)"] = ms(samples)

    width = max(len(k) for k in results)
    for k, v in results.items():
        print(f"{k:<{width}}  {v}")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
