"""Tests for the Rasa components in nlu/components.py (Rasa environment only).

Run with: .venv/rasa/bin/python -m pytest tests/nlu/test_components.py
The application environment has no Rasa and skips this module.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rasa")

from rasa.nlu.constants import TOKENS_NAMES  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.constants import ENTITIES, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from nlu.components import (  # noqa: E402
    NORMALIZED_TEXT,
    ArabicNormalizer,
    GovernorateExtractor,
    normalize_tokens,
)

pytestmark = pytest.mark.rasa


def _create(component: Any) -> Any:
    """Build a component the way the graph does; these two need no storage or context."""
    return component.create(component.get_default_config(), None, None, None)


def _tokenized(text: str) -> Message:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message


def _tokens(message: Message) -> list[tuple[str, int, int, str]]:
    return [(t.text, t.start, t.end, t.lemma) for t in message.get(TOKENS_NAMES[TEXT])]


def test_whitespace_tokenizer_keeps_marks_and_tatweel_inside_words() -> None:
    """The premise of normalising after tokenising."""
    message = _tokenized("مَرْحَبًا بالـمـوصل تل\u200cعفر")
    assert [t[0] for t in _tokens(message)] == ["مَرْحَبًا", "بالـمـوصل", "تل\u200cعفر"]


def test_normalizer_sets_lemmas_and_keeps_text_and_offsets() -> None:
    text = "مَرْحَبًا، ساكن بالمَوْصِل هلووووو"
    message = _tokenized(text)
    _create(ArabicNormalizer).process([message])
    assert message.get(TEXT) == text
    assert message.get(NORMALIZED_TEXT) == "مرحبا ، ساكن بالموصل هلو"
    tokens = _tokens(message)
    assert [t[3] for t in tokens] == ["مرحبا", "ساكن", "بالموصل", "هلو"]
    for token_text, start, end, _ in tokens:
        assert text[start:end] == token_text  # rasa test nlu relies on this


def test_normalizer_processes_training_data_the_same_way() -> None:
    examples = [_tokenized("بيتي مهدووووم"), _tokenized("اريد اطلع هويّة")]
    data = _create(ArabicNormalizer).process_training_data(TrainingData(examples))
    lemmas = [[t.lemma for t in e.get(TOKENS_NAMES[TEXT])] for e in data.training_examples]
    assert lemmas == [["بيتي", "مهدوم"], ["اريد", "اطلع", "هويه"]]


def test_normalize_tokens_splits_and_drops() -> None:
    message = _tokenized("a.b ـــ")
    tokens = normalize_tokens(message.get(TOKENS_NAMES[TEXT]))
    assert [(t.text, t.start, t.end, t.lemma) for t in tokens] == [
        ("a", 0, 1, "a"),
        (".", 1, 2, "."),
        ("b", 2, 3, "b"),
    ]


def test_normalize_tokens_keeps_tokens_when_everything_vanishes() -> None:
    message = _tokenized("ـــ")
    original = message.get(TOKENS_NAMES[TEXT])
    assert normalize_tokens(original) == original


def test_normalizer_requires_a_tokenizer_before_it() -> None:
    from rasa.nlu.tokenizers.tokenizer import Tokenizer

    assert ArabicNormalizer.required_components() == [Tokenizer]


def test_extractor_adds_governorates_on_the_original_text() -> None:
    text = "بيتي مهدوم بالمَوْصِل وأهلي في Ramadi"
    message = _tokenized(text)
    _create(ArabicNormalizer).process([message])
    _create(GovernorateExtractor).process([message])
    entities = message.get(ENTITIES)
    assert entities == [
        {
            "entity": "governorate",
            "start": 11,
            "end": 21,
            "value": "ninewa",
            "confidence": 1.0,
            "extractor": "GovernorateExtractor",
        },
        {
            "entity": "governorate",
            "start": 31,
            "end": 37,
            "value": "anbar",
            "confidence": 1.0,
            "extractor": "GovernorateExtractor",
        },
    ]
    assert [text[e["start"] : e["end"]] for e in entities] == ["بالمَوْصِل", "Ramadi"]


def test_extractor_leaves_intent_payloads_alone() -> None:
    message = Message(data={TEXT: '/inform{"governorate":"anbar"}'})
    _create(GovernorateExtractor).process([message])
    assert not message.get(ENTITIES)


def test_extractor_keeps_other_entities_and_skips_duplicates() -> None:
    other = {"entity": "governorate", "start": 5, "end": 12, "value": "ninewa", "extractor": "X"}
    message = Message(data={TEXT: "ساكن بالموصل", ENTITIES: [other]})
    _create(GovernorateExtractor).process([message])
    assert message.get(ENTITIES) == [other]


def test_held_out_style_entities_align_with_tokens() -> None:
    """rasa test nlu scores entities token by token: check the alignment it computes."""
    from rasa.nlu.test import EntityEvaluationResult, align_entity_predictions

    text = "بَيْتِي مهدوم بالمَوْصِل وساكنين بتكريـــت هسه"
    targets = [
        {"entity": "governorate", "start": 14, "end": 24, "value": "ninewa"},
        {"entity": "governorate", "start": 33, "end": 42, "value": "salah_al_din"},
    ]
    message = _tokenized(text)
    _create(ArabicNormalizer).process([message])
    _create(GovernorateExtractor).process([message])
    result = EntityEvaluationResult(
        targets, message.get(ENTITIES), message.get(TOKENS_NAMES[TEXT]), text
    )
    aligned = align_entity_predictions(result, {"GovernorateExtractor"})
    expected = ["O", "O", "governorate", "O", "governorate", "O"]
    assert aligned["target_labels"] == expected
    assert aligned["extractor_labels"]["GovernorateExtractor"] == expected


CONFIG = """
recipe: default.v1
assistant_id: components_test
language: ar
pipeline:
  - name: WhitespaceTokenizer
  - name: nlu.components.ArabicNormalizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: LogisticRegressionClassifier
    max_iter: 100
    random_state: 42
  - name: nlu.components.GovernorateExtractor
