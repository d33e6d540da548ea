"""Small re-implementations of the PHP runtime functions whose exact behaviour leaks into answers."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

PHP_TRIM = " \t\n\r\0\x0b"

_INT_PREFIX = re.compile(r"[ \t\n\r\v\f]*([+-]?\d+)")
_FLOAT_PREFIX = re.compile(r"[ \t\n\r\v\f]*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)")
_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\r\v\f]*\Z")


def trim(s: str) -> str:
    return s.strip(PHP_TRIM)


def intval(v: Any) -> int:
    """PHP ``(int)``: leading integer prefix of a string, 0 when there is none."""
    if v is None or v is False:
        return 0
    if v is True:
        return 1
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return _float_to_int(v)
    if isinstance(v, (list, dict)):
        return 1 if v else 0
    s = str(v)
    if s.isdigit() and s.isascii():  # plain digits, the usual case: no prefix parsing needed
        return min(int(s), 2**63 - 1)
    m = _FLOAT_PREFIX.match(s)
    if m and ("." in m.group(1) or "e" in m.group(1) or "E" in m.group(1)):
        f = float(m.group(1))
        if not math.isfinite(f):
            return 0
        # real server: a float string saturates ((int)"1e20" is PHP_INT_MAX, zend_dval_to_lval_cap)
        return int(f) if abs(f) < 2**63 else (2**63 - 1 if f > 0 else -(2**63))
    m = _INT_PREFIX.match(s)
    if not m:
        return 0
    n = int(m.group(1))
    return max(min(n, 2**63 - 1), -(2**63))


def _float_to_int(f: float) -> int:
    """PHP 8 ``(int)$float``: out of range wraps modulo 2**64 (zend_dval_to_lval), INF/NAN give 0,
    so ``(int)1e20`` is 7766279631452241920 (checked with php8.2)."""
    if not math.isfinite(f):
        return 0
    if abs(f) < 2**63:
        return int(f)
    m = math.fmod(f, 2.0**64)
    if m < 0:
        m += 2.0**64
    n = int(m)
    return n - 2**64 if n > 2**63 - 1 else n


def floatval(v: Any) -> float:
    """PHP ``(float)``: leading numeric prefix of a string, 0.0 when there is none."""
    if v is None or v is False:
        return 0.0
    if v is True:
        return 1.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (list, dict)):
        return 1.0 if v else 0.0
    m = _FLOAT_PREFIX.match(str(v))
    return float(m.group(1)) if m else 0.0


def is_numeric(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, str) and bool(_NUMERIC.match(v))


def int_param(v: Any) -> int | None:
    """PHP 8 (non-strict) coercion of an argument to an ``int`` parameter; None where PHP throws the
    TypeError (zend_parse_arg_long_weak: null, arrays, non-numeric strings, INF/NAN and floats outside
    -2**63 <= d < 2**63; a fractional one is only deprecated; checked with php8.2)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v if -(2**63) <= v < 2**63 else None
    if isinstance(v, float):
        return int(v) if math.isfinite(v) and -(2.0**63) <= v < 2.0**63 else None
    if not isinstance(v, str) or not is_numeric(v):
        return None
    digits = v.strip(" \t\n\r\v\f")
    if digits.lstrip("+-").isdigit() and digits.isascii() and -(2**63) <= int(digits) < 2**63:
        return int(digits)
    # an integer string too long for an int is read as a float, which must fit ("-9223372036854775809" does)
    number = float(digits)
    return int(number) if math.isfinite(number) and -(2.0**63) <= number < 2.0**63 else None


