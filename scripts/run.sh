#!/usr/bin/env bash
# The one command that sets up and runs the assistant:
#   environments → model → database → Rasa server → action server → bot (Telegram or console).
# Ctrl-C stops everything.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ ! -f "$ROOT/.env" ]; then
  say "creating .env with a fresh PSEUDONYM_SECRET (edit it to add TELEGRAM_BOT_TOKEN)"
  { cat .env.example; echo; echo "PSEUDONYM_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' )"; } > "$ROOT/.env"
  set -a; . "$ROOT/.env"; set +a
fi

bash scripts/setup.sh
bash scripts/train.sh
say "migrating the database"
"$VENV_APP/bin/python" -m store.migrate

pids=()
stop_all() {
  trap - INT TERM EXIT
  say "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

say "starting the action server"
"$VENV_APP/bin/python" -m actions --port "$ACTION_PORT" \
  > var/log/actions.log 2>&1 &
pids+=($!)
wait_for_http actions "http://127.0.0.1:$ACTION_PORT/health" 60 "${pids[-1]}"

say "starting the Rasa server (loading the model takes about a minute)"
"$VENV_RASA/bin/rasa" run --model "$MODELS_DIR/current.tar.gz" --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml --interface 127.0.0.1 \
  > var/log/rasa.log 2>&1 &
pids+=($!)
wait_for_http rasa "$RASA_URL/" 300 "${pids[-1]}"

if [ -z "${TELEGRAM_BOT_TOKEN:-}" ]; then
  say "TELEGRAM_BOT_TOKEN is not set: starting the console chat (same bot code as Telegram)"
  "$VENV_APP/bin/python" -m bot --console
else
  say "starting the Telegram bot"
  "$VENV_APP/bin/python" -m bot 2>&1 | tee var/log/bot.log &
  pids+=($!)
  wait "${pids[-1]}"
fi
