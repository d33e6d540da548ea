"""The CRM methods served under /developer/v2/<method>: a package per method, or one module.

A method's package ``__init__`` (or its single module) ends in its ACTIONS table.

A method module provides:

* ``ACTIONS``: the accepted actions, ``{"list": list_, ...}``; each takes a ``Call`` and
  returns plain data (or raises ``CRMError`` / ``Fatal``);
* optionally ``UNKNOWN_ACTION``: the ``CRMError`` class its 402 answer uses;
* optionally ``LOOSE_TRUE_ACTION``: the action a JSON ``true`` runs (PHP's loose
  ``in_array`` + ``switch``), for the scripts that compare loosely;
* optionally ``JSON_STRING_FATAL``: the ``(file, line)`` where the script crashes on a JSON
  string body.
"""

from __future__ import annotations

from types import ModuleType

from . import client, deal, guides, history, lead, person, task, user

METHODS: dict[str, ModuleType] = {
    "client": client,
    "person": person,
    "deal": deal,
    "task": task,
    "lead": lead,
    "guides": guides,
    "user": user,
    "history": history,
}
