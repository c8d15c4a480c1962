"""`dwelltime token create|list|revoke`: the API tokens (only their ids are stored)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console

from dwelltime import db
from dwelltime.cli.app import app
from dwelltime.cli.jira_credentials import (
    JiraEmailOption,
    JiraPatFileOption,
    JiraTokenFileOption,
    JiraUrlOption,
    read_credentials,
)
from dwelltime.config import get_settings
from dwelltime.domain.sites import RESERVED_SITES, SiteProblem, site_url
from dwelltime.errors import DwelltimeError
from dwelltime.sources.jira.bindings import Bindings, credentials_cipher
from dwelltime.sources.jira.site import verify_credentials
from dwelltime.tokens import MAX_LIFETIME, TokenService, load_secret

token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _tokens() -> TokenService:
    settings = get_settings()
    engine = db.create_db_engine(settings.resolved_database_url)
    db.upgrade(settings.resolved_database_url, engine=engine)
    return TokenService(engine, load_secret(settings))


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
    site: Annotated[
        str | None,
        typer.Option(
            help="Read only this site of the local store: a Jira base URL, or demo. "
            "Implied by --jira-url."
        ),
    ] = None,
    jira_url: JiraUrlOption = None,
    jira_email: JiraEmailOption = None,
    jira_token_file: JiraTokenFileOption = None,
    jira_pat_file: JiraPatFileOption = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="May create, change and delete calendars over REST.")
    ] = False,
    no_verify: Annotated[
        bool,
        typer.Option(
            "--no-verify",
            help="Bind the Jira credentials without checking them against Jira (offline setup).",
        ),
    ] = False,
) -> None:
    """Print a new token for USER, and nothing else, so scripts can capture it.

    With --jira-url and credentials, the token's exports read that Jira site as that Jira
    user (stored encrypted), once Jira has accepted them (`/myself`; --no-verify skips the
    check); without, they read the local store (only --site's issues).
    """
    settings = get_settings()
    if expires_in is not None and not math.isfinite(expires_in):
        raise typer.BadParameter("must be a number of days", param_hint="--expires-in")
    try:
        credentials = read_credentials(jira_url, jira_email, jira_token_file, jira_pat_file)
        if credentials is not None and site is not None:
            raise DwelltimeError("--site is implied by --jira-url: give one of them.")
        bound_site = credentials.site_url if credentials is not None else _store_site(site)
        if credentials is not None and not no_verify:
            who = verify_credentials(credentials, settings)
            Console(stderr=True, highlight=False).print(f"Jira accepted the credentials: {who}")
        tokens = _tokens()
        token, info = tokens.create(
            user, timedelta(days=expires_in) if expires_in else None, admin=admin
        )
        if bound_site is not None:
            engine = db.create_db_engine(settings.resolved_database_url)
            Bindings(engine, credentials_cipher(settings)).bind(info.id, bound_site, credentials)
    except DwelltimeError as error:
        raise _fail(error) from error
    typer.echo(token)


def _store_site(text: str | None) -> str | None:
    """A site of the store as `--site` names it: a reserved name or a Jira base URL."""
    if text is None or text.strip().casefold() in RESERVED_SITES:
        return None if text is None else text.strip().casefold()
    try:
        return site_url(text)
    except SiteProblem as problem:
        raise DwelltimeError(f"--site: {problem} (or demo)") from None


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (ValueError, OverflowError, OSError):
        return "after 9999"  # a token created before lifetimes were bounded


@token_app.command("list")
def list_tokens() -> None:
    """Every token's id, user, role, creation, expiry and revocation (never the token itself)."""
    # Plain aligned lines, not a rich table: ids must never be wrapped or elided.
    rows = [("id", "user", "role", "created (UTC)", "expires (UTC)", "revoked (UTC)")]
    rows += [
        (
            info.id,
            info.user,
            "admin" if info.admin else "user",
            _when(info.created_ms),
            _when(info.expires_ms),
            _when(info.revoked_ms),
        )
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
