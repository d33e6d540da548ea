"""Run one step on both targets and compare: status, content type, body, webhooks."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .normalize import Side, diff_paths, fatal_head, norm_pair
from .targets import Target
from .transport import Credentials, build_request, send

KINDS = ("status", "content_type", "body", "webhooks")


@dataclass
class Answer:
    status: int
    content_type: str | None
    text: str
    body: Any  # parsed JSON, or None when the text is not JSON
    parsed: bool
    hooks: list[dict[str, Any]]
    side: Side
    date: str | None = None  # the response Date header
    error: str | None = None

    def doc(self) -> dict[str, Any]:
        return {"json": self.body} if self.parsed else {"raw": fatal_head(self.text)}

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "content_type": self.content_type}
        out.update({"body": self.body} if self.parsed else {"raw": self.text})
        out["webhooks"] = self.hooks
        if self.error:
            out["error"] = self.error
        return out


@dataclass
class StepResult:
    step: dict[str, Any]
    a: Answer
    b: Answer
    diffs: list[tuple[str, str]] = field(default_factory=list)  # (kind, path)

    @property
    def label(self) -> str:
        return f"{self.step['method']}?action={self.step.get('action')}"


def _ref_time(date_hdr: str | None) -> dt.datetime:
    if date_hdr:
        try:
            return email.utils.parsedate_to_datetime(date_hdr).astimezone(dt.UTC).replace(tzinfo=None)
        except (TypeError, ValueError):
            pass
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def call(target: Target, step: dict[str, Any], creds: Credentials, timeout: float = 60.0) -> Answer:
    req = build_request(step, target.base, creds)
    mark = target.receiver.count()
    resp = send(req, timeout)
    target.receiver.settle(target.quiet)
    hooks = target.receiver.since(mark)
    text = resp.raw.decode("utf-8", "replace")
    try:
        body, parsed = (json.loads(text), True) if text.strip() else (None, False)
    except ValueError:
        body, parsed = None, False
    date = resp.header("Date")
    side = Side(target.base, _ref_time(date), f"{target.receiver.host}:{target.receiver.port}")
    return Answer(resp.status, resp.header("Content-Type"), text, body, parsed, hooks, side, date, resp.error)


def run_step(pool: ThreadPoolExecutor, a: Target, b: Target, step: dict[str, Any], creds: Credentials) -> StepResult:
    if b.follows_clock:
        # B's clock follows A's: rows share a second on B exactly where they did on A (same-second ties
        # decide some orders), so A answers first and B's frozen clock moves on by A's seconds
        ra = call(a, step, creds)
        b.follow(_ref_time(ra.date) if ra.date else None)
        result = StepResult(step, ra, call(b, step, creds))
    else:
        fa = pool.submit(call, a, step, creds)
        fb = pool.submit(call, b, step, creds)
        result = StepResult(step, fa.result(), fb.result())
    result.diffs = compare(result.a, result.b)
    return result


def _hook_doc(hooks: list[dict[str, Any]], side: Side) -> list[dict[str, Any]]:
    out = []
    for h in hooks:
        headers = {k: v.replace(side.hook_host, "{HOOK_HOST}") for k, v in (h.get("headers") or {}).items()}
        out.append({"event": h["event"], "payload": h["payload"], "headers": headers})
    return out


def compare(a: Answer, b: Answer) -> list[tuple[str, str]]:
    diffs: list[tuple[str, str]] = []
    if a.status != b.status or a.error != b.error:
        diffs.append(("status", "$"))
    if a.content_type != b.content_type:
        diffs.append(("content_type", "$"))
    da, db = norm_pair(a.doc(), b.doc(), a.side, b.side)
    if "json" in da and "json" in db:
        diffs += [("body", p) for p in diff_paths(da["json"], db["json"])]
    elif "raw" in da and "raw" in db:
        if da["raw"] != db["raw"]:
            diffs.append(("body", "$raw"))
    else:
        diffs.append(("body", "$format"))
    ha, hb = norm_pair(_hook_doc(a.hooks, a.side), _hook_doc(b.hooks, b.side), a.side, b.side)
    diffs += [("webhooks", p) for p in diff_paths(ha, hb)]
    return diffs


def normalised(a: Answer, b: Answer) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both answers as compared (for the report)."""
    da, db = norm_pair(a.doc(), b.doc(), a.side, b.side)
    ha, hb = norm_pair(_hook_doc(a.hooks, a.side), _hook_doc(b.hooks, b.side), a.side, b.side)
    return (
        {"status": a.status, "content_type": a.content_type, **da, "webhooks": ha},
        {"status": b.status, "content_type": b.content_type, **db, "webhooks": hb},
    )


_INDEX = re.compile(r"(?<=\.)\d+(?=\.|#|$)|^\d+(?=\.|#|$)")


def general_path(path: str) -> str:
    """``data.3.title`` -> ``data.*.title``: the same divergence on another row is the same divergence."""
    return _INDEX.sub("*", path)


_FATAL = re.compile(r"<b>Fatal error</b>:\s+(?:Uncaught )?([^:<]+)(?::\s*([^'\"<:\n]{0,60}))?")


def fatal_cause(text: str) -> str:
    """``TypeError: strip_tags()`` for a PHP fatal page, "" for anything else."""
    m = _FATAL.search(text)
    if not m:
        return ""
    cause = m[1].strip() + (": " + m[2].strip() if m[2] else "")
    return re.split(r" in [{/]", cause)[0]


def signature(r: StepResult, kind: str, path: str) -> tuple[str, str, str, str]:
    """What makes two divergences the same: the action, the kind, the path without row numbers and,
    for a fatal page on one side, its cause (two crashes of one action are two divergences)."""
    general = general_path(path)
    if kind == "body" and path in ("$format", "$raw"):
        cause = fatal_cause(r.a.text) or fatal_cause(r.b.text)
        if cause:
            general += f" [{cause}]"
    return (r.step["method"], str(r.step.get("action")), kind, general)
