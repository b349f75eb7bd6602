"""The referral store on SQLite and PostgreSQL, schema made by the Alembic migrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from store.migrate import alembic_config
from store.models import ContactMethod, NeedCategory, ReferralStatus, utcnow
from store.repository import (
    CODE_ALPHABET,
    ReferralDraft,
    create_referral,
    find_reference_codes,
    find_referral_by_code,
    get_chat_link,
    link_chat,
    new_reference_code,
    referrals_for_user,
)


def draft(request_key: str = "k1", user_key: str = "u" * 64, **changes) -> ReferralDraft:  # type: ignore[no-untyped-def]
    values = dict(
        request_key=request_key,
        user_key=user_key,
        category=NeedCategory.HOUSING,
        governorate="ninewa",
        contact_method=ContactMethod.PHONE,
        phone="+9647701234567",
        description="بيتنا مهدوم بالموصل",
        language="ar",
        urgent=False,
        consent_at=utcnow(),
    )
    values.update(changes)
    return ReferralDraft(**values)


def test_a_referral_is_stored_with_a_short_code(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = create_referral(session_factory, draft())
    with session_factory() as session:
        stored = find_referral_by_code(session, referral.code)
    assert stored is not None
    assert stored.status is ReferralStatus.NEW
    assert stored.description == "بيتنا مهدوم بالموصل"
    assert stored.category is NeedCategory.HOUSING
    assert stored.urgent is False
    assert len(referral.code) == 8 and referral.code.startswith("R-")


def test_a_retried_submission_returns_the_first_referral(session_factory) -> None:  # type: ignore[no-untyped-def]
    first = create_referral(session_factory, draft(request_key="same"))
    second = create_referral(session_factory, draft(request_key="same", description="other"))
    assert second.id == first.id and second.code == first.code
    with session_factory() as session:
        assert len(referrals_for_user(session, "u" * 64)) == 1


def test_referrals_for_user_are_newest_first_and_only_theirs(session_factory) -> None:  # type: ignore[no-untyped-def]
    older = create_referral(session_factory, draft(request_key="a", consent_at=utcnow() - timedelta(days=1)))
    newer = create_referral(session_factory, draft(request_key="b", category=NeedCategory.DOCUMENTS))
    create_referral(session_factory, draft(request_key="c", user_key="v" * 64))
    with session_factory() as session:
        codes = [r.code for r in referrals_for_user(session, "u" * 64)]
    assert codes == [newer.code, older.code]


def test_urgent_referrals_are_flagged(session_factory) -> None:  # type: ignore[no-untyped-def]
    referral = create_referral(
        session_factory,
        draft(urgent=True, category=NeedCategory.PROTECTION, governorate=None, description=None,
              contact_method=ContactMethod.TELEGRAM, phone=None),
    )
    with session_factory() as session:
        stored = find_referral_by_code(session, referral.code)
        assert stored is not None and stored.urgent is True and stored.phone is None


def test_chat_links_map_a_key_to_its_latest_chat(session_factory) -> None:  # type: ignore[no-untyped-def]
    with session_factory.begin() as session:
        link_chat(session, "k" * 64, 1001)
    with session_factory.begin() as session:
        link_chat(session, "k" * 64, 2002)
    with session_factory() as session:
        link = get_chat_link(session, "k" * 64)
        assert link is not None and link.chat_id == 2002 and link.language == "ar"


def test_reference_codes_avoid_confusable_characters() -> None:
    for _ in range(200):
        code = new_reference_code()
        assert all(character in CODE_ALPHABET for character in code[2:])


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("شصار بطلبي R-7KQ2MX", ["R-7KQ2MX"]),
        ("status of r-7kq2mx please", ["R-7KQ2MX"]),
        ("R7KQ2MX", ["R-7KQ2MX"]),
        ("no code here", []),
        ("R-7KQ2M", []),
    ],
)
def test_reference_codes_are_found_in_messages(text: str, codes: list[str]) -> None:
    assert find_reference_codes(text) == codes


def test_migrations_have_one_head_and_match_the_models(database_url: str) -> None:
    config = alembic_config(database_url)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
    command.check(config)  # raises when the models and the migrated schema differ


def test_migrations_downgrade_cleanly(database_url: str) -> None:
    from store.migrate import upgrade

    command.downgrade(alembic_config(database_url), "base")
    upgrade(database_url)
