"""Control plane: webhooks, their delivery log, replay, trigger and drain."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .control import ControlError, _backend, _json_body
from .webhooks import Hook

webhooks_control = Blueprint("control_webhooks", __name__, url_prefix="/__mockcrm")


@webhooks_control.get("/webhooks")
def hooks_list() -> Response:
    return jsonify({"hooks": [h.public() for h in _backend().webhooks.hooks()]})


@webhooks_control.post("/webhooks")
def hooks_add() -> tuple[Response, int]:
    data = _json_body()
    items = data if isinstance(data, list) else [data]
    try:
        hooks = [Hook.from_dict(x) for x in items]
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    added = [_backend().webhooks.add_hook(h).public() for h in hooks]
    return jsonify({"hooks": added}), 201


@webhooks_control.delete("/webhooks")
def hooks_clear() -> Response:
    dispatcher = _backend().webhooks
    for h in dispatcher.hooks():
        dispatcher.remove_hook(h.id)
    return jsonify({"status": "ok"})


@webhooks_control.delete("/webhooks/<int:hook_id>")
def hooks_delete(hook_id: int) -> Response:
    if not _backend().webhooks.remove_hook(hook_id):
        raise ControlError(f"no hook with id {hook_id}", 404)
    return jsonify({"status": "ok"})


@webhooks_control.get("/webhooks/deliveries")
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
    items = _backend().webhooks.log.entries(event=args.get("event"), ok=ok, limit=limit)
    return jsonify({"count": len(items), "deliveries": [d.public() for d in items]})


@webhooks_control.delete("/webhooks/deliveries")
def deliveries_clear() -> Response:
    _backend().webhooks.log.clear()
    return jsonify({"status": "ok"})


@webhooks_control.post("/webhooks/deliveries/<int:delivery_id>/replay")
def deliveries_replay(delivery_id: int) -> Response:
    item = _backend().webhooks.replay(delivery_id)
    if item is None:
        raise ControlError(f"no delivery with id {delivery_id}", 404)
    return jsonify(item.public())


@webhooks_control.post("/webhooks/trigger")
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


@webhooks_control.post("/webhooks/drain")
def drain() -> Response:
    try:
        timeout = float(request.args.get("timeout", "10"))
    except ValueError:
        raise ControlError("timeout must be a number") from None
    done = _backend().webhooks.drain(timeout)
    return jsonify({"drained": done, "pending": 0 if done else None})
