"""A dead or slow webhook receiver, seen from the API: answers wait at most the webhook timeout
and every delivery attempt still ends up in the delivery log."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from mockcrm import MockCRMServer, Settings
from tests.conftest import ADMIN, APIKEY
from tests.receiver import Receiver

TIMEOUT = 0.3
#: an answer may take the webhook timeout plus this much for the request itself (loaded CI machines)
SLACK = 1.5


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def held_receiver() -> Iterator[Receiver]:
    r = Receiver(hold=True).start()  # takes the request and never answers until released
    yield r
    r.stop()


def timed_add(srv: MockCRMServer, title: str) -> tuple[float, int]:
    query = urllib.parse.urlencode({"action": "add", "login": ADMIN, "apikey": APIKEY, "title": title})
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
    started = time.monotonic()
    try:
        conn.request("GET", f"/developer/v2/client?{query}")
        body = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    assert body["result"] == "Успешно", body
    return time.monotonic() - started, int(body["data"])


@pytest.mark.parametrize("kind", ["dead", "slow"])
def test_a_bad_receiver_bounds_api_latency_and_loses_no_delivery(kind: str, held_receiver: Receiver) -> None:
    url = closed_port_url() if kind == "dead" else held_receiver.url + "/hook"
    settings = Settings(log_requests=False, webhooks=json.dumps([{"event": "*", "url": url}]), webhook_timeout=TIMEOUT)
    with MockCRMServer(settings) as srv:
        results: list[tuple[float, int]] = []
        lock = threading.Lock()

        def adder(t: int) -> None:
            for i in range(2):
                result = timed_add(srv, f"Поток {t} клиент {i}")
                with lock:
                    results.append(result)

        threads = [threading.Thread(target=adder, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(results) == 8
        slowest = max(took for took, _ in results)
        assert slowest < TIMEOUT + SLACK, f"an answer took {slowest:.2f} s"

        dispatcher = srv.backend.webhooks
        assert dispatcher.drain(30)
        log = dispatcher.log.entries(event="client.add")
        assert sorted(json.loads(d.body)["clid"] for d in log) == sorted(str(clid) for _, clid in results)
        assert all(not d.ok and d.status is None and d.response == "" for d in log)
        expected = "ConnectionRefusedError" if kind == "dead" else "TimeoutError: timed out"
        assert all(d.error is not None and d.error.startswith(expected) for d in log), [d.error for d in log]
        if kind == "slow":
            assert len(held_receiver.wait_for(8)) == 8  # every delivery reached the receiver
