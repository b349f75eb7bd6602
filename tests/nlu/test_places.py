"""Tests for nlu/places.py: governorates in free text, with offsets into the original text."""

from __future__ import annotations

import pytest

from nlu.places import GOVERNORATES, PlaceMatch, canonical_governorate, find_governorates

# (text, expected [(matched original text, governorate)])
CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # plain names, with and without the article
    ("الموصل", [("الموصل", "ninewa")]),
    ("موصل", [("موصل", "ninewa")]),
    ("انا من الانبار", [("الانبار", "anbar")]),
    ("انبار", [("انبار", "anbar")]),
    ("أهلي في الأنبار", [("الأنبار", "anbar")]),
    ("كركوك", [("كركوك", "kirkuk")]),
    ("بيتنا في تكريت", [("تكريت", "salah_al_din")]),
    ("ديالى", [("ديالى", "diyala")]),
    ("ديالا", [("ديالا", "diyala")]),
    ("نينوى", [("نينوى", "ninewa")]),
    ("بغداد", [("بغداد", "baghdad")]),
    ("حلبجة", [("حلبجة", "halabja")]),
    ("النجف", [("النجف", "najaf")]),
    ("البصرة", [("البصرة", "basra")]),
    # attached prefixes: the match covers the whole word
    ("ساكن بالموصل", [("بالموصل", "ninewa")]),
    ("رجعنا للفلوجة", [("للفلوجة", "anbar")]),
    ("والرمادي", [("والرمادي", "anbar")]),
    ("وبالحويجة", [("وبالحويجة", "kirkuk")]),
    ("ببعقوبة", [("ببعقوبة", "diyala")]),
    ("عالرمادي", [("عالرمادي", "anbar")]),
    ("فالموصل", [("فالموصل", "ninewa")]),
    ("بكركوك", [("بكركوك", "kirkuk")]),
    ("لسامراء", [("لسامراء", "salah_al_din")]),
    ("من الحمدانية", [("الحمدانية", "ninewa")]),
    # spelling variants: taa marbuta, hamza, diacritics, tatweel, Persian letters
    ("الفلوجه", [("الفلوجه", "anbar")]),
    ("بالمَوْصِل", [("بالمَوْصِل", "ninewa")]),
    ("بتكريـــت", [("بتكريـــت", "salah_al_din")]),
    ("سامرا", [("سامرا", "salah_al_din")]),
    ("دیالی", [("دیالی", "diyala")]),
    ("بيجى", [("بيجى", "salah_al_din")]),
    ("جلولاء", [("جلولاء", "diyala")]),
    # districts and cities of every governorate
    ("سنجار", [("سنجار", "ninewa")]),
    ("قرقوش", [("قرقوش", "ninewa")]),
    ("بعشيقة", [("بعشيقة", "ninewa")]),
    ("الشرقاط", [("الشرقاط", "salah_al_din")]),
    ("خانقين", [("خانقين", "diyala")]),
    ("المقدادية", [("المقدادية", "diyala")]),
    ("داقوق", [("داقوق", "kirkuk")]),
    ("ابو غريب", [("ابو غريب", "baghdad")]),
    ("زاخو", [("زاخو", "duhok")]),
    ("هولير", [("هولير", "erbil")]),
    ("السليمانية", [("السليمانية", "sulaymaniyah")]),
    ("الناصرية", [("الناصرية", "dhi_qar")]),
    ("الديوانية", [("الديوانية", "qadisiyah")]),
    ("السماوة", [("السماوة", "muthanna")]),
    ("ميسان", [("ميسان", "maysan")]),
    ("واسط", [("واسط", "wasit")]),
    ("كربلاء", [("كربلاء", "karbala")]),
    ("بابل", [("بابل", "babil")]),
    # multi-word names
    ("انا من تل عفر", [("تل عفر", "ninewa")]),
    ("تلعفر", [("تلعفر", "ninewa")]),
    ("بصلاح الدين", [("بصلاح الدين", "salah_al_din")]),
    ("طوز خورماتو", [("طوز خورماتو", "salah_al_din")]),
    ("عامرية الفلوجة", [("عامرية الفلوجة", "anbar")]),
    ("ذي قار", [("ذي قار", "dhi_qar")]),
    # Latin, any case, with Arabizi prefixes
    ("Mosul", [("Mosul", "ninewa")]),
    ("i live in FALLUJAH", [("FALLUJAH", "anbar")]),
    ("where to apply in Ramadi", [("Ramadi", "anbar")]),
    ("we married in Tal Afar", [("Tal Afar", "ninewa")]),
    ("Tuz Khurmatu", [("Tuz Khurmatu", "salah_al_din")]),
    ("salah al din", [("salah al din", "salah_al_din")]),
    ("Salah al-Din", [("Salah al-Din", "salah_al_din")]),
    ("al-qaim", [("al-qaim", "anbar")]),
    ("telafar", [("telafar", "ninewa")]),
    ("jinsiya dha3at b hawija", [("hawija", "kirkuk")]),
    ("bilmosil", [("bilmosil", "ninewa")]),
    ("a7na b tikreet", [("tikreet", "salah_al_din")]),
    ("Nineveh", [("Nineveh", "ninewa")]),
    ("erbil", [("erbil", "erbil")]),
    # one typo in Latin names of five letters or more
    ("mosull", [("mosull", "ninewa")]),
    ("falujah", [("falujah", "anbar")]),
    ("kirkok", [("kirkok", "kirkuk")]),
    ("sinjer", [("sinjer", "ninewa")]),
    # canonical values (button payload values)
    ("salah_al_din", [("salah_al_din", "salah_al_din")]),
    ("dhi_qar", [("dhi_qar", "dhi_qar")]),
    # several places
    ("الفلوجة والرمادي", [("الفلوجة", "anbar"), ("والرمادي", "anbar")]),
    ("baghdad and basra", [("baghdad", "baghdad"), ("basra", "basra")]),
    # ambiguous names: place only with context
    ("قضاء بلد", [("بلد", "salah_al_din")]),
    ("بلد", [("بلد", "salah_al_din")]),
    ("من بلد", [("بلد", "salah_al_din")]),
    ("ناحية العلم", [("العلم", "salah_al_din")]),
    ("قضاء الدور", [("الدور", "salah_al_din")]),
    ("بلد صلاح الدين", [("بلد", "salah_al_din"), ("صلاح الدين", "salah_al_din")]),
    ("في هيت", [("هيت", "anbar")]),
    ("بيتي بهيت", [("بهيت", "anbar")]),
    ("هيت الانبار", [("هيت", "anbar"), ("الانبار", "anbar")]),
    ("حديثة", [("حديثة", "anbar")]),
    ("ماكو شغل بالقائم", [("بالقائم", "anbar")]),
    ("منعونا من الدخول للقائم", [("للقائم", "anbar")]),
    ("ناحية الرياض", [("الرياض", "kirkuk")]),
    ("وين الدائرة بالخالص", [("بالخالص", "diyala")]),
    ("from hit", [("hit", "anbar")]),
    ("hit", [("hit", "anbar")]),
    ("district of balad", [("balad", "salah_al_din")]),
    # negatives: ordinary words and sentences
    ("هذا البلد تعبان", []),
    ("البلد كله خربان", []),
    ("عايشين في بلد ثاني", []),
    ("العلم العراقي", []),
    ("رفعوا العلم", []),
    ("للعلم البيت مهدوم", []),
    ("انتظر الدور", []),
    ("البطاقة الحديثة", []),
    ("في حديثه قال", []),
    ("القائم على المشروع", []),
    ("شكري الخالص", []),
    ("اشتريت دبس", []),
    ("سافر للرياض للعمل", []),
    ("i hit him", []),
    ("ana areed musa3ada", []),
    ("bayti mdamar mn el 7arb", []),
    ("shlon atla3 hawiya", []),
    ("good karma", []),
    ("what a mogul", []),
    ("تكريت حي القادسية", [("تكريت", "salah_al_din")]),
    ("شلونك اليوم", []),
    ("اريد اجدد هويتي", []),
    ("بيتي مهدوم واريد تعويض", []),
    ("my house was destroyed", []),
    ("", []),
    ("؟؟", []),
    ("😂😂", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_governorates(text: str, expected: list[tuple[str, str]]) -> None:
    matches = find_governorates(text)
    assert [(m.text, m.value) for m in matches] == expected
    for match in matches:
        assert text[match.start : match.end] == match.text


def test_offsets_cover_the_whole_word_with_its_prefix() -> None:
    assert find_governorates("ساكن بالموصل") == [PlaceMatch(5, 12, "بالموصل", "ninewa")]


def test_offsets_with_punctuation_and_diacritics_around() -> None:
    text = "بَيْتِي مهدوم، (بالمَوْصِل)!"
    [match] = find_governorates(text)
    assert (match.text, match.value) == ("بالمَوْصِل", "ninewa")
    assert text[match.start : match.end] == "بالمَوْصِل"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الموصل", "ninewa"),
        ("من الانبار", "anbar"),
        ("  Ramadi ", "anbar"),
        ("salah_al_din", "salah_al_din"),
        ("انا من بلد", "salah_al_din"),
        ("الفلوجة والرمادي", "anbar"),
        ("baghdad or basra", None),
        ("ما اعرف", None),
        ("other", None),
        ("", None),
    ],
)
def test_canonical_governorate(text: str, expected: str | None) -> None:
    assert canonical_governorate(text) == expected


@pytest.mark.parametrize("value", GOVERNORATES)
def test_every_canonical_value_is_found(value: str) -> None:
    assert canonical_governorate(value) == value


def test_place_match_is_frozen() -> None:
    match = PlaceMatch(0, 1, "x", "anbar")
    with pytest.raises(AttributeError):
        match.value = "ninewa"  # type: ignore[misc]
