"""Method `guides` (other-methods.md §1): the read-only directories, in table order, unfiltered.

Every list answers ``{"data": [...]}``; an empty table leaves the response empty, i.e. ``[]``.
"""

from __future__ import annotations

from typing import Any

from .. import php
from ..errors import CRMError, type_fatal
from ..store import Row
from ..wire import Call


class UnknownGuidesAction(CRMError):
    # real server: guides.php keeps "result" and an int code (other-methods.md §0.2)
    code = 402
    text = "Неизвестный метод"


#: real server: array_values(null) for a company without signers (other-methods.md §1)
NO_SIGNERS_FATAL = "array_values(): Argument #1 ($array) must be of type array, null given"


def _rows(call: Call, name: str, sample: str | None = None) -> list[Row]:
    """A directory in the order the real server reads it (no ORDER BY: physical row order).

    The fixture lists rows by id; where the install's physical order differs (``relations``),
    the recorded API answer ``api_samples["guides.<action>"]`` tells it.  Rows it does not
    know (added later) follow in insertion order.
    """
    table = call.db.table(name)
    known = call.db.api_samples.get(sample or "", {}).get("data") if sample else None
    rank = {php.intval(item.get("id")): i for i, item in enumerate(known or []) if isinstance(item, dict)}
    ids = sorted(table.rows, key=lambda rid: (0, rank[rid]) if rid in rank else (1, 0))
    return [table.rows[k] for k in ids]


def _answer(items: list[Any]) -> Any:
    return {"data": items} if items else {}


def _part(value: Any, index: int) -> Any:
    """``explode(";", $value)[$index]``: null when the part does not exist."""
    parts = php.strval(value).split(";")
    return parts[index] if index < len(parts) else None


def _signer(row: Row) -> dict[str, Any]:
    """``getSigner()`` item."""
    return {
        "id": php.intval(row.get("id")),
        "mcid": php.intval(row.get("mcid")),
        "title": row.get("title"),
        "status": row.get("status"),
        "signature": row.get("signature"),
        "osnovanie": row.get("osnovanie"),
        "stamp": row.get("stamp"),
    }


def _signers(call: Call) -> dict[str, dict[str, Any]]:
    """``getSigner()``: ``{mcid: {signer id: signer}}`` keyed as strings."""
    out: dict[str, dict[str, Any]] = {}
    for row in _rows(call, "mycomps_signer"):
        out.setdefault(str(php.intval(row.get("mcid"))), {})[str(php.intval(row.get("id")))] = _signer(row)
    return out


def _bank(row: Row, with_mcid: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": php.intval(row.get("id"))}
    if with_mcid:
        out["mcid"] = php.intval(row.get("cid"))
    out.update(
        tip=row.get("tip"),
        isDefault=row.get("isDefault"),
        ndsDefault=row.get("ndsDefault"),
        compNameRs=row.get("title"),
        compBankBik=_part(row.get("bankr"), 0),
        compBankRs=row.get("rs"),
        compBankKs=_part(row.get("bankr"), 1),
        compBankName=_part(row.get("bankr"), 2),
    )
    return out


def _company(call: Call, row: Row, line: int, bank: list[dict[str, Any]] | None) -> dict[str, Any]:
    signers = _signers(call).get(str(php.intval(row.get("id"))))
    if not signers:
        raise type_fatal(NO_SIGNERS_FATAL, "developer/v2/guides.php", line)
    out = {
        "mcid": php.intval(row.get("id")),
        "compUrName": row.get("name_ur"),
        "compShotName": row.get("name_shot"),
        "compUrAddr": row.get("address_yur"),
        "compFacAddr": row.get("address_post"),
        "compDirName": row.get("dir_name"),
        "compDirSignature": row.get("dir_signature"),
        "compDirStatus": row.get("dir_status"),
        "compDirOsnovanie": row.get("dir_osnovanie"),
        "compInn": _part(row.get("innkpp"), 0),
        "compKpp": _part(row.get("innkpp"), 1),
        "compOgrn": _part(row.get("okog"), 1),
    }
    if bank is not None:
        out["bank"] = bank
    out["signers"] = list(signers.values())
    return out


# ------------------------------------------------------------------ actions


def category(call: Call) -> Any:
    return _answer(
        [
            {"id": php.intval(r.get("idcategory")), "title": r.get("title"), "tip": r.get("tip")}
            for r in _rows(call, "category", "guides.category")
        ]
    )


def territory(call: Call) -> Any:
    return _answer(
        [
            {"id": php.intval(r.get("idcategory")), "title": r.get("title")}
            for r in _rows(call, "territory_cat", "guides.territory")
        ]
    )


def relations(call: Call) -> Any:
    return _answer(
        [
            {"id": php.intval(r.get("id")), "title": r.get("title"), "color": r.get("color")}
            for r in _rows(call, "relations", "guides.relations")
        ]
    )


def clientpath(call: Call) -> Any:
    return _answer(
        [
            {
                "id": php.intval(r.get("id")),
                "title": r.get("name"),
                "utm_source": r.get("utm_source"),
                "destination": r.get("destination"),
            }
            for r in _rows(call, "clientpath", "guides.clientpath")
        ]
    )


def company_list(call: Call) -> Any:
    return _answer([_company(call, r, 248, None) for r in _rows(call, "mycomps")])


def company_listfull(call: Call) -> Any:
    banks = _rows(call, "mycomps_recv")
    return _answer(
        [
            _company(
                call, r, 301, [_bank(b, False) for b in banks if php.intval(b.get("cid")) == php.intval(r.get("id"))]
            )
            for r in _rows(call, "mycomps")
        ]
    )


def company_bank(call: Call) -> Any:
    return _answer([_bank(r, True) for r in _rows(call, "mycomps_recv", "guides.company.bank")])


def company_signers(call: Call) -> Any:
    # real server: one element, an object keyed by mcid; [] when there are no signers (golden 13)
    return {"data": [_signers(call)]}


UNKNOWN_ACTION = UnknownGuidesAction
#: real server: loose in_array + switch let JSON ``true`` run the first case (other-methods.md §0.2)
LOOSE_TRUE_ACTION = "category"

ACTIONS = {
    "category": category,
    "territory": territory,
    "relations": relations,
    "clientpath": clientpath,
    "company.list": company_list,
    "company.listfull": company_listfull,
    "company.bank": company_bank,
    "company.signers": company_signers,
}
