"""What a run leaves behind in ``--out``: per divergence a replayable scenario (the recorder's format)
and a recording of target A's answers (the golden line format, so ``contract/replay.py`` can replay
it against B); ``report.json`` and ``report.md`` for the whole run."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from pathlib import Path
from typing import Any

from .normalize import Side
from .runner import Answer, StepResult, normalised
from .session import Divergence, Options, Summary

STEP_KEYS = ("id", "as", "transport", "method", "action", "params")


def _scrub(v: Any, side: Side) -> Any:
    """record.py's scrubber: server paths -> {WEBROOT}/, the base URL -> {BASE_URL} (dates stay)."""
    if isinstance(v, str):
        return side.scrub(v)
    if isinstance(v, list):
        return [_scrub(x, side) for x in v]
    if isinstance(v, dict):
        return {side.scrub(k): _scrub(x, side) for k, x in v.items()}
    return v


def _recorded_at(a: Answer) -> str:
    ts = None
    if a.date:
        try:
            ts = email.utils.parsedate_to_datetime(a.date)
        except (TypeError, ValueError):
            ts = None
    ts = ts or dt.datetime.now(dt.UTC)
    return ts.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def golden_line(r: StepResult) -> dict[str, Any]:
    a = r.a
    line: dict[str, Any] = {k: r.step.get(k) for k in STEP_KEYS}
    line["params"] = r.step.get("params") or {}
    for k, v in r.step.items():
        if k not in line:
            line[k] = v
    line["status"] = a.status
    line["content_type"] = a.content_type
    line["body"] = _scrub(a.body, a.side)
    if not a.parsed:
        line["raw"] = _scrub(a.text, a.side)
    line["webhooks"] = _scrub([{"event": h["event"], "payload": h["payload"]} for h in a.hooks], a.side)
    line["recorded_at"] = _recorded_at(a)
    return line


def _divergence_json(d: Divergence) -> dict[str, Any]:
    last = d.minimal[-1]
    a, b = normalised(last.a, last.b)
    method, action, kind, path = d.signature
    return {
        "name": d.name,
        "seed": d.seed,
        "method": method,
        "action": action,
        "kind": kind,
        "path": path,
        "accepted": d.accepted,
        "sequence_length": len(d.sequence),
        "diverging_step": d.index + 1,
        "sequence": d.sequence[: d.index + 1],
        "minimal_steps": [r.step for r in d.minimal],
        "step": last.step,
        "diffs": [f"{k}:{p}" for k, p in last.diffs],
        "a": a,
        "b": b,
        "repeats": d.repeats,
    }


def write(out: Path, opts: Options, summary: Summary) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for d in summary.divergences:
        scenario = {
            "name": d.name,
            "description": f"mockcrm diff: seed {d.seed}, step {d.index + 1}, {d.signature[2]} {d.signature[3]}",
            "steps": [r.step for r in d.minimal],
        }
        (out / f"{d.name}.scenario.json").write_text(
            json.dumps(scenario, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        lines = [json.dumps(golden_line(r), ensure_ascii=False) for r in d.minimal]
        (out / f"{d.name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {
        "a": opts.a,
        "b": opts.b,
        "seeds": summary.seeds,
        "sequences": summary.sequences,
        "steps": summary.steps,
        "elapsed": round(summary.elapsed, 1),
        "divergences": len(summary.failing),
        "accepted": len(summary.divergences) - len(summary.failing),
        "items": [_divergence_json(d) for d in summary.divergences],
        "actions": dict(sorted(summary.actions.items())),
        "stopped": summary.stopped,
    }
    (out / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(markdown(data), encoding="utf-8")


def _short(v: Any, limit: int = 1500) -> str:
    text = json.dumps(v, ensure_ascii=False, indent=1)
    return text if len(text) <= limit else text[:limit] + "\n…"


def markdown(data: dict[str, Any]) -> str:
    out = [
        "# mockcrm diff",
        "",
        f"A (reference) `{data['a']}`, B `{data['b']}`: {data['sequences']} sequences (seeds "
        f"{', '.join(map(str, data['seeds'][:20]))}{'…' if len(data['seeds']) > 20 else ''}), "
        f"{data['steps']} steps, {data['elapsed']} s.",
        "",
        f"**{data['divergences']} divergences**, {data['accepted']} accepted by the allowlist.",
        "",
    ]
    if data.get("stopped"):
        out += [f"**Stopped early**: {data['stopped']}. This report covers the steps before.", ""]
    if data["items"]:
        out += [
            "| name | method | action | kind | path | seed | minimal steps | accepted |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for d in data["items"]:
            out.append(
                f"| {d['name']} | {d['method']} | {d['action']} | {d['kind']} | `{d['path']}` | {d['seed']} "
                f"| {len(d['minimal_steps'])} | {d['accepted'] or ''} |"
            )
        out.append("")
    for d in data["items"]:
        out += [
            f"## {d['name']}",
            "",
            f"Seed {d['seed']}, step {d['diverging_step']} of {d['sequence_length']}"
            + (f"; also seeds {d['repeats']}" if d["repeats"] else "")
            + (f". Accepted: {d['accepted']}" if d["accepted"] else ""),
            "",
            "Differences: " + ", ".join(f"`{x}`" for x in d["diffs"]),
            "",
            "Minimal steps:",
            "",
            "```json",
            *[json.dumps(s, ensure_ascii=False) for s in d["minimal_steps"]],
            "```",
            "",
            "A answered:",
            "",
            "```json",
            _short(d["a"]),
            "```",
            "",
            "B answered:",
            "",
            "```json",
            _short(d["b"]),
            "```",
            "",
        ]
    out += ["## Steps per action", "", ", ".join(f"{k} {v}" for k, v in data["actions"].items()), ""]
    return "\n".join(out) + "\n"