def php_type(v: Any) -> str:
    """The type name PHP 8 prints in a TypeError ("string given", "float given", ...)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (list, dict)):
        return "array"
    return {"str": "string"}.get(type(v).__name__, type(v).__name__)


def loose_eq(a: Any, b: Any) -> bool:
    """PHP 8 ``==`` for scalars (null == "", numeric strings compared as numbers)."""
    if a is None or b is None:
        other = b if a is None else a
        return other in (None, "", 0, 0.0, False) or other == []
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    num_a = isinstance(a, (int, float)) or (isinstance(a, str) and is_numeric(a))
    num_b = isinstance(b, (int, float)) or (isinstance(b, str) and is_numeric(b))
    if num_a and num_b:
        return float(a) == float(b)
    return strval(a) == strval(b)


def empty(v: Any) -> bool:
    """PHP ``empty()``: null, false, 0, 0.0, "", "0", []."""
    return v is None or v is False or v == 0 or v == "" or v == "0" or v == [] or v == {}


def strval(v: Any) -> str:
    """PHP string conversion of a scalar (true → "1", false/null → "")."""
    if v is None or v is False:
        return ""
    if v is True:
        return "1"
    if isinstance(v, float):
        return php_float_str(v)
    if isinstance(v, (list, dict)):
        return "Array"
    return str(v)


_INT_LITERAL = re.compile(r"[ \t\n\r\v\f]*[+-]?\d+[ \t\n\r\v\f]*\Z")


def mul_text(operand: Any, factor: int) -> str:
    """PHP 8 ``$operand * $factor`` as a query pastes it (``$lpos = $offset * $limit``).

    An int operand (or an integer numeric string) gives an int unless the product passes
    PHP_INT_MAX; a float, a decimal or exponent string, or an overflow gives a float, printed with
    precision 14: ``1.844674407371E+21`` or ``0.2``, which MariaDB's LIMIT refuses.
    """
    if isinstance(operand, bool) or (isinstance(operand, int)):
        number: int | float = int(operand)
    elif isinstance(operand, str):
        prefix = _FLOAT_PREFIX.match(operand)
        text = prefix.group(1) if prefix else "0"
        whole = _INT_LITERAL.match(text) is not None and abs(int(text)) < 2**63
        number = int(text) if whole else float(text)
    else:
        number = float(operand)
    if isinstance(number, int) and abs(number * factor) < 2**63:
        return str(number * factor)
    return php_float_str(float(number) * factor)


def php_float_str(f: float) -> str:
    """PHP 8 ``(string)$float``: 14 significant digits (ini ``precision``), ``1.0E+25`` style exponents.

    real server: -2346.1699999999983 reaches a webhook as "-2346.17" (golden 21 do-rest-over).
    """
    if f != f or f in (float("inf"), float("-inf")):
        return "NAN" if f != f else "INF" if f > 0 else "-INF"
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    text = f"{f:.14G}"
    if "E" not in text:
        return text
    mantissa, exponent = text.split("E")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}E{exponent[0]}{int(exponent[1:])}"


def _round_helper(value: float) -> float:
    # php_round_helper(), PHP_ROUND_HALF_UP: away from zero at .5
    return math.floor(value + 0.5) if value >= 0.0 else math.ceil(value - 0.5)


def _intpow10(power: int) -> float:
    return 10.0**power if 0 <= power <= 22 else math.pow(10.0, power)


def php_round(value: float, places: int = 0) -> float:
    """PHP 8.2 ``round($value, $places)`` (``_php_math_round``, ext/standard/math.c), half up.

    It first rounds to the 15 significant digits a double holds, then to ``places``, so 1.005 → 1.01 and
    5000000000000.015 → 5000000000000.01 (its double is below the half); a value whose ``places`` digits are past
    that precision is returned as is.
    """
    if not math.isfinite(value) or value == 0.0:
        return value
    precision_places = 14 - int(math.floor(math.log10(abs(value))))
    f1 = _intpow10(abs(places))
    if precision_places > places and precision_places - places < 15:
        f2 = _intpow10(abs(precision_places))
        tmp = value * f2 if precision_places >= 0 else value / f2
        tmp = _round_helper(tmp)
        tmp = tmp / _intpow10(abs(places - precision_places))
    else:
        tmp = value * f1 if places >= 0 else value / f1
        if abs(tmp) >= 1e15:
            return value
    tmp = _round_helper(tmp)
    if abs(places) < 23:
        return tmp / f1 if places > 0 else tmp * f1
    return float(f"{tmp:15f}e{-places}")


def number_format(value: float, decimals: int, point: str, thousands: str) -> str:
    """PHP ``number_format()``: ``round()`` first, then the rounded double printed exactly (``%.*F``)."""
    if not math.isfinite(value):
        return php_float_str(value)
    decimals = max(0, decimals)
    rounded = php_round(value, decimals)
    negative = rounded < 0
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, frac = text.partition(".")
    groups = f"{int(whole):,}".replace(",", thousands)
    if negative and float(text) == 0:
        negative = False  # PHP: no "-0,00"
    return ("-" if negative else "") + groups + (point + frac if decimals else "")


def php_float_g(f: float, precision: int = 14) -> str:
    """``sprintf('%.14G')`` as ``http_build_query`` prints a float (ini ``precision`` = 14).

    ``1.2345678901234568e23`` → ``1.2345678901235E+23``, ``1e15`` → ``1.0E+15``, ``0.1 + 0.2`` → ``0.3``.
    """
    if f != f or f in (float("inf"), float("-inf")):
        return "NAN" if f != f else "INF" if f > 0 else "-INF"
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    mantissa, exp = f"{abs(f):.{precision - 1}e}".split("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    decpt = int(exp) + 1
    sign = "-" if f < 0 else ""
    if decpt < -3 or decpt > precision:
        # php_gcvt: one digit, the point, the rest (or "0"), then E+NN without padding
        e = decpt - 1
        return f"{sign}{digits[0]}.{digits[1:] or '0'}E{'+' if e >= 0 else '-'}{abs(e)}"
    if decpt <= 0:
        return f"{sign}0.{'0' * -decpt}{digits}"
    if len(digits) <= decpt:
        return sign + digits + "0" * (decpt - len(digits))
    return f"{sign}{digits[:decpt]}.{digits[decpt:]}"


def strtr(value: Any, pairs: dict[str, str]) -> str:
    """PHP ``strtr($str, $array)``: the longest key first at each position, no re-scanning."""
    s = strval(value)
    keys = sorted((k for k in pairs if k), key=len, reverse=True)
    out: list[str] = []
    i = 0
    while i < len(s):
        for k in keys:
            if s.startswith(k, i):
                out.append(pairs[k])
                i += len(k)
                break
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def strip_tags(s: str) -> str:
    """PHP ``strip_tags`` without allowed tags: a small version of its state machine."""
    if "<" not in s:
        return s  # the machine only ever acts on "<"
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "<" and i + 1 < n and not s[i + 1].isspace():
            if s.startswith("<!--", i):
                end = s.find("-->", i + 4)
                i = n if end < 0 else end + 3
                continue
            depth, quote, j = 1, "", i + 1
            while j < n and depth:
                ch = s[j]
                if quote:
                    if ch == quote:
                        quote = ""
                elif ch in "\"'":
                    quote = ch
                elif ch == "<":
                    depth += 1
                elif ch == ">":
                    depth -= 1
                j += 1
            i = j
            continue
        if c == "<" and i + 1 >= n:
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def php_values(v: Any) -> list[Any]:
    """The values of a PHP array given as a JSON list/object or a bracket-parsed dict."""
    if isinstance(v, dict):
        return list(v.values())
    if isinstance(v, list):
        return list(v)
    return []


def yimplode(divider: str, value: Any) -> str:
    """SalesMan's ``yimplode($divider, $array)`` (inc/func.php): a scalar comes back as its string.

    It walks ``$array[0]`` .. ``$array[count-1]`` by position, so string keys are never read (their
    values are skipped); values that trim to "" are skipped, yet the divider goes before every
    position after 0 that is kept (``[null, "a"]`` gives ``",a"``); each kept value is trimmed; a
    nested array is imploded and appended without a divider.
    """
    if value is None:
        return ""
    if not isinstance(value, (list, dict)):
        return strval(value)
    out = ""
    for i in range(len(value)):
        if isinstance(value, list):
            item = value[i]
        else:
            item = value.get(i, value.get(str(i)))
        if isinstance(item, (list, dict)):
            out += yimplode(divider, item)
        elif trim(strval(item)) != "":
            out += ("" if i == 0 else divider) + trim(strval(item))
    return out


def yexplode(divider: str, value: Any) -> list[str]:
    """SalesMan's ``yexplode``: pieces that are not "" are kept *then* trimmed (so " " gives "")."""
    text = strval(value)
    return [trim(piece) for piece in text.split(divider) if piece != ""] if text != "" else []


