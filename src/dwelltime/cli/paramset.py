"""`dwelltime paramset save/list/delete`: saved report parameters that `paramSetId` names."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dwelltime.cli.app import app
from dwelltime.cli.report import raw_parameters
from dwelltime.config import get_settings
from dwelltime.errors import InvalidParameters
from dwelltime.params.wire import KNOWN_PARAMETERS
from dwelltime.sources.store.issue_store import IssueStore, ParamSet

paramset_app = typer.Typer(
    help="Saved parameter sets: reports and exports name one with paramSetId=ID.",
    no_args_is_help=True,
)
app.add_typer(paramset_app, name="paramset")


def known_parameters(raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """`raw` when every name is a report parameter; a typo would otherwise be kept silently
    and never take effect, since reports ignore unknown parameters."""
    unknown = sorted(set(raw) - set(KNOWN_PARAMETERS) | ({"paramSetId"} & set(raw)))
    if unknown:
        raise InvalidParameters(
            [f"{name}: not a report parameter a set can hold" for name in unknown]
        )
    return raw


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
    owner: Annotated[str | None, typer.Option(help="Who the set belongs to.")] = None,
) -> None:
    """Save (or replace) a parameter set. Sets may be partial: explicit parameters of a
    report or export fill the rest and override the set's."""
    err = Console(stderr=True, highlight=False)
    try:
        params = known_parameters(raw_parameters(query, param or []))
    except InvalidParameters as error:
        for message in error.messages or [error.message]:
            err.print(f"error {message}")
        raise typer.Exit(2) from error
    if not params:
        err.print("error: give the set's parameters with --query or --param")
        raise typer.Exit(2)
    store = IssueStore.open(get_settings())
    store.save_param_set(ParamSet(param_set_id, name, owner, params))
    Console(highlight=False).print(f"saved parameter set {param_set_id} ({len(params)} parameters)")


@paramset_app.command("list")
def list_command() -> None:
    """The saved parameter sets with their parameters."""
    table = Table("id", "name", "owner", "parameters")
    for saved in IssueStore.open(get_settings()).param_sets():
        shown = "&".join(f"{k}={','.join(v)}" for k, v in saved.params.items())
        table.add_row(saved.id, saved.name, saved.owner or "", shown)
    Console().print(table)


@paramset_app.command("delete")
def delete_command(
    param_set_id: Annotated[str, typer.Argument(metavar="ID")],
) -> None:
    """Remove a parameter set (exports already started keep what they resolved)."""
    if not IssueStore.open(get_settings()).delete_param_set(param_set_id):
        Console(stderr=True, highlight=False).print(f"error: no parameter set {param_set_id}")
        raise typer.Exit(1)
    Console(highlight=False).print(f"deleted parameter set {param_set_id}")
