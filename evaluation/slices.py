"""Assign each text to a slice: dialect, msa, arabizi or english.

The rules are deliberately simple, so anyone can check a slice by eye:

1. Script: count Arabic letters and Latin letters. More Latin than Arabic letters → Latin text.
2. Latin text is `arabizi` when a word mixes letters with the Arabizi digits 2 3 5 6 7 8 9
   ("3ala", "a7taj", "la2"; English forms such as "2nd", "5pm", "3kg" excepted) or when a word is
   in `ARABIZI_WORDS` (shlon, aku, wallah, ...); otherwise `english`.
3. Arabic text is `dialect` when it has a letter Iraqi writing uses and MSA does not (گ چ ڤ پ),
   or when it has more Iraqi dialect marker words (`DIALECT_WORDS`: شلون شكو اكو ماكو هسه شنو
   وين اريد ابي ...) than MSA marker words (`MSA_WORDS`: أن لم ليس هل الذي سوف كيف ماذا ...);
   otherwise `msa`. Words are compared after `nlu.arabic.normalize` (so أريد = اريد), also with
   up to two attached letters و ف ل ب taken off ("وأريد", "ولهسه"); a word that starts
   with the attached demonstrative هال ("هالايام") is a dialect marker too. The MSA list leaves
   out أن/إن: normalised to ان they also spell "ان شاء الله", which everyone writes.

`اريد` and `ابي` are in both Iraqi speech and MSA; the MSA count settles it: "لم أعد أحتمل
وأريد أن أضع حدا" has one dialect word (اريد) and two MSA words (لم، أن), so it is `msa`.
Text with no letters at all (emoji, digits only) is `other`.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.arabic import normalize

__all__ = [
    "SLICES",
    "assign_slice",
    "dialect_marker_count",
    "msa_marker_count",
    "ARABIZI_WORDS",
    "DIALECT_WORDS",
    "MSA_WORDS",
]

SLICES: tuple[str, ...] = ("dialect", "msa", "arabizi", "english")

# Letters Iraqi Arabic writes and MSA does not (normalize keeps them).
IRAQI_LETTERS = frozenset("گچڤپ")

ARABIZI_DIGITS = frozenset("2356789")

# One-letter conjunctions and prepositions written attached to the next word.
PROCLITICS = frozenset("وفلب")

# English words that mix letters and digits: ordinals, times, units, and similar.
_ENGLISH_ALNUM_RE = re.compile(r"^\d+(st|nd|rd|th|am|pm|s|k|m|kg|km|g|h|min|x|d)$|^[a-z]\d$")

# Romanised Iraqi/Arabic words that English does not use.
ARABIZI_WORDS = frozenset(
    """
    shlon shlonak shlonich shlonkum shlonik shaku aku maku hassa hessa hesa hisa shinu shino shno
    sheno shnu wein wen ween ariid areed arid abi abee abgha nriid nreed wallah walla wallahi
    yalla inshallah inshalla mashallah alhamdulillah habibi hala halaw marhaba salam salamu
    shukran shukren mashkoor mashkur mashkoora ma3 3ala 3an il el mn bil bel inta inti ehna ihna
    ahli bait beit baiti beiti baitna hawiya hawiyya hawiyat kilshi kulshi hwaya hwaiya zein zain
    akhoya khuya khoya 5uya wiyakum wiyak wiyaya ygoloon ygolon tigdar agdar akdar agder mako
    ba3ad lesh leish laish shloun shgad shkad bas la2 ee akeed na3am tab3an zawji zawjti
    ibni binti a5oya ukhti umi abuya ahlan ya3ni yaani ya3ne yaba yuma dakhilak dakhlak
    """.split()
)

# Iraqi dialect marker words, in normalised spelling (ة→ه, أ/إ/آ→ا, ى→ي).
DIALECT_WORDS = frozenset(
    normalize(word)
    for word in """
    شلون شلونك شلونكم شلونچ شكو اكو ماكو هسه هسع هسا شسوي شنسوي شتسوي اريد ابي نريد نبي شنو شني
    وين منين شوكت شكد شقد ليش هواي كلش كلشي زين مو موو دا جان خوش بلكي ويا وياي ويانا وياكم ويه
    يمعود عيني خويه احنا احنه هاي هاذ هيج لعد اكدر تكدر يكدر نكدر مااكدر ماكدر يكولون كال كالو
    احجي يحجي تحجي باجر البارحه دخيلك شبيه شبيك ضايج متضايج مال مالتي بيه بس ماعندي ماريد مابي
    هلا هلو هلاو اشلون عدنا عدهم الجهال جهالي رجلي يمه يابه ايي لاء منو بعده بعدني اني شصار شبي
    ينطي تنطي انطي تنطون ينطون نطوني خلي خليني تره ترا ماعنده ماعندها ماعدنا مااعرف ميريد ماخذ
    شي ضل ناوي يخليني ابوي حيل محد اروح بعدين ماريدها ايوه ماشي صدك وري اللي دخيلكم شيلو كنسلو
    تشوف يشوف اشوف
    """.split()
)

# Iraqi demonstrative written attached: هالايام "these days", هالعيشه "this life".
DIALECT_PREFIX = "هال"

# MSA marker words (function words that Iraqi speech rarely uses), normalised.
MSA_WORDS = frozenset(
    normalize(word)
    for word in """
    لم لن ليس لست ليست لدي لدينا لديه لديها هل الذي التي الذين سوف كيف ماذا لماذا أين
    هناك حيث أيضا لكن لكني منذ أود أرغب يجب نحن هذه ذلك تلك أستطيع يمكنني يمكن
    """.split()
)


def _letter_counts(text: str) -> tuple[int, int]:
    """(Arabic letters, Latin letters) in `text`."""
    arabic = latin = 0
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("ARABIC"):
            arabic += 1
        elif name.startswith("LATIN"):
            latin += 1
    return arabic, latin


def _latin_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _is_arabizi_word(word: str) -> bool:
    """A word of letters with an Arabizi digit (3ala, a7tajj), or a known Arabizi word."""
    if word in ARABIZI_WORDS:
        return True
    has_letter = any(c.isalpha() for c in word)
    has_arabizi_digit = any(c in ARABIZI_DIGITS for c in word)
    return has_letter and has_arabizi_digit and not _ENGLISH_ALNUM_RE.match(word)


def _in_markers(word: str, markers: frozenset[str]) -> bool:
    """`word` is in `markers`, also after taking off up to two leading letters و ف ل ب."""
    candidate = word
    for _ in range(3):
        if candidate in markers:
            return True
        if len(candidate) <= 2 or candidate[0] not in PROCLITICS:
            return False
        candidate = candidate[1:]
    return False


def dialect_marker_count(words: list[str]) -> int:
    """Iraqi dialect markers among normalised `words` (marker words and the هال prefix)."""
    return sum(
        1
        for word in words
        if _in_markers(word, DIALECT_WORDS)
        or (word.startswith(DIALECT_PREFIX) and len(word) > len(DIALECT_PREFIX) + 1)
    )


def msa_marker_count(words: list[str]) -> int:
    """MSA function words among normalised `words`."""
    return sum(1 for word in words if _in_markers(word, MSA_WORDS))


def assign_slice(text: str) -> str:
    """Return the slice of `text`: dialect, msa, arabizi, english (or `other` with no letters)."""
    arabic, latin = _letter_counts(text)
    if arabic == 0 and latin == 0:
        return "other"
    if latin > arabic:
        words = _latin_words(text)
        return "arabizi" if any(_is_arabizi_word(w) for w in words) else "english"
    if any(char in IRAQI_LETTERS for char in text):
        return "dialect"
    words = normalize(text).split()
    return "dialect" if dialect_marker_count(words) > msa_marker_count(words) else "msa"
