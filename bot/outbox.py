"""The bot sends what the outbox holds: status changes to returnees, urgent alerts to caseworkers.

A background loop in the bot process (`run_forever`) takes due notifications one by one:

1. **claim** a lease on the row (a conditional UPDATE: with several bot processes only one wins);
2. look up the chat: the returnee's from the chat link (so the chat id never leaves the bot's
   table), in the language of that chat; or the caseworkers' group (CASEWORKER_ALERT_CHAT_ID);
3. mark the row **sending** (committed) and make **one** sendMessage request;
4. mark it **sent**; or, when Telegram refused it, **pending** again with exponential backoff
   (failed after OUTBOX_MAX_ATTEMPTS), or **failed** at once when retrying cannot help (the user
   blocked the bot, the chat is gone).

The guarantee is *at most once*: a message is never sent twice. A bot that stops between a
claim and step 3 leaves a lease that runs out, and the next sender delivers the row. A bot that
stops during the request itself (or cannot record the result) leaves the row in `sending`;
since the request may have reached Telegram, the row is then marked failed ("delivery unknown")
instead of being sent again, and the dashboard shows it. A timed-out request is treated the same
way, for the same reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from content.loader import category_name, governorate_name, message
from store import outbox
from store.models import NotificationKind, NotificationStatus, NotificationTarget, utcnow

logger = logging.getLogger(__name__)

SendText = Callable[[int, str], Awaitable[None]]
_TOKEN_LIKE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


def notification_text(item: outbox.Outgoing) -> str:
    """What the notification says, in its language (content/messages.yml)."""
    if item.kind is NotificationKind.URGENT_REFERRAL:
        return "\n".join(
            message(
                "caseworker_alert_urgent", lang, code=item.code,
                category=category_name(item.category or "other", lang),
                governorate=governorate_name(item.governorate, lang) if item.governorate else "—",
            )
            for lang in ("ar", "en")
        )
    return message(f"notification_status_{item.referral_status}", item.language, code=item.code)


def describe_error(error: BaseException) -> str:
    """A short error text for the dashboard, with anything like a bot token removed."""
    return _TOKEN_LIKE.sub("<token>", f"{type(error).__name__}: {error}")[:300]


class OutboxSender:
    """Sends due notifications; safe to run in several bot processes against one database.

    `only_user_key` limits it to one person's notifications (the console chat prints its own
    user's and leaves everyone else's to the Telegram bot).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        send: SendText,
        caseworker_chat_id: int | None = None,
        *,
        max_attempts: int = 8,
        lease_seconds: float = 120.0,
        base_delay: float = 10.0,
        max_delay: float = 3600.0,
        batch_size: int = 20,
        only_user_key: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = session_factory
        self._send = send
        self._caseworker_chat_id = caseworker_chat_id
        self._max_attempts = max_attempts
        self._lease = lease_seconds
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._batch = batch_size
        self._only_user_key = only_user_key
        self._clock = clock

    async def run_once(self) -> int:
        """Send what is due now; return how many messages went out."""
        now = self._clock()
        interrupted = await self._db(lambda s: outbox.fail_interrupted(s, now))
        if interrupted:
            logger.warning("outbox: %d notification(s) interrupted mid-send marked failed",
                           interrupted)
        ids = await self._db(lambda s: outbox.due_ids(s, now, self._batch, self._only_user_key))
        sent = 0
        for notification_id in ids:
            if await self.deliver(notification_id):
                sent += 1
        return sent

    async def run_forever(self, interval: float) -> None:
        """The bot's background loop; database or network trouble never ends it."""
        logger.info("outbox sender started (every %.1f s)", interval)
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 (the loop must survive anything)
                logger.exception("outbox: pass failed; trying again")
            await asyncio.sleep(interval)

    async def deliver(self, notification_id: int) -> bool:
        """Claim, send and record one notification; True when a message went out."""
        token = secrets.token_hex(8)
        now = self._clock()
        if not await self._db(lambda s: outbox.claim(s, notification_id, token, now, self._lease)):
            return False  # another sender has it
        item = await self._db(lambda s: outbox.load(s, notification_id, self._caseworker_chat_id))
        if item.chat_id is None:
            reason, status = (
                ("CASEWORKER_ALERT_CHAT_ID is not set", NotificationStatus.SKIPPED)
                if item.target is NotificationTarget.CASEWORKERS
                else (item.chat_error or "no chat is known for this person",
                      NotificationStatus.FAILED)
            )
            await self._db(lambda s: outbox.mark_failed(s, notification_id, token, reason, status))
            return False
        text = notification_text(item)
        if not await self._db(lambda s: outbox.start_sending(s, notification_id, token)):
            return False  # the lease ran out and another sender took the row
        try:
            await self._send(item.chat_id, text)
        except TimedOut as error:
            await self._give_up(notification_id, token, "timed out: delivery unknown, not "
                                f"retried (at most once); {describe_error(error)}")
            return False
        except (Forbidden, BadRequest) as error:
            await self._give_up(notification_id, token, describe_error(error))
            return False
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            await self._retry(notification_id, token, describe_error(error), seconds)
            return False
        except (TelegramError, OSError) as error:
            await self._retry(notification_id, token, describe_error(error))
            return False
        sent_at = self._clock()
        await self._db(lambda s: outbox.mark_sent(s, notification_id, token, sent_at,
                                                  item.language))
        logger.info("outbox: notification %d sent (%s)", notification_id, item.kind.value)
        return True

    async def _retry(self, notification_id: int, token: str, error: str,
                     min_delay: float = 0.0) -> None:
        now = self._clock()
        status = await self._db(lambda s: outbox.mark_retry(
            s, notification_id, token, now, error, max_attempts=self._max_attempts,
            base_delay=self._base_delay, max_delay=self._max_delay, min_delay=min_delay,
        ))
        logger.warning("outbox: notification %d not sent (%s): %s", notification_id,
                       status.value, error)

    async def _give_up(self, notification_id: int, token: str, error: str) -> None:
        await self._db(lambda s: outbox.mark_failed(s, notification_id, token, error))
        logger.warning("outbox: notification %d failed: %s", notification_id, error)

    async def _db(self, work: Callable[[Session], object]):  # type: ignore[no-untyped-def]
        """Run one short transaction in a worker thread (the event loop keeps serving users)."""

        def transaction():  # type: ignore[no-untyped-def]
            with self._sessions.begin() as session:
                return work(session)

        return await asyncio.to_thread(transaction)


@contextlib.asynccontextmanager
async def running(sender: OutboxSender, interval: float):  # type: ignore[no-untyped-def]
    """Run the sender's loop in the background for the duration of the block."""
    task = asyncio.create_task(sender.run_forever(interval), name="outbox")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
