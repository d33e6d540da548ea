"""Limits: an oversized body gets a clear 413; the journal and the delivery log stay bounded."""

from __future__ import annotations

import gc
import http.client
import io
import json
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from mockcrm import MockCRMServer, Settings, create_app
from tests.conftest import ADMIN, APIKEY

MB10 = 10 * 1024 * 1024


def test_max_body_default_is_10_mb_and_env_sets_it() -> None:
    assert Settings.from_env({}).max_body == MB10
    assert Settings.from_env({"MOCKCRM_MAX_BODY": "2048"}).max_body == 2048


def test_a_body_over_10_mb_gets_413_with_a_short_json_error(client: FlaskClient) -> None:
    headers = {"Content-Type": "application/json", "apikey": APIKEY, "login": ADMIN}
    r = client.post("/developer/v2/client", data=b" " * (MB10 + 1), headers=headers)
    assert r.status_code == 413 and r.content_type == "application/json"
    assert r.get_json() == {
        "error": f"request body too large: {MB10 + 1} bytes, the limit is {MB10} (MOCKCRM_MAX_BODY)"
    }
    # exactly the limit is still read: a blank JSON body is "no params" → 402
    r = client.post("/developer/v2/client", data=b" " * MB10, headers=headers)
    assert r.status_code == 200 and r.get_json() == {"error": {"code": 402, "text": "Неизвестный метод"}}


def test_the_control_plane_is_not_limited() -> None:
    app = create_app(Settings(log_requests=False, max_body=100))
    state = app.test_client().get("/__mockcrm/state/export").data
    assert len(state) > 100
    r = app.test_client().post("/__mockcrm/state/import", data=state, content_type="application/json")
    assert r.status_code == 200


@pytest.fixture
def small_limit_server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings(log_requests=False, max_body=1000)) as srv:
        yield srv


def _post(srv: MockCRMServer, body: Any, **kwargs: Any) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.request("POST", "/developer/v2/client", body=body, headers={"Content-Type": "text/plain"}, **kwargs)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_over_a_socket_with_content_length_and_chunked(small_limit_server: MockCRMServer) -> None:
    status, body = _post(small_limit_server, b"x" * 5000)
    assert (status, json.loads(body)["error"]) == (
        413,
        "request body too large: 5000 bytes, the limit is 1000 (MOCKCRM_MAX_BODY)",
    )
    # a chunked body has no Content-Length: it is read one byte past the limit
    status, body = _post(small_limit_server, iter([b"a=1&" * 100] * 10), encode_chunked=True)
    assert (status, json.loads(body)["error"]) == (
        413,
        "request body too large: over 1000 bytes, the limit is 1000 (MOCKCRM_MAX_BODY)",
    )
    status, body = _post(small_limit_server, iter([b"a=1&" * 100, b"x" * 600]), encode_chunked=True)
    assert status == 200  # 1000 bytes: fine
    status, body = _post(small_limit_server, b"x" * 1000)
    assert (status, json.loads(body)["error"]["code"]) == (200, 401)


# ------------------------------------------------------------------ bounded over 100,000 requests


def _caller(app: Flask) -> Callable[[str], bytes]:
    """Call the WSGI app directly with a prepared environ: the Flask test client's own cost is 3x."""
    fixed: dict[str, dict[str, Any]] = {}

    def call(query: str, keep: bool = True) -> bytes:
        base = fixed.get(query)
        if base is None:
            base = EnvironBuilder(path="/developer/v2/client", query_string=query).get_environ()
            if keep:
                fixed[query] = base
        environ = dict(base, **{"wsgi.input": io.BytesIO()})
        return b"".join(app(environ, lambda status, headers, exc_info=None: None))

    return call


def test_journal_and_delivery_log_stay_bounded_over_100000_requests() -> None:
    """2,000 cycles of 50 API requests: 48 rejected calls (401, 402), a client add and its delete
    (two webhook deliveries, logged; the hook has no URL, so nothing leaves the process).  The
    store ends as it started; the journal (500) and the delivery log (50) must stay at their size:
    the memory still held from the last 3,000 requests is the same after 1,500 as after 3,000
    of them (tracemalloc), and the allocated blocks after 10,000 and 97,000 requests agree."""
    hooks = json.dumps([{"event": "*", "url": ""}])
    app = create_app(Settings(log_requests=False, webhooks=hooks, journal_size=500, webhook_log_size=50))
    backend = app.extensions["mockcrm"]
    call = _caller(app)
    creds = f"login={ADMIN}&apikey={APIKEY}"

    def cycle(n: int) -> None:
        for _ in range(24):
            call("action=list")  # 401
            call(f"action=nope&{creds}")  # 402
        clid = json.loads(call(f"action=add&{creds}&title=Клиент {n}", keep=False))["data"]
        deleted = json.loads(call(f"action=delete&{creds}&clid={clid}", keep=False))
        assert deleted["result"] == "Клиент удален"

    blocks: list[int] = []
    gc.collect()
    gc.freeze()  # the collector need not walk what earlier tests left on the heap: the time stays ~20 s
    try:
        for n in range(1_940):
            cycle(n)
            if n in (199, 1_939):
                gc.collect()
                blocks.append(sys.getallocatedblocks())
        tracemalloc.start()
        for n in range(1_940, 1_970):
            cycle(n)
        half, _ = tracemalloc.get_traced_memory()
        for n in range(1_970, 2_000):
            cycle(n)
        full, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        gc.unfreeze()
    assert backend.journal.entries()[-1].id == 100_000 and len(backend.journal) == 500
    assert len(backend.webhooks.log) == 50 and backend.webhooks.log.entries()[-1].id == 4_000
    assert len(backend.accounts[1].tables["clientcat"]) == 0
    assert abs(full - half) <= 0.1 * half, (half, full)
    assert abs(blocks[1] - blocks[0]) <= 0.1 * blocks[0], blocks
