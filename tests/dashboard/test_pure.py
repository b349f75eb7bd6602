"""Pure parts of the dashboard: texts, charts, the CSV cells."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.charts import PALETTE, Series, horizontal_bars, stacked_columns
from dashboard.export import BOM, defuse, local_phone, referrals_csv
from dashboard.i18n import LANGUAGES, TEXTS, role_label, text_direction, translate
from store.models import ContactMethod, NeedCategory, Referral, ReferralStatus, utcnow

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
FIELD = re.compile(r"\{(\w+)\}")


def test_every_text_exists_in_both_languages_with_the_same_fields() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(entry[lang].strip() for lang in LANGUAGES), key
        assert set(FIELD.findall(entry["ar"])) == set(FIELD.findall(entry["en"])), key


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in [*DASHBOARD.rglob("*.html"), *DASHBOARD.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\bt\(\s*['"]([a-z0-9_]+)['"]""", text))
        keys |= set(re.findall(r"""_key=['"]([a-z0-9_]+)['"]""", text))
    return {key for key in keys if not key.endswith("_")}  # prefixes: see dynamic_keys


def dynamic_keys() -> set[str]:
    """Keys built from a prefix and a value: every value must have its text."""
    from store.audit import ACTIONS
    from store.models import NotificationStatus, NotificationTarget, StaffRole

    keys = {f"action_{a}" for a in ACTIONS}
    keys |= {f"delivery_{s.value}" for s in NotificationStatus}
    keys |= {f"recipient_{t.value}" for t in NotificationTarget}
    keys |= {f"role_{r.value}" for r in StaffRole}
    keys |= {f"contact_{c.value}" for c in ContactMethod}
    keys |= {f"sort_{s}" for s in ("created", "updated", "status", "category", "governorate")}
    keys |= {f"language_{lang}" for lang in LANGUAGES}
    keys |= {f"error_{r}" for r in (
        "transition_not_allowed", "note_required", "note_too_long", "referred_to_required",
        "referred_to_too_long", "changed_meanwhile", "not_allowed", "invalid_username",
        "username_taken", "invalid_role", "invalid_organisation", "unknown_governorate",
        "governorates_required", "invalid_language", "password_too_short",
        "password_too_long", "cannot_deactivate_self")}
    keys |= {f"error_{s}{suffix}" for s in (400, 401, 403, 404, 405, 413, "other", "csrf")
             for suffix in ("", "_title")}
    return keys


def test_every_text_the_dashboard_uses_exists() -> None:
    missing = (used_keys() | dynamic_keys()) - set(TEXTS)
    assert not missing


@pytest.mark.parametrize(("key", "lang", "values", "text"), [
    ("results_count", "en", {"count": 3}, "3 results"),
    ("results_count", "ar", {"count": 3}, "النتائج: 3"),
    ("results_count", "fr", {"count": 3}, "النتائج: 3"),
    ("no_such_key", "ar", {}, "no_such_key"),
    ("page_of", "en", {"page": 1}, "Page 1 of {pages}"),
])
def test_translate(key: str, lang: str, values: dict, text: str) -> None:  # type: ignore[type-arg]
    assert translate(key, lang, **values) == text


def test_directions_and_roles() -> None:
    assert text_direction("ar") == "rtl" and text_direction("en") == "ltr"
    assert role_label("supervisor", "ar") == "مشرف"
    assert role_label("caseworker", "en") == "Caseworker"


def test_charts_escape_labels_and_mirror_for_arabic() -> None:
    items = [("<script>alert(1)</script>", 3), ("الأنبار", 1)]
    ltr = str(horizontal_bars(items, "By governorate", rtl=False))
    rtl = str(horizontal_bars(items, "حسب المحافظة", rtl=True))
    for svg in (ltr, rtl):
        assert "<script>" not in svg and "&lt;script&gt;" in svg
        assert svg.startswith("<svg") and svg.endswith("</svg>") and 'role="img"' in svg
    assert 'x="4.0" y="20.0" font-size="12" text-anchor="start"' in ltr
    assert 'text-anchor="end"' in rtl and 'x="516.0"' in rtl


def test_weekly_columns_stack_and_label_totals() -> None:
    series = [Series("Housing", [1, 0, 2], PALETTE[0]), Series("Documents", [1, 0, 0], PALETTE[1])]
    svg = str(stacked_columns(["01/11", "08/11", "15/11"], series, "Per week", rtl=False))
    assert svg.count("<rect") == 3 + 2  # three bars drawn, two legend keys
    assert ">2</text>" in svg and "01/11 · Housing: 1" in svg
    mirrored = str(stacked_columns(["01/11", "08/11", "15/11"], series, "Per week", rtl=True))
    first_ltr = float(re.search(r'<rect x="([\d.]+)"', svg).group(1))
    first_rtl = float(re.search(r'<rect x="([\d.]+)"', mirrored).group(1))
    assert first_rtl > first_ltr  # the oldest week is on the right in Arabic
    assert str(stacked_columns([], [], "empty", rtl=False)).endswith("</svg>")


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+964", "'+964"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("بيتنا =1", "بيتنا =1"), ("plain", "plain"), ("", ""),
])
def test_cells_never_become_formulas(value: str, cell: str) -> None:
    assert defuse(value) == cell


@pytest.mark.parametrize(("phone", "cell"), [
    ("+9647701234567", "0770 123 4567"), (None, ""), ("", ""), ("+1234", "'+1234"),
])
def test_phones_are_written_the_local_way(phone, cell) -> None:  # type: ignore[no-untyped-def]
    assert local_phone(phone) == cell


def test_the_csv_starts_with_a_bom_and_uses_display_names() -> None:
    referral = Referral(code="R-7KQ2MX", created_at=utcnow(), updated_at=utcnow(),
                        status=ReferralStatus.REFERRED, urgent=True,
                        category=NeedCategory.DOCUMENTS, governorate="salah_al_din",
                        contact_method=ContactMethod.TELEGRAM, phone=None,
                        description="أحتاج هوية", language="ar", assignee_id=3,
                        referred_to="مديرية الأحوال المدنية", organisation="org-a")
    text = referrals_csv([referral], {3: "amal"}, "ar", lambda value: "T")
    assert text.startswith(BOM)
    lines = text.removeprefix(BOM).split("\r\n")
    assert lines[1] == ("R-7KQ2MX,T,محال إلى جهة مختصة,نعم,الوثائق المدنية,صلاح الدين,"
                        "رسالة بتلگرام,,أحتاج هوية,ar,amal,مديرية الأحوال المدنية,org-a,T")
