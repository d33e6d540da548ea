"""mockcrm diff: mock against mock agrees, one seed gives one sequence, a planted difference is found,
shrunk, written (scenario + recording + report) and accepted once the allowlist names it."""

from __future__ import annotations

import datetime as dt
import http.client
import http.server
import json
import socketserver
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mockcrm import MockCRMServer, Settings
from mockcrm.cli import main
from mockcrm.difftest import generate
from mockcrm.difftest.actions import ACTIONS
from mockcrm.difftest.allowlist import Allowlist
from mockcrm.difftest.normalize import Side, diff_paths, norm_pair
from mockcrm.difftest.runner import fatal_cause
from mockcrm.difftest.session import UNSTABLE
from mockcrm.difftest.shrink import Budget, shrink
from mockcrm.difftest.transport import TRANSPORTS, USERS


@pytest.fixture
def pair() -> Iterator[tuple[MockCRMServer, MockCRMServer]]:
    settings = Settings(log_requests=False)
    with MockCRMServer(settings) as a, MockCRMServer(settings) as b:
        yield a, b


class _Proxy(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def planted_proxy(upstream: str, times: int | None = None, resets: int | None = None) -> _Proxy:
    """A proxy in front of a mockcrm that appends "!" to data.title of every client info answer
    (only of the first ``times`` ones when given: a difference that comes and goes); with ``resets``,
    the resets after that many answer 503 (a target that goes away mid-run)."""
    target = urllib.parse.urlsplit(upstream)
    planted = [0]
    reset_count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else None
            if self.path.startswith("/__mockcrm/reset") and resets is not None:
                reset_count[0] += 1
                if reset_count[0] > resets:
                    self.send_response_only(503)
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    return
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() not in ("connection", "content-length"):
                    conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            raw = r.read()
            conn.close()
            query = urllib.parse.urlsplit(self.path).query + "&" + (body or b"").decode("utf-8", "replace")
            info = "/client" in self.path and ("action=info" in query or '"action": "info"' in query)
            if info and (times is None or planted[0] < times):
                try:
                    doc = json.loads(raw)
                    doc["data"]["title"] += "!"
                    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
                    planted[0] += 1
                except (ValueError, KeyError, TypeError):
                    pass
            self.send_response_only(r.status)
            for k, v in r.getheaders():
                if k.lower() not in ("content-length", "connection", "server", "date"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(raw)
            self.close_connection = True

        do_GET = do_POST = do_DELETE = _forward

        def log_message(self, *args: Any) -> None:
            pass

    proxy = _Proxy(("127.0.0.1", 0), Handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    return proxy


def replay(url: str, recording: str) -> list[str]:
    post = f"u.Request('{url}/__mockcrm/reset', b'{{}}', {{'Content-Type': 'application/json'}})"
    reset = f'{sys.executable} -c "import urllib.request as u; u.urlopen({post})"'
    args = ["--base-url", url, "--reset", reset, "--no-webhooks", "--strict-key-order", "--quiet", recording]
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, str(root / "contract" / "replay.py"), *args], capture_output=True, text=True)
    assert out.returncode in (0, 1), out.stderr
    return out.stdout.strip().splitlines()


def diff(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["diff", *args])
    return result.exit_code, result.output.strip().splitlines()


def test_mock_against_mock_agrees(pair: tuple[MockCRMServer, MockCRMServer], tmp_path: Path) -> None:
    a, b = pair
    code, lines = diff("--a", a.url, "--b", b.url, "--seeds", "3", "--out", str(tmp_path))
    n = sum(len(generate(s)) for s in (1, 2, 3))
    assert (code, lines[-1]) == (0, f"{n} steps, 0 divergences")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (report["steps"], report["divergences"], report["items"]) == (n, 0, [])
    assert [line.split(":")[0] for line in lines[:-1]] == ["seed 1", "seed 2", "seed 3"]


def test_same_seed_same_sequence_and_everything_exercised() -> None:
    assert generate(7) == generate(7)
    assert generate(7) != generate(8)
    assert generate(3, ["deal"]) == generate(3, ["deal"])
    steps = [s for seed in range(1, 61) for s in generate(seed)]
    assert {(s["method"], s["action"]) for s in steps} >= set(ACTIONS)
    assert {s["transport"] for s in steps} == set(TRANSPORTS)
    assert {s["as"] for s in steps} >= set(USERS)
    assert all(10 <= len(generate(seed)) <= 40 for seed in range(1, 61))
    assert {s["method"] for s in generate(5, ["client"])} == {"client"}


def test_planted_difference_found_shrunk_written_then_allowed(
    pair: tuple[MockCRMServer, MockCRMServer], tmp_path: Path
) -> None:
    a, b = pair
    proxy = planted_proxy(b.url)
    b_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        common = ["--a", a.url, "--b", b_url, "--methods", "client", "--seeds", "4"]
        code, lines = diff(*common, "--out", str(tmp_path / "found"))
        assert code == 1
        n, m = lines[-1].split(" steps, ")
        assert m == "1 divergences" and int(n) > 0
        report = json.loads((tmp_path / "found" / "report.json").read_text(encoding="utf-8"))
        # a timing-only difference (a row on either side of a second boundary) may come too, reported unstable
        (item,) = [i for i in report["items"] if i["accepted"] != UNSTABLE]
        assert (item["method"], item["action"], item["kind"], item["path"]) == ("client", "info", "body", "data.title")
        assert len(item["minimal_steps"]) <= 3 < item["diverging_step"]
        assert item["minimal_steps"][-1]["action"] == "info"
        assert item["b"]["json"]["data"]["title"] == item["a"]["json"]["data"]["title"] + "!"
        name = item["name"]
        scenario = json.loads((tmp_path / "found" / f"{name}.scenario.json").read_text(encoding="utf-8"))
        assert scenario["steps"] == item["minimal_steps"]
        golden = [json.loads(x) for x in (tmp_path / "found" / f"{name}.jsonl").read_text().splitlines()]
        assert [g["id"] for g in golden] == [s["id"] for s in scenario["steps"]]
        assert golden[-1]["body"]["data"]["title"] == item["a"]["json"]["data"]["title"]
        assert "## " + name in (tmp_path / "found" / "report.md").read_text(encoding="utf-8")
        # the recording of A's answers replays with the golden replay: it passes on A, fails on B's last step
        recording = str(tmp_path / "found" / f"{name}.jsonl")
        assert replay(a.url, recording)[-1] == f"{len(golden)} passed, 0 failed"
        assert replay(b_url, recording)[-1] == f"{len(golden) - 1} passed, 1 failed"

        allow = tmp_path / "allow.json"
        entry = {"method": "client", "action": "info", "path": "data.title", "reason": "planted by the test"}
        allow.write_text(json.dumps([entry]), encoding="utf-8")
        code, lines = diff(*common, "--allowlist", str(allow), "--out", str(tmp_path / "allowed"))
        assert (code, lines[-1].split(", ")[1]) == (0, "0 divergences")
        report = json.loads((tmp_path / "allowed" / "report.json").read_text(encoding="utf-8"))
        assert [i["accepted"] for i in report["items"] if i["accepted"] != UNSTABLE] == ["planted by the test"]
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_now_dates_are_placeholders_explicit_dates_are_compared() -> None:
    now = dt.datetime(2026, 12, 4, 12, 0, 0)
    sa = Side("http://127.0.0.1:1", now)
    sb = Side("http://127.0.0.1:2", now + dt.timedelta(seconds=3))
    a = {"date_create": "2026-12-04 15:00:00", "datum": "2031-03-31", "url": "http://127.0.0.1:1/files/x.pdf"}
    b = {"date_create": "2026-12-04 15:00:03", "datum": "2031-03-30", "url": "http://127.0.0.1:2/files/x.pdf"}
    na, nb = norm_pair(a, b, sa, sb)
    assert na["date_create"] == nb["date_create"] == "{DATETIME}"
    assert na["url"] == nb["url"] == "{BASE_URL}/files/x.pdf"
    assert diff_paths(na, nb) == ["datum"]


@pytest.mark.parametrize(
    ("a", "b", "paths"),
    [
        ({"x": 1, "y": 2}, {"y": 2, "x": 1}, ["$#order"]),
        ({"x": 1}, {"x": "1"}, ["x#type"]),
        ({"x": 1}, {"x": 1.0}, ["x#type"]),
        ({"x": [1, 2]}, {"x": [1]}, ["x#len"]),
        ({"x": {"a": 1}}, {"x": {"b": 1}}, ["x.a#missing", "x.b#extra"]),
        ([{"t": "a"}], [{"t": "b"}], ["0.t"]),
    ],
)
def test_diff_paths(a: Any, b: Any, paths: list[str]) -> None:
    assert diff_paths(a, b) == paths


def test_allowlist_needs_a_reason_and_ships_the_deliberate_deviations() -> None:
    with pytest.raises(ValueError, match="reason"):
        Allowlist.parse([{"method": "client"}])
    default = Allowlist.load()
    step = {"method": "client", "action": "list", "as": "none", "params": {"login": "x' OR '1'='1"}}
    assert default.accepts(step, [("body", "data#len")])
    assert default.accepts({**step, "params": {"login": "admin@example.com"}}, [("body", "data")]) is None


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            "<br />\n<b>Fatal error</b>:  Uncaught TypeError: strip_tags(): Argument #1 ($string) must be of type "
            "string, array given in {WEBROOT}/inc/func.php:753\nStack trace: ...",
            "TypeError: strip_tags()",
        ),
        (
            "<b>Fatal error</b>:  Uncaught DivisionByZeroError: Division by zero in /var/www/x.php:3",
            "DivisionByZeroError: Division by zero",
        ),
        ('{"result":"Error"}', ""),
    ],
)
def test_a_fatal_page_is_told_apart_by_its_cause(text: str, cause: str) -> None:
    assert fatal_cause(text) == cause


