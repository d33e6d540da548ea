"""The dashboard at /__mockcrm/ui/: what the mock holds, what it was asked, what it sent, for people.

Server-rendered pages (Jinja) for what is read once (overview, data), and a little of our own
JavaScript (``static/dashboard.js``) for what changes or acts (the live journal, webhooks,
controls, the console), which calls the very control plane tests use. No CDN, no build step.
A page nobody opens costs the API nothing: the API path never reaches this blueprint.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import quote

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from .._version import __version__
from ..backend import Backend, fixtures_dir
from ..methods import METHODS
from ..salesman_params import PROTOCOL, read_params

dashboard = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/__mockcrm/ui",
    template_folder="templates",
    static_folder="static",
)

COOKIE = "mockcrm_admin"
PAGE = 50

#: the tables people look at, with a label; the rest are listed after them as "directories"
MAIN_TABLES = {
    "clientcat": "Clients",
    "personcat": "Contacts",
    "dogovor": "Deals",
    "tasks": "Tasks",
    "history": "History",
    "leads": "Leads",
    "credit": "Invoices",
    "speca": "Deal specifications",
}
#: column -> the table its id points to (links from a row to its parents)
PARENTS = {"clid": "clientcat", "payer": "clientcat", "pid": "personcat", "did": "dogovor"}
#: table -> [(child table, column holding this table's id)] (links from a row to its children)
CHILDREN = {
    "clientcat": [
        ("personcat", "clid"),
        ("dogovor", "clid"),
        ("tasks", "clid"),
        ("history", "clid"),
        ("leads", "clid"),
    ],
    "personcat": [("dogovor", "pid"), ("tasks", "pid"), ("history", "pid"), ("leads", "pid")],
    "dogovor": [("credit", "did"), ("speca", "did"), ("tasks", "did"), ("history", "did")],
}
#: the columns a table's list shows first (the rest are on the row's page)
SUMMARY = {
    "clientcat": ["clid", "title", "type", "phone", "mail_url", "iduser", "date_create"],
    "personcat": ["pid", "person", "ptitle", "clid", "tel", "mail", "iduser"],
    "dogovor": ["did", "title", "clid", "kol", "close", "iduser", "datum"],
    "tasks": ["tid", "title", "datum", "totime", "clid", "did", "iduser", "active"],
    "history": ["cid", "datum", "tip", "des", "clid", "did", "iduser"],
    "leads": ["id", "title", "datum", "status", "clid", "iduser"],
    "credit": ["crid", "invoice", "did", "clid", "summa_credit", "do", "datum"],
}


def _backend() -> Backend:
    backend: Backend = current_app.extensions["mockcrm"]
    return backend


def _account(backend: Backend) -> Any:
    wanted = request.args.get("account", type=int)
    return backend.accounts.get(wanted) if wanted in backend.accounts else backend.accounts[min(backend.accounts)]


# ------------------------------------------------------------------ the admin token (a login form and a cookie)


def token_allows(token: str) -> bool:
    """The dashboard's cookie carries the admin token; the control plane accepts it like the header."""
    given = request.cookies.get(COOKIE, "")
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


@dashboard.route("/login", methods=["GET", "POST"])
def login() -> Any:
    token = _backend().settings.admin_token
    target = request.args.get("next") or url_for("dashboard.overview")
    if not target.startswith("/__mockcrm/"):
        target = url_for("dashboard.overview")
    wrong = False
    if request.method == "POST":
        given = request.form.get("token", "")
        if token and hmac.compare_digest(given.encode(), token.encode()):
            response = redirect(target)
            response.set_cookie(COOKIE, given, httponly=True, samesite="Strict", path="/__mockcrm")
            return response
        wrong = True
    return render_template("dashboard/login.html", wrong=wrong, next=target), 401 if wrong else 200


# ------------------------------------------------------------------ pages


def _common(backend: Backend, page: str) -> dict[str, Any]:
    return {
        "page": page,
        "version": __version__,
        "edition": backend.edition,
        "admin": bool(backend.settings.admin_token),
    }


@dashboard.get("/")
def overview() -> str:
    backend = _backend()
    with backend.lock:
        accounts: list[dict[str, Any]] = []
        for identity, account in sorted(backend.accounts.items()):
            users = list(account.users)
            logins = {str(u.get("iduser")): u.get("login") for u in users}
            accounts.append(
                {
                    "identity": identity,
                    "apikey": account.apikey,
                    "users": [
                        {
                            "iduser": u.get("iduser"),
                            "login": u.get("login"),
                            "title": u.get("title"),
                            "role": u.get("tip"),
                            "admin": u.get("isadmin") == "on",
                            "boss": logins.get(str(u.get("mid") or "0"), ""),
                        }
                        for u in users
                    ],
                    "counts": {name: len(account.tables[name].rows) for name in MAIN_TABLES if name in account.tables},
                }
            )
    first = accounts[0]
    people: list[dict[str, Any]] = first["users"]
    login = next((u["login"] for u in people if u["admin"]), people[0]["login"] if people else "")
    curl = (
        f"curl '{request.host_url}developer/v2/client?action=list"
        f"&login={quote(str(login))}&apikey={quote(first['apikey'])}'"
    )
    return render_template(
        "dashboard/overview.html",
        **_common(backend, "overview"),
        uptime=round(backend.clock_uptime()),
        accounts=accounts,
        hooks=[h.public() for h in backend.webhooks.hooks()],
        rules=[r.public() for r in backend.rules.rules()],
        clock=backend.clock.now_str(),
        frozen=backend.clock.frozen is not None,
        zone=str(backend.clock.zone),
        curl=curl,
    )


