"""Command line: ``mockcrm serve``, ``seed``, ``dump``, ``restore``.

Every setting of ``Settings`` is a ``serve`` flag with its ``MOCKCRM_*`` variable, made from
the dataclass itself so a new setting cannot be forgotten here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import click

from . import demo
from ._version import __version__
from .settings import PREFIX, Settings

HELP = {
    "host": "address to bind",
    "port": "port (0 = any free port)",
    "server": "werkzeug (threaded, in process) or waitress (an I/O loop and threads; needs mockcrm[server])",
    "threads": "request threads of the waitress server",
    "edition": "box (one account, the recorded server) or cloud (one account per apikey)",
    "timezone": "account time zone of every timestamp",
    "webroot": "path shown inside PHP fatal-error pages",
    "fixture": "start data set: a name in fixtures/ or a JSON path",
    "log_requests": "log one line per API request (never the apikey)",
    "webhooks": 'hooks as JSON: [{"event": "*", "url": "http://host/hook/{event}"}]',
    "webhooks_file": "hooks from a JSON or YAML file",
    "webhook_timeout": "seconds an API answer waits for its deliveries",
    "webhook_mode": "sync (the answer waits, like the real server) or async",
    "webhook_log_size": "delivery attempts kept in the delivery log",
    "journal_size": "API calls kept in the request journal",
    "demo": "start with seeded demo data",
    "seed": "demo data seed",
    "size": "demo data size: small, medium or large",
    "state_file": "load state from this file at start, save it there on clean shutdown",
    "admin_token": "require 'Authorization: Bearer <token>' on /__mockcrm/*",
    "max_body": "API request bodies over this many bytes get HTTP 413",
}


def settings_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One click option per Settings field, defaulting to None (= not given)."""
    for f in reversed(dataclasses.fields(Settings)):
        flag = "--" + f.name.replace("_", "-")
        envvar = PREFIX + f.name.upper()
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "str")
        help_text = f"{HELP.get(f.name, f.name)} [{envvar}; default: {f.default!r}]"
        if kind == "bool":
            decl = f"{flag}/--no-{f.name.replace('_', '-')}"
            fn = click.option(decl, f.name, default=None, envvar=envvar, help=help_text)(fn)
        else:
            ptype = {"int": int, "float": float}.get(kind, str)
            fn = click.option(flag, f.name, type=ptype, default=None, envvar=envvar, help=help_text)(fn)
    return fn


@click.group()
@click.version_option(__version__, prog_name="mockcrm")
def main() -> None:
    """mockcrm: a mock SalesMan CRM (REST API v2) for integration tests."""


@main.command()
@settings_options
@click.option("--quiet", is_flag=True, help="do not log requests (same as --no-log-requests)")
def serve(quiet: bool, **options: Any) -> None:
    """Serve the API on a threaded HTTP server until Ctrl-C / SIGTERM."""

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if quiet:
        options["log_requests"] = False
    try:
        settings = Settings.from_env({}, **options)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    problem = settings.problem()
    if problem is not None:
        raise click.ClickException(problem)
    if settings.server == "gunicorn":
        # gunicorn was the shipped server before waitress: an old setting keeps working
        click.echo("mockcrm: the gunicorn server was replaced by waitress; serving with waitress", err=True)
        settings = dataclasses.replace(settings, server="waitress")
    _serve(settings)
    click.echo("mockcrm stopped.")


def _banner(url: str, apikey: str, users: list[tuple[str, str]], settings: Settings) -> None:
    click.echo(f"mockcrm {__version__} serving SalesMan API v2 at {url}/developer/v2/<method>")
    click.echo(f"  apikey: {apikey}")
    for login, tip in users:
        click.echo(f"  login:  {login}  ({tip})")
    click.echo(f"  try:    curl '{url}/developer/v2/client?action=list&login=<login>&apikey=<apikey>'")
    click.echo(f"  look:   {url}/__mockcrm/ui/  (the dashboard; API reference at {url}/__mockcrm/docs)")
    if settings.demo:
        click.echo(f"  demo:   seed {settings.seed}, size {settings.size}")
    click.echo("Press Ctrl-C to stop.")
    sys.stdout.flush()


