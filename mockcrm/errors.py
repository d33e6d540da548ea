"""CRM errors: one small class per wire error; actions raise, one handler renders.

A ``CRMError`` renders as ``{"result": "Error", "error": {"code": ..., "text": ...}}``
(or without ``result`` where the real server omits it).  A ``Fatal`` renders as the
PHP fatal-error page the real server prints when its code crashes.
"""

from __future__ import annotations

import re
from typing import Any


class CRMError(Exception):
    """An error answer of the CRM API (HTTP 200, JSON body)."""

    code: int | str = 0
    text: str = ""
    with_result: bool = True

    def __init__(
        self,
        text: str | None = None,
        code: int | str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        with_result: bool | None = None,
    ) -> None:
        if text is not None:
            self.text = text
        if code is not None:
            self.code = code
        if with_result is not None:
            self.with_result = with_result
        self.extra = extra or {}
        super().__init__(f"{self.code} {self.text}")

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"result": "Error"} if self.with_result else {}
        out["error"] = {"code": self.code, "text": self.text}
        out.update(self.extra)
        return out


class BadApikey(CRMError):
    # real server: dead code in the box edition (protocol.md §4); the cloud edition answers it
    code = 400
    text = "Не верный API key"


class UnknownUser(CRMError):
    code = 401
    text = "Неизвестный пользователь"


class UnknownAction(CRMError):
    # real server: 402 has no "result" key (protocol.md §4)
    code = 402
    text = "Неизвестный метод"
    with_result = False


class Fatal(Exception):
    """A PHP fatal error page (protocol.md §9): HTTP 200, JSON content type, HTML text.

    ``message`` and ``file`` may contain ``{ROOT}``, replaced by the configured web root.
    ``prefix`` is output the PHP script had already printed before it crashed.
    """

    def __init__(self, kind: str, message: str, file: str, line: int, prefix: str = "") -> None:
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
        self.prefix = prefix
        super().__init__(f"{kind}: {message}")

    def page(self, root: str) -> str:
        where = f"{{ROOT}}/{self.file}"
        # real server: html_errors escapes & < > " but keeps ' (protocol.md §9)
        message = self.message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        text = (
            f"<br />\n<b>Fatal error</b>:  Uncaught {self.kind}: {message} in {where}:{self.line}\n"
            f"Stack trace:\n#0 {{main}}\n"
            f"  thrown in <b>{where}</b> on line <b>{self.line}</b><br />\n"
        )
        return self.prefix + text.replace("{ROOT}", root)


SAFEMYSQL = "vendor/colshrapnel/safemysql/safemysql.class.php"

#: characters outside the BMP: four bytes in UTF-8, which the CRM's utf8 (utf8mb3) connection cannot carry
NON_BMP = re.compile("[\U00010000-\U0010ffff]")


def sql_fatal(message: str) -> Fatal:
    """A ``mysqli_sql_exception`` thrown from the DB library (e.g. unknown column)."""
    return Fatal("mysqli_sql_exception", message, SAFEMYSQL, 466)


def sql_syntax_fatal(near: str, line: int = 1) -> Fatal:
    """The MariaDB syntax error the real server crashes with when it pastes bad SQL."""
    # real server: MariaDB quotes at most 80 *bytes* of the rest, as 77 + "..." (%-.80T counts bytes,
    # cut on a whole character: my_well_formed_length), so Cyrillic takes two
    # real server: the query reaches MariaDB as utf8mb3, so each byte of a 4-byte character (emoji) is
    # quoted as "?" ('😀 x' → near '???? x'; golden 93-sql-emoji-order)
    near = NON_BMP.sub("????", near)
    raw = near.encode("utf-8")
    if len(raw) > 80:
        near = raw[:77].decode("utf-8", errors="ignore") + "..."
    return sql_fatal(
        "You have an error in your SQL syntax; check the manual that corresponds to your "
        f"MariaDB server version for the right syntax to use near '{near}' at line {line}"
    )


def invalid_utf8mb3_fatal(name: str) -> Fatal:
    """A quoted identifier with a 4-byte character: utf8mb3 cannot hold it, the lexer refuses it."""
    # real server: `a😀` → Invalid utf8mb3 character string: 'a\xF0\x9F\x98\x80': every byte >= 0x80 is
    # escaped (Cyrillic too), and past 64 characters the text is cut to 61 + "..." (even inside an escape)
    shown = "".join(chr(b) if b < 0x80 else f"\\x{b:02X}" for b in name.encode("utf-8"))
    if len(shown) > 64:
        shown = shown[:61] + "..."
    return sql_fatal(f"Invalid utf8mb3 character string: '{shown}'")


def escape_fatal() -> Fatal:
    """SafeMySQL's ``?u``/``?s`` placeholder given a PHP array: the escape call throws."""
    return type_fatal(
        "mysqli_real_escape_string(): Argument #2 ($string) must be of type string, array given", SAFEMYSQL, 560
    )


def type_fatal(message: str, file: str, line: int) -> Fatal:
    return Fatal("TypeError", message, file, line)
