"""MockCRMServer: the app on a real threaded HTTP server (port 0 = a free port)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .backend import Backend
from .hooks import ApiCall
from .settings import Settings
from .wire import RAW_HEADERS_KEY


class RawHeaderHandler(WSGIRequestHandler):
    """Keeps header names as the client spelled them (PHP getallheaders() under mod_php)."""

    def make_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().make_environ()
        environ[RAW_HEADERS_KEY] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # the app logs one line per request itself, without the apikey-bearing query


def make_wsgi_server(app: Flask, host: str, port: int) -> BaseWSGIServer:
    return make_server(host, port, app, threaded=True, request_handler=RawHeaderHandler)


class MockCRMServer:
    """A mockcrm on a background thread: ``with MockCRMServer() as srv: srv.url``."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        backend: Backend | None = None,
    ) -> None:
        self.settings = settings or (backend.settings if backend else Settings.from_env(log_requests=False))
        self.app = create_app(self.settings, backend)
        self.backend: Backend = self.app.extensions["mockcrm"]
        self._server = make_wsgi_server(self.app, host, port)
        self.host, self.port = host, self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/developer/v2"

    def on(self, event: str, fn: Callable[[dict[str, Any]], Any]) -> Callable[[], None]:
        """Run ``fn(payload)`` after each action that fires ``event`` ("*" = all); returns its remover."""
        return self.backend.on(event, fn)

    def filter(self, pattern: str, fn: Callable[[ApiCall, Any], Any]) -> Callable[[], None]:
        """Pass the answers of the calls ``pattern`` names through ``fn(call, answer)``; returns its remover."""
        return self.backend.filter(pattern, fn)

    def start(self) -> MockCRMServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name="mockcrm", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> MockCRMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
