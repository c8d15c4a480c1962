"""Stays of any field's values (SPEC §8.4): change items of `historyFields` turned into
`[entered, left)` per (field, value), clipped to the report's window (docs/reports.md,
"Any-field reports").

A field's history is a sequence of states (the set of values held after each history,
the one at creation first). Each distinct item side of a batch is parsed once in Python
(sprint lists and priorities recur); states, the current values that seed every unchanged
field, the runs of consecutive states holding a value and the clipping are column
operations. Only add/remove fields (components, versions) are walked item by item per
issue, as their state depends on every earlier item; their changes are rare.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from dwelltime.domain.issue_batch import values_column
from dwelltime.engine.staging import NAME_SCHEMA
from dwelltime.engine.timeline.visits import NO_START, SEED_HISTORY, Window, clip

#: The key of "the field is empty", a value of its own.
NONE_KEY = "none"
ID_PREFIX = "id:"
TEXT_PREFIX = "text:"
#: Fields whose change items add or remove one value each (Jira's versions, components).
DELTA_FIELDS = frozenset({"components", "fixVersions", "versions"})
#: Fields whose change items hold the whole new set as space-separated text.
SPACE_SEPARATED = frozenset({"labels"})
#: Ranks the current values' names after every history's.
CURRENT_RANK = 2**62
#: The names kind of a field's values.
VALUE_KIND = "value:"

Member = tuple[str, str | None]  # (key, name)

_STATE_SCHEMA: dict[str, Any] = {
    "seq": pl.Int64,
    "a": pl.Utf8,
    "idx": pl.Int64,
    "entered": pl.Int64,
    "at": pl.Int64,
    "hist": pl.Int64,
    "by": pl.Utf8,
}
_MEMBER_SCHEMA: dict[str, Any] = {
    "seq": pl.Int64,
    "a": pl.Utf8,
    "idx": pl.Int64,
    "b": pl.Utf8,
    "name": pl.Utf8,
    "rank_ts": pl.Int64,
    "rank_h": pl.Int64,
}


def value_key(ident: str | None, name: str | None) -> str | None:
    """A value's identity: its Jira id where there is one, else its text."""
    if ident:
        return ID_PREFIX + ident
    if name:
        return TEXT_PREFIX + name
    return None


@lru_cache(maxsize=1 << 16)
def parse_side(field_id: str, ident: str | None, text: str | None) -> tuple[Member, ...]:
    """The values one side (from or to) of a change item names.

    Ids may be lists (`38, 40` for sprints, `[10019]` for checkboxes); their names are
    paired by position when the text splits into as many parts, else an id names itself.
    Cached: the same few values (sprint lists above all) recur across a batch.
    """
    if field_id in SPACE_SEPARATED:
        return tuple((TEXT_PREFIX + part, part) for part in (text or "").split())
    if ident and ident.strip():
        ids = [part.strip() for part in ident.strip().strip("[]").split(",") if part.strip()]
        if len(ids) == 1:
            return ((ID_PREFIX + ids[0], text or None),)
        names = [part.strip() for part in (text or "").split(",")]
        if len(names) != len(ids):
            return tuple((ID_PREFIX + part, None) for part in ids)
        return tuple(
            (ID_PREFIX + part, name or None) for part, name in zip(ids, names, strict=True)
        )
    if text:
        return ((TEXT_PREFIX + text, text),)
    return ()


@dataclass(frozen=True, slots=True)
class FieldStays:
    """Kept stays (seq, a = field id, b = value key, entered, left, hist, by, transition)
    and the names the batch gave to each value (`NAME_SCHEMA`, kind `value:<field>`)."""

    stays: pl.DataFrame
    names: pl.DataFrame


def field_stays(
    issues: pl.DataFrame, changes: pl.DataFrame, fields: Sequence[str], window: Window
) -> FieldStays:
    """The stays of every value of `fields`; `changes` comes from `issue_changes`."""
    own = changes.filter(pl.col("field_id").is_in(list(fields)))
    delta = pl.col("field_id").is_in(list(DELTA_FIELDS))
    parsed = _parsed(own)
    states, members = _delta_field_states(issues, own.filter(delta), window)
    set_states, set_members = _set_states(own.filter(~delta), parsed, window)
    seeded = pl.concat([states, set_states]).select("seq", "a").unique()
    unchanged = [_current_members(issues, field_id, seeded) for field_id in fields]
    members = pl.concat([members, set_members, *(frame for frame, _ in unchanged)])
    states = pl.concat([states, set_states, *(frame for _, frame in unchanged)])
    # every side of every item names its values; current values are named last
    spoken = [_spoken(own, parsed), members.filter(pl.col("rank_ts") == CURRENT_RANK)]
    return FieldStays(_stays(states, members, issues, window), _names(pl.concat(spoken)))


_PARSED_SCHEMA: dict[str, Any] = {
    "field_id": pl.Utf8,
    "ident": pl.Utf8,
    "text": pl.Utf8,
    "b": pl.Utf8,
    "name": pl.Utf8,
}


