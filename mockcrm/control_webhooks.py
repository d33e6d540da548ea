"""Control plane: webhooks, their delivery log, replay, trigger and drain."""

from __future__ import annotations

from typing import Any

from flask import request

from . import control_schemas as cs
from .control import ControlError, _backend
from .control_api import control_blueprint
from .webhooks import Hook

webhooks_control = control_blueprint("control_webhooks", __name__, "Webhooks and their delivery log")


@webhooks_control.get("/webhooks")
@webhooks_control.response(200, cs.HooksOut)
def hooks_list() -> dict[str, Any]:
    """The hooks (secrets as ``***``)."""
    return {"hooks": [h.public() for h in _backend().webhooks.hooks()]}


@webhooks_control.post("/webhooks")
@webhooks_control.arguments(cs.HookIn)
@webhooks_control.response(201, cs.HooksOut)
def hooks_add(hooks: list[Hook]) -> dict[str, Any]:
    """Add one hook or a list of them."""
    return {"hooks": [_backend().webhooks.add_hook(h).public() for h in hooks]}


@webhooks_control.delete("/webhooks")
@webhooks_control.response(200, cs.StatusOut)
def hooks_clear() -> dict[str, Any]:
    """Remove every hook."""
    dispatcher = _backend().webhooks
    for h in dispatcher.hooks():
        dispatcher.remove_hook(h.id)
    return {"status": "ok"}


@webhooks_control.delete("/webhooks/<int:hook_id>")
@webhooks_control.response(200, cs.StatusOut)
def hooks_delete(hook_id: int) -> dict[str, Any]:
    """Remove one hook."""
    if not _backend().webhooks.remove_hook(hook_id):
        raise ControlError(f"no hook with id {hook_id}", 404)
    return {"status": "ok"}


@webhooks_control.get("/webhooks/deliveries")
@webhooks_control.arguments(cs.DeliveriesQuery, location="query")
@webhooks_control.response(200, cs.DeliveriesOut)
def deliveries(query: dict[str, Any]) -> dict[str, Any]:
    """The delivery log, oldest first (``?event=``, ``?status=ok|failed``, ``?limit=`` the newest N)."""
    status = query.get("status")
    ok = None if status is None else status == "ok"
    items = _backend().webhooks.log.entries(event=query.get("event"), ok=ok, limit=query.get("limit"))
    return {"count": len(items), "deliveries": [d.public() for d in items]}


@webhooks_control.delete("/webhooks/deliveries")
@webhooks_control.response(200, cs.StatusOut)
def deliveries_clear() -> dict[str, Any]:
    """Empty the delivery log."""
    _backend().webhooks.log.clear()
    return {"status": "ok"}


@webhooks_control.post("/webhooks/deliveries/<int:delivery_id>/replay")
@webhooks_control.response(200, cs.DeliveryOut)
def deliveries_replay(delivery_id: int) -> dict[str, Any]:
    """Send a logged delivery again, now; answers the new attempt."""
    item = _backend().webhooks.replay(delivery_id)
    if item is None:
        raise ControlError(f"no delivery with id {delivery_id}", 404)
    return item.public()


@webhooks_control.post("/webhooks/trigger")
@webhooks_control.arguments(cs.TriggerIn)
@webhooks_control.response(200, cs.TriggerOut)
def trigger(body: dict[str, Any]) -> dict[str, Any]:
    """Send an event to its hooks by hand, with your payload (no API call behind it)."""
    matched = _backend().webhooks.trigger(
        body["event"],
        body.get("payload") or {},
        home=request.host_url.rstrip("/"),
        actor=str(body["iduser1"]),
    )
    return {"event": body["event"], "hooks": matched}


@webhooks_control.post("/webhooks/drain")
@webhooks_control.arguments(cs.DrainQuery, location="query")
@webhooks_control.response(200, cs.DrainOut)
def drain(query: dict[str, Any]) -> dict[str, Any]:
    """Wait until every pending delivery is done (``?timeout=`` seconds, default 10)."""
    done = _backend().webhooks.drain(query["timeout"])
    return {"drained": done, "pending": 0 if done else None}
