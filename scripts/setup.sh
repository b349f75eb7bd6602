#!/usr/bin/env bash
# Create or update the two Python environments from the pinned lock files.
#   .venv/rasa : the Rasa server (rasa 3.6.21 pins SQLAlchemy 1.4 and pydantic < 1.10.10)
#   .venv/app  : action server, Telegram bot, referral store, tools and tests
set -euo pipefail
. "$(dirname "$0")/env.sh"

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10 \
      /usr/local/bin/python3.10 /usr/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"
      return 0
    fi
  done
  return 1
}

ensure_venv() {  # ensure_venv DIR REQUIREMENTS.in LOCKFILE
  local dir=$1 reqs=$2 lock=$3 stamp
  stamp=$(cat "$reqs" "$lock" | sha256sum | cut -d' ' -f1)
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.installed" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  local python
  python=$(find_python310) || die "Python 3.10 is required (Rasa 3.6 does not run on newer Pythons) and was not found.
Install it, for example:  pyenv install 3.10.13   or   apt-get install python3.10 python3.10-venv
or point PYTHON310 at a python3.10 executable."
  say "creating $(basename "$dir") environment with $python (a few minutes the first time)"
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade -c "$lock" pip wheel setuptools
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs" -c "$lock"
  echo "$stamp" > "$dir/.installed"
}

start=$(date +%s)
ensure_venv "$VENV_RASA" requirements/rasa.in requirements/rasa.lock
ensure_venv "$VENV_APP" requirements/app.in requirements/app.lock
say "environments ready ($(( $(date +%s) - start ))s)"
