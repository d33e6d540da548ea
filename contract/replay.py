#!/usr/bin/env python3
"""Replay golden SalesMan CRM API v2 exchanges against a target (the mock, or the real server) and diff.

    python3 replay.py --base-url URL [--apikey KEY] [--login-admin L] [--login-manager L2] [--login-manager2 L3]
                      [--reset "shell command"] [--hook-port 18765] [--only NAME ...] [--no-webhooks]
                      [--json-report FILE] [--hook-quiet S] [--clock-url URL] GOLDEN_DIR_OR_FILES...

Every golden file (NAME.jsonl, one recorded step per line, written by oracle/record.py) is replayed in order:
  1. --reset is run (shell) before each file, so the target starts from a fresh install (ids from 1);
  2. each step's request is rebuilt exactly as it was recorded (transport get / form / json-headers / json-body,
     PHP-style nested query encoding, credentials of the step's "as" user, optional path/headers/body_raw/sleep);
  3. webhook deliveries are collected by a receiver started by this tool on 127.0.0.1:--hook-port
     (the target must POST every event to http://127.0.0.1:<port>/hook/<event>, JSON body);
  4. status, body (JSON, or raw text when the golden body was not JSON) and webhooks [{event, payload}] are
     compared with the golden line after normalising volatile values.

A step passes when status, body and webhooks all match.  The last line printed is exactly
    N passed, M failed
Exit status: 0 when M == 0, 1 otherwise, 2 on usage/setup errors.

Normalisation (applied symmetrically, value by value):
  * date/time strings near "now" -> placeholders.  A value counts as "now-ish" when it lies within
    --window-days (default 60) of the response time: the golden side uses the line's recorded_at, the target
    side the response Date header (or this machine's clock).  Placeholders: {DATETIME} for YYYY-MM-DD HH:MM[:SS]
    (also with T), {DATE} for YYYY-MM-DD, {DMY_HM} for the client card format "DD.MM.YY,  HH:MM", {DMY} for
    DD.MM.YYYY, {DMY_RU} for the invoice page's "DD Месяца YYYY".  A target value is only replaced where
    the golden value at the same place was replaced, so
    explicit dates (e.g. 2031-03-31) are always compared literally.  Ids are never normalised.
  * absolute server paths in texts (PHP fatal errors) -> {WEBROOT}/...; the target base URL -> {BASE_URL},
    its host:port -> {BASE_HOST}.
  * golden logins are mapped to the --login-* values when those differ from the recorded defaults.
  * a golden line with "volatile": true is compared on status and webhooks only (body skipped);
    "volatile_paths": ["data.*.totime", "data.datum#time", ...] blanks those JSON paths on both sides ("*" = any
    key/index; a trailing "#time" masks only the HH:MM[:SS] part; paths starting with "webhooks." apply to the
    webhook list).
JSON values are compared type-strictly (1 != 1.0 != "1" != true); object key order is ignored unless
--strict-key-order is given.
"""

import argparse
import datetime as dt
import difflib
import email.utils
import http.client
import http.server
import json
import os
import re
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

# values the golden files were recorded with (the oracle install)
DEFAULT_APIKEY = "VaSeZvkTfh5HMjJpNnge1W7Bloim0S"
DEFAULT_LOGIN_ADMIN = "admin@example.com"
DEFAULT_LOGIN_MANAGER = "manager@example.com"
DEFAULT_LOGIN_MANAGER2 = "manager2@example.com"

BAD_APIKEY = "WRONG-APIKEY-0000000000000000"
UNKNOWN_LOGIN = "nobody@example.com"

PATH_RE = re.compile(
    r"(?<![\w{}.:/-])/(?:[^\s/<>:'\"()\[\]]+/)*?"
    r"(?=(?:developer|inc|vendor|modules|plugins|cash|files|content|_install|api|templates)/)"
)
PHP_FILE_RE = re.compile(r"(?<![\w{}.:/-])/(?:[^\s/<>:'\"()\[\]]+/)+(?=[^\s/<>:'\"()\[\]]+\.php\b)")

RU_MONTHS = ("Января", "Февраля", "Марта", "Апреля", "Мая", "Июня", "Июля", "Августа", "Сентября", "Октября",
             "Ноября", "Декабря")  # fmt: skip

