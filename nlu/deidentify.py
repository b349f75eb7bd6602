"""Take personal data out of a user message before it is kept for review.

Pure standard-library code with no I/O: the action server (which captures messages the
assistant missed, store/review.py) and the tests import it; so could the Rasa environment.

`deidentify(text)` replaces, in this order:

1. e-mail addresses → `<email>`;
2. links (`https://…`, `www.…`, `t.me/…`, bare domains with a common top-level domain) → `<url>`;
3. Telegram and other `@handles` → `<handle>`;
4. the one to three name words after a phrase that introduces a name → `<name>`: Arabic (MSA and
   Iraqi: اسمي، انا اسمي، اسمي الثلاثي، اسم ابوي، الاسم:، ينادوني، لقبي، اخوكم …), Arabizi
   (ismi, esmi, 2esmi, ana ismi …) and English (my name is, my name's, name:, I am called,
   they call me, my father's name is …). A compound name counts as one word (عبد الله،
   ابو احمد، Abu Ali, Al Jubouri). Masking stops at punctuation, a digit, a conjunction or
   preposition, and at common words that follow a name or say something about it
   ("اسمي مكتوب غلط بالهوية" keeps its meaning: nothing is masked);
5. phone numbers → `<phone>`: Iraqi mobiles in every written form (07xx xxx xxxx, 7xx…,
   +964 7xx…, 00964…, with spaces, dashes, dots, brackets or direction marks between the
   digits) and any number written with + or 00 in front;
6. every other run of digits → `<number>` (ages, dates, ID and house numbers, amounts); a
   decimal or time such as 1.5, 10,000 or 10:30 is one number.

Digits of every script count: ASCII, Arabic-Indic (٠-٩), Persian (۰-۹), and any other
character Python calls a digit (superscripts, full-width …). The one exception is a digit that
Arabizi writes as a letter, which is what the model learns from ("atla3" is اطلع, "7ad" حد,
"2esmi" اسمي): an ASCII 2, 3, 5, 6, 7, 8 or 9 kept only inside a Latin word (letters on at least
one side, never next to another digit) that holds at most two such digits (`ARABIZI_DIGITS`).
Such a word carries two digits at most and no 0, 1 or 4, so no phone, ID or house number
can pass through it.

What it cannot know: a name that no phrase introduces ("ابني علي ضاع", "انا احمد من الرمادي"),
a place or a street name, a number written in words. The review page asks trainers to discard a
message in which they still see something personal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from itertools import islice

__all__ = [
    "ARABIZI_DIGITS", "EMAIL", "HANDLE", "MASKS", "NAME", "NUMBER", "PHONE", "URL", "deidentify",
]

EMAIL = "<email>"
URL = "<url>"
HANDLE = "<handle>"
NAME = "<name>"
PHONE = "<phone>"
NUMBER = "<number>"
MASKS = (EMAIL, URL, HANDLE, NAME, PHONE, NUMBER)

MAX_NAME_WORDS = 3

# --------------------------------------------------------------------------------------------
# E-mail addresses, links, handles
# --------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_TOP_LEVEL_DOMAINS = (
    "com|net|org|info|biz|edu|gov|iq|me|io|co|ly|gl|app|xyz|site|online|link|tv|ru|uk|de|fr|"
    "tr|ir|sa|ae|jo|eg|sy|lb|kw|qa|bh|ca"
)
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+"
    r"|(?<![\w@.\-])(?:[a-z0-9][a-z0-9\-]*\.)+(?:" + _TOP_LEVEL_DOMAINS + r")\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
# Punctuation that ends a sentence after a link is not part of it.
_URL_TRAILING = ".,;:!?)]}»”’'\"،؛؟"
# Not after a letter (that is an e-mail without its domain); a digit may come before ("0@ali").
_HANDLE_RE = re.compile(r"(?<![^\W\d_]|@)@\w{2,}")


def _mask_urls(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        url = match.group(0)
        kept = url.rstrip(_URL_TRAILING)
        return URL + url[len(kept):]

    return _URL_RE.sub(replace, text)


# --------------------------------------------------------------------------------------------
# Names after a phrase that introduces one
# --------------------------------------------------------------------------------------------

# Letters Iraqi typists write in several ways; each Arabic trigger matches all of them, with
# tatweel or diacritics anywhere between the letters.
_AR_VARIANTS = {
    "ا": "[اأإآٱ]",
    "ي": "[يىی]",
    "ه": "[هة]",
    "ك": "[كک]",
}
_AR_FILLER = "[\u0640\u064b-\u065f\u0670]*"


def _ar(word: str) -> str:
    """A pattern for an Arabic word in any of its usual spellings."""
    parts = []
    for char in word:
        if char == " ":
            parts.append(r"\s+")
        else:
            parts.append(_AR_VARIANTS.get(char, re.escape(char)) + _AR_FILLER)
    return "".join(parts)


_AR_RELATIVES = (
    "ابوي", "ابويه", "ابي", "والدي", "امي", "امي", "والدتي", "زوجي", "زوجتي", "مرتي", "ريلي",
    "رجلي", "ابني", "بنتي", "ابنتي", "اخوي", "اخي", "اختي", "جدي", "جدتي", "عمي", "خالي",
)
_AR_TRIGGERS = (
    # "my name", with an optional glued و ("and my name"): اسمي، انا اسمي، واسمي
    "و?" + _ar("اسمي"),
    # "my father's / husband's … name"
    _ar("اسم") + r"\s+(?:" + "|".join(_ar(word) for word in _AR_RELATIVES) + ")",
    # "the name: …", "the full / triple name …" (a form people copy)
    _ar("الاسم") + r"(?:\s+(?:" + _ar("الكامل") + "|" + _ar("الثلاثي") + "|" + _ar("الرباعي")
    + r"))?\s*[:：\-]",
    _ar("الاسم") + r"\s+(?:" + _ar("الكامل") + "|" + _ar("الثلاثي") + "|" + _ar("الرباعي") + ")",
    # "they call me", "call me", "my surname / kunya", "your brother … (a signature)"
    "(?:" + "|".join(_ar(word) for word in (
        "ينادوني", "ينادونني", "يناديني", "ناديني", "نادوني", "يسموني", "يسمونني", "سموني",
        "يلقبوني", "لقبي", "كنيتي", "اخوكم", "اختكم", "اخوكن",
    )) + ")",
)
_ARABIZI_TRIGGERS = (
    r"(?:2|')?(?:[ie]sm(?:i|e|y|ee|ie)|asmi|ismi)",
    r"(?:ynadoni|ynadooni|ynaduni|ysamoni|ysamooni|yesamoni)",
    r"(?:akhokom|akhokum|akhukum|a5okom|a5ookom|okhtkom|ukhtkum|o5tkom)",
)
_EN_TRIGGERS = (
    r"my\s+(?:(?:full|real|first|last|given|family)\s+)?(?:sur)?name(?:\s+is|'s|’s|\s*[:：])",
    r"my\s+(?:father|dad|mother|mum|mom|husband|wife|son|daughter|brother|sister|child)"
    r"(?:'s|’s|s)?\s+name(?:\s+is|'s|’s|\s*[:：])",
    r"(?:i\s+am|i'm|i’m|im)\s+called",
    r"(?:they|people|everyone|everybody|friends)\s+call\s+me",
    r"(?<!\w\s)name\s*[:：]",
)
_TRIGGER_RE = re.compile(
    # Not inside a word; a digit may come before ("0ismi ali": it becomes "<number>ismi").
    r"(?<![^\W\d_]|['’])(?:" + "|".join(_AR_TRIGGERS + _ARABIZI_TRIGGERS + _EN_TRIGGERS)
    + r")(?![\w'’])",
    re.IGNORECASE,
)

# Words that may sit between the phrase and the name: "اسمي هو احمد", "اسمي الكامل احمد".
_CONNECTORS = {
    "هو", "هي", "الكامل", "الثلاثي", "الرباعي", "الحقيقي", "is", "full",
}
# Parts of a name that belong with the next word: عبد الله، ابو احمد، Abu Ali, Al Jubouri.
_COMPOUND_PREFIXES = {
    "عبد", "ابو", "ام", "ابن", "بن", "بنت", "ال", "ال", "abd", "abdul", "abdel", "abu", "abo",
    "um", "umm", "om", "ibn", "bin", "bint", "al", "el", "ul",
}
# Words that are not a name: conjunctions, prepositions, pronouns, and what people say about a
# name or after it ("اسمي مكتوب غلط", "my name is wrong on the card", "ismi ghalat").
_STOP_WORDS = {
    # Arabic (compared after folding: ا for أ إ آ, ي for ى, ه for ة)
    "و", "او", "بس", "لكن", "ولكن", "ثم", "من", "في", "فيه", "ب", "على", "عن", "الى", "لي",
    "مع", "ويا", "وي", "عند", "حتى", "اذا", "لو", "هل", "شلون", "كيف", "وين", "شنو", "ليش",
    "عمري", "وعمري", "انا", "اني", "وانا", "واني", "ساكن", "ساكنه", "اسكن", "واسكن", "اعيش",
    "عندي", "وعندي", "اريد", "ريد", "ابي", "ابغى", "احتاج", "محتاج", "محتاجه", "ممكن", "رجاء",
    "رجاءا", "مكتوب", "مكتوبه", "غلط", "غلطان", "خطا", "ناقص", "ناقصه", "مو", "مش", "ما", "مب",
    "لا", "غير", "صار", "صارت", "طلع", "طلعت", "تغير", "تبدل", "مختلف", "يختلف", "هذا", "هذه",
    "هاي", "هذي", "هواي", "كلش", "جدا", "شكرا", "مشكور", "يعني", "حسب", "مثل", "نفس", "موجود",
    "مسجل", "مسجله", "بالهويه", "بالجنسيه", "بالبطاقه", "بالوثيقه", "بالسجل", "بالجواز",
    "مالي", "مالتي", "الي", "اللي", "الذي", "التي", "هم", "احنا", "نحن", "كان", "كانت",
    "مكرر", "ضايع", "ضايعه", "مفقود", "تم", "لم", "لن", "قد", "وقد", "والله", "اخي", "اختي",
    "سيدي", "استاذ", "حضرتك", "حضرتكم", "يا", "هنا", "هناك", "هسه", "الان", "بعد",
    # what people talk about right after introducing themselves
    "بيتي", "بيتنا", "ابني", "بنتي", "زوجي", "زوجتي", "اهلي", "هويتي", "جنسيتي", "بطاقتي",
    "اوراقي", "مستمسكاتي", "اطفالي", "ولدي", "عائلتي", "عايلتي", "مشكلتي", "وضعي", "حالتي",
    "ابحث", "اسال", "اطلب", "ساعدوني", "ساعدني", "رجعت", "رجعنا", "نازح", "نازحه", "راجع",
    "رقمي", "ورقمي", "تلفوني", "وتلفوني", "موبايلي", "وموبايلي", "عنواني", "وعنواني", "واريد",
    "واحتاج", "ومن", "وساكن", "وساكنه", "واعيش", "وابي", "وبيتي", "وبيتنا", "وزوجي", "واطفالي",
    "واهلي", "وابني", "وبنتي", "ايميلي", "وايميلي", "حسابي", "وحسابي",
    # Arabizi
    "w", "wa", "o", "ana", "ani", "aani", "mn", "min", "b", "bl", "bil", "fi", "fe", "sakin",
    "saken", "areed", "arid", "ared", "abi", "aby", "ahtaj", "shlon", "shloon", "kaif", "wen",
    "wein", "shno", "shnu", "ghalat", "mo", "mu", "msh", "mish", "ma", "la", "bs", "bas",
    "lakin", "hatha", "hay", "yani", "ya3ni", "maktoob", "maktub", "3mri", "3omri", "3ndi",
    "3indi", "a7taj", "sakna", "sakne", "mal", "mali", "malti",
    # English
    "and", "or", "but", "i", "im", "i'm", "me", "my", "we", "our", "you", "your", "from", "in",
    "at", "on", "of", "to", "for", "with", "the", "a", "an", "is", "am", "are", "was", "were",
    "be", "been", "live", "living", "lives", "here", "there", "speaking", "please", "pls", "plz",
    "thanks", "thank", "age", "aged", "years", "year", "old", "also", "so", "because", "who",
    "how", "what", "where", "when", "why", "can", "could", "would", "will", "want", "need",
    "have", "has", "had", "not", "no", "yes", "hello", "hi", "it", "this", "that", "wrong",
    "misspelled", "spelled", "spelt", "written", "different", "missing", "lost", "changed",
    "incorrect", "correct", "same", "as", "if", "do", "does", "did", "sir", "madam", "by",
    "now", "then", "still", "too", "only", "just", "not", "isn't", "doesn't",
}
# Glued prefixes no given name starts with: بالهوية، للدائرة، فالمشكلة، والله.
_STOP_PREFIXES = ("بال", "لل", "فال", "كال", "وال", "وبال", "ولل")

# A word of a name: letters, and digits too because Arabizi writes letters with them
# ("3li" is علي, "a7mad" احمد); a word of digits only is not a name.
_WORD_RE = re.compile(r"[^\W_](?:[^\W_]|['’\-](?=[^\W_]))*")
_GAP_RE = re.compile(r"[ \t\u00a0\u200c\u200d\u200e\u200f]*")
# Between the phrase and the name: spaces, a colon or dash, even a line break ("الاسم:\nعلي").
_OPENING_RE = re.compile(r"\s*(?:[:：\-–—]\s*)?")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه",
                       "ک": "ك", "’": "'"})
_MARKS_RE = re.compile("[\u0640\u064b-\u065f\u0670]")


def _fold(word: str) -> str:
    return _MARKS_RE.sub("", word).translate(_FOLD).casefold()


def _is_stop(word: str) -> bool:
    folded = _fold(word)
    return folded in _STOP_WORDS or (
        folded.startswith(_STOP_PREFIXES) and folded not in _COMPOUND_PREFIXES
    )


def _words_after(text: str, position: int) -> Iterator[re.Match[str]]:
    """The words that follow `position`, separated only by spaces (not lines or punctuation)."""
    while True:
        gap = _GAP_RE.match(text, position)
        assert gap is not None
        word = _WORD_RE.match(text, gap.end())
        if word is None or word.group(0).isdigit():
            return
        yield word
        position = word.end()


def _is_family_name(folded: str) -> bool:
    """A family or tribal name (لقب) after the given names: الجبوري, Al-Dulaimi, Al Ani."""
    return (folded.startswith("ال") and len(folded) >= 4) or folded.startswith(("al-", "el-")) \
        or folded in ("ال", "al", "el")


def _name_span(text: str, start: int, max_units: int) -> tuple[int, int] | None:
    """Where the name after a trigger ending at `start` is; None when there is no name.

    Up to `max_units` name words (a compound such as عبد الله is one), then one more when it
    is a family name, so "اسمي احمد علي حسين الجبوري" loses all four.
    """
    # An optional colon or dash and connector words: "اسمي: احمد", "اسمي هو احمد".
    opening = _OPENING_RE.match(text, start)
    assert opening is not None
    words = list(islice(_words_after(text, opening.end()), 2 * max_units + 6))
    index = 0
    while index < len(words) and _fold(words[index].group(0)) in _CONNECTORS:
        index += 1
    first: int | None = None
    last = 0
    units = 0
    while index < len(words):
        word = words[index].group(0)
        folded = _fold(word)
        if _is_stop(word) or (units >= max_units and not _is_family_name(folded)):
            break
        end = index
        if folded in _COMPOUND_PREFIXES and index + 1 < len(words) \
                and not _is_stop(words[index + 1].group(0)):
            end = index + 1  # عبد الله, ابو احمد, Al Jubouri: one unit
        if first is None:
            first = words[index].start()
        last = words[end].end()
        units += 1
        index = end + 1
        if units > max_units:
            break  # the family name after the given names ends it
    if first is None:
        return None
    return first, last


def _mask_names(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for trigger in _TRIGGER_RE.finditer(text):
        if trigger.start() < position:
            continue  # inside a name already masked
        longer = "الرباعي" in _fold(trigger.group(0))  # "the four-part name"
        span = _name_span(text, trigger.end(), MAX_NAME_WORDS + 1 if longer else MAX_NAME_WORDS)
        if span is None:
            continue
        pieces.append(text[position:span[0]])
        pieces.append(NAME)
        position = span[1]
    pieces.append(text[position:])
    return "".join(pieces)


# --------------------------------------------------------------------------------------------
# Phone numbers and other numbers
# --------------------------------------------------------------------------------------------

# Between the digits of a phone number: spaces, dashes, dots, brackets, slashes, direction marks.
_SEP = r"[ \t\u00a0\-.()/\u200e\u200f\u202a-\u202e\u2066-\u2069]{0,3}"
_NUMBER_PUNCT = r"[.,:/\u066b\u066c]"
_DIGITS_RE = re.compile(
    r"(?P<phone>"
    # Iraqi mobile, international form: +964 7xx xxx xxxx, 00964 7xx…, +964 (0)7xx…
    r"(?:(?:\+|(?<!\d)00)" + _SEP + r"|(?<!\d))9" + _SEP + r"6" + _SEP + r"4" + _SEP
    + r"(?:\(?0\)?" + _SEP + r")?7(?:" + _SEP + r"\d){9}(?!\d)"
    # Iraqi mobile, national form: 07xx xxx xxxx, or 7xx xxx xxxx without the 0
    r"|(?<!\d)(?:0" + _SEP + r")?7(?:" + _SEP + r"\d){9}(?!\d)"
    # Any other number written the international way
    r"|(?:\+|(?<!\d)00)" + _SEP + r"[1-9](?:" + _SEP + r"\d){6,14}(?!\d)"
    r")"
    r"|(?P<number>\d+(?:" + _NUMBER_PUNCT + r"\d+)*)"
)


def _ascii_digit(char: str) -> str:
    """The ASCII digit a digit character stands for (any script); other characters unchanged."""
    if not char.isdigit():
        return char
    try:
        return str(unicodedata.digit(char))
    except (TypeError, ValueError):
        return "0"


# Digits Arabizi uses as letters: 2 ء, 3 ع, 5 خ, 6 ط, 7 ح, 8 ق, 9 ص.
ARABIZI_DIGITS = "2356789"
MAX_ARABIZI_DIGITS_PER_WORD = 2
# A Latin word that may hold Arabizi digits: ASCII letters, those digits and apostrophes.
_LATIN_WORD_RE = re.compile(r"(?<![^\W_])[A-Za-z'" + ARABIZI_DIGITS + r"]+(?![^\W_])")


def _arabizi_letter_positions(text: str) -> set[int]:
    """Positions of the digits that Arabizi words use as letters (kept; see the module)."""
    kept: set[int] = set()
    for word in _LATIN_WORD_RE.finditer(text):
        letters = word.group(0)
        digits = [i for i, char in enumerate(letters) if char.isdigit()]
        if (not digits or len(digits) > MAX_ARABIZI_DIGITS_PER_WORD
                or not any(char.isalpha() for char in letters)):
            continue
        if any(i + 1 in digits for i in digits):  # two digits side by side: a number
            continue
        if all((i > 0 and letters[i - 1].isalpha())
               or (i + 1 < len(letters) and letters[i + 1].isalpha()) for i in digits):
            kept.update(word.start() + i for i in digits)
    return kept


def _mask_digits(text: str) -> str:
    # A copy in which every digit is ASCII, character for character, so positions match.
    shadow = "".join(_ascii_digit(char) for char in text)
    arabizi = _arabizi_letter_positions(text)
    pieces: list[str] = []
    position = 0
    for match in _DIGITS_RE.finditer(shadow):
        if match.group("number") and match.end() - match.start() == 1 \
                and match.start() in arabizi:
            continue  # an Arabizi letter, left in place
        pieces.append(text[position:match.start()])
        pieces.append(PHONE if match.group("phone") else NUMBER)
        position = match.end()
    pieces.append(text[position:])
    masked = "".join(pieces)
    if not arabizi:
        # Whatever the patterns missed (a digit the regex engine does not call \d): masked too.
        return "".join(NUMBER if char.isdigit() else char for char in masked)
    kept_again = _arabizi_letter_positions(masked)
    return "".join(NUMBER if char.isdigit() and i not in kept_again else char
                   for i, char in enumerate(masked))


# --------------------------------------------------------------------------------------------


def deidentify(text: str) -> str:
    """The message with e-mails, links, handles, introduced names and all digits masked."""
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _mask_urls(text)
    text = _HANDLE_RE.sub(HANDLE, text)
    text = _mask_names(text)
    return _mask_digits(text)
