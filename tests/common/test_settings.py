"""Settings: every variable documented, the dashboard's checked."""

from __future__ import annotations

import re

import pytest

from common.settings import PROJECT_ROOT, ConfigurationError, get_settings

SOURCE = (PROJECT_ROOT / "common" / "settings.py").read_text(encoding="utf-8")
VARIABLES = sorted(set(re.findall(r'"([A-Z][A-Z0-9_]{3,})"', SOURCE)))


def test_the_variables_are_found() -> None:
    assert "DASHBOARD_SECRET_KEY" in VARIABLES and "DATABASE_URL" in VARIABLES


@pytest.mark.parametrize("name", VARIABLES)
def test_every_variable_is_documented(name: str) -> None:
    assert name in (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    assert f"`{name}`" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_dashboard_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DASHBOARD_SECRET_KEY", "DASHBOARD_INSECURE_COOKIES", "CASEWORKER_ALERT_CHAT_ID",
                 "DEFAULT_ORGANISATION", "DASHBOARD_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings()
    assert settings.dashboard_insecure_cookies is False  # secure unless told otherwise
    assert settings.dashboard_port == 8000 and settings.dashboard_host == "127.0.0.1"
    assert settings.default_organisation == "default"
    assert settings.caseworker_alert_chat_id is None
    with pytest.raises(ConfigurationError, match="DASHBOARD_SECRET_KEY"):
        settings.require_dashboard_secret_key()


@pytest.mark.parametrize(("value", "expected"), [("-1001234567890", -1001234567890), (" ", None)])
def test_the_caseworker_chat_id(monkeypatch: pytest.MonkeyPatch, value: str, expected) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CASEWORKER_ALERT_CHAT_ID", value)
    assert get_settings().caseworker_alert_chat_id == expected


def test_a_short_dashboard_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", "too-short")
    with pytest.raises(ConfigurationError):
        get_settings().require_dashboard_secret_key()
    monkeypatch.setenv("DASHBOARD_SECRET_KEY", "k" * 32)
    get_settings.cache_clear()
    assert get_settings().require_dashboard_secret_key() == "k" * 32


def test_the_rasa_api_token_is_required_and_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match="RASA_API_TOKEN"):
        get_settings().require_rasa_api_token()
    monkeypatch.setenv("RASA_API_TOKEN", "t" * 15)
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError):
        get_settings().require_rasa_api_token()
    monkeypatch.setenv("RASA_API_TOKEN", " " + "t" * 16 + " ")
    get_settings.cache_clear()
    assert get_settings().require_rasa_api_token() == "t" * 16
