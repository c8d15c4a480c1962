"""Batches read from the store with the store's row ids replaced by the Jira ids, so they
compare with `batch_from_issues` (which only knows Jira ids)."""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.sources.store import schema


def with_jira_ids(engine: sa.Engine, batch: IssueBatch) -> IssueBatch:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(schema.issues.c.id, schema.issues.c.jira_id)).all()
    jira = {int(row_id): int(jira_id) for row_id, jira_id in rows}

    def mapped(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.col("issue_id").replace_strict(jira, return_dtype=pl.Int64, default=None)
        )

    return IssueBatch(issues=mapped(batch.issues), changes=mapped(batch.changes))
