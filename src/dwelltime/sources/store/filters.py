"""A `Selection` resolved against the local store: the ordered ids of the issues it covers.

Resolving once, up front, is what lets `count()` be known before the first batch and
keeps every batch in the same order however long the export runs.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import sqlalchemy as sa

from dwelltime.domain.issues import ASSIGNEE_FIELD
from dwelltime.domain.selection import DateRangeField, Selection
from dwelltime.domain.sites import site_key
from dwelltime.errors import InvalidParameters, NotFound
from dwelltime.sources.store import schema
from dwelltime.sources.store.generation import condition_key
from dwelltime.sources.store.jql_sql import OrderTerm, compile_jql

_DATE_COLUMNS: dict[DateRangeField, sa.Column[Any]] = {
    "created": schema.issues.c.created_ms,
    "resolved": schema.issues.c.resolution_date_ms,
    "updated": schema.issues.c.updated_ms,
}


#: Ids fetched per round trip from PostgreSQL's server-side cursor.
IDS_PER_FETCH = 50_000


def selection_ids(connection: sa.Connection, selection: Selection, skip: int = 0) -> Sequence[int]:
    """Ids of the issues `selection` covers, in report order (JQL ORDER BY, else id), only
    those of its window (`start_index`, `max_issues`; after a keyset `after`, from `skip`
    issues past it): the database skips the others.

    A packed int64 array: a report keeps its selection's ids for the whole run, and a
    Python list of a million ids costs ~36 MiB against 8 MiB. SQLite's are read from the
    DBAPI cursor in slices: SQLAlchemy's per-row iteration cost a quarter of the whole
    read (an id needs no result processing).
    """
    issues = schema.issues
    where, terms = _where(connection, selection)
    if selection.after is not None:
        where = sa.and_(where, _after(terms, selection.after))
    query = sa.select(issues.c.id).where(where).order_by(*_ordered(terms))
    # After a keyset (`after`) the window starts at the key; `start_index` only numbers it.
    offset = skip if selection.after is not None else selection.start_index
    if offset or selection.max_issues is not None:
        query = query.offset(offset).limit(selection.max_issues)
    if connection.dialect.name == "postgresql":
        # A server-side cursor: without it the client receives the whole result of a
        # million-issue selection at once, beside the array it is being copied into.
        # SQLAlchemy reads its first row ahead (for the columns' description), so the
        # rows are taken through it.
        streamed = connection.execution_options(yield_per=IDS_PER_FETCH)
        return array("q", streamed.execute(query).scalars())
    ids = array("q")
    with connection.execute(query) as result:
        while rows := result.cursor.fetchmany(IDS_PER_FETCH):
            ids.extend(row[0] for row in rows)
    return ids


def tail_ids(
    connection: sa.Connection, selection: Selection, total: Callable[[], int]
) -> Sequence[int] | None:
    """`selection_ids` of a window (`start_index`, `max_issues`) in the second half of a
    selection of `total()` issues, read backwards from the selection's end, so the
    database walks the rows after the window instead of those before it. Only in the
    default report order (the Jira id and site: the report-order index, which both
    databases walk backwards as fast); None otherwise, or in the first half."""
    start, size = selection.start_index, selection.max_issues
    if size is None or selection.after is not None:
        return None
    where, terms = _where(connection, selection)
    count = total() if not terms else 0
    if start < count // 2 or not count:
        return None
    end = min(count, start + size)
    if end <= start:
        return array("q")
    issues = schema.issues
    query = (
        sa.select(issues.c.id)
        .where(where)
        .order_by(issues.c.jira_id.desc(), issues.c.site.desc())
        .offset(count - end)
        .limit(end - start)
    )
    ids = array("q", connection.execute(query).scalars())
    ids.reverse()
    return ids


def order_identity(connection: sa.Connection, selection: Selection) -> Hashable:
    """What decides `selection`'s issues and their report order, whatever its window: its
    condition as the database receives it and its ORDER BY."""
    where, terms = _where(connection, selection.whole())
    return condition_key(connection, where), tuple(str(clause) for clause in _ordered(terms))


def order_key(connection: sa.Connection, selection: Selection, row_id: int) -> tuple[Any, ...]:
    """The report-order key of the issue row `row_id` (`selection`'s ORDER BY, then the
    Jira id and site): what a keyset page (`Selection.after`) continues after."""
    _, terms = _where(connection, selection)
    columns = [term.expression for term in terms]
    query = sa.select(*columns, schema.issues.c.jira_id, schema.issues.c.site).where(
        schema.issues.c.id == row_id
    )
    return tuple(connection.execute(query).one())


def in_index_order(connection: sa.Connection, selection: Selection) -> bool:
    """Whether `selection`'s report order is the report-order index's (no JQL ORDER BY):
    a window's rows are then a range of that index."""
    return not _where(connection, selection)[1]


def _ordered(terms: list[OrderTerm]) -> list[sa.ColumnElement[Any]]:
    """The report order: `terms`, then the Jira id and site, which break ties so that the
    order is total and the same on every read."""
    return [*(term.clause() for term in terms), schema.issues.c.jira_id, schema.issues.c.site]


