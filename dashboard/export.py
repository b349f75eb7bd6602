"""The CSV export of a referral list: UTF-8 with a byte-order mark, so spreadsheet software
opens the Arabic correctly; cells a spreadsheet would run as a formula are defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping

from content.loader import category_name, governorate_name, status_name
from dashboard.i18n import translate
from store.models import Referral

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "col_code", "col_received", "col_status", "col_urgent", "col_category", "col_governorate",
    "col_contact", "col_phone", "col_description", "col_language", "col_assignee",
    "col_referred_to", "col_organisation", "col_updated",
)


def defuse(value: str) -> str:
    """Text typed by the public never becomes a spreadsheet formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def local_phone(phone: str | None) -> str:
    """+9647701234567 → 0770 123 4567: readable, and kept as text by spreadsheets."""
    if not phone:
        return ""
    if phone.startswith("+964") and len(phone) == 14:
        local = "0" + phone[4:]
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return defuse(phone)


def referrals_csv(
    referrals: Iterable[Referral],
    assignees: Mapping[int, str],
    lang: str,
    format_time: Callable[[object], str],
) -> str:
    """The whole file as text, headers in the interface language."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([translate(column, lang) for column in COLUMNS])
    yes, no = translate("yes", lang), translate("no", lang)
    for referral in referrals:
        writer.writerow([
            referral.code,
            format_time(referral.created_at),
            status_name(referral.status.value, lang),
            yes if referral.urgent else no,
            category_name(referral.category.value, lang),
            governorate_name(referral.governorate, lang) if referral.governorate else "",
            translate(f"contact_{referral.contact_method.value}", lang),
            local_phone(referral.phone),
            defuse(referral.description or ""),
            referral.language,
            assignees.get(referral.assignee_id, "") if referral.assignee_id else "",
            defuse(referral.referred_to or ""),
            referral.organisation,
            format_time(referral.updated_at),
        ])
    return out.getvalue()