policies: []
"""

TRAIN = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - مرحبا
    - هلو
    - السلام عليكم
    - شلونك
    - hello
- intent: housing_damaged_home
  examples: |
    - بيتي مهدوم [بالموصل]{"entity": "governorate", "value": "ninewa"}
    - بيتنا انهدم بالحرب
    - البيت متضرر وما نكدر نرجع
    - بيتي محروك [بالفلوجة]{"entity": "governorate", "value": "anbar"}
    - my house was destroyed
"""

TEST = """
version: "3.1"
nlu:
- intent: housing_damaged_home
  examples: |
    - بَيْتِي مَهْدُوم [بالمَوْصِل]{"entity": "governorate", "value": "ninewa"} والله
    - بيتـــي انهدم وساكنين [بتكريـــت]{"entity": "governorate", "value": "salah_al_din"} هسه
    - بيتي متضرر [بالرمادي]{"entity": "governorate", "value": "anbar"}
- intent: greet
  examples: |
    - مَرْحَبًا
    - هلووووو
"""


def test_train_predict_and_evaluate_tiny_model(tmp_path: Path) -> None:
    """Train an NLU-only model with both components, parse, and run Rasa's NLU evaluation."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from rasa.nlu.test import run_evaluation

    for name, content in (("config.yml", CONFIG), ("nlu.yml", TRAIN), ("test.yml", TEST)):
        (tmp_path / name).write_text(textwrap.dedent(content), encoding="utf-8")
    model = train_nlu(
        str(tmp_path / "config.yml"),
        str(tmp_path / "nlu.yml"),
        str(tmp_path / "models"),
        fixed_model_name="tiny",
    )
    assert model is not None
    agent = Agent.load(model)

    async def run() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        parsed = await agent.parse_message("ساكن بالمَوْصِل وبيتي مهدووووم")
        payload = await agent.parse_message('/inform{"governorate":"anbar"}')
        report = await run_evaluation(
            str(tmp_path / "test.yml"),
            agent.processor,
            output_directory=str(tmp_path / "results"),
            report_as_dict=True,
            disable_plotting=True,
        )
        return parsed, payload, report

    parsed, payload, report = asyncio.run(run())

    assert parsed["text"] == "ساكن بالمَوْصِل وبيتي مهدووووم"
    assert parsed["intent"]["name"] == "housing_damaged_home"
    assert [(e["start"], e["end"], e["value"]) for e in parsed["entities"]] == [(5, 15, "ninewa")]

    assert payload["intent"]["name"] == "inform"
    assert [e["extractor"] for e in payload["entities"]] == ["RegexMessageHandler"]

    assert report["intent_evaluation"]["accuracy"] == 1.0
    entity_report = report["entity_evaluation"]["GovernorateExtractor"]["report"]
    # every annotated entity is counted (a misaligned token would silently become "O")
    assert entity_report["governorate"]["support"] == 3
    assert entity_report["governorate"]["f1-score"] == 1.0


def _with_intent(text: str, name: str, confidence: float, ranking: list[tuple[str, float]]) -> Message:
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY

    message = Message({TEXT: text})
    message.set(INTENT, {"name": name, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return message


def test_crisis_rules_override_the_classifier_when_they_recognise_a_crisis() -> None:
    from nlu.components import CrisisRules

    rules = CrisisRules({"min_model_confidence": 0.5})
    [message] = rules.process([_with_intent("والله افكر انتحر", "pss_distress", 0.7,
                                            [("pss_distress", 0.7), ("greet", 0.1)])])
    assert message.get("intent") == {"name": "crisis_self_harm", "confidence": 1.0}
    assert message.get("intent_ranking")[1] == {"name": "pss_distress", "confidence": 0.0}


def test_a_weak_crisis_guess_without_the_rules_gives_way() -> None:
    from nlu.components import CrisisRules

    rules = CrisisRules({"min_model_confidence": 0.5})
    weak = _with_intent("السياسيين دمروا البلد", "crisis_violence", 0.4,
                        [("crisis_violence", 0.4), ("out_of_scope", 0.3)])
    strong = _with_intent("اكو واحد يلاحقني", "crisis_violence", 0.8, [("crisis_violence", 0.8)])
    rules.process([weak, strong])
    assert weak.get("intent")["name"] == "out_of_scope"
    assert strong.get("intent")["name"] == "crisis_violence"


def test_tfidf_classifier_trains_persists_and_predicts(tmp_path: Path) -> None:
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT

    from nlu.components import TfidfIntentClassifier

    storage = LocalModelStorage(tmp_path)
    resource = Resource("tfidf")
    context = ExecutionContext(graph_schema=None, model_id="1")  # type: ignore[arg-type]
    config = {**TfidfIntentClassifier.get_default_config(), "C": 10.0}
    examples = [("هلو شلونكم", "greet"), ("مرحبا", "greet"), ("hello there", "greet"),
                ("ضاعت هويتي", "doc_civil_id"), ("اريد اطلع بطاقة وطنية", "doc_civil_id"),
                ("lost my id card", "doc_civil_id")]
    data = TrainingData([Message({TEXT: t, INTENT: i}) for t, i in examples])
    classifier = TfidfIntentClassifier.create(config, storage, resource, context)
    classifier.train(data)
    loaded = TfidfIntentClassifier.load(config, storage, resource, context)
    [message] = loaded.process([Message({TEXT: "هويتي ضاعت شسوي"})])
    assert message.get(INTENT)["name"] == "doc_civil_id"
    assert len(message.get("intent_ranking")) == 2
