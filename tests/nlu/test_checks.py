"""Each trainer check, with a file that breaks it."""

from __future__ import annotations

from pathlib import Path

from nlu.checks import (
    check_domain_languages,
    check_gazetteer,
    check_training_data,
    comparable,
    plain_text,
    run_checks,
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def nlu_file(tmp_path: Path, name: str, intents: dict[str, list[str]]) -> Path:
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in intents.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples]
    return write(tmp_path, name, "\n".join(lines) + "\n")


def test_the_project_passes_its_own_checks() -> None:
    assert [str(p) for p in run_checks()] == []


def test_broken_yaml_says_where(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yml", 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - هلو\n  bad: [unclosed\n')
    problems: list = []
    check_training_data([path], problems, min_examples=0)
    assert problems and problems[0].message.startswith("broken YAML")
    assert problems[0].line == 7


def test_too_few_examples_for_a_contract_intent(tmp_path: Path) -> None:
    path = nlu_file(tmp_path, "few.yml", {"greet": ["هلو", "مرحبا"]})
    problems: list = []
    check_training_data([path], problems, min_examples=3)
    assert any("'greet' has 2 examples" in p.message for p in problems)


def test_too_few_examples_for_a_new_intent_a_trainer_added(tmp_path: Path) -> None:
    path = nlu_file(tmp_path, "new.yml", {"housing_utilities": ["الكهرباء مقطوعة عن بيتنا"]})
    problems: list = []
    check_training_data([path], problems, min_examples=3)
    assert any("'housing_utilities' has 1 examples" in p.message for p in problems)


def test_the_same_example_under_two_intents(tmp_path: Path) -> None:
    a = nlu_file(tmp_path, "a.yml", {"greet": ["هلو شلونك"]})
    b = nlu_file(tmp_path, "b.yml", {"thank": ["هلو شلونك"]})
    problems: list = []
    check_training_data([a, b], problems, min_examples=0)
    [problem] = problems
    assert problem.path == b and problem.line == 5
    assert "the same example under two intents" in problem.message and "a.yml:5" in problem.message


def test_a_near_duplicate_after_normalisation(tmp_path: Path) -> None:
    path = nlu_file(tmp_path, "near.yml", {"greet": ["مرحبـــا!"], "thank": ["مرحبا"]})
    problems: list = []
    check_training_data([path], problems, min_examples=0)
    assert len(problems) == 1 and "near-duplicate" in problems[0].message


def test_a_governorate_value_that_is_not_canonical(tmp_path: Path) -> None:
    path = nlu_file(tmp_path, "gov.yml", {"inform": ['من [الموصل]{"entity": "governorate", "value": "mosul"}']})
    problems: list = []
    check_training_data([path], problems, min_examples=0)
    assert [p.message for p in problems] == ["governorate 'mosul' is not a canonical value"]


def test_a_response_without_english(tmp_path: Path) -> None:
    domain = write(tmp_path, "domain.yml", 'version: "3.1"\nresponses:\n  utter_x:\n    - text: "هلو"\n')
    problems: list = []
    check_domain_languages(domain, problems)
    assert [(p.line, p.message) for p in problems] == [(3, "response 'utter_x' has no English variation (language: en)")]


def test_a_gazetteer_entry_that_is_not_a_governorate(tmp_path: Path) -> None:
    gazetteer = write(tmp_path, "places.yml", "governorates:\n  ninewa:\n    names: [موصل]\n  mosul:\n    names: [x]\n")
    problems: list = []
    check_gazetteer(gazetteer, problems)
    assert len(problems) == 1 and problems[0].line == 4


def test_annotations_are_removed_before_comparing() -> None:
    assert plain_text('ساكن [بالموصل]{"entity": "governorate", "value": "ninewa"}') == "ساكن بالموصل"
    assert comparable("هلووووو!!") == comparable("هلو")
