#!/usr/bin/env bash
# Print the fingerprint of what a model is trained from: config.yml, domain.yml and every
# .yml and .py file under nlu/. scripts/train.sh compares it with models/.fingerprint (the
# fingerprint of the live model) to decide whether to retrain; `make reload` writes it there
# when it puts a model live. One definition, so both always agree.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C  # a fixed file order, whatever the user's locale
{ cat config.yml domain.yml; find nlu -type f \( -name '*.yml' -o -name '*.py' \) | sort | xargs cat; } \
  | sha256sum | cut -d' ' -f1
