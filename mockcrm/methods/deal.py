"""Method `deal`: deals, their directories and invoices (deal.md, directories.md).

Deals live in table ``dogovor``, invoices in ``credit``, the specification in ``speca``;
the helpers live in the ``_deal_*`` modules, this module only names the actions.
"""

from __future__ import annotations

from typing import Any

from ..wire import Call
from . import _deal_change, _deal_dirs, _deal_invoice, _deal_read, _deal_write
from ._deal_common import yexplode_fatal

# real server: JSON `"action": true` passes the loose in_array and runs the first case (deal.md §1.3)
LOOSE_TRUE_ACTION = "fields"

#: actions that change no row dicts in place: they leave the account stamp alone (see Account.stamp),
#: so the deal list's rendered records survive reads
READS = frozenset({"fields", "steplist", "direction", "statusclose", "type", "funnel", "list", "info"})


def PRELUDE(call: Call) -> None:  # noqa: N802 (the name app.dispatch looks for)
    # real server: deal.php runs yexplode(",", $params['fields']) before its action switch, for every
    # action; any array (even []) is != '' and crashes there (diff: deal info with fields={"a":1})
    if isinstance(call.get("fields"), (list, dict)):
        raise yexplode_fatal(254)


ACTIONS: dict[str, Any] = {
    "fields": _deal_dirs.fields,
    "steplist": _deal_dirs.steplist,
    "direction": _deal_dirs.direction,
    "statusclose": _deal_dirs.statusclose,
    "type": _deal_dirs.type_,
    "funnel": _deal_dirs.funnel,
    "list": _deal_read.list_,
    "info": _deal_read.info,
    "add": _deal_write.add,
    "update": _deal_write.update,
    "change.step": _deal_change.change_step,
    "change.close": _deal_change.change_close,
    "change.user": _deal_change.change_user,
    "delete": _deal_change.delete,
    "invoice.info": _deal_invoice.info,
    "invoice.add": _deal_invoice.add,
    "invoice.do": _deal_invoice.do,
    "invoice.express": _deal_invoice.express,
    "invoice.html": _deal_invoice.html,
    "invoice.pdf": _deal_invoice.pdf,
    "invoice.mail": _deal_invoice.mail,
    "invoice.templates": _deal_invoice.templates,
}
