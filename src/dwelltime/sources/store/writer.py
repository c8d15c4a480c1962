"""The statements of one store write: catalogs upserted, issues upserted (newest copy
wins), histories replaced or merged, all through executemany of plain tuples.

Building ORM objects or dicts per row would dominate: the demo generator and big imports
push millions of rows through here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from dwelltime.domain.issues import STATUS_FIELD, History, Issue
from dwelltime.errors import NotFound
from dwelltime.sources.store import schema
from dwelltime.sources.store.data import ChangelogPart, StoreData, WriteCounts
from dwelltime.sources.store.sql_lists import id_chunks, placeholder


class StoreWriter:
    """One write's statements on one connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._mark = placeholder(connection)

    def write(self, data: StoreData) -> WriteCounts:
        newest = _newest_copies(data.issues)
        stored = self._stored_updated(list(newest))
        kept = [
            issue
            for issue in newest.values()
            if not _is_older(issue.updated_ms, stored.get(issue.id, None))
        ]
        self._upsert_catalogs(data, kept)
        self._upsert_issues(kept)
        replaced = [issue.id for issue in kept if issue.id not in data.partial_issue_ids]
        self._delete_children(schema.change_items, replaced)
        self._delete_children(schema.histories, replaced)
        self._delete_children(schema.issue_sprints, [issue.id for issue in kept])
        merged = [
            ChangelogPart(issue.id, issue.histories)
            for issue in kept
            if issue.id in data.partial_issue_ids
        ]
        merged.extend(data.changelogs)
        self._require_stored({part.issue_id for part in data.changelogs})
        self._delete_merged(merged)
        pairs = [(issue.id, issue.histories) for issue in kept]
        pairs.extend((part.issue_id, part.histories) for part in data.changelogs)
        histories, status_changes = self._insert_histories(pairs)
        self._insert(
            schema.issue_sprints,
            ((issue.id, sprint.id) for issue in kept for sprint in issue.sprints),
        )
        return WriteCounts(
            issues=len(kept),
            histories=histories,
            status_changes=status_changes,
            skipped=len(data.issues) - len(kept),
            statuses=len(data.statuses),
        )

    def _upsert_catalogs(self, data: StoreData, kept: list[Issue]) -> None:
        # Sprints come from the copies kept only: an older copy names a sprint as it was
        # then (still active, say) and must not overwrite what the store knows.
        sprints = {sprint.id: sprint for issue in kept for sprint in issue.sprints}
        sprints.update((sprint.id, sprint) for sprint in data.sprints)
        self._upsert(schema.statuses, ((s.id, s.name, s.category) for s in data.statuses))
        self._upsert(schema.projects, ((p.id, p.key, p.name) for p in data.projects))
        self._upsert(schema.users, ((u.id, u.display_name, u.email) for u in data.users))
        self._upsert(
            schema.sprints,
            (
                (s.id, s.name, s.state, s.board_id, s.start_ms, s.end_ms, s.complete_ms)
                for s in sprints.values()
            ),
        )
        self._upsert(schema.saved_filters, ((f.id, f.name, f.jql, f.owner) for f in data.filters))

    def _stored_updated(self, ids: list[int]) -> dict[int, int | None]:
        table = schema.issues
        found: dict[int, int | None] = {}
        for chunk in id_chunks(ids):
            query = sa.select(table.c.id, table.c.updated_ms).where(table.c.id.in_(chunk))
            found.update((row.id, row.updated_ms) for row in self._connection.execute(query))
        return found

    def _require_stored(self, issue_ids: set[int]) -> None:
        missing = sorted(issue_ids - set(self._stored_updated(sorted(issue_ids))))
        if missing:
            raise NotFound(
                "The store holds no issue "
                + ", ".join(map(str, missing))
                + " for the changelog to join."
            )

    def _upsert_issues(self, issues: list[Issue]) -> None:
        self._upsert(
            schema.issues,
            (
                (
                    issue.id,
                    issue.key,
                    issue.project_key,
                    issue.summary,
                    issue.issue_type,
                    issue.status_id,
                    issue.status_name,
                    issue.priority,
                    issue.assignee_id,
                    issue.assignee_name,
                    issue.reporter_id,
                    issue.reporter_name,
                    issue.created_ms,
                    issue.updated_ms,
                    issue.resolution_date_ms,
                    issue.resolution,
                    json.dumps(issue.labels, ensure_ascii=False),
                    json.dumps(issue.components, ensure_ascii=False),
                    json.dumps(issue.fix_versions, ensure_ascii=False),
                    json.dumps(issue.fields, ensure_ascii=False),
                )
                for issue in issues
            ),
        )

    def _delete_children(self, table: sa.Table, issue_ids: list[int]) -> None:
        for chunk in id_chunks(issue_ids):
            self._connection.execute(sa.delete(table).where(table.c.issue_id.in_(chunk)))

    def _delete_merged(self, parts: list[ChangelogPart]) -> None:
        keys = [(part.issue_id, h.id) for part in parts for h in part.histories]
        if not keys:
            return
        mark = self._mark
        self._connection.exec_driver_sql(
            f"DELETE FROM change_items WHERE issue_id = {mark} AND history_id = {mark}", keys
        )
        self._connection.exec_driver_sql(
            f"DELETE FROM histories WHERE issue_id = {mark} AND id = {mark}", keys
        )

    def _insert_histories(self, pairs: list[tuple[int, tuple[History, ...]]]) -> tuple[int, int]:
        # A history can arrive twice in one write (overlapping changelog pages): keep the last.
        unique = {(issue_id, h.id): h for issue_id, histories in pairs for h in histories}
        history_rows = []
        item_rows = []
        status_changes = 0
        for (issue_id, history_id), history in unique.items():
            history_rows.append(
                (issue_id, history_id, history.created_ms, history.author_id, history.author_name)
            )
            for seq, item in enumerate(history.items):
                field_id = item.effective_field_id
                status_changes += field_id == STATUS_FIELD
                item_rows.append(
                    (
                        issue_id,
                        history_id,
                        seq,
                        item.field,
                        field_id,
                        item.field_type,
                        item.from_value,
                        item.from_string,
                        item.to_value,
                        item.to_string,
                    )
                )
        self._insert(schema.histories, history_rows)
        self._insert(schema.change_items, item_rows)
        return len(history_rows), status_changes

    def _insert(self, table: sa.Table, rows: Iterable[tuple[Any, ...]]) -> None:
        self._execute_many(self._insert_sql(table), rows)

    def _upsert(self, table: sa.Table, rows: Iterable[tuple[Any, ...]]) -> None:
        # INSERT … ON CONFLICT DO UPDATE is spelled the same in SQLite and PostgreSQL, and
        # unlike INSERT OR REPLACE it keeps the row (and its rowid, hence catalog order).
        updates = ", ".join(f"{c.name} = excluded.{c.name}" for c in table.c if not c.primary_key)
        keys = ", ".join(c.name for c in table.primary_key.columns)
        sql = f"{self._insert_sql(table)} ON CONFLICT ({keys}) DO UPDATE SET {updates}"
        self._execute_many(sql, rows)

    def _insert_sql(self, table: sa.Table) -> str:
        names = ", ".join(column.name for column in table.c)
        marks = ", ".join(self._mark for _ in table.c)
        return f"INSERT INTO {table.name} ({names}) VALUES ({marks})"

    def _execute_many(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        batch = list(rows)
        if batch:
            self._connection.exec_driver_sql(sql, batch)


def _newest_copies(issues: Sequence[Issue]) -> dict[int, Issue]:
    """One copy per issue id: the most recently updated (the later one on a tie)."""
    newest: dict[int, Issue] = {}
    for issue in issues:
        held = newest.get(issue.id)
        if held is None or not _is_older(issue.updated_ms, held.updated_ms):
            newest[issue.id] = issue
    return newest


def _is_older(updated_ms: int | None, than_ms: int | None) -> bool:
    """Whether a copy updated at `updated_ms` is older than one updated at `than_ms`.

    An unknown time on either side cannot prove the incoming copy stale, so it wins.
    """
    return updated_ms is not None and than_ms is not None and updated_ms < than_ms
