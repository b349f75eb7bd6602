#!/usr/bin/env bash
# The one command that sets up and runs the assistant:
#   environments → model → database → dashboard → action server → Rasa server
#   → bot (Telegram or console).
# Ctrl-C stops everything.
set -euo pipefail
. "$(dirname "$0")/env.sh"

ensure_dotenv

bash scripts/setup.sh
bash scripts/train.sh
say "migrating the database"
"$VENV_APP/bin/python" -m store.migrate
# On the very first run there is no dashboard account: make an admin, password shown once.
first_account=$("$VENV_APP/bin/python" -m dashboard.users create --username admin --role admin \
  --if-none-exist --generate-password)

pids=()
stop_all() {
  trap - INT TERM EXIT
  say "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

say "starting the caseworker dashboard"
"$VENV_APP/bin/python" -m dashboard > var/log/dashboard.log 2>&1 &
pids+=($!)
wait_for_http dashboard "http://$DASHBOARD_HOST:$DASHBOARD_PORT/healthz" 60 "${pids[-1]}"

say "starting the action server"
"$VENV_APP/bin/python" -m actions --port "$ACTION_PORT" \
  > var/log/actions.log 2>&1 &
pids+=($!)
wait_for_http actions "http://127.0.0.1:$ACTION_PORT/health" 60 "${pids[-1]}"

say "starting the Rasa server (loading the model takes about a minute)"
# nlu.serve: `rasa run` with the HTTP API behind RASA_API_TOKEN (make reload loads new models
# through it), on 127.0.0.1, and the action-reply schema checked once (see nlu/serve.py).
"$VENV_RASA/bin/python" -m nlu.serve --model "$MODELS_DIR/current.tar.gz" --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml --interface 127.0.0.1 \
  --logging-config-file logging.yml \
  > var/log/rasa.log 2>&1 &
pids+=($!)
wait_for_http rasa "$RASA_URL/" 300 "${pids[-1]}"

dashboard_url="http://$DASHBOARD_HOST:$DASHBOARD_PORT/"
[ "$DASHBOARD_HOST" = "0.0.0.0" ] && dashboard_url="http://127.0.0.1:$DASHBOARD_PORT/"
say "caseworker dashboard: $dashboard_url"
if [ -n "$first_account" ]; then
  printf '%s\n' "$first_account" | sed 's/^/    /' >&2
  say "log in as admin and add caseworker or supervisor accounts under Accounts, or run:"
  printf '    make users ARGS="create --username amal --role supervisor"\n' >&2
fi

if [ -z "${TELEGRAM_BOT_TOKEN:-}" ]; then
  say "TELEGRAM_BOT_TOKEN is not set: starting the console chat (same bot code as Telegram)"
  "$VENV_APP/bin/python" -m bot --console
else
  say "starting the Telegram bot"
  "$VENV_APP/bin/python" -m bot 2>&1 | tee var/log/bot.log &
  pids+=($!)
  wait "${pids[-1]}"
fi
