"""The wire: a request parsed into a ``Call``, a result rendered like the PHP server does.

Everything about transports, PHP bracket parameters, ``Cleaner``, credential lookup,
the error envelope and PHP's JSON encoding lives here (protocol.md §2-§7).
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

import orjson
from werkzeug.wrappers import Request, Response

from . import php
from .errors import Fatal

if TYPE_CHECKING:
    from .backend import Account, Backend
    from .events import Event

RAW_HEADERS_KEY = "mockcrm.raw_headers"

API_HEADERS = {"Access-Control-Allow-Origin": "*"}
API_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass
class Call:
    """One API call as the PHP script sees it, after intake and authentication."""

    method: str
    action: Any
    params: dict[str, Any]
    transport: str  # "get" | "form" | "json"
    apikey: Any = None
    login: Any = None
    #: PHP's raw $_REQUEST (query + form body, no Cleaner), read by a few actions even in JSON mode
    request_vars: dict[str, Any] = field(default_factory=dict)
    #: the WSGI environ of the request (for the base URL; empty for calls made in process)
    environ: dict[str, Any] = field(default_factory=dict)
    backend: Backend | None = None
    account: Account | None = None
    user: dict[str, Any] | None = None
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: the events as the backend published them (account, actor, home filled in)
    published: list[Event] = field(default_factory=list)

    # -- conveniences for actions -------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def db(self) -> Account:
        assert self.account is not None
        return self.account

    @property
    def iduser(self) -> int:
        assert self.user is not None
        return int(self.user["iduser"])

    @property
    def base_url(self) -> str:
        """The mock's own base URL as the caller reached it ({HOME} in hooks, invoice links)."""
        env = self.environ
        if not env:
            return ""
        scheme = env.get("wsgi.url_scheme", "http")
        host = env.get("HTTP_HOST") or f"{env.get('SERVER_NAME', '')}:{env.get('SERVER_PORT', '')}"
        default = {"http": ":80", "https": ":443"}.get(scheme)
        if default and host.endswith(default):
            host = host[: -len(default)]
        return f"{scheme}://{host}"

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        """Announce a CRM event; it is published after the action leaves the lock."""
        self.events.append((event, payload))


# ------------------------------------------------------------------ intake


def cleaner(value: str) -> str:
    """``Cleaner()`` of the v2 scripts, applied to top-level form strings (protocol.md §3)."""
    value = php.trim(value)
    if '"' not in value and "'" not in value and "\\n\\r" not in value:
        return value  # nothing to replace (most values)
    value = value.replace('"', "\u201d")
    value = value.replace("\\n\\r", "")
    return value.replace("'", "&acute;")


def decode_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Split an urlencoded byte string the way PHP does (``&`` only, ``+`` is a space)."""
    if b"%" not in raw or not _ENCODED_SEPARATOR.search(raw):
        # nothing encodes "&" or "=": decoding the whole string first splits at the same places
        # (and UTF-8 sequences never hold those ASCII bytes), in one call instead of two per pair
        text = _unquote(raw)
        return [(name, value) for name, _, value in (c.partition("=") for c in text.split("&") if c)]
    pairs: list[tuple[str, str]] = []
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        name, _, value = chunk.partition(b"=")
        pairs.append((_unquote(name), _unquote(value)))
    return pairs


_ENCODED_SEPARATOR = re.compile(rb"%(26|3[dD])")


def _unquote(b: bytes) -> str:
    if b"+" in b:
        b = b.replace(b"+", b" ")
    if b"%" in b:
        b = unquote_to_bytes(b)
    return b.decode("utf-8", "surrogateescape")


def _raw_header(request: Request, *names: str) -> str | None:
    """A header looked up by exact name spelling, like PHP's ``getallheaders()`` under mod_php.

    Servers that keep the client's spelling put the raw list in the environ; elsewhere (the
    test client, other WSGI servers) names are matched case-insensitively, as under PHP-FPM.
    """
    raw: Iterable[tuple[str, str]] | None = request.environ.get(RAW_HEADERS_KEY)
    if raw is None:
        value = request.headers.get(names[0])
        return value
    found: dict[str, str] = {}
    for k, v in raw:
        if k in names and k not in found:
            found[k] = v
    for n in names:
        if n in found:
            return found[n]
    return None


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _request_vars(request: Request) -> dict[str, Any]:
    """PHP ``$_REQUEST``: the query string, overridden by a form body (request_order GP)."""
    out = php.parse_pairs(decode_pairs(request.query_string))
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            php.parse_pairs(decode_pairs(request.get_data(cache=True)), out)
        elif mimetype == "multipart/form-data":
            php.parse_pairs(request.form.items(multi=True), out)
    return out


#: PHP json_decode's default depth: deeper nesting fails like invalid JSON
JSON_DECODE_DEPTH = 512


def _php_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # PHP json_decode rejects NaN/Infinity


def php_json_decode(raw: bytes) -> Any:
    """PHP ``json_decode($raw, true)``: None for invalid JSON, invalid UTF-8 or too deep nesting."""
    if not raw.strip():
        return None
    try:
        decoded = json.loads(raw.decode("utf-8"), parse_constant=_php_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return None if _nesting(decoded) > JSON_DECODE_DEPTH else decoded


def _nesting(value: Any) -> int:
    """How deeply arrays/objects nest in a decoded JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JsonStringBody(Exception):
    """A JSON body that decodes to a string: the script indexes into it and crashes."""


