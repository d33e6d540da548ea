"""Settings: defaults, then ``MOCKCRM_*`` environment variables, then explicit arguments."""

from __future__ import annotations

import dataclasses
import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

PREFIX = "MOCKCRM_"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    #: "werkzeug" (a thread per connection) or "waitress" (an I/O loop reads requests, `threads` threads run them)
    server: str = "werkzeug"
    #: request threads of the waitress server
    threads: int = 8
    #: "box": one account, exactly the recorded server; "cloud": several accounts, one per apikey
    edition: str = "box"
    #: the account time zone every timestamp and "today" is computed in
    timezone: str = "Europe/Moscow"
    #: the install path shown inside PHP fatal-error pages
    webroot: str = "/var/www/salesman"
    #: the data set the server starts from (a name in fixtures/ or a path to a JSON file)
    fixture: str = "fresh-install"
    #: log one line per API request
    log_requests: bool = True
    #: webhooks as a JSON list of {event, url[, title, retries, secret]}; event "*" = every event
    webhooks: str = ""
    #: a JSON (or YAML) file with the same list
    webhooks_file: str = ""
    #: seconds an API answer waits for its deliveries (and the socket timeout of one delivery)
    webhook_timeout: float = 5.0
    #: "sync": the API answer waits for delivery, like the real server; "async": a background worker
    webhook_mode: str = "sync"
    #: how many delivery attempts the delivery log keeps
    webhook_log_size: int = 1000
    #: how many API calls the request journal keeps
    journal_size: int = 1000
    #: fill the store with seeded demo data at start
    demo: bool = False
    #: the demo data seed (the same seed gives the same data, byte for byte)
    seed: int = 1
    #: demo data size: small (20 clients), medium (200), large (2000)
    size: str = "small"
    #: load the state from this file at start (if it exists) and save it there on clean shutdown
    state_file: str = ""
    #: when set, /__mockcrm/* requires the header "Authorization: Bearer <token>"
    admin_token: str = ""
    #: API request bodies larger than this many bytes get HTTP 413 (not a real-server answer)
    max_body: int = 10 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, overridden by ``MOCKCRM_<NAME>`` variables, overridden by ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f.type, raw, f.name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def public(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def problem(self) -> str | None:
        """What is wrong with these settings for a server, in one line, or None.

        Checked before anything starts, so a bad value ends ``mockcrm serve`` with that line and
        a non-zero exit instead of a traceback (or a state lost at the stop).
        """
        name = lambda field: PREFIX + field.upper()  # noqa: E731
        choices = {
            "server": ("werkzeug", "waitress", "gunicorn"),
            "edition": ("box", "cloud"),
            "webhook_mode": ("sync", "async"),
            "size": ("small", "medium", "large"),
        }
        for field, allowed in choices.items():
            if getattr(self, field) not in allowed:
                shown = ", ".join(a for a in allowed if a != "gunicorn")
                return f"{name(field)} must be one of {shown}, got {getattr(self, field)!r}"
        if not 0 <= self.port <= 65535:
            return f"{name('port')} must be from 0 to 65535, got {self.port}"
        for field in ("threads", "journal_size", "webhook_log_size", "max_body"):
            if getattr(self, field) < 1:
                return f"{name(field)} must be at least 1, got {getattr(self, field)}"
        if self.webhook_timeout <= 0:
            return f"{name('webhook_timeout')} must be more than 0 seconds, got {self.webhook_timeout}"
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return f"{name('timezone')}: no time zone {self.timezone!r} (e.g. Europe/Moscow)"
        if self.state_file:
            return _writable_file(name("state_file"), self.state_file)
        return None


def _writable_file(setting: str, path: str) -> str | None:
    """A file the server must be able to read at start and write at the stop."""
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    if os.path.isdir(target):
        return f"{setting}: {path} is a folder, not a file"
    if not os.path.isdir(folder):
        return f"{setting}: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{setting}: cannot write in {folder} (the state is saved there at the stop)"
    if os.path.exists(target) and not os.access(target, os.R_OK):
        return f"{setting}: cannot read {path}"
    return None


def _convert(kind: Any, raw: str, name: str) -> Any:
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{PREFIX}{name.upper()} must be an integer, got {raw!r}") from None
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{PREFIX}{name.upper()} must be a number, got {raw!r}") from None
    if kind == "bool":
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{PREFIX}{name.upper()} must be a boolean (1/0, true/false), got {raw!r}")
    return raw
