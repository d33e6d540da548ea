"""The dashboard in a real browser: Debian's Chromium driven by Playwright (issue 14, point 5).

Each test clicks through a page as a person would, against a mockcrm on a free loopback port,
and fails on any error in the browser's console. With ``MOCKCRM_SCREENSHOTS=<folder>`` the same
run saves a picture of each page there (``make screenshots`` refreshes docs/screenshots).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright_api

from mockcrm import Settings
from mockcrm.server import MockCRMServer
from tests.receiver import Receiver

expect = playwright_api.expect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = os.environ.get("MOCKCRM_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:  # not a skip: a missing browser must not pass for a tested dashboard
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings.from_env({}, log_requests=False)) as srv:
        yield srv


class Tab:
    """A browser page that records console errors and uncaught exceptions."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on(
            "console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def tab(browser: Any, server: MockCRMServer) -> Iterator[Tab]:
    t = Tab(browser, server.url)
    yield t
    t.context.close()
    assert t.errors == []


def control(server: MockCRMServer, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.url + "/__mockcrm" + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_root_leads_to_the_overview(tab: Tab, server: MockCRMServer) -> None:
    page = tab.open("/")
    assert page.url == server.url + "/__mockcrm/ui/"
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator("#edition")).to_have_text("box")
    users = page.locator("#account-1 table.users tbody tr")
    expect(users).to_have_count(3)
    expect(users.nth(0)).to_contain_text("admin@example.com")
    expect(page.locator("#account-1 .apikey")).to_have_text("VaSeZvkTfh5HMjJpNnge1W7Bloim0S")
    curl = page.locator("#curl").inner_text()
    assert curl.startswith("curl '" + server.url + "/developer/v2/client?action=list&login=admin%40example.com&apikey=")
    url = curl.split("'")[1]
    with urllib.request.urlopen(url, timeout=10) as r:  # the curl line works as it is
        assert json.loads(r.read()) == {"count": 0}  # the real server's empty list has no "data"
    tab.shot("overview")


def test_seed_then_open_a_client_and_follow_its_links(tab: Tab) -> None:
    page = tab.open("/__mockcrm/ui/controls")
    page.click("#seed button")
    expect(page.locator("#flash")).to_contain_text("seeded:")
    page.click("#nav-data")
    expect(page.locator("h1")).to_contain_text("Data")
    tab.shot("data")
    page.click("#main-tables >> text=Clients")
    expect(page.locator("h1")).to_contain_text("Clients")
    rows = page.locator("#rows tbody tr")
    expect(rows).to_have_count(20)
    tab.shot("data-clients")
    # a client with deals: the seeded data gives most clients some
    page.fill("#q", "ООО")
    page.click(".search button")
    expect(page.locator("#q")).to_have_value("ООО")
    page.locator("#rows a.open").first.click()
    expect(page.locator("h1")).to_contain_text("Clients")
    expect(page.locator("#record")).to_contain_text("clid")
    for related in ("personcat", "dogovor", "tasks", "history", "leads"):
        expect(page.locator(f"#related-{related}")).to_be_visible()
    tab.shot("data-client")
    deal = page.locator("#related-dogovor tbody a").first
    if deal.count() == 0:  # this client has no deal: take one that has
        page.goto(tab.base + "/__mockcrm/ui/data/dogovor/1")
    else:
        deal.click()
    expect(page.locator("h1")).to_contain_text("Deals")
    client_link = page.locator("#record a.parent[data-table=clientcat]").first
    clid = client_link.inner_text().split(" ")[0]
    client_link.click()
    expect(page.locator("h1")).to_contain_text(f"Clients {clid}")


