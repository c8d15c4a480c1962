"""SQL over the store's JSON text columns (labels, components, fix versions, custom fields).

SQLite and PostgreSQL spell JSON access differently (json_each/json_tree versus jsonb
functions), so each expression is built twice and `_ByDialect` picks one when the query
is compiled for the caller's engine; anything else compiles as SQLite.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, JSONPATH
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

# Members that name an object value in Jira's field shapes (options, users, versions).
_MEMBER_KEYS = ("value", "name", "displayName", "accountId", "key", "id")


class _ByDialect(sa.sql.expression.ColumnElement[Any]):
    """One expression written for SQLite and for PostgreSQL; compiles as the dialect's."""

    inherit_cache = False

    def __init__(self, sqlite: sa.ColumnElement[Any], postgresql: sa.ColumnElement[Any]) -> None:
        self.sqlite = sqlite
        self.postgresql = postgresql
        self.type = sqlite.type


@compiles(_ByDialect)
def _compile_sqlite(element: _ByDialect, compiler: SQLCompiler, **kw: Any) -> str:
    # Parenthesised: the chosen expression may be an OR inside someone's AND.
    return f"({compiler.process(element.sqlite, **kw)})"


@compiles(_ByDialect, "postgresql")
def _compile_postgresql(element: _ByDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.postgresql, **kw)})"


def lowered(values: list[str]) -> list[sa.ColumnElement[str]]:
    """`values` lower-cased by the database, so both sides of a comparison fold alike."""
    return [sa.func.lower(sa.literal(value, sa.String)) for value in values]


def array_contains(column: sa.ColumnElement[str], values: list[str]) -> sa.ColumnElement[bool]:
    """True when the JSON array in `column` holds one of `values` (ignoring case)."""
    each = sa.func.json_each(column).table_valued("value").alias("je")
    sqlite = sa.exists(
        sa.select(sa.literal(1))
        .select_from(each)
        .where(sa.func.lower(each.c.value).in_(lowered(values)))
    )
    elements = (
        sa.func.jsonb_array_elements_text(sa.cast(column, JSONB))
        .table_valued("value")
        .render_derived()
        .alias("je")
    )
    postgresql = sa.exists(
        sa.select(sa.literal(1))
        .select_from(elements)
        .where(sa.func.lower(elements.c.value).in_(lowered(values)))
    )
    return _ByDialect(sqlite, postgresql)


def array_is_empty(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    sqlite = sa.func.coalesce(sa.func.json_array_length(column), 0) == 0
    postgresql = sa.func.coalesce(sa.func.jsonb_array_length(sa.cast(column, JSONB)), 0) == 0
    return _ByDialect(sqlite, postgresql)


def _path(field_id: str) -> str:
    return f'$."{field_id}"'


def custom_matches(
    fields: sa.ColumnElement[str], field_id: str, values: list[str]
) -> sa.ColumnElement[bool]:
    """The custom field equals one of `values`, ignoring case.

    Its value matches when it is one of them, or an element of it (a list) is, or the
    value/name/displayName/accountId/key/id member of it or of an element is: the ways
    Jira shows select options, users, versions and sprints.
    """
    tree = sa.func.json_tree(fields, _path(field_id)).table_valued("key", "atom", "parent")
    tree_alias = tree.alias("jt")
    sqlite = sa.exists(
        sa.select(sa.literal(1))
        .select_from(tree_alias)
        .where(
            tree_alias.c.atom.is_not(None),
            sa.or_(
                tree_alias.c.parent.is_(None),
                sa.func.typeof(tree_alias.c.key) == "integer",
                tree_alias.c.key.in_(_MEMBER_KEYS),
            ),
            sa.func.lower(sa.cast(tree_alias.c.atom, sa.String)).in_(lowered(values)),
        )
    )
    document = sa.cast(fields, JSONB)
    elements = (
        sa.func.jsonb_path_query(
            document, sa.cast(sa.literal(f"lax {_path(field_id)}[*]"), JSONPATH)
        )
        .table_valued(sa.column("value", JSONB))
        .render_derived()
        .alias("jt")
    )
    element = elements.c.value
    texts = [
        sa.case(
            (
                sa.func.jsonb_typeof(element).in_(("string", "number", "boolean")),
                sa.func.jsonb_build_array(element).op("->>", return_type=sa.String)(0),
            )
        ),
        *(element.op("->>")(sa.literal(key)) for key in _MEMBER_KEYS),
    ]
    postgresql = sa.exists(
        sa.select(sa.literal(1))
        .select_from(elements)
        .where(sa.or_(*(sa.func.lower(text).in_(lowered(values)) for text in texts)))
    )
    return _ByDialect(sqlite, postgresql)


def custom_text(fields: sa.ColumnElement[str], field_id: str) -> sa.ColumnElement[str]:
    """The custom field as text (JSON text for lists and objects), or NULL when absent."""
    sqlite = sa.func.json_extract(fields, _path(field_id), type_=sa.String)
    postgresql = sa.cast(fields, JSONB).op("->>", return_type=sa.String)(sa.literal(field_id))
    return _ByDialect(sqlite, postgresql)


def custom_number(fields: sa.ColumnElement[str], field_id: str) -> sa.ColumnElement[float]:
    """The custom field when it is a JSON number, else NULL (so comparisons are false)."""
    sqlite = sa.case(
        (
            sa.func.json_type(fields, _path(field_id)).in_(("integer", "real")),
            sa.cast(sa.func.json_extract(fields, _path(field_id)), sa.Float),
        )
    )
    value = sa.cast(fields, JSONB).op("->")(sa.literal(field_id))
    postgresql = sa.case(
        (
            sa.func.jsonb_typeof(value) == "number",
            sa.cast(sa.cast(fields, JSONB).op("->>")(sa.literal(field_id)), sa.Float),
        )
    )
    return _ByDialect(sqlite, postgresql)


def custom_is_empty(fields: sa.ColumnElement[str], field_id: str) -> sa.ColumnElement[bool]:
    """Absent, JSON null, an empty text or an empty list."""
    sqlite_type = sa.func.coalesce(sa.func.json_type(fields, _path(field_id)), "null")
    sqlite = sa.or_(
        sqlite_type == "null",
        sa.and_(sqlite_type == "text", sa.func.json_extract(fields, _path(field_id)) == ""),
        sa.and_(sqlite_type == "array", sa.func.json_array_length(fields, _path(field_id)) == 0),
    )
    value = sa.cast(fields, JSONB).op("->", return_type=JSONB)(sa.literal(field_id))
    postgresql = sa.or_(
        value.is_(None),
        sa.func.jsonb_typeof(value) == "null",
        value == sa.cast(sa.literal('""'), JSONB),
        value == sa.cast(sa.literal("[]"), JSONB),
    )
    return _ByDialect(sqlite, postgresql)
