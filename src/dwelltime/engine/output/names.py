"""Names the data gives to status and assignee ids, staged per batch so that the latest
one titles the column (docs/reports.md, "Columns")."""

from __future__ import annotations

import polars as pl

from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD
from dwelltime.engine.output.columns import SeenNames
from dwelltime.engine.staging import NAME_SCHEMA, Staging, collected
from dwelltime.engine.timeline.field_stays import VALUE_KIND

#: Ranks an issue's current assignee name after every history.
_CURRENT = 2**62
#: Up to this many issues (a synchronous page's at most) a batch's names are grouped by
#: Polars' in-memory engine: the streaming engine's set-up was a tenth of a 100-issue
#: page's engine work, while it groups an export's batch of thousands faster.
SMALL_BATCH = 1_000


def _from_changes(changes: pl.LazyFrame, field_id: str) -> pl.LazyFrame:
    own = changes.filter(pl.col("field_id") == field_id)
    sides = [
        own.select(
            id=pl.col(f"{side}_value"),
            name=pl.col(f"{side}_string"),
            rank_ts="ts_ms",
            rank_h="history_id",
        )
        for side in ("from", "to")
    ]
    return pl.concat(sides).with_columns(kind=pl.lit(field_id))


def batch_names(
    issues: pl.DataFrame, changes: pl.DataFrame, value_names: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The latest name per (kind, id) within one batch; `value_names` are those of the
    any-field reports' values (kind `value:<field>`). One query (a frame operation each
    was a tenth of a synchronous page's computation)."""
    current = issues.lazy().select(
        kind=pl.lit(ASSIGNEE_FIELD),
        id="assignee",
        name="assignee_name",
        rank_ts=pl.lit(_CURRENT, pl.Int64),
        rank_h="seq",
    )
    frames = [
        _from_changes(changes.lazy(), STATUS_FIELD),
        _from_changes(changes.lazy(), ASSIGNEE_FIELD),
        current,
        *([value_names.lazy()] if value_names is not None else []),
    ]
    every = pl.concat([frame.select(list(NAME_SCHEMA)) for frame in frames])
    return latest(every).collect(
        engine="in-memory" if issues.height <= SMALL_BATCH else "streaming"
    )


def latest(names: pl.LazyFrame) -> pl.LazyFrame:
    """The highest-ranked name per (kind, id), whatever order the rows come in."""
    rank = ["rank_ts", "rank_h"]
    return (
        names.filter(pl.col("id").is_not_null() & pl.col("name").is_not_null())
        .group_by("kind", "id")
        .agg(
            pl.col("name").sort_by(rank).last(),
            pl.col("rank_ts").max(),
            pl.col("rank_h").sort_by(rank).last(),
        )
        .select(list(NAME_SCHEMA))
    )


def seen_names(staged: pl.LazyFrame, staging: Staging) -> SeenNames:
    """Every batch's names (`staged`, a query over `staging`) reduced to the latest per id."""
    rows = collected(latest(staged), staging)
    by_kind: dict[str, dict[str, str]] = {STATUS_FIELD: {}, ASSIGNEE_FIELD: {}}
    for kind, ident, name in rows.select("kind", "id", "name").iter_rows():
        by_kind.setdefault(kind, {})[ident] = name
    values = {
        kind.removeprefix(VALUE_KIND): names
        for kind, names in by_kind.items()
        if kind.startswith(VALUE_KIND)
    }
    return SeenNames(by_kind[STATUS_FIELD], by_kind[ASSIGNEE_FIELD], values)
