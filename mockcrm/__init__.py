"""mockcrm: a mock SalesMan CRM REST API v2 server for integration tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = ["Backend", "MockCRMServer", "Settings", "__version__", "create_app", "intercept"]

if TYPE_CHECKING:
    from .app import create_app
    from .backend import Backend
    from .interception import intercept
    from .server import MockCRMServer
    from .settings import Settings


def __getattr__(name: str) -> Any:
    # importing mockcrm starts nothing and imports nothing heavy
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Backend":
        from .backend import Backend

        return Backend
    if name == "MockCRMServer":
        from .server import MockCRMServer

        return MockCRMServer
    if name == "intercept":
        from .interception import intercept

        return intercept
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)
