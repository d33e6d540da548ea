"""Webhooks: payload bytes and headers, sync/async, failures, retries, signatures, replay, trigger."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from mockcrm.events import Event, EventBus
from mockcrm.webhooks import Dispatcher, Hook, build_payload, parse_hooks, sign, verify_signature
from tests.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


STEP = Event("deal.change.step", {"did": 15, "autor": 1, "stepOld": "20", "stepNew": "40", "reason": None}, "1", "1")


def test_payload_rules_of_the_form_encoded_hop() -> None:
    ev = Event(
        "deal.close",
        {"did": 3, "identity": 9, "summa": 10340.0, "x": 10340.5, "ok": True, "no": False, "n": None, "e": [], "m": {}},
        "1",
        "2",
    )
    # scalars as strings, null and empty arrays dropped, identity keeps its place (webhooks.md §6.2-6.3)
    assert build_payload(ev) == {
        "did": "3",
        "identity": "1",
        "summa": "10340",
        "x": "10340.5",
        "ok": "1",
        "no": "0",
        "event": "deal.close",
        "iduser1": "2",
    }
    nested = Event("client.edit", {"clid": 1, "newparam": {"title": "Я/й", "phone": None}, "ids": [1, 2]}, "1", "1")
    assert build_payload(nested) == {
        "clid": "1",
        "newparam": {"title": "Я/й"},
        "ids": ["1", "2"],
        "event": "client.edit",
        "identity": "1",
        "iduser1": "1",
    }


def test_delivery_bytes_and_headers(receiver: Receiver) -> None:
    d = Dispatcher([Hook("*", receiver.url + "/hook/{event}")])
    d(Event("client.edit", {"clid": 1, "newparam": {"title": "Ромашка «1» http://x"}}, "1", "1"))
    (got,) = receiver.wait_for(1)
    body = (
        b'{"clid":"1","newparam":{"title":"\\u0420\\u043e\\u043c\\u0430\\u0448\\u043a\\u0430 \\u00ab1\\u00bb '
        b'http:\\/\\/x"},"event":"client.edit","identity":"1","iduser1":"1"}'
    )
    assert (got.method, got.path, got.version, got.body) == ("POST", "/hook/client.edit", "HTTP/1.1", body)
    host = receiver.url.removeprefix("http://")
    assert got.headers == [
        ("Host", host),
        ("Connection", "close"),
        ("Content-Length", str(len(body))),
        ("Content-Type", "application/json"),
    ]
    (entry,) = d.log.entries()
    assert (entry.event, entry.url, entry.status, entry.response, entry.error, entry.attempt, entry.ok) == (
        "client.edit",
        receiver.url + "/hook/client.edit",
        200,
        '{"ok":true}',
        None,
        1,
        True,
    )
    # the real log's query column is json_encode_cyr: Cyrillic raw, other non-ASCII escaped
    assert entry.query == (
        '{"clid":"1","newparam":{"title":"Ромашка \\u00ab1\\u00bb http:\\/\\/x"},'
        '"event":"client.edit","identity":"1","iduser1":"1"}'
    )


def test_only_matching_hooks_in_title_order(receiver: Receiver) -> None:
    d = Dispatcher(
        [
            Hook("deal.add", receiver.url + "/b", title="b"),
            Hook("deal.change.step", receiver.url + "/z", title="z"),
            Hook("deal.change.step", receiver.url + "/a", title="a"),
        ]
    )
    d(STEP)
    assert [r.path for r in receiver.wait_for(2)] == ["/a", "/z"]
    assert [e.url.rsplit("/", 1)[1] for e in d.log.entries()] == ["a", "z"]


def test_home_placeholder(receiver: Receiver) -> None:
    d = Dispatcher([Hook("*", "{HOME}/hook/{event}")])
    d(Event("task.add", {"id": 1, "autor": 1}, "1", "1", receiver.url))
    assert receiver.wait_for(1)[0].path == "/hook/task.add"


def test_receiver_down_is_logged_and_bounded() -> None:
    d = Dispatcher([Hook("*", closed_port_url())], timeout=2)
    d(STEP)
    (entry,) = d.log.entries()
    assert (entry.status, entry.response, entry.ok) == (None, "", False)
    assert entry.error is not None and entry.error.startswith("ConnectionRefusedError")


def test_receiver_500_logs_empty_response(receiver: Receiver) -> None:
    receiver.status = 500
    d = Dispatcher([Hook("*", receiver.url)])
    d(STEP)
    (entry,) = d.log.entries()
    assert (entry.status, entry.response, entry.error, entry.ok) == (500, "", "HTTP 500", False)


def test_slow_receiver_costs_at_most_the_timeout(receiver: Receiver) -> None:
    receiver.hold = True
    d = Dispatcher([Hook("*", receiver.url)], timeout=0.3)
    started = time.monotonic()
    d(STEP)
    waited = time.monotonic() - started
    assert waited < 5  # bounded by the 0.3 s timeout, not by the held receiver
    assert d.drain(10)
    (entry,) = d.log.entries()
    assert entry.ok is False and entry.error is not None and "timed out" in entry.error


def test_async_mode_returns_at_once_and_drains(receiver: Receiver) -> None:
    receiver.hold = True
    d = Dispatcher([Hook("*", receiver.url)], mode="async", timeout=5)
    d(STEP)
    assert d.log.entries() == []  # the answer did not wait
    receiver.release.set()
    assert d.drain(10)
    assert [e.ok for e in d.log.entries()] == [True]


def test_retries_follow_the_schedule(receiver: Receiver) -> None:
    receiver.status = 503
    d = Dispatcher([Hook("*", receiver.url, retries=[0, 0])])
    d(STEP)
    assert d.drain(10)
    assert [(e.attempt, e.status, e.ok) for e in d.log.entries()] == [(1, 503, False), (2, 503, False), (3, 503, False)]
    assert len(receiver.items) == 3


def test_retry_stops_after_success(receiver: Receiver) -> None:
    dead = Dispatcher([Hook("*", closed_port_url(), retries=[0, 0, 0])])
    dead(STEP)
    assert dead.drain(10)
    assert [e.attempt for e in dead.log.entries()] == [1, 2, 3, 4]
    ok = Dispatcher([Hook("*", receiver.url, retries=[0, 0])])
    ok(STEP)
    assert ok.drain(10)
    assert [e.attempt for e in ok.log.entries()] == [1]


def test_signature_round_trip(receiver: Receiver) -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    d = Dispatcher([Hook("*", receiver.url, secret=secret)])
    d(STEP)
    (got,) = receiver.wait_for(1)
    headers = dict(got.headers)
    assert [k for k, _ in got.headers][-3:] == ["webhook-id", "webhook-timestamp", "webhook-signature"]
    assert verify_signature(secret, headers, got.body)
    assert not verify_signature(secret, headers, got.body + b" ")
    assert not verify_signature("whsec_" + "A" * 32, headers, got.body)
    assert not verify_signature(secret, headers, got.body, now=int(headers["webhook-timestamp"]) + 301)


def test_sign_matches_the_standard_webhooks_example() -> None:
    # the reference vector from the Standard Webhooks specification
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_replay_sends_again_as_a_new_attempt(receiver: Receiver) -> None:
    d = Dispatcher([Hook("*", receiver.url)])
    d(STEP)
    first = d.log.entries()[0]
    again = d.replay(first.id)
    assert again is not None
    assert (again.attempt, again.body, again.ok) == (2, first.body, True)
    assert [r.body for r in receiver.wait_for(2)] == [first.body.encode()] * 2
    assert d.replay(999) is None


def test_trigger_fires_any_event(receiver: Receiver) -> None:
    d = Dispatcher([Hook("lead.add", receiver.url)])
    assert d.trigger("lead.add", {"id": 7}) == 1
    assert json.loads(receiver.wait_for(1)[0].body) == {"id": "7", "event": "lead.add", "identity": "1", "iduser1": "1"}


def test_listener_exception_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[str] = []

    def boom(event: Event) -> None:
        raise RuntimeError("listener bug")

    bus.subscribe("deal.change.step", boom)
    bus.subscribe("deal.change.step", lambda e: seen.append(e.name))
    bus.publish(STEP)
    assert seen == ["deal.change.step"]
    assert "listener for deal.change.step failed" in caplog.text


def test_log_is_bounded() -> None:
    d = Dispatcher([Hook("*", "")], log_size=3)
    for _ in range(5):
        d(STEP)
    entries = d.log.entries()
    assert [e.id for e in entries] == [3, 4, 5]
    assert {e.response for e in entries} == {"Не задан URL"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "X: not valid JSON or YAML"),
        ('{"a": 1}', "X: expected a list of hooks"),
        ('[{"url": "http://x"}]', "X: hook 'event' must be a non-empty string (an event name or '*')"),
        ('[{"event": "*", "url": "u", "retries": [-1]}]', "X: hook 'retries' must be a list of non-negative delays"),
        ('[{"event": "*", "url": "u", "colour": 1}]', "X: unknown hook keys: colour"),
    ],
)
def test_bad_hook_config_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_hooks(text, "X")
    assert str(exc.value).startswith(message)


def test_yaml_hooks_file() -> None:
    hooks = parse_hooks("hooks:\n  - event: deal.add\n    url: http://127.0.0.1:1/h\n", "f.yaml")
    assert [(h.event, h.url, h.title) for h in hooks] == [("deal.add", "http://127.0.0.1:1/h", "hook deal.add")]


def test_api_writes_fire_real_payloads_and_listeners(receiver: Receiver) -> None:
    from mockcrm import MockCRMServer, Settings
    from tests.conftest import ADMIN, APIKEY

    hooks = json.dumps([{"event": "*", "url": receiver.url + "/hook/{event}"}])
    with MockCRMServer(Settings(log_requests=False, webhooks=hooks)) as srv:
        seen: list[tuple[str, dict[str, object]]] = []
        srv.backend.events.subscribe("client.add", lambda e: seen.append((e.name, e.payload)))
        srv.backend.events.subscribe("client.add", lambda e: 1 / 0)  # a broken listener changes nothing
        import urllib.parse
        import urllib.request

        query = urllib.parse.urlencode({"action": "add", "login": ADMIN, "apikey": APIKEY, "title": "ООО Ромашка"})
        with urllib.request.urlopen(f"{srv.api_url}/client?{query}", timeout=10) as r:
            assert r.read().decode() == '{"result":"Успешно","data":1}'
        # sync mode: the delivery was made before the answer came back
        (got,) = receiver.items
        assert (got.path, got.body) == (
            "/hook/client.add",
            b'{"clid":"1","autor":"1","user":"1","event":"client.add","identity":"1","iduser1":"1"}',
        )
        assert seen == [("client.add", {"clid": 1, "autor": 1, "user": 1})]
        # a read fires nothing
        query = urllib.parse.urlencode({"action": "list", "login": ADMIN, "apikey": APIKEY})
        urllib.request.urlopen(f"{srv.api_url}/client?{query}", timeout=10).read()
        assert len(receiver.items) == 1
