"""Start the bot: `python -m bot` (Telegram) or, without TELEGRAM_BOT_TOKEN, a console chat."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.assistant import Assistant, Turn
from bot.console import CONSOLE_USER_ID, run_console
from bot.outbox import OutboxSender, running
from bot.rasa_client import RasaClient
from bot.telegram_app import build_application, outbox_sender
from common.logging_setup import configure_logging
from common.settings import get_settings
from store.crypto import current_keyring
from store.db import default_session_factory
from store.retention import purge

logger = logging.getLogger("bot")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--console", action="store_true", help="chat in the terminal")
    args = parser.parse_args()

    settings = get_settings()
    configure_logging(settings.log_level)
    current_keyring(settings)  # the chat links are encrypted: no key, no start
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds,
                      max_concurrent=settings.rasa_max_concurrent_requests)
    assistant = Assistant(rasa, default_session_factory(), settings.require_pseudonym_secret(),
                          tracker_db_url=settings.tracker_db_url)

    if args.console or not settings.telegram_bot_token:
        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(console_with_notifications(assistant, settings))
        return

    app = build_application(settings, assistant)
    sender = outbox_sender(app, settings, default_session_factory())
    background: list[asyncio.Task] = []

    async def announce_ready(_app) -> None:  # type: ignore[no-untyped-def]
        # The outbox loop runs beside the handlers for as long as the application runs.
        background.append(asyncio.create_task(
            sender.run_forever(settings.outbox_poll_seconds), name="outbox"))
        background.append(asyncio.create_task(purge_daily(settings), name="retention"))
        logger.info("bot ready (%s mode)", settings.telegram_mode)

    async def stop_outbox(_app) -> None:  # type: ignore[no-untyped-def]
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)

    async def close_rasa(_app) -> None:  # type: ignore[no-untyped-def]
        await rasa.close()

    app.post_init = announce_ready
    app.post_stop = stop_outbox
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


PURGE_INTERVAL_SECONDS = 24 * 3600


async def purge_daily(settings) -> None:  # type: ignore[no-untyped-def]
    """Apply the retention limits now and then once a day, for as long as the bot runs."""
    while True:
        try:
            summary = await asyncio.to_thread(
                purge, default_session_factory(), settings.tracker_db_url,
                conversation_days=settings.retention_conversation_days,
                closed_referral_days=settings.retention_closed_referral_days,
                review_days=settings.review_retention_days,
            )
            logger.info("retention purge: %d conversation events deleted, %d referrals anonymised, "
                        "%d review items deleted", summary.conversation_events_deleted,
                        summary.referrals_anonymised, summary.review_items_deleted)
        except Exception:  # noqa: BLE001 (the next day tries again; the bot keeps serving)
            logger.exception("retention purge failed")
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)


async def console_with_notifications(assistant: Assistant, settings) -> None:  # type: ignore[no-untyped-def]
    """The console chat, with notifications for the console user printed as they are sent."""

    async def show(_chat_id: int, text: str) -> None:
        print(f"\n🔔 {text}", flush=True)

    console_turn = Turn(telegram_user_id=CONSOLE_USER_ID, chat_id=CONSOLE_USER_ID)
    sender = OutboxSender(default_session_factory(), show, None,
                          max_attempts=settings.outbox_max_attempts,
                          only_user_key=assistant.key_for(console_turn))
    async with running(sender, settings.outbox_poll_seconds):
        await run_console(assistant)


if __name__ == "__main__":
    main()
