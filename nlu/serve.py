"""Start the Rasa server with its HTTP API behind RASA_API_TOKEN: `python -m nlu.serve [ARGS]`.

Run in the Rasa environment, from the repository root; ARGS are those of `rasa run`:

    .venv/rasa/bin/python -m nlu.serve --model models/current.tar.gz --port 5005 \\
        --endpoints endpoints.yml --credentials credentials.yml

Why not `rasa run --enable-api --auth-token ...` directly:

- `make reload` and `make rollback` put a new model live through the API (`PUT /model`), so the
  API must be on; but the same API reads and rewrites every conversation
  (`/conversations/<id>/tracker`), so it must never be on without a token. This launcher refuses
  to start when RASA_API_TOKEN is missing or short.
- `rasa run` takes the token only on its command line, which every user of the computer can read
  in the process list. Here the token comes from the environment (readable only by its owner)
  and is handed to Rasa's own command-line parser inside this process.
- The server listens on 127.0.0.1 unless `--interface` says otherwise (Rasa's default is every
  interface).

The channel webhooks (`/webhooks/rest/webhook`, what the bot uses) and `/` are not behind the
token; every API route is (Rasa's `requires_auth`, the `token` query parameter).

One performance fix: for every custom action, Rasa 3.6 validates the action server's reply with
`jsonschema.validate(reply, schema)`, which first checks the schema itself against the JSON
Schema meta-schema: about 50 ms of CPU each time with jsonschema 4.17, two or three times per
user turn. The load benchmark's profile (docs/benchmarks.md, "Load") found it was most of the
Rasa server's CPU. `validate_checking_each_schema_once` still validates every reply; only the
unchanging schema is checked once per process (about three times the turns per second).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from common.settings import ConfigurationError, get_settings

__all__ = ["DEFAULT_INTERFACE", "rasa_argv", "main", "validate_checking_each_schema_once"]

DEFAULT_INTERFACE = "127.0.0.1"
_TOKEN_OPTIONS = ("-t", "--auth-token")
_INTERFACE_OPTIONS = ("-i", "--interface")


def _given(args: Sequence[str], options: Sequence[str]) -> bool:
    return any(arg in options or arg.startswith(tuple(f"{o}=" for o in options)) for arg in args)


def rasa_argv(args: Sequence[str], token: str) -> list[str]:
    """The `rasa run` command line: API on, the token, loopback unless an interface is given."""
    if _given(args, _TOKEN_OPTIONS):
        raise ConfigurationError(
            "do not pass --auth-token: the token comes from RASA_API_TOKEN in the environment"
        )
    argv = ["rasa", "run", "--enable-api", "--auth-token", token]
    if not _given(args, _INTERFACE_OPTIONS):
        argv += ["--interface", DEFAULT_INTERFACE]
    return argv + list(args)


_checked_schemas: dict[str, Any] = {}


def validate_checking_each_schema_once(instance: Any, schema: Any, cls: Any = None,
                                       *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate` with the meta-schema check of a given schema done only once.

    Same contract: raises the best-matching ValidationError of the instance, or SchemaError.
    (jsonschema is imported here: it exists only in the Rasa environment.)
    """
    from jsonschema import exceptions, validators

    key = json.dumps(schema, sort_keys=True, default=repr)
    validator_class = _checked_schemas.get(key)
    if validator_class is None or cls is not None:
        validator_class = cls or validators.validator_for(schema)
        validator_class.check_schema(schema)
        if cls is None:
            _checked_schemas[key] = validator_class
    error = exceptions.best_match(validator_class(schema, *args, **kwargs).iter_errors(instance))
    if error is not None:
        raise error


def main(argv: Sequence[str] | None = None) -> int:
    """Check the token, then run Rasa's own command line in this process."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        command = rasa_argv(args, get_settings().require_rasa_api_token())
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    import jsonschema
    from rasa.__main__ import main as rasa_main

    from common.logging_setup import install_personal_data_masking, withhold_message_text

    # Every record of the server, Rasa's structlog events included: no user text, no number.
    install_personal_data_masking(withhold_message_text)

    jsonschema.validate = validate_checking_each_schema_once  # looked up by Rasa at each call

    # Rasa parses sys.argv; replacing it here does not change what the process list shows.
    sys.argv = command
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
