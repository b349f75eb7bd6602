"""Tests for evaluation/baselines.py: the keyword router (pure) and the TF-IDF baseline."""

from __future__ import annotations

import pytest

from evaluation import CONTRACT_INTENTS
from evaluation.baselines import KEYWORDS, KeywordRouter, TfidfLogReg, compile_keyword


@pytest.fixture(scope="module")
def router() -> KeywordRouter:
    return KeywordRouter()


def test_every_contract_intent_has_keywords() -> None:
    assert set(CONTRACT_INTENTS) <= set(KEYWORDS)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("السلام عليكم", "greet"),
        ("شكراً جزيلاً", "thank"),  # normalised: diacritics and alef forms
        ("hello", "greet"),
        ("أريد الانتحار", "crisis_self_harm"),
        ("زوجي يضربني", "crisis_violence"),
        ("i want to kill myself", "crisis_self_harm"),
        ("شلون اقدم على التعويض", "housing_compensation"),
        ("بيتي المهدوم شلون التعويض", "housing_damaged_home"),  # tie: earlier intent wins
        ("هويتي ضاعت", "doc_civil_id"),
        ("الموصل", "inform"),  # a place alone
        ("بيتي مهدوم بالموصل", "housing_damaged_home"),  # a place next to a topic word
        ("my request R-7KQ2MX", "referral_status"),  # Latin prefix keyword
        ("qwerty", "out_of_scope"),  # nothing matched
    ],
)
def test_router(router: KeywordRouter, text: str, intent: str) -> None:
    assert router.predict_one(text) == intent


def test_crisis_keywords_win_over_higher_scores(router: KeywordRouter) -> None:
    text = "شكرا مشكورين الله يخليكم بس اريد انتحر"
    assert router.scores(text)["thank"] > router.scores(text)["crisis_self_harm"]
    assert router.predict_one(text) == "crisis_self_harm"


@pytest.mark.parametrize(
    ("keyword", "text", "matches"),
    [
        ("hi", "hi there", True),
        ("hi", "this is it", False),  # Latin keywords are whole words
        ("threaten*", "they threatened us", True),  # * matches a word prefix
        ("threaten", "they threatened us", False),
        (" لا ", "لا شكرا", True),  # spaces: whole Arabic word
        (" لا ", "الاسم", False),
        ("تعويض", "والتعويضات", True),  # Arabic keywords match inside words
    ],
)
def test_compile_keyword(keyword: str, text: str, matches: bool) -> None:
    from nlu.arabic import normalize

    assert bool(compile_keyword(keyword).regex.search(normalize(text))) is matches


def test_predict_keeps_order(router: KeywordRouter) -> None:
    assert router.predict(["hello", "bye"]) == ["greet", "goodbye"]


def test_tfidf_logreg_learns_a_toy_task() -> None:
    pytest.importorskip("sklearn")
    texts = ["شلون اطلع هوية", "هويتي ضاعت", "بيتي مهدوم", "البيت انهدم"] * 3
    labels = ["doc", "doc", "house", "house"] * 3
    model = TfidfLogReg(c_grid=(10.0,)).fit(texts, labels)
    assert model.chosen_c == 10.0
    assert model.predict(["ضاعت هويتي", "بيتنا مهدوم"]) == ["doc", "house"]


def test_tfidf_logreg_needs_fit() -> None:
    with pytest.raises(RuntimeError):
        TfidfLogReg().predict(["x"])
