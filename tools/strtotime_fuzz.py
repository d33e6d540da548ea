"""Random token combinations through php 8 and mockcrm.php_time; prints the spellings where they differ.

Usage: .venv/bin/python tools/strtotime_fuzz.py [SEED]  (needs the php CLI; add what it finds to strtotime_table.py)
"""

import datetime as dt
import json
import random
import subprocess
import sys
from zoneinfo import ZoneInfo

sys.path.insert(0, ".")
from mockcrm import php_time

toks = [
    "2025-03-15",
    "15.03.2025",
    "03/15/2025",
    "15 March 2025",
    "March 15",
    "Mar",
    "2025",
    "10:00",
    "10:00:00",
    "10am",
    "3pm",
    "noon",
    "midnight",
    "today",
    "tomorrow",
    "yesterday",
    "now",
    "next",
    "last",
    "this",
    "first",
    "second",
    "third",
    "monday",
    "fri",
    "sunday",
    "week",
    "day",
    "month",
    "year",
    "hours",
    "+1",
    "-2",
    "+3 days",
    "-1 week",
    "2 weeks",
    "ago",
    "of",
    "day of",
    "first day of",
    "last day of",
    "UTC",
    "MSK",
    "+03:00",
    "Z",
    "T",
    "t",
    "@1700000000",
    "20250315",
    "1000",
    "2359",
    "00",
    "0",
    "31",
    "29",
    "feb",
    "february",
    "dec",
    ",",
    ".",
    "  ",
    "-",
    "/",
    "weekday",
    "weekdays",
    "+2 weekdays",
    "back of",
    "front of",
    "12",
    "1",
    "99",
    "2028",
    "III",
    "XII",
    "GMT",
    "Europe/Moscow",
    "a",
    "s",
    "sat",
    "Sat,",
    "21",
    "Dec",
    "2000",
    "16:01:07",
    "+0200",
    "2025-02-29",
    "2024-02-29",
    "24:00",
    "23:59:60",
    "1st",
    "2nd",
    "3rd",
    "4th",
    "15th",
    "at",
    "in",
    "и",
    "завтра",
    "x",
    "ms",
    "sec",
    "min",
    "fortnight",
    "eighth",
    "twelfth",
    "previous",
]
R = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
texts = []
for _ in range(3000):
    n = R.randint(1, 4)
    sep = R.choice([" ", " ", "", "  ", ", "])
    texts.append(sep.join(R.choice(toks) for _ in range(n)))
texts = list(dict.fromkeys(texts))
now = 1733300000
php = (
    '$in=json_decode(file_get_contents("php://stdin"),true); date_default_timezone_set("Europe/Moscow");'
    + " $o=[]; foreach($in as $t){$r=strtotime($t,"
    + str(now)
    + "); $o[]=$r===false?null:$r;} echo json_encode($o);"
)
out = json.loads(
    subprocess.run(["php", "-r", php], input=json.dumps(texts), capture_output=True, text=True, check=True).stdout
)
nowdt = dt.datetime.fromtimestamp(now, ZoneInfo("Europe/Moscow")).replace(tzinfo=None)
bad = []
for t, want in zip(texts, out, strict=True):
    try:
        got = php_time.strtotime(t, "Europe/Moscow", nowdt)
    except Exception as e:
        got = f"EXC {e!r}"
    if got != want:
        bad.append((t, want, got))
print(len(bad), "of", len(texts))


def f(x: object) -> object:
    return php_time.date("Y-m-d H:i:s", x, "Europe/Moscow") if isinstance(x, int) else x


for t, w, g in bad[:40]:
    print(repr(t), "php", f(w), "mock", f(g))
