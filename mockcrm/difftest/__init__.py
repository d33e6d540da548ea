"""``mockcrm diff``: a differential tester for any two SalesMan-compatible servers.

Seeded call sequences (``generator``) run step by step on a reference A (usually the real server)
and a candidate B; status, content type, body and webhooks are compared after the golden replay's
normalisation (``normalize``); a divergence is shrunk to a short sequence (``shrink``) and written as
a replayable scenario, a recording of A's answers and a report (``report``).

Self-contained on purpose: users who pip-install mockcrm have neither ``contract/`` nor ``../shared``.
"""

from __future__ import annotations

from .generator import generate
from .session import Options, Session, Summary

__all__ = ["Options", "Session", "Summary", "generate", "run"]


def run(opts: Options) -> tuple[Summary, int]:
    """Run, write ``opts.out`` and return (summary, exit status: 0 none outside the allowlist, 1 some,
    2 when a target stopped answering mid-run)."""
    from .report import write

    summary = Session(opts).run()
    write(opts.out, opts, summary)
    return summary, 2 if summary.stopped else 1 if summary.failing else 0
