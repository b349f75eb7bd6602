"""The trainers' review page: trainers see, label, discard and export; nobody else may."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from store.models import AuditEntry, ReviewItem, ReviewReason, ReviewStatus
from store.review import capture
from tests.dashboard.conftest import csrf_token, make_app, post

TODAY = date(2027, 6, 1)
GROUP = re.compile(r'data-group="([0-9a-f]{64})"')


def keep(factory, text: str, intent: str = "out_of_scope", confidence: float = 0.3) -> None:  # type: ignore[no-untyped-def]
    capture(factory, text=text, predicted_intent=intent, confidence=confidence,
            reason=ReviewReason.LOW_CONFIDENCE, key=None, today=TODAY, retention_days=90)


@pytest.fixture
def queue(world):  # type: ignore[no-untyped-def]
    """Three messages in two groups, and one alone."""
    keep(world.factory, "شلون اطلع هوية؟", "doc_civil_id", 0.4)
    keep(world.factory, "شلون أطلع هويه", "doc_civil_id", 0.2)
    keep(world.factory, "اسمي خالد ورقمي 07701234567 ابي شغل", "livelihood_support", 0.35)
    return world


def groups_on(page: str) -> list[str]:
    return GROUP.findall(page)


def items(world) -> list[ReviewItem]:  # type: ignore[no-untyped-def]
    with world.factory() as session:
        return list(session.scalars(select(ReviewItem).order_by(ReviewItem.id)))


def audit_entries(world, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with world.factory() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_trainer_lands_on_the_review_page_and_sees_groups(as_user, queue) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    assert client.get("/").headers["Location"] == "/review"
    page = client.get("/review").get_data(as_text=True)
    assert "رسائل لم يفهمها المساعد" in page and 'href="/review" aria-current="page"' in page
    # Most frequent first; de-identified; counts and predictions shown.
    first, second = groups_on(page)
    assert page.index("شلون أطلع هويه") < page.index("ابي شغل")
    assert "اسمي &lt;name&gt; ورقمي &lt;phone&gt; ابي شغل" in page
    assert "خالد" not in page and "07701234567" not in page
    assert 'class="count">2<' in page and "doc_civil_id" in page and "30%" in page
    assert '<option value="housing_damaged_home">' in page
    assert '<option value="start">' not in page
    [viewed] = audit_entries(queue, "review_viewed")
    assert viewed.actor_username == "tala" and viewed.detail == "page=1 groups=2"


def test_the_page_in_english(as_user, queue) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    client.get("/language/en")
    page = client.get("/review").get_data(as_text=True)
    assert "Messages the assistant missed" in page and '<html lang="en" dir="ltr">' in page


def test_a_trainer_labels_a_group(as_user, queue) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    first = groups_on(client.get("/review").get_data(as_text=True))[0]
    response = post(client, "/review/label", {"group": first, "intent": "doc_civil_id",
                                              "page": "1"}, page="/review")
    assert response.status_code == 303 and response.headers["Location"] == "/review?page=1"
    page = client.get("/review").get_data(as_text=True)
    assert "صُنّفت 2 رسالة: doc_civil_id." in page
    assert first not in groups_on(page) and len(groups_on(page)) == 1
    labelled = [i for i in items(queue) if i.status is ReviewStatus.LABELLED]
    assert [(i.label, i.labelled_on is not None) for i in labelled] == [("doc_civil_id", True)] * 2
    [entry] = audit_entries(queue, "review_labelled")
    assert entry.detail == '{"intent": "doc_civil_id", "items": 2, "predicted": "doc_civil_id"}'


def test_an_unknown_intent_or_group_is_refused(as_user, queue) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    first = groups_on(client.get("/review").get_data(as_text=True))[0]
    refused = post(client, "/review/label", {"group": first, "intent": "nlu_fallback"},
                   page="/review")
    assert refused.status_code == 303
    assert "اختر نية من القائمة." in client.get("/review").get_data(as_text=True)
    assert post(client, "/review/label", {"group": "x' OR 1=1", "intent": "greet"},
                page="/review").status_code == 400
    gone = post(client, "/review/discard", {"group": "0" * 64}, page="/review")
    assert gone.status_code == 303
    assert all(i.status is ReviewStatus.PENDING for i in items(queue))
    assert audit_entries(queue, "review_labelled") == audit_entries(queue, "review_discarded") == []


def test_a_trainer_discards_a_group_and_it_is_deleted(as_user, queue) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    second = groups_on(client.get("/review").get_data(as_text=True))[1]
    assert post(client, "/review/discard", {"group": second}, page="/review").status_code == 303
    assert [i.text for i in items(queue)] == ["شلون اطلع هوية؟", "شلون أطلع هويه"]
    [entry] = audit_entries(queue, "review_discarded")
    assert entry.detail == '{"items": 1, "predicted": "livelihood_support"}'


def test_a_trainer_exports_labelled_messages(session_factory, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from common.settings import get_settings
    from tests.dashboard.conftest import login

    target = tmp_path / "reviewed.yml"
    app = make_app(session_factory, review_export_path=target)
    client = app.test_client()
    login(client, "tala")
    keep(world.factory, "وين اكدر اجدد بطاقتي التموينية بالفلوجة", "doc_civil_id")
    keep(world.factory, "هلا بالحبايب", "greet")  # a held-out test sentence
    for group in groups_on(client.get("/review").get_data(as_text=True)):
        post(client, "/review/label", {"group": group, "intent": "doc_civil_id"}, page="/review")
    response = post(client, "/review/export", {}, page="/review")
    assert response.status_code == 303
    page = client.get("/review").get_data(as_text=True)
    assert "أُضيف 1 مثال إلى reviewed.yml" in page and "1 من مجموعة الاختبار" in page
    assert "بطاقتي التموينية" in target.read_text(encoding="utf-8")
    assert "هلا بالحبايب" not in target.read_text(encoding="utf-8")
    [entry] = audit_entries(world, "review_exported")
    assert '"examples_added": 1' in entry.detail and '"heldout_skipped": 1' in entry.detail
    assert "بطاقتي" not in entry.detail
    assert get_settings().review_export_path != target  # the real file was not touched


@pytest.mark.parametrize("username", ["sara", "amal", "root", "zaid", "huda"])
def test_nobody_but_trainers_reads_or_changes_the_queue(as_user, queue, username) -> None:  # type: ignore[no-untyped-def]
    client = as_user(username)
    assert client.get("/review").status_code == 403
    group = "0" * 64
    for path, data in (("/review/label", {"group": group, "intent": "greet"}),
                       ("/review/discard", {"group": group}),
                       ("/review/export", {})):
        assert post(client, path, data, page="/welcome").status_code == 403
    page = client.get("/welcome").get_data(as_text=True)
    assert 'href="/review"' not in page
    assert all(i.status is ReviewStatus.PENDING for i in items(queue)) and len(items(queue)) == 3
    assert audit_entries(queue, "review_viewed") == []


def test_signed_out_visitors_go_to_the_login(app, queue) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert client.get("/review").headers["Location"].startswith("/login")
    assert client.post("/review/discard", data={"group": "0" * 64}).status_code in (302, 400)
    assert len(items(queue)) == 3


def test_posts_need_the_csrf_token(as_user, queue) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    group = groups_on(client.get("/review").get_data(as_text=True))[0]
    for path, data in (("/review/label", {"group": group, "intent": "greet"}),
                       ("/review/discard", {"group": group}), ("/review/export", {})):
        assert client.post(path, data=data).status_code == 400
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    assert all(i.status is ReviewStatus.PENDING for i in items(queue))
    assert csrf_token(client, "/review")  # the page itself carries a token


def test_an_inactive_trainer_is_refused(as_user, queue) -> None:  # type: ignore[no-untyped-def]
    client = as_user("tala")
    with queue.factory.begin() as session:
        from store.models import StaffUser

        session.get(StaffUser, queue.staff["tala"].id).active = False
    # The session of a deactivated account ends: back to the login.
    assert client.get("/review").headers["Location"].startswith("/login")


def test_an_empty_queue(as_user, world) -> None:  # type: ignore[no-untyped-def]
    page = as_user("tala").get("/review?page=7").get_data(as_text=True)
    assert "لا توجد رسائل بانتظار المراجعة." in page

