"""Settings: defaults, then ``MOCKCRM_*`` environment variables, then explicit arguments."""

from __future__ import annotations

import dataclasses
import os
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
