"""The reference model's non-aggregated reports: transition dates and the expanded list."""

from __future__ import annotations

from dwelltime.engine.table import Cell, Column, ColumnKind
from dwelltime.params.model import ReportType
from tests.engine.reference.clock import from_ms, report_zone
from tests.engine.reference.columns import status_titles
from tests.engine.reference.numeric import World
from tests.engine.reference.render import duration_kind, render_duration
from tests.engine.reference.visits import Visit


def _chosen(world: World, visits: list[Visit], status_id: str) -> tuple[int, str | None] | None:
    """(instant, who) of the first/last entry into or exit out of `status_id`."""
    kind = world.params.columns_by
    events: list[tuple[int, str | None]] = []
    for index, visit in enumerate(visits):
        if visit.value != status_id:
            continue
        if kind in (
            ReportType.FIRST_TRANSITION_TO_STATUS_DATE,
            ReportType.LAST_TRANSITION_TO_STATUS_DATE,
        ):
            events.append((visit.entered, visit.entered_by))
        elif visit.left_by_change:
            events.append((visit.left, visits[index + 1].entered_by))
    if not events:
        return None
    first = kind in (
        ReportType.FIRST_TRANSITION_TO_STATUS_DATE,
        ReportType.FIRST_TRANSITION_FROM_STATUS_DATE,
    )
    return events[0] if first else events[-1]


def date_report(world: World) -> tuple[list[Column], list[list[Cell]]]:
    """Value columns and per-issue cells of a …TransitionTo/FromStatusDate report."""
    zone = report_zone(world.calendar)
    statuses = world.status_columns()
    with_by = world.params.include_transitioned_by
    columns: list[Column] = []
    for _, title in statuses:
        columns.append(Column(title, ColumnKind.DATE))
        if with_by:
            columns.append(Column(f"{title} Transitioned By", ColumnKind.TEXT))
    rows: list[list[Cell]] = []
    for issue in world.issues:
        kept = world.kept(issue)
        row: list[Cell] = []
        for ident, _ in statuses:
            chosen = _chosen(world, kept, ident) if world.counts(ident) else None
            row.append(None if chosen is None else from_ms(chosen[0], zone))
            if with_by:
                row.append(None if chosen is None else chosen[1])
        rows.append(row)
    return columns, rows


def expanded_report(world: World) -> tuple[list[Column], list[tuple[int, list[Cell]]]]:
    """Value columns and (issue index, cells) of every counted visit, by issue then entry."""
    zone = report_zone(world.calendar)
    # no status columns here: a title is disambiguated among the statuses the rows show
    shown = sorted(
        {str(v.value) for issue in world.issues for v in world.kept(issue) if world.counts(v.value)}
    )
    titles = dict(zip(shown, status_titles(shown, world.catalog, world.issues), strict=True))
    columns = [
        Column("Status", ColumnKind.TEXT),
        Column("Entered", ColumnKind.DATE),
        Column("Left", ColumnKind.DATE),
        Column("Duration", duration_kind(world.params)),
        Column("Transitioned By", ColumnKind.TEXT),
    ]
    rows: list[tuple[int, list[Cell]]] = []
    for index, issue in enumerate(world.issues):
        for visit in world.kept(issue):
            if not world.counts(visit.value):
                continue
            rows.append(
                (
                    index,
                    [
                        titles[str(visit.value)],
                        from_ms(visit.entered, zone),
                        from_ms(visit.left, zone),
                        render_duration(world.time(visit), world.params, world.calendar),
                        visit.entered_by,
                    ],
                )
            )
    return columns, rows
