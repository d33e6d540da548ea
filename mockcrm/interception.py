"""Interception, moto's way: calls that ``requests`` and ``httpx`` make to the CRM's own base URL are answered
by a mockcrm app in this process: no port, no server thread, the same answers byte for byte.

    with mockcrm.intercept("https://crm.example.com") as crm:
        requests.get("https://crm.example.com/developer/v2/client", params={...})   # answered by crm.app
        crm.backend.journal ...

``intercept`` is also a decorator.  Calls to other hosts go out as usual (``others="refuse"`` makes them
fail as a refused connection does: requests' ``ConnectionError``, httpx's ``ConnectError``).  It uses the
libraries made for this (``pip install 'mockcrm[intercept]'``): ``responses``
patches requests' transport adapter and ``respx`` patches httpx's transports (sync and async), so the code
under test keeps its own sessions, clients, retries and auth.  Whichever of the two is installed is used.

The app is called the way a WSGI server calls it, with the header names as the client spelled them, so an
answer is the one a mockcrm server would send.  Webhooks go out over their own HTTP connections (never
through requests or httpx), so they reach their receivers, and ``backend.on()`` listeners run as usual.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import urllib.parse
from collections.abc import Iterable
from typing import Any

from .wire import RAW_HEADERS_KEY

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
INSTALL = "interception needs responses (for requests) or respx (for httpx): pip install 'mockcrm[intercept]'"


def call_wsgi(
    app: Any, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request through a WSGI app, as a server would make it: (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    raw_headers = list(headers)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method.upper(),
        "SCRIPT_NAME": "",
        "PATH_INFO": urllib.parse.unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        RAW_HEADERS_KEY: raw_headers,
    }
    for name, value in raw_headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        elif key != "HOST" or "HTTP_HOST" not in environ:
            key = "HTTP_" + key
            environ[key] = f"{environ[key]}, {value}" if key in environ and key != "HTTP_HOST" else value
    environ.setdefault("HTTP_HOST", parts.netloc)
    if body and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    started: list[Any] = []

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, response_headers]
        return lambda data: None

    result = app(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, response_headers = started
    return int(status.split(" ", 1)[0]), list(response_headers), b"" if method.upper() == "HEAD" else data


class Intercept(contextlib.ContextDecorator):
    """Routes requests' and httpx's calls to ``base_url`` into a mockcrm app in this process."""

    def __init__(
        self,
        base_url: str,
        *,
        app: Any = None,
        backend: Any = None,
        settings: Any = None,
        others: str = "pass",
    ) -> None:
        if others not in ("pass", "refuse"):
            raise ValueError("others is 'pass' (calls to other hosts go out) or 'refuse'")
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"intercept needs a base URL such as https://crm.example.com, got {base_url!r}")
        self.url = base_url.rstrip("/")
        # the base URL and what may follow it: a path, a query, or nothing (crm.example.com.evil.org is not it)
        self.pattern = re.compile("(?i)" + re.escape(self.url) + r"(?=[/?#]|$)")
        if app is None:
            from .app import create_app
            from .settings import Settings

            app = create_app(settings or (backend.settings if backend else Settings(log_requests=False)), backend)
        self.app = app
        self.backend = app.extensions["mockcrm"]
        self.others = others
        self._stack: contextlib.ExitStack | None = None
        self._client: Any = None

    # -- the control plane, in process ------------------------------------------------
    def control(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """Call ``/__mockcrm<path>`` on the intercepted app (reset, rules, journal...): the decoded JSON."""
        if self._client is None:
            self._client = self.app.test_client()
        token = self.backend.settings.admin_token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self._client.open("/__mockcrm" + path, method=method, json=body, headers=headers)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} /__mockcrm{path}: {r.status_code} {r.get_data(as_text=True)}")
        return r.get_json(silent=True)

    # -- on and off ---------------------------------------------------------------------
    def __enter__(self) -> Intercept:
        stack = contextlib.ExitStack()
        patched = 0
        try:
            patched += self._requests(stack)
            patched += self._httpx(stack)
        except BaseException:
            stack.close()
            raise
        if not patched:
            raise ImportError(INSTALL)
        self._stack = stack
        return self

    def __exit__(self, *exc: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    def start(self) -> Intercept:
        return self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)

    def _answer(self, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes) -> Any:
        return call_wsgi(self.app, method, url, headers, body)

    def _requests(self, stack: contextlib.ExitStack) -> int:
        try:
            import responses
        except ImportError:
            return 0

        def callback(request: Any) -> tuple[int, dict[str, str], bytes]:
            body = request.body
            if body is None:
                data = b""
            elif isinstance(body, str):
                data = body.encode("utf-8")
            elif isinstance(body, bytes):
                data = body
            else:  # a file or a generator
                data = body.read() if hasattr(body, "read") else b"".join(body)
            status, headers, content = self._answer(request.method, request.url, request.headers.items(), data)
            merged: dict[str, str] = {}
            for name, value in headers:
                merged[name] = f"{merged[name]}, {value}" if name in merged else value
            return status, merged, content

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in METHODS:
            mock.add_callback(method, self.pattern, callback=callback, content_type=None)
        if self.others == "pass":
            mock.add_passthru(re.compile(".*"))
        stack.enter_context(mock)
        return 1

    def _httpx(self, stack: contextlib.ExitStack) -> int:
        try:
            import httpx
            import respx
        except ImportError:
            return 0

        def side_effect(request: httpx.Request) -> httpx.Response:
            try:
                data = request.content
            except httpx.RequestNotRead:
                data = request.read()
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
            status, out_headers, content = self._answer(request.method, str(request.url), headers, data)
            return httpx.Response(status, headers=out_headers, content=content)

        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError(f"refused by mockcrm.intercept (others='refuse'): {request.url}", request=request)

        router = respx.mock(assert_all_called=False, assert_all_mocked=False)
        router.route(url__regex=self.pattern.pattern).mock(side_effect=side_effect)
        if self.others == "pass":
            router.route().pass_through()
        else:
            router.route().mock(side_effect=refuse)
        stack.enter_context(router)
        return 1


def intercept(base_url: str, **options: Any) -> Intercept:
    """``with intercept("https://crm.example.com") as crm:`` (or ``@intercept(...)``): see this module."""
    return Intercept(base_url, **options)
