"""The contract suite (contract/): its comparison engine, a full run against mockcrm (report empty) and a run
against a loopback proxy that answers one action wrongly (the report lists the planted difference)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contract.engine import (  # noqa: E402
    AllowEntry,
    Divergence,
    Golden,
    Report,
    compare_answer,
    compare_shape,
    compare_webhooks,
    load_allowlist,
)
from mockcrm import MockCRMServer  # noqa: E402


def kinds(diffs: list[Divergence]) -> list[tuple[str, str]]:
    return [(d.kind, d.path) for d in diffs]


# ---------------------------------------------------------------- engine


@pytest.mark.parametrize(
    "golden, live, expected",
    [
        ({"a": 1, "b": "x"}, {"a": 2, "b": "y"}, []),
        ({"a": 1, "b": "x"}, {"a": 1}, [("missing", "body.b")]),
        ({"a": 1}, {"a": 1, "c": 2}, [("extra", "body.c")]),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, [("order", "body")]),
        ({"a": 1}, {"a": "1"}, [("type", "body.a")]),
        ({"a": "x"}, {"a": None}, []),  # a NULL column is data, not contract
        ({"a": {"b": 1}}, {"a": "s"}, [("type", "body.a")]),
        ({"data": []}, {"data": {"k": 1}}, []),  # PHP renders every empty array as []
        ({"data": [{"id": 1, "t": "a"}]}, {"data": [{"id": 5, "t": "b"}, {"id": 6}]}, [("missing", "body.data[1].t")]),
        ([{"r": "ok", "data": 1}, {"r": "E", "error": {}, "exists": 1}], [{"r": "E", "error": {}, "exists": 2}], []),
        ({"1": {"x": 1}, "2": {"x": 2}}, {"7": {"x": 3, "y": 1}}, [("extra", "body.{7}.y")]),
    ],
)
def test_compare_shape(golden: object, live: object, expected: list[tuple[str, str]]) -> None:
    assert kinds(compare_shape(golden, live)) == expected


def test_compare_shape_accepts_types_seen_anywhere_in_golden() -> None:
    assert compare_shape({"a": 1}, {"a": "1"}, types={"body.a": {"int", "str"}}) == []


def test_compare_answer_envelope() -> None:
    golden = {"status": 200, "body": {"result": "Error", "error": {"code": 403, "text": "Не найдена запись"}}}
    live = '{"result":"Error","error":{"code":"403","text":"Not found"}}'
    assert [(d.kind, d.path, d.expected, d.actual) for d in compare_answer(golden, 200, live)] == [
        ("type", "body.error.code", "int", "str"),
        ("code", "body.error.code", 403, "403"),
        ("text", "body.error.text", "Не найдена запись", "Not found"),
    ]
    assert kinds(compare_answer(golden, 500, "<html>")) == [("status", "status"), ("body", "body")]


def test_compare_answer_expect_and_subst() -> None:
    golden = {"status": 200, "body": {"result": "Error", "exists": 1, "error": {"code": 304, "text": "clid = 1"}}}
    live = '{"result":"Error","exists":9,"error":{"code":304,"text":"clid = 9"}}'
    assert compare_answer(golden, 200, live, subst={"clid = 1": "clid = 9"}, expect={"exists": 9}) == []
    assert kinds(compare_answer(golden, 200, live, expect={"exists": 8})) == [
        ("text", "body.error.text"),
        ("value", "body.exists"),
    ]


def test_compare_answer_fatal_page_up_to_stack_trace() -> None:
    head = "<br />\n<b>Fatal error</b>:  Uncaught TypeError: x in {WEBROOT}/developer/v2/client.php:369\nStack trace:"
    golden = {"status": 200, "raw": head + "\n#0 {WEBROOT}/router.php(49)"}
    live = head.replace("{WEBROOT}", "/srv/crm") + "\n#0 /srv/crm/index.php(3)"
    assert compare_answer(golden, 200, live) == []
    assert kinds(compare_answer(golden, 200, live.replace("369", "370"))) == [("raw", "body")]
    assert kinds(compare_answer(golden, 200, '{"a":1}')) == [("body", "body")]


def test_compare_webhooks() -> None:
    golden = [{"event": "client.add", "payload": {"clid": "1", "event": "client.add"}}]
    assert compare_webhooks(golden, [{"event": "client.add", "payload": {"clid": "7", "event": "client.add"}}]) == []
    assert kinds(compare_webhooks(golden, [])) == [("webhook", "webhooks")]
    assert kinds(compare_webhooks(golden, [{"event": "client.add", "payload": {"clid": 7, "event": "client.add"}}]))
    bad = [{"event": "client.add", "payload": {"event": "client.add", "clid": "7"}}]
    assert kinds(compare_webhooks(golden, bad)) == [("order", "webhooks[0].payload")]


def test_golden_index() -> None:
    golden = Golden()
    assert golden.step("01:add-minimal") is golden.step("01-client-crud:add-minimal")
    assert golden.types("client", "info", False)["body.data.edited"] >= {"null"}
    with pytest.raises(KeyError):
        golden.step("01:nope")


def test_report_lists_planted_difference_and_allowlist(tmp_path: Path) -> None:
    golden = Golden().step("01:fields")
    doctored = json.loads(json.dumps(golden["body"]))
    del doctored["data"]["phone"]
    diffs = compare_answer(golden, 200, json.dumps(doctored, ensure_ascii=False))
    assert kinds(diffs) == [("missing", "body.data.phone")]

    report = Report()
    assert report.record("client", "fields", "t", diffs) == diffs
    data = report.as_dict()
    assert data["summary"] == {"checks": 1, "divergences": 1, "accepted": 0}
    assert data["divergences"][0]["path"] == "body.data.phone"
    jpath, mpath = report.write(tmp_path)
    assert json.loads(jpath.read_text())["per_action"]["client fields"]["divergences"] == 1
    assert "| client fields | missing | body.data.phone |" in mpath.read_text()

    allow = tmp_path / "allow.json"
    allow.write_text(json.dumps({"accepted": [{"method": "client", "path": "body.data.*", "reason": "old server"}]}))
    accepted = Report(allowlist=load_allowlist(allow))
    assert accepted.record("client", "fields", "t", compare_answer(golden, 200, json.dumps(doctored))) == []
    assert accepted.as_dict()["summary"] == {"checks": 1, "divergences": 0, "accepted": 1}
    assert AllowEntry(reason="r", kind="type").matches(Divergence("missing", "x")) is False


def test_the_shipped_allowlist_is_valid_and_empty() -> None:
    assert load_allowlist(ROOT / "contract" / "allowlist.json") == []


# ---------------------------------------------------------------- whole runs


def run_contract(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SALESMAN_", "PYTEST_"))}
    environ.update(env or {})
    cmd = [sys.executable, "-m", "pytest", "contract", "-q", "-p", "no:mockcrm", "-p", "no:xdist"]
    cmd += ["--contract-report-dir", str(tmp_path), *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300)
    report = json.loads((tmp_path / "contract-report.json").read_text(encoding="utf-8"))
    assert (tmp_path / "contract-report.md").is_file()
    return proc.returncode, report, proc.stdout + proc.stderr


def test_contract_suite_passes_against_mockcrm_with_an_empty_report(tmp_path: Path) -> None:
    rc, report, out = run_contract(tmp_path)
    assert rc == 0, out[-4000:]
    assert report["divergences"] == [] and report["accepted"] == [] and report["notes"] == [], out[-4000:]
    assert report["summary"]["checks"] > 300


class Planting:
    """A loopback proxy in front of a mockcrm that drops "phone" from every `client fields` answer."""

    def __init__(self, upstream: str) -> None:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(n) if n else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                req = urllib.request.Request(upstream + self.path, data=data, headers=headers, method=self.command)
                try:
                    with urllib.request.urlopen(req, timeout=30) as resp:
                        status, body = resp.status, resp.read()
                except urllib.error.HTTPError as exc:
                    status, body = exc.code, exc.read()
                    exc.close()
                try:
                    doc = json.loads(body)
                except ValueError:
                    doc = None
                if isinstance(doc, dict) and isinstance(doc.get("data"), dict) and "site_url" in doc["data"]:
                    doc["data"].pop("phone", None)  # the planted difference
                    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
                proxy.hits += 1
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.hits = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def planted() -> Iterator[Planting]:
    with MockCRMServer() as srv:
        proxy = Planting(srv.url)
        try:
            yield proxy
        finally:
            proxy.close()


def test_report_lists_a_difference_planted_in_a_server(tmp_path: Path, planted: Planting) -> None:
    env = {
        "SALESMAN_URL": planted.url,
        "SALESMAN_APIKEY": "VaSeZvkTfh5HMjJpNnge1W7Bloim0S",
        "SALESMAN_LOGIN": "admin@example.com",
        "SALESMAN_LOGIN2": "manager@example.com",
    }
    args = ("--contract-readonly", "-k", "test_static_answer and 01")
    rc, report, out = run_contract(tmp_path / "plain", *args, env=env)
    assert rc == 1, out[-3000:]
    assert [(d["method"], d["action"], d["kind"], d["path"]) for d in report["divergences"]] == [
        ("client", "fields", "missing", "body.data.phone")
    ]
    assert report["per_action"]["client fields"] == {"checks": 1, "divergences": 1, "accepted": 0}
    assert "| client fields | missing | body.data.phone |" in (tmp_path / "plain" / "contract-report.md").read_text()

    allow = tmp_path / "allow.json"
    allow.write_text(json.dumps({"accepted": [{"method": "client", "action": "fields", "reason": "planted"}]}))
    rc, report, out = run_contract(tmp_path / "allowed", *args, "--contract-allowlist", str(allow), env=env)
    assert rc == 0, out[-3000:]
    assert report["divergences"] == []
    assert [(d["kind"], d["path"], d["reason"]) for d in report["accepted"]] == [
        ("missing", "body.data.phone", "planted")
    ]
