"""The user documentation: README and docs/ link only to what the repository has, and say what is true."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_every_link_stays_in_the_repository_and_resolves() -> None:
    broken = []
    for page in PAGES:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://127.0.0.1", "#")):
                continue
            assert not target.startswith(("http:", "https:")), f"{page.name} links out of the repository: {target}"
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append((page.name, target))
    assert broken == []


def test_docs_index_lists_every_page() -> None:
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {"README.md"}
    assert pages == {t for t in LINK.findall(index) if not t.startswith("..")}


def test_the_events_table_lists_every_recorded_event() -> None:
    recorded = set()
    for path in (ROOT / "contract" / "golden").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            recorded |= {w["event"] for w in json.loads(line).get("webhooks") or []}
    table = (ROOT / "docs" / "webhooks.md").read_text(encoding="utf-8").split("## The events", 1)[1]
    assert set(re.findall(r"^\| `([a-z.]+)` \|", table, re.MULTILINE)) == recorded


def test_every_setting_is_documented() -> None:
    import dataclasses

    from mockcrm.settings import PREFIX, Settings

    page = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    assert [f.name for f in dataclasses.fields(Settings) if f"`{PREFIX}{f.name.upper()}`" not in page] == []


def test_the_quirks_page_is_made_from_the_code() -> None:
    import runpy

    tool = runpy.run_path(str(ROOT / "tools" / "quirks.py"))
    page = tool["page"]()
    assert (ROOT / "docs" / "quirks.md").read_text(encoding="utf-8") == page, "run make quirks"
    assert page.count("\n- **") > 350  # every marked quirk, with the function it sits in


def test_the_performance_figures_are_the_last_bench_run() -> None:
    # make bench writes bench/results.*: the pages quote that run, not an older one
    assert (ROOT / "bench" / "results.md").read_text(encoding="utf-8") in (ROOT / "docs" / "performance.md").read_text(
        encoding="utf-8"
    ), "copy bench/results.md into docs/performance.md"
    results = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
    summary, mixed = results["summary"], results["mixed"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## Performance", 1)[1].split("\n## ", 1)[0]
    rows = [tuple(cells.split(" | ")[-2:]) for cells in re.findall(r"^\| (.+) \|$", readme, re.MULTILINE)[1:]]
    expected = [
        (f"{summary[s]['mockcrm_rps']:.0f}", f"{summary[s]['flask_rps']:.0f}")
        for s in ("client.info", "client.list", "client.add")
    ]
    assert rows == [*expected, (f"{mixed['mockcrm_tests_per_s']:.0f}", f"{mixed['flask_tests_per_s']:.0f}")]
