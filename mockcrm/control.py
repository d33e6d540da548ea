"""The control plane under /__mockcrm/: never reachable through /developer/v2."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from .backend import Backend

control = Blueprint("control", __name__, url_prefix="/__mockcrm")


def _backend() -> Backend:
    backend: Backend = current_app.extensions["mockcrm"]
    return backend


@control.get("/health")
def health() -> Response:
    return jsonify({"status": "ok"})


@control.post("/reset")
def reset() -> Response:
    _backend().reset()
    return jsonify({"status": "ok"})
