"""The pytest plugin, tested with pytester in a separate pytest run."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockcrm import MockCRMServer, Settings

TESTS = """
import json

def test_call_and_reset_between_tests(mockcrm):
    assert mockcrm.call("client", "list") == {"count": 0}
    assert mockcrm.call("client", "add", title="ООО Ромашка") == {"result": "Успешно", "data": 1}
    assert mockcrm.call("client", "info", clid=1, fields="title") == {"data": {"title": "Ромашка, ООО"}}

def test_state_is_fresh_again(mockcrm):
    assert mockcrm.call("client", "list", transport="json") == {"count": 0}
    assert mockcrm.state("clientcat") == {"clientcat": []}

def test_transports_and_users(mockcrm):
    assert mockcrm.users == ["admin@example.com", "manager@example.com", "manager2@example.com"]
    body = mockcrm.call("client", "add", transport="form", login="manager@example.com", title="Форма")
    assert body == {"result": "Успешно", "data": 1}
    assert mockcrm.call("client", "list", login="manager2@example.com") == {"count": 0}

def test_journal_faults_clock(mockcrm):
    mockcrm.call("client", "list")
    assert [(e["method"], e["action"], e["code"]) for e in mockcrm.journal()] == [("client", "list", 200)]
    mockcrm.faults.add("error", "client", "list", code=500, text="Сбой")
    assert mockcrm.call("client", "list") == {"result": "Error", "error": {"code": 500, "text": "Сбой"}}
    assert mockcrm.clock.freeze("2030-05-01 10:00:00") == "2030-05-01 10:00:00"
    assert mockcrm.clock.advance(60) == "2030-05-01 10:01:00"

def test_listen_and_sink(mockcrm, mockcrm_webhook_sink):
    events = mockcrm.listen("client.add")
    mockcrm_webhook_sink.register(mockcrm, "client.add")
    mockcrm.call("client", "add", title="Слушатель")
    assert events == [("client.add", {"clid": 1, "autor": 1, "user": 1})]
    mockcrm_webhook_sink.assert_delivered(
        "client.add",
        {"clid": "1", "autor": "1", "user": "1", "event": "client.add", "identity": "1", "iduser1": "1"},
    )
    assert [d["event"] for d in mockcrm.deliveries()] == ["client.add"]

def test_stub_patch_on_filter(mockcrm):
    mockcrm.stub("client", "info", {"data": {"clid": 7, "title": "Stub"}}, params={"clid": "7"})
    assert mockcrm.call("client", "info", clid=7) == {"data": {"clid": 7, "title": "Stub"}}
    mockcrm.call("client", "add", title="ООО Ромашка")
    mockcrm.patch("client", "info", {"data": {"title": "Patched"}})
    assert mockcrm.call("client", "info", clid=1, fields="title") == {"data": {"title": "Patched"}}
    seen = []
    mockcrm.on("client.add", seen.append)
    mockcrm.filter("client.list", lambda call, answer: {"count": 42, "login": call.login})
    mockcrm.call("client", "add", title="ООО Вторая")
    assert [(p["event"], p["clid"]) for p in seen] == [("client.add", "2")]
    assert mockcrm.call("client", "list") == {"count": 42, "login": "admin@example.com"}
    assert [r["kind"] for r in mockcrm.rules.list()] == ["respond", "patch"]

def test_stubs_and_hooks_are_undone_after_the_test(mockcrm):
    assert mockcrm.rules.list() == []
    assert mockcrm.backend.filters.matching("client", "list") == []
    assert mockcrm.call("client", "list") == {"count": 0}
"""


def test_plugin_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)


def test_an_exception_in_a_hook_fails_the_test_that_set_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_hook_fails(mockcrm):
    def check(payload):
        assert payload["clid"] == "99", "the hook saw another client"
    mockcrm.on("client.add", check)
    assert mockcrm.call("client", "add", title="ООО Хук") == {"result": "Успешно", "data": 1}
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*AssertionError: the hook saw another client*"])


def test_plugin_settings_from_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockcrm_settings =\n    edition=cloud\n    demo=1\n")
    pytester.makepyfile(
        """
def test_cloud_demo(mockcrm):
    assert mockcrm.call("client", "list", fields="clid")["count"] == 20
    assert mockcrm.server.control("/health")["edition"] == "cloud"
"""
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_plugin_with_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=7)


def test_plugin_against_an_external_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_external(mockcrm):
    assert mockcrm.backend is None
    assert mockcrm.call("client", "add", title="Внешний") == {"result": "Успешно", "data": 1}
"""
    )
    with MockCRMServer(Settings(log_requests=False)) as srv:
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--mockcrm-url={srv.url}")
        result.assert_outcomes(passed=1)
        assert len(srv.backend.accounts[1].tables["clientcat"]) == 1


def test_bad_ini_setting_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockcrm_settings =\n    colour=blue\n")
    pytester.makepyfile("def test_x(mockcrm):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mockcrm_settings: expected name=value with a Settings name, got 'colour=blue'*"])


@pytest.mark.parametrize("doc", ["README.md", "docs/pytest-plugin.md"])
def test_the_documented_pytest_example_runs(pytester: pytest.Pytester, doc: str) -> None:
    text = (Path(__file__).resolve().parent.parent / doc).read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.makepyfile(code)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)
