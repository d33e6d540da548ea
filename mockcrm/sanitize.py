"""The CRM's own value sanitizers, applied on write (client.md §3, deal.md §1.7)."""

from __future__ import annotations

from .php import floatval, strip_tags, strval, trim

_UNTAG_DELETE = ('"', "\\", "'", "`", "«", "»", "<", ">", "&laquo;", "&raquo;")


def untag(s: str) -> str:
    """``untag()``: strip tags, trim, literal ``\\r\\n`` → CR LF, delete quotes and brackets."""
    s = trim(strip_tags(s))
    s = s.replace("\\r\\n", "\r\n")
    for needle in _UNTAG_DELETE:
        s = s.replace(needle, "")
    return s


def client_format_title(s: str) -> str:
    """``clientFormatTitle()``: ``ООО Ромашка`` → ``Ромашка, ООО``."""
    s = untag(s).replace('\\"', "")
    for form in ("ООО", "ЗАО", "ОАО"):
        if s[:3] == form:
            return trim(s.replace(form, "")) + ", " + form
    if s == "ИП":
        # real server: "ИП" is in the list but only an exact match can hit it (client.md §3)
        return ", ИП"
    return s


def field_clean(s: str) -> str:
    """``fieldClean()``: strip tags, trim, ``<>`` → ``[]``, quotes and guillemets → ``”``."""
    s = trim(strip_tags(s))
    for a, b in (("<", "["), (">", "]"), ('"', "\u201d"), ("«", "\u201d"), ("»", "\u201d")):
        s = s.replace(a, b)
    for needle in ("&laquo;", "&raquo;"):
        s = s.replace(needle, "")
    return strip_tags(s)


def clean_all(s: str) -> str:
    """``clean_all()`` (bank details on add)."""
    if not s:
        return s  # most of the 16 bank slots are empty
    s = trim(s).replace('"', "\u201d")
    s = s.replace("\n\r", "").replace("\n", "").replace("\r", "")
    s = s.replace("\t", "&acute;")
    # real server: the replacement list is one element short, so ' is deleted (client.md §3)
    return s.replace("'", "")


def clean(s: str) -> str:
    """``clean()`` (bank details on update): strip tags, trim, delete < and >."""
    return trim(strip_tags(s)).replace("<", "").replace(">", "")


def pre_format(s: object) -> float:
    """``pre_format()``: money/amount input such as ``"13 949,00"`` → 13949.0."""
    text = strval(s).replace(" ", "").replace(",", ".")  # PHP string conversion: true → "1"
    return floatval(untag(text))
