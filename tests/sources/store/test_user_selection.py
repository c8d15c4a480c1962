"""The user selection (filterType=user) on SQLite and PostgreSQL: a user is found through
each column that can name them, migration 0022 brings its indexes to a store at 0019, and
0030 makes them covering on PostgreSQL (index-only scans), the same issues selected."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.domain.issues import ChangeItem, History, Issue
from dwelltime.domain.selection import Selection
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store import schema
from dwelltime.sources.store.filters import selection_count, selection_ids, selection_where
from dwelltime.sources.store.issue_store import IssueStore, StoreData
from dwelltime.sources.store.writer import StoreWriter
from tests.sources.issue_factory import DAY_MS, T0, TEST_SITE, make_issue

#: The name looked for; each issue below holds it in one column only.
WANTED = "tess"


def _store(store_url: str, tmp_path: Path) -> IssueStore:
    return IssueStore.open(Settings(home=tmp_path / "home", database_url=store_url))


def _item(field_id: str, values: tuple[str, str, str, str]) -> ChangeItem:
    from_value, from_string, to_value, to_string = values
    return ChangeItem(field_id, field_id, "jira", from_value, from_string, to_value, to_string)


def _with_item(issue_id: int, item: ChangeItem) -> Issue:
    history = History(issue_id * 10, T0 + DAY_MS, "u1", "Name u1", (item,))
    return make_issue(issue_id, assignee="other", histories=(history,))


def _issues() -> list[Issue]:
    """Issues 1-4 name WANTED in one change item column each, 5 and 6 as the current
    assignee's id or name; 7 names it in another field and 8 nowhere."""
    return [
        _with_item(1, _item("assignee", (WANTED, "A", "b", "B"))),
        _with_item(2, _item("assignee", ("a", "A", WANTED, "B"))),
        _with_item(3, _item("assignee", ("a", WANTED, "b", "B"))),
        _with_item(4, _item("assignee", ("a", "A", "b", WANTED))),
        make_issue(5, assignee=WANTED, histories=()),
        replace(make_issue(6, assignee="other", histories=()), assignee_name=WANTED),
        _with_item(7, _item("reporter", (WANTED, WANTED, WANTED, WANTED))),
        _with_item(8, _item("assignee", ("a", "A", "b", "B"))),
    ]


def _jira_ids(store: IssueStore, selection: Selection) -> list[int]:
    issues = schema.issues
    with store.engine.connect() as connection:
        ids = list(selection_ids(connection, selection))
        assert selection_count(connection, selection) == len(ids)
        jira = dict(connection.execute(sa.select(issues.c.id, issues.c.jira_id)).all())
    return [jira[i] for i in ids]


def test_each_column_finds_the_user(store_url: str, tmp_path: Path) -> None:
    store = _store(store_url, tmp_path)
    store.write(StoreData(site=TEST_SITE, issues=_issues()))
    assert _jira_ids(store, Selection("user", WANTED)) == [1, 2, 3, 4, 5, 6]
    narrowed = Selection("user", WANTED, start_ms=T0, end_ms=T0 + 1, site="https://other.example")
    assert _jira_ids(store, narrowed) == []


def _assigned_ever(store: IssueStore) -> dict[str, set[int]]:
    """Who each issue was ever assigned to, worked out in Python from the stored rows."""
    issues, items = schema.issues, schema.change_items
    found: dict[str | None, set[int]] = {}
    with store.engine.connect() as connection:
        for row in connection.execute(
            sa.select(issues.c.id, issues.c.assignee_id, issues.c.assignee_name)
        ):
            for name in row[1:]:
                found.setdefault(name, set()).add(row[0])
        assignee_items = sa.select(
            items.c.issue_id, items.c.from_value, items.c.to_value, items.c.from_string
        ).add_columns(items.c.to_string)
        for row in connection.execute(assignee_items.where(items.c.field_id == "assignee")):
            for name in row[1:]:
                found.setdefault(name, set()).add(row[0])
    return {name: ids for name, ids in found.items() if name is not None}


def test_demo_users_by_id_and_name_match_the_rows(store_url: str, tmp_path: Path) -> None:
    store = _store(store_url, tmp_path)
    write_demo(store, 300, projects=2)
    expected = _assigned_ever(store)
    assert len(expected) > 10  # account ids and display names of the demo's people
    with store.engine.connect() as connection:
        for user, issue_ids in expected.items():
            assert set(selection_ids(connection, Selection("user", user))) == issue_ids, user


