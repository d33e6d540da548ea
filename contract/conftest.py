"""pytest wiring of the contract suite: options, the target (given or mockcrm started through its CLI), the webhook
receiver, the `crm` fixture, readonly mode and the divergence report written at the end of every run.

Self-contained: relies on nothing from the project's tests/conftest.py and imports nothing from mockcrm.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from .engine import Golden, Report, load_allowlist
from .harness import Contract
from .target import HookReceiver, ManagedServer, Target

REPORT_KEY = pytest.StashKey[Report]()
HERE = Path(__file__).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("contract", "SalesMan contract suite")
    g.addoption("--contract-url", default=None, help="base URL of the target (env SALESMAN_URL); none: start mockcrm")
    g.addoption("--contract-apikey", default=None, help="API key (env SALESMAN_APIKEY)")
    g.addoption("--contract-login", default=None, help="login of an admin-like user (env SALESMAN_LOGIN)")
    g.addoption("--contract-login2", default=None, help="an ordinary manager, for visibility (env SALESMAN_LOGIN2)")
    g.addoption(
        "--contract-hook-url",
        default=None,
        help="URL the target delivers webhooks to; the suite listens there (env SALESMAN_HOOK_URL)",
    )
    g.addoption("--contract-readonly", action="store_true", help="run only checks that read (nothing is created)")
    g.addoption(
        "--contract-undeletable",
        action="store_true",
        help="also run checks that create records the API cannot delete (leads); on by default against mockcrm",
    )
    g.addoption("--contract-report-dir", default=None, help="where contract-report.json/.md go (default: cwd)")
    g.addoption("--contract-allowlist", default=None, help="allowlist file (default: contract/allowlist.json)")


def _opt(config: pytest.Config, name: str, env: str) -> str | None:
    value = config.getoption(name) or os.environ.get(env) or None
    return value.strip() if isinstance(value, str) else value


def pytest_configure(config: pytest.Config) -> None:
    for line in (
        "write: creates, changes or deletes records (skipped with --contract-readonly)",
        "reads: only reads, even inside a write module (runs with --contract-readonly)",
        "undeletable: creates records the API cannot delete (needs --contract-undeletable or a suite-started mockcrm)",
    ):
        config.addinivalue_line("markers", line)
    allow = config.getoption("--contract-allowlist")
    report = Report(allowlist=load_allowlist(Path(allow) if allow else HERE / "allowlist.json"))
    report.meta.update(
        target=_opt(config, "--contract-url", "SALESMAN_URL") or "mockcrm (started by the suite)",
        readonly=bool(config.getoption("--contract-readonly")),
    )
    config.stash[REPORT_KEY] = report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    readonly = config.getoption("--contract-readonly")
    external = bool(_opt(config, "--contract-url", "SALESMAN_URL"))
    undeletable = config.getoption("--contract-undeletable") or not external
    for item in items:
        if readonly and item.get_closest_marker("write") and not item.get_closest_marker("reads"):
            item.add_marker(pytest.mark.skip(reason="--contract-readonly"))
        elif not undeletable and item.get_closest_marker("undeletable"):
            item.add_marker(pytest.mark.skip(reason="creates records the API cannot delete (--contract-undeletable)"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    report = config.stash.get(REPORT_KEY, None)
    if report is None:
        return
    directory = Path(config.getoption("--contract-report-dir") or os.getcwd())
    jpath, _ = report.write(directory)
    s = report.as_dict()["summary"]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"contract report: {jpath} ({s['checks']} checks, {s['divergences']} divergences, {s['accepted']} accepted)"
        )


@pytest.fixture(scope="session")
def contract_report(pytestconfig: pytest.Config) -> Report:
    return pytestconfig.stash[REPORT_KEY]


@pytest.fixture(scope="session")
def hook_receiver(pytestconfig: pytest.Config) -> Iterator[HookReceiver | None]:
    """Where webhooks arrive: at SALESMAN_HOOK_URL's host:port for a given target, on a free port otherwise."""
    url = _opt(pytestconfig, "--contract-url", "SALESMAN_URL")
    hook_url = _opt(pytestconfig, "--contract-hook-url", "SALESMAN_HOOK_URL")
    if url and not hook_url:
        yield None
        return
    if hook_url:
        u = urllib.parse.urlsplit(hook_url)
        receiver = HookReceiver(u.hostname or "127.0.0.1", u.port or 80)
    else:
        receiver = HookReceiver("127.0.0.1", 0)
    try:
        yield receiver
    finally:
        receiver.close()


@pytest.fixture(scope="session")
def target(
    pytestconfig: pytest.Config, hook_receiver: HookReceiver | None, contract_report: Report
) -> Iterator[Target]:
    url = _opt(pytestconfig, "--contract-url", "SALESMAN_URL")
    if url:
        apikey = _opt(pytestconfig, "--contract-apikey", "SALESMAN_APIKEY")
        login = _opt(pytestconfig, "--contract-login", "SALESMAN_LOGIN")
        if not (apikey and login):
            pytest.exit("SALESMAN_URL needs SALESMAN_APIKEY and SALESMAN_LOGIN", returncode=4)
        yield Target(
            base=url.rstrip("/").removesuffix("/developer/v2"),
            apikey=apikey,
            login=login,
            login2=_opt(pytestconfig, "--contract-login2", "SALESMAN_LOGIN2"),
            hook_url=_opt(pytestconfig, "--contract-hook-url", "SALESMAN_HOOK_URL"),
        )
        return
    hooks = f"http://127.0.0.1:{hook_receiver.port}/hook/{{event}}" if hook_receiver else None
    server = ManagedServer(hooks_url=hooks)
    server.start()
    contract_report.meta["target"] = f"mockcrm (started by the suite) at {server.base}"
    try:
        yield Target(
            base=server.base,
            apikey=server.apikey,
            login="admin@example.com",
            login2="manager@example.com",
            hook_url=hooks,
            managed=True,
        )
    finally:
        server.stop()


@pytest.fixture(scope="session")
def contract(
    pytestconfig: pytest.Config, target: Target, hook_receiver: HookReceiver | None, contract_report: Report
) -> Iterator[Contract]:
    c = Contract(
        target, Golden(), contract_report, hook_receiver, readonly=bool(pytestconfig.getoption("--contract-readonly"))
    )
    contract_report.meta["run"] = c.marker
    try:
        yield c
    finally:
        c.cleanup()


@pytest.fixture
def crm(contract: Contract, request: pytest.FixtureRequest) -> Contract:
    contract.nodeid = request.node.nodeid
    return contract
