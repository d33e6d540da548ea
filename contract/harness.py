"""`Contract`: what a check uses: send a request shaped like a golden step, compare, record, clean up."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

import pytest

from .engine import ENVELOPE_PATHS, GOLDEN_LOGINS, Golden, Report, _is_error, compare_answer, compare_webhooks
from .target import Answer, HookReceiver, Target, call

# how the suite removes what it created: kind -> (method, action, id parameter)
DELETERS = {
    "client": ("client", "delete", "clid"),
    "person": ("person", "delete", "pid"),
    "deal": ("deal", "delete", "did"),
    "task": ("task", "delete", "id"),
    "history": ("history", "delete", "id"),
}

# an id no real instance reaches (INT max is 2147483647): "not found" checks use it instead of golden's 999
MISSING_ID = 2000000999

REQUEST_KEYS = ("as", "transport", "method", "action", "params", "path", "headers", "body_raw")


class Contract:
    def __init__(
        self, target: Target, golden: Golden, report: Report, hooks: HookReceiver | None, readonly: bool
    ) -> None:
        self.target = target
        self.golden = golden
        self.report = report
        self.hooks = hooks
        self.readonly = readonly
        self.run_id = time.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(2)
        self.marker = f"contract-{self.run_id}"
        self.created: list[tuple[str, int]] = []
        self.nodeid = ""
        logins = dict(zip(GOLDEN_LOGINS, (target.login, target.login2 or target.login, target.login3), strict=True))
        self.login_subst = {a: b for a, b in logins.items() if a != b}

    # -------------------------------------------------------------- records

    def title(self, text: str) -> str:
        """A title carrying this run's marker (so the record is recognisable and searchable)."""
        return f"{self.marker} {text}"

    def uid(self, suffix: str = "") -> str:
        """An external id carrying the run id (uid columns hold 30 characters)."""
        return f"ct{self.run_id}{suffix}"[:30]

    def created_record(self, kind: str, ident: Any) -> int:
        if not isinstance(ident, int) or isinstance(ident, bool) or ident <= 0:
            pytest.fail(f"{kind}: the add answer carries no id: {ident!r}")
        self.created.append((kind, ident))
        return ident

    def cleanup(self) -> None:
        """Delete every record this run created, newest first; problems become report notes."""
        while self.created:
            kind, ident = self.created.pop()
            method, action, param = DELETERS[kind]
            step = {"as": "admin", "transport": "get", "method": method, "action": action, "params": {param: ident}}
            try:
                status, text = call(self.target, step)
            except OSError as exc:
                self.report.notes.append(f"cleanup: {method} {action} {param}={ident} failed: {exc}")
                continue
            if status != 200 or not text.startswith(("{", "[")):
                self.report.notes.append(f"cleanup: {method} {action} {param}={ident} answered {status}: {text[:200]}")

    # -------------------------------------------------------------- calls

    def request(self, step: dict[str, Any]) -> Answer:
        """Send without comparing (set-up calls)."""
        n0 = self.hooks.count() if self.hooks else 0
        status, text = call(self.target, step)
        hooks = self.hooks.wait(n0, 0, quiet=0.0) if self.hooks else []
        return Answer(status, text, hooks)

    def check(
        self,
        ref: str,
        *,
        params: dict[str, Any] | None = None,
        update: dict[str, Any] | None = None,
        as_: str | None = None,
        transport: str | None = None,
        subst: dict[str, str] | None = None,
        expect: dict[str, Any] | None = None,
        hook_expect: dict[str, Any] | None = None,
        values: tuple[str, ...] = ENVELOPE_PATHS,
        track: str | None = None,
        webhooks: bool = True,
    ) -> Answer:
        """Send the request of golden step `ref` (params replaced by `params` or merged with `update`; None in
        `update` drops a key), compare the answer and its webhooks with the recording, record the result.
        `subst` replaces text in the golden answer (its ids and titles -> this run's); `expect` adds explicit
        value checks by path; `track` registers the created id (answer "data") for deletion at the end."""
        golden = self.golden.step(ref)
        step = {k: copy.deepcopy(golden[k]) for k in REQUEST_KEYS if k in golden}
        if params is not None:
            step["params"] = params
        for k, v in (update or {}).items():
            if v is None:
                step.setdefault("params", {}).pop(k, None)
            else:
                step.setdefault("params", {})[k] = v
        if as_ is not None:
            step["as"] = as_
        if transport is not None:
            step["transport"] = transport
        if step.get("as") == "manager2":
            step["as"] = "manager"
        if step.get("as") == "manager" and not self.target.login2:
            pytest.skip("needs SALESMAN_LOGIN2 (a second, ordinary manager)")
        method, action = golden["method"], golden.get("action")
        n0 = self.hooks.count() if self.hooks else 0
        status, text = call(self.target, step)
        want_hooks = self.hooks is not None and webhooks and "webhooks" in golden
        hooks = self.hooks.wait(n0, len(golden["webhooks"])) if want_hooks and self.hooks else []
        answer = Answer(status, text, hooks)
        all_subst = {**self.login_subst, **(subst or {})}
        error = _is_error(golden.get("body"))
        diffs = compare_answer(
            golden,
            status,
            text,
            types=self.golden.types(method, action, error),
            subst=all_subst,
            expect=expect,
            values=values,
        )
        if want_hooks:
            diffs += compare_webhooks(golden["webhooks"], hooks, subst=all_subst, expect=hook_expect)
        failing = self.report.record(method, action, f"{self.nodeid} [{golden['_ref']}]", diffs)
        if track:
            self.created_record(track, answer.data())
        if failing:
            pytest.fail(f"{len(failing)} divergence(s) from {golden['_ref']}:\n" + "\n".join(d.line() for d in failing))
        return answer