def parse_request(request: Request, method: str) -> Call:
    """Turn an HTTP request into a ``Call`` (protocol.md §2)."""
    request_vars = _request_vars(request)
    # the server fills CONTENT_TYPE from the header in any spelling: without it there is none
    typed = bool(request.environ.get("CONTENT_TYPE"))
    if typed and _raw_header(request, "Content-Type", "content-type") == "application/json":
        return _parse_json(request, method, request_vars)
    params: dict[str, Any] = {k: cleaner(v) if isinstance(v, str) else v for k, v in request_vars.items()}
    transport = "form" if request.method == "POST" and request.mimetype in FORM_TYPES else "get"
    return Call(
        method=method,
        action=params.get("action"),
        params=params,
        transport=transport,
        apikey=params.get("apikey"),
        login=params.get("login"),
        request_vars=request_vars,
        environ=request.environ,
    )


def _parse_json(request: Request, method: str, request_vars: dict[str, Any]) -> Call:
    raw = request.get_data(cache=True)
    decoded = php_json_decode(raw)  # real server: invalid JSON → no params at all (protocol.md §2.1)
    apikey = _raw_header(request, "apikey", "Apikey")
    login = _raw_header(request, "login", "Login")
    body_str = isinstance(decoded, str)
    params = decoded if isinstance(decoded, dict) else {}
    if apikey is None and params.get("apikey") is not None:
        # real server: body credentials are a fallback for a missing apikey header (protocol.md §2.1)
        apikey, login = params.get("apikey"), params.get("login")
    call = Call(
        method=method,
        action=params.get("action"),
        params=params,
        transport="json",
        apikey=apikey,
        login=login,
        request_vars=request_vars,
        environ=request.environ,
    )
    if body_str:
        call.params = {"__json_string__": decoded}
    return call


# ------------------------------------------------------------------ rendering

_CYRILLIC_ESCAPE = re.compile(r"\\u(04[1-3][0-9a-f]|044[0-9a-f]|0401|0451)")


class InvalidUTF8(Exception):
    pass


class NonFinite(InvalidUTF8):
    """INF or NAN: PHP json_encode fails on them the same way (an empty body)."""


def _phpify(value: Any) -> Any:
    """Python data → what PHP's json_encode would see: {} → [], integral floats → ints."""
    if isinstance(value, dict):
        if not value:
            return []
        return {str(k): _phpify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_phpify(v) for v in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NonFinite  # real server: json_encode fails on INF/NAN, like on bad UTF-8 (protocol.md §6)
        # real server: from 1e17 on json_encode switches to exponent form (1.0e+18), so the value stays a float
        if value == int(value) and abs(value) < 1e17:
            return int(value)
        text = repr(value)
        if "e" in text:
            return _php_exponent(text)
        return value
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidUTF8 from exc
    return value


#: a float json_encode writes in exponent form travels through the encoder as a marked string
#: (a per-process random mark, so that no text a client sends can pass for one)
_MARK = "phpfloat" + secrets.token_hex(8)
_EXPONENT = re.compile(r'"\\u0000' + _MARK + r':([-+.e0-9]+)\\u0000"')


def _php_exponent(text: str) -> str:
    """Python's ``1e-05``/``1e+18`` as PHP's json_encode writes it: ``1.0e-5``/``1.0e+18`` (same digits)."""
    # real server: php_gcvt puts ".0" after a lone digit and no leading zeros in the exponent (php -r json_encode)
    mantissa, exponent = text.split("e")
    if "." not in mantissa:
        mantissa += ".0"
    return f"\x00{_MARK}:{mantissa}e{exponent[0]}{int(exponent[1:])}\x00"


def _unmark(text: str) -> str:
    return _EXPONENT.sub(r"\1", text) if _MARK in text else text


#: exact types _phpify hands over unchanged (strings are checked for UTF-8 on the whole text)
_PLAIN = frozenset({str, int, bool, type(None)})


def _phpify_fast(value: Any) -> Any:
    """``_phpify`` without the per-string UTF-8 check (``php_json`` checks the encoded text)."""
    kind = type(value)
    if kind is dict:
        if not value:
            return []
        return {
            (k if type(k) is str else str(k)): (v if type(v) in _PLAIN else _phpify_fast(v)) for k, v in value.items()
        }
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else _phpify_fast(v) for v in value]
    if kind in _PLAIN:
        return value
    if isinstance(value, (dict, list, tuple, float)) or isinstance(value, str):
        return _phpify(value)  # subclasses and floats: the general rules
    return value


