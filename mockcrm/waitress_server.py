"""Serving with waitress: one process, an I/O loop that reads whole requests, a pool of request threads.

Used by ``mockcrm serve --server waitress`` and the Docker image.  Why waitress (it replaced gunicorn):

- the store lives in this one process, so there is no worker a master could restart from an older
  state, and the stop below can save exactly what was answered;
- requests are read by the I/O loop and handed to a thread only when complete, so clients that
  send slowly or not at all never hold a request thread (``channel_timeout`` closes them);
- it answers malformed HTTP with 400 itself and never logs the request line (the apikey rides in it).

Like the werkzeug handler in ``server.py``, it keeps header names as the client spelled them: the
real server (PHP ``getallheaders()`` under mod_php) sees them that way (protocol.md §2.1).
"""

from __future__ import annotations

import logging
import re
import resource
import signal
import threading
import time
from typing import Any

from .settings import Settings
from .wire import RAW_HEADERS_KEY

#: the environ key of the client's socket (werkzeug's own server sets "werkzeug.socket")
SOCKET_KEY = "mockcrm.socket"

#: seconds a stop waits for requests in progress (and their answers to go out) before it saves
STOP_GRACE = 5.0
#: seconds an idle or slow connection is kept (waitress closes it at its next clean-up, every few seconds)
CHANNEL_TIMEOUT = 30
_SECRET = re.compile(r"(apikey[^=:\s]*[=:]\s*)[^&\s\"']+", re.IGNORECASE)


class _NoSecrets(logging.Filter):
    """Masks anything that looks like ``apikey=...`` in waitress's own log lines (defence in depth)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET.search(message):
            record.msg, record.args = _SECRET.sub(r"\1***", message), None
        return True


def _classes() -> tuple[type[Any], type[Any]]:
    """The waitress channel that records raw header names, and its server (imported on first use)."""
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.task import WSGITask

    class RawHeaderParser(HTTPRequestParser):
        def parse_header(self, header_plus: bytes) -> None:
            super().parse_header(header_plus)
            raw: list[tuple[str, str]] = []
            for line in header_plus.split(b"\r\n")[1:]:
                if b":" in line and line[:1] not in (b" ", b"\t"):
                    name, value = line.split(b":", 1)
                    raw.append((name.decode("latin-1"), value.strip(b" \t").decode("latin-1")))
            self.mockcrm_raw_headers = raw

    class RawHeaderTask(WSGITask):
        def get_environment(self) -> dict[str, Any]:
            environ: dict[str, Any] = super().get_environment()
            raw = getattr(self.request, "mockcrm_raw_headers", None)
            if raw is not None:
                environ[RAW_HEADERS_KEY] = raw
            environ[SOCKET_KEY] = self.channel.socket  # what a "drop" fault closes
            return environ

    class Channel(HTTPChannel):
        parser_class = RawHeaderParser
        task_class = RawHeaderTask

    return Channel, HTTPChannel


def _connection_limit() -> int:
    """Open connections the server accepts: many (slow sockets must not lock health out), within the fd limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(100, min(1000, soft - 64)) if soft != resource.RLIM_INFINITY else 1000


class WaitressServer:
    """waitress around a WSGI app, with a stop that finishes the answers in progress first."""

    def __init__(self, app: Any, settings: Settings) -> None:
        try:
            from waitress import wasyncore
            from waitress.server import create_server
        except ImportError:
            raise RuntimeError("the waitress server needs waitress: pip install 'mockcrm[server]'") from None
        self._loop = wasyncore.loop
        channel, self._http_channel = _classes()
        logging.getLogger("waitress").addFilter(_NoSecrets())
        # "Task queue depth is N" on every burst of load is noise for a test server
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self.server = create_server(
            app,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            channel_timeout=CHANNEL_TIMEOUT,
            cleanup_interval=5,
            connection_limit=_connection_limit(),
            ident="mockcrm",
            expose_tracebacks=False,
        )
        self.server.channel_class = channel
        self.host, self.port = self.server.effective_host, int(self.server.effective_port)
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the loop to stop (from a signal handler or another thread)."""
        self._stop.set()
        self.server.pull_trigger()

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` (SIGTERM and SIGINT call it when this runs in the main thread)."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda signum, frame: self.stop())
        channels = self.server._map
        while not self._stop.is_set():
            self._loop(timeout=1.0, map=channels, use_poll=True, count=1)
        self._drain(time.monotonic() + STOP_GRACE)

    def _drain(self, deadline: float) -> None:
        """Stop accepting, close idle connections, let requests in progress finish and their answers go
        out (up to ``deadline``), then close everything.  A request still running after that has
        not been answered, so nothing a client was told is lost when the state is saved next."""
        server, channels = self.server, self.server._map
        server.accepting = False
        server.del_channel()
        server.socket.close()
        while True:
            busy = False
            channel: Any
            for channel in list(channels.values()):
                if not isinstance(channel, self._http_channel):
                    continue
                if channel.requests or channel.total_outbufs_len:
                    busy = True
                elif channel.connected:
                    channel.handle_close()  # idle keep-alive or a request still being sent: cut
            if not busy or time.monotonic() >= deadline:
                break
            self._loop(timeout=0.05, map=channels, use_poll=True, count=1)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=max(0.0, deadline - time.monotonic()))
        for channel in list(channels.values()):
            if isinstance(channel, self._http_channel):
                channel.handle_close()
        server.trigger.close()
