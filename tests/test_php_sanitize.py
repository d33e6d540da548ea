"""PHP runtime emulation and the CRM's sanitizers."""

from __future__ import annotations

import pytest

from mockcrm import php, sanitize


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12abc", 12), ("  7", 7), ("abc", 0), ("", 0), (None, 0), (True, 1), ("1.9", 1), ("-3", -3), (2.7, 2)],
)
def test_intval(value: object, expected: int) -> None:
    assert php.intval(value) == expected


# what php8.2 does with function f(int $x) (weak mode): the value, or None for the TypeError
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9999999999999999999999999999999999999999", None),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("-9223372036854775809", -(2**63)),  # as a float it rounds to -2**63, which fits
        ("1e18", 10**18),
        ("1e19", None),
        (1e19, None),
        (-9.2233720368547758e18, -(2**63)),
        ("1.5", 1),
        (" 12 ", 12),
        ("1abc", None),
        ("", None),
        (float("nan"), None),
        (None, None),
        (True, 1),
        ([1], None),
    ],
)
def test_int_param(value: object, expected: int | None) -> None:
    assert php.int_param(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "null"), (True, "bool"), ([], "array"), ({}, "array"), ("", "string"), (1.5, "float")],
)
def test_php_type(value: object, expected: str) -> None:
    assert php.php_type(value) == expected


@pytest.mark.parametrize(("value", "expected"), [("13949.00", 13949.0), ("1e3x", 1000.0), ("x", 0.0), (".5", 0.5)])
def test_floatval(value: object, expected: float) -> None:
    assert php.floatval(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("<b>x</b>", "x"), ("a < b", "a < b"), ("a <b", "a "), ("<!-- c -->t", "t"), ('<a href=">">y</a>', "y")],
)
def test_strip_tags(value: str, expected: str) -> None:
    assert php.strip_tags(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ООО Ромашка", "Ромашка, ООО"),
        ('ЗАО "Вектор"', "Вектор, ЗАО"),
        ("ИП", ", ИП"),
        ("ИП Петров", "ИП Петров"),
        ("<b>Пробный</b> «клиент» 'API'", "Пробный клиент API"),
    ],
)
def test_client_format_title(value: str, expected: str) -> None:
    assert sanitize.client_format_title(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [('<i>a</i> <x> «b» "c"', "a  ”b” ”c”"), ("a &laquo;b&raquo;", "a b"), ("it's `x`", "it's `x`")],
)
def test_field_clean(value: str, expected: str) -> None:
    assert sanitize.field_clean(value) == expected


def test_clean_all_and_clean() -> None:
    assert sanitize.clean_all(' АО "Банк"\n\r\t it\'s ') == "АО ”Банк”&acute; its"
    assert sanitize.clean(' <b>АО "Банк"</b> ') == 'АО "Банк"'


@pytest.mark.parametrize(("value", "expected"), [("13 949,00", 13949.0), ("1500.5", 1500.5), ("abc", 0.0)])
def test_pre_format(value: str, expected: float) -> None:
    assert sanitize.pre_format(value) == expected


@pytest.mark.parametrize(
    ("value", "pairs", "expected"),
    [
        ("1", {"1": "Новый", "10": "Десять"}, "Новый"),
        ("10", {"1": "Новый", "10": "Десять"}, "Десять"),  # the longest key wins
        ("ab", {"a": "b", "b": "a"}, "ba"),  # replaced text is not scanned again
        (None, {"": "x"}, ""),
    ],
)
def test_strtr(value: object, pairs: dict[str, str], expected: str) -> None:
    assert php.strtr(value, pairs) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "1"), (-2346.1699999999983, "-2346.17"), (0.1 + 0.2, "0.3"), (1e25, "1.0E+25"), (1e14, "1.0E+14"),
     (1e13, "10000000000000"), (1e-5, "1.0E-5"), (-0.0, "-0")],
)  # fmt: skip
def test_php_float_str_uses_14_digits(value: float, expected: str) -> None:
    assert php.php_float_str(value) == expected


# each pair printed by PHP 8.2.36: number_format((float)$v, 2, ",", " ") and round((float)$v, 2)
@pytest.mark.parametrize(
    ("value", "formatted", "rounded"),
    [(1.005, "1,01", 1.01), (2.675, "2,68", 2.68), (5000000000000.015, "5 000 000 000 000,01", 5000000000000.01),
     (0.125, "0,13", 0.13), (-1.005, "-1,01", -1.01), (999999999999.125, "999 999 999 999,13", 999999999999.13),
     (12345678901234.567, "12 345 678 901 234,57", 12345678901234.567), (1e18, "1 000 000 000 000 000 000,00", 1e18),
     (-0.001, "0,00", -0.0), (123456.785, "123 456,79", 123456.79), (1.955, "1,96", 1.96)],
)  # fmt: skip
def test_number_format_and_round_like_php(value: float, formatted: str, rounded: float) -> None:
    assert (php.number_format(value, 2, ",", " "), php.php_round(value, 2)) == (formatted, rounded)
