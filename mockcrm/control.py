"""The control plane under /__mockcrm/: never reachable through /developer/v2."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from .backend import Backend
from .webhooks import Hook

control = Blueprint("control", __name__, url_prefix="/__mockcrm")


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@control.errorhandler(ControlError)
def _control_error(exc: ControlError) -> tuple[Response, int]:
    return jsonify({"error": exc.message}), exc.status


def _backend() -> Backend:
    backend: Backend = current_app.extensions["mockcrm"]
    return backend


def _json_body() -> Any:
    data = request.get_json(silent=True)
    if data is None and request.get_data():
        raise ControlError("the body must be JSON")
    return data


@control.get("/health")
def health() -> Response:
    return jsonify({"status": "ok"})


@control.post("/reset")
def reset() -> Response:
    _backend().reset()
    return jsonify({"status": "ok"})


# ------------------------------------------------------------------ webhooks


@control.get("/webhooks")
def hooks_list() -> Response:
    return jsonify({"hooks": [h.public() for h in _backend().webhooks.hooks()]})


@control.post("/webhooks")
def hooks_add() -> tuple[Response, int]:
    data = _json_body()
    items = data if isinstance(data, list) else [data]
    try:
        hooks = [Hook.from_dict(x) for x in items]
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    added = [_backend().webhooks.add_hook(h).public() for h in hooks]
    return jsonify({"hooks": added}), 201


@control.delete("/webhooks")
def hooks_clear() -> Response:
    dispatcher = _backend().webhooks
    for h in dispatcher.hooks():
        dispatcher.remove_hook(h.id)
    return jsonify({"status": "ok"})


@control.delete("/webhooks/<int:hook_id>")
def hooks_delete(hook_id: int) -> Response:
    if not _backend().webhooks.remove_hook(hook_id):
        raise ControlError(f"no hook with id {hook_id}", 404)
    return jsonify({"status": "ok"})


@control.get("/webhooks/deliveries")
def deliveries() -> Response:
    args = request.args
    ok: bool | None = None
    status = args.get("status")
    if status is not None:
        if status not in ("ok", "failed"):
            raise ControlError("status must be 'ok' or 'failed'")
        ok = status == "ok"
    try:
        limit = int(args["limit"]) if "limit" in args else None
    except ValueError:
        raise ControlError("limit must be an integer") from None
    items = _backend().webhooks.log.list(event=args.get("event"), ok=ok, limit=limit)
    return jsonify({"count": len(items), "deliveries": [d.public() for d in items]})


@control.delete("/webhooks/deliveries")
def deliveries_clear() -> Response:
    _backend().webhooks.log.clear()
    return jsonify({"status": "ok"})


@control.post("/webhooks/deliveries/<int:delivery_id>/replay")
def deliveries_replay(delivery_id: int) -> Response:
    item = _backend().webhooks.replay(delivery_id)
    if item is None:
        raise ControlError(f"no delivery with id {delivery_id}", 404)
    return jsonify(item.public())


@control.post("/webhooks/trigger")
def trigger() -> Response:
    data = _json_body()
    if not isinstance(data, dict) or not isinstance(data.get("event"), str) or not data["event"]:
        raise ControlError('expected {"event": "<name>", "payload": {...}}')
    payload = data.get("payload") or {}
    if not isinstance(payload, dict):
        raise ControlError("payload must be an object")
    backend = _backend()
    matched = backend.webhooks.trigger(
        data["event"],
        payload,
        home=request.host_url.rstrip("/"),
        actor=str(data.get("iduser1", "1")),
    )
    return jsonify({"event": data["event"], "hooks": matched})


@control.post("/webhooks/drain")
def drain() -> Response:
    try:
        timeout = float(request.args.get("timeout", "10"))
    except ValueError:
        raise ControlError("timeout must be a number") from None
    done = _backend().webhooks.drain(timeout)
    return jsonify({"drained": done, "pending": 0 if done else None})
