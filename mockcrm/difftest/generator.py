"""Call sequences from a seed: ``generate(seed)`` is a list of scenario steps (the recorder's format)
that starts from a fresh install, does real work (objects created early are read, changed, listed
and deleted later, by id, uid, INN, name) and puts one odd value into many calls.

Deterministic: one ``random.Random(seed)`` drives everything; no global random, no clock.
"""

from __future__ import annotations

import random
from typing import Any

from . import values as V
from .actions import ACTIONS, Ctx, Spec
from .model import Model
from .transport import TRANSPORTS

MIN_STEPS, MAX_STEPS = 10, 40
SETUP = [("client", "add"), ("client", "add"), ("person", "add"), ("deal", "add")]
WHO = ["admin", "manager", "manager2", "bad-apikey", "unknown-login"]
WHO_WEIGHTS = [0.56, 0.17, 0.15, 0.06, 0.06]
SQL_LOGIN = "x' OR '1'='1"  # the real server lets it in; mockcrm answers 401 on purpose (README "Fidelity")
READS = {("client", "list"), ("client", "fields"), ("deal", "steplist"), ("task", "tips")}
ACTION_ODDITIES = ["frobnicate", None, "LIST", " list ", "Add", "addlist"]
P_ODD, P_ODD_SETUP, P_DROP, P_ODD_ACTION, P_SQL = 0.35, 0.1, 0.05, 0.02, 0.015
P_MAKE_FIRST = 0.7  # an action on a kind of object the sequence has none of: mostly create one first
ADD_OF = {
    "client": ("client", "add"),
    "person": ("person", "add"),
    "deal": ("deal", "add"),
    "invoice": ("deal", "invoice.add"),
    "task": ("task", "add"),
    "history": ("history", "add"),
    "lead": ("lead", "add"),
}
NEEDS = {
    **{("client", a): "client" for a in ("info", "update", "delete")},
    **{("person", a): "person" for a in ("info", "update", "delete")},
    **{("deal", a): "deal" for a in ("info", "update", "change.step", "change.close", "change.user", "delete")},
    **{("deal", a): "deal" for a in ("invoice.add", "invoice.express")},
    **{("deal", a): "invoice" for a in ("invoice.info", "invoice.do", "invoice.html", "invoice.pdf", "invoice.mail")},
    **{("task", a): "task" for a in ("info", "update", "doit", "delete")},
    **{("history", a): "history" for a in ("info", "delete")},
    ("lead", "info"): "lead",
}


READ_ACTIONS = {
    "list", "info", "fields", "tips", "steplist", "direction", "statusclose", "type", "funnel", "stat",
    "user", "user.list", "invoice.info", "invoice.html", "invoice.templates",
}  # fmt: skip


def may_write(step: dict[str, Any]) -> bool:
    """False for a step that cannot change the state: a read, a refused caller, an unknown action."""
    if step.get("as") in ("bad-apikey", "unknown-login") or step["method"] == "guides":
        return False
    key = (step["method"], step.get("action"))
    return key in ACTIONS and str(step.get("action")) not in READ_ACTIONS


def all_actions(methods: list[str] | None = None) -> list[tuple[str, str]]:
    return [k for k in ACTIONS if not methods or k[0] in methods]


def generate(seed: int, methods: list[str] | None = None) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    model = Model(rng)
    actions = all_actions(methods)
    if not actions:
        raise ValueError(f"no action of the methods {methods}")
    weights = [ACTIONS[k][1] for k in actions]
    setup = [k for k in SETUP if k in actions]
    n_setup = rng.randint(1, len(setup)) if setup else 0
    steps = []
    for i in range(rng.randint(MIN_STEPS, MAX_STEPS)):
        key = setup[i] if i < n_setup else rng.choices(actions, weights)[0]
        need = NEEDS.get(key)
        if need and not model.objects[need] and ADD_OF[need] in actions and rng.random() < P_MAKE_FIRST:
            key = ADD_OF[need]
        steps.append(_step(rng, model, i + 1, key, is_setup=i < n_setup))
    return steps


def _step(rng: random.Random, model: Model, number: int, key: tuple[str, str], is_setup: bool) -> dict[str, Any]:
    method, action = key
    who = "admin" if is_setup and rng.random() < 0.7 else rng.choices(WHO, WHO_WEIGHTS)[0]
    transport = rng.choice(TRANSPORTS)
    spec = ACTIONS[key][0](Ctx(rng, model, who))
    params = _oddify(rng, model, spec, P_ODD_SETUP if is_setup else P_ODD)
    if who in ("bad-apikey", "unknown-login"):
        _rollback(model, spec)
    step_action: str | None = action
    if not is_setup and rng.random() < P_ODD_ACTION:
        step_action = rng.choice(ACTION_ODDITIES)
        _rollback(model, spec)
    if key in READS and rng.random() < P_SQL * 10:
        who = "none"
        params = {"login": SQL_LOGIN, "apikey": "{APIKEY}", **params}
    label = (step_action or "none").strip().replace(" ", "_") or "blank"
    return {
        "id": f"{number:02d}-{method}-{label}",
        "as": who,
        "transport": transport,
        "method": method,
        "action": step_action,
        "params": params,
    }


def _oddify(rng: random.Random, model: Model, spec: Spec, p_odd: float) -> dict[str, Any]:
    """The parameters, with (sometimes) one value swapped for an odd one or one parameter dropped."""
    items = list(spec.params)
    if items and rng.random() < p_odd:
        i = rng.randrange(len(items))
        name, _, kind = items[i]
        items[i] = (name, V.odd_value(rng, kind), kind)
        if name == spec.key:
            _rollback(model, spec)
    elif items and rng.random() < P_DROP:
        name, _, _ = items.pop(rng.randrange(len(items)))
        if name == spec.key:
            _rollback(model, spec)
    params: dict[str, Any] = {}
    for name, value, _ in items:
        params[name] = value
    return params


def _rollback(model: Model, spec: Spec) -> None:
    """The add will not create its object: forget it and give its predicted id back."""
    obj = spec.obj
    if obj is None or obj not in model.objects[spec.obj_kind]:
        return
    model.forget(spec.obj_kind, obj.id)
    if model.next_id[spec.obj_kind] == obj.id + 1:
        model.next_id[spec.obj_kind] = obj.id
