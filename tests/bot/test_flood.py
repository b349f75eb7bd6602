"""Flood control with a clock the test controls."""

from __future__ import annotations

from bot.flood import FloodGuard, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_user_over_the_limit_is_told_once_then_ignored_until_the_window_passes() -> None:
    clock = Clock()
    guard = FloodGuard(max_messages=3, window_seconds=10, clock=clock)
    assert [guard.check("u") for _ in range(3)] == [Verdict.ALLOW] * 3
    assert guard.check("u") is Verdict.WARN
    assert guard.check("u") is Verdict.DROP
    assert guard.check("someone else") is Verdict.ALLOW
    clock.now = 10.0
    assert guard.check("u") is Verdict.ALLOW


def test_the_window_slides() -> None:
    clock = Clock()
    guard = FloodGuard(max_messages=2, window_seconds=10, clock=clock)
    guard.check("u")
    clock.now = 6
    guard.check("u")
    clock.now = 11  # the first message left the window
    assert guard.check("u") is Verdict.ALLOW
    assert guard.check("u") is Verdict.WARN


def test_idle_users_are_forgotten_when_the_table_is_full() -> None:
    clock = Clock()
    guard = FloodGuard(max_messages=1, window_seconds=5, clock=clock, max_users=2)
    guard.check("a")
    guard.check("b")
    clock.now = 6
    guard.check("c")
    assert len(guard._users) == 1  # noqa: SLF001 (the bound is the behaviour under test)
