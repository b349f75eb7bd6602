"""`python -m dashboard.users`: accounts from the command line."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from sqlalchemy import select

from dashboard.security import verify_password
from dashboard.users import main
from store.models import AuditEntry, StaffUser
from tests.support.processes import ROOT, base_env


def account(factory, username: str) -> StaffUser | None:  # type: ignore[no-untyped-def]
    with factory() as session:
        return session.scalars(select(StaffUser).where(StaffUser.username == username)).first()


def test_create_with_a_password_from_stdin(session_factory, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    assert main(["create", "--username", "amal", "--role", "caseworker", "--organisation",
                 "org-a", "--governorates", "anbar,ninewa", "--password-stdin"]) == 0
    assert "created amal (caseworker, org-a)" in capsys.readouterr().out
    amal = account(session_factory, "amal")
    assert amal.governorates == "anbar,ninewa" and amal.active
    assert verify_password(amal.password_hash, "a long enough secret")
    with session_factory() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.actor_username) == ("user_created", "command-line")


def test_the_organisation_defaults_to_the_setting(session_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DEFAULT_ORGANISATION", "iraq-ngo")
    from common.settings import get_settings

    get_settings.cache_clear()
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    main(["create", "--username", "sara", "--role", "supervisor", "--password-stdin"])
    assert account(session_factory, "sara").organisation == "iraq-ngo"


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--role", "caseworker"], "a long enough secret\n", "at least one governorate"),
    (["--role", "supervisor"], "short\n", "too short"),
    (["--role", "supervisor", "--username", "Bad Name"], "a long enough secret\n", "Username"),
])
def test_create_refuses_bad_input(session_factory, monkeypatch, args, stdin, message) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    argv = ["create", "--username", "amal", *args, "--password-stdin"]
    if "--username" in args:
        argv = ["create", *args, "--password-stdin"]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert message in str(exit_info.value)
    with session_factory() as session:
        assert session.scalars(select(StaffUser)).all() == []


def test_first_run_admin_with_a_generated_password(session_factory, capsys) -> None:  # type: ignore[no-untyped-def]
    first = ["create", "--username", "admin", "--role", "admin", "--if-none-exist",
             "--generate-password"]
    assert main(first) == 0
    out = capsys.readouterr().out
    password = out.split("write it down): ")[1].strip()
    assert len(password) >= 16
    assert verify_password(account(session_factory, "admin").password_hash, password)
    assert main(first) == 0  # an account exists now: nothing happens, nothing printed
    assert capsys.readouterr().out == ""


def test_list_deactivate_activate_and_set_password(session_factory, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\nanother long secret\n"))
    main(["create", "--username", "omar", "--role", "caseworker", "--governorates", "all",
          "--password-stdin"])
    main(["deactivate", "--username", "omar"])
    main(["list"])
    assert "omar" in capsys.readouterr().out.splitlines()[-1]
    assert not account(session_factory, "omar").active
    main(["activate", "--username", "OMAR"])
    assert account(session_factory, "omar").active
    main(["set-password", "--username", "omar", "--password-stdin"])
    assert verify_password(account(session_factory, "omar").password_hash, "another long secret")
    with pytest.raises(SystemExit, match="no account"):
        main(["deactivate", "--username", "nobody"])


def test_the_module_runs_as_a_command(session_factory) -> None:  # type: ignore[no-untyped-def]
    from common.settings import get_settings

    env = base_env(DATABASE_URL=get_settings().database_url)
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.users", "create", "--username", "noor", "--role",
         "supervisor", "--password-stdin"],
        input="a long enough secret\n", capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert account(session_factory, "noor").role.value == "supervisor"
