"""Start and stop the real services (Rasa server, action server, bot) for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import TEST_DATA_KEY

ROOT = Path(__file__).resolve().parents[2]
VENV_RASA = ROOT / ".venv" / "rasa" / "bin"
VENV_APP = ROOT / ".venv" / "app" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"
# The token of the Rasa server's HTTP API in the tests (RASA_API_TOKEN).
RASA_API_TOKEN = "test-rasa-api-token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return 200 <= response.status < 300
    except OSError:
        return False


@dataclass
class Service:
    """A child process with its log in a file, started and stopped by the tests."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_dir: Path
    health_url: str | None = None
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self, timeout: float = 60.0, ready_line: str | None = None) -> Service:
        """Start (or restart) the process; wait for its health URL or its ready line.

        A restarted service appends to the same log: only lines written since this start
        count as ready.
        """
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        log_start = log.tell()
        self.process = subprocess.Popen(  # noqa: S603 (our own commands)
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            if self.health_url and http_ok(self.health_url):
                return self
            if ready_line and ready_line.encode() in self.log_path.read_bytes()[log_start:]:
                return self
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def base_env(**overrides: str) -> dict[str, str]:
    """The environment of a child process: ours, the project on PYTHONPATH, the tests' data key
    (never a key from the developer's shell: the tests read back what the process stored), and
    overrides."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DATA_ENCRYPTION_KEYS=TEST_DATA_KEY,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def action_server(log_dir: Path, database_url: str) -> Service:
    port = free_port()
    return Service(
        name="actions",
        argv=[str(VENV_APP / "python"), "-m", "actions", "--port", str(port)],
        env=base_env(DATABASE_URL=database_url),
        log_dir=log_dir,
        health_url=f"http://127.0.0.1:{port}/health",
    )


def rasa_server(log_dir: Path, action_url: str, tracker_url: str, port: int | None = None,
                model: Path = MODEL, api_token: str = RASA_API_TOKEN) -> Service:
    """The Rasa server as `make run` starts it (nlu.serve: HTTP API behind the token)."""
    port = port or free_port()
    return Service(
        name="rasa",
        argv=[
            str(VENV_RASA / "python"), "-m", "nlu.serve", "--model", str(model),
            "--port", str(port), "--interface", "127.0.0.1", "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml", "--logging-config-file", "logging.yml",
        ],
        env=base_env(ACTION_ENDPOINT_URL=action_url, TRACKER_DB_URL=tracker_url,
                     # "sqlite" or "postgresql" (the URL's scheme without a driver)
                     TRACKER_DB_DIALECT=tracker_url.split(":", 1)[0].split("+", 1)[0],
                     RASA_API_TOKEN=api_token),
        log_dir=log_dir,
        health_url=f"http://127.0.0.1:{port}/",
    )


def bot_process(log_dir: Path, **env: str) -> Service:
    return Service(
        name="bot",
        argv=[str(VENV_APP / "python"), "-m", "bot"],
        env=base_env(**env),
        log_dir=log_dir,
    )
