"""A deal's specification (table ``speca``) as ``add`` writes it and ``reCalculate()`` sums it.

The chain is ``Deal::add`` (completes items that have both title and artikul) →
``Speka::mass`` (one ``Speka::edit`` per item, counting failures) → ``Speka::edit`` (inserts one
row) → ``reCalculate()`` (deal ``kol``/``marga`` from the stored rows) (``inc/class/Speka.php``).
"""

from __future__ import annotations

from typing import Any

from ...errors import Fatal
from ...php import intval, php_values, strval
from ...sanitize import pre_format, untag
from ...wire import Call
from .common import php_empty_str, table
from .invoice_money import recalculate
from .mysql import store_double

MASS_OK = "Добавлены позиции в спецификацию. Ошибок 0"


def _complete(item: dict[str, Any]) -> dict[str, Any]:
    """``Deal::add``: an item with title and artikul gets price/price_in/nds > 0 or the price list's (none)."""
    if php_empty_str(item.get("title")) or php_empty_str(item.get("artikul")):
        return item
    out = dict(item)
    out["dop"] = 1 if intval(item.get("dop")) == 0 else item.get("dop")
    for key in ("price", "price_in", "nds"):
        value = pre_format(item.get(key))
        out[key] = value if value > 0 else 0.0
    out["comments"] = untag(strval(item.get("comments")))
    return out


def _insert(call: Call, did: int, item: dict[str, Any]) -> bool:
    """``Speka::edit(0, item)``: False (an error) when the item has no title."""
    if php_empty_str(item.get("title")):
        return False
    comment = item.get("comments") if item.get("comments") is not None else item.get("comment")
    dop = pre_format(item.get("dop")) if call.db.other_settings.get("dop") else 1
    tip = item.get("tip")
    table(call, "speca", "spid").insert(
        {
            "spid": None,
            "prid": intval(item.get("prid")),
            "did": did,
            # real server: a row without artikul stores NULL (golden 26 deal-info-speka)
            "artikul": None if item.get("artikul") is None else strval(item.get("artikul")),
            "title": untag(strval(item.get("title"))),
            "tip": strval(tip) if not php_empty_str(tip) else "0",
            # real server: price, price_in and kol are DOUBLE(20,2), nds FLOAT(20,2) (setup.sql)
            "price": store_double(pre_format(item.get("price"))),
            "price_in": store_double(pre_format(item.get("price_in"))),
            "kol": store_double(pre_format(item.get("kol"))),
            "edizm": strval(item.get("edizm")),
            "nds": store_double(pre_format(item.get("nds"))),
            "dop": intval(dop),
            "comments": " " if php_empty_str(comment) else strval(comment),
            "sort": 0,
            "identity": call.db.identity,
        }
    )
    return True


def add_items(call: Call, did: int, speka: Any) -> str:
    """The ``text`` line ``add`` reports: ``Speka::mass`` has no text when an item failed or none came."""
    items = php_values(speka) if isinstance(speka, (list, dict)) else []
    if any(isinstance(x, str) for x in items):
        # real server: Deal::add reads $speka['title'] of each item; a string item is a TypeError (Deal.php:973)
        raise Fatal("TypeError", "Cannot access offset of type string on string", "inc/class/Deal.php", 973)
    errors = 0
    for x in items:
        if isinstance(x, (int, float)) and x is not False:
            # real server: Speka::mass does $item['nds'] += 0 on a number (Speka.php:424), after the items before it
            raise Fatal("Error", "Cannot use a scalar value as an array", "inc/class/Speka.php", 424)
        errors += 0 if isinstance(x, dict) and _insert(call, did, _complete(x)) else 1
    if items and errors < len(items):
        recalculate(call, did)
    return MASS_OK if items and errors == 0 else ""


def drop_items(call: Call, did: int) -> None:
    """``fullupdate`` with calculate=no on a calculated deal deletes its specification."""
    speca = table(call, "speca", "spid")
    for row in speca.where(lambda r: intval(r.get("did")) == did):
        speca.delete(row["spid"])
