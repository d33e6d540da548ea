"""Concurrency over real HTTP: parallel adds lose nothing, parallel updates never tear a record."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mockcrm import MockCRMServer, Settings
from tests.conftest import ADMIN, APIKEY

THREADS = 8
ADDS_PER_THREAD = 500


@pytest.fixture
def server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings(log_requests=False)) as srv:
        yield srv


def api(srv: MockCRMServer) -> Callable[..., Any]:
    """A GET API call over a socket (the werkzeug server speaks HTTP/1.0: one connection a call)."""

    def call(action: str, **params: Any) -> Any:
        query = urllib.parse.urlencode({"action": action, "login": ADMIN, "apikey": APIKEY, **params})
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
        try:
            conn.request("GET", f"/developer/v2/client?{query}")
            resp = conn.getresponse()
            assert resp.status == 200
            return json.loads(resp.read())
        finally:
            conn.close()

    return call


def run_threads(targets: list[Callable[[], None]]) -> float:
    """Start all targets at once (a barrier), wait for them; re-raise the first failure."""
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            barrier.wait()
            try:
                fn()
            except BaseException as exc:  # surfaced in the main thread below
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def test_8_threads_x_500_adds_make_exactly_4000_clients_with_consistent_history(server: MockCRMServer) -> None:
    call = api(server)
    ids: list[list[int]] = [[] for _ in range(THREADS)]

    def adder(t: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(ADDS_PER_THREAD):
                body = call("add", title=f"Поток {t} клиент {i}")
                assert body["result"] == "Успешно", body
                ids[t].append(body["data"])

        return run

    run_threads([adder(t) for t in range(THREADS)])
    total = THREADS * ADDS_PER_THREAD
    returned = [clid for per_thread in ids for clid in per_thread]
    assert len(returned) == total and len(set(returned)) == total
    assert all(per_thread == sorted(per_thread) for per_thread in ids)  # ids grow within a thread

    account = server.backend.accounts[1]
    clients = account.tables["clientcat"]
    assert sorted(clients.rows) == sorted(returned) == list(range(1, total + 1))
    assert clients.next_id == total + 1
    assert call("list")["count"] == total

    history = account.tables["history"]
    added = [row for row in history.rows.values() if row["des"] == "Добавлен клиент"]
    per_client = Counter(row["clid"] for row in added)
    assert len(added) == len(history) == total
    assert set(per_client) == set(returned) and set(per_client.values()) == {1}
    # one shared counter: history ids are 1..4000 without gaps or repeats
    assert sorted(history.rows) == list(range(1, total + 1)) and history.next_id == total + 1
    assert all(row["cid"] == cid for cid, row in history.rows.items())


UPDATES = 100


def test_concurrent_updates_of_one_client_never_tear_it(server: MockCRMServer) -> None:
    """Writers update overlapping field groups of one client; readers read it meanwhile.

    Group "contact" (phone, fax) is written by writers 0 and 1, group "web" (site_url, mail_url)
    by writers 2 and 3, "address" by writers 4 and 5 (together with phone, overlapping "contact").
    Every write carries its writer and step in each value, so a torn record shows as two fields
    of one group written by different writes.
    """
    call = api(server)
    clid = call("add", title="ООО Общий")["data"]
    fields = "phone,fax,site_url,mail_url,address"

    def contact(w: int, k: int) -> dict[str, str]:
        return {"phone": f"7{w}{k:04d}", "fax": f"8{w}{k:04d}"}

    def web(w: int, k: int) -> dict[str, str]:
        return {"site_url": f"w{w}k{k}.ru", "mail_url": f"w{w}k{k}@example.com"}

    def address(w: int, k: int) -> dict[str, str]:
        return {"address": f"Адрес {w}-{k}", "phone": f"9{w}{k:04d}"}

    groups = [contact, contact, web, web, address, address]

    def writer(w: int) -> Callable[[], None]:
        def run() -> None:
            for k in range(UPDATES):
                body = call("update", clid=clid, **groups[w](w, k))
                assert body["result"] == "Успешно" and body["data"] == clid, body

        return run

    def check(record: dict[str, str]) -> None:
        assert record["phone"][1:] == record["fax"][1:] or record["phone"][0] == "9", record
        assert record["mail_url"].startswith(record["site_url"].removesuffix(".ru") + "@"), record
        if record["phone"][0] == "9":  # written by an address writer, together with the address
            assert record["address"] == "Адрес {}-{}".format(record["phone"][1], int(record["phone"][2:])), record

    reads: list[int] = []

    def reader() -> None:
        for _ in range(UPDATES):
            record = call("info", clid=clid, fields=fields)["data"]
            if record.get("phone") and record.get("site_url"):
                check(record)
                reads.append(1)

    call("update", clid=clid, **contact(9, 0), **web(9, 0))  # every group has a value before readers start
    run_threads([writer(w) for w in range(len(groups))] + [reader, reader])
    final = call("info", clid=clid, fields=fields)["data"]
    check(final)
    last = UPDATES - 1
    # the last write of some writer wins each field, as a whole
    assert (final["site_url"], final["mail_url"]) in [tuple(web(w, last).values()) for w in (2, 3)]
    assert final["address"] in [address(w, last)["address"] for w in (4, 5)]
    assert final["fax"] in [contact(w, last)["fax"] for w in (0, 1)]
    assert len(reads) == 2 * UPDATES
