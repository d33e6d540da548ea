#!/usr/bin/env python3
"""docs/quirks.md: every real-server quirk mockcrm reproduces on purpose, from the code's own comments.

A quirk is marked where it is copied, in a comment that starts ``real server:`` (CONTRIBUTING.md);
this collects them, grouped by where they live, with the function they sit in. ``make quirks``
rewrites the page; ``tests/test_docs.py`` fails when it is not current.

    python tools/quirks.py [--check]
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "quirks.md"
TAG = "real server:"

HEAD = """# The real server's quirks, reproduced on purpose

SalesMan CRM has bugs and oddities, and an integration that works against it has learned
them. mockcrm copies them on purpose, and marks each copy in the code with a comment that
starts `real server:`. This page is made from those comments (`make quirks`; a test keeps it
current), grouped by where they live. The deliberate deviations are in [fidelity.md](fidelity.md).

"""


def _functions(tree: ast.AST) -> list[tuple[int, int, str]]:
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            spans.append((node.lineno, node.end_lineno or node.lineno, node.name))
    return spans


def _where(spans: list[tuple[int, int, str]], line: int) -> str:
    inside = [s for s in spans if s[0] <= line <= s[1]]
    return min(inside, key=lambda s: s[1] - s[0])[2] if inside else "module"


def quirks(path: Path) -> list[tuple[str, str]]:
    """(function, text) for each ``real server:`` comment of a module, in order."""
    source = path.read_text(encoding="utf-8")
    spans = _functions(ast.parse(source))
    comments = [
        (tok.start[0], tok.start[1], tok.string[1:].strip())
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    ]
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(comments):
        line, col, text = comments[i]
        if TAG not in text:
            i += 1
            continue
        parts = [text[text.index(TAG) + len(TAG) :].strip()]
        # a comment carried on below, on the next lines at the same column, belongs to it
        while (
            i + 1 < len(comments)
            and comments[i + 1][0] == comments[i][0] + 1
            and comments[i + 1][1] == col
            and TAG not in comments[i + 1][2]
            and not comments[i + 1][2].startswith(("noqa", "type:", "fmt:"))
        ):
            i += 1
            parts.append(comments[i][2])
        out.append((_where(spans, line), " ".join(p for p in parts if p)))
        i += 1
    return out


def page() -> str:
    sections = []
    total = 0
    for path in sorted((ROOT / "mockcrm").rglob("*.py")):
        found = quirks(path)
        if not found:
            continue
        total += len(found)
        rel = path.relative_to(ROOT).as_posix()
        lines = [f"## `{rel}`", ""]
        lines += [f"- **{fn}**: {text}" for fn, text in found]
        sections.append("\n".join(lines))
    return HEAD + f"{total} quirks in {len(sections)} modules.\n\n" + "\n\n".join(sections) + "\n"


def main() -> int:
    text = page()
    if "--check" in sys.argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print("docs/quirks.md is not current: run make quirks", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
