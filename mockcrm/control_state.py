"""Control plane: snapshots, state dump/export/import, direct records, users and accounts."""

from __future__ import annotations

from typing import Any

from . import control_schemas as cs
from .account import Account
from .control import ControlError, _backend
from .control_api import control_blueprint

state_control = control_blueprint("control_state", __name__, "Snapshots, state, records, users, accounts")


def _account(identity: int | None) -> Account:
    identity = 1 if identity is None else identity
    account = _backend().accounts.get(identity)
    if account is None:
        raise ControlError(f"no account {identity}", 404)
    return account


# ------------------------------------------------------------------ snapshots


@state_control.get("/snapshots")
@state_control.response(200, cs.SnapshotsOut)
def snapshots_list() -> dict[str, Any]:
    """The saved snapshots, by name."""
    return {"snapshots": sorted(_backend().snapshots)}


@state_control.post("/snapshots")
@state_control.arguments(cs.SnapshotIn)
@state_control.response(201, cs.SnapshotOut)
def snapshots_save(body: dict[str, Any]) -> dict[str, Any]:
    """Save the whole state under a name (an existing one is replaced)."""
    _backend().save_snapshot(body["name"])
    return {"status": "ok", "name": body["name"]}


@state_control.post("/snapshots/<name>/restore")
@state_control.response(200, cs.SnapshotOut)
def snapshots_restore(name: str) -> dict[str, Any]:
    """Go back to a snapshot (it stays saved)."""
    if not _backend().restore_snapshot(name):
        raise ControlError(f"no snapshot {name!r}", 404)
    return {"status": "ok", "name": name}


@state_control.delete("/snapshots/<name>")
@state_control.response(200, cs.StatusOut)
def snapshots_delete(name: str) -> dict[str, Any]:
    """Forget a snapshot."""
    if _backend().snapshots.pop(name, None) is None:
        raise ControlError(f"no snapshot {name!r}", 404)
    return {"status": "ok"}


# ------------------------------------------------------------------ state


@state_control.get("/state")
@state_control.arguments(cs.StateQuery, location="query")
@state_control.response(200, cs.StateOut)
def state(query: dict[str, Any]) -> dict[str, Any]:
    """Tables of every account (``?table=clientcat&table=dogovor``, ``?account=1`` to narrow)."""
    wanted = query.get("table") or []
    only = query.get("account")
    data = _backend().export_state()
    accounts = [a for a in data["accounts"] if only is None or a["identity"] == only]
    if only is not None and not accounts:
        raise ControlError(f"no account {only}", 404)
    if wanted:
        for a in accounts:
            unknown = [t for t in wanted if t not in a["tables"]]
            if unknown:
                raise ControlError(f"no table {unknown[0]!r}", 404)
            a["tables"] = {t: a["tables"][t] for t in wanted}
    data["accounts"] = accounts
    return data


@state_control.get("/state/export")
@state_control.response(200, cs.StateOut)
def state_export() -> dict[str, Any]:
    """The whole state, for ``/state/import`` or ``--state-file``."""
    return _backend().export_state()


@state_control.post("/state/import")
@state_control.arguments(cs.StateIn)
@state_control.response(200, cs.StatusOut)
def state_import(body: dict[str, Any]) -> dict[str, Any]:
    """Replace the whole state with an exported one."""
    try:
        _backend().import_state(body)
    except (ValueError, KeyError, TypeError) as exc:
        raise ControlError(f"cannot import state: {exc}") from None
    return {"status": "ok"}


# ------------------------------------------------------------------ records, users, accounts


@state_control.post("/records/<table>")
@state_control.arguments(cs.AccountQuery, location="query")
@state_control.arguments(cs.RecordIn)
@state_control.response(201, cs.RecordsOut)
def records_add(query: dict[str, Any], rows: list[dict[str, Any]], table: str) -> dict[str, Any]:
    """Insert rows straight into a table: no API side effects; ids and counters stay consistent."""
    backend = _backend()
    account = _account(query.get("account"))
    if table not in account.tables:
        raise ControlError(f"no table {table!r} (known: {', '.join(sorted(account.tables))})", 404)
    with backend.lock:
        t = account.tables[table]
        ids = []
        for row in rows:
            if row.get(t.id_key) not in (None, "", 0) and t.get(row[t.id_key]) is not None:
                raise ControlError(f"{table} {t.id_key}={row[t.id_key]} exists already", 409)
            ids.append(t.insert({**row, "identity": row.get("identity", account.identity)}))
    return {"table": table, "ids": ids}


USER_DEFAULTS = {"tip": "Менеджер продаж", "mid": "0", "isadmin": "", "secrty": "yes"}


@state_control.get("/users")
@state_control.arguments(cs.AccountQuery, location="query")
@state_control.response(200, cs.UsersOut)
def users_list(query: dict[str, Any]) -> dict[str, Any]:
    """The users of an account (``?account=``, default 1), every column."""
    return {"users": list(_account(query.get("account")).users)}


@state_control.post("/users")
@state_control.arguments(cs.UserIn)
@state_control.response(201, cs.UserOut)
def users_add(body: dict[str, Any]) -> dict[str, Any]:
    """A user row like the installer's: ``login``, ``title``, ``role``, ``boss`` (iduser), ``admin``."""
    account = _account(body.get("account"))
    login = body["login"]
    title = body.get("title") or login
    backend = _backend()
    with backend.lock:
        if account.user_by_login(login) is not None:
            raise ControlError(f"login {login!r} exists already", 409)
        boss = body.get("boss", 0)
        if boss not in (0, None, "0") and account.user(boss) is None:
            raise ControlError(f"boss {boss!r} is not a user of this account")
        row = account.add_user(login, title, str(body.get("role") or USER_DEFAULTS["tip"]), boss or 0, body["admin"])
        return dict(row)


@state_control.get("/accounts")
@state_control.response(200, cs.AccountsOut)
def accounts_list() -> dict[str, Any]:
    """The accounts (one in the box edition), with their apikeys and logins."""
    backend = _backend()
    return {
        "edition": backend.edition,
        "accounts": [
            {"identity": a.identity, "apikey": a.apikey, "users": [u["login"] for u in a.users]}
            for _, a in sorted(backend.accounts.items())
        ],
    }


@state_control.post("/accounts")
@state_control.arguments(cs.AccountIn)
@state_control.response(201, cs.AccountOut)
def accounts_add(body: dict[str, Any]) -> dict[str, Any]:
    """A new account (cloud edition) with the installer's users."""
    try:
        account = _backend().add_account(body["apikey"])
    except ValueError as exc:
        raise ControlError(str(exc), 409) from None
    return {"identity": account.identity, "apikey": account.apikey}
