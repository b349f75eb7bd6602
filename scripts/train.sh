#!/usr/bin/env bash
# Train the Rasa model when the data, domain, config or NLU components changed (or with --force).
set -euo pipefail
. "$(dirname "$0")/env.sh"

current=$(bash scripts/fingerprint.sh)
if [ "${1:-}" != "--force" ] && [ -f "$MODELS_DIR/current.tar.gz" ] \
    && [ "$(cat "$MODELS_DIR/.fingerprint" 2>/dev/null)" = "$current" ]; then
  say "model is up to date (models/current.tar.gz)"
  exit 0
fi

say "training the model"
start=$(date +%s)
mkdir -p "$MODELS_DIR"
"$VENV_RASA/bin/rasa" train --config config.yml --domain domain.yml --data nlu/data \
  --out "$MODELS_DIR" --fixed-model-name current --quiet
echo "$current" > "$MODELS_DIR/.fingerprint"
say "model trained in $(( $(date +%s) - start ))s"
