"""Requests as the recorder builds them: credentials, PHP-style query strings, the four transports.

Adapted from ``contract/replay.py`` (itself the same as ``../shared/tools/record.py``), so a step
sent here is byte for byte the request the recorder and the replay tool send.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

DEFAULT_APIKEY = "VaSeZvkTfh5HMjJpNnge1W7Bloim0S"
DEFAULT_LOGINS = ("admin@example.com", "manager@example.com", "manager2@example.com")
BAD_APIKEY = "WRONG-APIKEY-0000000000000000"
UNKNOWN_LOGIN = "nobody@example.com"
TRANSPORTS = ("get", "form", "json-headers", "json-body")
USERS = ("admin", "manager", "manager2", "bad-apikey", "unknown-login")


@dataclass(frozen=True)
class Credentials:
    apikey: str = DEFAULT_APIKEY
    logins: tuple[str, str, str] = DEFAULT_LOGINS

    def tokens(self) -> dict[str, str]:
        admin, manager, manager2 = self.logins
        return {
            "{APIKEY}": self.apikey,
            "{LOGIN}": admin,
            "{LOGIN2}": manager,
            "{LOGIN3}": manager2,
            "{APIKEY_LOWER}": self.apikey.lower(),
            "{LOGIN_UPPER}": admin.upper(),
        }

    def of(self, who: str) -> tuple[str | None, str | None]:
        """-> (login, apikey) of a step's ``as``; (None, None) for ``none``."""
        admin, manager, manager2 = self.logins
        return {
            "admin": (admin, self.apikey),
            "manager": (manager, self.apikey),
            "manager2": (manager2, self.apikey),
            "bad-apikey": (admin, BAD_APIKEY),
            "unknown-login": (UNKNOWN_LOGIN, self.apikey),
            "none": (None, None),
        }[who]


def php_pairs(value: Any, prefix: str) -> list[tuple[str, str]]:
    """Flatten like PHP ``http_build_query``: ``a[b][0]=x``; None is skipped, booleans are 1/0."""
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += php_pairs(v, f"{prefix}[{k}]" if prefix else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += php_pairs(v, f"{prefix}[{i}]")
    elif value is None:
        pass
    elif value is True:
        out.append((prefix, "1"))
    elif value is False:
        out.append((prefix, "0"))
    else:
        out.append((prefix, str(value)))
    return out


def php_query(d: dict[str, Any]) -> str:
    pairs = php_pairs(d, "")
    return "&".join(urllib.parse.quote_plus(k, safe="") + "=" + urllib.parse.quote_plus(v, safe="") for k, v in pairs)


def substitute(obj: Any, tokens: dict[str, str]) -> Any:
    if isinstance(obj, str):
        for k, v in tokens.items():
            if k in obj:
                obj = obj.replace(k, v)
        return obj
    if isinstance(obj, list):
        return [substitute(x, tokens) for x in obj]
    if isinstance(obj, dict):
        return {substitute(k, tokens): substitute(v, tokens) for k, v in obj.items()}
    return obj


@dataclass
class Request:
    verb: str
    url: str
    headers: dict[str, str]
    data: bytes | None


def build_request(step: dict[str, Any], base: str, creds: Credentials) -> Request:
    """The HTTP request of a scenario step (record.py's build_request)."""
    tokens = creds.tokens()
    params = substitute(step.get("params") or {}, tokens)
    login, apikey = creds.of(step.get("as", "admin"))
    action = step.get("action")
    transport = step.get("transport", "get")
    path = substitute(step.get("path") or step["method"], tokens)
    url = base.rstrip("/") + "/developer/v2/" + path
    headers: dict[str, str] = {}
    data: bytes | None = None
    if transport in ("get", "form"):
        q: dict[str, Any] = {}
        if action is not None:
            q["action"] = action
        if login is not None:
            q["login"] = login
            q["apikey"] = apikey
        q.update(params)
        if transport == "get":
            qs = php_query(q)
            if qs:
                url += ("&" if "?" in url else "?") + qs
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = php_query(q).encode("utf-8")
    elif transport in ("json-headers", "json-body"):
        headers["Content-Type"] = "application/json"
        body: dict[str, Any] = {}
        if transport == "json-headers":
            if login is not None and apikey is not None:
                headers["apikey"] = apikey
                headers["login"] = login
        elif login is not None:
            body["apikey"] = apikey
            body["login"] = login
        if action is not None:
            body["action"] = action
        body.update(params)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    else:
        raise ValueError(f"unknown transport: {transport}")
    if "body_raw" in step:
        data = substitute(step["body_raw"], tokens).encode("utf-8")
    for k, v in (step.get("headers") or {}).items():
        for hk in [h for h in headers if h.lower() == k.lower()]:
            del headers[hk]
        if v is not None:
            headers[k] = substitute(v, tokens)
    return Request("GET" if data is None else "POST", url, headers, data)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    raw: bytes
    error: str | None = None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


def send(req: Request, timeout: float = 60.0) -> Response:
    """http.client keeps header names as given (PHP's getallheaders() is case-sensitive)."""
    u = urllib.parse.urlsplit(req.url)
    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=timeout)
    target = (u.path or "/") + ("?" + u.query if u.query else "")
    try:
        conn.putrequest(req.verb, target, skip_accept_encoding=True)
        for k, v in req.headers.items():
            conn.putheader(k, v)
        if req.data is not None:
            conn.putheader("Content-Length", str(len(req.data)))
        conn.endheaders(req.data)
        r = conn.getresponse()
        return Response(r.status, dict(r.getheaders()), r.read())
    except (OSError, http.client.HTTPException) as exc:
        return Response(0, {}, b"", f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()
