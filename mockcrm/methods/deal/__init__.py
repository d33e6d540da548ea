"""Method `deal`: deals, their directories and invoices (deal.md, directories.md).

Deals live in table ``dogovor``, invoices in ``credit``, the specification in ``speca``;
the helpers live in the modules of this package, this module only names the actions.
"""

from __future__ import annotations

from typing import Any

from ...wire import Call
from . import change, dirs, invoice, read, write
from .common import yexplode_fatal

# real server: JSON `"action": true` passes the loose in_array and runs the first case (deal.md §1.3)
LOOSE_TRUE_ACTION = "fields"


def PRELUDE(call: Call) -> None:  # noqa: N802 (the name app.dispatch looks for)
    # real server: deal.php runs yexplode(",", $params['fields']) before its action switch, for every
    # action; any array (even []) is != '' and crashes there (diff: deal info with fields={"a":1})
    if isinstance(call.get("fields"), (list, dict)):
        raise yexplode_fatal(254)


ACTIONS: dict[str, Any] = {
    "fields": dirs.fields,
    "steplist": dirs.steplist,
    "direction": dirs.direction,
    "statusclose": dirs.statusclose,
    "type": dirs.type_,
    "funnel": dirs.funnel,
    "list": read.list_,
    "info": read.info,
    "add": write.add,
    "update": write.update,
    "change.step": change.change_step,
    "change.close": change.change_close,
    "change.user": change.change_user,
    "delete": change.delete,
    "invoice.info": invoice.info,
    "invoice.add": invoice.add,
    "invoice.do": invoice.do,
    "invoice.express": invoice.express,
    "invoice.html": invoice.html,
    "invoice.pdf": invoice.pdf,
    "invoice.mail": invoice.mail,
    "invoice.templates": invoice.templates,
}