def _serve(settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT, then finish the answers in progress and save the state."""
    from .app import create_app

    _remove_stale_temp_files(settings.state_file)
    try:
        app = create_app(settings)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    backend = app.extensions["mockcrm"]
    try:
        if settings.server == "waitress":
            from .waitress_server import WaitressServer

            server: Any = WaitressServer(app, settings)
            host, port = server.host, server.port
        else:
            from .server import make_wsgi_server

            server = make_wsgi_server(app, settings.host, settings.port)
            host, port = settings.host, server.server_port
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc}") from exc
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    account = backend.accounts[min(backend.accounts)]
    users = [(str(u["login"]), str(u["tip"])) for u in account.users]
    _banner(f"http://{host}:{port}", account.apikey, users, settings)
    if settings.server == "waitress":
        server.serve_forever()  # its stop lets the answers in progress go out first
    else:

        def stop(signum: int, frame: FrameType | None) -> None:
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            server.serve_forever(poll_interval=0.1)
        finally:
            server.server_close()
    # answers already on their way must be in the saved state (bounded: the stop goal is a few seconds);
    # a request that has not started by now is refused, so nothing is answered after the save
    backend.begin_stop()
    backend.wait_idle(1.5)
    backend.close()
    if settings.state_file:
        _save(backend, settings.state_file)


def _save(backend: Any, path: str) -> None:
    """Save the state; "state saved" is printed only once the file is in place."""
    import time

    started = time.monotonic()
    # said first, so a process manager that kills a long save leaves a log that shows it (the old file stays)
    click.echo(f"saving the state to {path} ...")
    try:
        backend.save_state(path)
    except OSError as exc:
        click.echo(f"mockcrm: could not save the state to {path}: {exc}", err=True)
        raise SystemExit(1) from None
    size = os.path.getsize(path) / 1e6
    click.echo(f"state saved to {path} ({size:.1f} MB in {time.monotonic() - started:.1f} s)")


def _remove_stale_temp_files(state_file: str | None) -> None:
    """Temp files a killed save left behind (``.<name>.<pid>.tmp``): the state file itself is intact."""
    if not state_file:
        return
    target = Path(state_file)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass


# ------------------------------------------------------------------ talking to a running server


def _control(url: str, path: str, body: Any = None, token: str | None = None) -> Any:
    import urllib.error  # here, not at the top: `mockcrm serve` starts faster without it
    import urllib.request

    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(url.rstrip("/") + "/__mockcrm" + path, data=data, method="POST" if data else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        raise click.ClickException(f"{url}: {exc.code} {exc.read().decode(errors='replace')}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot reach {url}: {exc}") from None


def _offline_backend(state_file: str) -> Any:
    from .backend import Backend

    return Backend(Settings.from_env({}, state_file=state_file, log_requests=False))


target_options = [
    click.option("--url", envvar="MOCKCRM_URL", help="a running mockcrm, e.g. http://127.0.0.1:8080"),
    click.option("--state-file", help="work on a saved state file instead of a server"),
    click.option("--admin-token", envvar="MOCKCRM_ADMIN_TOKEN", help="the server's admin token, if it has one"),
]


def with_target(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(target_options):
        fn = opt(fn)
    return fn


def _need_target(url: str | None, state_file: str | None) -> None:
    if bool(url) == bool(state_file):
        raise click.UsageError("give exactly one of --url or --state-file")


@main.command()
@with_target
@click.option("--seed", "number", type=int, default=1, show_default=True, help="the seed")
@click.option("--size", type=click.Choice(["small", "medium", "large"]), default="small", show_default=True)
def seed(url: str | None, state_file: str | None, admin_token: str | None, number: int, size: str) -> None:
    """Add seeded demo data to a running server or a state file."""
    _need_target(url, state_file)
    if url:
        result = _control(url, "/seed", {"seed": number, "size": size}, admin_token)
        click.echo(json.dumps(result["counts"], ensure_ascii=False))
        return
    assert state_file is not None
    backend = _offline_backend(state_file)
    counts = demo.seed(backend, number, size)
    backend.save_state(state_file)
    click.echo(json.dumps(counts, ensure_ascii=False))


@main.command()
@with_target
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write here instead of stdout")
def dump(url: str | None, state_file: str | None, admin_token: str | None, output: str | None) -> None:
    """Write the whole state (every account and table) as JSON."""
    _need_target(url, state_file)
    data = (
        _control(url, "/state/export", token=admin_token) if url else _offline_backend(str(state_file)).export_state()
    )
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text)


@main.command()
@with_target
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def restore(url: str | None, state_file: str | None, admin_token: str | None, source: str) -> None:
    """Replace the whole state with a dump (SOURCE) on a running server or in a state file."""
    _need_target(url, state_file)
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    if url:
        _control(url, "/state/import", data, admin_token)
    else:
        backend = _offline_backend(str(state_file))
        try:
            backend.import_state(data)
        except (ValueError, KeyError) as exc:
            raise click.ClickException(str(exc)) from None
        backend.save_state(str(state_file))
    click.echo("restored")


@main.command()
@click.option("--a", "url_a", required=True, help="reference server A (usually the real SalesMan), base URL")
@click.option("--b", "url_b", required=True, help="server B under test, base URL")
@click.option("--reset-a", help="shell command that resets A to a fresh install; {hook_port} = A's receiver port")
@click.option("--reset-b", help="the same for B (a mockcrm without one is reset through its control plane)")
@click.option("--seed", "seed_", type=int, default=1, show_default=True, help="first seed")
@click.option("--seeds", type=int, default=10, show_default=True, help="run the seeds seed..seed+N-1")
@click.option("--steps", type=int, default=0, help="stop after this many steps in all (0 = no bound)")
@click.option("--methods", help="only these methods, comma-separated (client,person,deal,task,history,lead,...)")
@click.option("--time-budget", type=float, default=0, help="stop starting work after this many seconds (0 = none)")
@click.option("--out", type=click.Path(file_okay=False), default="diff-out", show_default=True, help="output folder")
@click.option("--allowlist", type=click.Path(exists=True, dir_okay=False), help="accepted divergences (JSON)")
@click.option("--apikey", default="VaSeZvkTfh5HMjJpNnge1W7Bloim0S", show_default=True, help="API key of both")
@click.option(
    "--logins",
    default="admin@example.com,manager@example.com,manager2@example.com",
    show_default=True,
    help="admin,manager,manager2 logins",
)
@click.option("--shrink-tries", type=int, default=40, show_default=True, help="sequences tried per shrink")
@click.option("--shrink-time", type=float, default=120, show_default=True, help="seconds one shrink may take")
@click.option(
    "--hook-quiet", type=float, help="seconds without a delivery that end a step (default 0.15; 0 for mockcrm)"
)
def diff(
    url_a: str,
    url_b: str,
    reset_a: str | None,
    reset_b: str | None,
    seed_: int,
    seeds: int,
    steps: int,
    methods: str | None,
    time_budget: float,
    out: str,
    allowlist: str | None,
    apikey: str,
    logins: str,
    shrink_tries: int,
    shrink_time: float,
    hook_quiet: float | None,
) -> None:
    """Differential test: the same generated call sequences on A and B, every answer compared.

    Exit 0 when no divergence outside the allowlist, 1 otherwise, 2 when a target stopped answering (the report
    covers the steps before); the last line is "N steps, M divergences".
    """
    from .difftest import Options, run
    from .difftest.targets import TargetError
    from .difftest.transport import Credentials

    names = [x.strip() for x in logins.split(",")]
    if len(names) != 3 or not all(names):
        raise click.BadParameter("three logins: admin,manager,manager2", param_hint="--logins")
    opts = Options(
        a=url_a,
        b=url_b,
        reset_a=reset_a,
        reset_b=reset_b,
        seed=seed_,
        seeds=seeds,
        steps=steps,
        methods=[m.strip() for m in methods.split(",") if m.strip()] if methods else None,
        time_budget=time_budget,
        out=Path(out),
        allowlist=allowlist,
        creds=Credentials(apikey, (names[0], names[1], names[2])),
        shrink_tries=shrink_tries,
        shrink_time=shrink_time,
        hook_quiet=hook_quiet,
    )
    try:
        summary, status = run(opts)
    except (TargetError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if summary.stopped:
        click.echo(f"Error: stopped early: {summary.stopped} (the report covers the steps before)", err=True)
    click.echo(f"{summary.steps} steps, {len(summary.failing)} divergences")
    sys.exit(status)
