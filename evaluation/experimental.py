"""Experimental Rasa components for `evaluation.variants` only (config.yml does not use them).

Rasa 3.6's `LogisticRegressionClassifier` fixes the regularisation strength at scikit-learn's
default C=1.0 and always uses `class_weight="balanced"`. `TunableLogisticRegressionClassifier`
is the same component with both exposed, so the variants can test whether C explains the gap
to the TF-IDF baseline (which picks C by cross-validation on the training data).
"""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

__all__ = ["TunableLogisticRegressionClassifier"]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class TunableLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's logistic regression intent classifier with `C` and `class_weight` configurable."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's defaults plus C=1.0 and class_weight="balanced" (Rasa's fixed values)."""
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": 1.0,
            "class_weight": "balanced",
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        """Build the parent's classifier, then apply C and class_weight."""
        super().__init__(config, name, model_storage, resource)
        self.config = {**self.get_default_config(), **config}
        self.clf.set_params(C=float(self.config["C"]), class_weight=self.config["class_weight"])
