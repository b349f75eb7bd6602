"""Keep only what is needed, for only as long as it is needed.

`purge` deletes Rasa conversation events older than `conversation_days`, anonymises closed
or declined referrals whose last change is older than `closed_referral_days` (the phone number,
description and caseworkers' notes go; the case stays for the statistics), and deletes review
items (de-identified missed messages, store/review.py) received more than `review_days` days
ago, whatever their state; it also clears review items' idempotency keys after a day. It records
one audit entry with counts. The bot runs it once a day; `python -m store.retention` runs it by
hand. Defaults (RETENTION_CONVERSATION_DAYS=30, RETENTION_CLOSED_REFERRAL_DAYS=180) are the ones
the privacy answer tells users (content/answers.yml); REVIEW_RETENTION_DAYS is 90.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.audit import RETENTION_PURGE, record
from store.erasure import (
    ERASED_USER_KEY,
    anonymise_referral,
    delete_tracker_events,
    without_personal_fields,
)
from store.models import Referral, ReferralStatus, utcnow
from store.review import purge_review_items

FINISHED = (ReferralStatus.CLOSED, ReferralStatus.DECLINED)


@dataclass(frozen=True)
class PurgeSummary:
    conversation_events_deleted: int
    referrals_anonymised: int
    review_items_deleted: int


def anonymise_finished_referrals(session: Session, changed_before: datetime) -> int:
    """Anonymise closed and declined referrals last changed before the cutoff."""
    referrals = session.scalars(
        select(Referral).where(
            Referral.status.in_(FINISHED),
            Referral.updated_at < changed_before,
            Referral.user_key != ERASED_USER_KEY,
        ).options(*without_personal_fields())
    ).all()
    for referral in referrals:
        anonymise_referral(session, referral)
    return len(referrals)


def delete_old_conversation_events(tracker_db_url: str, before: datetime) -> int:
    """Delete Rasa tracker events older than the cutoff (column `timestamp`, epoch seconds)."""
    return delete_tracker_events(tracker_db_url, "timestamp < :cutoff",
                                 {"cutoff": before.timestamp()})


def purge(factory: sessionmaker[Session], tracker_db_url: str, *, conversation_days: int,
          closed_referral_days: int, review_days: int,
          now: datetime | None = None) -> PurgeSummary:
    now = now or utcnow()
    events = delete_old_conversation_events(tracker_db_url, now - timedelta(days=conversation_days))
    with factory.begin() as session:
        anonymised = anonymise_finished_referrals(session, now - timedelta(days=closed_referral_days))
        # An item received on day D is kept for `review_days` whole days after it.
        review_items = purge_review_items(
            session, received_before=now.date() - timedelta(days=max(review_days, 0)),
            forget_keys_before=now.date() - timedelta(days=1),
        )
        summary = PurgeSummary(events, anonymised, review_items)
        record(session, RETENTION_PURGE, username="retention", now=now,
               detail=json.dumps({**asdict(summary), "conversation_days": conversation_days,
                                  "closed_referral_days": closed_referral_days,
                                  "review_days": review_days}))
    return summary


def main() -> None:
    from common.logging_setup import configure_logging
    from common.settings import get_settings
    from store.db import default_session_factory

    settings = get_settings()
    configure_logging(settings.log_level)
    summary = purge(default_session_factory(), settings.tracker_db_url,
                    conversation_days=settings.retention_conversation_days,
                    closed_referral_days=settings.retention_closed_referral_days,
                    review_days=settings.review_retention_days)
    print(f"conversation events deleted: {summary.conversation_events_deleted}; "
          f"referrals anonymised: {summary.referrals_anonymised}; "
          f"review items deleted: {summary.review_items_deleted}")


if __name__ == "__main__":
    main()