# ------------------------------------------------------------------ parse_str


def _split_key(key: str) -> list[str] | None:
    """PHP's variable-name mangling: ``a.b[x][]`` → ["a_b", "x", ""]; None when ignored."""
    key = key.lstrip(" ")
    if not key:
        return None
    pos = key.find("[")
    base = key if pos < 0 else key[:pos]
    parts: list[str] = []
    rest = "" if pos < 0 else key[pos:]
    # the first unmatched "[" in the base name becomes "_" and ends bracket parsing
    if rest and "]" not in rest:
        base = key.replace("[", "_", 1)
        rest = ""
    base = base.replace(".", "_").replace(" ", "_")
    if not base:
        return None
    parts.append(base)
    while rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            break
        parts.append(rest[1:end])
        rest = rest[end + 1 :]
    return parts


_INT_KEY = re.compile(r"-?(0|[1-9]\d*)")


def _next_index(arr: dict[str, Any], free: dict[int, tuple[dict[str, Any], int]]) -> str:
    """The key ``[]`` appends under: PHP's next free element, 0 or the largest int key + 1.

    ``free`` remembers it per array while one input is parsed (a scan per ``a[]`` would be
    quadratic in the number of pairs).
    """
    known = free.get(id(arr))
    if known is not None and known[0] is arr:
        n = known[1]
    else:
        ints = [int(k) for k in arr if _INT_KEY.fullmatch(k)]
        n = max(ints) + 1 if ints and max(ints) >= 0 else 0
    free[id(arr)] = (arr, n + 1)
    return str(n)