def _parsed(own: pl.DataFrame) -> pl.DataFrame:
    """Every distinct item side of the batch with the values it names, parsed once each."""
    sides = pl.concat(
        [
            own.select("field_id", ident=f"{side}_value", text=f"{side}_string")
            for side in ("from", "to")
        ]
    ).unique()
    rows = [
        (field_id, ident, text, key, name)
        for field_id, ident, text in sides.iter_rows()
        for key, name in parse_side(field_id, ident, text)
    ]
    return pl.DataFrame(rows, schema=_PARSED_SCHEMA, orient="row")


def _members_of(frame: pl.DataFrame, side: str, parsed: pl.DataFrame) -> pl.DataFrame:
    """The values that `side` (from, to) of each row names, as member rows."""
    named = frame.join(
        parsed,
        left_on=["field_id", f"{side}_value", f"{side}_string"],
        right_on=["field_id", "ident", "text"],
        nulls_equal=True,
    )
    return named.select("seq", "idx", "b", "name", "rank_ts", "rank_h", a="field_id").select(
        list(_MEMBER_SCHEMA)
    )


def _set_states(
    own: pl.DataFrame, parsed: pl.DataFrame, window: Window
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Items holding the whole new value: the seed is the first item's `from`, each
    history's state its last item's `to` (column operations: these are most items)."""
    ranked = own.with_columns(rank_ts=pl.col("ts_ms"), rank_h=pl.col("history_id"))
    seeds = (
        ranked.group_by("seq", "field_id", maintain_order=True)
        .first()
        .with_columns(idx=pl.lit(0, pl.Int64))
    )
    moves = (
        ranked.unique(subset=["seq", "field_id", "history_id"], keep="last", maintain_order=True)
        .with_columns(idx=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("seq", "field_id"))
        .filter(pl.col("ts") < window.end_ms)
    )
    states = pl.concat(
        [
            seeds.select(
                "seq",
                "idx",
                a="field_id",
                entered=pl.lit(None, pl.Int64),
                at=pl.lit(NO_START, pl.Int64),
                hist=pl.lit(SEED_HISTORY, pl.Int64),
                by=pl.lit(None, pl.Utf8),
            ).select(list(_STATE_SCHEMA)),
            moves.select(
                "seq", "idx", a="field_id", entered="ts", at="ts_ms", hist="history_id", by="author"
            ).select(list(_STATE_SCHEMA)),
        ]
    )
    members = pl.concat([_members_of(seeds, "from", parsed), _members_of(moves, "to", parsed)])
    return states, members


#: A held value: key -> (name, rank_ts, rank_h) of where its name was read.
Held = dict[str, tuple[str | None, int, int]]
#: An item as `_delta_states` reads it: history_id, ts, ts_ms, author, from_value,
#: from_string, to_value, to_string.
_Row = tuple[Any, ...]


def _delta_field_states(
    issues: pl.DataFrame, own: pl.DataFrame, window: Window
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """States and members of every (issue, field) of an add/remove field with a change
    item: the seed, then the state after each history before the window's end."""
    by_field: dict[tuple[int, str], list[_Row]] = {}
    columns = ("history_id", "ts", "ts_ms", "author", "from_value", "from_string")
    rows = own.select("seq", "field_id", *columns, "to_value", "to_string")
    for seq, field_id, *row in rows.iter_rows():
        by_field.setdefault((seq, field_id), []).append(tuple(row))
    currents = _current_lookup(issues, list(by_field))
    state_rows: list[_Row] = []
    member_rows: list[_Row] = []
    for (seq, field_id), changes in by_field.items():
        states = _delta_states(field_id, changes, currents.get((seq, field_id), []))
        for idx, (state, held) in enumerate(states):
            if state[0] is not None and state[0] >= window.end_ms:
                break
            state_rows.append((seq, field_id, idx, *state))
            member_rows.extend(
                (seq, field_id, idx, key, name, rank_ts, rank_h)
                for key, (name, rank_ts, rank_h) in held.items()
            )
    return (
        pl.DataFrame(state_rows, schema=_STATE_SCHEMA, orient="row"),
        pl.DataFrame(member_rows, schema=_MEMBER_SCHEMA, orient="row"),
    )


_SEED = (None, NO_START, SEED_HISTORY, None)  # entered None: the issue's creation


def _delta_states(
    field_id: str, changes: Sequence[_Row], current: Sequence[Member]
) -> Iterator[tuple[_Row, Held]]:
    """Items adding (`to`) or removing (`from`) one value each: held at creation is every
    value first mentioned by a removal, and every current value no item mentions (by id
    or by name)."""
    state: Held = {}
    seen: set[str] = set()
    names: set[str] = set()
    for hist, _, ts_ms, _, from_value, from_string, to_value, to_string in changes:
        for key, name in parse_side(field_id, from_value, from_string):
            if key not in seen:
                state[key] = (name, ts_ms, hist)
            seen.add(key)
            names.add(name or "")
        for key, name in parse_side(field_id, to_value, to_string):
            seen.add(key)
            names.add(name or "")
    for key, name in current:
        if key not in seen and (name or "") not in names:
            state[key] = (name, CURRENT_RANK, 0)
    yield _SEED, dict(state)
    for index, (hist, ts, ts_ms, author, from_value, from_string, to_value, to_string) in enumerate(
        changes
    ):
        for key, _ in parse_side(field_id, from_value, from_string):
            state.pop(key, None)
        for key, name in parse_side(field_id, to_value, to_string):
            state[key] = (name, ts_ms, hist)
        if index + 1 == len(changes) or changes[index + 1][0] != hist:
            yield (ts, ts_ms, hist, author), dict(state)


def _current_lookup(
    issues: pl.DataFrame, wanted: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], list[Member]]:
    """Current values of the (issue, field) pairs in `wanted`."""
    found: dict[tuple[int, str], list[Member]] = {}
    for field_id in {field_id for _, field_id in wanted}:
        seqs = [seq for seq, field in wanted if field == field_id]
        chosen = issues.filter(pl.col("seq").is_in(seqs)).select("seq", values_column(field_id))
        for seq, values in chosen.iter_rows():
            found[(seq, field_id)] = [
                (key, value["name"])
                for value in values
                if (key := value_key(value["id"], value["name"])) is not None
            ]
    return found


