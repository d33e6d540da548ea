"""create_app(): one Backend, the API blueprint, the control blueprint, one error handler."""

from __future__ import annotations

import logging
import time
from types import ModuleType
from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from werkzeug.wrappers import Response

from . import wire
from .backend import Backend
from .errors import CRMError, Fatal, UnknownAction, UnknownUser
from .methods import METHODS
from .settings import Settings

log = logging.getLogger("mockcrm.requests")

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def get_backend() -> Backend:
    backend: Backend = current_app.extensions["mockcrm"]
    return backend


def resolve_action(module: ModuleType, action: Any) -> str | None:
    """The accepted action a request names, or None (→ 402)."""
    actions: dict[str, Any] = module.ACTIONS
    if isinstance(action, str):
        return action if action in actions else None
    if action is True:
        # real server: loose in_array + switch lets JSON true run the first case (deal.md §1.3)
        loose: str | None = getattr(module, "LOOSE_TRUE_ACTION", None)
        return loose
    return None


def dispatch(backend: Backend, module: ModuleType, call: wire.Call, home: str = "") -> Any:
    """Check order apikey → user → action (protocol.md §4), then run the action under the lock."""
    if "__json_string__" in call.params:
        file, line = getattr(module, "JSON_STRING_FATAL", (f"developer/v2/{call.method}.php", 80))
        raise Fatal("TypeError", "Cannot access offset of type string on string", file, line)
    account = backend.account_for(call.apikey)
    user = account.user_by_login(call.login) if account is not None else None
    if account is None or user is None or not user.get("title"):
        # real server: a wrong apikey also ends in 401, the 400 check is dead code (protocol.md §4)
        raise UnknownUser()
    name = resolve_action(module, call.action)
    if name is None:
        raise getattr(module, "UNKNOWN_ACTION", UnknownAction)()
    call.backend, call.account, call.user = backend, account, user
    with backend.lock:
        result = module.ACTIONS[name](call)
    backend.publish(call.events, account, actor=call.iduser, home=home)
    return result


api = Blueprint("api", __name__)


@api.route("/developer/v2/<path:name>", methods=API_METHODS)
def endpoint(name: str) -> Response:
    method = name[:-4] if name.endswith(".php") else name
    g.mockcrm_method = method
    if method == "index":
        return wire.empty_page()
    module = METHODS.get(method)
    if module is None:
        return wire.not_found()
    backend = get_backend()
    call = wire.parse_request(request, method)
    g.mockcrm_action = call.action
    try:
        result = dispatch(backend, module, call, request.host_url.rstrip("/"))
    except CRMError as exc:
        return wire.render(exc.body())
    except Fatal as exc:
        return wire.render_fatal(exc, backend.settings.webroot)
    return wire.render(result)


def _log_request(response: Response) -> Response:
    # never the query string: it carries the apikey
    started = g.get("mockcrm_started")
    ms = (time.perf_counter() - started) * 1000 if started else 0.0
    action = g.get("mockcrm_action")
    log.info(
        "%s %s%s -> %s (%.1f ms)",
        request.method,
        request.path,
        f" action={action}" if isinstance(action, str) else "",
        response.status_code,
        ms,
    )
    return response


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> Flask:
    """A new app with its own Backend (nothing is shared between two apps)."""
    from .control import control

    settings = settings or (backend.settings if backend else Settings.from_env())
    backend = backend or Backend(settings)
    app = Flask("mockcrm")
    app.config["JSON_AS_ASCII"] = False
    app.extensions["mockcrm"] = backend
    app.register_blueprint(api)
    app.register_blueprint(control)
    app.before_request(lambda: g.setdefault("mockcrm_started", time.perf_counter()) and None)
    if settings.log_requests:
        app.after_request(_log_request)
    return app
