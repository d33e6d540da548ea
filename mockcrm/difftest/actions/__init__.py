"""One builder per API action: the parameters of a plausible call, each tagged with its kind so the
generator can swap one of them for an odd value. Actions and parameters come from
``../shared/salesman-v2/*.md``, ``developer/v2/*.php`` and the vendor examples in ``developer/v2/examples/``.
"""

from __future__ import annotations

from . import client, deal, work
from .base import Builder, Ctx, Spec, by_id, nothing

__all__ = ["ACTIONS", "Builder", "Ctx", "Spec"]

# ------------------------------------------------------------------ the table

ACTIONS: dict[tuple[str, str], tuple[Builder, float]] = {
    ("client", "fields"): (nothing, 0.5),
    ("client", "list"): (client.client_list, 1.5),
    ("client", "info"): (client.client_info, 1.5),
    ("client", "add"): (client.client_add, 2.5),
    ("client", "add.list"): (client.client_add_list, 0.7),
    ("client", "update"): (client.client_update, 1.5),
    ("client", "delete"): (client.client_delete, 0.6),
    ("client", "change.user"): (client.client_change_user, 0.2),
    ("person", "fields"): (nothing, 0.4),
    ("person", "list"): (client.person_list, 1.0),
    ("person", "info"): (client.person_info, 1.0),
    ("person", "add"): (client.person_add, 1.5),
    ("person", "add.list"): (client.person_add_list, 0.5),
    ("person", "update"): (client.person_update, 1.0),
    ("person", "delete"): (client.person_delete, 0.5),
    ("deal", "fields"): (nothing, 0.4),
    ("deal", "steplist"): (nothing, 0.3),
    ("deal", "direction"): (nothing, 0.3),
    ("deal", "statusclose"): (nothing, 0.3),
    ("deal", "type"): (nothing, 0.3),
    ("deal", "funnel"): (deal.deal_funnel, 0.4),
    ("deal", "list"): (deal.deal_list, 1.2),
    ("deal", "info"): (deal.deal_info, 1.2),
    ("deal", "add"): (deal.deal_add, 2.0),
    ("deal", "update"): (deal.deal_update, 1.0),
    ("deal", "change.step"): (deal.deal_change_step, 1.0),
    ("deal", "change.close"): (deal.deal_change_close, 0.7),
    ("deal", "change.user"): (deal.deal_change_user, 0.6),
    ("deal", "delete"): (deal.deal_delete, 0.5),
    ("deal", "invoice.info"): (deal.invoice_info, 0.6),
    ("deal", "invoice.add"): (deal.invoice_add, 1.0),
    ("deal", "invoice.do"): (deal.invoice_do, 0.7),
    ("deal", "invoice.express"): (deal.invoice_express, 0.6),
    ("deal", "invoice.html"): (deal.invoice_by_id, 0.4),
    ("deal", "invoice.pdf"): (deal.invoice_by_id, 0.3),
    ("deal", "invoice.mail"): (deal.invoice_by_id, 0.3),
    ("deal", "invoice.templates"): (nothing, 0.3),
    ("task", "tips"): (nothing, 0.3),
    ("task", "fields"): (nothing, 0.3),
    ("task", "list"): (work.task_list, 1.0),
    ("task", "info"): (by_id("task"), 1.0),
    ("task", "add"): (work.task_add, 1.5),
    ("task", "update"): (work.task_update, 1.0),
    ("task", "doit"): (work.task_doit, 0.8),
    ("task", "delete"): (by_id("task"), 0.5),
    ("task", "history"): (work.task_history, 0.6),
    ("history", "tips"): (nothing, 0.3),
    ("history", "fields"): (nothing, 0.3),
    ("history", "list"): (work.history_list, 0.8),
    ("history", "info"): (by_id("history"), 0.8),
    ("history", "add"): (work.history_add, 1.2),
    ("history", "add.list"): (work.history_add_list, 0.5),
    ("history", "delete"): (by_id("history"), 0.5),
    ("lead", "info"): (by_id("lead"), 0.8),
    ("lead", "add"): (work.lead_add, 1.2),
    ("lead", "stat"): (work.lead_stat, 0.5),
    ("lead", "list"): (work.lead_list, 0.8),
    ("guides", "category"): (nothing, 0.2),
    ("guides", "territory"): (nothing, 0.2),
    ("guides", "relations"): (nothing, 0.2),
    ("guides", "clientpath"): (nothing, 0.2),
    ("guides", "company.list"): (nothing, 0.2),
    ("guides", "company.listfull"): (nothing, 0.2),
    ("guides", "company.bank"): (nothing, 0.2),
    ("guides", "company.signers"): (nothing, 0.2),
    ("user", "user"): (work.user_user, 0.6),
    ("user", "user.list"): (nothing, 0.4),
    ("user", "user.add"): (work.user_add, 0.5),
}