def _current_members(
    issues: pl.DataFrame, field_id: str, seeded: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Members and the one state of every issue whose `field_id` never changed."""
    unchanged = issues.select("seq", "created_ms", values_column(field_id)).join(
        seeded.filter(pl.col("a") == field_id), on="seq", how="anti"
    )
    states = unchanged.select(
        "seq",
        a=pl.lit(field_id),
        idx=pl.lit(0, pl.Int64),
        entered=pl.lit(None, pl.Int64),
        at=pl.lit(NO_START, pl.Int64),
        hist=pl.lit(SEED_HISTORY, pl.Int64),
        by=pl.lit(None, pl.Utf8),
    )
    values = unchanged.select("seq", value=values_column(field_id)).explode("value")
    ident, name = pl.col("value").struct.field("id"), pl.col("value").struct.field("name")
    members = values.filter(pl.col("value").is_not_null()).select(
        "seq",
        a=pl.lit(field_id),
        idx=pl.lit(0, pl.Int64),
        b=pl.when(ident.is_not_null() & (ident != ""))
        .then(pl.lit(ID_PREFIX) + ident)
        .otherwise(pl.lit(TEXT_PREFIX) + name),
        name=name,
        rank_ts=pl.lit(CURRENT_RANK, pl.Int64),
        rank_h=pl.col("seq"),
    )
    return members.select(list(_MEMBER_SCHEMA)), states.select(list(_STATE_SCHEMA))


def _stays(
    states: pl.DataFrame, members: pl.DataFrame, issues: pl.DataFrame, window: Window
) -> pl.DataFrame:
    """Runs of consecutive states holding each value; an empty state holds `NONE_KEY`."""
    ordered = (
        states.join(issues.select("seq", "created_ms"), on="seq")
        .with_columns(entered=pl.coalesce("entered", "created_ms"))
        .sort("seq", "a", "idx")
    )
    same_next = (pl.col("seq").shift(-1) == pl.col("seq")) & (pl.col("a").shift(-1) == pl.col("a"))
    timed = ordered.with_columns(
        left=pl.when(same_next).then(pl.col("entered").shift(-1)).otherwise(window.end_ms)
    ).drop("created_ms")
    held = members.select("seq", "a", "idx", "b").unique()
    empty = timed.join(held, on=["seq", "a", "idx"], how="anti").select(
        "seq", "a", "idx", b=pl.lit(NONE_KEY)
    )
    runs = (
        pl.concat([held, empty])
        .sort("seq", "a", "b", "idx")
        .with_columns(run=pl.col("idx") - pl.int_range(pl.len()).over("seq", "a", "b"))
        .join(timed, on=["seq", "a", "idx"])
        .sort("seq", "a", "b", "idx")
    )
    stays = runs.group_by("seq", "a", "b", "run", maintain_order=True).agg(
        pl.col("entered").first(),
        pl.col("left").last(),
        pl.col("hist").first(),
        pl.col("at").first(),
        pl.col("by").first(),
    )
    return clip(stays.drop("run"), window).sort("seq", "entered", "at", "hist", "a", "b")


def _spoken(own: pl.DataFrame, parsed: pl.DataFrame) -> pl.DataFrame:
    """The names both sides of every item give their values, ranked by history (within
    one, the `to` side is the newer name)."""
    ranked = own.with_columns(rank_ts=pl.col("ts_ms"), idx=pl.lit(0, pl.Int64))
    return pl.concat(
        _members_of(ranked.with_columns(rank_h=2 * pl.col("history_id") + side), name, parsed)
        for side, name in enumerate(("from", "to"))
    )


def _names(members: pl.DataFrame) -> pl.DataFrame:
    return members.select(
        kind=pl.lit(VALUE_KIND) + pl.col("a"),
        id="b",
        name="name",
        rank_ts="rank_ts",
        rank_h="rank_h",
    ).select(list(NAME_SCHEMA))
