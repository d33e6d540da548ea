"""CLI: serve with demo data and a state file, seed/dump/restore, determinism across processes."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockcrm import MockCRMServer, Settings
from mockcrm.cli import main
from tests.conftest import ADMIN, APIKEY, spawn_serve


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    return spawn_serve("--port", "0", "--quiet", *args, env=env)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    return out


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as r:
        body: bytes = r.read()
        return body


@pytest.fixture
def server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings(log_requests=False)) as srv:
        yield srv


def test_same_seed_same_state_bytes_in_two_processes_and_in_process() -> None:
    dumps = []
    for _ in range(2):
        proc, url = start("--demo", "--seed", "7")
        try:
            dumps.append(get(url + "/__mockcrm/state"))
        finally:
            stop(proc)
    assert dumps[0] == dumps[1]
    with MockCRMServer(Settings(log_requests=False, demo=True, seed=7)) as srv:
        assert get(srv.url + "/__mockcrm/state") == dumps[0]
    other, url = start("--demo", "--seed", "8")
    try:
        assert get(url + "/__mockcrm/state") != dumps[0]
    finally:
        stop(other)


def test_demo_data_is_served_through_the_api() -> None:
    with MockCRMServer(Settings(log_requests=False, demo=True)) as srv:
        body = json.loads(get(f"{srv.api_url}/client?action=list&login={ADMIN}&apikey={APIKEY}&fields=clid"))
        assert body["count"] == 20
        health = json.loads(get(srv.url + "/__mockcrm/health"))
        assert health["counts"]["clientcat"] == 20 and health["counts"]["users"] == 6
        # reset goes back to the demo state the server started with
        srv.backend.reset()
        assert json.loads(get(srv.url + "/__mockcrm/health"))["counts"] == health["counts"]


def test_state_file_is_loaded_and_saved_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc, url = start("--state-file", str(state))
    query = urllib.parse.urlencode({"action": "add", "login": ADMIN, "apikey": APIKEY, "title": "ООО Сохранён"})
    assert json.loads(get(f"{url}/developer/v2/client?{query}")) == {"result": "Успешно", "data": 1}
    assert f"state saved to {state}" in stop(proc)
    proc, url = start("--state-file", str(state))
    try:
        body = json.loads(
            get(f"{url}/developer/v2/client?action=info&clid=1&fields=title&login={ADMIN}&apikey={APIKEY}")
        )
        assert body == {"data": {"title": "Сохранён, ООО"}}
    finally:
        stop(proc)
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temp file, nothing left over


def test_seed_dump_restore_offline(tmp_path: Path) -> None:
    state, dump_file = tmp_path / "s.json", tmp_path / "d.json"
    runner = CliRunner()
    r = runner.invoke(main, ["seed", "--state-file", str(state), "--seed", "2"])
    assert r.exit_code == 0, r.output
    counts = json.loads(r.output)
    assert counts["clientcat"] == 20
    assert runner.invoke(main, ["dump", "--state-file", str(state), "-o", str(dump_file)]).exit_code == 0
    empty = tmp_path / "empty.json"
    assert runner.invoke(main, ["restore", "--state-file", str(empty), str(dump_file)]).exit_code == 0
    assert json.loads(empty.read_text()) == json.loads(state.read_text())


def test_seed_dump_restore_against_a_server(server: MockCRMServer, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["seed", "--url", server.url, "--seed", "4"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "dump.json"
    assert runner.invoke(main, ["dump", "--url", server.url, "-o", str(out)]).exit_code == 0
    server.backend.reset()
    assert len(server.backend.accounts[1].tables["clientcat"]) == 0
    assert runner.invoke(main, ["restore", "--url", server.url, str(out)]).exit_code == 0
    assert len(server.backend.accounts[1].tables["clientcat"]) == 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["seed"], "give exactly one of --url or --state-file"),
        (["seed", "--url", "http://127.0.0.1:9", "--state-file", "x"], "give exactly one of --url or --state-file"),
    ],
)
def test_cli_usage_errors(args: list[str], message: str) -> None:
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and message in r.output


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("{bad", "cannot load {path}: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ('{"format": "x"}', 'cannot load {path}: not a mockcrm state (expected {"format": "mockcrm-state/1"'),
    ],
)
def test_serve_rejects_a_state_file_it_cannot_load(tmp_path: Path, content: str, line: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")
    r = CliRunner().invoke(main, ["serve", "--port", "0", "--quiet", "--state-file", str(path)])
    assert r.exit_code == 1 and r.output.startswith("Error: MOCKCRM_STATE_FILE: " + line.replace("{path}", str(path)))
    assert len(r.output.strip().splitlines()) == 1
    assert path.read_text(encoding="utf-8") == content  # never overwritten


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--edition", "enterprise"], "MOCKCRM_EDITION must be one of box, cloud, got 'enterprise'"),
        (["--server", "nginx"], "MOCKCRM_SERVER must be one of werkzeug, waitress, got 'nginx'"),
        (["--webhook-mode", "maybe"], "MOCKCRM_WEBHOOK_MODE must be one of sync, async, got 'maybe'"),
        (["--demo", "--size", "huge"], "MOCKCRM_SIZE must be one of small, medium, large, got 'huge'"),
        (["--port", "70000"], "MOCKCRM_PORT must be from 0 to 65535, got 70000"),
        (["--port", "x"], "Invalid value for '--port': 'x' is not a valid integer."),
        (["--threads", "0"], "MOCKCRM_THREADS must be at least 1, got 0"),
        (["--journal-size", "0"], "MOCKCRM_JOURNAL_SIZE must be at least 1, got 0"),
        (["--webhook-log-size", "-5"], "MOCKCRM_WEBHOOK_LOG_SIZE must be at least 1, got -5"),
        (["--max-body", "0"], "MOCKCRM_MAX_BODY must be at least 1, got 0"),
        (["--webhook-timeout", "0"], "MOCKCRM_WEBHOOK_TIMEOUT must be more than 0 seconds, got 0.0"),
        (["--timezone", "Mars/Base"], "MOCKCRM_TIMEZONE: no time zone 'Mars/Base' (e.g. Europe/Moscow)"),
        (["--state-file", "/missing/dir/x.json"], "MOCKCRM_STATE_FILE: the folder /missing/dir does not exist"),
        (["--state-file", "/"], "MOCKCRM_STATE_FILE: / is a folder, not a file"),
        (["--webhooks-file", "/missing/hooks.json"], "MOCKCRM_WEBHOOKS_FILE: /missing/hooks.json not found"),
        (["--webhooks", "notjson"], "MOCKCRM_WEBHOOKS: expected a list of hooks"),
        (["--fixture", "nope"], "fixture 'nope' not found (looked for "),
    ],
)
def test_serve_rejects_a_bad_setting_with_one_line(args: list[str], line: str) -> None:
    r = CliRunner().invoke(main, ["serve", "--port", "0", "--quiet", *args])
    assert r.exit_code in (1, 2)
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 or r.exit_code == 2, r.output  # usage errors print click's usage first
    assert line in lines[-1] and "Traceback" not in r.output


def test_admin_token_protects_the_control_plane() -> None:
    with MockCRMServer(Settings(log_requests=False, admin_token="s3cret")) as srv:
        assert json.loads(get(srv.url + "/__mockcrm/health"))["status"] == "ok"
        with pytest.raises(urllib.error.HTTPError) as exc:
            get(srv.url + "/__mockcrm/state")
        assert exc.value.code == 401
        exc.value.close()
        req = urllib.request.Request(srv.url + "/__mockcrm/config", headers={"Authorization": "Bearer s3cret"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert json.loads(r.read())["admin_token"] == "***"


def test_a_write_in_flight_at_sigterm_is_answered_and_saved(tmp_path: Path) -> None:
    import threading

    state = tmp_path / "state.json"
    proc, url = start("--state-file", str(state))
    fault = json.dumps({"kind": "latency", "method": "client", "action": "add", "latency": 1.0}).encode()
    req = urllib.request.Request(url + "/__mockcrm/faults", data=fault, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
    answers: list[object] = []
    query = urllib.parse.urlencode({"action": "add", "login": ADMIN, "apikey": APIKEY, "title": "ООО В полёте"})
    writer = threading.Thread(target=lambda: answers.append(json.loads(get(f"{url}/developer/v2/client?{query}"))))
    writer.start()
    # wait (by condition, not by time) until the write is inside the server
    while json.loads(get(url + "/__mockcrm/health"))["inflight"] == 0:
        pass
    out = stop(proc)
    writer.join(10)
    assert answers == [{"result": "Успешно", "data": 1}]
    assert f"state saved to {state}" in out
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert [r["title"] for r in saved["accounts"][0]["tables"]["clientcat"]["rows"]] == ["В полёте, ООО"]