def test_a_fault_added_on_the_page_is_what_the_api_answers(tab: Tab) -> None:
    page = tab.open("/__mockcrm/ui/controls")
    expect(page.locator("#faults")).to_contain_text("None")
    page.select_option("#add-fault select[name=kind]", "error")
    page.fill("#add-fault input[name=method]", "client")
    page.fill("#add-fault input[name=action]", "info")
    page.fill("#add-fault input[name=code]", "403")
    page.fill("#add-fault input[name=text]", "Доступ запрещен")
    page.click("#add-fault button[type=submit]")
    expect(page.locator("#faults")).to_contain_text("#1 error on client?action=info")
    tab.shot("controls")
    page.click("#nav-console")
    page.select_option("#method", "client")
    page.select_option("#action", "info")
    page.fill("#params input[name=clid]", "1")
    page.click("#send")
    expect(page.locator("#answer")).to_contain_text('"code": 403')
    expect(page.locator("#answer")).to_contain_text("Доступ запрещен")
    expect(page.locator("#answer-status")).to_have_text("HTTP 200, application/json; charset=utf-8")


def test_a_call_from_the_console_arrives_in_the_live_journal(tab: Tab, browser: Any) -> None:
    journal = tab.open("/__mockcrm/ui/requests")
    expect(journal.locator("#empty-journal")).to_be_visible()
    console = tab.context.new_page()
    console.goto(tab.base + "/__mockcrm/ui/console")
    console.select_option("#method", "client")
    console.select_option("#action", "add")
    console.select_option("#transport", "json-headers")
    console.fill("#params input[name=title]", "ООО Ромашка")
    console.click("#send")
    expect(console.locator("#answer")).to_contain_text('"result": "Успешно"')
    expect(console.locator("#request")).to_contain_text("Content-Type: application/json")
    expect(console.locator("#request")).to_contain_text('"title": "ООО Ромашка"')
    tab.page.bring_to_front()
    first = journal.locator("#journal tbody tr").first
    expect(first).to_contain_text("client")  # arrived without a reload
    expect(first).to_contain_text("add")
    expect(first).to_contain_text("json")
    first.click()
    expect(journal.locator("#detail-answer")).to_contain_text('"result": "Успешно"')
    expect(journal.locator("#detail-params")).to_contain_text('"title": "ООО Ромашка"')
    expect(journal.locator("#detail-events")).to_contain_text('"event": "client.add"')
    expect(journal.locator("#detail-status")).to_contain_text("HTTP 200")
    tab.shot("requests")
    journal.fill("#filters input[name=code]", "402")
    expect(journal.locator("#journal tbody tr")).to_have_count(0)
    console.close()