@dashboard.get("/data")
def data() -> str:
    backend = _backend()
    account = _account(backend)
    with backend.lock:
        tables = [(name, MAIN_TABLES.get(name, ""), len(t.rows)) for name, t in account.tables.items()]
    main = [t for t in tables if t[0] in MAIN_TABLES]
    main.sort(key=lambda t: list(MAIN_TABLES).index(t[0]))
    rest = sorted(t for t in tables if t[0] not in MAIN_TABLES)
    return render_template(
        "dashboard/data.html", **_common(backend, "data"), main=main, rest=rest, identity=account.identity
    )


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@dashboard.get("/data/<table>")
def table(table: str) -> Any:
    backend = _backend()
    account = _account(backend)
    if table not in account.tables:
        return render_template("dashboard/missing.html", **_common(backend, "data"), what=f"table {table}"), 404
    query = request.args.get("q", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    with backend.lock:
        t = account.tables[table]
        rows = [dict(r) for r in t.rows.values()]
    if query:
        needle = query.casefold()
        rows = [r for r in rows if any(needle in _text(v).casefold() for v in r.values())]
    columns = SUMMARY.get(table) or (list(rows[0])[:8] if rows else [])
    pages = max(1, -(-len(rows) // PAGE))
    page = min(page, pages)
    shown = rows[(page - 1) * PAGE : page * PAGE]
    return render_template(
        "dashboard/table.html",
        **_common(backend, "data"),
        table=table,
        label=MAIN_TABLES.get(table, table),
        id_key=t.id_key,
        columns=columns,
        rows=shown,
        total=len(rows),
        q=query,
        page_no=page,
        pages=pages,
        parents=PARENTS,
        text=_text,
        identity=account.identity,
    )


@dashboard.get("/data/<table>/<int:row_id>")
def row(table: str, row_id: int) -> Any:
    backend = _backend()
    account = _account(backend)
    with backend.lock:
        t = account.tables.get(table)
        record = t.get(row_id) if t is not None else None
        if t is None or record is None:
            return render_template("dashboard/missing.html", **_common(backend, "data"), what=f"{table} {row_id}"), 404
        record = dict(record)
        children = []
        for child, column in CHILDREN.get(table, []):
            if child in account.tables:
                ct = account.tables[child]
                found = [dict(r) for r in ct.rows.values() if str(r.get(column)) == str(row_id)]
                children.append(
                    {
                        "table": child,
                        "label": MAIN_TABLES.get(child, child),
                        "id_key": ct.id_key,
                        "columns": SUMMARY.get(child, [ct.id_key]),
                        "rows": found,
                    }
                )
    links = {
        col: PARENTS[col]
        for col, value in record.items()
        if col in PARENTS and col != t.id_key and str(value or "0") not in ("0", "")
    }
    # a deal's other contacts: pid_list holds their ids, ";"-separated
    contacts = [x for x in str(record.get("pid_list") or "").split(";") if x.strip().isdigit()]
    return render_template(
        "dashboard/row.html",
        **_common(backend, "data"),
        table=table,
        label=MAIN_TABLES.get(table, table),
        row_id=row_id,
        record=record,
        links=links,
        contacts=contacts,
        children=children,
        text=_text,
        identity=account.identity,
    )


@dashboard.get("/requests")
def requests_page() -> str:
    return render_template("dashboard/requests.html", **_common(_backend(), "requests"))


@dashboard.get("/webhooks")
def webhooks_page() -> str:
    return render_template("dashboard/webhooks.html", **_common(_backend(), "webhooks"))


@dashboard.get("/controls")
def controls_page() -> str:
    backend = _backend()
    fixtures = sorted(p.stem for p in fixtures_dir().glob("*.json"))
    return render_template(
        "dashboard/controls.html", **_common(backend, "controls"), fixtures=fixtures, default=backend.settings.fixture
    )


@dashboard.get("/console")
def console_page() -> str:
    backend = _backend()
    account = backend.accounts[min(backend.accounts)]
    catalog = {
        method: {action: [p._asdict() for p in read_params(method, action)] for action in module.ACTIONS}
        for method, module in METHODS.items()
    }
    return render_template(
        "dashboard/console.html",
        **_common(backend, "console"),
        catalog=catalog,
        protocol=[p.name for p in PROTOCOL],
        logins=[u.get("login") for u in account.users],
        apikey=account.apikey,
    )


def install(app: Any) -> None:
    """The dashboard's blueprint, and ``/`` leading to it."""
    app.register_blueprint(dashboard)

    def home() -> Any:
        return redirect(url_for("dashboard.overview"))

    app.add_url_rule("/", "home", home)
