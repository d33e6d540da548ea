from __future__ import annotations

import pytest

from mockcrm import Settings


def test_defaults_work_with_nothing_set() -> None:
    s = Settings.from_env({})
    assert (s.host, s.port, s.timezone, s.fixture) == ("127.0.0.1", 8080, "Europe/Moscow", "fresh-install")


def test_env_then_explicit_arguments() -> None:
    env = {"MOCKCRM_PORT": "9001", "MOCKCRM_HOST": "0.0.0.0", "MOCKCRM_LOG_REQUESTS": "no"}
    s = Settings.from_env(env, host="127.0.0.2")
    assert (s.host, s.port, s.log_requests) == ("127.0.0.2", 9001, False)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCKCRM_PORT": "x"}, "MOCKCRM_PORT must be an integer, got 'x'"),
        ({"MOCKCRM_LOG_REQUESTS": "maybe"}, "MOCKCRM_LOG_REQUESTS must be a boolean (1/0, true/false), got 'maybe'"),
    ],
)
def test_bad_values_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as exc:
        Settings.from_env(env)
    assert str(exc.value) == message


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().port = 1  # type: ignore[misc]
