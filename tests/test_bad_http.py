"""Malformed or oversized HTTP requests get a 4xx and a closed connection, never a 500, in both server modes.

Each case is written byte by byte on a raw socket: a multipart body with a field past werkzeug's
500 KB default or more than 1,000 parts (both are PHP-legal: only post_max_size bounds them), a
chunked body with a bad chunk header, and a body shorter than its Content-Length.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from mockcrm import MockCRMServer, Settings
from tests.conftest import ADMIN, APIKEY, spawn_serve, stop_serve

UNKNOWN_ACTION = {"error": {"code": 402, "text": "Неизвестный метод"}}
BOUNDARY = "b0undary"
MAX_BODY = 2_000_000


#: the addresses of werkzeug servers (the others are waitress)
WERKZEUG: set[tuple[str, int]] = set()


@pytest.fixture(scope="module", params=["werkzeug", "waitress"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    if request.param == "werkzeug":
        with MockCRMServer(Settings(log_requests=False, max_body=MAX_BODY)) as srv:
            WERKZEUG.add((srv.host, srv.port))
            yield srv.host, srv.port
        return
    proc, url = spawn_serve("--port", "0", "--server", "waitress", "--quiet", env={"MOCKCRM_MAX_BODY": str(MAX_BODY)})
    try:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        yield host, int(port)
    finally:
        stop_serve(proc)


def exchange(address: tuple[str, int], head: str, body: bytes = b"", half_close: bool = False) -> tuple[int, bytes]:
    """Send one raw request; (status, body) of the answer, or (0, b"") when the server closed the
    connection without one."""
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                assert data == b"", f"answer cut short: {data!r}"
                return 0, b""  # closed without an answer
            data += chunk
        header, rest = data.split(b"\r\n\r\n", 1)
        length = next(
            int(line.split(b":", 1)[1]) for line in header.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "answer cut short"
            rest += chunk
        return int(header.split(b" ", 2)[1]), rest[:length]


def multipart(fields: list[tuple[str, str]]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n' for name, value in fields
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def post_head(length: int | None, content_type: str, extra: str = "") -> str:
    size = f"Content-Length: {length}\n" if length is not None else ""
    return (
        f"POST /developer/v2/client HTTP/1.1\nHost: x\nContent-Type: {content_type}\n{size}{extra}Connection: close\n"
    )


CREDENTIALS = [("login", ADMIN), ("apikey", APIKEY), ("action", "nope")]


def test_a_multipart_field_past_500_kb_is_read_like_php_reads_it(server: tuple[str, int]) -> None:
    body = multipart([*CREDENTIALS, ("title", "я" * 400_000)])  # 800 KB of UTF-8
    status, answer = exchange(server, post_head(len(body), f"multipart/form-data; boundary={BOUNDARY}"), body)
    assert (status, json.loads(answer)) == (200, UNKNOWN_ACTION)


def test_a_multipart_body_of_3000_parts_is_read_like_php_reads_it(server: tuple[str, int]) -> None:
    body = multipart([*CREDENTIALS, *((f"f{i}", "1") for i in range(3000))])
    status, answer = exchange(server, post_head(len(body), f"multipart/form-data; boundary={BOUNDARY}"), body)
    assert (status, json.loads(answer)) == (200, UNKNOWN_ACTION)


def test_a_multipart_body_over_the_limit_is_413(server: tuple[str, int]) -> None:
    body = multipart([*CREDENTIALS, ("title", "x" * MAX_BODY)])
    status, answer = exchange(server, post_head(len(body), f"multipart/form-data; boundary={BOUNDARY}"), body)
    text = f"request body too large: {len(body)} bytes, the limit is {MAX_BODY} (MOCKCRM_MAX_BODY)"
    assert (status, json.loads(answer)) == (413, {"error": text})


def test_a_bad_chunk_header_is_400(server: tuple[str, int]) -> None:
    head = post_head(None, "application/x-www-form-urlencoded", "Transfer-Encoding: chunked\n")
    status, answer = exchange(server, head, b"zz\r\naction=nope\r\n0\r\n\r\n")
    assert status == 400
    assert b"Traceback" not in answer and APIKEY.encode() not in answer


def test_a_body_shorter_than_its_content_length_is_400_or_closed(server: tuple[str, int]) -> None:
    head = post_head(100, "application/x-www-form-urlencoded")
    status, answer = exchange(server, head, b"action=nope", half_close=True)
    # werkzeug hands the short body to the app, which answers 400; waitress never runs a request
    # whose body did not arrive and closes the connection when the client stops sending
    expected = (400, b'{"error": "bad request body: the body is shorter than its Content-Length"}')
    assert (status, answer) == (expected if server in WERKZEUG else (0, b""))
