"""What a caseworker types through the dashboard is stored encrypted and shown decrypted."""

from __future__ import annotations

from sqlalchemy import text

from tests.dashboard.conftest import post

NOTE = "كلمت أم علي على رقم جارتها"
SERVICE = "المجلس النرويجي، مكتب الرمادي"
EXTRA_NOTE = "العائلة انتقلت لحي التأميم"


def test_notes_and_the_service_are_encrypted_in_the_database_and_readable_on_the_page(as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user("sara")
    code = world.referrals["anbar"].code
    for data in ({"status": "in_progress", "note": NOTE, "expected": "new"},
                 {"status": "referred", "note": "أحلته", "referred_to": SERVICE,
                  "expected": "in_progress"}):
        assert post(client, f"/referrals/{code}/status", data,
                    page=f"/referrals/{code}").status_code == 303
    assert post(client, f"/referrals/{code}/notes", {"note": EXTRA_NOTE},
                page=f"/referrals/{code}").status_code in (302, 303)

    page = client.get(f"/referrals/{code}").get_data(as_text=True)
    for shown in (NOTE, SERVICE, EXTRA_NOTE, "+9647701234567"):
        assert shown in page
    export = client.get("/referrals/export.csv").get_data().decode("utf-8-sig")
    assert SERVICE in export and "0770 123 4567" in export

    with world.factory() as session:
        cells = [str(value)
                 for table in ("referral", "referral_event", "chat_link", "notification",
                               "audit_log")
                 for row in session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
                 for value in row]
    for secret in (NOTE, SERVICE, EXTRA_NOTE, "7701234567", "بيتنا مهدوم"):
        assert not [cell for cell in cells if secret in cell], secret
