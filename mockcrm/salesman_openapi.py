"""OpenAPI 3.0 of the SalesMan API as mockcrm serves it: ``/__mockcrm/salesman-openapi.json``.

Built from the code's own tables, so it cannot drift: the methods and actions from
``mockcrm.methods.METHODS``, their parameters from ``mockcrm.salesman_params``, and the shapes and
examples of the answers from the recorded exchanges the tests replay (``contract/golden``), boiled
down into ``mockcrm/data/salesman_examples.json`` by ``examples_from_recordings`` (``make
openapi-examples``; a test keeps the file current).

One path per action, ``/developer/v2/<method>?action=<action>``, with two operations, as the real
server reads parameters in two modes (protocol §2): GET (or a form POST) with everything in the
query, PHP bracket names for arrays (OpenAPI's deepObject), and POST with a JSON body (exactly
``Content-Type: application/json``), where the credentials travel in the ``apikey`` and ``login``
headers. Every answer is HTTP 200: success and the error envelopes alike.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from ._version import __version__
from .methods import METHODS
from .salesman_params import Param, read_params

EXAMPLES_FILE = "salesman_examples.json"
_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "array": {"type": "array", "items": {}},
    "object": {"type": "object", "additionalProperties": True},
    "date": {"type": "string", "example": "2025-01-31"},
    "datetime": {"type": "string", "example": "2025-01-31 12:00:00"},
}
_ERROR = {
    "type": "object",
    "description": 'an error: {"result": "Error", "error": {...}} or {"error": {...}} (protocol §5)',
    "properties": {
        "result": {"type": "string", "example": "Error"},
        "error": {
            "type": "object",
            "properties": {"code": {"type": "integer"}, "text": {"type": "string"}},
            "required": ["code", "text"],
        },
    },
    "required": ["error"],
}


# ------------------------------------------------------------------ examples, from the recordings


def _shrink(value: Any, depth: int = 0) -> Any:
    """An example small enough to read: lists cut to two items, long text cut."""
    if isinstance(value, list):
        return [_shrink(v, depth + 1) for v in value[:2]]
    if isinstance(value, dict):
        return {k: _shrink(v, depth + 1) for k, v in value.items()}
    if isinstance(value, str) and len(value) > 300:
        return value[:300] + "…"
    return value


#: Python type -> JSON type, bool before int (a bool is an int to isinstance)
_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def infer_schema(values: list[Any], depth: int = 0) -> dict[str, Any]:
    """A JSON schema every one of ``values`` meets (OpenAPI 3.0: ``nullable``, ``oneOf`` for mixed types)."""
    kinds: dict[str, list[Any]] = {}
    for v in values:
        kind = "null" if v is None else next(name for t, name in _JSON_TYPES if isinstance(v, t))
        kinds.setdefault(kind, []).append(v)
    if "integer" in kinds and "number" in kinds:
        kinds["number"] += kinds.pop("integer")
    nullable = kinds.pop("null", None) is not None
    schemas = [_one_kind(kind, vs, depth) for kind, vs in sorted(kinds.items())]
    out: dict[str, Any] = schemas[0] if len(schemas) == 1 else ({"oneOf": schemas} if schemas else {})
    if nullable:
        out = {**out, "nullable": True} if out else {"nullable": True}
    return out


def _one_kind(kind: str, values: list[Any], depth: int) -> dict[str, Any]:
    if kind == "array":
        items = [x for v in values for x in v[:50]]
        return {"type": "array", "items": infer_schema(items, depth + 1) if items and depth < 5 else {}}
    if kind != "object":
        return {"type": kind}
    if depth >= 5:
        return {"type": "object"}
    keys: dict[str, list[Any]] = {}
    for v in values:
        for k, x in v.items():
            keys.setdefault(k, []).append(x)
    if len(keys) > 60 or (keys and all(k.isdigit() for k in keys)):
        # an object keyed by ids (PHP arrays with gaps): one schema for its values
        return {
            "type": "object",
            "additionalProperties": infer_schema([x for xs in keys.values() for x in xs], depth + 1),
        }
    props = {k: infer_schema(xs, depth + 1) for k, xs in keys.items()}
    required = [k for k, xs in keys.items() if len(xs) == len(values)]
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def examples_from_recordings(paths: Iterable[Path]) -> dict[str, Any]:
    """For each action mockcrm serves: one success and one error example, and the success shape."""
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for path in sorted(paths):
        for line in path.read_text(encoding="utf-8").splitlines():
            x = json.loads(line)
            method, action = x.get("method"), x.get("action")
            if method in METHODS and action in METHODS[method].ACTIONS:
                seen.setdefault((method, action), []).append(x)
    out: dict[str, Any] = {}
    for method, module in METHODS.items():
        for action in module.ACTIONS:
            calls = seen.get((method, action), [])
            bad = [c for c in calls if isinstance(c["body"], dict) and isinstance(c["body"].get("error"), dict)]
            ok = [c for c in calls if isinstance(c["body"], (dict, list)) and c not in bad]
            raw = [c for c in calls if c["body"] is None and c.get("raw")]
            entry: dict[str, Any] = {"recorded": len(calls)}
            if ok:
                first = max(ok[:20], key=lambda c: len(json.dumps(c["body"])))  # the fullest of the first few
                entry["ok"] = {"params": _shrink(first["params"]), "body": _shrink(first["body"])}
                entry["schema"] = infer_schema([c["body"] for c in ok])
            if bad:
                entry["error"] = {"params": _shrink(bad[0]["params"]), "body": bad[0]["body"]}
            if raw:
                # a PHP fatal or notice page: what the real script prints, byte for byte (protocol §9)
                entry["raw"] = {"params": _shrink(raw[0]["params"]), "body": raw[0]["raw"]}
            out[f"{method} {action}"] = entry
    return out


@functools.cache
def packaged_examples() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("mockcrm").joinpath("data", EXAMPLES_FILE).read_text("utf-8"))
    return data


# ------------------------------------------------------------------ the document


def _param_schema(p: Param) -> dict[str, Any]:
    return {**copy.deepcopy(_TYPES[p.type]), "description": p.description}


def _query_param(p: Param, example: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": "query", "required": p.required, "schema": _param_schema(p)}
    out["description"] = p.description
    if p.type in ("array", "object"):
        out.update(style="deepObject", explode=True)  # PHP's bracket names: filter[type]=client
    if example is not None and not isinstance(example, (dict, list)):
        out["example"] = example
    return out


def _operation(method: str, action: str, params: list[Param], info: dict[str, Any], mode: str) -> dict[str, Any]:
    ok_example = (info.get("ok") or {}).get("params") or {}
    creds = [
        {"name": "login", "in": "query" if mode == "get" else "header", "required": mode == "get",
         "schema": {"type": "string"}, "example": "admin@example.com", "description": "the user's login"},
        {"name": "apikey", "in": "query" if mode == "get" else "header", "required": mode == "get",
         "schema": {"type": "string"}, "description": "the account's API key"},
    ]  # fmt: skip
    op: dict[str, Any] = {
        "tags": [method],
        "operationId": f"{method}.{action}.{mode}".replace(".", "_"),
        "summary": f"{method} {action}" + (" (query / form)" if mode == "get" else " (JSON body)"),
        "parameters": creds,
    }
    if mode == "get":
        op["parameters"] += [_query_param(p, ok_example.get(p.name)) for p in params]
    else:
        props: dict[str, Any] = {"action": {"type": "string", "enum": [action]}}
        props.update({p.name: _param_schema(p) for p in params})
        body_schema = {
            "type": "object",
            "properties": props,
            "required": ["action"] + [p.name for p in params if p.required],
        }
        op["requestBody"] = {
            "required": True,
            "description": "Content-Type must be exactly application/json; the query string is then ignored",
            "content": {"application/json": {"schema": body_schema, "example": {"action": action, **ok_example}}},
        }
    answers: dict[str, Any] = {}
    if "ok" in info:
        answers["ok"] = {"summary": "a recorded answer", "value": info["ok"]["body"]}
    if "error" in info:
        answers["error"] = {"summary": "a recorded error", "value": info["error"]["body"]}
    if "raw" in info:
        answers["php"] = {"summary": "a recorded PHP error page (not JSON)", "value": info["raw"]["body"]}
    success = info.get("schema", {})
    schema = {"oneOf": [success, {"$ref": "#/components/schemas/Error"}]} if success else {}
    content: dict[str, Any] = {"schema": schema}
    if answers:
        content["examples"] = answers
    op["responses"] = {
        "200": {
            "description": "always HTTP 200, errors included (protocol §7)",
            "content": {"application/json; charset=utf-8": content},
        }
    }
    return op


def salesman_openapi() -> dict[str, Any]:
    """The whole document (the same for every app: it depends on the code only)."""
    examples = packaged_examples()
    paths: dict[str, Any] = {}
    for method, module in METHODS.items():
        for action in module.ACTIONS:
            params = read_params(method, action)
            info = examples.get(f"{method} {action}", {})
            paths[f"/developer/v2/{method}?action={action}"] = {
                "get": _operation(method, action, params, info, "get"),
                "post": _operation(method, action, params, info, "post"),
            }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "SalesMan CRM REST API v2 (as mockcrm serves it)",
            "version": __version__,
            "description": (
                "Every method and action mockcrm accepts. Parameters go in the query (or a form body) with "
                "login and apikey, or in a JSON body (Content-Type exactly application/json) with login and "
                'apikey headers. Any other action answers {"error":{"code":402,"text":"Неизвестный метод"}}.'
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": m, "description": (METHODS[m].__doc__ or "").strip().splitlines()[0]} for m in METHODS],
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR}},
    }
