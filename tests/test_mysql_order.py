"""mysql_order: MariaDB's reading of ``ORDER BY {$order} {$first} LIMIT ...`` (answers of the real server)."""

from __future__ import annotations

import pytest

from mockcrm.errors import Fatal
from mockcrm.mysql_order import order_by, table_resolver

COLUMNS = ["clid", "uid", "title", "iduser"]
RESOLVE = table_resolver("app_clientcat", COLUMNS)


def parse(order: str, first: str = "DESC", tail: str = " LIMIT 0,200"):
    return order_by(f"{order} {first}{tail}", RESOLVE, COLUMNS, numeric=lambda c: c in ("clid", "iduser"))


def message(order: str, first: str = "DESC") -> str:
    with pytest.raises(Fatal) as e:
        parse(order, first)
    return e.value.message


def near(text: str) -> str:
    return (
        "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server "
        f"version for the right syntax to use near '{text}' at line 1"
    )


@pytest.mark.parametrize(
    ("order", "keys"),
    [
        ("clid", [("clid", True)]),
        ("CLID", [("clid", True)]),
        ("`clid`", [("clid", True)]),
        ("(clid)", [("clid", True)]),
        ("app_clientcat.clid", [("clid", True)]),
        ("salesman.app_clientcat.Title", [("title", True)]),
        ("3", [("title", True)]),
        ("title desc, clid", [("title", True), ("clid", True)]),
        ("title asc, iduser", [("title", False), ("iduser", True)]),
        ("-clid", [("clid", False)]),
        ("1.5", []),
        ("'x'", []),
        ('"title"', []),
        ("NULL", []),
        ("@x", []),
        ("+1", []),
        ("18446744073709551616", []),
        ("1234567890123456789012345678901234567890", []),
        ("clid/*x*/", [("clid", True)]),
        ("/*!clid*/", [("clid", True)]),
        ("rand()", []),
        ("count(*)", []),
        ("clid in (1,2)", []),
        ("case when 1 then 2 end", []),
        ("x'41'", []),
    ],
)
def test_sort_keys(order: str, keys: list[tuple[str, bool]]) -> None:
    assert parse(order).keys == keys


def test_limit_survives_or_is_commented_out() -> None:
    assert parse("clid").limit == (0, 200)
    # real server: `#` and `-- ` comment the script's own DESC and LIMIT out
    assert parse("clid#").limit is None
    assert parse("clid -- x").keys == [("clid", False)]
    assert parse("clid limit 1 #").limit == (0, 1)
    assert parse("clid limit 1 offset 2 #").limit == (2, 1)


@pytest.mark.parametrize(
    ("order", "first", "text"),
    [
        ("clid asc", "DESC", "DESC LIMIT 0,200"),
        ("clid desc desc", "DESC", "desc DESC LIMIT 0,200"),
        ("  ", "DESC", "DESC LIMIT 0,200"),
        ("  ", "", "LIMIT 0,200"),
        ("O'Reilly", "DESC", "'Reilly DESC LIMIT 0,200"),
        ("clid,", "DESC", "DESC LIMIT 0,200"),
        ("clid,,title", "DESC", "title DESC LIMIT 0,200"),
        ("clid,, title", "DESC", " title DESC LIMIT 0,200"),
        ("clid;", "DESC", "DESC LIMIT 0,200"),
        ("clid)", "DESC", ") DESC LIMIT 0,200"),
        ("`clid", "DESC", "`clid DESC LIMIT 0,200"),
        ("clid/*", "DESC", "/* DESC LIMIT 0,200"),
        ("?", "DESC", "? DESC LIMIT 0,200"),
        ("ASC", "DESC", "ASC DESC LIMIT 0,200"),
        ("x'4'", "DESC", "x'4' DESC LIMIT 0,200"),
        ("1 " + "b" * 100, "DESC", ("b" * 100 + " DESC LIMIT 0,200")[:77] + "..."),
    ],
)
def test_syntax_errors(order: str, first: str, text: str) -> None:
    assert message(order, first) == near(text)


@pytest.mark.parametrize(
    ("order", "name"),
    [
        ("foo", "foo"),
        ("`foo`", "foo"),
        ("`cl``id`", "cl`id"),
        ("clientcat.clid", "clientcat.clid"),
        ("a.b.c", "a.b.c"),
        ("clid\u00a0", "clid\u00a0"),
        ("clid --x", "x"),
        ("0", "0"),
        ("5", "5"),
        ("-1", "-1"),
        ("- 1", "-1"),
        ("9223372036854775807", "-1"),
        ("clid, foo, bar", "foo"),
        ("y" * 256, "y" * 192),
        ("Я" * 200, "Я" * 96),
    ],
)
def test_unknown_columns(order: str, name: str) -> None:
    assert message(order) == f"Unknown column '{name}' in 'ORDER BY'"


def test_syntax_error_comes_before_unknown_column() -> None:
    assert message("foo, clid asc") == near("DESC LIMIT 0,200")


def test_unknown_function() -> None:
    assert message("foo(1)") == "FUNCTION salesman.foo does not exist"


def test_trailing_whitespace_and_lines() -> None:
    # real server: lead.php's query ends in "\n\t\t", which MariaDB drops; the line counts on
    with pytest.raises(Fatal) as e:
        order_by("clid desc DESC \n\t\t\tLIMIT 0,200\n\t\t", RESOLVE, COLUMNS, line=34)
    assert e.value.message.endswith("near 'DESC \n\t\t\tLIMIT 0,200' at line 34")
    with pytest.raises(Fatal) as e:
        order_by("clid/* DESC \n\t\t\tLIMIT 0,200\n\t\t", RESOLVE, COLUMNS, line=34)
    assert e.value.message.endswith("at line 35")
