"""Arabic text normalisation for the NLU pipeline and the gazetteer.

Pure standard-library code: both Python environments (Rasa and the application) import it.

`normalize()` makes spelling variants that Iraqi users produce look the same, without stemming
(a stemmer turns ماكو "there isn't" into اكو "there is"; see docs and ARCHITECTURE.md):

- Unicode NFKC, applied one character at a time (Arabic presentation forms such as ﻻ become
  ordinary letters), then canonical composition of combining marks (ا + hamza above = أ);
- removal of diacritics (tashkeel and every other combining mark), tatweel, and invisible format
  characters (zero-width joiners, bidi controls, BOM, soft hyphen, variation selectors);
- alef forms أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي, Persian ک → ك and ی → ي
  (گ چ ڤ پ and the Kurdish letters are kept: they carry meaning in Iraqi writing);
- any decimal digit (Arabic-Indic, Persian, ...) → ASCII, Arabic decimal/thousands separators;
- letters repeated three or more times collapse to one (هلوووو → هلو, doubles are kept);
- lowercase, whitespace collapsed, punctuation and symbols (emoji included, kept) split from words.

`normalize_with_offsets()` also returns, for every output character, the span of the input
characters it came from, so callers can map positions in normalised text back to the original.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalize", "normalize_with_offsets"]

Span = tuple[int, int]

TATWEEL = "\u0640"

LETTER_MAP: dict[str, str] = {
    "\u0623": "\u0627",  # أ → ا
    "\u0625": "\u0627",  # إ → ا
    "\u0622": "\u0627",  # آ → ا
    "\u0671": "\u0627",  # ٱ → ا
    "\u0672": "\u0627",  # ٲ → ا
    "\u0673": "\u0627",  # ٳ → ا
    "\u0649": "\u064a",  # ى → ي
    "\u0629": "\u0647",  # ة → ه
    "\u06c3": "\u0647",  # ۃ → ه
    "\u0624": "\u0648",  # ؤ → و
    "\u0626": "\u064a",  # ئ → ي
    "\u06a9": "\u0643",  # Persian/Kurdish ک → ك
    "\u06cc": "\u064a",  # Persian/Kurdish ی → ي
    "\u066b": ".",  # Arabic decimal separator
    "\u066c": ",",  # Arabic thousands separator
    "\u066a": "%",  # Arabic percent sign
    "\u2019": "'",  # typographic apostrophes
    "\u2018": "'",
}

# Characters dropped on top of the Unicode categories Mn, Me, Cf (marks and format characters).
EXTRA_DROPPED = {TATWEEL, "\u0674"}  # tatweel, Arabic high hamza (left over from NFKC of ٵ)

# Punctuation that stays inside a word when it sits between two characters of the given kind.
KEEP_BETWEEN_ALNUM = {"'", "-"}  # Arabizi "3'ayr" (غ), don't, al-qaim, covid-19
KEEP_BETWEEN_DIGITS = {".", ",", ":", "/"}  # 1.5, 10,000, 10:30, 1/2/2024


def _nfkc_chars(text: str) -> list[tuple[str, int, int]]:
    """NFKC each character on its own, composing combining marks with the previous character."""
    chars: list[tuple[str, int, int]] = []
    for index, char in enumerate(text):
        for out in unicodedata.normalize("NFKC", char):
            if chars and unicodedata.combining(out):
                previous, start, _ = chars[-1]
                composed = unicodedata.normalize("NFC", previous + out)
                if len(composed) == 1:
                    chars[-1] = (composed, start, index + 1)
                    continue
            chars.append((out, index, index + 1))
    return chars


def _map_char(char: str) -> str:
    """Map one NFKC character to its normalised form ('' drops it)."""
    if char in LETTER_MAP:
        return LETTER_MAP[char]
    if char in EXTRA_DROPPED:
        return ""
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf") or (category == "Cc"):
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(char))
    if char.isupper() or category == "Lt":
        lowered = char.lower()
        return "".join(c for c in lowered if unicodedata.category(c) not in ("Mn", "Me"))
    return char


def _collapse_repeats(chars: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Collapse runs of three or more identical letters into one letter."""
    result: list[tuple[str, int, int]] = []
    index = 0
    while index < len(chars):
        char, start, end = chars[index]
        run_end = index + 1
        while run_end < len(chars) and chars[run_end][0] == char:
            run_end += 1
        run_length = run_end - index
        if char.isalpha() and run_length >= 3:
            result.append((char, start, chars[run_end - 1][2]))
        else:
            result.extend(chars[index:run_end])
        index = run_end
    return result


def _is_punct(char: str) -> bool:
    """Punctuation or symbol (emoji included)."""
    return unicodedata.category(char)[0] in ("P", "S")


def _kept_inside_word(chars: list[tuple[str, int, int]], index: int) -> bool:
    """True when the punctuation at `index` belongs to the word around it (10.5, al-qaim)."""
    if index == 0 or index == len(chars) - 1:
        return False
    char = chars[index][0]
    before, after = chars[index - 1][0], chars[index + 1][0]
    if char in KEEP_BETWEEN_ALNUM:
        return before.isalnum() and after.isalnum()
    if char in KEEP_BETWEEN_DIGITS:
        return before.isdigit() and after.isdigit()
    return False


def _space_out(chars: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Separate punctuation from words and collapse whitespace.

    A run of one repeated punctuation character stays together ("!!!", "...", "😂😂").
    Inserted spaces get an empty span at the position where they were inserted.
    """
    # kind: "space", "word" or the punctuation character itself
    kinds: list[str] = []
    for index, (char, _, _) in enumerate(chars):
        if char == " ":
            kinds.append("space")
        elif kinds and kinds[-1] != "space" and "\U0001f3fb" <= char <= "\U0001f3ff":
            kinds.append(kinds[-1])  # an emoji skin tone stays with its emoji: 👍🏻
        elif _is_punct(char) and not _kept_inside_word(chars, index):
            kinds.append("p" + char)
        else:
            kinds.append("word")

    result: list[tuple[str, int, int]] = []
    previous_kind = "space"
    for (char, start, end), kind in zip(chars, kinds):
        if kind == "space":
            previous_kind = "space"
            continue
        if result and (previous_kind == "space" or kind != previous_kind):
            gap = result[-1][2]
            result.append((" ", gap, gap))
        result.append((char, start, end))
        previous_kind = kind
    return result


def normalize_with_offsets(text: str) -> tuple[str, list[Span]]:
    """Normalise `text` and give, for each output character, its (start, end) in `text`.

    Spans are non-decreasing; an inserted space has an empty span.
    """
    mapped: list[tuple[str, int, int]] = []
    for char, start, end in _nfkc_chars(text):
        for out in _map_char(char):
            mapped.append((out, start, end))
    spaced = _space_out(_collapse_repeats(mapped))
    normalized = "".join(char for char, _, _ in spaced)
    return normalized, [(start, end) for _, start, end in spaced]


def normalize(text: str) -> str:
    """Return the normalised form of `text` (see the module docstring)."""
    return normalize_with_offsets(text)[0]
