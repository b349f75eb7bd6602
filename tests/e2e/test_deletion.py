"""/delete through the real stack: a referral nobody acted on, the chat link and Rasa's
conversation are erased after the user confirms."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from bot.pseudonym import user_key
from store.db import make_engine, make_session_factory
from store.models import AuditEntry, ChatLink, Referral
from tests.e2e.conftest import PSEUDONYM_SECRET, containing, make_referral, wait_for, with_button

pytestmark = pytest.mark.e2e



def tracker_events(stack, key: str) -> int:  # type: ignore[no-untyped-def]
    connection = sqlite3.connect(stack.log_dir / "tracker.db")
    try:
        return connection.execute("SELECT count(*) FROM events WHERE sender_id = ?",
                                  (key,)).fetchone()[0]
    finally:
        connection.close()


def test_delete_erases_the_referral_the_chat_link_and_the_conversation(stack, telegram, bot) -> None:  # type: ignore[no-untyped-def]
    user = 73001  # no other e2e test uses it: the tracker store is shared
    key = user_key(PSEUDONYM_SECRET, user)
    code = make_referral(telegram, user, "اريد موظف حالة يتواصل وياي", "نينوى", "بيتنا بالموصل مهدوم نص ونحتاج ترميم")

    factory = make_session_factory(make_engine(stack.database_url))
    with factory() as session:
        assert session.scalars(select(Referral).where(Referral.code == code)).one().user_key == key
        assert session.get(ChatLink, key) is not None
    assert tracker_events(stack, key) > 0

    since = telegram.mark()
    telegram.push_command(user, "/delete")
    explanation = wait_for(telegram, user, since, with_button("🗑️ نعم، احذف بياناتي"))
    assert "رقم هاتفك" in explanation["text"]

    since = telegram.mark()
    telegram.press_button(user, explanation, "🗑️ نعم، احذف بياناتي")
    wait_for(telegram, user, since, containing("تم حذف بياناتك"))

    with factory() as session:
        # Nobody acted on the referral: it is gone, not merely anonymised.
        assert session.scalars(select(Referral).where(Referral.code == code)).one_or_none() is None
        assert session.scalars(select(Referral).where(Referral.user_key == key)).all() == []
        assert session.get(ChatLink, key) is None
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user_data_erased")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None and key not in (entry.detail or "")
        assert code not in (entry.detail or "")
    assert tracker_events(stack, key) == 0
    factory.kw["bind"].dispose()
