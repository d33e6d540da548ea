"""The control plane under /__mockcrm/: never reachable through /developer/v2.

This module: health, config, reset, clock, the request journal and the rules (faults among them).
``control_state`` has snapshots, state, records, users and accounts; ``control_webhooks``
the hooks and their delivery log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from . import __version__
from .backend import Backend
from .clock import FMT
from .rules import FAULT_KINDS, KINDS, Rule, RuleError

control = Blueprint("control", __name__, url_prefix="/__mockcrm")

SECRET_SETTINGS = ("admin_token",)


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def control_error(exc: ControlError) -> tuple[Response, int]:
    return jsonify({"error": exc.message}), exc.status


def _backend() -> Backend:
    backend: Backend = current_app.extensions["mockcrm"]
    return backend


def _json_body() -> Any:
    data = request.get_json(silent=True)
    if data is None and request.get_data():
        raise ControlError("the body must be JSON")
    return data


def _object_body() -> dict[str, Any]:
    data = _json_body()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


@control.get("/health")
def health() -> Response:
    backend = _backend()
    with backend.lock:
        counts: dict[str, int] = {"accounts": len(backend.accounts)}
        for table in ("clientcat", "personcat", "dogovor", "tasks", "leads", "history"):
            counts[table] = sum(len(a.tables[table]) for a in backend.accounts.values() if table in a.tables)
        counts["users"] = sum(len(a.users) for a in backend.accounts.values())
    return jsonify(
        {
            "status": "ok",
            "version": __version__,
            "edition": backend.edition,
            "uptime": round(backend.clock_uptime(), 3),
            "inflight": backend.inflight,
            "counts": counts,
        }
    )


@control.get("/config")
def config() -> Response:
    settings = _backend().settings.public()
    for key in SECRET_SETTINGS:
        if settings.get(key):
            settings[key] = "***"
    if settings.get("webhooks"):
        settings["webhooks"] = _mask_hook_secrets(settings["webhooks"])
    return jsonify(settings)


def _mask_hook_secrets(text: str) -> str:
    try:
        hooks = json.loads(text)
    except ValueError:
        return "***"
    if isinstance(hooks, list):
        for h in hooks:
            if isinstance(h, dict) and h.get("secret"):
                h["secret"] = "***"
    return json.dumps(hooks, ensure_ascii=False)


@control.post("/reset")
def reset() -> Response:
    body = _object_body()
    fixture = body.get("fixture")
    if fixture is not None and (not isinstance(fixture, str) or "/" in fixture or not fixture):
        raise ControlError("fixture must be the name of a data set in fixtures/")
    try:
        _backend().reset(fixture)
    except FileNotFoundError as exc:
        raise ControlError(str(exc), 404) from None
    return jsonify({"status": "ok", "fixture": fixture or _backend().settings.fixture})


@control.post("/seed")
def seed() -> Response:
    """``{"seed": 1, "size": "small", "account": 1}``: add seeded demo data."""
    body = _object_body()
    backend = _backend()
    number, size = body.get("seed", 1), body.get("size", "small")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ControlError('"seed" must be an integer')
    account = backend.accounts.get(int(body.get("account", min(backend.accounts))))
    if account is None:
        raise ControlError("no such account", 404)
    try:
        counts = backend.seed(number, str(size), account)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return jsonify({"seed": number, "size": size, "counts": counts})


# ------------------------------------------------------------------ clock


def _clock_state() -> dict[str, Any]:
    clock = _backend().clock
    return {"now": clock.now_str(), "frozen": clock.frozen is not None, "timezone": str(clock.zone)}


@control.get("/clock")
def clock_get() -> Response:
    return jsonify(_clock_state())


@control.post("/clock/freeze")
def clock_freeze() -> Response:
    at = _object_body().get("at")
    clock = _backend().clock
    if at is None:
        clock.freeze(clock.now())
    else:
        try:
            clock.freeze(dt.datetime.strptime(str(at), FMT))
        except ValueError:
            raise ControlError('"at" must be a wall-clock time "YYYY-MM-DD HH:MM:SS" in the account zone') from None
    return jsonify(_clock_state())


@control.post("/clock/advance")
def clock_advance() -> Response:
    seconds = _object_body().get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise ControlError('"seconds" must be a number')
    _backend().clock.advance(dt.timedelta(seconds=seconds))
    return jsonify(_clock_state())


@control.post("/clock/real")
def clock_real() -> Response:
    _backend().clock.unfreeze()
    return jsonify(_clock_state())


# ------------------------------------------------------------------ request journal


def _journal_filter() -> dict[str, str | None]:
    args = request.args
    return {"method": args.get("method"), "action": args.get("action"), "login": args.get("login")}


@control.get("/requests")
def requests_list() -> Response:
    entries = _backend().journal.entries(**_journal_filter())
    return jsonify({"count": len(entries), "requests": [e.public() for e in entries]})


@control.delete("/requests")
def requests_clear() -> Response:
    _backend().journal.clear()
    return jsonify({"status": "ok"})


@control.get("/requests/count")
def requests_count() -> Response:
    return jsonify({"count": len(_backend().journal.entries(**_journal_filter()))})


@control.post("/requests/verify")
def requests_verify() -> tuple[Response, int]:
    """``{"method": "client", "action": "add", "count": 2}`` → 200 when exactly that many calls came."""
    body = _object_body()
    expected = body.get("count")
    if not isinstance(expected, int) or isinstance(expected, bool) or expected < 0:
        raise ControlError('"count" must be a whole number >= 0')
    crit = {k: body.get(k) for k in ("method", "action", "login")}
    actual = len(_backend().journal.entries(**crit))
    ok = actual == expected
    return jsonify({"ok": ok, "expected": expected, "actual": actual, **crit}), 200 if ok else 409


# ------------------------------------------------------------------ rules (and faults, a view of their kinds)


def _new_rules(kinds: tuple[str, ...], noun: str) -> list[Rule]:
    data = _json_body()
    items = data if isinstance(data, list) else [data]
    try:
        return [Rule.from_dict(x, kinds, noun) for x in items]
    except RuleError as exc:
        raise ControlError(str(exc)) from None


@control.get("/rules")
def rules_list() -> Response:
    return jsonify({"rules": [r.public() for r in _backend().rules.rules()]})


@control.post("/rules")
def rules_add() -> tuple[Response, int]:
    rules = _new_rules(KINDS, "rule")
    return jsonify({"rules": [_backend().rules.add(r).public() for r in rules]}), 201


@control.get("/rules/<int:rule_id>")
def rules_one(rule_id: int) -> Response:
    for rule in _backend().rules.rules():
        if rule.id == rule_id:
            return jsonify(rule.public())
    raise ControlError(f"no rule with id {rule_id}", 404)


@control.delete("/rules")
def rules_clear() -> Response:
    _backend().rules.clear()
    return jsonify({"status": "ok"})


@control.delete("/rules/<int:rule_id>")
def rules_delete(rule_id: int) -> Response:
    if not _backend().rules.remove(rule_id):
        raise ControlError(f"no rule with id {rule_id}", 404)
    return jsonify({"status": "ok"})


@control.get("/faults")
def faults_list() -> Response:
    return jsonify({"faults": [r.public() for r in _backend().rules.rules() if r.is_fault]})


@control.post("/faults")
def faults_add() -> tuple[Response, int]:
    rules = _new_rules(FAULT_KINDS, "fault")
    return jsonify({"faults": [_backend().rules.add(r).public() for r in rules]}), 201


@control.delete("/faults")
def faults_clear() -> Response:
    _backend().rules.clear(faults_only=True)
    return jsonify({"status": "ok"})


@control.delete("/faults/<int:fault_id>")
def faults_delete(fault_id: int) -> Response:
    if not _backend().rules.remove(fault_id, faults_only=True):
        raise ControlError(f"no fault with id {fault_id}", 404)
    return jsonify({"status": "ok"})
