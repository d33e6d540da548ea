"""The SQL syntax check is skipped only where it cannot fire: a value without quote or backslash."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from mockcrm.methods.client.write import _duplicate_query
from mockcrm.methods.mysql import breaks_literal, sql_parse_error

CALL = SimpleNamespace(db=SimpleNamespace(identity=1))
SAFE = st.text(alphabet=st.characters(blacklist_characters="'\\\\", blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=300, deadline=None)
@given(title=SAFE, mail=st.none() | SAFE, phones=st.lists(st.text("0123456789", max_size=12), max_size=3))
def test_a_value_without_quote_or_backslash_never_breaks_the_duplicate_query(
    title: str, mail: str | None, phones: list[str]
) -> None:
    patterns = ["%" + p + "%" for p in phones]
    mail_pattern = None if mail is None else "%" + mail + "%"
    assert not breaks_literal(title, mail_pattern)
    assert sql_parse_error(_duplicate_query(CALL, title, patterns, mail_pattern)) is None  # type: ignore[arg-type]


def test_a_quote_or_a_backslash_is_checked() -> None:
    assert breaks_literal("O'Reilly") and breaks_literal(None, "a\\\\") and not breaks_literal(None, "ok", "")
    fatal = sql_parse_error(_duplicate_query(CALL, "O'Reilly", [], None))  # type: ignore[arg-type]
    assert fatal is not None and "near 'Reilly'" in str(fatal.message)
