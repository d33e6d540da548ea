"""Slow or idle clients cannot starve the server, in both server modes.

50 sockets stay open the whole test: half sent one byte of a request and stopped, half sent
nothing. Health and the API must still answer every call (the former gunicorn server stalled
while 8 such sockets were open: one per request thread).
"""

from __future__ import annotations

import json
import socket
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from tests.conftest import ADMIN, APIKEY, spawn_serve, stop_serve

SLOW_SOCKETS = 50


@pytest.fixture(params=["werkzeug", "waitress"])
def base_url(request: pytest.FixtureRequest) -> Iterator[str]:
    proc, url = spawn_serve("--port", "0", "--server", request.param, "--quiet")
    try:
        yield url
    finally:
        stop_serve(proc)


def test_health_and_the_api_answer_while_50_slow_sockets_are_open(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    sockets = []
    try:
        for i in range(SLOW_SOCKETS):
            sock = socket.create_connection((host, int(port)), timeout=10)
            if i % 2:
                sock.sendall(b"G")  # the first byte of a request line, then nothing more
            sockets.append(sock)
        for n in range(3):
            with urllib.request.urlopen(f"{base_url}/__mockcrm/health", timeout=5) as resp:
                assert json.loads(resp.read())["status"] == "ok"
            query = urllib.parse.urlencode(
                {"action": "add", "login": ADMIN, "apikey": APIKEY, "title": f"ООО Тест {n}"}
            )
            with urllib.request.urlopen(f"{base_url}/developer/v2/client?{query}", timeout=5) as resp:
                assert json.loads(resp.read())["result"] == "Успешно"
    finally:
        for sock in sockets:
            sock.close()
