"""The control plane under /__mockcrm/: never reachable through /developer/v2.

This module: health, config, reset, clock, the request journal and the rules (faults among them).
``control_state`` has snapshots, state, records, users and accounts; ``control_webhooks``
the hooks and their delivery log. Every body and answer goes through a marshmallow schema
(``control_schemas``) by flask-smorest, which also writes ``/__mockcrm/openapi.json`` (``control_api``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Response, current_app, jsonify

from . import control_schemas as cs
from . import demo
from ._version import __version__
from .backend import Backend
from .clock import FMT
from .control_api import control_blueprint
from .rules import Rule

control = control_blueprint("control", __name__, "Health, config, reset, seed, clock, journal, rules")

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


@control.get("/health")
@control.response(200, cs.HealthOut)
def health() -> dict[str, Any]:
    """Liveness and row counts (never behind the admin token)."""
    backend = _backend()
    with backend.lock:
        counts: dict[str, int] = {"accounts": len(backend.accounts)}
        for table in ("clientcat", "personcat", "dogovor", "tasks", "leads", "history"):
            counts[table] = sum(len(a.tables[table]) for a in backend.accounts.values() if table in a.tables)
        counts["users"] = sum(len(a.users) for a in backend.accounts.values())
    return {
        "status": "ok",
        "version": __version__,
        "edition": backend.edition,
        "uptime": round(backend.clock_uptime(), 3),
        "inflight": backend.inflight,
        "counts": counts,
    }


@control.get("/config")
@control.response(200, cs.ConfigOut)
def config() -> dict[str, Any]:
    """The settings in effect; secrets as ``***``."""
    settings = _backend().settings.public()
    for key in SECRET_SETTINGS:
        if settings.get(key):
            settings[key] = "***"
    if settings.get("webhooks"):
        settings["webhooks"] = _mask_hook_secrets(settings["webhooks"])
    return settings


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
@control.arguments(cs.ResetIn)
@control.response(200, cs.ResetOut)
def reset(body: dict[str, Any]) -> dict[str, Any]:
    """Back to a fixture: every table, user, rule, snapshot and the journal (hooks stay)."""
    fixture = body.get("fixture")
    try:
        _backend().reset(fixture)
    except FileNotFoundError as exc:
        raise ControlError(str(exc), 404) from None
    return {"status": "ok", "fixture": fixture or _backend().settings.fixture}


@control.post("/seed")
@control.arguments(cs.SeedIn)
@control.response(200, cs.SeedOut)
def seed(body: dict[str, Any]) -> dict[str, Any]:
    """Add seeded demo data (made through the API, so it looks like real use)."""
    backend = _backend()
    number, size = body["seed"], body["size"]
    account = backend.accounts.get(body.get("account", min(backend.accounts)))
    if account is None:
        raise ControlError("no such account", 404)
    counts = demo.seed(backend, number, size, account)
    return {"seed": number, "size": size, "counts": counts}


# ------------------------------------------------------------------ clock


def _clock_state() -> dict[str, Any]:
    clock = _backend().clock
    return {"now": clock.now_str(), "frozen": clock.frozen is not None, "timezone": str(clock.zone)}


@control.get("/clock")
@control.response(200, cs.ClockOut)
def clock_get() -> dict[str, Any]:
    """The CRM's clock, in the account zone."""
    return _clock_state()


@control.post("/clock/freeze")
@control.arguments(cs.FreezeIn)
@control.response(200, cs.ClockOut)
def clock_freeze(body: dict[str, Any]) -> dict[str, Any]:
    """Stop the clock, at ``at`` or now."""
    at = body.get("at")
    clock = _backend().clock
    clock.freeze(clock.now() if at is None else dt.datetime.strptime(at, FMT))
    return _clock_state()


@control.post("/clock/advance")
@control.arguments(cs.AdvanceIn)
@control.response(200, cs.ClockOut)
def clock_advance(body: dict[str, Any]) -> dict[str, Any]:
    """Move the clock by ``seconds`` (frozen or not)."""
    _backend().clock.advance(dt.timedelta(seconds=body["seconds"]))
    return _clock_state()


@control.post("/clock/real")
@control.response(200, cs.ClockOut)
def clock_real() -> dict[str, Any]:
    """Back to the real time."""
    _backend().clock.unfreeze()
    return _clock_state()


# ------------------------------------------------------------------ request journal


#: what a journal query can narrow by; verify counts by the first three
FILTERS = ("method", "action", "login", "transport", "code", "after")


