#!/usr/bin/env bash
# The one command that sets up and runs the whole test suite.
#   environments → model → Rasa's own checks → pytest (app env) → component tests (Rasa env).
# PostgreSQL tests run when TEST_POSTGRES_URL is set (.ci/run starts a server and sets it).
set -euo pipefail
. "$(dirname "$0")/env.sh"

bash scripts/setup.sh
bash scripts/train.sh

say "rasa data validate"
"$VENV_RASA/bin/rasa" data validate --config config.yml --domain domain.yml --data nlu/data \
  --fail-on-warnings --quiet

say "our checks of the training data, responses, gazetteer and content"
"$VENV_APP/bin/python" -m nlu.checks

say "rasa test: conversation stories"
"$VENV_RASA/bin/rasa" test core --model "$MODELS_DIR/current.tar.gz" \
  --stories tests/stories --fail-on-prediction-errors --out results/stories --quiet

say "held-out NLU evaluation (fails below the macro-F1 floor)"
"$VENV_RASA/bin/python" -m evaluation.heldout

say "pytest: Rasa components (Rasa environment)"
"$VENV_RASA/bin/python" -m pytest -q -p no:cacheprovider tests/nlu/test_components.py \
  tests/nlu/test_tracker_store.py \
  tests/nlu/test_serve_schema.py

say "pytest: everything else (application environment)"
"$VENV_APP/bin/python" -m pytest "$@"
