"""`dwelltime paramset save/list/delete`: saved report parameters that `paramSetId` names."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dwelltime.cli.app import app
from dwelltime.cli.report import raw_parameters
from dwelltime.config import get_settings
from dwelltime.definitions.param_sets import ParamSetService
from dwelltime.domain.caller import Caller
from dwelltime.errors import InvalidParameters, NotFound
from dwelltime.sources.store.issue_store import IssueStore

paramset_app = typer.Typer(
    help="Saved parameter sets: reports and exports name one with paramSetId=ID.",
    no_args_is_help=True,
)
app.add_typer(paramset_app, name="paramset")


def _service() -> ParamSetService:
    return ParamSetService(IssueStore.open(get_settings()))


@paramset_app.command("save")
def save_command(
    param_set_id: Annotated[str, typer.Argument(metavar="ID", help="The id paramSetId takes.")],
    name: Annotated[str, typer.Option(help="A name people recognise.")],
    query: Annotated[
        str | None, typer.Option(help="Parameters as one query string: 'a=1&b=2'.")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="One name=value (repeatable).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who the set belongs to (default: nobody, so public).")
    ] = None,
    public: Annotated[
        bool, typer.Option("--public/--private", help="Visible to every user, or the owner only.")
    ] = False,
) -> None:
    """Save (or replace) a parameter set. Sets may be partial: explicit parameters of a
    report or export fill the rest and override the set's."""
    err = Console(stderr=True, highlight=False)
    try:
        params = raw_parameters(query, param or [])
        if not params:
            raise InvalidParameters(["give the set's parameters with --query or --param"])
        saved = _service().save(param_set_id, name, params, public, owner)
    except InvalidParameters as error:
        for message in error.messages or [error.message]:
            err.print(f"error {message}")
        raise typer.Exit(2) from error
    visibility = "public" if saved.public else f"private to {saved.owner}"
    Console(highlight=False).print(
        f"saved parameter set {saved.id} ({len(saved.params)} parameters, {visibility})"
    )


@paramset_app.command("list")
def list_command() -> None:
    """The saved parameter sets with their parameters."""
    table = Table("id", "name", "owner", "public", "parameters")
    for saved in _service().visible(Caller.operator()):
        shown = "&".join(f"{k}={','.join(v)}" for k, v in saved.params.items())
        table.add_row(
            saved.id, saved.name, saved.owner or "", "yes" if saved.public else "no", shown
        )
    Console().print(table)


@paramset_app.command("delete")
def delete_command(
    param_set_id: Annotated[str, typer.Argument(metavar="ID")],
) -> None:
    """Remove a parameter set (exports already started keep what they resolved)."""
    try:
        _service().delete(Caller.operator(), param_set_id)
    except NotFound as error:
        Console(stderr=True, highlight=False).print(f"error: no parameter set {param_set_id}")
        raise typer.Exit(1) from error
    Console(highlight=False).print(f"deleted parameter set {param_set_id}")
