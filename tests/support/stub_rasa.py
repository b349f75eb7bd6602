"""A stand-in for Rasa's REST channel on 127.0.0.1, to test how the bot handles Rasa's failures
(an empty reply, a slow reply) and what it sends. The real Rasa server runs in tests/e2e."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubRasa:
    """Answers POST /webhooks/rest/webhook with `self.replies` after `self.delay` seconds."""

    def __init__(self) -> None:
        self.replies: list[dict[str, Any]] = [{"recipient_id": "x", "text": "أهلاً"}]
        self.delay = 0.0
        self.received: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.received.append(body)
                time.sleep(stub.delay)
                data = json.dumps(stub.replies).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StubRasa:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
