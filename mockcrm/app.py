"""create_app(): one Backend, the API blueprint, the control blueprint, one error handler."""

from __future__ import annotations

import hmac
import json
import logging
import socket
import time
from types import ModuleType
from typing import Any
from urllib.parse import quote

from flask import Flask, g, redirect, request
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from . import demo, wire
from .backend import Backend
from .dashboard import token_allows
from .errors import SAFEMYSQL, BadApikey, CRMError, Fatal, UnknownAction, UnknownUser
from .hooks import ApiCall
from .journal import ANSWER_KEPT, answer_code, mask_params
from .methods import METHODS
from .rules import Fired, Rule, decode_answer, placeholders
from .settings import Settings
from .webhooks import build_payload

log = logging.getLogger("mockcrm.requests")

#: what the API path answers with: the hot path's ApiAnswer, or a werkzeug Response elsewhere
Answer = Response | wire.ApiAnswer


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


def dispatch(backend: Backend, module: ModuleType, call: wire.Call) -> Any:
    """Check order apikey → user → action (protocol.md §4), then run the action under the lock."""
    if "__json_string__" in call.params:
        file, line = getattr(module, "JSON_STRING_FATAL", (f"developer/v2/{call.method}.php", 80))
        raise Fatal("TypeError", "Cannot access offset of type string on string", file, line)
    account = backend.account_for(call.apikey)
    if account is None and backend.edition == "cloud":
        raise BadApikey()
    user = account.user_by_login(call.login) if account is not None else None
    if account is None or user is None or not user.get("title"):
        # real server: a wrong apikey also ends in 401, the 400 check is dead code (protocol.md §4)
        raise UnknownUser()
    name = resolve_action(module, call.action)
    if name is None:
        raise getattr(module, "UNKNOWN_ACTION", UnknownAction)()
    call.backend, call.account, call.user = backend, account, user
    prelude = getattr(module, "PRELUDE", None)  # what the method's script runs before its action switch
    try:
        with backend.lock:
            account.refresh_settings_cache()  # real server: inc/settings.php, before any method script
            if prelude is not None:
                prelude(call)
            result = module.ACTIONS[name](call)
    finally:
        # real server: event::fire posts each webhook when it happens, so an error or a fatal page later in the
        # same request does not take it back (golden 66 and 59: client and person add.list crashing after earlier adds)
        if call.events:
            call.published = backend.publish(call.events, account, actor=call.iduser, home=call.base_url)
    return result


API_PREFIX = "/developer/v2/"
#: what a call sets off when there are no rules
NONE = Fired()


class ApiFront:
    """The WSGI front: /developer/v2/* is answered here, everything else by the Flask app.

    The API path needs none of Flask's routing, request context or hooks, and skipping them
    is most of what a mock answer costs beyond a plain WSGI "hello" (issue 7's benchmark).
    """

    def __init__(self, flask_wsgi: Any, backend: Backend, settings: Settings) -> None:
        self.flask_wsgi = flask_wsgi
        self.backend = backend
        self.settings = settings
        self.too_large = BodyLimit(settings.max_body)

    def unreadable(self, request: Request) -> Response | None:
        """Read the body before the method runs: a body cut short, badly chunked or over a limit is
        the client's error (400 or 413 with a JSON line, never a 500 with a traceback)."""
        try:
            refused = self.too_large(request)
            if refused is not None or request.method != "POST":
                return refused
            if request.mimetype == "multipart/form-data":
                request.form  # noqa: B018 - parses (and caches) the multipart body
            elif len(request.get_data(cache=True)) < (request.content_length or 0):
                raise ClientDisconnected()  # a server may hand a body cut short on as it is
        except RequestEntityTooLarge:
            return self.too_large.answer()
        except (HTTPException, OSError, ValueError) as exc:
            # werkzeug: ClientDisconnected (shorter than Content-Length), "Invalid chunk header"...
            reason: Any = str(exc) or type(exc).__name__
            if isinstance(exc, ClientDisconnected):
                reason = "the body is shorter than its Content-Length"
            elif isinstance(exc, HTTPException):
                reason = exc.description
            body = json.dumps({"error": f"bad request body: {reason}"}).encode()
            return Response(body, status=400, content_type="application/json")
        return None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(API_PREFIX):
            return self.flask_wsgi(environ, start_response)
        started = time.perf_counter()
        request = Request(environ)
        # a multipart field or part count is bounded by MOCKCRM_MAX_BODY alone, as PHP's post_max_size is
        request.max_form_memory_size = request.max_form_parts = self.settings.max_body
        refused = self.unreadable(request)
        if refused is not None:
            if str(environ.get("SERVER_SOFTWARE", "")).startswith("Werkzeug"):
                # the body may be left unread: the werkzeug server must not read the next request from it
                # (waitress reads every body whole before the app runs, and forbids the header, PEP 3333)
                refused.headers["Connection"] = "close"
            if self.settings.log_requests:
                _log_line(request, refused, None, started)
            return refused(environ, start_response)
        backend = self.backend
        if not backend.request_started():
            # the server is stopping: a request that starts now could be answered after the state is saved
            stopping = Response(b'{"error":"mockcrm is stopping"}', status=503, content_type="application/json")
            return stopping(environ, start_response)
        try:
            response, action = endpoint(backend, request, path[len(API_PREFIX) :], started)
            if self.settings.log_requests:
                _log_line(request, response, action, started)
            body = response(environ, start_response)
        except BaseException:
            backend.request_done()
            raise
        # in flight until the server has sent the answer: a clean stop waits for that
        return _DoneWhenSent(body, backend.request_done)


