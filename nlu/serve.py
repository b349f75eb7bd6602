"""Start Rasa (`python -m nlu.serve run --model …`, the arguments of the `rasa` command) with one
performance fix: the JSON schema of action-server replies is checked once, not on every call.

For every custom action, Rasa 3.6 validates the action server's reply with
`jsonschema.validate(reply, schema)`, and that function first checks the schema itself against
the JSON Schema meta-schema: about 50 ms of CPU each time with jsonschema 4.17, two or three
times per user turn (action_validate_slot_mappings, then the action). The load benchmark's
profile (docs/benchmarks.md, "Load") found it was most of the Rasa server's CPU. The replies
are still validated, every one of them; only the unchanging schema is checked once per process.

Runs in the Rasa environment (`.venv/rasa`); nothing here is imported by Rasa itself.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from jsonschema import exceptions, validators

_checked: dict[str, Any] = {}


def validate_checking_each_schema_once(instance: Any, schema: Any, cls: Any = None,
                                       *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate` with the meta-schema check of a given schema done only once.

    Same contract: raises the best-matching ValidationError of the instance, or SchemaError.
    """
    key = json.dumps(schema, sort_keys=True, default=repr)
    validator_class = _checked.get(key)
    if validator_class is None or cls is not None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)
        if cls is None:
            _checked[key] = validator_class
    error = exceptions.best_match(validator_class(schema, *args, **kwargs).iter_errors(instance))
    if error is not None:
        raise error


def main() -> None:
    jsonschema.validate = validate_checking_each_schema_once  # looked up by Rasa at each call
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
