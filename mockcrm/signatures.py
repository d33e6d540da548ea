"""Standard Webhooks signatures: what mockcrm adds to a delivery when a hook has a secret.

A receiver verifies them with ``verify_signature(secret, headers, body)``; it needs nothing
else from mockcrm and can be copied as it is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time


def _secret_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks ``webhook-signature`` value: ``v1,<base64 HMAC-SHA256>``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def verify_signature(
    secret: str, headers: dict[str, str], body: bytes, tolerance: float = 300.0, now: float | None = None
) -> bool:
    """True when ``headers`` carry a valid Standard Webhooks signature of ``body``."""
    h = {k.lower(): v for k, v in headers.items()}
    msg_id, ts, sigs = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
    if not msg_id or not ts or not sigs:
        return False
    try:
        timestamp = int(ts)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in sigs.split())
