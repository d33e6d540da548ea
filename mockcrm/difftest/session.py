"""One differential run: targets up, sequences generated and run on both, divergences shrunk and written."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .allowlist import Allowlist
from .generator import generate, may_write
from .runner import StepResult, run_step, signature
from .shrink import Budget, shrink
from .targets import Target, TargetError
from .transport import Credentials

Signature = tuple[str, str, str, str]


@dataclass
class Options:
    a: str
    b: str
    reset_a: str | None = None
    reset_b: str | None = None
    seed: int = 1
    seeds: int = 10
    steps: int = 0  # 0 = no bound
    methods: list[str] | None = None
    time_budget: float = 0.0  # seconds, 0 = no bound
    out: Path = Path("diff-out")
    allowlist: str | None = None
    creds: Credentials = field(default_factory=Credentials)
    shrink_tries: int = 40
    shrink_time: float = 120.0  # seconds one shrink may take (a try on a real server costs seconds)
    hook_quiet: float | None = None  # None: 0 for a sync mockcrm, 0.15 s otherwise


#: the "accepted" reason of a divergence that did not come back when its minimal sequence was run again
UNSTABLE = (
    "unstable: its minimal sequence did not diverge again on a rerun, or on a rerun with every step at the "
    "start of a second (the two servers' timing)"
)


@dataclass
class Divergence:
    seed: int
    sequence: list[dict[str, Any]]
    index: int  # of the diverging step in the sequence
    result: StepResult
    signature: Signature
    accepted: str | None = None
    minimal: list[StepResult] = field(default_factory=list)
    original: list[StepResult] = field(default_factory=list)  # the sequence's run up to the divergence
    repeats: list[int] = field(default_factory=list)  # further seeds that hit the same signature
    name: str = ""


@dataclass
class Summary:
    steps: int = 0
    sequences: int = 0
    seeds: list[int] = field(default_factory=list)
    elapsed: float = 0.0
    divergences: list[Divergence] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)  # "method.action" -> steps run
    #: why the run ended before its seeds or budget ran out (a target that stopped answering), or ""
    stopped: str = ""

    @property
    def failing(self) -> list[Divergence]:
        return [d for d in self.divergences if not d.accepted]


class Session:
    def __init__(self, opts: Options, log: Callable[[str], None] | None = None) -> None:
        self.opts = opts
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.allow = Allowlist.load(opts.allowlist)
        self.a = Target("A", opts.a, opts.reset_a, opts.hook_quiet)
        self.b = Target("B", opts.b, opts.reset_b, opts.hook_quiet)
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="difftest")
        self.t0 = time.monotonic()

    # ------------------------------------------------------------------ the run

    def alive(self) -> bool:
        return not self.opts.time_budget or time.monotonic() - self.t0 < self.opts.time_budget

    def run(self) -> Summary:
        self.a.start()
        self.b.start()
        # a mockcrm B runs on A's timeline (Target.follow): two servers at their own speeds would put rows
        # in the same second on one and not on the other, and same-second ties decide some list orders
        self.b.follows_clock = self.b.is_mock
        try:
            return self._run()
        finally:
            self.a.stop()
            self.b.stop()
            self.pool.shutdown()

    def _run(self) -> Summary:
        summary = Summary()
        known: dict[Signature, Divergence] = {}
        try:
            for seed in range(self.opts.seed, self.opts.seed + self.opts.seeds):
                left = self.opts.steps - summary.steps if self.opts.steps else None
                if not self.alive() or (left is not None and left <= 0):
                    break
                self._sequence(seed, left, known, summary)
        except KeyboardInterrupt:
            self.log("interrupted: reporting what was found so far")
        except TargetError as exc:
            # a target went away mid-run: what ran before still counts, so it is reported
            summary.stopped = str(exc)
            self.log(f"stopped: {exc}; reporting what was found so far")
        summary.elapsed = time.monotonic() - self.t0
        return summary

    def _sequence(self, seed: int, left: int | None, known: dict[Signature, Divergence], summary: Summary) -> None:
        steps = generate(seed, self.opts.methods)[:left]
        results = self.run_sequence(steps, stop=True)
        summary.steps += len(results)
        for r in results:
            key = f"{r.step['method']}?action={r.step.get('action')}"
            summary.actions[key] = summary.actions.get(key, 0) + 1
        summary.sequences += 1
        summary.seeds.append(seed)
        found = []
        for i, r in enumerate(results):
            if r.diffs:
                found.append(self._found(seed, steps, results[: i + 1], known, summary))
        self.log(self._progress(seed, results, found))

    def _progress(self, seed: int, results: list[StepResult], found: list[str]) -> str:
        t = time.monotonic() - self.t0
        tail = "; ".join(found) if found else "no divergence"
        return f"seed {seed}: {len(results)} steps, {tail} [{t:.1f}s]"

    def run_sequence(self, steps: list[dict[str, Any]], stop: bool, aligned: bool = False) -> list[StepResult]:
        """Reset both targets, then run the steps; with ``stop``, up to the first divergence that the
        allowlist does not accept (after it the two states may differ anyway); with ``aligned``, each
        step starts just after a second boundary of this machine's clock."""
        for f in [self.pool.submit(self.a.reset), self.pool.submit(self.b.reset)]:
            f.result()
        results = []
        for step in steps:
            if aligned:
                time.sleep(1.02 - time.time() % 1.0)
            r = run_step(self.pool, self.a, self.b, step, self.opts.creds)
            results.append(r)
            if stop and r.diffs and not self.allow.accepts(step, r.diffs):
                break
        return results

    # ------------------------------------------------------------------ divergences

    def _found(
        self,
        seed: int,
        steps: list[dict[str, Any]],
        original: list[StepResult],
        known: dict[Signature, Divergence],
        summary: Summary,
    ) -> str:
        i, r = len(original) - 1, original[-1]
        accepted = self.allow.accepts(r.step, r.diffs)
        kind, path = next(((k, p) for k, p in r.diffs if not self.allow.reason(r.step, k, p)), r.diffs[0])
        sig = signature(r, kind, path)
        where = f"{r.step['id']} {kind} {path}" + (" (accepted)" if accepted else "")
        if sig in known:
            known[sig].repeats.append(seed)
            return where + " (seen)"
        d = Divergence(seed, steps, i, r, sig, accepted, original=original)
        d.minimal = self._shrink(d)
        if not accepted and not self._reproduces(d):
            d.accepted = UNSTABLE
        d.name = f"diff-{len(summary.divergences) + 1:03d}-{r.step['method']}-{r.step.get('action')}".replace(" ", "_")
        known[sig] = d
        summary.divergences.append(d)
        return where + f" -> {len(d.minimal)} steps"

    def _reproduces(self, d: Divergence) -> bool:
        """Whether the minimal sequence diverges the same way on two more runs, the second with every step
        at the start of a second.  One that comes and goes depends on the two servers' timing, not on what
        the mock does: a second boundary between two writes, or between the reference server's stamp and
        the Date header its answer went out with, which B's clock follows (a slow answer, such as one that
        waits for its webhooks, ends in the next second)."""
        steps = [r.step for r in d.minimal]
        for aligned in (False, True):
            if not self.alive():
                return True
            end = self.run_sequence(steps, stop=False, aligned=aligned)[-1]
            if not any(signature(end, k, p) == d.signature for k, p in end.diffs):
                return False
        return True

    def _shrink(self, d: Divergence) -> list[StepResult]:
        prefix, last = d.sequence[: d.index], d.sequence[d.index]
        best: list[list[StepResult]] = []

        def still(candidate: list[dict[str, Any]]) -> bool:
            results = self.run_sequence(candidate, stop=False)
            end = results[-1]
            if any(signature(end, k, p) == d.signature for k, p in end.diffs):
                best.append(results)
                return True
            return False

        until = time.monotonic() + self.opts.shrink_time
        budget = Budget(self.opts.shrink_tries, lambda: self.alive() and time.monotonic() < until)
        kept = shrink(prefix, last, still, budget, may_write)
        minimal = kept + [last]
        if kept == prefix:
            return d.original  # nothing could be cut
        if best and [r.step for r in best[-1]] == minimal:
            return best[-1]
        # the budget ran out between a confirmed cut and its last run: run it once more for A's answers
        if still(minimal):
            return best[-1]
        return d.original
