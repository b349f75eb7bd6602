"""Rasa 3.6 graph components for Arabic: token normalisation, the intent classifier, the crisis
rules and the governorate gazetteer.

Only the Rasa environment imports this module. In config.yml:

    pipeline:
      - name: WhitespaceTokenizer
      - name: nlu.components.ArabicNormalizer      # right after the tokenizer
      - name: nlu.components.TfidfIntentClassifier
      - name: nlu.components.CrisisRules
      - name: nlu.components.GovernorateExtractor

Why the normaliser comes after the tokenizer, leaves the message text alone and writes the
normalised word into each token's *lemma*:

- `rasa test nlu` labels each token with the entity whose character span (start/end in the
  original test sentence) covers it (rasa/nlu/test.py `align_entity_predictions`). If the text
  were rewritten before tokenising (diacritics and tatweel removed), token offsets would point
  into the rewritten text and entities after a removed character would be scored wrong.
- The same code decides "token inside entity" by comparing the overlap with `len(token.text)`,
  so a token's text must stay as long as its span: a normalised `token.text` would make every
  diacritised entity word silently count as "no entity" for target and prediction alike.

So `ArabicNormalizer` keeps `token.text`, `start` and `end` on the original text and stores
`normalize(word)` as `token.lemma`, which CountVectorsFeaturizer reads (its default
`use_lemma: true`; do not turn it off). Rasa's WhitespaceTokenizer keeps diacritics, tatweel and
zero-width joiners inside words, so normalising after tokenising gives the same words as
normalising first. Featurizers that read `token.text` (LexicalSyntacticFeaturizer) see the
original spelling.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.arabic import normalize_with_offsets
from nlu.places import find_governorates

logger = logging.getLogger(__name__)

# Message key holding the whole normalised text (for debugging and other components).
NORMALIZED_TEXT = "normalized_text"
GOVERNORATE_ENTITY = "governorate"
CRISIS_PREFIX = "crisis_"


def normalize_tokens(tokens: List[Token]) -> List[Token]:
    """Give each token its normalised form as lemma; text and offsets stay on the original.

    A token may split (punctuation inside it: the parts keep their original substrings) or
    vanish (only tatweel or diacritics); if every token would vanish, the original tokens are
    kept so that featurizers always see something.
    """
    result: List[Token] = []
    for token in tokens:
        normalized, spans = normalize_with_offsets(token.text)
        position = 0
        for word in normalized.split(" "):
            if word:
                begin, end = spans[position][0], spans[position + len(word) - 1][1]
                result.append(
                    Token(
                        token.text[begin:end],
                        token.start + begin,
                        token.start + end,
                        data=dict(token.data),
                        lemma=word,
                    )
                )
            position += len(word) + 1
    return result or tokens


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class ArabicNormalizer(GraphComponent):
    """Sets every token's lemma to its normalised form (nlu/arabic.py); goes after the tokenizer."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """Rasa refuses a pipeline where no tokenizer runs before this component."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ArabicNormalizer:
        """Creates the component (see parent class for full docstring)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise the tokens of every training example, as `process` does at prediction."""
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalise the tokens of incoming messages."""
        for message in messages:
            self._normalize(message)
        return messages

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        tokens = message.get(TOKENS_NAMES[TEXT])
        if tokens is None:
            logger.warning("ArabicNormalizer: message has no tokens; is it after the tokenizer?")
            return
        message.set(TOKENS_NAMES[TEXT], normalize_tokens(tokens))
        message.set(NORMALIZED_TEXT, normalize_with_offsets(text)[0])


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class GovernorateExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `governorate` entities found with the gazetteer (nlu/places.yml).

    Offsets are into the original message text and cover whole words, prefixes included
    ("ساكن [بالموصل]"), which is how the training and test data annotate them.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GovernorateExtractor:
        """Creates the component (see parent class for full docstring)."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Add governorate entities to each message."""
        for message in messages:
            self._extract(message)
        return messages

    def _extract(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if not isinstance(text, str) or not text.strip():
            return
        if text.strip().startswith(INTENT_MESSAGE_PREFIX):
            return  # "/inform{...}" payloads: RegexMessageHandler sets their entities
        existing = list(message.get(ENTITIES, []))
        taken = {
            (e.get(ENTITY_ATTRIBUTE_START), e.get(ENTITY_ATTRIBUTE_END))
            for e in existing
            if e.get(ENTITY_ATTRIBUTE_TYPE) == GOVERNORATE_ENTITY
        }
        found = [
            {
                ENTITY_ATTRIBUTE_TYPE: GOVERNORATE_ENTITY,
                ENTITY_ATTRIBUTE_START: match.start,
                ENTITY_ATTRIBUTE_END: match.end,
                ENTITY_ATTRIBUTE_VALUE: match.value,
                ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
            }
            for match in find_governorates(text)
            if (match.start, match.end) not in taken
        ]
        if found:
            message.set(ENTITIES, existing + self.add_extractor_name(found), add_to_output=True)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class TfidfIntentClassifier(GraphComponent):
    """Intents from TF-IDF character n-grams (inside word boundaries) of the normalised text,
    optionally with word n-grams (`word_ngram_range`, null to leave them out), and a logistic
    regression (scikit-learn).

    Character n-grams carry Iraqi dialect, typos and Arabizi; sublinear TF-IDF weighting keeps
    long messages from drowning short cue words. Needs ArabicNormalizer before it.
    """

    @classmethod
    def required_components(cls) -> List[Type]:
        return [ArabicNormalizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "char_ngram_range": [2, 5],
            "word_ngram_range": [1, 2],
            "C": 10.0,
            "max_iter": 2000,
            "random_state": 42,
            "ranking_length": 10,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, model: Any = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TfidfIntentClassifier:
        return cls(config, model_storage, resource)

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        features = [("chars", TfidfVectorizer(analyzer="char_wb", sublinear_tf=True,
                                              ngram_range=tuple(self._config["char_ngram_range"])))]
        if self._config.get("word_ngram_range"):
            features.append(("words", TfidfVectorizer(
                analyzer="word", sublinear_tf=True, token_pattern=r"\S+",
                ngram_range=tuple(self._config["word_ngram_range"]))))
        return make_pipeline(
            FeatureUnion(features),
            LogisticRegression(C=self._config["C"], max_iter=self._config["max_iter"],
                               random_state=self._config["random_state"]),
        )

    @staticmethod
    def _text(message: Message) -> str:
        return message.get(NORMALIZED_TEXT) or message.get(TEXT) or ""

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT)]
        self._model = self._pipeline().fit(
            [self._text(e) for e in examples], [e.get(INTENT) for e in examples]
        )
        self.persist()
        return self._resource

    def persist(self) -> None:
        import joblib

        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / "tfidf_intent_classifier.joblib")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> TfidfIntentClassifier:
        import joblib

        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / "tfidf_intent_classifier.joblib")
        except (ValueError, FileNotFoundError):
            logger.warning("TfidfIntentClassifier: no trained model found; predicting nothing")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self._model is None or message.get(INTENT):
                continue  # untrained, or an intent given directly ("/greet")
            probabilities = self._model.predict_proba([self._text(message)])[0]
            order = probabilities.argsort()[::-1][: self._config["ranking_length"]]
            ranking = [{INTENT_NAME_KEY: str(self._model.classes_[i]),
                        PREDICTED_CONFIDENCE_KEY: float(probabilities[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class CrisisRules(GraphComponent):
    """The deterministic crisis rules of nlu/safety.py (the same the bot runs), after the classifier.

    - A message the rules recognise is crisis_self_harm or crisis_violence, confidence 1.0:
      a cry for help is never left to a statistical guess.
    - A crisis intent the classifier guessed with less than `min_model_confidence`, on a message
      the rules do not recognise, gives way to the best non-crisis intent: everyday talk about
      politics, news or fights is not answered as an emergency on a weak guess.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_model_confidence": 0.5}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._min_confidence = float(config["min_model_confidence"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CrisisRules:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        from nlu.safety import detect_crisis

        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            if not text or text.startswith(INTENT_MESSAGE_PREFIX) or not intent:
                continue
            ranking = list(message.get(INTENT_RANKING_KEY) or [intent])
            kind = detect_crisis(text)
            if kind is not None:
                chosen = {INTENT_NAME_KEY: f"crisis_{kind.value}", PREDICTED_CONFIDENCE_KEY: 1.0}
            elif (str(intent.get(INTENT_NAME_KEY, "")).startswith(CRISIS_PREFIX)
                  and intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) < self._min_confidence):
                chosen = next((dict(i) for i in ranking
                               if not str(i[INTENT_NAME_KEY]).startswith(CRISIS_PREFIX)), None)
                if chosen is None:
                    continue
            else:
                continue
            others = [i for i in ranking if i[INTENT_NAME_KEY] != chosen[INTENT_NAME_KEY]]
            if kind is not None:
                # The rules are certain: no other intent keeps a confidence that the fallback's
                # ambiguity check could weigh against the crisis.
                others = [{**i, PREDICTED_CONFIDENCE_KEY: 0.0} for i in others]
            ranking = [chosen] + others
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