def _criteria(query: dict[str, Any], names: tuple[str, ...] = FILTERS) -> dict[str, Any]:
    return {k: query.get(k) for k in names}


@control.get("/requests")
@control.arguments(cs.JournalQuery, location="query")
@control.response(200, cs.RequestsOut)
def requests_list(query: dict[str, Any]) -> dict[str, Any]:
    """The API calls received, oldest first (the journal is bounded)."""
    entries = _backend().journal.entries(**_criteria(query))
    return {"count": len(entries), "requests": [e.public() for e in entries]}


@control.get("/requests/<int:entry_id>")
@control.response(200, cs.EntryDetailOut)
def requests_one(entry_id: int) -> dict[str, Any]:
    """One call with the answer's body as sent (its first 256 KB) and the webhooks it fired."""
    entry = _backend().journal.get(entry_id)
    if entry is None:
        raise ControlError(f"no request with id {entry_id} (the journal keeps the last ones only)", 404)
    return entry.detail()


@control.delete("/requests")
@control.response(200, cs.StatusOut)
def requests_clear() -> dict[str, Any]:
    """Empty the journal."""
    _backend().journal.clear()
    return {"status": "ok"}


@control.get("/requests/count")
@control.arguments(cs.JournalQuery, location="query")
@control.response(200, cs.CountOut)
def requests_count(query: dict[str, Any]) -> dict[str, Any]:
    """How many calls match."""
    return {"count": len(_backend().journal.entries(**_criteria(query)))}


@control.post("/requests/verify")
@control.arguments(cs.VerifyIn)
@control.response(200, cs.VerifyOut)
@control.alt_response(409, schema=cs.VerifyOut, description="a different number of calls came")
def requests_verify(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """200 when exactly ``count`` calls match, else 409 with the actual number."""
    expected = body["count"]
    crit = _criteria(body, FILTERS[:3])
    actual = len(_backend().journal.entries(**crit))
    ok = actual == expected
    return {"ok": ok, "expected": expected, "actual": actual, **crit}, 200 if ok else 409


# ------------------------------------------------------------------ rules (and faults, a view of their kinds)


@control.get("/rules")
@control.response(200, cs.RulesOut)
def rules_list() -> dict[str, Any]:
    """Every rule, by priority then age."""
    return {"rules": [r.public() for r in _backend().rules.rules()]}


@control.post("/rules")
@control.arguments(cs.RuleIn)
@control.response(201, cs.RulesOut)
def rules_add(rules: list[Rule]) -> dict[str, Any]:
    """Add one rule or a list of them."""
    return {"rules": [_backend().rules.add(r).public() for r in rules]}


@control.get("/rules/<int:rule_id>")
@control.response(200, cs.RuleOut)
def rules_one(rule_id: int) -> dict[str, Any]:
    """One rule, with how often it fired."""
    for rule in _backend().rules.rules():
        if rule.id == rule_id:
            return rule.public()
    raise ControlError(f"no rule with id {rule_id}", 404)


@control.delete("/rules")
@control.response(200, cs.StatusOut)
def rules_clear() -> dict[str, Any]:
    """Remove every rule."""
    _backend().rules.clear()
    return {"status": "ok"}


@control.delete("/rules/<int:rule_id>")
@control.response(200, cs.StatusOut)
def rules_delete(rule_id: int) -> dict[str, Any]:
    """Remove one rule."""
    if not _backend().rules.remove(rule_id):
        raise ControlError(f"no rule with id {rule_id}", 404)
    return {"status": "ok"}


@control.get("/faults")
@control.response(200, cs.FaultsOut)
def faults_list() -> dict[str, Any]:
    """The rules of the fault kinds."""
    return {"faults": [r.public() for r in _backend().rules.rules() if r.is_fault]}


@control.post("/faults")
@control.arguments(cs.FaultIn)
@control.response(201, cs.FaultsOut)
def faults_add(rules: list[Rule]) -> dict[str, Any]:
    """Add one fault or a list of them."""
    return {"faults": [_backend().rules.add(r).public() for r in rules]}


@control.delete("/faults")
@control.response(200, cs.StatusOut)
def faults_clear() -> dict[str, Any]:
    """Remove every fault (other rules stay)."""
    _backend().rules.clear(faults_only=True)
    return {"status": "ok"}


@control.delete("/faults/<int:fault_id>")
@control.response(200, cs.StatusOut)
def faults_delete(fault_id: int) -> dict[str, Any]:
    """Remove one fault."""
    if not _backend().rules.remove(fault_id, faults_only=True):
        raise ControlError(f"no fault with id {fault_id}", 404)
    return {"status": "ok"}
