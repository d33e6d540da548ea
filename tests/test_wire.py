"""The wire: PHP parameter intake, Cleaner, PHP JSON encoding, transports and protocol errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from mockcrm import php, wire
from tests.conftest import ADMIN, APIKEY

UNKNOWN_USER = {"result": "Error", "error": {"code": 401, "text": "Неизвестный пользователь"}}
UNKNOWN_ACTION = {"error": {"code": 402, "text": "Неизвестный метод"}}


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ({"a": "Привет Ёё"}, '{"a":"Привет Ёё"}'),
        ({"q": "”«№—іé"}, '{"q":"\\u201d\\u00ab\\u2116\\u2014\\u0456\\u00e9"}'),
        ({"s": "😀"}, '{"s":"\\ud83d\\ude00"}'),
        ({"u": "http://site.ru/a"}, '{"u":"http:\\/\\/site.ru\\/a"}'),
        ({"h": "<b>&'\"\\"}, '{"h":"<b>&\'\\"\\\\"}'),
        ({"c": "a\nb\tc\x01"}, '{"c":"a\\nb\\tc\\u0001"}'),
        ({"f": 100000.0, "g": 1500.5, "i": 3}, '{"f":100000,"g":1500.5,"i":3}'),
        ({}, "[]"),
        ({"data": {}, "list": []}, '{"data":[],"list":[]}'),
        ({"b": True, "n": None, "z": False}, '{"b":true,"n":null,"z":false}'),
        # real server: a stored literal "\u0410" is corrupted by json_encode_cyr (protocol.md §6)
        ({"t": "\\u0410"}, '{"t":"\\А"}'),
        # php -r 'echo json_encode(...)': exponent form from 1e17 up and below 1e-4, ".0" after a lone digit
        ({"k": 1e18, "m": -1e20, "s": 1.5e17}, '{"k":1.0e+18,"m":-1.0e+20,"s":1.5e+17}'),
        ({"p": 123456789012345678.0, "q": 1e16}, '{"p":1.2345678901234568e+17,"q":10000000000000000}'),
        ({"a": 0.0001, "b": 0.00001, "c": -2.5e-5, "d": 5e-324}, '{"a":0.0001,"b":1.0e-5,"c":-2.5e-5,"d":5.0e-324}'),
        ({"e": [1e300], "t": "\\u0410"}, '{"e":[1.0e+300],"t":"\\А"}'),
        ({"x": "\x00phpfloat:1e5\x00"}, '{"x":"\\u0000phpfloat:1e5\\u0000"}'),
    ],
)
def test_php_json(value: object, encoded: str) -> None:
    assert wire.php_json(value) == encoded


def test_invalid_utf8_renders_an_empty_body() -> None:
    resp = wire.render({"a": "bad \udcff byte"})
    assert resp.get_data() == b""
    assert resp.status_code == 200


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        (b"a=1&b=2", {"a": "1", "b": "2"}),
        (b"a=1&a=2", {"a": "2"}),
        (b"filter[type]=client&filter[x]=1", {"filter": {"type": "client", "x": "1"}}),
        (b"a[]=1&a[]=2", {"a": {"0": "1", "1": "2"}}),
        (b"client[0][title]=X&client[1][title]=Y", {"client": {"0": {"title": "X"}, "1": {"title": "Y"}}}),
        (b"client.send=1&date+plan=2", {"client_send": "1", "date_plan": "2"}),
        (b"a[b]junk=1", {"a": {"b": "1"}}),
        (b"a[b=1", {"a_b": "1"}),
        (b"=1&[x]=2", {}),
        (b"t=%D0%AF+%2B", {"t": "Я +"}),
        (b"a=1&a[x]=2", {"a": {"x": "2"}}),
    ],
)
def test_parse_pairs(raw: bytes, parsed: dict[str, object]) -> None:
    assert php.parse_pairs(wire.decode_pairs(raw)) == parsed


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("  x \t\n", "x"),
        ("Пробный \"клиент\" 'API'", "Пробный ”клиент” &acute;API&acute;"),
        ("a\\n\\rb", "ab"),
        ("a\nb", "a\nb"),
        ("`x`", "`x`"),
    ],
)
def test_cleaner(value: str, cleaned: str) -> None:
    assert wire.cleaner(value) == cleaned


def _get(client: FlaskClient, path: str, **query: object) -> object:
    return json.loads(client.get(path, query_string=query).data)


def test_api_answers_have_status_200_and_the_real_headers(client: FlaskClient) -> None:
    r = client.get("/developer/v2/client", query_string={"action": "nope", "login": ADMIN, "apikey": APIKEY})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.data == '{"error":{"code":402,"text":"Неизвестный метод"}}'.encode()


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ({"action": "fields", "login": ADMIN, "apikey": "WRONG"}, UNKNOWN_USER),
        ({"action": "fields", "login": "nobody@example.com", "apikey": APIKEY}, UNKNOWN_USER),
        ({"action": "fields"}, UNKNOWN_USER),
        ({"login": ADMIN, "apikey": "WRONG"}, UNKNOWN_USER),
        ({"login": ADMIN, "apikey": APIKEY}, UNKNOWN_ACTION),
        ({"action": "LIST", "login": ADMIN, "apikey": APIKEY}, UNKNOWN_ACTION),
        ({"action": "change.user", "login": ADMIN, "apikey": APIKEY}, UNKNOWN_ACTION),
    ],
)
def test_check_order_apikey_user_action(client: FlaskClient, query: dict[str, str], body: object) -> None:
    assert _get(client, "/developer/v2/client", **query) == body


def test_credentials_are_case_insensitive_and_trailing_spaces_ignored(client: FlaskClient) -> None:
    query = {"action": "nope", "login": ADMIN.upper() + "  ", "apikey": APIKEY.lower()}
    assert _get(client, "/developer/v2/client", **query) == UNKNOWN_ACTION


def test_sql_injection_login_is_an_unknown_user(client: FlaskClient) -> None:
    r = client.post(
        "/developer/v2/client",
        data=json.dumps({"action": "fields"}),
        headers={"Content-Type": "application/json", "apikey": APIKEY, "login": "x' OR '1'='1"},
    )
    assert json.loads(r.data) == UNKNOWN_USER


def _post_json(client: FlaskClient, body: object, headers: dict[str, str], raw: bytes | None = None) -> object:
    data = raw if raw is not None else json.dumps(body).encode()
    r = client.post("/developer/v2/client", data=data, headers=headers)
    return r.data.decode()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        # header credentials
        ({"action": "nope"}, {**JSON, "apikey": APIKEY, "login": ADMIN}, UNKNOWN_ACTION),
        # body credentials are the fallback when the apikey header is missing (protocol.md §2.1)
        ({"action": "nope", "apikey": APIKEY, "login": ADMIN}, JSON, UNKNOWN_ACTION),
        # apikey header present, login only in the body: login is null
        ({"action": "nope", "login": ADMIN}, {**JSON, "apikey": APIKEY}, UNKNOWN_USER),
        # a wrong apikey header wins over good body credentials
        ({"action": "nope", "apikey": APIKEY, "login": ADMIN}, {**JSON, "apikey": "bad", "login": ADMIN}, UNKNOWN_USER),
        # a charset suffix is not JSON mode: form mode finds no credentials
        (
            {"action": "nope", "apikey": APIKEY, "login": ADMIN},
            {"Content-Type": "application/json; charset=utf-8"},
            UNKNOWN_USER,
        ),
        # action must be a string
        ({"action": ["fields"]}, {**JSON, "apikey": APIKEY, "login": ADMIN}, UNKNOWN_ACTION),
        ({"action": 1}, {**JSON, "apikey": APIKEY, "login": ADMIN}, UNKNOWN_ACTION),
    ],
)
def test_json_transport(client: FlaskClient, body: object, headers: dict[str, str], expected: object) -> None:
    assert json.loads(str(_post_json(client, body, headers))) == expected


@pytest.mark.parametrize("raw", [b"{not json", b"", b'["fields"]', b"42"])
def test_json_body_that_is_not_an_object_has_no_params(client: FlaskClient, raw: bytes) -> None:
    text = _post_json(client, None, {**JSON, "apikey": APIKEY, "login": ADMIN}, raw)
    assert json.loads(str(text)) == UNKNOWN_ACTION


def test_json_string_body_is_a_php_fatal(client: FlaskClient) -> None:
    text = str(_post_json(client, None, {**JSON, "apikey": APIKEY, "login": ADMIN}, b'"abc"'))
    assert text == (
        "<br />\n<b>Fatal error</b>:  Uncaught TypeError: Cannot access offset of type string on string in "
        "/var/www/salesman/developer/v2/client.php:80\nStack trace:\n#0 {main}\n  thrown in "
        "<b>/var/www/salesman/developer/v2/client.php</b> on line <b>80</b><br />\n"
    )


def test_query_is_ignored_in_json_mode(client: FlaskClient) -> None:
    r = client.post(
        "/developer/v2/client?action=fields",
        data=json.dumps({"apikey": APIKEY, "login": ADMIN}),
        headers=JSON,
    )
    assert json.loads(r.data) == UNKNOWN_ACTION


def test_form_body_overrides_the_query(client: FlaskClient) -> None:
    r = client.post(
        f"/developer/v2/client?action=fields&login={ADMIN}&apikey={APIKEY}",
        data={"action": "nope"},
    )
    assert json.loads(r.data) == UNKNOWN_ACTION


def test_form_mode_ignores_credential_headers(client: FlaskClient) -> None:
    r = client.get("/developer/v2/client?action=fields", headers={"apikey": APIKEY, "login": ADMIN})
    assert json.loads(r.data) == UNKNOWN_USER


@pytest.mark.parametrize("path", ["/developer/v2/nonexistent", "/developer/v2/nonexistent.php", "/developer/v2/Client"])
def test_unknown_method_is_the_web_server_404(client: FlaskClient, path: str) -> None:
    r = client.get(path)
    assert (r.status_code, r.headers["Content-Type"], r.data) == (404, "text/html; charset=UTF-8", b"Not Found")


def test_index_is_an_empty_page(client: FlaskClient) -> None:
    r = client.get("/developer/v2/index")
    assert (r.status_code, r.headers["Content-Type"], r.data) == (200, "text/html; charset=UTF-8", b"")


def test_php_suffix_reaches_the_same_method(client: FlaskClient) -> None:
    q = {"action": "nope", "login": ADMIN, "apikey": APIKEY}
    assert _get(client, "/developer/v2/client.php", **q) == _get(client, "/developer/v2/client", **q)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e20, max_value=1e20).map(lambda f: round(f, 3)),
    # every code point, lone surrogates (invalid UTF-8) and control characters included
    st.text(st.characters(exclude_categories=()), max_size=12),
    st.sampled_from(["Ёё Привет", "\\u0410", "a/b", "\x7f", "\u2028", "😀", "№«»—", "\x00phpfloat:1e5\x00"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers(-3, 3)), inner, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=2000, deadline=None)
@given(value=_values)
def test_the_fast_encoder_writes_what_the_reference_one_does(value: object) -> None:
    # php_json's fast path (orjson) against the plain-json reference path, byte for byte,
    # failures (invalid UTF-8, INF/NAN) included
    def outcome(encode: Callable[[object], str]) -> object:
        try:
            return encode(value)
        except wire.InvalidUTF8 as exc:
            return type(exc)

    assert outcome(wire.php_json) == outcome(wire._php_json_slow)
