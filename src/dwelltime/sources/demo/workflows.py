"""The demo's status catalog and per-project workflows, with the history quirks real Jira
sites have: a renamed status, a deleted one and two statuses sharing a name.

Statuses are global (as in Jira) and workflows reference them, so a renamed status shows
its old name in every project's older histories.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from dwelltime.domain.issues import Status
from dwelltime.sources.demo.clock import HOUR_MS, MINUTE_MS

NEW, INDETERMINATE, DONE = "new", "indeterminate", "done"
#: Share of stays drawn from the Pareto tail (issues forgotten for weeks or months).
TAIL_SHARE = 0.06
#: No stay lasts longer than about a working year.
MAX_DWELL_HOURS = 2_000.0


def _utc_ms(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class Rename:
    """A status renamed at `renamed_ms`: changes made before it carry `old_name`."""

    renamed_ms: int
    old_name: str


@dataclass(frozen=True, slots=True)
class Retirement:
    """A status deleted at `deleted_ms`; an admin moved the issues in it to `replacement`."""

    deleted_ms: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Dwell:
    """How long issues stay in a status, in working hours: a lognormal body (median,
    sigma), and for every status alike a long Pareto tail."""

    median_hours: float
    sigma: float

    def draw_ms(self, rng: random.Random, factor: float) -> int:
        """Working milliseconds of one stay, `factor` times the usual (urgency)."""
        hours = math.exp(rng.gauss(0.0, self.sigma)) * self.median_hours * factor
        if rng.random() < TAIL_SHARE:
            hours *= rng.paretovariate(1.2)
        return max(MINUTE_MS, int(min(hours, MAX_DWELL_HOURS) * HOUR_MS))


@dataclass(frozen=True, slots=True)
class Workflow:
    """A project's workflow as a weighted transition graph.

    `terminal` statuses are where an issue may come to rest (it leaves them only when
    reopened, with `reopen_probability`); every other status is always left eventually.
    """

    name: str
    initial: str
    transitions: Mapping[str, tuple[tuple[str, float], ...]]
    dwell: Mapping[str, Dwell]
    terminal: frozenset[str]
    reopen_probability: float


OPEN, IN_PROGRESS, REOPENED, RESOLVED, CLOSED = "1", "3", "4", "5", "6"
DONE_ID, IN_REVIEW, TESTING, BLOCKED, WONT_DO = "10001", "10002", "10003", "10004", "10006"
TO_DO, SELECTED = "10033", "10102"
DESK_TO_DO, WAITING = "10100", "10101"

#: The status catalog. RESOLVED is absent on purpose: it was deleted (see RETIRED).
STATUSES: tuple[Status, ...] = (
    Status(OPEN, "Open", NEW),
    Status(IN_PROGRESS, "In Progress", INDETERMINATE),
    Status(REOPENED, "Reopened", NEW),
    Status(CLOSED, "Closed", DONE),
    Status(DONE_ID, "Done", DONE),
    Status(IN_REVIEW, "In Review", INDETERMINATE),
    Status(TESTING, "Testing", INDETERMINATE),
    Status(BLOCKED, "Blocked", INDETERMINATE),
    Status(WONT_DO, "Won't Do", DONE),
    Status(TO_DO, "To Do", NEW),
    Status(DESK_TO_DO, "To Do", NEW),
    Status(WAITING, "Waiting for Customer", INDETERMINATE),
    Status(SELECTED, "Selected for Development", NEW),
)

#: "In Progress" was called "In Development" until mid-2025.
RENAMES: Mapping[str, Rename] = {IN_PROGRESS: Rename(_utc_ms(2025, 6, 2), "In Development")}

#: "Resolved" (done) was deleted in autumn 2025; its issues went to "Closed".
RETIRED: Mapping[str, Retirement] = {RESOLVED: Retirement(_utc_ms(2025, 9, 15), CLOSED)}
RETIRED_NAMES: Mapping[str, str] = {RESOLVED: "Resolved"}
RETIRED_CATEGORIES: Mapping[str, str] = {RESOLVED: DONE}

_CATALOG: Mapping[str, Status] = {status.id: status for status in STATUSES}

#: Categories of every status the generator can produce, catalogued or deleted.
CATEGORIES: Mapping[str, str] = {
    **{status.id: status.category or NEW for status in STATUSES},
    **RETIRED_CATEGORIES,
}


#: Names of every status the generator can produce, catalogued or deleted.
_NAMES: Mapping[str, str] = {
    **{status.id: status.name for status in STATUSES},
    **RETIRED_NAMES,
}


def status_name(status_id: str, at_ms: int) -> str:
    """The name a change made at `at_ms` records for `status_id` (Jira keeps old names)."""
    rename = RENAMES.get(status_id)
    if rename is not None and at_ms < rename.renamed_ms:
        return rename.old_name
    return _NAMES[status_id]


def catalog_name(status_id: str) -> str:
    """The current catalog name of a status that still exists."""
    return _CATALOG[status_id].name


CLASSIC = Workflow(
    name="Classic software workflow",
    initial=OPEN,
    transitions={
        OPEN: ((IN_PROGRESS, 0.85), (WONT_DO, 0.1), (CLOSED, 0.05)),
        IN_PROGRESS: ((IN_REVIEW, 0.75), (BLOCKED, 0.13), (OPEN, 0.12)),
        BLOCKED: ((IN_PROGRESS, 1.0),),
        IN_REVIEW: ((TESTING, 0.7), (IN_PROGRESS, 0.3)),
        # Into RESOLVED until it was deleted, into its replacement afterwards.
        TESTING: ((RESOLVED, 0.8), (IN_PROGRESS, 0.2)),
        RESOLVED: ((CLOSED, 0.9), (REOPENED, 0.1)),
        CLOSED: ((REOPENED, 1.0),),
        WONT_DO: ((REOPENED, 1.0),),
        REOPENED: ((IN_PROGRESS, 0.9), (CLOSED, 0.1)),
    },
    dwell={
        OPEN: Dwell(16, 1.6),
        IN_PROGRESS: Dwell(10, 1.1),
        BLOCKED: Dwell(16, 1.2),
        IN_REVIEW: Dwell(3, 1.0),
        TESTING: Dwell(5, 1.0),
        RESOLVED: Dwell(6, 0.8),
        CLOSED: Dwell(24, 1.2),
        WONT_DO: Dwell(24, 1.2),
        REOPENED: Dwell(4, 1.0),
    },
    terminal=frozenset({CLOSED, WONT_DO}),
    reopen_probability=0.07,
)

DELIVERY = Workflow(
    name="Delivery board workflow",
    initial=TO_DO,
    transitions={
        TO_DO: ((SELECTED, 0.5), (IN_PROGRESS, 0.4), (WONT_DO, 0.1)),
        SELECTED: ((IN_PROGRESS, 0.9), (TO_DO, 0.1)),
        IN_PROGRESS: ((IN_REVIEW, 0.8), (BLOCKED, 0.1), (TO_DO, 0.1)),
        BLOCKED: ((IN_PROGRESS, 1.0),),
        IN_REVIEW: ((DONE_ID, 0.7), (IN_PROGRESS, 0.3)),
        DONE_ID: ((TO_DO, 1.0),),
        WONT_DO: ((TO_DO, 1.0),),
    },
    dwell={
        TO_DO: Dwell(16, 1.6),
        SELECTED: Dwell(8, 1.2),
        IN_PROGRESS: Dwell(10, 1.1),
        BLOCKED: Dwell(16, 1.2),
        IN_REVIEW: Dwell(3, 1.0),
        DONE_ID: Dwell(24, 1.2),
        WONT_DO: Dwell(24, 1.2),
    },
    terminal=frozenset({DONE_ID, WONT_DO}),
    reopen_probability=0.05,
)

SERVICE_DESK = Workflow(
    name="Service desk workflow",
    initial=DESK_TO_DO,
    transitions={
        DESK_TO_DO: ((IN_PROGRESS, 0.85), (WONT_DO, 0.15)),
        IN_PROGRESS: ((DONE_ID, 0.55), (WAITING, 0.35), (DESK_TO_DO, 0.1)),
        WAITING: ((IN_PROGRESS, 0.8), (DONE_ID, 0.2)),
        DONE_ID: ((IN_PROGRESS, 1.0),),
        WONT_DO: ((DESK_TO_DO, 1.0),),
    },
    dwell={
        DESK_TO_DO: Dwell(4, 1.3),
        IN_PROGRESS: Dwell(6, 1.1),
        WAITING: Dwell(12, 1.3),
        DONE_ID: Dwell(24, 1.2),
        WONT_DO: Dwell(24, 1.2),
    },
    terminal=frozenset({DONE_ID, WONT_DO}),
    reopen_probability=0.1,
)

#: Project i uses WORKFLOWS[i % 3]; the first two plan work in sprints.
WORKFLOWS: tuple[Workflow, ...] = (CLASSIC, DELIVERY, SERVICE_DESK)
SCRUM_WORKFLOWS: frozenset[str] = frozenset({CLASSIC.name, DELIVERY.name})
