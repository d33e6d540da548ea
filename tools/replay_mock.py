#!/usr/bin/env python3
"""Start a real `mockcrm serve` on a free port and run the golden replay tool against it.

    python tools/replay_mock.py [--shared ../shared] [--replay PATH] [--webhooks] [NAME ...]

Uses ../shared/tools/replay.py (the independent check) with --strict-key-order and resets the
server through POST /__mockcrm/reset before each golden file.  Prints the tool's output and
exits with its status.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"replay_mock: server exited early with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/__mockcrm/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("replay_mock: server did not become healthy")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared/ folder")
    ap.add_argument("--replay", help="replay tool (default: <shared>/tools/replay.py)")
    ap.add_argument("--webhooks", action="store_true", help="compare webhooks too (hooks to a free port)")
    ap.add_argument("--quiet", action="store_true", default=True)
    ap.add_argument("names", nargs="*", help="golden file stems (default: every file of <shared>/golden)")
    args = ap.parse_args()

    replay = Path(args.replay or Path(args.shared) / "tools" / "replay.py")
    golden_dir = Path(args.shared) / "golden"
    if not replay.is_file() or not golden_dir.is_dir():
        # the suite already replays contract/golden with the project's copy of the tool; this is
        # the independent check, required in CI (where shared/ lies beside the clone)
        print(f"replay_mock: {replay} or {golden_dir} not found (pass --shared)", file=sys.stderr)
        if os.environ.get("CI"):
            return 2
        print("replay_mock: skipped (not in CI)", file=sys.stderr)
        return 0
    names = args.names
    files = [str(golden_dir / f"{n}.jsonl") for n in names] if names else [str(golden_dir)]

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MOCKCRM_PORT=str(port), MOCKCRM_HOST="127.0.0.1")
    hook_args = ["--no-webhooks"]
    if args.webhooks:
        hook_port = free_port()
        env["MOCKCRM_WEBHOOKS"] = f'[{{"event":"*","url":"http://127.0.0.1:{hook_port}/hook/{{event}}"}}]'
        # deliveries finish before the API answers (sync mode), so a short quiet period is enough
        hook_args = ["--hook-port", str(hook_port), "--hook-quiet", "0.02"]
    server = subprocess.Popen(
        [sys.executable, "-m", "mockcrm", "serve", "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        wait_healthy(url, server)
        reset = (
            f'{sys.executable} -c "import urllib.request as u; '
            f"u.urlopen(u.Request('{url}/__mockcrm/reset', method='POST'))\""
        )
        cmd = [
            sys.executable,
            str(replay),
            "--base-url",
            url,
            "--reset",
            reset,
            "--strict-key-order",
            *hook_args,
        ]
        if args.quiet:
            cmd.append("--quiet")
        return subprocess.call(cmd + files)
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
