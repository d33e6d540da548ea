"""Interception: requests and httpx (sync and async) calls to the CRM's base URL answered in process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

import mockcrm
from mockcrm import MockCRMServer, Settings
from mockcrm.interception import Intercept
from tests.conftest import ADMIN, APIKEY
from tests.receiver import Receiver

BASE = "https://crm.example.com"
CREDS = {"login": ADMIN, "apikey": APIKEY}


def _headers(items: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in items if k.lower() not in ("date", "server", "connection")}


@pytest.fixture
def server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings(log_requests=False)) as srv:
        yield srv


def test_requests_answers_are_the_servers_answers_byte_for_byte(server: MockCRMServer) -> None:
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("post", "/developer/v2/client", {"params": {"action": "add", **CREDS}, "data": {"title": "ООО Ромашка"}}),
        ("get", "/developer/v2/client", {"params": {"action": "info", "clid": 1, **CREDS}}),
        ("post", "/developer/v2/client", {"json": {"action": "list"}, "headers": {"Login": ADMIN, "Apikey": APIKEY}}),
        ("get", "/developer/v2/deal", {"params": {"action": "nope", **CREDS}}),
        ("get", "/developer/v2/nosuchmethod", {}),
    ]
    at = {"at": "2030-01-15 09:00:00"}  # the same stamps on both sides (client list shows date_create)
    with requests.Session() as http, mockcrm.intercept(BASE) as crm:
        crm.control("/clock/freeze", "POST", at)
        intercepted = [http.request(m, BASE + path, **kw) for m, path, kw in calls]
        assert crm.control("/health")["counts"]["clientcat"] == 1
    with requests.Session() as http:
        http.post(server.url + "/__mockcrm/clock/freeze", json=at)
        served = [http.request(m, server.url + path, **kw) for m, path, kw in calls]
    for a, b in zip(intercepted, served, strict=True):
        assert (a.status_code, _headers(a.headers.items()), a.content) == (
            b.status_code,
            _headers(b.headers.items()),
            b.content,
        )
    assert intercepted[0].json() == {"result": "Успешно", "data": 1}
    assert intercepted[4].status_code == 404


def test_httpx_sync_and_async() -> None:
    with mockcrm.intercept(BASE) as crm:
        r = httpx.post(f"{BASE}/developer/v2/client", params={"action": "add", **CREDS}, data={"title": "ООО Вектор"})
        assert (r.status_code, r.json()) == (200, {"result": "Успешно", "data": 1})

        async def main() -> Any:
            async with httpx.AsyncClient(base_url=BASE) as client:
                r = await client.post("/developer/v2/client", json={"action": "info", "clid": 1, "fields": "title"},
                                      headers=CREDS)  # fmt: skip
                return r.headers["content-type"], r.json()

        assert asyncio.run(main()) == ("application/json; charset=utf-8", {"data": {"title": "Вектор, ООО"}})
        journal = [(e.method, e.action, e.transport) for e in crm.backend.journal.snapshot()]
        assert journal == [("client", "add", "form"), ("client", "info", "json")]


def test_header_names_reach_the_app_as_the_client_spelled_them() -> None:
    # the real server reads getallheaders() as sent and takes "login" or "Login": both spellings arrive
    with mockcrm.intercept(BASE):
        body = {"action": "list"}
        lower = httpx.post(f"{BASE}/developer/v2/client", json=body, headers={"login": ADMIN, "apikey": APIKEY})
        title = requests.post(f"{BASE}/developer/v2/client", json=body, headers={"Login": ADMIN, "Apikey": APIKEY})
        assert lower.json() == title.json() == {"count": 0}


def test_other_hosts_go_out_or_are_refused(server: MockCRMServer) -> None:
    with mockcrm.intercept(BASE):
        assert requests.get(server.url + "/__mockcrm/health").json()["status"] == "ok"
        assert httpx.get(server.url + "/__mockcrm/health").json()["status"] == "ok"
    with mockcrm.intercept(BASE, others="refuse"):
        with pytest.raises(requests.ConnectionError):
            requests.get(server.url + "/__mockcrm/health")
        with pytest.raises(httpx.ConnectError, match="refused by mockcrm.intercept"):
            httpx.get(server.url + "/__mockcrm/health")
        with pytest.raises(requests.ConnectionError):
            requests.get("https://crm.example.com.other.test/developer/v2/client")
        assert requests.get(f"{BASE}/developer/v2/").status_code == 200  # the CRM's own URL still answers


def test_webhooks_from_an_intercepted_mock_reach_receivers_and_listeners() -> None:
    receiver = Receiver().start()
    try:
        settings = Settings(log_requests=False, webhooks=json.dumps([{"event": "client.add", "url": receiver.url}]))
        with mockcrm.intercept(BASE, settings=settings, others="refuse") as crm:
            seen: list[dict[str, Any]] = []
            crm.backend.on("client.add", seen.append)
            requests.get(f"{BASE}/developer/v2/client", params={"action": "add", "title": "ООО Хук", **CREDS})
            (item,) = receiver.wait_for(1)
        payload = {"clid": "1", "autor": "1", "user": "1", "event": "client.add", "identity": "1", "iduser1": "1"}
        assert json.loads(item.body) == payload
        assert seen == [payload]
    finally:
        receiver.stop()


def test_decorator_and_shared_backend(server: MockCRMServer) -> None:
    @mockcrm.intercept(BASE, backend=server.backend)
    def add() -> Any:
        return requests.get(f"{BASE}/developer/v2/client", params={"action": "add", "title": "ООО Общий", **CREDS})

    assert add().json() == {"result": "Успешно", "data": 1}
    # the same backend answers over HTTP; outside the decorator nothing is intercepted
    r = requests.get(server.api_url + "/client", params={"action": "info", "clid": 1, "fields": "title", **CREDS})
    assert r.json() == {"data": {"title": "Общий, ООО"}}


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="intercept needs a base URL"):
        Intercept("crm.example.com")
    with pytest.raises(ValueError, match="others is 'pass'"):
        Intercept(BASE, others="drop")


def test_the_pytest_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockcrm_intercept_url = https://crm.example.com\n")
    pytester.makepyfile(
        """
