"""Security basics: apikeys stay out of logs and the journal, the admin token, a loopback default."""

from __future__ import annotations

import json
import logging
import signal
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

import pytest

from mockcrm import MockCRMServer, Settings, create_app
from mockcrm.journal import mask_params
from tests.conftest import ADMIN, APIKEY, spawn_serve

WRONG = "Wr0ngKeyThatMustNotLeak"


Post = Callable[[str, str, bytes, dict[str, str]], None]


def _calls(post: Post) -> None:
    """The same secrets through every transport: query, form, JSON headers, JSON body, nested."""
    for key in (APIKEY, WRONG, APIKEY.lower()):
        query = urllib.parse.urlencode({"action": "list", "login": ADMIN, "apikey": key})
        post("GET", f"/developer/v2/client?{query}", b"", {})
        post("POST", "/developer/v2/deal", query.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
        headers = {"Content-Type": "application/json", "apikey": key, "login": ADMIN}
        post("POST", "/developer/v2/task", b'{"action":"list"}', headers)
        body = json.dumps({"action": "fields", "apikey": key, "login": ADMIN, "Apikey": key}).encode()
        post("POST", "/developer/v2/person", body, {"Content-Type": "application/json"})
        post("GET", f"/developer/v2/nosuchmethod?apikey={key}", b"", {})
        # a fatal page
        post("GET", f"/developer/v2/client?action=delete&login={ADMIN}&apikey={key}", b"", {})


def test_apikeys_never_reach_the_request_log_or_the_journal(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(Settings(log_requests=True))
    client = app.test_client()

    def post(method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        assert client.open(path, method=method, data=body, headers=headers).status_code in (200, 404)

    with caplog.at_level(logging.DEBUG):
        _calls(post)
    assert len(caplog.records) == 18
    logged = "\n".join(r.getMessage() for r in caplog.records)
    journal = client.get("/__mockcrm/requests").data.decode()
    entries = json.loads(journal)["requests"]
    assert len(entries) == 15  # every API call but the 404s is journaled ...
    assert sum(e["params"].get("apikey") == "***" for e in entries) == 12  # ... keys in params masked
    for secret in (APIKEY, WRONG, APIKEY.lower()):
        assert secret not in logged and secret not in journal


def _raw(url: str, request: bytes) -> bytes:
    """One request written byte by byte; the whole answer (the server closes the connection)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


@pytest.mark.parametrize("server", ["werkzeug", "waitress"])
def test_apikeys_never_reach_the_server_stderr(server: str) -> None:
    proc, url = spawn_serve("--port", "0", "--server", server)  # request logging on
    try:
        for key in (APIKEY, WRONG):
            # requests that cannot be read: a bad chunk header (400 from the app under werkzeug, from the
            # server under waitress) and a bad header line
            head = f"POST /developer/v2/client?action=list&login={ADMIN}&apikey={key} HTTP/1.1\r\nHost: x\r\n"
            bad_chunk = _raw(url, (head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n").encode())
            assert bad_chunk.startswith(b"HTTP/1.1 400 ")
            bad_header = _raw(url, (head + "Bad Header\r\nConnection: close\r\n\r\n").encode())
            # werkzeug skips the line and answers the call; waitress refuses the request itself
            assert bad_header.split(b"\r\n", 1)[0] in (b"HTTP/1.1 200 OK", b"HTTP/1.0 400 Bad Request")

        def post(method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
            req = urllib.request.Request(url + path, data=body or None, method=method, headers=headers)
            try:
                urllib.request.urlopen(req, timeout=10).read()
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
                exc.close()

        _calls(post)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert err.count(" -> ") == {"werkzeug": 22, "waitress": 18}[server]  # one log line per request the app saw ...
    for secret in (APIKEY, WRONG, APIKEY.lower()):
        assert secret not in err  # ... none with a key


def _status(url: str, method: str = "GET", token: str | None = None) -> int:
    req = urllib.request.Request(url, method=method, data=b"{}" if method == "POST" else None)
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


def test_admin_token_guards_every_control_endpoint_but_not_the_api() -> None:
    # tests/test_cli.py covers health (open), a GET without a token and the right token
    with MockCRMServer(Settings(log_requests=False, admin_token="s3cret")) as srv:
        for path, method in [
            ("/__mockcrm/reset", "POST"),
            ("/__mockcrm/requests", "GET"),
            ("/__mockcrm/webhooks", "GET"),
        ]:
            assert _status(srv.url + path, method) == 401
            assert _status(srv.url + path, method, token="wrong") == 401
            assert _status(srv.url + path, method, token="S3CRET") == 401
            assert _status(srv.url + path, method, token="s3cret") == 200
        query = urllib.parse.urlencode({"action": "list", "login": ADMIN, "apikey": APIKEY})
        with urllib.request.urlopen(f"{srv.api_url}/client?{query}", timeout=10) as r:
            assert json.loads(r.read()) == {"count": 0}


def test_outside_docker_the_server_binds_loopback_only() -> None:
    assert Settings.from_env({}).host == "127.0.0.1"
    proc, url = spawn_serve("--port", "0", "--quiet")
    try:
        assert url.startswith("http://127.0.0.1:"), url
        port = int(url.rsplit(":", 1)[1])
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        # another address of this machine (also loopback on Linux) is not listened on
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)


@pytest.mark.parametrize(
    ("params", "masked"),
    [
        ({"action": "info", "apikey": "s", "login": "a"}, {"action": "info", "apikey": "***", "login": "a"}),
        ({"ApiKey": "s"}, {"ApiKey": "***"}),
        ({"APIKEY": "s", "apikey": "t"}, {"APIKEY": "***", "apikey": "***"}),
        ({"xapikey": "s", "apikey": "t"}, {"xapikey": "s", "apikey": "***"}),
        ({"api_key": "s", "apikey ": "t", "Api-Key": "u"}, {"api_key": "***", "apikey ": "***", "Api-Key": "***"}),
        (
            {"client": {"apikey": "s", "rows": [{"API_KEY": "t", "n": 1}]}},
            {"client": {"apikey": "***", "rows": [{"API_KEY": "***", "n": 1}]}},
        ),  # fmt: skip
        ({"action": "list"}, {"action": "list"}),
        ({}, {}),
    ],
)
def test_the_journal_masks_every_spelling_of_apikey(params: dict[str, object], masked: dict[str, object]) -> None:
    assert mask_params(params) == masked


def test_the_journal_masks_the_apikey_inside_any_value_in_any_case() -> None:
    params = {"note": "key=SeCrEt-1 and more", "rows": [["x secret-1"]], "n": 5, "other": "secret-2"}
    assert mask_params(params, ["secret-1", ""]) == {
        "note": "key=*** and more",
        "rows": [["x ***"]],
        "n": 5,
        "other": "secret-2",
    }


def test_a_body_nested_as_deep_as_php_accepts_is_journaled() -> None:
    app = create_app(Settings(log_requests=False))
    c = app.test_client()
    body = "[" * 500 + "]" * 500
    payload = f'{{"action": "nope", "login": "{ADMIN}", "apikey": "{APIKEY}", "deep": {body}}}'
    c.post("/developer/v2/client", data=payload, content_type="application/json")
    r = c.get("/__mockcrm/requests")
    assert r.status_code == 200
    (entry,) = r.get_json()["requests"]
    deep, depth = entry["params"]["deep"], 1
    while deep:
        (deep,), depth = deep, depth + 1
    assert (entry["action"], entry["params"]["apikey"], depth) == ("nope", "***", 500)
