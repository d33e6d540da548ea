"""Protocol checks every method shares: 401 and 402 envelopes, credentials, transports, static read answers.

Each case replays a golden step's request unchanged (none of them depends on data) and compares the answer."""

from __future__ import annotations

import pytest

from .harness import Contract

# 401 for a wrong apikey / unknown login, per method, and the credential edge cases
AUTH = [
    f"00:{m}-{who}"
    for m in ("client", "person", "deal", "task", "lead", "history", "user", "guides")
    for who in ("bad-apikey", "unknown-login")
] + [
    "00:client-no-credentials",
    "00:client-no-credentials-no-action",
    "00:deal-no-credentials-json",
    "00:client-bad-apikey-json-headers",
    "00:client-bad-apikey-json-body",
    "00:client-unknown-login-form",
    "00:client-empty-apikey",
    "00:client-empty-login",
    "00:client-login-uppercase",
    "00:client-login-trailing-space-json",
    "00:client-login-leading-space-json",
    "00:client-login-leading-space-get",
    "00:client-apikey-lowercase",
    "00:client-sql-quote-in-login-get",
]

# 402: unknown, missing and not-accepted actions (the envelope differs per method)
UNKNOWN_ACTION = [
    f"00:{m}-unknown-action" for m in ("client", "person", "deal", "task", "lead", "history", "user", "guides")
] + [
    "00:client-no-action",
    "00:client-empty-action",
    "00:client-action-uppercase",
    "00:client-action-array-get",
    "00:client-change-user-not-accepted",
    "00:deal-change-freeze-not-accepted",
    "00:lead-no-action",
    "00:lead-setuser-not-accepted",
    "00:user-category-not-accepted",
    "00:task-no-action-json",
    "09:action-do-not-accepted",
    "09:action-update-not-accepted",
    "09:action-delete-not-accepted",
    "09:action-workit-not-accepted",
]

# how the transports pick credentials, content type and action
TRANSPORT = [
    "00:json-headers-capitalized",
    "00:json-headers-uppercase",
    "00:json-headers-mixed-apikey-header-login-body",
    "00:json-headers-bad-header-good-body",
    "00:json-body-creds-and-get-action",
    "00:json-content-type-charset",
    "00:json-content-type-lowercase-name",
    "00:json-content-type-uppercase-value",
    "00:json-content-type-text-plain",
    "00:form-creds-in-query-action-in-body",
    "00:json-invalid-body",
    "00:json-empty-body",
    "00:json-array-body",
    "00:json-action-array",
    "00:json-action-number",
    "00:json-invalid-body-no-creds-in-headers",
    "00:client-php-suffix",
    "00:unknown-endpoint",
    "00:unknown-endpoint-php",
    "00:endpoint-uppercase",
]

# answers that only depend on configuration (field lists, directories, users)
STATIC = [
    "01:fields",
    "04:fields",
    "05:fields",
    "05:steplist",
    "05:direction",
    "05:type",
    "05:statusclose",
    "05:funnel-default",
    "05:funnel-direction-tip",
    "05:funnel-by-names",
    "05:steplist-as-manager",
    "07:templates",
    "07:templates-as-manager",
    "08:fields",
    "08:tips",
    "13:history-fields",
    "13:history-tips",
    "13:guides-category",
    "13:guides-territory",
    "13:guides-relations",
    "13:guides-clientpath",
    "13:guides-company.list",
    "13:guides-company.listfull",
    "13:guides-company.bank",
    "13:guides-company.signers",
    "13:guides-category-as-manager",
    "13:guides-clientpath-json",
    "13:user-list",
    "13:user-by-login",
    "13:user-by-uid-missing",
    "13:user-unknown-login",
    "13:user-no-selector",
    "13:user-as-manager",
    "09:stat-empty-current-month",
    "09:stat-range-past",
]


@pytest.mark.parametrize("ref", AUTH)
def test_auth(crm: Contract, ref: str) -> None:
    crm.check(ref)


@pytest.mark.parametrize("ref", UNKNOWN_ACTION)
def test_unknown_action(crm: Contract, ref: str) -> None:
    crm.check(ref)


@pytest.mark.parametrize("ref", TRANSPORT)
def test_transport(crm: Contract, ref: str) -> None:
    crm.check(ref)


@pytest.mark.parametrize("ref", STATIC)
def test_static_answer(crm: Contract, ref: str) -> None:
    crm.check(ref)
