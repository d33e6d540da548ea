"""Control plane: snapshots, state dump/export/import, direct records, users and accounts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from .account import Account
from .control import ControlError, _backend, _json_body, _object_body

state_control = Blueprint("control_state", __name__, url_prefix="/__mockcrm")

SCALARS = (str, int, float, bool, type(None))


def _account(raw: Any = None) -> Account:
    backend = _backend()
    value = raw if raw is not None else request.args.get("account", "1")
    try:
        identity = int(value)
    except (TypeError, ValueError):
        raise ControlError("account must be an account id (integer)") from None
    account = backend.accounts.get(identity)
    if account is None:
        raise ControlError(f"no account {identity}", 404)
    return account


# ------------------------------------------------------------------ snapshots


@state_control.get("/snapshots")
def snapshots_list() -> Response:
    return jsonify({"snapshots": sorted(_backend().snapshots)})


@state_control.post("/snapshots")
def snapshots_save() -> tuple[Response, int]:
    name = _object_body().get("name")
    if not isinstance(name, str) or not name:
        raise ControlError('expected {"name": "<snapshot name>"}')
    _backend().save_snapshot(name)
    return jsonify({"status": "ok", "name": name}), 201


@state_control.post("/snapshots/<name>/restore")
def snapshots_restore(name: str) -> Response:
    if not _backend().restore_snapshot(name):
        raise ControlError(f"no snapshot {name!r}", 404)
    return jsonify({"status": "ok", "name": name})


@state_control.delete("/snapshots/<name>")
def snapshots_delete(name: str) -> Response:
    if _backend().snapshots.pop(name, None) is None:
        raise ControlError(f"no snapshot {name!r}", 404)
    return jsonify({"status": "ok"})


# ------------------------------------------------------------------ state


@state_control.get("/state")
def state() -> Response:
    """Tables of every account (``?table=clientcat&table=dogovor``, ``?account=1`` to narrow)."""
    wanted = request.args.getlist("table")
    only = request.args.get("account")
    data = _backend().export_state()
    accounts = [a for a in data["accounts"] if only is None or str(a["identity"]) == only]
    if only is not None and not accounts:
        raise ControlError(f"no account {only}", 404)
    if wanted:
        for a in accounts:
            unknown = [t for t in wanted if t not in a["tables"]]
            if unknown:
                raise ControlError(f"no table {unknown[0]!r}", 404)
            a["tables"] = {t: a["tables"][t] for t in wanted}
    data["accounts"] = accounts
    return jsonify(data)


@state_control.get("/state/export")
def state_export() -> Response:
    return jsonify(_backend().export_state())


@state_control.post("/state/import")
def state_import() -> Response:
    try:
        _backend().import_state(_json_body())
    except (ValueError, KeyError, TypeError) as exc:
        raise ControlError(f"cannot import state: {exc}") from None
    return jsonify({"status": "ok"})


# ------------------------------------------------------------------ records, users, accounts


@state_control.post("/records/<table>")
def records_add(table: str) -> tuple[Response, int]:
    """Insert rows straight into a table: no API side effects; ids and counters stay consistent."""
    data = _json_body()
    rows = data if isinstance(data, list) else [data]
    for row in rows:
        if not isinstance(row, dict) or not all(isinstance(v, SCALARS) for v in row.values()):
            raise ControlError("a record is a JSON object of scalar values (string, number, boolean, null)")
    backend = _backend()
    account = _account()
    if table not in account.tables:
        raise ControlError(f"no table {table!r} (known: {', '.join(sorted(account.tables))})", 404)
    with backend.lock:
        t = account.tables[table]
        ids = []
        for row in rows:
            if row.get(t.id_key) not in (None, "", 0) and t.get(row[t.id_key]) is not None:
                raise ControlError(f"{table} {t.id_key}={row[t.id_key]} exists already", 409)
            ids.append(t.insert({**row, "identity": row.get("identity", account.identity)}))
    return jsonify({"table": table, "ids": ids}), 201


USER_DEFAULTS = {"tip": "Менеджер продаж", "mid": "0", "isadmin": "", "secrty": "yes"}


@state_control.get("/users")
def users_list() -> Response:
    return jsonify({"users": list(_account().users)})


@state_control.post("/users")
def users_add() -> tuple[Response, int]:
    """``{"login", "title", "role", "boss", "admin"}`` → a user row like the installer's."""
    body = _object_body()
    account = _account(body.get("account"))
    login, title = body.get("login"), body.get("title") or body.get("login")
    if not isinstance(login, str) or not login or not isinstance(title, str):
        raise ControlError('expected {"login": "...", "title": "...", "role": "...", "boss": <iduser>}')
    backend = _backend()
    with backend.lock:
        if account.user_by_login(login) is not None:
            raise ControlError(f"login {login!r} exists already", 409)
        boss = body.get("boss", 0)
        if boss not in (0, None, "0") and account.user(boss) is None:
            raise ControlError(f"boss {boss!r} is not a user of this account")
        row = account.add_user(
            login, title, str(body.get("role") or USER_DEFAULTS["tip"]), boss or 0, bool(body.get("admin"))
        )
        return jsonify(dict(row)), 201


@state_control.get("/accounts")
def accounts_list() -> Response:
    backend = _backend()
    return jsonify(
        {
            "edition": backend.edition,
            "accounts": [
                {"identity": a.identity, "apikey": a.apikey, "users": [u["login"] for u in a.users]}
                for _, a in sorted(backend.accounts.items())
            ],
        }
    )


@state_control.post("/accounts")
def accounts_add() -> tuple[Response, int]:
    apikey = _object_body().get("apikey")
    if not isinstance(apikey, str):
        raise ControlError('expected {"apikey": "..."}')
    try:
        account = _backend().add_account(apikey)
    except ValueError as exc:
        raise ControlError(str(exc), 409) from None
    return jsonify({"identity": account.identity, "apikey": account.apikey}), 201