def _indexes(connection: sa.Connection) -> set[str]:
    """The database's index names (SQLAlchemy's reflection skips expression indexes, with
    a warning)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes"
    return set(connection.exec_driver_sql(query).scalars())


def test_migration_0022_indexes_a_store_at_0019(store_url: str, tmp_path: Path) -> None:
    db.upgrade(store_url, "0019")
    engine = db.create_db_engine(store_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO issues (id, site, jira_id, key, project_key, summary, created_ms, "
            "assignee_name) VALUES (1, 'demo', 1, 'AB-1', 'AB', 's', 1, NULL), "
            "(2, 'demo', 2, 'AB-2', 'AB', 's', 1, 'Tess')"
        )
        connection.exec_driver_sql(
            "INSERT INTO histories (issue_id, id, created_ms) VALUES (1, 10, 2)"
        )
        connection.exec_driver_sql(
            "INSERT INTO change_items (issue_id, history_id, seq, field, field_id, from_string) "
            "VALUES (1, 10, 0, 'assignee', 'assignee', 'Tess')"
        )
    db.upgrade(store_url)
    with engine.connect() as connection:
        assert {index.name for index in schema.USER_SELECTION_INDEXES} <= _indexes(connection)
        assert sorted(selection_ids(connection, Selection("user", "Tess"))) == [1, 2]
    engine.dispose()


def test_each_column_is_read_through_its_index(store_url: str, tmp_path: Path) -> None:
    store = _store(store_url, tmp_path)
    store.write(StoreData(site=TEST_SITE, issues=_issues()))
    issues = schema.issues
    with store.engine.connect() as connection:
        where = selection_where(connection, Selection("user", WANTED))
        query = sa.select(issues.c.id).where(where)
        sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        if connection.dialect.name == "sqlite":
            plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
        else:  # a few rows: make the planner show what it would do with many
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = list(connection.exec_driver_sql(f"EXPLAIN {sql}").scalars())
    text = "\n".join(plan)
    for index in schema.USER_SELECTION_INDEXES:
        assert str(index.name) in text, text
    assert "SCAN change_items\n" not in f"{text}\n" and "Seq Scan" not in text, text


#: Every index of the user selection: each column's range.
_USER_INDEXES = [
    str(index.name) for index in (schema.ASSIGNEE_ID_INDEX, *schema.USER_SELECTION_INDEXES)
]


def _definitions(connection: sa.Connection) -> dict[str, str]:
    """The user selection's indexes as the database defines them (its own DDL text)."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname, indexdef FROM pg_indexes"
    found = {str(name): str(sql) for name, sql in connection.exec_driver_sql(query)}
    return {name: found[name] for name in _USER_INDEXES}


def _wanted_ids(engine: sa.Engine) -> list[int]:
    with engine.connect() as connection:
        ids = list(selection_ids(connection, Selection("user", WANTED)))
        assert selection_count(connection, Selection("user", WANTED)) == len(ids)
    return ids


def _plan(engine: sa.Engine) -> str:
    """PostgreSQL's plan of the user selection's ids, the tables vacuumed first (as
    autovacuum keeps them) and the planner kept off whole-table scans (a few rows)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE) issues, change_items")
    issues = schema.issues
    with engine.begin() as connection:
        where = selection_where(connection, Selection("user", WANTED))
        query = sa.select(issues.c.id).where(where)
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        return "\n".join(connection.exec_driver_sql(f"EXPLAIN {sql}").scalars())


def test_migration_0030_covers_the_user_indexes_on_postgresql(store_url: str) -> None:
    db.upgrade(store_url, "0032")  # the revision before 0030
    engine = db.create_db_engine(store_url)
    with engine.begin() as connection:
        StoreWriter(connection).write(StoreData(site=TEST_SITE, issues=_issues()))
        before = _definitions(connection)
    wanted = _wanted_ids(engine)
    assert len(wanted) == 6
    postgresql = engine.dialect.name == "postgresql"
    if postgresql:  # each index names rows: the table is read for their ids
        plan = _plan(engine)
        assert not any(f"Index Only Scan using {name} " in plan for name in _USER_INDEXES), plan

    db.upgrade(store_url)

    with engine.connect() as connection:
        after = _definitions(connection)
    assert _wanted_ids(engine) == wanted
    if postgresql:
        for name in _USER_INDEXES:
            included = (
                " INCLUDE (issue_id)" if name.startswith("ix_change_items") else " INCLUDE (id)"
            )
            assert included in after[name] and after[name].replace(included, "") == before[name]
        plan = _plan(engine)
        for name in _USER_INDEXES:
            assert f"Index Only Scan using {name} " in plan, plan
    else:  # SQLite's indexes hold the rowid already: left as they were
        assert after == before
    engine.dispose()
