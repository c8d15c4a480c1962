"""The statements of one store write: catalogs upserted, issues upserted by (site, Jira
id) with the newest copy winning, histories replaced or merged, all through executemany
of plain tuples. Children point at the issue's row id, which the write looks up.

Building ORM objects or dicts per row would dominate: the demo generator and big imports
push millions of rows through here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from dwelltime.domain.issues import STATUS_FIELD, History, Issue, Status
from dwelltime.domain.sites import LEGACY_SITE
from dwelltime.errors import NotFound, SourceError
from dwelltime.sources.store import schema
from dwelltime.sources.store.data import ChangelogPart, StoreData, WriteCounts
from dwelltime.sources.store.sql_lists import id_chunks, placeholder
from dwelltime.sources.store.tracks import Item, insert_tracks, pack, rebuild_tracks
from dwelltime.sources.store.visited import refresh_visited, transitions_of, visited_of


class StoreWriter:
    """One write's statements on one connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self._connection = connection
        self._mark = placeholder(connection)

    def write(self, data: StoreData) -> WriteCounts:
        newest = _newest_copies(data.issues)
        site = _site_of(data)
        _refuse_shared_keys(newest.values())
        self._claim_legacy(site, list(newest.values()))
        stored = self._stored(site, list(newest))
        self._refuse_clashes(site, newest, stored, data.from_site)
        kept = [
            issue
            for issue in newest.values()
            if not _is_older(issue.updated_ms, stored[issue.id][1] if issue.id in stored else None)
        ]
        self._upsert_catalogs(data, kept)
        # Issues whose stored histories will be exactly theirs get `visited_statuses` and
        # `visited_transitions` from memory; the merged ones are re-read once their
        # histories are written.
        merging = data.partial_issue_ids | {part.issue_id for part in data.changelogs}
        self._upsert_issues(site, kept, merging)
        rows = self._row_ids(site, [issue.id for issue in kept])
        self._require_stored(site, {part.issue_id for part in data.changelogs}, rows)
        # An issue new to the store has no children yet: only stored ones need deletes.
        existing = [issue for issue in kept if issue.id in stored]
        replaced = [rows[issue.id] for issue in existing if issue.id not in data.partial_issue_ids]
        self._delete_children(schema.change_items, replaced)
        self._delete_children(schema.change_tracks, replaced)
        self._delete_children(schema.histories, replaced)
        self._delete_children(schema.issue_sprints, [rows[issue.id] for issue in existing])
        merged = [
            ChangelogPart(rows[issue.id], issue.histories)
            for issue in kept
            if issue.id in data.partial_issue_ids
        ]
        merged.extend(
            ChangelogPart(rows[part.issue_id], part.histories) for part in data.changelogs
        )
        self._delete_merged(merged)
        pairs = [(rows[issue.id], issue.histories) for issue in kept]
        pairs.extend((rows[part.issue_id], part.histories) for part in data.changelogs)
        merged_rows = [rows[i] for i in merging if i in rows]
        histories, status_changes = self._insert_histories(pairs, set(merged_rows))
        refresh_visited(self._connection, merged_rows)
        rebuild_tracks(self._connection, merged_rows)
        self._insert(
            schema.issue_sprints,
            ((rows[issue.id], sprint.id) for issue in kept for sprint in issue.sprints),
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
        self._upsert_statuses(data.statuses)
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

    def _upsert_statuses(self, statuses: Sequence[Status]) -> None:
        """New statuses are numbered after the catalog's last; known ones keep their place."""
        if not statuses:
            return  # most writes (every chunk of issues) carry no catalog: no query for it
        table = schema.statuses
        last = self._connection.scalar(sa.select(sa.func.max(table.c.position))) or 0
        rows = (
            (s.id, s.name, s.category, last + number) for number, s in enumerate(statuses, start=1)
        )
        self._upsert(table, rows, kept=("position",))

    def _stored(self, site: str, jira_ids: list[int]) -> dict[int, tuple[str, int | None]]:
        """Key and `updated` of the issues of `site` with these Jira ids."""
        table = schema.issues
        found = self._of_site(site, jira_ids, table.c.key, table.c.updated_ms)
        return {jira_id: (key, updated) for jira_id, key, updated in found}

    def _row_ids(self, site: str, jira_ids: list[int]) -> dict[int, int]:
        """The store's row ids of the issues of `site` with these Jira ids."""
        return {row[0]: row[1] for row in self._of_site(site, jira_ids, schema.issues.c.id)}

    def _of_site(
        self, site: str, jira_ids: list[int], *columns: sa.Column[Any]
    ) -> Iterator[tuple[Any, ...]]:
        """(Jira id, *`columns`) of each issue of `site` with one of these Jira ids."""
        table = schema.issues
        for chunk in id_chunks(jira_ids):
            query = sa.select(table.c.jira_id, *columns).where(
                table.c.site == site, table.c.jira_id.in_(chunk)
            )
            yield from (tuple(row) for row in self._connection.execute(query))

    def _claim_legacy(self, site: str, issues: list[Issue]) -> None:
        """Issues stored before sites existed become `site`'s when id and key both match."""
        if site == LEGACY_SITE or not issues or not self._holds_legacy():
            return
        mark = self._mark
        self._connection.exec_driver_sql(
            f"UPDATE issues SET site = {mark} WHERE site = {mark} AND jira_id = {mark} "
            f"AND key = {mark} AND NOT EXISTS (SELECT 1 FROM issues AS mine WHERE "
            f"mine.site = {mark} AND (mine.jira_id = {mark} OR mine.key = {mark}))",
            [(site, LEGACY_SITE, i.id, i.key, site, i.id, i.key) for i in issues],
        )

    def _holds_legacy(self) -> bool:
        """One index probe that spares every write to a store migrated empty (or fresh) the
        per-issue claim."""
        table = schema.issues
        query = sa.select(table.c.id).where(table.c.site == LEGACY_SITE).limit(1)
        return self._connection.execute(query).first() is not None

    def _refuse_clashes(
        self,
        site: str,
        newest: dict[int, Issue],
        stored: dict[int, tuple[str, int | None]],
        moves: bool,
    ) -> None:
        """One site never has two issues with one id, nor two ids with one key; with
        `moves` (the site's own answer), an id under a new key is a move, not a clash."""
        problems = [
            f"issue {issue_id} is {stored[issue_id][0]} in the store but {issue.key} here"
            for issue_id, issue in newest.items()
            if issue_id in stored and stored[issue_id][0] != issue.key and not moves
        ]
        table = schema.issues
        by_key = {issue.key: issue.id for issue in newest.values()}
        for chunk in id_chunks(list(by_key)):
            query = sa.select(table.c.jira_id, table.c.key).where(
                table.c.site == site, table.c.key.in_(chunk)
            )
            problems.extend(
                f"{row.key} is issue {row.jira_id} in the store but issue {by_key[row.key]} here"
                for row in self._connection.execute(query)
                if row.jira_id != by_key[row.key]
            )
        if problems:
            raise SourceError(_clash_message(site, problems))

    def _require_stored(self, site: str, issue_ids: set[int], rows: dict[int, int]) -> None:
        rows.update(self._row_ids(site, sorted(issue_ids - set(rows))))
        missing = sorted(issue_ids - set(rows))
        if missing:
            raise NotFound(
                f"The store holds no issue {', '.join(map(str, missing))} of {site}"
                " for the changelog to join."
            )

    def _upsert_issues(self, site: str, issues: list[Issue], merging: frozenset[int]) -> None:
        self._upsert(
            schema.issues,
            (
                (
                    site,
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
                    # Both refreshed once the merged histories are written.
                    None if issue.id in merging else visited_of(issue.status_id, issue.histories),
                    None if issue.id in merging else transitions_of(issue.histories),
                )
                for issue in issues
            ),
            conflict=("site", "jira_id"),
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

    def _insert_histories(
        self, pairs: list[tuple[int, tuple[History, ...]]], merged: set[int]
    ) -> tuple[int, int]:
        """Histories and change items, and the tracks of the issues not `merged` (those are
        packed again from the store once their merged histories are in)."""
        # A history can arrive twice in one write (overlapping changelog pages): keep the last.
        unique = {(issue_id, h.id): h for issue_id, histories in pairs for h in histories}
        history_rows = []
        item_rows = []
        track_items: list[Item] = []
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
                if issue_id not in merged:
                    track_items.append(
                        (
                            issue_id,
                            field_id,
                            history_id,
                            history.created_ms,
                            item.from_value,
                            item.from_string,
                            item.to_value,
                            item.to_string,
                            history.author_name,
                        )
                    )
        self._insert(schema.histories, history_rows)
        self._insert(schema.change_items, item_rows)
        insert_tracks(self._connection, pack(self._connection, track_items))
        return len(history_rows), status_changes

    def _insert(self, table: sa.Table, rows: Iterable[tuple[Any, ...]]) -> None:
        self._execute_many(self._insert_sql(table), rows)

    def _upsert(
        self,
        table: sa.Table,
        rows: Iterable[tuple[Any, ...]],
        conflict: tuple[str, ...] | None = None,
        kept: tuple[str, ...] = (),
    ) -> None:
        """Insert or update by the primary key, or by the unique `conflict` columns: then
        the primary key is the store's own row id, numbered by the database. The `kept`
        columns are written only by the insert, never updated."""
        # INSERT … ON CONFLICT DO UPDATE is spelled the same in SQLite and PostgreSQL, and
        # unlike INSERT OR REPLACE it keeps the row (and its rowid, hence catalog order).
        keys = conflict or tuple(c.name for c in table.primary_key.columns)
        columns = [c for c in table.c if conflict is None or not c.primary_key]
        updates = ", ".join(
            f"{c.name} = excluded.{c.name}" for c in columns if c.name not in (*keys, *kept)
        )
        sql = (
            f"{self._insert_sql(table, columns)} ON CONFLICT ({', '.join(keys)}) "
            f"DO UPDATE SET {updates}"
        )
        self._execute_many(sql, rows)

    def _insert_sql(self, table: sa.Table, columns: list[sa.Column[Any]] | None = None) -> str:
        chosen = list(table.c) if columns is None else columns
        names = ", ".join(column.name for column in chosen)
        marks = ", ".join(self._mark for _ in chosen)
        return f"INSERT INTO {table.name} ({names}) VALUES ({marks})"

    def _execute_many(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        batch = list(rows)
        if batch:
            self._connection.exec_driver_sql(sql, batch)


def _site_of(data: StoreData) -> str:
    if data.site is None:
        if data.issues or data.changelogs:
            raise SourceError("Issues and changelogs are stored with the site they come from.")
        return LEGACY_SITE  # catalogs alone: no issue is looked up
    return data.site


def _refuse_shared_keys(issues: Iterable[Issue]) -> None:
    """Two ids with one key in the same write cannot both be stored."""
    seen: dict[str, int] = {}
    for issue in issues:
        other = seen.setdefault(issue.key, issue.id)
        if other != issue.id:
            raise SourceError(f"Issues {other} and {issue.id} both have the key {issue.key}.")


def _clash_message(site: str, problems: list[str]) -> str:
    shown = "; ".join(problems[:5]) + (
        f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    )
    return (
        f"Within the site {site}, an issue id and its key belong together: {shown}. "
        "Nothing of this data was stored; if these issues come from another Jira site, "
        "name it (import --site URL)."
    )


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
