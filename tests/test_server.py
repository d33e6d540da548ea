"""A real HTTP server: header-name spellings as under mod_php, health and reset, the CLI."""

from __future__ import annotations

import http.client
import json
import re
import signal
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockcrm import MockCRMServer, Settings
from tests.conftest import ADMIN, APIKEY, spawn_serve

UNKNOWN_USER = {"result": "Error", "error": {"code": 401, "text": "Неизвестный пользователь"}}
UNKNOWN_ACTION = {"error": {"code": 402, "text": "Неизвестный метод"}}


@pytest.fixture(scope="module")
def server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings(log_requests=False)) as srv:
        yield srv


def send(srv: MockCRMServer, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b"") -> object:
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)  # names exactly as given
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


BODY = json.dumps({"action": "nope"}).encode()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([("Content-Type", "application/json"), ("apikey", APIKEY), ("login", ADMIN)], UNKNOWN_ACTION),
        ([("Content-Type", "application/json"), ("Apikey", APIKEY), ("Login", ADMIN)], UNKNOWN_ACTION),
        ([("content-type", "application/json"), ("apikey", APIKEY), ("login", ADMIN)], UNKNOWN_ACTION),
        # real server: getallheaders() keeps the client's spelling under mod_php (protocol.md §2.1)
        ([("Content-Type", "application/json"), ("APIKEY", APIKEY), ("LOGIN", ADMIN)], UNKNOWN_USER),
        ([("CONTENT-TYPE", "application/json"), ("apikey", APIKEY), ("login", ADMIN)], UNKNOWN_USER),
        ([("Content-Type", "APPLICATION/JSON"), ("apikey", APIKEY), ("login", ADMIN)], UNKNOWN_USER),
    ],
)
def test_header_name_spelling(server: MockCRMServer, headers: list[tuple[str, str]], expected: object) -> None:
    assert send(server, "POST", "/developer/v2/client", headers, BODY) == expected


def test_health_and_reset(server: MockCRMServer) -> None:
    health = send(server, "GET", "/__mockcrm/health", [])
    assert isinstance(health, dict) and (health["status"], health["edition"]) == ("ok", "box")
    assert send(server, "POST", "/__mockcrm/reset", []) == {"status": "ok", "fixture": "fresh-install"}


def test_control_plane_is_not_reachable_through_the_api(server: MockCRMServer) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("GET", "/developer/v2/__mockcrm/health")
    assert conn.getresponse().status == 404
    conn.close()


def test_cli_serve_prints_credentials_answers_and_stops_on_sigterm() -> None:
    proc, url = spawn_serve(env={"MOCKCRM_PORT": "0"})
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(7)]
        assert lines[0] == f"  apikey: {APIKEY}\n"
        assert lines[1] == f"  login:  {ADMIN}  (Руководитель организации)\n"
        assert lines[5] == f"  look:   {url}/__mockcrm/ui/  (the dashboard; API reference at {url}/__mockcrm/docs)\n"
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", f"/developer/v2/client?action=nope&login={ADMIN}&apikey={APIKEY}")
        assert json.loads(conn.getresponse().read()) == UNKNOWN_ACTION
        conn.close()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert "mockcrm stopped." in out
        # one log line per request, never the apikey
        assert "GET /developer/v2/client action=nope -> 200" in err
        assert APIKEY not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_drop_fault_closes_the_connection(server: MockCRMServer) -> None:
    send(server, "POST", "/__mockcrm/reset", [])
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("POST", "/__mockcrm/faults", body=json.dumps({"kind": "drop", "method": "deal"}), headers=JSON_HDR)
    assert conn.getresponse().status == 201
    conn.close()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        send(server, "GET", f"/developer/v2/deal?action=list&login={ADMIN}&apikey={APIKEY}", [])
    send(server, "POST", "/__mockcrm/reset", [])


def test_drop_fault_closes_the_connection_under_waitress_too() -> None:
    proc, url = spawn_serve("--server", "waitress", "--port", "0", "--quiet")
    try:
        host, port = url.removeprefix("http://").split(":")
        srv = MockCRMServer.__new__(MockCRMServer)
        srv.host, srv.port = host, int(port)
        fault = json.dumps({"kind": "drop", "method": "deal"}).encode()
        assert send(srv, "POST", "/__mockcrm/faults", list(JSON_HDR.items()), fault)["faults"][0]["kind"] == "drop"
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            send(srv, "GET", f"/developer/v2/deal?action=list&login={ADMIN}&apikey={APIKEY}", [])
        assert send(srv, "GET", f"/developer/v2/client?action=nope&login={ADMIN}&apikey={APIKEY}", []) == UNKNOWN_ACTION
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)


def test_latency_fault_does_not_block_other_requests(server: MockCRMServer) -> None:
    import threading

    send(server, "POST", "/__mockcrm/reset", [])
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    fault = {"kind": "latency", "method": "deal", "latency": 2}
    conn.request("POST", "/__mockcrm/faults", body=json.dumps(fault), headers=JSON_HDR)
    assert conn.getresponse().status == 201
    conn.close()
    slow = threading.Thread(
        target=send, args=(server, "GET", f"/developer/v2/deal?action=nope&login={ADMIN}&apikey={APIKEY}", [])
    )
    slow.start()
    fast = send(server, "GET", f"/developer/v2/client?action=nope&login={ADMIN}&apikey={APIKEY}", [])
    assert fast == UNKNOWN_ACTION
    assert slow.is_alive()  # the delayed call is still sleeping, yet the other one was answered
    slow.join(10)
    send(server, "POST", "/__mockcrm/reset", [])


JSON_HDR = {"Content-Type": "application/json"}


def test_waitress_server_keeps_header_spellings_and_stops_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    (tmp_path / f".state.json.{12345}.tmp").write_text("{", encoding="utf-8")  # left by a killed save
    proc, url = spawn_serve("--server", "waitress", "--port", "0", "--state-file", str(state))
    try:
        host, port = url.removeprefix("http://").split(":")
        srv = MockCRMServer.__new__(MockCRMServer)
        srv.host, srv.port = host, int(port)
        good = [("Content-Type", "application/json"), ("Apikey", APIKEY), ("Login", ADMIN)]
        bad = [("Content-Type", "application/json"), ("APIKEY", APIKEY), ("LOGIN", ADMIN)]
        assert send(srv, "POST", "/developer/v2/client", good, BODY) == UNKNOWN_ACTION
        assert send(srv, "POST", "/developer/v2/client", bad, BODY) == UNKNOWN_USER
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        name = re.escape(str(state))
        saved = f"saving the state to {name} \\.\\.\\.\nstate saved to {name} \\([0-9.]+ MB in [0-9.]+ s\\)\n"
        saved += "mockcrm stopped.\n$"
        assert re.search(saved, out), out
        assert json.loads(state.read_text(encoding="utf-8"))["format"] == "mockcrm-state/1"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_the_former_gunicorn_setting_serves_with_waitress() -> None:
    proc, url = spawn_serve("--port", "0", "--quiet", env={"MOCKCRM_SERVER": "gunicorn"})
    try:
        with urllib.request.urlopen(f"{url}/__mockcrm/health", timeout=10) as resp:
            assert json.loads(resp.read())["status"] == "ok"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert "the gunicorn server was replaced by waitress; serving with waitress" in err
    assert out.endswith("mockcrm stopped.\n")
