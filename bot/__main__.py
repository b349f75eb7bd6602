"""Start the bot: `python -m bot` (Telegram) or, without TELEGRAM_BOT_TOKEN, a console chat."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.assistant import Assistant
from bot.console import run_console
from bot.rasa_client import RasaClient
from bot.telegram_app import build_application
from common.logging_setup import configure_logging
from common.settings import get_settings
from store.db import default_session_factory

logger = logging.getLogger("bot")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--console", action="store_true", help="chat in the terminal")
    args = parser.parse_args()

    settings = get_settings()
    configure_logging(settings.log_level)
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds)
    assistant = Assistant(rasa, default_session_factory(), settings.require_pseudonym_secret())

    if args.console or not settings.telegram_bot_token:
        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(run_console(assistant))
        return

    app = build_application(settings, assistant)

    async def announce_ready(_app) -> None:  # type: ignore[no-untyped-def]
        logger.info("bot ready (%s mode)", settings.telegram_mode)

    async def close_rasa(_app) -> None:  # type: ignore[no-untyped-def]
        await rasa.close()

    app.post_init = announce_ready
    app.post_shutdown = close_rasa
    if settings.telegram_mode == "webhook":
        if not settings.telegram_webhook_url or not settings.telegram_webhook_secret:
            raise SystemExit("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
        app.run_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path="telegram",
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret,
        )
    else:
        app.run_polling(allowed_updates=["message", "edited_message", "callback_query"])


if __name__ == "__main__":
    main()
