"""calendar_store: save, load, list, ids assigned and kept, all-or-nothing imports."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime
from dwelltime.errors import ImportRejected, SourceError
from dwelltime.sources.store import schema
from dwelltime.sources.store.calendars import (
    import_calendars,
    list_calendars,
    load_calendar,
    next_calendar_id,
    save_calendar,
)

OFFICE = CalendarSpec(
    id="10776",
    name="Berlin office",
    time_zone="Europe/Berlin",
    working_times=tuple(WorkingTime(d, 32_400_000, 61_200_000) for d in range(5)),
    holidays=(Holiday("Christmas", date(2026, 12, 25), recurring=True),),
)


@pytest.fixture
def engine(settings: Settings) -> sa.Engine:
    url = settings.resolved_database_url
    db.upgrade(url)
    return db.create_db_engine(url)


def calendar_json(calendar_id: Any = None, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Shifts",
        "timeZone": "America/New_York",
        "workingTimes": [{"weekday": "MONDAY", "start": 0, "end": 28_800_000}],
    }
    if calendar_id is not None:
        data["id"] = calendar_id
    return {**data, **changes}


def test_save_load_and_upsert(engine: sa.Engine) -> None:
    assert load_calendar(engine, "10776") is None
    save_calendar(engine, OFFICE)
    assert load_calendar(engine, "10776") == OFFICE
    renamed = CalendarSpec("10776", "Renamed", "UTC", OFFICE.working_times)
    save_calendar(engine, renamed)
    assert list_calendars(engine) == [renamed]


def test_list_orders_numeric_ids_numerically(engine: sa.Engine) -> None:
    for calendar_id in ("10", "9", "office", "100"):
        save_calendar(engine, CalendarSpec(calendar_id, "C", "UTC", OFFICE.working_times))
    assert [spec.id for spec in list_calendars(engine)] == ["9", "10", "100", "office"]
    assert next_calendar_id(engine) == "101"


def test_next_id_of_an_empty_store(engine: sa.Engine) -> None:
    assert next_calendar_id(engine) == "1"


def test_import_keeps_given_ids_and_numbers_the_others(engine: sa.Engine) -> None:
    save_calendar(engine, CalendarSpec("7", "Old", "UTC", OFFICE.working_times))
    imported = import_calendars(
        engine,
        [calendar_json(), calendar_json("42"), calendar_json(7), calendar_json()],
        source="cals.json",
    )
    assert [(c.spec.id, c.replaced) for c in imported] == [
        ("43", False),
        ("42", False),
        ("7", True),
        ("44", False),
    ]
    assert [spec.id for spec in list_calendars(engine)] == ["7", "42", "43", "44"]
    assert load_calendar(engine, "7") == imported[2].spec


def test_import_of_a_single_object(engine: sa.Engine) -> None:
    imported = import_calendars(engine, calendar_json("office"), source="one.json")
    assert [c.spec.id for c in imported] == ["office"]


@pytest.mark.parametrize(
    ("data", "message", "messages"),
    [
        pytest.param(
            [calendar_json("1"), calendar_json("2", timeZone="Mars/Olympus")],
            "bad.json: nothing imported",
            [
                "bad.json[1].timeZone: unknown time zone 'Mars/Olympus' "
                "(use an IANA name: 'Europe/Berlin')"
            ],
            id="one-bad-calendar-stops-all",
        ),
        pytest.param(
            [calendar_json("5"), calendar_json(5)],
            "bad.json: nothing imported",
            ["bad.json: id '5' is given to more than one calendar"],
            id="duplicate-ids",
        ),
        pytest.param(
            [], "bad.json: the array holds no calendar; nothing imported", None, id="empty"
        ),
        pytest.param(
            "calendar",
            "bad.json: nothing imported",
            ["bad.json: must be a JSON object, not a string"],
            id="not-an-object",
        ),
    ],
)
def test_a_bad_import_stores_nothing(
    engine: sa.Engine, data: Any, message: str, messages: list[str] | None
) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_calendars(engine, data, source="bad.json")
    assert caught.value.message == message
    assert caught.value.messages == messages
    assert list_calendars(engine) == []


def test_an_unreadable_stored_definition_is_a_source_error(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            schema.calendars.insert().values(
                id="3", name="Broken", definition=json.dumps(calendar_json("3", timeZone="X/Y"))
            )
        )
    with pytest.raises(SourceError, match="Stored calendar '3' is unreadable: stored calendar 3"):
        load_calendar(engine, "3")
