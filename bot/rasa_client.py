"""The bot's client for Rasa's REST channel (`POST /webhooks/rest/webhook`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer usefully: unreachable, too slow, an error, or an empty reply.

    The REST channel swallows errors inside a turn and answers 200 with `[]`, so an empty
    list is a failure too.
    """


class RasaTurnFailed(RasaUnavailable):
    """Rasa answered, but the turn said nothing: an action inside it failed.

    Rasa's REST channel answers 200 with `[]` when a custom action cannot run (the action
    server is down or restarting): Rasa itself is up and the conversation so far is kept in
    its tracker store, so the user can simply try the step again in a moment.
    """


# How long a turn may wait for a free request slot, in multiples of the request timeout.
QUEUE_WAIT_FACTOR = 4


class RasaClient:
    """Sends one user turn to Rasa and returns its replies.

    At most `max_concurrent` turns are in Rasa at once. Rasa works through its requests one
    process at a time: with a hundred turns sent at once, the last ones sat in Rasa's queue
    until the bot's timeout ran out, and their users got the outage apology while Rasa went
    on to process (and answer nobody) the very turns given up on. The load benchmark showed
    it (docs/benchmarks.md). Now the extra turns wait here, where waiting costs nothing, and
    the timeout measures Rasa's answer, not the queue. A turn that cannot get a slot within
    QUEUE_WAIT_FACTOR timeouts (Rasa hung) gets the apology.
    """

    def __init__(self, base_url: str, timeout_seconds: float, max_concurrent: int = 8) -> None:
        self._url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = timeout_seconds
        self._client = httpx.AsyncClient(
            timeout=timeout_seconds,
            limits=httpx.Limits(max_connections=max_concurrent,
                                max_keepalive_connections=max_concurrent),
        )
        self._slots = asyncio.Semaphore(max(max_concurrent, 1))

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            await asyncio.wait_for(self._slots.acquire(), QUEUE_WAIT_FACTOR * self._timeout)
        except asyncio.TimeoutError as error:
            raise RasaUnavailable("busy") from error
        try:
            return await self._send(sender, message, metadata)
        finally:
            self._slots.release()

    async def _send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        payload = {"sender": sender, "message": message, "metadata": metadata}
        try:
            response = await self._client.post(self._url, json=payload)
        except httpx.TimeoutException as error:
            raise RasaUnavailable("timeout") from error
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        try:
            replies = response.json()
        except ValueError as error:
            raise RasaUnavailable("invalid JSON") from error
        if not isinstance(replies, list):
            raise RasaUnavailable("invalid reply")
        if not replies:
            raise RasaTurnFailed("empty reply")
        return replies

    async def close(self) -> None:
        await self._client.aclose()
