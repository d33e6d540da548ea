"""One webhook receiver per target, on a free loopback port: every ``/hook/<event>`` POST is kept with
its payload and the headers as the receiver saw them (after replay.py's receiver)."""

from __future__ import annotations

import http.server
import json
import re
import socketserver
import threading
import time
import urllib.parse
from typing import Any

HOOK_PATH = re.compile(r"^/hook/(.+)$")


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Receiver:
    """``with Receiver() as r: r.port``; ``r.mark()`` then ``r.since(mark)`` gives a step's deliveries."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._items: list[dict[str, Any]] = []
        self._server = _Server((host, port), self._handler())
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="difftest-hooks", daemon=True)

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        store = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                m = HOOK_PATH.match(urllib.parse.urlsplit(self.path).path)
                if m:
                    text = body.decode("utf-8", "replace")
                    try:
                        payload = json.loads(text)
                    except ValueError:
                        payload = {"_raw": text}
                    headers = dict(self.headers.items())
                    store._add({"event": urllib.parse.unquote(m.group(1)), "payload": payload, "headers": headers})
                out = b'{"ok":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(out)
                self.close_connection = True

            do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def _add(self, item: dict[str, Any]) -> None:
        with self._lock:
            self._items.append(item)

    def count(self) -> int:
        with self._lock:
            return len(self._items)

    def since(self, n: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._items[n:])

    def settle(self, quiet: float, max_wait: float = 6.0) -> None:
        """Wait until no delivery arrived for ``quiet`` seconds (replay.py's settle); 0 = do not wait."""
        if quiet <= 0:
            return
        t0 = stable = time.monotonic()
        last = self.count()
        while time.monotonic() - t0 < max_wait:
            time.sleep(0.03)
            c = self.count()
            if c != last:
                last, stable = c, time.monotonic()
            elif time.monotonic() - stable >= quiet:
                break

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
