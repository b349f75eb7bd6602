"""Manage dashboard accounts from the command line.

    python -m dashboard.users create --username amal --role caseworker \
        --organisation default --governorates anbar,ninewa     (asks for the password)
    python -m dashboard.users create ... --password-stdin     (reads it from standard input)
    python -m dashboard.users create --username admin --role admin --generate-password
    python -m dashboard.users list
    python -m dashboard.users deactivate --username amal
    python -m dashboard.users activate --username amal
    python -m dashboard.users set-password --username amal [--password-stdin]
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from common.settings import get_settings
from dashboard.security import hash_password, password_problem
from dashboard.i18n import translate
from store import audit
from store.db import default_session_factory
from store.models import StaffRole
from store.staff import StaffError, create_staff_user, find_by_username, list_staff, staff_count

CLI_ACTOR = "command-line"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("Same password again: ") != first:
        raise SystemExit("error: the two passwords differ")
    return first


def _new_password(args: argparse.Namespace) -> str:
    if getattr(args, "generate_password", False):
        return secrets.token_urlsafe(12)
    password = _read_password(args.password_stdin)
    problem = password_problem(password)
    if problem:
        raise SystemExit(f"error: {translate('error_' + problem, 'en')}")
    return password


def create(args: argparse.Namespace) -> int:
    factory = default_session_factory()
    if args.if_none_exist:
        with factory() as session:
            if staff_count(session) > 0:
                return 0
    password = _new_password(args)
    organisation = args.organisation or get_settings().default_organisation
    try:
        with factory.begin() as session:
            user = create_staff_user(
                session, username=args.username, password_hash=hash_password(password),
                role=args.role, organisation=organisation, governorates=args.governorates,
                language=args.language,
            )
            audit.record(session, audit.USER_CREATED, username=CLI_ACTOR,
                         organisation=organisation,
                         detail=f"{user.username} role={user.role.value} org={organisation} "
                                f"governorates={user.governorates}")
    except StaffError as error:
        raise SystemExit(f"error: {translate('error_' + error.reason, 'en')}") from None
    print(f"created {user.username} ({user.role.value}, {user.organisation})")
    if args.generate_password:
        print(f"password (shown once, write it down): {password}")
    return 0


def list_accounts(_args: argparse.Namespace) -> int:
    with default_session_factory()() as session:
        for user in list_staff(session):
            state = "active" if user.active else "inactive"
            print(f"{user.username:24} {user.role.value:11} {user.organisation:16} {state:8} "
                  f"{user.governorates or '-'}")
    return 0


def set_active(args: argparse.Namespace, active: bool) -> int:
    with default_session_factory().begin() as session:
        user = find_by_username(session, args.username)
        if user is None:
            raise SystemExit(f"error: no account {args.username!r}")
        user.active = active
        user.session_epoch = (user.session_epoch or 0) + 1
        audit.record(session, audit.USER_ACTIVATED if active else audit.USER_DEACTIVATED,
                     username=CLI_ACTOR, organisation=user.organisation, detail=user.username)
    print(f"{args.username}: {'active' if active else 'inactive'}")
    return 0


def set_password(args: argparse.Namespace) -> int:
    password = _new_password(args)
    with default_session_factory().begin() as session:
        user = find_by_username(session, args.username)
        if user is None:
            raise SystemExit(f"error: no account {args.username!r}")
        user.password_hash = hash_password(password)
        user.session_epoch = (user.session_epoch or 0) + 1
        audit.record(session, audit.PASSWORD_SET, username=CLI_ACTOR,
                     organisation=user.organisation, detail=user.username)
    print(f"{args.username}: new password set")
    if args.generate_password:
        print(f"password (shown once, write it down): {password}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard.users",
                                     description="Manage dashboard accounts.")
    commands = parser.add_subparsers(dest="command", required=True)

    def password_options(command: argparse.ArgumentParser) -> None:
        group = command.add_mutually_exclusive_group()
        group.add_argument("--password-stdin", action="store_true",
                           help="read the password from the first line of standard input")
        group.add_argument("--generate-password", action="store_true",
                           help="make up a strong password and print it once")

    create_command = commands.add_parser("create", help="add an account")
    create_command.add_argument("--username", required=True)
    create_command.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
    create_command.add_argument("--organisation", default="",
                                help="default: DEFAULT_ORGANISATION")
    create_command.add_argument("--governorates", default="",
                                help="comma-separated codes (anbar,ninewa) or 'all'")
    create_command.add_argument("--language", default="ar", choices=["ar", "en"])
    create_command.add_argument("--if-none-exist", action="store_true",
                                help="do nothing when any account exists (first run)")
    password_options(create_command)
    commands.add_parser("list", help="list the accounts")
    for name in ("deactivate", "activate"):
        command = commands.add_parser(name, help=f"{name} an account")
        command.add_argument("--username", required=True)
    password_command = commands.add_parser("set-password", help="give an account a new password")
    password_command.add_argument("--username", required=True)
    password_options(password_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "create":
        return create(args)
    if args.command == "list":
        return list_accounts(args)
    if args.command in ("deactivate", "activate"):
        return set_active(args, args.command == "activate")
    return set_password(args)


if __name__ == "__main__":
    sys.exit(main())
