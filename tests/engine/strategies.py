"""Hypothesis strategies for whole reports: issues with histories, parameters, calendars.

Everything is drawn around one anchor day (a DST change, a quarter or a year end) so that
visits, trims and periods meet the awkward instants while reports stay small.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from random import Random

from hypothesis import strategies as st

from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, ChangeItem, History, Issue, Status
from dwelltime.params.model import (
    AverageDenominator,
    DayLength,
    DbsMetric,
    DbsPoint,
    MultiVisitBehavior,
    ReportParams,
    ReportType,
    StatusGroup,
    TimePeriod,
    ViewFormat,
)
from tests.engine.calendar_strategies import ZONES, calendars
from tests.engine.reference.issues import HOUR, at, field_item, params

MINUTE = 60_000
DAY = 24 * HOUR
CATALOG = (
    Status("1", "Open"),
    Status("10033", "To Do"),
    Status("3", "In Progress"),
    Status("10002", "Review"),
    Status("10001", "Done"),
)
#: ids the histories use but the catalog lacks; 5 is renamed over time, 10000 shares a name
DELETED_NAMES = {"10000": ("To Do",), "5": ("Resolved", "Closed")}
STATUS_IDS = (*(status.id for status in CATALOG), *DELETED_NAMES)
PEOPLE = (("acc-1", "Ann"), ("acc-2", "bob"), ("acc-3", "Cy"), ("acc-4", "Ann"), None)
AUTHORS = ("Ann", "bob", "Cy", None)
FIELD = "customfield_10010"
#: priority ids with their names; "2" was renamed from "Hi" to "High"
PRIORITY_NAMES = {"1": ("Highest",), "2": ("Hi", "High"), "3": ("Low",)}
LABEL_WORDS = ("ux", "api", "db")
COMPONENTS = {"101": "Backend", "102": "Frontend"}
CALCULATED = (
    "calc:projectKey",
    "calc:issueType",
    "calc:currentStatus",
    "calc:leadTime",
    "calc:age",
)
HISTORY_FIELDS = ("priority", "labels", "components", FIELD)
ANCHORS = tuple(
    at(f"{day} 00:00")
    for day in (
        "2026-03-08",  # New York springs forward
        "2026-03-29",  # Berlin springs forward
        "2026-04-05",  # Lord Howe falls back by 30 minutes
        "2026-06-30",  # a quarter end
        "2026-10-25",  # Berlin falls back
        "2026-11-01",  # New York falls back
        "2026-12-31",  # a year end
    )
)


@dataclass(frozen=True)
class Scenario:
    """One generated report: its issues, parameters and world."""

    issues: list[Issue]
    params: ReportParams
    calendar: CalendarSpec | None
    now_ms: int
    #: issues per batch fed to the engine: names, columns and aggregates span batches
    batch_size: int = 3


def _status(ident: str, rng: Random) -> tuple[str, str]:
    for status in CATALOG:
        if status.id == ident:
            return ident, status.name
    return ident, rng.choice(DELETED_NAMES[ident])


@st.composite
def instants(draw: st.DrawFn, anchor: int) -> int:
    """Within ±8 days of the anchor: whole hours, whole minutes or any millisecond."""
    unit = draw(st.sampled_from((HOUR, MINUTE, 1)))
    return anchor + unit * draw(st.integers(-8 * DAY // unit, 8 * DAY // unit))


@st.composite
def issues(draw: st.DrawFn, number: int, anchor: int) -> Issue:
    """An issue with 0-6 histories changing status, assignee and a custom field."""
    rng = Random(draw(st.integers(0, 2**32)))
    created = draw(instants(anchor))
    count = draw(st.integers(0, 6))
    # a few shared timestamps, sometimes a change dated just before creation
    stamps = draw(st.lists(st.integers(-HOUR, 6 * DAY), min_size=count, max_size=count))
    stamps = [created + (stamps[0] if rng.random() < 0.3 and stamps else s) for s in stamps]
    ids = draw(st.lists(st.integers(0, 999), min_size=count, max_size=count, unique=True))
    order = sorted(zip(stamps, (number * 1000 + i for i in ids), strict=True))
    status = _status(draw(st.sampled_from(STATUS_IDS)), rng)
    person = draw(st.sampled_from(PEOPLE))
    value: str | None = None
    priority: tuple[str, str] | None = rng.choice((None, *_priorities(rng)))
    labels = tuple(sorted(rng.sample(LABEL_WORDS, rng.randint(0, 2))))
    components = tuple(sorted(rng.sample(sorted(COMPONENTS), rng.randint(0, 1))))
    histories: list[History] = []
    for ts, history_id in order:
        items: list[ChangeItem] = []
        if rng.random() < 0.7:
            after = _status(rng.choice([s for s in STATUS_IDS if s != status[0]]), rng)
            items.append(ChangeItem(STATUS_FIELD, STATUS_FIELD, "jira", *status, *after))
            status = after
        if rng.random() < 0.4:
            other = rng.choice([p for p in PEOPLE if p != person])
            items.append(
                ChangeItem(
                    ASSIGNEE_FIELD,
                    ASSIGNEE_FIELD,
                    "jira",
                    *(person or (None, None)),
                    *(other or (None, None)),
                )
            )
            person = other
        if rng.random() < 0.25:
            new_priority = rng.choice((None, *_priorities(rng)))
            items.append(
                ChangeItem(
                    "priority",
                    "priority",
                    "jira",
                    *(priority or (None, None)),
                    *(new_priority or (None, None)),
                )
            )
            priority = new_priority
        if rng.random() < 0.25:
            new_labels = tuple(sorted(rng.sample(LABEL_WORDS, rng.randint(0, 3))))
            items.append(
                ChangeItem(
                    "labels", "labels", None, None, " ".join(labels), None, " ".join(new_labels)
                )
            )
            labels = new_labels
        if rng.random() < 0.2:
            component = rng.choice(sorted(COMPONENTS))
            name = COMPONENTS[component]
            if component in components:
                items.append(
                    ChangeItem("Component", "components", "jira", component, name, None, None)
                )
                components = tuple(c for c in components if c != component)
            else:
                items.append(
                    ChangeItem("Component", "components", "jira", None, None, component, name)
                )
                components = tuple(sorted((*components, component)))
        if rng.random() < 0.3 or not items:
            new_value = rng.choice(("a", "b", "c", None))
            items.append(field_item(FIELD, value, new_value))
            value = new_value
        histories.append(History(history_id, ts, None, rng.choice(AUTHORS), tuple(items)))
    return Issue(
        id=number,
        key=f"P-{number}",
        project_key="P",
        summary=f"Issue {number}",
        created_ms=created,
        status_id=status[0],
        status_name=status[1],
        issue_type=rng.choice(("Bug", "Story", None)),
        priority=priority[1] if priority else None,
        labels=labels,
        components=tuple(COMPONENTS[c] for c in components),
        assignee_id=person[0] if person else None,
        assignee_name=person[1] if person else None,
        fields={FIELD: value},
        # sometimes resolved, at any millisecond (lead time is read to the second)
        resolution_date_ms=created + rng.randint(-1000, 5 * DAY) if rng.random() < 0.4 else None,
        # delivered in random order: the engine must sort them itself
        histories=tuple(draw(st.permutations(histories))),
    )


def _priorities(rng: Random) -> list[tuple[str, str]]:
    """Each priority id under one of the names it had."""
    return [(ident, rng.choice(names)) for ident, names in PRIORITY_NAMES.items()]


@st.composite
def near_holidays(draw: st.DrawFn, anchor: int) -> list[Holiday]:
    """0-3 holidays within a week of the anchor; a recurring one is dated in an earlier
    year, so only its month and day can match."""
    day = datetime.fromtimestamp(anchor // 1000, tz=UTC).date()
    holidays = []
    for offset, recurring in draw(
        st.lists(st.tuples(st.integers(-7, 7), st.booleans()), max_size=3)
    ):
        when = day + timedelta(days=offset)
        holidays.append(Holiday("Near", when.replace(year=2021) if recurring else when, recurring))
    return holidays


@st.composite
def business_calendars(draw: st.DrawFn) -> CalendarSpec:
    """Calendars whose working days are equally long (businessDays needs them)."""
    starts = draw(st.lists(st.integers(0, 23), min_size=1, max_size=3, unique=True))
    windows = []
    for start in sorted(starts):
        windows.append((start * HOUR, start * HOUR + draw(st.integers(1, 60)) * MINUTE))
    days = draw(st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True))
    return CalendarSpec(
        "7",
        "Office",
        draw(st.sampled_from(ZONES)),
        tuple(WorkingTime(day, low, high) for day in sorted(days) for low, high in windows),
    )


def _points(draw: st.DrawFn, kinds: tuple[str, ...]) -> DbsPoint:
    kind = draw(st.sampled_from(kinds))
    occurrence = draw(st.sampled_from(("first", "last")))
    if kind == "status":
        ids = tuple(
            draw(st.lists(st.sampled_from(STATUS_IDS), min_size=1, max_size=2, unique=True))
        )
        return DbsPoint("status", ids, occurrence=occurrence)
    if kind == "field":
        return DbsPoint("field", field_id=FIELD, occurrence=occurrence)
    return DbsPoint("creation")


@st.composite
def metrics(draw: st.DrawFn, index: int) -> DbsMetric:
    start = _points(draw, ("creation", "status", "field"))
    stop = _points(draw, ("status", "field"))
    pause = draw(st.lists(st.sampled_from(STATUS_IDS), max_size=2, unique=True))
    return DbsMetric(f"Metric {index}", start, stop, tuple(pause))


@st.composite
def scenarios(draw: st.DrawFn, report: ReportType) -> Scenario:
    """Issues, parameters, calendar and now for one report of type `report`."""
    anchor = draw(st.sampled_from(ANCHORS))
    count = draw(st.integers(0, 5))
    generated = [draw(issues(number + 1, anchor)) for number in range(count)]
    now = anchor + draw(st.integers(-2 * DAY, 16 * DAY))
    calendar = draw(st.one_of(st.none(), calendars(), business_calendars()))
    if calendar is not None:
        calendar = replace(calendar, holidays=(*calendar.holidays, *draw(near_holidays(anchor))))
    business = calendar is not None and len(calendar.working_times) > 0 and _equal_days(calendar)
    options: dict[str, object] = {
        "calendar_id": "normalHours" if calendar is None else calendar.id,
        "view_format": draw(
            st.sampled_from(ViewFormat)
            if draw(st.integers(0, 3)) == 0
            else st.just(ViewFormat.SECONDS)
        ),
        "day_length": draw(st.sampled_from(DayLength) if business else st.just(DayLength.HOURS_24)),
        "include_deleted_statuses": draw(st.booleans()),
        "multi_visit": draw(st.sampled_from(MultiVisitBehavior)),
        "average_denominator": draw(st.sampled_from(AverageDenominator)),
        "time_period": draw(st.sampled_from(TimePeriod)),
        "include_transitioned_by": draw(st.booleans()),
        "fields": tuple(
            draw(
                st.lists(
                    st.sampled_from(("issuetype", "priority", "created", FIELD, *CALCULATED)),
                    unique=True,
                )
            )
        ),
        "group_by_fields": tuple(
            draw(
                st.lists(
                    st.sampled_from(("issuetype", "priority", "calc:issueType", "calc:leadTime")),
                    unique=True,
                    max_size=2,
                )
            )
        ),
    }
    if draw(st.integers(0, 3)) == 0:
        options["statuses"] = tuple(
            draw(st.lists(st.sampled_from(STATUS_IDS), min_size=1, unique=True))
        )
    trim_start: int | None = None
    if draw(st.booleans()):
        start, end = sorted(draw(st.lists(instants(anchor), min_size=2, max_size=2, unique=True)))
        trim_start = draw(st.sampled_from((start, None)))
        options["trim_end_ms"] = draw(st.sampled_from((end, end + 20 * DAY, None)))
    options["trim_start_ms"] = trim_start
    if report is ReportType.GROUP_DURATION:
        options["groups"] = tuple(
            StatusGroup(
                f"Group {i}",
                tuple(
                    draw(st.lists(st.sampled_from(STATUS_IDS), min_size=1, max_size=3, unique=True))
                ),
            )
            for i in range(draw(st.integers(1, 3)))
        )
    if report.is_any_field_report:
        options["history_fields"] = tuple(
            draw(st.lists(st.sampled_from(HISTORY_FIELDS), min_size=1, max_size=3, unique=True))
        )
    if report.is_assignee_report and draw(st.booleans()):
        options["assignees"] = tuple(
            draw(st.lists(st.sampled_from(("acc-1", "acc-2", "acc-3", "acc-9")), unique=True))
        )
    if report is ReportType.DURATION_BETWEEN_STATUSES:
        options["dbs_metrics"] = tuple(draw(metrics(i)) for i in range(draw(st.integers(1, 2))))
    batch_size = draw(st.integers(1, 4))
    return Scenario(generated, params(report, **options), calendar, now, batch_size)


def _equal_days(calendar: CalendarSpec) -> bool:
    lengths: dict[int, int] = {}
    for window in calendar.working_times:
        lengths[window.weekday] = lengths.get(window.weekday, 0) + window.end_ms - window.start_ms
    return len(set(lengths.values())) == 1 and 0 not in lengths.values()
