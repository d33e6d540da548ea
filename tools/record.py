#!/usr/bin/env python3
"""Golden-corpus recorder for the SalesMan CRM REST API v2.

Reads scenario files  SCENARIOS/NAME.json  and writes one golden line per step to
OUT/NAME.jsonl  (--scenarios and --out are required).  Python 3.11 standard library only.

Environment (all required unless noted):
  SALESMAN_URL        base URL of the target, e.g. http://HOST:PORT (API = $SALESMAN_URL/developer/v2/<method>)
  SALESMAN_APIKEY     API key
  SALESMAN_LOGIN      admin login            (step "as": "admin")
  SALESMAN_LOGIN2     ordinary manager login (step "as": "manager")
  SALESMAN_LOGIN3     second manager login   (step "as": "manager2")
  ORACLE_RESET        shell command run before every scenario (wipes the target to a fresh install)
  ORACLE_HOOK_LOG     JSON-lines log written by the webhook receiver the target posts every event to
                      (one object per delivery with at least "path": "/hook/<event>" and "body": "<raw JSON>")
  ORACLE_SCRUB        optional, ':'-separated literal strings (e.g. the server's document root) replaced
                      by {WEBROOT} in recorded text; a generic absolute-path scrubber runs anyway.

Scenario format:
  {"name": ..., "description": ..., "steps": [
     {"id": "client-add-basic", "as": "admin"|"manager"|"manager2"|"bad-apikey"|"unknown-login"|"none",
      "transport": "get"|"form"|"json-headers"|"json-body", "method": "client", "action": "add"|null,
      "params": {...},
      # optional extensions (copied into the golden line, honoured by replay.py as well):
      "path": "client.php",          # endpoint path under /developer/v2/ instead of <method>
      "headers": {"Name": "value"|null},  # extra request headers (null removes a default header)
      "body_raw": "...",             # POST body sent verbatim (json transports / form)
      "sleep": 1.1,                  # seconds to wait before sending (forces distinct timestamps)
      "volatile": true,              # body is not deterministic: replay compares status + webhooks only
      "volatile_paths": ["data.totime"],   # JSON paths ignored by replay ("*" = any list index / key)
      "note": "free text"}]}
  Tokens {APIKEY} {LOGIN} {LOGIN2} {LOGIN3} {APIKEY_LOWER} {LOGIN_UPPER} inside string values of
  params / headers / body_raw / path are replaced by the credentials from the environment at request
  time (the golden line keeps the tokens).

Transports:
  get           GET, every parameter in the query string (PHP http_build_query style, all %-encoded)
  form          POST application/x-www-form-urlencoded, login/apikey/action in the body
  json-headers  POST Content-Type: application/json, headers apikey/login, body = {"action":..., **params}
  json-body     POST Content-Type: application/json, body = {"apikey":..,"login":..,"action":..., **params}

Golden line (one per step):
  {"id","as","transport","method","action","params",[extensions],"status","content_type",
   "body" (parsed JSON or null), "raw" (only when the body is not JSON), "webhooks": [{"event","payload"}],
   "recorded_at" (UTC ISO time taken from the response Date header)}
  Occurrences of the base URL in response strings are written as {BASE_URL}; absolute server paths
  as {WEBROOT}.

Usage:
  python3 record.py --scenarios DIR --out DIR [--only NAME ...] [--no-reset]
"""

import argparse
import email.utils
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
# the replayer builds and sends requests with the same code, so it sends exactly what was recorded
from contract.replay import build_request, send  # noqa: E402

# absolute filesystem paths that lead into the application tree -> {WEBROOT}/
PATH_RE = re.compile(
    r"(?<![\w{}.:/-])/(?:[^\s/<>:'\"()\[\]]+/)*?"
    r"(?=(?:developer|inc|vendor|modules|plugins|cash|files|content|_install|api|templates)/)"
)
# any other absolute path of a .php file (e.g. a router script outside the document root) -> {WEBROOT}/x.php
PHP_FILE_RE = re.compile(r"(?<![\w{}.:/-])/(?:[^\s/<>:'\"()\[\]]+/)+(?=[^\s/<>:'\"()\[\]]+\.php\b)")


def env(name, required=True):
    v = os.environ.get(name)
    if required and not v:
        sys.exit(f"record.py: environment variable {name} is not set")
    return v


# ---------------------------------------------------------------- response scrubbing


def make_scrubber(cfg):
    base = cfg["base"].rstrip("/")
    hostport = urllib.parse.urlsplit(base).netloc
    literal = [s for s in (os.environ.get("ORACLE_SCRUB") or "").split(":") if s]

    def scrub_str(s):
        for lit in literal:
            s = s.replace(lit.rstrip("/") + "/", "{WEBROOT}/").replace(lit, "{WEBROOT}")
        s = PATH_RE.sub("{WEBROOT}/", s)
        s = PHP_FILE_RE.sub("{WEBROOT}/", s)
        s = s.replace(base, "{BASE_URL}")
        if hostport:
            s = s.replace(hostport, "{BASE_HOST}")
        return s

    def scrub(obj):
        if isinstance(obj, str):
            return scrub_str(obj)
        if isinstance(obj, list):
            return [scrub(x) for x in obj]
        if isinstance(obj, dict):
            return {scrub_str(k): scrub(v) for k, v in obj.items()}
        return obj

    return scrub


# ---------------------------------------------------------------- webhook log


