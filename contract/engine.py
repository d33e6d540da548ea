"""The comparison engine of the contract suite: golden index, shape comparison, allowlist and report.

Pure functions and small classes, no HTTP and nothing from ``mockcrm``: a live answer is compared with the
recorded answer of the same kind (a golden step) by

* envelope: HTTP status, JSON vs raw text (PHP fatal page), error code and text, ``result`` text;
* shape: missing / extra keys and key order of every object, value types of every leaf (a type is accepted when
  the golden recordings show it at the same place in any answer of the same method and action);
* values: only where a check asks for them (``expect``) plus the envelope above;
* webhooks: event names in order, payload key sets, order and types.

Every difference is a :class:`Divergence`; :class:`Report` collects them per method/action, marks the ones the
allowlist accepts and writes ``contract-report.json`` / ``contract-report.md``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).parent / "golden"

# the logins the golden files were recorded with (mapped to the target's logins before values are compared)
GOLDEN_LOGINS = ("admin@example.com", "manager@example.com", "manager2@example.com")

# server-specific parts of PHP fatal pages: the web root, and user-id lists the SQL of some queries shows
_ROOT_RE = re.compile(
    r"(?<![\w{}.:/-])/(?:[^\s/<>:'\"()\[\]]+/)*?"
    r"(?=(?:developer|inc|vendor|modules|plugins|cash|files|content|_install|api|templates)/)"
)
_ID_LIST_RE = re.compile(r"IN \((?:\d+,)*\d+\)")


# ---------------------------------------------------------------- divergences


@dataclass
class Divergence:
    """One difference between a live answer and its golden counterpart."""

    kind: str  # status | body | missing | extra | order | type | value | code | text | raw | webhook | request
    path: str  # where: "body.data[].title", "webhooks[0].payload.clid", "status"
    expected: Any = None
    actual: Any = None
    method: str = ""
    action: str = ""
    check: str = ""  # test id and golden reference
    accepted: bool = False
    reason: str = ""  # the allowlist entry's reason when accepted

    def line(self) -> str:
        exp = json.dumps(self.expected, ensure_ascii=False)
        act = json.dumps(self.actual, ensure_ascii=False)
        return f"{self.method} {self.action}: {self.kind} at {self.path}: expected {exp}, got {act}"


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    return "dict"


def _is_map(obj: dict[str, Any]) -> bool:
    """An object keyed by ids ({"1": {...}, "2": {...}}): its keys are data, not shape."""
    return bool(obj) and all(k.isdigit() for k in obj)


def _merge_elements(items: list[Any]) -> tuple[Any, set[str]]:
    """A template for the elements of a golden list: for objects the union of their keys in first-seen order
    (each key's first non-null value) and the set of keys every element has; otherwise the first element."""
    dicts = [x for x in items if isinstance(x, dict)]
    if not dicts or len(dicts) != len(items):
        return items[0], set()
    merged: dict[str, Any] = {}
    for d in dicts:
        for k, v in d.items():
            if k not in merged or (merged[k] is None and v is not None):
                merged[k] = v
    required = set(dicts[0])
    for d in dicts[1:]:
        required &= set(d)
    return merged, required


def _gen(path: str) -> str:
    """The generic form of a concrete path: list indexes become [], id keys of maps {}."""
    return re.sub(r"\{[^{}]*\}", "{}", re.sub(r"\[\d+\]", "[]", path))


def collect_types(value: Any, path: str, out: dict[str, set[str]]) -> None:
    """Record the type of every node of a golden body under its generic path."""
    out.setdefault(path, set()).add(type_name(value))
    if isinstance(value, dict):
        if _is_map(value):
            for v in value.values():
                collect_types(v, f"{path}.{{}}", out)
        else:
            for k, v in value.items():
                collect_types(v, f"{path}.{k}", out)
    elif isinstance(value, list):
        for v in value:
            collect_types(v, f"{path}[]", out)


def compare_shape(
    golden: Any,
    live: Any,
    path: str = "body",
    types: Mapping[str, set[str]] | None = None,
    required: set[str] | None = None,
) -> list[Divergence]:
    """Missing/extra keys, key order and leaf types of `live` against `golden` (values are not compared)."""
    out: list[Divergence] = []
    _shape(golden, live, path, types or {}, out, required)
    return out


def _shape(
    g: Any, live: Any, path: str, types: Mapping[str, set[str]], out: list[Divergence], required: set[str] | None
) -> None:
    gt, lt = type_name(g), type_name(live)
    # PHP renders an empty array as [] whatever it would hold: an empty side says nothing about the shape
    if (gt == "list" and not g and lt in ("list", "dict")) or (lt == "list" and not live and gt in ("list", "dict")):
        return
    if gt == "dict" and lt == "dict":
        if _is_map(g):
            template, req = _merge_elements(list(g.values()))
            for k, v in live.items():
                _shape(template, v, f"{path}.{{{k}}}", types, out, req)
            return
        need = set(g) if required is None else required
        missing = [k for k in g if k in need and k not in live]
        extra = [k for k in live if k not in g]
        for k in missing:
            out.append(Divergence("missing", f"{path}.{k}", expected=type_name(g[k]), actual=None))
        for k in extra:
            out.append(Divergence("extra", f"{path}.{k}", expected=None, actual=type_name(live[k])))
        common_g = [k for k in g if k in live]
        common_l = [k for k in live if k in g]
        if common_g != common_l and required is None:
            out.append(Divergence("order", path, expected=common_g, actual=common_l))
        for k in common_g:
            _shape(g[k], live[k], f"{path}.{k}", types, out, None)
        return
    if gt == "list" and lt == "list":
        if g and live:
            template, req = _merge_elements(g)
            for i, v in enumerate(live):
                # an element shaped like one of the recorded elements is compared with it (key order included);
                # otherwise with the union of all of them (keys only some elements have are optional)
                same = next((x for x in g if isinstance(x, dict) and isinstance(v, dict) and set(x) == set(v)), None)
                if same is not None:
                    _shape(same, v, f"{path}[{i}]", types, out, None)
                else:
                    _shape(template, v, f"{path}[{i}]", types, out, req or None)
        return
    allowed = set(types.get(_gen(path), set())) | {gt}
    # a NULL column and a filled one differ by the data, not by the contract: null matches any scalar
    if "null" in (gt, lt) and {gt, lt} <= SCALARS:
        return
    if lt not in allowed:
        out.append(Divergence("type", path, expected="|".join(sorted(allowed)), actual=lt))


def get_path(obj: Any, path: str) -> tuple[bool, Any]:
    """Value at a dotted path ("error.code", "data.0.title", "webhooks.0.payload.clid"); (found, value)."""
    cur = obj
    for part in [p for p in path.split(".") if p]:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return False, None
    return True, cur


def substitute(obj: Any, subst: Mapping[str, str]) -> Any:
    """Plain text replacement in every string of a golden document (ids, titles, logins)."""
    if not subst:
        return obj
    if isinstance(obj, str):
        for a, b in subst.items():
            obj = obj.replace(a, b)
        return obj
    if isinstance(obj, list):
        return [substitute(x, subst) for x in obj]
    if isinstance(obj, dict):
        return {k: substitute(v, subst) for k, v in obj.items()}
    return obj


def normalize_raw(text: str) -> str:
    """A PHP fatal page up to its stack trace, web root and SQL id lists neutralised; other text unchanged."""
    text = _ROOT_RE.sub("{WEBROOT}/", text)
    text = _ID_LIST_RE.sub("IN (…)", text)
    if "<b>Fatal error</b>" in text and "Stack trace:" in text:
        return text.split("Stack trace:", 1)[0] + "Stack trace: ..."
    return text


SCALARS = {"null", "bool", "int", "float", "str"}
ENVELOPE_PATHS = ("result", "error", "error.code", "error.text")


def compare_answer(
    golden: Mapping[str, Any],
    status: int,
    text: str,
    *,
    types: Mapping[str, set[str]] | None = None,
    subst: Mapping[str, str] | None = None,
    expect: Mapping[str, Any] | None = None,
    values: Iterable[str] = ENVELOPE_PATHS,
) -> list[Divergence]:
    """Compare one live answer (status, body text) with a golden step (its status and body or raw)."""
    out: list[Divergence] = []
    if status != golden.get("status", 200):
        out.append(Divergence("status", "status", expected=golden.get("status", 200), actual=status))
    live: Any
    try:
        live = json.loads(text) if text.strip() else None
        is_json = bool(text.strip())
    except ValueError:
        live, is_json = None, False
    if "raw" in golden:
        if is_json:
            out.append(Divergence("body", "body", expected="raw text", actual="JSON"))
            return out
        exp_raw = normalize_raw(substitute(golden["raw"], subst or {}))
        act_raw = normalize_raw(text)
        if exp_raw != act_raw:
            out.append(Divergence("raw", "body", expected=exp_raw, actual=act_raw))
        return out
    if not is_json:
        out.append(Divergence("body", "body", expected="JSON", actual=text[:300]))
        return out
    gbody = substitute(golden.get("body"), subst or {})
    out += compare_shape(gbody, live, "body", types)
    for vp in values:
        found_g, gv = get_path(gbody, vp)
        found_l, lv = get_path(live, vp)
        if not (found_g and found_l) or isinstance(gv, (dict, list)):
            continue  # a missing key is reported by the shape comparison
        if gv != lv or type(gv) is not type(lv):
            kind = {"error.code": "code", "error.text": "text"}.get(vp, "value")
            out.append(Divergence(kind, f"body.{vp}", expected=gv, actual=lv))
    for vp, want in (expect or {}).items():
        found_l, lv = get_path(live, vp)
        if not found_l or lv != want or type(lv) is not type(want):
            out.append(Divergence("value", f"body.{vp}", expected=want, actual=lv if found_l else "<absent>"))
    return out


def compare_webhooks(
    golden: list[Mapping[str, Any]],
    live: list[Mapping[str, Any]],
    *,
    subst: Mapping[str, str] | None = None,
    expect: Mapping[str, Any] | None = None,
) -> list[Divergence]:
    """Events in order; each payload's keys, order and types, and its `event` value; `expect` paths like
    "0.payload.clid" are compared by value."""
    out: list[Divergence] = []
    g_events = [h["event"] for h in golden]
    l_events = [h["event"] for h in live]
    if g_events != l_events:
        out.append(Divergence("webhook", "webhooks", expected=g_events, actual=l_events))
    for i, (gh, lh) in enumerate(zip(golden, live, strict=False)):
        if gh["event"] != lh["event"]:
            continue
        gp = substitute(gh.get("payload"), subst or {})
        out += compare_shape(gp, lh.get("payload"), f"webhooks[{i}].payload")
        found, ev = get_path(lh.get("payload"), "event")
        if isinstance(gp, dict) and "event" in gp and found and ev != gp["event"]:
            out.append(Divergence("value", f"webhooks[{i}].payload.event", expected=gp["event"], actual=ev))
    for vp, want in (expect or {}).items():
        found, lv = get_path(list(live), vp)
        if not found or lv != want:
            out.append(Divergence("value", f"webhooks.{vp}", expected=want, actual=lv if found else "<absent>"))
    return out


# ---------------------------------------------------------------- golden index


class Golden:
    """All golden steps, by reference "NN-file:step-id" (or "NN:step-id"), and a type index per method/action."""

    def __init__(self, directory: Path = GOLDEN_DIR) -> None:
        self.steps: dict[str, dict[str, Any]] = {}
        self.files: dict[str, str] = {}
        self._types: dict[tuple[str, str, bool], dict[str, set[str]]] = {}
        for path in sorted(directory.glob("*.jsonl")):
            stem = path.stem
            # a short reference names a file by its number: "10" is 10-visibility, never 100-...
            self.files[stem.split("-", 1)[0]] = stem
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    step = json.loads(line)
                    step["_ref"] = f"{stem}:{step['id']}"
                    self.steps[step["_ref"]] = step
                    if "body" in step:
                        key = (step["method"], str(step.get("action")), _is_error(step["body"]))
                        collect_types(step["body"], "body", self._types.setdefault(key, {}))

    def step(self, ref: str) -> dict[str, Any]:
        name, _, sid = ref.partition(":")
        stem = self.files.get(name, name)
        try:
            return self.steps[f"{stem}:{sid}"]
        except KeyError:
            raise KeyError(f"no golden step {ref!r}") from None

    def types(self, method: str, action: str | None, error: bool) -> dict[str, set[str]]:
        return self._types.get((method, str(action), error), {})


def _is_error(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("result") == "Error" or isinstance(body.get("error"), dict))


# ---------------------------------------------------------------- allowlist and report


@dataclass
class AllowEntry:
    """An accepted difference. Every field but `reason` is a shell-style pattern; empty = any."""

    reason: str
    method: str = ""
    action: str = ""
    kind: str = ""
    path: str = ""
    check: str = ""

    def matches(self, d: Divergence) -> bool:
        for pattern, value in (
            (self.method, d.method),
            (self.action, d.action),
            (self.kind, d.kind),
            (self.path, d.path),
            (self.check, d.check),
        ):
            if pattern and not fnmatch.fnmatchcase(value, pattern):
                return False
        return True


def load_allowlist(path: Path | None) -> list[AllowEntry]:
    """contract/allowlist.json: {"accepted": [{"method", "action", "kind", "path", "check", "reason"}, ...]}."""
    if path is None or not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("accepted", []) if isinstance(data, dict) else data
    out = []
    for e in entries:
        if not isinstance(e, dict) or not e.get("reason"):
            raise ValueError(f"{path}: every allowlist entry needs a 'reason': {e!r}")
        out.append(AllowEntry(**{k: str(v) for k, v in e.items() if k in AllowEntry.__dataclass_fields__}))
    return out


@dataclass
class Report:
    """Checks and divergences of one run, per method/action."""

    allowlist: list[AllowEntry] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)  # "method action" -> number of checks
    items: list[Divergence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # cleanup problems and the like (not divergences)

    def record(self, method: str, action: str | None, check: str, diffs: list[Divergence]) -> list[Divergence]:
        """Add one check's divergences; return the ones the allowlist does not accept."""
        key = f"{method} {action}"
        self.checks[key] = self.checks.get(key, 0) + 1
        failing = []
        for d in diffs:
            d.method, d.action, d.check = method, str(action), check
            entry = next((e for e in self.allowlist if e.matches(d)), None)
            if entry is not None:
                d.accepted, d.reason = True, entry.reason
            else:
                failing.append(d)
            self.items.append(d)
        return failing

    def as_dict(self) -> dict[str, Any]:
        div = [asdict(d) for d in self.items if not d.accepted]
        acc = [asdict(d) for d in self.items if d.accepted]
        per: dict[str, dict[str, Any]] = {}
        for key, n in sorted(self.checks.items()):
            per[key] = {"checks": n, "divergences": 0, "accepted": 0}
        for d in self.items:
            slot = per.setdefault(f"{d.method} {d.action}", {"checks": 0, "divergences": 0, "accepted": 0})
            slot["accepted" if d.accepted else "divergences"] += 1
        return {
            **self.meta,
            "finished": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "summary": {"checks": sum(self.checks.values()), "divergences": len(div), "accepted": len(acc)},
            "per_action": per,
            "divergences": div,
            "accepted": acc,
            "notes": list(self.notes),
        }

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        data = self.as_dict()
        jpath = directory / "contract-report.json"
        mpath = directory / "contract-report.md"
        jpath.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        mpath.write_text(render_markdown(data), encoding="utf-8")
        return jpath, mpath


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("|", "\\|").replace("\n", "\\n")
    return text if len(text) <= 160 else text[:157] + "..."


def render_markdown(data: Mapping[str, Any]) -> str:
    s = data["summary"]
    lines = [
        "# SalesMan contract report",
        "",
        f"Target: {data.get('target', '?')}  ",
        f"Run: {data.get('run', '?')} (readonly: {data.get('readonly', False)}), finished {data['finished']}  ",
        f"Checks: {s['checks']}, divergences: {s['divergences']}, accepted by the allowlist: {s['accepted']}",
        "",
        "| method action | checks | divergences | accepted |",
        "|---|---:|---:|---:|",
    ]
    for key, slot in data["per_action"].items():
        lines.append(f"| {key} | {slot['checks']} | {slot['divergences']} | {slot['accepted']} |")
    for title, rows in (("Divergences", data["divergences"]), ("Accepted (allowlist)", data["accepted"])):
        lines += ["", f"## {title}", ""]
        if not rows:
            lines.append("None.")
            continue
        lines += ["| method action | kind | path | expected | actual | check |", "|---|---|---|---|---|---|"]
        for d in rows:
            extra = f" ({d['reason']})" if d.get("reason") else ""
            lines.append(
                f"| {d['method']} {d['action']} | {d['kind']} | {_cell(d['path'])} | {_cell(d['expected'])} "
                f"| {_cell(d['actual'])} | {_cell(d['check'])}{_cell(extra) if extra else ''} |"
            )
    if data.get("notes"):
        lines += ["", "## Notes", ""] + [f"* {n}" for n in data["notes"]]
    return "\n".join(lines) + "\n"
