"""The intent contract and the intents of domain.yml (nlu/intents.py)."""

from __future__ import annotations

from pathlib import Path

from evaluation import evaluated_intents
from nlu.intents import CONTRACT_INTENTS, CRISIS_INTENTS, domain_intents, known_intents


def test_the_project_domain_declares_every_contract_intent() -> None:
    assert set(CONTRACT_INTENTS) <= set(domain_intents())
    assert set(CRISIS_INTENTS) <= set(CONTRACT_INTENTS)


def test_an_intent_a_trainer_adds_to_the_domain_is_known(tmp_path: Path) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text('version: "3.1"\nintents:\n  - greet\n  - housing_utilities\n'
                      "  - inform:\n      use_entities: true\n", encoding="utf-8")
    assert domain_intents(domain) == ("greet", "housing_utilities", "inform")
    assert known_intents(domain) == CONTRACT_INTENTS + ("housing_utilities",)


def test_a_broken_or_missing_domain_declares_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("intents: [unclosed\n", encoding="utf-8")
    assert domain_intents(broken) == ()
    assert domain_intents(tmp_path / "absent.yml") == ()
    assert known_intents(tmp_path / "absent.yml") == CONTRACT_INTENTS


def test_a_new_intent_with_held_out_messages_counts_in_macro_f1() -> None:
    gold = ["greet", "housing_utilities", "nlu_fallback", "greet"]
    assert evaluated_intents(gold) == CONTRACT_INTENTS + ("housing_utilities",)
    assert evaluated_intents(["greet"]) == CONTRACT_INTENTS
