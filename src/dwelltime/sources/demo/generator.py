"""Deterministic synthetic Jira data (`dwelltime demo-data`): the catalogs first, then
issues in chunks, written through the issue store.

The same (issues, projects, seed, now) always gives the same objects: every draw comes
from one `random.Random(seed)` and the default `now` is fixed, never today's date.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, datetime

from dwelltime.domain.sites import DEMO_SITE
from dwelltime.errors import DwelltimeError, InvalidParameters
from dwelltime.sources.demo.catalog import build_projects, calendars, saved_filters, users
from dwelltime.sources.demo.clock import DAY_MS
from dwelltime.sources.demo.issues import IssueFactory
from dwelltime.sources.demo.workflows import RENAMES, RETIRED, STATUSES
from dwelltime.sources.store.calendars import load_calendar, save_calendars
from dwelltime.sources.store.issue_store import IssueStore, StoreData, WriteCounts

DEFAULT_NOW_MS = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
CHUNK_ISSUES = 5_000
MAX_PROJECTS = 50
FIRST_ISSUE_ID = 10_001

#: `now` must leave the renamed and the deleted status inside the two years of history
#: (and after the deletion), or the demo would lose the quirks it exists to show.
EARLIEST_NOW_MS = max(retired.deleted_ms for retired in RETIRED.values()) + 30 * DAY_MS
LATEST_NOW_MS = min(rename.renamed_ms for rename in RENAMES.values()) + 700 * DAY_MS


def generate_demo(
    issues: int,
    projects: int = 3,
    seed: int = 1,
    now_ms: int = DEFAULT_NOW_MS,
    chunk_size: int = CHUNK_ISSUES,
) -> Iterator[StoreData]:
    """The demo store's content: one chunk with every catalog (statuses, projects, users,
    sprints, saved filters), then the issues, `chunk_size` at a time, in creation order.

    Arguments are checked before anything is drawn (InvalidParameters names each bad one).
    """
    problems = []
    if issues < 0:
        problems.append(f"issues must be 0 or more, not {issues}.")
    if not 1 <= projects <= MAX_PROJECTS:
        problems.append(f"projects must be between 1 and {MAX_PROJECTS}, not {projects}.")
    if not EARLIEST_NOW_MS <= now_ms <= LATEST_NOW_MS:
        problems.append(
            f"now must lie between {_iso(EARLIEST_NOW_MS)} and {_iso(LATEST_NOW_MS)}, "
            f"not {_iso(now_ms)}."
        )
    if chunk_size < 1:
        problems.append(f"chunk_size must be 1 or more, not {chunk_size}.")
    if problems:
        raise InvalidParameters(problems)
    return _chunks(issues, projects, seed, now_ms, chunk_size)


def _chunks(
    issues: int, projects: int, seed: int, now_ms: int, chunk_size: int
) -> Iterator[StoreData]:
    demo_projects = build_projects(projects, seed, now_ms)
    yield StoreData(
        statuses=STATUSES,
        projects=tuple(project.project for project in demo_projects),
        users=users(demo_projects),
        sprints=tuple(sprint for project in demo_projects for sprint in project.sprints),
        filters=saved_filters(demo_projects),
    )
    factory = IssueFactory(demo_projects, now_ms, random.Random(seed))
    numbers = [0] * projects
    chunk = []
    for position, header in enumerate(factory.headers(issues)):
        numbers[header.project] += 1
        key = f"{demo_projects[header.project].project.key}-{numbers[header.project]}"
        chunk.append(factory.issue(FIRST_ISSUE_ID + position, key, header))
        if len(chunk) == chunk_size:
            yield StoreData(site=DEMO_SITE, issues=tuple(chunk))
            chunk = []
    if chunk:
        yield StoreData(site=DEMO_SITE, issues=tuple(chunk))


def write_demo(
    store: IssueStore,
    issues: int,
    projects: int = 3,
    seed: int = 1,
    on_chunk: Callable[[WriteCounts], None] | None = None,
) -> WriteCounts:
    """Fill an empty `store` with the demo and its two business calendars (unless their
    ids are taken); `on_chunk` hears each chunk's counts.

    A store that already holds issues is refused: demo ids and keys would overwrite or
    collide with what is there, and mixing two seeds would make neither reproducible.
    """
    chunks = generate_demo(issues, projects, seed)
    if not store.is_empty():
        raise DwelltimeError(
            "The store already holds issues; demo data goes into an empty store "
            "(point DWELLTIME_HOME at a new folder, or pass --if-empty to skip)."
        )
    total = WriteCounts(issues=0, histories=0, status_changes=0)
    for data in chunks:
        counts = store.write(data)
        total = _sum(total, counts)
        if on_chunk is not None:
            on_chunk(counts)
    # A calendar someone already stored under a demo id is theirs: keep it.
    free = [spec for spec in calendars() if load_calendar(store.engine, spec.id) is None]
    save_calendars(store.engine, free)
    return total


def _sum(first: WriteCounts, second: WriteCounts) -> WriteCounts:
    # Field by field, so counts the store adds later are summed too.
    return WriteCounts(
        **{f.name: getattr(first, f.name) + getattr(second, f.name) for f in fields(WriteCounts)}
    )


def _iso(instant_ms: int) -> str:
    return datetime.fromtimestamp(instant_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
