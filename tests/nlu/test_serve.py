"""nlu.serve: the Rasa server's API is on only behind a token, on loopback by default."""

from __future__ import annotations

import pytest

from common.settings import ConfigurationError
from nlu.serve import main, rasa_argv

TOKEN = "a-token-of-sixteen-chars-or-more"


def test_the_api_is_on_with_the_token_and_on_loopback() -> None:
    argv = rasa_argv(["--model", "m.tar.gz", "--port", "5005"], TOKEN)
    assert argv[:5] == ["rasa", "run", "--enable-api", "--auth-token", TOKEN]
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    assert argv[-4:] == ["--model", "m.tar.gz", "--port", "5005"]


@pytest.mark.parametrize("given", [["--interface", "0.0.0.0"], ["-i", "0.0.0.0"],
                                   ["--interface=0.0.0.0"]])
def test_an_interface_given_is_kept(given: list[str]) -> None:
    argv = rasa_argv(given, TOKEN)
    assert "127.0.0.1" not in argv  # no second, conflicting interface
    assert argv[-len(given):] == given


@pytest.mark.parametrize("given", [["--auth-token", "x"], ["-t", "x"], ["--auth-token=x"]])
def test_a_token_on_the_command_line_is_refused(given: list[str]) -> None:
    with pytest.raises(ConfigurationError, match="RASA_API_TOKEN"):
        rasa_argv(given, TOKEN)


@pytest.mark.parametrize("token", ["", "short"])
def test_no_server_without_a_proper_token(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], token: str) -> None:
    monkeypatch.setenv("RASA_API_TOKEN", token)
    assert main(["--model", "m.tar.gz"]) == 2  # before importing Rasa (not in this environment)
    assert "RASA_API_TOKEN" in capsys.readouterr().err
