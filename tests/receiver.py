"""A local webhook receiver for tests: records raw requests; can answer 500 or hold a request."""

from __future__ import annotations

import http.server
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    method: str
    path: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Receiver:
    status: int = 200
    reply: bytes = b'{"ok":true}'
    #: while set, requests are held until `release` is set (a slow receiver without sleeps)
    hold: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    items: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    url: str = ""
    _server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                item = Received(self.command, self.path, self.request_version, list(self.headers.items()), body)
                with owner.arrived:
                    owner.items.append(item)
                    owner.arrived.notify_all()
                if owner.hold:
                    owner.release.wait(30)
                try:
                    self.send_response(owner.status)
                    self.send_header("Content-Length", str(len(owner.reply)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(owner.reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a slow-receiver test): nothing to answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.items) >= n, timeout)
            return list(self.items)

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
