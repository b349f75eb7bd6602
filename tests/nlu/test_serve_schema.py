"""nlu.serve's schema fix: action-server replies still validated, the schema checked once.

Runs in the Rasa environment (scripts/test.sh); the application environment has no jsonschema
and skips this module.
"""

from __future__ import annotations

import pytest

jsonschema = pytest.importorskip("jsonschema")

from nlu.serve import validate_checking_each_schema_once  # noqa: E402

SCHEMA = {"type": "object", "properties": {"events": {"type": "array"}}, "required": ["events"]}


def test_a_valid_reply_passes_and_an_invalid_one_raises_like_jsonschema() -> None:
    validate_checking_each_schema_once({"events": []}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as ours:
        validate_checking_each_schema_once({"events": "x"}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as theirs:
        jsonschema.validate({"events": "x"}, SCHEMA)
    assert ours.value.message == theirs.value.message


def test_an_invalid_schema_is_still_refused() -> None:
    with pytest.raises(jsonschema.SchemaError):
        validate_checking_each_schema_once({}, {"type": "no such type"})


def test_the_schema_is_checked_once_for_many_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = {**SCHEMA, "title": "checked once"}
    checks = []
    validator = jsonschema.validators.validator_for(schema)
    original = validator.check_schema
    monkeypatch.setattr(validator, "check_schema", lambda s: (checks.append(1), original(s)))
    for _ in range(5):
        validate_checking_each_schema_once({"events": []}, dict(schema))  # a new dict each time
    assert len(checks) == 1
