"""Find Iraqi governorates in free text (Arabic, Latin, Arabizi) with the gazetteer places.yml.

Pure code (PyYAML only); the gazetteer is read once, on first use.

Matching works on whole words of the original text, so offsets always cover whole words:

1. the text is split into words (runs of characters that are not spaces, punctuation or symbols;
   diacritics, tatweel and zero-width characters stay inside their word);
2. each word is normalised with `nlu.arabic.normalize` and attached Arabic prefixes are tried off
   (و ف ب ل ك ال بال لل عال وبال ...): "بالموصل" is tried as بالموصل, الموصل and موصل;
3. the longest gazetteer name (one or more words) that starts at the word wins; Latin words of
   five letters or more also match a Latin name one edit away ("mousul" → mosul);
4. names that are also ordinary words need context (see places.yml):
   - `common_words` (بلد "country", العلم "flag", حديثة "modern", hit, ana): an administrative
     cue before them (قضاء بلد), a governorate right after them (بلد صلاح الدين), or the whole
     message is the name after a short lead-in ("بلد", "من بلد", "from balad");
   - `ambiguous` (هيت, الكوت, karma): the same, or a locative preposition before them, as a word
     or attached ("في هيت", "بهيت", "from karma").
   Such names are matched exactly as listed (البلد is not بلد) and never with a typo.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlu.arabic import normalize

__all__ = ["PlaceMatch", "find_governorates", "canonical_governorate", "GOVERNORATES"]

GAZETTEER_PATH = Path(__file__).with_name("places.yml")

GOVERNORATES: tuple[str, ...] = (
    "anbar",
    "ninewa",
    "salah_al_din",
    "diyala",
    "kirkuk",
    "baghdad",
    "erbil",
    "duhok",
    "sulaymaniyah",
    "babil",
    "basra",
    "karbala",
    "najaf",
    "wasit",
    "dhi_qar",
    "maysan",
    "muthanna",
    "qadisiyah",
    "halabja",
)

ARTICLE = "ال"
CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ل", "ك")
LATIN_ARTICLES = ("al", "el", "il")
# Arabizi prefixes written onto Latin names ("bilmosil", "lbaghdad"), as (prefix, has article).
LATIN_PREFIXES = (
    ("bil", True), ("bel", True), ("lil", True), ("lel", True), ("fil", True), ("wil", True),
    ("wal", True), ("wel", True), ("bl", True), ("ll", True),
    ("al", True), ("el", True), ("il", True),
    ("wb", False), ("wl", False), ("b", False), ("l", False), ("w", False),
)
MIN_FUZZY_LENGTH = 5

# Context levels a gazetteer name needs (see the module docstring).
PLAIN, AMBIGUOUS, COMMON_WORD = 0, 1, 2
LOCATIVE_WORDS = frozenset({"في", "من", "الي", "ب", "ل", "داخل", "قرب", "in", "from", "at", "near"})


@dataclass(frozen=True)
class PlaceMatch:
    """A governorate found in a text: `text[start:end]` of the original text, canonical `value`."""

    start: int
    end: int
    text: str
    value: str


@dataclass(frozen=True)
class _Name:
    """One gazetteer spelling, as a tuple of normalised words."""

    words: tuple[str, ...]
    value: str
    level: int  # PLAIN, AMBIGUOUS or COMMON_WORD


@dataclass(frozen=True)
class _Word:
    """A word of the original text with its normalised form."""

    start: int
    end: int
    norm: str


@dataclass(frozen=True)
class _Gazetteer:
    by_first_word: dict[str, tuple[_Name, ...]]
    latin_fuzzy: dict[str, str]  # unambiguous one-word Latin names (>= 5 letters) -> value
    latin_not_places: frozenset[str]
    place_cues: frozenset[str]
    not_place_cues: frozenset[str]
    answer_lead_ins: frozenset[str]


def _prefixes() -> tuple[tuple[str, bool], ...]:
    """Attached Arabic prefixes as (prefix, contains the article), longest first."""
    found: set[tuple[str, bool]] = set()
    for conjunction in CONJUNCTIONS:
        for preposition in PREPOSITIONS:
            found.add((conjunction + preposition, False))
            if preposition == "ل":
                found.add((conjunction + "لل", True))  # ل + ال is written لل
            else:
                found.add((conjunction + preposition + ARTICLE, True))
        found.add((conjunction + "عال", True))  # colloquial على + ال: عالموصل
    found.discard(("", False))
    return tuple(sorted(found, key=lambda item: -len(item[0])))


PREFIXES = _prefixes()


def _is_latin_word(word: str) -> bool:
    return word.isascii() and word.isalpha()


def _norm_words(text: str) -> tuple[str, ...]:
    return tuple(normalize(text).replace("-", " ").split())


@functools.lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """Load and index places.yml (once)."""
    data: dict[str, Any] = yaml.safe_load(GAZETTEER_PATH.read_text(encoding="utf-8"))
    names: set[_Name] = set()
    for value, entry in data["governorates"].items():
        if value not in GOVERNORATES:
            raise ValueError(f"places.yml: unknown governorate {value!r}")
        for spelling in entry.get("names") or []:
            words = _norm_words(spelling)
            names.add(_Name(words, value, PLAIN))
            first = words[0]
            if first.startswith(ARTICLE) and len(first) > len(ARTICLE) + 2:
                names.add(_Name((first[len(ARTICLE):],) + words[1:], value, PLAIN))
        for level, key in ((AMBIGUOUS, "ambiguous"), (COMMON_WORD, "common_words")):
            for spelling in entry.get(key) or []:
                names.add(_Name(_norm_words(spelling), value, level))
        # the canonical value itself ("salah_al_din" is split into words like any text)
        names.add(_Name(_norm_words(value.replace("_", " ")), value, PLAIN))

    by_first_word: dict[str, list[_Name]] = {}
    for name in names:
        by_first_word.setdefault(name.words[0], []).append(name)
    # Longest names first; an unambiguous reading beats an ambiguous one of the same length.
    index = {
        word: tuple(sorted(group, key=lambda n: (-len(n.words), n.level, n.value)))
        for word, group in by_first_word.items()
    }

    ambiguous_words = {n.words[0] for n in names if n.level != PLAIN}
    fuzzy: dict[str, str] = {}
    for name in names:
        word = name.words[0]
        if (
            len(name.words) == 1
            and name.level == PLAIN
            and _is_latin_word(word)
            and len(word) >= MIN_FUZZY_LENGTH
            and word not in ambiguous_words
        ):
            fuzzy[word] = name.value

    def words_of(key: str) -> frozenset[str]:
        return frozenset(w for item in data.get(key) or [] for w in _norm_words(item))

    return _Gazetteer(
        by_first_word=index,
        latin_fuzzy=fuzzy,
        latin_not_places=words_of("latin_not_places"),
        place_cues=words_of("place_cues"),
        not_place_cues=words_of("not_place_cues"),
        answer_lead_ins=words_of("answer_lead_ins"),
    )


APOSTROPHES = ("'", "\u2019")


def _is_word_char(text: str, index: int) -> bool:
    """Whether text[index] belongs to a word: letters, digits, marks, tatweel, invisible joiners,
    and an apostrophe between two letters or digits (i'm, Arabizi 3'ayr)."""
    char = text[index]
    if char.isspace():
        return False
    category = unicodedata.category(char)
    if char in APOSTROPHES:
        return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()
    return category[0] not in ("P", "S", "Z") and category != "Cc"


def _split_words(text: str) -> list[_Word]:
    """Split the original text into words with offsets and normalised forms."""
    words: list[_Word] = []
    start = None
    for index in range(len(text) + 1):
        if index < len(text) and _is_word_char(text, index):
            if start is None:
                start = index
            continue
        if start is not None:
            norm = normalize(text[start:index]).replace(" ", "")
            if norm:
                words.append(_Word(start, index, norm))
            start = None
    return words


def _stems(word: str) -> list[tuple[str, str, bool]]:
    """Readings of one normalised word as (stem, stripped prefix, prefix had the article)."""
    stems = [(word, "", False)]
    if _is_latin_word(word):
        for prefix, has_article in LATIN_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                stems.append((word[len(prefix):], prefix, has_article))
        return stems
    for prefix, has_article in PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            rest = word[len(prefix):]
            stems.append((rest, prefix, has_article))
            if prefix.endswith("لل"):  # ل + ال: للقائم is ل + القائم
                stems.append((ARTICLE + rest, prefix[:-1], False))
    return stems


def _levenshtein_at_most_one(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    for index in range(len(long)):
        if long[:index] + long[index + 1 :] == short:
            return True
    return False


def _fuzzy_value(word: str, gazetteer: _Gazetteer) -> str | None:
    """The governorate of the one Latin name a single typo away from `word`, if unique."""
    if (
        not _is_latin_word(word)
        or len(word) < MIN_FUZZY_LENGTH
        or word in gazetteer.latin_not_places
    ):
        return None
    values = {
        value
        for name, value in gazetteer.latin_fuzzy.items()
        if name[0] == word[0] and _levenshtein_at_most_one(word, name)
    }
    return values.pop() if len(values) == 1 else None


def _strip_prefix_for_cue(word: str) -> set[str]:
    return {stem for stem, _, _ in _stems(word)}


@dataclass(frozen=True)
class _Candidate:
    first: int  # index of the first word
    last: int  # index of the last word (inclusive)
    value: str
    level: int
    prefix: str


def _candidates_at(words: list[_Word], index: int, gazetteer: _Gazetteer) -> list[_Candidate]:
    """All gazetteer names that start at word `index`, best first."""
    found: list[_Candidate] = []
    for stem, prefix, has_article in _stems(words[index].norm):
        for name in gazetteer.by_first_word.get(stem, ()):
            if name.level != PLAIN and has_article:
                continue  # ambiguous names only match as written (البلد is not بلد)
            rest = name.words[1:]
            following = [w.norm for w in words[index + 1 : index + 1 + len(rest)]]
            if list(rest) == following:
                last = index + len(rest)
                found.append(_Candidate(index, last, name.value, name.level, prefix))
    if not found and len(words[index].norm) >= MIN_FUZZY_LENGTH:
        value = _fuzzy_value(words[index].norm, gazetteer)
        if value is not None:
            found.append(_Candidate(index, index, value, PLAIN, ""))
    found.sort(key=lambda c: (-(c.last - c.first), c.level))
    return found


def _has_place_context(
    words: list[_Word], candidate: _Candidate, gazetteer: _Gazetteer
) -> bool:
    """Whether a name that is also an ordinary word is used as a place (module docstring)."""
    if candidate.first > 0 and words[candidate.first - 1].norm in gazetteer.not_place_cues:
        return False  # a street or neighbourhood named after the place: "حي القادسية"
    if candidate.level == PLAIN:
        return True
    if candidate.level == AMBIGUOUS:
        # a locative preposition: "في هيت", "from karma", attached "بهيت", "لهيت"
        if any(letter in candidate.prefix for letter in ("ب", "ل", "b", "l")):
            return True
        if candidate.first > 0 and words[candidate.first - 1].norm in LOCATIVE_WORDS:
            return True
    # 1. an administrative cue before it: "قضاء بلد", "district of hit"
    before = [w.norm for w in words[max(0, candidate.first - 2) : candidate.first]]
    if before and _strip_prefix_for_cue(before[-1]) & gazetteer.place_cues:
        return True
    if len(before) == 2 and before[1] == "of" and before[0] in gazetteer.place_cues:
        return True
    # 2. an unambiguous governorate name right after it: "هيت الانبار", "balad salah al din"
    after = candidate.last + 1
    if after < len(words):
        if words[after].norm in ("في", "in") and after + 1 < len(words):
            after += 1
        following = _candidates_at(words, after, gazetteer)
        if any(c.level == PLAIN for c in following):
            return True
    # 3. the whole message is the name, after an optional short lead-in: "من بلد"
    others = words[: candidate.first] + words[candidate.last + 1 :]
    return all(w.norm in gazetteer.answer_lead_ins for w in others)


def find_governorates(text: str) -> list[PlaceMatch]:
    """Find governorate mentions in `text`; offsets are into `text` and cover whole words."""
    if not text:
        return []
    gazetteer = _gazetteer()
    words = _split_words(text)
    matches: list[PlaceMatch] = []
    index = 0
    while index < len(words):
        accepted = None
        for candidate in _candidates_at(words, index, gazetteer):
            if _has_place_context(words, candidate, gazetteer):
                accepted = candidate
                break
        if accepted is None:
            index += 1
            continue
        first = accepted.first
        # Latin article written apart: "al qaim", "el-mosul"
        if first > 0 and words[first - 1].norm in LATIN_ARTICLES and _is_latin_word(
            words[first].norm
        ):
            first -= 1
        start, end = words[first].start, words[accepted.last].end
        matches.append(PlaceMatch(start, end, text[start:end], accepted.value))
        index = accepted.last + 1
    return matches


def canonical_governorate(text: str) -> str | None:
    """The governorate a short answer names, or None when it names none or several.

    Canonical values themselves ("salah_al_din") are accepted too.
    """
    values = {match.value for match in find_governorates(text)}
    return values.pop() if len(values) == 1 else None
