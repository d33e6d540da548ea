"""pytest plugin (registered through the ``pytest11`` entry point): a mock SalesMan CRM per test run.

Fixtures:

* ``mockcrm_server`` (session): a real HTTP server on a free port in a background thread,
  started once per session (per xdist worker), or the external server of ``--mockcrm-url``;
* ``mockcrm`` (function): resets the server before the test and hands over a ``MockCRM``
  helper: ``url``, ``api_url``, ``apikey``, ``login``, ``users``, ``call()``, ``state()``,
  ``journal()``, ``deliveries()``, ``rules``, ``faults``, ``clock``, ``listen(event)``, ``stub()``,
  ``patch()`` (rules, undone at the end of the test), ``on()`` and ``filter()`` (Python hooks, in process);
* ``mockcrm_webhook_sink``: a local receiver to register as a hook, with ``wait_for()``.

Settings come from ``--mockcrm-url`` / ini ``mockcrm_url`` and ini ``mockcrm_settings``
(lines of ``name=value`` for ``mockcrm.Settings``, e.g. ``edition=cloud``).
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import pytest

from .settings import Settings

ADMIN = "admin@example.com"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockcrm", "mock SalesMan CRM")
    group.addoption("--mockcrm-url", default=None, help="use this running mockcrm instead of an in-thread one")
    parser.addini("mockcrm_url", "use this running mockcrm instead of an in-thread one", default="")
    parser.addini("mockcrm_settings", "mockcrm Settings for the in-thread server, name=value per line", type="linelist")
    parser.addini("mockcrm_admin_token", "admin token of an external mockcrm", default="")
    parser.addini("mockcrm_intercept_url", "the CRM base URL that the mockcrm_intercept fixture answers", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "mockcrm_intercept(base_url, others='pass'): the base URL that mockcrm_intercept answers"
    )


# ------------------------------------------------------------------ HTTP helpers


class ControlError(AssertionError):
    """A control-plane request failed."""


def _request(url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read().decode()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        exc.close()
        raise ControlError(f"{method} {url}: {exc.code} {detail}") from None
    return json.loads(text) if text else None


@dataclass
class ServerHandle:
    """Where a mockcrm runs; ``backend`` is set when it runs in this process."""

    url: str
    backend: Any = None
    admin_token: str = ""

    def control(self, path: str, method: str = "GET", body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else None
        return _request(self.url + "/__mockcrm" + path, method, body, headers)


def _settings_from_ini(lines: list[str]) -> Settings:
    known = {f.name for f in fields(Settings)}
    env: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or name not in known:
            raise pytest.UsageError(f"mockcrm_settings: expected name=value with a Settings name, got {line!r}")
        env["MOCKCRM_" + name.upper()] = value.strip()
    env.setdefault("MOCKCRM_LOG_REQUESTS", "0")
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def mockcrm_server(pytestconfig: pytest.Config) -> Iterator[ServerHandle]:
    """The session's mockcrm: in a background thread on a free port, or ``--mockcrm-url``."""
    url = pytestconfig.getoption("mockcrm_url") or pytestconfig.getini("mockcrm_url")
    token = str(pytestconfig.getini("mockcrm_admin_token") or "")
    if url:
        yield ServerHandle(str(url).rstrip("/"), admin_token=token)
        return
    from .server import MockCRMServer

    settings = _settings_from_ini(pytestconfig.getini("mockcrm_settings"))
    with MockCRMServer(settings) as srv:
        yield ServerHandle(srv.url, srv.backend, settings.admin_token)


# ------------------------------------------------------------------ the per-test helper


