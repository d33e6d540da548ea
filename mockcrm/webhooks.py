"""Outgoing webhooks: hooks, the dispatcher that delivers CRM events, and the delivery log.

Delivery copies the real server (webhooks.md §5-§6): one POST per matching hook, JSON body
made by PHP ``json_encode`` with default flags, headers ``Host``, ``Connection: close``,
``Content-Length``, ``Content-Type: application/json`` and nothing else, HTTP/1.1.  The API
answer waits for its deliveries up to a timeout (like the real loopback hop) and delivery
goes on in the background after that.  What the real CRM lacks is opt-in per hook: retries
with a backoff schedule and Standard Webhooks signatures.
"""

from __future__ import annotations

import http.client
import itertools
import json
import logging
import queue
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from .delivery_log import Delivery, DeliveryLog
from .events import Event
from .php import php_float_g
from .signatures import sign, verify_signature

__all__ = ["Delivery", "DeliveryLog", "Dispatcher", "Hook", "parse_hooks", "sign", "verify_signature"]

log = logging.getLogger("mockcrm.webhooks")

ALL = "*"


# ------------------------------------------------------------------ hooks


@dataclass
class Hook:
    """A hook like the real ``webhook`` row, plus the opt-in extras the real CRM lacks."""

    event: str
    url: str
    title: str = ""
    id: int = 0
    #: delays in seconds before each retry of a failed delivery; [] = one attempt, as the real one
    retries: list[float] = field(default_factory=list)
    #: Standard Webhooks secret ("whsec_<base64>" or any text); None = unsigned, as the real one
    secret: str | None = None

    def matches(self, event: str) -> bool:
        return self.event in (ALL, event)

    def target(self, event: str, home: str) -> str:
        return self.url.replace("{HOME}", home).replace("{event}", event)

    def public(self) -> dict[str, Any]:
        out = asdict(self)
        if self.secret:
            out["secret"] = "***"
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hook:
        if not isinstance(data, dict):
            raise ValueError("a hook is an object with at least 'event' and 'url'")
        unknown = set(data) - {"event", "url", "title", "id", "retries", "secret"}
        if unknown:
            raise ValueError(f"unknown hook keys: {', '.join(sorted(unknown))}")
        event, url = data.get("event"), data.get("url")
        if not isinstance(event, str) or not event:
            raise ValueError("hook 'event' must be a non-empty string (an event name or '*')")
        if not isinstance(url, str):
            raise ValueError("hook 'url' must be a string")
        retries = data.get("retries") or []
        if not isinstance(retries, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 for x in retries
        ):
            raise ValueError("hook 'retries' must be a list of non-negative delays in seconds")
        secret = data.get("secret")
        if secret is not None and (not isinstance(secret, str) or not secret):
            raise ValueError("hook 'secret' must be a non-empty string")
        return cls(
            event=event,
            url=url,
            title=str(data.get("title") or f"hook {event}"),
            retries=[float(x) for x in retries],
            secret=secret,
        )


def parse_hooks(text: str, source: str) -> list[Hook]:
    """Hooks from JSON (or YAML, when PyYAML is installed and the text is not JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        try:
            import yaml
        except ImportError:
            raise ValueError(f"{source}: not valid JSON (install PyYAML for YAML files)") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"{source}: not valid JSON or YAML: {exc}") from None
    if isinstance(data, dict) and "hooks" in data:
        data = data["hooks"]
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a list of hooks")
    try:
        return [Hook.from_dict(h) for h in data]
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


# ------------------------------------------------------------------ payloads


def _form_value(value: Any) -> Any:
    """A value after the real server's form-encoded hop: scalars → strings (webhooks.md §6.2)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # real server: http_build_query prints floats with %.14G (ini precision), not the shortest repr
        return php_float_g(value)
    if isinstance(value, (list, tuple)):
        items = [v for v in (_form_value(x) for x in value) if v is not None]
        return items or None
    if isinstance(value, dict):
        out = {str(k): v for k, v in ((k, _form_value(x)) for k, x in value.items()) if v is not None}
        if not out:
            return None
        if list(out) == [str(i) for i in range(len(out))]:
            return list(out.values())
        return out
    return str(value)


def build_payload(event: Event) -> dict[str, Any]:
    """args + ``event`` + ``identity`` + ``iduser1``; keys already present keep their place (§6.3)."""
    out: dict[str, Any] = {}
    for k, v in event.payload.items():
        fv = _form_value(v)
        if fv is not None:
            out[k] = fv
    out["event"] = event.name
    out["identity"] = str(event.account)
    out["iduser1"] = str(event.actor)
    return out