class HookLog:
    def __init__(self, path):
        self.path = path
        self.offset = 0

    def truncate(self):
        with open(self.path, "a"):
            pass
        with open(self.path, "r+") as f:
            f.truncate(0)
        self.offset = 0

    def size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def mark(self):
        self.offset = self._complete_end()

    def _complete_end(self):
        with open(self.path, "rb") as f:
            data = f.read()
        i = data.rfind(b"\n")
        return i + 1 if i >= 0 else 0

    def settle(self, max_wait=8.0, quiet=0.12):
        """Wait until the log stops growing for `quiet` seconds."""
        t0 = time.time()
        last = self.size()
        stable_since = time.time()
        while time.time() - t0 < max_wait:
            time.sleep(0.03)
            s = self.size()
            if s != last:
                last = s
                stable_since = time.time()
            elif time.time() - stable_since >= quiet:
                break

    def read_new(self):
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n")
        if end < 0:
            return []
        chunk = data[: end + 1]
        self.offset += len(chunk)
        out = []
        for line in chunk.decode("utf-8", "replace").splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            path = rec.get("path", "")
            m = re.match(r"^/hook/([^?]+)", path)
            if not m:
                continue  # pings and other noise
            event = urllib.parse.unquote(m.group(1))
            payload = None
            raw = rec.get("body")
            if isinstance(raw, str):
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = {"_raw": raw}
            elif "json" in rec:
                payload = rec["json"]
            out.append({"event": event, "payload": payload})
        return out


# ---------------------------------------------------------------- main loop

STEP_KEYS_FIRST = ["id", "as", "transport", "method", "action", "params"]


def record_step(step, cfg, hooks, scrub):
    if step.get("sleep"):
        time.sleep(float(step["sleep"]))
    method, url, headers, data = build_request(step, cfg)
    hooks.mark()
    err = None
    for _attempt in range(2):
        try:
            status, rh, raw = send(method, url, headers, data, 60)
            break
        except Exception as e:  # connection refused / reset / timeout
            err = f"{type(e).__name__}: {e}"
            time.sleep(1.0)
    else:
        status, rh, raw = 0, {}, err.encode()
    hooks.settle()
    deliveries = hooks.read_new()
    text = raw.decode("utf-8", "replace")
    line = {k: step.get(k) for k in STEP_KEYS_FIRST}
    line["params"] = step.get("params") or {}
    for k, v in step.items():
        if k not in line:
            line[k] = v
    line["status"] = status
    ct = next((v for k, v in rh.items() if k.lower() == "content-type"), None)
    line["content_type"] = ct
    try:
        body = json.loads(text) if text.strip() else None
        parsed = bool(text.strip())
    except ValueError:
        body, parsed = None, False
    line["body"] = scrub(body)
    if not parsed:
        line["raw"] = scrub(text)
    line["webhooks"] = scrub(deliveries)
    date_hdr = next((v for k, v in rh.items() if k.lower() == "date"), None)
    ts = None
    if date_hdr:
        try:
            ts = email.utils.parsedate_to_datetime(date_hdr)
        except (TypeError, ValueError):
            ts = None
    line["recorded_at"] = (
        ts.strftime("%Y-%m-%dT%H:%M:%SZ") if ts else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    )
    return line, err if status == 0 else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenarios", required=True, help="folder of scenario files NAME.json")
    ap.add_argument("--out", required=True, help="folder the golden NAME.jsonl files are written to")
    ap.add_argument("--only", action="append", default=[], help="scenario NAME (file stem); repeatable")
    ap.add_argument("--no-reset", action="store_true", help="do not run ORACLE_RESET (debugging only)")
    args = ap.parse_args()

    cfg = {
        "base": env("SALESMAN_URL"),
        "apikey": env("SALESMAN_APIKEY"),
        "login": env("SALESMAN_LOGIN"),
        "login2": env("SALESMAN_LOGIN2"),
        "login3": env("SALESMAN_LOGIN3"),
    }
    reset_cmd = env("ORACLE_RESET", required=not args.no_reset)
    hooks = HookLog(env("ORACLE_HOOK_LOG"))
    scrub = make_scrubber(cfg)

    names = sorted(f[:-5] for f in os.listdir(args.scenarios) if f.endswith(".json"))
    if args.only:
        wanted = set(args.only)
        names = [n for n in names if n in wanted]
        missing = wanted - set(names)
        if missing:
            sys.exit(f"record.py: no such scenario(s): {', '.join(sorted(missing))}")
    os.makedirs(args.out, exist_ok=True)

    total = problems = 0
    for name in names:
        with open(os.path.join(args.scenarios, name + ".json"), encoding="utf-8") as f:
            sc = json.load(f)
        ids = [s["id"] for s in sc["steps"]]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            sys.exit(f"record.py: {name}: duplicate step ids: {sorted(dup)}")
        if not args.no_reset:
            r = subprocess.run(reset_cmd, shell=True)
            if r.returncode != 0:
                sys.exit(f"record.py: ORACLE_RESET failed with rc={r.returncode}")
        hooks.truncate()
        t0 = time.time()
        lines = []
        nraw = nhooks = 0
        for step in sc["steps"]:
            line, err = record_step(step, cfg, hooks, scrub)
            lines.append(line)
            if err:
                problems += 1
                print(f"  !! {name}/{step['id']}: {err}", file=sys.stderr)
            if "raw" in line:
                nraw += 1
            nhooks += len(line["webhooks"])
        out = os.path.join(args.out, name + ".jsonl")
        with open(out, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        total += len(lines)
        print(f"{name}: {len(lines)} steps, {nraw} non-JSON bodies, {nhooks} webhooks, {time.time() - t0:.1f}s")
    print(f"recorded {total} steps in {len(names)} scenario(s); {problems} connection problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