def test_webhooks_add_fire_and_replay_to_a_receiver(tab: Tab) -> None:
    receiver = Receiver().start()
    try:
        page = tab.open("/__mockcrm/ui/webhooks")
        expect(page.locator("#hook-list")).to_contain_text("No hooks.")
        page.fill("#add-hook input[name=event]", "client.add")
        page.fill("#add-hook input[name=url]", receiver.url + "/hook")
        page.click("#add-hook button")
        expect(page.locator("#hook-list")).to_contain_text("client.add → " + receiver.url + "/hook")
        page.fill("#trigger textarea[name=payload]", '{"clid": 7}')
        page.click("#trigger button")
        expect(page.locator("#flash")).to_contain_text("client.add sent to 1 hook(s)")
        rows = page.locator("#deliveries tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("200")
        rows.first.click()
        expect(page.locator("#delivery-body")).to_contain_text('"clid": "7"')
        expect(page.locator("#delivery-response")).to_contain_text('{"ok":true}')
        page.locator("#deliveries .replay").first.click()
        expect(page.locator("#flash")).to_contain_text("replayed as #2: HTTP 200")
        expect(rows).to_have_count(2)
        got = receiver.wait_for(2)
        assert [r.path for r in got] == ["/hook", "/hook"] and got[0].body == got[1].body
        tab.shot("webhooks")
    finally:
        receiver.stop()


def test_a_frozen_clock_shows_in_the_timestamps(tab: Tab) -> None:
    page = tab.open("/__mockcrm/ui/controls")
    page.fill("#freeze input[name=at]", "2030-01-02 03:04:05")
    page.click("#freeze button")
    expect(page.locator("#clock-now")).to_have_text("2030-01-02 03:04:05")
    expect(page.locator("#clock-frozen")).to_have_text("(frozen)")
    page.fill("#advance input[name=seconds]", "60")
    page.click("#advance button[type=submit]")
    expect(page.locator("#clock-now")).to_have_text("2030-01-02 03:05:05")
    page.click("#nav-console")
    page.fill("#params input[name=title]", "ООО Часы")
    page.click("#send")
    expect(page.locator("#answer")).to_contain_text('"data": 1')
    page.goto(tab.base + "/__mockcrm/ui/data/clientcat/1")
    expect(page.locator("#record")).to_contain_text("2030-01-02 03:05:05")
    page.click("#nav-overview")
    expect(page.locator("#clock")).to_contain_text("2030-01-02 03:05:05")
    expect(page.locator("#clock")).to_contain_text("frozen")


def test_snapshots_save_reset_restore_delete(tab: Tab, server: MockCRMServer) -> None:
    control(server, "POST", "/seed", {})
    page = tab.open("/__mockcrm/ui/controls")
    page.fill("#save-snapshot input[name=name]", "seeded")
    page.click("#save-snapshot button")
    expect(page.locator("#snapshots")).to_contain_text("seeded")
    page.click("#reset button")
    expect(page.locator("#flash")).to_contain_text("reset to fresh-install")
    page.click("#nav-overview")
    expect(page.locator("#account-1 .n[data-table=clientcat]")).to_have_text("0")
    page.click("#nav-controls")
    page.click("#snapshots button[data-snapshot=seeded] >> text=restore")
    expect(page.locator("#flash")).to_have_text("restored seeded")
    page.click("#nav-overview")
    expect(page.locator("#account-1 .n[data-table=clientcat]")).to_have_text("20")
    page.click("#nav-controls")
    page.click("#snapshots button[data-snapshot=seeded] >> text=delete")
    expect(page.locator("#snapshots")).to_contain_text("None saved.")


def test_the_api_reference_opens_both_documents(tab: Tab) -> None:
    page = tab.open("/__mockcrm/ui/")
    page.click("#nav-docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("mockcrm control plane")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    tab.shot("docs")
    page.select_option(".topbar select", label="SalesMan API v2 (as mockcrm serves it)")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("SalesMan CRM REST API v2")
    expect(page.locator(".opblock-tag-section h3").first).to_contain_text("client")


def test_the_console_offers_the_fields_the_method_has(tab: Tab) -> None:
    page = tab.open("/__mockcrm/ui/console")
    page.select_option("#method", "deal")
    page.select_option("#action", "list")
    names = page.locator("#params input").evaluate_all("els => els.map(e => e.name)")
    assert {"offset", "order", "first", "word", "fields"} <= set(names)
    page.select_option("#transport", "get")
    page.fill("#params input[name=fields]", "did,title")
    page.click("#send")
    expect(page.locator("#request")).to_contain_text("GET /developer/v2/deal?action=list&login=admin%40example.com")
    expect(page.locator("#answer")).to_have_text('{\n  "count": 0\n}')
    tab.shot("console")


def test_with_an_admin_token_the_dashboard_asks_for_it(browser: Any) -> None:
    with MockCRMServer(Settings.from_env({}, log_requests=False, admin_token="s3cret")) as srv:
        t = Tab(browser, srv.url)
        try:
            page = t.open("/__mockcrm/ui/requests")
            assert page.url.startswith(srv.url + "/__mockcrm/ui/login?next=")
            page.fill("#token", "wrong")
            page.click("button[type=submit]")
            expect(page.locator("#wrong")).to_have_text("That is not the token.")
            page.fill("#token", "s3cret")
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_contain_text("Requests")
            expect(page.locator("#empty-journal")).to_be_visible()  # the journal came through the cookie
            t.errors = [e for e in t.errors if "401" not in e]  # the wrong token's page answered 401
            assert t.errors == []
        finally:
            t.context.close()
