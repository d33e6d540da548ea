#!/usr/bin/env python3
"""The 100,000-clients goal, in-process: RSS and the p50 of ``client list`` with ``word``.

Makes a few hundred clients through the API (so rows are exactly what the API stores), then
copies those rows straight into the table up to ``--clients`` with unique titles and phones
(5 % carry the searched word), and measures through WSGI calls (no HTTP server):

* RSS of the process after seeding (goal ≤ 300 MB);
* ``client list`` with ``word`` (goal p50 ≤ 50 ms), searched and rendered on every call, the
  first (cold) call apart; for reference the same list repeated (its kept answer) and right
  after a write (search text and records made again);
* for reference: ``client info``, ``client add`` (duplicate check) and ``client list`` without word.

    python bench/scale.py [--clients 100000] [--calls 30]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from mockcrm import Settings, create_app

APIKEY = "VaSeZvkTfh5HMjJpNnge1W7Bloim0S"
CREDS = {"login": "admin@example.com", "apikey": APIKEY}
WORD = "Альфа"
STREETS = ["ул. Ленина", "пр. Мира", "ул. Пушкина", "Komsomolsky ave.", "ул. Гагарина"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def api_path(method: str, action: str, **params: object) -> str:
    return f"/developer/v2/{method}?" + urllib.parse.urlencode({"action": action, **CREDS, **params})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()

    start_rss = rss_mb()
    app = create_app(Settings(log_requests=False))
    backend = app.extensions["mockcrm"]

    def call(path: str) -> tuple[float, bytes]:
        environ = EnvironBuilder(path).get_environ()
        started = time.perf_counter()
        body = b"".join(app(environ, lambda status, headers: None))
        return (time.perf_counter() - started) * 1000, body

    # templates: rows exactly as the API makes them, with the usual optional columns filled
    for i in range(200):
        call(
            api_path(
                "client",
                "add",
                title=f"Шаблон {i}",
                phone=f"+7 (342) 2{i:02d}-00-{i:02d}",
                mail_url=f"info{i}@example.ru",
                site_url=f"https://client{i}.example.ru",
                address=f"г. Пермь, {STREETS[i % len(STREETS)]}, д. {i}",
                des=f"Клиент из рассылки, сегмент {i % 7}. Контакт через секретаря.",
            )
        )
    account = backend.accounts[1]
    table = account.table("clientcat", "clid")
    templates = list(table)
    seeded_at = time.perf_counter()
    for n in range(len(templates), args.clients):
        row = dict(templates[n % len(templates)])
        row["clid"] = None
        row["title"] = f"{WORD} {n:06d}" if n % 20 == 0 else f"ООО Клиент {n:06d}"
        row["phone"] = f"+7 (342) {n // 10000:03d}-{n % 10000 // 100:02d}-{n % 100:02d}"
        row["mail_url"] = f"client{n}@example.ru"
        table.insert(row)
    seed_s = time.perf_counter() - seeded_at
    gc.collect()
    rss = rss_mb()

    word = api_path("client", "list", word=WORD)
    cold_ms, body = call(word)
    listed = json.loads(body)

    def searched(path: str) -> float:
        # the goal is the search and the page, not the kept answer: forget the rows found for
        # the word and the rendered records (the folded search text stays, as between reads)
        memo = table.memo
        for key in [k for k in memo if k.startswith("list:")]:
            del memo[key]
        if "word.text" in memo:
            memo["word.text"].found.clear()
        return call(path)[0]

    times = [searched(word) for _ in range(args.calls)]
    repeated = [call(word)[0] for _ in range(args.calls)]
    after_write = []
    first = next(iter(table.rows))
    for n in range(max(3, args.calls // 5)):
        # a client row changes: the search text and the records are made again
        table.update(first, {"des": f"Заметка {n}"})
        after_write.append(call(word)[0])
    figures: dict[str, Any] = {
        "clients": len(table),
        "seed_s": round(seed_s, 2),
        "rss_mb": round(rss, 1),
        "rss_before_app_mb": round(start_rss, 1),
        "list_word_count": listed.get("count"),
        "list_word_rows": len(listed.get("data", [])),
        "list_word_cold_ms": round(cold_ms, 1),
        "list_word_p50_ms": round(statistics.median(times), 1),
        "list_word_max_ms": round(max(times), 1),
        "list_word_repeated_p50_ms": round(statistics.median(repeated), 2),
        "list_word_after_write_p50_ms": round(statistics.median(after_write), 1),
    }
    plain = [call(api_path("client", "list"))[0] for _ in range(max(3, args.calls // 3))]
    figures["list_plain_p50_ms"] = round(statistics.median(plain), 1)
    info = [call(api_path("client", "info", clid=args.clients // 2))[0] for _ in range(args.calls)]
    figures["info_p50_ms"] = round(statistics.median(info), 2)
    add = [call(api_path("client", "add", title=f"Новый {i}"))[0] for i in range(args.calls)]
    figures["add_p50_ms"] = round(statistics.median(add), 2)
    figures["rss_end_mb"] = round(rss_mb(), 1)

    print(f"clients {figures['clients']:,} (seeded in {figures['seed_s']} s)")
    print(f"RSS after seeding: {figures['rss_mb']} MB (goal ≤ 300), at the end {figures['rss_end_mb']} MB")
    print(
        f"list word={WORD!r}: {figures['list_word_count']} found, p50 {figures['list_word_p50_ms']} ms "
        f"(goal ≤ 50), max {figures['list_word_max_ms']} ms, first call {figures['list_word_cold_ms']} ms"
    )
    print(
        f"  the same list repeated (kept answer) p50 {figures['list_word_repeated_p50_ms']} ms; "
        f"right after a write p50 {figures['list_word_after_write_p50_ms']} ms"
    )
    print(f"list without word: p50 {figures['list_plain_p50_ms']} ms")
    print(f"info p50 {figures['info_p50_ms']} ms; add p50 {figures['add_p50_ms']} ms")
    if args.json:
        print(json.dumps(figures))
    ok = figures["rss_mb"] <= 300 and figures["list_word_p50_ms"] <= 50
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
