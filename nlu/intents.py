"""The intents of the assistant: the contract every model must cover, and those of domain.yml.

`CONTRACT_INTENTS` are the intents the assistant was built around: each must have at least
`nlu.checks.MIN_EXAMPLES` training examples, an answer where it is an information topic, and
held-out messages; macro-F1 is averaged over them. Trainers add intents in `domain.yml` without
touching Python (docs/trainers.md): `domain_intents()` reads them, so the checks, the content
validation and the evaluation take a new intent into account as soon as it is declared there.
Standard library and PyYAML only; the file is read when asked, never at import.
"""

from __future__ import annotations

from pathlib import Path

import yaml

DOMAIN_PATH = Path(__file__).resolve().parent.parent / "domain.yml"

CONTRACT_INTENTS: tuple[str, ...] = (
    "greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "ask_capabilities",
    "out_of_scope",
    "housing_damaged_home", "housing_compensation", "housing_shelter", "housing_property_dispute",
    "doc_civil_id", "doc_civil_registration", "doc_security_clearance",
    "pss_distress", "pss_child", "pss_stigma",
    "crisis_self_harm", "crisis_violence",
    "referral_request", "referral_status", "data_delete", "privacy_question",
    "livelihood_support", "inform",
)
CRISIS_INTENTS: tuple[str, ...] = ("crisis_self_harm", "crisis_violence")
PSS_INTENTS: tuple[str, ...] = ("pss_distress", "pss_child", "pss_stigma")


def domain_intents(domain_path: Path = DOMAIN_PATH) -> tuple[str, ...]:
    """The intents declared under `intents:` in domain.yml, in file order ((): none readable)."""
    try:
        domain = yaml.safe_load(domain_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ()
    names = []
    for entry in (domain or {}).get("intents") or [] if isinstance(domain, dict) else []:
        # An intent is a name, or a mapping {name: {use_entities: …}}.
        name = next(iter(entry), None) if isinstance(entry, dict) else entry
        if isinstance(name, str):
            names.append(name)
    return tuple(names)


def known_intents(domain_path: Path = DOMAIN_PATH) -> tuple[str, ...]:
    """The contract's intents, then any other intent domain.yml declares."""
    extra = [name for name in domain_intents(domain_path) if name not in CONTRACT_INTENTS]
    return CONTRACT_INTENTS + tuple(extra)
