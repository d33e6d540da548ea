"""Fuzzing with Hypothesis: malformed requests get only answers the real server could give.

The real server answers every request to a method script with HTTP 200 and the JSON content
type; the body is a JSON envelope (optionally followed by a PHP fatal page), a PHP fatal page,
or empty (json_encode failed on invalid UTF-8).  A method with no script gets the web
server's 404 page.  Never a Python traceback, an HTTP 500 or a hang.

Most of the volume goes through the Flask test client (fast); a smaller share over a real
socket.  Runs are derandomized (fixed examples in CI) and bounded by max_examples.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockcrm import MockCRMServer, Settings, create_app
from mockcrm.methods import METHODS
from mockcrm.wire import NOT_FOUND_BODY, php_json
from tests.conftest import ADMIN, APIKEY, MANAGER

FATAL = "<br />\n<b>Fatal error</b>:  Uncaught "
FATAL_PAGE = re.compile(
    r"<br />\n<b>Fatal error</b>:  Uncaught [\w\\]+: .* in \S+:\d+\nStack trace:\n(#\d+ .*\n)+"
    r"  thrown in <b>\S+</b> on line <b>\d+</b><br />\n\Z",
    re.S,
)
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# ------------------------------------------------------------------ what can be sent

ALL_ACTIONS = sorted({a for m in METHODS.values() for a in m.ACTIONS})
PARAM_NAMES = (
    "clid pid did id title filter fields order offset page word user uid uids "
    "dateStart dateEnd date_create active tip step steps summa description client person persons "
    "recv speka socials contacts phone mail_url email iduser invoice do reason totime status_close "
    "direction template templateID signer mperson payer sid first kol_fact marga"
).split()
CREDENTIALS = ["action", "apikey", "login"]
#: the verb does not matter to the scripts, but only a POST body is read (so mostly POST)
HTTP_METHODS = ["POST", "POST", "POST", "GET", "PUT", "PATCH", "DELETE", "OPTIONS"]

method_names = st.one_of(
    *[st.sampled_from(sorted(METHODS))] * 6,
    st.sampled_from(sorted(METHODS)).map(lambda m: m + ".php"),
    st.sampled_from(["index", "index.php", "foo", "Client", "logger", "auth.php", "client.PHP"]),
)
junk_actions: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(ALL_ACTIONS),
    st.sampled_from(["", "LIST", "list ", " add", "nope", "fields\x00", "add.list.x"]),
    st.text(max_size=12),
)


def actions(method: str) -> st.SearchStrategy[str]:
    """Mostly an action the method accepts (so the action code runs), sometimes anything."""
    module = METHODS.get(method.removesuffix(".php"))
    if module is None:
        return junk_actions
    own = st.sampled_from(sorted(module.ACTIONS))
    return st.one_of(own, own, own, junk_actions)


#: text that looks like the values actions parse: numbers, dates, SQL-ish, PHP-ish
tricky_text = st.sampled_from(
    [
        "0", "1", "-1", "2", "3", "9999999999999999999999", "1e3", "0x1A", " 1", "1.5", "abc", "",
        "yes", "no", "true", "null", "Array", "'", '"', "\\", "%", "_", "`", "' OR 1=1 -- ",
        "2026-11-28", "2026-13-45 25:61:61", "0000-00-00 00:00:00", "title", "date_create DESC",
        "clid;DROP", "<b>x</b>", "\\u0410", "Ёлка", "\u201d", "\U0001f600", "a/b", "\r\n\t",
        "admin@example.com", "manager@example.com",
    ]
)  # fmt: skip
huge_text = st.integers(min_value=1_000, max_value=12_000).flatmap(
    lambda n: st.sampled_from(["x", "Я", "1", "'", "\U0001f600", "<"]).map(lambda c: c * n)
)
plain_text = st.one_of(*[tricky_text] * 5, *[st.text(max_size=40)] * 4, huge_text)
#: raw bytes for query/form values: valid UTF-8 or not
raw_bytes = st.one_of(
    plain_text.map(lambda s: s.encode("utf-8")),
    st.binary(max_size=40),
    st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"ok\xfe\xff", b"\xd0\xaf\xd0"]),
)


@dataclass(frozen=True)
class Deep:
    """An array/object nested ``depth`` times; encoded as text (json.dumps would recurse too deep)."""

    depth: int
    leaf: Any
    kind: str

    def text(self) -> str:
        head, tail = ("[", "]") if self.kind == "list" else ('{"a":', "}")
        return head * self.depth + json.dumps(self.leaf) + tail * self.depth


def dumps(value: Any, ensure_ascii: bool = True) -> str:
    """json.dumps that writes ``Deep`` values as text."""
    deep: list[Deep] = []

    def mark(v: Any) -> Any:
        if isinstance(v, Deep):
            deep.append(v)
            return f"\x00DEEP{len(deep) - 1}\x00"
        if isinstance(v, dict):
            return {k: mark(x) for k, x in v.items()}
        if isinstance(v, list):
            return [mark(x) for x in v]
        return v

    text = json.dumps(mark(value), ensure_ascii=ensure_ascii)
    for i, d in enumerate(deep):
        text = text.replace(f'"\\u0000DEEP{i}\\u0000"', d.text(), 1)
    return text


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    plain_text,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(PARAM_NAMES), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=20,
)
deep_values = st.builds(Deep, st.integers(min_value=1, max_value=3000), json_scalars, st.sampled_from(["list", "dict"]))
any_json_value = st.one_of(*[json_values] * 5, deep_values)


@st.composite
def bracket_names(draw: st.DrawFn) -> str:
    """A PHP parameter name, plain or with brackets (``a[]``, ``a[x][y]``, up to 100 levels)."""
    base = draw(st.one_of(*[st.sampled_from(PARAM_NAMES + CREDENTIALS)] * 6, st.text(max_size=6)))
    depth = draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3, 64, 65, 100]))
    keys = draw(st.lists(st.sampled_from(["", "", "0", "1", "type", "title"]), min_size=depth, max_size=depth))
    suffix = "".join(f"[{k}]" for k in keys)
    if draw(st.integers(0, 9)) == 9:
        suffix += draw(st.sampled_from(["[", "]", "[[", "][", "[a", ".x", " y"]))
    return base + suffix


@st.composite
def pair_lists(draw: st.DrawFn, method: str) -> list[tuple[bytes, bytes]]:
    """Query/form pairs: credentials (mostly right), an action, random and repeated params."""
    pairs: list[tuple[bytes, bytes]] = []
    # Hypothesis leans to small numbers: 0 is the common case throughout
    if draw(st.integers(0, 9)) < 9:
        pairs.append((b"login", draw(st.sampled_from([ADMIN, ADMIN, MANAGER, "ADMIN@example.com "])).encode()))
        pairs.append((b"apikey", draw(st.sampled_from([APIKEY, APIKEY, APIKEY.lower(), "wrong"])).encode()))
    if draw(st.integers(0, 9)) < 9:
        pairs.append((b"action", draw(actions(method)).encode("utf-8", "surrogatepass")))
    for _ in range(draw(st.integers(0, 8))):
        pairs.append((draw(bracket_names()).encode("utf-8", "surrogatepass"), draw(raw_bytes)))
    if pairs and draw(st.integers(0, 3)) == 3:
        repeated = draw(st.sampled_from(pairs))
        pairs += [(repeated[0], draw(raw_bytes)) for _ in range(draw(st.integers(1, 3)))]
    if draw(st.integers(0, 29)) == 29:  # many repeated list params (PHP reads the first 1000)
        pairs += [(b"a[]", b"1")] * draw(st.integers(1_000, 3_000))
    return draw(st.permutations(pairs)) if len(pairs) < 50 and draw(st.booleans()) else pairs


def urlencode(pairs: list[tuple[bytes, bytes]]) -> str:
    return "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs)


@st.composite
def json_bodies(draw: st.DrawFn, method: str) -> tuple[bytes, dict[str, str]]:
    """A body for the JSON transport and its headers (credentials in headers, body, or nowhere)."""
    where = draw(st.sampled_from(["headers", "headers", "headers", "body", "none"]))
    headers = {"Content-Type": draw(st.sampled_from(["application/json", "content-type"]))}
    if headers["Content-Type"] == "content-type":
        headers = {"content-type": "application/json"}
    if where == "headers":
        headers.update(apikey=APIKEY, login=draw(st.sampled_from([ADMIN, ADMIN, MANAGER, "nobody"])))
    kind = draw(st.sampled_from(["object"] * 6 + ["value", "invalid", "bad-utf8"]))
    if kind == "value":
        return dumps(draw(any_json_value)).encode(), headers
    if kind == "invalid":
        raw = draw(
            st.one_of(
                st.sampled_from([b"", b"{", b'{"action":', b"[1,2", b"NaN", b"{'a':1}", b"\x00", b"null", b"1e999"]),
                st.binary(max_size=60),
                st.just(b"[" * 100_000),
            )
        )
        return raw, headers
    obj: dict[str, Any] = {}
    if where == "body":
        obj.update(apikey=APIKEY, login=ADMIN)
    obj["action"] = draw(st.one_of(*[actions(method)] * 4, json_scalars, json_values))
    names = st.one_of(*[st.sampled_from(PARAM_NAMES + CREDENTIALS)] * 6, st.text(max_size=6))
    obj.update(draw(st.dictionaries(names, any_json_value, max_size=6)))
    body = dumps(obj, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if kind == "bad-utf8":
        cut = draw(st.integers(0, len(body)))
        body = body[:cut] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xed\xa0\x80"])) + body[cut:]
    return body, headers


# ------------------------------------------------------------------ what may come back


def assert_php_answer(method: str, status: int, content_type: str, body: bytes, http_method: str = "GET") -> None:
    """The answer is one the real server could give for ``method`` (see the module docstring)."""
    assert b"Traceback" not in body and status != 500, body[:2000]
    script = method.removesuffix(".php")
    if script == "index":
        assert (status, body) == (200, b"")
        return
    if script not in METHODS:
        assert status == 404 and body in (NOT_FOUND_BODY.encode(), b"")
        return
    assert (status, content_type) == (200, "application/json; charset=utf-8"), body[:500]
    if http_method == "HEAD" or body == b"":
        return  # HEAD carries no body; empty = json_encode failed on invalid UTF-8
    text = body.decode("utf-8")
    if text.startswith(FATAL):
        assert FATAL_PAGE.match(text), text[:2000]
        return
    value, end = json.JSONDecoder(parse_constant=_no_constants).raw_decode(text)
    assert isinstance(value, (dict, list)), text[:500]
    assert text[:end] == php_json(value), "not PHP's json_encode output"
    rest = text[end:]
    assert rest == "" or FATAL_PAGE.match(rest), rest[:2000]


def _no_constants(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def healthy(client: FlaskClient) -> None:
    assert client.get("/__mockcrm/health").get_json()["status"] == "ok"
    query = {"action": "add", "login": ADMIN, "apikey": APIKEY, "title": "После фаззинга"}
    added = client.get("/developer/v2/client", query_string=query).get_json()
    assert added["result"] == "Успешно"
    query = {"action": "info", "clid": added["data"], "fields": "title", "login": ADMIN, "apikey": APIKEY}
    assert client.get("/developer/v2/client", query_string=query).get_json() == {"data": {"title": "После фаззинга"}}


# ------------------------------------------------------------------ through the test client


@pytest.fixture(scope="module")
def fuzz_client() -> Iterator[FlaskClient]:
    client = create_app(Settings(log_requests=False)).test_client()
    yield client
    healthy(client)


@settings(FUZZ, max_examples=650)
@given(
    method=method_names,
    http_method=st.sampled_from(HTTP_METHODS),
    form=st.sampled_from(["query", "urlencoded", "split"]),
    data=st.data(),
)
def test_query_and_form_requests(
    fuzz_client: FlaskClient, method: str, http_method: str, form: str, data: st.DataObject
) -> None:
    pairs = data.draw(pair_lists(method))
    query, body = (urlencode(pairs), b"") if form == "query" else ("", urlencode(pairs).encode())
    if form == "split":
        query, body = urlencode(pairs[::2]), urlencode(pairs[1::2]).encode()
    headers = {} if form == "query" else {"Content-Type": "application/x-www-form-urlencoded"}
    r = fuzz_client.open(f"/developer/v2/{method}?{query}", method=http_method, data=body, headers=headers)
    assert_php_answer(method, r.status_code, r.content_type, r.data, http_method)


@settings(FUZZ, max_examples=200)
@given(
    method=st.sampled_from(sorted(METHODS)),
    fields=st.dictionaries(bracket_names(), plain_text, max_size=6),
    data=st.data(),
)
def test_multipart_requests(fuzz_client: FlaskClient, method: str, fields: dict[str, str], data: st.DataObject) -> None:
    form = {**fields, "login": ADMIN, "apikey": APIKEY, "action": data.draw(actions(method))}
    r = fuzz_client.post(f"/developer/v2/{method}", data=form, content_type="multipart/form-data")
    assert_php_answer(method, r.status_code, r.content_type, r.data, "POST")


@settings(FUZZ, max_examples=700)
@given(method=method_names, http_method=st.sampled_from(["POST", "POST", "PUT", "GET"]), data=st.data())
def test_json_requests(fuzz_client: FlaskClient, method: str, http_method: str, data: st.DataObject) -> None:
    body, headers = data.draw(json_bodies(method))
    r = fuzz_client.open(f"/developer/v2/{method}", method=http_method, data=body, headers=headers)
    assert_php_answer(method, r.status_code, r.content_type, r.data, http_method)


WRONG_TYPES = [
    "text/plain",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/xml",
    "multipart/form-data",  # no boundary
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded; charset=koi8-r",
    "",
]


@settings(FUZZ, max_examples=150)
@given(method=st.sampled_from(sorted(METHODS)), content_type=st.sampled_from(WRONG_TYPES), data=st.data())
def test_wrong_content_types(fuzz_client: FlaskClient, method: str, content_type: str, data: st.DataObject) -> None:
    body = data.draw(
        st.one_of(
            st.binary(max_size=200),
            json_bodies(method).map(lambda b: b[0]),
            pair_lists(method).map(lambda p: urlencode(p).encode()),
        )
    )
    query = urlencode(data.draw(pair_lists(method)))
    r = fuzz_client.post(f"/developer/v2/{method}?{query}", data=body, headers={"Content-Type": content_type})
    assert_php_answer(method, r.status_code, r.content_type, r.data, "POST")


# ------------------------------------------------------------------ over a real socket


@pytest.fixture(scope="module")
def socket_server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings(log_requests=False)) as srv:
        yield srv
        healthy(srv.app.test_client())
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        conn.request("GET", "/__mockcrm/health")
        assert json.loads(conn.getresponse().read())["status"] == "ok"
        conn.close()


@st.composite
def raw_requests(draw: st.DrawFn) -> tuple[str, str, str, list[tuple[str, str]], bytes]:
    method = draw(method_names)
    http_method = draw(st.sampled_from([*HTTP_METHODS, "HEAD"]))
    kind = draw(st.sampled_from(["query", "form", "json"]))
    if kind == "json":
        body, hdrs = draw(json_bodies(method))
        headers = list(hdrs.items())
        if draw(st.booleans()):  # a spelling mod_php does not recognise
            headers = [(k.upper(), v) for k, v in headers]
        return http_method, method, "", headers, body
    pairs = draw(pair_lists(method))
    if kind == "query":
        return http_method, method, urlencode(pairs), [], b""
    return http_method, method, "", [("Content-Type", "application/x-www-form-urlencoded")], urlencode(pairs).encode()


@settings(FUZZ, max_examples=300)
@given(req=raw_requests())
def test_requests_over_a_socket(
    socket_server: MockCRMServer, req: tuple[str, str, str, list[tuple[str, str]], bytes]
) -> None:
    http_method, method, query, headers, body = req
    conn = http.client.HTTPConnection(socket_server.host, socket_server.port, timeout=30)
    try:
        conn.putrequest(
            http_method, f"/developer/v2/{method}" + (f"?{query}" if query else ""), skip_accept_encoding=True
        )
        for k, v in headers:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status == 414:  # the web server's own limit (Apache: 8190 bytes, werkzeug: 64 KB)
            assert len(query) > 8190
            return
        assert_php_answer(method, resp.status, resp.getheader("Content-Type", ""), data, http_method)
    finally:
        conn.close()


# ------------------------------------------------------------------ what the fuzzing found (fixed)


def _json_post(client: FlaskClient, body: bytes) -> bytes:
    headers = {"Content-Type": "application/json", "apikey": APIKEY, "login": ADMIN}
    r = client.post("/developer/v2/client", data=body, headers=headers)
    assert (r.status_code, r.content_type) == (200, "application/json; charset=utf-8")
    return r.data


@pytest.mark.parametrize(
    "body",
    [
        b'{"action":"fields","x":' + b"[" * 5000 + b"]" * 5000 + b"}",  # was a RecursionError (HTTP 500)
        b'{"action":"fields","x":' + b"[" * 512 + b"]" * 512 + b"}",  # PHP json_decode depth 512: too deep
        b'{"action":"fields","x":NaN}',  # PHP json_decode has no NaN/Infinity
        b'{"action":"fields","x":-Infinity}',
    ],
)
def test_json_php_cannot_decode_means_no_params(client: FlaskClient, body: bytes) -> None:
    assert _json_post(client, body) == '{"error":{"code":402,"text":"Неизвестный метод"}}'.encode()


def test_json_at_the_depth_limit_still_decodes(client: FlaskClient) -> None:
    body = b'{"action":"fields","x":' + b"[" * 511 + b"]" * 511 + b"}"
    assert json.loads(_json_post(client, body))["data"]


INF = b"1e999"  # decodes to INF, as in PHP; int(INF) was an OverflowError (HTTP 500) in several places


@pytest.mark.parametrize(
    ("method", "params", "start"),
    [
        ("client", {"action": "list", "offset": INF}, "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception"),
        (
            "client",
            {"action": "delete", "clid": INF},
            "<br />\n<b>Fatal error</b>:  Uncaught TypeError: Salesman\\Client::delete(): Argument #1 ($clid) "
            "must be of type int, float given",
        ),
        ("task", {"action": "info", "id": INF}, '{"result":"Error"'),
        ("deal", {"action": "info", "did": INF}, '{"result":"Error"'),
    ],
)
def test_an_infinite_number_is_answered_like_php(method: str, params: dict[str, bytes], start: str) -> None:
    client = create_app(Settings(log_requests=False)).test_client()
    body = b'{"login":"%s","apikey":"%s"' % (ADMIN.encode(), APIKEY.encode())
    for k, v in params.items():
        body += b',"%s":%s' % (k.encode(), v if v is INF else json.dumps(v).encode())
    r = client.post(f"/developer/v2/{method}", data=body + b"}", headers={"Content-Type": "application/json"})
    assert r.status_code == 200 and r.data.decode().startswith(start), r.data[:300]


def test_many_list_params_are_capped_like_max_input_vars(client: FlaskClient) -> None:
    # 100,000 "a[]" pairs once took minutes (a scan per pair); PHP reads the first 1000 only
    query = f"action=fields&login={ADMIN}&apikey={APIKEY}&" + "a[]=1&" * 100_000
    r = client.get(f"/developer/v2/client?{query}")
    assert r.status_code == 200 and json.loads(r.data)["data"]


def test_nameless_multipart_part_is_skipped(client: FlaskClient) -> None:
    # a part whose name werkzeug cannot read (None) was an AttributeError (HTTP 500)
    r = client.post(
        "/developer/v2/client",
        data={"\n": "0", "action": "fields", "login": ADMIN, "apikey": APIKEY},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200 and json.loads(r.data)["data"]