DATE_PATTERNS = [
    # (regex, placeholder, parser)
    (
        re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?!\d)"),
        "{DATETIME}",
        lambda m: dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0)),
    ),
    (
        re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?![\d:])"),
        "{DATE}",
        lambda m: dt.datetime(int(m[1]), int(m[2]), int(m[3])),
    ),
    (
        re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{2}),\s+(\d{2}):(\d{2})(?!\d)"),
        "{DMY_HM}",
        lambda m: dt.datetime(2000 + int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5])),
    ),
    (
        re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{4})(?!\d)"),
        "{DMY}",
        lambda m: dt.datetime(int(m[3]), int(m[2]), int(m[1])),
    ),
    (
        # the invoice page's date in words, "04 Декабря 2026" (format_date_rus_name)
        re.compile(r"(?<!\d)(\d{2}) (" + "|".join(RU_MONTHS) + r") (\d{4})(?!\d)"),
        "{DMY_RU}",
        lambda m: dt.datetime(int(m[3]), RU_MONTHS.index(m[2]) + 1, int(m[1])),
    ),
]


# ---------------------------------------------------------------- request building (tools/record.py uses it too)


def php_pairs(value, prefix):
    """Flatten like PHP http_build_query: a[b][0]=x.  None is skipped, bools -> 1/0."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += php_pairs(v, f"{prefix}[{k}]" if prefix else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += php_pairs(v, f"{prefix}[{i}]")
    elif value is None:
        pass
    elif value is True:
        out.append((prefix, "1"))
    elif value is False:
        out.append((prefix, "0"))
    else:
        out.append((prefix, str(value)))
    return out


def php_query(d):
    return "&".join(
        urllib.parse.quote_plus(k, safe="") + "=" + urllib.parse.quote_plus(v, safe="") for k, v in php_pairs(d, "")
    )


def substitute(obj, tokens):
    if isinstance(obj, str):
        for k, v in tokens.items():
            if k in obj:
                obj = obj.replace(k, v)
        return obj
    if isinstance(obj, list):
        return [substitute(x, tokens) for x in obj]
    if isinstance(obj, dict):
        return {substitute(k, tokens): substitute(v, tokens) for k, v in obj.items()}
    return obj


def credentials(who, cfg):
    """-> (login, apikey) or (None, None) for 'none'."""
    pairs = {
        "admin": (cfg["login"], cfg["apikey"]),
        "manager": (cfg["login2"], cfg["apikey"]),
        "manager2": (cfg["login3"], cfg["apikey"]),
        "bad-apikey": (cfg["login"], BAD_APIKEY),
        "unknown-login": (UNKNOWN_LOGIN, cfg["apikey"]),
        "none": (None, None),
    }
    if who not in pairs:
        raise ValueError(f"unknown 'as': {who}")
    return pairs[who]


def build_request(step, cfg):
    tokens = {
        "{APIKEY}": cfg["apikey"],
        "{LOGIN}": cfg["login"],
        "{LOGIN2}": cfg["login2"],
        "{LOGIN3}": cfg["login3"],
        "{APIKEY_LOWER}": cfg["apikey"].lower(),
        "{LOGIN_UPPER}": cfg["login"].upper(),
    }
    params = substitute(step.get("params") or {}, tokens)
    login, apikey = credentials(step.get("as", "admin"), cfg)
    action = step.get("action")
    transport = step.get("transport", "get")
    path = substitute(step.get("path") or step["method"], tokens)
    url = cfg["base"].rstrip("/") + "/developer/v2/" + path
    headers = {}
    data = None
    if transport in ("get", "form"):
        q = {}
        if action is not None:
            q["action"] = action
        if login is not None:
            q["login"] = login
            q["apikey"] = apikey
        q.update(params)
        if transport == "get":
            qs = php_query(q)
            if qs:
                url += ("&" if "?" in url else "?") + qs
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = php_query(q).encode("utf-8")
    elif transport in ("json-headers", "json-body"):
        headers["Content-Type"] = "application/json"
        body = {}
        if transport == "json-headers":
            if login is not None:
                headers["apikey"] = apikey
                headers["login"] = login
        elif login is not None:
            body["apikey"] = apikey
            body["login"] = login
        if action is not None:
            body["action"] = action
        body.update(params)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    else:
        raise ValueError(f"unknown transport: {transport}")
    if "body_raw" in step:
        data = substitute(step["body_raw"], tokens).encode("utf-8")
    for k, v in (step.get("headers") or {}).items():
        for hk in [h for h in headers if h.lower() == k.lower()]:
            del headers[hk]
        if v is not None:
            headers[k] = substitute(v, tokens)
    return ("GET" if data is None else "POST"), url, headers, data


def send(method, url, headers, data, timeout):
    """http.client keeps header names exactly as given (urllib would capitalize them:
    'apikey' -> 'Apikey', 'Content-Type' -> 'Content-type', which PHP's getallheaders() sees)."""
    u = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    conn = cls(u.hostname, u.port, timeout=timeout)
    target = (u.path or "/") + ("?" + u.query if u.query else "")
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)  # header names exactly as given (PHP getallheaders() is case-sensitive)
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


