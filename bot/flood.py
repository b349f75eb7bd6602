"""Per-user flood control: a user who sends faster than a person types is answered kindly,
once, and their extra messages are not forwarded to Rasa."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit: tell the user once
    DROP = "drop"  # over the limit and already told


@dataclass
class _Window:
    times: deque[float]
    warned: bool = False


class FloodGuard:
    """At most `max_messages` per user within `window_seconds` (a sliding window)."""

    def __init__(self, max_messages: int = 8, window_seconds: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, max_users: int = 100_000) -> None:
        self._max = max_messages
        self._window = window_seconds
        self._clock = clock
        self._max_users = max_users
        self._users: dict[str, _Window] = {}

    def check(self, key: str) -> Verdict:
        now = self._clock()
        window = self._users.get(key)
        if window is None:
            if len(self._users) >= self._max_users:
                self._forget_idle(now)
            window = self._users[key] = _Window(deque())
        while window.times and now - window.times[0] >= self._window:
            window.times.popleft()
        if len(window.times) < self._max:
            window.times.append(now)
            window.warned = False
            return Verdict.ALLOW
        if window.warned:
            return Verdict.DROP
        window.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, w in self._users.items() if not w.times or now - w.times[-1] >= self._window]:
            del self._users[key]
