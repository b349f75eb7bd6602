#!/usr/bin/env bash
# Put a new model live without stopping the assistant (make reload), or go back to the
# previous one (make rollback = scripts/reload.sh --rollback). Arguments go to
# evaluation/release.py: --model PATH, --skip-train, --rollback.
set -euo pipefail
. "$(dirname "$0")/env.sh"

[ -x "$VENV_RASA/bin/python" ] || die "the Rasa environment is missing: run make setup first"
exec "$VENV_RASA/bin/python" -m evaluation.release "$@"
