#!/usr/bin/env bash
# Run only the caseworker dashboard (`make dashboard`): its secret, the schema, then the server.
set -euo pipefail
. "$(dirname "$0")/env.sh"
ensure_dotenv
"$VENV_APP/bin/python" -m store.migrate
say "caseworker dashboard on http://$DASHBOARD_HOST:$DASHBOARD_PORT/ (Ctrl-C stops it)"
exec "$VENV_APP/bin/python" -m dashboard
