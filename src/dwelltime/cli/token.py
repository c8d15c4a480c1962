"""`dwelltime token create|list|revoke`: the API tokens (only their ids are stored)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console

from dwelltime import db
from dwelltime.cli.app import app
from dwelltime.config import get_settings
from dwelltime.errors import DwelltimeError
from dwelltime.tokens import MAX_LIFETIME, TokenService, load_secret

token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _tokens() -> TokenService:
    settings = get_settings()
    db.upgrade(settings.resolved_database_url)
    return TokenService(db.create_db_engine(settings.resolved_database_url), load_secret(settings))


def _fail(error: DwelltimeError) -> typer.Exit:
    Console(stderr=True, highlight=False).print(
        f"[red]error:[/red] {' '.join([error.message, *(error.messages or [])])}"
    )
    return typer.Exit(1)


@token_app.command("create")
def create(
    user: Annotated[str, typer.Argument(help="The user the token speaks for (owns its exports).")],
    expires_in: Annotated[
        float | None,
        typer.Option(
            min=0.0001,
            max=MAX_LIFETIME.days,
            help="Days until the token expires (default never).",
        ),
    ] = None,
) -> None:
    """Print a new token for USER, and nothing else, so scripts can capture it."""
    if expires_in is not None and not math.isfinite(expires_in):
        raise typer.BadParameter("must be a number of days", param_hint="--expires-in")
    try:
        token, _ = _tokens().create(user, timedelta(days=expires_in) if expires_in else None)
    except DwelltimeError as error:
        raise _fail(error) from error
    typer.echo(token)


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (ValueError, OverflowError, OSError):
        return "after 9999"  # a token created before lifetimes were bounded


@token_app.command("list")
def list_tokens() -> None:
    """Every token's id, user, creation, expiry and revocation (never the token itself)."""
    # Plain aligned lines, not a rich table: ids must never be wrapped or elided.
    rows = [("id", "user", "created (UTC)", "expires (UTC)", "revoked (UTC)")]
    rows += [
        (info.id, info.user, _when(info.created_ms), _when(info.expires_ms), _when(info.revoked_ms))
        for info in _tokens().list()
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


@token_app.command("revoke")
def revoke(token_id: Annotated[str, typer.Argument(help="The id shown by `token list`.")]) -> None:
    """Revoke a token at once: every request with it is refused from now on."""
    try:
        info = _tokens().revoke(token_id)
    except DwelltimeError as error:
        raise _fail(error) from error
    typer.echo(f"revoked {info.id} ({info.user})")