# ---------------------------------------------------------------- webhook receiver


class HookStore:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, item):
        with self.lock:
            self.items.append(item)

    def count(self):
        with self.lock:
            return len(self.items)

    def since(self, n):
        with self.lock:
            return list(self.items[n:])


def start_receiver(port, store):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            path = urllib.parse.urlsplit(self.path).path
            m = re.match(r"^/hook/(.+)$", path)
            if m:
                text = body.decode("utf-8", "replace")
                try:
                    payload = json.loads(text)
                except ValueError:
                    payload = {"_raw": text}
                store.add({"event": urllib.parse.unquote(m.group(1)), "payload": payload})
            out = b'{"ok":true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(out)
            self.close_connection = True

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, *a):
            pass

    class Srv(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    srv = Srv(("127.0.0.1", port), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def post_json(url, data, timeout):
    req = urllib.request.Request(
        url, data=json.dumps(data).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as r:
        r.read()


def recorded_time(g):
    try:
        return dt.datetime.strptime(g.get("recorded_at") or "", "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


def settle(store, max_wait, quiet):
    if quiet <= 0:  # the target delivers before it answers (mockcrm's sync mode): nothing to wait for
        return
    t0 = time.time()
    last = store.count()
    stable = time.time()
    while time.time() - t0 < max_wait:
        time.sleep(0.03)
        c = store.count()
        if c != last:
            last, stable = c, time.time()
        elif time.time() - stable >= quiet:
            break


# ---------------------------------------------------------------- normalisation


def parse_iso_utc(s):
    try:
        return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None


def date_spans(s, ref, window):
    """[(start, end, placeholder)] of date-like substrings of s within `window` of ref (naive UTC)."""
    spans = []
    taken = []
    for rx, ph, parse in DATE_PATTERNS:
        for m in rx.finditer(s):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            try:
                v = parse(m)
            except ValueError:
                continue
            if ref is not None and abs((v - ref).total_seconds()) <= window.total_seconds():
                spans.append((m.start(), m.end(), ph))
            taken.append((m.start(), m.end()))
    return sorted(spans)


def apply_spans(s, spans):
    out, pos = [], 0
    for a, b, ph in spans:
        out.append(s[pos:a])
        out.append(ph)
        pos = b
    out.append(s[pos:])
    return "".join(out)


def norm_pair(exp, act, ctx):
    """Normalise golden value `exp` and target value `act` together (same place in both documents)."""
    if isinstance(exp, dict) and isinstance(act, dict):
        e2, a2 = {}, {}
        for k in exp:
            if k in act:
                e2[k], a2[k] = norm_pair(exp[k], act[k], ctx)
            else:
                e2[k] = norm_one(exp[k], ctx, golden=True)
        for k in act:
            if k not in exp:
                a2[k] = norm_one(act[k], ctx, golden=False)
        return e2, a2
    if isinstance(exp, list) and isinstance(act, list):
        e2, a2 = [], []
        for i in range(max(len(exp), len(act))):
            if i < len(exp) and i < len(act):
                x, y = norm_pair(exp[i], act[i], ctx)
                e2.append(x)
                a2.append(y)
            elif i < len(exp):
                e2.append(norm_one(exp[i], ctx, golden=True))
            else:
                a2.append(norm_one(act[i], ctx, golden=False))
        return e2, a2
    if isinstance(exp, str) and isinstance(act, str):
        e = ctx["golden_str"](exp)
        a = ctx["target_str"](act)
        es = date_spans(e, ctx["ref_golden"], ctx["window"])
        if not es:
            return e, a
        e_n = apply_spans(e, es)
        as_ = date_spans(a, ctx["ref_target"], ctx["window"])
        return e_n, apply_spans(a, as_)
    return norm_one(exp, ctx, golden=True), norm_one(act, ctx, golden=False)


def norm_one(v, ctx, golden):
    if isinstance(v, dict):
        return {k: norm_one(x, ctx, golden) for k, x in v.items()}
    if isinstance(v, list):
        return [norm_one(x, ctx, golden) for x in v]
    if isinstance(v, str):
        if golden:
            s = ctx["golden_str"](v)
            return apply_spans(s, date_spans(s, ctx["ref_golden"], ctx["window"]))
        s = ctx["target_str"](v)
        return apply_spans(s, date_spans(s, ctx["ref_target"], ctx["window"]))
    return v


TIME_RE = re.compile(r"(?<!\d)\d{2}:\d{2}(?::\d{2})?(?!\d)")


def _mask(value, mode):
    if mode == "time" and isinstance(value, str):
        return TIME_RE.sub("{TIME}", value)
    return "{IGNORED}"


def drop_path(obj, parts):
    """Blank out the value(s) at a dotted path ("*" = any key/index).  A last component "name#time" only
    masks the time of day inside the value (date kept), e.g. "data.datum#time"."""
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    mode = None
    if not rest and "#" in head:
        head, mode = head.split("#", 1)
    if isinstance(obj, dict):
        keys = list(obj.keys()) if head == "*" else ([head] if head in obj else [])
        for k in keys:
            if rest:
                drop_path(obj[k], rest)
            else:
                obj[k] = _mask(obj[k], mode)
    elif isinstance(obj, list):
        if head == "*":
            idx = range(len(obj))
        elif head.isdigit() and int(head) < len(obj):
            idx = [int(head)]
        else:
            idx = []
        for i in idx:
            if rest:
                drop_path(obj[i], rest)
            else:
                obj[i] = _mask(obj[i], mode)


def canon(v, strict_order):
    return json.dumps(v, ensure_ascii=False, sort_keys=not strict_order)


def pretty(v, strict_order):
    return json.dumps(v, ensure_ascii=False, indent=1, sort_keys=not strict_order).splitlines()


# ---------------------------------------------------------------- main


def load_golden(paths, only):
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".jsonl"))
        else:
            files.append(p)
    if only:
        wanted = set(only)
        files = [f for f in files if os.path.basename(f)[:-6] in wanted or os.path.basename(f) in wanted]
    return files


def fatal_head(text):
    """A PHP fatal-error page up to its stack trace; any other text unchanged."""
    if "<b>Fatal error</b>" in text and "Stack trace:" in text:
        return text.split("Stack trace:", 1)[0] + "Stack trace: ..."
    return text


def main():
    ap = argparse.ArgumentParser(
        description="Replay golden SalesMan API v2 exchanges and diff them.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    ap.add_argument("golden", nargs="+", help="golden directory (all *.jsonl) or files")
    ap.add_argument("--base-url", required=True, help="target base URL, e.g. http://127.0.0.1:8090")
    ap.add_argument("--apikey", default=DEFAULT_APIKEY)
    ap.add_argument("--login-admin", default=DEFAULT_LOGIN_ADMIN)
    ap.add_argument("--login-manager", default=DEFAULT_LOGIN_MANAGER)
    ap.add_argument("--login-manager2", default=DEFAULT_LOGIN_MANAGER2)
    ap.add_argument("--reset", help="shell command run before each golden file (fresh install)")
    ap.add_argument("--hook-port", type=int, default=18765, help="port of this tool's webhook receiver")
    ap.add_argument("--only", action="append", default=[], help="golden file NAME (stem) to run; repeatable")
    ap.add_argument("--no-webhooks", action="store_true", help="do not compare webhooks (and start no receiver)")
    ap.add_argument("--json-report", help="write per-step results to this file")
    ap.add_argument("--window-days", type=float, default=60.0, help="date normalisation window (default 60)")
    ap.add_argument("--strict-key-order", action="store_true", help="object key order must match too")
    ap.add_argument("--timeout", type=float, default=60.0, help="HTTP timeout per request (s)")
    ap.add_argument(
        "--hook-quiet",
        type=float,
        default=0.15,
        help="webhook settle: quiet period (s); 0 = no wait, for a target that delivers before it answers",
    )
    ap.add_argument(
        "--clock-url",
        help="a mockcrm's /__mockcrm/clock: frozen after each reset and moved on by the seconds between two "
        "steps' recorded_at, so rows get the seconds they got on the recorded server (no sleeping)",
    )
    ap.add_argument("--hook-max-wait", type=float, default=6.0, help="webhook settle: max wait (s)")
    ap.add_argument("--max-diff-lines", type=int, default=80)
    ap.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    args = ap.parse_args()

    cfg = {
        "base": args.base_url.rstrip("/"),
        "apikey": args.apikey,
        "login": args.login_admin,
        "login2": args.login_manager,
        "login3": args.login_manager2,
    }
    files = load_golden(args.golden, args.only)
    if not files:
        print("replay.py: no golden files selected", file=sys.stderr)
        return 2
    if not args.reset:
        print(
            "replay.py: warning: no --reset given; ids will only match on a freshly installed target",
            file=sys.stderr,
        )

    login_map = {
        DEFAULT_LOGIN_ADMIN: cfg["login"],
        DEFAULT_LOGIN_MANAGER: cfg["login2"],
        DEFAULT_LOGIN_MANAGER2: cfg["login3"],
    }
    login_map = {k: v for k, v in login_map.items() if k != v}
    hostport = urllib.parse.urlsplit(cfg["base"]).netloc

    def golden_str(s):
        for a, b in login_map.items():
            s = s.replace(a, b)
        return s

    def target_str(s):
        s = PATH_RE.sub("{WEBROOT}/", s)
        s = PHP_FILE_RE.sub("{WEBROOT}/", s)
        s = s.replace(cfg["base"], "{BASE_URL}")
        if hostport:
            s = s.replace(hostport, "{BASE_HOST}")
        return s

    store = HookStore()
    srv = None
    if not args.no_webhooks:
        try:
            srv = start_receiver(args.hook_port, store)
        except OSError as e:
            print(f"replay.py: cannot listen on 127.0.0.1:{args.hook_port}: {e}", file=sys.stderr)
            return 2

    window = dt.timedelta(days=args.window_days)
    report = []
    npass = nfail = 0
    for path in files:
        name = os.path.basename(path)[:-6]
        with open(path, encoding="utf-8") as f:
            lines = [json.loads(l) for l in f if l.strip()]
        if args.reset:
            r = subprocess.run(args.reset, shell=True)
            if r.returncode != 0:
                print(f"replay.py: --reset failed (rc={r.returncode})", file=sys.stderr)
                return 2
        time.sleep(0.2)
        fpass = ffail = 0
        if args.clock_url:
            post_json(args.clock_url.rstrip("/") + "/freeze", {}, args.timeout)
        previous = None
        for g in lines:
            if args.clock_url:
                # the recorded timeline instead of real time: same second where the recording had one
                at = recorded_time(g)
                if at and previous and at > previous:
                    seconds = (at - previous).total_seconds()
                    post_json(args.clock_url.rstrip("/") + "/advance", {"seconds": seconds}, args.timeout)
                previous = at or previous
            elif g.get("sleep"):
                time.sleep(float(g["sleep"]))
            method, url, headers, data = build_request(g, cfg)
            n0 = store.count()
            err = None
            try:
                status, rh, raw = send(method, url, headers, data, args.timeout)
            except Exception as e:  # noqa: BLE001 - report any transport failure as a failed step
                status, rh, raw, err = 0, {}, b"", f"{type(e).__name__}: {e}"
            if srv:
                settle(store, args.hook_max_wait, args.hook_quiet)
            hooks = store.since(n0) if srv else []
            text = raw.decode("utf-8", "replace")
            try:
                body = json.loads(text) if text.strip() else None
                parsed = bool(text.strip())
            except ValueError:
                body, parsed = None, False
            date_hdr = next((v for k, v in rh.items() if k.lower() == "date"), None)
            ref_t = None
            if date_hdr:
                try:
                    ref_t = email.utils.parsedate_to_datetime(date_hdr).astimezone(dt.UTC).replace(tzinfo=None)
                except (TypeError, ValueError):
                    ref_t = None
            if ref_t is None:
                ref_t = dt.datetime.utcnow()
            ctx = {
                "ref_golden": parse_iso_utc(g.get("recorded_at")) or ref_t,
                "ref_target": ref_t,
                "window": window,
                "golden_str": golden_str,
                "target_str": target_str,
            }

            # expected / actual documents
            if "raw" in g or (g.get("body") is None and not parsed):
                exp_body = {"raw": g.get("raw") or ""}
                act_body = {"raw": text} if not parsed else {"json": body}
            else:
                exp_body = {"json": g.get("body")}
                act_body = {"json": body} if parsed else {"raw": text}
            # PHP fatal pages: compare the error message, not the server-specific stack frames
            for doc in (exp_body, act_body):
                if "raw" in doc:
                    doc["raw"] = fatal_head(doc["raw"])
            e_b, a_b = norm_pair(exp_body, act_body, ctx)
            e_h, a_h = norm_pair(g.get("webhooks") or [], hooks, ctx)
            for vp in g.get("volatile_paths") or []:
                parts = vp.split(".")
                if parts[0] == "webhooks":
                    drop_path(e_h, parts[1:])
                    drop_path(a_h, parts[1:])
                else:
                    drop_path(e_b.get("json"), parts)
                    drop_path(a_b.get("json"), parts)
            status_ok = status == g.get("status")
            body_ok = (
                True if g.get("volatile") else canon(e_b, args.strict_key_order) == canon(a_b, args.strict_key_order)
            )
            hooks_ok = (
                True if args.no_webhooks else canon(e_h, args.strict_key_order) == canon(a_h, args.strict_key_order)
            )
            ok = status_ok and body_ok and hooks_ok and err is None
            diff = []
            if not ok:
                if err:
                    diff.append(f"! request failed: {err}")
                if not status_ok:
                    diff.append(f"! status: expected {g.get('status')}, got {status}")
                if not body_ok:
                    diff += list(
                        difflib.unified_diff(
                            pretty(e_b, args.strict_key_order),
                            pretty(a_b, args.strict_key_order),
                            "golden body",
                            "target body",
                            lineterm="",
                            n=2,
                        )
                    )
                if not hooks_ok:
                    diff += list(
                        difflib.unified_diff(
                            pretty(e_h, args.strict_key_order),
                            pretty(a_h, args.strict_key_order),
                            "golden webhooks",
                            "target webhooks",
                            lineterm="",
                            n=2,
                        )
                    )
            if ok:
                npass += 1
                fpass += 1
                if not args.quiet:
                    print(f"PASS {name}/{g['id']}")
            else:
                nfail += 1
                ffail += 1
                print(
                    f"FAIL {name}/{g['id']}  ({g.get('method')}?action={g.get('action')} as {g.get('as')} via "
                    f"{g.get('transport')})"
                )
                shown = diff[: args.max_diff_lines]
                for d in shown:
                    print("    " + d)
                if len(diff) > len(shown):
                    print(f"    ... {len(diff) - len(shown)} more diff lines")
            report.append(
                {
                    "file": name,
                    "id": g["id"],
                    "passed": ok,
                    "status_ok": status_ok,
                    "body_ok": body_ok,
                    "webhooks_ok": hooks_ok,
                    "volatile": bool(g.get("volatile")),
                    "expected_status": g.get("status"),
                    "status": status,
                    "error": err,
                    "diff": diff,
                }
            )
        print(f"== {name}: {fpass} passed, {ffail} failed")
    if srv:
        srv.shutdown()
    if args.json_report:
        with open(args.json_report, "w", encoding="utf-8") as f:
            json.dump({"passed": npass, "failed": nfail, "steps": report}, f, ensure_ascii=False, indent=1)
    print(f"{npass} passed, {nfail} failed")
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
