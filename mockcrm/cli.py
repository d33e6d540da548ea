"""Command line: ``mockcrm serve``."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

import click

from . import __version__
from .app import create_app
from .server import make_wsgi_server
from .settings import Settings


@click.group()
@click.version_option(__version__, prog_name="mockcrm")
def main() -> None:
    """mockcrm: a mock SalesMan CRM (REST API v2) for integration tests."""


@main.command()
@click.option("--host", envvar="MOCKCRM_HOST", default="127.0.0.1", show_default=True, help="address to bind")
@click.option("--port", envvar="MOCKCRM_PORT", default=8080, type=int, show_default=True, help="port (0 = free)")
@click.option("--timezone", envvar="MOCKCRM_TIMEZONE", default=None, help="account time zone [Europe/Moscow]")
@click.option("--fixture", envvar="MOCKCRM_FIXTURE", default=None, help="start data set [fresh-install]")
@click.option("--webroot", envvar="MOCKCRM_WEBROOT", default=None, help="path shown in PHP fatal pages")
@click.option("--quiet", is_flag=True, help="do not log requests")
def serve(host: str, port: int, timezone: str | None, fixture: str | None, webroot: str | None, quiet: bool) -> None:
    """Serve the API on a threaded HTTP server until Ctrl-C / SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        settings = Settings.from_env(
            host=host,
            port=port,
            timezone=timezone,
            fixture=fixture,
            webroot=webroot,
            log_requests=False if quiet else None,
        )
        app = create_app(settings)
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        server = make_wsgi_server(app, settings.host, settings.port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {settings.host}:{settings.port}: {exc}") from exc
    backend = app.extensions["mockcrm"]
    account = backend.accounts[1]
    url = f"http://{settings.host}:{server.server_port}"
    click.echo(f"mockcrm {__version__} serving SalesMan API v2 at {url}/developer/v2/<method>")
    click.echo(f"  apikey: {account.apikey}")
    for user in account.users:
        click.echo(f"  login:  {user['login']}  ({user['tip']})")
    click.echo(f"  try:    curl '{url}/developer/v2/client?action=list&login=<login>&apikey=<apikey>'")
    click.echo("Press Ctrl-C to stop.", err=False)
    sys.stdout.flush()

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    click.echo("mockcrm stopped.")
