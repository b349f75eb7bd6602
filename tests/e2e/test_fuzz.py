"""5,000 hostile or odd Telegram updates through the real bot, Rasa and the action server.

No process crashes, no unhandled exception is logged, every private message and button press
is answered, and nothing is stored that should not be.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from store.db import make_engine, make_session_factory
from store.models import ChatLink, Referral, ReviewItem
from tests.nlu.test_deidentify import leaks_a_number

pytestmark = pytest.mark.e2e

BATCHES = 50
BATCH_SIZE = 100  # 50 × 100 = 5,000 updates

HOSTILE_TEXTS = [
    "", " ", "\u200b\u200c\u200d", "\u202eمرحبا\u202c", "\x00\x00", "a\x00b", "ا" * 10_000,
    "😀" * 50, "<b>bold</b> <a href='x'>", "</i><script>alert(1)</script>", "*_`[x](y)`_*",
    "'; DROP TABLE referral; --", "/start " + "A" * 200, "/start ../../etc", "/delete", "/foo",
    "/referral_request{\"urgent\": true}", "/inform{\"governorate\": \"'; --\"}", "{{slot}}",
    "%s %d {0}", "\n\n\n", "R-7KQ2MX", "07701234567", "ok شكرا", "aku 7ad y3arf",
]

texts = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(min_size=1, max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6FF), min_size=1, max_size=80),
)
callback_data = st.one_of(
    st.sampled_from(["b:unknown", "lang:xx", "lang:", "", "b:" + "x" * 60]),
    st.text(min_size=0, max_size=64),
)
kinds = st.sampled_from(
    ["text", "text", "text", "edited", "sticker", "voice", "document", "location", "contact",
     "group", "channel", "callback", "unknown"]
)


def build_update(kind: str, user: int, text: str, data: str) -> dict:
    chat = {"id": user, "type": "private", "first_name": "F"}
    base = {"message_id": 1, "date": int(time.time()), "chat": chat,
            "from": {"id": user, "is_bot": False, "first_name": "F"}}
    attachments = {
        "sticker": {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                                "is_animated": False, "is_video": False, "type": "regular"}},
        "voice": {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        "document": {"document": {"file_id": "d", "file_unique_id": "d"}},
        "location": {"location": {"latitude": 33.3, "longitude": 44.4}},
        "contact": {"contact": {"phone_number": "+9647701234567", "first_name": "X"}},
    }
    if kind == "text":
        return {"message": {**base, "text": text or "."}}
    if kind == "edited":
        return {"edited_message": {**base, "text": text or ".", "edit_date": int(time.time())}}
    if kind in attachments:
        return {"message": {**base, **attachments[kind]}}
    if kind == "group":
        group = {"id": -100_000 - user, "type": "group", "title": "G"}
        return {"message": {**base, "chat": group, "text": text or "."}}
    if kind == "channel":
        return {"channel_post": {"message_id": 1, "date": 0, "text": text or ".",
                                 "chat": {"id": -200_000, "type": "channel", "title": "C"}}}
    return {"poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0,
                     "is_closed": False, "is_anonymous": True, "type": "regular",
                     "allows_multiple_answers": False}}


def expects_reply(kind: str) -> bool:
    """Private messages and button presses get a message (a press also its callback answer)."""
    return kind in {"text", "edited", "sticker", "voice", "document", "location", "contact",
                    "callback"}


class Counter:
    next_user = 800_000
    pushed: list[tuple[int, str]] = []
    updates: dict[int, dict] = {}


@settings(max_examples=BATCHES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(kinds, texts, callback_data), min_size=BATCH_SIZE, max_size=BATCH_SIZE))
def run_batch(telegram, batch) -> None:  # type: ignore[no-untyped-def]
    for kind, text, data in batch:
        Counter.next_user += 1  # one user per update: flood control is tested elsewhere
        if kind == "callback":  # a press on a message the bot never sent, with forged data
            telegram.push_callback(Counter.next_user, 1, data)
            update = {"callback_query": {"data": data}}
        else:
            update = build_update(kind, Counter.next_user, text, data)
            telegram.push_update(update)
        Counter.pushed.append((Counter.next_user, kind))
        Counter.updates[Counter.next_user] = update


def test_hostile_updates_crash_nothing_and_get_answers(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    since = telegram.mark()
    run_batch(telegram)
    assert len(Counter.pushed) == BATCHES * BATCH_SIZE

    expected = {user for user, kind in Counter.pushed if expects_reply(kind)}
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        answered = {m["chat_id"] for m in telegram.sent_messages(since=since)}
        if expected <= answered:
            break
        time.sleep(1)
    missing = expected - {m["chat_id"] for m in telegram.sent_messages(since=since)}
    bot_log = (stack.log_dir / "bot.log").read_text(errors="replace")
    assert not missing, (f"{len(missing)} private updates got no answer: "
                         f"{[Counter.updates[user] for user in sorted(missing)[:5]]}\n{bot_log[-3000:]}")

    presses = sum(1 for _, kind in Counter.pushed if kind == "callback")
    assert len(telegram.callback_answers()) >= presses
    assert bot.process.poll() is None and stack.rasa.process.poll() is None
    assert stack.actions.process.poll() is None
    for log in ("bot.log", "actions.log"):
        content = (stack.log_dir / log).read_text(errors="replace")
        assert "Traceback" not in content and " ERROR " not in content, log

    factory = make_session_factory(make_engine(stack.database_url))
    with factory() as session:
        # Nobody consented to anything: no referral; no chat id stored for groups or channels.
        # (Chat ids are encrypted: compared here, in Python, not in SQL.)
        links = session.scalars(select(ChatLink)).all()
        fuzzed = [link.user_key for link in links if link.chat_id >= 800_000]
        assert session.scalar(select(func.count()).select_from(Referral).where(
            Referral.user_key.in_(fuzzed))) == 0
        assert [link for link in links if link.chat_id < 0] == []
        # Hostile text the assistant missed waits for review de-identified: no number at all.
        kept = session.scalars(select(ReviewItem.text)).all()
        assert not [text for text in kept if leaks_a_number(text)]