class Rules:
    """The server's rules (``/__mockcrm/rules``): respond, patch and the fault kinds."""

    path, key = "/rules", "rules"

    def __init__(self, server: ServerHandle) -> None:
        self._server = server

    def add(self, kind: str, method: str = "*", action: str = "*", **options: Any) -> dict[str, Any]:
        rule = {"kind": kind, "method": method, "action": action, **options}
        result: dict[str, Any] = self._server.control(self.path, "POST", rule)[self.key][0]
        return result

    def list(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self._server.control(self.path)[self.key]
        return rules

    def remove(self, rule_id: int) -> None:
        self._server.control(f"{self.path}/{rule_id}", "DELETE")

    def clear(self) -> None:
        self._server.control(self.path, "DELETE")


class Faults(Rules):
    """The fault kinds only (``/__mockcrm/faults``): error, fatal, latency, drop, malformed (see README)."""

    path, key = "/faults", "faults"


class Clock:
    def __init__(self, server: ServerHandle) -> None:
        self._server = server

    def now(self) -> str:
        return str(self._server.control("/clock")["now"])

    def freeze(self, at: str | None = None) -> str:
        return str(self._server.control("/clock/freeze", "POST", {} if at is None else {"at": at})["now"])

    def advance(self, seconds: float) -> str:
        return str(self._server.control("/clock/advance", "POST", {"seconds": seconds})["now"])

    def real(self) -> str:
        return str(self._server.control("/clock/real", "POST", {})["now"])


class MockCRM:
    """What a test gets from the ``mockcrm`` fixture."""

    def __init__(self, server: ServerHandle) -> None:
        self.server = server
        self.url = server.url
        self.api_url = server.url + "/developer/v2"
        accounts = server.control("/accounts")["accounts"]
        self.apikey: str = accounts[0]["apikey"]
        self.users: list[str] = accounts[0]["users"]
        self.login = ADMIN if ADMIN in self.users else self.users[0]
        self.faults = Faults(server)
        self.rules = Rules(server)
        self.clock = Clock(server)
        self._unsubscribe: list[Any] = []
        self._rule_ids: list[int] = []
        self._hook_errors: list[BaseException] = []

    @property
    def backend(self) -> Any:
        """The in-process Backend (None when the server runs elsewhere)."""
        return self.server.backend

    def call(
        self, method: str, action: str | None, *, login: str | None = None, transport: str = "get", **params: Any
    ) -> Any:
        """Call the API as ``login`` (default: the admin); returns the decoded JSON, or the raw text."""
        creds = {"login": login or self.login, "apikey": self.apikey}
        base = {"action": action} if action is not None else {}
        url = f"{self.api_url}/{method}"
        if transport == "json":
            data = json.dumps({**base, **params}, ensure_ascii=False).encode()
            req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **creds})
        else:
            query = urllib.parse.urlencode(_php_pairs({**base, **creds, **params}))
            if transport == "form":
                req = urllib.request.Request(url, data=query.encode(), method="POST")
                req.add_header("Content-Type", "application/x-www-form-urlencoded")
            elif transport == "get":
                req = urllib.request.Request(f"{url}?{query}")
            else:
                raise ValueError("transport is one of get, form, json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            text = resp.read().decode("utf-8", "replace")
        try:
            return json.loads(text)
        except ValueError:
            return text

    def state(self, *tables: str) -> dict[str, list[dict[str, Any]]]:
        """Rows of the first account's tables (all tables when none is named)."""
        query = "&".join(f"table={urllib.parse.quote(t)}" for t in tables)
        data = self.server.control("/state" + (f"?{query}" if query else ""))
        return {name: t["rows"] for name, t in data["accounts"][0]["tables"].items()}

    def seed(self, table: str, *rows: dict[str, Any]) -> list[int]:
        """Put rows straight into a table (no API side effects); returns their ids."""
        ids: list[int] = self.server.control(f"/records/{table}", "POST", list(rows))["ids"]
        return ids

    def journal(self, **filters: str) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode(filters)
        entries: list[dict[str, Any]] = self.server.control("/requests" + (f"?{query}" if query else ""))["requests"]
        return entries

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        query = urllib.parse.urlencode(filters)
        items: list[dict[str, Any]] = self.server.control("/webhooks/deliveries" + (f"?{query}" if query else ""))[
            "deliveries"
        ]
        return items

    def add_hook(self, event: str, url: str, **options: Any) -> dict[str, Any]:
        hook: dict[str, Any] = self.server.control("/webhooks", "POST", {"event": event, "url": url, **options})[
            "hooks"
        ][0]
        return hook

    def listen(self, event: str = "*") -> list[tuple[str, dict[str, Any]]]:
        """A list that fills with (event name, payload) as the CRM fires ``event`` ("*" = all).

        In-process servers feed it from the event bus; external ones need ``mockcrm_webhook_sink``.
        """
        if self.backend is None:
            raise RuntimeError("listen() needs an in-process server; use mockcrm_webhook_sink with --mockcrm-url")
        seen: list[tuple[str, dict[str, Any]]] = []
        self._unsubscribe.append(self.backend.events.subscribe(event, lambda e: seen.append((e.name, e.payload))))
        return seen

    def stub(
        self, method: str, action: str = "*", body: Any = None, *, raw: str | None = None, **options: Any
    ) -> dict[str, Any]:
        """Answer calls of ``method``/``action`` with ``body`` (JSON) or ``raw`` text until the test ends.

        ``options``: ``params`` (matchers), ``login``, ``transport``, ``status``, ``headers``, ``content_type``,
        ``priority``, ``count``, ``ttl``, ``probability``, ``seed`` (see the rules in the README).
        """
        answer = {"raw": raw} if raw is not None else {"body": body}
        return self._own_rule(self.rules.add("respond", method, action, **answer, **options))

    def patch(self, method: str, action: str = "*", merge: Any = None, **options: Any) -> dict[str, Any]:
        """Change the real answers of ``method``/``action`` until the test ends: a JSON merge patch,
        ``set={"/json/pointer": value}`` and ``remove=["/json/pointer"]``."""
        if merge is not None:
            options["merge"] = merge
        return self._own_rule(self.rules.add("patch", method, action, **options))

    def on(self, event: str, fn: Any) -> None:
        """Run ``fn(payload)`` in process after each action that fires ``event``, until the test ends; an
        exception in it fails the test at its end."""
        self._unsubscribe.append(self._in_process("on").on(event, self._reporting(fn)))

    def filter(self, pattern: str, fn: Any) -> None:
        """Pass the answers of the calls ``pattern`` names (``"client.info"``, ``"client.*"``, ``"*"``) through
        ``fn(call, answer)`` in process until the test ends; it returns the answer to send (None keeps it)."""
        self._unsubscribe.append(self._in_process("filter").filter(pattern, self._reporting(fn)))

    def _own_rule(self, rule: dict[str, Any]) -> dict[str, Any]:
        self._rule_ids.append(int(rule["id"]))
        return rule

    def _in_process(self, what: str) -> Any:
        if self.backend is None:
            raise RuntimeError(f"{what}() runs Python in the server's process; use stub()/patch() with --mockcrm-url")
        return self.backend

    def _reporting(self, fn: Any) -> Any:
        errors = self._hook_errors

        def hook(*args: Any) -> Any:
            try:
                return fn(*args)
            except BaseException as exc:
                errors.append(exc)
                raise

        return hook

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for rule_id in self._rule_ids:
            try:
                self.rules.remove(rule_id)
            except ControlError:
                pass  # spent (count, ttl) or removed by the test
        if self._hook_errors:
            raise self._hook_errors[0]


def _php_pairs(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """``{"filter": {"type": "client"}}`` → ``[("filter[type]", "client")]`` (PHP bracket style)."""
    out: list[tuple[str, str]] = []
    for k, v in params.items():
        name = f"{prefix}[{k}]" if prefix else str(k)
        if isinstance(v, dict):
            out += _php_pairs(v, name)
        elif isinstance(v, list):
            out += _php_pairs({str(i): x for i, x in enumerate(v)}, name)
        elif v is not None:
            out.append((name, "1" if v is True else "0" if v is False else str(v)))
    return out


@pytest.fixture
def mockcrm(mockcrm_server: ServerHandle) -> Iterator[MockCRM]:
    """A freshly reset mock SalesMan CRM for this test."""
    mockcrm_server.control("/reset", "POST", {})
    helper = MockCRM(mockcrm_server)
    yield helper
    helper.close()


# ------------------------------------------------------------------ webhook sink


@dataclass
class Delivery:
    event: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookSink:
    """A local receiver: register ``hook_url`` as a hook and wait for deliveries."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    @property
    def hook_url(self) -> str:
        return self.url + "/hook/{event}"

    def register(self, crm: MockCRM, event: str = "*", **options: Any) -> dict[str, Any]:
        return crm.add_hook(event, self.hook_url, **options)

    def add(self, item: Delivery) -> None:
        with self._cond:
            self.deliveries.append(item)
            self._cond.notify_all()

    def wait_for(self, count: int = 1, event: str | None = None, timeout: float = 10.0) -> list[Delivery]:
        """Wait until ``count`` deliveries (of ``event``) arrived; AssertionError on timeout."""

        def matching() -> list[Delivery]:
            return [d for d in self.deliveries if event is None or d.event == event]

        with self._cond:
            if not self._cond.wait_for(lambda: len(matching()) >= count, timeout):
                got = [d.event for d in self.deliveries]
                raise AssertionError(f"expected {count} deliveries of {event or 'any event'}, got {got}")
            return matching()

    def assert_delivered(self, event: str, payload: dict[str, Any], timeout: float = 10.0) -> None:
        found = [d.payload for d in self.wait_for(1, event, timeout)]
        assert payload in found, f"{event} payload {payload} not among {found}"

    def clear(self) -> None:
        with self._cond:
            self.deliveries.clear()


@pytest.fixture
def mockcrm_webhook_sink() -> Iterator[WebhookSink]:
    sink = WebhookSink()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urllib.parse.urlsplit(self.path).path
            event = urllib.parse.unquote(path.rsplit("/", 1)[-1]) if path.startswith("/hook/") else ""
            sink.add(Delivery(event, path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sink.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ interception


@pytest.fixture
def mockcrm_intercept(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Iterator[Any]:
    """A fresh in-process mockcrm answering every requests/httpx call to the CRM's base URL (no port).

    The URL comes from ``@pytest.mark.mockcrm_intercept("https://crm.example.com")`` or the ini option
    ``mockcrm_intercept_url``; the fixture gives the ``mockcrm.interception.Intercept`` (``url``, ``backend``,
    ``app``, ``control()``).
    """
    from .interception import Intercept

    marker = request.node.get_closest_marker("mockcrm_intercept")
    args: tuple[Any, ...] = marker.args if marker else ()
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    url = args[0] if args else pytestconfig.getini("mockcrm_intercept_url")
    if not url:
        raise pytest.UsageError(
            'mockcrm_intercept needs the CRM base URL: @pytest.mark.mockcrm_intercept("https://crm.example.com") '
            "or the ini option mockcrm_intercept_url"
        )
    settings = _settings_from_ini(pytestconfig.getini("mockcrm_settings"))
    with Intercept(str(url), settings=settings, **options) as crm:
        yield crm
