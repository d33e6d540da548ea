#!/usr/bin/env python3
"""Profile one bench scenario in-process (no HTTP server): where does a request's time go?

Builds an app like ``bench.py`` does (1,000 clients and 200 deals made through the API), times
``--calls`` WSGI calls of the scenario, then prints a cProfile of them.

    python bench/prof_scenario.py {client.info|client.list|client.add|deal.list} [--calls 200] [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from werkzeug.test import EnvironBuilder  # noqa: E402

from bench import PATHS, api_path  # noqa: E402
from mockcrm import Settings, create_app  # noqa: E402


def prepared_client() -> Any:
    """A test client of an app holding what ``bench.prepare_mockcrm`` makes."""
    app = create_app(Settings(log_requests=False))
    c = app.test_client()
    for i in range(1000):
        title = f"Альфа {i:04d}" if i < 50 else f"Клиент {i:04d}"
        c.get(api_path("client", "add", title=title, phone=f"+7 (342) 200-{i:04d}"))
    for i in range(200):
        c.get(api_path("deal", "add", clid=i + 1, title=f"Сделка {i}", kol=100000 + i, step="20"))
    return c


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=sorted(PATHS))
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--sort", default="tottime")
    args = ap.parse_args()
    c = prepared_client()
    path = PATHS[args.scenario]
    counter = iter(range(10**9))

    app = c.application

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        pass

    def run(n: int) -> None:
        # straight WSGI calls with the environ a server would build: no test-client overhead
        for _ in range(n):
            p = path + urllib.parse.quote(f"bench-{next(counter)}") if path.endswith("title=") else path
            environ = EnvironBuilder(p).get_environ()
            body = app(environ, start_response)
            b"".join(body)
            getattr(body, "close", lambda: None)()

    run(20)  # warm up
    started = time.perf_counter()
    run(args.calls)
    ms = (time.perf_counter() - started) / args.calls * 1000
    print(f"{args.scenario}: {ms:.3f} ms per request ({args.calls} calls, test client, no profiler)")
    prof = cProfile.Profile()
    prof.enable()
    run(args.calls)
    prof.disable()
    pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
