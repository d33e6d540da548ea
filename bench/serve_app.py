"""Serve one benchmark target with the shipped server configuration (mockcrm.waitress_server).

python bench/serve_app.py {bare|flask|mockcrm|mockcrm-demo} PORT THREADS

``mockcrm-demo`` starts from the medium demo data (200 clients, seed 1), as ``mockcrm serve
--demo --size medium`` does: what a reset goes back to in the mixed-workload row.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from mockcrm.settings import Settings
from mockcrm.waitress_server import WaitressServer

HELLO = b"hello"


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO)))])
    return [HELLO]


def flask_app() -> Any:
    from flask import Flask

    app = Flask("hello")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def hello(path: str) -> str:
        return "hello"

    return app


def serve_wsgi(load: Callable[[], Any], settings: Settings) -> None:
    WaitressServer(load(), settings).serve_forever()


def main() -> None:
    kind, port, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    settings = Settings.from_env({}, port=port, threads=threads, log_requests=False)
    if kind == "bare":
        serve_wsgi(lambda: bare_app, settings)
    elif kind == "flask":
        serve_wsgi(flask_app, settings)
    elif kind in ("mockcrm", "mockcrm-demo"):
        from mockcrm.app import create_app

        if kind == "mockcrm-demo":
            settings = Settings.from_env({}, port=port, threads=threads, log_requests=False, demo=True, size="medium")
        serve_wsgi(lambda: create_app(settings), settings)
    else:
        raise SystemExit(f"unknown target {kind!r}")


if __name__ == "__main__":
    main()
