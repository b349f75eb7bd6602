"""/delete at the assistant: the explanation, the yes/no buttons, and what goes (or stays)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.assistant import Assistant, Turn
from bot.callbacks import DELETE_NO, DELETE_YES
from bot.rasa_client import RasaClient
from content.loader import message
from store import lifecycle
from store.models import ChatLink, Notification, Referral, ReferralStatus
from tests.conftest import TEST_SECRET
from tests.support.records import add_referral, add_staff
from tests.support.stub_rasa import StubRasa
from tests.support.tracker_db import make_tracker_db, senders

USER = 5550077


@pytest.fixture
def stub():  # type: ignore[no-untyped-def]
    with StubRasa() as rasa:
        yield rasa


@pytest.fixture
def tracker_db(tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path / "tracker.db"


@pytest.fixture
def assistant(stub, sqlite_session_factory, tracker_db) -> Assistant:  # type: ignore[no-untyped-def]
    return Assistant(RasaClient(stub.url, 2.0), sqlite_session_factory, TEST_SECRET,
                     tracker_db_url=f"sqlite:///{tracker_db}")


def turn(update: int = 1) -> Turn:
    return Turn(telegram_user_id=USER, chat_id=USER, chat_type="private", turn_id=str(update))


def with_data(assistant: Assistant, factory, tracker_db) -> tuple[str, Referral, Referral]:  # type: ignore[no-untyped-def]
    """The user has a chat link, an untouched referral, one a caseworker acted on, and a
    conversation in Rasa's tracker store; somebody else has a conversation too."""
    key = assistant.key_for(turn())
    untouched = add_referral(factory, user_key=key, chat_id=USER)
    handled = add_referral(factory, user_key=key)
    caseworker = add_staff(factory, "amal")
    with factory.begin() as session:
        lifecycle.change_status(session, session.get(Referral, handled.id), caseworker,
                                ReferralStatus.IN_PROGRESS, "بدأنا بالمتابعة")
    make_tracker_db(tracker_db, [(key, "user"), (key, "bot"), ("b" * 64, "user")])
    return key, untouched, handled


async def test_delete_explains_and_offers_yes_and_no(assistant, stub) -> None:  # type: ignore[no-untyped-def]
    [reply] = await assistant.request_deletion(turn())
    assert reply.text == message("delete_explain", "ar")
    assert [b.callback_id for b in reply.buttons] == [DELETE_YES, DELETE_NO]
    # No right-to-left mark before the emoji of a button title.
    assert [b.title for b in reply.buttons] == ["🗑️ نعم، احذف بياناتي", "لا، لا تحذف شيئاً"]
    assert stub.received == []  # Rasa is not involved


async def test_yes_erases_the_users_data(assistant, stub, sqlite_session_factory, tracker_db) -> None:  # type: ignore[no-untyped-def]
    key, untouched, handled = with_data(assistant, sqlite_session_factory, tracker_db)

    await assistant.request_deletion(turn(1))
    replies = await assistant.on_button(turn(2), DELETE_YES)

    assert [r.text for r in replies] == [message("delete_done", "ar")]
    assert stub.received == []
    with sqlite_session_factory() as session:
        assert session.get(ChatLink, key) is None
        assert session.get(Referral, untouched.id) is None
        kept = session.get(Referral, handled.id)
        assert kept.user_key != key and kept.phone is None and kept.description is None
        assert session.scalars(select(Notification).where(Notification.user_key == key)).all() == []
    assert senders(tracker_db) == ["b" * 64]


async def test_no_erases_nothing(assistant, sqlite_session_factory, tracker_db) -> None:  # type: ignore[no-untyped-def]
    key, untouched, handled = with_data(assistant, sqlite_session_factory, tracker_db)

    await assistant.request_deletion(turn(1))
    replies = await assistant.on_button(turn(2), DELETE_NO)

    assert [r.text for r in replies] == [message("delete_cancelled", "ar")]
    with sqlite_session_factory() as session:
        assert session.get(ChatLink, key) is not None
        assert session.get(Referral, untouched.id).phone == untouched.phone
        assert session.get(Referral, handled.id).user_key == key
    assert senders(tracker_db).count(key) == 2


async def test_the_delete_button_of_a_rasa_reply_is_handled_by_the_bot(assistant, stub) -> None:  # type: ignore[no-untyped-def]
    await assistant.choose_language(turn(), "en")
    stub.replies = [{"recipient_id": "x", "text": "To delete…",
                     "buttons": [{"title": "🗑️ Delete my data", "payload": "/delete"}]}]
    [reply] = await assistant.on_text(turn(2), "delete my data")
    stub.received.clear()

    [explanation] = await assistant.on_button(turn(3), reply.buttons[0].callback_id)

    assert explanation.text == message("delete_explain", "en")
    assert [b.callback_id for b in explanation.buttons] == [DELETE_YES, DELETE_NO]
    assert stub.received == []


async def test_a_missing_tracker_store_does_not_stop_the_erasure(assistant, sqlite_session_factory, tracker_db) -> None:  # type: ignore[no-untyped-def]
    referral = add_referral(sqlite_session_factory, user_key=assistant.key_for(turn()),
                            chat_id=USER)
    replies = await assistant.on_button(turn(), DELETE_YES)
    assert [r.text for r in replies] == [message("delete_done", "ar")]
    assert not tracker_db.exists()
    with sqlite_session_factory() as session:
        assert session.get(Referral, referral.id) is None
