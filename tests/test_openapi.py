"""The control plane's OpenAPI document and its reference page (issue 14, point 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from mockcrm import Settings, create_app
from mockcrm.methods import METHODS
from mockcrm.salesman_openapi import examples_from_recordings, packaged_examples
from mockcrm.salesman_params import PARAMS


def j(resp: Any) -> Any:
    return json.loads(resp.data)


def control_routes(app: Flask) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every control-plane endpoint that answers JSON."""
    out = set()
    for rule in app.url_map.iter_rules():
        path = rule.rule
        html = path.startswith(("/__mockcrm/docs", "/__mockcrm/ui/"))  # pages for people, not JSON
        if not path.startswith("/__mockcrm/") or html or path.endswith("openapi.json"):
            continue
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                out.add((method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)))
    return out


def test_control_openapi_validates_and_covers_every_endpoint(client: FlaskClient) -> None:
    r = client.get("/__mockcrm/openapi.json")
    assert (r.status_code, r.content_type) == (200, "application/json")
    spec = j(r)
    validate(spec)
    assert spec["info"]["title"] == "mockcrm control plane"
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops if m != "parameters"}
    assert documented == control_routes(client.application)
    assert len(documented) >= 40


def test_every_control_body_and_answer_has_a_schema(client: FlaskClient) -> None:
    spec = j(client.get("/__mockcrm/openapi.json"))
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            ok = [code for code in op["responses"] if code.startswith("2")]
            assert ok, (method, path)
            for code in ok:
                assert "schema" in op["responses"][code]["content"]["application/json"], (method, path, code)
            assert op["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}
    error = spec["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"] and set(error["properties"]) == {"error", "errors"}
    bodies = {
        (m, p)
        for p, ops in spec["paths"].items()
        for m, op in ops.items()
        if m != "parameters" and "requestBody" in op and "schema" in op["requestBody"]["content"]["application/json"]
    }
    assert {("post", p) for p in ("/__mockcrm/rules", "/__mockcrm/faults", "/__mockcrm/webhooks")} <= bodies
    assert {("post", "/__mockcrm/clock/advance"), ("post", "/__mockcrm/records/{table}")} <= bodies
    advance = spec["components"]["schemas"]["AdvanceIn"]
    assert advance == {
        "type": "object",
        "properties": {"seconds": {"type": "number", "description": "may be negative"}},
        "required": ["seconds"],
        "additionalProperties": False,
    }


def test_the_document_is_the_same_for_every_app(client: FlaskClient) -> None:
    other = create_app(Settings(log_requests=False, edition="cloud")).test_client()
    assert j(other.get("/__mockcrm/openapi.json")) == j(client.get("/__mockcrm/openapi.json"))


def test_docs_page_and_its_files_are_served_locally(client: FlaskClient) -> None:
    page = client.get("/__mockcrm/docs")
    assert (page.status_code, page.content_type) == (200, "text/html; charset=utf-8")
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets.pop(0) == "data:,"  # no favicon request
    assert assets == [
        "/__mockcrm/docs/static/swagger-ui.css",
        "/__mockcrm/docs/static/swagger-ui-bundle.js",
        "/__mockcrm/docs/static/swagger-ui-standalone-preset.js",
        "/__mockcrm/docs/static/mockcrm-docs.js",
    ]
    specs = re.search(r"data-specs='([^']+)'", html)
    assert specs is not None and json.loads(specs.group(1)) == [
        {"url": "/__mockcrm/openapi.json", "name": "mockcrm control plane"},
        {"url": "/__mockcrm/salesman-openapi.json", "name": "SalesMan API v2 (as mockcrm serves it)"},
    ]
    for asset in assets:
        with client.get(asset) as r:
            assert r.status_code == 200 and len(r.data) > 100, asset
    with client.get("/__mockcrm/docs/static/nope.js") as r:
        assert r.status_code == 404


def test_a_bad_body_names_the_field_and_changes_nothing(client: FlaskClient) -> None:
    r = client.post("/__mockcrm/seed", json={"size": "huge", "seed": 1.5})
    assert (r.status_code, j(r)) == (
        400,
        {
            "error": "seed: Not a valid integer.",
            "errors": {"seed": ["Not a valid integer."], "size": ["Must be one of: small, medium, large."]},
        },
    )
    assert j(client.get("/__mockcrm/health"))["counts"]["clientcat"] == 0
    r = client.post("/__mockcrm/snapshots", data="{not json", content_type="application/json")
    assert (r.status_code, j(r)) == (400, {"error": "the body must be JSON"})
    r = client.post("/__mockcrm/users", json={"login": "x@example.com", "admin": "maybe", "extra": 1})
    assert (r.status_code, j(r)) == (
        400,
        {
            "error": "admin: Not a valid boolean.",
            "errors": {"admin": ["Not a valid boolean."], "extra": ["Unknown field."]},
        },
    )
    r = client.get("/__mockcrm/users?account=one")
    assert (r.status_code, j(r)) == (
        400,
        {"error": "account: Not a valid integer.", "errors": {"account": ["Not a valid integer."]}},
    )


def test_a_json_body_without_its_content_type_is_read(client: FlaskClient) -> None:
    # curl -d sends application/x-www-form-urlencoded; the control plane reads the JSON anyway
    r = client.post("/__mockcrm/clock/freeze", data='{"at": "2030-01-01 10:00:00"}')
    assert (r.status_code, j(r)) == (200, {"now": "2030-01-01 10:00:00", "frozen": True, "timezone": "Europe/Moscow"})


# ------------------------------------------------------------------ the SalesMan API's document (point 3)

GOLDEN = Path(__file__).resolve().parent.parent / "contract" / "golden"


def test_salesman_openapi_validates_and_lists_every_action(client: FlaskClient) -> None:
    r = client.get("/__mockcrm/salesman-openapi.json")
    assert (r.status_code, r.content_type) == (200, "application/json")
    spec = j(r)
    validate(spec)
    expected = {f"/developer/v2/{m}?action={a}" for m, mod in METHODS.items() for a in mod.ACTIONS}
    assert set(spec["paths"]) == expected and len(expected) == 67
    assert all(set(ops) == {"get", "post"} for ops in spec["paths"].values())
    assert [t["name"] for t in spec["tags"]] == list(METHODS)


def test_salesman_operation_in_full(client: FlaskClient) -> None:
    spec = j(client.get("/__mockcrm/salesman-openapi.json"))
    get = spec["paths"]["/developer/v2/guides?action=category"]["get"]
    assert get["operationId"] == "guides_category_get"
    assert [(p["name"], p["in"], p["required"]) for p in get["parameters"]] == [
        ("login", "query", True),
        ("apikey", "query", True),
    ]
    ok = get["responses"]["200"]["content"]["application/json; charset=utf-8"]
    assert ok["examples"]["ok"]["value"] == {  # a recorded answer, lists cut to two items
        "data": [{"id": 1, "tip": "client", "title": "Физические лица"}, {"id": 2, "tip": "client", "title": "Розница"}]
    }
    post = spec["paths"]["/developer/v2/client?action=info"]["post"]
    assert [(p["name"], p["in"], p["required"]) for p in post["parameters"]] == [
        ("login", "header", False),
        ("apikey", "header", False),
    ]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["action"] == {"type": "string", "enum": ["info"]}
    assert {"clid", "uid", "fields"} <= set(body["properties"])
    get = spec["paths"]["/developer/v2/client?action=list"]["get"]
    flt = next(p for p in get["parameters"] if p["name"] == "filter")
    assert (flt["in"], flt["style"], flt["explode"]) == ("query", "deepObject", True)  # filter[type]=client


def test_salesman_params_cover_exactly_the_actions_and_every_recorded_parameter() -> None:
    assert {m: set(a) for m, a in PARAMS.items()} == {m: set(mod.ACTIONS) for m, mod in METHODS.items()}
    missing = set()
    for path in GOLDEN.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            x = json.loads(line)
            m, a = x["method"], x["action"]
            if m not in PARAMS or a not in PARAMS[m] or not isinstance(x["params"], dict):
                continue
            names = {p.name for p in PARAMS[m][a]}
            for key in x["params"]:
                base = key.split("[", 1)[0]  # PHP builds phone[0]=... into phone
                if base not in names and base not in ("login", "apikey", "action"):
                    missing.add((m, a, base))
    assert missing == set()


def test_packaged_examples_are_current_with_the_recordings() -> None:
    # make openapi-examples rewrites the file after new recordings
    assert examples_from_recordings(GOLDEN.glob("*.jsonl")) == packaged_examples()
