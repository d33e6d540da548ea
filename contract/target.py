"""The server under test: its settings, starting mockcrm through its CLI, the webhook receiver, HTTP calls.

HTTP only; nothing from ``mockcrm`` is imported (the suite starts it as a subprocess, like a service container).
Requests are built exactly like the golden replay tool builds them (``contract/replay.py``).
"""

from __future__ import annotations

import http.server
import json
import os
import re
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from .replay import build_request, send

SERVE_LINE = re.compile(r"serving SalesMan API v2 at (https?://\S+?)/developer/v2/")
APIKEY_LINE = re.compile(r"^\s+apikey:\s*(\S+)")


@dataclass
class Target:
    """Where the suite sends its requests."""

    base: str  # base URL: the API lives at <base>/developer/v2/<method>
    apikey: str
    login: str
    login2: str | None = None
    login3: str = "manager2@example.com"
    hook_url: str | None = None
    managed: bool = False  # True when the suite started this server itself

    def cfg(self) -> dict[str, str]:
        return {
            "base": self.base,
            "apikey": self.apikey,
            "login": self.login,
            "login2": self.login2 or self.login,
            "login3": self.login3,
        }


# ---------------------------------------------------------------- webhook receiver


class HookReceiver:
    """Collects the webhooks the target POSTs to it: [{"event", "payload"}] in arrival order."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.items: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                n = int(self.headers.get("Content-Length") or 0)
                text = self.rfile.read(n).decode("utf-8", "replace") if n else ""
                try:
                    payload: Any = json.loads(text)
                except ValueError:
                    payload = {"_raw": text}
                path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
                event = payload.get("event") if isinstance(payload, dict) else None
                with receiver.lock:
                    receiver.items.append({"event": event or path.rstrip("/").rsplit("/", 1)[-1], "payload": payload})
                out = b'{"ok":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_PUT = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((host, port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self) -> int:
        with self.lock:
            return len(self.items)

    def since(self, n: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.items[n:])

    def wait(self, n0: int, expected: int, timeout: float = 3.0, quiet: float = 0.02) -> list[dict[str, Any]]:
        """Deliveries after index n0: wait until `expected` arrived (at most `timeout`), then a short quiet time."""
        deadline = time.monotonic() + timeout
        while self.count() - n0 < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        last, stable = self.count(), time.monotonic()
        while time.monotonic() - stable < quiet and time.monotonic() < deadline:
            time.sleep(0.01)
            if self.count() != last:
                last, stable = self.count(), time.monotonic()
        return self.since(n0)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- mockcrm through its CLI


@dataclass
class ManagedServer:
    """`python -m mockcrm serve --port 0 --quiet` as a subprocess; URL and apikey read from its banner."""

    hooks_url: str | None = None
    python: str = sys.executable
    proc: subprocess.Popen[str] | None = None
    base: str = ""
    apikey: str = ""
    output: list[str] = field(default_factory=list)

    def start(self, timeout: float = 20.0) -> None:
        env = dict(os.environ)
        env.pop("MOCKCRM_WEBHOOKS_FILE", None)
        env["MOCKCRM_WEBHOOKS"] = json.dumps([{"event": "*", "url": self.hooks_url}]) if self.hooks_url else ""
        self.proc = subprocess.Popen(
            [self.python, "-m", "mockcrm", "serve", "--host", "127.0.0.1", "--port", "0", "--quiet"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (self.base and self.apikey):
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            if m := SERVE_LINE.search(line):
                self.base = m.group(1)
            elif m := APIKEY_LINE.match(line):
                self.apikey = m.group(1)
        if not (self.base and self.apikey):
            self.stop()
            raise RuntimeError("mockcrm did not start:\n" + "".join(self.output))
        # keep draining its output so a chatty server never blocks on a full pipe
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.proc = None


# ---------------------------------------------------------------- calls


@dataclass
class Answer:
    status: int
    text: str
    hooks: list[dict[str, Any]]

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def data(self) -> Any:
        body = self.json
        return body.get("data") if isinstance(body, dict) else None


def call(target: Target, step: dict[str, Any], timeout: float = 30.0) -> tuple[int, str]:
    """Send one request described like a golden step (as, transport, method, action, params, path, headers...)."""
    verb, url, headers, data = build_request(step, target.cfg())
    status, _headers, raw = send(verb, url, headers, data, timeout)
    return status, raw.decode("utf-8", "replace")