def _note_key(arr: dict[str, Any], key: str, free: dict[int, tuple[dict[str, Any], int]]) -> None:
    """Keep the remembered next free element of ``arr`` right after an explicit int key."""
    known = free.get(id(arr))
    if known is not None and known[0] is arr and _INT_KEY.fullmatch(key):
        free[id(arr)] = (arr, max(known[1], int(key) + 1))


#: php.ini defaults: variables read per source, and bracket levels per variable name
MAX_INPUT_VARS = 1000
MAX_INPUT_NESTING_LEVEL = 64


def parse_pairs(pairs: Iterable[tuple[str, str]], into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build PHP's ``$_GET``/``$_POST`` array from decoded (name, value) pairs.

    Nested arrays are dicts with string keys in insertion order; the last duplicate wins.
    Like PHP, only the first ``max_input_vars`` pairs count and a name nested deeper than
    ``max_input_nesting_level`` drops its variable (PHP only warns, at startup, unseen).
    """
    out: dict[str, Any] = {} if into is None else into
    free: dict[int, tuple[dict[str, Any], int]] = {}
    for count, (name, value) in enumerate(pairs, start=1):
        if count > MAX_INPUT_VARS:
            break
        if type(name) is str and name.isascii() and name.replace("_", "").isalnum():
            out[name] = value  # a plain name (most of them): no mangling, no brackets
            continue
        parts = _split_key(name) if isinstance(name, str) else None
        if parts is None:
            continue
        if len(parts) - 1 > MAX_INPUT_NESTING_LEVEL:
            out.pop(parts[0], None)
            continue
        cur = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if i > 0 and part == "":
                part = _next_index(cur, free)
            elif i > 0:
                _note_key(cur, part, free)
            if last:
                cur[part] = value
            else:
                nxt = cur.get(part)
                if not isinstance(nxt, dict):
                    nxt = {}
                    cur[part] = nxt
                cur = nxt
    return out
