"""Decide which language to answer one message in: Arabic, English, or Kurdish.

Script rules come first because langdetect is wrong on short and unusual text (it calls Arabizi
Somali and Sorani Kurdish Persian or Urdu, and it has no Kurdish at all):

1. Sorani-only letters (ڵ ڕ ۆ ێ ە) → Kurdish. گ چ ڤ پ ژ do not count: Iraqi Arabic writes them.
2. Any other Arabic-script word → Arabic, even beside Latin words ("ok شكرا").
3. Latin text with Kurmanji letters (ê î û ç ş) or words (silav, spas, çawa, ...) → Kurdish.
4. Latin text with Arabizi: digits 2 3 5 7 9 inside words (y3arf, 7ad) or Iraqi words (shlon,
   aku, maku, areed) → Arabic with `arabizi=True`. Words that English speakers also use
   (habibi, inshallah, yalla) count only when the message has no English words.
5. Common English words, then langdetect (seeded) → English.
6. Anything else (ok, emoji, digits, other languages) → no guess: the conversation keeps its
   previous language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

__all__ = ["Lang", "LanguageGuess", "guess_language", "reply_language"]


class Lang(str, Enum):
    """Reply languages. Kurdish speakers get a fixed trilingual message from the bot."""

    AR = "ar"
    EN = "en"
    KU = "ku"


@dataclass(frozen=True)
class LanguageGuess:
    """The language of one message; `lang` is None when the message is too short to tell."""

    lang: Lang | None
    script: str  # "arabic", "latin", "mixed" or "none"
    arabizi: bool


SORANI_LETTERS = frozenset("ڵڕۆێە")
KURMANJI_LETTERS = frozenset("êîûçş")
KURMANJI_WORDS = frozenset(
    {
        "silav", "slav", "slaw", "spas", "sipas", "supas", "chony", "çawa", "cawa", "ez", "hûn",
        "dixwazim", "alîkarî", "alikari", "kurdî", "kurmancî", "kurmanci", "rojbaş", "êvarbaş",
        "baş", "bixêr", "xêr", "erê", "na", "dikarim", "dikarî", "malê", "min", "te", "çi", "kî",
        "li",
    }
)
# Kurmanji words that are also English or Arabizi words ("min" is "from" in Arabizi): alone they
# do not make a message Kurdish, only when the whole message is made of them ("ez li").
KURMANJI_WEAK_WORDS = frozenset({"na", "min", "te", "li", "ez"})

# Iraqi Arabizi words that English speakers do not use.
ARABIZI_WORDS = frozenset(
    {
        "shlon", "shlonak", "shlonich", "shlonek", "shlonkom", "shlonkum", "shloon", "aku", "akoo",
        "maku", "makoo", "mako", "hwaya", "hwaye", "hwaiya", "areed", "ariid", "ared", "hassa",
        "hasa", "hessa", "shaku", "shako", "shakoo", "shno", "shnu", "shinu", "shunu", "shgad",
        "shged", "wein", "wain", "ween", "lesh", "leish", "laish", "mashi", "zein", "zain", "agdar",
        "agder", "ygdar", "atla3", "abi", "abghi", "ahlan", "marhaba", "mar7aba", "salam",
        "assalam", "alaikum", "alaykum", "3alaykum", "hala", "halaw", "hallaw", "ana", "ani",
        "inta", "enta", "inti", "enti", "a7na", "ehna", "ihna", "mal", "maal", "mali", "3ala",
        "ya3ni", "ye3ni", "yani", "bas", "hwai", "kulish", "kolish", "khosh", "hiyah", "shukran",
        "shokran", "mamnoon", "tekram", "tikram", "mashkoor", "akhi", "okhti", "khala", "ammu",
        "3ammu", "bayti", "beiti", "baiti", "hawiya", "jinsiya", "jensiya", "ta3weedh", "ta3weed",
        "musa3ada", "msa3da", "mosa3ada", "shughul", "shoghol", "shigel",
    }
)
# Arabic words that English speakers write too: Arabizi only in a message with no English word.
ARABIZI_LOANWORDS = frozenset(
    {
        "habibi", "habibti", "yalla", "yallah", "inshallah", "inshalla", "insha'allah", "nshallah",
        "wallah", "walla", "wallahi", "mashallah", "mashalla", "alhamdulillah", "hamdilla",
        "hamdulillah", "salaam", "khalas", "khalaas",
    }
)
# Very common English words. A message made of one of these ("hi", "thanks") is English.
ENGLISH_WORDS = frozenset(
    {
        "hi", "hello", "hey", "thanks", "thank", "you", "please", "help", "good", "morning",
        "evening", "afternoon", "night", "bye", "goodbye", "i", "me", "my", "we", "our", "the", "a",
        "an", "is", "are", "am", "was", "were", "be", "to", "of", "in", "on", "at", "for", "with",
        "from", "and", "or", "but", "not", "no", "yes", "do", "does", "did", "can", "could",
        "would", "should", "will", "want", "need", "have", "has", "had", "get", "how", "what",
        "where", "when", "who", "why", "which", "this", "that", "it", "there", "here", "some",
        "any", "about", "house", "home", "id", "card", "document", "documents", "money", "work",
        "job", "family", "children", "child", "someone", "talk", "speak", "english", "language",
        "information", "apply", "application", "compensation", "damaged", "destroyed",
        "certificate", "lost", "sorry", "welcome", "great", "fine", "okay",
    }
)
ENGLISH_GREETINGS = frozenset(
    {"hi", "hello", "hey", "thanks", "thank", "thx", "goodbye", "bye", "help", "english"}
)
# Words that say nothing about the language ("ok" is used in every language).
NEUTRAL_WORDS = frozenset({"ok", "okay", "k", "kk", "okk", "lol", "hmm", "hm", "yes", "no", "ya"})

ARABIZI_DIGITS = frozenset("23579")
# Digits in English words that are not Arabizi: 3pm, 2nd, 5km, mp3, covid19.
NOT_ARABIZI = re.compile(
    r"^\d+(st|nd|rd|th|am|pm|h|hr|hrs|min|mins|k|km|kg|m|x|s|g|d|yrs?)$|^(mp|b|p|g|h|co)\d+$"
)
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _is_arabic_letter(char: str) -> bool:
    return char.isalpha() and "ARABIC" in unicodedata.name(char, "")


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


def _script(text: str) -> str:
    arabic = any(_is_arabic_letter(c) for c in text)
    latin = any(_is_latin_letter(c) for c in text)
    if arabic and latin:
        return "mixed"
    if arabic:
        return "arabic"
    if latin:
        return "latin"
    return "none"


def _collapse_repeats(word: str) -> str:
    """helloooo → hello, shlooon → shlon (three or more repeats)."""
    return re.sub(r"(.)\1{2,}", r"\1", word)


def _latin_words(text: str) -> list[str]:
    """Latin-script words (digits allowed inside: Arabizi), lowercased, repeats collapsed."""
    words = []
    for word in WORD_RE.findall(text.lower()):
        if any(_is_latin_letter(c) for c in word):
            words.append(_collapse_repeats(word.replace("’", "'")))
    return words


def _is_arabizi_digit_word(word: str) -> bool:
    """y3arf, 7ad, 3ala, ma3ak: a digit 2 3 5 7 9 standing for an Arabic letter."""
    letters = sum(c.isalpha() for c in word)
    if letters < 2 or NOT_ARABIZI.match(word):
        return False
    for match in re.finditer(r"\d+", word):
        if len(match.group()) == 1 and match.group() in ARABIZI_DIGITS:
            return True
    return False


def _is_kurmanji(words: list[str]) -> bool:
    if any(c in KURMANJI_LETTERS for word in words for c in word):
        return True
    strong = [w for w in words if w in KURMANJI_WORDS and w not in KURMANJI_WEAK_WORDS]
    weak = [w for w in words if w in KURMANJI_WEAK_WORDS]
    return bool(strong) or len(weak) >= 2 and len(weak) == len(words)


def _detect_english(text: str) -> bool:
    """langdetect, seeded so that the same text always gets the same answer."""
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0
    try:
        guesses = detect_langs(text)
    except LangDetectException:
        return False
    return bool(guesses) and guesses[0].lang == "en" and guesses[0].prob >= 0.7


def guess_language(text: str) -> LanguageGuess:
    """Guess the language of one message (see the module docstring for the rules)."""
    text = unicodedata.normalize("NFC", text or "")
    script = _script(text)
    if script == "none":
        return LanguageGuess(None, script, False)
    if any(c in SORANI_LETTERS for c in text):
        return LanguageGuess(Lang.KU, script, False)
    if script in ("arabic", "mixed"):
        return LanguageGuess(Lang.AR, script, False)

    words = _latin_words(text)
    if _is_kurmanji(words):
        return LanguageGuess(Lang.KU, script, False)

    english = [w for w in words if w in ENGLISH_WORDS]
    strong_arabizi = [w for w in words if w in ARABIZI_WORDS or _is_arabizi_digit_word(w)]
    loanwords = [w for w in words if w in ARABIZI_LOANWORDS]
    if len(strong_arabizi) > len(english) or (loanwords and not english):
        return LanguageGuess(Lang.AR, script, True)

    content = [w for w in words if w not in NEUTRAL_WORDS]
    if not content:
        return LanguageGuess(None, script, False)
    if len(content) == 1 and content[0] in ENGLISH_GREETINGS:
        return LanguageGuess(Lang.EN, script, False)
    if english and len(english) * 2 >= len(words):
        return LanguageGuess(Lang.EN, script, False)
    if len(" ".join(words)) >= 12 and _detect_english(" ".join(words)):
        return LanguageGuess(Lang.EN, script, False)
    return LanguageGuess(None, script, False)


def _as_lang(value: Lang | str | None) -> Lang | None:
    if value is None or isinstance(value, Lang):
        return value
    try:
        return Lang(value)
    except ValueError:
        return None


def reply_language(text: str, previous: Lang | None, chosen: Lang | None = None) -> Lang:
    """The language to answer `text` in.

    A choice the user made (`chosen`, Arabic or English) always wins. Otherwise a Kurdish message
    gives KU, a recognised Arabic or English message gives its language, and a message too short
    to tell keeps the conversation's `previous` language (Arabic when there is none).
    """
    chosen, previous = _as_lang(chosen), _as_lang(previous)
    if chosen in (Lang.AR, Lang.EN):
        return chosen
    guess = guess_language(text)
    if guess.lang is not None:
        return guess.lang
    return previous or Lang.AR
