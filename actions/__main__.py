"""Run the action server: `python -m actions [--port 5055]` (rasa-sdk's server, with our logging).

Same as `python -m rasa_sdk --actions actions`, plus the masking of personal data in logs.
"""

from __future__ import annotations

import sys

from rasa_sdk.__main__ import main as rasa_sdk_main

from common.logging_setup import install_personal_data_masking
from common.settings import ConfigurationError
from store.crypto import current_keyring


def main() -> None:
    install_personal_data_masking()
    try:
        current_keyring()  # referrals are stored encrypted: no key, no start
    except ConfigurationError as error:
        raise SystemExit(f"error: {error}") from None
    if "--actions" not in sys.argv:
        sys.argv[1:1] = ["--actions", "actions"]
    rasa_sdk_main()


if __name__ == "__main__":
    main()
