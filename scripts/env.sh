# Sourced by the other scripts: paths, defaults of the environment variables, helpers.
# Every variable is documented in .env.example and the README.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ -f "$ROOT/.env" ]; then
  set -a
  # shellcheck disable=SC1091
  . "$ROOT/.env"
  set +a
fi

export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$ROOT/var/referrals.db}"
export TRACKER_DB_DIALECT="${TRACKER_DB_DIALECT:-sqlite}"
export TRACKER_DB_URL="${TRACKER_DB_URL:-sqlite:///$ROOT/var/tracker.db}"
# Rasa and TensorFlow: quiet, offline, no telemetry.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=3
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# The dashboard: secure cookies unless it only listens on this computer (plain http there).
export DASHBOARD_HOST="${DASHBOARD_HOST:-127.0.0.1}"
export DASHBOARD_PORT="${DASHBOARD_PORT:-8000}"
case "$DASHBOARD_HOST" in
  127.0.0.1|localhost|::1) export DASHBOARD_INSECURE_COOKIES="${DASHBOARD_INSECURE_COOKIES:-true}" ;;
esac

VENV_RASA="$ROOT/.venv/rasa"
VENV_APP="$ROOT/.venv/app"
MODELS_DIR="$ROOT/models"
mkdir -p "$ROOT/var/log"

# ensure_dotenv: create .env from .env.example on the first run, and add any secret it lacks
# (PSEUDONYM_SECRET, DASHBOARD_SECRET_KEY, DATA_ENCRYPTION_KEYS, RASA_API_TOKEN) as a fresh
# random value.
ensure_dotenv() {
  local name added=0
  if [ ! -f "$ROOT/.env" ]; then
    say "creating .env from .env.example (edit it to add TELEGRAM_BOT_TOKEN)"
    cp "$ROOT/.env.example" "$ROOT/.env"
  fi
  for name in PSEUDONYM_SECRET DASHBOARD_SECRET_KEY RASA_API_TOKEN; do
    if ! grep -q "^$name=." "$ROOT/.env"; then
      printf '\n%s=%s\n' "$name" "$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" >> "$ROOT/.env"
      say "added a fresh $name to .env"
      added=1
    fi
  done
  # The data key: urlsafe base64 of 32 random bytes (store/crypto.py). Losing it loses the data.
  if ! grep -q "^DATA_ENCRYPTION_KEYS=." "$ROOT/.env"; then
    printf '\n%s=%s\n' DATA_ENCRYPTION_KEYS "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '\n')" >> "$ROOT/.env"
    say "added a fresh DATA_ENCRYPTION_KEYS to .env: back it up (without it the personal data cannot be read)"
    added=1
  fi
  if [ "$added" = 1 ]; then set -a; . "$ROOT/.env"; set +a; fi
}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# wait_for_http NAME URL SECONDS [PID]: poll until URL answers 2xx, the process dies, or time runs out.
wait_for_http() {
  local name=$1 url=$2 seconds=$3 pid=${4:-} waited=0
  while ! curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      die "$name exited during start-up; see var/log/$name.log"
    fi
    waited=$((waited + 1))
    [ "$waited" -ge "$seconds" ] && die "$name did not become healthy within ${seconds}s; see var/log/$name.log"
    sleep 1
  done
  say "$name is up ($url, ${waited}s)"
}
