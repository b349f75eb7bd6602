"""An Arabic conversation through Telegram (fake Bot API), the bot, Rasa and the actions."""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import select

from store.db import make_engine, make_session_factory
from store.models import ChatLink, ContactMethod, NeedCategory, Referral
from tests.e2e.conftest import CODE, containing, converse, has_code, wait_for, with_button

pytestmark = pytest.mark.e2e


def test_arabic_referral_from_start_to_reference_code_and_status(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 70001
    since = telegram.mark()
    telegram.push_command(user, "/start", payload="leaflet_anbar")
    wait_for(telegram, user, since, containing("أهلاً"))

    since = telegram.mark()
    telegram.push_text(user, "اريد موظف حالة يتواصل وياي")
    consent = wait_for(telegram, user, since, with_button("✅ نعم، أوافق"))
    assert "/delete" in consent["text"]

    since = telegram.mark()
    telegram.press_button(user, consent, "✅ نعم، أوافق")
    category = wait_for(telegram, user, since, with_button("🏠 السكن والبيت"))

    since = telegram.mark()
    telegram.press_button(user, category, "🏠 السكن والبيت")
    governorate = wait_for(telegram, user, since, with_button("نينوى"))

    since = telegram.mark()
    telegram.press_button(user, governorate, "نينوى")
    contact = wait_for(telegram, user, since, with_button("💬 برسالة هنا بتلگرام"))

    since = telegram.mark()
    telegram.press_button(user, contact, "💬 برسالة هنا بتلگرام")
    wait_for(telegram, user, since, with_button("⏭️ تخطي"))

    since = telegram.mark()
    telegram.push_text(user, "بيتنا بالموصل مهدوم نص ونحتاج ترميم")
    summary = wait_for(telegram, user, since, with_button("✅ نعم، سجل الطلب"))
    assert "نينوى" in summary["text"] and "ترميم" in summary["text"]

    since = telegram.mark()
    telegram.press_button(user, summary, "✅ نعم، سجل الطلب")
    stored = wait_for(telegram, user, since, lambda m: bool(CODE.search(m["text"] or "")))
    code = CODE.search(stored["text"]).group()

    # Every button press was answered, and each pressed keyboard was removed.
    assert len(telegram.answered_callbacks()) >= 5

    factory = make_session_factory(make_engine(stack.database_url))
    with factory() as session:
        referral = session.scalars(select(Referral).where(Referral.code == code)).one()
        assert referral.category is NeedCategory.HOUSING
        assert referral.governorate == "ninewa"
        assert referral.contact_method is ContactMethod.TELEGRAM
        assert referral.description == "بيتنا بالموصل مهدوم نص ونحتاج ترميم"
        # Pseudonymous: the Telegram id is not the key; the chat id lives only in the chat link.
        assert str(user) not in referral.user_key
        link = session.get(ChatLink, referral.user_key)
        assert link is not None and link.chat_id == user

    since = telegram.mark()
    telegram.push_text(user, "شصار بطلبي؟")
    wait_for(telegram, user, since, containing(code))


def test_rasa_never_sees_the_telegram_id(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 70002
    since = telegram.mark()
    telegram.push_text(user, "هلو")
    wait_for(telegram, user, since, lambda m: True)
    tracker_db = (stack.log_dir / "tracker.db").read_bytes()
    # As a number of its own (pseudonyms are hex strings and may contain the digits).
    assert not re.search(rb"(?<![0-9a-f])%d(?![0-9a-f])" % user, tracker_db)


def test_no_phone_number_or_description_reaches_any_log(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 70003
    phone, description = "07809876543", "سقف غرفتنا واگع ونحتاج مساعدة بالترميم"
    # (what the user does, what the next awaited reply has)
    steps = [
        (("text", "سجلوني عندكم"), with_button("✅ نعم، أوافق")),
        (("button", "✅ نعم، أوافق"), with_button("🏠 السكن والبيت")),
        (("button", "🏠 السكن والبيت"), with_button("الأنبار")),
        (("button", "الأنبار"), with_button("📞 باتصال على رقمي")),
        (("button", "📞 باتصال على رقمي"), containing("07XXXXXXXXX")),
        (("text", phone), containing("بدون أسماء")),
        (("text", description), with_button("✅ نعم، سجل الطلب")),
        (("button", "✅ نعم، سجل الطلب"), has_code),
    ]
    converse(telegram, user, steps)

    for log in stack.log_dir.glob("*.log"):
        content = log.read_text(errors="replace")
        for secret in (phone, phone[1:], description, "واگع", str(user)):
            assert secret not in content, f"{secret!r} found in {log.name}"


    # Nor the referral store's files: the action server and the bot write them encrypted.
    store_file = stack.database_url.removeprefix("sqlite:///")
    stored = b"".join(path.read_bytes() for path in
                      stack.log_dir.glob(store_file.rsplit("/", 1)[1] + "*"))
    assert b"enc1:" in stored
    for secret in (phone[1:], description, "واگع"):
        assert secret.encode() not in stored, f"{secret!r} found in the referral store"
    assert not re.search(rb"(?<![0-9a-zA-Z])%d(?![0-9a-zA-Z])" % user, stored)

    # Nor Rasa's tracker store, which keeps the whole conversation: its events are encrypted
    # (nlu/tracker_store.py); a silent fall back to Rasa's in-memory store would leave no rows.
    tracker_file = stack.log_dir / "tracker.db"
    connection = sqlite3.connect(tracker_file)
    try:
        data = [row[0] for row in connection.execute("SELECT data FROM events")]
    finally:
        connection.close()
    assert len(data) > 20 and all(value.startswith("enc1:") for value in data)
    tracker_bytes = b"".join(path.read_bytes() for path in stack.log_dir.glob("tracker.db*"))
    for secret in (phone[1:], description, "واگع", "سجلوني"):
        assert secret.encode() not in tracker_bytes, f"{secret!r} found in the tracker store"
