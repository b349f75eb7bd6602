"""The Telegram side: python-telegram-bot handlers around `Assistant`.

Long polling by default; webhook mode (with a secret token) when TELEGRAM_MODE=webhook.
Replies are plain text (no parse_mode), so nothing a user or a response contains can break
Telegram's HTML or Markdown parsing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.assistant import Assistant, Turn
from bot.outbox import OutboxSender
from bot.render import OutgoingMessage
from common.settings import Settings

logger = logging.getLogger(__name__)

SEND_ATTEMPTS = 4
TYPING_REFRESH_SECONDS = 4.0
PRIVATE = filters.ChatType.PRIVATE
NEW_MESSAGE = filters.UpdateType.MESSAGE


def file_base_url(base_url: str) -> str:
    """python-telegram-bot's file URL for a Bot API base URL ('…/bot' → '…/file/bot')."""
    root = base_url.rstrip("/")
    return (root.removesuffix("/bot") or root) + "/file/bot"


def keyboard(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title[:64], callback_data=b.callback_id)] for b in message.buttons]
    )


async def send_messages(bot, chat_id: int, messages: list[OutgoingMessage], *,  # type: ignore[no-untyped-def]
                        attempts: int = SEND_ATTEMPTS) -> None:
    """Send messages in order, retrying on Telegram's flood limit and network errors.

    After `attempts` tries the last error is raised. The outbox passes `attempts=1`: it never
    repeats a request that may have arrived, and schedules its own retries.
    """
    for outgoing in messages:
        for attempt in range(1, attempts + 1):
            try:
                await bot.send_message(chat_id, outgoing.text, reply_markup=keyboard(outgoing))
                break
            except RetryAfter as error:
                if attempt == attempts:
                    raise
                delay = error.retry_after
                wait = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
                logger.warning("Telegram flood limit: retrying in %.1f s", wait)
                await asyncio.sleep(wait)
            except (TimedOut, NetworkError) as error:
                if isinstance(error, BadRequest) or attempt == attempts:
                    raise
                logger.warning("Telegram network error (%s): retry %d", type(error).__name__, attempt)
                await asyncio.sleep(0.5 * 2 ** (attempt - 1))


@contextlib.asynccontextmanager
async def typing(bot, chat_id: int):  # type: ignore[no-untyped-def]
    """Show 'typing…' while the assistant thinks (refreshed, as Telegram clears it after 5 s).

    The refresh loop is stopped, not cancelled: cancelling it in the middle of its
    sendChatAction request (a fast reply) could leave python-telegram-bot's HTTP connection
    pool stuck, and every later update handled with it hung without a word in the log (found
    by the fuzz test once Rasa answered in 25 ms). An in-flight request is bounded by the
    bot's own request timeouts.
    """
    done = asyncio.Event()

    async def keep_typing() -> None:
        while not done.is_set():
            with contextlib.suppress(Exception):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        done.set()
        await task


def _turn(update: Update) -> Turn:
    chat = update.effective_chat
    return Turn(
        telegram_user_id=update.effective_user.id,
        chat_id=chat.id,
        chat_type=chat.type,
        turn_id=str(update.update_id),
    )


class TelegramHandlers:
    """Handlers for every kind of update a user can send."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self._groups_told: set[int] = set()

    def install(self, app: Application) -> None:
        app.add_handler(CommandHandler("start", self.start, filters=PRIVATE))
        app.add_handler(CommandHandler("help", self.help, filters=PRIVATE))
        app.add_handler(CommandHandler("language", self.language, filters=PRIVATE))
        app.add_handler(CommandHandler("delete", self.delete, filters=PRIVATE))
        app.add_handler(CallbackQueryHandler(self.button))
        app.add_handler(MessageHandler(filters.ChatType.GROUPS, self.group))
        app.add_handler(MessageHandler(NEW_MESSAGE & PRIVATE & filters.TEXT, self.text))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & PRIVATE, self.edited))
        app.add_handler(MessageHandler(NEW_MESSAGE & PRIVATE, self.non_text))
        app.add_error_handler(self.error)

    async def _reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                     messages: list[OutgoingMessage]) -> None:
        await send_messages(context.bot, update.effective_chat.id, messages)

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        payload = context.args[0] if context.args else None
        async with typing(context.bot, update.effective_chat.id):
            messages = await self.assistant.on_start(_turn(update), payload)
        await self._reply(update, context, messages)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = await self.assistant.language_of(_turn(update))
        await self._reply(update, context, self.assistant.fixed_message("help", language))

    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = await self.assistant.language_of(_turn(update))
        await self._reply(update, context, self.assistant.language_menu(language))

    async def delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/delete: what would be erased, and a yes/no question (bot-side, not Rasa)."""
        await self._reply(update, context, await self.assistant.request_deletion(_turn(update)))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with typing(context.bot, update.effective_chat.id):
            messages = await self.assistant.on_text(_turn(update), update.effective_message.text)
        await self._reply(update, context, messages)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        # Answer first, or the user's client keeps spinning.
        with contextlib.suppress(BadRequest, NetworkError):
            await query.answer()
        if query.message is None or update.effective_chat is None:
            return
        if update.effective_chat.type != ChatType.PRIVATE:
            return
        # A button works once: remove the keyboard it belongs to.
        with contextlib.suppress(BadRequest, NetworkError, Forbidden):
            await query.edit_message_reply_markup(reply_markup=None)
        async with typing(context.bot, update.effective_chat.id):
            messages = await self.assistant.on_button(_turn(update), query.data or "")
        await self._reply(update, context, messages)

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = await self.assistant.language_of(_turn(update))
        await self._reply(update, context, self.assistant.fixed_message("edited", language))

    async def non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Voice notes, photos, stickers, files, locations…: ask for words."""
        language = await self.assistant.language_of(_turn(update))
        await self._reply(update, context, self.assistant.fixed_message("non_text", language))

    async def group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group the assistant says once that it works in private chats only."""
        chat_id = update.effective_chat.id
        if chat_id in self._groups_told:
            return
        self._groups_told.add(chat_id)
        await self._reply(update, context, self.assistant.fixed_message("group_chat", "ar"))

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # The exception only: an update holds what the user wrote.
        logger.error("error while handling an update: %s", type(context.error).__name__,
                     exc_info=context.error)


def outbox_sender(app: Application, settings: Settings, session_factory) -> OutboxSender:  # type: ignore[no-untyped-def]
    """The outbox sender of this bot: one sendMessage per notification, no blind retries."""

    async def send(chat_id: int, text: str) -> None:
        await send_messages(app.bot, chat_id, [OutgoingMessage(text)], attempts=1)

    return OutboxSender(session_factory, send, settings.caseworker_alert_chat_id,
                        max_attempts=settings.outbox_max_attempts)


def build_application(settings: Settings, assistant: Assistant) -> Application:
    app = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        .concurrent_updates(settings.bot_max_concurrent_updates)
        .build()
    )
    TelegramHandlers(assistant).install(app)
    return app
