"""All configuration comes from environment variables, read here and nowhere else.

Every variable is documented in `.env.example` and the README. `get_settings()` reads the
environment once per process; tests call `get_settings.cache_clear()` after changing it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from error


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from error


@dataclass(frozen=True)
class Settings:
    """The configuration of every process of the assistant."""

    database_url: str
    tracker_db_url: str
    pseudonym_secret: str
    # Comma-separated data keys (store/crypto.py parses and checks them at first use);
    # kept out of the repr so a logged Settings never shows them.
    data_encryption_keys: str = field(repr=False)
    rasa_url: str
    rasa_timeout_seconds: float
    rasa_api_token: str
    rasa_max_concurrent_requests: int
    telegram_bot_token: str
    telegram_api_base_url: str
    telegram_mode: str
    telegram_webhook_url: str
    telegram_webhook_secret: str
    telegram_webhook_listen: str
    telegram_webhook_port: int
    bot_max_concurrent_updates: int
    content_allow_placeholders: bool
    log_level: str
    dashboard_secret_key: str
    dashboard_host: str
    dashboard_port: int
    dashboard_insecure_cookies: bool
    dashboard_session_hours: int
    dashboard_trusted_proxies: int
    default_organisation: str
    login_max_failures: int
    login_max_failures_per_ip: int
    login_window_minutes: int
    caseworker_alert_chat_id: int | None
    outbox_poll_seconds: float
    outbox_max_attempts: int
    retention_conversation_days: int
    retention_closed_referral_days: int
    review_retention_days: int
    review_confidence_threshold: float
    review_export_path: Path

    def require_pseudonym_secret(self) -> str:
        """The key of the keyed hash that turns a Telegram user id into a pseudonym."""
        if len(self.pseudonym_secret) < 16:
            raise ConfigurationError(
                "PSEUDONYM_SECRET must be set to a random string of at least 16 characters "
                "(the run command writes one into .env for you)"
            )
        return self.pseudonym_secret

    def require_rasa_api_token(self) -> str:
        """The token that guards the Rasa server's HTTP API (model replacement, trackers).

        The API can read every conversation, so the server never runs it without a token.
        """
        if len(self.rasa_api_token) < 16:
            raise ConfigurationError(
                "RASA_API_TOKEN must be set to a random string of at least 16 characters "
                "(the run command writes one into .env for you)"
            )
        return self.rasa_api_token

    def require_dashboard_secret_key(self) -> str:
        """The key that signs the dashboard's session cookies and CSRF tokens."""
        if len(self.dashboard_secret_key) < 32:
            raise ConfigurationError(
                "DASHBOARD_SECRET_KEY must be set to a random string of at least 32 characters "
                "(the run command writes one into .env for you)"
            )
        return self.dashboard_secret_key


def _review_export_path() -> Path:
    """Where labelled review items are exported: a file of the training data by default."""
    raw = os.environ.get("REVIEW_EXPORT_PATH", "").strip()
    if not raw:
        return PROJECT_ROOT / "nlu" / "data" / "nlu" / "reviewed.yml"
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _optional_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return _int(name, 0) if raw else None


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'referrals.db'}"


def _default_tracker_db_url() -> str:
    """Rasa's SQL tracker store, as scripts/env.sh sets it for the Rasa server."""
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"


@cache
def get_settings() -> Settings:
    """Read the environment once and return the settings."""
    mode = os.environ.get("TELEGRAM_MODE", "polling").strip().lower()
    if mode not in {"polling", "webhook"}:
        raise ConfigurationError(f"TELEGRAM_MODE must be 'polling' or 'webhook', got {mode!r}")
    return Settings(
        database_url=os.environ.get("DATABASE_URL", "").strip() or _default_database_url(),
        # The bot erases a user's conversation from it (/delete).
        tracker_db_url=os.environ.get("TRACKER_DB_URL", "").strip() or _default_tracker_db_url(),
        pseudonym_secret=os.environ.get("PSEUDONYM_SECRET", "").strip(),
        data_encryption_keys=os.environ.get("DATA_ENCRYPTION_KEYS", "").strip(),
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").strip().rstrip("/"),
        rasa_timeout_seconds=_float("RASA_TIMEOUT_SECONDS", 15.0),
        rasa_api_token=os.environ.get("RASA_API_TOKEN", "").strip(),
        rasa_max_concurrent_requests=_int("RASA_MAX_CONCURRENT_REQUESTS", 8),
        telegram_bot_token=os.environ.get("TELEGRAM_BOT_TOKEN", "").strip(),
        telegram_api_base_url=os.environ.get(
            "TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"
        ).strip(),
        telegram_mode=mode,
        telegram_webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL", "").strip(),
        telegram_webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip(),
        telegram_webhook_listen=os.environ.get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1").strip(),
        telegram_webhook_port=_int("TELEGRAM_WEBHOOK_PORT", 8443),
        bot_max_concurrent_updates=_int("BOT_MAX_CONCURRENT_UPDATES", 64),
        content_allow_placeholders=_bool(os.environ.get("CONTENT_ALLOW_PLACEHOLDERS", "false")),
        log_level=os.environ.get("LOG_LEVEL", "INFO").strip().upper(),
        dashboard_secret_key=os.environ.get("DASHBOARD_SECRET_KEY", "").strip(),
        dashboard_host=os.environ.get("DASHBOARD_HOST", "127.0.0.1").strip(),
        dashboard_port=_int("DASHBOARD_PORT", 8000),
        dashboard_insecure_cookies=_bool(os.environ.get("DASHBOARD_INSECURE_COOKIES", "false")),
        dashboard_session_hours=_int("DASHBOARD_SESSION_HOURS", 8),
        dashboard_trusted_proxies=_int("DASHBOARD_TRUSTED_PROXIES", 0),
        default_organisation=os.environ.get("DEFAULT_ORGANISATION", "").strip() or "default",
        login_max_failures=_int("LOGIN_MAX_FAILURES", 5),
        login_max_failures_per_ip=_int("LOGIN_MAX_FAILURES_PER_IP", 20),
        login_window_minutes=_int("LOGIN_WINDOW_MINUTES", 15),
        caseworker_alert_chat_id=_optional_int("CASEWORKER_ALERT_CHAT_ID"),
        outbox_poll_seconds=_float("OUTBOX_POLL_SECONDS", 2.0),
        outbox_max_attempts=_int("OUTBOX_MAX_ATTEMPTS", 8),
        retention_conversation_days=_int("RETENTION_CONVERSATION_DAYS", 30),
        retention_closed_referral_days=_int("RETENTION_CLOSED_REFERRAL_DAYS", 180),
        # Missed messages (de-identified) kept for the trainers' review; 0 keeps none.
        review_retention_days=_int("REVIEW_RETENTION_DAYS", 90),
        review_confidence_threshold=_float("REVIEW_CONFIDENCE_THRESHOLD", 0.5),
        review_export_path=_review_export_path(),
    )
