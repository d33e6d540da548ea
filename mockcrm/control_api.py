"""flask-smorest for the control plane: parsing, errors, ``/__mockcrm/openapi.json`` and ``/__mockcrm/docs``.

Only the control plane's blueprints are registered here; the SalesMan API path never meets
flask-smorest (``ApiFront`` answers it before Flask routes anything), and flask-smorest's app-wide
error handler is not installed, so 404 and 405 pages stay as they were.
"""

from __future__ import annotations

import functools
import json
from typing import Any, NoReturn

from flask import Blueprint, Flask, Response, jsonify, send_from_directory
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from ._version import __version__
from .control_schemas import ErrorOut

DOCS_STATIC = "/__mockcrm/docs/static/"


class ControlParser(FlaskParser):
    """Bodies are JSON whatever their Content-Type (``curl -d`` sends form's); a bad one is a 400."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Any) -> Any:
        data = req.get_data(cache=True)
        return core.parse_json(data) if data.strip() else core.missing

    def _handle_invalid_json_error(self, error: Any, req: Any, *args: Any, **kwargs: Any) -> NoReturn:
        raise _BadBody("the body must be JSON")


class _BadBody(HTTPException):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ControlApi(Api):
    ERROR_SCHEMA = ErrorOut

    def _register_error_handlers(self) -> None:
        """Not app-wide (see the module's docstring): ``register`` puts them on our blueprints."""


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as (field path, message) pairs, in order."""
    if isinstance(messages, dict):
        out: list[tuple[str, str]] = []
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            out += _flatten(value, f"{prefix}.{name}".strip(".") if name else prefix)
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [(prefix, m) for m in messages]
    if isinstance(messages, list):
        return [pair for m in messages for pair in _flatten(m, prefix)]
    return [(prefix, str(messages))]


def _one_line(field: str, message: str) -> str:
    """The first error as one line; a message that names its field already is kept as it is."""
    leaf = field.rsplit(".", 1)[-1]
    if not field or f"'{leaf}" in message or f'"{leaf}"' in message or message.startswith(f"{leaf} "):
        return message
    return f"{field}: {message}"


def http_error(exc: HTTPException) -> tuple[Response, int]:
    """A control-plane error as ``{"error": "<one line>", "errors": {field: [messages]}}``."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages is None:
        text = getattr(exc, "message", None) or exc.description or exc.name
        return jsonify({"error": text}), code
    # webargs keys the messages by location ("json", "query"): the field names are what people need
    fields: dict[str, list[str]] = {}
    for location in messages.values():
        for path, message in _flatten(location):
            fields.setdefault(path or "_body", []).append(message)
    path, message = next(((p, m) for p, ms in fields.items() for m in ms), ("", "bad request"))
    return jsonify({"error": _one_line("" if path == "_body" else path, message), "errors": fields}), code


class ControlBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = ControlParser()


def control_blueprint(name: str, import_name: str, description: str) -> ControlBlueprint:
    """A blueprint under /__mockcrm whose errors answer as ``http_error`` says."""
    blueprint = ControlBlueprint(name, import_name, url_prefix="/__mockcrm", description=description)
    blueprint.register_error_handler(HTTPException, http_error)
    return blueprint


def _docs_static(filename: str) -> Response:
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), filename, max_age=3600)


_CONFIG = {
    "API_TITLE": "mockcrm control plane",
    "API_VERSION": __version__,
    "OPENAPI_VERSION": "3.0.3",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Drive mockcrm from tests: reset, seed, clock, journal, rules, state, webhooks. "
            "The SalesMan API itself is described in /__mockcrm/salesman-openapi.json."
        },
        "servers": [{"url": "/"}],
    },
}


@functools.cache
def control_openapi(blueprints: tuple[Any, ...]) -> dict[str, Any]:
    """The control plane's OpenAPI document, built once per process on a throwaway app.

    It depends on the code only, and building it costs ~0.1 s, which ``create_app`` (called
    by every test that makes an app) should not pay.
    """
    app = Flask("mockcrm-openapi")
    app.config.update(_CONFIG)
    api = ControlApi(app)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    spec: dict[str, Any] = api.spec.to_dict()
    return spec


_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{static}swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}swagger-ui-bundle.js"></script>
<script src="{static}swagger-ui-standalone-preset.js"></script>
<script src="{static}mockcrm-docs.js" data-specs='{specs}'></script>
</body>
</html>
"""

# the page's own script, served beside Swagger UI's files (no inline script: a strict CSP stays possible)
_DOCS_JS = """(function () {
  var me = document.currentScript;
  window.ui = SwaggerUIBundle({
    urls: JSON.parse(me.getAttribute("data-specs")),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
})();
"""


@functools.cache
def _salesman_text() -> str:
    from .salesman_openapi import salesman_openapi

    return json.dumps(salesman_openapi(), ensure_ascii=False)


def install(app: Flask, blueprints: list[Any]) -> None:
    """Register the control plane's blueprints, its OpenAPI (``/__mockcrm/openapi.json``) and its reference."""
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    frozen = tuple(blueprints)
    docs = Blueprint("control_docs", __name__, url_prefix="/__mockcrm")

    @docs.get("/openapi.json")
    def openapi_json() -> Response:
        return jsonify(control_openapi(frozen))

    @docs.get("/salesman-openapi.json")
    def salesman_json() -> Response:
        return Response(_salesman_text(), content_type="application/json")

    @docs.get("/docs")
    @docs.get("/docs/")
    def docs_page() -> Response:
        specs = json.dumps(
            [
                {"url": "/__mockcrm/openapi.json", "name": "mockcrm control plane"},
                {"url": "/__mockcrm/salesman-openapi.json", "name": "SalesMan API v2 (as mockcrm serves it)"},
            ]
        )
        page = _SWAGGER_PAGE.format(title="mockcrm API reference", static=DOCS_STATIC, specs=specs)
        return Response(page, content_type="text/html; charset=utf-8")

    @docs.get("/docs/static/mockcrm-docs.js")
    def docs_js() -> Response:
        return Response(_DOCS_JS, content_type="text/javascript; charset=utf-8")

    docs.add_url_rule("/docs/static/<path:filename>", view_func=_docs_static)
    app.register_blueprint(docs)
