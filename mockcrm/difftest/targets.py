"""A server under test: its base URL, its webhook receiver and how to bring it back to a fresh install."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import urllib.error
import urllib.request
from typing import Any
from zoneinfo import ZoneInfo

from .receiver import Receiver

DEFAULT_QUIET = 0.15  # replay.py --hook-quiet: a real server delivers from its own worker


class TargetError(RuntimeError):
    """A target cannot be reset or reached."""


def _http(verb: str, url: str, body: Any = None, timeout: float = 10.0) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=verb, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read().decode("utf-8", "replace")
            status = r.status
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (OSError, ValueError):
        return 0, None
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None


class Target:
    """``name`` is "A" or "B". A mockcrm (it answers ``GET /__mockcrm/health``) with no reset command is
    reset through its control plane and its hooks pointed at the receiver; anything else runs
    ``reset_cmd`` with ``{hook_port}`` replaced by the receiver's port."""

    def __init__(self, name: str, base: str, reset_cmd: str | None = None, quiet: float | None = None) -> None:
        self.name = name
        self.base = base.rstrip("/")
        self.reset_cmd = reset_cmd
        self.receiver = Receiver()
        self.is_mock = False
        self.quiet = DEFAULT_QUIET if quiet is None else quiet
        self._quiet_given = quiet is not None
        #: a mockcrm compared with a real server runs on the real server's timeline (see follow)
        self.follows_clock = False
        self._last_ref: Any = None
        self._zone: str | None = None

    def start(self) -> Target:
        self.receiver.start()
        status, health = _http("GET", self.base + "/__mockcrm/health")
        self.is_mock = status == 200 and isinstance(health, dict) and health.get("status") == "ok"
        if self.is_mock and not self._quiet_given:
            _, config = _http("GET", self.base + "/__mockcrm/config")
            # a sync mockcrm has delivered every hook before it answers: nothing to wait for
            if isinstance(config, dict) and config.get("webhook_mode", "sync") == "sync":
                self.quiet = 0.0
        if not self.is_mock and not self.reset_cmd:
            raise TargetError(f"{self.name} ({self.base}) is not a mockcrm: give a reset command")
        return self

    def stop(self) -> None:
        self.receiver.stop()

    @property
    def hook_url(self) -> str:
        return f"http://{self.receiver.host}:{self.receiver.port}/hook/{{event}}"

    def follow(self, ref: Any) -> None:
        """Move this mockcrm's frozen clock on by the seconds the reference server's clock moved since
        the previous step (its Date headers), so both put the same rows in the same second."""
        if ref is not None and self._last_ref is None:
            # the first step: B's clock is set to A's second, so dates built from "now" (an invoice's time of
            # day, a deadline's hour) agree to the minute, not only the seconds between steps
            if self._zone is None:
                _, state = _http("GET", self.base + "/__mockcrm/clock")
                self._zone = str((state or {}).get("timezone") or "Europe/Moscow")
            at = ref.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(self._zone)).strftime("%Y-%m-%d %H:%M:%S")
            status, _ = _http("POST", self.base + "/__mockcrm/clock/freeze", {"at": at})
            if status != 200:
                raise TargetError(f"POST /__mockcrm/clock/freeze on {self.name} answered {status}")
        elif ref is not None and self._last_ref is not None and ref > self._last_ref:
            seconds = (ref - self._last_ref).total_seconds()
            status, _ = _http("POST", self.base + "/__mockcrm/clock/advance", {"seconds": seconds})
            if status != 200:
                raise TargetError(f"POST /__mockcrm/clock/advance on {self.name} answered {status}")
        if ref is not None:
            self._last_ref = ref

    def reset(self) -> None:
        self._last_ref = None
        if self.follows_clock:
            for path in ("/__mockcrm/clock/real", "/__mockcrm/clock/freeze"):
                status, _ = _http("POST", self.base + path, {})
                if status != 200:
                    raise TargetError(f"POST {path} on {self.name} answered {status}")
        if self.reset_cmd:
            cmd = self.reset_cmd.replace("{hook_port}", str(self.receiver.port))
            r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
            if r.returncode != 0:
                raise TargetError(f"reset of {self.name} failed (rc={r.returncode}): {r.stderr.strip()[-500:]}")
            return
        for verb, path, body in (
            ("POST", "/__mockcrm/reset", {}),
            ("DELETE", "/__mockcrm/webhooks", None),
            ("POST", "/__mockcrm/webhooks", {"event": "*", "url": self.hook_url}),
        ):
            status, _ = _http(verb, self.base + path, body)
            if status not in (200, 201):
                raise TargetError(f"{verb} {path} on {self.name} answered {status}")
