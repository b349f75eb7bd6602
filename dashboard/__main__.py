"""Run the dashboard: `python -m dashboard` (waitress on DASHBOARD_HOST:DASHBOARD_PORT)."""

from __future__ import annotations

import argparse
import logging

from waitress import serve

from common.logging_setup import configure_logging
from common.settings import ConfigurationError, get_settings
from dashboard import create_app

logger = logging.getLogger("dashboard")


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.dashboard_host)
    parser.add_argument("--port", type=int, default=settings.dashboard_port)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    configure_logging(settings.log_level)
    try:
        app = create_app(settings)
    except ConfigurationError as error:
        raise SystemExit(f"error: {error}") from None
    if settings.dashboard_insecure_cookies:
        logger.warning("DASHBOARD_INSECURE_COOKIES is on: use it only on this computer "
                       "(http://127.0.0.1); put the dashboard behind HTTPS anywhere else")
    logger.info("dashboard ready on http://%s:%d", args.host, args.port)
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="dashboard")


if __name__ == "__main__":
    main()