def php_json_encode(value: Any) -> str:
    """PHP ``json_encode`` with default flags: every non-ASCII char as ``\\uXXXX``, ``/`` as ``\\/``."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")


# ------------------------------------------------------------------ dispatcher


@dataclass
class _Job:
    hook: Hook
    event: str
    url: str
    payload: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)


class Dispatcher:
    """Delivers events to matching hooks; sync (the API answer waits, bounded) or async."""

    def __init__(
        self,
        hooks: Iterable[Hook] = (),
        *,
        timeout: float = 5.0,
        mode: str = "sync",
        log_size: int = 1000,
        clock: Callable[[], str] | None = None,
    ) -> None:
        if mode not in ("sync", "async"):
            raise ValueError(f"webhook mode must be 'sync' or 'async', got {mode!r}")
        self.timeout = timeout
        self.mode = mode
        self.log = DeliveryLog(log_size)
        self._clock = clock or (lambda: time.strftime("%Y-%m-%d %H:%M:%S"))
        self._lock = threading.Lock()
        self._hook_ids = itertools.count(1)
        self._hooks: list[Hook] = []
        self._initial = [Hook(**asdict(h)) for h in hooks]
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._worker: threading.Thread | None = None
        self.set_hooks(self._initial)

    # -- configuration -------------------------------------------------------------
    def hooks(self) -> list[Hook]:
        with self._lock:
            return list(self._hooks)

    def add_hook(self, hook: Hook) -> Hook:
        with self._lock:
            hook.id = next(self._hook_ids)
            self._hooks.append(hook)
        return hook

    def remove_hook(self, hook_id: int) -> bool:
        with self._lock:
            before = len(self._hooks)
            self._hooks = [h for h in self._hooks if h.id != hook_id]
            return len(self._hooks) != before

    def set_hooks(self, hooks: Iterable[Hook]) -> None:
        with self._lock:
            self._hooks = []
        for h in hooks:
            self.add_hook(Hook(**{**asdict(h), "id": 0}))

    def reset(self) -> None:
        """Hooks back to the configured ones, numbered from 1 again."""
        with self._lock:
            self._hook_ids = itertools.count(1)
        self.set_hooks(self._initial)

    # -- emission ------------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        """EventBus listener: deliver ``event`` to every matching hook, in title order."""
        matching = sorted((h for h in self.hooks() if h.matches(event.name)), key=lambda h: h.title)
        if not matching:
            return
        payload = build_payload(event)
        jobs = [_Job(h, event.name, h.target(event.name, event.home), payload) for h in matching]
        for job in jobs:
            self._submit(job)
        if self.mode == "sync":
            # real server: the API call waits for delivery, capped per event (webhooks.md §5.1)
            deadline = time.monotonic() + self.timeout
            for job in jobs:
                job.done.wait(max(0.0, deadline - time.monotonic()))

    def trigger(self, name: str, payload: dict[str, Any], home: str = "", account: str = "1", actor: str = "1") -> int:
        """Fire ``name`` with ``payload`` at the registered hooks (for testing a receiver alone)."""
        before = sum(1 for h in self.hooks() if h.matches(name))
        self(Event(name, payload, account, actor, home))
        return before

    def replay(self, delivery_id: int) -> Delivery | None:
        """Send a logged delivery again, as a new attempt logged on its own."""
        old = self.log.get(delivery_id)
        if old is None:
            return None
        hook = next((h for h in self.hooks() if h.id == old.hook_id), None) or Hook(old.event, old.url)
        return self._attempt(hook, old.event, old.url, json.loads(old.body), old.attempt + 1)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery (and retry) has finished; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=2)
            self._worker = None

    # -- machinery -----------------------------------------------------------------
    def _submit(self, job: _Job) -> None:
        with self._lock:
            self._pending += 1
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="mockcrm-webhooks", daemon=True)
                self._worker.start()
        self._queue.put(job)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._deliver(job)
            except Exception:  # never let the worker die
                log.exception("webhook delivery crashed")
            finally:
                job.done.set()
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, job: _Job) -> None:
        result = self._attempt(job.hook, job.event, job.url, job.payload, 1)
        for n, delay in enumerate(job.hook.retries, start=2):
            if result.ok:
                break
            job.done.set()  # the API answer never waits for retries
            time.sleep(delay)
            result = self._attempt(job.hook, job.event, job.url, job.payload, n)

    def _attempt(self, hook: Hook, event: str, url: str, payload: dict[str, Any], attempt: int) -> Delivery:
        from .wire import php_json  # json_encode_cyr, as the real log's query column

        body = php_json_encode(payload).encode("ascii")
        did = self.log.next_id()
        headers: list[tuple[str, str]] = []
        if hook.secret:
            ts = int(time.time())
            msg_id = f"msg_{did}"
            headers = [
                ("webhook-id", msg_id),
                ("webhook-timestamp", str(ts)),
                ("webhook-signature", sign(hook.secret, msg_id, ts, body)),
            ]
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        response = ""
        if not url:
            response = "Не задан URL"  # real server: an empty hook url is logged like this (webhooks.md §5.2)
        else:
            try:
                status, text = post(url, body, headers, self.timeout)
                response = text if status < 400 else ""
                if status >= 400:
                    error = f"HTTP {status}"
            except (OSError, http.client.HTTPException, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"
        item = Delivery(
            id=did,
            hook_id=hook.id,
            event=event,
            url=url,
            query=php_json(payload),
            body=body.decode("ascii"),
            response=response,
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            error=error,
            attempt=attempt,
            datum=self._clock(),
            ok=error is None and bool(url),
        )
        self.log.add(item)
        return item


def post(url: str, body: bytes, extra: list[tuple[str, str]], timeout: float) -> tuple[int, str]:
    """One HTTP/1.1 POST with exactly the real sender's headers (plus ``extra``)."""
    u = urllib.parse.urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    conn = cls(u.hostname, u.port, timeout=timeout)
    try:
        conn.putrequest("POST", (u.path or "/") + (f"?{u.query}" if u.query else ""), skip_accept_encoding=True)
        conn.putheader("Connection", "close")
        conn.putheader("Content-Length", str(len(body)))
        conn.putheader("Content-Type", "application/json")
        for k, v in extra:
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()
