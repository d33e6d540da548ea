"""Serving with gunicorn: one worker process (the store lives in memory), N threads.

Used by ``mockcrm serve --server gunicorn`` and the Docker image.  gunicorn upper-cases
header names while parsing, but the real server (PHP ``getallheaders()`` under mod_php)
sees them as the client spelled them (protocol.md §2.1), so this module keeps the raw
names for the wire, the same way the werkzeug handler in ``server.py`` does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .settings import Settings
from .wire import RAW_HEADERS_KEY


def keep_raw_header_names() -> None:
    """Teach gunicorn's parser to remember header names as sent (idempotent)."""
    from gunicorn.http import message, wsgi

    if getattr(message.Message, "_mockcrm_patched", False):
        return
    original_parse = message.Message.parse_headers
    original_create = wsgi.create

    def parse_headers(self: Any, data: bytes, from_trailer: bool = False) -> Any:
        if not from_trailer:
            raw: list[tuple[str, str]] = []
            for line in data.decode("latin-1").split("\r\n"):
                if ":" in line and line[:1] not in (" ", "\t"):
                    name, value = line.split(":", 1)
                    raw.append((name, value.strip(" \t")))
            self.mockcrm_raw_headers = raw
        return original_parse(self, data, from_trailer)

    def create(req: Any, *args: Any, **kwargs: Any) -> Any:
        resp, environ = original_create(req, *args, **kwargs)
        raw = getattr(req, "mockcrm_raw_headers", None)
        if raw is not None:
            environ[RAW_HEADERS_KEY] = raw
        return resp, environ

    message.Message.parse_headers = parse_headers
    wsgi.create = create
    message.Message._mockcrm_patched = True


def options(settings: Settings) -> dict[str, Any]:
    """The shipped server configuration (the benchmark serves its baselines with it too)."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": settings.threads,
        "graceful_timeout": 1,
        "timeout": 0,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "limit_request_line": 0,
        "limit_request_field_size": 0,
    }


def serve_wsgi(
    load: Callable[[], Any],
    settings: Settings,
    on_ready: Callable[[Any], None] | None = None,
    on_exit: Callable[[], None] | None = None,
) -> None:
    """Serve the WSGI app ``load()`` makes (in the worker) with the shipped configuration."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise RuntimeError("the gunicorn server needs gunicorn: pip install 'mockcrm[server]'") from None
    keep_raw_header_names()

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options(settings).items():
                self.cfg.set(key, value)
            if on_ready is not None:
                self.cfg.set("when_ready", on_ready)
            if on_exit is not None:
                self.cfg.set("worker_exit", lambda server, worker: on_exit())

        def load(self) -> Any:
            return load()

    Application().run()


def run(settings: Settings, on_ready: Callable[[Any], None] | None = None) -> None:
    """Serve mockcrm with gunicorn until SIGTERM/SIGINT (graceful, about a second)."""
    from .app import create_app

    state: dict[str, Any] = {}
    lock = threading.Lock()

    def load() -> Any:
        app = create_app(settings)
        state["backend"] = app.extensions["mockcrm"]
        return app

    def save() -> None:
        backend = state.get("backend")
        if backend is None:
            return
        with lock:
            backend.close()
            if settings.state_file:
                backend.save_state(settings.state_file)

    serve_wsgi(load, settings, on_ready, save)
