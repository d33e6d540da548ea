"""marshmallow schemas of the control plane (/__mockcrm): every body it takes and every JSON it answers.

flask-smorest parses request bodies and query strings with these, dumps the answers with them and
builds ``/__mockcrm/openapi.json`` from them, so the document cannot drift from the code. The SalesMan
API path (``/developer/v2``) never goes through marshmallow: it stays exactly as loose as PHP.

Rules and hooks keep their own readers (``Rule.from_dict``, ``Hook.from_dict``), which the Python API
shares; their schemas declare the fields for the document and the type checks, then hand the original
object to that reader, so one set of rules decides and its message names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from .clock import FMT
from .demo import SIZES
from .rules import FAULT_KINDS, KINDS, TRANSPORTS, Rule, RuleError
from .webhooks import Hook


class StrictNumber(fields.Float):
    """A JSON number (int or float), never a string or a boolean; kept as given."""

    default_error_messages = {"invalid": "Not a number."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return value


class StrictInt(fields.Integer):
    """A JSON integer, never a string, a float or a boolean (whatever marshmallow's version)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class Body(Schema):
    """A JSON object body: unknown fields are refused."""


class Query(Schema):
    """A query string: arguments it does not name are ignored, as before the schemas."""

    class Meta:
        unknown = INCLUDE


class OneOrMany(Body):
    """A body that is one object or a list of them; loads to a list."""

    def load(self, data: Any, *, many: bool | None = None, **kwargs: Any) -> Any:
        if isinstance(data, list):
            return super().load(data, many=True, **kwargs)
        return [super().load(data, many=False, **kwargs)]


class OpenRow(Schema):
    """A table row as stored: every column with its value (strings, numbers or null)."""

    class Meta:
        unknown = INCLUDE

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return [dict(o) for o in obj] if many or (many is None and self.many) else dict(obj)


# ------------------------------------------------------------------ common answers


class ErrorOut(Schema):
    error = fields.String(required=True, metadata={"description": "what was wrong, in one line"})
    errors = fields.Dict(metadata={"description": "field name -> messages, for a body or query that failed its schema"})


class StatusOut(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


# ------------------------------------------------------------------ health, config, reset, seed


class HealthOut(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    version = fields.String(required=True)
    edition = fields.String(required=True, validate=validate.OneOf(["box", "cloud"]))
    uptime = fields.Float(required=True, metadata={"description": "seconds since start"})
    inflight = fields.Integer(required=True, metadata={"description": "API calls being answered now"})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class ConfigOut(OpenRow):
    """The settings in effect (``mockcrm.settings.Settings``); the admin token and hook secrets as ``***``."""


class ResetIn(Body):
    fixture = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^[^/]+$", error="fixture must be the name of a data set in fixtures/"),
        metadata={"description": "a data set in fixtures/ (default: the configured one)"},
    )


class ResetOut(Schema):
    status = fields.String(required=True)
    fixture = fields.String(required=True)


class SeedIn(Body):
    seed = StrictInt(load_default=1, metadata={"description": "the same seed makes the same data"})
    size = fields.String(load_default="small", validate=validate.OneOf(list(SIZES)))
    account = StrictInt(metadata={"description": "account identity (default: the first)"})


class SeedOut(Schema):
    seed = fields.Integer(required=True)
    size = fields.String(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


# ------------------------------------------------------------------ clock


class ClockOut(Schema):
    now = fields.String(required=True, metadata={"example": "2025-01-01 12:00:00"})
    frozen = fields.Boolean(required=True)
    timezone = fields.String(required=True)


def _wall_clock(value: str) -> None:
    try:
        dt.datetime.strptime(value, FMT)
    except ValueError:
        raise ValidationError('"at" must be a wall-clock time "YYYY-MM-DD HH:MM:SS" in the account zone') from None


class FreezeIn(Body):
    at = fields.String(
        allow_none=True,
        validate=_wall_clock,
        metadata={"description": "wall-clock time in the account zone; default: now", "example": "2025-01-01 12:00:00"},
    )


class AdvanceIn(Body):
    seconds = StrictNumber(required=True, metadata={"description": "may be negative"})


# ------------------------------------------------------------------ journal


class JournalQuery(Query):
    method = fields.String()
    action = fields.String()
    login = fields.String(metadata={"description": "compared case-insensitively"})
    transport = fields.String(metadata={"enum": list(TRANSPORTS)})
    code = fields.String(metadata={"description": "the CRM code as text: 200, 402, fatal, fault:drop..."})
    after = fields.Integer(metadata={"description": "only entries with a greater id (for polling)"})


class EntryOut(Schema):
    id = fields.Integer(required=True)
    time = fields.String(required=True)
    method = fields.String(required=True)
    action = fields.Raw(required=True, metadata={"description": "as sent: usually a string"})
    transport = fields.String(required=True, metadata={"enum": list(TRANSPORTS)})
    login = fields.Raw(required=True)
    params = fields.Raw(required=True, metadata={"description": "the parameters, secrets masked"})
    code = fields.Raw(
        required=True, metadata={"description": "200, the CRM error code, fatal, fault:<kind>, rule:<kind>"}
    )
    duration_ms = fields.Float(required=True)
    rules = fields.List(fields.Integer(), required=True, metadata={"description": "ids of the rules it set off"})
    status = fields.Integer(required=True, metadata={"description": "HTTP status of the answer"})
    content_type = fields.String(required=True)
    answer_size = fields.Integer(required=True, metadata={"description": "bytes in the answer's body"})
    events = fields.List(
        fields.Dict(), required=True, metadata={"description": "webhooks fired: {event, payload} as hooks get them"}
    )


class EntryDetailOut(EntryOut):
    answer = fields.String(required=True, metadata={"description": "the body as sent (first 256 KB, UTF-8)"})


class RequestsOut(Schema):
    count = fields.Integer(required=True)
    requests = fields.List(fields.Nested(EntryOut), required=True)


class CountOut(Schema):
    count = fields.Integer(required=True)


class VerifyIn(Body):
    method = fields.String(allow_none=True)
    action = fields.String(allow_none=True)
    login = fields.String(allow_none=True)
    count = StrictInt(
        required=True,
        validate=validate.Range(min=0, error='"count" must be a whole number >= 0'),
    )


class VerifyOut(Schema):
    ok = fields.Boolean(required=True)
    expected = fields.Integer(required=True)
    actual = fields.Integer(required=True)
    method = fields.String(allow_none=True)
    action = fields.String(allow_none=True)
    login = fields.String(allow_none=True)


# ------------------------------------------------------------------ rules and faults

_QUOTED = re.compile(r"'([\w.]+)'")


def _reader_error(message: str, names: Any) -> ValidationError:
    """A reader's message as a field error: the first field of ``names`` it quotes, else the whole body."""
    if message.startswith("unknown ") and ": " in message:  # "unknown rule keys: a, b"
        return ValidationError({k: ["Unknown field."] for k in message.split(": ", 1)[1].split(", ")})
    quoted = [q.split(".")[0] for q in _QUOTED.findall(message)]
    return ValidationError(message, field_name=next((q for q in quoted if q in names), "_schema"))


class RuleIn(OneOrMany):
    """A rule (``mockcrm.rules``): what to match, then what to do. One object or a list."""

    class Meta:
        unknown = INCLUDE  # Rule.from_dict names unknown keys itself, per kind

    NOUN = "rule"
    ALLOWED: tuple[str, ...] = KINDS

    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    method = fields.String(metadata={"description": "API method, * = any"})
    action = fields.String(metadata={"description": "action, * = any"})
    login = fields.String(metadata={"description": "caller's login (case-insensitive), * = any"})
    transport = fields.String(metadata={"enum": ["*", *TRANSPORTS]})
    params = fields.Dict(metadata={"description": "name -> value, {equals}, {regex} or {present}"})
    priority = StrictInt()
    count = StrictInt(metadata={"description": "fire this many times, then expire"})
    ttl = StrictNumber(metadata={"description": "seconds until it expires"})
    probability = StrictNumber(metadata={"description": "0 to 1"})
    seed = StrictInt(allow_none=True)
    body = fields.Raw(metadata={"description": "respond: the JSON answer"})
    raw = fields.String(metadata={"description": "respond: a text answer"})
    content_type = fields.String(metadata={"description": "respond: with raw"})
    status = StrictInt(metadata={"description": "respond: HTTP status"})
    headers = fields.Dict(keys=fields.String(), values=fields.String())
    merge = fields.Raw(metadata={"description": "patch: an RFC 7386 merge patch"})
    set = fields.Dict(metadata={"description": "patch: RFC 6901 pointer -> value"})
    remove = fields.List(fields.String(), metadata={"description": "patch: RFC 6901 pointers"})
    code = fields.Raw(metadata={"description": "error: the CRM error code"})
    text = fields.String(metadata={"description": "error: the error text"})
    message = fields.String(metadata={"description": "fatal: the PHP error message"})
    latency = fields.Raw(metadata={"description": "latency: seconds, or [low, high]"})

    @post_load(pass_original=True)
    def _read(self, data: dict[str, Any], original: Any, **kwargs: Any) -> Rule:
        try:
            return Rule.from_dict(original, self.ALLOWED, self.NOUN)
        except RuleError as exc:
            raise _reader_error(str(exc), self.declared_fields) from None


class FaultIn(RuleIn):
    """A fault: a rule of one of the kinds error, fatal, latency, drop, malformed."""

    NOUN = "fault"
    ALLOWED = FAULT_KINDS

    kind = fields.String(required=True, metadata={"enum": list(FAULT_KINDS)})


class RuleOut(Schema):
    class Meta:
        unknown = INCLUDE

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    method = fields.String(required=True)
    action = fields.String(required=True)
    login = fields.String(required=True)
    transport = fields.String(required=True)
    params = fields.Dict(required=True)
    priority = fields.Integer(required=True)
    raw = fields.String()
    content_type = fields.String()
    body = fields.Raw(allow_none=True)
    status = fields.Integer()
    headers = fields.Dict()
    merge = fields.Raw(allow_none=True)
    set = fields.Dict()
    remove = fields.List(fields.String())
    code = fields.Raw()
    text = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    latency = fields.Raw()
    probability = fields.Float(required=True)
    seed = fields.Integer(allow_none=True, required=True)
    count = fields.Integer(allow_none=True, required=True)
    ttl = fields.Float(allow_none=True, required=True)
    fired = fields.Integer(required=True)


class RulesOut(Schema):
    rules = fields.List(fields.Nested(RuleOut), required=True)


class FaultsOut(Schema):
    faults = fields.List(fields.Nested(RuleOut), required=True)


# ------------------------------------------------------------------ snapshots, state, records, users, accounts


class SnapshotIn(Body):
    name = fields.String(required=True, validate=validate.Length(min=1))


class SnapshotOut(Schema):
    status = fields.String(required=True)
    name = fields.String(required=True)


class SnapshotsOut(Schema):
    snapshots = fields.List(fields.String(), required=True)


class AccountQuery(Query):
    account = fields.Integer(metadata={"description": "account identity (default 1)"})


class StateQuery(Query):
    table = fields.List(fields.String(), metadata={"description": "only these tables (repeat the argument)"})
    account = fields.Integer(metadata={"description": "only this account"})


class StateOut(Schema):
    """The whole state; ``/state/import`` takes this same object back."""

    format = fields.String(required=True, metadata={"example": "mockcrm-state/1"})
    edition = fields.String(required=True)
    accounts = fields.List(fields.Dict(), required=True, metadata={"description": "each: identity, apikey, tables..."})


class StateIn(Body):
    class Meta:
        unknown = INCLUDE  # Backend.import_state reads the rest and says what is wrong

    format = fields.String()
    edition = fields.String()
    accounts = fields.List(fields.Dict(), required=True)


_SCALAR = "a record is a JSON object of scalar values (string, number, boolean, null)"


class RecordIn(OneOrMany):
    """A row to insert: column -> scalar value. One object or a list."""

    class Meta:
        unknown = INCLUDE

    @validates_schema(pass_original=True)
    def _scalars(self, data: Any, original: Any, **kwargs: Any) -> None:
        if not all(isinstance(v, (str, int, float, bool, type(None))) for v in original.values()):
            raise ValidationError(_SCALAR)


class RecordsOut(Schema):
    table = fields.String(required=True)
    ids = fields.List(fields.Integer(), required=True)


class UsersOut(Schema):
    users = fields.List(fields.Dict(), required=True, metadata={"description": "the user rows, every column"})


class UserIn(Body):
    login = fields.String(required=True, validate=validate.Length(min=1))
    title = fields.String(allow_none=True, metadata={"description": "default: the login"})
    role = fields.String(allow_none=True, metadata={"description": "the tip column (default Менеджер продаж)"})
    boss = fields.Raw(allow_none=True, metadata={"description": "the boss's iduser (0 = none)"})
    admin = fields.Boolean(load_default=False)
    account = fields.Integer(metadata={"description": "account identity (default 1)"})


class UserOut(OpenRow):
    """The new user row, every column."""


class AccountOut(Schema):
    identity = fields.Integer(required=True)
    apikey = fields.String(required=True)
    users = fields.List(fields.String(), metadata={"description": "logins"})


class AccountsOut(Schema):
    edition = fields.String(required=True)
    accounts = fields.List(fields.Nested(AccountOut), required=True)


class AccountIn(Body):
    apikey = fields.String(required=True)


# ------------------------------------------------------------------ webhooks


class HookIn(OneOrMany):
    """A hook: an event name (or ``*``) and a URL. One object or a list."""

    class Meta:
        unknown = INCLUDE  # Hook.from_dict names unknown keys

    event = fields.String(required=True, metadata={"description": "an event name, or *"})
    url = fields.String(required=True)
    title = fields.String()
    id = StrictInt()
    retries = fields.List(StrictNumber(), metadata={"description": "delays in seconds before each retry"})
    secret = fields.String(allow_none=True, metadata={"description": "Standard Webhooks signing secret"})

    @post_load(pass_original=True)
    def _read(self, data: dict[str, Any], original: Any, **kwargs: Any) -> Hook:
        try:
            return Hook.from_dict(original)
        except ValueError as exc:
            raise _reader_error(str(exc), self.declared_fields) from None


class HookOut(Schema):
    id = fields.Integer(required=True)
    event = fields.String(required=True)
    url = fields.String(required=True)
    title = fields.String(required=True)
    retries = fields.List(fields.Float(), required=True)
    secret = fields.String(allow_none=True, required=True, metadata={"description": "*** when set"})


class HooksOut(Schema):
    hooks = fields.List(fields.Nested(HookOut), required=True)


class DeliveriesQuery(Query):
    event = fields.String()
    status = fields.String(validate=validate.OneOf(["ok", "failed"], error="status must be 'ok' or 'failed'"))
    limit = fields.Integer(metadata={"description": "the newest N"})


class DeliveryOut(Schema):
    id = fields.Integer(required=True)
    hook_id = fields.Integer(required=True)
    event = fields.String(required=True)
    url = fields.String(required=True)
    query = fields.String(required=True, metadata={"description": "the payload as the real log stores it"})
    body = fields.String(required=True, metadata={"description": "the request body sent"})
    response = fields.String(required=True)
    status = fields.Integer(allow_none=True, required=True)
    duration_ms = fields.Float(required=True)
    error = fields.String(allow_none=True, required=True)
    attempt = fields.Integer(required=True)
    datum = fields.String(required=True)
    ok = fields.Boolean(required=True)


class DeliveriesOut(Schema):
    count = fields.Integer(required=True)
    deliveries = fields.List(fields.Nested(DeliveryOut), required=True)


class TriggerIn(Body):
    event = fields.String(required=True, validate=validate.Length(min=1))
    payload = fields.Dict(allow_none=True, load_default=None)
    iduser1 = fields.Raw(load_default="1", metadata={"description": "the acting user's id (default 1)"})


class TriggerOut(Schema):
    event = fields.String(required=True)
    hooks = fields.Raw(required=True, metadata={"description": "the hooks it was sent to"})


class DrainQuery(Query):
    timeout = fields.Float(load_default=10.0, metadata={"description": "seconds"})


class DrainOut(Schema):
    drained = fields.Boolean(required=True)
    pending = fields.Integer(allow_none=True, required=True)
