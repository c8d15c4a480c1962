"""Visits built with column operations: from change items to `[entered, left)` intervals,
clipped to the report's window (docs/reports.md, "Visits" and "Trimming").

No Python loop per change or per visit: a batch's changes are sorted once by
(issue, ts, history id), shifted to find where each visit ends, and filtered. Each step
is one query run by Polars' in-memory engine (`IN_MEMORY`): a frame operation each paid
Polars' set-up per operation, which a page's 100 issues do not amortise (a tenth of a
synchronous page), and the streaming engine's set-up is dearer still for a batch's
frames, which are in memory anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD

#: Stands for "nobody" in assignee visits, so that unassigned time is a column like others.
UNASSIGNED = "\u0000unassigned"
#: Everyone an `assignees` selection leaves out, summed into one column.
OTHER_USERS = "\u0000others"
#: Before every instant a report can hold (no trim start).
NO_START = -(2**62)
#: The sort key of a seed visit, before every history id.
SEED_HISTORY = -1
#: The Polars engine of the visits' queries (see the module's docstring).
IN_MEMORY: Final = "in-memory"


@dataclass(frozen=True, slots=True)
class Window:
    """`[start_ms, end_ms)`: what a report sees of each history (trim start, end instant)."""

    start_ms: int
    end_ms: int

    @classmethod
    def of(cls, trim_start_ms: int | None, trim_end_ms: int | None, now_ms: int) -> Window:
        end = now_ms if trim_end_ms is None else min(now_ms, trim_end_ms)
        return cls(NO_START if trim_start_ms is None else trim_start_ms, end)


def issue_changes(issues: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """Change items with the issue's `seq`, sorted by (seq, ts, history id) on their own
    timestamps, then `ts` clamped to `created` (a change dated before creation keeps its
    place in the order but counts as made at creation)."""
    return (
        changes.lazy()
        .join(issues.lazy().select("issue_id", "seq", "created_ms"), on="issue_id")
        .sort("seq", "ts_ms", "history_id", maintain_order=True)
        .with_columns(ts=pl.max_horizontal("ts_ms", "created_ms"))
        .collect(engine=IN_MEMORY)
    )


def raw_visits(
    issues: pl.DataFrame, changes: pl.DataFrame, field_id: str, window: Window
) -> pl.DataFrame:
    """Unclipped visits of one field (status or assignee), per issue in history order.

    Columns: seq, value, entered, left, hist (SEED_HISTORY for the first visit), at (the
    history's own timestamp, NO_START for the first visit: the order key), by (who started
    it), left_by (who ended it), prev (the value before), open (not ended by a change).
    `changes` comes from `issue_changes`, already in history order.
    """
    current = "status_id" if field_id == STATUS_FIELD else "assignee"
    own = changes.lazy().filter(pl.col("field_id") == field_id)
    first_from = own.group_by("seq", maintain_order=True).agg(
        pl.col("from_value").first().alias("first_from")
    )
    seeds = (
        issues.lazy()
        .select("seq", "created_ms", current)
        .join(first_from.with_columns(changed=pl.lit(True)), on="seq", how="left")
        .select(
            "seq",
            value=pl.when(pl.col("changed")).then(pl.col("first_from")).otherwise(pl.col(current)),
            entered=pl.col("created_ms"),
            hist=pl.lit(SEED_HISTORY, pl.Int64),
            at=pl.lit(NO_START, pl.Int64),
            by=pl.lit(None, pl.Utf8),
        )
    )
    moves = own.filter(pl.col("ts") < window.end_ms).select(
        "seq",
        value=pl.col("to_value"),
        entered=pl.col("ts"),
        hist=pl.col("history_id"),
        at=pl.col("ts_ms"),
        by=pl.col("author"),
    )
    visits = pl.concat([seeds, moves]).sort("seq", "at", "hist", maintain_order=True)
    if field_id == ASSIGNEE_FIELD:
        visits = visits.with_columns(pl.col("value").fill_null(UNASSIGNED))
    same_next = pl.col("seq").shift(-1) == pl.col("seq")
    same_prev = pl.col("seq").shift(1) == pl.col("seq")
    return visits.with_columns(
        left=pl.when(same_next).then(pl.col("entered").shift(-1)).otherwise(window.end_ms),
        left_by=pl.when(same_next).then(pl.col("by").shift(-1)),
        prev=pl.when(same_prev).then(pl.col("value").shift(1)),
        open=~same_next.fill_null(False),
    ).collect(engine=IN_MEMORY)


def clip(visits: pl.DataFrame, window: Window, *only: pl.Expr) -> pl.DataFrame:
    """The visits the window keeps, clipped to it; with `only`, just those that also meet
    these conditions (on columns the clip leaves as they are), in the same query.

    Adds `transition` (the visit was started by a change inside the window); a visit entered
    before the window start is entered there, by nobody.
    """
    entered, left = pl.col("entered"), pl.col("left")
    start, end = window.start_ms, window.end_ms
    clipped_entered = pl.max_horizontal(entered, pl.lit(start, pl.Int64))
    clipped_left = pl.min_horizontal(left, pl.lit(end, pl.Int64))
    keep = (clipped_entered < clipped_left) | (
        (entered == left) & (entered >= start) & (entered < end)
    )
    inside = entered >= start
    authors = [pl.when(inside).then(pl.col("by")).alias("by")] if "by" in visits.columns else []
    return (
        visits.lazy()
        .filter(*only, keep)
        .with_columns(
            *authors,
            transition=inside & (pl.col("hist") != SEED_HISTORY),
            entered=clipped_entered,
            left=clipped_left,
        )
        .collect(engine=IN_MEMORY)
    )


def pair_segments(
    status_visits: pl.DataFrame, assignee_visits: pl.DataFrame, window: Window
) -> pl.DataFrame:
    """Unclipped stretches of one (status, assignee) pair, from raw visits of both fields.

    Items of one history switch together: the state after a history is what follows it.
    Columns: seq, status, assignee, entered, left, hist.
    """
    events = (
        pl.concat(
            [
                status_visits.select(
                    "seq", "entered", "hist", "at", status="value", assignee=pl.lit(None, pl.Utf8)
                ),
                assignee_visits.select(
                    "seq", "entered", "hist", "at", status=pl.lit(None, pl.Utf8), assignee="value"
                ),
            ]
        )
        .sort("seq", "at", "hist", maintain_order=True)
        .with_columns(
            pl.col("status").forward_fill().over("seq"),
            pl.col("assignee").forward_fill().over("seq"),
        )
        .unique(subset=["seq", "at", "hist"], keep="last", maintain_order=True)
    )
    same_next = pl.col("seq").shift(-1) == pl.col("seq")
    return events.with_columns(
        left=pl.when(same_next).then(pl.col("entered").shift(-1)).otherwise(window.end_ms)
    )
