"""The bot's front door: pseudonyms, language routing, the safety net and Rasa's failures."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.assistant import Assistant, Turn, as_user_text, clean_text
from bot.rasa_client import RasaClient
from content.loader import message
from store.models import ChatLink
from tests.conftest import TEST_SECRET
from tests.support.stub_rasa import StubRasa

USER = 5550001


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def stub():  # type: ignore[no-untyped-def]
    with StubRasa() as rasa:
        yield rasa


def make_assistant(url: str, session_factory, timeout: float = 2.0) -> Assistant:  # type: ignore[no-untyped-def]
    return Assistant(RasaClient(url, timeout), session_factory, TEST_SECRET)


def turn(update: int = 1) -> Turn:
    return Turn(telegram_user_id=USER, chat_id=USER, chat_type="private", turn_id=str(update))


async def test_rasa_gets_a_pseudonym_and_metadata_never_the_telegram_id(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = make_assistant(stub.url, sqlite_session_factory)
    replies = await assistant.on_text(turn(), "شلونكم، اريد اعرف شلون اطلع هوية")
    assert [r.text for r in replies] == ["أهلاً"]
    [sent] = stub.received
    assert str(USER) not in str(sent)
    assert sent["sender"] == assistant.key_for(turn())
    assert sent["metadata"]["language"] == "ar"
    assert sent["metadata"]["chat_type"] == "private"
    assert sent["metadata"]["turn_id"] == "1"
    with sqlite_session_factory() as session:
        link = session.get(ChatLink, sent["sender"])
        assert link is not None and link.chat_id == USER


async def test_typed_slash_text_is_not_an_intent(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    await make_assistant(stub.url, sqlite_session_factory).on_text(turn(), "/referral_request")
    assert stub.received[0]["message"] == "referral_request"


async def test_english_is_answered_in_english_and_short_text_keeps_the_language(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = make_assistant(stub.url, sqlite_session_factory)
    await assistant.on_text(turn(1), "How can I replace my lost national ID card?")
    await assistant.on_text(turn(2), "ok")
    assert [r["metadata"]["language"] for r in stub.received] == ["en", "en"]


async def test_a_chosen_language_sticks(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = make_assistant(stub.url, sqlite_session_factory)
    await assistant.choose_language(turn(), "en")
    await assistant.on_text(turn(2), "شلون اطلع هوية")
    assert stub.received[0]["metadata"]["language"] == "en"


async def test_kurdish_gets_the_trilingual_reply_without_a_guess(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    replies = await make_assistant(stub.url, sqlite_session_factory).on_text(turn(), "سڵاو، پێویستم بە یارمەتییە")
    assert stub.received == []
    assert replies[0].text == message("kurdish", "ar")
    assert {b.callback_id for b in replies[0].buttons} == {"lang:ar", "lang:en"}


@pytest.mark.parametrize("failure", ["unreachable", "slow"])
async def test_when_rasa_fails_the_user_gets_the_apology_with_emergency_numbers(failure, stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    url = closed_port_url() if failure == "unreachable" else stub.url
    if failure == "slow":
        stub.delay = 1.5
    replies = await make_assistant(url, sqlite_session_factory, timeout=0.5).on_text(turn(), "مرحبا")
    assert [r.text for r in replies] == [message("apology_unavailable", "ar")]
    assert "104" in replies[0].text


async def test_a_failed_turn_says_the_answers_are_kept_and_offers_the_button_again(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    # Rasa's REST channel answers [] when an action cannot run (the action server is down).
    assistant = make_assistant(stub.url, sqlite_session_factory)
    stub.replies = [{"recipient_id": "x", "text": "بأي محافظة؟",
                     "buttons": [{"title": "نينوى", "payload": '/inform{"governorate":"ninewa"}'}]}]
    [question] = await assistant.on_text(turn(1), "اريد اسجل طلب")
    stub.replies = []
    [typed] = await assistant.on_text(turn(2), "نينوى")
    assert typed.text == message("turn_failed", "ar") and typed.buttons == ()
    [pressed] = await assistant.on_button(turn(3), question.buttons[0].callback_id)
    assert pressed.text == message("turn_failed", "ar")
    assert "122" not in pressed.text  # not the emergency apology: nothing is lost
    # "Try again" repeats the pressed button's payload once the actions are back.
    [retry] = pressed.buttons
    assert retry.title == "🔁 أعد المحاولة"
    stub.replies = [{"recipient_id": "x", "text": "شلون نتواصل وياك؟"}]
    await assistant.on_button(turn(4), retry.callback_id)
    assert stub.received[-1]["message"] == '/inform{"governorate":"ninewa"}'
    assert stub.received[-1]["metadata"]["turn_id"] == "4"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("والله ما اريد اعيش بعد، افكر انتحر", "/crisis_self_harm"),
     ("زوجي يضربني وهددني بالقتل", "/crisis_violence")],
)
async def test_the_safety_net_sends_crisis_messages_to_rasa_as_the_crisis_intent(text, intent, stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    await make_assistant(stub.url, sqlite_session_factory).on_text(turn(), text)
    assert stub.received[0]["message"] == intent


async def test_the_safety_net_answers_when_rasa_is_down(sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    assistant = make_assistant(closed_port_url(), sqlite_session_factory)
    replies = await assistant.on_text(turn(), "I want to kill myself")
    text = "\n".join(r.text for r in replies)
    assert "122" in text and "104" in text
    assert any(b.title for r in replies for b in r.buttons)  # the urgent referral offer


async def test_one_users_messages_are_answered_in_order(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    stub.delay = 0.05
    assistant = make_assistant(stub.url, sqlite_session_factory)
    await asyncio.gather(*(assistant.on_text(turn(i), f"رسالة رقم {i}") for i in range(5)))
    assert [r["message"] for r in stub.received] == [f"رسالة رقم {i}" for i in range(5)]


async def test_an_unknown_button_gets_a_kind_reply(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    replies = await make_assistant(stub.url, sqlite_session_factory).on_button(turn(), "b:forgotten")
    assert replies[0].text == message("button_expired", "ar")
    assert stub.received == []


def test_control_and_bidi_characters_are_removed() -> None:
    assert clean_text("\u202eمرحبا\u200b\x00 ") == "مرحبا"
    assert len(clean_text("ا" * 10_000)) == 2000
    assert as_user_text("///start") == "start"


async def test_a_flood_is_answered_kindly_once_and_not_forwarded(stub, sqlite_session_factory) -> None:  # type: ignore[no-untyped-def]
    from bot.flood import FloodGuard

    assistant = Assistant(RasaClient(stub.url, 2.0), sqlite_session_factory, TEST_SECRET,
                          flood=FloodGuard(max_messages=2, window_seconds=60))
    replies = [await assistant.on_text(turn(i), f"سؤال {i}") for i in range(5)]
    assert len(stub.received) == 2
    assert [r[0].text for r in replies[2:3]] == [message("flood", "ar")]
    assert replies[3:] == [[], []]
    # A crisis message still goes through, whatever the rate.
    crisis = await assistant.on_text(turn(9), "I want to kill myself")
    assert crisis and stub.received[-1]["message"] == "/crisis_self_harm"


async def test_a_new_users_first_updates_handled_at_once_link_the_chat_without_error(stub, sqlite_session_factory, caplog) -> None:  # type: ignore[no-untyped-def]
    # Updates queued while the bot was down arrive together and are handled concurrently
    # (/help takes no per-user lock): both may try to create the chat link.
    assistant = make_assistant(stub.url, sqlite_session_factory)
    for user in range(20):
        first = Turn(telegram_user_id=USER + 100 + user, chat_id=USER + 100 + user)
        languages = await asyncio.gather(*(assistant.language_of(first) for _ in range(4)))
        assert languages == ["ar"] * 4
    assert "chat link could not be stored" not in caplog.text
    with sqlite_session_factory() as session:
        assert session.query(ChatLink).count() == 20


async def test_turns_beyond_the_limit_wait_in_the_bot_instead_of_timing_out_in_rasa(stub) -> None:  # type: ignore[no-untyped-def]
    # Six turns, two at a time, each 0.3 s in Rasa: about 0.9 s, and none hits the timeout.
    stub.delay = 0.3
    client = RasaClient(stub.url, timeout_seconds=2.0, max_concurrent=2)
    started = asyncio.get_running_loop().time()
    replies = await asyncio.gather(*(client.send(f"user-{i}", "مرحبا", {}) for i in range(6)))
    elapsed = asyncio.get_running_loop().time() - started
    await client.close()
    assert all(r == [{"recipient_id": "x", "text": "أهلاً"}] for r in replies)
    assert elapsed >= 0.85
