"""Tests for bot/language.py: the reply language of one message."""

from __future__ import annotations

import pytest

from bot.language import Lang, LanguageGuess, guess_language, reply_language

ARABIC = [
    "شلونك",
    "مرحبا",
    "السلام عليكم",
    "اريد اطلع هوية",
    "بيتي مهدوم بالموصل",
    "شكرا",
    "هلا",
    "اكو احد يساعدني؟",
    "ماكو شغل",
    "گلبي چا",
    "چا شگد تاخذ المعاملة",
    "اكو ڤيزا؟",
    "ژیان صعبة",  # ژ is written in Iraqi Arabic too
    "ok شكرا",
    "compensation مال بيتي شلون اتابعه",
    "الله يخليك ساعدني 🙏",
    "مَرْحَبًا",
    "هلووووو",
    "ابي اسجل ولدي",
    "ا",
    "١٢٣ شارع",
]

ARABIZI = [
    "aku 7ad y3arf",
    "shlon atla3 hawiya",
    "shlonak",
    "aku shi?",
    "maku shughul",
    "areed musa3ada",
    "ariid asajjil ibni",
    "hassa shaku",
    "3ala kaifak",
    "ma3ak 7ad?",
    "y3ni shno asawi",
    "yalla",
    "inshallah",
    "wallah ta3abna",
    "habibi shukran",
    "salam",
    "bayti mdamar mn el 7arb",
    "jinsiya dha3at b hawija",
    "a7na b tikreet",
    "Shlonkom",
]

ENGLISH = [
    "hi",
    "Hello",
    "hey",
    "thanks",
    "thank you",
    "good morning",
    "help",
    "I need help with my house",
    "my house was destroyed in the war",
    "where can I get my ID card",
    "Can you help me",
    "I want to talk to someone",
    "how do I apply for compensation",
    "see you at 3pm",
    "my 2nd child has no birth certificate",
    "thank you inshallah I will come",
    "no thanks",
    "please call me tomorrow afternoon",
    "I lost my documents when we fled",
    "Unfortunately, our neighbourhood remains without electricity",  # langdetect decides
    "landlord threatened eviction yesterday",
]

KURDISH = [
    "سڵاو چۆنی",
    "سڵاو، چۆنی؟",
    "پێویستم بە یارمەتییە",
    "دەمەوێت بگەڕێمەوە",
    "ماڵەکەم ڕووخاوە",
    "زۆر سوپاس",
    "silav, tu çawa yî?",
    "silav",
    "spas",
    "ez dixwazim",
    "alîkarî",
    "ez alîkarî dixwazim",
    "Rojbaş",
    "hûn çawa ne",
    "ez kurdî dizanim",
]

NO_GUESS = [
    "ok",
    "OK",
    "okay",
    "123",
    "٣",
    "😂",
    "👍🏻",
    "?",
    "؟",
    "...",
    "",
    "   ",
    "yes",
    "no",
    "hmm",
    "hola",
    "bonjour monsieur comment allez vous",
    "covid19",
    "Guten Tag, ich brauche Hilfe",
]


@pytest.mark.parametrize("text", ARABIC)
def test_arabic_script_is_arabic(text: str) -> None:
    assert guess_language(text) == LanguageGuess(Lang.AR, guess_language(text).script, False)
    assert guess_language(text).script in ("arabic", "mixed")


@pytest.mark.parametrize("text", ARABIZI)
def test_arabizi_is_arabic(text: str) -> None:
    assert guess_language(text) == LanguageGuess(Lang.AR, "latin", True)


@pytest.mark.parametrize("text", ENGLISH)
def test_english(text: str) -> None:
    assert guess_language(text) == LanguageGuess(Lang.EN, "latin", False)


@pytest.mark.parametrize("text", KURDISH)
def test_kurdish(text: str) -> None:
    guess = guess_language(text)
    assert guess.lang is Lang.KU
    assert not guess.arabizi


@pytest.mark.parametrize("text", NO_GUESS)
def test_too_short_or_unknown_gives_no_guess(text: str) -> None:
    assert guess_language(text).lang is None


def test_scripts() -> None:
    assert guess_language("مرحبا").script == "arabic"
    assert guess_language("hello").script == "latin"
    assert guess_language("ok شكرا").script == "mixed"
    assert guess_language("123 😂").script == "none"


def test_guess_is_stable_across_calls() -> None:
    text = "please tell me where the office for property claims is"
    assert {guess_language(text) for _ in range(5)} == {LanguageGuess(Lang.EN, "latin", False)}


@pytest.mark.parametrize(
    ("text", "previous", "chosen", "expected"),
    [
        # an explicit choice wins for Arabic and English
        ("hello", Lang.AR, Lang.AR, Lang.AR),
        ("شلونك", Lang.EN, Lang.EN, Lang.EN),
        ("aku 7ad", None, Lang.EN, Lang.EN),
        ("سڵاو چۆنی", None, Lang.AR, Lang.AR),
        # no choice: the message decides
        ("hello", Lang.AR, None, Lang.EN),
        ("شلونك", Lang.EN, None, Lang.AR),
        ("aku 7ad y3arf", Lang.EN, None, Lang.AR),
        ("سڵاو چۆنی", Lang.AR, None, Lang.KU),
        ("silav, tu çawa yî?", Lang.EN, None, Lang.KU),
        # a Kurdish "choice" is not a reply language: the message decides
        ("hello", None, Lang.KU, Lang.EN),
        # too short to tell: keep the previous language, Arabic by default
        ("ok", Lang.EN, None, Lang.EN),
        ("ok", Lang.AR, None, Lang.AR),
        ("ok", None, None, Lang.AR),
        ("👍", Lang.EN, None, Lang.EN),
        ("123", None, None, Lang.AR),
        ("ok", Lang.KU, None, Lang.KU),
        # plain strings are accepted for stored values
        ("ok", "en", None, Lang.EN),
        ("ok", "xx", None, Lang.AR),
    ],
)
def test_reply_language(
    text: str, previous: Lang | None, chosen: Lang | None, expected: Lang
) -> None:
    assert reply_language(text, previous, chosen) is expected


def test_lang_values_are_the_reply_language_codes() -> None:
    assert [lang.value for lang in Lang] == ["ar", "en", "ku"]
    assert Lang.AR == "ar"
