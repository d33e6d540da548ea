"""The rules engine: answers changed on purpose for a test, one concept for stubs, patches and faults.

A rule matches API calls (method, action, login, transport, parameters) and does one thing:

* ``respond``: answer this instead (a JSON body, or raw text with a content type; optionally an HTTP status
  and headers), ``{param}`` placeholders filled from the request;
* ``patch``: compute the real answer, then change it (a JSON merge patch, then ``set``/``remove`` at JSON
  pointers);
* the fault kinds: ``error`` (a CRM error answer), ``fatal`` (PHP's fatal-error page), ``latency``,
  ``drop`` (close the connection), ``malformed`` (cut the answer in half).

Rules are tried by priority (higher first), then in the order they were added.  A call gets at most one
rule that replaces its answer (``respond``, ``error``, ``fatal``, ``drop``), one ``latency`` and one
``malformed``, and every ``patch`` that matches, applied in that order.  ``count``, ``ttl``,
``probability`` and ``seed`` bound when a rule fires; a rule that fired is listed in the journal entry.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from . import php

FAULT_KINDS = ("error", "fatal", "latency", "drop", "malformed")
KINDS = ("respond", "patch", *FAULT_KINDS)
#: the kinds that put another answer in place of the real one (one per call)
ANSWER_KINDS = ("respond", "error", "fatal", "drop")
TRANSPORTS = ("get", "form", "json")
_MATCHER_KEYS = ("equals", "regex", "present")
_PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")
_COMMON = {
    "kind",
    "method",
    "action",
    "login",
    "transport",
    "params",
    "priority",
    "probability",
    "seed",
    "count",
    "ttl",
}
_KIND_KEYS = {
    "respond": {"body", "raw", "content_type", "status", "headers"},
    "patch": {"merge", "set", "remove"},
    "error": {"code", "text"},
    "fatal": {"message"},
    "latency": {"latency"},
    "drop": set(),
    "malformed": set(),
}


class RuleError(ValueError):
    """A rule that cannot be added: the message says which key is wrong and why."""


@dataclass
class ParamMatcher:
    """One parameter condition: ``equals`` (compared as PHP text), ``regex`` (searched in the text) or
    ``present`` (true: the parameter is sent, false: it is not)."""

    name: str
    path: list[str]
    equals: Any = None
    regex: re.Pattern[str] | None = None
    present: bool | None = None
    spec: Any = None  # as the rule was given, for the listing

    def matches(self, params: dict[str, Any]) -> bool:
        found, value = _lookup(params, self.path)
        if self.present is not None:
            return found is self.present
        if not found:
            return False
        if self.regex is not None:
            return not isinstance(value, (dict, list)) and self.regex.search(php.strval(value)) is not None
        if isinstance(self.equals, (dict, list)) or isinstance(value, (dict, list)):
            return bool(_loose_equal(value, self.equals))
        return php.strval(value) == _text(self.equals)


def _text(value: Any) -> str:
    """A matcher's value as PHP would print the parameter: ``7`` and ``"7"`` both read "7", true reads "1"."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else php.strval(value)


def _loose_equal(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict) and isinstance(value, dict):
        return set(value) == {str(k) for k in wanted} and all(_loose_equal(value[str(k)], v) for k, v in wanted.items())
    if isinstance(wanted, list) and isinstance(value, (list, dict)):
        items = list(value.values()) if isinstance(value, dict) else value
        return len(items) == len(wanted) and all(_loose_equal(a, b) for a, b in zip(items, wanted, strict=True))
    if isinstance(wanted, (dict, list)) or isinstance(value, (dict, list)):
        return False
    return php.strval(value) == _text(wanted)


def _param_path(name: str) -> list[str]:
    """``filter[type]`` → ``["filter", "type"]``: a parameter named as PHP's brackets name it."""
    head, _, rest = name.partition("[")
    if not rest:
        return [name]
    keys = re.findall(r"([^\[\]]*)\]", "[" + rest)
    return [head, *keys]


def _lookup(params: Any, path: list[str]) -> tuple[bool, Any]:
    value = params
    for key in path:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return False, None
    return True, value


