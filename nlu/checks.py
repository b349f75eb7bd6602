"""Checks a trainer runs on the training data, the domain and the gazetteer.

`python -m nlu.checks` (or `make validate`) prints one line per problem, pointing to the file
and line, and exits 1 when there is any. Pure Python (PyYAML), so it runs without Rasa.

What is checked:
- every YAML file parses (a broken file says where);
- every intent of the contract, and every other intent with examples (a trainer's new one), has
  at least MIN_EXAMPLES training examples;
- no example appears under two intents, and no two examples of different intents are the same
  after Arabic normalisation (hamza, yaa, taa marbuta, diacritics, repeated letters, punctuation);
- every response in domain.yml has an Arabic text and an English variation;
- every governorate value used in the training data, and every governorate in the gazetteer,
  is a canonical governorate;
- content/ (answers, messages, service directory) passes its own validation.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlu.arabic import normalize
from nlu.intents import CONTRACT_INTENTS
from nlu.places import GOVERNORATES

ROOT = Path(__file__).resolve().parent.parent
MIN_EXAMPLES = 40
_ANNOTATION = re.compile(r"\[([^\]]*)\](\{[^}]*\}|\([^)]*\))")
_GOVERNORATE_VALUE = re.compile(r'"entity"\s*:\s*"governorate"\s*,\s*"value"\s*:\s*"([^"]+)"')
_INTENT_LINE = re.compile(r"^\s*-\s*intent:\s*(\S+)\s*$")
_EXAMPLE_LINE = re.compile(r"^\s+-\s+(.*\S)\s*$")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Example:
    intent: str
    text: str  # with annotations removed
    raw: str
    path: Path
    line: int


def plain_text(raw: str) -> str:
    """An example without its entity annotations: '[بالموصل]{...}' → 'بالموصل'."""
    text = _ANNOTATION.sub(lambda match: match.group(1), raw).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return text


def comparable(text: str) -> str:
    """The form two examples are compared in: normalised, without punctuation or spaces."""
    return "".join(ch for ch in normalize(text) if ch.isalnum())


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(path, line, f"broken YAML: {error.problem or error}"))
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(path, 1, f"cannot read: {error}"))
    return None


def read_examples(path: Path) -> list[Example]:
    """The examples of a Rasa NLU file with their line numbers (a line scan of `examples: |`)."""
    examples: list[Example] = []
    intent: str | None = None
    in_block = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _INTENT_LINE.match(line)
        if match:
            intent, in_block = match.group(1), False
            continue
        if re.match(r"^\s*-\s*(synonym|regex|lookup):", line):
            intent, in_block = None, False
            continue
        if intent and re.match(r"^\s*examples:\s*\|", line):
            in_block = True
            continue
        if in_block and intent:
            example = _EXAMPLE_LINE.match(line)
            if example:
                raw = example.group(1)
                examples.append(Example(intent, plain_text(raw), raw, path, number))
            elif line.strip() and not line.startswith("    "):
                in_block = False
    return examples


def check_training_data(files: list[Path], problems: list[Problem],
                        min_examples: int = MIN_EXAMPLES) -> list[Example]:
    examples: list[Example] = []
    for path in files:
        if load_yaml(path, problems) is not None:
            examples.extend(read_examples(path))

    counts: dict[str, int] = defaultdict(int)
    for example in examples:
        counts[example.intent] += 1
    where = files[0] if files else ROOT
    # The contract's intents, then any other intent that has examples (a new intent counts).
    for intent in [*CONTRACT_INTENTS, *sorted(set(counts) - set(CONTRACT_INTENTS))]:
        if counts[intent] < min_examples:
            problems.append(Problem(where, 1, f"intent '{intent}' has {counts[intent]} examples; "
                                              f"at least {min_examples} are needed"))

    seen: dict[str, Example] = {}
    for example in examples:
        key = comparable(example.text)
        if not key:
            problems.append(Problem(example.path, example.line, "empty example"))
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = example
        elif first.intent != example.intent:
            same = first.text.strip() == example.text.strip()
            kind = "the same example" if same else "a near-duplicate (after normalisation)"
            problems.append(Problem(
                example.path, example.line,
                f"{kind} under two intents: '{example.text}' is '{example.intent}' here and "
                f"'{first.intent}' at {first.path.name}:{first.line}",
            ))

    for example in examples:
        for value in _GOVERNORATE_VALUE.findall(example.raw):
            if value not in GOVERNORATES:
                problems.append(Problem(example.path, example.line,
                                        f"governorate '{value}' is not a canonical value"))
    return examples


def check_domain_languages(domain_path: Path, problems: list[Problem]) -> None:
    """Every response has a default (Arabic) text and an English (`language: en`) variation."""
    domain = load_yaml(domain_path, problems)
    if not isinstance(domain, dict):
        return
    lines = domain_path.read_text(encoding="utf-8").splitlines()
    for name, variations in (domain.get("responses") or {}).items():
        line = next((i for i, text in enumerate(lines, 1) if text.strip() == f"{name}:"), 1)
        variations = variations or []
        default = [v for v in variations if not v.get("condition")]
        english = [v for v in variations if any(
            c.get("name") == "language" and c.get("value") == "en" for c in v.get("condition") or []
        )]
        if not default or not default[0].get("text"):
            problems.append(Problem(domain_path, line, f"response '{name}' has no Arabic text"))
        if not english or not english[0].get("text"):
            problems.append(Problem(domain_path, line,
                                    f"response '{name}' has no English variation (language: en)"))


def check_gazetteer(path: Path, problems: list[Problem]) -> None:
    data = load_yaml(path, problems)
    if not isinstance(data, dict):
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    for value in (data.get("governorates") or {}):
        if value not in GOVERNORATES:
            line = next((i for i, text in enumerate(lines, 1) if text.strip() == f"{value}:"), 1)
            problems.append(Problem(path, line, f"'{value}' is not a canonical governorate "
                                                f"(one of: {', '.join(GOVERNORATES)})"))


def check_content(problems: list[Problem]) -> None:
    from content.loader import clear_cache, validate_content

    clear_cache()
    for message in validate_content():
        problems.append(Problem(ROOT / "content", 1, message))


def run_checks(root: Path = ROOT) -> list[Problem]:
    problems: list[Problem] = []
    check_training_data(sorted((root / "nlu" / "data" / "nlu").glob("*.yml")), problems)
    check_domain_languages(root / "domain.yml", problems)
    check_gazetteer(root / "nlu" / "places.yml", problems)
    check_content(problems)
    return problems


def main() -> int:
    problems = run_checks()
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} problem(s) found.")
        return 1
    print("All checks passed: training data, domain responses, gazetteer and content.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