class _DoneWhenSent:
    """An answer's body that calls ``done`` once the server has written it.

    A WSGI server asks for the next chunk only after writing the last one, so running out of
    chunks means "sent"; ``close`` (a server that stops early) counts as well.  A test client
    that reads the body ends it the same way.
    """

    __slots__ = ("body", "done")

    def __init__(self, body: Any, done: Any) -> None:
        self.body, self.done = body, done

    def __iter__(self) -> Any:
        try:
            yield from self.body
        finally:
            self._finish()

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()

    def _finish(self) -> None:
        done, self.done = self.done, None
        if done is not None:
            done()


def endpoint(backend: Backend, request: Request, name: str, started: float) -> tuple[Answer, Any]:
    """One API request: (the answer, the action it named)."""
    method = name[:-4] if name.endswith(".php") else name
    if method in ("index", ""):
        return wire.empty_page(), None
    module = METHODS.get(method)
    if module is None:
        return wire.not_found(), None
    call = wire.parse_request(request, method)
    fired = backend.rules.pick(method, call.action, call.login, call.transport, call.params) if backend.rules else NONE
    if fired.latency is not None:
        time.sleep(fired.latency.delay())  # never inside the store lock
    code: Any
    response: Answer
    rule = fired.answer
    if rule is None:
        response, code = _answer(backend, module, call, request)
        if fired.patches:
            response, code = _patched(response, fired.patches), "rule:patch"
    elif rule.kind == "drop":
        response, code = _drop_connection(request), "fault:drop"
    elif rule.kind == "error":
        response, code = wire.render(CRMError(rule.text, rule.code).body()), "fault:error"
    elif rule.kind == "fatal":
        fatal = Fatal("mysqli_sql_exception", rule.message, SAFEMYSQL, 466)
        response, code = wire.render_fatal(fatal, backend.settings.webroot), "fault:fatal"
    else:
        response, code = _respond(rule, call), "rule:respond"
    if backend.filters and (rule is None or rule.kind != "drop"):
        response = _filtered(backend, call, response)
    if fired.malformed is not None:
        data = response.get_data()
        response.set_data(data[: max(1, len(data) // 2)])
        code = "fault:malformed"
    answer = b"" if response.is_streamed else response.get_data()
    backend.journal.record(
        time=backend.clock.now_str(),
        method=method,
        action=call.action,
        transport=call.transport,
        login=call.login,
        params=mask_params(call.params, [a.apikey for a in list(backend.accounts.values())]),
        code=code,
        duration_ms=round((time.perf_counter() - started) * 1000, 3),
        rules=fired.ids,
        status=response.status_code,
        content_type=response.content_type or "",
        events=_fired_events(call),
        answer=answer[:ANSWER_KEPT],
        answer_size=len(answer),
    )
    return response, call.action


def _fired_events(call: wire.Call) -> list[dict[str, Any]]:
    """The webhooks a call fired, with the payloads the hooks receive."""
    return [{"event": e.name, "payload": build_payload(e)} for e in call.published]


def _answer(backend: Backend, module: ModuleType, call: wire.Call, request: Request) -> tuple[Answer, Any]:
    try:
        result = dispatch(backend, module, call)
    except CRMError as exc:
        body = exc.body()
        return wire.render(body), answer_code(body)
    except Fatal as exc:
        return wire.render_fatal(exc, backend.settings.webroot), "fatal"
    return wire.render(result), answer_code(result)


def _respond(rule: Rule, call: wire.Call) -> Response:
    """The answer of a respond rule, its placeholders filled from the call."""
    fill = placeholders(call.method, call.action, call.login, call.transport, call.params)
    body, raw = rule.respond_body(fill)
    if raw is not None:
        response = Response(raw, status=rule.status, content_type=rule.content_type)
    else:
        response = Response(wire.render_body(body), status=rule.status, content_type=wire.API_CONTENT_TYPE)
        response.headers.update(wire.API_HEADERS)
    for name, value in rule.headers.items():
        response.headers[name] = value
    return response


def _patched(response: Answer, patches: list[Rule]) -> Answer:
    """The real answer changed by the patch rules; a page that is not JSON (PHP's fatal error) stays as is."""
    is_json, doc = decode_answer(response.get_data())
    if not is_json:
        return response
    for rule in patches:
        doc = rule.apply_patch(doc)
    response.set_data(_encoded(wire.render_body(doc)))
    return response


def _encoded(body: str | bytes) -> bytes:
    return body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _filtered(backend: Backend, call: wire.Call, response: Answer) -> Answer:
    """The answer passed through the Python filters that name this call (mockcrm.hooks)."""
    filters = backend.filters.matching(call.method, call.action)
    if not filters:
        return response
    api_call = ApiCall(call.method, call.action, call.login, call.transport, call.params)
    is_json, answer = decode_answer(response.get_data())
    for fn in filters:
        try:
            result = fn(api_call, answer)
        except Exception as exc:  # the test's own code: say so in the answer, never a bare 500
            log.exception("filter for %s.%s failed", call.method, call.action)
            text = f"mockcrm filter for {call.method}.{call.action} failed: {type(exc).__name__}: {exc}"
            return Response(json_bytes({"error": text}), status=500, content_type="application/json")
        if result is not None:
            answer, is_json = result, not isinstance(result, str)
    if is_json:
        response.set_data(_encoded(wire.render_body(answer)))
    else:
        response.set_data(str(answer).encode("utf-8", "surrogateescape"))
    return response


def _drop_connection(request: Request) -> Response:
    """Close the client's connection without an answer (a fault of kind "drop")."""
    sock = request.environ.get("werkzeug.socket") or request.environ.get("mockcrm.socket")  # werkzeug, waitress
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    return Response(b"", status=200)


OPEN_DASHBOARD_PATHS = ("/__mockcrm/ui/login",)


def _admin_guard(token: str) -> Any:
    expected = f"Bearer {token}".encode()

    def guard() -> Response | None:
        path = request.path
        if not path.startswith("/__mockcrm/") or path == "/__mockcrm/health" or path in OPEN_DASHBOARD_PATHS:
            return None
        if path.startswith("/__mockcrm/ui/static/"):
            return None  # the login page's own CSS and JS
        given = request.headers.get("Authorization", "").encode()
        if hmac.compare_digest(given, expected) or token_allows(token):
            return None
        if path.startswith("/__mockcrm/ui/") or path.startswith("/__mockcrm/docs"):
            return redirect(f"/__mockcrm/ui/login?next={quote(request.full_path.rstrip('?'))}")
        body = b'{"error":"this control plane needs Authorization: Bearer <MOCKCRM_ADMIN_TOKEN>"}'
        return Response(body, status=401, content_type="application/json")

    return guard


class BodyLimit:
    """API bodies over ``limit`` bytes: HTTP 413 with a short JSON error (the real server has no such answer)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, request: Request) -> Response | None:
        # only the API path calls this: the control plane takes big states (state/import)
        environ = request.environ
        if not environ.get("CONTENT_LENGTH") and not environ.get("wsgi.input_terminated"):
            return None  # no body (most API calls are GET)
        size = request.content_length
        if size is not None:
            return self.answer(size) if size > self.limit else None
        if request.environ.get("wsgi.input_terminated"):
            # a chunked body: read one byte past the limit to tell (werkzeug would just cut it off)
            request.max_content_length = self.limit + 1
            if len(request.get_data(cache=True)) > self.limit:
                return self.answer()
        return None

    def answer(self, size: int | None = None) -> Response:
        got = f"{size} bytes" if size is not None else f"over {self.limit} bytes"
        text = f"request body too large: {got}, the limit is {self.limit} (MOCKCRM_MAX_BODY)"
        body = json.dumps({"error": text}).encode()
        return Response(body, status=413, content_type="application/json")


def _log_line(request: Request, response: Answer, action: Any, started: float) -> None:
    # never the query string: it carries the apikey
    log.info(
        "%s %s%s -> %s (%.1f ms)",
        request.method,
        request.path,
        f" action={action}" if isinstance(action, str) else "",
        response.status_code,
        (time.perf_counter() - started) * 1000,
    )


def _log_request(response: Response) -> Response:
    started = g.get("mockcrm_started")
    _log_line(request, response, None, started if started else time.perf_counter())
    return response


def create_app(settings: Settings | None = None, backend: Backend | None = None) -> Flask:
    """A new app with its own Backend (nothing is shared between two apps)."""
    from .control import ControlError, control, control_error
    from .control_api import install
    from .control_state import state_control
    from .control_webhooks import webhooks_control
    from .dashboard import install as install_dashboard

    settings = settings or (backend.settings if backend else Settings.from_env())
    if backend is None:
        backend = Backend(settings)
        if settings.demo and not backend.loaded_state:
            # demo data is made through the API, above the backend (mockcrm.demo); a reset comes back to it
            demo.seed(backend, settings.seed, settings.size)
            backend.mark_start()
    app = Flask("mockcrm")
    app.config["JSON_AS_ASCII"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keys as made: a webhook payload in its sent order
    app.extensions["mockcrm"] = backend
    install(app, [control, state_control, webhooks_control])
    install_dashboard(app)
    app.register_error_handler(ControlError, control_error)
    app.before_request(lambda: g.setdefault("mockcrm_started", time.perf_counter()) and None)
    if settings.admin_token:
        app.before_request(_admin_guard(settings.admin_token))
    if settings.log_requests:
        app.after_request(_log_request)
    app.wsgi_app = ApiFront(app.wsgi_app, backend, settings)  # type: ignore[method-assign]
    return app