import httpx, pytest, requests

CREDS = {"login": "admin@example.com", "apikey": "VaSeZvkTfh5HMjJpNnge1W7Bloim0S"}

def test_from_ini(mockcrm_intercept):
    r = requests.get("https://crm.example.com/developer/v2/client", params={"action": "add", "title": "Ини", **CREDS})
    assert r.json() == {"result": "Успешно", "data": 1}

def test_fresh_each_test(mockcrm_intercept):
    r = httpx.get("https://crm.example.com/developer/v2/client", params={"action": "list", **CREDS})
    assert r.json() == {"count": 0}

@pytest.mark.mockcrm_intercept("http://other.example.org", others="refuse")
def test_marker(mockcrm_intercept):
    assert mockcrm_intercept.url == "http://other.example.org"
    with pytest.raises(requests.ConnectionError):
        requests.get("https://crm.example.com/developer/v2/client")
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_the_fixture_without_a_url_is_a_usage_error(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile("def test_x(mockcrm_intercept):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*mockcrm_intercept needs the CRM base URL*"])


def _doc_blocks(name: str) -> list[str]:
    doc = (Path(__file__).resolve().parent.parent / "docs" / name).read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in doc.split("```python\n")[1:]]


def test_docs_rules_hooks_interception_examples_run(pytester: pytest.Pytester) -> None:
    tests, script = _doc_blocks("rules-hooks-interception.md")
    pytester.makepyfile(test_readme_examples=tests)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=4)
    pytester.makepyfile(
        readme_script=script
        + "\n    import urllib.request\n"
        + (
            "    urllib.request.urlopen(srv.api_url + '/client?action=add&title=X&login=admin@example.com"
            "&apikey=VaSeZvkTfh5HMjJpNnge1W7Bloim0S').read()\n"
        )
    )
    result = pytester.runpython(pytester.path / "readme_script.py")
    assert (result.ret, result.outlines) == (0, ["client 1 added"])