#: a character json_encode leaves escaped: non-ASCII except the Russian letters json_encode_cyr restores
_ESCAPED = re.compile(r"[^\x00-\x7e\u0410-\u044f\u0401\u0451]")


def _escape(m: re.Match[str]) -> str:
    return json.dumps(m.group(0))[1:-1]


def php_json(value: Any) -> str:
    """``json_encode_cyr``: PHP json_encode defaults, then Russian letters un-escaped (protocol.md §6)."""
    # fast path: orjson encodes without ASCII escapes (in C, about twice as fast as json's encoder
    # on list pages), then what the slow path would leave escaped is escaped; orjson refuses what
    # only the slow path gets right (lone surrogates = invalid UTF-8, integers past 64 bits)
    try:
        text = orjson.dumps(_phpify_fast(value)).decode("utf-8")
    except orjson.JSONEncodeError:
        return _php_json_slow(value)
    if "\\u04" in text:  # a literal backslash-u04 in the data: only the slow path is exact
        return _php_json_slow(value)
    if not text.isascii() or "\x7f" in text:
        text = _ESCAPED.sub(_escape, text)
    return _unmark(text.replace("/", "\\/"))


def _php_json_slow(value: Any) -> str:
    text = json.dumps(_phpify(value), ensure_ascii=True, separators=(",", ":"))
    text = text.replace("/", "\\/")
    return _unmark(_CYRILLIC_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))


class ApiAnswer:
    """An API answer: HTTP 200 whatever the CRM code (protocol.md §7), JSON type, the CORS header.

    A plain WSGI app rather than a werkzeug ``Response``: building one of those was a tenth of
    what a short answer cost (issue 7's profile).  Text that cannot be UTF-8 (lone surrogates from
    undecodable input) goes out as the bytes it came from, as PHP would echo them.
    """

    __slots__ = ("body",)
    status_code = 200
    content_type = API_CONTENT_TYPE
    is_streamed = False

    def __init__(self, body: str | bytes) -> None:
        self.body = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body

    def get_data(self) -> bytes:
        return self.body

    def set_data(self, data: bytes) -> None:
        self.body = data

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = [("Content-Type", API_CONTENT_TYPE), ("Content-Length", str(len(self.body))), *_API_HEADER_ITEMS]
        start_response("200 OK", headers)
        return [self.body]


_API_HEADER_ITEMS = tuple(API_HEADERS.items())


def api_response(body: str | bytes) -> ApiAnswer:
    return ApiAnswer(body)


class JSONBytes(bytes):
    """A result that is already its body: what ``php_json`` gives for it, as UTF-8 (big answers
    put together from cached record fragments)."""


def render_body(result: Any) -> str | bytes:
    """An action's result → the body."""
    if type(result) is JSONBytes:
        return result
    try:
        return php_json(result)
    except InvalidUTF8:
        return ""  # real server: json_encode fails on invalid UTF-8 and prints nothing (protocol.md §6)


def render(result: Any) -> ApiAnswer:
    """An action's result → the HTTP answer (always 200, protocol.md §7)."""
    return api_response(render_body(result))


def render_fatal(exc: Fatal, webroot: str) -> ApiAnswer:
    return api_response(exc.page(webroot))


NOT_FOUND_BODY = "Not Found"


def not_found() -> Response:
    # real server: the web server's own 404 page for a method with no script (protocol.md §1)
    return Response(NOT_FOUND_BODY, status=404, content_type="text/html; charset=UTF-8")


def empty_page() -> Response:
    # real server: /developer/v2/index includes a missing file and prints nothing (protocol.md §1)
    return Response("", status=200, content_type="text/html; charset=UTF-8")