def _matcher(name: Any, spec: Any) -> ParamMatcher:
    if not isinstance(name, str) or not name:
        raise RuleError("rule 'params' keys must be parameter names")
    m = ParamMatcher(name=name, path=_param_path(name), spec=spec)
    if isinstance(spec, dict) and spec and set(spec) <= set(_MATCHER_KEYS):
        if len(spec) != 1:
            raise RuleError(f"rule 'params.{name}' takes one of equals, regex, present")
        if "regex" in spec:
            if not isinstance(spec["regex"], str):
                raise RuleError(f"rule 'params.{name}.regex' must be a string")
            try:
                m.regex = re.compile(spec["regex"])
            except re.error as exc:
                raise RuleError(f"rule 'params.{name}.regex' is not a regular expression: {exc}") from None
        elif "present" in spec:
            if not isinstance(spec["present"], bool):
                raise RuleError(f"rule 'params.{name}.present' must be true or false")
            m.present = spec["present"]
        else:
            m.equals = spec["equals"]
        return m
    m.equals = spec
    return m


@dataclass
class Rule:
    """One rule; ``method``/``action``/``login``/``transport`` may be ``"*"``."""

    kind: str
    method: str = "*"
    action: str = "*"
    login: str = "*"
    transport: str = "*"
    params: list[ParamMatcher] = field(default_factory=list)
    priority: int = 0
    # respond
    body: Any = None
    raw: str | None = None
    content_type: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # patch
    merge: Any = None
    set: dict[str, Any] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    # error: the CRM error code and text of the answer
    code: int | str = 500
    text: str = "Внутренняя ошибка"
    # fatal: the message of the PHP fatal-error page
    message: str = "MySQL server has gone away"
    # latency: seconds, or [low, high] for a uniform range
    latency: float | list[float] = 0.0
    probability: float = 1.0
    seed: int | None = None
    #: how many more times the rule may fire (None = unlimited)
    count: int | None = None
    #: seconds the rule lives from its creation (None = forever)
    ttl: float | None = None
    id: int = 0
    created: float = field(default_factory=time.monotonic)
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @property
    def is_fault(self) -> bool:
        return self.kind in FAULT_KINDS

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind}
        out.update(method=self.method, action=self.action, login=self.login, transport=self.transport)
        out["params"] = {m.name: m.spec for m in self.params}
        out["priority"] = self.priority
        if self.kind == "respond":
            if self.raw is not None:
                out.update(raw=self.raw, content_type=self.content_type)
            else:
                out["body"] = self.body
            out.update(status=self.status, headers=self.headers)
        elif self.kind == "patch":
            out.update(merge=self.merge, set=self.set, remove=self.remove)
        elif self.kind == "error":
            out.update(code=self.code, text=self.text)
        elif self.kind == "fatal":
            out["message"] = self.message
        elif self.kind == "latency":
            out["latency"] = self.latency
        out.update(probability=self.probability, seed=self.seed, count=self.count, ttl=self.ttl, fired=self.fired)
        return out

    def expired(self, now: float) -> bool:
        return (self.count is not None and self.count <= 0) or (self.ttl is not None and now - self.created > self.ttl)

    def matches(self, method: str, action: Any, login: Any, transport: str, params: dict[str, Any]) -> bool:
        return (
            self.method in ("*", method)
            and (self.action == "*" or self.action == action)
            and (self.login == "*" or (isinstance(login, str) and self.login.lower() == login.lower()))
            and self.transport in ("*", transport)
            and all(m.matches(params) for m in self.params)
        )

    def delay(self) -> float:
        if isinstance(self.latency, list):
            low, high = self.latency
            return self._rng.uniform(low, high)
        return float(self.latency)

    # -- what respond and patch do ------------------------------------------------------

    def respond_body(self, fill: dict[str, str]) -> tuple[Any, str | None]:
        """(the JSON body with its placeholders filled, or None) and (the raw text, or None)."""
        if self.raw is not None:
            return None, _fill(self.raw, fill)
        return _fill_all(self.body, fill), None

    def apply_patch(self, doc: Any) -> Any:
        """``doc`` changed by this rule: the merge patch first (RFC 7386), then each ``set``, then each
        ``remove`` (JSON pointers, RFC 6901; a pointer to nothing is skipped)."""
        if self.merge is not None:
            doc = merge_patch(doc, self.merge)
        for pointer, value in self.set.items():
            doc = _set_pointer(doc, pointer, copy.deepcopy(value))
        for pointer in self.remove:
            doc = _remove_pointer(doc, pointer)
        return doc

    # -- building one from JSON ---------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any, allowed_kinds: tuple[str, ...] = KINDS, noun: str = "rule") -> Rule:
        if not isinstance(data, dict):
            raise RuleError(f"a {noun} is an object with at least 'kind'")
        kind = data.get("kind")
        if kind not in allowed_kinds:
            raise RuleError(f"{noun} 'kind' must be one of {', '.join(allowed_kinds)}")
        unknown = set(data) - _COMMON - _KIND_KEYS[kind]
        if unknown:
            raise RuleError(f"unknown {noun} keys: {', '.join(sorted(unknown))}")
        for key in ("method", "action", "login", "transport", "text", "message", "raw", "content_type"):
            if key in data and not isinstance(data[key], str):
                raise RuleError(f"{noun} '{key}' must be a string")
        transport = data.get("transport", "*")
        if transport not in ("*", *TRANSPORTS):
            raise RuleError(f"{noun} 'transport' must be one of *, {', '.join(TRANSPORTS)}")
        params = data.get("params", {})
        if not isinstance(params, dict):
            raise RuleError(f"{noun} 'params' must be an object: parameter name -> value or matcher")
        for key in ("count", "seed", "priority"):
            if data.get(key) is not None and (not isinstance(data[key], int) or isinstance(data[key], bool)):
                raise RuleError(f"{noun} '{key}' must be an integer")
        probability = data.get("probability", 1.0)
        if not _number(probability) or not 0 <= probability <= 1:
            raise RuleError(f"{noun} 'probability' must be a number from 0 to 1")
        ttl = data.get("ttl")
        if ttl is not None and (not _number(ttl) or ttl <= 0):
            raise RuleError(f"{noun} 'ttl' must be a number of seconds > 0")
        rule = cls(
            kind=kind,
            method=data.get("method", "*"),
            action=data.get("action", "*"),
            login=data.get("login", "*"),
            transport=transport,
            params=[_matcher(name, spec) for name, spec in params.items()],
            priority=data.get("priority") or 0,
            probability=float(probability),
            seed=data.get("seed"),
            count=data.get("count"),
            ttl=None if ttl is None else float(ttl),
        )
        getattr(rule, f"_read_{kind}", lambda d, n: None)(data, noun)
        return rule

    def _read_respond(self, data: dict[str, Any], noun: str) -> None:
        if ("body" in data) == ("raw" in data):
            raise RuleError("a respond rule has either 'body' (JSON) or 'raw' (text)")
        if "content_type" in data and "raw" not in data:
            raise RuleError("respond 'content_type' goes with 'raw' (a JSON body is application/json)")
        status = data.get("status", 200)
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise RuleError("respond 'status' must be an HTTP status code (100-599)")
        headers = data.get("headers", {})
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise RuleError("respond 'headers' must be an object of strings")
        bad = [k for k in headers if k.lower() in ("content-length", "transfer-encoding", "connection")]
        if bad:
            raise RuleError(f"respond 'headers' cannot set {bad[0]} (the server sets it)")
        self.body, self.raw = data.get("body"), data.get("raw")
        self.content_type = data.get("content_type", "text/html; charset=UTF-8") if self.raw is not None else None
        self.status, self.headers = status, dict(headers)

    def _read_patch(self, data: dict[str, Any], noun: str) -> None:
        if not any(k in data for k in ("merge", "set", "remove")):
            raise RuleError("a patch rule needs 'merge', 'set' or 'remove'")
        sets, removes = data.get("set", {}), data.get("remove", [])
        if not isinstance(sets, dict):
            raise RuleError("patch 'set' must be an object: JSON pointer -> value")
        if not isinstance(removes, list) or not all(isinstance(p, str) for p in removes):
            raise RuleError("patch 'remove' must be a list of JSON pointers")
        for pointer in [*sets, *removes]:
            if not pointer.startswith("/"):
                raise RuleError(f"patch pointer {pointer!r} must start with '/' (RFC 6901)")
        self.merge, self.set, self.remove = data.get("merge"), dict(sets), list(removes)

    def _read_error(self, data: dict[str, Any], noun: str) -> None:
        code = data.get("code", 500)
        if not isinstance(code, (int, str)) or isinstance(code, bool):
            raise RuleError(f"{noun} 'code' must be a number or a string")
        self.code, self.text = code, data.get("text", self.text)

    def _read_fatal(self, data: dict[str, Any], noun: str) -> None:
        self.message = data.get("message", self.message)

    def _read_latency(self, data: dict[str, Any], noun: str) -> None:
        latency = data.get("latency", 0.0)
        if isinstance(latency, list):
            if len(latency) != 2 or not all(_number(x) and x >= 0 for x in latency) or latency[0] > latency[1]:
                raise RuleError(f"{noun} 'latency' range must be [low, high] seconds with 0 <= low <= high")
            self.latency = [float(x) for x in latency]
        elif not _number(latency) or latency < 0:
            raise RuleError(f"{noun} 'latency' must be seconds (a number >= 0) or [low, high]")
        else:
            self.latency = float(latency)


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# ------------------------------------------------------------------ placeholders and patches