def _after(terms: list[OrderTerm], key: tuple[Any, ...]) -> sa.ColumnElement[bool]:
    """The rows after `key` (`order_key`) in the report order: later in the first term
    that differs, with empty values where `OrderTerm` sorts them. The tiebreak is a row
    value comparison, which both databases walk as one range of the report-order index."""
    if len(key) != len(terms) + 2:
        raise InvalidParameters(["nextPageToken: not a token of this report's order"])
    issues = schema.issues
    tiebreak = sa.tuple_(issues.c.jira_id, issues.c.site) > sa.tuple_(
        sa.literal(key[-2], sa.BigInteger), sa.literal(key[-1], sa.String)
    )
    later: list[sa.ColumnElement[bool]] = []
    same: list[sa.ColumnElement[bool]] = []
    for term, value in zip(terms, key, strict=False):
        later.append(sa.and_(*same, _later(term, value)))
        same.append(term.expression.is_(None) if value is None else term.expression == value)
    return sa.or_(*later, sa.and_(*same, tiebreak))


def _later(term: OrderTerm, value: Any) -> sa.ColumnElement[bool]:
    """Rows whose `term` sorts after `value` (empty values last ascending, first
    descending)."""
    column = term.expression
    if term.descending:
        return column.is_not(None) if value is None else column < value
    return sa.false() if value is None else sa.or_(column > value, column.is_(None))


def selection_count(connection: sa.Connection, selection: Selection) -> int:
    """How many issues the whole `selection` covers, counted by the database."""
    return count_where(connection, selection_where(connection, selection))


def count_where(connection: sa.Connection, where: sa.ColumnElement[bool]) -> int:
    """How many issues rows meet `where` (`selection_where`), counted by the database."""
    query = sa.select(sa.func.count()).select_from(schema.issues).where(where)
    return int(connection.execute(query).scalar_one())


def selection_where(connection: sa.Connection, selection: Selection) -> sa.ColumnElement[bool]:
    """The condition on `issues` rows that `selection` covers (its window aside)."""
    return _where(connection, selection.whole())[0]


def _where(
    connection: sa.Connection, selection: Selection
) -> tuple[sa.ColumnElement[bool], list[OrderTerm]]:
    where, terms = _filter(connection, selection)
    column = _DATE_COLUMNS[selection.date_field]
    if selection.start_ms is not None:
        where = sa.and_(where, column >= selection.start_ms)
    if selection.end_ms is not None:
        where = sa.and_(where, column < selection.end_ms)
    if selection.site is not None:
        where = sa.and_(where, schema.issues.c.site == site_key(selection.site))
    if selection.ceiling is not None:
        where = sa.and_(where, schema.issues.c.id <= selection.ceiling)
    return where, terms


def _filter(
    connection: sa.Connection, selection: Selection
) -> tuple[sa.ColumnElement[bool], list[OrderTerm]]:
    issues = schema.issues
    value = selection.filter_value
    match selection.filter_type:
        case "project":
            return sa.func.lower(issues.c.project_key) == value.lower(), []
        case "user":
            return _assigned_ever(value), []
        case "sprint":
            sprint = schema.issue_sprints
            in_sprint = sa.select(sprint.c.issue_id).where(sprint.c.sprint_id == _sprint_id(value))
            return issues.c.id.in_(in_sprint), []
        case "jqlfilter":
            return _jql(_saved_jql(connection, value), selection, "jqlFilterID")
        case "customjql":
            return _jql(value, selection, "customjql")


def _assigned_ever(user: str) -> sa.ColumnElement[bool]:
    """Assigned to `user` now or at any time (an account id or a display name).

    One select per column, united: an OR of the columns made both planners read every
    assignee change item (SQLite every change item, and every issue), where each select
    here is one range of its own index (migration 0022). The field is written as a literal
    because the change item indexes are partial on it: a bound parameter would keep a
    generic PostgreSQL plan from proving that they cover the rows.
    """
    now = schema.issues.alias("assigned_now")
    items = schema.change_items
    assignee = items.c.field_id == sa.literal(ASSIGNEE_FIELD, literal_execute=True)
    current = (now.c.assignee_id, now.c.assignee_name)
    past = (items.c.from_value, items.c.to_value, items.c.from_string, items.c.to_string)
    return schema.issues.c.id.in_(
        sa.union(
            *(sa.select(now.c.id).where(column == user) for column in current),
            *(sa.select(items.c.issue_id).where(assignee, column == user) for column in past),
        )
    )


def _sprint_id(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise InvalidParameters([f"sprintID: {value!r} is not a sprint id (a number)"]) from None


def _saved_jql(connection: sa.Connection, filter_id: str) -> str:
    table = schema.saved_filters
    jql = connection.scalar(sa.select(table.c.jql).where(table.c.id == filter_id))
    if jql is None:
        raise NotFound(f"Saved filter {filter_id} does not exist.")
    return str(jql)


def _jql(
    text: str, selection: Selection, parameter: str
) -> tuple[sa.ColumnElement[bool], list[OrderTerm]]:
    now_ms = selection.now_ms if selection.now_ms is not None else int(time.time() * 1000)
    compiled = compile_jql(text, now_ms, parameter)
    return compiled.where, list(compiled.terms)