def test_shrink_keeps_only_the_steps_the_divergence_needs() -> None:
    steps = [{"id": str(i), "write": i in (2, 5, 7, 8)} for i in range(10)]
    last = {"id": "last"}
    tries: list[list[str]] = []

    def still(candidate: list[dict[str, Any]]) -> bool:
        ids = [s["id"] for s in candidate]
        tries.append(ids)
        return ids[-1] == "last" and {"2", "7"} <= set(ids)

    kept = shrink(steps, last, still, Budget(40), lambda s: bool(s["write"]))
    assert [s["id"] for s in kept] == ["2", "7"]
    assert tries[:2] == [["last"], ["2", "5", "7", "8", "last"]]  # the empty prefix, then the writes only
    assert shrink(steps, last, still, Budget(1)) == steps  # out of tries: nothing is cut


def test_a_difference_that_does_not_come_back_is_reported_unstable(
    pair: tuple[MockCRMServer, MockCRMServer], tmp_path: Path
) -> None:
    a, b = pair
    proxy = planted_proxy(b.url, times=1)
    b_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        code, lines = diff("--a", a.url, "--b", b_url, "--methods", "client", "--seeds", "4", "--out", str(tmp_path))
        assert (code, lines[-1].split(", ")[1]) == (0, "0 divergences")
        report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
        assert {i["accepted"] for i in report["items"]} == {UNSTABLE}
        assert ("info", "data.title") in {(i["action"], i["path"]) for i in report["items"]}
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_a_target_that_stops_answering_ends_the_run_with_the_report_so_far(
    pair: tuple[MockCRMServer, MockCRMServer], tmp_path: Path
) -> None:
    a, b = pair
    proxy = planted_proxy(b.url, times=0, resets=1)
    try:
        b_url = f"http://127.0.0.1:{proxy.server_address[1]}"
        code, lines = diff("--a", a.url, "--b", b_url, "--seeds", "3", "--out", str(tmp_path))
    finally:
        proxy.shutdown()
        proxy.server_close()
    n = len(generate(1))
    stopped = "POST /__mockcrm/reset on B answered 503"
    assert (code, lines[-2:]) == (
        2,
        [f"Error: stopped early: {stopped} (the report covers the steps before)", f"{n} steps, 0 divergences"],
    )
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (report["seeds"], report["steps"], report["stopped"]) == ([1], n, stopped)
    assert f"**Stopped early**: {stopped}. This report covers the steps before." in (tmp_path / "report.md").read_text(
        encoding="utf-8"
    )