def placeholders(method: str, action: Any, login: Any, transport: str, params: dict[str, Any]) -> dict[str, str]:
    """What ``{name}`` may name in a respond rule: the call's parameters (``{filter[type]}`` for nested ones,
    as PHP names them), and ``{method}``, ``{action}``, ``{login}``, ``{transport}``."""
    fill: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [(str(k), v) for k, v in params.items()]
    while stack:
        name, value = stack.pop()
        if isinstance(value, dict):
            stack += [(f"{name}[{k}]", v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{name}[{i}]", v) for i, v in enumerate(value)]
        else:
            fill[name] = php.strval(value)
    fill.update(method=method, action=php.strval(action), login=php.strval(login), transport=transport)
    return fill


def _fill(text: str, fill: dict[str, str]) -> str:
    # an unknown name stays as written, so braces in ordinary text need no escaping
    return _PLACEHOLDER.sub(lambda m: fill.get(m.group(1), m.group(0)), text)


def _fill_all(value: Any, fill: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _fill(value, fill)
    if isinstance(value, dict):
        return {k: _fill_all(v, fill) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_all(v, fill) for v in value]
    return value


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: an object patch merges key by key (null removes), anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _tokens(pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _set_pointer(doc: Any, pointer: str, value: Any) -> Any:
    """Set the value at ``pointer``, making the objects on the way; ``-`` appends to a list."""
    tokens = _tokens(pointer)
    if not tokens:
        return value
    root = doc if isinstance(doc, (dict, list)) else {}
    node: Any = root
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if isinstance(node, list):
            index = len(node) if token == "-" else int(token) if token.isdigit() else None
            if index is None or index > len(node):
                return root  # a list index that is not there: nothing to set
            if last:
                node[index:index + 1] = [value]  # fmt: skip
                return root
            if index == len(node):
                node.append({})
            node = node[index]
        else:
            if last:
                node[token] = value
                return root
            if not isinstance(node.get(token), (dict, list)):
                node[token] = {}
            node = node[token]
    return root


def _remove_pointer(doc: Any, pointer: str) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return doc
    node: Any = doc
    for token in tokens[:-1]:
        found, node = _lookup(node, [token])
        if not found:
            return doc
    last = tokens[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        del node[int(last)]
    return doc


def decode_answer(data: bytes) -> tuple[bool, Any]:
    """(True, the JSON value) for a JSON answer, (False, the text) for a page that is not JSON."""
    text = data.decode("utf-8", "surrogateescape")
    try:
        return True, json.loads(text)
    except ValueError:
        return False, text


# ------------------------------------------------------------------ the set of rules


@dataclass
class Fired:
    """The rules one call set off, by what they do."""

    answer: Rule | None = None
    latency: Rule | None = None
    malformed: Rule | None = None
    patches: list[Rule] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        rules = [self.latency, self.answer, *self.patches, self.malformed]
        return [r.id for r in rules if r is not None]

    def __bool__(self) -> bool:
        return bool(self.ids)


class Rules:
    """The account-independent list of rules, safe to use from every request thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._ids = itertools.count(1)

    def __bool__(self) -> bool:
        return bool(self._rules)

    def add(self, rule: Rule) -> Rule:
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
        return rule

    def remove(self, rid: int, faults_only: bool = False) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rid or (faults_only and not r.is_fault)]
            return len(self._rules) != before

    def clear(self, faults_only: bool = False) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if faults_only and not r.is_fault]

    def rules(self) -> list[Rule]:
        now = time.monotonic()
        with self._lock:
            self._rules = [r for r in self._rules if not r.expired(now)]
            return list(self._rules)

    def pick(self, method: str, action: Any, login: Any, transport: str, params: dict[str, Any]) -> Fired:
        """The rules that fire for this call (count and fired are updated here)."""
        now = time.monotonic()
        fired = Fired()
        with self._lock:
            for rule in sorted(self._rules, key=lambda r: (-r.priority, r.id)):
                slot = "answer" if rule.kind in ANSWER_KINDS else rule.kind
                if slot in ("answer", "latency", "malformed") and getattr(fired, slot) is not None:
                    continue
                if rule.expired(now) or not rule.matches(method, action, login, transport, params):
                    continue
                if rule.probability < 1 and rule._rng.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                rule.fired += 1
                if slot == "patch":
                    fired.patches.append(rule)
                else:
                    setattr(fired, slot, rule)
        return fired
