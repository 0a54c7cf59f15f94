"""``dronewatch users ...`` and ``dronewatch tokens ...``: manage accounts in the database
that ``serve`` / ``demo --db`` use. Passwords come from a prompt (asked twice) or, when stdin
is not a terminal, from its first line; they are never taken as arguments."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dronewatch.auth.accounts import ROLES, Accounts, AuthError

users_app = typer.Typer(add_completion=False, no_args_is_help=True,
                        help="Users of the console and API: roles viewer, operator, admin.")
tokens_app = typer.Typer(add_completion=False, no_args_is_help=True,
                         help="API tokens for machines (send as 'Authorization: Bearer TOKEN').")
err = Console(stderr=True)
DbOption = Annotated[Path, typer.Option("--db", help="the SQLite file serve/demo use (--db there)")]
RoleOption = Annotated[str, typer.Option("--role", help=" | ".join(ROLES))]


def _accounts(db: Path) -> Accounts:
    from dronewatch.store import Store

    db.parent.mkdir(parents=True, exist_ok=True)
    return Accounts(Store(f"sqlite:///{db}").engine)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def read_password(name: str) -> str:
    """Twice from a prompt on a terminal; else the first line of stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != first:
            raise _fail("the two passwords differ")
        return first
    line = sys.stdin.readline()
    if not line:
        raise _fail("no password: type one at the prompt or give one line on stdin")
    return line.rstrip("\r\n")


@users_app.command("add")
def users_add(name: str, role: RoleOption, db: DbOption) -> None:
    """Add a user who logs in with a password."""
    accounts = _accounts(db)
    try:
        accounts.add_user(name, role, read_password(name))
    except AuthError as e:
        raise _fail(str(e)) from None
    err.print(f"user {name} ({role}) added to {db}", highlight=False)


@users_app.command("passwd")
def users_passwd(name: str, db: DbOption) -> None:
    """Set a user's password (their open sessions end)."""
    try:
        _accounts(db).set_password(name, read_password(name))
    except AuthError as e:
        raise _fail(str(e)) from None
    err.print(f"password of {name} changed", highlight=False)


@users_app.command("delete")
def users_delete(name: str, db: DbOption) -> None:
    """Delete a user with their tokens and sessions."""
    if not _accounts(db).delete_user(name):
        raise _fail(f"no user {name!r} in {db}")
    err.print(f"user {name} deleted; their tokens and sessions no longer work", highlight=False)


@users_app.command("list")
def users_list(db: DbOption) -> None:
    """Users, their role, whether they can log in, how many tokens they have."""
    table = Table()
    for col in ("name", "role", "login", "tokens"):
        table.add_column(col)
    for u in _accounts(db).users():
        table.add_row(str(u["name"]), str(u["role"]), "yes" if u["login"] else "token only", str(u["tokens"]))
    Console().print(table)


@tokens_app.command("add")
def tokens_add(name: str, role: RoleOption, db: DbOption) -> None:
    """Make an API token for NAME (a token-only account is made if NAME is not a user) and
    print it: it is shown once, only its hash is kept."""
    try:
        token = _accounts(db).add_token(name, role)
    except AuthError as e:
        raise _fail(str(e)) from None
    print(token)


@tokens_app.command("revoke")
def tokens_revoke(name: str, db: DbOption) -> None:
    """Revoke every token of NAME."""
    n = _accounts(db).revoke_tokens(name)
    err.print(f"{n} token(s) of {name} revoked", highlight=False)
